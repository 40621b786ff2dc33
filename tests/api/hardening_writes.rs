//! A write's status can be trusted (issue 16, defect 1): a write answered 408 / `TIMEOUT` left
//! nothing in the catalog, on SQLite (where the group-commit writer used to commit it anyway)
//! and on PostgreSQL; a write answered success is all there; and the catalog takes the next
//! write as usual.

use std::time::Duration;

use axum::http::StatusCode;
use mlcat::auth::Auth;
use mlcat::catalog::{Actor, AspectWrite};
use mlcat::config::Limits;
use mlcat::urn::Urn;
use serde_json::{json, Value};

use crate::datahub::proposal;
use crate::support::{send, TestApp};

const BATCH: &str = "/aspects?action=ingestProposalBatch";

/// A catalog whose requests have `limit` to run.
async fn limited(limit: Duration) -> TestApp {
    TestApp::with_limits(Limits {
        request_timeout: Some(limit),
        ..Limits::default()
    })
    .await
}

/// `count` proposals of new features named `{tag}_f{i}`, in one ingestProposalBatch body.
pub(crate) fn batch_of(count: usize, tag: &str) -> String {
    let proposals: Vec<Value> = (0..count)
        .map(|i| {
            proposal(
                "mlFeature",
                &format!("urn:li:mlFeature:(t,{tag}_f{i})"),
                "mlFeatureProperties",
                json!({"description": format!("feature {i} of a batch that needs new pages")}),
            )
        })
        .collect();
    json!({ "proposals": proposals }).to_string()
}

/// POSTs through a router over the same database with the default limits, as a later client
/// would. On SQLite its write waits for the file's write lock, so it lands after whatever the
/// cut-off request's writer was still doing.
async fn post_unlimited(app: &TestApp, path: &str, body: String) -> (StatusCode, Value) {
    let router = mlcat::app::router(app.db.clone(), &Limits::default(), Auth::Off);
    send(&router, "POST", path, body).await
}

/// How many listed (not soft-deleted) features have `tag` in their name.
async fn features_of(app: &TestApp, tag: &str) -> usize {
    let query = format!("{{ listMLFeatures(input: {{query: \"{tag}\", count: 1}}) {{ total }} }}");
    let (status, answer) =
        post_unlimited(app, "/api/graphql", json!({ "query": query }).to_string()).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    answer["data"]["listMLFeatures"]["total"]
        .as_u64()
        .unwrap_or_else(|| panic!("no total: {answer}")) as usize
}

#[tokio::test]
async fn an_ingest_batch_answered_408_left_nothing_in_the_catalog() {
    // A limit already past when the batch reaches the writer: on SQLite the writer used to
    // commit the batch after the request had been answered 408.
    let app = limited(Duration::ZERO).await;
    let before = app.row_counts().await;
    let (status, answer) = app.post_json(BATCH, batch_of(2_000, "cut")).await;
    assert_eq!(status, StatusCode::REQUEST_TIMEOUT, "{answer}");
    assert_eq!(answer["code"], "TIMEOUT", "{answer}");
    assert!(
        answer["message"]
            .as_str()
            .unwrap()
            .contains("nothing of it was written"),
        "{answer}"
    );

    // The next client's write lands, and only it.
    let (status, answer) = post_unlimited(&app, BATCH, batch_of(1, "later")).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(
        features_of(&app, "cut").await,
        0,
        "a cut-off write committed"
    );
    assert_eq!(features_of(&app, "later").await, 1);
    let after = app.row_counts().await;
    assert_eq!(after[0], before[0] + 1, "entities: only the later write's");
    assert_eq!(after[1], before[1] + 1, "aspects: only the later write's");
}

#[tokio::test]
async fn a_soft_delete_answered_timeout_deleted_nothing() {
    let app = limited(Duration::ZERO).await;
    let urns: Vec<String> = (0..1_000)
        .map(|i| format!("urn:li:mlFeature:(t,soft_f{i})"))
        .collect();
    let writes = urns
        .iter()
        .map(|u| {
            AspectWrite::upsert(
                Urn::parse(u).unwrap(),
                "mlFeatureProperties",
                json!({"description": "kept"}),
            )
        })
        .collect();
    app.catalog()
        .write(&Actor::named("test"), writes)
        .await
        .unwrap();
    let before = app.row_counts().await;

    let mutation = json!({
        "query": "mutation($urns: [String!]!) { batchUpdateSoftDeleted(input: {urns: $urns, deleted: true}) }",
        "variables": {"urns": urns},
    });
    let (status, answer) = app.post_json("/api/graphql", mutation.to_string()).await;
    // Cut off by the time layer (408), or refused by the writer in the mutation's answer.
    assert!(
        [StatusCode::REQUEST_TIMEOUT, StatusCode::OK].contains(&status),
        "{status}: {answer}"
    );
    assert_eq!(
        answer["errors"][0]["extensions"]["code"], "TIMEOUT",
        "{answer}"
    );
    assert!(answer["data"].is_null(), "{answer}");

    // A later soft delete of one of them goes through, and is the only one made.
    let one = json!({
        "query": "mutation($urns: [String!]!) { batchUpdateSoftDeleted(input: {urns: $urns, deleted: true}) }",
        "variables": {"urns": [urns[0]]},
    });
    let (status, answer) = post_unlimited(&app, "/api/graphql", one.to_string()).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["data"]["batchUpdateSoftDeleted"], true, "{answer}");
    let after = app.row_counts().await;
    assert_eq!(after[0], before[0], "no entity was made");
    assert_eq!(
        after[1],
        before[1] + 1,
        "aspects: only the later soft delete's status"
    );
    assert_eq!(
        features_of(&app, "soft").await,
        urns.len() - 1,
        "only the later soft delete took effect"
    );
}

/// Whatever the timing, the status tells the truth: 408 means none of the batch is there, 200
/// means all of it is.
#[tokio::test]
async fn whichever_way_a_race_with_the_limit_goes_the_status_says_what_was_written() {
    let app = limited(Duration::from_millis(100)).await;
    for (round, size) in [(0, 3_000), (1, 300), (2, 30)] {
        let tag = format!("race{round}");
        let (status, answer) = app.post_json(BATCH, batch_of(size, &tag)).await;
        // A barrier: a later write lands only after the writer is done with this batch.
        let (later, _) = post_unlimited(&app, BATCH, batch_of(1, &format!("after{round}"))).await;
        assert_eq!(later, StatusCode::OK);
        let found = features_of(&app, &tag).await;
        match status {
            StatusCode::REQUEST_TIMEOUT => {
                assert_eq!(found, 0, "answered 408 but {found} of {size} were written")
            }
            StatusCode::OK => {
                assert_eq!(found, size, "answered 200 but {found} of {size} are there")
            }
            other => panic!("unexpected {other}: {answer}"),
        }
    }
}
