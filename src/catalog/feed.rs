//! The change feed: every committed write, in commit order, from a cursor on (`Catalog::changes`),
//! filtered by entity type, URN, aspect and lineage scope ("within N hops upstream of X").
//! The aspect history is the feed; removals, which leave no version, leave a tombstone; how the
//! order is kept on each backend is in `store::feed`. Live delivery to subscribers is in
//! `feed_live.rs`.

use std::collections::HashSet;
use std::fmt;

use super::{Catalog, Direction, Error, Result, TraversalSpec};
use crate::store::feed::{self, FeedRow, Position};
use crate::urn::{EntityKind, Urn};

/// Where a reader of the feed stands: the changes after it come next. Its text is what the
/// feed hands out and takes back (`<key>.<id>`); it says nothing a reader should rely on.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FeedCursor(Position);

impl FeedCursor {
    /// Before the first change.
    pub const START: FeedCursor = FeedCursor(Position { key: 0, id: 0 });

    /// A cursor's text, as handed out; `BAD_USER_INPUT` naming it if it is not one.
    pub fn parse(text: &str) -> Result<FeedCursor> {
        let refuse = || {
            Error::bad_input(format!(
                "the cursor {text:?} was never issued by the change feed: pass a `cursor` a \
                 change or a page of changes answered, or none to start at the beginning"
            ))
        };
        let (key, id) = text.split_once('.').ok_or_else(refuse)?;
        let key: i64 = key.parse().map_err(|_| refuse())?;
        let id: i64 = id.parse().map_err(|_| refuse())?;
        if key < 0 || id < 0 {
            return Err(refuse());
        }
        Ok(FeedCursor(Position { key, id }))
    }

    pub(super) fn position(self) -> Position {
        self.0
    }
}

impl fmt::Display for FeedCursor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.0.key, self.0.id)
    }
}

/// What a change did.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ChangeKind {
    /// A new version of an aspect.
    Upsert,
    /// An aspect removed (no version is current any more).
    Delete,
    /// A version of `status` that marks the entity removed.
    SoftDelete,
    /// The entity erased with all its aspects.
    HardDelete,
}

impl ChangeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::Upsert => "UPSERT",
            ChangeKind::Delete => "DELETE",
            ChangeKind::SoftDelete => "SOFT_DELETE",
            ChangeKind::HardDelete => "HARD_DELETE",
        }
    }
}

/// One committed change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    /// The feed's position of this change: reading on from it answers the changes after it.
    pub cursor: FeedCursor,
    pub urn: String,
    /// As URNs spell it (`mlModel`).
    pub entity_type: String,
    /// `None` for an entity erased whole.
    pub aspect: Option<String>,
    /// The version written, or the last version of an aspect removed.
    pub version: Option<i64>,
    pub kind: ChangeKind,
    pub actor: String,
    /// When it was written, in milliseconds.
    pub time: i64,
    /// The ingestion run that wrote it, where one was named.
    pub run_id: Option<String>,
}

impl From<FeedRow> for Change {
    fn from(row: FeedRow) -> Change {
        let kind = match row.tombstone.as_deref() {
            Some(feed::HARD_DELETE) => ChangeKind::HardDelete,
            Some(_) => ChangeKind::Delete,
            None => {
                let removed = row
                    .status_value
                    .as_deref()
                    .and_then(|v| serde_json::from_str::<serde_json::Value>(v).ok())
                    .and_then(|v| v.get("removed").and_then(serde_json::Value::as_bool))
                    .unwrap_or(false);
                if removed {
                    ChangeKind::SoftDelete
                } else {
                    ChangeKind::Upsert
                }
            }
        };
        Change {
            cursor: FeedCursor(row.position),
            urn: row.urn,
            entity_type: row.entity_type,
            aspect: row.aspect,
            version: row.version,
            kind,
            actor: row.actor,
            time: row.created_at,
            run_id: row.run_id,
        }
    }
}

/// Which changes a reader wants; every part given must match (an empty list matches all).
#[derive(Clone, Debug, Default)]
pub struct ChangeFilter {
    /// Entities of these types.
    pub entity_types: Vec<EntityKind>,
    /// These entities.
    pub urns: Vec<Urn>,
    /// These aspects (an entity erased whole has none, and matches no aspect filter).
    pub aspects: Vec<String>,
    /// The entity and everything within `hops` upstream of it (the lineage relations), as the
    /// graph is when the filter is resolved.
    pub upstream_of: Option<Urn>,
    /// Hops of `upstream_of`; the default lineage depth when `None`.
    pub hops: Option<u32>,
}

/// Entity types the feed may be filtered on besides the catalog's own ([`EntityKind`]'s named
/// variants): DataHub's types that clients write and lineage reaches.
const OTHER_TYPES: &[&str] = &[
    "dataPlatformInstance",
    "dataProcessInstance",
    "container",
    "dataJob",
    "dataFlow",
    "chart",
    "dashboard",
    "dataProduct",
    "versionSet",
    "post",
    "schemaField",
];

/// The entity type a feed filter names (`mlModel`, as URNs spell it); `BAD_USER_INPUT` naming
/// it for a type the catalog does not know.
pub fn entity_type(name: &str) -> Result<EntityKind> {
    match EntityKind::parse(name) {
        EntityKind::Other(other) if !OTHER_TYPES.contains(&other.as_str()) => {
            Err(Error::bad_input(format!(
                "{name:?} is not an entity type the catalog knows; use a type as URNs spell it, \
                 such as mlModel, mlFeatureTable or dataset"
            )))
        }
        kind => Ok(kind),
    }
}

/// A filter made ready to match: its lineage scope walked once.
#[derive(Clone, Debug, Default)]
pub struct ChangeScope {
    types: HashSet<String>,
    urns: HashSet<String>,
    aspects: HashSet<String>,
    /// The URNs within the lineage scope, when the filter has one.
    lineage: Option<HashSet<String>>,
}

impl ChangeScope {
    pub fn matches(&self, change: &Change) -> bool {
        (self.types.is_empty() || self.types.contains(&change.entity_type))
            && (self.urns.is_empty() || self.urns.contains(&change.urn))
            && (self.aspects.is_empty()
                || change
                    .aspect
                    .as_ref()
                    .is_some_and(|a| self.aspects.contains(a)))
            && self
                .lineage
                .as_ref()
                .is_none_or(|scope| scope.contains(&change.urn))
    }

    fn is_everything(&self) -> bool {
        self.types.is_empty()
            && self.urns.is_empty()
            && self.aspects.is_empty()
            && self.lineage.is_none()
    }
}

/// A page of changes.
#[derive(Clone, Debug)]
pub struct ChangePage {
    pub changes: Vec<Change>,
    /// Where to go on from: after the last change answered, or past changes the filter left
    /// out; the cursor given when there was nothing new.
    pub cursor: FeedCursor,
    /// More changes (or more to look through) are there now.
    pub has_more: bool,
}

/// The most rows of the feed one page looks through for a filtered reader: a filter that
/// matches little costs a bounded read per page, and the cursor still moves past what it read.
const MOST_SCANNED: u64 = 5_000;

impl Catalog {
    /// Makes `filter` ready to match: the lineage scope is walked once, upstream from
    /// `upstream_of`, to `hops` (at most `max_depth`), with a budget of `budget` entities.
    pub async fn change_scope(
        &self,
        filter: &ChangeFilter,
        default_depth: u32,
        max_depth: u32,
        budget: usize,
    ) -> Result<ChangeScope> {
        let lineage = match (&filter.upstream_of, filter.hops) {
            (None, None) => None,
            (None, Some(_)) => {
                return Err(Error::bad_input(
                    "hops counts the lineage scope of upstreamOf: give upstreamOf too",
                ))
            }
            (Some(root), hops) => {
                let depth = hops.unwrap_or(default_depth);
                if depth > max_depth {
                    return Err(Error::bad_input(format!(
                        "hops is {depth}, over the limit of {max_depth} (--max-lineage-depth)"
                    )));
                }
                let mut scope = HashSet::from([root.as_str().to_string()]);
                if depth > 0 {
                    let walk = self
                        .traverse(&TraversalSpec {
                            start: root.clone(),
                            direction: Direction::Upstream,
                            depth,
                            budget,
                            relations: None,
                            as_of: None,
                        })
                        .await?;
                    scope.extend(walk.nodes.iter().map(|n| n.entity.urn.as_str().to_string()));
                }
                Some(scope)
            }
        };
        Ok(ChangeScope {
            types: filter
                .entity_types
                .iter()
                .map(|k| k.as_str().to_string())
                .collect(),
            urns: filter.urns.iter().map(|u| u.as_str().to_string()).collect(),
            aspects: filter.aspects.iter().cloned().collect(),
            lineage,
        })
    }

    /// The changes after `since` (from the beginning when `None`) that `scope` matches, at
    /// most `limit`, in commit order. A cursor the feed never reached is `BAD_USER_INPUT`.
    pub async fn changes(
        &self,
        since: Option<FeedCursor>,
        limit: u64,
        scope: &ChangeScope,
    ) -> Result<ChangePage> {
        let from = since.unwrap_or(FeedCursor::START);
        // Checked whether or not changes follow it: on PostgreSQL a made-up position can sort
        // before real ones (a key of 0 with a large id) and still never have been handed out.
        if from != FeedCursor::START && !feed::reached(&self.db, from.position()).await? {
            return Err(Error::bad_input(format!(
                "the cursor {from:?} was never issued by the change feed: pass a `cursor` a \
                 change or a page of changes answered, or none to start at the beginning",
                from = from.to_string()
            )));
        }
        self.changes_after(from, limit, scope).await
    }

    /// [`Catalog::changes`] from a cursor the caller trusts (its own).
    pub(super) async fn changes_after(
        &self,
        from: FeedCursor,
        limit: u64,
        scope: &ChangeScope,
    ) -> Result<ChangePage> {
        if limit == 0 {
            return Ok(ChangePage {
                changes: Vec::new(),
                cursor: from,
                has_more: false,
            });
        }
        let scan = if scope.is_everything() {
            limit
        } else {
            limit
                .saturating_mul(10)
                .clamp(limit, MOST_SCANNED.max(limit))
        };
        let rows = feed::after(&self.db, from.position(), scan).await?;
        let full = rows.len() as u64 >= scan;
        let mut cursor = from;
        let mut changes = Vec::new();
        let mut has_more = full;
        for row in rows {
            let change = Change::from(row);
            cursor = change.cursor;
            if scope.matches(&change) {
                changes.push(change);
                if changes.len() as u64 == limit {
                    // Rows after it were read but not answered: the next page starts here.
                    has_more = true;
                    break;
                }
            }
        }
        Ok(ChangePage {
            changes,
            cursor,
            has_more,
        })
    }

    /// The cursor of the newest change: reading from it answers only what comes next.
    pub async fn change_head(&self) -> Result<FeedCursor> {
        Ok(feed::head(&self.db)
            .await?
            .map_or(FeedCursor::START, FeedCursor))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_read_back_what_they_write() {
        let c = FeedCursor(Position { key: 812, id: 77 });
        assert_eq!(FeedCursor::parse(&c.to_string()).ok(), Some(c));
        for bad in ["", "12", "a.b", "1.-2", "1.2.3"] {
            assert!(FeedCursor::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn unknown_entity_types_are_refused() {
        assert!(entity_type("mlModel").is_ok());
        assert!(entity_type("dataJob").is_ok());
        assert!(entity_type("mlModle").is_err());
    }
}
