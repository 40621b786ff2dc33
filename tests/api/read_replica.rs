//! `--read-database-url` against a real streaming replica: a PostgreSQL primary and a standby
//! made from it with `pg_basebackup -R`, both started by the test in a temporary directory (the
//! shared server's `pg_hba.conf` allows no replication connections, and a test should not change
//! a shared server's configuration). With the standby's replay paused, a process that wrote
//! reads its own write from the primary while a process that did not reads the standby's older
//! state; after replay resumes both read it from the standby; a standby that stops answering
//! fails no read: the primary answers it. The flag is refused with a SQLite database.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};
use serde_json::{json, Value};

use crate::process::{run_mlcat, Http, Server};

/// A primary and its streaming standby, stopped when dropped.
struct Pair {
    dir: tempfile::TempDir,
    bin: PathBuf,
    primary_port: u16,
    standby_port: u16,
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// PostgreSQL's programs refuse to run as root: as root they run as the `postgres` user.
fn as_postgres(program: &Path) -> Command {
    let root = Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false);
    if root {
        let mut command = Command::new("runuser");
        command.args(["-u", "postgres", "--"]).arg(program);
        command
    } else {
        Command::new(program)
    }
}

fn run(mut command: Command, what: &str) {
    let out = command.output().unwrap_or_else(|e| panic!("{what}: {e}"));
    assert!(
        out.status.success(),
        "{what}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

impl Pair {
    /// `initdb` a primary, start it, `pg_basebackup -R` a standby from it, start that.
    fn start() -> Pair {
        let bindir = Command::new("pg_config")
            .arg("--bindir")
            .output()
            .expect("pg_config (PostgreSQL's server programs are needed for this test)");
        let bin = PathBuf::from(String::from_utf8_lossy(&bindir.stdout).trim());
        let dir = tempfile::tempdir().expect("a temporary directory");
        if Command::new("id")
            .arg("-u")
            .output()
            .is_ok_and(|o| o.stdout == b"0\n")
        {
            run(
                {
                    let mut c = Command::new("chown");
                    c.args(["postgres:postgres"]).arg(dir.path());
                    c
                },
                "chown the directory to postgres",
            );
        }
        let pair = Pair {
            bin,
            primary_port: free_port(),
            standby_port: free_port(),
            dir,
        };
        let primary = pair.dir.path().join("primary");
        let mut initdb = as_postgres(&pair.bin.join("initdb"));
        initdb
            .args(["--auth=trust", "--username=postgres", "--no-sync", "-D"])
            .arg(&primary);
        run(initdb, "initdb the primary");
        pair.pg_ctl_start(&primary, pair.primary_port, "primary");
        let standby = pair.dir.path().join("standby");
        let mut backup = as_postgres(&pair.bin.join("pg_basebackup"));
        backup
            .args([
                "-h",
                "127.0.0.1",
                "-U",
                "postgres",
                "-R",
                "-X",
                "stream",
                "-p",
            ])
            .arg(pair.primary_port.to_string())
            .arg("-D")
            .arg(&standby);
        run(backup, "pg_basebackup the standby");
        pair.pg_ctl_start(&standby, pair.standby_port, "standby");
        pair
    }

    fn pg_ctl_start(&self, data: &Path, port: u16, name: &str) {
        let options = format!(
            "-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={} \
             -c fsync=off -c max_connections=100 -c shared_buffers=32MB",
            self.dir.path().display()
        );
        let mut start = as_postgres(&self.bin.join("pg_ctl"));
        start
            .args(["start", "-w", "-t", "60", "-D"])
            .arg(data)
            .arg("-l")
            .arg(self.dir.path().join(format!("{name}.log")))
            .args(["-o", &options]);
        run(start, &format!("start the {name}"));
    }

    fn stop(&self, name: &str) {
        let mut stop = as_postgres(&self.bin.join("pg_ctl"));
        stop.args(["stop", "-m", "immediate", "-D"])
            .arg(self.dir.path().join(name));
        let _ = stop.output();
    }

    fn url(port: u16) -> String {
        format!("postgres://postgres@127.0.0.1:{port}/postgres")
    }
}

impl Drop for Pair {
    fn drop(&mut self) {
        self.stop("standby");
        self.stop("primary");
    }
}

fn model_urn(name: &str) -> String {
    format!("urn:li:mlModel:(urn:li:dataPlatform:science,{name},PROD)")
}

async fn gql(server: &Server, query: &str, variables: Value) -> Value {
    let body = json!({"query": query, "variables": variables}).to_string();
    let (status, answer) = Http::new(server.addr)
        .send("POST", "/api/graphql", body.as_bytes())
        .await
        .expect("mlcat answers");
    let answer: Value = serde_json::from_slice(&answer).expect("JSON");
    assert_eq!(status, 200, "{answer}");
    answer
}

async fn write_model(server: &Server, name: &str, description: &str) {
    let answer = gql(
        server,
        "mutation($name: String!, $d: String!) { upsertMLModel(input: {platform: \"science\", name: $name, description: $d}) { urn } }",
        json!({"name": name, "d": description}),
    )
    .await;
    assert!(answer.get("errors").is_none(), "{answer}");
}

/// The model's description as `server` reads it (null for a model it does not hold).
async fn read_model(server: &Server, name: &str) -> Value {
    let answer = gql(
        server,
        "query($urn: String!) { mlModel(urn: $urn) { properties { description } } }",
        json!({"urn": model_urn(name)}),
    )
    .await;
    assert!(answer.get("errors").is_none(), "{answer}");
    answer["data"]["mlModel"]["properties"]["description"].clone()
}

/// `mlcat_reads_routed_total` for `database` at `server`'s `/metrics`.
async fn routed(server: &Server, database: &str) -> u64 {
    let (status, text) = Http::new(server.addr)
        .send("GET", "/metrics", b"")
        .await
        .expect("metrics");
    assert_eq!(status, 200);
    let wanted = format!("mlcat_reads_routed_total{{database=\"{database}\"}} ");
    String::from_utf8_lossy(&text)
        .lines()
        .find_map(|l| l.strip_prefix(&wanted))
        .map_or(0, |n| n.trim().parse().expect("a count"))
}

/// `GET /ready`'s answer, which must be 200.
async fn ready(server: &Server) -> Value {
    let (status, body) = Http::new(server.addr)
        .send("GET", "/ready", b"")
        .await
        .expect("an answer");
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    serde_json::from_slice(&body).expect("JSON")
}

async fn sql(db: &DatabaseConnection, statement: &str) {
    db.execute(Statement::from_string(DbBackend::Postgres, statement))
        .await
        .unwrap_or_else(|e| panic!("{statement}: {e}"));
}

/// Waits (up to 20 s) until `wanted` holds.
async fn eventually<F, Fut>(what: &str, wanted: F)
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + Duration::from_secs(20);
    while !wanted().await {
        assert!(Instant::now() < deadline, "{what}: not within 20 s");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn reads_go_to_the_replica_once_it_holds_the_processs_own_writes() {
    // Runs in the PostgreSQL pass of the suite (which CI runs on a machine with PostgreSQL's
    // server programs installed); the SQLite pass has no PostgreSQL.
    if !std::env::var("TEST_DATABASE_URL").is_ok_and(|u| u.starts_with("postgres")) {
        return;
    }
    let pair = Pair::start();
    let (primary_url, standby_url) = (Pair::url(pair.primary_port), Pair::url(pair.standby_port));
    let with_replica = ["--read-database-url", standby_url.as_str()];
    let writer = Server::start_with(&primary_url, &with_replica).await;
    let reader = Server::start_with(&primary_url, &with_replica).await;
    let standby = mlcat::store::connect(&standby_url).await.expect("standby");

    // Read-your-writes, write after write, each read at once after its write.
    for i in 0..20 {
        let name = format!("model_{i:02}");
        write_model(&writer, &name, &format!("version {i}")).await;
        assert_eq!(read_model(&writer, &name).await, format!("version {i}"));
    }
    // Once the standby has caught up, the writer's reads go to it, and `/ready` says so.
    let before = routed(&writer, "replica").await;
    eventually("the writer's reads reach the replica", || async {
        read_model(&writer, "model_00").await;
        routed(&writer, "replica").await > before
    })
    .await;
    eventually("/ready saying the replica is caught up", || async {
        ready(&writer).await == json!({"status": "ready", "readReplica": "caught up"})
    })
    .await;

    // Replay paused: the standby stays behind.
    sql(&standby, "SELECT pg_wal_replay_pause()").await;
    eventually("replay paused", || async {
        let row = standby
            .query_one(Statement::from_string(
                DbBackend::Postgres,
                "SELECT pg_get_wal_replay_pause_state()",
            ))
            .await
            .expect("pause state")
            .expect("a row");
        row.try_get_by_index::<String>(0).expect("a state") == "paused"
    })
    .await;
    write_model(&writer, "while_paused", "written while replay is paused").await;
    assert_eq!(
        ready(&writer).await,
        json!({"status": "ready", "readReplica": "behind"})
    );
    let to_primary = routed(&writer, "primary").await;
    for _ in 0..5 {
        // The writer reads its own write: from the primary, since the standby lacks it.
        assert_eq!(
            read_model(&writer, "while_paused").await,
            "written while replay is paused"
        );
    }
    assert!(routed(&writer, "primary").await > to_primary);
    // The other process wrote nothing: its reads go to the standby, which lacks the write.
    let reader_replica = routed(&reader, "replica").await;
    assert_eq!(read_model(&reader, "while_paused").await, Value::Null);
    assert_eq!(read_model(&reader, "model_19").await, "version 19");
    assert!(routed(&reader, "replica").await > reader_replica);

    // Replay resumed: both read the write, the writer from the standby again.
    sql(&standby, "SELECT pg_wal_replay_resume()").await;
    eventually("the other process reads the write", || async {
        read_model(&reader, "while_paused").await == "written while replay is paused"
    })
    .await;
    let before = routed(&writer, "replica").await;
    eventually("the writer's reads go back to the replica", || async {
        read_model(&writer, "while_paused").await;
        routed(&writer, "replica").await > before
    })
    .await;
    standby.close().await.ok();

    // The standby stops: no read fails. The first one the standby fails is answered by the
    // primary, and the reads after it go to the primary without trying the standby.
    pair.stop("standby");
    let (replica_before, primary_before) = (
        routed(&writer, "replica").await,
        routed(&writer, "primary").await,
    );
    for i in 0..10 {
        // `read_model` fails on an error or a status other than 200.
        let name = format!("model_{i:02}");
        assert_eq!(read_model(&writer, &name).await, format!("version {i}"));
    }
    // One read (the one that found the standby gone) was sent there; ten went to the primary.
    assert!(routed(&writer, "replica").await <= replica_before + 1);
    assert!(routed(&writer, "primary").await >= primary_before + 10);
    // Still ready: the primary answers the reads.
    assert_eq!(
        ready(&writer).await,
        json!({"status": "ready", "readReplica": "not answering"})
    );
    for i in 0..10 {
        let name = format!("model_{i:02}");
        assert_eq!(read_model(&writer, &name).await, format!("version {i}"));
        assert_eq!(read_model(&reader, &name).await, format!("version {i}"));
    }
    write_model(&writer, "after_standby", "the primary alone").await;
    assert_eq!(
        read_model(&writer, "after_standby").await,
        "the primary alone"
    );
}

/// SQLite has no read replicas: the flag is refused at start-up, naming it, before anything is
/// opened or written.
#[tokio::test]
async fn a_read_database_url_with_sqlite_is_refused_at_start_up() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("catalog.db").display());
    let run = run_mlcat(
        &[
            "serve",
            "--database-url",
            &url,
            "--bind",
            "127.0.0.1:0",
            "--read-database-url",
            "postgres://postgres@127.0.0.1:5432/replica",
        ],
        &[],
    );
    assert!(!run.status.success(), "it served: {}", run.stdout);
    assert!(
        run.stderr.contains("--read-database-url is for PostgreSQL")
            && run.stderr.contains("SQLite"),
        "{}",
        run.stderr
    );
    assert!(!dir.path().join("catalog.db").exists(), "the file was made");
    // The variable is the same setting.
    let run = run_mlcat(
        &["serve", "--database-url", &url, "--bind", "127.0.0.1:0"],
        &[(
            "MLCAT_READ_DATABASE_URL",
            "postgres://postgres@127.0.0.1:5432/replica",
        )],
    );
    assert!(!run.status.success());
    assert!(
        run.stderr.contains("--read-database-url is for PostgreSQL"),
        "{}",
        run.stderr
    );
}
