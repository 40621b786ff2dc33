//! Frozen feature tables: `publishFeatureTable` publishes a table as a version (its feature
//! list and primary keys then refuse edits without `force`), `unpublishFeatureTable` withdraws
//! it, and `recordModelFeatureTableVersions` records on a model the published versions of the
//! tables it consumed. The catalog does the work (`catalog/publish.rs`).

use async_graphql::{Context, Object, Result};

use super::{reload, writer};
use crate::catalog::{Catalog, Deadline, Error};
use crate::graphql::query::parse_urn;
use crate::graphql::types::{MlFeatureTable, MlModel};
use crate::urn::{EntityKind, Urn};

/// The mutations of published feature tables.
#[derive(Default)]
pub struct PublishMutation;

#[Object]
impl PublishMutation {
    /// Publishes a feature table as a version: while it is published, a write that changes
    /// its feature list or primary keys is refused with CONFLICT unless it says `force`, by
    /// every API. Publishing under the label it is published as already is a CONFLICT.
    async fn publish_feature_table(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The feature table's URN.")] urn: String,
        #[graphql(desc = "The version label, such as `v3` or `2024-11-01`.")] version: String,
    ) -> Result<MlFeatureTable> {
        let urn = parse_urn(&urn, EntityKind::MlFeatureTable)?;
        crate::catalog::aspects::check_label("version", &version)
            .map_err(|r| Error::bad_input(format!("{}: {}", r.field, r.reason)))?;
        let catalog = ctx.data_unchecked::<Catalog>();
        catalog
            .publish_feature_table(&writer(ctx)?, &urn, &version, ctx.data_opt::<Deadline>())
            .await?;
        Ok(MlFeatureTable(reload(ctx, &urn).await?))
    }

    /// Withdraws a feature table's publication, so its lists can be edited again; a table
    /// that is not published is left as it is. The table must exist.
    async fn unpublish_feature_table(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The feature table's URN.")] urn: String,
    ) -> Result<MlFeatureTable> {
        let urn = parse_urn(&urn, EntityKind::MlFeatureTable)?;
        let catalog = ctx.data_unchecked::<Catalog>();
        catalog
            .unpublish_feature_table(&writer(ctx)?, &urn, ctx.data_opt::<Deadline>())
            .await?;
        Ok(MlFeatureTable(reload(ctx, &urn).await?))
    }

    /// Records on a model the versions its feature tables are published as now (replacing
    /// what it recorded before); each table becomes lineage of the model (`Consumes`). A table
    /// that is not published is refused.
    #[graphql(name = "recordMLModelFeatureTableVersions")]
    async fn record_ml_model_feature_table_versions(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The model's URN.")] urn: String,
        #[graphql(desc = "The URNs of the published feature tables the model consumed.")]
        feature_tables: Vec<String>,
    ) -> Result<MlModel> {
        let urn = parse_urn(&urn, EntityKind::MlModel)?;
        let tables = feature_tables
            .iter()
            .enumerate()
            .map(|(i, t)| {
                Urn::parse(t).map_err(|e| Error::BadInput(format!("featureTables[{i}]: {e}")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let catalog = ctx.data_unchecked::<Catalog>();
        catalog
            .record_feature_table_versions(&writer(ctx)?, &urn, &tables, ctx.data_opt::<Deadline>())
            .await?;
        Ok(MlModel(reload(ctx, &urn).await?))
    }
}
