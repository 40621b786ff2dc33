//! `scrollAcrossEntities` in DataHub's shape: its input, `ScrollResults`, and the scroll id, an
//! opaque token that carries where the next page starts (the catalog's keyset cursor), which
//! search it belongs to, and when it expires.
//!
//! The token holds everything, so no state is kept between requests (any replica can answer
//! the next page; nothing is shared but the database). It is hex of a small JSON document and a
//! check value: a SHA-256 over the document, the query, types, filters, order and flags it was
//! issued for. A token that was never issued, was altered, or is given with another search
//! fails the check and is refused naming `scrollId`. The check is not a secret: forging one
//! could only move a cursor within the forger's own search, which reads nothing they could not
//! read by searching.

use std::time::{SystemTime, UNIX_EPOCH};

use async_graphql::{Context, InputObject, Result, SimpleObject};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::search::{results, FacetMetadata, SearchResult};
use super::search_inputs::{
    facet_fields, filters, refuse_view, sort, types, AndFilterInput, SearchFlags, SearchSortInput,
};
use crate::catalog::{Catalog, Cursor, Error, SearchRequest, MAX_KEEP_ALIVE_MS};
use crate::config::Limits;
use crate::graphql::scalars::EntityType;

/// A scroll through the entities a search matches, one page per request.
#[derive(InputObject, Clone, Debug)]
pub struct ScrollAcrossEntitiesInput {
    /// The entity types to search; all when unset or empty.
    pub types: Option<Vec<EntityType>>,
    /// The words to find (all of them, the last as a prefix, case-insensitive); `*` or empty
    /// for every entity. Other characters separate words; at most 1,000 characters.
    pub query: String,
    /// Where to go on: the `nextScrollId` of the previous page, with the same query, types,
    /// filters, order and flags; unset for the first page.
    pub scroll_id: Option<String>,
    /// How long the scroll id this page answers stays valid, as a number and a unit (`ms`,
    /// `s`, `m`, `h`, `d`: `30s`, `5m`); 5 minutes when unset, at most a day.
    pub keep_alive: Option<String>,
    /// How many results to answer; a count over the server's page-size cap answers a page of
    /// the cap (follow `nextScrollId` for the rest).
    pub count: Option<i32>,
    /// Lists of conditions, any one of which must hold in full.
    pub or_filters: Option<Vec<AndFilterInput>>,
    /// A view to apply; mlcat has no views, so a view URN is BAD_USER_INPUT.
    pub view_urn: Option<String>,
    /// Options.
    pub search_flags: Option<SearchFlags>,
    /// The order: by `name` (the default) or `createdAt`, ascending or descending. Orders that
    /// change as entities are edited (`_score`, `lastModifiedAt`) are refused, since a scroll
    /// through them could show an entity twice.
    pub sort_input: Option<SearchSortInput>,
}

/// One page of a scroll.
#[derive(SimpleObject)]
pub struct ScrollResults {
    /// The scroll id of the next page; null after the last page.
    pub next_scroll_id: Option<String>,
    /// How many results this page holds.
    pub count: i32,
    /// How many entities match the query and filters in all, now.
    pub total: i32,
    /// The results, in the scroll's order. An entity that matches for the whole scroll is on
    /// exactly one page, however the catalog is written meanwhile; one written or changed to
    /// match during the scroll is on a later page if its place in the order is still ahead.
    pub search_results: Vec<SearchResult>,
    /// Exact counts of the facet values among all the entities that match (on every page);
    /// empty when `searchFlags.skipAggregates` is set.
    pub facets: Option<Vec<FacetMetadata>>,
}

/// What a scroll id says.
#[derive(Serialize, Deserialize)]
struct Token {
    /// The sort key the next page starts after: `[name, urn]` or `[createdAt, urn]`.
    #[serde(rename = "n", skip_serializing_if = "Option::is_none")]
    name: Option<(String, String)>,
    #[serde(rename = "c", skip_serializing_if = "Option::is_none")]
    created: Option<(i64, String)>,
    /// When it expires, in milliseconds since the epoch.
    #[serde(rename = "x")]
    expires: i64,
}

/// The default keep-alive, in milliseconds.
const DEFAULT_KEEP_ALIVE_MS: i64 = 5 * 60 * 1000;

/// The check value's length, in bytes.
const CHECK_BYTES: usize = 12;

fn now_millis() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// A keep-alive in milliseconds, refused naming `keepAlive` unless it is a number and a unit
/// within a day.
fn keep_alive(text: Option<&str>) -> Result<i64, Error> {
    let Some(text) = text else {
        return Ok(DEFAULT_KEEP_ALIVE_MS);
    };
    let bad = || Error::Invalid {
        field: "input.keepAlive".into(),
        message: format!(
            "input.keepAlive: {:?} is not a duration; give a number and a unit (ms, s, m, h, \
             d), e.g. 5m, at most 1d",
            text.chars().take(40).collect::<String>()
        ),
    };
    let t = text.trim();
    let digits = t.chars().take_while(char::is_ascii_digit).count();
    let (number, unit) = t.split_at(digits);
    let n: i64 = number.parse().map_err(|_| bad())?;
    let unit_ms = match unit {
        "ms" => 1,
        "s" => 1_000,
        "m" => 60_000,
        "h" => 3_600_000,
        "d" => 86_400_000,
        _ => return Err(bad()),
    };
    let ms = n.checked_mul(unit_ms).ok_or_else(bad)?;
    if ms > MAX_KEEP_ALIVE_MS {
        return Err(bad());
    }
    Ok(ms)
}

/// The check value of a token's document for a search.
fn check(document: &[u8], search: &str) -> Vec<u8> {
    let mut h = Sha256::new();
    h.update(b"mlcat scroll id 1\0");
    h.update((search.len() as u64).to_be_bytes());
    h.update(search.as_bytes());
    h.update(document);
    h.finalize()[..CHECK_BYTES].to_vec()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if text.len() % 2 != 0 || !text.is_ascii() {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).ok())
        .collect()
}

/// The scroll id of a cursor, for the search `search` (its canonical text).
fn issue(cursor: Cursor, search: &str, expires: i64) -> String {
    let token = match cursor {
        Cursor::Name(name, urn) => Token {
            name: Some((name, urn)),
            created: None,
            expires,
        },
        Cursor::Created(at, urn) => Token {
            name: None,
            created: Some((at, urn)),
            expires,
        },
    };
    // Serialising a struct of strings and numbers cannot fail.
    let document = serde_json::to_vec(&token).unwrap_or_default();
    let mut bytes = check(&document, search);
    bytes.extend_from_slice(&document);
    hex(&bytes)
}

/// The cursor of a scroll id given with the search `search`; refused naming `scrollId` when it
/// was not issued for this search, or has expired.
fn redeem(id: &str, search: &str, now: i64) -> Result<Cursor, Error> {
    let refused = |why: &str| Error::Invalid {
        field: "input.scrollId".into(),
        message: format!("input.scrollId {why}; start again without scrollId"),
    };
    let bytes = unhex(id.trim()).filter(|b| b.len() > CHECK_BYTES);
    let Some(bytes) = bytes else {
        return Err(refused("is not a scroll id this server issued"));
    };
    let (given, document) = bytes.split_at(CHECK_BYTES);
    if given != check(document, search).as_slice() {
        return Err(refused(
            "was not issued for this query, these types, filters, order and flags",
        ));
    }
    let token: Token = serde_json::from_slice(document)
        .map_err(|_| refused("is not a scroll id this server issued"))?;
    if now >= token.expires {
        return Err(refused("has expired (see keepAlive)"));
    }
    match (token.name, token.created) {
        (Some((name, urn)), None) => Ok(Cursor::Name(name, urn)),
        (None, Some((at, urn))) => Ok(Cursor::Created(at, urn)),
        _ => Err(refused("is not a scroll id this server issued")),
    }
}

/// `scrollAcrossEntities`.
pub async fn scroll_across_entities(
    ctx: &Context<'_>,
    input: ScrollAcrossEntitiesInput,
) -> Result<ScrollResults> {
    let limits = ctx.data::<Limits>()?;
    let count = input
        .count
        .unwrap_or(limits.default_page_size.min(limits.max_page_size) as i32);
    if count < 0 {
        return Err(Error::Invalid {
            field: "input.count".into(),
            message: "input.count must not be negative".into(),
        }
        .into());
    }
    // A page larger than the cap is cut to the cap rather than refused: a scroll's pages may
    // be smaller than asked, and DataHub's clients ask for 5,000 (get_urns_by_filter) and
    // follow nextScrollId to the end.
    let count = (count as u64).min(limits.max_page_size);
    refuse_view(&input.view_urn)?;
    let keep = keep_alive(input.keep_alive.as_deref())?;
    let flags = input.search_flags.unwrap_or_default();
    let mut kinds = types(input.types);
    kinds.sort_by_key(|k| k.as_str().to_string());
    kinds.dedup();
    let request = SearchRequest {
        query: input.query,
        kinds,
        any_of: filters(None, input.or_filters)?,
        facets: facet_fields(ctx, &flags),
        sort: sort(input.sort_input)?,
        include_removed: flags.include_soft_deleted.unwrap_or(false),
        start: 0,
        count,
        within: None,
    };
    // What a scroll id is bound to: everything that decides which entities match, and their
    // order (not the page size, the facets or the keep-alive, which may change between pages).
    let search = format!(
        "{:?}\u{0}{:?}\u{0}{:?}\u{0}{:?}\u{0}{}",
        request.query.trim(),
        request.kinds,
        request.any_of,
        request.sort,
        request.include_removed
    );
    let now = now_millis();
    let after = match input.scroll_id.as_deref().filter(|s| !s.is_empty()) {
        Some(id) => Some(redeem(id, &search, now)?),
        None => None,
    };
    let catalog = ctx.data::<Catalog>()?;
    let scrolled = catalog.scroll(&request, after.as_ref()).await?;
    crate::graphql::loaders::charge(ctx, scrolled.page.hits.len())?;
    let page = results(0, scrolled.page, flags.max_values());
    Ok(ScrollResults {
        next_scroll_id: scrolled
            .next
            .map(|c| issue(c, &search, now.saturating_add(keep))),
        count: page.count,
        total: page.total,
        search_results: page.search_results,
        facets: page.facets,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keep_alive_takes_a_number_and_a_unit_within_a_day() {
        assert_eq!(keep_alive(None).unwrap(), 300_000);
        assert_eq!(keep_alive(Some("30s")).unwrap(), 30_000);
        assert_eq!(keep_alive(Some("5m")).unwrap(), 300_000);
        assert_eq!(keep_alive(Some("1d")).unwrap(), 86_400_000);
        for bad in [
            "",
            "5",
            "m",
            "5 minutes",
            "-1s",
            "2d",
            "99999999999999999999s",
        ] {
            assert!(keep_alive(Some(bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_scroll_id_answers_only_its_own_search_until_it_expires() {
        let cursor = Cursor::Name("churn".into(), "urn:li:mlModel:x".into());
        let id = issue(cursor.clone(), "search a", 1_000);
        assert_eq!(redeem(&id, "search a", 999).unwrap(), cursor);
        assert!(redeem(&id, "search b", 999).is_err());
        assert!(redeem(&id, "search a", 1_000).is_err());
        let mut altered = id.clone().into_bytes();
        let last = altered.len() - 1;
        altered[last] = if altered[last] == b'0' { b'1' } else { b'0' };
        assert!(redeem(&String::from_utf8(altered).unwrap(), "search a", 999).is_err());
        for garbage in ["", "zz", "00", "é", &"ab".repeat(40)] {
            assert!(redeem(garbage, "search a", 999).is_err(), "{garbage}");
        }
    }
}
