//! DataHub's lineage search shapes: `searchAcrossLineage` and `scrollAcrossLineage`, their
//! inputs (with `LineageFlags` and the `degree` filter) and results (each entity with its
//! degree and path). The walk and the search are the catalog's (`Catalog::search_lineage`);
//! this file translates DataHub's inputs to it, and keeps the scroll ids' encoding.
//!
//! A scroll id is self-contained, so any replica can answer the next page: it holds the offset,
//! the time the walk of the first page was made as of (later pages walk the graph as it was
//! then, so the set of entities scrolled over does not move while others write), when it
//! expires, and a fingerprint of the search it was issued for; a checksum over all of it
//! refuses ids mlcat never issued. An id carries no secret and grants nothing: it only saves
//! the client from restating where it was.

use std::sync::Arc;

use async_graphql::{Context, InputObject, Result, SimpleObject};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::search::{
    facet_metadata, matched_name, AggregationMetadata, FacetMetadata, MatchedField,
};
use super::search_inputs::{
    facet_fields, filter, page, types, AndFilterInput, FacetFilterInput, FilterOperator,
    SearchFlags,
};
use super::Entity;
use crate::catalog::{
    Catalog, DegreeBucket, Direction, Error, LineageClause, LineageHit, LineagePage, LineageSearch,
};
use crate::config::Limits;
use crate::graphql::lineage::LineageDirection;
use crate::graphql::scalars::{EntityType, Long};

/// Options of the lineage walk.
#[derive(InputObject, Clone, Debug, Default)]
pub struct LineageFlags {
    /// Accepted; mlcat explores every entity of every hop, within the server's lineage budget,
    /// so the answer holds every entity DataHub's limited exploration would, and more.
    pub entities_explored_per_hop_limit: Option<i32>,
    /// Not supported: mlcat walks the graph as it was at one time (`endTimeMillis`); a start
    /// time is refused (BAD_USER_INPUT).
    pub start_time_millis: Option<Long>,
    /// The graph as it was at this time, in milliseconds since the epoch; now when unset.
    pub end_time_millis: Option<Long>,
    /// Entity types to walk through without counting them as hops; mlcat counts every entity as
    /// a hop, so a non-empty list is refused (BAD_USER_INPUT).
    pub ignore_as_hops: Option<Vec<EntityTypeToPlatforms>>,
}

/// Entities of a type (on some platforms) to walk through without counting them as a hop.
#[derive(InputObject, Clone, Debug)]
pub struct EntityTypeToPlatforms {
    /// The entity type.
    pub entity_type: EntityType,
    /// Platform URNs; all platforms when empty.
    pub platforms: Option<Vec<String>>,
}

/// A search among the entities within some hops of one entity.
#[derive(InputObject, Clone, Debug)]
pub struct SearchAcrossLineageInput {
    /// The URN of the entity to start from; it is not among the results.
    pub urn: Option<String>,
    /// Which way to walk: UPSTREAM towards the data's sources, DOWNSTREAM towards its
    /// consumers, or BOTH (mlcat).
    pub direction: LineageDirection,
    /// The entity types to answer; all when unset or empty. The walk passes through the others.
    pub types: Option<Vec<EntityType>>,
    /// The words to find (all of them, the last as a prefix, case-insensitive); `*` or empty
    /// for every entity.
    pub query: Option<String>,
    /// Index of the first result, from 0.
    pub start: Option<i32>,
    /// How many results to answer; at most the server's page-size cap.
    pub count: Option<i32>,
    /// Conditions that must all hold; prefer `orFilters`.
    #[graphql(deprecation = "Use `orFilters`- they are more expressive")]
    pub filters: Option<Vec<FacetFilterInput>>,
    /// Lists of conditions, any one of which must hold in full. Besides the search's fields,
    /// `degree` (values `1`, `2`, `3+`) keeps the entities that many hops away; without it, every
    /// hop up to the server's maximum lineage depth is walked.
    pub or_filters: Option<Vec<AndFilterInput>>,
    /// Not supported: use `lineageFlags.endTimeMillis`; a start time is refused.
    #[graphql(deprecation = "Use LineageFlags instead")]
    pub start_time_millis: Option<Long>,
    /// The graph as it was at this time; prefer `lineageFlags.endTimeMillis`.
    #[graphql(deprecation = "Use LineageFlags instead")]
    pub end_time_millis: Option<Long>,
    /// Options of the search.
    pub search_flags: Option<SearchFlags>,
    /// Options of the walk.
    pub lineage_flags: Option<LineageFlags>,
}

/// A lineage search answered a page at a time, each page naming the next.
#[derive(InputObject, Clone, Debug)]
pub struct ScrollAcrossLineageInput {
    /// The URN of the entity to start from; it is not among the results.
    pub urn: Option<String>,
    /// Which way to walk: UPSTREAM, DOWNSTREAM, or BOTH (mlcat).
    pub direction: LineageDirection,
    /// The entity types to answer; all when unset or empty.
    pub types: Option<Vec<EntityType>>,
    /// The words to find; `*` or empty for every entity.
    pub query: Option<String>,
    /// The `nextScrollId` of the page before; unset for the first page. Refused when mlcat did
    /// not issue it, when it was issued for another search, or when it has expired.
    pub scroll_id: Option<String>,
    /// How long the scroll id of this page stays valid: a number and a unit (`ms`, `s`, `m`,
    /// `h`), at most a day; `5m` when unset.
    pub keep_alive: Option<String>,
    /// How many results to answer; at most the server's page-size cap.
    pub count: Option<i32>,
    /// Lists of conditions, any one of which must hold in full; `degree` as in
    /// `searchAcrossLineage`.
    pub or_filters: Option<Vec<AndFilterInput>>,
    /// Not supported: use `lineageFlags.endTimeMillis`; a start time is refused.
    pub start_time_millis: Option<Long>,
    /// The graph as it was at this time; prefer `lineageFlags.endTimeMillis`.
    pub end_time_millis: Option<Long>,
    /// Options of the search.
    pub search_flags: Option<SearchFlags>,
    /// Options of the walk.
    pub lineage_flags: Option<LineageFlags>,
}

/// One page of a lineage search.
#[derive(SimpleObject)]
pub struct SearchAcrossLineageResults {
    /// Index of the first result.
    pub start: i32,
    /// How many results this page holds.
    pub count: i32,
    /// How many entities match in all.
    pub total: i32,
    /// The results, best match first (as `searchAcrossEntities` ranks them).
    pub search_results: Vec<SearchAcrossLineageResult>,
    /// Exact counts among all the entities that match: `degree` (`1`, `2`, `3+`), then the
    /// fields `searchAcrossEntities` counts; empty when `searchFlags.skipAggregates` is set.
    pub facets: Option<Vec<FacetMetadata>>,
}

/// One page of a scrolled lineage search.
#[derive(SimpleObject)]
pub struct ScrollAcrossLineageResults {
    /// The scroll id of the next page; null on the last page.
    pub next_scroll_id: Option<String>,
    /// How many results this page holds.
    pub count: i32,
    /// How many entities match in all.
    pub total: i32,
    /// The results.
    pub search_results: Vec<SearchAcrossLineageResult>,
    /// Exact counts among all the entities that match, as in `searchAcrossLineage`.
    pub facets: Option<Vec<FacetMetadata>>,
}

/// One entity of a lineage search, with how it is reached.
#[derive(SimpleObject)]
pub struct SearchAcrossLineageResult {
    /// The entity.
    pub entity: Entity,
    /// Why it matched: `name` when the query's words are in its name.
    pub matched_fields: Vec<MatchedField>,
    /// A shortest path from the start to the entity, both included.
    pub paths: Option<Vec<Option<EntityPath>>>,
    /// Hops from the start along a shortest path.
    pub degree: i32,
    /// The hops it is reached at: its degree (mlcat answers the shortest).
    pub degrees: Option<Vec<i32>>,
    /// Whether the walk went on from this entity (false at the last hop walked).
    pub explored: bool,
    /// Whether it has lineage the walk did not follow, being at the last hop walked.
    pub truncated_children: bool,
    /// Always false: mlcat counts every entity as a hop.
    pub ignored_as_hop: bool,
}

/// A path of entities through the lineage graph.
#[derive(SimpleObject)]
pub struct EntityPath {
    /// The entities, from the start to the result.
    pub path: Option<Vec<Option<Entity>>>,
}

/// The search flags and lineage flags of both inputs, with the start time given either way.
struct Common {
    urn: Option<String>,
    direction: LineageDirection,
    types: Option<Vec<EntityType>>,
    query: Option<String>,
    filters: Option<Vec<FacetFilterInput>>,
    or_filters: Option<Vec<AndFilterInput>>,
    start_time: Option<Long>,
    end_time: Option<Long>,
    search_flags: SearchFlags,
    lineage_flags: LineageFlags,
}

/// The catalog's lineage search of an input, from result `start_at`, walking as of `as_of`
/// unless the input names a time.
fn lineage_search(
    ctx: &Context<'_>,
    input: &Common,
    as_of: Option<i64>,
    start_at: u64,
    count: u64,
) -> Result<LineageSearch, Error> {
    let limits = ctx
        .data::<Limits>()
        .map_err(|_| Error::Internal(anyhow::anyhow!("the schema was built without its limits")))?;
    let urn = input.urn.as_deref().ok_or_else(|| Error::Invalid {
        field: "input.urn".into(),
        message: "input.urn: name the entity whose lineage to search".into(),
    })?;
    let start = crate::urn::Urn::parse(urn).map_err(|e| Error::Invalid {
        field: "input.urn".into(),
        message: format!("input.urn: {e}"),
    })?;
    let flags = &input.lineage_flags;
    if flags.start_time_millis.is_some() || input.start_time.is_some() {
        return Err(Error::Invalid {
            field: "input.lineageFlags.startTimeMillis".into(),
            message: "input.lineageFlags.startTimeMillis: mlcat walks the lineage as it was at \
                      one time; leave the start time out and give endTimeMillis alone"
                .into(),
        });
    }
    if flags.ignore_as_hops.as_ref().is_some_and(|l| !l.is_empty()) {
        return Err(Error::Invalid {
            field: "input.lineageFlags.ignoreAsHops".into(),
            message: "input.lineageFlags.ignoreAsHops: mlcat counts every entity as a hop; \
                      leave ignoreAsHops out"
                .into(),
        });
    }
    if input.search_flags.include_soft_deleted == Some(true) {
        return Err(Error::Invalid {
            field: "input.searchFlags.includeSoftDeleted".into(),
            message: "input.searchFlags.includeSoftDeleted: the lineage walk neither answers nor \
                      passes through soft-deleted entities; leave includeSoftDeleted out"
                .into(),
        });
    }
    if let Some(limit) = flags.entities_explored_per_hop_limit {
        if limit < 1 {
            return Err(Error::Invalid {
                field: "input.lineageFlags.entitiesExploredPerHopLimit".into(),
                message: "input.lineageFlags.entitiesExploredPerHopLimit must be at least 1".into(),
            });
        }
    }
    let as_of = flags
        .end_time_millis
        .or(input.end_time)
        .map(|t| t.0)
        .or(as_of);
    Ok(LineageSearch {
        start,
        direction: Direction::from(input.direction),
        max_depth: limits.max_lineage_depth,
        budget: limits.default_lineage_budget,
        as_of,
        query: input.query.clone().unwrap_or_default(),
        kinds: types(input.types.clone()),
        any_of: clauses(input.filters.clone(), input.or_filters.clone())?,
        facets: facet_fields(ctx, &input.search_flags),
        start_at,
        count,
    })
}

/// The lists of conditions of DataHub's `filters` (all of them) and `orFilters` (any list),
/// each with its `degree` conditions taken out.
fn clauses(
    and: Option<Vec<FacetFilterInput>>,
    or: Option<Vec<AndFilterInput>>,
) -> Result<Vec<LineageClause>, Error> {
    let mut out = Vec::new();
    for (i, all) in or.unwrap_or_default().into_iter().enumerate() {
        let mut clause = LineageClause::default();
        for (j, f) in all.and.unwrap_or_default().into_iter().enumerate() {
            add(&mut clause, &format!("orFilters[{i}].and[{j}]"), f)?;
        }
        out.push(clause);
    }
    if let Some(and) = and.filter(|a| !a.is_empty()) {
        let mut common = LineageClause::default();
        for (j, f) in and.into_iter().enumerate() {
            add(&mut common, &format!("filters[{j}]"), f)?;
        }
        if out.is_empty() {
            out.push(common);
        } else {
            // Both given: each list of orFilters and all of filters.
            for clause in &mut out {
                clause.filters.extend(common.filters.iter().cloned());
                if let Some(d) = &common.degrees {
                    clause.degrees = Some(intersect(clause.degrees.take(), d));
                }
            }
        }
    }
    Ok(out)
}

fn intersect(have: Option<Vec<DegreeBucket>>, with: &[DegreeBucket]) -> Vec<DegreeBucket> {
    match have {
        None => with.to_vec(),
        Some(have) => have.into_iter().filter(|b| with.contains(b)).collect(),
    }
}

/// Adds one condition to a list: a `degree` condition to its degrees, any other to its search
/// filters.
fn add(clause: &mut LineageClause, at: &str, f: FacetFilterInput) -> Result<(), Error> {
    if f.field != "degree" {
        clause.filters.push(filter(at, f)?);
        return Ok(());
    }
    match f.condition.unwrap_or(FilterOperator::Equal) {
        FilterOperator::Equal | FilterOperator::In => {}
        _ => {
            return Err(Error::Invalid {
                field: format!("{at}.condition"),
                message: format!("{at}.condition: a degree filter takes EQUAL or IN"),
            })
        }
    }
    let mut values = f.values.unwrap_or_default();
    values.extend(f.value);
    if values.is_empty() {
        return Err(Error::Invalid {
            field: format!("{at}.values"),
            message: format!("{at}.values: a degree filter needs at least one of 1, 2, 3+"),
        });
    }
    let mut buckets = Vec::new();
    for v in &values {
        let bucket = DegreeBucket::parse(v).ok_or_else(|| Error::Invalid {
            field: format!("{at}.values"),
            message: format!("{at}.values: a degree is 1, 2 or 3+, not {v:?}"),
        })?;
        buckets.push(bucket);
    }
    if f.negated.unwrap_or(false) {
        buckets = DegreeBucket::ALL
            .into_iter()
            .filter(|b| !buckets.contains(b))
            .collect();
    }
    clause.degrees = Some(intersect(clause.degrees.take(), &buckets));
    Ok(())
}

fn result(hit: LineageHit) -> Option<SearchAcrossLineageResult> {
    let matched_fields = matched_name(hit.name_matched, &hit.entity.name);
    let path = hit
        .path
        .into_iter()
        .map(Entity::from_row)
        .collect::<Vec<_>>();
    Some(SearchAcrossLineageResult {
        entity: Entity::from_row(Arc::new(hit.entity))?,
        matched_fields,
        paths: Some(vec![Some(EntityPath { path: Some(path) })]),
        degree: hit.degree as i32,
        degrees: Some(vec![hit.degree as i32]),
        explored: hit.explored,
        truncated_children: hit.truncated_children,
        ignored_as_hop: false,
    })
}

fn facets(page: &mut LineagePage, max_values: usize) -> Vec<FacetMetadata> {
    let mut out = Vec::with_capacity(page.facets.len() + 1);
    if !page.degrees.is_empty() {
        out.push(FacetMetadata {
            field: "degree".into(),
            display_name: Some("Degree".into()),
            entity: None,
            aggregations: page
                .degrees
                .iter()
                .map(|(bucket, n)| AggregationMetadata {
                    value: bucket.as_str().to_string(),
                    count: Long(*n as i64),
                    entity: None,
                    display_name: Some(bucket.as_str().to_string()),
                })
                .collect(),
        });
    }
    out.extend(
        page.facets
            .drain(..)
            .map(|facet| facet_metadata(facet, max_values)),
    );
    out
}

/// `searchAcrossLineage`.
pub async fn search_across_lineage(
    ctx: &Context<'_>,
    input: SearchAcrossLineageInput,
) -> Result<SearchAcrossLineageResults> {
    let (start, count) = page(ctx, input.start, input.count)?;
    let common = Common {
        urn: input.urn,
        direction: input.direction,
        types: input.types,
        query: input.query,
        filters: input.filters,
        or_filters: input.or_filters,
        start_time: input.start_time_millis,
        end_time: input.end_time_millis,
        search_flags: input.search_flags.unwrap_or_default(),
        lineage_flags: input.lineage_flags.unwrap_or_default(),
    };
    let search = lineage_search(ctx, &common, None, start, count)?;
    let mut page = ctx.data::<Catalog>()?.search_lineage(&search).await?;
    let facets = facets(&mut page, common.search_flags.max_values());
    let search_results: Vec<_> = page.hits.into_iter().filter_map(result).collect();
    Ok(SearchAcrossLineageResults {
        start: i32::try_from(start).unwrap_or(i32::MAX),
        count: search_results.len() as i32,
        total: i32::try_from(page.total).unwrap_or(i32::MAX),
        search_results,
        facets: Some(facets),
    })
}

/// `scrollAcrossLineage`.
pub async fn scroll_across_lineage(
    ctx: &Context<'_>,
    input: ScrollAcrossLineageInput,
) -> Result<ScrollAcrossLineageResults> {
    let (_, count) = page(ctx, None, input.count)?;
    let keep_alive = keep_alive(input.keep_alive.as_deref())?;
    let common = Common {
        urn: input.urn,
        direction: input.direction,
        types: input.types,
        query: input.query,
        filters: None,
        or_filters: input.or_filters,
        start_time: input.start_time_millis,
        end_time: input.end_time_millis,
        search_flags: input.search_flags.unwrap_or_default(),
        lineage_flags: input.lineage_flags.unwrap_or_default(),
    };
    let fingerprint = fingerprint(&common);
    let now = now_millis();
    let (offset, walked_at) = match input.scroll_id.as_deref() {
        None => (0, now),
        Some(id) => {
            let cursor = Cursor::decode(id, &fingerprint, now)?;
            (cursor.offset, cursor.walked_at)
        }
    };
    let search = lineage_search(ctx, &common, Some(walked_at), offset, count)?;
    let mut page = ctx.data::<Catalog>()?.search_lineage(&search).await?;
    let facets = facets(&mut page, common.search_flags.max_values());
    let answered = page.hits.len() as u64;
    let search_results: Vec<_> = page.hits.into_iter().filter_map(result).collect();
    let next = offset + answered;
    let next_scroll_id = (answered > 0 && next < page.total).then(|| {
        Cursor {
            offset: next,
            walked_at,
            expires_at: now.saturating_add(keep_alive),
            search: fingerprint.clone(),
        }
        .encode()
    });
    Ok(ScrollAcrossLineageResults {
        next_scroll_id,
        count: search_results.len() as i32,
        total: i32::try_from(page.total).unwrap_or(i32::MAX),
        search_results,
        facets: Some(facets),
    })
}

fn now_millis() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// The longest `keepAlive`: a day.
const MAX_KEEP_ALIVE_MS: i64 = 24 * 60 * 60 * 1000;

/// Milliseconds of a `keepAlive` such as `5m` or `30s`; five minutes when unset.
fn keep_alive(text: Option<&str>) -> Result<i64, Error> {
    let Some(text) = text else {
        return Ok(5 * 60 * 1000);
    };
    let bad = || Error::Invalid {
        field: "input.keepAlive".into(),
        message: format!(
            "input.keepAlive: {text:?} is not a duration of at most a day, such as 30s, 5m or 1h"
        ),
    };
    let t = text.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).ok_or_else(bad)?;
    let (number, unit) = t.split_at(split);
    let n: i64 = number.parse().map_err(|_| bad())?;
    let unit_ms = match unit {
        "ms" => 1,
        "s" => 1000,
        "m" => 60 * 1000,
        "h" => 60 * 60 * 1000,
        "d" => MAX_KEEP_ALIVE_MS,
        _ => return Err(bad()),
    };
    let ms = n.checked_mul(unit_ms).ok_or_else(bad)?;
    if ms <= 0 || ms > MAX_KEEP_ALIVE_MS {
        return Err(bad());
    }
    Ok(ms)
}

/// What a search is, for telling whether a scroll id was issued for it: everything in the
/// input but the page's place, size and keep-alive.
fn fingerprint(input: &Common) -> String {
    let text = format!(
        "{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}",
        input.urn,
        input.direction,
        input.types,
        input.query,
        input.or_filters,
        input.end_time,
        input.search_flags,
        input.lineage_flags.end_time_millis,
        input.lineage_flags.entities_explored_per_hop_limit,
    );
    hex(&Sha256::digest(text.as_bytes())[..12])
}

/// Where a scroll stands.
#[derive(Serialize, Deserialize)]
struct Cursor {
    /// Results already answered.
    #[serde(rename = "o")]
    offset: u64,
    /// The time the walk is made as of, in milliseconds.
    #[serde(rename = "w")]
    walked_at: i64,
    /// When the id stops being valid, in milliseconds.
    #[serde(rename = "x")]
    expires_at: i64,
    /// The fingerprint of the search.
    #[serde(rename = "s")]
    search: String,
}

/// Marks scroll ids of lineage searches, and their version.
const PREFIX: &str = "mlcat-lineage-1.";

impl Cursor {
    fn checksum(body: &str) -> String {
        let mut h = Sha256::new();
        h.update(PREFIX.as_bytes());
        h.update(body.as_bytes());
        hex(&h.finalize()[..8])
    }

    fn encode(&self) -> String {
        // A Cursor always serializes; an empty body would only be refused when sent back.
        let body = hex(serde_json::to_string(self).unwrap_or_default().as_bytes());
        format!("{PREFIX}{body}.{}", Cursor::checksum(&body))
    }

    fn decode(id: &str, search: &str, now: i64) -> Result<Cursor, Error> {
        let refused = |why: &str| Error::Invalid {
            field: "input.scrollId".into(),
            message: format!(
                "input.scrollId: {why}; start again without a scrollId to get a new one"
            ),
        };
        let never = || refused("this scroll id was not issued by a lineage search of mlcat");
        let rest = id.strip_prefix(PREFIX).ok_or_else(never)?;
        let (body, sum) = rest.split_once('.').ok_or_else(never)?;
        if Cursor::checksum(body) != sum {
            return Err(never());
        }
        let bytes = unhex(body).ok_or_else(never)?;
        let cursor: Cursor = serde_json::from_slice(&bytes).map_err(|_| never())?;
        if cursor.search != search {
            return Err(refused(
                "this scroll id was issued for another search (another URN, direction, query, \
                 filter or flag)",
            ));
        }
        if now > cursor.expires_at {
            return Err(refused("this scroll id has expired (see keepAlive)"));
        }
        Ok(cursor)
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if text.len() % 2 != 0 {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

/// The page size a lineage search asks for, for pricing its complexity: each result also
/// answers a path of entities.
pub fn lineage_page(count: Option<i32>) -> usize {
    count.map_or(10, |c| c.max(0) as usize)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keep_alive_takes_a_number_and_a_unit() {
        assert_eq!(keep_alive(None).unwrap(), 300_000);
        assert_eq!(keep_alive(Some("30s")).unwrap(), 30_000);
        assert_eq!(keep_alive(Some("1h")).unwrap(), 3_600_000);
        for bad in [
            "",
            "5",
            "m",
            "-5m",
            "2d",
            "99999999999999999999h",
            "5 minutes",
        ] {
            assert!(keep_alive(Some(bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_scroll_id_is_checked_for_origin_search_and_age() {
        let id = Cursor {
            offset: 20,
            walked_at: 5,
            expires_at: 1000,
            search: "abc".into(),
        }
        .encode();
        let back = Cursor::decode(&id, "abc", 999).unwrap();
        assert_eq!((back.offset, back.walked_at), (20, 5));
        assert!(Cursor::decode(&id, "abd", 999).is_err());
        assert!(Cursor::decode(&id, "abc", 1001).is_err());
        let forged = id.replacen("7b", "7c", 1);
        assert!(Cursor::decode(&forged, "abc", 999).is_err());
        assert!(Cursor::decode("not-an-id", "abc", 999).is_err());
    }
}
