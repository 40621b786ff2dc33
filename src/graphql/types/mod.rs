//! The object types of the schema, named and shaped as in DataHub's GraphQL API. Each entity
//! type wraps an entity record and loads its aspects and relations lazily through the
//! dataloaders.
//!
//! The rule: one file per entity type, holding its object and the object types only it uses
//! (its `...Properties` and `...EditableProperties`); the `Entity` interface and the fields
//! every entity shares are written once, in `entity.rs` (the `entity_object!` macro), so a new
//! entity type is a short file of its own fields. Object types several files use have a file of
//! their own (`list.rs`); scalars and small shared types are in `graphql/scalars.rs`.

pub(crate) mod aggregate;
pub(crate) mod aspects;
pub(crate) mod browse;
pub(crate) mod browse_v2;
pub(crate) mod column_reach;
pub(crate) mod container;
mod corp;
pub(crate) mod data_assets;
mod data_platform;
pub(crate) mod data_platform_instance;
pub(crate) mod data_process_instance;
mod dataset;
mod domain;
pub(crate) mod entity;
mod forms;
mod glossary;
pub(crate) mod governance;
mod list;
mod ml_feature;
mod ml_feature_table;
mod ml_model;
mod ml_model_deployment;
mod ml_model_group;
mod ml_primary_key;
mod ownership_type;
pub(crate) mod placeholders;
pub(crate) mod posts;
pub(crate) mod privileges;
mod schema_field;
pub(crate) mod scroll;
pub(crate) mod search;
pub(crate) mod search_inputs;
pub(crate) mod search_lineage;
pub(crate) mod structured_properties;
mod tag;
pub(crate) mod timeseries;
pub(crate) mod training;
pub(crate) mod version_lineage;
pub(crate) mod versioning;
pub(crate) mod webhook;

pub use aspects::{AspectParams, AspectRenderSpec, RawAspect};
pub use browse::{BrowsePathEntry, BrowsePathV2};
pub use container::Container;
pub use corp::{
    CorpGroup, CorpGroupEditableProperties, CorpGroupInfo, CorpGroupProperties, CorpUser,
    CorpUserEditableInfo, CorpUserEditableProperties, CorpUserInfo, CorpUserProperties,
};
pub use data_assets::{Chart, Dashboard, DataFlow, DataJob, DataProduct, Document};
pub use data_platform::{DataPlatform, DataPlatformProperties, PlatformType};
pub use data_platform_instance::DataPlatformInstance;
pub use data_process_instance::DataProcessInstance;
pub use dataset::{Dataset, DatasetEditableProperties, DatasetPropertiesGql};
pub use domain::{Domain, DomainProperties, ParentDomainsResult};
pub use entity::Entity;
pub use forms::Forms;
pub use glossary::{
    GlossaryNode, GlossaryNodeProperties, GlossaryTerm, GlossaryTermProperties, ParentNodesResult,
};
pub use governance::{
    Deprecation, DomainAssociation, GlobalTags, GlossaryTermAssociation, GlossaryTerms,
    InstitutionalMemory, InstitutionalMemoryMetadata, Owner, OwnerType, Ownership, OwnershipType,
    SubTypes, TagAssociation,
};
pub use list::{ListInput, ListResult};
pub use ml_feature::{MlFeature, MlFeatureEditableProperties, MlFeaturePropertiesGql};
pub use ml_feature_table::{
    MlFeatureTable, MlFeatureTableEditableProperties, MlFeatureTablePropertiesGql,
};
pub use ml_model::{BaseDataGql, MlModel, MlModelEditableProperties, MlModelPropertiesGql};
pub use ml_model_deployment::{
    MlModelDeployment, MlModelDeploymentEditableProperties, MlModelDeploymentPropertiesGql,
};
pub use ml_model_group::{MlModelGroup, MlModelGroupEditableProperties, MlModelGroupPropertiesGql};
pub use ml_primary_key::{MlPrimaryKey, MlPrimaryKeyEditableProperties, MlPrimaryKeyPropertiesGql};
pub use ownership_type::{OwnershipTypeEntity, OwnershipTypeInfo};
pub use placeholders::{EntityIncidentsResult, IncidentState};
pub use posts::{Post, Share};
pub use privileges::EntityPrivileges;
pub use schema_field::{EditableSchemaFieldInfo, EditableSchemaMetadata};
pub use search::{
    AggregationMetadata, AutoCompleteMultipleResults, AutoCompleteResultForEntity,
    AutoCompleteResults, ExtraProperty, FacetMetadata, MatchedField, SearchResult, SearchResults,
};
pub use search_inputs::{
    AndFilterInput, AutoCompleteInput, AutoCompleteMultipleInput, FacetFilterInput, FilterOperator,
    SearchAcrossEntitiesInput, SearchFlags, SearchInput, SearchSortInput, SortCriterion, SortOrder,
};
pub use structured_properties::StructuredProperties;
pub use tag::{Tag, TagProperties};
pub use versioning::{SupportsVersions, VersionSet};

/// How many entities a relation field is assumed to answer when pricing a query's complexity:
/// a relation costs this many times its sub-selection, so deep nesting over relations is
/// refused before it runs.
pub const RELATION_FANOUT: usize = 5;
