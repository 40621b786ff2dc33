//! Database migrations for mlcat. They never import the application's entities, run on SQLite and
//! PostgreSQL alike, and a migration that has landed is never edited: add a new one instead.

pub use sea_orm_migration::prelude::*;

mod m20261126_000001_catalog;
mod m20261126_000002_access_tokens;
mod m20261126_000003_removals;
mod m20261126_000004_edge_order;
mod m20261206_000005_governance_edges;
mod m20261206_000006_search_index;
mod m20261206_000007_schema_field_edges;
mod m20261206_000008_search_reindex;
mod m20261207_000009_aspect_run_index;
mod m20261207_000010_timeseries;
mod m20261207_000011_search_name_index;
mod m20261207_000012_search_gin_pending;
mod m20261207_000013_change_feed;
mod m20261207_000015_column_lineage_edges;
mod m20261207_000016_webhooks;
mod m20261207_000017_version_members;
mod m20261207_000018_search_name_words;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261126_000001_catalog::Migration),
            Box::new(m20261126_000002_access_tokens::Migration),
            Box::new(m20261126_000003_removals::Migration),
            Box::new(m20261126_000004_edge_order::Migration),
            Box::new(m20261206_000005_governance_edges::Migration),
            Box::new(m20261206_000006_search_index::Migration),
            Box::new(m20261206_000007_schema_field_edges::Migration),
            Box::new(m20261206_000008_search_reindex::Migration),
            Box::new(m20261207_000009_aspect_run_index::Migration),
            Box::new(m20261207_000010_timeseries::Migration),
            Box::new(m20261207_000011_search_name_index::Migration),
            Box::new(m20261207_000012_search_gin_pending::Migration),
            Box::new(m20261207_000013_change_feed::Migration),
            Box::new(m20261207_000015_column_lineage_edges::Migration),
            Box::new(m20261207_000016_webhooks::Migration),
            Box::new(m20261207_000017_version_members::Migration),
            Box::new(m20261207_000018_search_name_words::Migration),
        ]
    }
}
