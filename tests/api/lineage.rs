//! Lineage reads: the issue's four questions on the demo catalog (root `lineageGraph` and
//! per-entity `lineage`), an exact `truncated` flag, one SQL statement per level, reverse fields
//! that stay flat as the catalog grows, lineage as of a time, cycles, bounds and errors,
//! soft-deleted entities, and the DOT and Mermaid exports.

use std::collections::HashSet;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use mlcat::catalog::{Actor, AspectWrite};
use mlcat::config::Limits;
use mlcat::urn::Urn;

use serde_json::{json, Value};

use crate::support::TestApp;

// ---------------------------------------------------------------------------------------------
// The demo catalog's URNs (shared with relationships.rs)

pub const ORDERS: &str =
    "urn:li:dataset:(urn:li:dataPlatform:snowflake,tpcxai_sf0001.public.orders,PROD)";
pub const LINEITEM: &str =
    "urn:li:dataset:(urn:li:dataPlatform:snowflake,tpcxai_sf0001.public.lineitem,PROD)";
pub const RETURNS: &str =
    "urn:li:dataset:(urn:li:dataPlatform:snowflake,tpcxai_sf0001.public.order_returns,PROD)";
pub const CUSTOMER: &str =
    "urn:li:dataset:(urn:li:dataPlatform:snowflake,tpcxai_sf0001.public.customer,PROD)";
pub const RAW_ORDERS: &str = "urn:li:dataset:(urn:li:dataPlatform:s3,tpcxai-raw/orders.csv,PROD)";
pub const RAW_LINEITEM: &str =
    "urn:li:dataset:(urn:li:dataPlatform:s3,tpcxai-raw/lineitem.csv,PROD)";
pub const RAW_RETURNS: &str =
    "urn:li:dataset:(urn:li:dataPlatform:s3,tpcxai-raw/order_returns.csv,PROD)";
pub const RAW_CUSTOMER: &str =
    "urn:li:dataset:(urn:li:dataPlatform:s3,tpcxai-raw/customer.csv,PROD)";
pub const TRAINING: &str = "urn:li:dataset:(urn:li:dataPlatform:snowflake,ml_lineage_database.ml_lineage_schema.uc01_training_data,PROD)";
pub const SEGMENTS: &str =
    "urn:li:dataset:(urn:li:dataPlatform:snowflake,tpcxai_sf0001.public.customer_segments,PROD)";
pub const TABLE: &str = "urn:li:mlFeatureTable:(urn:li:dataPlatform:snowflake,uc01_preprocess)";
pub const FREQUENCY: &str = "urn:li:mlFeature:(uc01_preprocess,FREQUENCY)";
pub const RETURN_RATIO: &str = "urn:li:mlFeature:(uc01_preprocess,RETURN_RATIO)";
pub const KEY: &str = "urn:li:mlPrimaryKey:(uc01_preprocess,O_CUSTOMER_SK)";
pub const V1: &str = "urn:li:mlModel:(urn:li:dataPlatform:snowflake,customer_segmentation_v1,PROD)";
pub const V2: &str = "urn:li:mlModel:(urn:li:dataPlatform:snowflake,customer_segmentation_v2,PROD)";
pub const GROUP: &str =
    "urn:li:mlModelGroup:(urn:li:dataPlatform:snowflake,customer_segmentation,PROD)";
pub const DEPLOYMENT: &str =
    "urn:li:mlModelDeployment:(urn:li:dataPlatform:snowflake,customer_segmentation_service,PROD)";

// ---------------------------------------------------------------------------------------------
// Helpers

const GRAPH: &str = "query($input: LineageGraphInput!) {
  lineageGraph(input: $input) {
    nodes { urn name type degree relation }
    edges { source target relation createdOn }
    truncated
    levels
  }
}";

/// Runs `lineageGraph` with `input`, which must succeed, and answers the graph.
pub async fn graph(app: &TestApp, input: Value) -> Value {
    run(app, GRAPH, json!({ "input": input })).await["lineageGraph"].clone()
}

/// The graph's nodes as (URN, degree), in the answer's order.
pub fn nodes(graph: &Value) -> Vec<(&str, i64)> {
    graph["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| (n["urn"].as_str().unwrap(), n["degree"].as_i64().unwrap()))
        .collect()
}

/// The graph's edges as (source, target, relation), in the answer's order.
fn edges(graph: &Value) -> Vec<(&str, &str, &str)> {
    graph["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["source"].as_str().unwrap(),
                e["target"].as_str().unwrap(),
                e["relation"].as_str().unwrap(),
            )
        })
        .collect()
}

/// The per-entity `lineage` field of the entity `urn` (looked up with `lookup`, such as
/// `mlModel`), which must succeed.
pub async fn entity_lineage(app: &TestApp, lookup: &str, urn: &str, input: Value) -> Value {
    let query = format!(
        "query($urn: String!, $input: LineageInput!) {{
          e: {lookup}(urn: $urn) {{
            lineage(input: $input) {{
              start count total filtered
              relationships {{ type degree createdOn entity {{ urn }} }}
            }}
          }}
        }}"
    );
    run(app, &query, json!({ "urn": urn, "input": input })).await["e"]["lineage"].clone()
}

/// The relationships of a `lineage` answer as (URN, degree, relation), in the answer's order.
pub fn reached(lineage: &Value) -> Vec<(&str, i64, &str)> {
    lineage["relationships"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["entity"]["urn"].as_str().unwrap(),
                r["degree"].as_i64().unwrap(),
                r["type"].as_str().unwrap(),
            )
        })
        .collect()
}

/// The code and message of the first error of a request that must fail.
async fn refused(app: &TestApp, query: &str, variables: Value) -> (String, String) {
    let answer = app.gql_vars(query, variables).await;
    let error = &answer["errors"][0];
    let code = error["extensions"]["code"]
        .as_str()
        .unwrap_or_else(|| panic!("expected an error with a code: {answer:#}"));
    (
        code.to_string(),
        error["message"].as_str().unwrap().to_string(),
    )
}

async fn graph_refused(app: &TestApp, input: Value) -> (String, String) {
    refused(app, GRAPH, json!({ "input": input })).await
}

/// Runs a request that must succeed; answers the SQL statements it ran and its data.
async fn statements_of(app: &TestApp, query: &str, variables: Value) -> (usize, Value) {
    let before = app.statements();
    let data = run(app, query, variables).await;
    (app.statements() - before, data)
}

/// Runs a request (query or mutation) that must succeed and answers its data.
pub async fn run(app: &TestApp, query: &str, variables: Value) -> Value {
    let answer = app.gql_vars(query, variables).await;
    assert!(answer.get("errors").is_none(), "{answer:#}");
    answer["data"].clone()
}

pub const EDIT: &str = "mutation($urn: String!, $field: RelationshipField!, $targets: [String!]!) {
  addRelationships(input: {urn: $urn, field: $field, targets: $targets}) { urn field version changed }
}";

pub const REMOVE: &str = "mutation($urn: String!, $field: RelationshipField!, $targets: [String!]!) {
  removeRelationships(input: {urn: $urn, field: $field, targets: $targets}) { urn field version changed }
}";

/// Milliseconds since the epoch, as the server's clock counts them.
fn now_millis() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

/// A time strictly between a write before this call and a write after it: the write path
/// stamps edges with a millisecond clock.
async fn a_moment_between_writes() -> i64 {
    tokio::time::sleep(Duration::from_millis(20)).await;
    let t = now_millis();
    tokio::time::sleep(Duration::from_millis(20)).await;
    t
}

fn dataset(platform: &str, name: &str) -> String {
    format!("urn:li:dataset:(urn:li:dataPlatform:{platform},{name},PROD)")
}

async fn write_all(app: &TestApp, writes: Vec<AspectWrite>) {
    app.catalog()
        .write(&Actor::named("test"), writes)
        .await
        .unwrap();
}

/// The whole graph downstream of `orders`: what a change of the table can reach.
const DOWNSTREAM_OF_ORDERS: [(&str, i64); 10] = [
    (ORDERS, 0),
    (KEY, 1),
    (FREQUENCY, 1),
    (TABLE, 2),
    (V1, 2),
    (V2, 2),
    (TRAINING, 3),
    (GROUP, 3),
    (DEPLOYMENT, 3),
    (SEGMENTS, 3),
];

const EDGES_DOWNSTREAM_OF_ORDERS: [(&str, &str, &str); 13] = [
    (ORDERS, KEY, "DerivedFrom"),
    (ORDERS, FREQUENCY, "DerivedFrom"),
    (KEY, TABLE, "KeyedBy"),
    (FREQUENCY, V1, "Consumes"),
    (FREQUENCY, V2, "Consumes"),
    (FREQUENCY, TABLE, "Contains"),
    (TABLE, TRAINING, "DownstreamOf"),
    (V1, GROUP, "MemberOf"),
    (V2, DEPLOYMENT, "DeployedTo"),
    (V2, GROUP, "MemberOf"),
    (V2, SEGMENTS, "Produces"),
    (TRAINING, V1, "TrainedOn"),
    (TRAINING, V2, "TrainedOn"),
];

// ---------------------------------------------------------------------------------------------
// The four questions of the issue, each one request on the demo catalog

#[tokio::test]
async fn where_the_data_that_trained_a_model_came_from() {
    let app = TestApp::with_demo().await;
    let g = graph(
        &app,
        json!({"urn": V2, "direction": "UPSTREAM", "depth": 10, "types": ["DATASET"]}),
    )
    .await;
    assert_eq!(
        nodes(&g),
        [
            (V2, 0),
            (TRAINING, 1),
            (ORDERS, 2),
            (LINEITEM, 2),
            (RETURNS, 2),
            (RAW_ORDERS, 3),
            (RAW_LINEITEM, 3),
            (RAW_RETURNS, 3),
            (CUSTOMER, 4),
            (RAW_CUSTOMER, 5),
        ]
    );
    let relations: Vec<&str> = g["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["relation"].as_str().unwrap_or("-"))
        .collect();
    assert_eq!(
        relations,
        [
            "-",
            "TrainedOn",
            "DerivedFrom",
            "DerivedFrom",
            "DerivedFrom",
            "DownstreamOf",
            "DownstreamOf",
            "DownstreamOf",
            "DerivedFrom",
            "DownstreamOf",
        ]
    );
    assert!(g["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .skip(1)
        .all(|n| n["type"] == "DATASET"));
    // Only edges between answered entities: the walk passed through features, keys and the
    // feature table, which the filter leaves out.
    assert_eq!(
        edges(&g),
        [
            (TRAINING, V2, "TrainedOn"),
            (RAW_ORDERS, ORDERS, "DownstreamOf"),
            (RAW_LINEITEM, LINEITEM, "DownstreamOf"),
            (RAW_RETURNS, RETURNS, "DownstreamOf"),
            (RAW_CUSTOMER, CUSTOMER, "DownstreamOf"),
        ]
    );
    assert_eq!(g["truncated"], false);
    assert_eq!(g["levels"], 6);

    let l = entity_lineage(
        &app,
        "mlModel",
        V2,
        json!({"direction": "UPSTREAM", "depth": 10, "types": ["DATASET"]}),
    )
    .await;
    assert_eq!(
        reached(&l),
        [
            (TRAINING, 1, "TrainedOn"),
            (ORDERS, 2, "DerivedFrom"),
            (LINEITEM, 2, "DerivedFrom"),
            (RETURNS, 2, "DerivedFrom"),
            (RAW_ORDERS, 3, "DownstreamOf"),
            (RAW_LINEITEM, 3, "DownstreamOf"),
            (RAW_RETURNS, 3, "DownstreamOf"),
            (CUSTOMER, 4, "DerivedFrom"),
            (RAW_CUSTOMER, 5, "DownstreamOf"),
        ]
    );
    // Left out by the filter: the two features, the feature table and the key.
    assert_eq!(
        (&l["start"], &l["count"], &l["total"], &l["filtered"]),
        (&json!(0), &json!(9), &json!(9), &json!(4))
    );
}

#[tokio::test]
async fn the_feature_tables_a_model_depends_on() {
    let app = TestApp::with_demo().await;
    let g = graph(
        &app,
        json!({"urn": V2, "direction": "UPSTREAM", "depth": 10, "types": ["MLFEATURE_TABLE"]}),
    )
    .await;
    assert_eq!(nodes(&g), [(V2, 0), (TABLE, 2)]);
    assert_eq!(g["nodes"][1]["type"], "MLFEATURE_TABLE");
    assert_eq!(g["nodes"][1]["name"], "uc01_preprocess");
    // The table reaches the model through the training dataset, which the filter leaves out.
    assert_eq!(g["nodes"][1]["relation"], "DownstreamOf");
    assert!(edges(&g).is_empty());
    assert_eq!(g["truncated"], false);

    let l = entity_lineage(
        &app,
        "mlModel",
        V2,
        json!({"direction": "UPSTREAM", "depth": 10, "types": ["MLFEATURE_TABLE"]}),
    )
    .await;
    assert_eq!(reached(&l), [(TABLE, 2, "DownstreamOf")]);
    assert_eq!((&l["total"], &l["filtered"]), (&json!(1), &json!(12)));
}

#[tokio::test]
async fn the_models_trained_on_data_from_a_source_table() {
    let app = TestApp::with_demo().await;
    let g = graph(
        &app,
        json!({"urn": ORDERS, "direction": "DOWNSTREAM", "depth": 10, "types": ["MLMODEL"]}),
    )
    .await;
    // Both versions consume FREQUENCY, derived from orders.
    assert_eq!(nodes(&g), [(ORDERS, 0), (V1, 2), (V2, 2)]);
    assert_eq!(g["nodes"][1]["relation"], "Consumes");
    assert_eq!(g["nodes"][2]["relation"], "Consumes");
    assert!(edges(&g).is_empty());
    assert_eq!(g["truncated"], false);

    // Only through the training path: features and keys into the feature table, the table
    // into the training dataset, the dataset into the models.
    let training_path = json!({
        "urn": ORDERS, "direction": "DOWNSTREAM", "depth": 10, "types": ["MLMODEL"],
        "relations": ["DerivedFrom", "KeyedBy", "Contains", "DownstreamOf", "TrainedOn"],
    });
    let g = graph(&app, training_path).await;
    assert_eq!(nodes(&g), [(ORDERS, 0), (V1, 4), (V2, 4)]);
    assert_eq!(g["nodes"][1]["relation"], "TrainedOn");
    assert_eq!(g["truncated"], false);

    let l = entity_lineage(
        &app,
        "dataset",
        ORDERS,
        json!({"direction": "DOWNSTREAM", "depth": 10, "types": ["MLMODEL"]}),
    )
    .await;
    assert_eq!(reached(&l), [(V1, 2, "Consumes"), (V2, 2, "Consumes")]);
    assert_eq!((&l["total"], &l["filtered"]), (&json!(2), &json!(7)));
}

#[tokio::test]
async fn the_deployments_affected_by_a_change_of_a_source_table() {
    let app = TestApp::with_demo().await;
    let g = graph(
        &app,
        json!({"urn": ORDERS, "direction": "DOWNSTREAM", "depth": 10,
               "types": ["MLMODEL_DEPLOYMENT"]}),
    )
    .await;
    assert_eq!(nodes(&g), [(ORDERS, 0), (DEPLOYMENT, 3)]);
    assert_eq!(g["nodes"][1]["name"], "customer_segmentation_service");
    assert_eq!(g["nodes"][1]["type"], "MLMODEL_DEPLOYMENT");
    assert_eq!(g["nodes"][1]["relation"], "DeployedTo");
    assert_eq!(g["truncated"], false);

    let l = entity_lineage(
        &app,
        "dataset",
        ORDERS,
        json!({"direction": "DOWNSTREAM", "depth": 10, "types": ["MLMODEL_DEPLOYMENT"]}),
    )
    .await;
    assert_eq!(reached(&l), [(DEPLOYMENT, 3, "DeployedTo")]);
}

#[tokio::test]
async fn the_whole_graph_downstream_of_a_source_table() {
    let app = TestApp::with_demo().await;
    let g = graph(
        &app,
        json!({"urn": ORDERS, "direction": "DOWNSTREAM", "depth": 10}),
    )
    .await;
    assert_eq!(nodes(&g), DOWNSTREAM_OF_ORDERS);
    assert_eq!(edges(&g), EDGES_DOWNSTREAM_OF_ORDERS);
    assert_eq!(g["truncated"], false);
    assert_eq!(g["levels"], 4);

    // DataHub's answer: one hop, the default of the per-entity field.
    let l = entity_lineage(&app, "dataset", ORDERS, json!({"direction": "DOWNSTREAM"})).await;
    assert_eq!(
        reached(&l),
        [(KEY, 1, "DerivedFrom"), (FREQUENCY, 1, "DerivedFrom")]
    );
    let l = entity_lineage(
        &app,
        "dataset",
        ORDERS,
        json!({"direction": "DOWNSTREAM", "depth": 10, "start": 2, "count": 3}),
    )
    .await;
    assert_eq!(
        reached(&l),
        [
            (TABLE, 2, "KeyedBy"),
            (V1, 2, "Consumes"),
            (V2, 2, "Consumes")
        ]
    );
    assert_eq!(
        (&l["start"], &l["count"], &l["total"], &l["filtered"]),
        (&json!(2), &json!(3), &json!(9), &json!(0))
    );
}

// ---------------------------------------------------------------------------------------------
// truncated

#[tokio::test]
async fn truncated_is_true_exactly_when_the_depth_cuts_the_graph() {
    let app = TestApp::with_demo().await;
    let at = |depth: i64| json!({"urn": ORDERS, "direction": "DOWNSTREAM", "depth": depth});

    let g = graph(&app, at(1)).await;
    assert_eq!(nodes(&g), [(ORDERS, 0), (KEY, 1), (FREQUENCY, 1)]);
    assert_eq!(
        edges(&g),
        [
            (ORDERS, KEY, "DerivedFrom"),
            (ORDERS, FREQUENCY, "DerivedFrom")
        ]
    );
    assert_eq!(g["truncated"], true);

    let g = graph(&app, at(2)).await;
    assert_eq!(nodes(&g), DOWNSTREAM_OF_ORDERS[..6]);
    assert_eq!(g["truncated"], true);

    // Degree 3 is the farthest: at depth 3 nothing is left beyond.
    for depth in [3, 4, 10] {
        let g = graph(&app, at(depth)).await;
        assert_eq!(nodes(&g), DOWNSTREAM_OF_ORDERS, "depth {depth}");
        assert_eq!(edges(&g), EDGES_DOWNSTREAM_OF_ORDERS, "depth {depth}");
        assert_eq!(g["truncated"], false, "depth {depth}");
    }
}

#[tokio::test]
async fn truncated_is_true_exactly_when_the_budget_cuts_the_graph() {
    let app = TestApp::with_demo().await;
    let within = |budget: i64| json!({"urn": ORDERS, "direction": "DOWNSTREAM", "depth": 10, "budget": budget});

    let g = graph(&app, within(1)).await;
    assert_eq!(nodes(&g), [(ORDERS, 0), (KEY, 1)]);
    assert_eq!(edges(&g), [(ORDERS, KEY, "DerivedFrom")]);
    assert_eq!(g["truncated"], true);

    // Nine entities besides the start: a budget of nine holds them all.
    let g = graph(&app, within(9)).await;
    assert_eq!(nodes(&g), DOWNSTREAM_OF_ORDERS);
    assert_eq!(g["truncated"], false);

    // The predictions dataset is the one left out.
    let g = graph(&app, within(8)).await;
    assert_eq!(nodes(&g), DOWNSTREAM_OF_ORDERS[..9]);
    assert_eq!(g["truncated"], true);
}

#[tokio::test]
async fn a_graph_cut_by_the_budget_has_every_edge_between_its_nodes() {
    let app = TestApp::with_demo().await;
    let g = graph(
        &app,
        json!({"urn": ORDERS, "direction": "DOWNSTREAM", "depth": 10, "budget": 8}),
    )
    .await;
    assert_eq!(nodes(&g), DOWNSTREAM_OF_ORDERS[..9]);
    // Also the edges a further level would have read: the training dataset into both models.
    let mut answered = edges(&g);
    answered.sort();
    let mut expected: Vec<_> = EDGES_DOWNSTREAM_OF_ORDERS
        .into_iter()
        .filter(|e| e.1 != SEGMENTS)
        .collect();
    expected.sort();
    assert_eq!(answered, expected);
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
/// `i` consuming feature `i`. Wider than a page of a traversal level.
async fn hub_catalog(width: usize) -> TestApp {
    let app = TestApp::new().await;
    let hub = dataset("s3", "hub");
    let mut writes = vec![AspectWrite::upsert(
        Urn::parse(&hub).unwrap(),
        "datasetProperties",
        json!({"description": "everything comes from here"}),
    )];
    for i in 0..width {
        let feature = Urn::ml_feature("hub", &format!("f_{i:04}")).unwrap();
        writes.push(AspectWrite::upsert(
            feature.clone(),
            "mlFeatureProperties",
            json!({"dataType": "CONTINUOUS", "sources": [hub]}),
        ));
        let model = Urn::ml_model("mlflow", &format!("m_{i:04}"), "PROD").unwrap();
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
    write_all(&app, writes).await;
    app
}

#[tokio::test]
async fn a_budget_cut_inside_a_wide_level_answers_the_same_graph_as_a_whole_read() {
    let width = 1200;
    let app = hub_catalog(width).await;
    let from_hub = |budget: usize| json!({"urn": dataset("s3", "hub"), "direction": "DOWNSTREAM", "depth": 3, "budget": budget});
    // Big enough for everything: the hub's features and models, each once.
    let (_, whole) =
        statements_of(&app, LEVELS_AND_EDGES, json!({"input": from_hub(10_000)})).await;
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
    // Nested lists of fifty cost more than the default complexity allows.
    let app = TestApp::with_limits(Limits {
        max_query_complexity: 10_000_000,
        ..Limits::default()
    })
    .await;
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

// ---------------------------------------------------------------------------------------------
// Lineage as of a time

const MODEL: &str = "urn:li:mlModel:(urn:li:dataPlatform:mlflow,churn,PROD)";

fn feature(name: &str) -> String {
    format!("urn:li:mlFeature:(churn,{name})")
}

#[tokio::test]
async fn lineage_as_of_a_time_answers_the_graph_as_it_was() {
    let app = TestApp::new().await;
    let (old_source, new_source) = (dataset("hive", "old_events"), dataset("hive", "new_events"));
    let (a, b, c) = (feature("a"), feature("b"), feature("c"));
    run(
        &app,
        "mutation($a: String!, $b: String!, $c: String!, $old: String!, $new: String!) {
          a: upsertMLFeature(input: {urn: $a, sources: [$old]}) { urn }
          b: upsertMLFeature(input: {urn: $b, sources: [$old]}) { urn }
          c: upsertMLFeature(input: {urn: $c, sources: [$new]}) { urn }
        }",
        json!({"a": a, "b": b, "c": c, "old": old_source, "new": new_source}),
    )
    .await;
    let upsert_model = "mutation($urn: String!, $features: [String!]) {
      upsertMLModel(input: {urn: $urn, mlFeatures: $features}) { urn }
    }";
    let before_model = a_moment_between_writes().await;
    run(
        &app,
        upsert_model,
        json!({"urn": MODEL, "features": [a, b]}),
    )
    .await;
    let with_old = a_moment_between_writes().await;
    run(&app, upsert_model, json!({"urn": MODEL, "features": [c]})).await;
    let with_new = a_moment_between_writes().await;
    run(
        &app,
        REMOVE,
        json!({"urn": MODEL, "field": "MODEL_FEATURES", "targets": [c]}),
    )
    .await;

    let up = |as_of: Option<i64>| {
        let mut input = json!({"urn": MODEL, "direction": "UPSTREAM", "depth": 2});
        if let Some(t) = as_of {
            input["asOf"] = json!(t);
        }
        input
    };
    let old_graph = [
        (MODEL, 0),
        (a.as_str(), 1),
        (b.as_str(), 1),
        (old_source.as_str(), 2),
    ];
    let new_graph = [(MODEL, 0), (c.as_str(), 1), (new_source.as_str(), 2)];

    assert_eq!(
        nodes(&graph(&app, up(Some(before_model))).await),
        [(MODEL, 0)]
    );
    let g = graph(&app, up(Some(with_old))).await;
    assert_eq!(nodes(&g), old_graph);
    assert_eq!(
        edges(&g),
        [
            (a.as_str(), MODEL, "Consumes"),
            (b.as_str(), MODEL, "Consumes"),
            (old_source.as_str(), a.as_str(), "DerivedFrom"),
            (old_source.as_str(), b.as_str(), "DerivedFrom"),
        ]
    );
    let g = graph(&app, up(Some(with_new))).await;
    assert_eq!(nodes(&g), new_graph);
    // Now: the model's last feature was removed.
    let g = graph(&app, up(None)).await;
    assert_eq!(nodes(&g), [(MODEL, 0)]);
    assert_eq!(g["truncated"], false);

    // The edge's own time is the boundary: it exists from the millisecond it was made.
    let new_graph_answer = graph(&app, up(Some(with_new))).await;
    let made = new_graph_answer["edges"][0]["createdOn"].as_i64().unwrap();
    assert!(with_old < made && made < with_new, "{made}");
    assert_eq!(nodes(&graph(&app, up(Some(made))).await), new_graph);
    assert_eq!(nodes(&graph(&app, up(Some(made - 1))).await), old_graph);

    // The same through the model's own `lineage` field: one hop (the edge loader) and two.
    let hop =
        |as_of: i64, depth: i64| json!({"direction": "UPSTREAM", "asOf": as_of, "depth": depth});
    let l = entity_lineage(&app, "mlModel", MODEL, hop(with_old, 1)).await;
    assert_eq!(
        reached(&l),
        [(a.as_str(), 1, "Consumes"), (b.as_str(), 1, "Consumes")]
    );
    let l = entity_lineage(&app, "mlModel", MODEL, hop(with_old, 2)).await;
    assert_eq!(
        reached(&l),
        [
            (a.as_str(), 1, "Consumes"),
            (b.as_str(), 1, "Consumes"),
            (old_source.as_str(), 2, "DerivedFrom"),
        ]
    );
    let l = entity_lineage(&app, "mlModel", MODEL, hop(with_new, 1)).await;
    assert_eq!(reached(&l), [(c.as_str(), 1, "Consumes")]);
    assert_eq!(l["relationships"][0]["createdOn"], made);
    let l = entity_lineage(&app, "mlModel", MODEL, json!({"direction": "UPSTREAM"})).await;
    assert!(reached(&l).is_empty());
}

#[tokio::test]
async fn lineage_as_of_a_time_before_a_soft_delete_still_has_the_entity() {
    let app = TestApp::new().await;
    let (source, a) = (dataset("hive", "events"), feature("a"));
    run(
        &app,
        "mutation($a: String!, $source: String!, $model: String!) {
          a: upsertMLFeature(input: {urn: $a, sources: [$source]}) { urn }
          m: upsertMLModel(input: {urn: $model, mlFeatures: [$a]}) { urn }
        }",
        json!({"a": a, "source": source, "model": MODEL}),
    )
    .await;
    let live = a_moment_between_writes().await;
    app.data(&format!("mutation {{ softDeleteEntity(urn: \"{a}\") }}"))
        .await;

    let up = json!({"urn": MODEL, "direction": "UPSTREAM", "depth": 2});
    assert_eq!(nodes(&graph(&app, up.clone()).await), [(MODEL, 0)]);
    let mut then = up;
    then["asOf"] = json!(live);
    assert_eq!(
        nodes(&graph(&app, then).await),
        [(MODEL, 0), (a.as_str(), 1), (source.as_str(), 2)],
        "the feature was live at {live}"
    );
    let (code, _) = graph_refused(&app, json!({"urn": a})).await;
    assert_eq!(code, "NOT_FOUND");
    let g = graph(&app, json!({"urn": a, "direction": "BOTH", "asOf": live})).await;
    assert_eq!(
        nodes(&g),
        [(a.as_str(), 0), (source.as_str(), 1), (MODEL, 1)]
    );
}

// ---------------------------------------------------------------------------------------------
// Cycles

#[tokio::test]
async fn a_cycle_neither_hangs_nor_repeats_nodes() {
    let app = TestApp::new().await;
    let (a, b, c) = (
        dataset("hive", "a"),
        dataset("hive", "b"),
        dataset("hive", "c"),
    );
    run(
        &app,
        "mutation($a: String!, $b: String!, $c: String!) {
          a: upsertDataset(input: {urn: $a, description: \"A\"}) { urn }
          b: upsertDataset(input: {urn: $b, description: \"B\"}) { urn }
          c: upsertDataset(input: {urn: $c, description: \"C\"}) { urn }
        }",
        json!({"a": a, "b": b, "c": c}),
    )
    .await;
    // A feeds B, B feeds A, and B feeds C.
    for (owner, upstream) in [(&b, &a), (&a, &b), (&c, &b)] {
        run(
            &app,
            EDIT,
            json!({"urn": owner, "field": "DATASET_UPSTREAMS", "targets": [upstream]}),
        )
        .await;
    }
    let (a, b, c) = (a.as_str(), b.as_str(), c.as_str());
    let ab = (a, b, "DownstreamOf");
    let ba = (b, a, "DownstreamOf");
    let bc = (b, c, "DownstreamOf");
    for (direction, expected_nodes, expected_edges) in [
        ("UPSTREAM", vec![(a, 0), (b, 1)], vec![ba, ab]),
        ("DOWNSTREAM", vec![(a, 0), (b, 1), (c, 2)], vec![ab, ba, bc]),
        ("BOTH", vec![(a, 0), (b, 1), (c, 2)], vec![ab, ba, bc]),
    ] {
        let input = json!({"urn": a, "direction": direction, "depth": 10});
        let g = tokio::time::timeout(Duration::from_secs(30), graph(&app, input))
            .await
            .unwrap_or_else(|_| panic!("{direction}: the traversal of a cycle hangs"));
        assert_eq!(nodes(&g), expected_nodes, "{direction}");
        assert_eq!(edges(&g), expected_edges, "{direction}");
        assert_eq!(g["truncated"], false, "{direction}");

        let l = entity_lineage(
            &app,
            "dataset",
            a,
            json!({"direction": direction, "depth": 10}),
        )
        .await;
        let expected: Vec<(&str, i64, &str)> = expected_nodes[1..]
            .iter()
            .map(|&(urn, degree)| (urn, degree, "DownstreamOf"))
            .collect();
        assert_eq!(reached(&l), expected, "{direction}");
    }
}

// ---------------------------------------------------------------------------------------------
// Bounds and errors

#[tokio::test]
async fn out_of_bounds_depths_budgets_and_relations_are_bad_input() {
    let app = TestApp::with_limits(Limits {
        max_lineage_depth: 4,
        max_lineage_budget: 50,
        ..Limits::default()
    })
    .await;
    mlcat::demo::load(&app.catalog()).await.unwrap();
    let from_orders = |extra: Value| {
        let mut input = json!({"urn": ORDERS});
        input.as_object_mut().unwrap().extend(
            extra
                .as_object()
                .unwrap()
                .iter()
                .map(|(k, v)| (k.clone(), v.clone())),
        );
        input
    };
    for bad in [
        json!({"depth": 5}),
        json!({"depth": 0}),
        json!({"depth": -1}),
        json!({"budget": 51}),
        json!({"budget": 0}),
        json!({"budget": -3}),
        json!({"relations": ["Consumes", "IsFriendsWith"]}),
    ] {
        let (code, message) = graph_refused(&app, from_orders(bad.clone())).await;
        assert_eq!(code, "BAD_USER_INPUT", "{bad}: {message}");
    }
    // The bounds themselves are accepted.
    let g = graph(&app, from_orders(json!({"depth": 4, "budget": 50}))).await;
    assert_eq!(nodes(&g), DOWNSTREAM_OF_ORDERS);

    for bad in [json!({"depth": 5}), json!({"depth": 0})] {
        let mut input = bad.clone();
        input["direction"] = json!("DOWNSTREAM");
        let (code, _) = refused(
            &app,
            "query($urn: String!, $input: LineageInput!) {
              dataset(urn: $urn) { lineage(input: $input) { total } }
            }",
            json!({"urn": ORDERS, "input": input}),
        )
        .await;
        assert_eq!(code, "BAD_USER_INPUT", "per-entity lineage {bad}");
    }
}

#[tokio::test]
async fn the_default_depth_and_budget_come_from_the_limits() {
    let app = TestApp::with_limits(Limits {
        default_lineage_depth: 2,
        default_lineage_budget: 3,
        ..Limits::default()
    })
    .await;
    mlcat::demo::load(&app.catalog()).await.unwrap();
    let g = graph(&app, json!({"urn": ORDERS, "budget": 100})).await;
    assert_eq!(nodes(&g), DOWNSTREAM_OF_ORDERS[..6]);
    assert_eq!(g["truncated"], true);
    let g = graph(&app, json!({"urn": ORDERS, "depth": 10})).await;
    assert_eq!(nodes(&g), DOWNSTREAM_OF_ORDERS[..4]);
    assert_eq!(g["truncated"], true);
}

#[tokio::test]
async fn an_unknown_or_malformed_start_is_refused() {
    let app = TestApp::with_demo().await;
    let unknown = "urn:li:dataset:(urn:li:dataPlatform:snowflake,no.such.table,PROD)";
    let (code, message) = graph_refused(&app, json!({"urn": unknown})).await;
    assert_eq!(code, "NOT_FOUND");
    assert!(message.contains(unknown), "{message}");

    for malformed in [
        "orders",
        "urn:li:dataset:orders",
        "urn:li:dataset:(urn:li:dataPlatform:snowflake,orders,NOWHERE)",
        "",
    ] {
        let (code, message) = graph_refused(&app, json!({"urn": malformed})).await;
        assert_eq!(code, "BAD_USER_INPUT", "{malformed:?}: {message}");
    }
}

#[tokio::test]
async fn soft_deleted_entities_are_not_part_of_lineage() {
    let app = TestApp::with_demo().await;
    let set_removed = |urn: &str, removed: bool| {
        let mutation = if removed {
            "softDeleteEntity"
        } else {
            "restoreEntity"
        };
        format!("mutation {{ {mutation}(urn: \"{urn}\") }}")
    };
    app.data(&set_removed(V2, true)).await;

    let (code, message) = graph_refused(&app, json!({"urn": V2})).await;
    assert_eq!(code, "NOT_FOUND");
    assert!(message.contains(V2), "{message}");

    // The deployment and the predictions hang off v2 only; the group is still reached by v1.
    let g = graph(
        &app,
        json!({"urn": ORDERS, "direction": "DOWNSTREAM", "depth": 10}),
    )
    .await;
    assert_eq!(
        nodes(&g),
        [
            (ORDERS, 0),
            (KEY, 1),
            (FREQUENCY, 1),
            (TABLE, 2),
            (V1, 2),
            (TRAINING, 3),
            (GROUP, 3),
        ]
    );
    assert!(edges(&g).iter().all(|e| e.0 != V2 && e.1 != V2), "{g:#}");
    let g = graph(
        &app,
        json!({"urn": DEPLOYMENT, "direction": "UPSTREAM", "depth": 10}),
    )
    .await;
    assert_eq!(nodes(&g), [(DEPLOYMENT, 0)]);
    let l = entity_lineage(
        &app,
        "dataset",
        TRAINING,
        json!({"direction": "DOWNSTREAM"}),
    )
    .await;
    assert_eq!(reached(&l), [(V1, 1, "TrainedOn")]);

    app.data(&set_removed(V2, false)).await;
    let g = graph(
        &app,
        json!({"urn": ORDERS, "direction": "DOWNSTREAM", "depth": 10}),
    )
    .await;
    assert_eq!(nodes(&g), DOWNSTREAM_OF_ORDERS);
}

// ---------------------------------------------------------------------------------------------
// DOT and Mermaid

#[tokio::test]
async fn dot_and_mermaid_render_the_graph_with_names_escaped() {
    let app = TestApp::new().await;
    let source = r#"urn:li:dataset:(urn:li:dataPlatform:hive,db."orders"\raw,PROD)"#;
    let feature = "urn:li:mlFeature:(ns,f<1>|x)";
    let model = r#"urn:li:mlModel:(urn:li:dataPlatform:mlflow,churn "v1",PROD)"#;
    run(
        &app,
        "mutation($d: String!, $f: String!, $m: String!) {
          f: upsertMLFeature(input: {urn: $f, sources: [$d]}) { urn }
          m: upsertMLModel(input: {urn: $m, mlFeatures: [$f]}) { urn }
        }",
        json!({"d": source, "f": feature, "m": model}),
    )
    .await;
    let answer = app
        .gql_vars(
            "query($urn: String!) {
              lineageGraph(input: {urn: $urn, direction: DOWNSTREAM}) { dot mermaid }
            }",
            json!({ "urn": source }),
        )
        .await;
    assert!(answer.get("errors").is_none(), "{answer:#}");
    let g = &answer["data"]["lineageGraph"];
    assert_eq!(
        g["dot"].as_str().unwrap(),
        r##"digraph lineage {
  rankdir=LR;
  node [fontname="Helvetica", fontsize=11, style="rounded,filled"];
  edge [fontname="Helvetica", fontsize=9, color="#64748b"];
  "urn:li:dataset:(urn:li:dataPlatform:hive,db.\"orders\"\\raw,PROD)" [label="db.\"orders\"\\raw\ndataset", shape=cylinder, fillcolor="#dbeafe", penwidth=2.5];
  "urn:li:mlFeature:(ns,f<1>|x)" [label="f<1>|x\nmlFeature", shape=box, fillcolor="#dcfce7"];
  "urn:li:mlModel:(urn:li:dataPlatform:mlflow,churn \"v1\",PROD)" [label="churn \"v1\"\nmlModel", shape=box, fillcolor="#ede9fe"];
  "urn:li:dataset:(urn:li:dataPlatform:hive,db.\"orders\"\\raw,PROD)" -> "urn:li:mlFeature:(ns,f<1>|x)" [label="DerivedFrom"];
  "urn:li:mlFeature:(ns,f<1>|x)" -> "urn:li:mlModel:(urn:li:dataPlatform:mlflow,churn \"v1\",PROD)" [label="Consumes"];
}
"##
    );
    assert_eq!(
        g["mermaid"].as_str().unwrap(),
        r#"flowchart LR
  n0["db.#quot;orders#quot;\raw<br/><small>dataset</small>"]
  n1["f#lt;1#gt;#124;x<br/><small>mlFeature</small>"]
  n2["churn #quot;v1#quot;<br/><small>mlModel</small>"]
  n0 -->|DerivedFrom| n1
  n1 -->|Consumes| n2
"#
    );
}
