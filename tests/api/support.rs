//! The test harness: the real router in-process over a fresh database per test. SQLite (a file
//! in a temporary directory) by default; PostgreSQL when `TEST_DATABASE_URL` is set, with a new
//! database per test.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use migration::{Migrator, MigratorTrait};
use mlcat::auth::Auth;
use mlcat::catalog::Catalog;
use mlcat::config::Limits;
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};
use serde_json::{json, Value};
use tower::ServiceExt;

pub struct TestApp {
    router: Router,
    /// The catalog the router's requests share (one write queue, one commit signal).
    catalog: Catalog,
    pub db: DatabaseConnection,
    statements: Arc<AtomicUsize>,
    _dir: Option<tempfile::TempDir>,
}

static COUNTER: AtomicUsize = AtomicUsize::new(0);
static CLEANED: tokio::sync::OnceCell<()> = tokio::sync::OnceCell::const_new();

/// A fresh, empty database URL for one test.
pub async fn fresh_database() -> (String, Option<tempfile::TempDir>) {
    match std::env::var("TEST_DATABASE_URL") {
        Ok(admin_url) if !admin_url.is_empty() => {
            let admin = mlcat::store::connect(&admin_url)
                .await
                .expect("connect to TEST_DATABASE_URL");
            CLEANED
                .get_or_init(|| async {
                    // Databases left by an earlier run of the suite.
                    let rows = admin
                        .query_all(Statement::from_string(
                            admin.get_database_backend(),
                            "SELECT datname FROM pg_database WHERE datname LIKE 'mlcat_test_%'",
                        ))
                        .await
                        .expect("list old test databases");
                    for row in rows {
                        let name: String = row.try_get("", "datname").expect("datname");
                        // Only databases of runs that have ended: the name holds the pid.
                        let pid = name.split('_').nth(2).unwrap_or_default();
                        if std::path::Path::new(&format!("/proc/{pid}")).exists() {
                            continue;
                        }
                        let _ = admin
                            .execute_unprepared(&format!(
                                "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
                            ))
                            .await;
                    }
                })
                .await;
            let name = format!(
                "mlcat_test_{}_{}_{}",
                std::process::id(),
                COUNTER.fetch_add(1, Ordering::SeqCst),
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map(|d| d.subsec_nanos())
                    .unwrap_or(0)
            );
            admin
                .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
                .await
                .expect("create test database");
            admin.close().await.ok();
            let base = admin_url
                .rsplit_once('/')
                .map(|(b, _)| b)
                .unwrap_or(&admin_url);
            (format!("{base}/{name}"), None)
        }
        _ => {
            let dir = tempfile::tempdir().expect("temp dir");
            let url = format!("sqlite://{}", dir.path().join("test.db").display());
            (url, Some(dir))
        }
    }
}

impl TestApp {
    /// An empty, migrated catalog.
    pub async fn new() -> TestApp {
        TestApp::with_limits(Limits::default()).await
    }

    pub async fn with_limits(limits: Limits) -> TestApp {
        TestApp::build(limits, Auth::Off).await
    }

    /// An empty catalog whose requests need access tokens.
    pub async fn with_auth() -> TestApp {
        TestApp::build(Limits::default(), Auth::Tokens).await
    }

    async fn build(limits: Limits, auth: Auth) -> TestApp {
        let (url, dir) = fresh_database().await;
        TestApp::over(url, dir, limits, auth).await
    }

    /// The app over an existing database (one a test prepared at an older migration), migrated
    /// to the newest first; `dir` holds a SQLite file and is kept as long as the app.
    pub async fn over(
        url: String,
        dir: Option<tempfile::TempDir>,
        limits: Limits,
        auth: Auth,
    ) -> TestApp {
        let mut db = mlcat::store::connect(&url).await.expect("connect");
        Migrator::up(&db, None).await.expect("migrate");
        let statements = Arc::new(AtomicUsize::new(0));
        let counter = statements.clone();
        db.set_metric_callback(move |_| {
            counter.fetch_add(1, Ordering::SeqCst);
        });
        let serving = mlcat::app::Serving::new(auth);
        let catalog = mlcat::app::serving_catalog(db.clone(), &serving);
        let router = mlcat::app::router_over(db.clone(), catalog.clone(), &limits, &serving);
        TestApp {
            router,
            catalog,
            db,
            statements,
            _dir: dir,
        }
    }

    /// The demo catalog, loaded through the write path.
    pub async fn with_demo() -> TestApp {
        let app = TestApp::new().await;
        mlcat::demo::load(&app.catalog()).await.expect("load demo");
        app
    }

    /// The app's router, to serve on a real port (`mlcat::app::serve`).
    pub fn router(&self) -> Router {
        self.router.clone()
    }

    /// The catalog the app's requests use: writes through it queue with theirs.
    pub fn catalog(&self) -> Catalog {
        self.catalog.clone()
    }

    /// SQL statements run so far on this app's database.
    pub fn statements(&self) -> usize {
        self.statements.load(Ordering::SeqCst)
    }

    pub async fn request(&self, request: Request<Body>) -> (StatusCode, Vec<u8>) {
        let response = self
            .router
            .clone()
            .oneshot(request)
            .await
            .expect("router answers");
        let status = response.status();
        let body = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes();
        (status, body.to_vec())
    }

    pub async fn get(&self, path: &str) -> (StatusCode, Vec<u8>) {
        self.request(Request::get(path).body(Body::empty()).expect("request"))
            .await
    }

    /// POSTs a GraphQL request to `/api/graphql` and returns the JSON answer.
    pub async fn gql_vars(&self, query: &str, variables: Value) -> Value {
        let bytes = self.post_gql(query, variables).await;
        serde_json::from_slice(&bytes).expect("JSON answer")
    }

    /// POSTs a GraphQL request to `/api/graphql` and returns the answer's body text exactly as
    /// sent, for tests of the text itself (the order of the keys).
    pub async fn gql_text(&self, query: &str) -> String {
        let bytes = self.post_gql(query, json!({})).await;
        String::from_utf8(bytes).expect("UTF-8 answer")
    }

    /// POSTs a GraphQL request to `/api/graphql`, asserts 200 OK and returns the body.
    async fn post_gql(&self, query: &str, variables: Value) -> Vec<u8> {
        let body = json!({"query": query, "variables": variables}).to_string();
        let (status, bytes) = self
            .request(
                Request::post("/api/graphql")
                    .header("content-type", "application/json")
                    .body(Body::from(body))
                    .expect("request"),
            )
            .await;
        assert_eq!(
            status,
            StatusCode::OK,
            "{}",
            String::from_utf8_lossy(&bytes)
        );
        bytes
    }

    pub async fn gql(&self, query: &str) -> Value {
        self.gql_vars(query, json!({})).await
    }

    /// Runs a query that must succeed and returns its `data`.
    pub async fn data(&self, query: &str) -> Value {
        let answer = self.gql(query).await;
        assert!(
            answer.get("errors").is_none(),
            "unexpected errors: {answer:#}"
        );
        answer["data"].clone()
    }

    /// Runs a request with variables that must succeed and returns its `data`.
    pub async fn data_vars(&self, query: &str, variables: Value) -> Value {
        let answer = self.gql_vars(query, variables).await;
        assert!(answer.get("errors").is_none(), "{answer:#}");
        answer["data"].clone()
    }

    /// Runs a request with variables that must fail; answers its first error's code and
    /// message.
    pub async fn refusal(&self, query: &str, variables: Value) -> (String, String) {
        let answer = self.gql_vars(query, variables).await;
        let e = &answer["errors"][0];
        (
            e["extensions"]["code"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
            e["message"].as_str().unwrap_or_default().to_string(),
        )
    }

    /// Runs a query that must fail and returns the code of its first error.
    pub async fn error_code(&self, query: &str) -> String {
        let answer = self.gql(query).await;
        answer["errors"][0]["extensions"]["code"]
            .as_str()
            .unwrap_or_else(|| panic!("expected an error with a code: {answer:#}"))
            .to_string()
    }

    /// A count of rows, for asserting that nothing was written.
    pub async fn count_rows(&self, table: &str) -> i64 {
        let row = self
            .db
            .query_one(Statement::from_string(
                self.db.get_database_backend(),
                format!("SELECT COUNT(*) AS n FROM {table}"),
            ))
            .await
            .expect("count")
            .expect("one row");
        row.try_get::<i64>("", "n").expect("n")
    }

    /// POSTs a body (JSON text, or any bytes) and returns the status and the answer as JSON
    /// (`Value::Null` when the answer is not JSON).
    pub async fn post_json(&self, path: &str, body: impl Into<Body>) -> (StatusCode, Value) {
        let (status, bytes) = self
            .request(
                Request::post(path)
                    .header("content-type", "application/json")
                    .body(body.into())
                    .expect("request"),
            )
            .await;
        (
            status,
            serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        )
    }

    /// GETs a path and returns the status and the answer as JSON (`Value::Null` when not JSON).
    pub async fn get_json(&self, path: &str) -> (StatusCode, Value) {
        let (status, bytes) = self.get(path).await;
        (
            status,
            serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        )
    }

    /// Row counts of the entity, aspect and edge tables, for asserting that nothing was written.
    pub async fn row_counts(&self) -> [i64; 3] {
        [
            self.count_rows("entity").await,
            self.count_rows("aspect").await,
            self.count_rows("edge").await,
        ]
    }

    /// `count` new write tokens, named `writer-0`, `writer-1`, ...
    pub async fn write_tokens(&self, count: usize) -> Vec<String> {
        let mut tokens = Vec::with_capacity(count);
        for i in 0..count {
            let name = format!("writer-{i}");
            let token = mlcat::auth::create_token(&self.db, &name, mlcat::auth::Scope::Write)
                .await
                .expect("create a token");
            tokens.push(token);
        }
        tokens
    }
}

/// A request to a router; the status and the answer as JSON.
pub async fn send(router: &Router, method: &str, path: &str, body: String) -> (StatusCode, Value) {
    let response = router
        .clone()
        .oneshot(
            Request::builder()
                .method(method)
                .uri(path)
                .header("content-type", "application/json")
                .body(Body::from(body))
                .unwrap(),
        )
        .await
        .unwrap();
    let status = response.status();
    let bytes = http_body_util::BodyExt::collect(response.into_body())
        .await
        .unwrap()
        .to_bytes();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

/// Asks `check` every `every` until it answers `Some`, for at most `within`; panics saying
/// that `what` never happened. For what comes a moment after a write: the change feed on
/// PostgreSQL (which answers a change once every transaction begun before it has ended), a
/// webhook's delivery, a subscriber's message.
pub async fn eventually<T, F, Fut>(
    what: &str,
    within: std::time::Duration,
    every: std::time::Duration,
    mut check: F,
) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + within;
    loop {
        if let Some(done) = check().await {
            return done;
        }
        if tokio::time::Instant::now() >= deadline {
            panic!("{what} did not happen within {within:?}");
        }
        tokio::time::sleep(every).await;
    }
}
