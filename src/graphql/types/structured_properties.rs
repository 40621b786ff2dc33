//! `structuredProperties`: the typed properties an entity carries (its stored
//! `structuredProperties` aspect), each with the property's definition (the `propertyDefinition`
//! aspect of its `structuredProperty` entity), as DataHub's SDK writes them.

use async_graphql::{Context, Enum, Result, SimpleObject, Union};
use serde::Deserialize;

use super::Entity;
use crate::catalog::EntityRecord;
use crate::graphql::loaders::{self, aspect};
use crate::graphql::scalars::EntityType;
use crate::urn::{EntityKind, Urn};

/// The stored `structuredProperties` aspect.
#[derive(Deserialize)]
struct StructuredPropertiesAspect {
    #[serde(default)]
    properties: Vec<PropertyAssignment>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PropertyAssignment {
    property_urn: String,
    #[serde(default)]
    values: Vec<PrimitiveValue>,
}

/// A value as stored: `{"string": ...}` or `{"double": ...}`.
#[derive(Deserialize, Clone)]
struct PrimitiveValue {
    #[serde(default)]
    string: Option<String>,
    #[serde(default)]
    double: Option<f64>,
}

impl PrimitiveValue {
    fn to_gql(&self) -> Option<PropertyValue> {
        match (&self.string, self.double) {
            (Some(s), _) => Some(PropertyValue::StringValue(StringValue {
                string_value: s.clone(),
            })),
            (None, Some(n)) => Some(PropertyValue::NumberValue(NumberValue { number_value: n })),
            (None, None) => None,
        }
    }
}

/// The stored `propertyDefinition` aspect of a `structuredProperty` entity.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PropertyDefinitionAspect {
    qualified_name: String,
    #[serde(default)]
    display_name: Option<String>,
    value_type: String,
    #[serde(default)]
    cardinality: Option<String>,
    #[serde(default)]
    entity_types: Vec<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    allowed_values: Option<Vec<AllowedValueAspect>>,
    #[serde(default)]
    type_qualifier: Option<std::collections::BTreeMap<String, Vec<String>>>,
}

#[derive(Deserialize)]
struct AllowedValueAspect {
    value: PrimitiveValue,
    #[serde(default)]
    description: Option<String>,
}

/// The structured properties of an entity.
#[derive(SimpleObject)]
#[graphql(name = "StructuredProperties")]
pub struct StructuredProperties {
    /// The properties and their values.
    pub properties: Option<Vec<StructuredPropertiesEntry>>,
}

/// One structured property of an entity and its values.
#[derive(SimpleObject)]
#[graphql(name = "StructuredPropertiesEntry")]
pub struct StructuredPropertiesEntry {
    /// The property.
    pub structured_property: StructuredPropertyEntity,
    /// Its values on this entity.
    pub values: Vec<Option<PropertyValue>>,
    /// The entities the values name, for values that are URNs of entities mlcat knows.
    pub value_entities: Vec<Option<Entity>>,
    /// The URN of the entity that carries the property.
    pub associated_urn: String,
}

/// A value of a structured property.
#[derive(Union)]
#[graphql(name = "PropertyValue")]
pub enum PropertyValue {
    StringValue(StringValue),
    NumberValue(NumberValue),
}

/// A text value.
#[derive(SimpleObject)]
#[graphql(name = "StringValue")]
pub struct StringValue {
    /// The text.
    pub string_value: String,
}

/// A number value.
#[derive(SimpleObject)]
#[graphql(name = "NumberValue")]
pub struct NumberValue {
    /// The number.
    pub number_value: f64,
}

/// A structured property: a typed property that entities may carry.
#[derive(SimpleObject)]
#[graphql(name = "StructuredPropertyEntity")]
pub struct StructuredPropertyEntity {
    /// The URN: `urn:li:structuredProperty:<qualified name>`.
    pub urn: String,
    /// Always `STRUCTURED_PROPERTY`.
    #[graphql(name = "type")]
    pub entity_type: EntityType,
    /// The definition, as ingested (its `propertyDefinition` aspect); null when none was
    /// (DataHub always has one).
    pub definition: Option<StructuredPropertyDefinition>,
}

/// How many values a structured property takes.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(name = "PropertyCardinality")]
pub enum PropertyCardinality {
    /// One value.
    #[graphql(name = "SINGLE")]
    Single,
    /// Several values.
    #[graphql(name = "MULTIPLE")]
    Multiple,
}

/// What a structured property is.
#[derive(SimpleObject)]
#[graphql(name = "StructuredPropertyDefinition")]
pub struct StructuredPropertyDefinition {
    /// The fully qualified name, such as `io.acryl.privacy.retentionTime`.
    pub qualified_name: String,
    /// The name to show.
    pub display_name: Option<String>,
    /// What the property means.
    pub description: Option<String>,
    /// One value or several.
    pub cardinality: Option<PropertyCardinality>,
    /// The type of its values.
    pub value_type: DataTypeEntity,
    /// The entity types that may carry it (the ones mlcat knows).
    pub entity_types: Vec<EntityTypeEntity>,
    /// What a value of type URN may name.
    pub type_qualifier: Option<TypeQualifier>,
    /// The values allowed, when restricted.
    pub allowed_values: Option<Vec<AllowedValue>>,
}

/// What the URN values of a structured property may name.
#[derive(SimpleObject)]
#[graphql(name = "TypeQualifier")]
pub struct TypeQualifier {
    /// The entity types allowed (the ones mlcat knows).
    pub allowed_types: Option<Vec<EntityTypeEntity>>,
}

/// A value a structured property allows.
#[derive(SimpleObject)]
#[graphql(name = "AllowedValue")]
pub struct AllowedValue {
    /// The value.
    pub value: PropertyValue,
    /// What it means.
    pub description: Option<String>,
}

/// The type of a structured property's values, named by a `urn:li:dataType:datahub.<type>` URN.
#[derive(SimpleObject)]
#[graphql(name = "DataTypeEntity")]
pub struct DataTypeEntity {
    /// The URN, such as `urn:li:dataType:datahub.string`.
    pub urn: String,
    /// Always `DATA_TYPE`.
    #[graphql(name = "type")]
    pub entity_type: EntityType,
    /// The type, read from the URN.
    pub info: DataTypeInfo,
}

/// DataHub's standard value types.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(name = "StdDataType")]
pub enum StdDataType {
    /// Text.
    #[graphql(name = "STRING")]
    String,
    /// A number.
    #[graphql(name = "NUMBER")]
    Number,
    /// The URN of an entity.
    #[graphql(name = "URN")]
    Urn,
    /// Formatted text.
    #[graphql(name = "RICH_TEXT")]
    RichText,
    /// A date.
    #[graphql(name = "DATE")]
    Date,
    /// Any other type.
    #[graphql(name = "OTHER")]
    Other,
}

/// What a value type is.
#[derive(SimpleObject)]
#[graphql(name = "DataTypeInfo")]
pub struct DataTypeInfo {
    /// The standard type the URN names; `OTHER` for any other.
    #[graphql(name = "type")]
    pub data_type: StdDataType,
    /// The name to show: null, mlcat holds no data type entities.
    pub display_name: Option<String>,
}

/// An entity type, named by a `urn:li:entityType:datahub.<type>` URN.
#[derive(SimpleObject)]
#[graphql(name = "EntityTypeEntity")]
pub struct EntityTypeEntity {
    /// The URN, such as `urn:li:entityType:datahub.mlModel`.
    pub urn: String,
    /// Always `ENTITY_TYPE`.
    #[graphql(name = "type")]
    pub entity_type: EntityType,
    /// The entity type the URN names.
    pub info: EntityTypeInfo,
}

/// What an entity type is.
#[derive(SimpleObject)]
#[graphql(name = "EntityTypeInfo")]
pub struct EntityTypeInfo {
    /// The entity type.
    #[graphql(name = "type")]
    pub entity_type: EntityType,
    /// The name to show: null, mlcat holds no entity type entities.
    pub display_name: Option<String>,
}

fn data_type(urn: &str) -> DataTypeEntity {
    let data_type = match urn.strip_prefix("urn:li:dataType:datahub.") {
        Some("string") => StdDataType::String,
        Some("number") => StdDataType::Number,
        Some("urn") => StdDataType::Urn,
        Some("rich_text") => StdDataType::RichText,
        Some("date") => StdDataType::Date,
        _ => StdDataType::Other,
    };
    DataTypeEntity {
        urn: urn.to_string(),
        entity_type: EntityType::DataType,
        info: DataTypeInfo {
            data_type,
            display_name: None,
        },
    }
}

/// The entity type a `urn:li:entityType:datahub.<type>` URN names, when mlcat has it.
fn entity_type(urn: &str) -> Option<EntityTypeEntity> {
    let kind = EntityKind::parse(urn.strip_prefix("urn:li:entityType:datahub.")?);
    let gql = EntityType::from_kind(&kind)?;
    Some(EntityTypeEntity {
        urn: urn.to_string(),
        entity_type: EntityType::EntityType,
        info: EntityTypeInfo {
            entity_type: gql,
            display_name: None,
        },
    })
}

fn definition(d: PropertyDefinitionAspect) -> StructuredPropertyDefinition {
    StructuredPropertyDefinition {
        qualified_name: d.qualified_name,
        display_name: d.display_name,
        description: d.description,
        cardinality: match d.cardinality.as_deref() {
            Some("SINGLE") => Some(PropertyCardinality::Single),
            Some("MULTIPLE") => Some(PropertyCardinality::Multiple),
            _ => None,
        },
        value_type: data_type(&d.value_type),
        entity_types: d
            .entity_types
            .iter()
            .filter_map(|u| entity_type(u))
            .collect(),
        type_qualifier: d.type_qualifier.map(|q| TypeQualifier {
            allowed_types: q
                .get("allowedTypes")
                .map(|l| l.iter().filter_map(|u| entity_type(u)).collect()),
        }),
        allowed_values: d.allowed_values.map(|l| {
            l.into_iter()
                .filter_map(|a| {
                    Some(AllowedValue {
                        value: a.value.to_gql()?,
                        description: a.description,
                    })
                })
                .collect()
        }),
    }
}

/// `structuredProperties`: the stored assignments, each property's definition and the
/// entities its URN values name loaded through the loaders; null when none were written.
pub async fn structured_properties(
    ctx: &Context<'_>,
    row: &EntityRecord,
) -> Result<Option<StructuredProperties>> {
    let stored: Option<StructuredPropertiesAspect> =
        aspect(ctx, row, "structuredProperties").await?;
    let Some(stored) = stored else {
        return Ok(None);
    };
    let property_urns: Vec<Urn> = stored
        .properties
        .iter()
        .filter_map(|p| Urn::parse(&p.property_urn).ok())
        .collect();
    let value_urns: Vec<Urn> = stored
        .properties
        .iter()
        .flat_map(|p| p.values.iter())
        .filter_map(|v| v.string.as_deref().and_then(|s| Urn::parse(s).ok()))
        .collect();
    let properties = loaders::related(ctx, &property_urns).await?;
    let values = loaders::related(ctx, &value_urns).await?;
    let mut out = Vec::with_capacity(stored.properties.len());
    for p in stored.properties {
        let def = match properties.iter().find(|r| r.urn == p.property_urn) {
            Some(r) => aspect::<PropertyDefinitionAspect>(ctx, r, "propertyDefinition")
                .await?
                .map(definition),
            None => None,
        };
        let value_entities = p
            .values
            .iter()
            .filter_map(|v| v.string.as_deref())
            .filter_map(|s| values.iter().find(|r| r.urn == s))
            .map(|r| Entity::from_row(r.clone()))
            .collect();
        out.push(StructuredPropertiesEntry {
            structured_property: StructuredPropertyEntity {
                urn: p.property_urn,
                entity_type: EntityType::StructuredProperty,
                definition: def,
            },
            values: p.values.iter().map(PrimitiveValue::to_gql).collect(),
            value_entities,
            associated_urn: row.urn.clone(),
        });
    }
    Ok(Some(StructuredProperties {
        properties: Some(out),
    }))
}
