//! `forms`: DataHub's compliance forms assigned to an entity. mlcat has no forms, so `forms`
//! answers DataHub's empty shape (three empty lists) and says so; the types below exist so
//! that DataHub's UI can select into them, and are never built.

use async_graphql::{Enum, SimpleObject};

use super::structured_properties::StructuredPropertyEntity;
use super::{CorpUser, Ownership};
use crate::graphql::scalars::{EntityType, Long};

/// The forms of an entity. mlcat has no forms: every list is always empty.
#[derive(SimpleObject, Default)]
#[graphql(name = "Forms")]
pub struct Forms {
    /// Forms still to complete: always empty, mlcat has no forms.
    pub incomplete_forms: Vec<FormAssociation>,
    /// Forms completed: always empty, mlcat has no forms.
    pub completed_forms: Vec<FormAssociation>,
    /// Verifications granted by completed forms: always empty, mlcat has no forms.
    pub verifications: Vec<FormVerificationAssociation>,
}

/// A form assigned to an entity (mlcat has no forms; never answered).
#[derive(SimpleObject)]
#[graphql(name = "FormAssociation")]
pub struct FormAssociation {
    /// The entity the form is assigned to.
    pub associated_urn: String,
    /// Prompts still to answer.
    pub incomplete_prompts: Option<Vec<FormPromptAssociation>>,
    /// Prompts answered.
    pub completed_prompts: Option<Vec<FormPromptAssociation>>,
    /// The form.
    pub form: Form,
}

/// A verification granted by a completed form (mlcat has no forms; never answered).
#[derive(SimpleObject)]
#[graphql(name = "FormVerificationAssociation")]
pub struct FormVerificationAssociation {
    /// The form that granted it.
    pub form: Form,
    /// When and by whom.
    pub last_modified: Option<ResolvedAuditStamp>,
}

/// A form (mlcat has no forms; never answered).
#[derive(SimpleObject)]
#[graphql(name = "Form")]
pub struct Form {
    /// The form's URN.
    pub urn: String,
    /// Always `FORM`.
    #[graphql(name = "type")]
    pub entity_type: EntityType,
    /// What the form asks.
    pub info: FormInfo,
    /// Who owns the form.
    pub ownership: Option<Ownership>,
}

/// The kind of form.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(name = "FormType")]
pub enum FormType {
    /// A verification form.
    #[graphql(name = "VERIFICATION")]
    Verification,
    /// A documentation form.
    #[graphql(name = "COMPLETION")]
    Completion,
}

/// What a form asks (mlcat has no forms; never answered).
#[derive(SimpleObject)]
#[graphql(name = "FormInfo")]
pub struct FormInfo {
    /// The form's name.
    pub name: String,
    /// What the form is for.
    pub description: Option<String>,
    /// The kind of form.
    #[graphql(name = "type")]
    pub form_type: FormType,
    /// Its prompts.
    pub prompts: Vec<FormPrompt>,
    /// Who must fill it in.
    pub actors: FormActorAssignment,
}

/// The kind of a form's prompt.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(name = "FormPromptType")]
pub enum FormPromptType {
    /// Set a structured property.
    #[graphql(name = "STRUCTURED_PROPERTY")]
    StructuredProperty,
    /// Set a structured property of a schema field.
    #[graphql(name = "FIELDS_STRUCTURED_PROPERTY")]
    FieldsStructuredProperty,
}

/// A question of a form (mlcat has no forms; never answered).
#[derive(SimpleObject)]
#[graphql(name = "FormPrompt")]
pub struct FormPrompt {
    /// The prompt's id.
    pub id: String,
    /// The form it belongs to.
    pub form_urn: String,
    /// The question.
    pub title: String,
    /// More about it.
    pub description: Option<String>,
    /// The kind of prompt.
    #[graphql(name = "type")]
    pub prompt_type: FormPromptType,
    /// Whether it must be answered.
    pub required: bool,
    /// The structured property it sets.
    pub structured_property_params: Option<StructuredPropertyParams>,
}

/// The structured property a prompt sets (mlcat has no forms; never answered).
#[derive(SimpleObject)]
#[graphql(name = "StructuredPropertyParams")]
pub struct StructuredPropertyParams {
    /// The property.
    pub structured_property: StructuredPropertyEntity,
}

/// Who must fill in a form (mlcat has no forms; never answered).
#[derive(SimpleObject)]
#[graphql(name = "FormActorAssignment")]
pub struct FormActorAssignment {
    /// Whether the entity's owners must.
    pub owners: bool,
    /// Whether the caller must.
    pub is_assigned_to_me: bool,
}

/// A prompt answered or to answer on an entity (mlcat has no forms; never answered).
#[derive(SimpleObject)]
#[graphql(name = "FormPromptAssociation")]
pub struct FormPromptAssociation {
    /// The prompt's id.
    pub id: String,
    /// When and by whom it was last answered.
    pub last_modified: ResolvedAuditStamp,
    /// The schema fields answered.
    pub field_associations: Option<FormPromptFieldAssociations>,
}

/// The schema fields a prompt was answered for (mlcat has no forms; never answered).
#[derive(SimpleObject)]
#[graphql(name = "FormPromptFieldAssociations")]
pub struct FormPromptFieldAssociations {
    /// The fields answered.
    pub completed_field_prompts: Option<Vec<FieldFormPromptAssociation>>,
}

/// A schema field a prompt was answered for (mlcat has no forms; never answered).
#[derive(SimpleObject)]
#[graphql(name = "FieldFormPromptAssociation")]
pub struct FieldFormPromptAssociation {
    /// The field's path.
    pub field_path: String,
    /// When and by whom.
    pub last_modified: ResolvedAuditStamp,
}

/// When and by whom, with the user resolved (mlcat has no forms; never answered).
#[derive(SimpleObject)]
#[graphql(name = "ResolvedAuditStamp")]
pub struct ResolvedAuditStamp {
    /// When, in milliseconds since the epoch.
    pub time: Long,
    /// Who.
    pub actor: Option<CorpUser>,
}
