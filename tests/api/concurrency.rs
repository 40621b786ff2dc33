//! Concurrency: eight clients write one aspect at once, DataHub UPSERTs of the whole
//! `mlModelProperties` interleaved with GraphQL patches (`upsertMLModel` changing one field,
//! `addRelationships`). No write fails (a busy SQLite waits instead), every version of the
//! history is whole and is exactly one acknowledged write applied to the version before it,
//! the order of the versions agrees with what the clients saw, and the edges match the latest
//! aspect in every snapshot taken while they write and after.
//!
//! What the clients can prove about the order: a write's transaction commits before its
//! acknowledgement arrives, and a write sent after that commits later. So if write A was
//! acknowledged before write B was sent, A's version is lower than B's. Two writes in flight
//! at the same time may commit in either order, and acknowledgements may arrive in another
//! order than the commits, so "the last acknowledged write" is only defined for a write sent
//! after all others were acknowledged: the test ends with one, and the latest aspect must be
//! exactly it.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Instant;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use mlcat::catalog::aspects::MlModelProperties;
use mlcat::catalog::{Actor, AspectWrite};
use mlcat::datahub::registry::fqn;
use mlcat::urn::Urn;
use sea_orm::ConnectionTrait;
use serde_json::{json, Value};

use crate::durability::{assert_integrity, consistent_state};
use crate::support::TestApp;

const CLIENTS: usize = 8;
const WRITES_EACH: usize = 50;
const MODEL: &str = "urn:li:mlModel:(urn:li:dataPlatform:concurrency,model,PROD)";
const ASPECT: &str = "mlModelProperties";

const PATCH_MODEL: &str =
    "mutation($input: UpsertMLModelInput!) { upsertMLModel(input: $input) { urn } }";
const ADD_FEATURE: &str = "mutation($input: RelationshipEditInput!) {
    addRelationships(input: $input) { version changed } }";

/// How a write changes the aspect.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// A DataHub UPSERT of the whole aspect.
    Upsert,
    /// `upsertMLModel` setting one field, `customProperties`, to `{writer: <marker>}`.
    Patch,
    /// `addRelationships` adding the write's own feature to `mlFeatures`.
    Add,
}

/// One acknowledged write, as its client saw it.
#[derive(Debug)]
struct Write {
    /// `<client>-<n>`, unique: the value an UPSERT or a patch leaves in
    /// `customProperties.writer`, and the name of the feature an add adds.
    marker: String,
    client: usize,
    n: usize,
    kind: Kind,
    sent: Instant,
    acked: Instant,
    /// The version the answer reported (`addRelationships` reports one).
    reported_version: Option<i64>,
}

fn feature(marker: &str) -> String {
    format!("urn:li:mlFeature:(concurrency,{marker})")
}

fn group(client: usize) -> String {
    format!(
        "urn:li:mlModelGroup:(urn:li:dataPlatform:concurrency,group{},PROD)",
        client % 3
    )
}

/// The whole aspect an UPSERT writes, in the form the server would write it itself.
fn whole_value(marker: &str, client: usize) -> Value {
    json!({
        "customProperties": {"writer": marker},
        "name": format!("model by {marker}"),
        "description": format!("written whole by {marker}"),
        "version": {"versionTag": marker},
        "type": "gradient boosting",
        "hyperParams": [{"name": "depth", "value": "6"}],
        "tags": ["concurrency"],
        "mlFeatures": [feature(marker)],
        "groups": [group(client)],
    })
}

fn kind_of(client: usize, n: usize) -> Kind {
    [Kind::Upsert, Kind::Patch, Kind::Add][(client + n) % 3]
}

/// The path and body of a write.
fn request(kind: Kind, marker: &str, client: usize) -> (&'static str, String) {
    match kind {
        Kind::Upsert => (
            "/aspects?action=ingestProposal",
            json!({"proposal": {
                "entityType": "mlModel",
                "entityUrn": MODEL,
                "changeType": "UPSERT",
                "aspectName": ASPECT,
                "aspect": {"value": whole_value(marker, client).to_string(),
                           "contentType": "application/json"},
            }})
            .to_string(),
        ),
        Kind::Patch => (
            "/api/graphql",
            json!({"query": PATCH_MODEL, "variables": {"input": {
                "urn": MODEL, "customProperties": [{"key": "writer", "value": marker}],
            }}})
            .to_string(),
        ),
        Kind::Add => (
            "/api/graphql",
            json!({"query": ADD_FEATURE, "variables": {"input": {
                "urn": MODEL, "field": "MODEL_FEATURES", "targets": [feature(marker)],
            }}})
            .to_string(),
        ),
    }
}

/// The version an answer acknowledges, or why it does not acknowledge the write.
fn acknowledgement(kind: Kind, status: StatusCode, body: &[u8]) -> Result<Option<i64>, String> {
    let answer: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let version = answer["data"]["addRelationships"]["version"].as_i64();
    let acknowledged = status == StatusCode::OK
        && match kind {
            Kind::Upsert => answer == json!({"value": "success"}),
            Kind::Patch => answer == json!({"data": {"upsertMLModel": {"urn": MODEL}}}),
            Kind::Add => {
                answer.get("errors").is_none()
                    && answer["data"]["addRelationships"]["changed"] == json!(true)
            }
        };
    if acknowledged {
        Ok(version)
    } else {
        Err(format!("{status}: {}", String::from_utf8_lossy(body)))
    }
}

/// The server and who writes to it: anonymous with auth off; with auth on, a token per write,
/// each used for the first time (as many jobs with tokens of their own would), so the server
/// records each token's first use while the writes run.
struct Clients {
    app: TestApp,
    tokens: Vec<String>,
}

impl Clients {
    /// Sends a request as the `i`-th writer; GET when there is no body.
    async fn send(&self, i: usize, path: &str, body: Option<String>) -> (StatusCode, Vec<u8>) {
        let mut request = match body {
            Some(_) => Request::post(path).header("content-type", "application/json"),
            None => Request::get(path),
        };
        if let Some(token) = self.tokens.get(i) {
            request = request.header("authorization", format!("Bearer {token}"));
        }
        let body = body.map_or_else(Body::empty, Body::from);
        self.app.request(request.body(body).unwrap()).await
    }

    /// Sends a read that must succeed; answers its JSON.
    async fn read(&self, i: usize, path: &str, body: Option<String>) -> Value {
        let (status, answer) = self.send(i, path, body).await;
        let answer: Value = serde_json::from_slice(&answer).unwrap_or(Value::Null);
        assert_eq!(status, StatusCode::OK, "{path}: {answer}");
        answer
    }
}

/// One client: its writes one after another, each recorded with when it was sent and when
/// its acknowledgement arrived; a write that fails is recorded as a failure.
async fn client(clients: Arc<Clients>, client: usize) -> (Vec<Write>, Vec<String>) {
    let (mut writes, mut failures) = (Vec::new(), Vec::new());
    for n in 0..WRITES_EACH {
        let marker = format!("{client}-{n}");
        let kind = kind_of(client, n);
        let (path, body) = request(kind, &marker, client);
        let sent = Instant::now();
        let (status, answer) = clients
            .send(client * WRITES_EACH + n, path, Some(body))
            .await;
        let acked = Instant::now();
        match acknowledgement(kind, status, &answer) {
            Ok(reported_version) => writes.push(Write {
                marker,
                client,
                n,
                kind,
                sent,
                acked,
                reported_version,
            }),
            Err(why) => failures.push(format!("{kind:?} {marker}: {why}")),
        }
    }
    (writes, failures)
}

fn typed(value: &Value) -> MlModelProperties {
    serde_json::from_value(value.clone())
        .unwrap_or_else(|e| panic!("not a whole mlModelProperties ({e}): {value}"))
}

/// What a write makes of the version before it (`None` when it writes the first).
fn applied(write: &Write, before: Option<&Value>) -> MlModelProperties {
    if write.kind == Kind::Upsert {
        return typed(&whole_value(&write.marker, write.client));
    }
    let mut value = before.map(typed).unwrap_or_default();
    match write.kind {
        Kind::Patch => {
            value.custom_properties = BTreeMap::from([("writer".into(), write.marker.clone())]);
        }
        _ => {
            let added = Urn::parse(&feature(&write.marker)).unwrap();
            let list = value.ml_features.get_or_insert_with(Vec::new);
            if !list.contains(&added) {
                list.push(added);
            }
        }
    }
    value
}

/// The write that made `value` from `before`: the one whose marker it carries (an UPSERT
/// or a patch), or the one whose feature it added last (an add). Markers are unique, so at
/// most one write can have made it.
fn author<'w>(writes: &'w [Write], before: Option<&Value>, value: &Value) -> Option<&'w Write> {
    let by_marker = value["customProperties"]["writer"]
        .as_str()
        .and_then(|m| writes.iter().find(|w| w.marker == m && w.kind != Kind::Add));
    let by_feature = value["mlFeatures"]
        .as_array()
        .and_then(|list| list.last())
        .and_then(Value::as_str)
        .and_then(|f| {
            writes
                .iter()
                .find(|w| w.kind == Kind::Add && feature(&w.marker) == f)
        });
    [by_marker, by_feature].into_iter().flatten().find(|w| {
        let exact = w.kind != Kind::Upsert || *value == whole_value(&w.marker, w.client);
        exact && typed(value) == applied(w, before)
    })
}

/// Attributes every version of the history to the write that made it, and checks each write
/// made exactly one; answers, for each version (from 1), the index of its write.
fn attribute(writes: &[Write], history: &[Value]) -> Vec<usize> {
    let mut authors = Vec::with_capacity(history.len());
    for (i, value) in history.iter().enumerate() {
        let before = i.checked_sub(1).map(|j| &history[j]);
        let write = author(writes, before, value).unwrap_or_else(|| {
            panic!(
                "version {} is not an acknowledged write applied to the version before it: \
                 {value}\nbefore: {before:?}",
                i + 1
            )
        });
        authors.push(writes.iter().position(|w| std::ptr::eq(w, write)).unwrap());
    }
    let distinct: BTreeSet<usize> = authors.iter().copied().collect();
    assert_eq!(distinct.len(), authors.len(), "a write made two versions");
    assert_eq!(
        authors.len(),
        writes.len(),
        "every acknowledged write changes the aspect, so makes one version"
    );
    authors
}

/// Eight clients, 50 writes each, UPSERTs and patches interleaved, while a reader checks
/// snapshots; then the history is checked against what the clients saw.
async fn race(clients: Clients) {
    let clients = Arc::new(clients);
    let app = &clients.app;
    let started = Instant::now();
    let stop = Arc::new(AtomicBool::new(false));
    let snapshots = Arc::new(AtomicUsize::new(0));
    let reader = {
        let (clients, stop, snapshots) = (clients.clone(), stop.clone(), snapshots.clone());
        tokio::spawn(async move {
            // Edges match the latest aspects in every snapshot, not only at the end.
            loop {
                consistent_state(&clients.app.db).await;
                snapshots.fetch_add(1, Ordering::SeqCst);
                if stop.load(Ordering::SeqCst) {
                    break;
                }
            }
        })
    };
    let tasks: Vec<_> = (0..CLIENTS)
        .map(|c| tokio::spawn(client(clients.clone(), c)))
        .collect();
    let (mut writes, mut failures) = (Vec::new(), Vec::new());
    for c in tasks {
        let (w, f) = c.await.expect("a client panicked");
        writes.extend(w);
        failures.extend(f);
    }
    stop.store(true, Ordering::SeqCst);
    reader.await.expect("a snapshot was inconsistent");
    let raced = started.elapsed();
    // A busy SQLite must make writers wait, not fail ("database is locked" reaches a client
    // as an internal error).
    assert!(
        failures.is_empty(),
        "{} of {} writes failed, e.g.: {:#?}",
        failures.len(),
        CLIENTS * WRITES_EACH,
        &failures[..failures.len().min(5)]
    );

    assert_integrity(&app.db).await;
    let catalogue = consistent_state(&app.db).await;
    let history = &catalogue.histories[&(MODEL.to_string(), ASPECT.to_string())];
    let authors = attribute(&writes, history);
    let version_of: BTreeMap<usize, i64> = authors
        .iter()
        .enumerate()
        .map(|(v, &w)| (w, v as i64 + 1))
        .collect();
    for (w, write) in writes.iter().enumerate() {
        if let Some(reported) = write.reported_version {
            assert_eq!(
                reported, version_of[&w],
                "{} reported another version than it made",
                write.marker
            );
        }
    }
    // A write acknowledged before another was sent committed first.
    for (a, first) in writes.iter().enumerate() {
        for (b, second) in writes.iter().enumerate() {
            if first.acked < second.sent {
                assert!(
                    version_of[&a] < version_of[&b],
                    "{} was acknowledged before {} was sent, but has version {} after {}",
                    first.marker,
                    second.marker,
                    version_of[&a],
                    version_of[&b]
                );
            }
        }
    }
    // So the write that committed last is the last write of its client.
    let last = &writes[*authors.last().unwrap()];
    assert_eq!(
        last.n,
        WRITES_EACH - 1,
        "the latest version is {}'s write {}, not its last",
        last.client,
        last.n
    );

    // A write sent after every other was acknowledged is the last acknowledged write: the
    // latest aspect is exactly it, through every read.
    let last_writer = CLIENTS * WRITES_EACH;
    let (path, body) = request(Kind::Upsert, "final", 0);
    let (status, answer) = clients.send(last_writer, path, Some(body)).await;
    acknowledgement(Kind::Upsert, status, &answer).unwrap();
    let final_value = whole_value("final", 0);
    let catalogue = consistent_state(&app.db).await;
    let history = &catalogue.histories[&(MODEL.to_string(), ASPECT.to_string())];
    assert_eq!(history.len(), writes.len() + 1);
    assert_eq!(history.last(), Some(&final_value));
    let path = format!(
        "/aspects/{}?aspect={ASPECT}&version=0",
        MODEL.replace(':', "%3A").replace(',', "%2C")
    );
    let read = clients.read(last_writer, &path, None).await;
    assert_eq!(read["aspect"][fqn(ASPECT)], final_value);
    let query = format!(
        r#"{{ mlModel(urn: "{MODEL}") {{
              properties {{ customProperties {{ key value }} mlFeatures }} }} }}"#
    );
    let body = json!({ "query": query }).to_string();
    let read = clients.read(last_writer, "/api/graphql", Some(body)).await;
    assert_eq!(
        read["data"]["mlModel"]["properties"],
        json!({"customProperties": [{"key": "writer", "value": "final"}],
               "mlFeatures": [feature("final")]})
    );
    eprintln!(
        "concurrency on {:?}: {} writes by {CLIENTS} clients in {raced:.1?}, {} snapshots checked",
        app.db.get_database_backend(),
        writes.len(),
        snapshots.load(Ordering::SeqCst)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_upserts_and_patches_of_one_aspect_keep_a_whole_ordered_history() {
    let app = TestApp::new().await;
    race(Clients {
        app,
        tokens: Vec::new(),
    })
    .await;
}

/// The same with auth on: the server records a token's first use (a write outside the write
/// path) while the writes run, and still no write may fail.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_writers_with_tokens_of_their_own_never_find_the_database_locked() {
    let app = TestApp::with_auth().await;
    let tokens = app.write_tokens(CLIENTS * WRITES_EACH + 1).await;
    race(Clients { app, tokens }).await;
}

/// Batches that arrive while another is being written share a transaction on SQLite (group
/// commit); each must still land whole or not at all. In each round eight writers send a batch
/// of two new features at the same moment, and every third batch's second aspect is invalid: a
/// failed batch must leave nothing (not even its valid first feature) and must not take down
/// a batch that shared its transaction, and every acknowledged batch must be there whole.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_failing_batch_among_concurrent_batches_is_rolled_back_alone() {
    const ROUNDS: usize = 6;
    let app = TestApp::new().await;
    // One catalog, so that all writers share its write queue, as the server's requests do.
    let catalog = app.catalog();
    let feature = |client: usize, round: usize, i: usize| {
        Urn::parse(&format!(
            "urn:li:mlFeature:(group_commit,c{client}_r{round}_f{i})"
        ))
        .unwrap()
    };
    let bad = |client: usize, round: usize| (client + round) % 3 == 0;
    let start = Arc::new(tokio::sync::Barrier::new(CLIENTS));
    let writers: Vec<_> = (0..CLIENTS)
        .map(|client| {
            let (catalog, start) = (catalog.clone(), start.clone());
            tokio::spawn(async move {
                let mut outcomes = Vec::new();
                for round in 0..ROUNDS {
                    let data_type = if bad(client, round) {
                        "NOT_A_TYPE"
                    } else {
                        "TEXT"
                    };
                    let writes = vec![
                        AspectWrite::upsert(
                            feature(client, round, 0),
                            "mlFeatureProperties",
                            json!({"dataType": "CONTINUOUS"}),
                        ),
                        AspectWrite::upsert(
                            feature(client, round, 1),
                            "mlFeatureProperties",
                            json!({"dataType": data_type}),
                        ),
                    ];
                    start.wait().await;
                    let outcome = catalog.write(&Actor::named("group"), writes).await;
                    outcomes.push((client, round, outcome.map_err(|e| e.public_message())));
                }
                outcomes
            })
        })
        .collect();
    let mut outcomes = Vec::new();
    for w in writers {
        outcomes.extend(w.await.unwrap());
    }

    let query = "query($urn: String!) { mlFeature(urn: $urn) { properties { dataType } } }";
    let data_type = |urn: Urn| {
        let app = &app;
        async move {
            app.gql_vars(query, json!({"urn": urn.as_str()})).await["data"]["mlFeature"]
                ["properties"]["dataType"]
                .as_str()
                .map(str::to_string)
        }
    };
    let landed = outcomes.iter().filter(|(.., o)| o.is_ok()).count();
    assert!(landed > 0 && landed < outcomes.len());
    // A failed batch leaves no row at all, not even the entity rows made before its invalid
    // aspect was found.
    assert_eq!(app.count_rows("entity").await, 2 * landed as i64);
    assert_eq!(app.count_rows("aspect").await, 2 * landed as i64);
    for (client, round, outcome) in outcomes {
        let found = (
            data_type(feature(client, round, 0)).await,
            data_type(feature(client, round, 1)).await,
        );
        if bad(client, round) {
            let message = outcome.expect_err("an invalid batch was acknowledged");
            assert!(
                message.contains("change 2 of 2") && message.contains("NOT_A_TYPE"),
                "batch {client}/{round}: {message}"
            );
            assert_eq!(
                found,
                (None, None),
                "batch {client}/{round} failed but left features"
            );
        } else {
            let written = outcome.unwrap_or_else(|e| panic!("batch {client}/{round}: {e}"));
            assert_eq!(written.len(), 2);
            assert_eq!(
                (found.0.as_deref(), found.1.as_deref()),
                (Some("CONTINUOUS"), Some("TEXT")),
                "batch {client}/{round} was acknowledged but is not there whole"
            );
        }
    }
}
