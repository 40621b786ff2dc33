//! DataHub's governance mutations: tags, owners, glossary terms, domains, deprecation and
//! links, with DataHub's names, inputs and `Boolean` answers. Each validates its whole input
//! first (a wrong URN answers BAD_USER_INPUT naming the field, writing nothing), then makes all
//! its edits in one transaction through the catalog's write path, as element patches
//! (`catalog::governance_edit`): concurrent edits keep each other, and an edit that changes
//! nothing makes no version.

use async_graphql::{Context, Object, Result};

use super::{loaders, writer};
use crate::catalog::aspects::{system_ownership_type, OWNERSHIP_TYPES};
use crate::catalog::{
    field_governance_edit, governance_edit, AspectWrite, Catalog, Deadline, Error, GovernanceEdit,
    NewOwner, GOVERNED_KINDS,
};
use crate::graphql::scalars::Long;
use crate::graphql::types::governance::OwnershipType;
use crate::urn::Urn;

mod create;
mod inputs;

pub use create::CreateMutation;
pub(crate) use inputs::SubResourceType;

use inputs::*;

/// DataHub's governance mutations, merged into the mutation root.
#[derive(Default)]
pub struct GovernanceMutation;

/// Parses `text` at `field` as a URN of one of the entity types `types`.
fn urn_of(field: &str, text: &str, types: &[&str]) -> Result<Urn, Error> {
    let urn = Urn::parse(text).map_err(|e| Error::bad_input(format!("{field}: {e}")))?;
    if !types.contains(&urn.kind().as_str()) {
        return Err(Error::bad_input(format!(
            "{field}: expected a {} URN, got a {} URN ({text})",
            types.join(" or "),
            urn.kind()
        )));
    }
    Ok(urn)
}

fn urns_of(field: &str, texts: &[String], types: &[&str]) -> Result<Vec<Urn>, Error> {
    texts
        .iter()
        .enumerate()
        .map(|(i, t)| urn_of(&format!("{field}[{i}]"), t, types))
        .collect()
}

/// What an edit targets: an entity, or with `field` one of its parts (a dataset's schema field,
/// by path).
struct Target {
    urn: Urn,
    field: Option<String>,
}

/// The entity (or part of one) an edit targets: a URN of a type whose governance mlcat edits;
/// with a sub-resource, a dataset's schema field (checked when the edit is made).
fn resource(
    field: &str,
    text: &str,
    sub_type: Option<SubResourceType>,
    sub: &Option<String>,
) -> Result<Target, Error> {
    let urn = Urn::parse(text).map_err(|e| Error::bad_input(format!("{field}: {e}")))?;
    if !GOVERNED_KINDS.contains(urn.kind()) {
        let kinds: Vec<&str> = GOVERNED_KINDS.iter().map(|k| k.as_str()).collect();
        return Err(Error::bad_input(format!(
            "{field}: a {} entity cannot carry tags, owners, terms, domains, deprecation or links here; expected a {} URN ({text})",
            urn.kind(),
            kinds.join(", ")
        )));
    }
    let field = match (sub_type, sub) {
        (None, None) => None,
        (Some(SubResourceType::DatasetField), Some(path)) => Some(path.clone()),
        (Some(_), None) => {
            return Err(Error::bad_input(
                "subResource: a subResourceType needs the subResource (a schema field's path)",
            ))
        }
        (None, Some(_)) => {
            return Err(Error::bad_input(
                "subResourceType: a subResource needs its subResourceType (DATASET_FIELD)",
            ))
        }
    };
    Ok(Target { urn, field })
}

/// The URNs of the elements an edit adds or removes, as the mutation names them: one
/// (`tagUrn`, errors name the field) or a list (`tagUrns`, errors name `tagUrns[i]`).
enum Elements<'a> {
    One(&'static str, &'a str),
    Many(&'static str, &'a [String]),
}

impl Elements<'_> {
    fn parse(self, types: &[&str]) -> Result<Vec<Urn>, Error> {
        match self {
            Elements::One(field, text) => Ok(vec![urn_of(field, text, types)?]),
            Elements::Many(field, texts) => urns_of(field, texts, types),
        }
    }
}

/// The entities an edit targets: the one a single form names (under its argument name,
/// `resourceUrn`, `entityUrn` or `urn`), or a batch's resources, null entries skipped.
enum Targets<'a> {
    One(
        &'static str,
        &'a str,
        Option<SubResourceType>,
        &'a Option<String>,
    ),
    Batch(Vec<Option<&'a ResourceRefInput>>),
}

impl<'a> Targets<'a> {
    /// The one entity named by `field`, a form without sub-resource arguments.
    fn entity(field: &'static str, text: &'a str) -> Self {
        Targets::One(field, text, None, &None)
    }

    fn parse(self) -> Result<Vec<Target>, Error> {
        match self {
            Targets::One(field, text, sub_type, sub) => {
                Ok(vec![resource(field, text, sub_type, sub)?])
            }
            Targets::Batch(refs) => refs
                .into_iter()
                .enumerate()
                .filter_map(|(i, r)| r.map(|r| (i, r)))
                .map(|(i, r)| {
                    resource(
                        &format!("resources[{i}].resourceUrn"),
                        &r.resource_urn,
                        r.sub_resource_type,
                        &r.sub_resource,
                    )
                })
                .collect(),
        }
    }
}

/// The single-entity inputs that name their entity as `resourceUrn`, with sub-resource
/// arguments.
macro_rules! resource_target {
    ($($input:ty),*) => {$(
        impl $input {
            fn target(&self) -> Targets<'_> {
                let (urn, sub) = (&self.resource_urn, &self.sub_resource);
                Targets::One("resourceUrn", urn, self.sub_resource_type, sub)
            }
        }
    )*};
}

resource_target!(
    TagAssociationInput,
    AddTagsInput,
    TermAssociationInput,
    AddTermsInput
);

/// A batch's resources where none may be null.
fn batch(refs: &[ResourceRefInput]) -> Targets<'_> {
    Targets::Batch(refs.iter().map(Some).collect())
}

/// A batch's resources, null entries skipped.
fn batch_opt(refs: &[Option<ResourceRefInput>]) -> Targets<'_> {
    Targets::Batch(refs.iter().map(Option::as_ref).collect())
}

/// The one path of the tag and term mutations, single, plural and batch: the elements are
/// checked first, then the entities, then every entity gets the edit.
async fn edit_elements(
    ctx: &Context<'_>,
    elements: Elements<'_>,
    types: &[&str],
    targets: Targets<'_>,
    edit: fn(Vec<Urn>) -> GovernanceEdit,
) -> Result<Option<bool>> {
    let elements = elements.parse(types)?;
    apply(ctx, targets.parse()?, edit(elements)).await
}

/// The one path of the owner removals, single and batch.
async fn remove_owners(
    ctx: &Context<'_>,
    owners: Elements<'_>,
    type_urn: Option<&str>,
    targets: Targets<'_>,
) -> Result<Option<bool>> {
    let owners = owners.parse(&OWNER_TYPES)?;
    let type_urn = removal_type(ctx, type_urn).await?;
    let edit = GovernanceEdit::RemoveOwners { owners, type_urn };
    apply(ctx, targets.parse()?, edit).await
}

/// Applies one edit to each resource (or schema field), all in one transaction.
async fn apply(
    ctx: &Context<'_>,
    resources: Vec<Target>,
    edit: GovernanceEdit,
) -> Result<Option<bool>> {
    let actor = writer(ctx)?;
    let writes: Vec<AspectWrite> = resources
        .into_iter()
        .map(|r| match r.field {
            None => Ok(governance_edit(r.urn, edit.clone(), &actor.name)),
            Some(path) => field_governance_edit(r.urn, path, edit.clone(), &actor.name),
        })
        .collect::<Result<_, Error>>()?;
    if writes.is_empty() {
        return Ok(Some(true));
    }
    ctx.data_unchecked::<Catalog>()
        .write_within(&actor, writes, ctx.data_opt::<Deadline>())
        .await?;
    Ok(Some(true))
}

/// The ownership type (DataHub's `type` and its `typeUrn`) of an owner: its own
/// `ownershipTypeUrn`, else its `type`, else the batch's `ownershipTypeUrn`, else NONE.
/// `prefix` is where the owner's fields sit in the input (`owners[0].`, or nothing).
async fn ownership_type(
    ctx: &Context<'_>,
    prefix: &str,
    own_urn: Option<&str>,
    own_type: Option<OwnershipType>,
    batch_urn: Option<&str>,
) -> Result<(String, Urn)> {
    let (field, text) = match (own_urn, own_type, batch_urn) {
        (Some(u), _, _) => (format!("{prefix}ownershipTypeUrn"), u.to_string()),
        (None, Some(t), _) => return Ok((t.as_str().to_string(), system_urn(t.as_str())?)),
        (None, None, Some(u)) => ("ownershipTypeUrn".to_string(), u.to_string()),
        (None, None, None) => return Ok(("NONE".to_string(), system_urn("NONE")?)),
    };
    type_from_urn(ctx, &field, &text).await
}

fn system_urn(name: &str) -> Result<Urn, Error> {
    // The names come from OwnershipType, so the URN always parses; a failure is a bug.
    Urn::parse(&system_ownership_type(name)).map_err(|e| Error::Internal(anyhow::anyhow!(e)))
}

/// The OwnershipType and URN of an ownership type URN: a system type (`__system__<name>`)
/// must be one DataHub defines; a custom one must exist.
async fn type_from_urn(ctx: &Context<'_>, field: &str, text: &str) -> Result<(String, Urn)> {
    let urn = urn_of(field, text, &["ownershipType"])?;
    if let Some(system) = urn.name().strip_prefix("__system__") {
        let name = system.to_uppercase();
        if !OWNERSHIP_TYPES.contains(&name.as_str()) || name == "CUSTOM" {
            return Err(
                Error::bad_input(format!("{field}: {text} is not a known ownership type")).into(),
            );
        }
        return Ok((name, urn));
    }
    if loaders::entity(ctx, &urn).await?.is_none() {
        return Err(Error::bad_input(format!(
            "{field}: {text} is not a known ownership type (no such entity)"
        ))
        .into());
    }
    Ok(("CUSTOM".to_string(), urn))
}

/// The owner URN of an owner input, checked against its declared entity type.
fn owner_urn(field: &str, text: &str, kind: OwnerEntityType) -> Result<Urn, Error> {
    let expected = match kind {
        OwnerEntityType::CorpUser => "corpuser",
        OwnerEntityType::CorpGroup => "corpGroup",
    };
    urn_of(field, text, &[expected])
}

/// One owner to add, its fields under `prefix` (`owners[0].`, or nothing for `addOwner`).
async fn new_owner(
    ctx: &Context<'_>,
    prefix: &str,
    owner: (&str, OwnerEntityType),
    own_type: (Option<&str>, Option<OwnershipType>),
    batch_type: Option<&str>,
) -> Result<NewOwner> {
    let owner = owner_urn(&format!("{prefix}ownerUrn"), owner.0, owner.1)?;
    let (ownership_type, type_urn) =
        ownership_type(ctx, prefix, own_type.0, own_type.1, batch_type).await?;
    Ok(NewOwner {
        owner,
        ownership_type,
        type_urn,
    })
}

async fn new_owners(
    ctx: &Context<'_>,
    owners: &[OwnerInput],
    batch_type: Option<&str>,
) -> Result<Vec<NewOwner>> {
    let mut out = Vec::with_capacity(owners.len());
    for (i, o) in owners.iter().enumerate() {
        let owner = (o.owner_urn.as_str(), o.owner_entity_type);
        let own_type = (o.ownership_type_urn.as_deref(), o.ownership_type);
        out.push(new_owner(ctx, &format!("owners[{i}]."), owner, own_type, batch_type).await?);
    }
    Ok(out)
}

/// An optional ownership type URN to remove by.
async fn removal_type(ctx: &Context<'_>, text: Option<&str>) -> Result<Option<Urn>> {
    match text {
        None => Ok(None),
        Some(t) => Ok(Some(type_from_urn(ctx, "ownershipTypeUrn", t).await?.1)),
    }
}

const OWNER_TYPES: [&str; 2] = ["corpuser", "corpGroup"];
const TAG: &[&str] = &["tag"];
const TERM: &[&str] = &["glossaryTerm"];

fn deprecation(
    deprecated: bool,
    note: Option<String>,
    decommission_time: Option<Long>,
    replacement: Option<String>,
) -> Result<GovernanceEdit, Error> {
    let replacement = replacement
        .map(|r| Urn::parse(&r).map_err(|e| Error::bad_input(format!("replacement: {e}"))))
        .transpose()?;
    Ok(GovernanceEdit::Deprecate {
        deprecated,
        note,
        decommission_time: decommission_time.map(|t| t.0),
        replacement,
    })
}

fn link_url(text: &str) -> Result<String, Error> {
    if text.trim().is_empty() || text.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err(Error::bad_input(
            "linkUrl: a link needs a URL without spaces or control characters",
        ));
    }
    Ok(text.to_string())
}

/// DataHub's governance mutations. Each answers true once its edits are committed; a resource
/// that does not exist answers NOT_FOUND and nothing is written. A tag, term, domain or owner
/// that was never created is fine: it becomes a referenced entity.
#[Object]
impl GovernanceMutation {
    /// Adds a tag to an entity.
    async fn add_tag(&self, ctx: &Context<'_>, input: TagAssociationInput) -> Result<Option<bool>> {
        let tag = Elements::One("tagUrn", &input.tag_urn);
        edit_elements(ctx, tag, TAG, input.target(), GovernanceEdit::AddTags).await
    }

    /// Adds tags to an entity.
    async fn add_tags(&self, ctx: &Context<'_>, input: AddTagsInput) -> Result<Option<bool>> {
        let tags = Elements::Many("tagUrns", &input.tag_urns);
        edit_elements(ctx, tags, TAG, input.target(), GovernanceEdit::AddTags).await
    }

    /// Adds tags to several entities, in one transaction.
    async fn batch_add_tags(
        &self,
        ctx: &Context<'_>,
        input: BatchAddTagsInput,
    ) -> Result<Option<bool>> {
        let tags = Elements::Many("tagUrns", &input.tag_urns);
        let rs = batch(&input.resources);
        edit_elements(ctx, tags, TAG, rs, GovernanceEdit::AddTags).await
    }

    /// Removes a tag from an entity.
    async fn remove_tag(
        &self,
        ctx: &Context<'_>,
        input: TagAssociationInput,
    ) -> Result<Option<bool>> {
        let tag = Elements::One("tagUrn", &input.tag_urn);
        edit_elements(ctx, tag, TAG, input.target(), GovernanceEdit::RemoveTags).await
    }

    /// Removes tags from several entities, in one transaction.
    async fn batch_remove_tags(
        &self,
        ctx: &Context<'_>,
        input: BatchRemoveTagsInput,
    ) -> Result<Option<bool>> {
        let tags = Elements::Many("tagUrns", &input.tag_urns);
        let rs = batch_opt(&input.resources);
        edit_elements(ctx, tags, TAG, rs, GovernanceEdit::RemoveTags).await
    }

    /// Adds an owner to an entity. Without `ownershipTypeUrn` or `type`, the ownership type is
    /// NONE.
    async fn add_owner(&self, ctx: &Context<'_>, input: AddOwnerInput) -> Result<Option<bool>> {
        let owner = (input.owner_urn.as_str(), input.owner_entity_type);
        let own_type = (input.ownership_type_urn.as_deref(), input.ownership_type);
        let owner = new_owner(ctx, "", owner, own_type, None).await?;
        let r = Targets::entity("resourceUrn", &input.resource_urn);
        apply(ctx, r.parse()?, GovernanceEdit::AddOwners(vec![owner])).await
    }

    /// Adds owners to an entity.
    async fn add_owners(&self, ctx: &Context<'_>, input: AddOwnersInput) -> Result<Option<bool>> {
        let owners = new_owners(ctx, &input.owners, None).await?;
        let r = Targets::entity("resourceUrn", &input.resource_urn);
        apply(ctx, r.parse()?, GovernanceEdit::AddOwners(owners)).await
    }

    /// Adds owners to several entities, in one transaction.
    async fn batch_add_owners(
        &self,
        ctx: &Context<'_>,
        input: BatchAddOwnersInput,
    ) -> Result<Option<bool>> {
        let owners = new_owners(ctx, &input.owners, input.ownership_type_urn.as_deref()).await?;
        let rs = batch_opt(&input.resources);
        apply(ctx, rs.parse()?, GovernanceEdit::AddOwners(owners)).await
    }

    /// Removes an owner from an entity (only its ownership of `ownershipTypeUrn`, if given).
    async fn remove_owner(
        &self,
        ctx: &Context<'_>,
        input: RemoveOwnerInput,
    ) -> Result<Option<bool>> {
        let owner = Elements::One("ownerUrn", &input.owner_urn);
        let type_urn = input.ownership_type_urn.as_deref();
        let r = Targets::entity("resourceUrn", &input.resource_urn);
        remove_owners(ctx, owner, type_urn, r).await
    }

    /// Removes owners from several entities, in one transaction.
    async fn batch_remove_owners(
        &self,
        ctx: &Context<'_>,
        input: BatchRemoveOwnersInput,
    ) -> Result<Option<bool>> {
        let owners = Elements::Many("ownerUrns", &input.owner_urns);
        let type_urn = input.ownership_type_urn.as_deref();
        remove_owners(ctx, owners, type_urn, batch_opt(&input.resources)).await
    }

    /// Adds a glossary term to an entity.
    async fn add_term(
        &self,
        ctx: &Context<'_>,
        input: TermAssociationInput,
    ) -> Result<Option<bool>> {
        let term = Elements::One("termUrn", &input.term_urn);
        edit_elements(ctx, term, TERM, input.target(), GovernanceEdit::AddTerms).await
    }

    /// Adds glossary terms to an entity.
    async fn add_terms(&self, ctx: &Context<'_>, input: AddTermsInput) -> Result<Option<bool>> {
        let terms = Elements::Many("termUrns", &input.term_urns);
        edit_elements(ctx, terms, TERM, input.target(), GovernanceEdit::AddTerms).await
    }

    /// Adds glossary terms to several entities, in one transaction.
    async fn batch_add_terms(
        &self,
        ctx: &Context<'_>,
        input: BatchAddTermsInput,
    ) -> Result<Option<bool>> {
        let terms = Elements::Many("termUrns", &input.term_urns);
        let rs = batch_opt(&input.resources);
        edit_elements(ctx, terms, TERM, rs, GovernanceEdit::AddTerms).await
    }

    /// Removes a glossary term from an entity.
    async fn remove_term(
        &self,
        ctx: &Context<'_>,
        input: TermAssociationInput,
    ) -> Result<Option<bool>> {
        let term = Elements::One("termUrn", &input.term_urn);
        edit_elements(ctx, term, TERM, input.target(), GovernanceEdit::RemoveTerms).await
    }

    /// Removes glossary terms from several entities, in one transaction.
    async fn batch_remove_terms(
        &self,
        ctx: &Context<'_>,
        input: BatchRemoveTermsInput,
    ) -> Result<Option<bool>> {
        let terms = Elements::Many("termUrns", &input.term_urns);
        let rs = batch_opt(&input.resources);
        edit_elements(ctx, terms, TERM, rs, GovernanceEdit::RemoveTerms).await
    }

    /// Sets the domain of an entity, replacing the one it had.
    async fn set_domain(
        &self,
        ctx: &Context<'_>,
        entity_urn: String,
        domain_urn: String,
    ) -> Result<Option<bool>> {
        let domain = urn_of("domainUrn", &domain_urn, &["domain"])?;
        let r = Targets::entity("entityUrn", &entity_urn);
        apply(ctx, r.parse()?, GovernanceEdit::SetDomain(Some(domain))).await
    }

    /// Removes the domain of an entity.
    async fn unset_domain(&self, ctx: &Context<'_>, entity_urn: String) -> Result<Option<bool>> {
        let r = Targets::entity("entityUrn", &entity_urn);
        apply(ctx, r.parse()?, GovernanceEdit::SetDomain(None)).await
    }

    /// Sets (or with a null `domainUrn` removes) the domain of several entities, in one
    /// transaction.
    async fn batch_set_domain(
        &self,
        ctx: &Context<'_>,
        input: BatchSetDomainInput,
    ) -> Result<Option<bool>> {
        let domain = input
            .domain_urn
            .as_deref()
            .map(|d| urn_of("domainUrn", d, &["domain"]))
            .transpose()?;
        apply(
            ctx,
            batch(&input.resources).parse()?,
            GovernanceEdit::SetDomain(domain),
        )
        .await
    }

    /// Marks an entity deprecated (with a note, a decommission time and a replacement), or no
    /// longer deprecated.
    async fn update_deprecation(
        &self,
        ctx: &Context<'_>,
        input: UpdateDeprecationInput,
    ) -> Result<Option<bool>> {
        let r = Targets::One(
            "urn",
            &input.urn,
            input.sub_resource_type,
            &input.sub_resource,
        );
        let rs = r.parse()?;
        let edit = deprecation(
            input.deprecated,
            input.note,
            input.decommission_time,
            input.replacement,
        )?;
        apply(ctx, rs, edit).await
    }

    /// Marks several entities deprecated, or no longer deprecated, in one transaction.
    async fn batch_update_deprecation(
        &self,
        ctx: &Context<'_>,
        input: BatchUpdateDeprecationInput,
    ) -> Result<Option<bool>> {
        let rs = batch_opt(&input.resources).parse()?;
        let edit = deprecation(
            input.deprecated,
            input.note,
            input.decommission_time,
            input.replacement,
        )?;
        apply(ctx, rs, edit).await
    }

    /// Adds a link to an entity (its institutional memory). A link with the same URL and label
    /// that is there already is not added again.
    async fn add_link(&self, ctx: &Context<'_>, input: AddLinkInput) -> Result<Option<bool>> {
        let url = link_url(&input.link_url)?;
        let r = Targets::entity("resourceUrn", &input.resource_urn).parse()?;
        apply(
            ctx,
            r,
            GovernanceEdit::AddLink {
                url,
                label: input.label,
            },
        )
        .await
    }

    /// Removes the links to a URL from an entity (only the one with `label`, if given).
    async fn remove_link(&self, ctx: &Context<'_>, input: RemoveLinkInput) -> Result<Option<bool>> {
        let url = link_url(&input.link_url)?;
        let r = Targets::entity("resourceUrn", &input.resource_urn).parse()?;
        apply(
            ctx,
            r,
            GovernanceEdit::RemoveLink {
                url,
                label: input.label,
            },
        )
        .await
    }
}
