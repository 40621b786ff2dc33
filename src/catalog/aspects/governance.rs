//! The governance aspects in DataHub's shape: `globalTags`, `ownership`, `glossaryTerms`,
//! `domains`, `deprecation` and `institutionalMemory`. Each names the tags, owners, terms and
//! domains it refers to; the write path gives those a row (a tag that was never created is a
//! referenced entity, as a lineage end is) and an edge from the entity that names it
//! (`TaggedWith`, `OwnedBy`, `TermedWith`, `AssociatedWith`). Also here: the aspects of the
//! governance entities that name other entities: a user's groups (`groupMembership`,
//! `nativeGroupMembership`) and the parent of a term, node or domain (`glossaryTermInfo`,
//! `glossaryNodeInfo`, `domainProperties`), each an edge as DataHub names it.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{
    check_kind, check_kinds, downstream_of, AspectSpec, DeclaredEdge, Refused, Relation, TimeStamp,
};
use crate::urn::{EntityKind, Urn};

/// Entity types mlcat lets carry governance aspects: every type but a data platform (DataHub's
/// registry gives them to most entity types; mlcat stores the others' aspects as sent).
fn governed(kind: &EntityKind) -> bool {
    *kind != EntityKind::DataPlatform
}

/// Checks that each URN of a list of elements is of one of `kinds`; a wrong one is refused as
/// `{list}[i]{at}` (`tags[0].tag`), the element's field that holds it.
fn check_each<'a>(
    list: &str,
    at: &str,
    urns: impl Iterator<Item = &'a Urn>,
    kinds: &[EntityKind],
) -> Result<(), Refused> {
    for (i, urn) in urns.enumerate() {
        check_kind(|| format!("{list}[{i}]{at}"), urn, kinds)?;
    }
    Ok(())
}

/// DataHub's OwnershipType values, the deprecated ones included (stored aspects use them).
pub const OWNERSHIP_TYPES: [&str; 11] = [
    "TECHNICAL_OWNER",
    "BUSINESS_OWNER",
    "DATA_STEWARD",
    "NONE",
    "CUSTOM",
    "DATAOWNER",
    "DEVELOPER",
    "DELEGATE",
    "PRODUCER",
    "STAKEHOLDER",
    "CONSUMER",
];

/// One tag of `globalTags`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TagAssociation {
    pub tag: Urn,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `globalTags`: the tags of an entity.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GlobalTags {
    #[serde(default)]
    pub tags: Vec<TagAssociation>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl AspectSpec for GlobalTags {
    const NAME: &'static str = "globalTags";
    fn carried_by(kind: &EntityKind) -> bool {
        governed(kind)
    }
    fn check(&self, _: &Urn) -> Result<(), Refused> {
        let tags = self.tags.iter().map(|t| &t.tag);
        check_each("tags", ".tag", tags, &[EntityKind::Tag])
    }
    fn edges(&self, owner: &Urn) -> Vec<DeclaredEdge> {
        let tags: Vec<Urn> = self.tags.iter().map(|t| t.tag.clone()).collect();
        downstream_of(owner, Relation::TaggedWith, &tags)
    }
}

/// One owner of `ownership`: a user or group, with the kind of ownership.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Owner {
    pub owner: Urn,
    /// DataHub's (deprecated, still required) OwnershipType.
    #[serde(rename = "type")]
    pub ownership_type: String,
    /// The ownership type entity (`urn:li:ownershipType:...`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub type_urn: Option<Urn>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Owner {
    /// The ownership type entity this owner has: its `typeUrn`, or the system type its `type`
    /// names.
    pub fn type_urn_text(&self) -> String {
        match &self.type_urn {
            Some(u) => u.to_string(),
            None => system_ownership_type(&self.ownership_type),
        }
    }
}

/// The URN of the system ownership type named by an OwnershipType value.
pub fn system_ownership_type(name: &str) -> String {
    format!("urn:li:ownershipType:__system__{}", name.to_lowercase())
}

/// The name and a description of a system ownership type (`__system__<id>`) that DataHub
/// defines at start-up, for a catalog where nobody wrote its `ownershipTypeInfo`. The names are
/// DataHub's; the descriptions are mlcat's.
pub fn system_ownership_type_info(id: &str) -> Option<(&'static str, &'static str)> {
    Some(match id.strip_prefix("__system__")? {
        "technical_owner" => ("Technical Owner", "Builds, runs or delivers the asset."),
        "business_owner" => (
            "Business Owner",
            "Answers for what the asset is for; its main stakeholder or domain expert.",
        ),
        "data_steward" => ("Data Steward", "Looks after the governance of the asset."),
        "none" => ("None", "No kind of ownership was given."),
        _ => return None,
    })
}

/// `ownership`: the owners of an entity.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Ownership {
    #[serde(default)]
    pub owners: Vec<Owner>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_modified: Option<TimeStamp>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl AspectSpec for Ownership {
    const NAME: &'static str = "ownership";
    fn carried_by(kind: &EntityKind) -> bool {
        governed(kind)
    }
    fn check(&self, _: &Urn) -> Result<(), Refused> {
        for (i, o) in self.owners.iter().enumerate() {
            check_kind(
                || format!("owners[{i}].owner"),
                &o.owner,
                &[EntityKind::CorpUser, EntityKind::CorpGroup],
            )?;
            if !OWNERSHIP_TYPES.contains(&o.ownership_type.as_str()) {
                return Err(Refused {
                    field: format!("owners[{i}].type"),
                    reason: format!(
                        "{:?} is not one of {}",
                        o.ownership_type,
                        OWNERSHIP_TYPES.join(", ")
                    ),
                });
            }
            if let Some(t) = &o.type_urn {
                check_kind(
                    || format!("owners[{i}].typeUrn"),
                    t,
                    &[EntityKind::OwnershipType],
                )?;
            }
        }
        Ok(())
    }
    fn edges(&self, owner: &Urn) -> Vec<DeclaredEdge> {
        let owners: Vec<Urn> = self.owners.iter().map(|o| o.owner.clone()).collect();
        downstream_of(owner, Relation::OwnedBy, &owners)
    }
}

/// One term of `glossaryTerms`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GlossaryTermAssociation {
    pub urn: Urn,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `glossaryTerms`: the glossary terms of an entity.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GlossaryTerms {
    #[serde(default)]
    pub terms: Vec<GlossaryTermAssociation>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audit_stamp: Option<TimeStamp>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl AspectSpec for GlossaryTerms {
    const NAME: &'static str = "glossaryTerms";
    fn carried_by(kind: &EntityKind) -> bool {
        governed(kind)
    }
    fn check(&self, _: &Urn) -> Result<(), Refused> {
        let terms = self.terms.iter().map(|t| &t.urn);
        check_each("terms", ".urn", terms, &[EntityKind::GlossaryTerm])
    }
    fn edges(&self, owner: &Urn) -> Vec<DeclaredEdge> {
        let terms: Vec<Urn> = self.terms.iter().map(|t| t.urn.clone()).collect();
        downstream_of(owner, Relation::TermedWith, &terms)
    }
}

/// `domains`: the domain of an entity (DataHub keeps a list; its UI sets one).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Domains {
    #[serde(default)]
    pub domains: Vec<Urn>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl AspectSpec for Domains {
    const NAME: &'static str = "domains";
    fn carried_by(kind: &EntityKind) -> bool {
        governed(kind)
    }
    fn check(&self, _: &Urn) -> Result<(), Refused> {
        check_kinds("domains", &self.domains, &[EntityKind::Domain])
    }
    fn edges(&self, owner: &Urn) -> Vec<DeclaredEdge> {
        downstream_of(owner, Relation::AssociatedWith, &self.domains)
    }
}

/// `deprecation`: whether an entity is deprecated, why, by whom, and until when it is kept.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Deprecation {
    #[serde(default)]
    pub deprecated: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decommission_time: Option<i64>,
    #[serde(default)]
    pub note: String,
    #[serde(default)]
    pub actor: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replacement: Option<Urn>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl AspectSpec for Deprecation {
    const NAME: &'static str = "deprecation";
    fn carried_by(kind: &EntityKind) -> bool {
        governed(kind)
    }
}

/// One link of `institutionalMemory`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InstitutionalMemoryMetadata {
    pub url: String,
    #[serde(default)]
    pub description: String,
    pub create_stamp: TimeStamp,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `institutionalMemory`: the links of an entity (documents, dashboards, runbooks).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InstitutionalMemory {
    #[serde(default)]
    pub elements: Vec<InstitutionalMemoryMetadata>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl AspectSpec for InstitutionalMemory {
    const NAME: &'static str = "institutionalMemory";
    fn carried_by(kind: &EntityKind) -> bool {
        governed(kind)
    }
}

/// `groupMembership`: the groups a user is in.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GroupMembership {
    #[serde(default)]
    pub groups: Vec<Urn>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl AspectSpec for GroupMembership {
    const NAME: &'static str = "groupMembership";
    fn carried_by(kind: &EntityKind) -> bool {
        *kind == EntityKind::CorpUser
    }
    fn check(&self, _: &Urn) -> Result<(), Refused> {
        check_kinds("groups", &self.groups, &[EntityKind::CorpGroup])
    }
    fn edges(&self, owner: &Urn) -> Vec<DeclaredEdge> {
        downstream_of(owner, Relation::IsMemberOfGroup, &self.groups)
    }
}

/// `nativeGroupMembership`: the groups made in the catalog itself that a user is in.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NativeGroupMembership {
    #[serde(default)]
    pub native_groups: Vec<Urn>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl AspectSpec for NativeGroupMembership {
    const NAME: &'static str = "nativeGroupMembership";
    fn carried_by(kind: &EntityKind) -> bool {
        *kind == EntityKind::CorpUser
    }
    fn check(&self, _: &Urn) -> Result<(), Refused> {
        check_kinds(
            "nativeGroups",
            &self.native_groups,
            &[EntityKind::CorpGroup],
        )
    }
    fn edges(&self, owner: &Urn) -> Vec<DeclaredEdge> {
        downstream_of(owner, Relation::IsMemberOfNativeGroup, &self.native_groups)
    }
}

/// Refuses a parent (the end of an `IsPartOf` edge) of the wrong type at `field`.
fn part_of(field: &str, parent: &Option<Urn>, kind: EntityKind) -> Result<(), Refused> {
    match parent {
        Some(p) => check_kind(|| field.to_string(), p, &[kind]),
        None => Ok(()),
    }
}

/// An aspect the catalog reads only for the entity above its owner (an `IsPartOf` edge): the
/// parent field is checked to name the parent's type; the other fields are stored as sent.
macro_rules! part_of_aspect {
    ($(#[$doc:meta])* $name:ident, $aspect:literal, $owner:ident, $field:ident, $json:literal, $parent:ident) => {
        $(#[$doc])*
        #[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
        #[serde(rename_all = "camelCase")]
        pub struct $name {
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub $field: Option<Urn>,
            #[serde(flatten)]
            pub extra: Map<String, Value>,
        }

        impl AspectSpec for $name {
            const NAME: &'static str = $aspect;
            fn carried_by(kind: &EntityKind) -> bool {
                *kind == EntityKind::$owner
            }
            fn check(&self, _: &Urn) -> Result<(), Refused> {
                part_of($json, &self.$field, EntityKind::$parent)
            }
            fn edges(&self, owner: &Urn) -> Vec<DeclaredEdge> {
                downstream_of(owner, Relation::IsPartOf, self.$field.as_slice())
            }
        }
    };
}

part_of_aspect!(
    /// `glossaryTermInfo`, as far as the catalog reads it: the node the term is in.
    GlossaryTermInfo, "glossaryTermInfo", GlossaryTerm, parent_node, "parentNode", GlossaryNode
);
part_of_aspect!(
    /// `glossaryNodeInfo`, as far as the catalog reads it: the node above this one.
    GlossaryNodeInfo, "glossaryNodeInfo", GlossaryNode, parent_node, "parentNode", GlossaryNode
);
part_of_aspect!(
    /// `domainProperties`, as far as the catalog reads it: the domain above this one.
    DomainProperties, "domainProperties", Domain, parent_domain, "parentDomain", Domain
);
