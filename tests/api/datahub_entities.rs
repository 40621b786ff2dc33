//! DataHub's `/entities` and `/runs` actions: a hard delete leaves nothing of the entity that
//! any read answers; `deleteReferences` edits the aspects that name a URN (dry run first);
//! runs are listed, described and rolled back (dry run, real, safe and not, unknown run);
//! MetadataChangeEvents are ingested; `listUrns` pages; `search` answers the SDK's filters.

use axum::http::StatusCode;
use serde_json::{json, Value};

use crate::datahub::{aspect_path, encode, ingest, refused, row_counts, DATASET, FEATURE, TABLE};
use crate::support::TestApp;

const FEATURE2: &str = "urn:li:mlFeature:(my-feature-table,my-feature2)";
const TAG: &str = "urn:li:tag:pii";

/// A proposal as the SDK builds it, in the run `run_id`.
fn in_run(run_id: &str, urn: &str, aspect: &str, value: Value) -> Value {
    let entity_type = urn.split(':').nth(2).unwrap();
    json!({
        "entityType": entity_type,
        "entityUrn": urn,
        "changeType": "UPSERT",
        "aspectName": aspect,
        "aspect": {"value": value.to_string(), "contentType": "application/json"},
        "systemMetadata": {"lastObserved": 1, "runId": run_id},
    })
}

async fn write(app: &TestApp, run_id: &str, urn: &str, aspect: &str, value: Value) {
    ingest(app, in_run(run_id, urn, aspect, value)).await;
}

/// `POST /entities?action=ACTION` with `body`, which must answer 200; its `value`.
async fn entities(app: &TestApp, action: &str, body: Value) -> Value {
    let (status, answer) = app
        .post_json(&format!("/entities?action={action}"), body.to_string())
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    answer["value"].clone()
}

/// `POST /runs?action=ACTION` with `body`, which must answer 200; its `value`.
async fn runs(app: &TestApp, action: &str, body: Value) -> Value {
    let (status, answer) = app
        .post_json(&format!("/runs?action={action}"), body.to_string())
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    answer["value"].clone()
}

/// The latest value of an aspect through `GET /aspects`, `None` on 404.
async fn aspect(app: &TestApp, urn: &str, name: &str) -> Option<Value> {
    let (status, body) = app.get_json(&aspect_path(urn, name, 0)).await;
    match status {
        StatusCode::NOT_FOUND => None,
        StatusCode::OK => Some(
            body["aspect"]
                .as_object()
                .unwrap()
                .values()
                .next()
                .unwrap()
                .clone(),
        ),
        other => panic!("{other}: {body}"),
    }
}

/// A feature with a source dataset and a tag, in a table with a second feature.
async fn feature_in_table(app: &TestApp) {
    write(
        app,
        "setup",
        FEATURE,
        "mlFeatureProperties",
        json!({"description": "doomed", "sources": [DATASET]}),
    )
    .await;
    write(
        app,
        "setup",
        FEATURE,
        "globalTags",
        json!({"tags": [{"tag": TAG}]}),
    )
    .await;
    write(
        app,
        "setup",
        FEATURE2,
        "mlFeatureProperties",
        json!({"description": "kept"}),
    )
    .await;
    write(
        app,
        "setup",
        TABLE,
        "mlFeatureTableProperties",
        json!({"mlFeatures": [FEATURE, FEATURE2]}),
    )
    .await;
    write(
        app,
        "setup",
        TABLE,
        "globalTags",
        json!({"tags": [{"tag": TAG}]}),
    )
    .await;
}

/// The URNs of an answer's list of `{"entity": {"urn"}}` or `{"urn"}` items.
fn urns(items: &Value) -> Vec<String> {
    items
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            i.get("entity")
                .map_or(&i["urn"], |e| &e["urn"])
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Hard delete

#[tokio::test]
async fn a_hard_delete_leaves_nothing_any_read_answers() {
    let app = TestApp::new().await;
    feature_in_table(&app).await;
    // A second version, so the history goes too.
    write(
        &app,
        "setup",
        FEATURE,
        "mlFeatureProperties",
        json!({"description": "v2", "sources": [DATASET]}),
    )
    .await;

    let entities_before = app.count_rows("entity").await;
    let answer = entities(&app, "delete", json!({"urn": FEATURE})).await;
    assert_eq!(
        answer,
        json!({"urn": FEATURE, "rows": 3, "timeseriesRows": 0})
    );

    // The REST reads.
    assert_eq!(aspect(&app, FEATURE, "mlFeatureProperties").await, None);
    assert_eq!(aspect(&app, FEATURE, "mlFeatureKey").await, None);
    let (status, _) = app
        .get_json(&aspect_path(FEATURE, "mlFeatureProperties", 1))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "its history is gone too");
    let (status, _) = app
        .get_json(&format!("/entitiesV2/{}", encode(FEATURE)))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // GraphQL: the lookup, the list, search, lineage both ways, the table's features.
    let data = app
        .data(&format!(
            r#"{{ f: mlFeature(urn: "{FEATURE}") {{ urn }}
                  l: listMLFeatures(input: {{count: 100}}) {{ total entities {{ urn }} }}
                  s: searchAcrossEntities(input: {{query: "*", start: 0, count: 100}}) {{ total searchResults {{ entity {{ urn }} }} }}
                  d: dataset(urn: "{DATASET}") {{ lineage(input: {{direction: DOWNSTREAM}}) {{ total relationships {{ entity {{ urn }} }} }} }}
                  t: mlFeatureTable(urn: "{TABLE}") {{ lineage(input: {{direction: UPSTREAM}}) {{ total relationships {{ entity {{ urn }} }} }} }} }}"#
        ))
        .await;
    assert_eq!(data["f"], Value::Null);
    assert_eq!(urns(&data["l"]["entities"]), [FEATURE2]);
    let found = urns(&data["s"]["searchResults"]);
    assert!(!found.contains(&FEATURE.to_string()), "{found:?}");
    assert!(found.contains(&FEATURE2.to_string()), "{found:?}");
    assert_eq!(data["d"]["lineage"]["total"], 0, "{data}");
    assert_eq!(urns(&data["t"]["lineage"]["relationships"]), [FEATURE2]);

    // Nothing of it is stored: no row, so no key aspect either.
    let urn = mlcat::urn::Urn::parse(FEATURE).unwrap();
    assert_eq!(app.catalog().entity(&urn).await.unwrap(), None);
    assert_eq!(app.count_rows("entity").await, entities_before - 1);

    // The table still names it, as in DataHub: deleteReferences is the clean-up.
    let table = aspect(&app, TABLE, "mlFeatureTableProperties")
        .await
        .unwrap();
    assert_eq!(table["mlFeatures"], json!([FEATURE, FEATURE2]));

    // Again, or an unknown URN: nothing to delete, as GMS answers.
    let answer = entities(&app, "delete", json!({"urn": FEATURE})).await;
    assert_eq!(answer["rows"], 0);
    let answer = app
        .post_json(
            "/entities?action=delete",
            json!({"urn": "not a urn"}).to_string(),
        )
        .await;
    refused(&answer, StatusCode::UNPROCESSABLE_ENTITY, "");
    let answer = app
        .post_json("/entities?action=delete", json!({}).to_string())
        .await;
    refused(&answer, StatusCode::BAD_REQUEST, "urn is missing");

    // Written again, it is a new entity with a first version.
    write(
        &app,
        "later",
        FEATURE,
        "mlFeatureProperties",
        json!({"description": "back"}),
    )
    .await;
    let (_, body) = app
        .get_json(&aspect_path(FEATURE, "mlFeatureProperties", 1))
        .await;
    assert_eq!(
        body["aspect"]["com.linkedin.ml.metadata.MLFeatureProperties"]["description"],
        "back"
    );
}

// ---------------------------------------------------------------------------------------------
// deleteReferences

#[tokio::test]
async fn delete_references_edits_the_aspects_that_name_the_urn() {
    let app = TestApp::new().await;
    feature_in_table(&app).await;
    let before = row_counts(&app).await;

    let dry = entities(
        &app,
        "deleteReferences",
        json!({"urn": TAG, "dryRun": true}),
    )
    .await;
    assert_eq!(dry["total"], 2, "{dry}");
    let related = dry["relatedAspects"].as_array().unwrap();
    assert_eq!(
        related[0],
        json!({"relationship": "TaggedWith", "entity": FEATURE, "aspect": "globalTags"})
    );
    // The keys in the order the CLI prints them under.
    let keys: Vec<&String> = related[0].as_object().unwrap().keys().collect();
    assert_eq!(keys, ["relationship", "entity", "aspect"]);
    assert_eq!(row_counts(&app).await, before, "a dry run writes nothing");

    let done = entities(
        &app,
        "deleteReferences",
        json!({"urn": TAG, "dryRun": false}),
    )
    .await;
    assert_eq!(done["total"], 2);
    assert_eq!(
        aspect(&app, FEATURE, "globalTags").await.unwrap(),
        json!({"tags": []})
    );
    assert_eq!(
        aspect(&app, TABLE, "globalTags").await.unwrap(),
        json!({"tags": []})
    );
    // Through the write path: a new version, the old one kept.
    let (_, old) = app.get_json(&aspect_path(TABLE, "globalTags", 1)).await;
    assert_eq!(
        old["aspect"]["com.linkedin.common.GlobalTags"]["tags"][0]["tag"],
        TAG
    );
    let data = app
        .data(&format!(
            r#"{{ t: mlFeatureTable(urn: "{TABLE}") {{ tags {{ tags {{ tag {{ urn }} }} }} }} }}"#
        ))
        .await;
    assert_eq!(data["t"]["tags"]["tags"], json!([]), "{data}");

    // A feature named in the table's list of features.
    let done = entities(&app, "deleteReferences", json!({"urn": FEATURE})).await;
    assert_eq!(done["total"], 1);
    assert_eq!(
        done["relatedAspects"][0],
        json!({"relationship": "Contains", "entity": TABLE, "aspect": "mlFeatureTableProperties"})
    );
    let table = aspect(&app, TABLE, "mlFeatureTableProperties")
        .await
        .unwrap();
    assert_eq!(table["mlFeatures"], json!([FEATURE2]));

    // Nothing names it any more.
    let none = entities(
        &app,
        "deleteReferences",
        json!({"urn": TAG, "dryRun": true}),
    )
    .await;
    assert_eq!(none, json!({"total": 0, "relatedAspects": []}));

    // A single-valued reference cannot be taken out of a list: the aspect goes whole.
    let container = "urn:li:container:warehouse";
    write(
        &app,
        "setup",
        DATASET,
        "container",
        json!({"container": container}),
    )
    .await;
    write(
        &app,
        "setup",
        DATASET,
        "datasetProperties",
        json!({"description": format!("lives in {container}")}),
    )
    .await;
    let done = entities(&app, "deleteReferences", json!({"urn": container})).await;
    assert_eq!(
        done["total"], 1,
        "a description that quotes it is no reference: {done}"
    );
    assert_eq!(aspect(&app, DATASET, "container").await, None);
    assert!(aspect(&app, DATASET, "datasetProperties").await.is_some());
}

// ---------------------------------------------------------------------------------------------
// Runs and rollback

#[tokio::test]
async fn runs_are_listed_described_and_rolled_back() {
    let app = TestApp::new().await;
    write(
        &app,
        "run-0",
        TABLE,
        "mlFeatureTableProperties",
        json!({"description": "before"}),
    )
    .await;
    write(
        &app,
        "run-a",
        TABLE,
        "mlFeatureTableProperties",
        json!({"description": "after", "mlFeatures": [FEATURE]}),
    )
    .await;
    write(
        &app,
        "run-a",
        FEATURE,
        "mlFeatureProperties",
        json!({"description": "new"}),
    )
    .await;
    // Another run wrote on the entity run-a created: unsafe to roll back.
    write(
        &app,
        "run-b",
        FEATURE,
        "globalTags",
        json!({"tags": [{"tag": TAG}]}),
    )
    .await;

    let listed = runs(
        &app,
        "list",
        json!({"pageOffset": 0, "pageSize": 100, "includeSoft": false}),
    )
    .await;
    let ids: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["runId"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        ["run-b", "run-a"],
        "run-0 was replaced; the SDK's default run is no run"
    );
    assert_eq!(listed[1]["rows"], 2);
    assert!(listed[1]["timestamp"].as_i64().unwrap() > 0);
    let all = runs(&app, "list", json!({"includeSoft": true})).await;
    assert_eq!(all.as_array().unwrap().len(), 3);

    let described = runs(
        &app,
        "describe",
        json!({"runId": "run-a", "start": 0, "count": 10}),
    )
    .await;
    let rows: Vec<(&str, &str)> = described
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["urn"].as_str().unwrap(),
                r["aspectName"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            (TABLE, "mlFeatureTableProperties"),
            (FEATURE, "mlFeatureProperties")
        ]
    );
    let with_aspect = runs(
        &app,
        "describe",
        json!({"runId": "run-a", "start": 1, "count": 1, "includeAspect": true}),
    )
    .await;
    assert_eq!(
        with_aspect[0]["aspect"]["com.linkedin.ml.metadata.MLFeatureProperties"]["description"],
        "new"
    );

    // A dry run says what it would do and writes nothing.
    let before = row_counts(&app).await;
    let dry = runs(
        &app,
        "rollback",
        json!({"runId": "run-a", "dryRun": true, "safe": true}),
    )
    .await;
    assert_eq!(dry["aspectsReverted"], 2, "{dry}");
    assert_eq!(dry["entitiesAffected"], 2);
    assert_eq!(dry["entitiesDeleted"], 1);
    assert_eq!(dry["aspectsAffected"], 1);
    assert_eq!(dry["unsafeEntitiesCount"], 1);
    assert_eq!(dry["unsafeEntities"], json!([{"urn": FEATURE}]));
    assert_eq!(dry["aspectRowSummaries"][0]["runId"], "run-a");
    assert_eq!(row_counts(&app).await, before);

    let done = runs(
        &app,
        "rollback",
        json!({"runId": "run-a", "dryRun": false, "safe": true}),
    )
    .await;
    assert_eq!(done["aspectsReverted"], 2);
    // The table is back to the version before the run, as a new version.
    let table = aspect(&app, TABLE, "mlFeatureTableProperties")
        .await
        .unwrap();
    assert_eq!(table, json!({"description": "before"}));
    let (_, v3) = app
        .get_json(&aspect_path(TABLE, "mlFeatureTableProperties", 3))
        .await;
    assert_eq!(
        v3["aspect"]["com.linkedin.ml.metadata.MLFeatureTableProperties"]["description"],
        "before"
    );
    // The aspect the run created is gone, and the entity it created soft-deleted.
    assert_eq!(aspect(&app, FEATURE, "mlFeatureProperties").await, None);
    assert_eq!(
        aspect(&app, FEATURE, "status").await,
        Some(json!({"removed": true}))
    );
    let data = app
        .data("{ listMLFeatures(input: {count: 10}) { total } }")
        .await;
    assert_eq!(data["listMLFeatures"]["total"], 0);
    // The table's edge from the feature went with the restored aspect.
    let data = app
        .data(&format!(r#"{{ t: mlFeatureTable(urn: "{TABLE}") {{ lineage(input: {{direction: UPSTREAM}}) {{ total }} }} }}"#))
        .await;
    assert_eq!(data["t"]["lineage"]["total"], 0);

    // Rolled back: nothing left to roll back, and the run is listed only with includeSoft.
    let again = runs(&app, "rollback", json!({"runId": "run-a", "dryRun": true})).await;
    assert_eq!(again["aspectsReverted"], 0);
    let listed = runs(&app, "list", json!({})).await;
    assert_eq!(urns_of_runs(&listed), ["run-b"]);

    // An unknown run rolls back nothing and writes nothing, as GMS answers.
    let before = row_counts(&app).await;
    let unknown = runs(
        &app,
        "rollback",
        json!({"runId": "no-such-run", "dryRun": false}),
    )
    .await;
    assert_eq!(unknown["aspectsReverted"], 0);
    assert_eq!(unknown["aspectRowSummaries"], json!([]));
    assert_eq!(row_counts(&app).await, before);
    // The SDK's default run id is reserved.
    let answer = app
        .post_json(
            "/runs?action=rollback",
            json!({"runId": "no-run-id-provided"}).to_string(),
        )
        .await;
    refused(&answer, StatusCode::UNPROCESSABLE_ENTITY, "reserved run-id");
    let answer = app
        .post_json("/runs?action=rollback", json!({}).to_string())
        .await;
    refused(&answer, StatusCode::BAD_REQUEST, "runId is missing");
}

fn urns_of_runs(listed: &Value) -> Vec<&str> {
    listed
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["runId"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn a_rollback_that_is_not_safe_erases_the_entities_the_run_created() {
    let app = TestApp::new().await;
    write(
        &app,
        "nuke",
        FEATURE,
        "mlFeatureProperties",
        json!({"description": "new", "sources": [DATASET]}),
    )
    .await;
    write(
        &app,
        "nuke",
        FEATURE,
        "globalTags",
        json!({"tags": [{"tag": TAG}]}),
    )
    .await;
    let entities_before = app.count_rows("entity").await;

    let done = runs(
        &app,
        "rollback",
        json!({"runId": "nuke", "dryRun": false, "safe": false}),
    )
    .await;
    assert_eq!(done["entitiesDeleted"], 1, "{done}");
    assert_eq!(done["aspectsReverted"], 2);
    assert_eq!(aspect(&app, FEATURE, "status").await, None);
    assert_eq!(app.count_rows("entity").await, entities_before - 1);
    let data = app
        .data(&format!(
            r#"{{ f: mlFeature(urn: "{FEATURE}") {{ urn }} }}"#
        ))
        .await;
    assert_eq!(data["f"], Value::Null);

    // The deprecated hardDelete flag means the same when safe is not given.
    write(
        &app,
        "nuke2",
        FEATURE2,
        "mlFeatureProperties",
        json!({"description": "x"}),
    )
    .await;
    let done = runs(
        &app,
        "rollback",
        json!({"runId": "nuke2", "hardDelete": true}),
    )
    .await;
    assert_eq!(done["entitiesDeleted"], 1);
    assert_eq!(aspect(&app, FEATURE2, "status").await, None);
}

// ---------------------------------------------------------------------------------------------
// MetadataChangeEvents, listUrns, search

#[tokio::test]
async fn a_metadata_change_event_upserts_each_aspect_of_its_snapshot() {
    let app = TestApp::new().await;
    let mce = json!({
        "entity": {"value": {"com.linkedin.metadata.snapshot.DatasetSnapshot": {
            "urn": DATASET,
            "aspects": [
                {"com.linkedin.common.Status": {"removed": false}},
                {"com.linkedin.dataset.DatasetProperties": {"customProperties": {}, "description": "from an MCE", "tags": []}},
            ]}}},
        "systemMetadata": {"lastObserved": 1, "runId": "mce-run"},
    });
    let (status, body) = app
        .post_json("/entities?action=ingest", mce.to_string())
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let props = aspect(&app, DATASET, "datasetProperties").await.unwrap();
    assert_eq!(props["description"], "from an MCE");
    assert_eq!(
        aspect(&app, DATASET, "status").await,
        Some(json!({"removed": false}))
    );
    let listed = runs(&app, "list", json!({})).await;
    assert_eq!(listed[0]["runId"], "mce-run");
    assert_eq!(listed[0]["rows"], 2);

    // One bad aspect: nothing of the event is written.
    let before = row_counts(&app).await;
    let bad = json!({"entity": {"value": {"com.linkedin.metadata.snapshot.DatasetSnapshot": {
    "urn": DATASET,
    "aspects": [
        {"com.linkedin.common.Status": {"removed": true}},
        {"com.example.NotAnAspect": {}},
    ]}}}});
    let answer = app
        .post_json("/entities?action=ingest", bad.to_string())
        .await;
    refused(
        &answer,
        StatusCode::UNPROCESSABLE_ENTITY,
        "aspect 2 of 2: com.example.NotAnAspect",
    );
    let wrong = json!({"entity": {"value": {"com.linkedin.metadata.snapshot.DatasetSnapshot": {
        "urn": DATASET,
        "aspects": [{"com.linkedin.ml.metadata.MLModelProperties": {}}]}}}});
    let answer = app
        .post_json("/entities?action=ingest", wrong.to_string())
        .await;
    refused(
        &answer,
        StatusCode::UNPROCESSABLE_ENTITY,
        "does not carry the aspect mlModelProperties",
    );
    assert_eq!(row_counts(&app).await, before);
    assert_eq!(
        aspect(&app, DATASET, "status").await,
        Some(json!({"removed": false}))
    );
}

#[tokio::test]
async fn list_urns_pages_through_an_entity_type() {
    let app = TestApp::new().await;
    let models: Vec<String> = (0..5)
        .map(|i| format!("urn:li:mlModel:(urn:li:dataPlatform:science,model_{i},PROD)"))
        .collect();
    for m in &models {
        write(
            &app,
            "r",
            m,
            "mlModelProperties",
            json!({"description": "m"}),
        )
        .await;
    }
    // A soft-deleted model is still listed, as DataHub lists it.
    write(&app, "r", &models[1], "status", json!({"removed": true})).await;

    let first = entities(
        &app,
        "listUrns",
        json!({"entity": "mlModel", "start": 0, "count": 2}),
    )
    .await;
    assert_eq!(first["entities"], json!([models[0], models[1]]));
    assert_eq!(first["total"], 5);
    assert_eq!(first["count"], 2);
    let last = entities(
        &app,
        "listUrns",
        json!({"entity": "mlModel", "start": 4, "count": 2}),
    )
    .await;
    assert_eq!(last["entities"], json!([models[4]]));
    assert_eq!(last["start"], 4);
    let none = entities(
        &app,
        "listUrns",
        json!({"entity": "dataset", "start": 0, "count": 2}),
    )
    .await;
    assert_eq!(
        none,
        json!({"entities": [], "start": 0, "count": 0, "total": 0})
    );

    let answer = app
        .post_json(
            "/entities?action=listUrns",
            json!({"entity": "nope"}).to_string(),
        )
        .await;
    refused(&answer, StatusCode::BAD_REQUEST, "not an entity type");
}

#[tokio::test]
async fn search_answers_the_sdks_name_and_container_filters() {
    let app = TestApp::new().await;
    let marketing = "urn:li:domain:7f3c";
    write(
        &app,
        "r",
        marketing,
        "domainProperties",
        json!({"name": "Marketing"}),
    )
    .await;
    write(
        &app,
        "r",
        "urn:li:domain:other",
        "domainProperties",
        json!({"name": "Marketing Ops"}),
    )
    .await;

    let by_name = |name: &str| {
        json!({"input": "*", "entity": "domain", "start": 0, "count": 10,
               "filter": {"or": [{"and": [{"field": "name", "values": [name], "condition": "EQUAL"}]}]}})
    };
    let found = entities(&app, "search", by_name("Marketing")).await;
    assert_eq!(found["numEntities"], 1, "{found}");
    assert_eq!(
        found["entities"],
        json!([{"entity": marketing, "matchedFields": []}])
    );
    let found = entities(&app, "search", by_name("Sales")).await;
    assert_eq!(found["numEntities"], 0);
    assert_eq!(found["entities"], json!([]));

    // Every domain, with no filter.
    let all = entities(
        &app,
        "search",
        json!({"input": "*", "entity": "domain", "start": 0, "count": 10}),
    )
    .await;
    assert_eq!(all["numEntities"], 2);

    // get_container_urns_by_filter: mlcat holds no container, and no entity has typeNames.
    let containers = json!({"input": "*", "entity": "container", "start": 0, "count": 5000,
        "filter": {"or": [{"and": [
            {"field": "customProperties", "values": ["instance=PROD"], "condition": "EQUAL"},
            {"field": "typeNames", "values": ["Database"], "condition": "EQUAL"}]}]}});
    let found = entities(&app, "search", containers).await;
    assert_eq!(found["numEntities"], 0);

    let answer = app
        .post_json(
            "/entities?action=search",
            json!({"entity": "domain", "filter": {"or": [{"and": [{"field": "platform", "values": ["x"], "condition": "LIKE"}]}]}}).to_string(),
        )
        .await;
    refused(
        &answer,
        StatusCode::UNPROCESSABLE_ENTITY,
        "condition \"LIKE\" is not supported",
    );
}

#[tokio::test]
async fn an_aspect_rolled_back_away_can_be_written_again() {
    let app = TestApp::new().await;
    write(
        &app,
        "first",
        TABLE,
        "mlFeatureTableProperties",
        json!({"description": "t"}),
    )
    .await;
    write(
        &app,
        "adds-tags",
        TABLE,
        "globalTags",
        json!({"tags": [{"tag": TAG}]}),
    )
    .await;
    let done = runs(&app, "rollback", json!({"runId": "adds-tags"})).await;
    assert_eq!(done["aspectsReverted"], 1);
    assert_eq!(aspect(&app, TABLE, "globalTags").await, None);

    // Its numbering goes on after the removed version, which history keeps.
    write(&app, "again", TABLE, "globalTags", json!({"tags": []})).await;
    assert_eq!(
        aspect(&app, TABLE, "globalTags").await,
        Some(json!({"tags": []}))
    );
    let (_, v1) = app.get_json(&aspect_path(TABLE, "globalTags", 1)).await;
    assert_eq!(
        v1["aspect"]["com.linkedin.common.GlobalTags"]["tags"][0]["tag"],
        TAG
    );
    let (_, v2) = app.get_json(&aspect_path(TABLE, "globalTags", 2)).await;
    assert_eq!(
        v2["aspect"]["com.linkedin.common.GlobalTags"]["tags"],
        json!([])
    );
}

#[tokio::test]
async fn a_read_token_searches_and_lists_but_cannot_delete_or_roll_back() {
    use axum::body::Body;
    use axum::http::Request;
    use mlcat::auth::{self, Scope};

    let app = TestApp::with_auth().await;
    let token = auth::create_token(&app.db, "dashboards", Scope::Read)
        .await
        .unwrap();
    let post = |path: &str, body: Value| {
        Request::post(path)
            .header("authorization", format!("Bearer {token}"))
            .header("content-type", "application/json")
            .body(Body::from(body.to_string()))
            .unwrap()
    };
    let reads = [
        (
            "/entities?action=search",
            json!({"input": "*", "entity": "domain"}),
        ),
        ("/entities?action=listUrns", json!({"entity": "mlModel"})),
        ("/runs?action=list", json!({})),
        ("/runs?action=describe", json!({"runId": "r"})),
    ];
    for (path, body) in reads {
        let (status, _) = app.request(post(path, body)).await;
        assert_eq!(status, StatusCode::OK, "{path}");
    }
    let writes = [
        ("/entities?action=delete", json!({"urn": FEATURE})),
        ("/entities?action=deleteReferences", json!({"urn": FEATURE})),
        ("/runs?action=rollback", json!({"runId": "r"})),
        ("/runs?action=list&action=rollback", json!({"runId": "r"})),
        ("/runs?action=list&%61ction=rollback", json!({"runId": "r"})),
    ];
    for (path, body) in writes {
        let (status, _) = app.request(post(path, body)).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
    }
}
