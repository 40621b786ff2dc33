//! Frozen feature tables: a published table's feature list and primary keys refuse edits
//! (CONFLICT, nothing written) from every front door unless the write says `force`; a model
//! records the published feature-table versions it consumed.

use axum::http::StatusCode;
use serde_json::{json, Value};

use crate::datahub::{proposal, single, INGEST};
use crate::support::TestApp;

const TABLE: &str = "urn:li:mlFeatureTable:(urn:li:dataPlatform:feast,customer_features)";
const AGE: &str = "urn:li:mlFeature:(customer_features,age)";
const SPEND: &str = "urn:li:mlFeature:(customer_features,spend)";
const TENURE: &str = "urn:li:mlFeature:(customer_features,tenure)";
const KEY: &str = "urn:li:mlPrimaryKey:(customer_features,customer_id)";
const MODEL: &str = "urn:li:mlModel:(urn:li:dataPlatform:mlflow,churn,PROD)";

const UPSERT_TABLE: &str = "mutation($input: UpsertMLFeatureTableInput!, $force: Boolean) {
  upsertMLFeatureTable(input: $input, force: $force) {
    properties { description mlFeatures { urn } mlPrimaryKeys { urn } }
  }
}";

const PUBLISH: &str = "mutation($urn: String!, $version: String!) {
  publishFeatureTable(urn: $urn, version: $version) {
    publication { version actor publishedAt mlFeatures mlPrimaryKeys }
  }
}";

/// The table with two features and a key, published as `v1`.
async fn published(app: &TestApp) {
    app.data_vars(
        UPSERT_TABLE,
        json!({"input": {"urn": TABLE, "description": "customers", "mlFeatures": [AGE, SPEND],
                         "mlPrimaryKeys": [KEY]}}),
    )
    .await;
    let d = app
        .data_vars(PUBLISH, json!({"urn": TABLE, "version": "v1"}))
        .await;
    let p = &d["publishFeatureTable"]["publication"];
    assert_eq!(p["version"], "v1");
    assert_eq!(p["actor"], "anonymous");
    assert_eq!(p["mlFeatures"], json!([AGE, SPEND]));
    assert_eq!(p["mlPrimaryKeys"], json!([KEY]));
    assert!(p["publishedAt"].as_i64().unwrap() > 0);
}

/// `[{urn}]` of each URN.
fn urns(list: &[&str]) -> Value {
    list.iter().map(|u| json!({ "urn": u })).collect()
}

async fn features(app: &TestApp) -> Value {
    let d = app.data_vars(
        "query($urn: String!) { mlFeatureTable(urn: $urn) { properties { mlFeatures { urn } mlPrimaryKeys { urn } } } }",
        json!({"urn": TABLE}),
    )
    .await;
    d["mlFeatureTable"]["properties"].clone()
}

#[tokio::test]
async fn a_published_table_refuses_feature_edits_without_force() {
    let app = TestApp::new().await;
    published(&app).await;
    let before = app.row_counts().await;

    // GraphQL upsert: adding a feature is refused, and says how to override.
    let (code, message) = &app
        .refusal(
            UPSERT_TABLE,
            json!({"input": {"urn": TABLE, "mlFeatures": [AGE, SPEND, TENURE]}}),
        )
        .await;
    assert_eq!(code, "CONFLICT");
    assert!(message.contains("published as version \"v1\""), "{message}");
    assert!(message.contains("force"), "{message}");
    assert!(message.contains(TENURE), "{message}");
    // Relationship edits and whole-aspect replacement alike.
    let (code, _) = app.refusal(
        "mutation($input: RelationshipEditInput!) { removeRelationships(input: $input) { changed } }",
        json!({"input": {"urn": TABLE, "field": "FEATURE_TABLE_PRIMARY_KEYS", "targets": [KEY]}}),
    )
    .await;
    assert_eq!(code, "CONFLICT");
    let (code, _) = &app
        .refusal(
            "mutation($input: ReplaceAspectInput!) { replaceAspect(input: $input) { changed } }",
            json!({"input": {"urn": TABLE, "aspectName": "mlFeatureTableProperties",
                         "value": {"description": "gone", "customProperties": {}}}}),
        )
        .await;
    assert_eq!(code, "CONFLICT");
    // DataHub's SDK cannot say force: its proposal is refused with 409 and the message.
    let (status, body) = app
        .post_json(
            INGEST,
            single(proposal(
                "mlFeatureTable",
                TABLE,
                "mlFeatureTableProperties",
                json!({"mlFeatures": [AGE], "mlPrimaryKeys": [KEY], "customProperties": {}}),
            )),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(
        body["message"].as_str().unwrap().contains("frozen"),
        "{body}"
    );
    assert_eq!(app.row_counts().await, before, "nothing was written");
    assert_eq!(
        features(&app).await,
        json!({"mlFeatures": urns(&[AGE, SPEND]), "mlPrimaryKeys": urns(&[KEY])})
    );

    // What does not touch the lists goes through: the description, the same features in
    // another order, a proposal that keeps the lists.
    let d = app.data_vars(
        UPSERT_TABLE,
        json!({"input": {"urn": TABLE, "description": "all customers", "mlFeatures": [SPEND, AGE]}}),
    )
    .await;
    assert_eq!(
        d["upsertMLFeatureTable"]["properties"]["description"],
        "all customers"
    );
    let (status, body) = app
        .post_json(
            INGEST,
            single(proposal(
                "mlFeatureTable",
                TABLE,
                "mlFeatureTableProperties",
                json!({"description": "sdk", "mlFeatures": [AGE, SPEND], "mlPrimaryKeys": [KEY],
                       "customProperties": {}}),
            )),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // With force, the change lands; the publication still records what v1 held.
    let d = &app
        .data_vars(
            UPSERT_TABLE,
            json!({"input": {"urn": TABLE, "mlFeatures": [AGE, SPEND, TENURE]}, "force": true}),
        )
        .await;
    assert_eq!(
        d["upsertMLFeatureTable"]["properties"]["mlFeatures"],
        urns(&[AGE, SPEND, TENURE])
    );
    let d = app.data_vars(
        "mutation($input: RelationshipEditInput!) { removeRelationships(input: $input) { changed } }",
        json!({"input": {"urn": TABLE, "field": "FEATURE_TABLE_FEATURES", "targets": [TENURE], "force": true}}),
    )
    .await;
    assert_eq!(d["removeRelationships"]["changed"], true);
    let d = app.data_vars(
        "query($urn: String!) { mlFeatureTable(urn: $urn) { publication { version mlFeatures } } }",
        json!({"urn": TABLE}),
    )
    .await;
    assert_eq!(
        d["mlFeatureTable"]["publication"],
        json!({"version": "v1", "mlFeatures": [AGE, SPEND]})
    );
}

#[tokio::test]
async fn publishing_again_and_withdrawing() {
    let app = TestApp::new().await;
    published(&app).await;
    // The same label again is a conflict; a bad label is bad input; a table with nothing to
    // publish is not found; a URN of another type is bad input.
    let (code, message) = &app
        .refusal(PUBLISH, json!({"urn": TABLE, "version": "v1"}))
        .await;
    assert_eq!(code, "CONFLICT");
    assert!(message.contains("already"), "{message}");
    let (code, _) = &app
        .refusal(PUBLISH, json!({"urn": TABLE, "version": " "}))
        .await;
    assert_eq!(code, "BAD_USER_INPUT");
    let other = "urn:li:mlFeatureTable:(urn:li:dataPlatform:feast,nothing_here)";
    let (code, _) = &app
        .refusal(PUBLISH, json!({"urn": other, "version": "v1"}))
        .await;
    assert_eq!(code, "NOT_FOUND");
    let (code, _) = &app
        .refusal(PUBLISH, json!({"urn": MODEL, "version": "v1"}))
        .await;
    assert_eq!(code, "BAD_USER_INPUT");

    // A new label records the lists as they are now.
    app.data_vars(
        UPSERT_TABLE,
        json!({"input": {"urn": TABLE, "mlFeatures": [AGE]}, "force": true}),
    )
    .await;
    let d = &app
        .data_vars(PUBLISH, json!({"urn": TABLE, "version": "v2"}))
        .await;
    assert_eq!(
        d["publishFeatureTable"]["publication"]["mlFeatures"],
        json!([AGE])
    );

    // Withdrawn, the table is editable again.
    let d = app.data_vars(
        "mutation($urn: String!) { unpublishFeatureTable(urn: $urn) { publication { version } } }",
        json!({"urn": TABLE}),
    )
    .await;
    assert!(d["unpublishFeatureTable"]["publication"].is_null());
    app.data_vars(
        UPSERT_TABLE,
        json!({"input": {"urn": TABLE, "mlFeatures": [AGE, TENURE]}}),
    )
    .await;
    assert_eq!(features(&app).await["mlFeatures"], urns(&[AGE, TENURE]));
}

#[tokio::test]
async fn a_model_records_the_feature_table_versions_it_consumed() {
    let app = TestApp::new().await;
    published(&app).await;
    app.data_vars(
        "mutation { upsertMLModel(input: {urn: \"urn:li:mlModel:(urn:li:dataPlatform:mlflow,churn,PROD)\"}) { urn } }",
        json!({}),
    )
    .await;
    const RECORD: &str = "mutation($urn: String!, $tables: [String!]!) {
      recordMLModelFeatureTableVersions(urn: $urn, featureTables: $tables) {
        featureTableVersions { featureTableUrn featureTable { urn } publishedVersion }
      }
    }";
    let d = &app
        .data_vars(RECORD, json!({"urn": MODEL, "tables": [TABLE]}))
        .await;
    assert_eq!(
        d["recordMLModelFeatureTableVersions"]["featureTableVersions"],
        json!([{"featureTableUrn": TABLE, "featureTable": {"urn": TABLE}, "publishedVersion": "v1"}])
    );
    // The table is lineage of the model.
    let d = &app
        .data_vars(
            "query($input: LineageGraphInput!) { lineageGraph(input: $input) { nodes { urn } } }",
            json!({"input": {"urn": MODEL, "direction": "UPSTREAM", "depth": 1}}),
        )
        .await;
    let urns: Vec<&str> = d["lineageGraph"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["urn"].as_str().unwrap())
        .collect();
    assert!(urns.contains(&TABLE), "{urns:?}");

    // A table that is not published, a URN of another type: refused, nothing written.
    let before = app.row_counts().await;
    let unpublished = "urn:li:mlFeatureTable:(urn:li:dataPlatform:feast,draft)";
    app.data_vars(
        UPSERT_TABLE,
        json!({"input": {"urn": unpublished, "mlFeatures": [AGE]}}),
    )
    .await;
    let before_record = app.row_counts().await;
    assert_ne!(before, before_record);
    let (code, message) = &app
        .refusal(
            RECORD,
            json!({"urn": MODEL, "tables": [TABLE, unpublished]}),
        )
        .await;
    assert_eq!(code, "BAD_USER_INPUT");
    assert!(message.contains("featureTables[1]"), "{message}");
    let (code, _) = &app
        .refusal(RECORD, json!({"urn": MODEL, "tables": [AGE]}))
        .await;
    assert_eq!(code, "BAD_USER_INPUT");
    assert_eq!(app.row_counts().await, before_record);
}

/// The sources of a published table's features and keys are frozen with it: a proposal that
/// changes them is refused (409, nothing written), a write that keeps them passes, `force`
/// overrides; a feature of no published table stays free.
#[tokio::test]
async fn a_published_table_freezes_its_features_sources() {
    use mlcat::catalog::{Actor, AspectWrite};
    use mlcat::urn::Urn;
    let raw = "urn:li:dataset:(urn:li:dataPlatform:hive,customers,PROD)";
    let other = "urn:li:dataset:(urn:li:dataPlatform:hive,orders,PROD)";
    let app = TestApp::new().await;
    let feature = |urn: &str, sources: &[&str]| {
        proposal(
            "mlFeature",
            urn,
            "mlFeatureProperties",
            json!({"sources": sources, "customProperties": {}}),
        )
    };
    for urn in [AGE, SPEND, TENURE] {
        let (status, body) = app.post_json(INGEST, single(feature(urn, &[raw]))).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let (status, body) = app
        .post_json(
            INGEST,
            single(proposal(
                "mlPrimaryKey",
                KEY,
                "mlPrimaryKeyProperties",
                json!({"sources": [raw], "customProperties": {}}),
            )),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    published(&app).await;
    let before = app.row_counts().await;

    let (status, body) = app
        .post_json(INGEST, single(feature(AGE, &[raw, other])))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    let message = body["message"].as_str().unwrap();
    assert!(message.contains("sources are frozen"), "{message}");
    assert!(
        message.contains(&format!("sources added: {other}")),
        "{message}"
    );
    let (status, body) = app
        .post_json(
            INGEST,
            single(proposal(
                "mlPrimaryKey",
                KEY,
                "mlPrimaryKeyProperties",
                json!({"sources": [], "customProperties": {}}),
            )),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(app.row_counts().await, before, "nothing was written");

    // The same sources with another description pass; so does a feature of no published table.
    let (status, body) = app
        .post_json(
            INGEST,
            single(proposal(
                "mlFeature",
                AGE,
                "mlFeatureProperties",
                json!({"sources": [raw], "description": "years", "customProperties": {}}),
            )),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = app
        .post_json(INGEST, single(feature(TENURE, &[other])))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // Force overrides.
    let forced = AspectWrite::upsert(
        Urn::parse(AGE).unwrap(),
        "mlFeatureProperties",
        json!({"sources": [other], "customProperties": {}}),
    )
    .forced(true);
    app.catalog()
        .write(&Actor::named("ana"), vec![forced])
        .await
        .unwrap();
    let d = app
        .data_vars(
            "query($urn: String!) { mlFeature(urn: $urn) { properties { sources { urn } } } }",
            json!({"urn": AGE}),
        )
        .await;
    assert_eq!(
        d["mlFeature"]["properties"]["sources"],
        json!([{"urn": other}])
    );
}
