//! Access tokens and the layer that checks them. Tokens are random secrets shown once at
//! creation and stored as SHA-256 hashes (a token is 256 random bits, so a fast hash is the
//! right tool; slow password hashes are for low-entropy secrets). With auth off, every request
//! acts as `anonymous` with write access, and the server only listens on loopback unless told
//! otherwise.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use rand::RngCore;
use sea_orm::DatabaseConnection;
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::catalog::text::refuse_nul;
use crate::catalog::{Error, Result};
use crate::shared::{is_graphql_path, GRAPHQL_SOCKET_PATH};
use crate::store::{access_token, now_millis};

/// What a token allows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Scope {
    /// Queries only.
    Read,
    /// Queries, mutations and ingestion.
    Write,
}

impl Scope {
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Read => "read",
            Scope::Write => "write",
        }
    }

    fn parse(s: &str) -> Scope {
        if s == "write" {
            Scope::Write
        } else {
            Scope::Read
        }
    }
}

/// Who is calling, attached to every request.
#[derive(Clone, Debug)]
pub struct Access {
    /// The token's name, or `anonymous` with auth off.
    pub actor: String,
    pub scope: Scope,
    /// True when a token vouches for `actor`; false with auth off, when clients may name
    /// their own actor (DataHub's system metadata does).
    pub authenticated: bool,
}

impl Access {
    pub fn anonymous() -> Access {
        Access {
            actor: "anonymous".into(),
            scope: Scope::Write,
            authenticated: false,
        }
    }

    /// Refuses a write with a read-only token.
    pub fn require_write(&self) -> Result<()> {
        match self.scope {
            Scope::Write => Ok(()),
            Scope::Read => Err(Error::Forbidden(format!(
                "the token {:?} has read scope; writing needs a token with write scope",
                self.actor
            ))),
        }
    }
}

/// Whether requests must carry a token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Auth {
    Off,
    Tokens,
}

/// A token as listed: never its secret.
#[derive(Clone, Debug)]
pub struct TokenInfo {
    pub name: String,
    pub scope: Scope,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

fn hash(secret: &str) -> String {
    Sha256::digest(secret.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The longest token name, in characters: the width of `access_token.name`.
pub const MAX_TOKEN_NAME_CHARS: usize = 200;

/// A token name as stored: trimmed, 1 to [`MAX_TOKEN_NAME_CHARS`] characters, without control
/// characters (a name is printed by `token list` and recorded as the actor of every write, so
/// a newline or an escape sequence in it could forge lines of either).
pub fn token_name(name: &str) -> Result<&str> {
    let name = name.trim();
    let chars = name.chars().count();
    if chars == 0 || chars > MAX_TOKEN_NAME_CHARS {
        return Err(Error::bad_input(format!(
            "a token name must be 1 to {MAX_TOKEN_NAME_CHARS} characters, not {chars}"
        )));
    }
    if let Some(c) = name.chars().find(|c| c.is_control()) {
        return Err(Error::bad_input(format!(
            "a token name must not contain control characters (such as a newline, a tab or an escape); it contains {c:?}"
        )));
    }
    Ok(name)
}

/// Creates a token and returns its secret, which is not stored and cannot be shown again.
pub async fn create_token(db: &DatabaseConnection, name: &str, scope: Scope) -> Result<String> {
    let name = token_name(name)?;
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let secret = format!(
        "mlcat_{}",
        bytes.iter().map(|b| format!("{b:02x}")).collect::<String>()
    );
    access_token::insert(db, name, scope.as_str(), &hash(&secret), now_millis()).await?;
    Ok(secret)
}

pub async fn list_tokens(db: &DatabaseConnection) -> Result<Vec<TokenInfo>> {
    let rows = access_token::all(db).await?;
    Ok(rows
        .into_iter()
        .map(|r| TokenInfo {
            scope: Scope::parse(&r.scope),
            name: r.name,
            created_at: r.created_at,
            last_used_at: r.last_used_at,
            revoked_at: r.revoked_at,
        })
        .collect())
}

/// Revokes every live token of that name, trimmed as `create_token` trims it; answers how
/// many. Only what no database can look up is refused: a token made before names were checked
/// (with a control character, say) can still be revoked.
pub async fn revoke_tokens(db: &DatabaseConnection, name: &str) -> Result<u64> {
    let name = name.trim();
    if name.is_empty() {
        return Err(Error::bad_input("give the name of the tokens to revoke"));
    }
    refuse_nul("the token name", name)?;
    Ok(access_token::revoke_by_name(db, name, now_millis()).await?)
}

/// How stale `last_used_at` may get before a request refreshes it: a busy client does not
/// turn every read into a write.
const LAST_USED_RESOLUTION_MS: i64 = 60_000;

async fn verify(db: &DatabaseConnection, secret: &str) -> Result<Option<Access>> {
    let Some(row) = access_token::live_by_hash(db, &hash(secret)).await? else {
        return Ok(None);
    };
    let now = now_millis();
    if row
        .last_used_at
        .is_none_or(|t| now - t > LAST_USED_RESOLUTION_MS)
    {
        // Best effort: a database that refuses writes (a read-only server) still lets its
        // tokens read.
        if let Err(e) = access_token::touch(db, row.id, now).await {
            tracing::warn!(error = %e, "could not record a token's last use");
        }
    }
    Ok(Some(Access {
        actor: row.name,
        scope: Scope::parse(&row.scope),
        authenticated: true,
    }))
}

/// State of the auth layer.
#[derive(Clone)]
pub struct AuthState {
    pub db: DatabaseConnection,
    pub auth: Auth,
}

/// Left on a WebSocket upgrade that came without an `Authorization` header while tokens are
/// required: the socket must then check the token of its `connection_init`
/// ([`SocketToken::check`]) before it serves anything.
#[derive(Clone)]
pub struct SocketToken(Arc<AuthState>);

/// Why a socket's `connection_init` was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SocketRefusal {
    /// No token, or one that is unknown or revoked: the socket closes with 4403.
    Forbidden(String),
    /// The database did not answer.
    Unavailable,
}

impl SocketToken {
    /// Checks the token a `connection_init` payload carries: under `Authorization` (or
    /// `authorization`) as `Bearer <token>`, or under `token` (as common clients send it).
    pub async fn check(
        &self,
        payload: &serde_json::Value,
    ) -> std::result::Result<Access, SocketRefusal> {
        let given = ["Authorization", "authorization", "token"]
            .iter()
            .find_map(|key| payload.get(key).and_then(serde_json::Value::as_str));
        let secret = given.map(|v| v.strip_prefix("Bearer ").unwrap_or(v).trim());
        let Some(secret) = secret.filter(|s| !s.is_empty()) else {
            crate::metrics::auth_failure("missing");
            return Err(SocketRefusal::Forbidden(
                "this server needs an access token: send it in connection_init's payload as \
                 {\"Authorization\": \"Bearer <token>\"}"
                    .into(),
            ));
        };
        match verify(&self.0.db, secret).await {
            Ok(Some(access)) => Ok(access),
            Ok(None) => {
                crate::metrics::auth_failure("invalid");
                Err(SocketRefusal::Forbidden(
                    "the access token is not valid (unknown or revoked)".into(),
                ))
            }
            Err(e) => {
                tracing::error!(error = ?e, "checking a socket's access token failed");
                Err(SocketRefusal::Unavailable)
            }
        }
    }
}

/// Paths anyone may fetch: the health and readiness checks, the metrics (for a scraper, which
/// carries no token), and the playground page with its assets (the page's own requests then
/// carry the token typed into it).
fn is_open(path: &str) -> bool {
    path == "/health"
        || path == "/ready"
        || path == "/metrics"
        || path == "/"
        || path == "/playground"
        || path.starts_with("/playground/")
}

/// Answers 401 in the shape the endpoint speaks: GraphQL errors with a code, or REST JSON.
fn unauthenticated(path: &str, message: &str) -> Response {
    let body = if is_graphql_path(path) {
        json!({"errors": [{"message": message, "extensions": {"code": "UNAUTHENTICATED"}}]})
    } else {
        json!({"message": message, "status": 401})
    };
    (
        StatusCode::UNAUTHORIZED,
        [(header::WWW_AUTHENTICATE, "Bearer")],
        Json(body),
    )
        .into_response()
}

/// Attaches the caller's [`Access`] to the request, or refuses it.
pub async fn layer(
    State(state): State<Arc<AuthState>>,
    mut request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path().to_string();
    let access = match state.auth {
        Auth::Off => Access::anonymous(),
        Auth::Tokens if is_open(&path) => Access {
            actor: "anonymous".into(),
            scope: Scope::Read,
            authenticated: false,
        },
        // A browser's WebSocket carries no header of the page's choosing: the token comes in
        // the protocol's first message, checked by the socket; until then it may do nothing.
        Auth::Tokens
            if path == GRAPHQL_SOCKET_PATH
                && !request.headers().contains_key(header::AUTHORIZATION) =>
        {
            request.extensions_mut().insert(SocketToken(state.clone()));
            Access {
                actor: "anonymous".into(),
                scope: Scope::Read,
                authenticated: false,
            }
        }
        Auth::Tokens => {
            let header = request
                .headers()
                .get(header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok());
            let Some(secret) = header.and_then(|h| h.strip_prefix("Bearer ")) else {
                crate::metrics::auth_failure("missing");
                return unauthenticated(
                    &path,
                    "this server needs an access token: send `Authorization: Bearer <token>`",
                );
            };
            match verify(&state.db, secret.trim()).await {
                Ok(Some(access)) => access,
                Ok(None) => {
                    crate::metrics::auth_failure("invalid");
                    return unauthenticated(
                        &path,
                        "the access token is not valid (unknown or revoked)",
                    );
                }
                Err(e) => {
                    tracing::error!(error = ?e, "checking an access token failed");
                    return (
                        StatusCode::SERVICE_UNAVAILABLE,
                        Json(json!({"message": "the database does not answer", "status": 503})),
                    )
                        .into_response();
                }
            }
        }
    };
    request.extensions_mut().insert(access);
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_hex_sha256() {
        assert_eq!(
            hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn read_scope_cannot_write() {
        let read = Access {
            actor: "ci".into(),
            scope: Scope::Read,
            authenticated: true,
        };
        assert!(matches!(read.require_write(), Err(Error::Forbidden(_))));
        assert!(Access::anonymous().require_write().is_ok());
    }
}
