//! Issue 16, the operator's part: settings checked against each other at start-up (defect 9),
//! only the token on stdout (defect 10), the demo never undoing an edit (defect 11), and what
//! the operator sees: start-up errors once with their cause and fix, the port bound before the
//! database is touched, host names in `--bind`, a log line per request, dates in `token list`.

use serde_json::{json, Value};

use crate::datahub::{proposal, single, INGEST};
use crate::process::{run_mlcat, Finished, Http, LoggedServer};
use crate::support::{fresh_database, TestApp};

const GROUP: &str = "urn:li:mlModelGroup:(urn:li:dataPlatform:science,my-model-group,PROD)";

/// The lines of stderr that report an error.
fn error_lines(run: &Finished) -> Vec<&str> {
    run.stderr
        .lines()
        .filter(|l| l.starts_with("error:"))
        .collect()
}

/// The run failed, saying so in exactly one line, which it answers.
fn one_error(run: &Finished) -> String {
    assert!(!run.status.success(), "mlcat did not fail: {}", run.stderr);
    let errors = error_lines(run);
    assert_eq!(errors.len(), 1, "one error line expected:\n{}", run.stderr);
    errors[0].to_string()
}

/// Whether the database at `url` was left untouched: no SQLite file, or no PostgreSQL table.
async fn untouched(url: &str) -> bool {
    if let Some(path) = url.strip_prefix("sqlite://") {
        return !std::path::Path::new(path).exists();
    }
    use sea_orm::ConnectionTrait;
    let db = mlcat::store::connect(url).await.unwrap();
    let row = db
        .query_one(sea_orm::Statement::from_string(
            db.get_database_backend(),
            "SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = 'public'",
        ))
        .await
        .unwrap()
        .unwrap();
    let tables: i64 = row.try_get("", "n").unwrap();
    db.close().await.ok();
    tables == 0
}

// Defect 9: a default above its maximum started, and every traversal without a depth failed.
#[tokio::test]
async fn a_default_above_its_maximum_is_refused_at_start_up_naming_both_flags() {
    let (url, _dir) = fresh_database().await;
    for (default, max) in [
        (
            ["--default-lineage-depth", "20"],
            ["--max-lineage-depth", "10"],
        ),
        (
            ["--default-lineage-budget", "500"],
            ["--max-lineage-budget", "100"],
        ),
        (["--default-page-size", "50"], ["--max-page-size", "10"]),
    ] {
        let mut args = vec!["serve", "--database-url", &url, "--bind", "127.0.0.1:0"];
        args.extend(default);
        args.extend(max);
        let run = run_mlcat(&args, &[]);
        let error = one_error(&run);
        assert!(
            error.contains(&default.join(" ")) && error.contains(&max.join(" ")),
            "{error}"
        );
    }
    let run = run_mlcat(
        &[
            "serve",
            "--database-url",
            &url,
            "--bind",
            "127.0.0.1:0",
            "--max-lineage-depth",
            "0",
        ],
        &[],
    );
    assert!(one_error(&run).contains("--max-lineage-depth is 0"));
    assert!(
        untouched(&url).await,
        "the refused start wrote the database"
    );
}

// Defect 10: `token create` wrote log lines (with colour codes) to stdout before the token.
#[tokio::test]
async fn token_create_prints_only_the_token_on_stdout_and_logs_without_colour() {
    let (url, _dir) = fresh_database().await;
    let run = run_mlcat(
        &[
            "token",
            "create",
            "--database-url",
            &url,
            "--name",
            "ci",
            "--scope",
            "write",
        ],
        &[("RUST_LOG", "info")],
    );
    assert!(run.status.success(), "{}", run.stderr);
    let token = run.stdout.strip_suffix('\n').expect("a line");
    assert!(
        token.len() == 70
            && token.starts_with("mlcat_")
            && token[6..].bytes().all(|b| b.is_ascii_hexdigit()),
        "stdout is not exactly the token and a newline: {:?}",
        run.stdout
    );
    // The log (migrations, at info) went to stderr, which is not a terminal: no colour.
    assert!(run.stderr.contains("migration"), "{}", run.stderr);
    assert!(!run.stderr.contains('\u{1b}'), "{:?}", run.stderr);

    // `token list` shows dates, not epoch milliseconds.
    let list = run_mlcat(&["token", "list", "--database-url", &url], &[]);
    assert!(list.status.success(), "{}", list.stderr);
    let row = list.stdout.lines().find(|l| l.starts_with("ci ")).unwrap();
    let created = row.split_whitespace().nth(2).unwrap();
    let time = row.split_whitespace().nth(3).unwrap();
    assert!(
        created.len() == 10 && created.as_bytes()[4] == b'-' && created.as_bytes()[7] == b'-',
        "{row}"
    );
    assert!(time.len() == 9 && time.ends_with('Z'), "{row}");
}

// Defect 11: loading the demo again wrote its description back over a person's edit.
#[tokio::test]
async fn loading_the_demo_again_keeps_a_persons_edit_and_writes_nothing() {
    let app = TestApp::with_demo().await;
    // The README's own replaceAspect.
    let answer = app
        .gql_vars(
            "mutation($v: JSON!) { replaceAspect(input: {urn: \"urn:li:mlModelGroup:(urn:li:dataPlatform:science,my-model-group,PROD)\", aspectName: \"mlModelGroupProperties\", value: $v}) { version changed } }",
            json!({"v": {"description": "all runs of my model"}}),
        )
        .await;
    assert_eq!(
        answer["data"]["replaceAspect"],
        json!({"version": 2, "changed": true})
    );
    let versions = app.count_rows("aspect").await;

    let written = mlcat::demo::load(&app.catalog()).await.unwrap();
    assert_eq!(written, 0);
    assert_eq!(app.count_rows("aspect").await, versions);
    let data = app
        .data(&format!(
            "{{ mlModelGroup(urn: \"{GROUP}\") {{ properties {{ description }} }} }}"
        ))
        .await;
    assert_eq!(
        data["mlModelGroup"]["properties"]["description"],
        "all runs of my model"
    );
}

#[tokio::test]
async fn the_demo_adds_an_aspect_an_entity_lacks_and_leaves_the_others() {
    let app = TestApp::new().await;
    // A person made the group first, with properties of their own.
    let answer = app
        .gql_vars(
            "mutation($v: JSON!) { replaceAspect(input: {urn: \"urn:li:mlModelGroup:(urn:li:dataPlatform:science,my-model-group,PROD)\", aspectName: \"mlModelGroupProperties\", value: $v}) { version } }",
            json!({"v": {"description": "ours"}}),
        )
        .await;
    assert_eq!(answer["data"]["replaceAspect"]["version"], 1);
    let written = mlcat::demo::load(&app.catalog()).await.unwrap();
    assert!(written > 30, "the rest of the demo was written: {written}");
    let data = app
        .data(&format!(
            "{{ mlModelGroup(urn: \"{GROUP}\") {{ properties {{ description }} }} \
               mlModel(urn: \"urn:li:mlModel:(urn:li:dataPlatform:science,scienceModel,PROD)\") {{ properties {{ description }} }} }}"
        ))
        .await;
    assert_eq!(data["mlModelGroup"]["properties"]["description"], "ours");
    assert_eq!(
        data["mlModel"]["properties"]["description"],
        "A sample model for predicting some outcome."
    );
}

// Start-up errors: once, with the cause and the fix.
#[tokio::test]
async fn a_sqlite_file_in_a_missing_directory_is_explained_once() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no/such/dir");
    let url = format!("sqlite://{}/mlcat.db", missing.display());
    let run = run_mlcat(&["migrate", "--database-url", &url], &[]);
    let error = one_error(&run);
    assert!(error.contains(&missing.display().to_string()), "{error}");
    assert!(
        error.contains("does not exist") && error.contains("mkdir"),
        "{error}"
    );
}

#[tokio::test]
async fn a_database_url_without_a_scheme_suggests_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("mlcat.db");
    let url = file.display().to_string();
    let run = run_mlcat(
        &["serve", "--database-url", &url, "--bind", "127.0.0.1:0"],
        &[],
    );
    let error = one_error(&run);
    assert!(error.contains(&format!("sqlite://{url}")), "{error}");
    assert!(!file.exists());
}

#[tokio::test]
async fn a_closed_postgresql_port_says_connection_refused() {
    // Port 1 on loopback: nothing listens there.
    let url = "postgres://postgres@127.0.0.1:1/mlcat";
    let run = run_mlcat(&["migrate", "--database-url", url], &[]);
    let error = one_error(&run);
    assert!(
        error.contains("127.0.0.1:1") && error.contains("connection refused"),
        "{error}"
    );
    assert!(!run.stderr.contains("pool timed out"), "{}", run.stderr);
}

#[tokio::test]
async fn a_missing_postgresql_database_is_named_with_how_to_create_it() {
    let Ok(admin) = std::env::var("TEST_DATABASE_URL") else {
        return; // needs a PostgreSQL server: runs in the PostgreSQL suite
    };
    let base = admin.rsplit_once('/').map(|(b, _)| b).unwrap();
    let url = format!("{base}/mlcat_no_such_database");
    let run = run_mlcat(&["migrate", "--database-url", &url], &[]);
    let error = one_error(&run);
    assert!(
        error.contains("\"mlcat_no_such_database\" does not exist") && error.contains("createdb"),
        "{error}"
    );
}

// The port is bound before the database is created or migrated.
#[tokio::test]
async fn a_port_in_use_is_named_and_the_database_is_left_untouched() {
    let (url, _dir) = fresh_database().await;
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let bind = taken.local_addr().unwrap().to_string();
    let run = run_mlcat(&["serve", "--database-url", &url, "--bind", &bind], &[]);
    let error = one_error(&run);
    assert!(error.contains(&bind), "{error}");
    assert!(error.contains("--bind"), "{error}");
    assert!(
        untouched(&url).await,
        "the database was written before the bind failed"
    );
}

#[tokio::test]
async fn bind_takes_a_host_name_and_keeps_the_loopback_rule() {
    let (url, _dir) = fresh_database().await;
    let server = LoggedServer::start_bound(&url, "localhost:0", &[], &[]).await;
    assert!(server.server.addr.ip().is_loopback());
    let (status, _) = Http::new(server.server.addr)
        .send("GET", "/health", b"")
        .await
        .unwrap();
    assert_eq!(status, 200);
    drop(server);

    let run = run_mlcat(
        &["serve", "--database-url", &url, "--bind", "0.0.0.0:0"],
        &[],
    );
    assert!(one_error(&run).contains("without auth"));
    let run = run_mlcat(&["serve", "--database-url", &url, "--bind", "8080"], &[]);
    assert!(one_error(&run).contains("HOST:PORT"));
}

fn json_lines(lines: &[String]) -> Vec<Value> {
    lines
        .iter()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect()
}

// A log line per request, in JSON for machines; start-up and shutdown announced.
#[tokio::test]
async fn every_request_is_logged_with_its_operation_codes_actor_and_writes() {
    let (url, _dir) = fresh_database().await;
    let server = LoggedServer::start(&url, &["--log-format", "json"], &[]).await;
    server.wait_for(|l| l.contains("\"mlcat started\"")).await;
    let mut http = Http::new(server.server.addr);

    let mutation = json!({
        "query": "mutation Describe($v: JSON!) { replaceAspect(input: {urn: \"urn:li:mlModelGroup:(urn:li:dataPlatform:science,g,PROD)\", aspectName: \"mlModelGroupProperties\", value: $v}) { version } }",
        "variables": {"v": {"description": "d"}},
    });
    let (status, _) = http
        .send("POST", "/api/graphql", mutation.to_string().as_bytes())
        .await
        .unwrap();
    assert_eq!(status, 200);
    let bad = json!({"query": "query Look { mlModel(urn: \"not a urn\") { urn } }"});
    http.send("POST", "/api/graphql", bad.to_string().as_bytes())
        .await
        .unwrap();
    let ingest = single(proposal(
        "dataset",
        "urn:li:dataset:(urn:li:dataPlatform:hive,logged,PROD)",
        "datasetProperties",
        json!({"description": "x"}),
    ));
    let (status, _) = http.send("POST", INGEST, ingest.as_bytes()).await.unwrap();
    assert_eq!(status, 200);

    server
        .wait_for(|l| l.contains("\"path\":\"/aspects\""))
        .await;
    let requests: Vec<Value> = json_lines(&server.lines())
        .into_iter()
        .filter(|l| l["target"] == "mlcat::request")
        .collect();
    let find = |op: &str| {
        requests
            .iter()
            .find(|l| l["operation"] == op)
            .unwrap_or_else(|| panic!("no line for {op}: {requests:?}"))
    };
    let describe = find("Describe");
    assert_eq!(describe["method"], "POST");
    assert_eq!(describe["path"], "/api/graphql");
    assert_eq!(describe["status"], 200);
    assert_eq!(describe["kind"], "mutation");
    assert_eq!(describe["actor"], "anonymous");
    assert_eq!(describe["aspects_written"], 1);
    assert!(describe["latency_ms"].is_number());
    assert!(describe.get("codes").is_none());

    let look = find("Look");
    assert_eq!(look["kind"], "query");
    assert_eq!(look["codes"], "BAD_USER_INPUT");
    assert!(look.get("aspects_written").is_none());

    let ingested = requests.iter().find(|l| l["path"] == "/aspects").unwrap();
    assert_eq!(ingested["status"], 200);
    assert_eq!(ingested["aspects_written"], 1);
    assert_eq!(ingested["actor"], "anonymous");

    // SIGTERM: the shutdown is announced.
    let pid = server.server.child.id().to_string();
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap();
    assert!(killed.success());
    server.wait_for(|l| l.contains("\"mlcat stopped\"")).await;
}

#[tokio::test]
async fn the_text_log_has_no_colour_off_a_terminal() {
    let (url, _dir) = fresh_database().await;
    let server = LoggedServer::start(&url, &[], &[]).await;
    Http::new(server.server.addr)
        .send("GET", "/health", b"")
        .await
        .unwrap();
    let line = server
        .wait_for(|l| l.contains("mlcat::request") && l.contains("path=/health"))
        .await;
    assert!(line.contains("status=200"), "{line}");
    assert!(!server.lines().concat().contains('\u{1b}'));
}

// `token list` printed names raw: a name stored before control characters were refused at
// `create` could forge a line or a terminal sequence. Such a name is printed escaped.
#[tokio::test]
async fn token_list_prints_a_stored_control_character_escaped() {
    use sea_orm::{ConnectionTrait, Statement};
    let (url, _dir) = fresh_database().await;
    let create = ["token", "create", "--database-url", &url];
    let run = run_mlcat(
        &[&create[..], &["--name", "ci", "--scope", "read"]].concat(),
        &[],
    );
    assert!(run.status.success(), "{}", run.stderr);
    let db = mlcat::store::connect(&url).await.unwrap();
    let backend = db.get_database_backend();
    let forged = "ci\nadmin  write  2026-01-01 00:00:00Z\u{1b}[2K";
    let sql = match backend {
        sea_orm::DbBackend::Postgres => "UPDATE access_token SET name = $1",
        _ => "UPDATE access_token SET name = ?",
    };
    db.execute(Statement::from_sql_and_values(
        backend,
        sql,
        [forged.into()],
    ))
    .await
    .unwrap();
    db.close().await.unwrap();
    let list = run_mlcat(&["token", "list", "--database-url", &url], &[]);
    assert!(list.status.success(), "{}", list.stderr);
    assert_eq!(list.stdout.lines().count(), 2, "{:?}", list.stdout);
    assert!(!list.stdout.contains('\u{1b}'), "{:?}", list.stdout);
    assert!(
        list.stdout
            .contains("ci\\nadmin  write  2026-01-01 00:00:00Z\\u{1b}[2K"),
        "{:?}",
        list.stdout
    );
}
