//! The GraphQL endpoint over HTTP: `/api/graphql` (and `/graphql`), `GET` (and `HEAD`, which
//! axum routes with it) with the request in the query string, or `POST` with it as JSON; only
//! a `POST` may run a mutation. Each request gets loaders of its own and runs
//! with its batches driven inside its own task (`loaders::drive`).

use std::sync::Arc;

use async_graphql_axum::GraphQLResponse;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::http::{Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Json, Router};
use serde_json::json;

use super::{
    build_schema, ensure_error_codes, loaders, refuse_over_limits, MlcatSchema, QueryCache,
};
use crate::auth::Access;
use crate::catalog::{Actor, Deadline};
use crate::shared::{GraphqlNote, Shared, GRAPHQL_PATHS};

/// What the GraphQL handler keeps between requests.
struct GraphqlState {
    shared: Shared,
    schema: MlcatSchema,
    parsed: QueryCache,
}

/// The GraphQL routes over the shared state.
pub fn routes(shared: Shared) -> Router {
    let state = Arc::new(GraphqlState {
        schema: build_schema(&shared.limits),
        parsed: QueryCache::default(),
        shared,
    });
    let [api, short] = GRAPHQL_PATHS;
    Router::new()
        .route(api, get(graphql_handler).post(graphql_handler))
        .route(short, get(graphql_handler).post(graphql_handler))
        .with_state(state)
}

/// `GET` or `HEAD` with the request in the query string (any body is ignored), or `POST` with
/// it as JSON. The body is read
/// here rather than by async-graphql's extractor so that a body over the size limit answers 413
/// whether or not it announced its length.
async fn graphql_handler(
    State(state): State<Arc<GraphqlState>>,
    Extension(access): Extension<Access>,
    deadline: Option<Extension<Deadline>>,
    method: Method,
    uri: Uri,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let limits = &state.shared.limits;
    // Only a POST reads its request from the body. A HEAD is routed with the GET, and takes the
    // query string as a GET does: treating it as a body request would let a HEAD (which the
    // JSON-only rule and the POST-only rule for mutations once let through) write.
    let reads_only = method != Method::POST;
    let parsed = if reads_only {
        async_graphql::http::parse_query_string(uri.query().unwrap_or_default())
            .map_err(|e| e.to_string())
    } else {
        match body {
            Ok(bytes) => {
                serde_json::from_slice::<async_graphql::Request>(&bytes).map_err(|e| e.to_string())
            }
            Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                return refused(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    format!(
                        "the body is larger than the limit of {} bytes",
                        limits.max_body_bytes
                    ),
                );
            }
            Err(rejection) => Err(rejection.body_text()),
        }
    };
    let mut request = match parsed {
        Ok(request) => request,
        Err(why) => {
            return refused(
                StatusCode::BAD_REQUEST,
                format!(
                    "the body is not a GraphQL request ({why}); send JSON like {{\"query\": \"{{ ... }}\", \"variables\": {{}}}}"
                ),
            )
        }
    };
    let note_operation = request.operation_name.clone();
    if let Some(refusal) = refuse_over_limits(&mut request, limits, &state.parsed) {
        // Not from the document: a query refused for its size was never parsed.
        let note = GraphqlNote {
            operation: note_operation,
            kind: None,
            codes: codes_of(&refusal),
            reads: None,
        };
        return with_note(GraphQLResponse::from(refusal).into_response(), note);
    }
    let mut note = note_of(
        &mut request,
        note_operation,
        &async_graphql::Response::default(),
    );
    // A link or an image can make a browser send a GET: it may only read.
    if reads_only && note.kind == Some("mutation") {
        return refused(
            StatusCode::METHOD_NOT_ALLOWED,
            "mutations must be sent with POST".to_string(),
        );
    }
    let catalog = state.shared.catalog.clone();
    let (loaders, batches) = loaders::for_request(catalog.clone(), limits.max_query_reads);
    let reads = loaders.loader().reads().clone();
    let mut request = request
        .data(catalog)
        .data(loaders)
        .data(Actor::named(access.actor.clone()))
        .data(access);
    // Mutations give it to their writes (`Catalog::write_within`).
    if let Some(Extension(deadline)) = deadline {
        request = request.data(deadline);
    }
    // A query over its reads is stopped before its answer is built; a mutation runs on, so
    // its answer says what it wrote.
    let stop = (note.kind == Some("query")).then(|| reads.clone());
    let mut response = match loaders::drive(batches, stop, state.schema.execute(request)).await {
        Ok(response) => response,
        Err(over) => super::limits::bad_input(over.refusal()),
    };
    ensure_error_codes(&mut response, limits);
    note.codes = codes_of(&response);
    note.reads = Some(reads.used());
    with_note(answer(&response, limits.max_response_bytes), note)
}

/// The request log's view of a request: its operation's name and kind (from the parsed
/// document, which the limits check has cached on the request) and the codes answered.
fn note_of(
    request: &mut async_graphql::Request,
    named: Option<String>,
    response: &async_graphql::Response,
) -> GraphqlNote {
    use async_graphql::parser::types::{DocumentOperations, OperationType};
    let mut note = GraphqlNote {
        operation: named,
        kind: None,
        codes: codes_of(response),
        reads: None,
    };
    if let Ok(doc) = request.parsed_query() {
        let op = match &doc.operations {
            DocumentOperations::Single(op) => Some((None, op)),
            DocumentOperations::Multiple(ops) => match &note.operation {
                Some(name) => ops.get(name.as_str()).map(|op| (None, op)),
                None if ops.len() == 1 => ops.iter().next().map(|(name, op)| (Some(name), op)),
                None => None,
            },
        };
        if let Some((name, op)) = op {
            if let Some(name) = name {
                note.operation = Some(name.to_string());
            }
            note.kind = Some(match op.node.ty {
                OperationType::Query => "query",
                OperationType::Mutation => "mutation",
                OperationType::Subscription => "subscription",
            });
        }
    }
    note
}

fn codes_of(response: &async_graphql::Response) -> Vec<String> {
    let mut codes: Vec<String> = Vec::new();
    for error in &response.errors {
        let code = error
            .extensions
            .as_ref()
            .and_then(|e| e.get("code"))
            .and_then(|c| match c {
                async_graphql::Value::String(s) => Some(s.clone()),
                _ => None,
            });
        if let Some(code) = code {
            if !codes.contains(&code) {
                codes.push(code);
            }
        }
    }
    codes
}

fn with_note(mut response: Response, note: GraphqlNote) -> Response {
    response.extensions_mut().insert(note);
    response
}

/// The answer as JSON, or, when its text would pass `max_bytes`, an error naming the limit in
/// its place. The text is written into a buffer that refuses to grow past the limit, so an
/// oversized answer costs no more than the limit to find out.
fn answer(response: &async_graphql::Response, max_bytes: usize) -> Response {
    let mut text = Capped {
        bytes: Vec::new(),
        max: max_bytes,
    };
    if serde_json::to_writer(&mut text, response).is_err() {
        drop(text);
        let message = format!(
            "the answer is larger than the limit of {max_bytes} bytes (--max-response-bytes) and \
             was not sent (a mutation's writes were made); ask for fewer fields, a smaller page \
             or a smaller lineage budget"
        );
        let error = async_graphql::ServerError {
            extensions: Some({
                let mut extensions = async_graphql::ErrorExtensionValues::default();
                extensions.set("code", "BAD_USER_INPUT");
                extensions
            }),
            ..async_graphql::ServerError::new(message, None)
        };
        return GraphQLResponse::from(async_graphql::Response::from_errors(vec![error]))
            .into_response();
    }
    let mut http = Response::new(axum::body::Body::from(text.bytes));
    http.headers_mut().insert(
        axum::http::header::CONTENT_TYPE,
        axum::http::HeaderValue::from_static("application/graphql-response+json"),
    );
    http.headers_mut().extend(response.http_headers.clone());
    http
}

/// A byte buffer that fails a write that would take it past `max`.
struct Capped {
    bytes: Vec<u8>,
    max: usize,
}

impl std::io::Write for Capped {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.bytes.len() + buf.len() > self.max {
            return Err(std::io::Error::other("over the answer size limit"));
        }
        self.bytes.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A request refused before GraphQL sees it, in the GraphQL error shape so clients show it.
pub fn refused(status: StatusCode, message: String) -> Response {
    let response = (
        status,
        Json(json!({"errors": [{"message": message, "extensions": {"code": "BAD_USER_INPUT"}}]})),
    )
        .into_response();
    with_note(
        response,
        GraphqlNote {
            codes: vec!["BAD_USER_INPUT".to_string()],
            ..GraphqlNote::default()
        },
    )
}
