//! Several `mlcat serve` processes on one database (issue 22, replicas): they migrate one at a
//! time, a write through one is read through another at once, and a binary older than the
//! schema refuses to run rather than misread it.

use migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectionTrait, DbBackend, Statement};

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
