//! An entity's relationships as DataHub's relationship API pages them: the edges of some
//! relations that the entity declares (outgoing) or that other entities declare towards it
//! (incoming), whichever way the lineage between them runs.

use super::aspects::{Relation, RelationSet};
use super::{Catalog, Direction, Edge, EntityId, Result};

impl Catalog {
    /// A page (`start`, `count`) of the live edges of `relations` the entity declares
    /// (`outgoing`) or another entity declares towards it, in the order they were made, and
    /// how many there are.
    pub async fn related(
        &self,
        entity: EntityId,
        relations: &[Relation],
        outgoing: bool,
        start: u64,
        count: u64,
    ) -> Result<(u64, Vec<Edge>)> {
        if relations.is_empty() {
            return Ok((0, Vec::new()));
        }
        let set = RelationSet::of(relations);
        if relations.iter().all(|r| !r.is_lineage()) {
            // Governance edges run from the entity that declares them, so the side of the edge
            // is the direction, and the page is read by itself: a tag on a hundred thousand
            // entities answers its page, not all of them.
            let side = if outgoing {
                Direction::Downstream
            } else {
                Direction::Upstream
            };
            return self.edges_page(entity, side, set, start, count).await;
        }
        // A lineage edge runs upstream to downstream whoever declares it: both sides are read
        // and the declarer picks the direction.
        let mut edges = self.edges_of(&[entity], Direction::Both, set, None).await?;
        edges.retain(|e| (e.edge.declared_by == entity) == outgoing);
        edges.sort_by_key(|e| (e.edge.created_at, e.edge.id));
        edges.dedup_by_key(|e| e.edge.id);
        let total = edges.len() as u64;
        let page = edges
            .into_iter()
            .skip(start as usize)
            .take(count as usize)
            .collect();
        Ok((total, page))
    }
}
