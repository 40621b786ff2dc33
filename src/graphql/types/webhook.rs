//! A registered webhook and its delivery state.

use async_graphql::{Object, Result};

use crate::catalog::webhooks::WebhookRecord;
use crate::graphql::scalars::Long;

/// A webhook: where the changes its filter matches are delivered, and how delivery goes.
pub struct Webhook(pub WebhookRecord);

/// A registered webhook: where the changes its filter matches go, and how delivery goes.
#[Object]
impl Webhook {
    /// Its id, for `deleteWebhook` and `resumeWebhook`.
    async fn id(&self) -> i64 {
        self.0.id
    }
    /// Where the changes are POSTed.
    async fn url(&self) -> &str {
        &self.0.url
    }
    /// Its filter, as JSON (`entityTypes` as URNs spell them, `urns`, `aspects`,
    /// `upstreamOf`, `hops`).
    async fn filter(&self) -> async_graphql::Json<serde_json::Value> {
        async_graphql::Json(self.0.filter.clone())
    }
    /// The change feed's cursor it has been delivered up to.
    async fn cursor(&self) -> &str {
        &self.0.cursor
    }
    /// Changes delivered, in all.
    async fn delivered(&self) -> Long {
        Long(self.0.delivered)
    }
    /// Failed deliveries in a row.
    async fn failures(&self) -> Long {
        Long(self.0.failures)
    }
    /// Paused after too many failures in a row; `resumeWebhook` goes on.
    async fn paused(&self) -> bool {
        self.0.paused
    }
    /// Why the last delivery failed, while it has not succeeded since.
    async fn last_error(&self) -> Option<&str> {
        self.0.last_error.as_deref()
    }
    /// When the next try is due after a failure, in milliseconds since the epoch.
    async fn next_attempt_at(&self) -> Long {
        Long(self.0.next_attempt_at)
    }
    /// Who registered it.
    async fn actor(&self) -> &str {
        &self.0.actor
    }
    /// When it was registered, in milliseconds since the epoch.
    async fn created_at(&self) -> Result<Long> {
        Ok(Long(self.0.created_at))
    }
}
