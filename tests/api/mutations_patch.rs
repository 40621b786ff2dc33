//! Patch semantics of the six `upsert*` mutations: a field given changes only that field, null
//! clears, and a list given replaces the list, as the upsert answers it and as a lookup reads it
//! back.

use serde_json::{json, Value};

use crate::mutations::{
    feature_urn, group_urn, lookup, upsert, Kind, DATASET, DS_ITEMS, DS_ORDERS, DS_RETURNS,
    FEATURE, GROUP, MODEL, PRIMARY_KEY, TABLE,
};
use crate::support::TestApp;

// ---------------------------------------------------------------------------------------------
// Helpers

/// Checks the second answer is exactly the first with `changes` (dotted paths) applied: the
/// fields not given stayed as they were.
fn assert_only_changed(before: &Value, after: &Value, changes: &[(&str, Value)]) {
    let mut expected = before.clone();
    for (path, value) in changes {
        let mut at = &mut expected;
        for key in path.split('.') {
            at = &mut at[key];
        }
        *at = value.clone();
    }
    assert_eq!(after, &expected);
}

/// Creates with `full`, then checks that updating one field changes only it, that null clears
/// the fields in `clears`, and that a list given replaces the list, each time as the upsert
/// answers it and as a lookup reads it back.
async fn check_patch_semantics(
    app: &TestApp,
    kind: Kind,
    full: Value,
    steps: Vec<(Value, Vec<(&str, Value)>)>,
) {
    let mut before = upsert(app, kind, full).await;
    let urn = before["urn"].as_str().expect("urn").to_string();
    assert_eq!(lookup(app, kind, &urn).await, before);
    for (mut input, changes) in steps {
        input["urn"] = json!(urn);
        let after = upsert(app, kind, input.clone()).await;
        assert_only_changed(&before, &after, &changes);
        assert_eq!(lookup(app, kind, &urn).await, after, "after {input}");
        before = after;
    }
}

// ---------------------------------------------------------------------------------------------
// Each upsert

#[tokio::test]
async fn upsert_ml_feature_patches_clears_and_replaces() {
    let app = TestApp::new().await;
    let full = json!({
        "featureNamespace": "ns", "name": "f",
        "description": "orders per year", "dataType": "CONTINUOUS", "version": "V_1",
        "sources": [DS_ORDERS, DS_ITEMS],
        "customProperties": [{"key": "owner", "value": "ana"}, {"key": "tier", "value": "1"}],
    });
    check_patch_semantics(
        &app,
        FEATURE,
        full,
        vec![
            (
                json!({"dataType": "COUNT"}),
                vec![("dataType", json!("COUNT")), ("properties.dataType", json!("COUNT"))],
            ),
            (
                json!({"version": "V_2"}),
                vec![("properties.version", json!({"versionTag": "V_2"}))],
            ),
            (
                json!({"description": null}),
                vec![("description", json!(null)), ("properties.description", json!(null))],
            ),
            (
                json!({"sources": [DS_RETURNS]}),
                vec![("properties.sources", json!([{"urn": DS_RETURNS}]))],
            ),
            (
                json!({"customProperties": [{"key": "z", "value": "last"}]}),
                vec![("properties.customProperties", json!([{"key": "z", "value": "last"}]))],
            ),
            (
                json!({"dataType": null, "version": null, "sources": null, "customProperties": null}),
                vec![
                    ("dataType", json!(null)),
                    ("properties.dataType", json!(null)),
                    ("properties.version", json!(null)),
                    ("properties.sources", json!(null)),
                    ("properties.customProperties", json!([])),
                ],
            ),
        ],
    )
    .await;
}

#[tokio::test]
async fn upsert_ml_primary_key_patches_clears_and_replaces() {
    let app = TestApp::new().await;
    let full = json!({
        "featureNamespace": "users", "name": "user_id",
        "description": "the user", "dataType": "TEXT", "version": "1",
        "sources": [DS_ORDERS, DS_ITEMS],
        "customProperties": [{"key": "k", "value": "v"}],
    });
    check_patch_semantics(
        &app,
        PRIMARY_KEY,
        full,
        vec![
            (
                json!({"description": "the customer"}),
                vec![
                    ("description", json!("the customer")),
                    ("properties.description", json!("the customer")),
                ],
            ),
            (
                json!({"sources": [DS_RETURNS, DS_ORDERS]}),
                vec![(
                    "properties.sources",
                    json!([{"urn": DS_RETURNS}, {"urn": DS_ORDERS}]),
                )],
            ),
            (
                json!({"version": null, "dataType": null}),
                vec![
                    ("dataType", json!(null)),
                    ("properties.dataType", json!(null)),
                    ("properties.version", json!(null)),
                ],
            ),
            // The sources of a key are required (possibly empty): null empties them.
            (
                json!({"sources": null}),
                vec![("properties.sources", json!([]))],
            ),
            (
                json!({"customProperties": null}),
                vec![("properties.customProperties", json!([]))],
            ),
        ],
    )
    .await;
}

#[tokio::test]
async fn upsert_ml_feature_table_patches_clears_and_replaces() {
    let app = TestApp::new().await;
    let (a, b, c) = (
        feature_urn("t", "a"),
        feature_urn("t", "b"),
        feature_urn("t", "c"),
    );
    let key = "urn:li:mlPrimaryKey:(t,id)";
    let full = json!({
        "platform": "feast", "name": "t", "description": "a table",
        "mlFeatures": [a, b], "mlPrimaryKeys": [key],
        "customProperties": [{"key": "refresh", "value": "1h"}],
    });
    check_patch_semantics(
        &app,
        TABLE,
        full,
        vec![
            (
                json!({"description": "the table"}),
                vec![
                    ("description", json!("the table")),
                    ("properties.description", json!("the table")),
                ],
            ),
            (
                json!({"mlFeatures": [c, a]}),
                vec![("properties.mlFeatures", json!([{"urn": c}, {"urn": a}]))],
            ),
            (
                json!({"description": null, "mlPrimaryKeys": null}),
                vec![
                    ("description", json!(null)),
                    ("properties.description", json!(null)),
                    ("properties.mlPrimaryKeys", json!(null)),
                ],
            ),
            (
                json!({"customProperties": [{"key": "owner", "value": "me"}]}),
                vec![(
                    "properties.customProperties",
                    json!([{"key": "owner", "value": "me"}]),
                )],
            ),
            (
                json!({"mlFeatures": null}),
                vec![("properties.mlFeatures", json!(null))],
            ),
        ],
    )
    .await;
}

#[tokio::test]
async fn upsert_ml_model_patches_clears_and_replaces() {
    let app = TestApp::new().await;
    let (f1, f2) = (feature_urn("t", "f1"), feature_urn("t", "f2"));
    let full = json!({
        "platform": "sagemaker", "name": "churn",
        "displayName": "Churn predictor", "description": "predicts churn", "version": "3",
        "type": "XGBoost",
        "hyperParams": [{"name": "max_depth", "value": "6", "description": "depth"}],
        "trainingMetrics": [{"name": "auc", "value": "0.91"}],
        "mlFeatures": [f1, f2], "groups": [group_urn("churn")], "tags": ["a", "b"],
        "customProperties": [{"key": "team", "value": "growth"}],
        "externalUrl": "https://example.com/churn",
    });
    check_patch_semantics(
        &app,
        MODEL,
        full,
        vec![
            (json!({"version": "4"}), vec![("properties.version", json!("4"))]),
            (json!({"type": "LightGBM"}), vec![("properties.type", json!("LightGBM"))]),
            (
                json!({"description": null, "displayName": null}),
                vec![
                    ("description", json!(null)),
                    ("properties.description", json!(null)),
                    // Without a display name, the name in the URN shows.
                    ("properties.name", json!("churn")),
                ],
            ),
            (
                json!({"tags": ["c"], "mlFeatures": [f2]}),
                vec![
                    ("properties.tags", json!(["c"])),
                    ("properties.mlFeatures", json!([f2])),
                ],
            ),
            (
                json!({"hyperParams": [{"name": "eta", "value": "0.1"}, {"name": "n", "value": "9"}]}),
                vec![(
                    "properties.hyperParams",
                    json!([
                        {"name": "eta", "description": null, "value": "0.1"},
                        {"name": "n", "description": null, "value": "9"},
                    ]),
                )],
            ),
            (
                json!({"trainingMetrics": null, "groups": null, "tags": null, "externalUrl": null}),
                vec![
                    ("properties.trainingMetrics", json!(null)),
                    ("properties.groups", json!([])),
                    ("properties.tags", json!([])),
                    ("properties.externalUrl", json!(null)),
                ],
            ),
        ],
    )
    .await;
}

#[tokio::test]
async fn upsert_ml_model_group_patches_clears_and_replaces() {
    let app = TestApp::new().await;
    let full = json!({
        "platform": "sagemaker", "name": "churn",
        "displayName": "Churn models", "description": "all churn models", "version": "1",
        "customProperties": [{"key": "a", "value": "1"}, {"key": "b", "value": "2"}],
        "externalUrl": "https://example.com/g",
    });
    check_patch_semantics(
        &app,
        GROUP,
        full,
        vec![
            (
                json!({"version": "2"}),
                vec![("properties.version", json!({"versionTag": "2"}))],
            ),
            (
                json!({"displayName": "Churn"}),
                vec![("properties.name", json!("Churn"))],
            ),
            (
                json!({"customProperties": [{"key": "c", "value": "3"}]}),
                vec![(
                    "properties.customProperties",
                    json!([{"key": "c", "value": "3"}]),
                )],
            ),
            (
                json!({"description": null, "externalUrl": null, "version": null}),
                vec![
                    ("description", json!(null)),
                    ("properties.description", json!(null)),
                    ("properties.externalUrl", json!(null)),
                    ("properties.version", json!(null)),
                ],
            ),
        ],
    )
    .await;
}

#[tokio::test]
async fn upsert_dataset_patches_clears_and_replaces() {
    let app = TestApp::new().await;
    let full = json!({
        "platform": "snowflake", "name": "db.public.orders",
        "displayName": "ORDERS", "qualifiedName": "DB.PUBLIC.ORDERS", "description": "orders",
        "customProperties": [{"key": "source", "value": "tpcx"}],
        "externalUrl": "https://example.com/orders",
    });
    check_patch_semantics(
        &app,
        DATASET,
        full,
        vec![
            (
                json!({"qualifiedName": "PROD.PUBLIC.ORDERS"}),
                vec![("properties.qualifiedName", json!("PROD.PUBLIC.ORDERS"))],
            ),
            (
                json!({"customProperties": [{"key": "x", "value": "y"}, {"key": "a", "value": "b"}]}),
                // Custom properties come back ordered by key.
                vec![(
                    "properties.customProperties",
                    json!([{"key": "a", "value": "b"}, {"key": "x", "value": "y"}]),
                )],
            ),
            (
                json!({"description": null, "displayName": null, "externalUrl": null}),
                vec![
                    ("description", json!(null)),
                    ("properties.description", json!(null)),
                    ("properties.name", json!("db.public.orders")),
                    ("properties.externalUrl", json!(null)),
                ],
            ),
            (
                json!({"qualifiedName": null, "customProperties": null}),
                vec![
                    ("properties.qualifiedName", json!(null)),
                    ("properties.customProperties", json!([])),
                ],
            ),
        ],
    )
    .await;
}
