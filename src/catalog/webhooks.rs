//! Webhooks as the catalog keeps them: registered with a URL, a secret and a change-feed
//! filter, starting at the feed's head; their delivery state (the cursor delivered up to,
//! failures in a row, backoff, paused and why) in the database. The HTTP side of delivery is
//! `crate::webhooks`; it asks the catalog what is due, claims it, reads the changes and
//! records the outcome here.

use serde_json::{json, Value};

use super::feed::{ChangeFilter, ChangePage, FeedCursor};
use super::{Actor, Catalog, Error, Result};
use crate::store::{now_millis, webhook};
use crate::urn::Urn;

/// A registered webhook, without its secret.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WebhookRecord {
    pub id: i64,
    pub url: String,
    /// The filter as given, as JSON (`entityTypes`, `urns`, `aspects`, `upstreamOf`, `hops`).
    pub filter: Value,
    /// The change feed's cursor it has been delivered up to.
    pub cursor: String,
    pub failures: i64,
    pub paused: bool,
    pub last_error: Option<String>,
    /// Not retried before this time (milliseconds) after a failure.
    pub next_attempt_at: i64,
    pub delivered: i64,
    pub created_at: i64,
    pub actor: String,
}

impl From<webhook::Model> for WebhookRecord {
    fn from(row: webhook::Model) -> WebhookRecord {
        WebhookRecord {
            id: row.id,
            url: row.url,
            filter: serde_json::from_str(&row.filter).unwrap_or(Value::Null),
            cursor: row.cursor,
            failures: row.failures,
            paused: row.paused,
            last_error: row.last_error,
            next_attempt_at: row.next_attempt_at,
            delivered: row.delivered,
            created_at: row.created_at,
            actor: row.actor,
        }
    }
}

/// A webhook's delivery, claimed: what to send and where.
#[derive(Clone, Debug)]
pub struct Claimed {
    pub id: i64,
    pub url: String,
    pub secret: String,
    pub cursor: FeedCursor,
    pub failures: i64,
    pub filter: ChangeFilter,
}

/// The filter as stored.
fn filter_json(f: &ChangeFilter) -> Value {
    json!({
        "entityTypes": f.entity_types.iter().map(|k| k.as_str()).collect::<Vec<_>>(),
        "urns": f.urns.iter().map(|u| u.as_str()).collect::<Vec<_>>(),
        "aspects": f.aspects,
        "upstreamOf": f.upstream_of.as_ref().map(|u| u.as_str()),
        "hops": f.hops,
    })
}

/// The filter from its stored form.
fn filter_of(text: &str) -> Result<ChangeFilter> {
    let v: Value = serde_json::from_str(text).map_err(|e| anyhow::anyhow!(e))?;
    let strings = |key: &str| -> Vec<String> {
        v[key]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|s| s.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    };
    Ok(ChangeFilter {
        entity_types: strings("entityTypes")
            .iter()
            .map(|t| super::feed::entity_type(t))
            .collect::<Result<_>>()?,
        urns: strings("urns")
            .iter()
            .map(|u| Urn::parse(u))
            .collect::<std::result::Result<_, _>>()?,
        aspects: strings("aspects"),
        upstream_of: v["upstreamOf"].as_str().map(Urn::parse).transpose()?,
        hops: v["hops"].as_u64().map(|h| h as u32),
    })
}

impl Catalog {
    /// Registers a webhook: the changes `filter` matches from now on go to `url`, signed
    /// with `secret`. The caller has checked the URL (`crate::webhooks::check_target`).
    pub async fn register_webhook(
        &self,
        actor: &Actor,
        url: &str,
        secret: &str,
        filter: &ChangeFilter,
    ) -> Result<WebhookRecord> {
        if secret.len() < 16 {
            return Err(Error::bad_input(
                "secret must be at least 16 characters: the receiver checks each delivery's \
                 signature with it",
            ));
        }
        let head = self.change_head().await?;
        let row = webhook::insert(
            &self.db,
            webhook::NewWebhook {
                url: url.to_string(),
                secret: secret.to_string(),
                filter: filter_json(filter).to_string(),
                cursor: head.to_string(),
                actor: actor.name.clone(),
            },
            now_millis(),
        )
        .await?;
        Ok(row.into())
    }

    pub async fn webhooks(&self) -> Result<Vec<WebhookRecord>> {
        Ok(webhook::all(&self.db)
            .await?
            .into_iter()
            .map(WebhookRecord::from)
            .collect())
    }

    /// Deletes a webhook; `NOT_FOUND` when there is none.
    pub async fn delete_webhook(&self, id: i64) -> Result<()> {
        if webhook::delete(&self.db, id).await? {
            Ok(())
        } else {
            Err(Error::NotFound(format!("no webhook with id {id}")))
        }
    }

    /// Unpauses a webhook (its failures forgotten, due now); `NOT_FOUND` when there is none.
    pub async fn resume_webhook(&self, id: i64) -> Result<WebhookRecord> {
        if !webhook::resume(&self.db, id).await? {
            return Err(Error::NotFound(format!("no webhook with id {id}")));
        }
        webhook::by_id(&self.db, id)
            .await?
            .map(WebhookRecord::from)
            .ok_or_else(|| Error::NotFound(format!("no webhook with id {id}")))
    }

    /// The webhooks due for a delivery by `owner` now (those it holds the lease of included).
    pub async fn due_webhooks(&self, owner: &str) -> Result<Vec<i64>> {
        Ok(webhook::due(&self.db, now_millis(), owner).await?)
    }

    /// Claims a due webhook's delivery for `owner` for `lease_ms`; `None` when another has it
    /// or it is no longer due.
    pub async fn claim_webhook(
        &self,
        id: i64,
        owner: &str,
        lease_ms: i64,
    ) -> Result<Option<Claimed>> {
        let now = now_millis();
        let Some(row) = webhook::claim(self.writing_db(), id, owner, now, now + lease_ms).await?
        else {
            return Ok(None);
        };
        Ok(Some(Claimed {
            id: row.id,
            cursor: FeedCursor::parse(&row.cursor)?,
            filter: filter_of(&row.filter)?,
            url: row.url,
            secret: row.secret,
            failures: row.failures,
        }))
    }

    /// The next changes to deliver for a claimed webhook, at most `limit`: the page's cursor is
    /// the one to record once they are delivered (past changes the filter left out too), and
    /// `has_more` says the feed holds more now (a page may be empty of matches and still not
    /// reach the feed's head).
    pub async fn webhook_changes(
        &self,
        claimed: &Claimed,
        limit: u64,
        default_depth: u32,
        max_depth: u32,
        budget: usize,
    ) -> Result<ChangePage> {
        let scope = self
            .change_scope(&claimed.filter, default_depth, max_depth, budget)
            .await?;
        self.changes_after(claimed.cursor, limit, &scope).await
    }

    /// Records delivered changes (or a stretch of the feed the filter left out, `count` 0): the
    /// webhook's cursor moves to `cursor` and the lease is renewed for `lease_ms`. False when
    /// the lease was lost meanwhile (another replica delivers from the old cursor again: at
    /// least once).
    pub async fn webhook_delivered(
        &self,
        id: i64,
        owner: &str,
        cursor: FeedCursor,
        count: usize,
        lease_ms: i64,
    ) -> Result<bool> {
        let (cursor, until) = (cursor.to_string(), now_millis() + lease_ms);
        Ok(webhook::delivered(self.writing_db(), id, owner, &cursor, count as i64, until).await?)
    }

    /// Records a failed delivery, retried at `retry_at` (milliseconds), or paused.
    pub async fn webhook_failed(
        &self,
        id: i64,
        owner: &str,
        error: &str,
        retry_at: i64,
        pause: bool,
    ) -> Result<()> {
        Ok(webhook::failed(self.writing_db(), id, owner, error, retry_at, pause).await?)
    }

    /// Gives up a webhook's lease, its cursor at `cursor` (past changes the filter left out).
    pub async fn webhook_idle(&self, id: i64, owner: &str, cursor: FeedCursor) -> Result<()> {
        Ok(webhook::release(self.writing_db(), id, owner, &cursor.to_string()).await?)
    }
}
