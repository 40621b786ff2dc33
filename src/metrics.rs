//! What the server is doing, for Prometheus: the `metrics` facade records, and
//! `metrics-exporter-prometheus` keeps and renders the values at `GET /metrics` (the text
//! format, version 0.0.4). One recorder per process, installed on first use; the names and
//! their labels are all here, so the Grafana dashboard (`deploy/grafana/mlcat.json`) and the
//! README's table have one place to agree with.
//!
//! Label values come from a closed set (route templates, status codes, statuses of the write
//! path), except GraphQL operation names, which clients choose: those are kept only when they
//! look like names and while fewer than [`OPERATION_NAMES`] have been seen; the rest count as
//! `other`, so a client cannot grow the server's memory by naming operations.

use std::collections::HashSet;
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use metrics::{counter, gauge, histogram};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

/// How many distinct GraphQL operation names are kept as labels.
pub const OPERATION_NAMES: usize = 500;

/// Histogram buckets, in seconds, for requests and SQL statements: 100 µs to 30 s.
const SECONDS: [f64; 16] = [
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
    10.0, 30.0,
];

/// Buckets for counts: entities a traversal answered, batches in a write group.
const COUNTS: [f64; 12] = [
    1.0, 2.0, 5.0, 10.0, 25.0, 50.0, 100.0, 250.0, 1000.0, 2500.0, 10000.0, 50000.0,
];

/// The histograms of counts.
const TRAVERSAL: &str = "mlcat_lineage_traversal_entities";
const GROUP: &str = "mlcat_write_group_batches";

static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

/// The process's recorder, installed on the first call. `None` when another recorder was
/// installed first (then `/metrics` says so).
fn handle() -> Option<&'static PrometheusHandle> {
    HANDLE
        .get_or_init(|| {
            let builder = PrometheusBuilder::new()
                .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), &SECONDS)
                .and_then(|b| b.set_buckets_for_metric(Matcher::Full(TRAVERSAL.into()), &COUNTS))
                .and_then(|b| b.set_buckets_for_metric(Matcher::Full(GROUP.into()), &COUNTS));
            match builder.map(|b| b.install_recorder()) {
                Ok(Ok(handle)) => Some(handle),
                Ok(Err(e)) | Err(e) => {
                    tracing::warn!(error = %e, "metrics are not recorded");
                    None
                }
            }
        })
        .as_ref()
}

/// Installs the recorder (the router calls it once it is built, so the first scrape already
/// has the process's metrics).
pub fn install() {
    let _ = handle();
}

/// `GET /metrics`: every metric in Prometheus's text format.
pub async fn render() -> Response {
    match handle() {
        Some(handle) => {
            handle.run_upkeep();
            (
                [(
                    header::CONTENT_TYPE,
                    "text/plain; version=0.0.4; charset=utf-8",
                )],
                handle.render(),
            )
                .into_response()
        }
        None => (
            StatusCode::SERVICE_UNAVAILABLE,
            "metrics are not recorded in this process\n",
        )
            .into_response(),
    }
}

/// One answered request: its route template (`unmatched` when no route took it), method,
/// status and time.
pub fn request(route: &str, method: &str, status: u16, took: Duration) {
    let labels = [
        ("route", route.to_string()),
        ("method", method.to_string()),
        ("status", status.to_string()),
    ];
    counter!("mlcat_http_requests_total", &labels).increment(1);
    histogram!(
        "mlcat_http_request_duration_seconds",
        "route" => route.to_string(),
        "method" => method.to_string()
    )
    .record(took.as_secs_f64());
}

/// One GraphQL operation: its name (see [`OPERATION_NAMES`]), kind (`query`, `mutation`) and
/// whether it answered errors.
pub fn graphql_operation(name: Option<&str>, kind: Option<&str>, errors: bool, took: Duration) {
    let name = operation_label(name);
    let kind = kind.unwrap_or("unknown").to_string();
    counter!(
        "mlcat_graphql_operations_total",
        "operation" => name.clone(),
        "kind" => kind,
        "outcome" => if errors { "error" } else { "ok" }
    )
    .increment(1);
    histogram!("mlcat_graphql_operation_duration_seconds", "operation" => name)
        .record(took.as_secs_f64());
}

/// The label an operation name is counted under.
fn operation_label(name: Option<&str>) -> String {
    static SEEN: OnceLock<Mutex<HashSet<String>>> = OnceLock::new();
    let Some(name) = name else {
        return "anonymous".into();
    };
    let name_like = !name.is_empty()
        && name.len() <= 64
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !name_like {
        return "other".into();
    }
    let mut seen = SEEN
        .get_or_init(|| Mutex::new(HashSet::new()))
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if seen.contains(name) || seen.len() < OPERATION_NAMES {
        seen.insert(name.to_string());
        name.to_string()
    } else {
        "other".into()
    }
}

/// One SQL statement the server ran, and whether the database refused it.
pub fn statement(took: Duration, failed: bool) {
    counter!(
        "mlcat_sql_statements_total",
        "outcome" => if failed { "error" } else { "ok" }
    )
    .increment(1);
    histogram!("mlcat_sql_statement_duration_seconds").record(took.as_secs_f64());
}

/// The connection pool at a scrape: connections open, idle, and the most it may open.
pub fn pool(open: u32, idle: usize, max: u32) {
    gauge!("mlcat_db_pool_connections", "state" => "open").set(f64::from(open));
    gauge!("mlcat_db_pool_connections", "state" => "idle").set(idle as f64);
    gauge!("mlcat_db_pool_connections", "state" => "max").set(f64::from(max));
}

/// A read statement with a read replica configured: whether it went to the replica or to the
/// primary (the replica had not yet replayed this process's latest write, or does not answer).
pub fn read_routed(to_replica: bool) {
    counter!(
        "mlcat_reads_routed_total",
        "database" => if to_replica { "replica" } else { "primary" }
    )
    .increment(1);
}

/// A committed write: the aspects it changed.
pub fn aspects_written(changed: usize) {
    counter!("mlcat_aspects_written_total").increment(changed as u64);
}

/// A write refused, by the catalog's error code (`CONFLICT`, `BAD_USER_INPUT`, ...).
pub fn write_refused(code: &'static str) {
    counter!("mlcat_writes_refused_total", "code" => code).increment(1);
}

/// SQLite's write queue: batches waiting now.
pub fn write_queue_depth(waiting: usize) {
    gauge!("mlcat_write_queue_depth").set(waiting as f64);
}

/// SQLite's write queue: a group of batches about to share one transaction.
pub fn write_group(batches: usize) {
    histogram!(GROUP).record(batches as f64);
}

/// A lineage traversal: how many entities it answered, and whether a bound cut it off.
pub fn traversal(entities: usize, truncated: bool) {
    histogram!(TRAVERSAL).record(entities as f64);
    if truncated {
        counter!("mlcat_lineage_traversals_truncated_total").increment(1);
    }
}

/// A request refused for its credentials (`missing`, `invalid`).
pub fn auth_failure(reason: &'static str) {
    counter!("mlcat_auth_failures_total", "reason" => reason).increment(1);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operation_names_are_labels_only_when_they_look_like_names() {
        assert_eq!(operation_label(None), "anonymous");
        assert_eq!(operation_label(Some("GetModel")), "GetModel");
        assert_eq!(operation_label(Some("a b")), "other");
        assert_eq!(operation_label(Some(&"x".repeat(65))), "other");
        assert_eq!(operation_label(Some("")), "other");
    }
}
