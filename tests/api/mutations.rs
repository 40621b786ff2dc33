//! The six `upsert*` mutations: URNs built from key parts or given, an unchanged upsert, several
//! mutations in one request, and relations resolving after a write. The helpers here are shared
//! with mutations_patch.rs (patch semantics) and mutations_edits.rs (the other mutations).

use serde_json::{json, Value};

use crate::support::TestApp;

// ---------------------------------------------------------------------------------------------
// Helpers

/// One upsert mutation, the lookup that reads the same entity back, and what both select.
#[derive(Clone, Copy)]
pub(crate) struct Kind {
    mutation: &'static str,
    input: &'static str,
    lookup: &'static str,
    fields: &'static str,
}

pub(crate) const FEATURE: Kind = Kind {
    mutation: "upsertMLFeature",
    input: "UpsertMLFeatureInput",
    lookup: "mlFeature",
    fields: "urn name featureNamespace description dataType
        properties { description dataType version { versionTag } sources { urn }
                     customProperties { key value } }",
};

pub(crate) const PRIMARY_KEY: Kind = Kind {
    mutation: "upsertMLPrimaryKey",
    input: "UpsertMLPrimaryKeyInput",
    lookup: "mlPrimaryKey",
    fields: "urn name featureNamespace description dataType
        properties { description dataType version { versionTag } sources { urn }
                     customProperties { key value } }",
};

pub(crate) const TABLE: Kind = Kind {
    mutation: "upsertMLFeatureTable",
    input: "UpsertMLFeatureTableInput",
    lookup: "mlFeatureTable",
    fields: "urn name platform { name } description
        properties { description mlFeatures { urn } mlPrimaryKeys { urn }
                     customProperties { key value } }",
};

pub(crate) const MODEL: Kind = Kind {
    mutation: "upsertMLModel",
    input: "UpsertMLModelInput",
    lookup: "mlModel",
    fields: "urn name platform { name } origin description
        properties { name description version type hyperParams { name description value }
                     trainingMetrics { name description value } mlFeatures groups { urn } tags
                     customProperties { key value } externalUrl }",
};

pub(crate) const GROUP: Kind = Kind {
    mutation: "upsertMLModelGroup",
    input: "UpsertMLModelGroupInput",
    lookup: "mlModelGroup",
    fields: "urn name platform { name } origin description
        properties { name description version { versionTag } customProperties { key value }
                     externalUrl }",
};

pub(crate) const DATASET: Kind = Kind {
    mutation: "upsertDataset",
    input: "UpsertDatasetInput",
    lookup: "dataset",
    fields: "urn name platform { name } origin description
        properties { name qualifiedName origin description customProperties { key value }
                     externalUrl }",
};

pub(crate) const DS_ORDERS: &str =
    "urn:li:dataset:(urn:li:dataPlatform:snowflake,db.public.orders,PROD)";
pub(crate) const DS_ITEMS: &str =
    "urn:li:dataset:(urn:li:dataPlatform:snowflake,db.public.items,PROD)";
pub(crate) const DS_RETURNS: &str =
    "urn:li:dataset:(urn:li:dataPlatform:snowflake,db.public.returns,PROD)";

pub(crate) fn feature_urn(namespace: &str, name: &str) -> String {
    format!("urn:li:mlFeature:({namespace},{name})")
}

pub(crate) fn model_urn(name: &str) -> String {
    format!("urn:li:mlModel:(urn:li:dataPlatform:sagemaker,{name},PROD)")
}

pub(crate) fn group_urn(name: &str) -> String {
    format!("urn:li:mlModelGroup:(urn:li:dataPlatform:sagemaker,{name},PROD)")
}

pub(crate) fn table_urn(name: &str) -> String {
    format!("urn:li:mlFeatureTable:(urn:li:dataPlatform:feast,{name})")
}

/// Fails the test with the whole answer when it holds errors.
pub(crate) fn no_errors(answer: &Value) {
    assert!(
        answer.get("errors").is_none(),
        "unexpected errors: {answer:#}"
    );
}

/// Runs one upsert mutation with `input` and answers the entity it returns.
pub(crate) async fn upsert(app: &TestApp, kind: Kind, input: Value) -> Value {
    let query = format!(
        "mutation($input: {}!) {{ {}(input: $input) {{ {} }} }}",
        kind.input, kind.mutation, kind.fields
    );
    let answer = app.gql_vars(&query, json!({ "input": input })).await;
    no_errors(&answer);
    answer["data"][kind.mutation].clone()
}

/// Reads an entity back by URN, with the same selection as its upsert.
pub(crate) async fn lookup(app: &TestApp, kind: Kind, urn: &str) -> Value {
    let query = format!(
        "query($urn: String!) {{ {}(urn: $urn) {{ {} }} }}",
        kind.lookup, kind.fields
    );
    let answer = app.gql_vars(&query, json!({ "urn": urn })).await;
    no_errors(&answer);
    answer["data"][kind.lookup].clone()
}

/// Runs a mutation (with variables) that must succeed and answers its `data`.
pub(crate) async fn mutate(app: &TestApp, query: &str, variables: Value) -> Value {
    let answer = app.gql_vars(query, variables).await;
    no_errors(&answer);
    answer["data"].clone()
}

/// The code of the first error of an answer that must have failed.
pub(crate) fn code_of(answer: &Value) -> &str {
    answer["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or_else(|| panic!("expected an error with a code: {answer:#}"))
}

/// The `name` of each object of a JSON list.
pub(crate) fn names(list: &Value) -> Vec<&str> {
    list.as_array()
        .unwrap_or_else(|| panic!("expected a list: {list}"))
        .iter()
        .map(|e| e["name"].as_str().expect("name"))
        .collect()
}

/// Row counts of the three tables, to show a refused write left nothing behind.
pub(crate) async fn row_counts(app: &TestApp) -> [i64; 3] {
    [
        app.count_rows("entity").await,
        app.count_rows("aspect").await,
        app.count_rows("edge").await,
    ]
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
