//! Lineage within bounds: lineage as of a time (the graph as it was, and an entity soft-deleted
//! since), out-of-bounds depths, budgets and relations, the defaults from the limits, unknown or
//! malformed starts, and soft-deleted entities left out.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use mlcat::config::Limits;

use serde_json::{json, Value};

use crate::lineage::{
    dataset, edges, entity_lineage, graph, nodes, reached, run, DEPLOYMENT, DOWNSTREAM_OF_ORDERS,
    FREQUENCY, GRAPH, GROUP, KEY, ORDERS, REMOVE, TABLE, TRAINING, V1, V2,
};
use crate::support::TestApp;

// ---------------------------------------------------------------------------------------------
// Helpers

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
