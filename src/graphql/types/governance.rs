//! Governance as DataHub's GraphQL reads it from an entity's stored aspects: `tags` (and the
//! deprecated `globalTags`), `ownership`, `glossaryTerms`, `domain`, `deprecation`,
//! `institutionalMemory` and `subTypes`. The aspects are read in DataHub's aspect shape, as the
//! DataHub SDK writes them; the tags, terms, domains, owners and ownership types they name are
//! resolved lazily, through the entity and aspect loaders, so a page of entities costs the same
//! statements whatever they carry.
//!
//! These aspects were stored unchecked before mlcat modelled them, so an element whose URN does
//! not parse, or names the wrong entity type (a tag that is not a `tag` URN), is left out of the
//! answer rather than failing the whole entity.

use async_graphql::{ComplexObject, Context, Enum, EnumType, Result, SimpleObject, Union};
use serde::Deserialize;

use super::{CorpGroup, CorpUser, Domain, Entity, GlossaryTerm, OwnershipTypeEntity, Tag};
use crate::catalog::aspects::{system_ownership_type, TimeStamp};
use crate::catalog::EntityRecord;
use crate::graphql::loaders::{self, aspect};
use crate::graphql::scalars::{AuditStamp, Long};
use crate::urn::{EntityKind, Urn};

/// The stored `globalTags` aspect (also a schema field's tags).
#[derive(Deserialize, Clone)]
pub(crate) struct GlobalTagsAspect {
    #[serde(default)]
    tags: Vec<TagRef>,
}

#[derive(Deserialize, Clone)]
struct TagRef {
    tag: String,
    #[serde(default)]
    context: Option<String>,
}

/// The stored `ownership` aspect.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct OwnershipAspect {
    #[serde(default)]
    owners: Vec<OwnerRef>,
    #[serde(default)]
    last_modified: Option<TimeStamp>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct OwnerRef {
    owner: String,
    #[serde(default, rename = "type")]
    kind: Option<String>,
    #[serde(default)]
    type_urn: Option<String>,
}

/// The stored `glossaryTerms` aspect (also a schema field's terms).
#[derive(Deserialize)]
pub(crate) struct GlossaryTermsAspect {
    #[serde(default)]
    terms: Vec<TermRef>,
}

#[derive(Deserialize)]
struct TermRef {
    urn: String,
    #[serde(default)]
    context: Option<String>,
}

/// The stored `domains` aspect.
#[derive(Deserialize)]
struct DomainsAspect {
    #[serde(default)]
    domains: Vec<String>,
}

/// The stored `deprecation` aspect.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct DeprecationAspect {
    #[serde(default)]
    deprecated: bool,
    #[serde(default)]
    note: Option<String>,
    #[serde(default)]
    actor: Option<String>,
    #[serde(default)]
    decommission_time: Option<i64>,
    #[serde(default)]
    replacement: Option<String>,
}

/// The stored `institutionalMemory` aspect.
#[derive(Deserialize)]
struct InstitutionalMemoryAspect {
    #[serde(default)]
    elements: Vec<MemoryElement>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct MemoryElement {
    url: String,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    create_stamp: Option<TimeStamp>,
    #[serde(default)]
    update_stamp: Option<TimeStamp>,
}

/// The stored `subTypes` aspect.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SubTypesAspect {
    #[serde(default)]
    type_names: Vec<String>,
}

/// A URN from an aspect when it parses and names an entity of `kind`.
fn urn_of(text: &str, kind: &EntityKind) -> Option<Urn> {
    Urn::parse(text).ok().filter(|u| u.kind() == kind)
}

/// The row of an entity named by URN, when the catalog has one.
pub async fn row_of(ctx: &Context<'_>, urn: &Urn) -> Result<Option<super::entity::Row>> {
    loaders::entity(ctx, urn).await
}

/// An aspect of an entity named by URN; `None` when the catalog has no row or no such aspect.
pub async fn aspect_of<T: serde::de::DeserializeOwned>(
    ctx: &Context<'_>,
    urn: &Urn,
    name: &'static str,
) -> Result<Option<T>> {
    match row_of(ctx, urn).await? {
        Some(row) => aspect(ctx, &row, name).await,
        None => Ok(None),
    }
}

/// A governance read (`ownership`, `tags`, ...) of an entity named by URN: `Ok(None)` when the
/// catalog has no row for it. A macro, not a function, because the reads borrow the row the
/// lookup returns and their futures must stay `Send` for async-graphql.
macro_rules! read_by_urn {
    ($ctx:expr, $urn:expr, $read:path) => {
        match $crate::graphql::types::governance::row_of($ctx, $urn).await? {
            Some(row) => $read($ctx, &row).await,
            None => Ok(None),
        }
    };
}
pub(crate) use read_by_urn;

/// How many parents are followed up from a glossary term, node or domain: hierarchies are
/// shallow, and a cycle written by mistake must end.
const MAX_PARENTS: usize = 32;

/// The parent an aspect names, when its text parses as a URN of `kind`.
pub fn parent_of(text: Option<&str>, kind: &EntityKind) -> Option<Urn> {
    urn_of(text?, kind)
}

/// The chain of parents from `first` up, nearest first: each one's parent is the URN of `kind`
/// that `parent` finds in its `aspect`. Stops at a repeat (a cycle) or after [`MAX_PARENTS`].
pub async fn parent_chain<A: serde::de::DeserializeOwned>(
    ctx: &Context<'_>,
    first: Option<Urn>,
    aspect: &'static str,
    parent: fn(&A) -> Option<&str>,
    kind: &EntityKind,
) -> Result<Vec<Urn>> {
    let mut chain: Vec<Urn> = Vec::new();
    let mut next = first;
    while let Some(urn) = next.take() {
        if chain.contains(&urn) || chain.len() >= MAX_PARENTS {
            break;
        }
        let stored: Option<A> = aspect_of(ctx, &urn, aspect).await?;
        next = parent_of(stored.as_ref().and_then(parent), kind);
        chain.push(urn);
    }
    Ok(chain)
}

/// Whether an entity named by URN has metadata of its own: false when it is only referenced.
pub async fn exists(ctx: &Context<'_>, urn: &Urn) -> Result<bool> {
    Ok(row_of(ctx, urn).await?.is_some_and(|r| r.exists))
}

/// Tags attached to an entity.
#[derive(SimpleObject)]
pub struct GlobalTags {
    /// The tags, in the order they were attached.
    pub tags: Option<Vec<TagAssociation>>,
}

/// A tag attached to an entity.
#[derive(SimpleObject)]
pub struct TagAssociation {
    /// The tag.
    pub tag: Tag,
    /// The URN of the entity the tag is attached to.
    pub associated_urn: String,
    /// Free-form context of the attachment, as written.
    pub context: Option<String>,
}

/// `tags` / `globalTags`: the entity's `globalTags` aspect.
pub async fn tags(ctx: &Context<'_>, row: &EntityRecord) -> Result<Option<GlobalTags>> {
    let stored: Option<GlobalTagsAspect> = aspect(ctx, row, "globalTags").await?;
    Ok(stored.map(|g| g.answer(&row.urn)))
}

impl GlobalTagsAspect {
    /// Adds the tags of `other` this one lacks (a column's edited and ingested tags).
    pub(crate) fn merge(&mut self, other: GlobalTagsAspect) {
        for t in other.tags {
            if !self.tags.iter().any(|have| have.tag == t.tag) {
                self.tags.push(t);
            }
        }
    }

    /// The tags as GraphQL answers them, attached to `associated`.
    pub(crate) fn answer(self, associated: &str) -> GlobalTags {
        GlobalTags {
            tags: Some(
                self.tags
                    .into_iter()
                    .filter_map(|t| {
                        Some(TagAssociation {
                            tag: Tag(urn_of(&t.tag, &EntityKind::Tag)?),
                            associated_urn: associated.to_string(),
                            context: t.context,
                        })
                    })
                    .collect(),
            ),
        }
    }
}

/// DataHub's fixed kinds of ownership, from before ownership types were entities.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(rename_items = "SCREAMING_SNAKE_CASE")]
pub enum OwnershipType {
    /// A person or group responsible for the technical aspects of the asset.
    TechnicalOwner,
    /// A person or group responsible for the business aspects of the asset.
    BusinessOwner,
    /// A steward, expert or delegate responsible for the asset.
    DataSteward,
    /// No kind of ownership given.
    None,
    /// A custom ownership type: see `ownershipType` for which.
    Custom,
    /// A person or group that owns the data.
    #[graphql(name = "DATAOWNER", deprecation = "Use TECHNICAL_OWNER")]
    Dataowner,
    /// A person or group that develops the code.
    #[graphql(deprecation = "Use TECHNICAL_OWNER")]
    Developer,
    /// A person or group that oversees operation.
    #[graphql(deprecation = "Use TECHNICAL_OWNER")]
    Delegate,
    /// A person, group or service that produces the data.
    #[graphql(deprecation = "Use TECHNICAL_OWNER")]
    Producer,
    /// A person or group with a direct business interest.
    #[graphql(deprecation = "Use BUSINESS_OWNER")]
    Stakeholder,
    /// A person or group that consumes the data.
    #[graphql(deprecation = "Use BUSINESS_OWNER")]
    Consumer,
}

impl OwnershipType {
    /// The owner's `type` as DataHub stores it, which is also its GraphQL name: the enum's
    /// names are the one spelling of these values.
    pub(crate) fn as_str(self) -> &'static str {
        // Every variant is one of the enum's items, so the fallback is never taken.
        Self::items()
            .iter()
            .find(|i| i.value == self)
            .map_or("NONE", |i| i.name)
    }

    /// The stored `type` of an owner; `None` for a value DataHub does not define.
    fn parse(s: &str) -> Option<OwnershipType> {
        Self::items().iter().find(|i| i.name == s).map(|i| i.value)
    }
}

/// Who owns an entity: a user or a group.
#[derive(Union)]
pub enum OwnerType {
    /// A user.
    CorpUser(CorpUser),
    /// A group of users.
    CorpGroup(CorpGroup),
}

/// One owner of an entity.
#[derive(SimpleObject)]
pub struct Owner {
    /// The user or group that owns the entity.
    pub owner: OwnerType,
    /// The fixed kind of ownership, as written.
    #[graphql(name = "type", deprecation = "Use `ownershipType`")]
    pub kind: Option<OwnershipType>,
    /// The ownership type entity: the owner's `typeUrn`, or for an owner written with only the
    /// fixed `type`, the system ownership type DataHub maps it to
    /// (`urn:li:ownershipType:__system__<type in lower case>`, such as
    /// `__system__technical_owner`).
    pub ownership_type: Option<OwnershipTypeEntity>,
    /// The URN of the entity that is owned.
    pub associated_urn: String,
}

/// The owners of an entity.
#[derive(SimpleObject)]
pub struct Ownership {
    /// The owners, in the order they were written.
    pub owners: Option<Vec<Owner>>,
    /// When the ownership was last changed; DataHub's default (time 0, actor
    /// `urn:li:corpuser:unknown`) when the aspect does not say.
    pub last_modified: AuditStamp,
}

/// `ownership`: the entity's `ownership` aspect, owners that are not a user or a group left out.
pub async fn ownership(ctx: &Context<'_>, row: &EntityRecord) -> Result<Option<Ownership>> {
    let stored: Option<OwnershipAspect> = aspect(ctx, row, "ownership").await?;
    Ok(stored.map(|o| Ownership {
        owners: Some(
            o.owners
                .into_iter()
                .filter_map(|owner| {
                    let urn = Urn::parse(&owner.owner).ok()?;
                    let who = match urn.kind() {
                        EntityKind::CorpUser => OwnerType::CorpUser(CorpUser(urn)),
                        EntityKind::CorpGroup => OwnerType::CorpGroup(CorpGroup(urn)),
                        _ => return None,
                    };
                    Some(Owner {
                        owner: who,
                        kind: owner.kind.as_deref().and_then(OwnershipType::parse),
                        ownership_type: owner
                            .type_urn
                            .as_deref()
                            .and_then(|t| urn_of(t, &EntityKind::OwnershipType))
                            .or_else(|| {
                                // DataHub reads an unknown fixed type as CUSTOM, and a missing
                                // one (which its schema does not allow) is taken as NONE here.
                                let fixed = match owner.kind.as_deref() {
                                    None => OwnershipType::None,
                                    Some(k) => {
                                        OwnershipType::parse(k).unwrap_or(OwnershipType::Custom)
                                    }
                                };
                                urn_of(
                                    &system_ownership_type(fixed.as_str()),
                                    &EntityKind::OwnershipType,
                                )
                            })
                            .map(OwnershipTypeEntity),
                        associated_urn: row.urn.clone(),
                    })
                })
                .collect(),
        ),
        last_modified: o.last_modified.as_ref().map_or(
            AuditStamp {
                time: Long(0),
                actor: Some("urn:li:corpuser:unknown".into()),
            },
            Into::into,
        ),
    }))
}

/// Glossary terms attached to an entity.
#[derive(SimpleObject)]
pub struct GlossaryTerms {
    /// The terms, in the order they were attached.
    pub terms: Option<Vec<GlossaryTermAssociation>>,
}

/// A glossary term attached to an entity.
#[derive(SimpleObject)]
pub struct GlossaryTermAssociation {
    /// The term.
    pub term: GlossaryTerm,
    /// The URN of the entity the term is attached to.
    pub associated_urn: String,
    /// Free-form context of the attachment, as written.
    pub context: Option<String>,
}

/// `glossaryTerms`: the entity's `glossaryTerms` aspect.
pub async fn glossary_terms(
    ctx: &Context<'_>,
    row: &EntityRecord,
) -> Result<Option<GlossaryTerms>> {
    let stored: Option<GlossaryTermsAspect> = aspect(ctx, row, "glossaryTerms").await?;
    Ok(stored.map(|g| g.answer(&row.urn)))
}

impl GlossaryTermsAspect {
    /// Adds the terms of `other` this one lacks (a column's edited and ingested terms).
    pub(crate) fn merge(&mut self, other: GlossaryTermsAspect) {
        for t in other.terms {
            if !self.terms.iter().any(|have| have.urn == t.urn) {
                self.terms.push(t);
            }
        }
    }

    /// The terms as GraphQL answers them, attached to `associated`.
    pub(crate) fn answer(self, associated: &str) -> GlossaryTerms {
        GlossaryTerms {
            terms: Some(
                self.terms
                    .into_iter()
                    .filter_map(|t| {
                        Some(GlossaryTermAssociation {
                            term: GlossaryTerm(urn_of(&t.urn, &EntityKind::GlossaryTerm)?),
                            associated_urn: associated.to_string(),
                            context: t.context,
                        })
                    })
                    .collect(),
            ),
        }
    }
}

/// The domain an entity belongs to.
#[derive(SimpleObject)]
pub struct DomainAssociation {
    /// The domain.
    pub domain: Domain,
    /// The URN of the entity in the domain.
    pub associated_urn: String,
}

/// `domain`: the first domain of the entity's `domains` aspect (DataHub keeps one).
pub async fn domain(ctx: &Context<'_>, row: &EntityRecord) -> Result<Option<DomainAssociation>> {
    let stored: Option<DomainsAspect> = aspect(ctx, row, "domains").await?;
    Ok(stored
        .and_then(|d| {
            d.domains
                .iter()
                .find_map(|u| urn_of(u, &EntityKind::Domain))
        })
        .map(|urn| DomainAssociation {
            domain: Domain(urn),
            associated_urn: row.urn.clone(),
        }))
}

/// Whether an entity is deprecated, and why.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct Deprecation {
    /// Whether the entity is deprecated.
    pub deprecated: bool,
    /// When the entity is to be decommissioned, in milliseconds since the epoch.
    pub decommission_time: Option<Long>,
    /// What users should know: why, and what to use instead.
    pub note: Option<String>,
    /// The URN of who deprecated it.
    pub actor: Option<String>,
    #[graphql(skip)]
    pub replacement_urn: Option<Urn>,
}

#[ComplexObject]
impl Deprecation {
    /// Who deprecated it: the user (or group) its `actor` names; null when it names none.
    async fn actor_entity(&self) -> Option<Entity> {
        let urn = Urn::parse(self.actor.as_deref()?).ok()?;
        Entity::named(urn)
    }
    /// The entity to use instead, when one was named; null when it names none, or one of a
    /// type this schema does not expose.
    async fn replacement(&self, ctx: &Context<'_>) -> Result<Option<Entity>> {
        let Some(urn) = &self.replacement_urn else {
            return Ok(None);
        };
        if let Some(e) = Entity::named(urn.clone()) {
            return Ok(Some(e));
        }
        Ok(loaders::entity(ctx, urn).await?.and_then(Entity::from_row))
    }
}

/// `deprecation`: the entity's `deprecation` aspect.
pub async fn deprecation(ctx: &Context<'_>, row: &EntityRecord) -> Result<Option<Deprecation>> {
    let stored: Option<DeprecationAspect> = aspect(ctx, row, "deprecation").await?;
    Ok(stored.map(|d| Deprecation {
        deprecated: d.deprecated,
        decommission_time: d.decommission_time.map(Long),
        note: d.note,
        actor: d.actor,
        replacement_urn: d.replacement.as_deref().and_then(|r| Urn::parse(r).ok()),
    }))
}

/// Links about an entity: documents, dashboards, runbooks.
#[derive(SimpleObject)]
pub struct InstitutionalMemory {
    /// The links, in the order they were added.
    pub elements: Vec<InstitutionalMemoryMetadata>,
}

/// One link about an entity.
#[derive(SimpleObject)]
pub struct InstitutionalMemoryMetadata {
    /// The link.
    pub url: String,
    /// What the link is, as written with it.
    pub label: String,
    /// What the link is.
    #[graphql(deprecation = "Use `label`")]
    pub description: String,
    /// Who added the link: the user of its creation stamp (`urn:li:corpuser:unknown` when the
    /// stamp names none, or names a group).
    #[graphql(deprecation = "Use `actor`")]
    pub author: CorpUser,
    /// Who added the link: the user or group of its creation stamp (`urn:li:corpuser:unknown`
    /// when the stamp names none).
    pub actor: ResolvedActor,
    /// When and by whom the link was added; DataHub's default (time 0, actor
    /// `urn:li:corpuser:unknown`) when the aspect does not say.
    pub created: AuditStamp,
    /// When and by whom the link was last changed; null when it never was.
    pub updated: Option<AuditStamp>,
    /// The URN of the entity the link is about.
    pub associated_urn: String,
}

/// A user or a group that did something.
#[derive(Union)]
pub enum ResolvedActor {
    /// A user.
    CorpUser(CorpUser),
    /// A group of users.
    CorpGroup(CorpGroup),
}

/// DataHub's stand-in for an actor a stamp does not name.
fn unknown_user() -> Urn {
    // A fixed URN that parses; the fallback is never taken.
    Urn::parse("urn:li:corpuser:unknown").unwrap_or_else(|_| unreachable!())
}

fn unknown_stamp() -> AuditStamp {
    AuditStamp {
        time: Long(0),
        actor: Some("urn:li:corpuser:unknown".into()),
    }
}

/// `institutionalMemory`: the entity's `institutionalMemory` aspect.
pub async fn institutional_memory(
    ctx: &Context<'_>,
    row: &EntityRecord,
) -> Result<Option<InstitutionalMemory>> {
    let stored: Option<InstitutionalMemoryAspect> = aspect(ctx, row, "institutionalMemory").await?;
    Ok(stored.map(|m| InstitutionalMemory {
        elements: m
            .elements
            .into_iter()
            .map(|e| {
                let label = e.description.unwrap_or_default();
                let created_by = e
                    .create_stamp
                    .as_ref()
                    .and_then(|s| s.actor.as_deref())
                    .and_then(|a| Urn::parse(a).ok());
                InstitutionalMemoryMetadata {
                    url: e.url,
                    description: label.clone(),
                    label,
                    author: CorpUser(
                        created_by
                            .clone()
                            .filter(|u| *u.kind() == EntityKind::CorpUser)
                            .unwrap_or_else(unknown_user),
                    ),
                    actor: match created_by {
                        Some(u) if *u.kind() == EntityKind::CorpGroup => {
                            ResolvedActor::CorpGroup(CorpGroup(u))
                        }
                        Some(u) if *u.kind() == EntityKind::CorpUser => {
                            ResolvedActor::CorpUser(CorpUser(u))
                        }
                        _ => ResolvedActor::CorpUser(CorpUser(unknown_user())),
                    },
                    created: e
                        .create_stamp
                        .as_ref()
                        .map_or_else(unknown_stamp, Into::into),
                    updated: e.update_stamp.as_ref().map(Into::into),
                    associated_urn: row.urn.clone(),
                }
            })
            .collect(),
    }))
}

/// The sub-types of an entity, such as `LLM` for a model.
#[derive(SimpleObject)]
pub struct SubTypes {
    /// The sub-type names, most specific last.
    pub type_names: Option<Vec<String>>,
}

/// `subTypes`: the entity's `subTypes` aspect.
pub async fn sub_types(ctx: &Context<'_>, row: &EntityRecord) -> Result<Option<SubTypes>> {
    let stored: Option<SubTypesAspect> = aspect(ctx, row, "subTypes").await?;
    Ok(stored.map(|s| SubTypes {
        type_names: Some(s.type_names),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::aspects::OWNERSHIP_TYPES;

    #[test]
    fn the_ownership_types_are_the_ones_the_core_accepts() {
        let names: Vec<&str> = OwnershipType::items().iter().map(|i| i.name).collect();
        assert_eq!(names, OWNERSHIP_TYPES);
        for name in OWNERSHIP_TYPES {
            assert_eq!(
                OwnershipType::parse(name).map(OwnershipType::as_str),
                Some(name)
            );
        }
    }
}
