//! Webhook delivery: a background task that, when a write of this process commits (at most
//! every [`LEAST_GAP`]) and at least every [`TICK`], asks the catalog which webhooks are due,
//! claims each with a lease (so with several replicas one delivers it), and POSTs the changes
//! its filter matches, in commit order, a batch at a time, signed with HMAC-SHA256 of the body
//! under the webhook's secret (`X-Mlcat-Signature: sha256=<hex>`). A batch is
//! recorded as delivered only after a 2xx answer, so a delivery cut short (a crash, a lost
//! lease) is sent again: at least once, in order. A failure is retried with a backoff that
//! doubles; after `--webhook-max-failures` in a row the webhook is paused and says why. Writes
//! never wait for any of it: delivery reads the feed, which the writes already made.
//!
//! Targets: only http(s) URLs, and, unless `--webhook-allow-private-targets`, only addresses
//! that are not loopback, private, link-local (cloud metadata services live there) or
//! otherwise internal, checked when registered and again at each delivery (a name may be
//! made to resolve elsewhere later). The HTTP client is hyper's, over rustls for https.

use std::collections::HashSet;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use hmac::{Hmac, Mac};
use http_body_util::Full;
use hyper_util::rt::TokioIo;
use serde_json::json;
use sha2::Sha256;
use tokio::io::{AsyncRead, AsyncWrite};

use crate::catalog::webhooks::Claimed;
use crate::catalog::{Catalog, Error};
use crate::config::Limits;

/// How often the deliverer looks for due webhooks when this process commits nothing (other
/// replicas' writes, retries after a backoff).
pub const TICK: Duration = Duration::from_millis(200);

/// The least time between two looks: a write of this process wakes the deliverer at once,
/// but under a stream of commits it looks at most this often, so its own bookkeeping (a
/// lease taken and given back, on SQLite in line with the writes) stays a small share.
const LEAST_GAP: Duration = Duration::from_millis(100);

/// How long a claimed delivery is this process's before another may take it over.
const LEASE_MS: i64 = 30_000;

/// Changes per POST.
const BATCH: u64 = 100;

/// Longest a connection, and an answer, may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
const ANSWER_TIMEOUT: Duration = Duration::from_secs(10);

/// The signature header.
pub const SIGNATURE_HEADER: &str = "x-mlcat-signature";

/// Checks a webhook URL: http or https, with a host; unless `allow_private`, every address
/// the host resolves to must be public. `BAD_USER_INPUT` naming what is wrong.
pub async fn check_target(url: &str, allow_private: bool) -> Result<url::Url, Error> {
    let parsed = url::Url::parse(url)
        .map_err(|e| Error::bad_input(format!("the webhook URL {url:?} is not a URL ({e})")))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(Error::bad_input(format!(
            "the webhook URL {url:?} must be http or https, not {}",
            parsed.scheme()
        )));
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err(Error::bad_input(format!(
            "the webhook URL {url:?} has no host"
        )));
    }
    if !allow_private {
        resolve(&parsed, false)
            .await
            .map_err(|why| Error::bad_input(format!("the webhook URL {url:?} {why}")))?;
    }
    Ok(parsed)
}

/// The addresses a URL's host resolves to; refused if any is internal and not allowed.
async fn resolve(url: &url::Url, allow_private: bool) -> Result<Vec<SocketAddr>, String> {
    let host = url.host_str().unwrap_or_default();
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let port = url.port_or_known_default().unwrap_or(80);
    let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host, port))
        .await
        .map_err(|e| format!("names a host that does not resolve ({e})"))?
        .collect();
    if addrs.is_empty() {
        return Err("names a host that resolves to no address".to_string());
    }
    if !allow_private {
        if let Some(internal) = addrs.iter().find(|a| is_internal(a.ip())) {
            return Err(format!(
                "points at {}, a loopback, private, link-local or metadata address; start the \
                 server with --webhook-allow-private-targets to allow such targets",
                internal.ip()
            ));
        }
    }
    Ok(addrs)
}

/// Loopback, private, shared, link-local (metadata services), unique-local, unspecified or
/// broadcast: an address inside the server's own network.
pub fn is_internal(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(a) => {
            let [first, second, ..] = a.octets();
            a.is_loopback()
                || a.is_private()
                || a.is_link_local()
                || a.is_unspecified()
                || a.is_broadcast()
                || first == 0
                || (first == 100 && (second & 0xc0) == 64)
        }
        IpAddr::V6(a) => {
            let first = a.segments()[0];
            a.is_loopback()
                || a.is_unspecified()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80
                || a.to_ipv4_mapped()
                    .is_some_and(|v4| is_internal(IpAddr::V4(v4)))
        }
    }
}

/// `sha256=<hex>` of HMAC-SHA256 of `body` under `secret`.
pub fn signature(secret: &str, body: &[u8]) -> String {
    // HMAC takes a key of any length.
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else {
        unreachable!("HMAC-SHA256 takes keys of every length")
    };
    mac.update(body);
    let bytes = mac.finalize().into_bytes();
    let mut hex = String::with_capacity(7 + bytes.len() * 2);
    hex.push_str("sha256=");
    for b in bytes {
        hex.push_str(&format!("{b:02x}"));
    }
    hex
}

/// Starts the deliverer; it runs as long as the process.
pub fn spawn(catalog: Catalog, limits: Limits) -> tokio::task::JoinHandle<()> {
    let owner = format!("{:016x}", rand::random::<u64>());
    let in_flight: Arc<Mutex<HashSet<i64>>> = Arc::default();
    let mut commits = catalog.commit_signal();
    tokio::spawn(async move {
        loop {
            let looked = tokio::time::Instant::now();
            match catalog.due_webhooks(&owner).await {
                Ok(due) => {
                    for id in due {
                        let fresh = in_flight
                            .lock()
                            .unwrap_or_else(std::sync::PoisonError::into_inner)
                            .insert(id);
                        if !fresh {
                            continue;
                        }
                        let (catalog, limits, owner, in_flight) = (
                            catalog.clone(),
                            limits.clone(),
                            owner.clone(),
                            in_flight.clone(),
                        );
                        tokio::spawn(async move {
                            if let Err(e) = deliver(&catalog, &limits, &owner, id).await {
                                tracing::warn!(webhook = id, "webhook delivery: {e:?}");
                            }
                            in_flight
                                .lock()
                                .unwrap_or_else(std::sync::PoisonError::into_inner)
                                .remove(&id);
                        });
                    }
                }
                Err(e) => tracing::warn!("listing the webhooks due: {e:?}"),
            }
            let _ = tokio::time::timeout(TICK, commits.changed()).await;
            tokio::time::sleep_until(looked + LEAST_GAP).await;
        }
    })
}

/// Delivers what is due for one webhook as `owner` (a replica), batch by batch, until the feed
/// has nothing more for it now or a delivery fails: one pass, as the deliverer makes for each
/// due webhook at each tick.
pub async fn deliver(
    catalog: &Catalog,
    limits: &Limits,
    owner: &str,
    id: i64,
) -> Result<(), Error> {
    let Some(mut claimed) = catalog.claim_webhook(id, owner, LEASE_MS).await? else {
        return Ok(());
    };
    loop {
        let page = catalog
            .webhook_changes(
                &claimed,
                BATCH,
                limits.default_lineage_depth,
                limits.max_lineage_depth,
                limits.max_lineage_budget,
            )
            .await?;
        let (changes, cursor) = (page.changes, page.cursor);
        if changes.is_empty() {
            if !page.has_more {
                return catalog.webhook_idle(id, owner, cursor).await;
            }
            // A stretch of the feed the filter left out whole, with more after it: on at
            // once, not at the next tick, or a busy feed would outrun the webhook.
            if !catalog
                .webhook_delivered(id, owner, cursor, 0, LEASE_MS)
                .await?
            {
                return Ok(()); // the lease went to another
            }
            claimed.cursor = cursor;
            continue;
        }
        let body = json!({
            "webhookId": id,
            "changes": changes.iter().map(crate::feed::change_json).collect::<Vec<_>>(),
            "cursor": cursor.to_string(),
        })
        .to_string()
        .into_bytes();
        match post(&claimed, body, limits.webhook_allow_private_targets).await {
            Ok(()) => {
                // Recorded with the lease renewed for the next batch, in one statement.
                if !catalog
                    .webhook_delivered(id, owner, cursor, changes.len(), LEASE_MS)
                    .await?
                {
                    return Ok(()); // the lease went to another: it delivers on
                }
                claimed.cursor = cursor;
                claimed.failures = 0;
            }
            Err(why) => {
                let failures = claimed.failures + 1;
                let pause = failures >= i64::from(limits.webhook_max_failures);
                let backoff = limits
                    .webhook_retry_base_ms
                    .saturating_mul(1 << (failures - 1).clamp(0, 16))
                    .min(300_000);
                let retry_at = crate::catalog::now_millis() + backoff as i64;
                tracing::warn!(
                    webhook = id,
                    failures,
                    paused = pause,
                    "webhook delivery to {} failed: {why}",
                    claimed.url
                );
                return catalog
                    .webhook_failed(id, owner, &why, retry_at, pause)
                    .await;
            }
        }
    }
}

/// POSTs `body` to the webhook's URL, signed; `Err` says why it did not take it.
async fn post(claimed: &Claimed, body: Vec<u8>, allow_private: bool) -> Result<(), String> {
    let url = url::Url::parse(&claimed.url).map_err(|e| e.to_string())?;
    let addrs = resolve(&url, allow_private).await?;
    let addr = addrs[0];
    let tcp = tokio::time::timeout(CONNECT_TIMEOUT, tokio::net::TcpStream::connect(addr))
        .await
        .map_err(|_| format!("connecting to {addr} timed out"))?
        .map_err(|e| format!("connecting to {addr}: {e}"))?;
    let host = url.host_str().unwrap_or_default().to_string();
    if url.scheme() == "https" {
        let name = tokio_rustls::rustls::pki_types::ServerName::try_from(
            host.trim_start_matches('[')
                .trim_end_matches(']')
                .to_string(),
        )
        .map_err(|e| e.to_string())?;
        let tls = tokio::time::timeout(CONNECT_TIMEOUT, tls_connector().connect(name, tcp))
            .await
            .map_err(|_| "the TLS handshake timed out".to_string())?
            .map_err(|e| format!("TLS: {e}"))?;
        send(tls, &url, claimed, body).await
    } else {
        send(tcp, &url, claimed, body).await
    }
}

fn tls_connector() -> tokio_rustls::TlsConnector {
    use tokio_rustls::rustls;
    let roots = rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap_or_else(|_| unreachable!("ring supports the default protocol versions"))
    .with_root_certificates(roots)
    .with_no_client_auth();
    tokio_rustls::TlsConnector::from(Arc::new(config))
}

async fn send<S>(stream: S, url: &url::Url, claimed: &Claimed, body: Vec<u8>) -> Result<(), String>
where
    S: AsyncRead + AsyncWrite + Send + Unpin + 'static,
{
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|e| format!("HTTP: {e}"))?;
    tokio::spawn(async move {
        let _ = connection.await;
    });
    let authority = match url.port() {
        Some(port) => format!("{}:{port}", url.host_str().unwrap_or_default()),
        None => url.host_str().unwrap_or_default().to_string(),
    };
    let path = match url.query() {
        Some(q) => format!("{}?{q}", url.path()),
        None => url.path().to_string(),
    };
    let request = hyper::Request::post(path)
        .header(hyper::header::HOST, authority)
        .header(hyper::header::CONTENT_TYPE, "application/json")
        .header(hyper::header::USER_AGENT, "mlcat-webhooks")
        .header(SIGNATURE_HEADER, signature(&claimed.secret, &body))
        .header("x-mlcat-webhook-id", claimed.id.to_string())
        .body(Full::new(Bytes::from(body)))
        .map_err(|e| e.to_string())?;
    let answer = tokio::time::timeout(ANSWER_TIMEOUT, sender.send_request(request))
        .await
        .map_err(|_| format!("no answer within {} s", ANSWER_TIMEOUT.as_secs()))?
        .map_err(|e| format!("HTTP: {e}"))?;
    if answer.status().is_success() {
        Ok(())
    } else {
        Err(format!("the endpoint answered {}", answer.status()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_addresses_are_known() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "::1",
            "fe80::1",
            "fd00:ec2::254",
            "::ffff:127.0.0.1",
        ] {
            assert!(
                is_internal(ip.parse().unwrap_or_else(|_| unreachable!())),
                "{ip}"
            );
        }
        for ip in ["93.184.216.34", "2606:4700::1111", "8.8.8.8"] {
            assert!(
                !is_internal(ip.parse().unwrap_or_else(|_| unreachable!())),
                "{ip}"
            );
        }
    }

    #[test]
    fn signatures_are_hmac_sha256_in_hex() {
        // RFC 4231, test case 2.
        assert_eq!(
            signature("Jefe", b"what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
