//! The catalog core: the one write path, the reads the front doors need, and the typed aspects.
//! It knows nothing about HTTP or GraphQL: it takes typed values (`Urn`, `EntityId`, aspect
//! structs) and hands out records of its own (`EntityRecord`, `Edge`, `AspectVersion`) and its
//! own `Error`; storage rows stay between it and `store`. Every front door (GraphQL mutations,
//! DataHub ingestion, the demo loader) ends in [`Catalog::write`].

mod aliases;
pub mod aspects;
mod browse;
pub mod columns;
mod create;
mod edit;
mod error;
pub mod feed;
mod feed_live;
mod governance;
pub mod history;
mod lineage;
mod lineage_search;
mod platforms;
mod publish;
mod read;
mod reads;
mod records;
mod related;
mod removal;
pub mod runs;
pub mod search;
pub mod tally;
pub mod text;
pub mod timeseries;
mod version_index;
mod versions;
mod versions_lineage;
pub mod webhooks;
mod write;

use std::sync::Arc;

use sea_orm::DatabaseConnection;

/// The time the catalog stamps writes with, for front doors that default a time to now.
pub use crate::store::now_millis;
pub use aliases::AliasMove;
pub use browse::{BrowseGroup, BrowseLevel, BrowseRequest};
pub use columns::{
    column_label, ColumnPath, ColumnReach, ColumnWalk, SchemaFieldUrn, UpstreamColumns,
};
pub use create::{create_entity, describe, edit_info, membership_edit, new_urn, rename, NewEntity};
pub use edit::{relationship_edit, RelationshipField};
pub use error::{Error, Result};
pub use feed::{ChangeFilter, ChangeKind, ChangePage, ChangeScope, FeedCursor};
pub use feed_live::POLL_EVERY;
pub use governance::{
    field_description_edit, field_governance_edit, governance_edit, GovernanceEdit, NewOwner,
    GOVERNED_KINDS,
};
pub use lineage::{Direction, Reached, Traversal, TraversalSpec};
pub use lineage_search::{DegreeBucket, LineageClause, LineageHit, LineagePage, LineageSearch};
pub use platforms::well_known_platform;
pub use read::{LatestAspect, ListFilter};
pub use reads::ReplicaState;
pub use records::{Edge, EdgeRecord, EntityId, EntityRecord};
pub use removal::{Erased, Reference, MAX_REFERENCES};
pub use runs::{Rollback, RunAspect, RunSummary};
pub use search::{
    Condition, Cursor, Facet, FieldFilter, ScrollPage, SearchField, SearchHit, SearchPage,
    SearchRequest, Sort, SortKey, MAX_KEEP_ALIVE_MS, MAX_SEARCH_QUERY_CHARS, SEARCHED_KINDS,
};
pub use timeseries::{SeriesCondition, SeriesCriterion, SeriesQuery, TimeseriesEvent};
pub use version_index::SetLatest;
pub use versions::{LinkVersion, NextLabel, VersionRecord, RETRY_FOR};
pub use versions_lineage::{LineageDiff, RegisteredLineage};
pub use write::{Actor, AspectWrite, Deadline, Patched, Writability, WriteMode, WriteOp, Written};

/// The catalog over one database. Cheap to clone.
#[derive(Clone)]
pub struct Catalog {
    db: DatabaseConnection,
    /// SQLite allows one writer at a time; writers queue here instead of racing for the file
    /// lock. PostgreSQL writers lock the rows they change and need no queue.
    write_queue: Option<Arc<write::WriteQueue>>,
    /// SQLite: the connection the queue's writer writes through (see
    /// [`crate::store::writer_connection`]); `None` writes through the pool.
    writer: Option<DatabaseConnection>,
    /// Whether writes are allowed and whether they work now.
    health: Arc<write::WriteHealth>,
    /// The change feed's poller for live listeners (`Catalog::watch_changes`).
    hub: Arc<feed_live::ChangeHub>,
    /// PostgreSQL: a read replica that reads go to once it holds this process's writes
    /// (`--read-database-url`; [`Catalog::reader`]).
    reads: Option<Arc<reads::ReadReplica>>,
}

impl Catalog {
    pub fn new(db: DatabaseConnection) -> Catalog {
        Catalog::with_mode(db, WriteMode::ReadWrite)
    }

    /// A catalog that takes writes, or (read-only) answers every write `Unavailable`.
    pub fn with_mode(db: DatabaseConnection, mode: WriteMode) -> Catalog {
        let sqlite = crate::store::is_sqlite(&db);
        let write_queue = sqlite.then(|| Arc::new(write::WriteQueue::default()));
        let writer = sqlite
            .then(|| crate::store::writer_connection(&db))
            .flatten();
        Catalog {
            db,
            write_queue,
            writer,
            health: Arc::new(write::WriteHealth::new(mode)),
            hub: Arc::default(),
            reads: None,
        }
    }

    /// Whether writes are allowed and work now, for `/health`.
    pub fn writability(&self) -> Writability {
        self.health.writability()
    }
}
