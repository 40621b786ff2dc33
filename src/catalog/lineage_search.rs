//! Lineage search: the entities within some hops of one entity, upstream or downstream, found
//! by the lineage walk (with its budget) and then searched like any search (words, filters,
//! facets), each with its degree (hops from the start) and the path the walk reached it by.
//! DataHub's `degree` filter (1, 2, 3+) may differ between the lists of conditions of one
//! search; the walk goes as deep as the deepest asks.

use std::collections::HashMap;
use std::sync::Arc;

use super::lineage::{Direction, TraversalSpec};
use super::records::{EntityId, EntityRecord};
use super::search::{Facet, FieldFilter, SearchField, SearchRequest};
use super::{Catalog, Error, Result};
use crate::urn::{EntityKind, Urn};

/// A group of degrees DataHub's `degree` filter and facet name: one hop, two hops, three or
/// more.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DegreeBucket {
    /// `1`.
    One,
    /// `2`.
    Two,
    /// `3+`.
    ThreeOrMore,
}

impl DegreeBucket {
    /// The buckets, nearest first.
    pub const ALL: [DegreeBucket; 3] = [
        DegreeBucket::One,
        DegreeBucket::Two,
        DegreeBucket::ThreeOrMore,
    ];

    /// The bucket of a filter or facet value (`1`, `2`, `3+`).
    pub fn parse(value: &str) -> Option<DegreeBucket> {
        Some(match value.trim() {
            "1" => DegreeBucket::One,
            "2" => DegreeBucket::Two,
            "3+" => DegreeBucket::ThreeOrMore,
            _ => return None,
        })
    }

    /// The value DataHub spells the bucket with.
    pub fn as_str(self) -> &'static str {
        match self {
            DegreeBucket::One => "1",
            DegreeBucket::Two => "2",
            DegreeBucket::ThreeOrMore => "3+",
        }
    }

    /// The bucket of a number of hops (at least 1).
    pub fn of(degree: u32) -> DegreeBucket {
        match degree {
            0 | 1 => DegreeBucket::One,
            2 => DegreeBucket::Two,
            _ => DegreeBucket::ThreeOrMore,
        }
    }
}

/// One list of conditions of a lineage search: the search conditions, and the degrees it
/// accepts (`None`: every degree).
#[derive(Clone, Debug, Default)]
pub struct LineageClause {
    pub filters: Vec<FieldFilter>,
    pub degrees: Option<Vec<DegreeBucket>>,
}

/// A lineage search.
#[derive(Clone, Debug)]
pub struct LineageSearch {
    /// The entity to start from; it is not among the answers.
    pub start: Urn,
    pub direction: Direction,
    /// Hops a list asking for `3+` (or for any degree) walks: the server's maximum depth.
    pub max_depth: u32,
    /// Most entities the walk may reach: a lineage with more within the hops asked is refused
    /// rather than answered in part, so totals and facets are exact.
    pub budget: usize,
    /// The graph as it was at this time, in milliseconds (now when `None`).
    pub as_of: Option<i64>,
    /// What a person typed; empty or `*` for every entity.
    pub query: String,
    /// Entity types to answer; empty for all.
    pub kinds: Vec<EntityKind>,
    /// Any one of these lists must hold in full; empty for no condition.
    pub any_of: Vec<LineageClause>,
    /// The facets to count besides `degree`; `degree` is counted when this is not empty.
    pub facets: Vec<SearchField>,
    pub start_at: u64,
    pub count: u64,
}

/// One entity a lineage search found.
#[derive(Clone, Debug)]
pub struct LineageHit {
    pub entity: EntityRecord,
    /// Whether the query's words are in the entity's name.
    pub name_matched: bool,
    /// Hops from the start along the shortest path.
    pub degree: u32,
    /// The entities from the start to this one (both included) along the path the walk
    /// reached it by, a shortest one.
    pub path: Vec<Arc<EntityRecord>>,
    /// Whether the walk went on from this entity (it lies nearer than the depth walked).
    pub explored: bool,
    /// Whether it has edges the walk did not follow for the depth.
    pub truncated_children: bool,
}

/// One page of a lineage search.
#[derive(Clone, Debug)]
pub struct LineagePage {
    pub hits: Vec<LineageHit>,
    /// How many entities match in all.
    pub total: u64,
    /// The facets asked for, exact.
    pub facets: Vec<Facet>,
    /// `(bucket, how many matching entities are in it)`, nearest first, buckets with none left
    /// out; empty when no facets were asked.
    pub degrees: Vec<(DegreeBucket, u64)>,
}

impl LineageClause {
    /// Whether this list accepts entities `degree` hops away.
    fn accepts(&self, degree: u32) -> bool {
        self.degrees
            .as_ref()
            .is_none_or(|d| d.contains(&DegreeBucket::of(degree)))
    }

    /// The hops a walk must go for this list.
    fn depth(&self, max_depth: u32) -> u32 {
        match &self.degrees {
            None => max_depth,
            Some(d) if d.contains(&DegreeBucket::ThreeOrMore) => max_depth,
            Some(d) if d.contains(&DegreeBucket::Two) => 2.min(max_depth),
            Some(d) if d.contains(&DegreeBucket::One) => 1,
            Some(_) => 0,
        }
    }
}

impl Catalog {
    /// The entities within the hops asked of `search.start`, in `search.direction`, that match
    /// the search; best match first as in [`Catalog::search`]. An unknown or soft-deleted start
    /// and a lineage larger than the budget are refused as bad input.
    pub async fn search_lineage(&self, search: &LineageSearch) -> Result<LineagePage> {
        let clauses: Vec<LineageClause> = if search.any_of.is_empty() {
            vec![LineageClause::default()]
        } else {
            search.any_of.clone()
        };
        let depth = clauses
            .iter()
            .map(|c| c.depth(search.max_depth))
            .max()
            .unwrap_or(0);
        let mut reached: HashMap<EntityId, (u32, EntityId)> = HashMap::new();
        let mut records: HashMap<EntityId, Arc<EntityRecord>> = HashMap::new();
        let mut cut_off = Default::default();
        if depth > 0 {
            let spec = TraversalSpec {
                start: search.start.clone(),
                direction: search.direction,
                depth,
                // One more than the budget, to tell a lineage of exactly the budget from a
                // larger one.
                budget: search.budget.saturating_add(1),
                relations: None,
                as_of: search.as_of,
            };
            let walk = self.traverse(&spec).await.map_err(|e| match e {
                Error::NotFound(message) => Error::Invalid {
                    field: "input.urn".into(),
                    message: format!("input.urn: {message}"),
                },
                other => other,
            })?;
            if walk.nodes.len() > search.budget {
                return Err(Error::BadInput(format!(
                    "the lineage of {} has more than {} entities within {depth} hops, more than a \
                     lineage search may walk (--default-lineage-budget); ask for fewer hops with \
                     the degree filter (values 1 or 2)",
                    search.start, search.budget
                )));
            }
            records.insert(walk.root.id, walk.root.clone());
            for n in &walk.nodes {
                let previous = if n.via.destination == n.entity.id {
                    n.via.source
                } else {
                    n.via.destination
                };
                reached.insert(n.entity.id, (n.degree, previous));
                records.insert(n.entity.id, n.entity.clone());
            }
            cut_off = walk.cut_off;
        } else if self.entity(&search.start).await?.is_none_or(|r| r.removed) {
            return Err(Error::Invalid {
                field: "input.urn".into(),
                message: format!("input.urn: no entity with URN {}", search.start),
            });
        }
        let within_of = |accept: &dyn Fn(u32) -> bool| -> Vec<Vec<EntityId>> {
            clauses
                .iter()
                .map(|c| {
                    let mut ids: Vec<EntityId> = reached
                        .iter()
                        .filter(|(_, (d, _))| c.accepts(*d) && accept(*d))
                        .map(|(id, _)| *id)
                        .collect();
                    ids.sort_unstable_by_key(|id| id.0);
                    ids
                })
                .collect()
        };
        let any_of: Vec<Vec<FieldFilter>> = if search.any_of.is_empty() {
            Vec::new()
        } else {
            clauses.iter().map(|c| c.filters.clone()).collect()
        };
        let request = SearchRequest {
            query: search.query.clone(),
            kinds: search.kinds.clone(),
            any_of: any_of.clone(),
            facets: search.facets.clone(),
            within: Some(within_of(&|_| true)),
            start: search.start_at,
            count: search.count,
            ..SearchRequest::default()
        };
        let page = self.search(&request).await?;
        // The degree facet: how many of the matching entities are in each bucket, one count
        // each, for the buckets the walk reached at all.
        let mut degrees = Vec::new();
        if !search.facets.is_empty() && page.total > 0 {
            for bucket in DegreeBucket::ALL {
                if !reached
                    .values()
                    .any(|(d, _)| DegreeBucket::of(*d) == bucket)
                {
                    continue;
                }
                let counted = SearchRequest {
                    facets: Vec::new(),
                    within: Some(within_of(&|d| DegreeBucket::of(d) == bucket)),
                    start: 0,
                    count: 0,
                    ..request.clone()
                };
                let n = self.search(&counted).await?.total;
                if n > 0 {
                    degrees.push((bucket, n));
                }
            }
        }
        let path_to = |id: EntityId| -> Vec<Arc<EntityRecord>> {
            let mut path = Vec::new();
            let mut at = id;
            // Each step goes one hop nearer the start, so this ends within the depth.
            while let Some(record) = records.get(&at) {
                path.push(record.clone());
                match reached.get(&at) {
                    Some((_, previous)) => at = *previous,
                    None => break,
                }
            }
            path.reverse();
            path
        };
        let hits = page
            .hits
            .into_iter()
            .filter_map(|hit| {
                let (degree, _) = *reached.get(&hit.entity.id)?;
                Some(LineageHit {
                    path: path_to(hit.entity.id),
                    degree,
                    explored: degree < depth,
                    truncated_children: cut_off.contains(&hit.entity.id),
                    name_matched: hit.name_matched,
                    entity: hit.entity,
                })
            })
            .collect();
        Ok(LineagePage {
            hits,
            total: page.total,
            facets: page.facets,
            degrees,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn degrees_fall_in_datahubs_buckets() {
        assert_eq!(DegreeBucket::of(1), DegreeBucket::One);
        assert_eq!(DegreeBucket::of(2), DegreeBucket::Two);
        assert_eq!(DegreeBucket::of(7), DegreeBucket::ThreeOrMore);
        assert_eq!(DegreeBucket::parse("3+"), Some(DegreeBucket::ThreeOrMore));
        assert_eq!(DegreeBucket::parse("3"), None);
    }

    #[test]
    fn a_list_walks_as_deep_as_its_degrees_ask() {
        let only = |d: &[DegreeBucket]| LineageClause {
            filters: Vec::new(),
            degrees: Some(d.to_vec()),
        };
        assert_eq!(only(&[DegreeBucket::One]).depth(10), 1);
        assert_eq!(only(&[DegreeBucket::One, DegreeBucket::Two]).depth(10), 2);
        assert_eq!(only(&[DegreeBucket::ThreeOrMore]).depth(10), 10);
        assert_eq!(only(&[]).depth(10), 0);
        assert_eq!(LineageClause::default().depth(4), 4);
    }
}
