//! The HTTP application: routes, shared state, layers, and serving with graceful shutdown.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Json, Router};
use sea_orm::DatabaseConnection;
use serde_json::json;
use tower_http::catch_panic::CatchPanicLayer;

use crate::auth::{self, Access, Auth, AuthState};
use crate::catalog::{Catalog, Deadline, Writability, WriteMode};
use crate::config::Limits;
use crate::graphql::http::refused;
use crate::shared::{is_graphql_path, Shared};

/// How a server runs, beyond its limits: who may call it, whether it takes writes, and which
/// host names it answers with auth off.
#[derive(Clone, Debug)]
pub struct Serving {
    pub auth: Auth,
    pub mode: WriteMode,
    /// With auth off, host names answered besides loopback ones (`--allowed-host`).
    pub allowed_hosts: Vec<String>,
    /// A PostgreSQL read replica for the catalog's reads (`--read-database-url`).
    pub read_replica: Option<DatabaseConnection>,
}

impl Serving {
    /// Taking writes, answering loopback host names only when `auth` is off.
    pub fn new(auth: Auth) -> Serving {
        Serving {
            auth,
            mode: WriteMode::ReadWrite,
            allowed_hosts: Vec::new(),
            read_replica: None,
        }
    }
}

/// Builds the router over a migrated database ([`router_with`] a writable catalog and no
/// allowed host names).
pub fn router(db: DatabaseConnection, limits: &Limits, auth: Auth) -> Router {
    router_with(db, limits, &Serving::new(auth))
}

/// Builds the router over a migrated database ([`router_over`] the catalog
/// [`serving_catalog`] makes of it).
pub fn router_with(db: DatabaseConnection, limits: &Limits, serving: &Serving) -> Router {
    router_over(db.clone(), serving_catalog(db, serving), limits, serving)
}

/// The catalog a server's requests share over `db`: writable or read-only as `serving` says,
/// with its read replica. A task of the same process that writes or follows the feed (webhook
/// delivery) takes a clone of it, so that it shares the write queue and hears of its commits.
pub fn serving_catalog(db: DatabaseConnection, serving: &Serving) -> Catalog {
    let catalog = Catalog::with_mode(db, serving.mode);
    match &serving.read_replica {
        Some(replica) => catalog.with_read_replica(replica.clone()),
        None => catalog,
    }
}

/// Builds the router over `catalog` (of `db`): each front door's routes over the state they
/// share, and the layers every request passes. With auth off, only loopback host names and
/// `serving.allowed_hosts` are answered ([`HostPolicy`]).
pub fn router_over(
    db: DatabaseConnection,
    catalog: Catalog,
    limits: &Limits,
    serving: &Serving,
) -> Router {
    let Serving {
        auth,
        allowed_hosts,
        ..
    } = serving;
    let auth = *auth;
    let auth_state = Arc::new(AuthState { db, auth });
    let shared = Shared {
        catalog,
        limits: limits.clone(),
    };
    let app = Router::new()
        .route("/health", get(health).with_state(shared.catalog.clone()))
        .route("/ready", get(ready).with_state(shared.catalog.clone()))
        .route("/metrics", get(metrics).with_state(shared.catalog.clone()))
        .route("/", get(|| async { Redirect::temporary("/playground") }))
        .merge(crate::graphql::http::routes(shared.clone()))
        .merge(crate::graphql::ws::routes(shared.clone()))
        .merge(crate::feed::routes().with_state(Arc::new(shared.clone())))
        .merge(crate::playground::routes())
        .merge(crate::datahub::routes().with_state(Arc::new(shared.clone())))
        .merge(crate::mlflow::routes().with_state(Arc::new(shared.clone())))
        .merge(crate::openlineage::routes().with_state(Arc::new(shared)))
        .layer(middleware::from_fn(require_write_for_rest))
        .layer(middleware::from_fn(require_json_body))
        .layer(middleware::from_fn_with_state(
            limits.request_timeout(),
            time_limit,
        ))
        .layer(middleware::from_fn_with_state(auth_state, auth::layer))
        .layer(DefaultBodyLimit::max(limits.max_body_bytes))
        .layer(CatchPanicLayer::new())
        .layer(middleware::map_response(no_sniffing))
        .layer(middleware::from_fn(crate::mlflow::error_shape));
    let app = match auth {
        Auth::Off => app.layer(middleware::from_fn_with_state(
            Arc::new(HostPolicy::new(allowed_hosts)),
            require_known_host,
        )),
        // Tokens protect the catalog whatever name a page reached it by.
        Auth::Tokens => app,
    };
    crate::metrics::install();
    app.layer(middleware::from_fn(crate::logging::request_log))
}

/// Every answer is to be read as the type it says it is: a browser must not guess that a JSON
/// answer holding markup is a page, or a text a script.
async fn no_sniffing(mut response: Response) -> Response {
    response.headers_mut().insert(
        axum::http::header::X_CONTENT_TYPE_OPTIONS,
        axum::http::HeaderValue::from_static("nosniff"),
    );
    response
}

/// Bodies are JSON, sent as JSON. Refusing other content types keeps a cross-site form (which
/// can only send `text/plain`, a form encoding or multipart) from writing to the catalog. A
/// request of any method that carries a body counts, not only a POST, PUT or PATCH: a HEAD or
/// a DELETE may carry one too.
async fn require_json_body(request: Request, next: Next) -> Response {
    let sends_body = matches!(
        *request.method(),
        Method::POST | Method::PUT | Method::PATCH
    ) || carries_body(&request);
    let json = request
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            let media = v
                .split(';')
                .next()
                .unwrap_or_default()
                .trim()
                .to_ascii_lowercase();
            media == "application/json" || media.ends_with("+json")
        });
    if sends_body && !json {
        let message = "send the body as JSON, with `Content-Type: application/json`".to_string();
        return if is_graphql_path(request.uri().path()) {
            refused(StatusCode::UNSUPPORTED_MEDIA_TYPE, message)
        } else {
            (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                Json(json!({"message": message, "status": 415, "code": "BAD_USER_INPUT"})),
            )
                .into_response()
        };
    }
    next.run(request).await
}

/// The host names a server with auth off answers to. With auth off, anyone who can reach the
/// port can write the catalog; a port on the loopback address is reachable only from this
/// machine, but a web page a browser on this machine opens can still send requests to it. The
/// browser keeps a page from reading answers of another origin, unless that origin's name
/// resolves to this address (DNS rebinding: a page of `evil.example` makes `evil.example`
/// resolve to 127.0.0.1, and its requests then carry `Host: evil.example`). So only names that
/// cannot be rebound are answered: `localhost` and its subdomains, IP addresses written as such
/// (a page whose origin is an address reached that address, which is this server), and the
/// names the operator allows.
struct HostPolicy {
    allowed: Vec<String>,
}

impl HostPolicy {
    fn new(allowed: &[String]) -> HostPolicy {
        HostPolicy {
            allowed: allowed
                .iter()
                .map(|h| host_name(h.trim()))
                .filter(|h| !h.is_empty())
                .collect(),
        }
    }

    fn allows(&self, host: &str) -> bool {
        let name = host_name(host);
        name == "localhost"
            || name.ends_with(".localhost")
            || name.parse::<std::net::IpAddr>().is_ok()
            || self.allowed.contains(&name)
    }
}

/// The name of a `Host` value, without its port, in lower case, without a trailing dot, and
/// without the brackets of an IPv6 address (`[::1]:8080` is `::1`).
fn host_name(host: &str) -> String {
    let name = match host.strip_prefix('[') {
        Some(rest) => rest.split(']').next().unwrap_or_default(),
        None => host.rsplit_once(':').map_or(host, |(name, _port)| name),
    };
    name.trim_end_matches('.').to_ascii_lowercase()
}

/// Refuses, with auth off, a request for a host name that could be a rebinding domain
/// ([`HostPolicy`]). A request without a `Host` (HTTP/1.0, or one made in-process) did not come
/// from a browser, and passes.
async fn require_known_host(
    State(policy): State<Arc<HostPolicy>>,
    request: Request,
    next: Next,
) -> Response {
    let host = request
        .headers()
        .get(axum::http::header::HOST)
        .map(|v| v.to_str().unwrap_or("\u{fffd}").to_string())
        .or_else(|| request.uri().authority().map(|a| a.as_str().to_string()));
    match host {
        Some(host) if !policy.allows(&host) => {
            let message = format!(
                "this server answers only loopback host names with auth off, not {:?}: start it \
                 with --allowed-host {} (or MLCAT_ALLOWED_HOSTS) if that is its name, or with --auth",
                host_name(&host),
                host_name(&host)
            );
            if is_graphql_path(request.uri().path()) {
                (
                    StatusCode::FORBIDDEN,
                    Json(json!({"errors": [{"message": message, "extensions": {"code": "FORBIDDEN"}}]})),
                )
                    .into_response()
            } else {
                (
                    StatusCode::FORBIDDEN,
                    Json(json!({"message": message, "status": 403})),
                )
                    .into_response()
            }
        }
        _ => next.run(request).await,
    }
}

/// Whether a request announces a body: a length above zero, or a transfer coding (chunked).
fn carries_body(request: &Request) -> bool {
    let headers = request.headers();
    headers.contains_key(axum::http::header::TRANSFER_ENCODING)
        || headers
            .get(axum::http::header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.trim() != "0")
}

/// Cuts off a request that runs longer than the limit, unless a write of it was committed or
/// is being committed. The request carries its [`Deadline`] (an extension the front doors give
/// to the catalog's writes), and the deadline decides, under one lock, between the writer
/// committing a write and this layer cutting the request off: a request answered 408 wrote
/// nothing, since no write of it commits after it was cut off (on SQLite the queued write is
/// rolled back by the writer, on PostgreSQL the dropped transaction rolls back), and a write
/// that commits is answered with its outcome, even a little after the limit. Writes a request
/// makes after the limit answer `TIMEOUT` themselves.
async fn time_limit(State(limit): State<Duration>, mut request: Request, next: Next) -> Response {
    let graphql = is_graphql_path(request.uri().path());
    let deadline = Deadline::after(limit);
    request.extensions_mut().insert(deadline.clone());
    let mut answer = std::pin::pin!(next.run(request));
    match tokio::time::timeout_at(deadline.at(), answer.as_mut()).await {
        Ok(response) => response,
        // A write of the request committed or is committing: its answer says what it wrote.
        Err(_) if !deadline.cut_off() => answer.await,
        Err(_) => {
            let message = format!(
                "the request ran longer than the limit of {} (--request-timeout-secs); nothing of it was written",
                deadline.limit_text()
            );
            let body = if graphql {
                json!({"errors": [{"message": message, "extensions": {"code": "TIMEOUT"}}]})
            } else {
                json!({"message": message, "status": 408, "code": "TIMEOUT"})
            };
            (StatusCode::REQUEST_TIMEOUT, Json(body)).into_response()
        }
    }
}

/// Writes through the REST front doors (any method but GET and HEAD) need write scope; GraphQL
/// mutations check it themselves, since a POST there may be a query.
async fn require_write_for_rest(request: Request, next: Next) -> Response {
    let path = request.uri().path();
    let reads = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    ) || is_read_action(path, request.uri())
        || crate::mlflow::is_read_post(path);
    if !reads && !is_graphql_path(path) {
        if let Some(access) = request.extensions().get::<Access>() {
            if let Err(e) = access.require_write() {
                return (
                    StatusCode::FORBIDDEN,
                    Json(json!({"message": e.public_message(), "status": 403})),
                )
                    .into_response();
            }
        }
    }
    next.run(request).await
}

/// The Rest.li actions that only read, though they are POSTs: searching and listing entities,
/// listing and describing ingestion runs. A read token may call them.
fn is_read_action(path: &str, uri: &axum::http::Uri) -> bool {
    // Decoded as the handler decodes it, and every `action` must be a read: the handler may
    // take any one of them.
    let Ok(axum::extract::Query(pairs)) =
        axum::extract::Query::<Vec<(String, String)>>::try_from_uri(uri)
    else {
        return false;
    };
    let actions: Vec<&str> = pairs
        .iter()
        .filter(|(k, _)| k == "action")
        .map(|(_, v)| v.as_str())
        .collect();
    !actions.is_empty()
        && actions.iter().all(|a| {
            matches!(
                (path, *a),
                ("/entities", "search" | "listUrns") | ("/runs", "list" | "describe")
            )
        })
}

/// `200 {"status": "ok", "writes": "working"}` when the database answers and takes writes;
/// `200 {"status": "ok", "writes": "off", "message"}` on a server started read-only;
/// `200 {"status": "degraded", "writes": "failing", "message", "since"}` when the database
/// refused the last write for a reason of its own (a full disk, a read-only file or server:
/// queries still work, writes answer 503 / `UNAVAILABLE` until one succeeds again);
/// `503 {"status": "unavailable"}` when the database does not answer at all.
/// `200 {"status": "ready"}` when the database answers and has every migration this binary
/// knows; `503 {"status": "not ready", "message"}` otherwise (a load balancer sends no traffic
/// to a replica until it is ready).
async fn ready(State(catalog): State<Catalog>) -> Response {
    let problem = match catalog.pending_migrations().await {
        Ok(0) => None,
        Ok(n) => Some(format!(
            "{n} migration(s) of this binary are not applied yet; `mlcat serve` applies them at start"
        )),
        Err(e) => {
            tracing::error!(error = ?e, "readiness check failed");
            Some("the database does not answer".to_string())
        }
    };
    // A replica that is behind or down does not make the server unready: reads go to the
    // primary meanwhile. It is said, for whoever watches.
    let replica = catalog.read_replica_state().await.map(|s| s.as_str());
    match problem {
        None => match replica {
            Some(state) => Json(json!({"status": "ready", "readReplica": state})).into_response(),
            None => Json(json!({"status": "ready"})).into_response(),
        },
        Some(message) => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({"status": "not ready", "message": message})),
        )
            .into_response(),
    }
}

/// `GET /metrics`: Prometheus's text format (see [`crate::metrics`]); the pool's gauges are
/// read at the scrape.
async fn metrics(State(catalog): State<Catalog>) -> Response {
    let (open, idle, max) = catalog.pool_state();
    crate::metrics::pool(open, idle, max);
    crate::metrics::render().await
}

async fn health(State(catalog): State<Catalog>) -> Response {
    if let Err(e) = catalog.ping().await {
        tracing::error!(error = ?e, "health check failed");
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({"status": "unavailable", "message": "the database does not answer"})),
        )
            .into_response();
    }
    let body = match catalog.writability() {
        Writability::Working => json!({"status": "ok", "writes": "working"}),
        Writability::Off => json!({
            "status": "ok",
            "writes": "off",
            "message": "this server is read-only (started with --read-only): queries work, writes answer 503",
        }),
        Writability::Failing { message, since } => json!({
            "status": "degraded",
            "writes": "failing",
            "message": message,
            "since": since,
        }),
    };
    Json(body).into_response()
}

/// Serves until Ctrl-C or SIGTERM, then lets in-flight requests finish.
///
/// Connections are served by hyper's HTTP/1 server with a timer, so that a client must send a
/// request's head within `--header-read-timeout-secs`, and a kept-alive connection idle that
/// long is closed: without it, a connection that sends half a head (or nothing) stays open as
/// long as the client likes. (`axum::serve` sets no timer, and its HTTP/2 detection waits for
/// the first bytes without a limit.)
///
/// Every connection gets `TCP_NODELAY`: with Nagle's algorithm on, the last, partly filled
/// segment of an answer larger than one segment waits until the client acknowledges the ones
/// before it, and a client may delay that acknowledgement by up to 40 ms.
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: Router,
    limits: &Limits,
) -> anyhow::Result<()> {
    use hyper_util::rt::{TokioIo, TokioTimer};
    use hyper_util::service::TowerToHyperService;

    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(Duration::from_secs(limits.header_read_timeout_secs.max(1)));
    // Graceful shutdown by hand: hyper-util's `GracefulShutdown` does not take a connection
    // that may be upgraded (a WebSocket of the subscriptions). Each connection holds a clone of
    // `alive` and watches `stop`; when all clones are dropped, every connection has finished.
    let (stop_tx, stop) = tokio::sync::watch::channel(false);
    let (alive, mut all_done) = tokio::sync::mpsc::channel::<()>(1);
    let shutdown = shutdown_signal();
    tokio::pin!(shutdown);
    loop {
        let tcp = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((tcp, _peer)) => tcp,
                Err(e) => {
                    // Out of file descriptors, or a connection reset before it was accepted:
                    // wait a moment rather than spin, as axum::serve does.
                    tracing::warn!("accepting a connection failed: {e}");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::debug!("could not set TCP_NODELAY on a connection: {e}");
        }
        // With upgrades: the subscriptions' WebSockets (`/api/graphql/ws`).
        let connection = http
            .serve_connection(TokioIo::new(tcp), TowerToHyperService::new(app.clone()))
            .with_upgrades();
        let alive = alive.clone();
        let mut stop = stop.clone();
        tokio::spawn(async move {
            let _alive = alive;
            let mut connection = std::pin::pin!(connection);
            let ended = tokio::select! {
                ended = connection.as_mut() => ended,
                // The one change is to `true`; a dropped sender means the server ends too.
                _ = stop.changed() => {
                    // Finishes the request in flight, then closes.
                    connection.as_mut().graceful_shutdown();
                    connection.await
                }
            };
            if let Err(e) = ended {
                tracing::debug!("a connection ended with an error: {e}");
            }
        });
    }
    drop(listener);
    let _ = stop_tx.send(true);
    drop(alive);
    let _ = all_done.recv().await;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: no new connections; waiting for requests in flight");
}

#[cfg(test)]
mod tests {
    use axum::body::Body;
    use http_body_util::BodyExt;
    use tower::ServiceExt;

    use super::*;

    async fn slow() -> &'static str {
        tokio::time::sleep(Duration::from_secs(5)).await;
        "done"
    }

    #[tokio::test]
    async fn a_request_over_the_time_limit_is_cut_off_with_a_coded_error() {
        let app =
            Router::new()
                .route("/api/graphql", get(slow))
                .layer(middleware::from_fn_with_state(
                    Duration::from_millis(50),
                    time_limit,
                ));
        let response = app
            .oneshot(Request::get("/api/graphql").body(Body::empty()).unwrap())
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::REQUEST_TIMEOUT);
        let body = response.into_body().collect().await.unwrap().to_bytes();
        let body: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(body["errors"][0]["extensions"]["code"], "TIMEOUT");
        assert!(body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("--request-timeout-secs"));
    }
}
