//! A dataset's schema in DataHub's shape: `SchemaMetadata` (its fields, keys and platform
//! schema) from the stored `schemaMetadata` aspect, `EditableSchemaMetadata` (what people
//! edited about the fields: description, tags, glossary terms) from `editableSchemaMetadata`,
//! and the column-level pieces lineage and siblings name: `SchemaFieldEntity`,
//! `SchemaFieldRef`, `FineGrainedLineage` (from `upstreamLineage`) and `SiblingProperties`
//! (from `siblings`). All are read as stored: null where nothing was written.

use async_graphql::{Context, Enum, Object, Result, SimpleObject, Union};
use serde::Deserialize;

use super::entity::Row;
use super::governance::{GlobalTags, GlobalTagsAspect, GlossaryTerms, GlossaryTermsAspect};
use super::{Dataset, Entity};
use crate::catalog::aspects::schema_field_kind;
use crate::catalog::{EntityRecord, SchemaFieldUrn};
use crate::graphql::loaders::{self, aspect};
use crate::graphql::scalars::{EntityType, Long};
use crate::urn::{EntityKind, Urn};

/// The stored `editableSchemaMetadata` aspect.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct EditableSchemaMetadataAspect {
    #[serde(default)]
    editable_schema_field_info: Vec<FieldInfoAspect>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct FieldInfoAspect {
    field_path: String,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    global_tags: Option<GlobalTagsAspect>,
    #[serde(default)]
    glossary_terms: Option<GlossaryTermsAspect>,
}

/// What people edited about a dataset's schema fields.
#[derive(SimpleObject)]
pub struct EditableSchemaMetadata {
    /// The fields edited, in the order they were first edited.
    pub editable_schema_field_info: Vec<EditableSchemaFieldInfo>,
}

/// What people edited about one schema field.
#[derive(SimpleObject)]
pub struct EditableSchemaFieldInfo {
    /// The field's path (its flattened name), such as `user.address.zip`.
    pub field_path: String,
    /// The description people wrote.
    pub description: Option<String>,
    /// The tags attached to the field.
    #[graphql(deprecation = "Use `tags`")]
    pub global_tags: Option<GlobalTags>,
    /// The tags attached to the field.
    pub tags: Option<GlobalTags>,
    /// The glossary terms attached to the field.
    pub glossary_terms: Option<GlossaryTerms>,
}

/// `editableSchemaMetadata`: the dataset's aspect of that name; null when nobody edited a field.
pub async fn editable_schema_metadata(
    ctx: &Context<'_>,
    row: &EntityRecord,
) -> Result<Option<EditableSchemaMetadata>> {
    let stored: Option<EditableSchemaMetadataAspect> =
        aspect(ctx, row, "editableSchemaMetadata").await?;
    Ok(stored.map(|m| EditableSchemaMetadata {
        editable_schema_field_info: m
            .editable_schema_field_info
            .into_iter()
            .map(|f| EditableSchemaFieldInfo {
                global_tags: f.global_tags.clone().map(|t| t.answer(&row.urn)),
                tags: f.global_tags.map(|t| t.answer(&row.urn)),
                glossary_terms: f.glossary_terms.map(|t| t.answer(&row.urn)),
                field_path: f.field_path,
                description: f.description,
            })
            .collect(),
    }))
}

/// One field of the stored `schemaMetadata` aspect (also a chart's `inputFields` element).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SchemaFieldAspect {
    field_path: String,
    #[serde(default)]
    json_path: Option<String>,
    #[serde(default)]
    label: Option<String>,
    #[serde(default)]
    nullable: bool,
    #[serde(default)]
    description: Option<String>,
    #[serde(default, rename = "type")]
    data_type: Option<FieldTypeAspect>,
    #[serde(default)]
    native_data_type: Option<String>,
    #[serde(default)]
    recursive: bool,
    #[serde(default)]
    global_tags: Option<GlobalTagsAspect>,
    #[serde(default)]
    glossary_terms: Option<GlossaryTermsAspect>,
    #[serde(default)]
    is_part_of_key: Option<bool>,
    #[serde(default)]
    is_partitioning_key: Option<bool>,
}

/// `{"type": {"com.linkedin.schema.StringType": {}}}`: the type is the one key's last name.
#[derive(Deserialize)]
struct FieldTypeAspect {
    #[serde(rename = "type")]
    inner: serde_json::Map<String, serde_json::Value>,
}

/// The stored `schemaMetadata` aspect.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SchemaMetadataAspect {
    schema_name: String,
    platform: String,
    #[serde(default)]
    version: i64,
    #[serde(default)]
    created: Option<crate::catalog::aspects::TimeStamp>,
    #[serde(default)]
    hash: Option<String>,
    #[serde(default)]
    cluster: Option<String>,
    #[serde(default)]
    platform_schema: serde_json::Map<String, serde_json::Value>,
    #[serde(default)]
    fields: Vec<SchemaFieldAspect>,
    #[serde(default)]
    primary_keys: Option<Vec<String>>,
    #[serde(default)]
    foreign_keys: Option<Vec<ForeignKeyAspect>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ForeignKeyAspect {
    name: String,
    #[serde(default)]
    foreign_fields: Vec<String>,
    #[serde(default)]
    source_fields: Vec<String>,
    foreign_dataset: String,
}

/// The type of a schema field, as DataHub names it.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(name = "SchemaFieldDataType", rename_items = "SCREAMING_SNAKE_CASE")]
pub enum SchemaFieldDataType {
    /// True or false.
    Boolean,
    /// Fixed-length bytes.
    Fixed,
    /// Text.
    String,
    /// Bytes.
    Bytes,
    /// A number.
    Number,
    /// A date.
    Date,
    /// A time.
    Time,
    /// One of a set of values.
    Enum,
    /// Null.
    Null,
    /// A map.
    Map,
    /// An array.
    Array,
    /// One of several types.
    Union,
    /// A record of fields.
    Struct,
}

impl FieldTypeAspect {
    fn answer(&self) -> Option<SchemaFieldDataType> {
        use SchemaFieldDataType as T;
        let key = self.inner.keys().next()?;
        let name = key.rsplit('.').next().unwrap_or(key);
        Some(match name {
            "BooleanType" => T::Boolean,
            "FixedType" => T::Fixed,
            "StringType" => T::String,
            "BytesType" => T::Bytes,
            "NumberType" => T::Number,
            "DateType" => T::Date,
            "TimeType" => T::Time,
            "EnumType" => T::Enum,
            "NullType" => T::Null,
            "MapType" => T::Map,
            "ArrayType" => T::Array,
            "UnionType" => T::Union,
            "RecordType" => T::Struct,
            _ => return None,
        })
    }
}

/// One field (column) of a dataset's schema, as ingested.
#[derive(SimpleObject)]
pub struct SchemaField {
    /// The field's flattened path, such as `user.address.zip`.
    pub field_path: String,
    /// The field's JSON path, when the platform has one.
    pub json_path: Option<String>,
    /// A human-readable label.
    pub label: Option<String>,
    /// Whether the field may be null.
    pub nullable: bool,
    /// The ingested description.
    pub description: Option<String>,
    /// The field's type; null when the stored type is not one DataHub names.
    #[graphql(name = "type")]
    pub data_type: Option<SchemaFieldDataType>,
    /// The type as the platform names it.
    pub native_data_type: Option<String>,
    /// Whether the field refers to its own record type.
    pub recursive: bool,
    /// The tags ingestion attached to the field.
    pub global_tags: Option<GlobalTags>,
    /// The glossary terms ingestion attached to the field.
    pub glossary_terms: Option<GlossaryTerms>,
    /// Whether the field is part of the key.
    pub is_part_of_key: Option<bool>,
    /// Whether the field partitions the dataset.
    pub is_partitioning_key: Option<bool>,
    /// The field as an entity, `urn:li:schemaField:(<dataset urn>,<field path>)`.
    pub schema_field_entity: Option<SchemaFieldEntity>,
}

/// A stored field of dataset `dataset` as GraphQL answers it; `urn` is the field's URN when
/// the aspect gives one (a chart's input field), else it is made from the dataset and path.
pub(crate) fn schema_field(dataset: &str, f: SchemaFieldAspect, urn: Option<&str>) -> SchemaField {
    let urn = urn
        .map(str::to_string)
        .unwrap_or_else(|| format!("urn:li:schemaField:({dataset},{})", f.field_path));
    SchemaField {
        schema_field_entity: Some(SchemaFieldEntity {
            urn: urn.clone(),
            field_path: f.field_path.clone(),
        }),
        data_type: f.data_type.as_ref().and_then(FieldTypeAspect::answer),
        global_tags: f.global_tags.map(|t| t.answer(&urn)),
        glossary_terms: f.glossary_terms.map(|t| t.answer(&urn)),
        field_path: f.field_path,
        json_path: f.json_path,
        label: f.label,
        nullable: f.nullable,
        description: f.description,
        native_data_type: f.native_data_type,
        recursive: f.recursive,
        is_part_of_key: f.is_part_of_key,
        is_partitioning_key: f.is_partitioning_key,
    }
}

/// A schema field as an entity: what is attached to the field itself (structured properties).
pub struct SchemaFieldEntity {
    urn: String,
    field_path: String,
}

impl SchemaFieldEntity {
    /// The field a `urn:li:schemaField:(<dataset urn>,<field path>)` URN names.
    pub fn from_urn(urn: &str) -> SchemaFieldEntity {
        let field_path = super::data_assets::key_parts(urn)
            .and_then(|p| p.get(1..).map(|rest| rest.join(",")))
            .unwrap_or_default();
        SchemaFieldEntity {
            urn: urn.to_string(),
            field_path,
        }
    }

    async fn row(&self, ctx: &Context<'_>) -> Result<Option<Row>> {
        match Urn::parse(&self.urn) {
            Ok(urn) => loaders::entity(ctx, &urn).await,
            Err(_) => Ok(None),
        }
    }

    /// The dataset the URN names, when it names one.
    fn dataset_of(&self) -> Option<Urn> {
        let urn = Urn::parse(&self.urn).ok()?;
        SchemaFieldUrn::parse(&urn).ok().map(|f| f.dataset)
    }

    /// The dataset's row, when mlcat holds the dataset.
    async fn dataset_row(&self, ctx: &Context<'_>) -> Result<Option<Row>> {
        match self.dataset_of() {
            Some(urn) => loaders::entity(ctx, &urn).await,
            None => Ok(None),
        }
    }

    /// The field as its dataset's `schemaMetadata` describes it, and as people edited it.
    async fn described(
        &self,
        ctx: &Context<'_>,
    ) -> Result<(Option<SchemaFieldAspect>, Option<FieldInfoAspect>)> {
        let Some(row) = self.dataset_row(ctx).await? else {
            return Ok((None, None));
        };
        let (schema, edited): (
            Option<SchemaMetadataAspect>,
            Option<EditableSchemaMetadataAspect>,
        ) = loaders::aspect_pair(ctx, &row, "schemaMetadata", "editableSchemaMetadata").await?;
        let field = schema.and_then(|s| {
            s.fields
                .into_iter()
                .find(|f| f.field_path == self.field_path)
        });
        let edited = edited.and_then(|e| {
            e.editable_schema_field_info
                .into_iter()
                .find(|f| f.field_path == self.field_path)
        });
        Ok((field, edited))
    }
}

/// The dataset URNs among a feature's `sources` (the rest name columns).
pub(crate) fn datasets_of(sources: &[Urn]) -> Vec<Urn> {
    sources
        .iter()
        .filter(|u| *u.kind() == EntityKind::Dataset)
        .cloned()
        .collect()
}

/// The columns among a feature's `sources`, as entities.
pub(crate) fn columns_of(sources: &[Urn]) -> Vec<SchemaFieldEntity> {
    sources
        .iter()
        .filter(|u| *u.kind() == schema_field_kind())
        .map(|u| SchemaFieldEntity::from_urn(u.as_str()))
        .collect()
}

/// A schema field as an entity, `urn:li:schemaField:(<dataset urn>,<field path>)`.
#[Object(name = "SchemaFieldEntity")]
impl SchemaFieldEntity {
    /// The URN: `urn:li:schemaField:(<dataset urn>,<field path>)`.
    pub(crate) async fn urn(&self) -> String {
        self.urn.clone()
    }
    /// Always `SCHEMA_FIELD`.
    #[graphql(name = "type")]
    pub(crate) async fn entity_type(&self) -> EntityType {
        EntityType::SchemaField
    }
    /// The field's path in its dataset.
    async fn field_path(&self) -> &str {
        &self.field_path
    }
    /// The dataset the field belongs to; null when mlcat holds nothing of it.
    async fn parent(&self, ctx: &Context<'_>) -> Result<Option<Entity>> {
        Ok(self
            .dataset_row(ctx)
            .await?
            .filter(|r| !r.removed)
            .and_then(Entity::from_row))
    }
    /// mlcat: the URN of the dataset the field belongs to, from the field's URN; null when the
    /// URN names no dataset.
    async fn dataset_urn(&self) -> Option<String> {
        self.dataset_of().map(|u| u.to_string())
    }
    /// mlcat: the field as its dataset's `schemaMetadata` describes it (`type`,
    /// `nativeDataType`, `description`, `nullable`, ...); null when the dataset's schema does
    /// not list it.
    async fn schema_field(&self, ctx: &Context<'_>) -> Result<Option<SchemaField>> {
        let Some(dataset) = self.dataset_of() else {
            return Ok(None);
        };
        let (field, _) = self.described(ctx).await?;
        Ok(field.map(|f| schema_field(dataset.as_str(), f, Some(&self.urn))))
    }
    /// The field's description: what people wrote (`editableSchemaMetadata`), else what was
    /// ingested (`schemaMetadata`); null when neither has one.
    async fn description(&self, ctx: &Context<'_>) -> Result<Option<String>> {
        let (field, edited) = self.described(ctx).await?;
        Ok(edited
            .and_then(|e| e.description)
            .or_else(|| field.and_then(|f| f.description)))
    }
    /// The tags on the field: those people attached (`editableSchemaMetadata`) and those
    /// ingestion attached (`schemaMetadata`); null when it has none.
    async fn tags(&self, ctx: &Context<'_>) -> Result<Option<GlobalTags>> {
        let (field, edited) = self.described(ctx).await?;
        let mut tags = edited.and_then(|e| e.global_tags);
        if let Some(ingested) = field.and_then(|f| f.global_tags) {
            match &mut tags {
                Some(t) => t.merge(ingested),
                None => tags = Some(ingested),
            }
        }
        Ok(tags.map(|t| t.answer(&self.urn)))
    }
    /// The glossary terms on the field: those people attached and those ingestion attached;
    /// null when it has none.
    async fn glossary_terms(&self, ctx: &Context<'_>) -> Result<Option<GlossaryTerms>> {
        let (field, edited) = self.described(ctx).await?;
        let mut terms = edited.and_then(|e| e.glossary_terms);
        if let Some(ingested) = field.and_then(|f| f.glossary_terms) {
            match &mut terms {
                Some(t) => t.merge(ingested),
                None => terms = Some(ingested),
            }
        }
        Ok(terms.map(|t| t.answer(&self.urn)))
    }
    /// mlcat: whether this column reaches a feature (or primary key) of `model`, with the
    /// path from the column to the model: the model's upstream walk, within `depth` (the
    /// server's maximum when absent), `budget` (its default when absent) and as of `asOf`.
    #[graphql(complexity = "1 + crate::graphql::lineage::priced_walk(budget) * child_complexity")]
    async fn reaches(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The model's URN.")] model: String,
        #[graphql(desc = "Hops to walk up from the model.")] depth: Option<i32>,
        #[graphql(desc = "Most entities the walk may reach.")] budget: Option<i32>,
        #[graphql(desc = "The graph as it was at this time, in milliseconds.")] as_of: Option<Long>,
    ) -> Result<super::column_reach::ColumnReachResult> {
        super::column_reach::column_reach(ctx, &self.urn, &model, depth, budget, as_of).await
    }
    /// The structured properties attached to the field; null when none were written.
    async fn structured_properties(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Option<super::StructuredProperties>> {
        match self.row(ctx).await? {
            Some(row) => super::structured_properties::structured_properties(ctx, &row).await,
            None => Ok(None),
        }
    }
    /// DataHub's lineage of the field: one hop by default; mlcat adds `depth`, `types` and
    /// `asOf` to the input. Empty unless mlcat holds the field as an entity with edges.
    #[graphql(
        complexity = "1 + crate::graphql::lineage::priced_count(input.count) * child_complexity"
    )]
    pub(crate) async fn lineage(
        &self,
        ctx: &Context<'_>,
        input: crate::graphql::lineage::LineageInput,
    ) -> Result<crate::graphql::lineage::EntityLineageResult> {
        match Urn::parse(&self.urn) {
            Ok(urn) => crate::graphql::lineage::lineage_by_urn(ctx, &urn, input).await,
            Err(e) => Err(e.to_string().into()),
        }
    }
    /// DataHub's raw relationships of the field, by relation name and declaring side.
    #[graphql(
        complexity = "1 + crate::graphql::lineage::priced_count(input.count) * child_complexity"
    )]
    pub(crate) async fn relationships(
        &self,
        ctx: &Context<'_>,
        input: crate::graphql::lineage::RelationshipsInput,
    ) -> Result<crate::graphql::lineage::EntityRelationshipsResult> {
        match Urn::parse(&self.urn) {
            Ok(urn) => crate::graphql::lineage::relationships_by_urn(ctx, &urn, input).await,
            Err(e) => Err(e.to_string().into()),
        }
    }
}

/// A schema field named by lineage: its URN and path.
#[derive(SimpleObject)]
pub struct SchemaFieldRef {
    /// The field's URN.
    pub urn: String,
    /// The field's path in its dataset.
    pub path: String,
}

/// A key of another dataset that fields of this one refer to.
pub struct ForeignKeyConstraint(ForeignKeyAspect);

/// A foreign key: fields of this dataset that refer to fields of another.
#[Object(name = "ForeignKeyConstraint")]
impl ForeignKeyConstraint {
    /// The constraint's name.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// The fields referred to, in the other dataset.
    async fn foreign_fields(&self) -> Vec<Option<SchemaFieldEntity>> {
        self.0
            .foreign_fields
            .iter()
            .map(|u| Some(SchemaFieldEntity::from_urn(u)))
            .collect()
    }
    /// The fields of this dataset that refer.
    async fn source_fields(&self) -> Vec<Option<SchemaFieldEntity>> {
        self.0
            .source_fields
            .iter()
            .map(|u| Some(SchemaFieldEntity::from_urn(u)))
            .collect()
    }
    /// The dataset referred to; null when mlcat holds nothing of it.
    async fn foreign_dataset(&self, ctx: &Context<'_>) -> Result<Option<Dataset>> {
        let Ok(urn) = Urn::parse(&self.0.foreign_dataset) else {
            return Ok(None);
        };
        Ok(loaders::entity(ctx, &urn)
            .await?
            .filter(|r| r.kind == EntityKind::Dataset && !r.removed)
            .map(Dataset))
    }
}

/// A schema as one document (SQL DDL, an Avro or JSON schema, ...).
#[derive(SimpleObject)]
pub struct TableSchema {
    /// The schema's text.
    pub schema: String,
}

/// A schema in two parts, for the key and the value of a message (Kafka).
#[derive(SimpleObject)]
pub struct KeyValueSchema {
    /// The key's schema.
    pub key_schema: String,
    /// The value's schema.
    pub value_schema: String,
}

/// The schema as the platform writes it.
#[derive(Union)]
pub enum PlatformSchema {
    TableSchema(TableSchema),
    KeyValueSchema(KeyValueSchema),
}

/// The stored `platformSchema`, `{"com.linkedin.schema.<Kind>": {...}}`: a Kafka schema with a
/// key schema is a key-value schema; any other with a schema text is a table schema.
fn platform_schema(stored: &serde_json::Map<String, serde_json::Value>) -> Option<PlatformSchema> {
    let (_, inner) = stored.iter().next()?;
    let text = |k: &str| inner.get(k).and_then(|v| v.as_str()).map(str::to_string);
    if let (Some(key), Some(value)) = (text("keySchema"), text("documentSchema")) {
        return Some(PlatformSchema::KeyValueSchema(KeyValueSchema {
            key_schema: key,
            value_schema: value,
        }));
    }
    ["tableSchema", "documentSchema", "rawSchema", "schema"]
        .iter()
        .find_map(|k| text(k))
        .map(|schema| PlatformSchema::TableSchema(TableSchema { schema }))
}

/// A dataset's schema, as ingested (`schemaMetadata`).
#[derive(SimpleObject)]
pub struct SchemaMetadata {
    /// The version of the aspect read (0: the latest).
    pub aspect_version: Option<Long>,
    /// The dataset the schema describes.
    pub dataset_urn: Option<String>,
    /// The schema's name.
    pub name: String,
    /// The platform's URN.
    pub platform_urn: String,
    /// The schema's own version, as the platform numbers it.
    pub version: Long,
    /// When the schema was created, in milliseconds since the epoch.
    pub created_at: Option<Long>,
    /// A hash of the schema.
    pub hash: String,
    /// The cluster the schema is in.
    pub cluster: Option<String>,
    /// The schema as the platform writes it; null for a kind mlcat does not read.
    pub platform_schema: Option<PlatformSchema>,
    /// The fields, as stored.
    pub fields: Vec<SchemaField>,
    /// The paths of the primary key's fields.
    pub primary_keys: Option<Vec<String>>,
    /// The foreign keys.
    pub foreign_keys: Option<Vec<Option<ForeignKeyConstraint>>>,
}

/// `schemaMetadata(version)`: the dataset's stored `schemaMetadata` aspect. `version` 0 or
/// absent is the latest, the one version this field reads; any other answers null (earlier
/// versions are in `aspectHistory(aspectName: "schemaMetadata")`).
pub async fn schema_metadata(
    ctx: &Context<'_>,
    row: &EntityRecord,
    version: Option<Long>,
) -> Result<Option<SchemaMetadata>> {
    let stored: Option<SchemaMetadataAspect> = match version.map(|v| v.0) {
        None | Some(0) => aspect(ctx, row, "schemaMetadata").await?,
        Some(_) => None,
    };
    Ok(stored.map(|m| SchemaMetadata {
        aspect_version: Some(Long(0)),
        dataset_urn: Some(row.urn.clone()),
        platform_schema: platform_schema(&m.platform_schema),
        fields: m
            .fields
            .into_iter()
            .map(|f| schema_field(&row.urn, f, None))
            .collect(),
        name: m.schema_name,
        platform_urn: m.platform,
        version: Long(m.version),
        created_at: m.created.map(|c| Long(c.time)),
        hash: m.hash.unwrap_or_default(),
        cluster: m.cluster,
        primary_keys: m.primary_keys,
        foreign_keys: m.foreign_keys.map(|k| {
            k.into_iter()
                .map(|k| Some(ForeignKeyConstraint(k)))
                .collect()
        }),
    }))
}

/// The stored `upstreamLineage` aspect's column-level part.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct UpstreamLineageAspect {
    #[serde(default)]
    fine_grained_lineages: Option<Vec<FineGrainedAspect>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct FineGrainedAspect {
    #[serde(default)]
    upstreams: Option<Vec<String>>,
    #[serde(default)]
    downstreams: Option<Vec<String>>,
    #[serde(default)]
    query: Option<String>,
    #[serde(default)]
    transform_operation: Option<String>,
}

/// Which columns a dataset's columns come from.
#[derive(SimpleObject)]
pub struct FineGrainedLineage {
    /// The columns read.
    pub upstreams: Option<Vec<SchemaFieldRef>>,
    /// The columns written.
    pub downstreams: Option<Vec<SchemaFieldRef>>,
    /// The query that moved the data, as a URN.
    pub query: Option<String>,
    /// The transformation applied, as the source names it.
    pub transform_operation: Option<String>,
}

/// A schema field URN as a reference: the URN and the field path in it.
fn field_ref(urn: String) -> SchemaFieldRef {
    let path = SchemaFieldEntity::from_urn(&urn).field_path;
    SchemaFieldRef { urn, path }
}

/// `fineGrainedLineages`: the stored `upstreamLineage.fineGrainedLineages`; null when none.
pub async fn fine_grained_lineages(
    ctx: &Context<'_>,
    row: &EntityRecord,
) -> Result<Option<Vec<FineGrainedLineage>>> {
    let stored: Option<UpstreamLineageAspect> = aspect(ctx, row, "upstreamLineage").await?;
    let refs = |l: Option<Vec<String>>| l.map(|l| l.into_iter().map(field_ref).collect());
    Ok(stored.and_then(|s| s.fine_grained_lineages).map(|l| {
        l.into_iter()
            .map(|f| FineGrainedLineage {
                upstreams: refs(f.upstreams),
                downstreams: refs(f.downstreams),
                query: f.query,
                transform_operation: f.transform_operation,
            })
            .collect()
    }))
}

/// A job's inputs, outputs and column-level lineage, as its `dataJobInputOutput` names them.
#[derive(SimpleObject)]
#[graphql(name = "DataJobInputOutput")]
pub struct DataJobInputOutputGql {
    /// The datasets the job reads that mlcat holds (`inputDatasets` and `inputDatasetEdges`).
    pub input_datasets: Option<Vec<Dataset>>,
    /// The datasets the job writes that mlcat holds (`outputDatasets` and
    /// `outputDatasetEdges`).
    pub output_datasets: Option<Vec<Dataset>>,
    /// The jobs this one runs after that mlcat holds (`inputDatajobs` and
    /// `inputDatajobEdges`).
    pub input_datajobs: Option<Vec<super::DataJob>>,
    /// Which columns the job's output columns come from.
    pub fine_grained_lineages: Option<Vec<FineGrainedLineage>>,
}

/// `DataJob.inputOutput`: the job's stored `dataJobInputOutput`; null when none was written.
pub async fn job_input_output(
    ctx: &Context<'_>,
    row: &EntityRecord,
) -> Result<Option<DataJobInputOutputGql>> {
    let stored: Option<crate::catalog::aspects::DataJobInputOutput> =
        aspect(ctx, row, "dataJobInputOutput").await?;
    let Some(io) = stored else {
        return Ok(None);
    };
    let (inputs, outputs, jobs) = (io.inputs(), io.outputs(), io.upstream_jobs());
    let mut all: Vec<Urn> = inputs
        .iter()
        .chain(&outputs)
        .chain(&jobs)
        .cloned()
        .collect();
    all.dedup();
    let rows = loaders::related(ctx, &all).await?;
    let live = |urns: &[Urn], kind: &EntityKind| -> Vec<Row> {
        urns.iter()
            .filter_map(|u| rows.iter().find(|r| r.urn == u.as_str()))
            .filter(|r| r.kind == *kind && !r.removed)
            .cloned()
            .collect()
    };
    let job_kind = EntityKind::Other("dataJob".into());
    let refs = |l: &[Urn]| Some(l.iter().map(|u| field_ref(u.to_string())).collect());
    Ok(Some(DataJobInputOutputGql {
        input_datasets: Some(
            live(&inputs, &EntityKind::Dataset)
                .into_iter()
                .map(Dataset)
                .collect(),
        ),
        output_datasets: Some(
            live(&outputs, &EntityKind::Dataset)
                .into_iter()
                .map(Dataset)
                .collect(),
        ),
        input_datajobs: Some(
            live(&jobs, &job_kind)
                .into_iter()
                .map(super::DataJob)
                .collect(),
        ),
        fine_grained_lineages: io.fine_grained_lineages.map(|l| {
            l.iter()
                .map(|f| FineGrainedLineage {
                    upstreams: refs(f.upstreams()),
                    downstreams: refs(f.downstreams()),
                    query: f
                        .extra
                        .get("query")
                        .and_then(|q| q.as_str())
                        .map(str::to_string),
                    transform_operation: f.transform_operation.clone(),
                })
                .collect()
        }),
    }))
}

/// The stored `siblings` aspect.
#[derive(Deserialize)]
struct SiblingsAspect {
    #[serde(default)]
    siblings: Vec<String>,
    #[serde(default)]
    primary: Option<bool>,
}

/// The same data as seen by another platform (a dbt model and its warehouse table).
pub struct SiblingProperties(SiblingsAspect);

/// The entities that are the same data as this one on other platforms.
#[Object(name = "SiblingProperties")]
impl SiblingProperties {
    /// Whether this entity is the primary one of its siblings.
    async fn is_primary(&self) -> Option<bool> {
        self.0.primary
    }
    /// The siblings mlcat holds, in the order stored.
    async fn siblings(&self, ctx: &Context<'_>) -> Result<Option<Vec<Option<Entity>>>> {
        let urns: Vec<Urn> = self
            .0
            .siblings
            .iter()
            .filter_map(|u| Urn::parse(u).ok())
            .collect();
        Ok(Some(
            loaders::related(ctx, &urns)
                .await?
                .into_iter()
                .filter_map(Entity::from_row)
                .map(Some)
                .collect(),
        ))
    }
}

/// `siblings`: the stored `siblings` aspect; null when none was written.
pub async fn siblings(ctx: &Context<'_>, row: &EntityRecord) -> Result<Option<SiblingProperties>> {
    let stored: Option<SiblingsAspect> = aspect(ctx, row, "siblings").await?;
    Ok(stored.map(SiblingProperties))
}
