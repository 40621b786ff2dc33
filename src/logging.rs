//! What the operator sees: the log subscriber (stderr, text or JSON, coloured only on a
//! terminal) and the request log, one line per request.
//!
//! Logs go to stderr so that stdout carries only a command's answer: `TOKEN=$(mlcat token
//! create ...)` captures the token and nothing else.

use std::io::IsTerminal;
use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::middleware::Next;
use axum::response::Response;
use tracing_subscriber::EnvFilter;

use crate::catalog::tally;
use crate::config::LogFormat;
use crate::shared::GraphqlNote;

/// Installs the subscriber: `RUST_LOG` filters (`info` when unset or unreadable), events go to
/// stderr as text or JSON. Text is coloured only when stderr is a terminal and `NO_COLOR` is
/// unset or empty (<https://no-color.org>).
pub fn init(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Text => builder.with_ansi(colour_stderr()).init(),
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(false)
            .init(),
    }
}

fn colour_stderr() -> bool {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    !no_color && std::io::stderr().is_terminal()
}

/// Logs one line per request once it is answered: method, path, status, latency; for GraphQL
/// the operation's name and kind, the error codes it answered and the loads its fields asked
/// for (which the handler leaves in the response's extensions); for a request that wrote, who wrote and how many aspects (which
/// the catalog's write path counts in the request's [`tally`]). Query strings are not logged:
/// a GraphQL GET carries the whole query and its variables there.
pub async fn request_log(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let path = request.uri().path().to_string();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or("unmatched", |m| m.as_str())
        .to_string();
    let (response, written) = tally::count(next.run(request)).await;
    let took = started.elapsed();
    let latency_ms = took.as_secs_f64() * 1000.0;
    let status = response.status().as_u16();
    let note = response.extensions().get::<GraphqlNote>();
    crate::metrics::request(&route, method.as_str(), status, took);
    if let Some(note) = note {
        crate::metrics::graphql_operation(
            note.operation.as_deref(),
            note.kind,
            !note.codes.is_empty(),
            took,
        );
    }
    let operation = note.and_then(|n| n.operation.as_deref());
    let kind = note.and_then(|n| n.kind);
    let codes = note
        .filter(|n| !n.codes.is_empty())
        .map(|n| n.codes.join(","));
    let reads = note.and_then(|n| n.reads);
    let actor = written.actor.as_deref();
    let aspects_written = written.actor.is_some().then_some(written.aspects);
    tracing::info!(
        target: "mlcat::request",
        %method,
        path = %path,
        status,
        latency_ms = (latency_ms * 10.0).round() / 10.0,
        operation,
        kind,
        codes = codes.as_deref(),
        reads,
        actor,
        aspects_written,
        "request"
    );
    response
}
