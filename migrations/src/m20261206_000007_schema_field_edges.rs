//! The tags and glossary terms people give a dataset's schema fields (`editableSchemaMetadata`)
//! became edges from the dataset, under DataHub's names for them: `SchemaFieldTaggedWith` and
//! `SchemaFieldWithGlossaryTerm`. So a tag's `relationships` list the datasets whose fields carry
//! it, as they list what carries it itself. The write path derives them from every version
//! written from now on; this migration derives them from the latest versions stored, the way the
//! governance edges were (`m20261206_000005_governance_edges`). Down removes them.

use sea_orm_migration::prelude::*;
use serde_json::Value as Json;

use crate::m20261206_000005_governance_edges::{
    derive_all, each, remove_all, with, Derivation, Named,
};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261206_000007_schema_field_edges"
    }
}

const RELATIONS: &[&str] = &["SchemaFieldTaggedWith", "SchemaFieldWithGlossaryTerm"];

/// What the fields of an `editableSchemaMetadata` name.
fn named<'a>(_aspect: &str, value: &'a Json) -> Vec<Named<'a>> {
    let mut out = Vec::new();
    for field in each(value, "editableSchemaFieldInfo", None) {
        if let Some(tags) = field.get("globalTags") {
            out.extend(with(
                "SchemaFieldTaggedWith",
                &["tag"],
                each(tags, "tags", Some("tag")),
            ));
        }
        if let Some(terms) = field.get("glossaryTerms") {
            out.extend(with(
                "SchemaFieldWithGlossaryTerm",
                &["glossaryTerm"],
                each(terms, "terms", Some("urn")),
            ));
        }
    }
    out
}

const SCHEMA_FIELDS: Derivation = Derivation {
    relations: RELATIONS,
    aspects: &["editableSchemaMetadata"],
    carries: |_, owner| owner == "dataset",
    named,
};

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        derive_all(manager.get_connection(), &SCHEMA_FIELDS).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        remove_all(manager.get_connection(), RELATIONS).await
    }
}
