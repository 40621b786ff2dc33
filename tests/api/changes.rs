//! The change feed (`changes` in GraphQL, `GET /changes`): every committed write in commit
//! order with a cursor to resume from; removals (an aspect deleted, a soft delete, a hard
//! delete) in it; filters by type, URN, aspect and lineage scope; cursors and filters it never
//! issued or does not know refused; and many concurrent writers against a reader polling the
//! whole time, which must see every change exactly once, each entity's in order.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use axum::http::StatusCode;
use mlcat::catalog::{Actor, AspectWrite};
use mlcat::urn::Urn;
use serde_json::{json, Value};

use crate::datahub::ingest;
use crate::support::{eventually, TestApp};

const MODEL: &str = "urn:li:mlModel:(urn:li:dataPlatform:sagemaker,churn,PROD)";
const FEATURE: &str = "urn:li:mlFeature:(users,age)";
const DATASET: &str = "urn:li:dataset:(urn:li:dataPlatform:hive,users,PROD)";
const OTHER: &str = "urn:li:dataset:(urn:li:dataPlatform:hive,unrelated,PROD)";

const CHANGES: &str = "query($since: String, $first: Int, $filter: ChangeFilter) {
    changes(since: $since, first: $first, filter: $filter) {
        changes { cursor urn type entityTypeName aspect version kind actor time runId }
        cursor hasMore } }";

async fn replace(app: &TestApp, urn: &str, aspect: &str, value: Value) {
    app.data_vars(
        "mutation($urn: String!, $aspect: String!, $value: JSON!) {
            replaceAspect(input: {urn: $urn, aspectName: $aspect, value: $value}) { version } }",
        json!({"urn": urn, "aspect": aspect, "value": value}),
    )
    .await;
}

/// Waits until the feed holds every version and tombstone written. On PostgreSQL the feed
/// answers a change once every transaction that began before it has ended, in the whole
/// cluster (where other tests write too), so a change may come a moment after its commit.
async fn settle(app: &TestApp) {
    let catalog = app.catalog();
    let scope = mlcat::catalog::ChangeScope::default();
    eventually(
        "the feed catching up with the writes",
        Duration::from_secs(30),
        Duration::from_millis(5),
        || async {
            let stored = app.count_rows("aspect").await + app.count_rows("tombstone").await;
            let mut seen = 0;
            let mut cursor = None;
            loop {
                let page = catalog.changes(cursor, 1000, &scope).await.unwrap();
                seen += page.changes.len() as i64;
                cursor = Some(page.cursor);
                if !page.has_more {
                    break;
                }
            }
            (seen == stored).then_some(())
        },
    )
    .await
}

/// One page of the feed through GraphQL.
async fn page(app: &TestApp, since: Option<&str>, first: i64, filter: Value) -> Value {
    settle(app).await;
    app.data_vars(
        CHANGES,
        json!({"since": since, "first": first, "filter": filter}),
    )
    .await["changes"]
        .clone()
}

/// Every change from `since` on, page by page of `first`; and the cursor at the end.
async fn all(
    app: &TestApp,
    since: Option<&str>,
    first: i64,
    filter: Value,
) -> (Vec<Value>, String) {
    let mut since = since.map(str::to_string);
    let mut out = Vec::new();
    loop {
        let p = page(app, since.as_deref(), first, filter.clone()).await;
        out.extend(p["changes"].as_array().unwrap().iter().cloned());
        since = Some(p["cursor"].as_str().unwrap().to_string());
        if !p["hasMore"].as_bool().unwrap() {
            return (out, since.unwrap());
        }
    }
}

/// `(urn, aspect, version, kind)` of each change.
fn summary(changes: &[Value]) -> Vec<(String, Value, Value, String)> {
    changes
        .iter()
        .map(|c| {
            (
                c["urn"].as_str().unwrap().to_string(),
                c["aspect"].clone(),
                c["version"].clone(),
                c["kind"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[tokio::test]
async fn the_feed_answers_each_write_in_commit_order_and_resumes_from_its_cursor() {
    let app = TestApp::new().await;
    let empty = page(&app, None, 10, json!(null)).await;
    assert_eq!(empty["changes"], json!([]));
    assert_eq!(empty["hasMore"], false);
    let start = empty["cursor"].as_str().unwrap().to_string();

    replace(
        &app,
        MODEL,
        "mlModelProperties",
        json!({"description": "v1"}),
    )
    .await;
    replace(
        &app,
        DATASET,
        "datasetProperties",
        json!({"description": "d"}),
    )
    .await;
    replace(
        &app,
        MODEL,
        "mlModelProperties",
        json!({"description": "v2"}),
    )
    .await;
    // An unchanged write makes no version, and no change.
    replace(
        &app,
        MODEL,
        "mlModelProperties",
        json!({"description": "v2"}),
    )
    .await;

    let first = page(&app, Some(&start), 2, json!(null)).await;
    assert_eq!(first["hasMore"], true);
    let c = &first["changes"][0];
    assert_eq!(c["urn"], MODEL);
    assert_eq!(c["type"], "MLMODEL");
    assert_eq!(c["entityTypeName"], "mlModel");
    assert_eq!(c["aspect"], "mlModelProperties");
    assert_eq!(c["version"], 1);
    assert_eq!(c["kind"], "UPSERT");
    assert_eq!(c["actor"], "anonymous");
    assert!(c["time"].as_i64().unwrap() > 1_700_000_000_000);
    assert_eq!(c["runId"], Value::Null);
    assert_eq!(first["changes"][1]["urn"], DATASET);
    assert_eq!(first["cursor"], first["changes"][1]["cursor"]);

    let rest = page(&app, first["cursor"].as_str(), 2, json!(null)).await;
    assert_eq!(
        summary(rest["changes"].as_array().unwrap()),
        vec![(
            MODEL.into(),
            json!("mlModelProperties"),
            json!(2),
            "UPSERT".into()
        )]
    );
    // Resuming from any change's own cursor answers what came after it.
    let after_first = page(
        &app,
        first["changes"][0]["cursor"].as_str(),
        10,
        json!(null),
    )
    .await;
    assert_eq!(after_first["changes"].as_array().unwrap().len(), 2);

    // At the end: nothing, the same cursor, nothing more.
    let end = page(&app, rest["cursor"].as_str(), 2, json!(null)).await;
    assert_eq!(end["changes"], json!([]));
    assert_eq!(end["cursor"], rest["cursor"]);
    assert_eq!(end["hasMore"], false);

    // The head is where a reader that wants only what comes next starts.
    let head = app.data("{ changeFeedHead }").await["changeFeedHead"].clone();
    assert_eq!(head, rest["cursor"]);
    let (status, rest_head) = app.get_json("/changes/head").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(rest_head["cursor"], head);

    // The REST door answers the same feed.
    let (status, body) = app.get_json("/changes?limit=2").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["hasMore"], true);
    assert_eq!(body["changes"][0]["urn"], MODEL);
    assert_eq!(body["changes"][0]["entityType"], "mlModel");
    assert_eq!(body["changes"][0]["kind"], "UPSERT");
    assert_eq!(body["changes"][0]["cursor"], first["changes"][0]["cursor"]);
    let (_, body) = app
        .get_json(&format!(
            "/changes?since={}",
            body["cursor"].as_str().unwrap()
        ))
        .await;
    assert_eq!(body["changes"].as_array().unwrap().len(), 1);
    assert_eq!(body["changes"][0]["version"], 2);
}

#[tokio::test]
async fn removals_are_in_the_feed() {
    let app = TestApp::new().await;
    replace(
        &app,
        MODEL,
        "mlModelProperties",
        json!({"description": "m"}),
    )
    .await;
    replace(
        &app,
        MODEL,
        "globalTags",
        json!({"tags": [{"tag": "urn:li:tag:pii"}]}),
    )
    .await;
    settle(&app).await;
    let head = app.data("{ changeFeedHead }").await["changeFeedHead"]
        .as_str()
        .unwrap()
        .to_string();

    // An aspect removed (DataHub's DELETE), in a run.
    ingest(
        &app,
        json!({"entityType": "mlModel", "entityUrn": MODEL, "changeType": "DELETE",
               "aspectName": "globalTags", "systemMetadata": {"runId": "cleanup-1"}}),
    )
    .await;
    // Soft-deleted, restored, then erased.
    app.data(&format!(
        "mutation {{ softDeleteEntity(urn: \"{MODEL}\") }}"
    ))
    .await;
    app.data(&format!("mutation {{ restoreEntity(urn: \"{MODEL}\") }}"))
        .await;
    let (changes, before_erasure) = all(&app, Some(&head), 10, json!(null)).await;
    assert_eq!(
        summary(&changes),
        vec![
            (MODEL.into(), json!("globalTags"), json!(1), "DELETE".into()),
            (
                MODEL.into(),
                json!("status"),
                json!(1),
                "SOFT_DELETE".into()
            ),
            (MODEL.into(), json!("status"), json!(2), "UPSERT".into()),
        ]
    );
    assert_eq!(changes[0]["runId"], "cleanup-1");

    let (status, body) = app
        .post_json("/entities?action=delete", json!({"urn": MODEL}).to_string())
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (changes, _) = all(&app, Some(&before_erasure), 10, json!(null)).await;
    assert_eq!(
        summary(&changes),
        vec![(MODEL.into(), Value::Null, Value::Null, "HARD_DELETE".into())]
    );
    assert_eq!(changes[0]["type"], "MLMODEL");

    // The erased entity's versions are gone from the feed; its tombstone stays, and a cursor
    // handed out before the erasure still reads on.
    let (everything, _) = all(&app, None, 100, json!(null)).await;
    assert_eq!(
        summary(&everything).last().unwrap().3,
        "HARD_DELETE".to_string()
    );
    assert!(everything
        .iter()
        .all(|c| c["kind"] != "UPSERT" || c["urn"] != MODEL));

    // Written again after the erasure: after the tombstone.
    replace(
        &app,
        MODEL,
        "mlModelProperties",
        json!({"description": "again"}),
    )
    .await;
    let (after, _) = all(&app, changes[0]["cursor"].as_str(), 10, json!(null)).await;
    assert_eq!(
        summary(&after),
        vec![(
            MODEL.into(),
            json!("mlModelProperties"),
            json!(1),
            "UPSERT".into()
        )]
    );
}

/// The live poller (and so every subscription) reads the feed when a write of this process
/// commits, not only every `POLL_EVERY`: a write and an erasure each move the signal it waits
/// on, and a refused write does not.
#[tokio::test]
async fn every_committed_write_moves_the_signal_the_poller_waits_on() {
    let app = TestApp::new().await;
    let catalog = app.catalog();
    let mut signal = catalog.commit_signal();
    let mut moved = |what: &str, expected: bool| {
        assert_eq!(signal.has_changed().unwrap(), expected, "{what}");
        signal.borrow_and_update();
    };
    moved("nothing written yet", false);
    let model = Urn::parse(MODEL).unwrap();
    let actor = Actor::named("signal");
    let upsert = |aspect: &str, value: Value| AspectWrite::upsert(model.clone(), aspect, value);
    catalog
        .write(
            &actor,
            vec![upsert("mlModelProperties", json!({"description": "m"}))],
        )
        .await
        .unwrap();
    moved("a write", true);
    let refused = catalog
        .write(
            &actor,
            vec![upsert("mlModelProperties", json!("not an object"))],
        )
        .await;
    assert!(refused.is_err());
    moved("a refused write", false);
    catalog.hard_delete(&actor, &model).await.unwrap();
    moved("an entity erased", true);
}

#[tokio::test]
async fn filters_by_type_urn_aspect_and_lineage_scope() {
    let app = TestApp::new().await;
    // dataset -> feature -> model, and an unrelated dataset.
    replace(
        &app,
        DATASET,
        "datasetProperties",
        json!({"description": "users"}),
    )
    .await;
    replace(
        &app,
        FEATURE,
        "mlFeatureProperties",
        json!({"sources": [DATASET]}),
    )
    .await;
    replace(
        &app,
        MODEL,
        "mlModelProperties",
        json!({"mlFeatures": [FEATURE]}),
    )
    .await;
    replace(
        &app,
        OTHER,
        "datasetProperties",
        json!({"description": "other"}),
    )
    .await;
    replace(&app, MODEL, "globalTags", json!({"tags": []})).await;
    replace(
        &app,
        DATASET,
        "datasetProperties",
        json!({"description": "users v2"}),
    )
    .await;

    let urns = |changes: &[Value]| -> Vec<String> {
        changes
            .iter()
            .map(|c| c["urn"].as_str().unwrap().to_string())
            .collect()
    };
    let (models, _) = all(&app, None, 1, json!({"entityTypes": ["MLMODEL"]})).await;
    assert_eq!(urns(&models), vec![MODEL, MODEL]);
    let (datasets, _) = all(
        &app,
        None,
        10,
        json!({"entityTypes": ["DATASET", "MLFEATURE"]}),
    )
    .await;
    assert_eq!(urns(&datasets), vec![DATASET, FEATURE, OTHER, DATASET]);
    let (one, _) = all(&app, None, 10, json!({"urns": [OTHER]})).await;
    assert_eq!(urns(&one), vec![OTHER]);
    let (tags, _) = all(&app, None, 10, json!({"aspects": ["globalTags"]})).await;
    assert_eq!(urns(&tags), vec![MODEL]);
    let (both, _) = all(
        &app,
        None,
        10,
        json!({"entityTypes": ["MLMODEL"], "aspects": ["mlModelProperties"]}),
    )
    .await;
    assert_eq!(summary(&both)[0].1, json!("mlModelProperties"));
    assert_eq!(both.len(), 1);

    // Within N hops upstream of the model: the model itself, then its feature, then the
    // feature's source; never the unrelated dataset.
    let (hop1, _) = all(&app, None, 10, json!({"upstreamOf": MODEL, "hops": 1})).await;
    assert_eq!(urns(&hop1), vec![FEATURE, MODEL, MODEL]);
    let (hop2, _) = all(&app, None, 10, json!({"upstreamOf": MODEL, "hops": 2})).await;
    assert_eq!(urns(&hop2), vec![DATASET, FEATURE, MODEL, MODEL, DATASET]);
    let (status, body) = app
        .get_json(&format!(
            "/changes?upstreamOf={}&hops=2&aspect=datasetProperties",
            crate::datahub::encode(MODEL)
        ))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        urns(body["changes"].as_array().unwrap()),
        vec![DATASET, DATASET]
    );
    let (_, body) = app
        .get_json("/changes?entityType=mlModel&entityType=dataset")
        .await;
    assert_eq!(body["changes"].as_array().unwrap().len(), 5, "{body}");

    // A filtered page's cursor moves past what the filter left out: read to the end, a reader
    // of only OTHER is at the end of the feed.
    let filtered = page(&app, None, 10, json!({"urns": [OTHER]})).await;
    assert_eq!(filtered["hasMore"], false);
    let head = app.data("{ changeFeedHead }").await["changeFeedHead"].clone();
    assert_eq!(filtered["cursor"], head);
}

#[tokio::test]
async fn cursors_and_filters_the_feed_does_not_know_are_refused() {
    let app = TestApp::new().await;
    replace(
        &app,
        MODEL,
        "mlModelProperties",
        json!({"description": "m"}),
    )
    .await;

    for since in ["nonsense", "12", "-1.5", "0.99999999"] {
        let (code, message) = app.refusal(CHANGES, json!({"since": since})).await;
        assert_eq!(code, "BAD_USER_INPUT", "{since}: {message}");
        assert!(message.contains(since), "{message}");
        let (status, body) = app.get_json(&format!("/changes?since={since}")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(body["code"], "BAD_USER_INPUT");
        assert!(body["message"].as_str().unwrap().contains(since), "{body}");
    }

    let (status, body) = app.get_json("/changes?entityType=mlModle").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(
        body["message"].as_str().unwrap().contains("mlModle"),
        "{body}"
    );
    let (status, body) = app.get_json("/changes?limit=lots").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let (status, body) = app.get_json("/changes?sinse=1.1").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(
        body["message"].as_str().unwrap().contains("sinse"),
        "{body}"
    );
    let (status, body) = app.get_json("/changes?hops=2").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let (status, _) = app.get_json("/changes?upstreamOf=not-a-urn").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    for (filter, needle) in [
        (json!({"entityTypes": ["MLMODLE"]}), "MLMODLE"),
        (json!({"entityTypes": ["FORM"]}), "FORM"),
        (json!({"hops": 1}), "upstreamOf"),
        (json!({"upstreamOf": MODEL, "hops": 99}), "99"),
        (json!({"urns": ["nope"]}), "nope"),
    ] {
        let (code, message) = app.refusal(CHANGES, json!({"filter": filter})).await;
        assert_eq!(code, "BAD_USER_INPUT", "{filter}: {message}");
        assert!(message.contains(needle), "{filter}: {message}");
    }
    let (code, _) = app.refusal(CHANGES, json!({"first": 100000})).await;
    assert_eq!(code, "BAD_USER_INPUT");
}

/// Many writers, each batch writing the same aspect of several shared entities (in different
/// orders, so batches wait for each other's row locks), while a reader polls the feed the whole
/// time: at the end the reader has seen every version exactly once, and each aspect's versions
/// in order. On PostgreSQL a feed ordered by the sequence alone (or by the transaction id
/// alone) fails this.
#[tokio::test]
async fn concurrent_writers_and_a_polling_reader_every_change_once_in_order() {
    const WRITERS: usize = 8;
    const BATCHES: usize = 15;
    let app = TestApp::new().await;
    let entities: Vec<String> = (0..5)
        .map(|i| format!("urn:li:dataset:(urn:li:dataPlatform:hive,t{i},PROD)"))
        .collect();
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));

    let reader = {
        let catalog = app.catalog();
        let done = done.clone();
        tokio::spawn(async move {
            let scope = mlcat::catalog::ChangeScope::default();
            let mut cursor = None;
            let mut seen = Vec::new();
            // Until the writers are done and the feed has answered as many changes as they
            // wrote (on PostgreSQL a change comes once the transactions begun before it end),
            // then once more: nothing may come after.
            let expected = WRITERS * BATCHES * 3;
            let mut quiet = 0;
            for _ in 0..100_000 {
                let page = catalog.changes(cursor, 7, &scope).await.unwrap();
                cursor = Some(page.cursor);
                let got = page.changes.len();
                seen.extend(page.changes);
                let finished = done.load(std::sync::atomic::Ordering::SeqCst);
                if finished && seen.len() >= expected && got == 0 {
                    quiet += 1;
                    if quiet == 3 {
                        return seen;
                    }
                }
                if !page.has_more {
                    tokio::time::sleep(Duration::from_millis(2)).await;
                }
            }
            panic!(
                "the reader never saw every change: {} of {expected}",
                seen.len()
            );
        })
    };

    let mut writers = Vec::new();
    for w in 0..WRITERS {
        let catalog = app.catalog();
        let entities = entities.clone();
        writers.push(tokio::spawn(async move {
            for b in 0..BATCHES {
                let mut order: Vec<&String> = entities.iter().collect();
                order.rotate_left((w + b) % entities.len());
                let writes = order
                    .iter()
                    .take(3)
                    .map(|urn| {
                        AspectWrite::upsert(
                            Urn::parse(urn).unwrap(),
                            "datasetProperties",
                            json!({"description": format!("writer {w} batch {b}")}),
                        )
                    })
                    .collect();
                catalog
                    .write(&Actor::named(format!("writer-{w}")), writes)
                    .await
                    .unwrap();
            }
        }));
    }
    for w in writers {
        w.await.unwrap();
    }
    done.store(true, std::sync::atomic::Ordering::SeqCst);
    let seen = reader.await.unwrap();

    assert_eq!(seen.len(), WRITERS * BATCHES * 3, "every version, once");
    let mut once = HashSet::new();
    let mut last: HashMap<(String, Option<String>), i64> = HashMap::new();
    for c in &seen {
        assert!(once.insert((c.urn.clone(), c.version)), "twice: {c:?}");
        let version = c.version.unwrap();
        let before = last.insert((c.urn.clone(), c.aspect.clone()), version);
        assert_eq!(before.unwrap_or(0) + 1, version, "out of order: {c:?}");
    }
    // The cursors handed out only grow.
    assert!(seen.windows(2).all(|p| p[0].cursor < p[1].cursor));
}
