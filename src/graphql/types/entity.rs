//! The `Entity` interface and the fields every entity type shares, written once: the
//! `entity_object!` macro writes an entity type's struct and its whole `#[Object]` impl (the
//! shared fields, then the type's own, then its relations), because async-graphql's `#[Object]`
//! does not expand macros inside an impl; the resolvers behind the shared fields are the
//! functions of this file.

use std::sync::Arc;

use async_graphql::{Context, Interface, Result};

use super::schema_field::SchemaFieldEntity;
use super::{
    Chart, Container, CorpGroup, CorpUser, Dashboard, DataFlow, DataJob, DataPlatform,
    DataPlatformInstance, DataProcessInstance, DataProduct, Dataset, Document, Domain,
    GlossaryNode, GlossaryTerm, MlFeature, MlFeatureTable, MlModel, MlModelDeployment,
    MlModelGroup, MlPrimaryKey, OwnershipTypeEntity, Post, Tag, VersionSet,
};
use crate::catalog::aspects::{self as asp, AspectSpec, EditableProperties, Relation};
use crate::catalog::EntityRecord;
use crate::graphql::lineage::{self, EntityRelationshipsResult};
use crate::graphql::loaders::{self, aspect};
use crate::graphql::scalars::{EntityType, Long, Status};
use crate::urn::{EntityKind, Urn};

/// An entity as the GraphQL objects hold it: shared, never copied.
pub type Row = Arc<EntityRecord>;

/// Any entity of the catalog.
#[derive(Interface)]
#[graphql(
    field(
        name = "urn",
        ty = "String",
        desc = "The URN that identifies the entity."
    ),
    field(
        name = "type",
        method = "entity_type",
        ty = "EntityType",
        desc = "The type of the entity."
    ),
    field(
        name = "relationships",
        ty = "EntityRelationshipsResult",
        desc = "DataHub's raw relationships of the entity, by relation name and declaring side.",
        arg(name = "input", ty = "lineage::RelationshipsInput")
    )
)]
pub enum Entity {
    MlFeature(MlFeature),
    MlFeatureTable(MlFeatureTable),
    MlPrimaryKey(MlPrimaryKey),
    MlModel(MlModel),
    MlModelGroup(MlModelGroup),
    Dataset(Dataset),
    DataPlatform(DataPlatform),
    DataPlatformInstance(DataPlatformInstance),
    DataProcessInstance(DataProcessInstance),
    Container(Container),
    MlModelDeployment(MlModelDeployment),
    Tag(Tag),
    GlossaryTerm(GlossaryTerm),
    GlossaryNode(GlossaryNode),
    Domain(Domain),
    CorpUser(CorpUser),
    CorpGroup(CorpGroup),
    OwnershipTypeEntity(OwnershipTypeEntity),
    DataJob(DataJob),
    DataFlow(DataFlow),
    Chart(Chart),
    Dashboard(Dashboard),
    DataProduct(DataProduct),
    Document(Document),
    VersionSet(VersionSet),
    Post(Post),
    SchemaFieldEntity(SchemaFieldEntity),
}

/// An entity with lineage and relationships: the types DataHub's lineage pages draw.
// Two fields each take an argument named `input`; clippy reads the derive's `arg(...)` lists
// as one attribute repeated.
#[allow(clippy::duplicated_attributes)]
#[derive(Interface)]
#[graphql(
    field(
        name = "urn",
        ty = "String",
        desc = "The URN that identifies the entity."
    ),
    field(
        name = "type",
        method = "entity_type",
        ty = "EntityType",
        desc = "The type of the entity."
    ),
    field(
        name = "relationships",
        ty = "EntityRelationshipsResult",
        desc = "DataHub's raw relationships of the entity, by relation name and declaring side.",
        arg(name = "input", ty = "lineage::RelationshipsInput")
    ),
    field(
        name = "lineage",
        ty = "lineage::EntityLineageResult",
        desc = "DataHub's lineage of the entity: one hop by default.",
        arg(name = "input", ty = "lineage::LineageInput")
    )
)]
pub enum EntityWithRelationships {
    Chart(Chart),
    Dashboard(Dashboard),
    DataFlow(DataFlow),
    DataJob(DataJob),
    DataProcessInstance(DataProcessInstance),
    Dataset(Dataset),
    MlFeature(MlFeature),
    MlFeatureTable(MlFeatureTable),
    MlModel(MlModel),
    MlModelDeployment(MlModelDeployment),
    MlModelGroup(MlModelGroup),
    MlPrimaryKey(MlPrimaryKey),
    SchemaFieldEntity(SchemaFieldEntity),
}

impl Entity {
    /// The GraphQL object for a row, or `None` for entity types the schema does not expose.
    pub fn from_row(row: Row) -> Option<Entity> {
        Some(match &row.kind {
            EntityKind::MlFeature => Entity::MlFeature(MlFeature(row)),
            EntityKind::MlFeatureTable => Entity::MlFeatureTable(MlFeatureTable(row)),
            EntityKind::MlPrimaryKey => Entity::MlPrimaryKey(MlPrimaryKey(row)),
            EntityKind::MlModel => Entity::MlModel(MlModel(row)),
            EntityKind::MlModelGroup => Entity::MlModelGroup(MlModelGroup(row)),
            EntityKind::Dataset => Entity::Dataset(Dataset(row)),
            EntityKind::MlModelDeployment => Entity::MlModelDeployment(MlModelDeployment(row)),
            EntityKind::DataPlatform => Entity::DataPlatform(DataPlatform::from_record(&row)),
            EntityKind::Other(kind) if kind == "dataProcessInstance" => {
                Entity::DataProcessInstance(DataProcessInstance(row))
            }
            EntityKind::Other(kind) if kind == "container" => Entity::Container(Container(row)),
            EntityKind::Other(kind) => match kind.as_str() {
                "dataJob" => Entity::DataJob(DataJob(row)),
                "dataFlow" => Entity::DataFlow(DataFlow(row)),
                "chart" => Entity::Chart(Chart(row)),
                "dashboard" => Entity::Dashboard(Dashboard(row)),
                "dataProduct" => Entity::DataProduct(DataProduct(row)),
                "document" => Entity::Document(Document(row)),
                "post" => Entity::Post(Post(row)),
                "versionSet" => Entity::VersionSet(VersionSet(row.urn.clone())),
                "schemaField" => Entity::SchemaFieldEntity(SchemaFieldEntity::from_urn(&row.urn)),
                _ => return None,
            },
            kind if kind.is_governance() => {
                // A stored URN parsed before it was stored.
                let urn = Urn::parse(&row.urn).ok()?;
                Entity::named(urn)?
            }
            _ => return None,
        })
    }
}

impl Entity {
    /// The GraphQL object for a governance entity named by URN, whether or not the catalog has
    /// a row for it; `None` for other entity types.
    pub fn named(urn: Urn) -> Option<Entity> {
        Some(match urn.kind() {
            EntityKind::Tag => Entity::Tag(Tag(urn)),
            EntityKind::GlossaryTerm => Entity::GlossaryTerm(GlossaryTerm(urn)),
            EntityKind::GlossaryNode => Entity::GlossaryNode(GlossaryNode(urn)),
            EntityKind::Domain => Entity::Domain(Domain(urn)),
            EntityKind::CorpUser => Entity::CorpUser(CorpUser(urn)),
            EntityKind::CorpGroup => Entity::CorpGroup(CorpGroup(urn)),
            EntityKind::OwnershipType => Entity::OwnershipTypeEntity(OwnershipTypeEntity(urn)),
            _ => return None,
        })
    }
}

/// The entity type a GraphQL object wraps (written by `entity_object!`).
pub trait HasKind {
    const KIND: EntityKind;
}

/// A properties aspect with an ingested description (written by `entity_object!`).
pub trait Described: AspectSpec {
    fn into_description(self) -> Option<String>;
}

/// `status`: whether the entity is soft-deleted.
pub async fn status(ctx: &Context<'_>, row: &EntityRecord) -> Result<Option<Status>> {
    let status: Option<asp::Status> = aspect(ctx, row, asp::Status::NAME).await?;
    Ok(status.map(|s| Status { removed: s.removed }))
}

/// `editableProperties`: what people edited, as the entity type's own GraphQL type.
pub async fn editable<T: From<EditableProperties>>(
    ctx: &Context<'_>,
    row: &EntityRecord,
) -> Result<Option<T>> {
    let edited: Option<EditableProperties> = match asp::editable_aspect_name(&row.kind) {
        Some(name) => aspect(ctx, row, name).await?,
        None => None,
    };
    Ok(edited.map(Into::into))
}

/// `description`: what a person wrote wins over what ingestion wrote; both aspects load in one
/// batch.
pub async fn description<P: Described>(
    ctx: &Context<'_>,
    row: &EntityRecord,
) -> Result<Option<String>> {
    let Some(editable) = asp::editable_aspect_name(&row.kind) else {
        return Ok(None);
    };
    let (props, edited): (Option<P>, Option<EditableProperties>) =
        loaders::aspect_pair(ctx, row, P::NAME, editable).await?;
    Ok(edited
        .and_then(|e| e.description)
        .or_else(|| props.and_then(Described::into_description)))
}

/// `lastIngested`: when metadata was last written; null for an entity only referenced so far.
pub fn last_ingested(row: &EntityRecord) -> Option<Long> {
    row.exists.then_some(Long(row.updated_at))
}

/// Which end of a relation's edges the related entities are at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum End {
    /// The entities the edges come from (a model's training datasets).
    Upstream,
    /// The entities the edges go to (a dataset's trained models).
    Downstream,
}

/// Entities of one type at the other end of `relation` edges of `row`, through the edge
/// loader. Entities of other types on such edges are left out.
pub async fn related_by<T: HasKind + From<Row>>(
    ctx: &Context<'_>,
    row: &EntityRecord,
    relation: Relation,
    end: End,
) -> Result<Vec<T>> {
    Ok(lineage::neighbors(ctx, row, relation, end == End::Upstream)
        .await?
        .into_iter()
        .filter(|r| r.kind == T::KIND)
        .map(T::from)
        .collect())
}

/// The URNs in an aspect field, resolved to live entities in the order the aspect lists them.
pub async fn resolve<T>(
    ctx: &Context<'_>,
    urns: &[Urn],
    wrap: fn(Row) -> T,
) -> Result<Vec<Option<T>>> {
    Ok(loaders::related(ctx, urns)
        .await?
        .into_iter()
        .map(|row| Some(wrap(row)))
        .collect())
}

/// Writes an entity type's `...EditableProperties` object: the description a person edited.
macro_rules! editable_type {
    ($rust:ident, $gql:literal, $doc:literal) => {
        #[doc = $doc]
        #[derive(::async_graphql::SimpleObject, Clone, Debug)]
        #[graphql(name = $gql)]
        pub struct $rust {
            /// The description as edited by a person.
            pub description: Option<String>,
        }

        impl From<$crate::catalog::aspects::EditableProperties> for $rust {
            fn from(e: $crate::catalog::aspects::EditableProperties) -> Self {
                $rust {
                    description: e.description,
                }
            }
        }
    };
}
pub(crate) use editable_type;

/// Writes an entity type: the struct wrapping its record and one `#[Object]` impl with the
/// fields every entity shares, then the type's own fields (the tokens after `relations`), then
/// its relation fields.
///
/// Where the shared fields' doc comments differ by type (the URN's shape, the `type` value,
/// what is soft-deleted), the wording is passed in; `namespace`, `platform` and `origin` are
/// written only for the types whose URN has them. Governance (`tags`, `globalTags`,
/// `ownership`, `deprecation`) is written for every type; `glossary`, the doc of
/// `glossaryTerms`, also writes `glossaryTerms`, `domain`, `institutionalMemory` and `subTypes`,
/// for the types whose DataHub aspects include them. `properties` names the ingested properties
/// aspect and its GraphQL object (a tuple struct of the entity's `Row` and the aspect), and
/// `editable` the type's `...EditableProperties` object.
///
/// A relation field is declared as `name: Vec<Type> = resolver(args);` and resolves as
/// `resolver(ctx, &row, args).await` (usually [`related_by`]); the macro prices it at
/// [`RELATION_FANOUT`](super::RELATION_FANOUT) times its sub-selection. Relations must be
/// declared there, not among the own fields: async-graphql's `complexity` expression names
/// `child_complexity`, a variable of the generated code, which macro hygiene hides from tokens
/// written outside this macro.
///
/// `urn` and `type` are `pub(crate)`: the `Entity` interface calls them.
///
/// Also written: `From<Row>`, [`HasKind`], [`Described`] for the properties aspect, and a
/// `props(ctx)` method that loads the properties aspect. Paths go through `$crate`, so an
/// entity file needs no imports for the shared fields.
macro_rules! entity_object {
    (
        $(#[doc = $doc:literal])*
        $ty:ident as $gql:literal {
            urn: $urn_doc:literal,
            type: $type_doc:literal,
            name: $name_doc:literal,
            $(namespace: $namespace_doc:literal,)?
            $(platform: $platform_doc:literal,)?
            $(origin: $origin_doc:literal,)?
            properties: $props:ident => $props_gql:ident,
            editable: $editable:ident,
            status: $status_doc:literal,
            $(glossary: $glossary_doc:literal,)?
        }
        relations {
            $(
                $(#[doc = $rel_doc:literal])*
                $rel:ident: Vec<$rel_ty:ident> = $rel_fn:ident($($rel_arg:expr),*);
            )*
        }
        $($own:tt)*
    ) => {
        $(#[doc = $doc])*
        pub struct $ty(pub $crate::graphql::types::entity::Row);

        impl From<$crate::graphql::types::entity::Row> for $ty {
            fn from(row: $crate::graphql::types::entity::Row) -> Self {
                $ty(row)
            }
        }

        impl $crate::graphql::types::entity::HasKind for $ty {
            const KIND: $crate::urn::EntityKind = $crate::urn::EntityKind::$ty;
        }

        impl $crate::graphql::types::entity::Described for $props {
            fn into_description(self) -> Option<String> {
                self.description
            }
        }

        impl $ty {
            /// The ingested properties aspect; `None` when none were written.
            async fn props(
                &self,
                ctx: &::async_graphql::Context<'_>,
            ) -> ::async_graphql::Result<Option<$props>> {
                $crate::graphql::loaders::aspect(
                    ctx,
                    &self.0,
                    <$props as $crate::catalog::aspects::AspectSpec>::NAME,
                )
                .await
            }
        }

        $(#[doc = $doc])*
        #[::async_graphql::Object(name = $gql)]
        impl $ty {
            #[doc = $urn_doc]
            pub(crate) async fn urn(&self) -> String {
                self.0.urn.clone()
            }
            #[doc = $type_doc]
            #[graphql(name = "type")]
            pub(crate) async fn entity_type(&self) -> $crate::graphql::scalars::EntityType {
                $crate::graphql::scalars::EntityType::$ty
            }
            #[doc = $name_doc]
            async fn name(&self) -> &str {
                &self.0.name
            }
            $(
                #[doc = $namespace_doc]
                async fn feature_namespace(&self) -> &str {
                    self.0.namespace.as_deref().unwrap_or_default()
                }
            )?
            $(
                #[doc = $platform_doc]
                async fn platform(&self) -> $crate::graphql::types::DataPlatform {
                    $crate::graphql::types::DataPlatform::of(&self.0)
                }
            )?
            $(
                #[doc = $origin_doc]
                async fn origin(&self) -> $crate::graphql::scalars::FabricType {
                    $crate::graphql::scalars::FabricType::from_env(self.0.env.as_deref())
                }
            )?
            /// The description: the edited one if a person wrote one, else the ingested one.
            async fn description(
                &self,
                ctx: &::async_graphql::Context<'_>,
            ) -> ::async_graphql::Result<Option<String>> {
                $crate::graphql::types::entity::description::<$props>(ctx, &self.0).await
            }
            /// The ingested properties; null when none were written.
            async fn properties(
                &self,
                ctx: &::async_graphql::Context<'_>,
            ) -> ::async_graphql::Result<Option<$props_gql>> {
                Ok(self.props(ctx).await?.map(|p| $props_gql(self.0.clone(), p)))
            }
            /// Properties edited by people.
            async fn editable_properties(
                &self,
                ctx: &::async_graphql::Context<'_>,
            ) -> ::async_graphql::Result<Option<$editable>> {
                $crate::graphql::types::entity::editable(ctx, &self.0).await
            }
            #[doc = $status_doc]
            async fn status(
                &self,
                ctx: &::async_graphql::Context<'_>,
            ) -> ::async_graphql::Result<Option<$crate::graphql::scalars::Status>> {
                $crate::graphql::types::entity::status(ctx, &self.0).await
            }
            /// DataHub's lineage of the entity: one hop by default; mlcat adds `depth`, `types` and
            /// `asOf` to the input.
            #[graphql(complexity = "1 + crate::graphql::lineage::priced_count(input.count) * child_complexity")]
            pub(crate) async fn lineage(
                &self,
                ctx: &::async_graphql::Context<'_>,
                input: $crate::graphql::lineage::LineageInput,
            ) -> ::async_graphql::Result<$crate::graphql::lineage::EntityLineageResult> {
                $crate::graphql::lineage::entity_lineage(ctx, &self.0, input).await
            }
            /// DataHub's raw relationships of the entity, by relation name and declaring side.
            #[graphql(complexity = "1 + crate::graphql::lineage::priced_count(input.count) * child_complexity")]
            pub(crate) async fn relationships(
                &self,
                ctx: &::async_graphql::Context<'_>,
                input: $crate::graphql::lineage::RelationshipsInput,
            ) -> ::async_graphql::Result<$crate::graphql::lineage::EntityRelationshipsResult> {
                $crate::graphql::lineage::entity_relationships(ctx, &self.0, input).await
            }
            /// Every version of the entity's aspects, newest first: the value, when it was written, by
            /// whom and in which ingestion run.
            #[graphql(complexity = "1 + crate::graphql::history::priced_limit(limit) * child_complexity")]
            async fn aspect_history(
                &self,
                ctx: &::async_graphql::Context<'_>,
                #[graphql(desc = "Only the versions of this aspect, such as `mlModelProperties`.")]
                aspect_name: Option<String>,
                #[graphql(
                    desc = "At most this many versions: 100 when absent, at most the page-size cap."
                )]
                limit: Option<i32>,
            ) -> ::async_graphql::Result<Vec<$crate::graphql::history::AspectVersion>> {
                $crate::graphql::history::aspect_history(ctx, &self.0, aspect_name, limit).await
            }
            /// When metadata was last written, in milliseconds since the epoch.
            async fn last_ingested(&self) -> Option<$crate::graphql::scalars::Long> {
                $crate::graphql::types::entity::last_ingested(&self.0)
            }
            /// False for a URN that is only referenced by other entities so far.
            async fn exists(&self) -> bool {
                self.0.exists
            }
            /// The tags attached to the entity (its `globalTags` aspect).
            async fn tags(
                &self,
                ctx: &::async_graphql::Context<'_>,
            ) -> ::async_graphql::Result<Option<$crate::graphql::types::GlobalTags>> {
                $crate::graphql::types::governance::tags(ctx, &self.0).await
            }
            /// The tags attached to the entity.
            #[graphql(deprecation = "Use `tags`")]
            async fn global_tags(
                &self,
                ctx: &::async_graphql::Context<'_>,
            ) -> ::async_graphql::Result<Option<$crate::graphql::types::GlobalTags>> {
                $crate::graphql::types::governance::tags(ctx, &self.0).await
            }
            /// Who owns the entity: users and groups, with the kind of ownership.
            async fn ownership(
                &self,
                ctx: &::async_graphql::Context<'_>,
            ) -> ::async_graphql::Result<Option<$crate::graphql::types::Ownership>> {
                $crate::graphql::types::governance::ownership(ctx, &self.0).await
            }
            /// Whether the entity is deprecated, and what to know about it.
            async fn deprecation(
                &self,
                ctx: &::async_graphql::Context<'_>,
            ) -> ::async_graphql::Result<Option<$crate::graphql::types::Deprecation>> {
                $crate::graphql::types::governance::deprecation(ctx, &self.0).await
            }
            /// Where the entity sits in DataHub's browse tree (its `browsePathsV2` aspect); null
            /// when none was written.
            async fn browse_path_v2(
                &self,
                ctx: &::async_graphql::Context<'_>,
            ) -> ::async_graphql::Result<Option<$crate::graphql::types::BrowsePathV2>> {
                $crate::graphql::types::browse::browse_path_v2(ctx, &self.0).await
            }
            /// The platform instance the entity belongs to (its `dataPlatformInstance` aspect);
            /// null when the aspect names no instance.
            async fn data_platform_instance(
                &self,
                ctx: &::async_graphql::Context<'_>,
            ) -> ::async_graphql::Result<Option<$crate::graphql::types::DataPlatformInstance>> {
                $crate::graphql::types::data_platform_instance::of_entity(ctx, &self.0).await
            }
            /// The stored aspects named in `input.aspectNames`, as raw JSON (DataHub's generic
            /// aspect read). With `autoRenderOnly: true`, empty: mlcat marks no aspect for
            /// automatic rendering.
            async fn aspects(
                &self,
                ctx: &::async_graphql::Context<'_>,
                input: Option<$crate::graphql::types::AspectParams>,
            ) -> ::async_graphql::Result<Vec<$crate::graphql::types::RawAspect>> {
                $crate::graphql::types::aspects::raw_aspects(ctx, &self.0, input).await
            }
            /// What the caller may do to the entity: mlcat grants by the access token's scope.
            async fn privileges(
                &self,
                ctx: &::async_graphql::Context<'_>,
            ) -> $crate::graphql::types::EntityPrivileges {
                $crate::graphql::types::privileges::privileges(ctx)
            }
            /// The entity's structured properties (its `structuredProperties` aspect), with each
            /// property's definition; null when none were written.
            async fn structured_properties(
                &self,
                ctx: &::async_graphql::Context<'_>,
            ) -> ::async_graphql::Result<Option<$crate::graphql::types::StructuredProperties>> {
                $crate::graphql::types::structured_properties::structured_properties(ctx, &self.0)
                    .await
            }
            /// The compliance forms of the entity: always DataHub's empty shape, mlcat has no
            /// forms.
            async fn forms(&self) -> Option<$crate::graphql::types::Forms> {
                Some($crate::graphql::types::Forms::default())
            }
            /// The entity's incidents: always an empty page, mlcat has no incidents (DataHub's
            /// shape, so DataHub's UI can ask).
            async fn incidents(
                &self,
                #[graphql(desc = "The offset of the page.")] start: Option<i32>,
                #[graphql(desc = "The size of the page.")] count: Option<i32>,
                #[graphql(desc = "Only incidents in this state.")] state: Option<
                    $crate::graphql::types::IncidentState,
                >,
            ) -> $crate::graphql::types::EntityIncidentsResult {
                let _ = (count, state);
                $crate::graphql::types::placeholders::no_incidents(start)
            }
            $(
                #[doc = $glossary_doc]
                async fn glossary_terms(
                    &self,
                    ctx: &::async_graphql::Context<'_>,
                ) -> ::async_graphql::Result<Option<$crate::graphql::types::GlossaryTerms>> {
                    $crate::graphql::types::governance::glossary_terms(ctx, &self.0).await
                }
                /// The domain the entity belongs to.
                async fn domain(
                    &self,
                    ctx: &::async_graphql::Context<'_>,
                ) -> ::async_graphql::Result<Option<$crate::graphql::types::DomainAssociation>> {
                    $crate::graphql::types::governance::domain(ctx, &self.0).await
                }
                /// Links about the entity: documents, dashboards, runbooks.
                async fn institutional_memory(
                    &self,
                    ctx: &::async_graphql::Context<'_>,
                ) -> ::async_graphql::Result<Option<$crate::graphql::types::InstitutionalMemory>> {
                    $crate::graphql::types::governance::institutional_memory(ctx, &self.0).await
                }
                /// The sub-types of the entity, such as `LLM` for a model.
                async fn sub_types(
                    &self,
                    ctx: &::async_graphql::Context<'_>,
                ) -> ::async_graphql::Result<Option<$crate::graphql::types::SubTypes>> {
                    $crate::graphql::types::governance::sub_types(ctx, &self.0).await
                }
            )?

            $($own)*

            $(
                $(#[doc = $rel_doc])*
                #[graphql(complexity = "1 + crate::graphql::types::RELATION_FANOUT * child_complexity")]
                async fn $rel(
                    &self,
                    ctx: &::async_graphql::Context<'_>,
                ) -> ::async_graphql::Result<Vec<$rel_ty>> {
                    $rel_fn(ctx, &self.0, $($rel_arg),*).await
                }
            )*
        }
    };
}
pub(crate) use entity_object;
