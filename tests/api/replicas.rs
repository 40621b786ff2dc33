//! Several `mlcat serve` processes on one database (issue 22, replicas): they migrate one at a
//! time, a write through one is read through another at once, and a binary older than the
//! schema refuses to run rather than misread it. Writers on two processes at once lose nothing
//! (50 concurrent edge additions to one list; a SIGKILL of one replica mid-load).

use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use serde_json::{json, Value};

use crate::durability::consistent_state;
use crate::process::{run_mlcat, Http, Server};
use crate::support::fresh_database;

/// Two servers started at the same moment on one empty PostgreSQL database both come up (the
/// second waits for the first's migration and finds nothing left to do), each migration is
/// recorded once, and a model written through one is read through the other.
#[tokio::test]
async fn two_replicas_starting_together_migrate_once_and_read_each_others_writes() {
    let (url, _dir) = fresh_database().await;
    if !url.starts_with("postgres") {
        return; // replicas share a PostgreSQL database; one SQLite file has one server
    }
    let (first, second) = tokio::join!(Server::start(&url), Server::start(&url));
    let db = mlcat::store::connect(&url).await.unwrap();
    let rows = db
        .query_one(Statement::from_string(
            DbBackend::Postgres,
            "SELECT COUNT(*) FROM seaql_migrations",
        ))
        .await
        .unwrap()
        .unwrap();
    let applied: i64 = rows.try_get_by_index(0).unwrap();
    assert_eq!(applied as usize, Migrator::migrations().len());

    let write = r#"{"query": "mutation { upsertMLModel(input: {platform: \"science\", name: \"replicated\", description: \"written through the first\"}) { urn } }"}"#;
    let (status, body) = Http::new(first.addr)
        .send("POST", "/api/graphql", write.as_bytes())
        .await
        .unwrap();
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    let read = r#"{"query": "{ mlModel(urn: \"urn:li:mlModel:(urn:li:dataPlatform:science,replicated,PROD)\") { properties { description } } }"}"#;
    let (status, body) = Http::new(second.addr)
        .send("POST", "/api/graphql", read.as_bytes())
        .await
        .unwrap();
    assert_eq!(status, 200);
    let answer: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(
        answer["data"]["mlModel"]["properties"]["description"],
        "written through the first"
    );
}

/// A database a newer mlcat migrated (it holds a migration this binary does not know) is
/// refused by `migrate` and by `serve`, with the unknown migration named, and left as it was.
#[tokio::test]
async fn an_older_binary_refuses_a_database_a_newer_one_migrated() {
    let (url, _dir) = fresh_database().await;
    let db = mlcat::store::connect(&url).await.unwrap();
    Migrator::up(&db, None).await.unwrap();
    db.execute_unprepared(
        "INSERT INTO seaql_migrations (version, applied_at) VALUES ('m20991231_000001_from_the_future', 0)",
    )
    .await
    .unwrap();
    for args in [
        vec!["migrate", "--database-url", url.as_str()],
        vec![
            "serve",
            "--database-url",
            url.as_str(),
            "--bind",
            "127.0.0.1:0",
        ],
        vec![
            "serve",
            "--database-url",
            url.as_str(),
            "--bind",
            "127.0.0.1:0",
            "--read-only",
        ],
    ] {
        let run = run_mlcat(&args, &[]);
        assert!(!run.status.success(), "{args:?} ran: {}", run.stdout);
        assert!(
            run.stderr
                .contains("this database was migrated by a newer mlcat")
                && run.stderr.contains("m20991231_000001_from_the_future"),
            "{args:?}: {}",
            run.stderr
        );
    }
    let rows = db
        .query_one(Statement::from_string(
            db.get_database_backend(),
            "SELECT COUNT(*) FROM seaql_migrations",
        ))
        .await
        .unwrap()
        .unwrap();
    let recorded: i64 = rows.try_get_by_index(0).unwrap();
    assert_eq!(recorded as usize, Migrator::migrations().len() + 1);
}

// ---------------------------------------------------------------------------------------------
// Concurrent writers on two replicas

const TABLE: &str = "urn:li:mlFeatureTable:(urn:li:dataPlatform:feast,replicated_table)";

const ADD: &str = "mutation($urn: String!, $targets: [String!]!) {
  addRelationships(input: {urn: $urn, field: FEATURE_TABLE_FEATURES, targets: $targets}) { version changed }
}";

/// Posts a GraphQL request that must answer 200 without errors; answers its `data`.
async fn graphql(http: &mut Http, query: &str, variables: Value) -> Value {
    let body = json!({"query": query, "variables": variables}).to_string();
    let (status, answer) = http
        .send("POST", "/api/graphql", body.as_bytes())
        .await
        .expect("the server answers");
    let answer: Value = serde_json::from_slice(&answer).expect("JSON");
    assert_eq!(status, 200, "{answer}");
    assert!(answer.get("errors").is_none(), "{answer:#}");
    answer["data"].clone()
}

/// The features a table lists, read through `server`.
async fn listed_features(server: &Server) -> BTreeSet<String> {
    let data = graphql(
        &mut Http::new(server.addr),
        "query($urn: String!) { mlFeatureTable(urn: $urn) { properties { mlFeatures { urn } } } }",
        json!({"urn": TABLE}),
    )
    .await;
    data["mlFeatureTable"]["properties"]["mlFeatures"]
        .as_array()
        .expect("a list")
        .iter()
        .map(|f| f["urn"].as_str().expect("a URN").to_string())
        .collect()
}

/// The single-process test of 50 concurrent edge additions to one list
/// (`relationships::fifty_concurrent_additions_to_one_table_all_land`), with the additions
/// split between two processes: the row locks that order writers inside one process order
/// them across processes too, so every addition makes a version of its own and none is lost.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_concurrent_edge_additions_across_two_replicas_all_land() {
    let (url, _dir) = fresh_database().await;
    if !url.starts_with("postgres") {
        return; // replicas share a PostgreSQL database
    }
    let (first, second) = tokio::join!(Server::start(&url), Server::start(&url));
    graphql(
        &mut Http::new(first.addr),
        "mutation($u: String!) { upsertMLFeatureTable(input: {urn: $u, description: \"shared\"}) { urn } }",
        json!({"u": TABLE}),
    )
    .await;
    let features: Vec<String> = (0..50)
        .map(|i| format!("urn:li:mlFeature:(replicated_table,f_{i:02})"))
        .collect();
    let mut adds = tokio::task::JoinSet::new();
    for (i, feature) in features.iter().enumerate() {
        // Even additions through the first process, odd through the second, each on a
        // connection of its own so that all 50 are in flight together.
        let addr = if i % 2 == 0 { first.addr } else { second.addr };
        let vars = json!({"urn": TABLE, "targets": [feature]});
        adds.spawn(async move { graphql(&mut Http::new(addr), ADD, vars).await });
    }
    let mut versions = Vec::new();
    while let Some(data) = adds.join_next().await {
        let added = &data.expect("an addition panicked")["addRelationships"];
        assert_eq!(added["changed"], true, "{added}");
        versions.push(added["version"].as_i64().expect("a version"));
    }
    versions.sort_unstable();
    assert_eq!(
        versions,
        (2..=51).collect::<Vec<i64>>(),
        "each addition made a version of its own on top of the one before"
    );
    let expected: BTreeSet<String> = features.into_iter().collect();
    assert_eq!(listed_features(&first).await, expected);
    assert_eq!(listed_features(&second).await, expected);
}

// ---------------------------------------------------------------------------------------------
// SIGKILL of one replica among writers on both

/// Batches each writer sends, and features per batch.
const BATCHES_PER_LANE: usize = 40;
const BATCH_SIZE: usize = 10;
/// Writers per replica, each on its own kept-alive connection.
const LANES_PER_REPLICA: usize = 2;

fn lane_feature(lane: usize, batch: usize, k: usize) -> String {
    format!("urn:li:mlFeature:(replica_kill,l{lane}_b{batch:03}_f{k})")
}

/// The value each feature of a batch gets: two source datasets shared with other lanes, so
/// both replicas create the same dataset rows and edges at once.
fn lane_value(lane: usize, batch: usize, k: usize) -> Value {
    let source = |j: usize| format!("urn:li:dataset:(urn:li:dataPlatform:hive,shared_{j:02},PROD)");
    json!({
        "customProperties": {},
        "description": format!("lane {lane} batch {batch} feature {k}"),
        "dataType": "CONTINUOUS",
        "sources": [source((batch + k) % 20), source((batch * 3 + k + 7) % 20)],
    })
}

fn lane_batch(lane: usize, batch: usize) -> String {
    let proposals: Vec<Value> = (0..BATCH_SIZE)
        .map(|k| {
            json!({
                "entityType": "mlFeature",
                "entityUrn": lane_feature(lane, batch, k),
                "changeType": "UPSERT",
                "aspectName": "mlFeatureProperties",
                "aspect": {"value": lane_value(lane, batch, k).to_string(), "contentType": "application/json"},
            })
        })
        .collect();
    json!({"proposals": proposals, "async": "false"}).to_string()
}

/// What the writers saw: per lane, the batches acknowledged; failures while the server was up.
#[derive(Default)]
struct Seen {
    acked: Mutex<BTreeSet<(usize, usize)>>,
    failures: Mutex<Vec<String>>,
}

/// One writer: its batches in order through `addr`, until done or (after `killed` is set) the
/// server is gone.
async fn lane_writer(addr: SocketAddr, lane: usize, seen: Arc<Seen>, killed: Arc<AtomicBool>) {
    let mut http = Http::new(addr);
    for batch in 0..BATCHES_PER_LANE {
        let body = lane_batch(lane, batch);
        match http
            .send(
                "POST",
                "/aspects?action=ingestProposalBatch",
                body.as_bytes(),
            )
            .await
        {
            Ok((200, answer)) if answer == br#"{"value":"success"}"# => {
                seen.acked.lock().unwrap().insert((lane, batch));
            }
            Ok((status, answer)) => {
                seen.failures.lock().unwrap().push(format!(
                    "lane {lane} batch {batch}: {status} {}",
                    String::from_utf8_lossy(&answer)
                ));
                return;
            }
            Err(e) => {
                if !killed.load(Ordering::SeqCst) {
                    seen.failures
                        .lock()
                        .unwrap()
                        .push(format!("lane {lane} batch {batch}: {e}"));
                }
                return;
            }
        }
    }
}

/// Writers on two replicas; the first is killed with SIGKILL after 30 % of all batches are
/// acknowledged. Every acknowledged batch is in the database whole, no batch is there in part,
/// the database is consistent (versions, edges), and the survivor finishes its writers' batches
/// and serves a batch that went through the killed one.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn killing_one_of_two_replicas_mid_load_loses_no_acknowledged_batch() {
    let (url, _dir) = fresh_database().await;
    if !url.starts_with("postgres") {
        return; // replicas share a PostgreSQL database
    }
    let (mut doomed, survivor) = tokio::join!(Server::start(&url), Server::start(&url));
    let seen = Arc::new(Seen::default());
    let killed = Arc::new(AtomicBool::new(false));
    // Lanes 0 and 1 write through the replica that is killed, 2 and 3 through the survivor.
    let lanes: Vec<_> = (0..2 * LANES_PER_REPLICA)
        .map(|lane| {
            let addr = if lane < LANES_PER_REPLICA {
                doomed.addr
            } else {
                survivor.addr
            };
            tokio::spawn(lane_writer(addr, lane, seen.clone(), killed.clone()))
        })
        .collect();
    let total = 2 * LANES_PER_REPLICA * BATCHES_PER_LANE;
    let deadline = Instant::now() + Duration::from_secs(300);
    loop {
        let acked = seen.acked.lock().unwrap().clone();
        let through_doomed = acked.iter().filter(|(l, _)| *l < LANES_PER_REPLICA).count();
        if acked.len() >= total * 3 / 10 && through_doomed > 0 {
            break;
        }
        assert!(
            seen.failures.lock().unwrap().is_empty(),
            "{:?}",
            seen.failures
        );
        assert!(Instant::now() < deadline, "the batches took too long");
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    killed.store(true, Ordering::SeqCst);
    doomed.kill();
    for lane in lanes {
        lane.await.expect("a writer panicked");
    }
    let failures = seen.failures.lock().unwrap().clone();
    assert!(failures.is_empty(), "writes failed while up: {failures:#?}");
    let acked = seen.acked.lock().unwrap().clone();
    let cut_off = (0..LANES_PER_REPLICA)
        .filter(|lane| !acked.contains(&(*lane, BATCHES_PER_LANE - 1)))
        .count();
    assert!(cut_off > 0, "the killed replica's writers had finished");
    for lane in LANES_PER_REPLICA..2 * LANES_PER_REPLICA {
        for batch in 0..BATCHES_PER_LANE {
            assert!(
                acked.contains(&(lane, batch)),
                "the survivor did not acknowledge lane {lane} batch {batch}"
            );
        }
    }

    let db = mlcat::store::connect(&url).await.expect("connect");
    let catalogue = consistent_state(&db).await;
    let mut stored: BTreeMap<(usize, usize), usize> = BTreeMap::new();
    for lane in 0..2 * LANES_PER_REPLICA {
        for batch in 0..BATCHES_PER_LANE {
            for k in 0..BATCH_SIZE {
                let key = (
                    lane_feature(lane, batch, k),
                    "mlFeatureProperties".to_string(),
                );
                if let Some(versions) = catalogue.histories.get(&key) {
                    assert_eq!(versions, &[lane_value(lane, batch, k)], "{}", key.0);
                    *stored.entry((lane, batch)).or_default() += 1;
                }
            }
        }
    }
    for (batch, count) in &stored {
        assert_eq!(
            *count, BATCH_SIZE,
            "batch {batch:?} is in the database in part"
        );
    }
    for batch in &acked {
        assert!(
            stored.contains_key(batch),
            "acknowledged batch {batch:?} lost"
        );
    }

    // The survivor serves what went through the killed replica.
    let (lane, batch) = *acked
        .iter()
        .find(|(l, _)| *l < LANES_PER_REPLICA)
        .expect("a batch through the killed replica");
    let data = graphql(
        &mut Http::new(survivor.addr),
        "query($urn: String!) { mlFeature(urn: $urn) { properties { description } } }",
        json!({"urn": lane_feature(lane, batch, 0)}),
    )
    .await;
    assert_eq!(
        data["mlFeature"]["properties"]["description"],
        format!("lane {lane} batch {batch} feature 0")
    );
    db.close().await.ok();
}
