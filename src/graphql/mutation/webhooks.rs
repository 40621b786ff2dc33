//! The webhook mutations: `createWebhook`, `deleteWebhook`, `resumeWebhook` (write scope).

use async_graphql::{Context, InputObject, Object, Result};

use super::writer;
use crate::catalog::Catalog;
use crate::config::Limits;
use crate::graphql::changes::ChangeFilter;
use crate::graphql::types::webhook::Webhook;

/// A webhook to register.
#[derive(InputObject)]
pub struct CreateWebhookInput {
    /// Where to POST the changes: an http or https URL. Loopback, private, link-local and
    /// metadata addresses are refused unless the server allows private targets.
    pub url: String,
    /// The key of each delivery's signature (`X-Mlcat-Signature: sha256=` HMAC-SHA256 of the
    /// body, in hex); at least 16 characters. Never answered back.
    pub secret: String,
    /// Which changes to deliver (as `changes` filters them); all when absent.
    pub filter: Option<ChangeFilter>,
}

#[derive(Default)]
pub struct WebhookMutation;

#[Object]
impl WebhookMutation {
    /// Registers a webhook: every change committed from now on that its filter matches is
    /// POSTed to its URL, at least once, in commit order (so each entity's in order), signed,
    /// retried with a growing backoff; after too many failures in a row it is paused, and
    /// `webhooks` says why. Deliveries never slow a write.
    async fn create_webhook(
        &self,
        ctx: &Context<'_>,
        input: CreateWebhookInput,
    ) -> Result<Webhook> {
        let actor = writer(ctx)?;
        let catalog = ctx.data::<Catalog>()?;
        let limits = ctx.data::<Limits>()?;
        let url =
            crate::webhooks::check_target(&input.url, limits.webhook_allow_private_targets).await?;
        let filter = input.filter.unwrap_or_default().catalog_filter()?;
        // Refuses a filter the feed cannot resolve now (an unknown upstreamOf, too many hops).
        catalog
            .change_scope(
                &filter,
                limits.default_lineage_depth,
                limits.max_lineage_depth,
                limits.max_lineage_budget,
            )
            .await?;
        let record = catalog
            .register_webhook(&actor, url.as_str(), &input.secret, &filter)
            .await?;
        Ok(Webhook(record))
    }

    /// Deletes a webhook: nothing more is delivered to it.
    async fn delete_webhook(&self, ctx: &Context<'_>, id: i64) -> Result<bool> {
        writer(ctx)?;
        ctx.data::<Catalog>()?.delete_webhook(id).await?;
        Ok(true)
    }

    /// Unpauses a webhook: delivery goes on from where it stopped, at once.
    async fn resume_webhook(&self, ctx: &Context<'_>, id: i64) -> Result<Webhook> {
        writer(ctx)?;
        Ok(Webhook(ctx.data::<Catalog>()?.resume_webhook(id).await?))
    }
}
