//! Lineage reads on the demo catalog: the issue's four questions (root `lineageGraph` and
//! per-entity `lineage`), an exact `truncated` flag, cycles, and the DOT and Mermaid exports.
//! The demo catalog's URNs and the helpers here are shared with lineage_statements.rs,
//! lineage_bounds.rs and relationships.rs.

use std::time::Duration;

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

pub(crate) const GRAPH: &str = "query($input: LineageGraphInput!) {
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
pub(crate) fn edges(graph: &Value) -> Vec<(&str, &str, &str)> {
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

pub(crate) fn dataset(platform: &str, name: &str) -> String {
    format!("urn:li:dataset:(urn:li:dataPlatform:{platform},{name},PROD)")
}

/// The whole graph downstream of `orders`: what a change of the table can reach.
pub(crate) const DOWNSTREAM_OF_ORDERS: [(&str, i64); 10] = [
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
    // Left out by the filter: the two features, the feature table, the key and the 14
    // columns that feed them (column_lineage.rs lists them).
    assert_eq!(
        (&l["start"], &l["count"], &l["total"], &l["filtered"]),
        (&json!(0), &json!(9), &json!(9), &json!(18))
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
    // Left out: 12 entities, and the 14 columns upstream of the model.
    assert_eq!((&l["total"], &l["filtered"]), (&json!(1), &json!(26)));
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
