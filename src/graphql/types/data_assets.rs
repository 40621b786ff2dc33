//! The data assets DataHub's pages reach through lineage and relationships: `DataJob`,
//! `DataFlow`, `Chart`, `Dashboard`, `DataProduct` and `Document`. mlcat keeps any entity type's aspects
//! (a row of kind `dataJob`, say, exists once something references it), so these types read
//! the aspects DataHub's SDK writes for them (`dataJobInfo`, `dataFlowInfo`, `chartInfo`,
//! `dashboardInfo`, `dataProductProperties`, the `editable*Properties`, `inputFields` and the
//! governance aspects): real data where stored, null otherwise. Their key parts (a chart's
//! tool, a flow's orchestrator) come from the URN.

use std::collections::BTreeMap;

use async_graphql::{Context, Object, Result, SimpleObject};
use serde::Deserialize;

use super::entity::{editable_type, Row};
use super::schema_field::{schema_field, SchemaField, SchemaFieldAspect};
use super::DataPlatform;
use crate::catalog::aspects::{EditableProperties, TimeStamp};
use crate::catalog::EntityRecord;
use crate::graphql::loaders::{self, aspect};
use crate::graphql::scalars::{custom_properties, AuditStamp, CustomPropertiesEntry, Long};
use crate::urn::Urn;

/// The parts of a tuple key `(a,b,c)` at the top level (a part may itself be a URN with a
/// tuple key); `None` when the key is not a tuple.
pub(crate) fn key_parts(urn: &str) -> Option<Vec<&str>> {
    let rest = urn.strip_prefix("urn:li:")?;
    let (_, key) = rest.split_once(':')?;
    let inner = key.strip_prefix('(')?.strip_suffix(')')?;
    let mut parts = Vec::new();
    let (mut depth, mut start) = (0i32, 0usize);
    for (i, c) in inner.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&inner[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&inner[start..]);
    Some(parts)
}

/// Part `i` of the row's tuple key; an error naming the URN when it has no such part (DataHub
/// makes these fields non-null).
fn key_part(row: &EntityRecord, i: usize) -> Result<String> {
    key_parts(&row.urn)
        .and_then(|p| p.get(i).map(|s| s.to_string()))
        .ok_or_else(|| {
            crate::catalog::Error::NotFound(format!(
                "the URN {} has no key part {}",
                row.urn,
                i + 1
            ))
            .into()
        })
}

/// The platform a tool or orchestrator name (a key part) names: `looker` →
/// `urn:li:dataPlatform:looker`; a part that is already a platform URN is taken as is.
fn platform_named(name: Result<String>) -> Result<DataPlatform> {
    let name = name?;
    let urn = if name.starts_with("urn:li:dataPlatform:") {
        Urn::parse(&name)
    } else {
        Urn::data_platform(&name)
    };
    Ok(DataPlatform::from_urn(&urn.map_err(|e| e.to_string())?))
}

/// An `editable*Properties` aspect, read by name (these types' aspect names are not in mlcat's
/// table of editable aspects).
async fn edited<T: From<EditableProperties>>(
    ctx: &Context<'_>,
    row: &EntityRecord,
    name: &'static str,
) -> Result<Option<T>> {
    let stored: Option<EditableProperties> = aspect(ctx, row, name).await?;
    Ok(stored.map(Into::into))
}

/// Writes a data asset type: the struct wrapping its record, `From<Row>`, and one `#[Object]`
/// impl with the fields all of them share (identity, status, governance, containers, lineage and
/// relationships), then `editableProperties` from the named aspect when given, then the type's
/// own fields.
macro_rules! asset_object {
    (
        $(#[doc = $doc:literal])*
        $ty:ident as $gql:literal {
            urn: $urn_doc:literal,
            type: $entity_type:ident,
            $(editable: $editable:ident = $editable_aspect:literal,)?
        }
        $($own:tt)*
    ) => {
        $(#[doc = $doc])*
        pub struct $ty(pub Row);

        impl From<Row> for $ty {
            fn from(row: Row) -> Self {
                $ty(row)
            }
        }

        $(#[doc = $doc])*
        #[Object(name = $gql)]
        impl $ty {
            #[doc = $urn_doc]
            pub(crate) async fn urn(&self) -> String {
                self.0.urn.clone()
            }
            /// The entity type.
            #[graphql(name = "type")]
            pub(crate) async fn entity_type(&self) -> $crate::graphql::scalars::EntityType {
                $crate::graphql::scalars::EntityType::$entity_type
            }
            /// False for a URN that is only referenced by other entities so far.
            async fn exists(&self) -> bool {
                self.0.exists
            }
            /// The stored aspects named in `input.aspectNames`, as raw JSON (DataHub's
            /// generic aspect read): a job's `openLineageJob` holds its OpenLineage facets.
            async fn aspects(
                &self,
                ctx: &Context<'_>,
                input: Option<$crate::graphql::types::AspectParams>,
            ) -> Result<Vec<$crate::graphql::types::RawAspect>> {
                $crate::graphql::types::aspects::raw_aspects(ctx, &self.0, input).await
            }
            /// Whether the entity is soft-deleted.
            async fn status(
                &self,
                ctx: &Context<'_>,
            ) -> Result<Option<$crate::graphql::scalars::Status>> {
                super::entity::status(ctx, &self.0).await
            }
            /// The tags attached to the entity (its `globalTags` aspect).
            async fn tags(&self, ctx: &Context<'_>) -> Result<Option<super::GlobalTags>> {
                super::governance::tags(ctx, &self.0).await
            }
            /// The tags attached to the entity.
            async fn global_tags(&self, ctx: &Context<'_>) -> Result<Option<super::GlobalTags>> {
                super::governance::tags(ctx, &self.0).await
            }
            /// The glossary terms attached to the entity.
            async fn glossary_terms(
                &self,
                ctx: &Context<'_>,
            ) -> Result<Option<super::GlossaryTerms>> {
                super::governance::glossary_terms(ctx, &self.0).await
            }
            /// Who owns the entity.
            async fn ownership(&self, ctx: &Context<'_>) -> Result<Option<super::Ownership>> {
                super::governance::ownership(ctx, &self.0).await
            }
            /// The domain the entity belongs to.
            async fn domain(
                &self,
                ctx: &Context<'_>,
            ) -> Result<Option<super::DomainAssociation>> {
                super::governance::domain(ctx, &self.0).await
            }
            /// Whether the entity is deprecated.
            async fn deprecation(&self, ctx: &Context<'_>) -> Result<Option<super::Deprecation>> {
                super::governance::deprecation(ctx, &self.0).await
            }
            /// Links about the entity.
            async fn institutional_memory(
                &self,
                ctx: &Context<'_>,
            ) -> Result<Option<super::InstitutionalMemory>> {
                super::governance::institutional_memory(ctx, &self.0).await
            }
            /// The entity's sub-types.
            async fn sub_types(&self, ctx: &Context<'_>) -> Result<Option<super::SubTypes>> {
                super::governance::sub_types(ctx, &self.0).await
            }
            /// The platform instance the entity belongs to; null when its
            /// `dataPlatformInstance` aspect names none.
            async fn data_platform_instance(
                &self,
                ctx: &Context<'_>,
            ) -> Result<Option<super::DataPlatformInstance>> {
                super::data_platform_instance::of_entity(ctx, &self.0).await
            }
            /// The container the entity sits in; null when none.
            async fn container(&self, ctx: &Context<'_>) -> Result<Option<super::Container>> {
                super::container::container_of(ctx, &self.0).await
            }
            /// The containers above the entity, nearest first.
            async fn parent_containers(
                &self,
                ctx: &Context<'_>,
            ) -> Result<super::container::ParentContainersResult> {
                super::container::parents_of(ctx, &self.0).await
            }
            /// The entity's structured properties; null when none were written.
            async fn structured_properties(
                &self,
                ctx: &Context<'_>,
            ) -> Result<Option<super::StructuredProperties>> {
                super::structured_properties::structured_properties(ctx, &self.0).await
            }
            /// DataHub's lineage of the entity: one hop by default; mlcat adds `depth`, `types`
            /// and `asOf` to the input.
            #[graphql(
                complexity = "1 + crate::graphql::lineage::priced_count(input.count) * child_complexity"
            )]
            pub(crate) async fn lineage(
                &self,
                ctx: &Context<'_>,
                input: crate::graphql::lineage::LineageInput,
            ) -> Result<crate::graphql::lineage::EntityLineageResult> {
                crate::graphql::lineage::entity_lineage(ctx, &self.0, input).await
            }
            /// DataHub's raw relationships of the entity, by relation name and declaring side.
            #[graphql(
                complexity = "1 + crate::graphql::lineage::priced_count(input.count) * child_complexity"
            )]
            pub(crate) async fn relationships(
                &self,
                ctx: &Context<'_>,
                input: crate::graphql::lineage::RelationshipsInput,
            ) -> Result<crate::graphql::lineage::EntityRelationshipsResult> {
                crate::graphql::lineage::entity_relationships(ctx, &self.0, input).await
            }
            $(
                /// What people edited about the entity; null when nobody did.
                async fn editable_properties(&self, ctx: &Context<'_>) -> Result<Option<$editable>> {
                    edited(ctx, &self.0, $editable_aspect).await
                }
            )?

            $($own)*
        }
    };
}

editable_type!(
    DataJobEditableProperties,
    "DataJobEditableProperties",
    "What people edited about a job."
);
editable_type!(
    DataFlowEditableProperties,
    "DataFlowEditableProperties",
    "What people edited about a flow."
);
editable_type!(
    ChartEditableProperties,
    "ChartEditableProperties",
    "What people edited about a chart."
);
editable_type!(
    DashboardEditableProperties,
    "DashboardEditableProperties",
    "What people edited about a dashboard."
);

/// The stored `dataJobInfo` and `dataFlowInfo` aspects (the fields they share).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct JobOrFlowInfo {
    name: String,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    external_url: Option<String>,
    #[serde(default)]
    project: Option<String>,
    #[serde(default)]
    custom_properties: BTreeMap<String, String>,
}

/// The stored `chartInfo` and `dashboardInfo` aspects (the fields read).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ChartOrDashboardInfo {
    title: String,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    external_url: Option<String>,
    #[serde(default)]
    chart_url: Option<String>,
    #[serde(default)]
    dashboard_url: Option<String>,
    #[serde(default)]
    last_refreshed: Option<i64>,
    #[serde(default)]
    last_modified: Option<ChangeStamps>,
    #[serde(default)]
    custom_properties: BTreeMap<String, String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ChangeStamps {
    #[serde(default)]
    created: Option<TimeStamp>,
    #[serde(default)]
    last_modified: Option<TimeStamp>,
}

/// The stored `dataProductProperties` aspect.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct DataProductAspect {
    name: String,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    external_url: Option<String>,
    #[serde(default)]
    custom_properties: BTreeMap<String, String>,
}

/// The stored `inputFields` aspect of a chart.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct InputFieldsAspect {
    #[serde(default)]
    fields: Vec<InputFieldAspect>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct InputFieldAspect {
    #[serde(default)]
    schema_field_urn: Option<String>,
    #[serde(default)]
    schema_field: Option<SchemaFieldAspect>,
}

/// What a job is, as ingested (`dataJobInfo`).
#[derive(SimpleObject)]
#[graphql(name = "DataJobProperties")]
pub struct DataJobProperties {
    /// The job's name.
    pub name: String,
    /// What the job does.
    pub description: Option<String>,
    /// A link to the job in its orchestrator.
    pub external_url: Option<String>,
    /// Free-form key-value properties.
    pub custom_properties: Option<Vec<CustomPropertiesEntry>>,
}

/// What a flow is, as ingested (`dataFlowInfo`).
#[derive(SimpleObject)]
#[graphql(name = "DataFlowProperties")]
pub struct DataFlowProperties {
    /// The flow's name.
    pub name: String,
    /// What the flow does.
    pub description: Option<String>,
    /// The project the flow belongs to.
    pub project: Option<String>,
    /// A link to the flow in its orchestrator.
    pub external_url: Option<String>,
    /// Free-form key-value properties.
    pub custom_properties: Option<Vec<CustomPropertiesEntry>>,
}

/// What a chart is, as ingested (`chartInfo`).
#[derive(SimpleObject)]
#[graphql(name = "ChartProperties")]
pub struct ChartProperties {
    /// The chart's title.
    pub name: String,
    /// What the chart shows.
    pub description: Option<String>,
    /// A link to the chart in its tool.
    pub external_url: Option<String>,
    /// When the chart's data was last refreshed, in milliseconds since the epoch.
    pub last_refreshed: Option<Long>,
    /// When the chart was created, and by whom.
    pub created: Option<AuditStamp>,
    /// When the chart was last changed, and by whom.
    pub last_modified: Option<AuditStamp>,
    /// Free-form key-value properties.
    pub custom_properties: Option<Vec<CustomPropertiesEntry>>,
}

/// What a dashboard is, as ingested (`dashboardInfo`).
#[derive(SimpleObject)]
#[graphql(name = "DashboardProperties")]
pub struct DashboardProperties {
    /// The dashboard's title.
    pub name: String,
    /// What the dashboard shows.
    pub description: Option<String>,
    /// A link to the dashboard in its tool.
    pub external_url: Option<String>,
    /// When the dashboard's data was last refreshed, in milliseconds since the epoch.
    pub last_refreshed: Option<Long>,
    /// When the dashboard was created, and by whom; null when the aspect does not say.
    pub created: Option<AuditStamp>,
    /// When the dashboard was last changed, and by whom; null when the aspect does not say.
    pub last_modified: Option<AuditStamp>,
    /// Free-form key-value properties.
    pub custom_properties: Option<Vec<CustomPropertiesEntry>>,
}

/// What a data product is (`dataProductProperties`).
#[derive(SimpleObject)]
#[graphql(name = "DataProductProperties")]
pub struct DataProductProperties {
    /// The product's name.
    pub name: String,
    /// What the product offers.
    pub description: Option<String>,
    /// A link to the product elsewhere.
    pub external_url: Option<String>,
    /// Free-form key-value properties.
    pub custom_properties: Option<Vec<CustomPropertiesEntry>>,
}

/// The schema fields a chart reads (its `inputFields` aspect).
#[derive(SimpleObject)]
#[graphql(name = "InputFields")]
pub struct InputFields {
    /// The fields, in the order stored.
    pub fields: Option<Vec<Option<InputField>>>,
}

/// One schema field a chart reads.
#[derive(SimpleObject)]
#[graphql(name = "InputField")]
pub struct InputField {
    /// The field's URN, `urn:li:schemaField:(<dataset urn>,<field path>)`.
    pub schema_field_urn: Option<String>,
    /// The field as the chart's aspect describes it.
    pub schema_field: Option<SchemaField>,
}

impl ChartOrDashboardInfo {
    fn stamps(&self) -> (Option<AuditStamp>, Option<AuditStamp>) {
        match &self.last_modified {
            Some(s) => (
                s.created.as_ref().map(Into::into),
                s.last_modified.as_ref().map(Into::into),
            ),
            None => (None, None),
        }
    }
}

asset_object! {
    /// A job: one task of a flow, such as an Airflow task.
    DataJob as "DataJob" {
        urn: "The URN: `urn:li:dataJob:(<flow urn>,<job id>)`.",
        type: DataJob,
        editable: DataJobEditableProperties = "editableDataJobProperties",
    }
    /// The job's id within its flow, from the URN.
    async fn job_id(&self) -> Result<String> {
        key_part(&self.0, 1)
    }
    /// The flow the job belongs to, from the URN; null when mlcat holds nothing of it.
    async fn data_flow(&self, ctx: &Context<'_>) -> Result<Option<DataFlow>> {
        let Some(urn) = key_part(&self.0, 0).ok().and_then(|u| Urn::parse(&u).ok()) else {
            return Ok(None);
        };
        Ok(loaders::entity(ctx, &urn)
            .await?
            .filter(|r| !r.removed)
            .map(DataFlow))
    }
    /// What the job reads and writes, and its column-level lineage (`dataJobInputOutput`);
    /// null when none was written.
    async fn input_output(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Option<super::schema_field::DataJobInputOutputGql>> {
        super::schema_field::job_input_output(ctx, &self.0).await
    }
    /// What the job is, as ingested (`dataJobInfo`); null when none was written.
    async fn properties(&self, ctx: &Context<'_>) -> Result<Option<DataJobProperties>> {
        let stored: Option<JobOrFlowInfo> = aspect(ctx, &self.0, "dataJobInfo").await?;
        Ok(stored.map(|i| DataJobProperties {
            custom_properties: custom_properties(&self.0.urn, &i.custom_properties),
            name: i.name,
            description: i.description,
            external_url: i.external_url,
        }))
    }
}

asset_object! {
    /// A flow: a pipeline of jobs, such as an Airflow DAG.
    DataFlow as "DataFlow" {
        urn: "The URN: `urn:li:dataFlow:(<orchestrator>,<flow id>,<cluster>)`.",
        type: DataFlow,
        editable: DataFlowEditableProperties = "editableDataFlowProperties",
    }
    /// The orchestrator that runs the flow, such as `airflow`, from the URN.
    async fn orchestrator(&self) -> Result<String> {
        key_part(&self.0, 0)
    }
    /// The flow's id, from the URN.
    async fn flow_id(&self) -> Result<String> {
        key_part(&self.0, 1)
    }
    /// The cluster the flow runs in, from the URN.
    async fn cluster(&self) -> Result<String> {
        key_part(&self.0, 2)
    }
    /// The orchestrator as a data platform.
    async fn platform(&self) -> Result<DataPlatform> {
        platform_named(key_part(&self.0, 0))
    }
    /// What the flow is, as ingested (`dataFlowInfo`); null when none was written.
    async fn properties(&self, ctx: &Context<'_>) -> Result<Option<DataFlowProperties>> {
        let stored: Option<JobOrFlowInfo> = aspect(ctx, &self.0, "dataFlowInfo").await?;
        Ok(stored.map(|i| DataFlowProperties {
            custom_properties: custom_properties(&self.0.urn, &i.custom_properties),
            name: i.name,
            description: i.description,
            project: i.project,
            external_url: i.external_url,
        }))
    }
}

asset_object! {
    /// A chart of a BI tool.
    Chart as "Chart" {
        urn: "The URN: `urn:li:chart:(<tool>,<chart id>)`.",
        type: Chart,
        editable: ChartEditableProperties = "editableChartProperties",
    }
    /// The tool the chart lives in, such as `looker`, from the URN.
    async fn tool(&self) -> Result<String> {
        key_part(&self.0, 0)
    }
    /// The chart's id in its tool, from the URN.
    async fn chart_id(&self) -> Result<String> {
        key_part(&self.0, 1)
    }
    /// The tool as a data platform.
    async fn platform(&self) -> Result<DataPlatform> {
        platform_named(key_part(&self.0, 0))
    }
    /// What the chart is, as ingested (`chartInfo`); null when none was written.
    async fn properties(&self, ctx: &Context<'_>) -> Result<Option<ChartProperties>> {
        let stored: Option<ChartOrDashboardInfo> = aspect(ctx, &self.0, "chartInfo").await?;
        Ok(stored.map(|i| {
            let (created, last_modified) = i.stamps();
            ChartProperties {
                custom_properties: custom_properties(&self.0.urn, &i.custom_properties),
                external_url: i.external_url.or(i.chart_url),
                name: i.title,
                description: i.description,
                last_refreshed: i.last_refreshed.map(Long),
                created,
                last_modified,
            }
        }))
    }
    /// The schema fields the chart reads (`inputFields`); null when none were written.
    async fn input_fields(&self, ctx: &Context<'_>) -> Result<Option<InputFields>> {
        let stored: Option<InputFieldsAspect> = aspect(ctx, &self.0, "inputFields").await?;
        Ok(stored.map(|s| InputFields {
            fields: Some(
                s.fields
                    .into_iter()
                    .map(|f| {
                        Some(InputField {
                            schema_field: f
                                .schema_field
                                .map(|sf| schema_field(&self.0.urn, sf, f.schema_field_urn.as_deref())),
                            schema_field_urn: f.schema_field_urn,
                        })
                    })
                    .collect(),
            ),
        }))
    }
}

asset_object! {
    /// A dashboard of a BI tool.
    Dashboard as "Dashboard" {
        urn: "The URN: `urn:li:dashboard:(<tool>,<dashboard id>)`.",
        type: Dashboard,
        editable: DashboardEditableProperties = "editableDashboardProperties",
    }
    /// The tool the dashboard lives in, such as `looker`, from the URN.
    async fn tool(&self) -> Result<String> {
        key_part(&self.0, 0)
    }
    /// The dashboard's id in its tool, from the URN.
    async fn dashboard_id(&self) -> Result<String> {
        key_part(&self.0, 1)
    }
    /// The tool as a data platform.
    async fn platform(&self) -> Result<DataPlatform> {
        platform_named(key_part(&self.0, 0))
    }
    /// What the dashboard is, as ingested (`dashboardInfo`); null when none was written.
    async fn properties(&self, ctx: &Context<'_>) -> Result<Option<DashboardProperties>> {
        let stored: Option<ChartOrDashboardInfo> =
            aspect(ctx, &self.0, "dashboardInfo").await?;
        Ok(stored.map(|i| {
            let (created, last_modified) = i.stamps();
            DashboardProperties {
                custom_properties: custom_properties(&self.0.urn, &i.custom_properties),
                external_url: i.external_url.or(i.dashboard_url),
                name: i.title,
                description: i.description,
                last_refreshed: i.last_refreshed.map(Long),
                created,
                last_modified,
            }
        }))
    }
}

asset_object! {
    /// A data product: a set of assets a domain offers together.
    DataProduct as "DataProduct" {
        urn: "The URN: `urn:li:dataProduct:<id>`.",
        type: DataProduct,
    }
    /// What the product is (`dataProductProperties`); null when none was written.
    async fn properties(&self, ctx: &Context<'_>) -> Result<Option<DataProductProperties>> {
        let stored: Option<DataProductAspect> =
            aspect(ctx, &self.0, "dataProductProperties").await?;
        Ok(stored.map(|p| DataProductProperties {
            custom_properties: custom_properties(&self.0.urn, &p.custom_properties),
            name: p.name,
            description: p.description,
            external_url: p.external_url,
        }))
    }
}

/// The stored `documentInfo` aspect of a document.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct DocumentInfoAspect {
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    custom_properties: BTreeMap<String, String>,
    #[serde(default)]
    contents: Option<DocumentContentsAspect>,
    #[serde(default)]
    source: Option<DocumentSourceAspect>,
    #[serde(default)]
    status: Option<DocumentStatusAspect>,
    #[serde(default)]
    created: Option<TimeStamp>,
    #[serde(default)]
    last_modified: Option<TimeStamp>,
}

#[derive(Deserialize)]
struct DocumentContentsAspect {
    #[serde(default)]
    text: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct DocumentSourceAspect {
    #[serde(default)]
    source_type: String,
    #[serde(default)]
    external_url: Option<String>,
    #[serde(default)]
    external_id: Option<String>,
}

#[derive(Deserialize)]
struct DocumentStatusAspect {
    #[serde(default)]
    state: String,
}

/// What a document is (`documentInfo`).
#[derive(SimpleObject)]
#[graphql(name = "DocumentInfo")]
pub struct DocumentInfo {
    /// Its title.
    pub title: Option<String>,
    /// Free-form key-value properties.
    pub custom_properties: Option<Vec<CustomPropertiesEntry>>,
    /// Its text.
    pub contents: DocumentContents,
    /// Where it comes from; null for a document written in DataHub itself.
    pub source: Option<DocumentSource>,
    /// Whether it is published.
    pub status: Option<DocumentStatus>,
    /// When and by whom it was made.
    pub created: Option<AuditStamp>,
    /// When and by whom it last changed.
    pub last_modified: Option<AuditStamp>,
}

/// A document's text.
#[derive(SimpleObject)]
#[graphql(name = "DocumentContents")]
pub struct DocumentContents {
    /// The text.
    pub text: String,
}

/// Where a document comes from.
#[derive(SimpleObject)]
#[graphql(name = "DocumentSource")]
pub struct DocumentSource {
    /// `NATIVE` or `EXTERNAL`, as stored.
    pub source_type: String,
    /// Its address in the system it comes from.
    pub external_url: Option<String>,
    /// Its id in the system it comes from.
    pub external_id: Option<String>,
}

/// Whether a document is published.
#[derive(SimpleObject)]
#[graphql(name = "DocumentStatus")]
pub struct DocumentStatus {
    /// `PUBLISHED` or `UNPUBLISHED`, as stored.
    pub state: String,
}

asset_object! {
    /// A document: knowledge, a how-to or an FAQ kept in the catalog (`urn:li:document:<id>`),
    /// read from its `documentInfo`, `subTypes`, `dataPlatformInstance` and governance aspects.
    Document as "Document" {
        urn: "The URN: `urn:li:document:<id>`.",
        type: Document,
    }
    /// Its first sub-type (`subTypes.typeNames[0]`), such as `FAQ`; null when none.
    async fn sub_type(&self, ctx: &Context<'_>) -> Result<Option<String>> {
        let types = super::governance::sub_types(ctx, &self.0).await?;
        Ok(types
            .and_then(|t| t.type_names)
            .and_then(|n| n.into_iter().next()))
    }
    /// The platform it comes from (its `dataPlatformInstance` aspect); null when none is named.
    async fn platform(&self, ctx: &Context<'_>) -> Result<Option<DataPlatform>> {
        Ok(super::data_platform_instance::platform_of(ctx, &self.0)
            .await
            .ok())
    }
    /// What it is (`documentInfo`); null when none was written.
    async fn info(&self, ctx: &Context<'_>) -> Result<Option<DocumentInfo>> {
        let stored: Option<DocumentInfoAspect> = aspect(ctx, &self.0, "documentInfo").await?;
        Ok(stored.map(|d| DocumentInfo {
            custom_properties: custom_properties(&self.0.urn, &d.custom_properties),
            title: d.title,
            contents: DocumentContents {
                text: d.contents.map(|c| c.text).unwrap_or_default(),
            },
            source: d.source.map(|s| DocumentSource {
                source_type: s.source_type,
                external_url: s.external_url,
                external_id: s.external_id,
            }),
            status: d.status.map(|s| DocumentStatus { state: s.state }),
            created: d.created.as_ref().map(AuditStamp::from),
            last_modified: d.last_modified.as_ref().map(AuditStamp::from),
        }))
    }
}
