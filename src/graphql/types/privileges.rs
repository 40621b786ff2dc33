//! `privileges`: what the caller may do to an entity, as DataHub's UI asks before it shows an
//! edit button. mlcat's only grant is the access token's scope, for every entity alike: a
//! write token may run every edit mlcat has; a read token none. What mlcat cannot do at all
//! (lineage edits through `updateLineage`, assertions, incidents, queries, data products,
//! structured properties, embeds, schema fields, dataset usage and profiles) is false for all.

use async_graphql::{Context, SimpleObject};

use crate::auth::{Access, Scope};

/// What the caller may do to an entity. mlcat grants by token scope only (see each field).
#[derive(SimpleObject)]
#[graphql(name = "EntityPrivileges")]
pub struct EntityPrivileges {
    /// False: mlcat has no `updateLineage`; lineage is written with the entity's aspects.
    pub can_edit_lineage: bool,
    /// With a write token: `setDomain`, `unsetDomain`, `batchSetDomain`.
    pub can_edit_domains: bool,
    /// False: mlcat has no data products.
    pub can_edit_data_products: bool,
    /// With a write token: `addTag`, `removeTag` and their batch forms.
    pub can_edit_tags: bool,
    /// With a write token: `addTerm`, `removeTerm` and their batch forms.
    pub can_edit_glossary_terms: bool,
    /// With a write token: `updateDescription`.
    pub can_edit_description: bool,
    /// With a write token: `addLink`, `removeLink`.
    pub can_edit_links: bool,
    /// With a write token: `addOwner`, `removeOwner` and their batch forms.
    pub can_edit_owners: bool,
    /// False: mlcat has no assertions.
    pub can_edit_assertions: bool,
    /// False: mlcat has no incidents.
    pub can_edit_incidents: bool,
    /// With a write token: `updateDeprecation`, `batchUpdateDeprecation`.
    pub can_edit_deprecation: bool,
    /// False: mlcat's ML entities have no schema fields.
    pub can_edit_schema_field_tags: bool,
    /// False: mlcat's ML entities have no schema fields.
    pub can_edit_schema_field_glossary_terms: bool,
    /// False: mlcat's ML entities have no schema fields.
    pub can_edit_schema_field_description: bool,
    /// False: mlcat has no queries.
    pub can_edit_queries: bool,
    /// False: mlcat has no embeds.
    pub can_edit_embed: bool,
    /// With a write token: soft-deleting and restoring (`batchUpdateSoftDeleted`).
    pub can_manage_entity: bool,
    /// False: mlcat has no children to manage (glossary and domain trees are edited by their
    /// own aspects).
    pub can_manage_children: bool,
    /// False: mlcat has no structured properties to edit.
    pub can_edit_properties: bool,
    /// False: mlcat keeps no dataset usage.
    pub can_view_dataset_usage: bool,
    /// True: anyone may read a dataset's profiles (`datasetProfiles`).
    pub can_view_dataset_profile: bool,
    /// True: anyone may read a dataset's operations (`operations`).
    pub can_view_dataset_operations: bool,
}

/// The caller's privileges, from the access attached to the request (with auth off, every
/// caller writes).
pub fn privileges(ctx: &Context<'_>) -> EntityPrivileges {
    let write = ctx
        .data_opt::<Access>()
        .is_none_or(|a| a.scope == Scope::Write);
    EntityPrivileges {
        can_edit_lineage: false,
        can_edit_domains: write,
        can_edit_data_products: false,
        can_edit_tags: write,
        can_edit_glossary_terms: write,
        can_edit_description: write,
        can_edit_links: write,
        can_edit_owners: write,
        can_edit_assertions: false,
        can_edit_incidents: false,
        can_edit_deprecation: write,
        can_edit_schema_field_tags: false,
        can_edit_schema_field_glossary_terms: false,
        can_edit_schema_field_description: false,
        can_edit_queries: false,
        can_edit_embed: false,
        can_manage_entity: write,
        can_manage_children: false,
        can_edit_properties: false,
        can_view_dataset_usage: false,
        can_view_dataset_profile: true,
        can_view_dataset_operations: true,
    }
}
