//! Webhooks against a real HTTP receiver (an axum server on a free port): the changes a
//! webhook's filter matches arrive in commit order, signed with HMAC-SHA256 under its secret;
//! a failing endpoint is retried until it takes them (none lost); a dead one is paused and
//! says why, while writes go on; bad targets and secrets are refused.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use hmac::{Hmac, Mac};
use mlcat::config::Limits;
use serde_json::{json, Value};
use sha2::Sha256;

use crate::support::{eventually, TestApp};

const MODEL: &str = "urn:li:mlModel:(urn:li:dataPlatform:sagemaker,churn,PROD)";
const DATASET: &str = "urn:li:dataset:(urn:li:dataPlatform:hive,users,PROD)";
pub(crate) const SECRET: &str = "a secret of some length";

/// What the receiver got: the signature header and the body of each POST it took.
#[derive(Clone, Default)]
pub(crate) struct Receiver {
    taken: Arc<Mutex<Vec<(String, Bytes)>>>,
    /// POSTs still to refuse with 500 before taking any.
    refuse: Arc<AtomicUsize>,
    refused: Arc<AtomicUsize>,
}

/// Serves a receiver on a free loopback port; its URL.
pub(crate) async fn receiver(r: Receiver) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: HeaderMap, body: Bytes| {
            let r = r.clone();
            async move {
                if r.refuse.load(Ordering::SeqCst) > 0 {
                    r.refuse.fetch_sub(1, Ordering::SeqCst);
                    r.refused.fetch_add(1, Ordering::SeqCst);
                    return StatusCode::INTERNAL_SERVER_ERROR;
                }
                let signature = headers["x-mlcat-signature"].to_str().unwrap().to_string();
                r.taken.lock().unwrap().push((signature, body));
                StatusCode::NO_CONTENT
            }
        }),
    );
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}/hook")
}

fn limits() -> Limits {
    Limits {
        webhook_allow_private_targets: true,
        webhook_retry_base_ms: 50,
        webhook_max_failures: 3,
        ..Limits::default()
    }
}

async fn app_with_deliveries() -> TestApp {
    let app = TestApp::with_limits(limits()).await;
    mlcat::webhooks::spawn(app.catalog(), limits());
    app
}

async fn replace(app: &TestApp, urn: &str, aspect: &str, value: Value) {
    app.data_vars(
        "mutation($urn: String!, $aspect: String!, $value: JSON!) {
            replaceAspect(input: {urn: $urn, aspectName: $aspect, value: $value}) { version } }",
        json!({"urn": urn, "aspect": aspect, "value": value}),
    )
    .await;
}

const CREATE: &str = "mutation($url: String!, $secret: String!, $filter: ChangeFilter) {
    createWebhook(input: {url: $url, secret: $secret, filter: $filter}) {
        id url filter cursor paused failures delivered } }";

async fn create(app: &TestApp, url: &str, filter: Value) -> i64 {
    let data = app
        .data_vars(
            CREATE,
            json!({"url": url, "secret": SECRET, "filter": filter}),
        )
        .await;
    assert_eq!(data["createWebhook"]["paused"], false);
    data["createWebhook"]["id"].as_i64().unwrap()
}

/// The changes the receiver took, in order, each POST's signature checked.
pub(crate) fn changes_taken(r: &Receiver) -> Vec<Value> {
    let mut out = Vec::new();
    for (signature, body) in r.taken.lock().unwrap().iter() {
        let mut mac = Hmac::<Sha256>::new_from_slice(SECRET.as_bytes()).unwrap();
        mac.update(body);
        let want: String = mac
            .finalize()
            .into_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(signature, &format!("sha256={want}"));
        let body: Value = serde_json::from_slice(body).unwrap();
        out.extend(body["changes"].as_array().unwrap().iter().cloned());
    }
    out
}

/// Waits until the receiver has taken `n` changes.
pub(crate) async fn wait_for(r: &Receiver, n: usize) -> Vec<Value> {
    eventually(
        &format!("the receiver taking {n} changes"),
        Duration::from_secs(30),
        Duration::from_millis(50),
        || async {
            let got = changes_taken(r);
            (got.len() >= n).then_some(got)
        },
    )
    .await
}

/// Waits until the change feed serves `n` changes of models. On PostgreSQL the feed serves a
/// commit once every transaction that began before it has ended, other tests' included; until
/// then a new webhook's cursor (the feed's head) is still before it.
async fn served(app: &TestApp, n: usize) {
    eventually(
        &format!("the feed serving {n} changes of models"),
        Duration::from_secs(30),
        Duration::from_millis(20),
        || async {
            let page = app
                .data(
                    "{ changes(first: 1000, filter: {entityTypes: [MLMODEL]}) { changes { urn } } }",
                )
                .await;
            (page["changes"]["changes"].as_array().unwrap().len() == n).then_some(())
        },
    )
    .await;
}

pub(crate) fn versions(changes: &[Value]) -> Vec<(String, String, i64)> {
    changes
        .iter()
        .map(|c| {
            (
                c["urn"].as_str().unwrap().to_string(),
                c["aspect"].as_str().unwrap().to_string(),
                c["version"].as_i64().unwrap(),
            )
        })
        .collect()
}

#[tokio::test]
async fn matching_changes_arrive_signed_in_order_and_a_failing_endpoint_gets_them_later() {
    let app = app_with_deliveries().await;
    let r = Receiver::default();
    let url = receiver(r.clone()).await;
    // Written (and served by the feed) before the webhook: not delivered.
    replace(
        &app,
        MODEL,
        "mlModelProperties",
        json!({"description": "before"}),
    )
    .await;
    served(&app, 1).await;
    let id = create(&app, &url, json!({"entityTypes": ["MLMODEL"]})).await;

    replace(
        &app,
        MODEL,
        "mlModelProperties",
        json!({"description": "v2"}),
    )
    .await;
    replace(
        &app,
        DATASET,
        "datasetProperties",
        json!({"description": "not a model"}),
    )
    .await;
    replace(&app, MODEL, "globalTags", json!({"tags": []})).await;
    replace(
        &app,
        MODEL,
        "mlModelProperties",
        json!({"description": "v3"}),
    )
    .await;
    let got = wait_for(&r, 3).await;
    assert_eq!(
        versions(&got),
        vec![
            (MODEL.into(), "mlModelProperties".into(), 2),
            (MODEL.into(), "globalTags".into(), 1),
            (MODEL.into(), "mlModelProperties".into(), 3),
        ]
    );
    assert_eq!(got[0]["kind"], "UPSERT");
    assert_eq!(got[0]["entityType"], "mlModel");

    // The endpoint fails twice: retried with backoff, then delivered; nothing lost or reordered.
    r.refuse.store(2, Ordering::SeqCst);
    replace(
        &app,
        MODEL,
        "mlModelProperties",
        json!({"description": "v4"}),
    )
    .await;
    replace(
        &app,
        MODEL,
        "mlModelProperties",
        json!({"description": "v5"}),
    )
    .await;
    let got = wait_for(&r, 5).await;
    assert_eq!(r.refused.load(Ordering::SeqCst), 2);
    let tail: Vec<i64> = versions(&got)[3..].iter().map(|v| v.2).collect();
    assert_eq!(tail, vec![4, 5]);

    // The deliverer records a delivery after the endpoint answered it, so the receiver can
    // hold the last change a moment before the webhook says so.
    let hooks = eventually(
        "the webhook recording its fifth delivery",
        Duration::from_secs(30),
        Duration::from_millis(20),
        || async {
            let hooks = app
                .data("{ webhooks { id url paused failures delivered lastError } }")
                .await;
            (hooks["webhooks"][0]["delivered"] == 5).then_some(hooks)
        },
    )
    .await;
    let hook = &hooks["webhooks"][0];
    assert_eq!(hook["id"], id);
    assert_eq!(hook["paused"], false);
    assert_eq!(hook["failures"], 0);
    assert_eq!(hook["delivered"], 5);
    assert_eq!(hook["lastError"], Value::Null);
    assert!(!hooks.to_string().contains(SECRET));
}

/// A webhook whose filter leaves out a stretch of the feed longer than one read of it (a busy
/// ingestion of other entities) crosses the stretch in one delivery pass and delivers what
/// follows; it used to stop at each read's end until the next tick, and fell behind a feed
/// that grew faster than a read per tick.
#[tokio::test]
async fn a_long_stretch_the_filter_leaves_out_is_crossed_in_one_pass() {
    // No deliverer in the background: the passes are the test's.
    let app = TestApp::with_limits(limits()).await;
    let r = Receiver::default();
    let url = receiver(r.clone()).await;
    let id = create(&app, &url, json!({"entityTypes": ["MLMODEL"]})).await;
    for batch in 0..12 {
        let proposals: Vec<Value> = (0..200)
            .map(|i| {
                crate::datahub::proposal(
                    "dataset",
                    &format!("urn:li:dataset:(urn:li:dataPlatform:hive,t{batch}_{i},PROD)"),
                    "datasetProperties",
                    json!({"description": "not a model"}),
                )
            })
            .collect();
        let body = json!({"proposals": proposals, "async": "false"}).to_string();
        let (status, answer) = app
            .post_json("/aspects?action=ingestProposalBatch", body)
            .await;
        assert_eq!(status, axum::http::StatusCode::OK, "{answer:#}");
    }
    replace(
        &app,
        MODEL,
        "mlModelProperties",
        json!({"description": "after 2,400 datasets"}),
    )
    .await;

    served(&app, 1).await;
    mlcat::webhooks::deliver(&app.catalog(), &limits(), "replica-a", id)
        .await
        .unwrap();
    assert_eq!(
        versions(&changes_taken(&r)),
        vec![(MODEL.into(), "mlModelProperties".into(), 1)]
    );
    let hooks = app
        .data("{ webhooks { delivered failures lastError } }")
        .await;
    assert_eq!(
        hooks["webhooks"][0],
        json!({"delivered": 1, "failures": 0, "lastError": null})
    );
}

/// A delivery that stopped on an error of its own (the database, say) keeps its lease; the
/// replica holding it finds the webhook due again at its next look instead of waiting out the
/// lease (30 s), while another replica still may not take it.
#[tokio::test]
async fn a_lease_left_by_an_error_is_due_again_to_its_holder_only() {
    let app = TestApp::with_limits(limits()).await;
    let r = Receiver::default();
    let url = receiver(r.clone()).await;
    let id = create(&app, &url, json!({})).await;
    let catalog = app.catalog();
    assert_eq!(catalog.due_webhooks("replica-a").await.unwrap(), vec![id]);
    assert!(catalog
        .claim_webhook(id, "replica-a", 30_000)
        .await
        .unwrap()
        .is_some());
    assert_eq!(catalog.due_webhooks("replica-a").await.unwrap(), vec![id]);
    assert!(catalog.due_webhooks("replica-b").await.unwrap().is_empty());
    assert!(catalog
        .claim_webhook(id, "replica-b", 30_000)
        .await
        .unwrap()
        .is_none());
}

#[tokio::test]
async fn a_dead_endpoint_is_paused_and_reported_and_writes_go_on() {
    let app = app_with_deliveries().await;
    // A port nobody listens on.
    let dead = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}/hook", l.local_addr().unwrap())
    };
    let id = create(&app, &dead, json!(null)).await;
    replace(
        &app,
        MODEL,
        "mlModelProperties",
        json!({"description": "v1"}),
    )
    .await;

    let mut hook = Value::Null;
    for _ in 0..400 {
        hook = app.data("{ webhooks { paused failures lastError } }").await["webhooks"][0].clone();
        if hook["paused"] == true {
            break;
        }
        // Writes are never held up by the endpoint.
        replace(&app, DATASET, "datasetProperties", json!({"n": rand_n()})).await;
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert_eq!(hook["paused"], true, "{hook}");
    assert_eq!(hook["failures"], 3);
    assert!(
        hook["lastError"].as_str().unwrap().contains("connecting"),
        "{hook}"
    );

    // Resumed: due at once, failures forgotten (it fails again, being dead).
    let resumed = app
        .data(&format!(
            "mutation {{ resumeWebhook(id: {id}) {{ paused failures }} }}"
        ))
        .await;
    assert_eq!(
        resumed["resumeWebhook"],
        json!({"paused": false, "failures": 0})
    );
    app.data(&format!("mutation {{ deleteWebhook(id: {id}) }}"))
        .await;
    assert_eq!(app.data("{ webhooks { id } }").await["webhooks"], json!([]));
    let (code, _) = app
        .refusal(
            &format!("mutation {{ deleteWebhook(id: {id}) }}"),
            json!({}),
        )
        .await;
    assert_eq!(code, "NOT_FOUND");
}

fn rand_n() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64
}

#[tokio::test]
async fn bad_targets_and_secrets_are_refused() {
    // The server's defaults: no private targets.
    let app = TestApp::new().await;
    for (url, needle) in [
        ("ftp://example.com/hook", "http or https"),
        ("not a url", "not a URL"),
        ("http://169.254.169.254/latest/meta-data", "169.254.169.254"),
        ("http://127.0.0.1:9/hook", "--webhook-allow-private-targets"),
        ("http://[::1]:9/hook", "::1"),
        ("http://10.0.0.7/hook", "10.0.0.7"),
    ] {
        let (code, message) = app
            .refusal(CREATE, json!({"url": url, "secret": SECRET}))
            .await;
        assert_eq!(code, "BAD_USER_INPUT", "{url}: {message}");
        assert!(message.contains(needle), "{url}: {message}");
    }
    let app = TestApp::with_limits(limits()).await;
    let (code, message) = app
        .refusal(
            CREATE,
            json!({"url": "http://127.0.0.1:9/hook", "secret": "short"}),
        )
        .await;
    assert_eq!(code, "BAD_USER_INPUT");
    assert!(message.contains("16"), "{message}");
    let (code, _) = app
        .refusal(
            CREATE,
            json!({"url": "http://127.0.0.1:9/hook", "secret": SECRET, "filter": {"hops": 1}}),
        )
        .await;
    assert_eq!(code, "BAD_USER_INPUT");
    assert_eq!(app.data("{ webhooks { id } }").await["webhooks"], json!([]));
}
