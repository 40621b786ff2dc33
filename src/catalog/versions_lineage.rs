//! A version's registered lineage: the upstream closure of a version as it stood when the
//! version was registered (its `versionProperties.metadataCreatedTimestamp`, the lineage walk's
//! `as_of`), and the difference between two versions' registered lineage: the upstream entities
//! and edges one has and the other has not.

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

use super::lineage::{Direction, Traversal, TraversalSpec};
use super::records::{Edge, EntityRecord};
use super::{Catalog, Result};
use crate::urn::Urn;

/// A version's upstream lineage as it stood when it was registered.
#[derive(Clone, Debug)]
pub struct RegisteredLineage {
    /// When the version was registered, in milliseconds; `None` for an entity that is no
    /// version (or records no time), whose lineage is answered as it stands now.
    pub registered_at: Option<i64>,
    pub traversal: Traversal,
}

/// What changed upstream between two versions' registered lineage.
#[derive(Clone, Debug)]
pub struct LineageDiff {
    pub from: RegisteredLineage,
    pub to: RegisteredLineage,
    /// Upstream of `to` and not of `from` (the versions themselves left out), by URN.
    pub added_entities: Vec<Arc<EntityRecord>>,
    /// Upstream of `from` and not of `to`, by URN.
    pub removed_entities: Vec<Arc<EntityRecord>>,
    /// Edges of `to`'s lineage that `from`'s has not; an edge ending at a version counts as
    /// the same edge whichever of the two versions it ends at.
    pub added_edges: Vec<Edge>,
    pub removed_edges: Vec<Edge>,
}

/// An edge compared across the two lineages: its ends' URNs (a version's own URN replaced by
/// a placeholder) and its relation.
type EdgeKey = (String, String, &'static str);

const VERSION: &str = "<version>";

fn key(edge: &Edge, root: &str) -> EdgeKey {
    let end = |urn: &str| {
        if urn == root {
            VERSION.to_string()
        } else {
            urn.to_string()
        }
    };
    (
        end(&edge.source.urn),
        end(&edge.destination.urn),
        edge.edge.relation.as_str(),
    )
}

/// The entities of a lineage besides its root, by URN.
fn entities(t: &Traversal) -> BTreeMap<&str, &Arc<EntityRecord>> {
    t.nodes
        .iter()
        .map(|n| (n.entity.urn.as_str(), &n.entity))
        .collect()
}

impl Catalog {
    /// `version`'s upstream lineage (the lineage relations, to `depth` hops, at most `budget`
    /// entities) as it stood when it was registered; `NotFound` for an entity the catalog
    /// does not hold.
    pub async fn registered_lineage(
        &self,
        version: &Urn,
        depth: u32,
        budget: usize,
    ) -> Result<RegisteredLineage> {
        let registered_at = self
            .stored_version(version)
            .await?
            .and_then(|p| p.metadata_created_timestamp)
            .map(|t| t.time);
        let spec = TraversalSpec {
            start: version.clone(),
            direction: Direction::Upstream,
            depth,
            budget,
            relations: None,
            as_of: registered_at,
        };
        Ok(RegisteredLineage {
            registered_at,
            traversal: self.traverse(&spec).await?,
        })
    }

    /// The upstream entities and edges added and removed from `from`'s registered lineage to
    /// `to`'s (see [`Catalog::registered_lineage`]).
    pub async fn lineage_diff(
        &self,
        from: &Urn,
        to: &Urn,
        depth: u32,
        budget: usize,
    ) -> Result<LineageDiff> {
        let from = self.registered_lineage(from, depth, budget).await?;
        let to = self.registered_lineage(to, depth, budget).await?;
        let (before, after) = (entities(&from.traversal), entities(&to.traversal));
        let roots = [
            from.traversal.root.urn.as_str(),
            to.traversal.root.urn.as_str(),
        ];
        let only = |a: &BTreeMap<&str, &Arc<EntityRecord>>,
                    b: &BTreeMap<&str, &Arc<EntityRecord>>| {
            a.iter()
                .filter(|(urn, _)| !b.contains_key(*urn) && !roots.contains(urn))
                .map(|(_, e)| Arc::clone(e))
                .collect::<Vec<_>>()
        };
        let added_entities = only(&after, &before);
        let removed_entities = only(&before, &after);
        let keys = |t: &Traversal| -> HashSet<EdgeKey> {
            t.edges.iter().map(|e| key(e, &t.root.urn)).collect()
        };
        let (had, has) = (keys(&from.traversal), keys(&to.traversal));
        let added_edges = to
            .traversal
            .edges
            .iter()
            .filter(|e| !had.contains(&key(e, &to.traversal.root.urn)))
            .cloned()
            .collect();
        let removed_edges = from
            .traversal
            .edges
            .iter()
            .filter(|e| !has.contains(&key(e, &from.traversal.root.urn)))
            .cloned()
            .collect();
        Ok(LineageDiff {
            from,
            to,
            added_entities,
            removed_entities,
            added_edges,
            removed_edges,
        })
    }
}
