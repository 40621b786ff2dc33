//! `EditableSchemaMetadata`: what people edited about a dataset's schema fields (description,
//! tags, glossary terms), read from the dataset's `editableSchemaMetadata` aspect in DataHub's
//! shape. mlcat stores no ingested schema (`schemaMetadata`) of its own fields yet, so this is
//! the one view of a dataset's fields.

use async_graphql::{Context, Result, SimpleObject};
use serde::Deserialize;

use super::governance::{GlobalTags, GlobalTagsAspect, GlossaryTerms, GlossaryTermsAspect};
use crate::catalog::EntityRecord;
use crate::graphql::loaders::aspect;

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
