//! The SQL statements of lineage reads: one per traversal level (plus the start and the
//! answer), none more as the fan-out or a list grows, nested reverse fields that stay flat as
//! the catalog grows, and a budget cut inside a wide level that answers the same graph as a
//! whole read.

use std::collections::HashSet;

use mlcat::catalog::{Actor, AspectWrite};
use mlcat::urn::Urn;

use serde_json::{json, Value};

use crate::lineage::{dataset, edges, nodes, run, ORDERS, RAW_CUSTOMER, V2};
use crate::support::TestApp;

// ---------------------------------------------------------------------------------------------
// Helpers

/// Runs a request that must succeed; answers the SQL statements it ran and its data.
async fn statements_of(app: &TestApp, query: &str, variables: Value) -> (usize, Value) {
    let before = app.statements();
    let data = run(app, query, variables).await;
    (app.statements() - before, data)
}

async fn write_all(app: &TestApp, writes: Vec<AspectWrite>) {
    app.catalog()
        .write(&Actor::named("test"), writes)
        .await
        .unwrap();
}

// ---------------------------------------------------------------------------------------------
// SQL statements

const LEVELS: &str = "query($input: LineageGraphInput!) {
  lineageGraph(input: $input) { nodes { urn degree } truncated levels }
}";

#[tokio::test]
async fn a_traversal_runs_one_statement_per_level_one_for_the_start_and_one_for_the_answer() {
    let app = TestApp::with_demo().await;
    for (input, levels) in [
        (
            json!({"urn": ORDERS, "direction": "DOWNSTREAM", "depth": 10}),
            4,
        ),
        (
            json!({"urn": ORDERS, "direction": "DOWNSTREAM", "depth": 1}),
            2,
        ),
        (
            // The budget is spent at the first level; the second reads the answered entity's
            // edges, to answer those between answered entities and to know what was cut.
            json!({"urn": ORDERS, "direction": "DOWNSTREAM", "budget": 1}),
            2,
        ),
        (json!({"urn": V2, "direction": "UPSTREAM", "depth": 10}), 6),
        (json!({"urn": V2, "direction": "BOTH", "depth": 2}), 3),
        (json!({"urn": RAW_CUSTOMER, "direction": "UPSTREAM"}), 1),
    ] {
        let (ran, data) = statements_of(&app, LEVELS, json!({ "input": input })).await;
        assert_eq!(data["lineageGraph"]["levels"], levels, "{input}");
        // The start, each level, and the entities answered (when there are any).
        let reached = data["lineageGraph"]["nodes"].as_array().unwrap().len() > 1;
        assert_eq!(ran, 1 + levels + usize::from(reached), "{input}: {data:#}");
    }
}

/// A source dataset feeding `fan_out` features, each consumed by a model of its own.
async fn fan_out_catalog(fan_out: usize) -> TestApp {
    let app = TestApp::new().await;
    let source = dataset("hive", "events");
    let mut writes = vec![AspectWrite::upsert(
        Urn::parse(&source).unwrap(),
        "datasetProperties",
        json!({"description": "raw events"}),
    )];
    for i in 0..fan_out {
        let feature = Urn::ml_feature("events", &format!("f_{i:03}")).unwrap();
        writes.push(AspectWrite::upsert(
            feature.clone(),
            "mlFeatureProperties",
            json!({"dataType": "CONTINUOUS", "sources": [source]}),
        ));
        writes.push(AspectWrite::upsert(
            Urn::ml_model("mlflow", &format!("m_{i:03}"), "PROD").unwrap(),
            "mlModelProperties",
            json!({"mlFeatures": [feature.to_string()]}),
        ));
    }
    write_all(&app, writes).await;
    app
}

#[tokio::test]
async fn traversal_statements_do_not_grow_with_fan_out() {
    let mut counts = Vec::new();
    for fan_out in [5, 50] {
        let app = fan_out_catalog(fan_out).await;
        let input =
            json!({"urn": dataset("hive", "events"), "direction": "DOWNSTREAM", "depth": 3});
        let (ran, data) = statements_of(&app, LEVELS, json!({ "input": input })).await;
        let g = &data["lineageGraph"];
        let reached = nodes(g);
        assert_eq!(reached.len(), 1 + 2 * fan_out);
        assert_eq!(
            reached.iter().filter(|n| n.1 == 1).count(),
            fan_out,
            "features at degree 1"
        );
        assert_eq!(
            reached.iter().filter(|n| n.1 == 2).count(),
            fan_out,
            "models at degree 2"
        );
        assert_eq!(g["truncated"], false);
        // Features, models, and the level that finds nothing more; then the start and the
        // entities answered.
        assert_eq!(g["levels"], 3);
        assert_eq!(ran, 5);
        counts.push(ran);
    }
    assert_eq!(counts[0], counts[1], "statements grew with the fan-out");
}

/// A hub: one dataset with `width` derived features and `width` models trained on it, model
/// `i` consuming feature `i`: `2 × width` entities one hop downstream, wider than a page of a
/// traversal level.
async fn hub_catalog(width: usize) -> TestApp {
    let app = TestApp::new().await;
    write_all(&app, hub_writes(width)).await;
    app
}

/// The writes of [`hub_catalog`]'s hub.
pub(crate) fn hub_writes(width: usize) -> Vec<AspectWrite> {
    let hub = dataset("s3", "hub");
    let mut writes = vec![AspectWrite::upsert(
        Urn::parse(&hub).unwrap(),
        "datasetProperties",
        json!({"description": "everything comes from here"}),
    )];
    for i in 0..width {
        let feature = Urn::ml_feature("hub", &format!("f_{i:05}")).unwrap();
        writes.push(AspectWrite::upsert(
            feature.clone(),
            "mlFeatureProperties",
            json!({"dataType": "CONTINUOUS", "sources": [hub]}),
        ));
        let model = Urn::ml_model("mlflow", &format!("m_{i:05}"), "PROD").unwrap();
        writes.push(AspectWrite::upsert(
            model.clone(),
            "mlModelProperties",
            json!({"mlFeatures": [feature.to_string()]}),
        ));
        writes.push(AspectWrite::upsert(
            model,
            "mlModelTrainingData",
            json!({"trainingData": [{"dataset": hub}]}),
        ));
    }
    writes
}

#[tokio::test]
async fn a_budget_cut_inside_a_wide_level_answers_the_same_graph_as_a_whole_read() {
    let width = 1200;
    let app = hub_catalog(width).await;
    let from_hub = |budget: usize| json!({"urn": dataset("s3", "hub"), "direction": "DOWNSTREAM", "depth": 3, "budget": budget});
    // Big enough for everything: the hub's features and models, each once. (A traversal is
    // priced by its budget: a budget of 10,000 with this selection is past the complexity limit.)
    let (_, whole) = statements_of(
        &app,
        LEVELS_AND_EDGES,
        json!({"input": from_hub(2 * width)}),
    )
    .await;
    let whole = &whole["lineageGraph"];
    let all_nodes = nodes(whole);
    assert_eq!(all_nodes.len(), 1 + 2 * width);
    assert_eq!(whole["truncated"], false);
    let all_edges = edges(whole);
    // Each feature from the hub, each model trained on the hub, each model consuming its feature.
    assert_eq!(all_edges.len(), 3 * width);

    for budget in [1, 10, 1100, 1300, 2 * width - 1] {
        let (ran, cut) =
            statements_of(&app, LEVELS_AND_EDGES, json!({"input": from_hub(budget)})).await;
        let cut = &cut["lineageGraph"];
        let kept = nodes(cut);
        // The first `budget` entities of the whole walk, in the same order.
        assert_eq!(kept, all_nodes[..=budget], "budget {budget}");
        assert_eq!(cut["truncated"], true, "budget {budget}");
        // Every edge of the whole graph between kept entities, and no other.
        let kept_urns: HashSet<&str> = kept.iter().map(|n| n.0).collect();
        let mut expected: Vec<_> = all_edges
            .iter()
            .filter(|e| kept_urns.contains(e.0) && kept_urns.contains(e.1))
            .copied()
            .collect();
        let mut got = edges(cut);
        expected.sort_unstable();
        got.sort_unstable();
        assert_eq!(got, expected, "budget {budget}");
        // The pages it read stay few: not one statement per entity.
        assert!(ran <= 8, "budget {budget}: {ran} statements");
    }
}

const LEVELS_AND_EDGES: &str = "query($input: LineageGraphInput!) {
  lineageGraph(input: $input) { nodes { urn degree } edges { source target relation } truncated levels }
}";

/// `size` datasets, each the source of a feature consumed by a model trained on the dataset,
/// deployed to a deployment of its own and in one of two groups.
async fn reverse_catalog(size: usize) -> TestApp {
    let app = TestApp::new().await;
    let mut writes = Vec::new();
    for g in 0..2 {
        writes.push(AspectWrite::upsert(
            Urn::ml_model_group("mlflow", &format!("group_{g}"), "PROD").unwrap(),
            "mlModelGroupProperties",
            json!({"description": "a group"}),
        ));
    }
    for i in 0..size {
        let ds = dataset("hive", &format!("ds_{i:03}"));
        writes.push(AspectWrite::upsert(
            Urn::parse(&ds).unwrap(),
            "datasetProperties",
            json!({"description": "a dataset"}),
        ));
        let feature = Urn::ml_feature("t", &format!("f_{i:03}")).unwrap();
        writes.push(AspectWrite::upsert(
            feature.clone(),
            "mlFeatureProperties",
            json!({"sources": [ds]}),
        ));
        let deployment =
            format!("urn:li:mlModelDeployment:(urn:li:dataPlatform:mlflow,endpoint_{i:03},PROD)");
        writes.push(AspectWrite::upsert(
            Urn::parse(&deployment).unwrap(),
            "mlModelDeploymentProperties",
            json!({"status": "IN_SERVICE"}),
        ));
        let model = Urn::ml_model("mlflow", &format!("model_{i:03}"), "PROD").unwrap();
        writes.push(AspectWrite::upsert(
            model.clone(),
            "mlModelProperties",
            json!({
                "mlFeatures": [feature.to_string()],
                "groups": [format!("urn:li:mlModelGroup:(urn:li:dataPlatform:mlflow,group_{},PROD)", i % 2)],
                "deployments": [deployment],
            }),
        ));
        writes.push(AspectWrite::upsert(
            model,
            "mlModelTrainingData",
            json!({"trainingData": [{"dataset": ds}]}),
        ));
    }
    write_all(&app, writes).await;
    app
}

const DATASETS_TO_DEPLOYMENTS: &str = "query($n: Int) {
  listDatasets(input: {count: $n}) {
    total
    entities { name derivedFeatures { name models { name deployments { name } } } }
  }
}";

const GROUPS_TO_FEATURES: &str = "{
  listMLModelGroups {
    entities { name models { name trainingDatasets { name derivedFeatures { name } } } }
  }
}";

#[tokio::test]
async fn nested_reverse_fields_run_as_many_statements_for_fifty_as_for_five() {
    let mut counts = Vec::new();
    for size in [5, 50] {
        let app = reverse_catalog(size).await;
        let (down, data) = statements_of(&app, DATASETS_TO_DEPLOYMENTS, json!({ "n": size })).await;
        let list = &data["listDatasets"];
        assert_eq!(list["total"], size);
        assert_eq!(list["entities"].as_array().unwrap().len(), size);
        assert_eq!(
            list["entities"][size - 1],
            json!({"name": format!("ds_{:03}", size - 1), "derivedFeatures": [{
                "name": format!("f_{:03}", size - 1),
                "models": [{"name": format!("model_{:03}", size - 1),
                            "deployments": [{"name": format!("endpoint_{:03}", size - 1)}]}],
            }]})
        );

        let (up, data) = statements_of(&app, GROUPS_TO_FEATURES, json!({})).await;
        let groups = data["listMLModelGroups"]["entities"].as_array().unwrap();
        assert_eq!(groups.len(), 2);
        let models = groups[1]["models"].as_array().unwrap();
        assert_eq!(models.len(), size / 2);
        assert_eq!(
            models[0],
            json!({"name": "model_001", "trainingDatasets": [{
                "name": "ds_001", "derivedFeatures": [{"name": "f_001"}],
            }]})
        );
        counts.push((down, up));
    }
    assert_eq!(counts[0], counts[1], "statements grew with the catalog");
    // The list's count and page, then one statement per relation level.
    assert_eq!(counts[1], (5, 5));
}

const LISTED_LINEAGE: &str = "query($n: Int, $depth: Int) {
  listDatasets(input: {count: $n}) {
    entities { name lineage(input: {direction: DOWNSTREAM, depth: $depth}) { total } }
  }
}";

/// The statements of each dataset's own `lineage` field over the whole list, to `depth`.
async fn listed_lineage_statements(app: &TestApp, size: usize, depth: i64) -> usize {
    let (ran, data) = statements_of(app, LISTED_LINEAGE, json!({"n": size, "depth": depth})).await;
    let entities = data["listDatasets"]["entities"].as_array().unwrap();
    assert_eq!(entities.len(), size);
    // One hop: the feature and the model trained on the dataset; three: also the model's
    // group and deployment.
    let total = if depth == 1 { 2 } else { 4 };
    assert!(
        entities.iter().all(|e| e["lineage"]["total"] == total),
        "{data:#}"
    );
    ran
}

#[tokio::test]
async fn one_hop_lineage_of_a_list_runs_as_many_statements_for_fifty_as_for_five() {
    let small = reverse_catalog(5).await;
    let large = reverse_catalog(50).await;
    let few = listed_lineage_statements(&small, 5, 1).await;
    let many = listed_lineage_statements(&large, 50, 1).await;
    assert_eq!(few, many, "statements grew with the list");
    // Count and page, then the edges of all datasets at once.
    assert_eq!(many, 3);
}

#[tokio::test]
async fn multi_hop_lineage_of_a_list_runs_as_many_statements_for_fifty_as_for_five() {
    let small = reverse_catalog(5).await;
    let large = reverse_catalog(50).await;
    let few = listed_lineage_statements(&small, 5, 3).await;
    let many = listed_lineage_statements(&large, 50, 3).await;
    assert_eq!(few, many, "statements grew with the list");
}
