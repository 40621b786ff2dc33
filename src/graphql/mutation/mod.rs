//! The mutation root. Every mutation is one call of the catalog's write path, so each is one
//! transaction; `upsert*` mutations patch the fields they are given and leave the others as
//! they were (one generic path, `upsert.rs`, with the inputs in `inputs.rs`), `replaceAspect`
//! replaces a whole aspect. This file holds the root and the other mutations' inputs and
//! results.

mod governance;
mod inputs;
mod publish;
mod runs;
mod upsert;
mod versions;
mod webhooks;

use async_graphql::{
    Context, InputObject, MaybeUndefined, MergedObject, Object, Result, SimpleObject,
};
use serde_json::Value;

use super::enums::RelationshipFieldGql;
use super::loaders;
use super::scalars::Long;
use super::types::{
    Dataset, MlFeature, MlFeatureTable, MlModel, MlModelDeployment, MlModelGroup, MlPrimaryKey,
};
use crate::auth::Access;
use crate::catalog::aspects::{editable_aspect_name, AspectSpec, EditableProperties, Status};
use crate::catalog::{
    describe, edit_info, field_description_edit, relationship_edit, Actor, AspectWrite, Catalog,
    Deadline, NewEntity,
};
use crate::catalog::{EntityRecord, Error};
use crate::urn::{EntityKind, Urn};
use inputs::{
    UpsertDatasetInput, UpsertMlFeatureInput, UpsertMlFeatureTableInput,
    UpsertMlModelDeploymentInput, UpsertMlModelGroupInput, UpsertMlModelInput,
    UpsertMlPrimaryKeyInput,
};
use upsert::{upsert, upsert_forced, urn_list};

/// The mutation root: mlcat's own mutations and DataHub's governance mutations.
#[derive(MergedObject, Default)]
pub struct Mutation(
    CoreMutation,
    governance::GovernanceMutation,
    governance::CreateMutation,
    runs::RunsMutation,
    publish::PublishMutation,
    versions::VersionMutation,
    webhooks::WebhookMutation,
);

/// mlcat's own mutations: upserts, relationship edits, whole aspects, descriptions, deletion.
#[derive(Default)]
pub struct CoreMutation;

/// Adds targets to, or removes them from, one relationship list of an entity.
#[derive(InputObject)]
pub struct RelationshipEditInput {
    /// The entity that declares the list (the feature table, the model, ...).
    pub urn: String,
    /// Which list.
    pub field: RelationshipFieldGql,
    /// The URNs to add or remove.
    pub targets: Vec<String>,
    /// Edit a published feature table's features or primary keys anyway (otherwise refused
    /// with CONFLICT while the table is published).
    pub force: Option<bool>,
}

/// The outcome of a relationship edit.
#[derive(SimpleObject)]
pub struct RelationshipEditResult {
    /// The entity edited.
    pub urn: String,
    /// The list edited.
    pub field: RelationshipFieldGql,
    /// The version of the aspect now latest.
    pub version: Long,
    /// False when nothing changed (adding what was there, removing what was not).
    pub changed: bool,
}

/// Replaces a whole aspect of an entity, as a DataHub UPSERT does.
#[derive(InputObject)]
pub struct ReplaceAspectInput {
    /// The entity's URN; the entity is created if it has no row yet.
    pub urn: String,
    /// The aspect name, such as `mlModelProperties`.
    pub aspect_name: String,
    /// The whole new value, as a JSON object in DataHub's shape.
    pub value: async_graphql::Json<Value>,
    /// Change a published feature table's features or primary keys anyway (otherwise refused
    /// with CONFLICT while the table is published).
    pub force: Option<bool>,
}

/// The outcome of an aspect write.
#[derive(SimpleObject)]
pub struct AspectWriteResult {
    /// The entity's URN.
    pub urn: String,
    /// The aspect written.
    pub aspect_name: String,
    /// The version now latest.
    pub version: Long,
    /// False when the value equalled the latest version, so no version was added.
    pub changed: bool,
}

/// Sets the description of an entity, or of a dataset's schema field, as a person edits it
/// (DataHub's input shape).
#[derive(InputObject)]
pub struct DescriptionUpdateInput {
    /// The new description.
    pub description: String,
    /// The URN of the entity to describe.
    pub resource_urn: String,
    /// With `subResource`: DATASET_FIELD, to describe a field of a dataset's schema.
    pub sub_resource_type: Option<governance::SubResourceType>,
    /// With `subResourceType`: the path of the schema field to describe.
    pub sub_resource: Option<String>,
    /// DataHub's note for a proposal. mlcat has no proposals: the edit is made at once and the
    /// note is not kept.
    pub proposal_note: Option<String>,
}

/// Soft-deletes or restores several entities at once (DataHub's input shape).
#[derive(InputObject)]
pub struct BatchUpdateSoftDeletedInput {
    /// The URNs of the entities.
    pub urns: Vec<String>,
    /// True to soft-delete, false to restore.
    pub deleted: bool,
}

async fn write_one(
    ctx: &Context<'_>,
    write: AspectWrite,
) -> Result<crate::catalog::Written, Error> {
    let catalog = ctx.data_unchecked::<Catalog>();
    let mut written = catalog
        .write_within(&writer(ctx)?, vec![write], ctx.data_opt::<Deadline>())
        .await?;
    written
        .pop()
        .ok_or_else(|| Error::Internal(anyhow::anyhow!("the write path returned nothing")))
}

async fn reload(ctx: &Context<'_>, urn: &Urn) -> Result<std::sync::Arc<EntityRecord>> {
    loaders::entity(ctx, urn)
        .await?
        .ok_or_else(|| Error::Internal(anyhow::anyhow!("{urn} vanished after its write")).into())
}

/// What can be written: upserts of each entity type, relationship edits, whole aspects,
/// descriptions, and soft deletion. Each mutation is one transaction, and needs a token that
/// allows writing when auth is on.
#[Object]
impl CoreMutation {
    /// Creates a feature or updates the fields given; answers the feature.
    #[graphql(name = "upsertMLFeature")]
    async fn upsert_ml_feature(
        &self,
        ctx: &Context<'_>,
        input: UpsertMlFeatureInput,
    ) -> Result<MlFeature> {
        upsert(ctx, input).await
    }

    /// Creates a primary key or updates the fields given; answers the key.
    #[graphql(name = "upsertMLPrimaryKey")]
    async fn upsert_ml_primary_key(
        &self,
        ctx: &Context<'_>,
        input: UpsertMlPrimaryKeyInput,
    ) -> Result<MlPrimaryKey> {
        upsert(ctx, input).await
    }

    /// Creates a feature table or updates the fields given; answers the table. While the table
    /// is published, a change of its features or primary keys is refused with CONFLICT unless
    /// `force` is true.
    #[graphql(name = "upsertMLFeatureTable")]
    async fn upsert_ml_feature_table(
        &self,
        ctx: &Context<'_>,
        input: UpsertMlFeatureTableInput,
        #[graphql(desc = "Change a published table's features or primary keys anyway.")]
        force: Option<bool>,
    ) -> Result<MlFeatureTable> {
        upsert_forced(ctx, input, force.unwrap_or(false)).await
    }

    /// Creates a model or updates the fields given; answers the model.
    #[graphql(name = "upsertMLModel")]
    async fn upsert_ml_model(
        &self,
        ctx: &Context<'_>,
        input: UpsertMlModelInput,
    ) -> Result<MlModel> {
        upsert(ctx, input).await
    }

    /// Creates a model group or updates the fields given; answers the group.
    #[graphql(name = "upsertMLModelGroup")]
    async fn upsert_ml_model_group(
        &self,
        ctx: &Context<'_>,
        input: UpsertMlModelGroupInput,
    ) -> Result<MlModelGroup> {
        upsert(ctx, input).await
    }

    /// Creates a dataset or updates the fields given; answers the dataset.
    async fn upsert_dataset(
        &self,
        ctx: &Context<'_>,
        input: UpsertDatasetInput,
    ) -> Result<Dataset> {
        upsert(ctx, input).await
    }

    /// Creates a model deployment or updates the fields given; answers the deployment.
    #[graphql(name = "upsertMLModelDeployment")]
    async fn upsert_ml_model_deployment(
        &self,
        ctx: &Context<'_>,
        input: UpsertMlModelDeploymentInput,
    ) -> Result<MlModelDeployment> {
        upsert(ctx, input).await
    }

    /// Adds targets to one relationship list of an entity, atomically: concurrent edits of the
    /// same list never lose each other. Adding a target already there changes nothing.
    async fn add_relationships(
        &self,
        ctx: &Context<'_>,
        input: RelationshipEditInput,
    ) -> Result<RelationshipEditResult> {
        edit_relationships(ctx, input, true).await
    }

    /// Removes targets from one relationship list of an entity, atomically. Removing a target
    /// that is not there changes nothing; the entity must exist.
    async fn remove_relationships(
        &self,
        ctx: &Context<'_>,
        input: RelationshipEditInput,
    ) -> Result<RelationshipEditResult> {
        edit_relationships(ctx, input, false).await
    }

    /// Replaces a whole aspect with the value given (every field not in it is gone), as a
    /// DataHub UPSERT does. Known aspects are validated; others are stored unchanged.
    async fn replace_aspect(
        &self,
        ctx: &Context<'_>,
        input: ReplaceAspectInput,
    ) -> Result<AspectWriteResult> {
        let urn = Urn::parse(&input.urn).map_err(Error::from)?;
        let written = write_one(
            ctx,
            AspectWrite::upsert(urn, &input.aspect_name, input.value.0)
                .forced(input.force.unwrap_or(false)),
        )
        .await?;
        Ok(AspectWriteResult {
            urn: written.urn.to_string(),
            aspect_name: written.aspect,
            version: Long(written.version),
            changed: written.changed,
        })
    }

    /// Sets the description a person edits (the entity's `editableProperties`), which then
    /// shows as its `description`; with `subResource`, the description of a dataset's schema
    /// field (in its `editableSchemaMetadata`). A tag, glossary term or node, or domain gets the
    /// description of its properties. The entity must exist.
    async fn update_description(
        &self,
        ctx: &Context<'_>,
        input: DescriptionUpdateInput,
    ) -> Result<bool> {
        let urn = Urn::parse(&input.resource_urn)
            .map_err(|e| Error::bad_input(format!("resourceUrn: {e}")))?;
        let description = input.description;
        let write = match (input.sub_resource_type, input.sub_resource) {
            (Some(governance::SubResourceType::DatasetField), Some(path)) => {
                let actor = writer(ctx)?;
                field_description_edit(urn, path, description, &actor.name)?
            }
            (Some(_), None) => {
                return Err(Error::bad_input(
                    "subResource: a subResourceType needs the subResource (a schema field's path)",
                )
                .into())
            }
            (None, Some(_)) => {
                return Err(Error::bad_input(
                    "subResourceType: a subResource needs its subResourceType (DATASET_FIELD)",
                )
                .into())
            }
            (None, None) => match editable_aspect_name(urn.kind()) {
                Some(aspect) => {
                    AspectWrite::patch(urn, aspect, move |p: &mut EditableProperties| {
                        p.description = Some(description);
                        Ok(())
                    })
                    .existing()
                }
                None if *urn.kind() == EntityKind::CorpGroup => {
                    let mut fields = serde_json::Map::new();
                    fields.insert("description".into(), description.into());
                    edit_info(urn, "corpGroupEditableInfo", fields)
                }
                None if NewEntity::info_aspect(urn.kind()).is_some() => describe(urn, description)?,
                None => {
                    return Err(Error::bad_input(format!(
                        "resourceUrn: a {} entity has no editable description",
                        urn.kind()
                    ))
                    .into())
                }
            },
        };
        write_one(ctx, write).await?;
        Ok(true)
    }

    /// Soft-deletes an entity: it leaves every list and relation, and its data and history are
    /// kept. `restoreEntity` brings it back.
    async fn soft_delete_entity(&self, ctx: &Context<'_>, urn: String) -> Result<bool> {
        set_removed(ctx, &[urn], true).await
    }

    /// Restores a soft-deleted entity.
    async fn restore_entity(&self, ctx: &Context<'_>, urn: String) -> Result<bool> {
        set_removed(ctx, &[urn], false).await
    }

    /// Soft-deletes or restores several entities in one transaction (DataHub's mutation).
    async fn batch_update_soft_deleted(
        &self,
        ctx: &Context<'_>,
        input: BatchUpdateSoftDeletedInput,
    ) -> Result<bool> {
        set_removed(ctx, &input.urns, input.deleted).await
    }
}

async fn edit_relationships(
    ctx: &Context<'_>,
    input: RelationshipEditInput,
    add: bool,
) -> Result<RelationshipEditResult> {
    let urn = Urn::parse(&input.urn).map_err(Error::from)?;
    let targets = urn_list("targets", MaybeUndefined::Value(input.targets))?
        .take()
        .unwrap_or_default();
    let actor = writer(ctx)?;
    let write = relationship_edit(input.field.into(), urn, targets, add, &actor.name)?
        .forced(input.force.unwrap_or(false));
    let written = write_one(ctx, write).await?;
    Ok(RelationshipEditResult {
        urn: written.urn.to_string(),
        field: input.field,
        version: Long(written.version),
        changed: written.changed,
    })
}

/// Who the request writes as (the token's name, or `anonymous` with auth off), once its token
/// is known to allow writing.
fn writer(ctx: &Context<'_>) -> Result<Actor, Error> {
    if let Some(access) = ctx.data_opt::<Access>() {
        access.require_write()?;
    }
    Ok(ctx
        .data_opt::<Actor>()
        .cloned()
        .unwrap_or_else(|| Actor::named("anonymous")))
}

async fn set_removed(ctx: &Context<'_>, urns: &[String], removed: bool) -> Result<bool> {
    let writes = urns
        .iter()
        .map(|u| {
            let urn = Urn::parse(u)?;
            Ok(
                AspectWrite::patch(urn, Status::NAME, move |s: &mut Status| {
                    s.removed = removed;
                    Ok(())
                })
                .existing(),
            )
        })
        .collect::<Result<Vec<_>, Error>>()?;
    let catalog = ctx.data_unchecked::<Catalog>();
    catalog
        .write_within(&writer(ctx)?, writes, ctx.data_opt::<Deadline>())
        .await?;
    Ok(true)
}
