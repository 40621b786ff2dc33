//! A database that cannot write is noticed (issue 16, defect 6): at start-up mlcat refuses it
//! with a sentence saying what to do, or serves it read-only on purpose with `--read-only`; when
//! the database stops taking writes at run time (a full disk, a read-only server), writes answer
//! 503 / `UNAVAILABLE` instead of 500 and `/health` says writes are failing, until one succeeds.
//! Tests run as root, so instead of file modes: SQLite's `mode=ro` and `max_page_count`,
//! PostgreSQL's `default_transaction_read_only`.

use std::process::Stdio;
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use axum::Router;
use migration::{Migrator, MigratorTrait};
use mlcat::auth::Auth;
use mlcat::config::Limits;
use sea_orm::{ConnectionTrait, DatabaseConnection};
use serde_json::{json, Value};

use crate::hardening_writes::batch_of;
use crate::process::{Http, Server};
use crate::support::{fresh_database, send};

const BATCH: &str = "/aspects?action=ingestProposalBatch";

/// A mutation that creates a feature whose description needs pages of its own.
fn mutation() -> String {
    json!({
        "query": "mutation($value: JSON!) { replaceAspect(input: {urn: \"urn:li:mlFeature:(t,mutated)\", aspectName: \"mlFeatureProperties\", value: $value}) { version } }",
        "variables": {"value": {"description": "d".repeat(50_000)}},
    })
    .to_string()
}
const COUNT: &str = r#"{"query": "{ listMLFeatures(input: {count: 1}) { total } }"}"#;

fn postgres_admin() -> Option<String> {
    std::env::var("TEST_DATABASE_URL")
        .ok()
        .filter(|u| !u.is_empty())
}

/// Runs a statement on the PostgreSQL server through the admin URL (another database, so
/// that a read-only setting of the test's database does not stop it).
async fn as_admin(sql: &str) {
    let admin = mlcat::store::connect(&postgres_admin().unwrap())
        .await
        .unwrap();
    admin.execute_unprepared(sql).await.unwrap();
    admin.close().await.ok();
}

/// Makes PostgreSQL's database `name` take only read-only transactions (or writes again), and
/// ends its sessions, so that the pool's next connections have the new default.
async fn set_postgres_read_only(name: &str, on: bool) {
    let value = if on { "on" } else { "off" };
    as_admin(&format!(
        "ALTER DATABASE \"{name}\" SET default_transaction_read_only = {value}"
    ))
    .await;
    as_admin(&format!(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}' AND pid <> pg_backend_pid()"
    ))
    .await;
}

fn database_name(url: &str) -> &str {
    url.rsplit('/').next().unwrap()
}

/// A fresh, migrated database that refuses writes: SQLite opened with `mode=ro`, PostgreSQL
/// with `default_transaction_read_only` on. Answers its URL (and the directory to keep).
async fn read_only_database() -> (String, Option<tempfile::TempDir>) {
    let (url, dir) = fresh_database().await;
    let db = mlcat::store::connect(&url).await.unwrap();
    Migrator::up(&db, None).await.unwrap();
    db.close().await.ok();
    if postgres_admin().is_some() {
        set_postgres_read_only(database_name(&url), true).await;
        (url, dir)
    } else {
        (format!("{url}?mode=ro"), dir)
    }
}

/// `mlcat serve` on `url` that must exit by itself: its exit status and stderr.
fn serve_expecting_exit(url: &str) -> (std::process::ExitStatus, String) {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_mlcat"))
        .args(["serve", "--database-url", url, "--bind", "127.0.0.1:0"])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("mlcat started on a database it cannot write to ({url})");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    (status, stderr)
}

#[tokio::test]
async fn a_database_that_refuses_writes_is_refused_at_start_up_with_what_to_do() {
    let (url, _dir) = read_only_database().await;
    let (status, stderr) = tokio::task::spawn_blocking({
        let url = url.clone();
        move || serve_expecting_exit(&url)
    })
    .await
    .unwrap();
    assert!(!status.success(), "{stderr}");
    assert!(stderr.contains("cannot be written"), "{stderr}");
    assert!(
        stderr.contains("read-only") || stderr.contains("readonly"),
        "what the database said: {stderr}"
    );
    assert!(stderr.contains("--read-only"), "the way out: {stderr}");
    assert_eq!(
        stderr.matches("mlcat tried").count(),
        1,
        "said once: {stderr}"
    );
}

#[tokio::test]
async fn a_server_started_read_only_answers_queries_and_refuses_writes_with_503() {
    let (url, _dir) = read_only_database().await;
    let server = Server::start_with(&url, &["--read-only"]).await;
    let mut http = Http::new(server.addr);

    let (status, body) = http.send("GET", "/health", b"").await.unwrap();
    let health: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(status, 200, "{health}");
    assert_eq!(health["writes"], "off", "{health}");
    assert!(
        health["message"].as_str().unwrap().contains("read-only"),
        "{health}"
    );

    let (status, body) = http
        .send("POST", "/api/graphql", COUNT.as_bytes())
        .await
        .unwrap();
    let answer: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(status, 200);
    assert_eq!(answer["data"]["listMLFeatures"]["total"], 0, "{answer}");

    let (status, body) = http
        .send("POST", BATCH, batch_of(3, "ro").as_bytes())
        .await
        .unwrap();
    let answer: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(status, 503, "{answer}");
    assert_eq!(answer["code"], "UNAVAILABLE", "{answer}");
    assert!(
        answer["message"].as_str().unwrap().contains("read-only"),
        "{answer}"
    );

    let (status, body) = http
        .send("POST", "/api/graphql", mutation().as_bytes())
        .await
        .unwrap();
    let answer: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(status, 200);
    assert_eq!(
        answer["errors"][0]["extensions"]["code"], "UNAVAILABLE",
        "{answer}"
    );
    if postgres_admin().is_some() {
        // Leaves the database to be dropped by the next run as any other.
        set_postgres_read_only(database_name(&url), false).await;
    }
}

/// The features in the catalog.
async fn features(router: &Router) -> u64 {
    let (status, answer) = send(router, "POST", "/api/graphql", COUNT.into()).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    answer["data"]["listMLFeatures"]["total"].as_u64().unwrap()
}

/// A database that stops taking writes while the server runs, and takes them again: SQLite
/// held to its size by `max_page_count` (a full disk) until a table of ballast is dropped;
/// PostgreSQL switched to read-only transactions and back. Answers the connection the server
/// uses, and the way to make room again.
struct Refusing {
    db: DatabaseConnection,
    url: String,
    _dir: Option<tempfile::TempDir>,
}

impl Refusing {
    async fn new() -> Refusing {
        let (url, dir) = fresh_database().await;
        let db = mlcat::store::connect(&url).await.unwrap();
        Migrator::up(&db, None).await.unwrap();
        if postgres_admin().is_some() {
            return Refusing { db, url, _dir: dir };
        }
        // Room to give back later: about 4 MB of pages in a table of its own.
        db.execute_unprepared("CREATE TABLE ballast (b BLOB)")
            .await
            .unwrap();
        db.execute_unprepared(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000) INSERT INTO ballast SELECT randomblob(4000) FROM n",
        )
        .await
        .unwrap();
        // Every connection of the server, its writer's too (which copies the pool's options),
        // may not grow the file past its size when it connects.
        let options = (*db.get_sqlite_connection_pool().connect_options())
            .clone()
            .pragma("max_page_count", "1");
        db.close().await.ok();
        let pool = sea_orm::sqlx::sqlite::SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await
            .unwrap();
        let db = sea_orm::SqlxSqliteConnector::from_sqlx_sqlite_pool(pool);
        Refusing { db, url, _dir: dir }
    }

    /// From now on the database refuses writes (SQLite: it already does, being full).
    async fn refuse(&self) {
        if postgres_admin().is_some() {
            set_postgres_read_only(database_name(&self.url), true).await;
        }
    }

    /// Makes room again.
    async fn recover(&self) {
        if postgres_admin().is_some() {
            set_postgres_read_only(database_name(&self.url), false).await;
        } else {
            let other = mlcat::store::connect(&self.url).await.unwrap();
            other
                .execute_unprepared("DROP TABLE ballast")
                .await
                .unwrap();
            other.close().await.ok();
        }
    }
}

#[tokio::test]
async fn writes_the_database_refuses_at_run_time_answer_503_and_health_says_so_until_one_succeeds()
{
    let refusing = Refusing::new().await;
    let router = mlcat::app::router(refusing.db.clone(), &Limits::default(), Auth::Off);
    let (status, health) = send(&router, "GET", "/health", String::new()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(health["writes"], "working", "{health}");
    refusing.refuse().await;

    let (status, answer) = send(&router, "POST", BATCH, batch_of(500, "full")).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{answer}");
    assert_eq!(answer["code"], "UNAVAILABLE", "{answer}");
    let message = answer["message"].as_str().unwrap();
    assert!(
        message.contains("full") || message.contains("read-only"),
        "says why: {message}"
    );
    assert!(message.contains("Nothing of this write"), "{message}");

    let (status, answer) = send(&router, "POST", "/api/graphql", mutation()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        answer["errors"][0]["extensions"]["code"], "UNAVAILABLE",
        "{answer}"
    );

    let (status, health) = send(&router, "GET", "/health", String::new()).await;
    assert_eq!(status, StatusCode::OK, "{health}");
    assert_eq!(health["status"], "degraded", "{health}");
    assert_eq!(health["writes"], "failing", "{health}");
    assert!(health["message"].as_str().is_some(), "{health}");
    assert_eq!(features(&router).await, 0, "nothing of the refused writes");

    refusing.recover().await;
    let (status, answer) = send(&router, "POST", BATCH, batch_of(500, "full")).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(features(&router).await, 500);
    let (status, health) = send(&router, "GET", "/health", String::new()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(health["status"], "ok", "{health}");
    assert_eq!(health["writes"], "working", "{health}");
}
