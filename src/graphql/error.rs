//! The catalog's errors as GraphQL errors: the message the client may see and
//! `extensions.code`. Internal errors are logged here with their chain, once, and reach the
//! client as a generic message.

use async_graphql::ErrorExtensions;

use crate::catalog::Error;

impl From<Error> for async_graphql::Error {
    fn from(e: Error) -> async_graphql::Error {
        e.extend()
    }
}

impl ErrorExtensions for Error {
    fn extend(&self) -> async_graphql::Error {
        if let Some(inner) = self.internal() {
            tracing::error!(error = format!("{inner:#}"), "internal error");
        }
        async_graphql::Error::new(self.public_message()).extend_with(|_, ext| {
            ext.set("code", self.code());
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_detail_is_not_sent() {
        let e: async_graphql::Error = Error::Internal(anyhow::anyhow!("password=hunter2")).into();
        assert!(!e.message.contains("hunter2"));
        let e: async_graphql::Error = Error::bad_input("name must not be empty").into();
        assert_eq!(e.message, "name must not be empty");
    }
}
