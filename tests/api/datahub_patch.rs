//! DataHub's other change types through `ingestProposal`: PATCH (JSON Patch on DataHub's keyed
//! arrays, as the SDK's builders send it, applied to the latest value inside the write), CREATE
//! and CREATE_ENTITY (refused when the aspect or entity exists), DELETE of an aspect; the
//! OpenAPI HTTP PATCH; `POST /aspects/` with a trailing slash (`datahub put`); and the timeline
//! `datahub timeline` reads.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use futures_util::future::join_all;
use serde_json::{json, Value};

use crate::datahub::{aspect_path, encode, ingest, proposal, refused, row_counts, single, INGEST};
use crate::lineage::{entity_lineage, reached, run};
use crate::support::TestApp;

const DS: &str = "urn:li:dataset:(urn:li:dataPlatform:hive,patch.orders,PROD)";
const UP_A: &str = "urn:li:dataset:(urn:li:dataPlatform:hive,patch.raw_a,PROD)";
const UP_B: &str = "urn:li:dataset:(urn:li:dataPlatform:hive,patch.raw_b,PROD)";
const TABLE: &str = "urn:li:mlFeatureTable:(urn:li:dataPlatform:feast,patch_users)";
const MODEL: &str = "urn:li:mlModel:(urn:li:dataPlatform:mlflow,patch-churn,PROD)";
const F1: &str = "urn:li:mlFeature:(patch_users,age)";
const F2: &str = "urn:li:mlFeature:(patch_users,tenure)";
const BATCH: &str = "/aspects?action=ingestProposalBatch";
/// The key fields the SDK's tag helper sends with each tag patch.
const TAG_KEYS: &str = "attribution\u{241f}source";

/// A PATCH proposal as the SDK builds it: the operations serialised into a string.
fn patch(entity_type: &str, urn: &str, aspect: &str, ops: Value) -> Value {
    json!({
        "entityType": entity_type,
        "entityUrn": urn,
        "changeType": "PATCH",
        "aspectName": aspect,
        "aspect": {"value": ops.to_string(), "contentType": "application/json-patch+json"},
        "systemMetadata": {"lastObserved": 1, "runId": "no-run-id-provided"},
    })
}

/// A proposal with another change type.
fn change(change_type: &str, entity_type: &str, urn: &str, aspect: &str, value: Value) -> Value {
    let mut p = proposal(entity_type, urn, aspect, value);
    p["changeType"] = json!(change_type);
    p
}

/// The SDK's `add_tag`: a GenericJsonPatch keyed by attribution source, then tag.
fn add_tag(tag: &str) -> Value {
    json!({
        "arrayPrimaryKeys": {"tags": [TAG_KEYS, "tag"]},
        "patch": [{"op": "add", "path": format!("/tags//{tag}"), "value": {"tag": tag}}],
    })
}

/// The latest value of an aspect, or `None` on 404.
async fn latest(app: &TestApp, urn: &str, aspect: &str) -> Option<Value> {
    let (status, body) = app.get_json(&aspect_path(urn, aspect, 0)).await;
    match status {
        StatusCode::OK => Some(body["aspect"].as_object()?.values().next()?.clone()),
        StatusCode::NOT_FOUND => None,
        other => panic!("GET {urn} {aspect}: {other} {body}"),
    }
}

async fn upstreams_of(app: &TestApp, urn: &str) -> Vec<String> {
    let lineage = entity_lineage(app, "dataset", urn, json!({"direction": "UPSTREAM"})).await;
    let mut urns: Vec<String> = reached(&lineage)
        .into_iter()
        .map(|(u, _, _)| u.to_string())
        .collect();
    urns.sort();
    urns
}

#[tokio::test]
async fn patches_edit_keyed_elements_of_each_aspect_family() {
    let app = TestApp::new().await;
    ingest(
        &app,
        proposal(
            "dataset",
            DS,
            "datasetProperties",
            json!({"name": "orders", "customProperties": {"team": "sales"}}),
        ),
    )
    .await;
    let batch = json!({"proposals": [
        patch("dataset", DS, "upstreamLineage", json!([
            {"op": "add", "path": format!("/upstreams/{UP_A}"), "value": {"dataset": UP_A, "type": "TRANSFORMED"}},
            {"op": "add", "path": format!("/upstreams/{UP_B}"), "value": {"dataset": UP_B, "type": "COPY"}},
        ])),
        patch("dataset", DS, "globalTags", add_tag("urn:li:tag:pii")),
        patch("dataset", DS, "globalTags", add_tag("urn:li:tag:gold")),
        patch("dataset", DS, "ownership", json!({
            "arrayPrimaryKeys": {"owners": ["owner", "type", "typeUrn", TAG_KEYS]},
            "patch": [
                {"op": "add", "path": "/owners/urn:li:corpuser:ana/DATAOWNER//", "value": {"owner": "urn:li:corpuser:ana", "type": "DATAOWNER"}},
                {"op": "add", "path": "/owners/urn:li:corpuser:ben/TECHNICAL_OWNER//", "value": {"owner": "urn:li:corpuser:ben", "type": "TECHNICAL_OWNER"}},
            ],
        })),
        patch("dataset", DS, "glossaryTerms", json!({
            "arrayPrimaryKeys": {"terms": ["urn", TAG_KEYS]},
            "patch": [{"op": "add", "path": "/terms/urn:li:glossaryTerm:Revenue/", "value": {"urn": "urn:li:glossaryTerm:Revenue"}}],
        })),
        patch("dataset", DS, "datasetProperties", json!([
            {"op": "add", "path": "/customProperties/refresh", "value": "hourly"},
        ])),
    ]});
    let (status, body) = app.post_json(BATCH, batch.to_string()).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    assert_eq!(
        latest(&app, DS, "upstreamLineage").await.unwrap(),
        json!({"upstreams": [{"dataset": UP_A, "type": "TRANSFORMED"}, {"dataset": UP_B, "type": "COPY"}]})
    );
    assert_eq!(
        latest(&app, DS, "globalTags").await.unwrap(),
        json!({"tags": [{"tag": "urn:li:tag:pii"}, {"tag": "urn:li:tag:gold"}]})
    );
    let owners = latest(&app, DS, "ownership").await.unwrap();
    assert_eq!(
        owners["owners"],
        json!([{"owner": "urn:li:corpuser:ana", "type": "DATAOWNER"}, {"owner": "urn:li:corpuser:ben", "type": "TECHNICAL_OWNER"}])
    );
    assert_eq!(
        latest(&app, DS, "glossaryTerms").await.unwrap()["terms"],
        json!([{"urn": "urn:li:glossaryTerm:Revenue"}])
    );
    assert_eq!(
        latest(&app, DS, "datasetProperties").await.unwrap(),
        json!({"name": "orders", "customProperties": {"team": "sales", "refresh": "hourly"}})
    );
    // The patched upstreams are lineage, as an UPSERT's would be.
    assert_eq!(upstreams_of(&app, DS).await, [UP_A, UP_B]);

    // Removal by key: one upstream, one owner (whatever its type), a tag from every source.
    let batch = json!({"proposals": [
        patch("dataset", DS, "upstreamLineage", json!([{"op": "remove", "path": format!("/upstreams/{UP_A}")}])),
        patch("dataset", DS, "ownership", json!({
            "arrayPrimaryKeys": {"owners": ["owner", "type", "typeUrn", TAG_KEYS]},
            "patch": [{"op": "remove", "path": "/owners/urn:li:corpuser:ben", "value": {}}],
        })),
        patch("dataset", DS, "globalTags", json!({
            "arrayPrimaryKeys": {"tags": ["tag", TAG_KEYS]},
            "patch": [{"op": "remove", "path": "/tags/urn:li:tag:gold", "value": {}}],
        })),
    ]});
    let (status, body) = app.post_json(BATCH, batch.to_string()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(upstreams_of(&app, DS).await, [UP_B]);
    assert_eq!(
        latest(&app, DS, "ownership").await.unwrap()["owners"],
        json!([{"owner": "urn:li:corpuser:ana", "type": "DATAOWNER"}])
    );
    assert_eq!(
        latest(&app, DS, "globalTags").await.unwrap(),
        json!({"tags": [{"tag": "urn:li:tag:pii"}]})
    );

    // A patch that changes nothing makes no version.
    let before = app.count_rows("aspect").await;
    ingest(
        &app,
        patch("dataset", DS, "globalTags", add_tag("urn:li:tag:pii")),
    )
    .await;
    assert_eq!(app.count_rows("aspect").await, before);
}

#[tokio::test]
async fn ml_patches_add_features_and_derive_their_edges() {
    let app = TestApp::new().await;
    ingest(
        &app,
        proposal(
            "mlModel",
            MODEL,
            "mlModelProperties",
            json!({"description": "Churn", "mlFeatures": [F1]}),
        ),
    )
    .await;
    let batch = json!({"proposals": [
        patch("mlModel", MODEL, "mlModelProperties", json!([
            {"op": "add", "path": format!("/mlFeatures/{F2}"), "value": F2},
            {"op": "add", "path": "/customProperties/framework", "value": "xgboost"},
        ])),
        patch("mlFeatureTable", TABLE, "mlFeatureTableProperties", json!([
            {"op": "add", "path": format!("/mlFeatures/{F1}"), "value": F1},
            {"op": "add", "path": format!("/mlFeatures/{F2}"), "value": F2},
        ])),
    ]});
    let (status, body) = app.post_json(BATCH, batch.to_string()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        latest(&app, MODEL, "mlModelProperties").await.unwrap(),
        json!({"description": "Churn", "mlFeatures": [F1, F2], "customProperties": {"framework": "xgboost"}})
    );
    let data = run(
        &app,
        "query($t: String!, $m: String!) {
          t: mlFeatureTable(urn: $t) { properties { mlFeatures { urn } } }
          m: mlModel(urn: $m) { properties { mlFeatures } }
        }",
        json!({"t": TABLE, "m": MODEL}),
    )
    .await;
    assert_eq!(
        data["t"]["properties"]["mlFeatures"],
        json!([{"urn": F1}, {"urn": F2}])
    );
    assert_eq!(data["m"]["properties"]["mlFeatures"], json!([F1, F2]));
    // The model's patched feature is an edge: the model's upstream lineage reaches it.
    let lineage = entity_lineage(&app, "mlModel", MODEL, json!({"direction": "UPSTREAM"})).await;
    let mut upstream: Vec<&str> = reached(&lineage).into_iter().map(|(u, _, _)| u).collect();
    upstream.sort_unstable();
    assert_eq!(upstream, [F1, F2]);

    ingest(
        &app,
        patch(
            "mlFeatureTable",
            TABLE,
            "mlFeatureTableProperties",
            json!([{"op": "remove", "path": format!("/mlFeatures/{F1}")}]),
        ),
    )
    .await;
    let data = run(
        &app,
        "query($t: String!) { t: mlFeatureTable(urn: $t) { properties { mlFeatures { urn } } } }",
        json!({"t": TABLE}),
    )
    .await;
    assert_eq!(data["t"]["properties"]["mlFeatures"], json!([{"urn": F2}]));
}

#[tokio::test]
async fn bad_patches_are_422_and_write_nothing() {
    let app = TestApp::new().await;
    let good = proposal(
        "dataset",
        DS,
        "datasetProperties",
        json!({"name": "orders"}),
    );
    let cases = [
        (
            patch(
                "dataset",
                DS,
                "globalTags",
                json!([{"op": "move", "from": "/tags/a", "path": "/tags/b"}]),
            ),
            "op \"move\"",
        ),
        (
            patch(
                "dataset",
                DS,
                "globalTags",
                json!([{"op": "add", "path": "/labels/x", "value": {}}]),
            ),
            "\"labels\", which is not a field of globalTags",
        ),
        (
            patch(
                "dataset",
                DS,
                "schemaMetadata",
                json!([{"op": "add", "path": "/fields", "value": []}]),
            ),
            "a PATCH of aspect schemaMetadata is not supported",
        ),
        (
            patch("dataset", DS, "globalTags", json!({"patch": "no"})),
            "\"patch\"",
        ),
        // Applies, but the result fails the aspect's own checks, as an UPSERT would.
        (
            patch("dataset", DS, "globalTags", add_tag("not-a-urn")),
            "invalid URN \"not-a-urn\"",
        ),
        (
            patch(
                "dataset",
                DS,
                "ownership",
                json!([{"op": "replace", "path": "/owners/urn:li:corpuser:x/DATAOWNER", "value": {}}]),
            ),
            "nothing",
        ),
    ];
    for (bad, needle) in cases {
        // In a batch after a valid proposal: the batch is one transaction, nothing lands.
        let body = json!({"proposals": [good.clone(), bad]}).to_string();
        let answer = app.post_json(BATCH, body).await;
        refused(&answer, StatusCode::UNPROCESSABLE_ENTITY, needle);
        assert!(
            answer.1["message"]
                .as_str()
                .unwrap()
                .starts_with("proposal 2 of 2"),
            "{}",
            answer.1
        );
        assert_eq!(row_counts(&app).await, [0, 0, 0], "{needle}");
    }
}

#[tokio::test]
async fn concurrent_patches_never_lose_each_other() {
    let app = TestApp::new().await;
    const N: usize = 16;
    let sends = (0..N).map(|i| {
        let body = single(patch(
            "dataset",
            DS,
            "globalTags",
            add_tag(&format!("urn:li:tag:t{i}")),
        ));
        let app = &app;
        async move { app.post_json(INGEST, body).await }
    });
    for (status, body) in join_all(sends).await {
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let tags = latest(&app, DS, "globalTags").await.unwrap();
    let mut got: Vec<&str> = tags["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["tag"].as_str().unwrap())
        .collect();
    got.sort();
    let mut want: Vec<String> = (0..N).map(|i| format!("urn:li:tag:t{i}")).collect();
    want.sort();
    assert_eq!(got, want);
    // One version per patch: each applied to the one before.
    let (status, _) = app.get_json(&aspect_path(DS, "globalTags", N as i64)).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn create_refuses_an_existing_aspect_and_create_entity_an_existing_entity() {
    let app = TestApp::new().await;
    let key =
        json!({"platform": "urn:li:dataPlatform:hive", "name": "patch.orders", "origin": "PROD"});
    // entities.create: CREATE_ENTITY of the key, then CREATE of each aspect, in one batch.
    let create = json!({"proposals": [
        change("CREATE_ENTITY", "dataset", DS, "datasetKey", key.clone()),
        change("CREATE", "dataset", DS, "datasetProperties", json!({"name": "orders"})),
    ]});
    let (status, body) = app.post_json(BATCH, create.to_string()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        latest(&app, DS, "datasetProperties").await.unwrap(),
        json!({"name": "orders"})
    );
    let rows = row_counts(&app).await;

    let again = app.post_json(BATCH, create.to_string()).await;
    refused(
        &again,
        StatusCode::UNPROCESSABLE_ENTITY,
        "Cannot perform CREATE_ENTITY",
    );
    let again = app
        .post_json(
            INGEST,
            single(change(
                "CREATE",
                "dataset",
                DS,
                "datasetProperties",
                json!({"name": "other"}),
            )),
        )
        .await;
    refused(
        &again,
        StatusCode::UNPROCESSABLE_ENTITY,
        "Cannot perform CREATE",
    );
    assert_eq!(row_counts(&app).await, rows);
    assert_eq!(
        latest(&app, DS, "datasetProperties").await.unwrap(),
        json!({"name": "orders"})
    );

    // CREATE of an aspect the entity does not have yet is fine; so is CREATE_ENTITY of a URN
    // only referenced so far (an upstream nobody described).
    ingest(
        &app,
        change(
            "CREATE",
            "dataset",
            DS,
            "upstreamLineage",
            json!({"upstreams": [{"dataset": UP_A, "type": "COPY"}]}),
        ),
    )
    .await;
    ingest(
        &app,
        change(
            "CREATE_ENTITY",
            "dataset",
            UP_A,
            "datasetKey",
            json!({"platform": "urn:li:dataPlatform:hive", "name": "patch.raw_a", "origin": "PROD"}),
        ),
    )
    .await;
}

#[tokio::test]
async fn delete_removes_an_aspect_and_its_edges_and_keeps_its_history() {
    let app = TestApp::new().await;
    let lineage = |ups: Vec<&str>| json!({"upstreams": ups.iter().map(|u| json!({"dataset": u, "type": "COPY"})).collect::<Vec<_>>()});
    ingest(
        &app,
        proposal("dataset", DS, "upstreamLineage", lineage(vec![UP_A])),
    )
    .await;
    ingest(
        &app,
        proposal(
            "dataset",
            DS,
            "globalTags",
            json!({"tags": [{"tag": "urn:li:tag:pii"}]}),
        ),
    )
    .await;
    assert_eq!(upstreams_of(&app, DS).await, [UP_A]);

    let delete = json!({
        "entityType": "dataset", "entityUrn": DS, "changeType": "DELETE", "aspectName": "upstreamLineage",
    });
    ingest(&app, delete.clone()).await;
    assert_eq!(latest(&app, DS, "upstreamLineage").await, None);
    assert!(upstreams_of(&app, DS).await.is_empty());
    // The other aspect stays; the history keeps the removed version.
    assert!(latest(&app, DS, "globalTags").await.is_some());
    let (status, old) = app.get_json(&aspect_path(DS, "upstreamLineage", 1)).await;
    assert_eq!(status, StatusCode::OK, "{old}");
    let (_, entity) = app.get_json(&format!("/entitiesV2/{}", encode(DS))).await;
    assert!(
        entity["aspects"].get("upstreamLineage").is_none(),
        "{entity}"
    );

    // Removing it again changes nothing; writing it again continues its numbering.
    ingest(&app, delete).await;
    ingest(
        &app,
        proposal("dataset", DS, "upstreamLineage", lineage(vec![UP_B])),
    )
    .await;
    let (status, v2) = app.get_json(&aspect_path(DS, "upstreamLineage", 2)).await;
    assert_eq!(status, StatusCode::OK, "{v2}");
    assert_eq!(upstreams_of(&app, DS).await, [UP_B]);

    // Of an entity never written: 404, and no row made for it.
    let rows = row_counts(&app).await;
    let never = app
        .post_json(
            INGEST,
            single(json!({"entityType": "dataset", "entityUrn": "urn:li:dataset:(urn:li:dataPlatform:hive,never,PROD)",
                          "changeType": "DELETE", "aspectName": "globalTags"})),
        )
        .await;
    refused(&never, StatusCode::NOT_FOUND, "no entity");
    assert_eq!(row_counts(&app).await, rows);

    let key = app
        .post_json(
            INGEST,
            single(json!({"entityType": "dataset", "entityUrn": DS, "changeType": "DELETE", "aspectName": "datasetKey"})),
        )
        .await;
    refused(
        &key,
        StatusCode::UNPROCESSABLE_ENTITY,
        "/entities?action=delete",
    );
}

#[tokio::test]
async fn trailing_slash_and_openapi_patch() {
    let app = TestApp::new().await;
    // `datahub put` posts here.
    let (status, body) = app
        .post_json(
            "/aspects/?action=ingestProposal",
            single(proposal(
                "dataset",
                DS,
                "datasetProperties",
                json!({"name": "orders"}),
            )),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body, json!({"value": "success"}));
    let (status, body) = app.get_json("/aspects/").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    // `datahub put --run-id` sends the system metadata as JSON text; the run is recorded.
    let mut put = proposal("dataset", DS, "globalTags", json!({"tags": []}));
    put["systemMetadata"] = json!(json!({"runId": "put-run-1"}).to_string());
    let (status, body) = app
        .post_json("/aspects/?action=ingestProposal", single(put))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, entity) = app.get_json(&format!("/entitiesV2/{}", encode(DS))).await;
    assert_eq!(
        entity["aspects"]["globalTags"]["systemMetadata"]["runId"],
        "put-run-1"
    );

    // The SDK's OpenAPI mode sends a patch as HTTP PATCH.
    let items = json!([{"urn": DS, "globalTags": {"value": add_tag("urn:li:tag:pii"), "systemMetadata": null}}]);
    let request = Request::patch("/openapi/v3/entity/dataset")
        .header("content-type", "application/json")
        .body(Body::from(items.to_string()))
        .unwrap();
    let (status, bytes) = app.request(request).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&bytes)
    );
    assert_eq!(
        latest(&app, DS, "globalTags").await.unwrap(),
        json!({"tags": [{"tag": "urn:li:tag:pii"}]})
    );
    // A patch posted as a whole aspect is refused, and the other way round.
    let (status, body) = app
        .post_json("/openapi/v3/entity/dataset", items.to_string())
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
}

#[tokio::test]
async fn timeline_lists_change_transactions_by_category() {
    let app = TestApp::new().await;
    let tags =
        |ts: &[&str]| json!({"tags": ts.iter().map(|t| json!({"tag": t})).collect::<Vec<_>>()});
    // Each write at its own millisecond: writes at one instant are one transaction.
    let writes = [
        proposal("mlModel", MODEL, "globalTags", tags(&["urn:li:tag:a"])),
        proposal(
            "mlModel",
            MODEL,
            "mlModelProperties",
            json!({"description": "first"}),
        ),
        proposal("mlModel", MODEL, "globalTags", tags(&["urn:li:tag:b"])),
        proposal(
            "mlModel",
            MODEL,
            "mlModelProperties",
            json!({"description": "second"}),
        ),
    ];
    for p in writes {
        ingest(&app, p).await;
        tokio::time::sleep(std::time::Duration::from_millis(3)).await;
    }

    let path = |q: &str| format!("/openapi/v2/timeline/v1/{}?{q}", encode(MODEL));
    let (status, txns) = app.get_json(&path("categories=TAG")).await;
    assert_eq!(status, StatusCode::OK, "{txns}");
    let events: Vec<Vec<(String, String)>> = txns
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            t["changeEvents"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| {
                    (
                        e["changeType"].as_str().unwrap().to_string(),
                        e["modifier"].as_str().unwrap().to_string(),
                    )
                })
                .collect()
        })
        .collect();
    let pair = |a: &str, b: &str| (a.to_string(), b.to_string());
    assert_eq!(
        events,
        [
            vec![pair("ADD", "urn:li:tag:a")],
            vec![pair("ADD", "urn:li:tag:b"), pair("REMOVE", "urn:li:tag:a")]
        ]
    );
    assert_eq!(txns[0]["semVer"], "0.1.0-computed");
    assert_eq!(txns[1]["semVer"], "0.2.0-computed");
    assert_eq!(txns[0]["changeEvents"][0]["category"], "TAG");
    assert_eq!(txns[0]["changeEvents"][0]["entityUrn"], MODEL);

    // A model's description changes are DOCUMENTATION, as DataHub files them.
    let (_, docs) = app.get_json(&path("categories=documentation")).await;
    let ops: Vec<&str> = docs
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["changeEvents"][0]["changeType"].as_str().unwrap())
        .collect();
    assert_eq!(ops, ["ADD", "MODIFY"]);

    // The time window: after the first transaction only the second.
    let first = txns[0]["timestamp"].as_i64().unwrap();
    let last = txns[1]["timestamp"].as_i64().unwrap();
    let (_, later) = app
        .get_json(&path(&format!("categories=TAG&startTime={}", first + 1)))
        .await;
    assert!(last > first);
    assert_eq!(later.as_array().unwrap().len(), 1, "{later}");

    let bad = app.get_json(&path("categories=TAG,NOPE")).await;
    refused(
        &bad,
        StatusCode::BAD_REQUEST,
        "NOPE is not one of TAG, OWNERSHIP",
    );
    let (status, none) = app
        .get_json(&format!(
            "/openapi/v2/timeline/v1/{}?categories=TAG",
            encode(DS)
        ))
        .await;
    assert_eq!((status, none), (StatusCode::OK, json!([])));
}
