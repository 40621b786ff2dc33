//! `editableSchemaMetadata`: what people edited about a dataset's schema fields (a field's
//! description, tags and glossary terms), in DataHub's shape. Each field is named by its
//! `fieldPath`; the tags and terms it names are edges from the dataset (`SchemaFieldTaggedWith`,
//! `SchemaFieldWithGlossaryTerm`, as DataHub names them), so they get a row as an entity's own do.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{
    check_kind, downstream_of, AspectSpec, DeclaredEdge, GlobalTags, GlossaryTerms, Refused,
    Relation, TimeStamp,
};
use crate::urn::{EntityKind, Urn};

/// What people edited about one schema field.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EditableSchemaFieldInfo {
    pub field_path: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub global_tags: Option<GlobalTags>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub glossary_terms: Option<GlossaryTerms>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl EditableSchemaFieldInfo {
    /// A field with nothing edited yet.
    pub fn new(field_path: String) -> EditableSchemaFieldInfo {
        EditableSchemaFieldInfo {
            field_path,
            description: None,
            global_tags: None,
            glossary_terms: None,
            extra: Map::new(),
        }
    }
}

/// `editableSchemaMetadata` of a dataset: its fields as people edited them, with DataHub's
/// `created` and `lastModified` stamps.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EditableSchemaMetadata {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<TimeStamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_modified: Option<TimeStamp>,
    #[serde(default)]
    pub editable_schema_field_info: Vec<EditableSchemaFieldInfo>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl EditableSchemaMetadata {
    /// The field at `path`, added (with nothing edited) when it is not there yet.
    pub fn field_mut(&mut self, path: &str) -> &mut EditableSchemaFieldInfo {
        let at = match self
            .editable_schema_field_info
            .iter()
            .position(|f| f.field_path == path)
        {
            Some(at) => at,
            None => {
                self.editable_schema_field_info
                    .push(EditableSchemaFieldInfo::new(path.to_string()));
                self.editable_schema_field_info.len() - 1
            }
        };
        &mut self.editable_schema_field_info[at]
    }
}

impl AspectSpec for EditableSchemaMetadata {
    const NAME: &'static str = "editableSchemaMetadata";
    fn carried_by(kind: &EntityKind) -> bool {
        *kind == EntityKind::Dataset
    }
    fn check(&self, _: &Urn) -> Result<(), Refused> {
        for (i, f) in self.editable_schema_field_info.iter().enumerate() {
            let at = format!("editableSchemaFieldInfo[{i}]");
            if f.field_path.is_empty() {
                return Err(Refused {
                    field: format!("{at}.fieldPath"),
                    reason: "a field path must not be empty".into(),
                });
            }
            for (j, t) in f.global_tags.iter().flat_map(|g| &g.tags).enumerate() {
                check_kind(
                    || format!("{at}.globalTags.tags[{j}].tag"),
                    &t.tag,
                    &[EntityKind::Tag],
                )?;
            }
            for (j, t) in f.glossary_terms.iter().flat_map(|g| &g.terms).enumerate() {
                check_kind(
                    || format!("{at}.glossaryTerms.terms[{j}].urn"),
                    &t.urn,
                    &[EntityKind::GlossaryTerm],
                )?;
            }
        }
        Ok(())
    }
    fn edges(&self, owner: &Urn) -> Vec<DeclaredEdge> {
        // One edge per tag or term, however many fields carry it.
        let mut tags: Vec<Urn> = Vec::new();
        let mut terms: Vec<Urn> = Vec::new();
        for f in &self.editable_schema_field_info {
            for t in f.global_tags.iter().flat_map(|g| &g.tags) {
                if !tags.contains(&t.tag) {
                    tags.push(t.tag.clone());
                }
            }
            for t in f.glossary_terms.iter().flat_map(|g| &g.terms) {
                if !terms.contains(&t.urn) {
                    terms.push(t.urn.clone());
                }
            }
        }
        let mut edges = downstream_of(owner, Relation::SchemaFieldTaggedWith, &tags);
        edges.extend(downstream_of(
            owner,
            Relation::SchemaFieldWithGlossaryTerm,
            &terms,
        ));
        edges
    }
}
