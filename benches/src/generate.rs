//! The catalog generator. Everything goes through the write path's bulk form,
//! `Catalog::write(&Actor, Vec<AspectWrite>)` with large batches of `AspectWrite::upsert`, so
//! the edges are derived by the server's own code, exactly as ingestion derives them.
//!
//! The shape, for `--models N` (defaults: N = 5,000, 200,000 entities, 1,000,000 edges):
//! - N/5 model groups of 5 versions each (an MLflow registered model and its versions);
//! - N models, each consuming 5 to 15 features, trained on 2 datasets, every other one deployed;
//! - 10·N features derived from 2 source datasets each, in feature tables of 20 with a key;
//! - N/5 prediction datasets produced by models;
//! - the rest datasets, in four layers (raw 5 %, staging 15 %, intermediate 30 %, marts 50 %),
//!   each non-raw dataset with upstreams so that the whole graph has about `--edges` edges.
//!   A fifth of the upstream picks go to a few hub tables (raw, Zipf-weighted: the first hub
//!   is the upstream of tens of thousands of datasets), most of the others to the layer just
//!   above, the rest to any earlier layer.
//!
//! - columns: every tenth feature is also derived from two columns (`c0`, `c1`) of its first
//!   source dataset, and each dataset on the chain of upstreams above that one, up to a raw
//!   table, has column lineage (`fineGrainedLineages`) copying `c0` and `c1` from one upstream:
//!   one in the layer just above where it has one, else its first, so that most chains go layer
//!   by layer, a column-level path of depth 5 from a raw column to a model
//!   (raw → staging → intermediate → mart → feature → model). Written as a second version of
//!   those datasets' `upstreamLineage` and features' `mlFeatureProperties`; everything else is
//!   as before.
//!
//! The generator is seeded: the same arguments give the same catalog.

use std::collections::HashSet;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use futures_util::stream::{self, StreamExt, TryStreamExt};
use migration::{Migrator, MigratorTrait};
use mlcat::catalog::{Actor, AspectWrite, Catalog};
use mlcat::urn::Urn;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};
use serde_json::{json, Value};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// An empty database: `sqlite://FILE` or `postgres://USER@HOST/DB`.
    #[arg(long)]
    database_url: String,
    /// Models (versions); groups, features, tables and deployments scale with it.
    #[arg(long, default_value_t = 5_000)]
    models: usize,
    /// Entities in all (datasets fill what the ML entities leave).
    #[arg(long, default_value_t = 200_000)]
    entities: usize,
    /// Edges in all, about.
    #[arg(long, default_value_t = 1_000_000)]
    edges: usize,
    /// Hub tables with very wide fan-out.
    #[arg(long, default_value_t = 20)]
    hubs: usize,
    /// Aspect writes per `Catalog::write` call (one transaction each).
    #[arg(long, default_value_t = 1_000)]
    batch: usize,
    /// Concurrent write calls: 1 on SQLite (one writer at a time anyway), 3 on PostgreSQL.
    #[arg(long)]
    concurrency: Option<usize>,
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Where to write the manifest (JSON) of the generated catalog.
    #[arg(long)]
    manifest: PathBuf,
}

/// How many of each.
#[derive(Debug)]
struct Plan {
    models: usize,
    groups: usize,
    deployments: usize,
    features: usize,
    tables: usize,
    predictions: usize,
    /// Dataset index ranges of the four layers: `[start, end)`.
    layers: [(usize, usize); 4],
    hubs: usize,
    /// Mean upstreams of a non-raw dataset.
    upstreams_per_dataset: f64,
}

const MODELS_PER_GROUP: usize = 5;
const FEATURES_PER_MODEL: usize = 10;
const FEATURES_PER_TABLE: usize = 20;
const HUB_SHARE: f64 = 0.2;
const PREVIOUS_LAYER_SHARE: f64 = 0.7;
const PLATFORMS: usize = 6;
/// Every this many features, one is derived from columns too.
const COLUMN_FEATURE_EVERY: usize = 10;
/// The columns a columned dataset copies from its first upstream.
const COLUMNS: [&str; 2] = ["c0", "c1"];

impl Plan {
    fn new(a: &Args) -> Result<Plan> {
        let models = a.models.max(1);
        let groups = models.div_ceil(MODELS_PER_GROUP);
        let deployments = models.div_ceil(2);
        let features = FEATURES_PER_MODEL * models;
        let tables = features.div_ceil(FEATURES_PER_TABLE);
        let keys = tables;
        let predictions = (models / 5).max(1);
        let ml = groups + models + deployments + features + tables + keys + PLATFORMS;
        let datasets = a.entities.saturating_sub(ml + predictions);
        let hubs = a.hubs.max(1);
        if datasets < 20 * (hubs + 1) {
            bail!(
                "{} entities leave only {datasets} datasets for {models} models: ask for more entities or fewer models",
                a.entities
            );
        }
        let l0 = (datasets * 5 / 100).max(hubs + 1);
        let l1 = datasets * 15 / 100;
        let l2 = datasets * 30 / 100;
        let layers = [
            (0, l0),
            (l0, l0 + l1),
            (l0 + l1, l0 + l1 + l2),
            (l0 + l1 + l2, datasets),
        ];
        let fixed = models // MemberOf
            + deployments // DeployedTo
            + FEATURES_PER_MODEL * models // Consumes
            + 2 * models // TrainedOn
            + features // Contains
            + keys // KeyedBy
            + 2 * features // DerivedFrom (features)
            + keys // DerivedFrom (keys)
            + predictions; // Produces
        let downstream = a.edges.saturating_sub(fixed).max(datasets - l0);
        Ok(Plan {
            models,
            groups,
            deployments,
            features,
            tables,
            predictions,
            layers,
            hubs,
            upstreams_per_dataset: downstream as f64 / (datasets - l0) as f64,
        })
    }

    fn datasets(&self) -> usize {
        self.layers[3].1
    }

    fn layer_of(&self, i: usize) -> usize {
        self.layers
            .iter()
            .position(|&(s, e)| i >= s && i < e)
            .unwrap_or(3)
    }
}

fn urn(s: &str) -> Result<Urn> {
    Urn::parse(s).with_context(|| format!("generated URN {s}"))
}

fn dataset_urn(plan: &Plan, i: usize) -> String {
    let layer = plan.layer_of(i);
    let platform = match layer {
        0 => "s3",
        1 | 2 => "hive",
        _ => "snowflake",
    };
    if i < plan.hubs {
        format!("urn:li:dataset:(urn:li:dataPlatform:{platform},raw.hub_{i:02},PROD)")
    } else {
        format!("urn:li:dataset:(urn:li:dataPlatform:{platform},l{layer}.table_{i:06},PROD)")
    }
}

fn column_urn(dataset: &str, column: &str) -> String {
    format!("urn:li:schemaField:({dataset},{column})")
}

fn table_name(t: usize) -> String {
    format!("table_{t:05}")
}

fn feature_urn(f: usize) -> String {
    format!(
        "urn:li:mlFeature:({},feature_{f:06})",
        table_name(f / FEATURES_PER_TABLE)
    )
}

fn key_urn(t: usize) -> String {
    format!("urn:li:mlPrimaryKey:({},key_{t:05})", table_name(t))
}

fn table_urn(t: usize) -> String {
    format!(
        "urn:li:mlFeatureTable:(urn:li:dataPlatform:feast,{})",
        table_name(t)
    )
}

/// Registered-model name of group `g`, as MLflow is loaded with it too.
pub fn group_name(g: usize) -> String {
    format!("group_{g:05}")
}

fn group_urn(g: usize) -> String {
    format!(
        "urn:li:mlModelGroup:(urn:li:dataPlatform:mlflow,{},PROD)",
        group_name(g)
    )
}

fn model_urn(m: usize) -> String {
    format!(
        "urn:li:mlModel:(urn:li:dataPlatform:mlflow,{}_v{},PROD)",
        group_name(m / MODELS_PER_GROUP),
        m % MODELS_PER_GROUP + 1
    )
}

fn deployment_urn(d: usize) -> String {
    format!("urn:li:mlModelDeployment:(urn:li:dataPlatform:sagemaker,endpoint_{d:05},PROD)")
}

fn prediction_urn(p: usize) -> String {
    format!("urn:li:dataset:(urn:li:dataPlatform:hive,predictions.batch_{p:05},PROD)")
}

const STAMP: i64 = 1_767_225_600_000; // 2026-01-01

fn stamp() -> Value {
    json!({"time": STAMP, "actor": "urn:li:corpuser:bench"})
}

/// Draws hubs with weight 1/(rank+1).
struct Zipf {
    cumulative: Vec<f64>,
}

impl Zipf {
    fn new(n: usize) -> Zipf {
        let mut total = 0.0;
        let cumulative = (0..n)
            .map(|i| {
                total += 1.0 / (i as f64 + 1.0);
                total
            })
            .collect();
        Zipf { cumulative }
    }

    fn sample(&self, rng: &mut StdRng) -> usize {
        let total = self.cumulative.last().copied().unwrap_or(1.0);
        let x = rng.gen::<f64>() * total;
        self.cumulative
            .partition_point(|&c| c < x)
            .min(self.cumulative.len() - 1)
    }
}

type Item = (Urn, &'static str, Value);

pub async fn run(args: Args) -> Result<()> {
    let plan = Plan::new(&args)?;
    eprintln!("plan: {plan:?}");
    let db = mlcat::store::connect(&args.database_url)
        .await
        .with_context(|| format!("opening {}", args.database_url))?;
    Migrator::up(&db, None).await.context("migrating")?;
    if count(&db, "SELECT COUNT(*) AS n FROM entity").await? > 0 {
        bail!(
            "{} is not empty: the generator fills an empty catalog",
            args.database_url
        );
    }
    let sqlite = mlcat::store::is_sqlite(&db);
    let concurrency = args.concurrency.unwrap_or(if sqlite { 1 } else { 3 });
    let catalog = Catalog::new(db.clone());
    let mut rng = StdRng::seed_from_u64(args.seed);
    let zipf = Zipf::new(plan.hubs);
    let n_datasets = plan.datasets();
    // Downstream edges leaving each dataset, to pick ordinary (non-hub, non-leaf) nodes.
    let mut fanout = vec![0u32; n_datasets];
    let started = Instant::now();
    let mut written = 0usize;
    let writer = Writer {
        catalog: &catalog,
        batch: args.batch.max(1),
        concurrency,
    };

    // Raw datasets: their properties (they declare no upstreams).
    let mut items = Vec::new();
    for i in 0..plan.layers[0].1 {
        items.push((
            urn(&dataset_urn(&plan, i))?,
            "datasetProperties",
            json!({
                "name": format!("raw_{i}"),
                "description": if i < plan.hubs { "A hub table: a great many tables are built from it" } else { "Raw landing table" },
                "customProperties": {"layer": "raw"},
                "created": stamp(),
            }),
        ));
    }
    written += writer.phase("raw datasets", items).await?;

    // Datasets of the other layers, each with its upstreams; each one's upstreams are kept for
    // the column lineage written later.
    let mut upstreams_of: Vec<Vec<usize>> = vec![Vec::new(); n_datasets];
    let hi = (2.0 * plan.upstreams_per_dataset - 1.0).round().max(1.0) as usize;
    for layer in 1..4 {
        let (start, end) = plan.layers[layer];
        let (prev_start, prev_end) = plan.layers[layer - 1];
        let mut items = Vec::with_capacity(end - start);
        for (i, kept) in upstreams_of.iter_mut().enumerate().take(end).skip(start) {
            let want = rng.gen_range(1..=hi);
            let mut picks: Vec<usize> = Vec::with_capacity(want);
            let mut seen = HashSet::with_capacity(want);
            let mut tries = 0;
            while picks.len() < want && tries < want * 4 {
                tries += 1;
                let r: f64 = rng.gen();
                let j = if r < HUB_SHARE {
                    zipf.sample(&mut rng)
                } else if r < HUB_SHARE + (1.0 - HUB_SHARE) * PREVIOUS_LAYER_SHARE {
                    rng.gen_range(prev_start..prev_end)
                } else {
                    rng.gen_range(0..start)
                };
                if seen.insert(j) {
                    picks.push(j);
                }
            }
            let upstreams: Vec<Value> = picks
                .iter()
                .map(|&j| {
                    fanout[j] += 1;
                    json!({"dataset": dataset_urn(&plan, j), "type": "TRANSFORMED", "auditStamp": stamp()})
                })
                .collect();
            *kept = picks;
            items.push((
                urn(&dataset_urn(&plan, i))?,
                "upstreamLineage",
                json!({ "upstreams": upstreams }),
            ));
        }
        written += writer
            .phase(&format!("layer {layer} datasets"), items)
            .await?;
    }

    let (marts_start, marts_end) = plan.layers[3];
    let popular_end = marts_start + ((marts_end - marts_start) / 100).max(1);
    let mart = |rng: &mut StdRng| {
        if rng.gen::<f64>() < 0.1 {
            rng.gen_range(marts_start..popular_end)
        } else {
            rng.gen_range(marts_start..marts_end)
        }
    };

    let mut items = Vec::new();
    for g in 0..plan.groups {
        items.push((
            urn(&group_urn(g))?,
            "mlModelGroupProperties",
            json!({
                "name": group_name(g),
                "description": format!("Registered model {g}: every version of one model"),
                "created": stamp(),
                "customProperties": {"team": format!("team_{}", g % 17)},
            }),
        ));
    }
    for d in 0..plan.deployments {
        items.push((
            urn(&deployment_urn(d))?,
            "mlModelDeploymentProperties",
            json!({
                "description": format!("Endpoint {d}"),
                "status": "IN_SERVICE",
                "createdAt": STAMP,
                "customProperties": {"instanceType": "ml.m5.large"},
            }),
        ));
    }
    let (staging_start, staging_end) = plan.layers[2];
    for t in 0..plan.tables {
        let source = rng.gen_range(staging_start..staging_end);
        fanout[source] += 1;
        items.push((
            urn(&key_urn(t))?,
            "mlPrimaryKeyProperties",
            json!({
                "description": "Entity key",
                "dataType": "NOMINAL",
                "sources": [dataset_urn(&plan, source)],
                "customProperties": {},
            }),
        ));
    }
    written += writer
        .phase("groups, deployments and primary keys", items)
        .await?;

    const TYPES: [&str; 4] = ["CONTINUOUS", "NOMINAL", "COUNT", "BINARY"];
    let mut items = Vec::with_capacity(plan.features);
    // The features also derived from columns: (feature, its first source, its properties).
    let mut column_features = Vec::new();
    for f in 0..plan.features {
        let a = mart(&mut rng);
        let mut b = mart(&mut rng);
        while b == a {
            b = mart(&mut rng);
        }
        fanout[a] += 1;
        fanout[b] += 1;
        let value = json!({
            "description": format!("Feature {f}"),
            "dataType": TYPES[f % TYPES.len()],
            "version": {"versionTag": "1"},
            "sources": [dataset_urn(&plan, a), dataset_urn(&plan, b)],
            "customProperties": {"owner": format!("team_{}", f % 17)},
        });
        if f % COLUMN_FEATURE_EVERY == 0 {
            column_features.push((f, a, value.clone()));
        }
        items.push((urn(&feature_urn(f))?, "mlFeatureProperties", value));
    }
    written += writer.phase("features", items).await?;

    // Columns: every tenth feature is also derived from two columns of its first source, and
    // the chain of first upstreams above that source copies the columns down from a raw table.
    let mut columned = vec![false; n_datasets];
    // The upstream a columned dataset copies its columns from: one in the layer just above when
    // it has one (a chain of first upstreams often jumps to a raw hub, which makes the path
    // shorter than the five hops the scenario walks), else its first.
    let column_parent = |i: usize| -> Option<usize> {
        let ups = &upstreams_of[i];
        let above = plan.layer_of(i).checked_sub(1);
        ups.iter()
            .copied()
            .find(|&j| Some(plan.layer_of(j)) == above)
            .or_else(|| ups.first().copied())
    };
    let mut items = Vec::new();
    for (f, a, mut value) in column_features {
        let source = dataset_urn(&plan, a);
        if let Some(list) = value["sources"].as_array_mut() {
            list.extend(COLUMNS.iter().map(|c| json!(column_urn(&source, c))));
        }
        items.push((urn(&feature_urn(f))?, "mlFeatureProperties", value));
        let mut at = a;
        while at >= plan.layers[0].1 && !columned[at] {
            columned[at] = true;
            match column_parent(at) {
                Some(up) => at = up,
                None => break,
            }
        }
    }
    let mut column_starts = Vec::new();
    for (i, on) in columned.iter().enumerate() {
        if !on {
            continue;
        }
        let Some(up) = column_parent(i) else {
            continue;
        };
        let (from, to) = (dataset_urn(&plan, up), dataset_urn(&plan, i));
        if up < plan.layers[0].1 && column_starts.len() < 50 {
            column_starts.push(column_urn(&from, COLUMNS[0]));
        }
        let upstreams: Vec<Value> = upstreams_of[i]
            .iter()
            .map(|&j| json!({"dataset": dataset_urn(&plan, j), "type": "TRANSFORMED", "auditStamp": stamp()}))
            .collect();
        let fine: Vec<Value> = COLUMNS
            .iter()
            .map(|c| {
                json!({
                    "upstreamType": "FIELD_SET",
                    "upstreams": [column_urn(&from, c)],
                    "downstreamType": "FIELD",
                    "downstreams": [column_urn(&to, c)],
                })
            })
            .collect();
        items.push((
            urn(&to)?,
            "upstreamLineage",
            json!({"upstreams": upstreams, "fineGrainedLineages": fine}),
        ));
    }
    column_starts.sort();
    column_starts.dedup();
    written += writer.phase("column lineage", items).await?;

    let mut items = Vec::with_capacity(plan.tables);
    for t in 0..plan.tables {
        let features: Vec<String> = (t * FEATURES_PER_TABLE
            ..((t + 1) * FEATURES_PER_TABLE).min(plan.features))
            .map(feature_urn)
            .collect();
        items.push((
            urn(&table_urn(t))?,
            "mlFeatureTableProperties",
            json!({
                "description": format!("Feature table {t}"),
                "mlFeatures": features,
                "mlPrimaryKeys": [key_urn(t)],
                "customProperties": {"store": "online"},
            }),
        ));
    }
    written += writer.phase("feature tables", items).await?;

    let mut items = Vec::with_capacity(2 * plan.models);
    // Models consuming a feature derived from columns: where the column scenario starts.
    let mut column_models = Vec::new();
    for m in 0..plan.models {
        // A model's features come from its neighbourhood of the feature space, so features
        // are shared between related models.
        let centre = m * FEATURES_PER_MODEL;
        let lo = centre.saturating_sub(50);
        let hi = (centre + 50).min(plan.features);
        let want = rng.gen_range(5..=15usize).min(hi - lo);
        let mut picked = HashSet::new();
        while picked.len() < want {
            picked.insert(rng.gen_range(lo..hi));
        }
        let mut features: Vec<usize> = picked.into_iter().collect();
        features.sort_unstable();
        if column_models.len() < 50 && features.iter().any(|f| f % COLUMN_FEATURE_EVERY == 0) {
            column_models.push(model_urn(m));
        }
        let g = m / MODELS_PER_GROUP;
        let v = m % MODELS_PER_GROUP + 1;
        let mut props = json!({
            "name": format!("{}_v{v}", group_name(g)),
            "description": format!("Version {v} of registered model {g}"),
            "type": "GradientBoostedTrees",
            "version": {"versionTag": v.to_string()},
            "date": STAMP,
            "created": stamp(),
            "customProperties": {"framework": "xgboost", "owner": format!("team_{}", g % 17)},
            "hyperParams": [
                {"name": "max_depth", "value": "8"},
                {"name": "learning_rate", "value": "0.05"},
                {"name": "n_estimators", "value": "400"},
            ],
            "trainingMetrics": [
                {"name": "auc", "value": format!("0.{}", 80 + m % 19)},
                {"name": "logloss", "value": "0.31"},
                {"name": "accuracy", "value": "0.88"},
            ],
            "tags": ["tier1", "bench"],
            "mlFeatures": features.iter().map(|&f| feature_urn(f)).collect::<Vec<_>>(),
            "groups": [group_urn(g)],
        });
        if m % 2 == 0 {
            props["deployments"] = json!([deployment_urn(m / 2)]);
        }
        items.push((urn(&model_urn(m))?, "mlModelProperties", props));
        let a = mart(&mut rng);
        let mut b = mart(&mut rng);
        while b == a {
            b = mart(&mut rng);
        }
        fanout[a] += 1;
        fanout[b] += 1;
        items.push((
            urn(&model_urn(m))?,
            "mlModelTrainingData",
            json!({"trainingData": [
                {"dataset": dataset_urn(&plan, a), "motivation": "training"},
                {"dataset": dataset_urn(&plan, b), "motivation": "evaluation"},
            ]}),
        ));
    }
    written += writer.phase("models", items).await?;

    let mut items = Vec::with_capacity(plan.predictions);
    for p in 0..plan.predictions {
        let m = p * plan.models / plan.predictions;
        items.push((
            urn(&prediction_urn(p))?,
            "upstreamLineage",
            json!({"upstreams": [{"dataset": model_urn(m), "type": "TRANSFORMED"}]}),
        ));
    }
    written += writer.phase("prediction datasets", items).await?;
    let seconds = started.elapsed().as_secs_f64();

    // What was made, counted in the database.
    let entities = count(&db, "SELECT COUNT(*) AS n FROM entity").await?;
    let edges = count(
        &db,
        "SELECT COUNT(*) AS n FROM edge WHERE removed_at IS NULL",
    )
    .await?;
    let aspects = count(&db, "SELECT COUNT(*) AS n FROM aspect").await?;
    let by_relation = grouped(
        &db,
        "SELECT relation AS k, COUNT(*) AS n FROM edge WHERE removed_at IS NULL GROUP BY relation ORDER BY relation",
    )
    .await?;
    let by_type = grouped(
        &db,
        "SELECT entity_type AS k, COUNT(*) AS n FROM entity GROUP BY entity_type ORDER BY entity_type",
    )
    .await?;

    let spread =
        |n: usize, k: usize| -> Vec<usize> { (0..k.min(n)).map(|i| i * n / k.min(n)).collect() };
    let mut candidates: Vec<usize> = (plan.hubs..n_datasets).filter(|&i| fanout[i] > 0).collect();
    let mut ordinary = Vec::new();
    while ordinary.len() < 50 && !candidates.is_empty() {
        let k = rng.gen_range(0..candidates.len());
        ordinary.push(candidates.swap_remove(k));
    }
    let manifest = json!({
        "params": {
            "models": args.models, "entities": args.entities, "edges": args.edges,
            "hubs": args.hubs, "seed": args.seed, "batch": args.batch,
            "backend": if sqlite { "sqlite" } else { "postgres" },
        },
        "generated": {
            "seconds": seconds,
            "aspects_written": written,
            "aspects_per_second": written as f64 / seconds,
            "concurrency": concurrency,
        },
        "counts": {
            "entities": entities, "edges": edges, "aspects": aspects,
            "by_relation": by_relation, "by_type": by_type,
            "groups": plan.groups, "models": plan.models,
            "models_per_group": MODELS_PER_GROUP,
        },
        "models": spread(plan.models, 200).into_iter().map(model_urn).collect::<Vec<_>>(),
        "groups": spread(plan.groups, 200).into_iter().map(|g| json!({"urn": group_urn(g), "name": group_name(g)})).collect::<Vec<_>>(),
        "ordinary": ordinary.iter().map(|&i| json!({"urn": dataset_urn(&plan, i), "fanout": fanout[i]})).collect::<Vec<_>>(),
        "hubs": (0..plan.hubs).map(|i| json!({"urn": dataset_urn(&plan, i), "fanout": fanout[i]})).collect::<Vec<_>>(),
        "sources": (0..20).map(|k| dataset_urn(&plan, marts_start + k)).collect::<Vec<_>>(),
        "columns": column_starts,
        "column_models": column_models,
    });
    std::fs::write(&args.manifest, serde_json::to_string_pretty(&manifest)?)
        .with_context(|| format!("writing {}", args.manifest.display()))?;
    eprintln!(
        "generated {entities} entities, {edges} edges, {aspects} aspect versions in {seconds:.1} s ({:.0} aspects/s through Catalog::write)",
        written as f64 / seconds
    );
    Ok(())
}

struct Writer<'a> {
    catalog: &'a Catalog,
    batch: usize,
    concurrency: usize,
}

impl Writer<'_> {
    /// Writes one phase in batches, `concurrency` batches at a time. Within a phase every
    /// entity is written once and everything it references was written in an earlier phase,
    /// so concurrent batches on PostgreSQL do not contend for rows.
    async fn phase(&self, name: &str, items: Vec<Item>) -> Result<usize> {
        let started = Instant::now();
        let total = items.len();
        let chunks: Vec<Vec<Item>> = items.chunks(self.batch).map(<[Item]>::to_vec).collect();
        let written = stream::iter(chunks)
            .map(|chunk| self.write_chunk(chunk))
            .buffer_unordered(self.concurrency)
            .try_fold(0usize, |acc, n| async move { Ok(acc + n) })
            .await?;
        let secs = started.elapsed().as_secs_f64();
        eprintln!(
            "  {name}: {total} aspects in {secs:.1} s ({:.0}/s)",
            total as f64 / secs.max(1e-9)
        );
        Ok(written)
    }

    async fn write_chunk(&self, chunk: Vec<Item>) -> Result<usize> {
        let actor = Actor::named("urn:li:corpuser:bench");
        let mut attempt = 0;
        loop {
            let writes: Vec<AspectWrite> = chunk
                .iter()
                .map(|(u, a, v)| AspectWrite::upsert(u.clone(), a, v.clone()))
                .collect();
            match self.catalog.write(&actor, writes).await {
                Ok(done) => return Ok(done.len()),
                // A batch is one transaction: a deadlock or serialization failure left
                // nothing behind, so it is retried whole.
                Err(e) if attempt < 5 && matches!(e, mlcat::catalog::Error::Internal(_)) => {
                    attempt += 1;
                    eprintln!("  retrying a batch after: {}", e.public_message());
                    tokio::time::sleep(Duration::from_millis(200 * attempt)).await;
                }
                Err(e) => bail!("writing a batch: {e:?}"),
            }
        }
    }
}

async fn count(db: &DatabaseConnection, sql: &str) -> Result<i64> {
    let row = db
        .query_one(Statement::from_string(db.get_database_backend(), sql))
        .await?
        .context("a count answers one row")?;
    Ok(row.try_get::<i64>("", "n")?)
}

async fn grouped(db: &DatabaseConnection, sql: &str) -> Result<serde_json::Map<String, Value>> {
    let rows = db
        .query_all(Statement::from_string(db.get_database_backend(), sql))
        .await?;
    let mut out = serde_json::Map::new();
    for row in rows {
        let k: String = row.try_get("", "k")?;
        let n: i64 = row.try_get("", "n")?;
        out.insert(k, json!(n));
    }
    Ok(out)
}
