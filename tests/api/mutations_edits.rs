//! The mutations besides the upserts: `replaceAspect`, `updateDescription`, soft-deleting and
//! restoring (one entity or a batch), and concurrent upserts of one entity.

use std::sync::Arc;

use serde_json::{json, Value};

use crate::mutations::{
    code_of, feature_urn, group_urn, lookup, model_urn, mutate, names, no_errors, row_counts,
    table_urn, upsert, DATASET, DS_ORDERS, FEATURE, GROUP, MODEL, PRIMARY_KEY, TABLE,
};
use crate::support::TestApp;

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
