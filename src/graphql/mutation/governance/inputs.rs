//! The inputs and enums of DataHub's governance mutations, with DataHub's names: which tags,
//! owners, terms, domains, deprecation and links an edit adds or removes, and on which entities.

use async_graphql::{Enum, InputObject};

use crate::graphql::scalars::Long;
use crate::graphql::types::governance::OwnershipType;

/// The kind of entity that owns (DataHub's OwnerEntityType).
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum OwnerEntityType {
    /// A user (`urn:li:corpuser:...`).
    CorpUser,
    /// A group (`urn:li:corpGroup:...`).
    CorpGroup,
}

/// A part of an entity an edit may target (DataHub's SubResourceType): a dataset's schema
/// field, named by its field path in `subResource`. Its tags, terms and description are edited
/// in the dataset's `editableSchemaMetadata`.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum SubResourceType {
    /// A field of a dataset's schema.
    DatasetField,
}

/// One tag of one entity.
#[derive(InputObject)]
pub struct TagAssociationInput {
    /// The tag (`urn:li:tag:...`).
    pub tag_urn: String,
    /// The entity to tag.
    pub resource_urn: String,
    /// With `subResource`, the kind of part of the entity edited: DATASET_FIELD, a field of a
    /// dataset's schema (tags and glossary terms only; an entity without schema fields refuses it).
    pub sub_resource_type: Option<SubResourceType>,
    /// With `subResourceType`, the part of the entity edited: a schema field's path.
    pub sub_resource: Option<String>,
}

/// Several tags of one entity.
#[derive(InputObject)]
pub struct AddTagsInput {
    /// The tags (`urn:li:tag:...`).
    pub tag_urns: Vec<String>,
    /// The entity to tag.
    pub resource_urn: String,
    /// With `subResource`, the kind of part of the entity edited: DATASET_FIELD, a field of a
    /// dataset's schema (tags and glossary terms only; an entity without schema fields refuses it).
    pub sub_resource_type: Option<SubResourceType>,
    /// With `subResourceType`, the part of the entity edited: a schema field's path.
    pub sub_resource: Option<String>,
}

/// An entity a batch edit targets.
#[derive(InputObject)]
pub struct ResourceRefInput {
    /// The entity's URN.
    pub resource_urn: String,
    /// With `subResource`, the kind of part of the entity edited: DATASET_FIELD, a field of a
    /// dataset's schema (tags and glossary terms only; an entity without schema fields refuses it).
    pub sub_resource_type: Option<SubResourceType>,
    /// With `subResourceType`, the part of the entity edited: a schema field's path.
    pub sub_resource: Option<String>,
}

/// Tags to add to several entities.
#[derive(InputObject)]
pub struct BatchAddTagsInput {
    /// The tags (`urn:li:tag:...`).
    pub tag_urns: Vec<String>,
    /// The entities.
    pub resources: Vec<ResourceRefInput>,
}

/// Tags to remove from several entities.
#[derive(InputObject)]
pub struct BatchRemoveTagsInput {
    /// The tags (`urn:li:tag:...`).
    pub tag_urns: Vec<String>,
    /// The entities; null entries are skipped.
    pub resources: Vec<Option<ResourceRefInput>>,
}

/// An owner to add.
#[derive(InputObject)]
pub struct OwnerInput {
    /// The user or group (`urn:li:corpuser:...`, `urn:li:corpGroup:...`).
    pub owner_urn: String,
    /// Whether the owner is a user or a group; must agree with `ownerUrn`.
    pub owner_entity_type: OwnerEntityType,
    /// The kind of ownership, when no `ownershipTypeUrn` is given.
    #[graphql(name = "type")]
    pub ownership_type: Option<OwnershipType>,
    /// The ownership type entity (`urn:li:ownershipType:...`); a custom one must exist.
    pub ownership_type_urn: Option<String>,
}

/// One owner of one entity.
#[derive(InputObject)]
pub struct AddOwnerInput {
    /// The user or group (`urn:li:corpuser:...`, `urn:li:corpGroup:...`).
    pub owner_urn: String,
    /// Whether the owner is a user or a group; must agree with `ownerUrn`.
    pub owner_entity_type: OwnerEntityType,
    /// The kind of ownership, when no `ownershipTypeUrn` is given.
    #[graphql(name = "type", deprecation = "Use ownershipTypeUrn")]
    pub ownership_type: Option<OwnershipType>,
    /// The ownership type entity (`urn:li:ownershipType:...`); a custom one must exist.
    pub ownership_type_urn: Option<String>,
    /// The entity to own.
    pub resource_urn: String,
}

/// Several owners of one entity.
#[derive(InputObject)]
pub struct AddOwnersInput {
    /// The owners.
    pub owners: Vec<OwnerInput>,
    /// The entity to own.
    pub resource_urn: String,
}

/// Owners to add to several entities.
#[derive(InputObject)]
pub struct BatchAddOwnersInput {
    /// The owners.
    pub owners: Vec<OwnerInput>,
    /// The ownership type of owners that name none.
    pub ownership_type_urn: Option<String>,
    /// The entities; null entries are skipped.
    pub resources: Vec<Option<ResourceRefInput>>,
}

/// An owner to remove from one entity.
#[derive(InputObject)]
pub struct RemoveOwnerInput {
    /// The user or group.
    pub owner_urn: String,
    /// Only this kind of ownership; without it, every ownership of the owner.
    pub ownership_type_urn: Option<String>,
    /// The entity.
    pub resource_urn: String,
}

/// Owners to remove from several entities.
#[derive(InputObject)]
pub struct BatchRemoveOwnersInput {
    /// The users or groups.
    pub owner_urns: Vec<String>,
    /// Only this kind of ownership; without it, every ownership of the owners.
    pub ownership_type_urn: Option<String>,
    /// The entities; null entries are skipped.
    pub resources: Vec<Option<ResourceRefInput>>,
}

/// One glossary term of one entity.
#[derive(InputObject)]
pub struct TermAssociationInput {
    /// The term (`urn:li:glossaryTerm:...`).
    pub term_urn: String,
    /// The entity.
    pub resource_urn: String,
    /// With `subResource`, the kind of part of the entity edited: DATASET_FIELD, a field of a
    /// dataset's schema (tags and glossary terms only; an entity without schema fields refuses it).
    pub sub_resource_type: Option<SubResourceType>,
    /// With `subResourceType`, the part of the entity edited: a schema field's path.
    pub sub_resource: Option<String>,
}

/// Several glossary terms of one entity.
#[derive(InputObject)]
pub struct AddTermsInput {
    /// The terms (`urn:li:glossaryTerm:...`).
    pub term_urns: Vec<String>,
    /// The entity.
    pub resource_urn: String,
    /// With `subResource`, the kind of part of the entity edited: DATASET_FIELD, a field of a
    /// dataset's schema (tags and glossary terms only; an entity without schema fields refuses it).
    pub sub_resource_type: Option<SubResourceType>,
    /// With `subResourceType`, the part of the entity edited: a schema field's path.
    pub sub_resource: Option<String>,
}

/// Glossary terms to add to several entities.
#[derive(InputObject)]
pub struct BatchAddTermsInput {
    /// The terms (`urn:li:glossaryTerm:...`).
    pub term_urns: Vec<String>,
    /// The entities; null entries are skipped.
    pub resources: Vec<Option<ResourceRefInput>>,
}

/// Glossary terms to remove from several entities.
#[derive(InputObject)]
pub struct BatchRemoveTermsInput {
    /// The terms (`urn:li:glossaryTerm:...`).
    pub term_urns: Vec<String>,
    /// The entities; null entries are skipped.
    pub resources: Vec<Option<ResourceRefInput>>,
}

/// A domain to set on several entities.
#[derive(InputObject)]
pub struct BatchSetDomainInput {
    /// The domain (`urn:li:domain:...`); null removes the entities' domain.
    pub domain_urn: Option<String>,
    /// The entities.
    pub resources: Vec<ResourceRefInput>,
}

/// Marks one entity deprecated, or no longer deprecated.
#[derive(InputObject)]
pub struct UpdateDeprecationInput {
    /// The entity.
    pub urn: String,
    /// With `subResource`, the kind of part of the entity edited: DATASET_FIELD, a field of a
    /// dataset's schema (tags and glossary terms only; an entity without schema fields refuses it).
    pub sub_resource_type: Option<SubResourceType>,
    /// With `subResourceType`, the part of the entity edited: a schema field's path.
    pub sub_resource: Option<String>,
    /// Whether the entity is deprecated.
    pub deprecated: bool,
    /// When the entity will be decommissioned, in milliseconds since the epoch.
    pub decommission_time: Option<Long>,
    /// Why, and what to use instead.
    pub note: Option<String>,
    /// The URN of the entity that replaces it.
    pub replacement: Option<String>,
}

/// Marks several entities deprecated, or no longer deprecated.
#[derive(InputObject)]
pub struct BatchUpdateDeprecationInput {
    /// Whether the entities are deprecated.
    pub deprecated: bool,
    /// When the entities will be decommissioned, in milliseconds since the epoch.
    pub decommission_time: Option<Long>,
    /// Why, and what to use instead.
    pub note: Option<String>,
    /// The entities; null entries are skipped.
    pub resources: Vec<Option<ResourceRefInput>>,
    /// The URN of the entity that replaces them.
    pub replacement: Option<String>,
}

/// A link to add to an entity (its institutional memory).
#[derive(InputObject)]
pub struct AddLinkInput {
    /// The link's URL.
    pub link_url: String,
    /// The link's label.
    pub label: String,
    /// The entity.
    pub resource_urn: String,
}

/// A link to remove from an entity.
#[derive(InputObject)]
pub struct RemoveLinkInput {
    /// The link's URL.
    pub link_url: String,
    /// Only the link with this label; without it, every link to the URL.
    pub label: Option<String>,
    /// The entity.
    pub resource_urn: String,
}
