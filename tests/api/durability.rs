//! Durability: the real `mlcat` binary, killed with SIGKILL in the middle of a stream of 10,000
//! single-aspect writes (DataHub ingests, and separately GraphQL mutations) and restarted on the
//! same database, holds every write it acknowledged, whole, in a consistent database: SQLite's
//! `integrity_check`, aspect histories without gaps, and active edges that are exactly what the
//! latest aspects declare. The consistency check is shared with `concurrency.rs`.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use mlcat::urn::Urn;
use sea_orm::{
    AccessMode, ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend,
    IsolationLevel, Statement, TransactionTrait,
};
use serde_json::{json, Value};
use tokio::task::JoinHandle;

use crate::process::{Http, Server};
use crate::support::fresh_database;

// ---------------------------------------------------------------------------------------------
// The stream of writes

/// Writes in one stream. The issue asks for 10,000; `MLCAT_DURABILITY_WRITES` lowers it for a
/// quick local run.
fn stream_length() -> usize {
    std::env::var("MLCAT_DURABILITY_WRITES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000)
}

/// Clients writing at once, each on its own kept-alive connection, so the kill finds several
/// writes in flight.
const LANES: usize = 4;

/// Distinct source datasets the features are derived from.
const DATASETS: usize = 200;

const FEATURE_ASPECT: &str = "mlFeatureProperties";

const UPSERT_FEATURE: &str =
    "mutation($input: UpsertMLFeatureInput!) { upsertMLFeature(input: $input) { urn } }";

fn feature_name(i: usize) -> String {
    format!("f{i:05}")
}

fn feature_urn(i: usize) -> String {
    format!("urn:li:mlFeature:(durability,{})", feature_name(i))
}

/// The write number of a feature URN of the stream.
fn feature_index(urn: &str) -> Option<usize> {
    urn.strip_prefix("urn:li:mlFeature:(durability,f")?
        .strip_suffix(')')?
        .parse()
        .ok()
}

fn dataset_urn(j: usize) -> String {
    format!("urn:li:dataset:(urn:li:dataPlatform:hive,durability.source_{j:03},PROD)")
}

/// One to three datasets per feature, shared between features, so edges are derived and
/// source rows are created by concurrent writes.
fn sources(i: usize) -> Vec<String> {
    (0..=i % 3)
        .map(|k| dataset_urn((i * 7 + k * 31) % DATASETS))
        .collect()
}

/// The aspect write `i` stores, in the form both front doors store it.
fn feature_value(i: usize) -> Value {
    json!({
        "customProperties": {},
        "description": format!("feature {i}"),
        "dataType": "CONTINUOUS",
        "sources": sources(i),
    })
}

/// The front door a stream writes through.
#[derive(Clone, Copy, Debug)]
enum Front {
    /// `POST /aspects?action=ingestProposal`, as the DataHub SDK sends it.
    Ingest,
    /// The `upsertMLFeature` mutation.
    Mutation,
}

impl Front {
    /// The path and body of write `i`.
    fn request(self, i: usize) -> (&'static str, String) {
        match self {
            Front::Ingest => (
                "/aspects?action=ingestProposal",
                json!({"proposal": {
                    "entityType": "mlFeature",
                    "entityUrn": feature_urn(i),
                    "changeType": "UPSERT",
                    "aspectName": FEATURE_ASPECT,
                    "aspect": {
                        "value": feature_value(i).to_string(),
                        "contentType": "application/json",
                    },
                }})
                .to_string(),
            ),
            Front::Mutation => (
                "/api/graphql",
                json!({"query": UPSERT_FEATURE, "variables": {"input": {
                    "featureNamespace": "durability",
                    "name": feature_name(i),
                    "description": format!("feature {i}"),
                    "dataType": "CONTINUOUS",
                    "sources": sources(i),
                }}})
                .to_string(),
            ),
        }
    }

    /// Whether an answer acknowledges write `i`: a 2xx with the success body.
    fn acknowledges(self, i: usize, status: u16, body: &[u8]) -> Result<(), String> {
        let answer: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
        let expected = match self {
            Front::Ingest => json!({"value": "success"}),
            Front::Mutation => json!({"data": {"upsertMLFeature": {"urn": feature_urn(i)}}}),
        };
        if (200..300).contains(&status) && answer == expected {
            Ok(())
        } else {
            Err(format!(
                "write {i} answered {status}: {}",
                String::from_utf8_lossy(body)
            ))
        }
    }
}

/// What the clients know of the stream: which writes were sent and which acknowledged.
struct Progress {
    sent: Vec<AtomicBool>,
    acked: Vec<AtomicBool>,
    acks: AtomicUsize,
    /// Set just before the kill: a connection error after it is the crash, before it a bug.
    killed: AtomicBool,
    failures: Mutex<Vec<String>>,
}

impl Progress {
    fn new(n: usize) -> Progress {
        Progress {
            sent: (0..n).map(|_| AtomicBool::new(false)).collect(),
            acked: (0..n).map(|_| AtomicBool::new(false)).collect(),
            acks: AtomicUsize::new(0),
            killed: AtomicBool::new(false),
            failures: Mutex::new(Vec::new()),
        }
    }

    fn acked(&self) -> Vec<usize> {
        (0..self.acked.len())
            .filter(|&i| self.acked[i].load(Ordering::SeqCst))
            .collect()
    }

    fn fail(&self, failure: String) {
        self.failures.lock().unwrap().push(failure);
    }

    fn assert_no_failures(&self) {
        let failures = self.failures.lock().unwrap();
        assert!(
            failures.is_empty(),
            "{} write(s) failed while the server was up, e.g.: {:#?}",
            failures.len(),
            &failures[..failures.len().min(5)]
        );
    }
}

/// One client: writes its share of the stream in order, skipping what is acknowledged, until
/// the end or until the server is gone.
async fn write_lane(addr: SocketAddr, front: Front, progress: Arc<Progress>, lane: usize) {
    let mut http = Http::new(addr);
    for i in (lane..progress.acked.len()).step_by(LANES) {
        if progress.acked[i].load(Ordering::SeqCst) {
            continue;
        }
        let (path, body) = front.request(i);
        progress.sent[i].store(true, Ordering::SeqCst);
        match http.send("POST", path, body.as_bytes()).await {
            Ok((status, answer)) => match front.acknowledges(i, status, &answer) {
                Ok(()) => {
                    progress.acked[i].store(true, Ordering::SeqCst);
                    progress.acks.fetch_add(1, Ordering::SeqCst);
                }
                Err(failure) => return progress.fail(failure),
            },
            Err(e) => {
                if !progress.killed.load(Ordering::SeqCst) {
                    progress.fail(format!("write {i}: connection failed: {e}"));
                }
                return;
            }
        }
    }
}

fn spawn_lanes(addr: SocketAddr, front: Front, progress: &Arc<Progress>) -> Vec<JoinHandle<()>> {
    (0..LANES)
        .map(|lane| tokio::spawn(write_lane(addr, front, progress.clone(), lane)))
        .collect()
}

async fn join(lanes: Vec<JoinHandle<()>>) {
    for lane in lanes {
        lane.await.expect("a client panicked");
    }
}

// ---------------------------------------------------------------------------------------------
// The tests

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn acknowledged_ingests_survive_sigkill() {
    crash_and_recover(Front::Ingest).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn acknowledged_mutations_survive_sigkill() {
    crash_and_recover(Front::Mutation).await;
}

/// Streams the writes, kills the server after 30% of them are acknowledged, restarts it,
/// checks that the acknowledged ones held, then finishes the stream on the restarted server
/// (as a client retrying what was not acknowledged) and checks again.
async fn crash_and_recover(front: Front) {
    let started = Instant::now();
    let n = stream_length();
    let kill_at = (n * 3 / 10).max(1);
    let (url, _dir) = fresh_database().await;
    let progress = Arc::new(Progress::new(n));

    let mut server = Server::start(&url).await;
    let lanes = spawn_lanes(server.addr, front, &progress);
    let deadline = Instant::now() + Duration::from_secs(300);
    while progress.acks.load(Ordering::SeqCst) < kill_at {
        progress.assert_no_failures();
        assert!(
            !lanes.iter().all(JoinHandle::is_finished),
            "the clients stopped before the kill"
        );
        assert!(Instant::now() < deadline, "{kill_at} acks took too long");
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    progress.killed.store(true, Ordering::SeqCst);
    server.kill();
    join(lanes).await;
    progress.assert_no_failures();
    let acked_at_kill = progress.acked().len();
    assert!(
        acked_at_kill < n,
        "the stream ended before the kill; nothing was in flight"
    );
    let streamed = started.elapsed();

    let mut server = Server::start(&url).await;
    let db = mlcat::store::connect(&url).await.expect("connect");
    let restarted = started.elapsed();
    let stored = assert_acknowledged_writes_held(&db, &progress).await;
    let checked = started.elapsed();
    assert_read_back(&server, &progress.acked()).await;

    // The client carries on where it was cut off.
    progress.killed.store(false, Ordering::SeqCst);
    join(spawn_lanes(server.addr, front, &progress)).await;
    progress.assert_no_failures();
    assert_eq!(
        progress.acked().len(),
        n,
        "not every write was acknowledged"
    );
    assert_eq!(assert_acknowledged_writes_held(&db, &progress).await, n);
    let datasets: BTreeSet<String> = (0..n).flat_map(sources).collect();
    let entities: i64 = rows(&db, "SELECT COUNT(*) AS n FROM entity").await[0]
        .try_get("", "n")
        .unwrap();
    assert_eq!(
        entities,
        (n + datasets.len()) as i64,
        "one row per feature and per source dataset"
    );
    server.kill();
    db.close().await.ok();
    eprintln!(
        "durability {front:?} on {}: {n} writes; killed after {acked_at_kill} acks at \
         {streamed:.1?}; restarted at {restarted:.1?}; {stored} in the database, checked at \
         {checked:.1?}; {:.1?} in all",
        db_kind(&url),
        started.elapsed()
    );
}

fn db_kind(url: &str) -> &'static str {
    if url.starts_with("sqlite:") {
        "SQLite"
    } else {
        "PostgreSQL"
    }
}

/// Every acknowledged write is in the database exactly as sent; every feature stored was sent
/// and holds one whole version; the database is consistent. Answers how many features it holds.
async fn assert_acknowledged_writes_held(db: &DatabaseConnection, progress: &Progress) -> usize {
    assert_integrity(db).await;
    let catalogue = consistent_state(db).await;
    let mut stored = 0;
    for ((urn, aspect), versions) in &catalogue.histories {
        assert_eq!(aspect, FEATURE_ASPECT, "{urn} has an aspect never sent");
        let i = feature_index(urn).unwrap_or_else(|| panic!("{urn} was never sent"));
        assert!(
            progress.sent[i].load(Ordering::SeqCst),
            "{urn} is stored but was never sent"
        );
        assert_eq!(
            versions,
            &[feature_value(i)],
            "{urn}: the history is not the one write sent"
        );
        stored += 1;
    }
    let lost: Vec<usize> = progress
        .acked()
        .into_iter()
        .filter(|&i| {
            !catalogue
                .histories
                .contains_key(&(feature_urn(i), FEATURE_ASPECT.to_string()))
        })
        .collect();
    assert!(
        lost.is_empty(),
        "{} acknowledged write(s) lost, e.g. {:?}",
        lost.len(),
        &lost[..lost.len().min(10)]
    );
    stored
}

/// The restarted server answers acknowledged writes through GraphQL: the aspect, its one
/// version, and the source datasets resolved through the edges.
async fn assert_read_back(server: &Server, acked: &[usize]) {
    let query = format!(
        "query($urn: String!) {{ mlFeature(urn: $urn) {{ properties {{ sources {{ urn }} }}
           aspectHistory(aspectName: \"{FEATURE_ASPECT}\") {{ version isLatest value }} }} }}"
    );
    let mut http = Http::new(server.addr);
    let sample = [0, acked.len() / 2, acked.len() - 1];
    for i in sample.map(|k| acked[k]) {
        let body = json!({"query": query, "variables": {"urn": feature_urn(i)}}).to_string();
        let (status, answer) = http
            .send("POST", "/api/graphql", body.as_bytes())
            .await
            .expect("the restarted server answers");
        let answer: Value = serde_json::from_slice(&answer).expect("JSON");
        assert_eq!(status, 200, "{answer}");
        let sources: Vec<Value> = sources(i).into_iter().map(|u| json!({"urn": u})).collect();
        assert_eq!(
            answer,
            json!({"data": {"mlFeature": {
                "properties": {"sources": sources},
                "aspectHistory": [{"version": 1, "isLatest": true, "value": feature_value(i)}],
            }}}),
            "write {i} read back through GraphQL"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Consistency of a database, shared with `concurrency.rs`

/// The aspects of a database that passed the consistency checks.
pub(crate) struct Catalogue {
    /// Every version of every aspect, oldest first, by (URN, aspect name).
    pub histories: BTreeMap<(String, String), Vec<Value>>,
}

/// SQLite's own checks of the file, `integrity_check` and `foreign_key_check`. (PostgreSQL
/// has no such pragma; it checks its constraints as rows are written.)
///
/// The checks run in one read transaction that first reads every FTS5 table: SQLite's FTS5
/// (3.46) keeps each table's index structure cached in the connection and checks it is
/// current only when a statement reads or writes the table, not when `integrity_check` asks
/// it to check itself. A pooled connection that checked the file before, and has not read the
/// table since, would check the index as it was then against the rows as they are now, and
/// report "malformed inverted index" for an index that is whole.
pub(crate) async fn assert_integrity(db: &DatabaseConnection) {
    if db.get_database_backend() != DbBackend::Sqlite {
        return;
    }
    let txn = snapshot(db).await;
    let pragma = |sql: &str| txn.query_all(Statement::from_string(DbBackend::Sqlite, sql));
    let fts5_tables = pragma(
        "SELECT name FROM sqlite_schema WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL TABLE %USING fts5%'",
    )
    .await
    .expect("list FTS5 tables");
    for row in fts5_tables {
        let table: String = row.try_get_by_index(0).expect("a table name");
        pragma(&format!("SELECT rowid FROM \"{table}\" LIMIT 1"))
            .await
            .expect("read an FTS5 table");
    }
    let integrity: Vec<String> = pragma("PRAGMA integrity_check")
        .await
        .expect("integrity_check")
        .iter()
        .map(|row| row.try_get_by_index(0).expect("a message"))
        .collect();
    assert_eq!(integrity, ["ok"], "PRAGMA integrity_check");
    let dangling = pragma("PRAGMA foreign_key_check")
        .await
        .expect("foreign_key_check");
    txn.commit().await.expect("end the check's snapshot");
    assert!(
        dangling.is_empty(),
        "{} rows break a foreign key",
        dangling.len()
    );
}

/// A read-only view of one moment of the database: a deferred transaction in SQLite's WAL
/// mode, REPEATABLE READ in PostgreSQL.
pub(crate) async fn snapshot(db: &DatabaseConnection) -> DatabaseTransaction {
    let txn = if db.get_database_backend() == DbBackend::Sqlite {
        db.begin().await
    } else {
        db.begin_with_config(
            Some(IsolationLevel::RepeatableRead),
            Some(AccessMode::ReadOnly),
        )
        .await
    };
    txn.expect("begin a snapshot")
}

/// Reads the whole catalogue at one moment and asserts it is consistent: each aspect's
/// versions run 1..n without gaps and only the last is the latest; every version is a JSON
/// object that validates; an entity has aspects exactly when its row says so; and the active
/// edges are exactly, without duplicates, those the latest aspects declare.
pub(crate) async fn consistent_state(db: &DatabaseConnection) -> Catalogue {
    let txn = snapshot(db).await;
    let catalogue = read_consistent(&txn).await;
    txn.commit().await.expect("end the snapshot");
    catalogue
}

async fn rows(db: &impl ConnectionTrait, sql: &str) -> Vec<sea_orm::QueryResult> {
    db.query_all(Statement::from_string(db.get_database_backend(), sql))
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

/// An edge as (upstream URN, downstream URN, relation, declaring URN, aspect).
type EdgeKey = (String, String, String, String, String);

async fn read_consistent(db: &impl ConnectionTrait) -> Catalogue {
    let mut urns = HashMap::new();
    let mut flagged = HashMap::new();
    for row in rows(db, "SELECT id, urn, has_aspects FROM entity").await {
        let id: i64 = row.try_get("", "id").unwrap();
        urns.insert(id, row.try_get::<String>("", "urn").unwrap());
        flagged.insert(id, row.try_get::<bool>("", "has_aspects").unwrap());
    }
    let urn_of = |id: i64| urns.get(&id).cloned().expect("an edge end without a row");

    let mut histories: BTreeMap<(String, String), Vec<Value>> = BTreeMap::new();
    let mut with_aspects = BTreeSet::new();
    let sql = "SELECT entity_id, name, version, is_latest, value FROM aspect \
               ORDER BY entity_id, name, version";
    let mut latest: BTreeMap<(String, String), bool> = BTreeMap::new();
    for row in rows(db, sql).await {
        let entity: i64 = row.try_get("", "entity_id").unwrap();
        let urn = urn_of(entity);
        let name: String = row.try_get("", "name").unwrap();
        let version: i64 = row.try_get("", "version").unwrap();
        let is_latest: bool = row.try_get("", "is_latest").unwrap();
        let text: String = row.try_get("", "value").unwrap();
        let value: Value = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("{urn} {name} v{version} is not JSON ({e}): {text}"));
        mlcat::catalog::aspects::validate(&Urn::parse(&urn).unwrap(), &name, &value)
            .unwrap_or_else(|e| panic!("{urn} {name} v{version} does not validate: {e:?}"));
        let key = (urn.clone(), name.clone());
        let versions = histories.entry(key.clone()).or_default();
        assert_eq!(
            version,
            versions.len() as i64 + 1,
            "{urn} {name}: versions have a gap or a duplicate"
        );
        versions.push(value);
        let was_latest = latest.insert(key, is_latest);
        assert!(
            was_latest != Some(true),
            "{urn} {name}: v{} is latest but v{version} follows it",
            version - 1
        );
        with_aspects.insert(entity);
    }
    for ((urn, name), is_latest) in &latest {
        assert!(
            is_latest,
            "{urn} {name}: the last version is not the latest"
        );
    }
    for (id, has_aspects) in &flagged {
        assert_eq!(
            *has_aspects,
            with_aspects.contains(id),
            "{}: has_aspects disagrees with its aspect rows",
            urns[id]
        );
    }

    let rows_of: BTreeSet<&String> = urns.values().collect();
    let mut declared = BTreeSet::new();
    for ((urn, name), versions) in &histories {
        let last = versions.last().expect("a version");
        for (up, down, relation) in declared_edges(urn, name, last) {
            for end in [&up, &down] {
                assert!(
                    rows_of.contains(end),
                    "{end} (declared by {urn} {name}) has no entity row"
                );
            }
            declared.insert((up, down, relation.to_string(), urn.clone(), name.clone()));
        }
    }
    let mut active: Vec<EdgeKey> = Vec::new();
    let sql = "SELECT source_id, destination_id, relation, declared_by, aspect FROM edge \
               WHERE removed_at IS NULL";
    for row in rows(db, sql).await {
        active.push((
            urn_of(row.try_get("", "source_id").unwrap()),
            urn_of(row.try_get("", "destination_id").unwrap()),
            row.try_get("", "relation").unwrap(),
            urn_of(row.try_get("", "declared_by").unwrap()),
            row.try_get("", "aspect").unwrap(),
        ));
    }
    let total = active.len();
    let active: BTreeSet<EdgeKey> = active.into_iter().collect();
    assert_eq!(active.len(), total, "the active edges hold duplicates");
    let missing: Vec<&EdgeKey> = declared.difference(&active).take(5).collect();
    let extra: Vec<&EdgeKey> = active.difference(&declared).take(5).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "active edges differ from what the latest aspects declare ({} declared, {} active);\n\
         declared but not active: {missing:#?}\nactive but not declared: {extra:#?}",
        declared.len(),
        active.len()
    );
    Catalogue { histories }
}

/// Aspects that declare edges but that these tests do not write: meeting one means the check
/// below needs to learn it.
const OTHER_EDGE_ASPECTS: [&str; 5] = [
    "mlFeatureTableProperties",
    "mlPrimaryKeyProperties",
    "mlModelGroupProperties",
    "mlModelTrainingData",
    "upstreamLineage",
];

/// The edges an aspect declares, derived here from the design's lineage table rather than by
/// the server's code: a feature's `sources` (DerivedFrom), a model's `mlFeatures` (Consumes),
/// `groups` (MemberOf) and `deployments` (DeployedTo).
fn declared_edges(owner: &str, aspect: &str, value: &Value) -> Vec<(String, String, &'static str)> {
    let list = |field: &str| -> Vec<String> {
        value[field]
            .as_array()
            .into_iter()
            .flatten()
            .map(|u| u.as_str().expect("a URN").to_string())
            .collect()
    };
    let owner = owner.to_string();
    let upstream = |field: &str, relation| {
        list(field)
            .into_iter()
            .map(|u| (u, owner.clone(), relation))
            .collect::<Vec<_>>()
    };
    let downstream = |field: &str, relation| {
        list(field)
            .into_iter()
            .map(|d| (owner.clone(), d, relation))
            .collect::<Vec<_>>()
    };
    assert!(
        !OTHER_EDGE_ASPECTS.contains(&aspect),
        "{owner} {aspect}: the consistency check does not know this aspect's edges"
    );
    match aspect {
        "mlFeatureProperties" => upstream("sources", "DerivedFrom"),
        "mlModelProperties" => {
            for field in ["trainingJobs", "downstreamJobs"] {
                assert!(
                    value.get(field).is_none(),
                    "{owner}: {field} is not checked"
                );
            }
            let mut edges = upstream("mlFeatures", "Consumes");
            edges.extend(downstream("groups", "MemberOf"));
            edges.extend(downstream("deployments", "DeployedTo"));
            edges
        }
        _ => Vec::new(),
    }
}
