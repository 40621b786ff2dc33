//! The change feed's live delivery with two `mlcat serve` processes on one PostgreSQL
//! (issue 22, replicas): every subscriber on either sees every change written through either,
//! in the same order, and each change of a webhook is delivered by one of them, once.

use std::collections::HashSet;
use std::time::Duration;

use serde_json::{json, Value};

use crate::process::{Http, Server};
use crate::subscriptions::{open, receive, subscribe, Socket};
use crate::support::{eventually, fresh_database};
use crate::webhooks::{changes_taken, receiver, versions, wait_for, Receiver, SECRET};

const MARKER: &str = "urn:li:mlModel:(urn:li:dataPlatform:sagemaker,marker,PROD)";

fn model(i: usize) -> String {
    format!("urn:li:mlModel:(urn:li:dataPlatform:sagemaker,replicated_{i},PROD)")
}

/// One GraphQL request to a server, which must succeed; its `data`.
async fn data(http: &mut Http, query: &str, variables: Value) -> Value {
    let body = json!({"query": query, "variables": variables}).to_string();
    let (status, answer) = http
        .send("POST", "/api/graphql", body.as_bytes())
        .await
        .unwrap();
    let answer: Value = serde_json::from_slice(&answer).unwrap();
    assert_eq!(status, 200, "{answer}");
    assert!(answer.get("errors").is_none(), "{answer}");
    answer["data"].clone()
}

/// Writes a new version of a model's properties; the version written.
async fn write(http: &mut Http, urn: &str, description: &str) -> i64 {
    data(
        http,
        "mutation($urn: String!, $value: JSON!) { replaceAspect(input: \
         {urn: $urn, aspectName: \"mlModelProperties\", value: $value}) { version } }",
        json!({"urn": urn, "value": {"description": description}}),
    )
    .await["replaceAspect"]["version"]
        .as_i64()
        .unwrap()
}

/// The (urn, aspect, version) of a subscription's next change.
async fn next_change(socket: &mut Socket) -> (String, String, i64) {
    let message = receive(socket).await;
    assert_eq!(message["type"], "next", "{message}");
    let c = &message["payload"]["data"]["entityChanged"];
    (
        c["urn"].as_str().unwrap().to_string(),
        c["aspect"].as_str().unwrap().to_string(),
        c["version"].as_i64().unwrap(),
    )
}

#[tokio::test]
async fn two_replicas_every_subscriber_sees_every_change_and_a_webhook_gets_each_once() {
    let (url, _dir) = fresh_database().await;
    if !url.starts_with("postgres") {
        return; // replicas share a PostgreSQL database; one SQLite file has one server
    }
    let args = [
        "--webhook-allow-private-targets",
        "--webhook-retry-base-ms",
        "50",
    ];
    let (a, b) = tokio::join!(
        Server::start_with(&url, &args),
        Server::start_with(&url, &args)
    );
    let (mut http_a, mut http_b) = (Http::new(a.addr), Http::new(b.addr));

    // Two subscribers on each replica, all on models.
    let mut sockets = Vec::new();
    for addr in [a.addr, a.addr, b.addr, b.addr] {
        let mut socket = open(addr, &[]).await;
        subscribe(&mut socket, "models", json!({"entityTypes": ["MLMODEL"]})).await;
        sockets.push(socket);
    }
    // A subscription starts at the feed's head when its server runs it: the marker is written
    // until every subscriber has seen it, so each is live for what follows.
    let mut live = vec![false; sockets.len()];
    let mut n = 0;
    while live.contains(&false) {
        n += 1;
        write(&mut http_a, MARKER, &format!("marker {n}")).await;
        for (i, socket) in sockets.iter_mut().enumerate() {
            let deadline = tokio::time::Instant::now() + Duration::from_millis(300);
            while let Ok(change) = tokio::time::timeout_at(deadline, next_change(socket)).await {
                assert_eq!(change.0, MARKER);
                live[i] = true;
            }
        }
        assert!(n < 50, "the subscriptions never went live: {live:?}");
    }

    // The webhook, registered through the first replica: both replicas' deliverers see it.
    let r = Receiver::default();
    let hook = receiver(r.clone()).await;
    data(
        &mut http_a,
        "mutation($url: String!, $secret: String!) { createWebhook(input: \
         {url: $url, secret: $secret, filter: {entityTypes: [MLMODEL]}}) { id } }",
        json!({"url": hook, "secret": SECRET}),
    )
    .await;

    // Writers on both replicas at once, over the same models (so their writes interleave and
    // wait for each other's row locks).
    const MODELS: usize = 4;
    const EACH: usize = 15;
    let writer = |mut http: Http, side: &'static str| async move {
        let mut written = Vec::new();
        for i in 0..EACH {
            let urn = model(i % MODELS);
            let version = write(&mut http, &urn, &format!("{side} {i}")).await;
            written.push((urn, "mlModelProperties".to_string(), version));
        }
        written
    };
    let (from_a, from_b) = tokio::join!(
        tokio::spawn(writer(Http::new(a.addr), "a")),
        tokio::spawn(writer(Http::new(b.addr), "b"))
    );
    let written: HashSet<(String, String, i64)> =
        from_a.unwrap().into_iter().chain(from_b.unwrap()).collect();
    assert_eq!(written.len(), 2 * EACH, "every write made its own version");

    // Every subscriber, on either replica, gets every change, once, in the same order (the
    // feed's); each model's versions in order.
    let mut sequences = Vec::new();
    for socket in &mut sockets {
        let mut got = Vec::new();
        while got.len() < written.len() {
            let change = next_change(socket).await;
            if change.0 != MARKER {
                got.push(change);
            }
        }
        assert_eq!(got.iter().cloned().collect::<HashSet<_>>(), written);
        for i in 0..MODELS {
            let versions: Vec<i64> = got
                .iter()
                .filter(|c| c.0 == model(i))
                .map(|c| c.2)
                .collect();
            assert!(versions.windows(2).all(|w| w[0] < w[1]), "{versions:?}");
        }
        sequences.push(got);
    }
    assert!(sequences.windows(2).all(|w| w[0] == w[1]));
    // Nothing more comes.
    for socket in &mut sockets {
        assert!(
            tokio::time::timeout(Duration::from_millis(300), next_change(socket))
                .await
                .is_err()
        );
    }

    // The webhook: every change, in the feed's order, delivered by one replica or the other
    // but never by both.
    let taken = versions(&wait_for(&r, written.len()).await);
    assert_eq!(taken, sequences[0]);
    // Both deliverers keep looking for due webhooks; a second delivery would come within a
    // few of their ticks.
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(
        versions(&changes_taken(&r)),
        sequences[0],
        "delivered twice"
    );

    // A write through the second replica after the rest reaches all of them too.
    let last = write(&mut http_b, &model(0), "last").await;
    for socket in &mut sockets {
        assert_eq!(
            next_change(socket).await,
            (model(0), "mlModelProperties".into(), last)
        );
    }
    eventually(
        "the webhook taking the last write",
        Duration::from_secs(30),
        Duration::from_millis(50),
        || async { (changes_taken(&r).len() == written.len() + 1).then_some(()) },
    )
    .await;
    drop((a, b));
}
