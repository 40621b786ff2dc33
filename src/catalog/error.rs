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
    /// A value in the request is refused: `field` says where, as a path into what was sent
    /// (`mlModelProperties.mlFeatures[2]`), and `message` says what to fix (naming the field
    /// too, for a reader who sees only the message).
    Invalid { field: String, message: String },
    /// The write was not committed because its request ran past its time limit: nothing of it
    /// was written.
    Timeout(String),
    /// The database refuses writes (a full disk, a read-only file or server, a server started
    /// with `--read-only`): nothing of the write was written, and the message says why.
    Unavailable(String),
    /// A bug or an unavailable database; the detail stays in the server log.
    Internal(anyhow::Error),
    /// One write of a batch failed, and with it the whole batch: which one, and why.
    InBatch(Box<InBatch>),
}

/// Where in a batch of writes an error arose.
#[derive(Debug)]
pub struct InBatch {
    /// The failing write's position in the batch, from 0.
    pub index: usize,
    /// How many writes the batch holds.
    pub total: usize,
    /// The entity and aspect the failing write names.
    pub urn: String,
    pub aspect: String,
    pub cause: Error,
}

impl InBatch {
    /// `3 of 10 (urn aspect)`: the failing write as a person counts.
    pub fn position(&self) -> String {
        format!(
            "{} of {} ({} {})",
            self.index + 1,
            self.total,
            self.urn,
            self.aspect
        )
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn bad_input(msg: impl Into<String>) -> Error {
        Error::BadInput(msg.into())
    }

    /// The error of write `index` of a batch of `total`; a lone write's error, and a refusal
    /// of the caller's rights, are their own.
    pub fn in_batch(self, index: usize, total: usize, urn: &str, aspect: &str) -> Error {
        if total == 1 || matches!(self, Error::Forbidden(_)) {
            return self;
        }
        Error::InBatch(Box::new(InBatch {
            index,
            total,
            urn: urn.to_string(),
            aspect: aspect.to_string(),
            cause: self,
        }))
    }

    /// The cause of an internal error, wherever it sits, for the server log.
    pub fn internal(&self) -> Option<&anyhow::Error> {
        match self {
            Error::Internal(inner) => Some(inner),
            Error::InBatch(b) => b.cause.internal(),
            _ => None,
        }
    }

    /// The `extensions.code` of the GraphQL error.
    pub fn code(&self) -> &'static str {
        match self {
            Error::BadInput(_) | Error::Invalid { .. } => "BAD_USER_INPUT",
            Error::NotFound(_) => "NOT_FOUND",
            Error::Conflict(_) => "CONFLICT",
            Error::Forbidden(_) => "FORBIDDEN",
            Error::Timeout(_) => "TIMEOUT",
            Error::Unavailable(_) => "UNAVAILABLE",
            Error::Internal(_) => "INTERNAL_SERVER_ERROR",
            Error::InBatch(b) => b.cause.code(),
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
            Error::Timeout(m) => Error::Timeout(m.clone()),
            Error::Unavailable(m) => Error::Unavailable(m.clone()),
            Error::Invalid { field, message } => Error::Invalid {
                field: field.clone(),
                message: message.clone(),
            },
            Error::Internal(inner) => Error::Internal(anyhow::anyhow!("{inner:#}")),
            Error::InBatch(b) => Error::InBatch(Box::new(InBatch {
                index: b.index,
                total: b.total,
                urn: b.urn.clone(),
                aspect: b.aspect.clone(),
                cause: b.cause.duplicate(),
            })),
        }
    }

    /// What the client is told: internal details never leave the server.
    pub fn public_message(&self) -> String {
        match self {
            Error::BadInput(m)
            | Error::NotFound(m)
            | Error::Conflict(m)
            | Error::Forbidden(m)
            | Error::Timeout(m)
            | Error::Unavailable(m)
            | Error::Invalid { message: m, .. } => m.clone(),
            Error::Internal(_) => "internal server error; the server log has the details".into(),
            Error::InBatch(b) => format!("change {}: {}", b.position(), b.cause.public_message()),
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

/// A message from a check that names the field itself (`Urn::expect_kind`): the caller's to fix.
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
        assert_eq!(Error::Timeout("x".into()).code(), "TIMEOUT");
        assert_eq!(Error::Unavailable("x".into()).code(), "UNAVAILABLE");
        assert_eq!(
            Error::Internal(anyhow::anyhow!("x")).code(),
            "INTERNAL_SERVER_ERROR"
        );
    }

    #[test]
    fn a_batch_error_says_which_write_and_keeps_the_cause_code() {
        let e = Error::NotFound("no entity with URN u".into()).in_batch(2, 5, "u", "status");
        assert_eq!(e.code(), "NOT_FOUND");
        assert_eq!(
            e.public_message(),
            "change 3 of 5 (u status): no entity with URN u"
        );
        let Error::InBatch(b) = e else {
            panic!("not a batch error")
        };
        assert_eq!((b.index, b.total), (2, 5));
        let alone = Error::bad_input("x").in_batch(0, 1, "u", "status");
        assert!(matches!(alone, Error::BadInput(_)));
    }
}
