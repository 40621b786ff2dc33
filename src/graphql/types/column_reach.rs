//! The column questions, each one call: `MLModel.upstreamColumns` (which columns of which tables
//! reach a model) and `columnReach(column:, model:)` / `SchemaFieldEntity.reaches(model:)` (does a
//! column reach a feature of a model), each column answered with its dataset and the path the
//! walk took from it to the model.

use async_graphql::{Context, Result, SimpleObject};

use super::schema_field::SchemaFieldEntity;
use super::{Dataset, Entity};
use crate::catalog::{Catalog, ColumnPath, ColumnWalk, Edge, Error};
use crate::config::Limits;
use crate::graphql::lineage::LineageGraphEdge;
use crate::graphql::loaders;
use crate::graphql::scalars::Long;
use crate::urn::{EntityKind, Urn};

/// A column upstream of a model.
#[derive(SimpleObject)]
pub struct UpstreamColumn {
    /// The column.
    pub column: SchemaFieldEntity,
    /// The URN of the column's dataset.
    pub dataset_urn: String,
    /// The column's dataset; null when mlcat holds nothing of it but its columns.
    pub dataset: Option<Dataset>,
    /// The column's path in its dataset.
    pub field_path: String,
    /// Hops from the column to the model.
    pub degree: i32,
    /// The feature (or primary key) of the model the path goes through, nearest the column.
    pub feature: Option<Entity>,
    /// The edges from the column to the model, upstream first (one of the shortest paths).
    pub path: Vec<LineageGraphEdge>,
}

/// The columns upstream of a model.
#[derive(SimpleObject)]
pub struct UpstreamColumnsResult {
    /// How many columns are answered.
    pub total: i32,
    /// The columns, nearest the model first.
    pub columns: Vec<UpstreamColumn>,
    /// True when the depth or the budget cut the walk short: more columns may reach the model.
    pub truncated: bool,
}

/// Whether a column reaches a feature of a model.
#[derive(SimpleObject)]
pub struct ColumnReachResult {
    /// True when the column feeds a feature (or primary key) the model consumes, through any
    /// number of columns, within the walk's depth and budget.
    pub reaches: bool,
    /// The column asked about.
    pub column: SchemaFieldEntity,
    /// The model's URN.
    pub model: String,
    /// The feature (or primary key) of the model the column reaches; null when it reaches none.
    pub feature: Option<Entity>,
    /// The edges from the column to the model, upstream first; empty when it reaches none.
    pub path: Vec<LineageGraphEdge>,
    /// True when the walk was cut short by its depth or budget: a `reaches` of false then
    /// means "not within them", not "never".
    pub truncated: bool,
}

fn edge(e: &Edge) -> LineageGraphEdge {
    LineageGraphEdge {
        source: e.source.urn.clone(),
        target: e.destination.urn.clone(),
        relation: e.edge.relation.as_str().to_string(),
        created_on: Long(e.edge.created_at),
    }
}

/// The walk's bounds: `depth` defaults to the server's maximum (the questions ask for every
/// column however far up), `budget` to its default; both are checked against its limits.
fn walk(
    ctx: &Context<'_>,
    depth: Option<i32>,
    budget: Option<i32>,
    as_of: Option<Long>,
) -> Result<ColumnWalk> {
    let limits = ctx.data::<Limits>()?;
    let depth = depth.unwrap_or(limits.max_lineage_depth as i32);
    if depth < 1 || depth as u32 > limits.max_lineage_depth {
        return Err(Error::Invalid {
            field: "depth".into(),
            message: format!(
                "depth must be between 1 and the maximum lineage depth of {}",
                limits.max_lineage_depth
            ),
        }
        .into());
    }
    let budget = budget.unwrap_or(limits.default_lineage_budget as i32);
    if budget < 1 || budget as usize > limits.max_lineage_budget {
        return Err(Error::Invalid {
            field: "budget".into(),
            message: format!(
                "budget must be between 1 and the maximum lineage budget of {}",
                limits.max_lineage_budget
            ),
        }
        .into());
    }
    Ok(ColumnWalk {
        depth: depth as u32,
        budget: budget as usize,
        as_of: as_of.map(|t| t.0),
    })
}

/// `argument` parsed as a URN of `kind`, or an error naming the argument.
fn urn_argument(argument: &str, value: &str, kind: EntityKind) -> Result<Urn, Error> {
    let invalid = |message: String| Error::Invalid {
        field: argument.into(),
        message: format!("{argument}: {message}"),
    };
    let urn = Urn::parse(value).map_err(|e| invalid(e.to_string()))?;
    if let Some(reason) = urn.kind_mismatch(&[kind]) {
        return Err(invalid(reason));
    }
    Ok(urn)
}

async fn upstream_column(ctx: &Context<'_>, c: ColumnPath) -> Result<UpstreamColumn> {
    let dataset = loaders::entity(ctx, &c.field.dataset)
        .await?
        .filter(|r| r.kind == EntityKind::Dataset && !r.removed)
        .map(Dataset);
    Ok(UpstreamColumn {
        column: SchemaFieldEntity::from_urn(&c.column.urn),
        dataset_urn: c.field.dataset.to_string(),
        dataset,
        field_path: c.field.field_path,
        degree: c.degree as i32,
        feature: c.feature.and_then(Entity::from_row),
        path: c.path.iter().map(edge).collect(),
    })
}

/// `MLModel.upstreamColumns`.
pub async fn upstream_columns(
    ctx: &Context<'_>,
    model: &str,
    depth: Option<i32>,
    budget: Option<i32>,
    as_of: Option<Long>,
) -> Result<UpstreamColumnsResult> {
    let walk = walk(ctx, depth, budget, as_of)?;
    let model = urn_argument("model", model, EntityKind::MlModel)?;
    let found = ctx
        .data::<Catalog>()?
        .upstream_columns(&model, walk)
        .await?;
    let mut columns = Vec::with_capacity(found.columns.len());
    for c in found.columns {
        columns.push(upstream_column(ctx, c).await?);
    }
    Ok(UpstreamColumnsResult {
        total: columns.len() as i32,
        columns,
        truncated: found.truncated,
    })
}

/// `columnReach` and `SchemaFieldEntity.reaches`.
pub async fn column_reach(
    ctx: &Context<'_>,
    column: &str,
    model: &str,
    depth: Option<i32>,
    budget: Option<i32>,
    as_of: Option<Long>,
) -> Result<ColumnReachResult> {
    let walk = walk(ctx, depth, budget, as_of)?;
    let column_urn = urn_argument(
        "column",
        column,
        crate::catalog::aspects::schema_field_kind(),
    )?;
    let model_urn = urn_argument("model", model, EntityKind::MlModel)?;
    let reach = ctx
        .data::<Catalog>()?
        .column_reach(&column_urn, &model_urn, walk)
        .await?;
    let (feature, path) = match reach.reached {
        Some(c) => (
            c.feature.and_then(Entity::from_row),
            c.path.iter().map(edge).collect(),
        ),
        None => (None, Vec::new()),
    };
    Ok(ColumnReachResult {
        reaches: feature.is_some(),
        column: SchemaFieldEntity::from_urn(column_urn.as_str()),
        model: model_urn.to_string(),
        feature,
        path,
        truncated: reach.truncated,
    })
}
