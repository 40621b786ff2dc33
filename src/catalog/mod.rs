//! The catalog core: the one write path, the reads the front doors need, and the typed aspects.
//! It knows nothing about HTTP or GraphQL: it takes typed values (`Urn`, `EntityId`, aspect
//! structs) and hands out records of its own (`EntityRecord`, `Edge`, `AspectVersion`) and its
//! own `Error`; storage rows stay between it and `store`. Every front door (GraphQL mutations,
//! DataHub ingestion, the demo loader) ends in [`Catalog::write`].

pub mod aspects;
mod edit;
mod error;
pub mod history;
mod lineage;
mod read;
mod records;
pub mod tally;
pub mod text;
mod write;

use std::sync::Arc;

use sea_orm::DatabaseConnection;

pub use edit::{relationship_edit, RelationshipField};
pub use error::{Error, Result};
pub use lineage::{Direction, Reached, Traversal, TraversalSpec};
pub use read::{LatestAspect, ListFilter};
pub use records::{Edge, EdgeRecord, EntityId, EntityRecord};
pub use write::{Actor, AspectWrite, Patched, WriteOp, Written};

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
}

impl Catalog {
    pub fn new(db: DatabaseConnection) -> Catalog {
        let sqlite = crate::store::is_sqlite(&db);
        let write_queue = sqlite.then(|| Arc::new(write::WriteQueue::default()));
        let writer = sqlite
            .then(|| crate::store::writer_connection(&db))
            .flatten();
        Catalog {
            db,
            write_queue,
            writer,
        }
    }
}
