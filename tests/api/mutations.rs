//! The write mutations: the six `upsert*` mutations (URNs built from key parts or given, patch
//! semantics, null clears, lists replace), relations resolving after a write, `replaceAspect`,
//! `updateDescription`, soft-deleting and restoring, and concurrent writes to one entity.

use std::sync::Arc;

use serde_json::{json, Value};

use crate::support::TestApp;

// ---------------------------------------------------------------------------------------------
// Helpers

/// One upsert mutation, the lookup that reads the same entity back, and what both select.
#[derive(Clone, Copy)]
struct Kind {
    mutation: &'static str,
    input: &'static str,
    lookup: &'static str,
    fields: &'static str,
}

const FEATURE: Kind = Kind {
    mutation: "upsertMLFeature",
    input: "UpsertMLFeatureInput",
    lookup: "mlFeature",
    fields: "urn name featureNamespace description dataType
        properties { description dataType version { versionTag } sources { urn }
                     customProperties { key value } }",
};

const PRIMARY_KEY: Kind = Kind {
    mutation: "upsertMLPrimaryKey",
    input: "UpsertMLPrimaryKeyInput",
    lookup: "mlPrimaryKey",
    fields: "urn name featureNamespace description dataType
        properties { description dataType version { versionTag } sources { urn }
                     customProperties { key value } }",
};

const TABLE: Kind = Kind {
    mutation: "upsertMLFeatureTable",
    input: "UpsertMLFeatureTableInput",
    lookup: "mlFeatureTable",
    fields: "urn name platform { name } description
        properties { description mlFeatures { urn } mlPrimaryKeys { urn }
                     customProperties { key value } }",
};

const MODEL: Kind = Kind {
    mutation: "upsertMLModel",
    input: "UpsertMLModelInput",
    lookup: "mlModel",
    fields: "urn name platform { name } origin description
        properties { name description version type hyperParams { name description value }
                     trainingMetrics { name description value } mlFeatures groups { urn } tags
                     customProperties { key value } externalUrl }",
};

const GROUP: Kind = Kind {
    mutation: "upsertMLModelGroup",
    input: "UpsertMLModelGroupInput",
    lookup: "mlModelGroup",
    fields: "urn name platform { name } origin description
        properties { name description version { versionTag } customProperties { key value }
                     externalUrl }",
};

const DATASET: Kind = Kind {
    mutation: "upsertDataset",
    input: "UpsertDatasetInput",
    lookup: "dataset",
    fields: "urn name platform { name } origin description
        properties { name qualifiedName origin description customProperties { key value }
                     externalUrl }",
};

const DS_ORDERS: &str = "urn:li:dataset:(urn:li:dataPlatform:snowflake,db.public.orders,PROD)";
const DS_ITEMS: &str = "urn:li:dataset:(urn:li:dataPlatform:snowflake,db.public.items,PROD)";
const DS_RETURNS: &str = "urn:li:dataset:(urn:li:dataPlatform:snowflake,db.public.returns,PROD)";

fn feature_urn(namespace: &str, name: &str) -> String {
    format!("urn:li:mlFeature:({namespace},{name})")
}

fn model_urn(name: &str) -> String {
    format!("urn:li:mlModel:(urn:li:dataPlatform:sagemaker,{name},PROD)")
}

fn group_urn(name: &str) -> String {
    format!("urn:li:mlModelGroup:(urn:li:dataPlatform:sagemaker,{name},PROD)")
}

fn table_urn(name: &str) -> String {
    format!("urn:li:mlFeatureTable:(urn:li:dataPlatform:feast,{name})")
}

/// Fails the test with the whole answer when it holds errors.
fn no_errors(answer: &Value) {
    assert!(
        answer.get("errors").is_none(),
        "unexpected errors: {answer:#}"
    );
}

/// Runs one upsert mutation with `input` and answers the entity it returns.
async fn upsert(app: &TestApp, kind: Kind, input: Value) -> Value {
    let query = format!(
        "mutation($input: {}!) {{ {}(input: $input) {{ {} }} }}",
        kind.input, kind.mutation, kind.fields
    );
    let answer = app.gql_vars(&query, json!({ "input": input })).await;
    no_errors(&answer);
    answer["data"][kind.mutation].clone()
}

/// Reads an entity back by URN, with the same selection as its upsert.
async fn lookup(app: &TestApp, kind: Kind, urn: &str) -> Value {
    let query = format!(
        "query($urn: String!) {{ {}(urn: $urn) {{ {} }} }}",
        kind.lookup, kind.fields
    );
    let answer = app.gql_vars(&query, json!({ "urn": urn })).await;
    no_errors(&answer);
    answer["data"][kind.lookup].clone()
}

/// Runs a mutation (with variables) that must succeed and answers its `data`.
async fn mutate(app: &TestApp, query: &str, variables: Value) -> Value {
    let answer = app.gql_vars(query, variables).await;
    no_errors(&answer);
    answer["data"].clone()
}

/// The code of the first error of an answer that must have failed.
fn code_of(answer: &Value) -> &str {
    answer["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or_else(|| panic!("expected an error with a code: {answer:#}"))
}

/// The `name` of each object of a JSON list.
fn names(list: &Value) -> Vec<&str> {
    list.as_array()
        .unwrap_or_else(|| panic!("expected a list: {list}"))
        .iter()
        .map(|e| e["name"].as_str().expect("name"))
        .collect()
}

/// Row counts of the three tables, to show a refused write left nothing behind.
async fn row_counts(app: &TestApp) -> [i64; 3] {
    [
        app.count_rows("entity").await,
        app.count_rows("aspect").await,
        app.count_rows("edge").await,
    ]
}

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
// upsertMLFeature

#[tokio::test]
async fn upsert_ml_feature_builds_or_takes_the_urn() {
    let app = TestApp::new().await;
    let built = upsert(
        &app,
        FEATURE,
        json!({"featureNamespace": "ns1", "name": "age"}),
    )
    .await;
    assert_eq!(built["urn"], "urn:li:mlFeature:(ns1,age)");
    assert_eq!(built["name"], "age");
    assert_eq!(built["featureNamespace"], "ns1");

    let given = upsert(
        &app,
        FEATURE,
        json!({"urn": "urn:li:mlFeature:(ns2,income)", "description": "yearly"}),
    )
    .await;
    assert_eq!(given["urn"], "urn:li:mlFeature:(ns2,income)");
    assert_eq!(given["name"], "income");
    assert_eq!(given["featureNamespace"], "ns2");
    assert_eq!(given["description"], "yearly");
    assert_eq!(
        lookup(&app, FEATURE, "urn:li:mlFeature:(ns2,income)").await,
        given
    );
}

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

// ---------------------------------------------------------------------------------------------
// upsertMLPrimaryKey

#[tokio::test]
async fn upsert_ml_primary_key_builds_or_takes_the_urn() {
    let app = TestApp::new().await;
    let built = upsert(
        &app,
        PRIMARY_KEY,
        json!({"featureNamespace": "users", "name": "user_id"}),
    )
    .await;
    assert_eq!(built["urn"], "urn:li:mlPrimaryKey:(users,user_id)");
    assert_eq!(built["name"], "user_id");
    assert_eq!(built["featureNamespace"], "users");
    // A key has a (possibly empty) list of sources from the start.
    assert_eq!(built["properties"]["sources"], json!([]));

    let given = upsert(
        &app,
        PRIMARY_KEY,
        json!({"urn": "urn:li:mlPrimaryKey:(orders,order_id)", "dataType": "ORDINAL"}),
    )
    .await;
    assert_eq!(given["urn"], "urn:li:mlPrimaryKey:(orders,order_id)");
    assert_eq!(given["name"], "order_id");
    assert_eq!(given["featureNamespace"], "orders");
    assert_eq!(given["dataType"], "ORDINAL");
    assert_eq!(
        lookup(&app, PRIMARY_KEY, "urn:li:mlPrimaryKey:(orders,order_id)").await,
        given
    );
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

// ---------------------------------------------------------------------------------------------
// upsertMLFeatureTable

#[tokio::test]
async fn upsert_ml_feature_table_builds_or_takes_the_urn() {
    let app = TestApp::new().await;
    let built = upsert(&app, TABLE, json!({"platform": "feast", "name": "users"})).await;
    assert_eq!(built["urn"], table_urn("users"));
    assert_eq!(built["name"], "users");
    assert_eq!(built["platform"], json!({"name": "feast"}));

    // The platform may be given as a URN: the same table.
    let again = upsert(
        &app,
        TABLE,
        json!({"platform": "urn:li:dataPlatform:feast", "name": "users", "description": "d"}),
    )
    .await;
    assert_eq!(again["urn"], table_urn("users"));
    assert_eq!(again["description"], "d");

    let given = upsert(&app, TABLE, json!({"urn": table_urn("orders")})).await;
    assert_eq!(given["urn"], table_urn("orders"));
    assert_eq!(given["name"], "orders");
    assert_eq!(given["platform"], json!({"name": "feast"}));
    assert_eq!(lookup(&app, TABLE, &table_urn("orders")).await, given);
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

// ---------------------------------------------------------------------------------------------
// upsertMLModel

#[tokio::test]
async fn upsert_ml_model_builds_or_takes_the_urn() {
    let app = TestApp::new().await;
    let built = upsert(
        &app,
        MODEL,
        json!({"platform": "sagemaker", "name": "churn"}),
    )
    .await;
    assert_eq!(built["urn"], model_urn("churn"));
    assert_eq!(built["name"], "churn");
    assert_eq!(built["platform"], json!({"name": "sagemaker"}));
    assert_eq!(built["origin"], "PROD");

    let dev = upsert(
        &app,
        MODEL,
        json!({"platform": "urn:li:dataPlatform:sagemaker", "name": "churn", "origin": "DEV"}),
    )
    .await;
    assert_eq!(
        dev["urn"],
        "urn:li:mlModel:(urn:li:dataPlatform:sagemaker,churn,DEV)"
    );
    assert_eq!(dev["origin"], "DEV");

    let urn = "urn:li:mlModel:(urn:li:dataPlatform:science,scienceModel,STG)";
    let given = upsert(
        &app,
        MODEL,
        json!({"urn": urn, "type": "Naive Bayes classifier"}),
    )
    .await;
    assert_eq!(given["urn"], urn);
    assert_eq!(given["name"], "scienceModel");
    assert_eq!(given["platform"], json!({"name": "science"}));
    assert_eq!(given["origin"], "STG");
    assert_eq!(given["properties"]["type"], "Naive Bayes classifier");
    assert_eq!(lookup(&app, MODEL, urn).await, given);
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

// ---------------------------------------------------------------------------------------------
// upsertMLModelGroup

#[tokio::test]
async fn upsert_ml_model_group_builds_or_takes_the_urn() {
    let app = TestApp::new().await;
    let built = upsert(
        &app,
        GROUP,
        json!({"platform": "sagemaker", "name": "churn"}),
    )
    .await;
    assert_eq!(built["urn"], group_urn("churn"));
    assert_eq!(built["name"], "churn");
    assert_eq!(built["platform"], json!({"name": "sagemaker"}));
    assert_eq!(built["origin"], "PROD");
    // Without a display name, the name in the URN shows.
    assert_eq!(built["properties"]["name"], "churn");

    let qa = upsert(
        &app,
        GROUP,
        json!({"platform": "sagemaker", "name": "churn", "origin": "QA"}),
    )
    .await;
    assert_eq!(
        qa["urn"],
        "urn:li:mlModelGroup:(urn:li:dataPlatform:sagemaker,churn,QA)"
    );

    let urn = "urn:li:mlModelGroup:(urn:li:dataPlatform:science,my-model-group,PROD)";
    let given = upsert(
        &app,
        GROUP,
        json!({"urn": urn, "description": "my model group"}),
    )
    .await;
    assert_eq!(given["urn"], urn);
    assert_eq!(given["name"], "my-model-group");
    assert_eq!(given["platform"], json!({"name": "science"}));
    assert_eq!(given["description"], "my model group");
    assert_eq!(lookup(&app, GROUP, urn).await, given);
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

// ---------------------------------------------------------------------------------------------
// upsertDataset

#[tokio::test]
async fn upsert_dataset_builds_or_takes_the_urn() {
    let app = TestApp::new().await;
    let built = upsert(
        &app,
        DATASET,
        json!({"platform": "snowflake", "name": "db.public.orders"}),
    )
    .await;
    assert_eq!(built["urn"], DS_ORDERS);
    assert_eq!(built["name"], "db.public.orders");
    assert_eq!(built["platform"], json!({"name": "snowflake"}));
    assert_eq!(built["origin"], "PROD");

    let dev = upsert(
        &app,
        DATASET,
        json!({"platform": "urn:li:dataPlatform:hive", "name": "logs.events", "origin": "DEV"}),
    )
    .await;
    assert_eq!(
        dev["urn"],
        "urn:li:dataset:(urn:li:dataPlatform:hive,logs.events,DEV)"
    );
    assert_eq!(dev["origin"], "DEV");
    assert_eq!(dev["properties"]["origin"], "DEV");

    let given = upsert(
        &app,
        DATASET,
        json!({"urn": DS_ITEMS, "displayName": "ITEMS"}),
    )
    .await;
    assert_eq!(given["urn"], DS_ITEMS);
    assert_eq!(given["name"], "db.public.items");
    assert_eq!(given["properties"]["name"], "ITEMS");
    assert_eq!(lookup(&app, DATASET, DS_ITEMS).await, given);
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

#[tokio::test]
async fn an_unchanged_upsert_adds_no_version() {
    let app = TestApp::new().await;
    let input = json!({"platform": "sagemaker", "name": "m", "description": "d", "tags": ["x"]});
    let first = upsert(&app, MODEL, input.clone()).await;
    let counts = row_counts(&app).await;
    let second = upsert(&app, MODEL, input).await;
    assert_eq!(second, first);
    // Only giving the URN changes nothing either.
    upsert(&app, MODEL, json!({"urn": model_urn("m")})).await;
    assert_eq!(row_counts(&app).await, counts);
}

#[tokio::test]
async fn mutations_in_one_request_each_answer_their_own_write() {
    let app = TestApp::new().await;
    let urn = model_urn("m");
    let query = format!(
        r#"mutation {{
            first: upsertMLModel(input: {{urn: "{urn}", description: "one", version: "1"}}) {{
                description properties {{ version }} }}
            second: upsertMLModel(input: {{urn: "{urn}", description: "two"}}) {{
                description properties {{ version }} }}
            third: updateDescription(input: {{resourceUrn: "{urn}", description: "edited"}})
            fourth: upsertMLModel(input: {{urn: "{urn}", version: "4"}}) {{
                description properties {{ description version }} }}
        }}"#
    );
    let data = app.data(&query).await;
    assert_eq!(
        data,
        json!({
            "first": {"description": "one", "properties": {"version": "1"}},
            "second": {"description": "two", "properties": {"version": "1"}},
            "third": true,
            "fourth": {"description": "edited", "properties": {"description": "two", "version": "4"}},
        })
    );
}

// ---------------------------------------------------------------------------------------------
// Relations

#[tokio::test]
async fn a_feature_table_lists_its_features_and_keys_in_order() {
    let app = TestApp::new().await;
    for name in ["zeta", "alpha", "mid"] {
        upsert(
            &app,
            FEATURE,
            json!({"featureNamespace": "t", "name": name, "dataType": "TEXT"}),
        )
        .await;
    }
    upsert(
        &app,
        PRIMARY_KEY,
        json!({"featureNamespace": "t", "name": "id"}),
    )
    .await;
    let query = "mutation($input: UpsertMLFeatureTableInput!) {
        upsertMLFeatureTable(input: $input) {
            properties { mlFeatures { name dataType } mlPrimaryKeys { name } }
        } }";
    let data = mutate(
        &app,
        query,
        json!({"input": {
            "platform": "feast", "name": "t",
            "mlFeatures": [feature_urn("t", "zeta"), feature_urn("t", "alpha"), feature_urn("t", "mid")],
            "mlPrimaryKeys": ["urn:li:mlPrimaryKey:(t,id)"],
        }}),
    )
    .await;
    let props = &data["upsertMLFeatureTable"]["properties"];
    assert_eq!(names(&props["mlFeatures"]), ["zeta", "alpha", "mid"]);
    assert_eq!(props["mlFeatures"][0]["dataType"], "TEXT");
    assert_eq!(names(&props["mlPrimaryKeys"]), ["id"]);

    let read = app
        .data(&format!(
            r#"{{ mlFeatureTable(urn: "{}") {{ properties {{ mlFeatures {{ name }} }} }} }}"#,
            table_urn("t")
        ))
        .await;
    assert_eq!(
        names(&read["mlFeatureTable"]["properties"]["mlFeatures"]),
        ["zeta", "alpha", "mid"]
    );
}

#[tokio::test]
async fn a_model_resolves_its_groups_and_features() {
    let app = TestApp::new().await;
    let (f1, f2) = (feature_urn("t", "frequency"), feature_urn("t", "ratio"));
    upsert(
        &app,
        FEATURE,
        json!({"urn": f1, "description": "orders per year"}),
    )
    .await;
    upsert(&app, FEATURE, json!({"urn": f2})).await;
    upsert(
        &app,
        GROUP,
        json!({"platform": "sagemaker", "name": "seg", "description": "g"}),
    )
    .await;
    let query = "mutation($input: UpsertMLModelInput!) {
        upsertMLModel(input: $input) {
            properties { groups { name description } features { name description } mlFeatures }
        } }";
    let data = mutate(
        &app,
        query,
        json!({"input": {
            "platform": "sagemaker", "name": "seg_v1",
            "mlFeatures": [f2, f1], "groups": [group_urn("seg")],
        }}),
    )
    .await;
    let expected = json!({
        "groups": [{"name": "seg", "description": "g"}],
        "features": [
            {"name": "ratio", "description": null},
            {"name": "frequency", "description": "orders per year"},
        ],
        "mlFeatures": [f2, f1],
    });
    assert_eq!(data["upsertMLModel"]["properties"], expected);
    let read = app
        .data(&format!(
            r#"{{ mlModel(urn: "{}") {{ properties {{ groups {{ name description }}
                features {{ name description }} mlFeatures }} }} }}"#,
            model_urn("seg_v1")
        ))
        .await;
    assert_eq!(read["mlModel"]["properties"], expected);
}

// ---------------------------------------------------------------------------------------------
// replaceAspect

const REPLACE: &str = "mutation($urn: String!, $aspect: String!, $value: JSON!) {
    replaceAspect(input: {urn: $urn, aspectName: $aspect, value: $value}) {
        urn aspectName version changed } }";

async fn replace(app: &TestApp, urn: &str, aspect: &str, value: Value) -> Value {
    mutate(
        app,
        REPLACE,
        json!({"urn": urn, "aspect": aspect, "value": value}),
    )
    .await["replaceAspect"]
        .clone()
}

#[tokio::test]
async fn replace_aspect_replaces_the_whole_aspect() {
    let app = TestApp::new().await;
    let urn = model_urn("m");
    upsert(
        &app,
        MODEL,
        json!({"urn": urn, "description": "old", "version": "1", "tags": ["t"], "type": "KMeans"}),
    )
    .await;
    let result = replace(
        &app,
        &urn,
        "mlModelProperties",
        json!({"description": "new"}),
    )
    .await;
    assert_eq!(
        result,
        json!({"urn": urn, "aspectName": "mlModelProperties", "version": 2, "changed": true})
    );
    let model = lookup(&app, MODEL, &urn).await;
    assert_eq!(model["description"], "new");
    assert_eq!(model["properties"]["description"], "new");
    // The fields not in the new value are gone.
    assert_eq!(model["properties"]["version"], json!(null));
    assert_eq!(model["properties"]["type"], json!(null));
    assert_eq!(model["properties"]["tags"], json!([]));

    // The same value again makes no version.
    let aspects = app.count_rows("aspect").await;
    let again = replace(
        &app,
        &urn,
        "mlModelProperties",
        json!({"description": "new"}),
    )
    .await;
    assert_eq!(
        again,
        json!({"urn": urn, "aspectName": "mlModelProperties", "version": 2, "changed": false})
    );
    assert_eq!(app.count_rows("aspect").await, aspects);

    let third = replace(
        &app,
        &urn,
        "mlModelProperties",
        json!({"description": "newer"}),
    )
    .await;
    assert_eq!(third["version"], 3);
    assert_eq!(third["changed"], true);
    assert_eq!(app.count_rows("aspect").await, aspects + 1);
}

#[tokio::test]
async fn replace_aspect_creates_the_entity() {
    let app = TestApp::new().await;
    let urn = feature_urn("t", "new");
    let result = replace(
        &app,
        &urn,
        "mlFeatureProperties",
        json!({"dataType": "BINARY"}),
    )
    .await;
    assert_eq!(
        result,
        json!({"urn": urn, "aspectName": "mlFeatureProperties", "version": 1, "changed": true})
    );
    let feature = lookup(&app, FEATURE, &urn).await;
    assert_eq!(feature["dataType"], "BINARY");
    assert_eq!(feature["name"], "new");
}

// ---------------------------------------------------------------------------------------------
// updateDescription

const UPDATE_DESCRIPTION: &str = "mutation($urn: String!, $text: String!) {
    updateDescription(input: {resourceUrn: $urn, description: $text}) }";

#[tokio::test]
async fn update_description_wins_over_the_ingested_one() {
    let app = TestApp::new().await;
    let urn = model_urn("m");
    upsert(&app, MODEL, json!({"urn": urn, "description": "ingested"})).await;
    let data = mutate(
        &app,
        UPDATE_DESCRIPTION,
        json!({"urn": urn, "text": "edited"}),
    )
    .await;
    assert_eq!(data, json!({"updateDescription": true}));
    let read = app
        .data(&format!(
            r#"{{ mlModel(urn: "{urn}") {{ description editableProperties {{ description }}
                properties {{ description }} }} }}"#
        ))
        .await;
    assert_eq!(
        read["mlModel"],
        json!({
            "description": "edited",
            "editableProperties": {"description": "edited"},
            "properties": {"description": "ingested"},
        })
    );
    // A later ingestion does not hide the edit.
    upsert(
        &app,
        MODEL,
        json!({"urn": urn, "description": "ingested again"}),
    )
    .await;
    let model = lookup(&app, MODEL, &urn).await;
    assert_eq!(model["description"], "edited");
    assert_eq!(model["properties"]["description"], "ingested again");
}

#[tokio::test]
async fn update_description_works_for_every_entity_type() {
    let app = TestApp::new().await;
    let created = [
        (
            FEATURE,
            upsert(&app, FEATURE, json!({"featureNamespace": "t", "name": "f"})).await,
        ),
        (
            PRIMARY_KEY,
            upsert(
                &app,
                PRIMARY_KEY,
                json!({"featureNamespace": "t", "name": "k"}),
            )
            .await,
        ),
        (
            TABLE,
            upsert(&app, TABLE, json!({"platform": "feast", "name": "t"})).await,
        ),
        (
            MODEL,
            upsert(&app, MODEL, json!({"platform": "sagemaker", "name": "m"})).await,
        ),
        (
            GROUP,
            upsert(&app, GROUP, json!({"platform": "sagemaker", "name": "g"})).await,
        ),
        (
            DATASET,
            upsert(&app, DATASET, json!({"platform": "hive", "name": "d"})).await,
        ),
    ];
    for (kind, entity) in created {
        let urn = entity["urn"].as_str().expect("urn");
        let text = format!("about {urn}");
        mutate(&app, UPDATE_DESCRIPTION, json!({"urn": urn, "text": text})).await;
        let read = lookup(&app, kind, urn).await;
        assert_eq!(read["description"], json!(text), "{urn}");
        assert_eq!(read["properties"]["description"], json!(null), "{urn}");
    }
}

#[tokio::test]
async fn update_description_of_an_unknown_urn_is_not_found() {
    let app = TestApp::new().await;
    upsert(
        &app,
        MODEL,
        json!({"platform": "sagemaker", "name": "known"}),
    )
    .await;
    let counts = row_counts(&app).await;
    let answer = app
        .gql_vars(
            UPDATE_DESCRIPTION,
            json!({"urn": model_urn("unknown"), "text": "x"}),
        )
        .await;
    assert_eq!(code_of(&answer), "NOT_FOUND");
    assert_eq!(answer["data"], json!(null));
    assert_eq!(row_counts(&app).await, counts);
    assert_eq!(
        lookup(&app, MODEL, &model_urn("unknown")).await,
        json!(null)
    );
}

// ---------------------------------------------------------------------------------------------
// Soft delete

const SOFT_DELETE: &str = "mutation($urn: String!) { softDeleteEntity(urn: $urn) }";
const RESTORE: &str = "mutation($urn: String!) { restoreEntity(urn: $urn) }";
const BATCH: &str = "mutation($urns: [String!]!, $deleted: Boolean!) {
    batchUpdateSoftDeleted(input: {urns: $urns, deleted: $deleted}) }";

/// A table `t` with features `a`, `b`, `c` (sourced from the orders dataset), a group `g`, and a
/// model `m` in the group consuming `a` and `b`.
async fn small_catalog(app: &TestApp) {
    upsert(app, DATASET, json!({"urn": DS_ORDERS})).await;
    for name in ["a", "b", "c"] {
        upsert(
            app,
            FEATURE,
            json!({"featureNamespace": "t", "name": name, "description": format!("feature {name}"),
                   "sources": [DS_ORDERS]}),
        )
        .await;
    }
    upsert(
        app,
        TABLE,
        json!({"platform": "feast", "name": "t",
               "mlFeatures": [feature_urn("t", "a"), feature_urn("t", "b"), feature_urn("t", "c")]}),
    )
    .await;
    upsert(app, GROUP, json!({"platform": "sagemaker", "name": "g"})).await;
    upsert(
        app,
        MODEL,
        json!({"platform": "sagemaker", "name": "m", "groups": [group_urn("g")],
               "mlFeatures": [feature_urn("t", "a"), feature_urn("t", "b")]}),
    )
    .await;
}

async fn listed_features(app: &TestApp) -> Vec<String> {
    let data = app
        .data("{ listMLFeatures { total entities { name } } }")
        .await;
    let names: Vec<String> = names(&data["listMLFeatures"]["entities"])
        .into_iter()
        .map(String::from)
        .collect();
    assert_eq!(data["listMLFeatures"]["total"], json!(names.len()));
    names
}

async fn table_features(app: &TestApp) -> Vec<String> {
    let table = lookup(app, TABLE, &table_urn("t")).await;
    table["properties"]["mlFeatures"]
        .as_array()
        .expect("mlFeatures")
        .iter()
        .map(|f| f["urn"].as_str().expect("urn").to_string())
        .collect()
}

#[tokio::test]
async fn soft_delete_hides_from_lists_and_relations_and_keeps_the_data() {
    let app = TestApp::new().await;
    small_catalog(&app).await;
    let b = feature_urn("t", "b");
    let aspects = app.count_rows("aspect").await;

    let data = mutate(&app, SOFT_DELETE, json!({"urn": b})).await;
    assert_eq!(data, json!({"softDeleteEntity": true}));

    assert_eq!(listed_features(&app).await, ["a", "c"]);
    assert_eq!(
        table_features(&app).await,
        [feature_urn("t", "a"), feature_urn("t", "c")]
    );
    let model = app
        .data(&format!(
            r#"{{ mlModel(urn: "{}") {{ properties {{ features {{ name }} }} }} }}"#,
            model_urn("m")
        ))
        .await;
    assert_eq!(names(&model["mlModel"]["properties"]["features"]), ["a"]);

    // A lookup by URN still answers it, with its data, marked removed.
    let read = app
        .data(&format!(
            r#"{{ mlFeature(urn: "{b}") {{ urn description status {{ removed }} }} }}"#
        ))
        .await;
    assert_eq!(
        read["mlFeature"],
        json!({"urn": b, "description": "feature b", "status": {"removed": true}})
    );
    assert!(
        app.count_rows("aspect").await >= aspects,
        "no aspect row is deleted"
    );

    let data = mutate(&app, RESTORE, json!({"urn": b})).await;
    assert_eq!(data, json!({"restoreEntity": true}));
    assert_eq!(listed_features(&app).await, ["a", "b", "c"]);
    assert_eq!(
        table_features(&app).await,
        [
            feature_urn("t", "a"),
            feature_urn("t", "b"),
            feature_urn("t", "c")
        ]
    );
    let read = app
        .data(&format!(
            r#"{{ mlFeature(urn: "{b}") {{ status {{ removed }} }} }}"#
        ))
        .await;
    assert_eq!(read["mlFeature"]["status"], json!({"removed": false}));
    assert!(app.count_rows("aspect").await >= aspects);
}

#[tokio::test]
async fn soft_deleted_groups_and_datasets_leave_relations_and_lists() {
    let app = TestApp::new().await;
    small_catalog(&app).await;
    mutate(&app, SOFT_DELETE, json!({"urn": group_urn("g")})).await;
    mutate(&app, SOFT_DELETE, json!({"urn": DS_ORDERS})).await;

    let model = app
        .data(&format!(
            r#"{{ mlModel(urn: "{}") {{ properties {{ groups {{ name }} }} }} }}"#,
            model_urn("m")
        ))
        .await;
    assert_eq!(model["mlModel"]["properties"]["groups"], json!([]));
    let feature = lookup(&app, FEATURE, &feature_urn("t", "a")).await;
    assert_eq!(feature["properties"]["sources"], json!([]));
    let lists = app
        .data("{ listMLModelGroups { total entities { name } } listDatasets { total entities { name } } }")
        .await;
    assert_eq!(
        lists,
        json!({
            "listMLModelGroups": {"total": 0, "entities": []},
            "listDatasets": {"total": 0, "entities": []},
        })
    );

    // A soft-deleted model leaves listMLModels too.
    mutate(&app, SOFT_DELETE, json!({"urn": model_urn("m")})).await;
    let models = app
        .data("{ listMLModels { total entities { name } } }")
        .await;
    assert_eq!(models["listMLModels"], json!({"total": 0, "entities": []}));
    mutate(&app, RESTORE, json!({"urn": model_urn("m")})).await;
    let models = app
        .data("{ listMLModels { total entities { name } } }")
        .await;
    assert_eq!(
        models["listMLModels"],
        json!({"total": 1, "entities": [{"name": "m"}]})
    );
}

#[tokio::test]
async fn batch_update_soft_deleted_changes_several_at_once() {
    let app = TestApp::new().await;
    small_catalog(&app).await;
    let (a, c) = (feature_urn("t", "a"), feature_urn("t", "c"));

    let data = mutate(&app, BATCH, json!({"urns": [a, c], "deleted": true})).await;
    assert_eq!(data, json!({"batchUpdateSoftDeleted": true}));
    assert_eq!(listed_features(&app).await, ["b"]);
    assert_eq!(table_features(&app).await, [feature_urn("t", "b")]);

    let data = mutate(&app, BATCH, json!({"urns": [a, c], "deleted": false})).await;
    assert_eq!(data, json!({"batchUpdateSoftDeleted": true}));
    assert_eq!(listed_features(&app).await, ["a", "b", "c"]);
}

#[tokio::test]
async fn a_batch_with_an_unknown_urn_changes_nothing() {
    let app = TestApp::new().await;
    small_catalog(&app).await;
    let counts = row_counts(&app).await;
    let answer = app
        .gql_vars(
            BATCH,
            json!({"urns": [feature_urn("t", "a"), feature_urn("t", "nope")], "deleted": true}),
        )
        .await;
    assert_eq!(code_of(&answer), "NOT_FOUND");
    assert_eq!(row_counts(&app).await, counts);
    assert_eq!(listed_features(&app).await, ["a", "b", "c"]);
}

#[tokio::test]
async fn soft_deleting_an_unknown_urn_is_not_found() {
    let app = TestApp::new().await;
    small_catalog(&app).await;
    let counts = row_counts(&app).await;
    for query in [SOFT_DELETE, RESTORE] {
        let answer = app.gql_vars(query, json!({"urn": model_urn("nope")})).await;
        assert_eq!(code_of(&answer), "NOT_FOUND", "{query}");
        assert_eq!(answer["data"], json!(null));
    }
    assert_eq!(row_counts(&app).await, counts);
    assert_eq!(lookup(&app, MODEL, &model_urn("nope")).await, json!(null));
}

// ---------------------------------------------------------------------------------------------
// Concurrency

/// Ten fields of a model, each set by its own call, with the value it shows.
fn model_field(i: usize) -> (Value, &'static str, Value) {
    match i {
        0 => (json!({"displayName": "Display"}), "name", json!("Display")),
        1 => (json!({"description": "desc"}), "description", json!("desc")),
        2 => (json!({"version": "7"}), "version", json!("7")),
        3 => (json!({"type": "KMeans"}), "type", json!("KMeans")),
        4 => (
            json!({"hyperParams": [{"name": "k", "value": "5"}]}),
            "hyperParams",
            json!([{"name": "k", "description": null, "value": "5"}]),
        ),
        5 => (
            json!({"trainingMetrics": [{"name": "inertia", "value": "1.5"}]}),
            "trainingMetrics",
            json!([{"name": "inertia", "description": null, "value": "1.5"}]),
        ),
        6 => {
            let f = feature_urn("t", "f");
            (json!({"mlFeatures": [f]}), "mlFeatures", json!([f]))
        }
        7 => (json!({"tags": ["x", "y"]}), "tags", json!(["x", "y"])),
        8 => (
            json!({"customProperties": [{"key": "k", "value": "v"}]}),
            "customProperties",
            json!([{"key": "k", "value": "v"}]),
        ),
        _ => (
            json!({"externalUrl": "https://example.com/m"}),
            "externalUrl",
            json!("https://example.com/m"),
        ),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_upserts_of_different_fields_lose_nothing() {
    let app = Arc::new(TestApp::new().await);
    let models = ["racer_a", "racer_b"];
    let mut calls = tokio::task::JoinSet::new();
    for model in models {
        for i in 0..10 {
            let app = Arc::clone(&app);
            let (mut input, _, _) = model_field(i);
            input["platform"] = json!("sagemaker");
            input["name"] = json!(model);
            calls.spawn(async move {
                let query = "mutation($input: UpsertMLModelInput!) { upsertMLModel(input: $input) { urn } }";
                app.gql_vars(query, json!({ "input": input })).await
            });
        }
    }
    let mut answers = Vec::new();
    while let Some(joined) = calls.join_next().await {
        answers.push(joined.expect("the call did not panic"));
    }
    assert_eq!(answers.len(), 20);
    for answer in &answers {
        no_errors(answer);
        let urn = answer["data"]["upsertMLModel"]["urn"]
            .as_str()
            .expect("urn");
        assert!(
            urn == model_urn("racer_a") || urn == model_urn("racer_b"),
            "{urn}"
        );
    }

    for model in models {
        let read = lookup(&app, MODEL, &model_urn(model)).await;
        for i in 0..10 {
            let (_, field, value) = model_field(i);
            assert_eq!(
                read["properties"][field], value,
                "{model}: {field} was lost"
            );
        }
    }
    // Every call changed its model, so each made one version.
    assert_eq!(app.count_rows("aspect").await, 20);
}
