//! The catalog's one error type, with stable codes. User errors carry a message that says what
//! to fix; internal errors keep their chain for the server log and reach a client as a generic
//! message. Each front door turns it into its own shape (`graphql::error`, `datahub::RestError`).

use crate::urn::UrnError;

/// Deliberately not `Display`: async-graphql turns anything `Display` into an error without a
/// code, and `graphql::error` must be the only way this type becomes a GraphQL error.
#[derive(Debug)]
pub enum Error {
    /// The request is wrong in a way the caller can fix.
    BadInput(String),
    /// Something named in the request does not exist.
    NotFound(String),
    /// The request conflicts with the state of the catalog.
    Conflict(String),
    /// The caller's token does not allow this.
    Forbidden(String),
    /// A bug or an unavailable database; the detail stays in the server log.
    Internal(anyhow::Error),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn bad_input(msg: impl Into<String>) -> Error {
        Error::BadInput(msg.into())
    }

    /// The `extensions.code` of the GraphQL error.
    pub fn code(&self) -> &'static str {
        match self {
            Error::BadInput(_) => "BAD_USER_INPUT",
            Error::NotFound(_) => "NOT_FOUND",
            Error::Conflict(_) => "CONFLICT",
            Error::Forbidden(_) => "FORBIDDEN",
            Error::Internal(_) => "INTERNAL_SERVER_ERROR",
        }
    }

    /// The same error again, for a failure several callers share (a batch loader's, a write
    /// group's). An internal error keeps its text with its causes, not its chain.
    pub fn duplicate(&self) -> Error {
        match self {
            Error::BadInput(m) => Error::BadInput(m.clone()),
            Error::NotFound(m) => Error::NotFound(m.clone()),
            Error::Conflict(m) => Error::Conflict(m.clone()),
            Error::Forbidden(m) => Error::Forbidden(m.clone()),
            Error::Internal(inner) => Error::Internal(anyhow::anyhow!("{inner:#}")),
        }
    }

    /// What the client is told: internal details never leave the server.
    pub fn public_message(&self) -> String {
        match self {
            Error::BadInput(m) | Error::NotFound(m) | Error::Conflict(m) | Error::Forbidden(m) => {
                m.clone()
            }
            Error::Internal(_) => "internal server error; the server log has the details".into(),
        }
    }
}

impl From<UrnError> for Error {
    fn from(e: UrnError) -> Error {
        Error::BadInput(e.to_string())
    }
}

impl From<anyhow::Error> for Error {
    fn from(e: anyhow::Error) -> Error {
        Error::Internal(e)
    }
}

/// A validation message from the URN parser or the aspect registry: the caller's to fix.
impl From<String> for Error {
    fn from(message: String) -> Error {
        Error::BadInput(message)
    }
}

impl From<sea_orm::DbErr> for Error {
    fn from(e: sea_orm::DbErr) -> Error {
        Error::Internal(anyhow::Error::new(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_stable() {
        assert_eq!(Error::bad_input("x").code(), "BAD_USER_INPUT");
        assert_eq!(Error::NotFound("x".into()).code(), "NOT_FOUND");
        assert_eq!(Error::Conflict("x".into()).code(), "CONFLICT");
        assert_eq!(
            Error::Internal(anyhow::anyhow!("x")).code(),
            "INTERNAL_SERVER_ERROR"
        );
    }
}
