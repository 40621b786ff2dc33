//! MLflow's model-registry REST API (`/api/2.0/mlflow/registered-models/*`,
//! `/api/2.0/mlflow/model-versions/*`), as the `mlflow` client (`MlflowClient(registry_uri=...)`)
//! sends it, translated to the catalog's writes and reads. A registered model is an
//! `mlModelGroup` on platform `mlflow`, a model version an `mlModel` that is a version of the
//! group's version set (`model.rs` has the mapping); nothing is kept here but the translation.
//!
//! The client sends a GET's fields as query parameters (a repeated field repeats its key) and
//! every other method's as a JSON body (`Params`), and parses an error from
//! `{"error_code", "message"}` with MLflow's statuses (`MlflowError`).

mod filter;
mod model;
mod model_versions;
mod registered_models;
mod versions;

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::Query;
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Map, Value};

use crate::auth::Access;
use crate::catalog::{Actor, Deadline, Error};
use crate::shared::Shared;

/// Where the registry's routes live.
pub const PREFIX: &str = "/api/2.0/mlflow";

/// The paths that only read though the client may POST to them: a read token may call them.
pub fn is_read_post(path: &str) -> bool {
    path == "/api/2.0/mlflow/registered-models/get-latest-versions"
}

/// The MLflow registry routes, to merge into the application's router.
pub fn routes() -> Router<Arc<Shared>> {
    use model_versions as mv;
    use registered_models as rm;
    Router::new()
        .route("/api/2.0/mlflow/registered-models/create", post(rm::create))
        .route("/api/2.0/mlflow/registered-models/get", get(rm::get))
        .route("/api/2.0/mlflow/registered-models/rename", post(rm::rename))
        .route(
            "/api/2.0/mlflow/registered-models/update",
            axum::routing::patch(rm::update),
        )
        .route(
            "/api/2.0/mlflow/registered-models/delete",
            axum::routing::delete(rm::delete),
        )
        .route("/api/2.0/mlflow/registered-models/search", get(rm::search))
        .route(
            "/api/2.0/mlflow/registered-models/get-latest-versions",
            get(rm::latest_versions).post(rm::latest_versions),
        )
        .route(
            "/api/2.0/mlflow/registered-models/set-tag",
            post(rm::set_tag),
        )
        .route(
            "/api/2.0/mlflow/registered-models/delete-tag",
            axum::routing::delete(rm::delete_tag),
        )
        .route(
            "/api/2.0/mlflow/registered-models/alias",
            get(mv::by_alias)
                .post(rm::set_alias)
                .delete(rm::delete_alias),
        )
        .route("/api/2.0/mlflow/model-versions/create", post(mv::create))
        .route("/api/2.0/mlflow/model-versions/get", get(mv::get))
        .route(
            "/api/2.0/mlflow/model-versions/update",
            axum::routing::patch(mv::update),
        )
        .route(
            "/api/2.0/mlflow/model-versions/delete",
            axum::routing::delete(mv::delete),
        )
        .route(
            "/api/2.0/mlflow/model-versions/transition-stage",
            post(mv::transition_stage),
        )
        .route("/api/2.0/mlflow/model-versions/search", get(mv::search))
        .route(
            "/api/2.0/mlflow/model-versions/get-download-uri",
            get(mv::download_uri),
        )
        .route("/api/2.0/mlflow/model-versions/set-tag", post(mv::set_tag))
        .route(
            "/api/2.0/mlflow/model-versions/delete-tag",
            axum::routing::delete(mv::delete_tag),
        )
        .route(
            "/api/2.0/mlflow/{*rest}",
            axum::routing::any(endpoint_not_found),
        )
}

/// Any other path under the prefix: MLflow's `ENDPOINT_NOT_FOUND`, which the client reads as
/// "try the next endpoint" where it knows several.
async fn endpoint_not_found(method: Method, uri: axum::http::Uri) -> Response {
    MlflowError {
        status: StatusCode::NOT_FOUND,
        code: "ENDPOINT_NOT_FOUND",
        message: format!(
            "mlcat does not serve {method} {}: it serves MLflow's model registry (registered-models/*, model-versions/*)",
            uri.path()
        ),
    }
    .into_response()
}

/// Gives the refusals of the layers around every front door (no token, a read token writing,
/// a body that is not JSON or too large, the time limit, a panic) MLflow's `error_code` on the
/// registry's paths, so its client raises them with their code rather than as internal errors.
pub async fn error_shape(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let ours = request.uri().path().starts_with(PREFIX);
    let response = next.run(request).await;
    let status = response.status();
    if !ours || status.is_success() {
        return response;
    }
    let (parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 1 << 20).await else {
        return MlflowError {
            status,
            code: code_of_status(status),
            message: format!("the request was refused ({status})"),
        }
        .into_response();
    };
    match serde_json::from_slice::<Value>(&bytes) {
        Ok(Value::Object(mut map)) if !map.contains_key("error_code") => {
            map.insert("error_code".into(), json!(code_of_status(status)));
            let mut response = (status, Json(Value::Object(map))).into_response();
            for (name, value) in parts.headers.iter() {
                if name != axum::http::header::CONTENT_LENGTH
                    && name != axum::http::header::CONTENT_TYPE
                {
                    response.headers_mut().insert(name.clone(), value.clone());
                }
            }
            response
        }
        _ => Response::from_parts(parts, axum::body::Body::from(bytes)),
    }
}

/// MLflow's code for a status the layers answer.
fn code_of_status(status: StatusCode) -> &'static str {
    match status.as_u16() {
        401 => "UNAUTHENTICATED",
        403 => "PERMISSION_DENIED",
        404 => "ENDPOINT_NOT_FOUND",
        408 => "DEADLINE_EXCEEDED",
        409 => "RESOURCE_CONFLICT",
        429 => "REQUEST_LIMIT_EXCEEDED",
        503 => "TEMPORARILY_UNAVAILABLE",
        s if s >= 500 => "INTERNAL_ERROR",
        _ => "INVALID_PARAMETER_VALUE",
    }
}

/// An error answer in MLflow's shape: `{"error_code", "message"}` with the status MLflow's
/// client maps the code to.
#[derive(Debug)]
pub struct MlflowError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
}

impl MlflowError {
    pub fn invalid(message: impl Into<String>) -> MlflowError {
        MlflowError {
            status: StatusCode::BAD_REQUEST,
            code: "INVALID_PARAMETER_VALUE",
            message: message.into(),
        }
    }

    pub fn not_found(message: impl Into<String>) -> MlflowError {
        MlflowError {
            status: StatusCode::NOT_FOUND,
            code: "RESOURCE_DOES_NOT_EXIST",
            message: message.into(),
        }
    }

    pub fn exists(message: impl Into<String>) -> MlflowError {
        MlflowError {
            status: StatusCode::BAD_REQUEST,
            code: "RESOURCE_ALREADY_EXISTS",
            message: message.into(),
        }
    }
}

impl From<Error> for MlflowError {
    fn from(e: Error) -> MlflowError {
        if let Some(inner) = e.internal() {
            tracing::error!(error = format!("{inner:#}"), "internal error");
        }
        let (status, code) = code_of(&e);
        MlflowError {
            status,
            code,
            message: e.public_message(),
        }
    }
}

/// MLflow's code and status for a catalog error.
fn code_of(e: &Error) -> (StatusCode, &'static str) {
    match e {
        Error::BadInput(_) | Error::Invalid { .. } => {
            (StatusCode::BAD_REQUEST, "INVALID_PARAMETER_VALUE")
        }
        Error::NotFound(_) => (StatusCode::NOT_FOUND, "RESOURCE_DOES_NOT_EXIST"),
        Error::Conflict(_) => (StatusCode::CONFLICT, "RESOURCE_CONFLICT"),
        Error::Forbidden(_) => (StatusCode::FORBIDDEN, "PERMISSION_DENIED"),
        Error::Timeout(_) => (StatusCode::REQUEST_TIMEOUT, "DEADLINE_EXCEEDED"),
        Error::Unavailable(_) => (StatusCode::SERVICE_UNAVAILABLE, "TEMPORARILY_UNAVAILABLE"),
        Error::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "INTERNAL_ERROR"),
        Error::InBatch(b) => code_of(&b.cause),
    }
}

impl IntoResponse for MlflowError {
    fn into_response(self) -> Response {
        let body = json!({"error_code": self.code, "message": self.message});
        (self.status, Json(body)).into_response()
    }
}

pub type Answer = Result<Json<Value>, MlflowError>;

/// The fields of a request: a GET's query parameters or another method's JSON body, read by
/// name whichever way they came.
pub struct Params(Map<String, Value>);

/// The fields the client sends as lists; a GET repeats their key.
const LIST_FIELDS: [&str; 2] = ["order_by", "stages"];

impl Params {
    fn from_query(pairs: Vec<(String, String)>) -> Params {
        let mut map = Map::new();
        for (k, v) in pairs {
            if LIST_FIELDS.contains(&k.as_str()) {
                if let Value::Array(items) = map.entry(k).or_insert_with(|| json!([])) {
                    items.push(Value::String(v));
                }
            } else {
                map.insert(k, Value::String(v));
            }
        }
        Params(map)
    }

    fn from_body(body: Result<Bytes, BytesRejection>, limit: usize) -> Result<Params, MlflowError> {
        let bytes = match body {
            Ok(b) => b,
            Err(r) if r.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                return Err(MlflowError {
                    status: StatusCode::PAYLOAD_TOO_LARGE,
                    code: "INVALID_PARAMETER_VALUE",
                    message: format!("the body is larger than the limit of {limit} bytes"),
                })
            }
            Err(r) => return Err(MlflowError::invalid(r.body_text())),
        };
        if bytes.is_empty() {
            return Ok(Params(Map::new()));
        }
        match serde_json::from_slice::<Value>(&bytes) {
            Ok(Value::Object(map)) => Ok(Params(map)),
            Ok(_) => Err(MlflowError::invalid("the body must be a JSON object")),
            Err(e) => Err(MlflowError::invalid(format!("the body is not JSON ({e})"))),
        }
    }

    /// A text field that may be absent; a value of another JSON type is refused.
    pub fn opt_str(&self, field: &str) -> Result<Option<&str>, MlflowError> {
        match self.0.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => {
                if s.contains('\0') {
                    return Err(MlflowError::invalid(format!("{field} must not hold a NUL")));
                }
                Ok(Some(s))
            }
            Some(Value::Number(_)) if field == "version" => Err(MlflowError::invalid(
                "version must be sent as a string, as the client does",
            )),
            Some(other) => Err(MlflowError::invalid(format!(
                "{field} must be a string, not {other}"
            ))),
        }
    }

    /// A text field that must be present and not empty.
    pub fn str(&self, field: &str) -> Result<&str, MlflowError> {
        match self.opt_str(field)? {
            Some(s) if !s.is_empty() => Ok(s),
            _ => Err(MlflowError::invalid(format!(
                "Missing value for required parameter '{field}'."
            ))),
        }
    }

    /// A list of texts; absent is empty.
    pub fn list(&self, field: &str) -> Result<Vec<String>, MlflowError> {
        match self.0.get(field) {
            None | Some(Value::Null) => Ok(Vec::new()),
            Some(Value::String(s)) => Ok(vec![s.clone()]),
            Some(Value::Array(items)) => items
                .iter()
                .map(|v| match v {
                    Value::String(s) => Ok(s.clone()),
                    other => Err(MlflowError::invalid(format!(
                        "{field} must hold strings, not {other}"
                    ))),
                })
                .collect(),
            Some(other) => Err(MlflowError::invalid(format!(
                "{field} must be a list of strings, not {other}"
            ))),
        }
    }

    /// A flag: a JSON boolean or `true` / `false` as text; absent is false.
    pub fn flag(&self, field: &str) -> Result<bool, MlflowError> {
        match self.0.get(field) {
            None | Some(Value::Null) => Ok(false),
            Some(Value::Bool(b)) => Ok(*b),
            Some(Value::String(s)) if s.eq_ignore_ascii_case("true") => Ok(true),
            Some(Value::String(s)) if s.eq_ignore_ascii_case("false") => Ok(false),
            Some(other) => Err(MlflowError::invalid(format!(
                "{field} must be true or false, not {other}"
            ))),
        }
    }

    /// A whole number, as a JSON number or text; absent is `None`.
    pub fn int(&self, field: &str) -> Result<Option<i64>, MlflowError> {
        let bad =
            |v: &Value| MlflowError::invalid(format!("{field} must be a whole number, not {v}"));
        match self.0.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(v @ Value::Number(n)) => n.as_i64().map(Some).ok_or_else(|| bad(v)),
            Some(v @ Value::String(s)) => s.trim().parse().map(Some).map_err(|_| bad(v)),
            Some(v) => Err(bad(v)),
        }
    }

    /// The `tags` field: `[{key, value}]`.
    pub fn tags(&self) -> Result<Vec<(String, String)>, MlflowError> {
        let Some(tags) = self.0.get("tags") else {
            return Ok(Vec::new());
        };
        let items = match tags {
            Value::Null => return Ok(Vec::new()),
            Value::Array(items) => items,
            other => {
                return Err(MlflowError::invalid(format!(
                    "tags must be a list of {{key, value}}, not {other}"
                )))
            }
        };
        items
            .iter()
            .enumerate()
            .map(|(i, t)| {
                let key = t.get("key").and_then(Value::as_str).unwrap_or_default();
                if key.is_empty() {
                    return Err(MlflowError::invalid(format!("tags[{i}] has no key")));
                }
                let value = match t.get("value") {
                    None | Some(Value::Null) => String::new(),
                    Some(Value::String(s)) => s.clone(),
                    Some(other) => other.to_string(),
                };
                Ok((key.to_string(), value))
            })
            .collect()
    }
}

/// What every handler takes: the catalog and limits, who calls, until when, and the fields.
pub struct Call {
    pub state: Arc<Shared>,
    pub actor: Actor,
    pub deadline: Option<Deadline>,
    pub params: Params,
}

impl Call {
    /// Writes `writes` as the caller, within the request's deadline: one transaction.
    pub async fn write(
        &self,
        writes: Vec<crate::catalog::AspectWrite>,
    ) -> crate::catalog::Result<Vec<crate::catalog::Written>> {
        self.state
            .catalog
            .write_within(&self.actor, writes, self.deadline.as_ref())
            .await
    }

    /// The user MLflow records (`user_id`): the caller's token name.
    pub fn user(&self) -> &str {
        &self.actor.name
    }
}

/// Extracts a [`Call`] from a GET's query or another method's body.
impl<S: Send + Sync> axum::extract::FromRequest<S> for Call
where
    Arc<Shared>: axum::extract::FromRef<S>,
{
    type Rejection = Response;

    async fn from_request(request: axum::extract::Request, state: &S) -> Result<Call, Response> {
        use axum::extract::FromRef;
        let shared = Arc::<Shared>::from_ref(state);
        let access = request
            .extensions()
            .get::<Access>()
            .cloned()
            .unwrap_or_else(Access::anonymous);
        let deadline = request.extensions().get::<Deadline>().cloned();
        let params = if request.method() == Method::GET || request.method() == Method::HEAD {
            let Query(pairs) = Query::<Vec<(String, String)>>::try_from_uri(request.uri())
                .map_err(|e| MlflowError::invalid(e.body_text()).into_response())?;
            Params::from_query(pairs)
        } else {
            let limit = shared.limits.max_body_bytes;
            let body = Bytes::from_request(request, state).await;
            Params::from_body(body, limit).map_err(IntoResponse::into_response)?
        };
        Ok(Call {
            state: shared,
            actor: Actor::named(access.actor),
            deadline,
            params,
        })
    }
}

/// An empty answer: what MLflow answers to the calls that return nothing.
pub fn done() -> Answer {
    Ok(Json(json!({})))
}
