//! Version mutations: DataHub's `linkAssetVersion` and `unlinkAssetVersion`, and mlcat's
//! `moveVersionAlias` (an alias moved atomically, with an optional compare-and-set). Each is
//! one call of the catalog's version API (`catalog::versions`).

use async_graphql::{Context, InputObject, Object, Result};

use super::writer;
use crate::catalog::{Catalog, Error, LinkVersion};
use crate::graphql::scalars::Long;
use crate::graphql::types::versioning::{VersionAliasMove, VersionSet};
use crate::urn::Urn;

/// Version mutations, merged into the mutation root.
#[derive(Default)]
pub struct VersionMutation;

/// Input for linking a versioned entity to a version set (DataHub's shape).
#[derive(InputObject)]
pub struct LinkVersionInput {
    /// The version set: `urn:li:versionSet:(<id>,<entity type>)`; created by its first link.
    pub version_set: String,
    /// The entity (a model or dataset, of the set's entity type) to link.
    pub linked_entity: String,
    /// The version's label, unique within the set (a label the set has is CONFLICT).
    pub version: String,
    /// When the version was created in its source system, in milliseconds.
    pub source_timestamp: Option<Long>,
    /// Who created it in its source system (a user name or URN).
    pub source_creator: Option<String>,
    /// What the version is for.
    pub comment: Option<String>,
}

/// Input for unlinking a versioned entity from a version set (DataHub's shape).
#[derive(InputObject)]
pub struct UnlinkVersionInput {
    /// The version set.
    pub version_set: Option<String>,
    /// The entity to unlink.
    pub unlinked_entity: Option<String>,
}

/// Input for moving an alias of a version set.
#[derive(InputObject)]
pub struct MoveVersionAliasInput {
    /// The version set.
    pub version_set: String,
    /// The alias, such as `champion`.
    pub alias: String,
    /// The version to give it to; null removes the alias.
    pub version: Option<String>,
    /// Move it only if this version holds it now (compare-and-set); CONFLICT otherwise.
    pub expected_version: Option<String>,
    /// Move it only if no version holds it now; CONFLICT otherwise.
    pub expect_unheld: Option<bool>,
}

fn urn_at(field: &str, text: &str) -> Result<Urn, Error> {
    Urn::parse(text).map_err(|e| Error::bad_input(format!("input.{field}: {e}")))
}

fn required(field: &str, text: Option<String>) -> Result<String, Error> {
    text.ok_or_else(|| Error::bad_input(format!("input.{field} is required")))
}

#[Object]
impl VersionMutation {
    /// Links an entity to a version set as a version with a label, in one transaction: its
    /// `versionProperties` (sort id from the label, numbers in numeric order), and the set's
    /// latest version when it sorts last. A label the set has, or an entity that is a version
    /// of another set, is CONFLICT; an entity type the set does not hold is BAD_USER_INPUT.
    /// Linking an entity again with its label changes nothing. Answers the set.
    async fn link_asset_version(
        &self,
        ctx: &Context<'_>,
        input: LinkVersionInput,
    ) -> Result<Option<VersionSet>> {
        let set = urn_at("versionSet", &input.version_set)?;
        let entity = urn_at("linkedEntity", &input.linked_entity)?;
        let mut link = LinkVersion::new(set.clone(), entity, Some(input.version));
        link.comment = input.comment;
        link.source_time = input.source_timestamp.map(|t| t.0);
        link.source_creator = input.source_creator;
        let catalog = ctx.data_unchecked::<Catalog>();
        catalog.link_version(&writer(ctx)?, link).await?;
        Ok(Some(VersionSet(set.to_string())))
    }

    /// Unlinks an entity from its version set: its `versionProperties` is removed, the aliases
    /// it held are removed (in the alias history), and the latest version is the one that then
    /// sorts last. An entity that is not a version of the set is NOT_FOUND. Answers the set.
    async fn unlink_asset_version(
        &self,
        ctx: &Context<'_>,
        input: UnlinkVersionInput,
    ) -> Result<Option<VersionSet>> {
        let set = urn_at("versionSet", &required("versionSet", input.version_set)?)?;
        let entity = urn_at(
            "unlinkedEntity",
            &required("unlinkedEntity", input.unlinked_entity)?,
        )?;
        let catalog = ctx.data_unchecked::<Catalog>();
        catalog.unlink_version(&writer(ctx)?, &set, &entity).await?;
        Ok(Some(VersionSet(set.to_string())))
    }

    /// Moves an alias of a version set to one of its versions, or removes it (`version:
    /// null`), atomically: an alias names at most one version, and every move is kept in the
    /// set's alias history (`VersionSet.aliasHistory`, `VersionSet.aliases(asOf)`). With
    /// `expectedVersion` or `expectUnheld`, the move happens only if the alias is where the
    /// caller expects, else CONFLICT and nothing is written. A version of another set is
    /// BAD_USER_INPUT. Answers the move (`from` = `to` when it changed nothing).
    async fn move_version_alias(
        &self,
        ctx: &Context<'_>,
        input: MoveVersionAliasInput,
    ) -> Result<VersionAliasMove> {
        let set = urn_at("versionSet", &input.version_set)?;
        let to = input
            .version
            .as_deref()
            .map(|v| urn_at("version", v))
            .transpose()?;
        let expect = match (input.expected_version, input.expect_unheld) {
            (Some(_), Some(true)) => {
                return Err(Error::bad_input(
                    "input.expectedVersion and input.expectUnheld: give one or the other",
                )
                .into())
            }
            (Some(v), _) => Some(Some(urn_at("expectedVersion", &v)?)),
            (None, Some(true)) => Some(None),
            (None, _) => None,
        };
        let catalog = ctx.data_unchecked::<Catalog>();
        let moved = catalog
            .move_alias(&writer(ctx)?, &set, &input.alias, to.as_ref(), expect)
            .await?;
        Ok(moved.into())
    }
}
