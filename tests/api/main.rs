//! mlcat's integration tests: one binary, the real router in-process, a fresh database per test.

#![expect(
    clippy::unwrap_used,
    reason = "a test fails loudly on an unexpected error"
)]

mod process;
mod support;

mod auth;
mod bad_input;
mod browse_v2;
mod changes;
mod column_lineage;
mod concurrency;
mod datahub;
mod datahub_entities;
mod datahub_patch;
mod datahub_reads;
mod datahub_refused;
mod datahub_timeseries;
mod datahub_ui;
mod datahub_ui_entities;
mod demo_governance;
mod durability;
mod errors;
mod errors_mutations;
mod governance_create;
mod governance_edges;
mod governance_edit;
mod governance_fields;
mod governance_people;
mod governance_read;
mod hardening_http;
mod hardening_http_lineage;
mod hardening_input;
mod hardening_ops;
mod hardening_writes;
mod hardening_writes_storage;
mod ingest_statements;
mod limits;
mod lineage;
mod lineage_bounds;
mod lineage_statements;
mod lists;
mod lookups;
mod metrics;
mod migrations;
mod mlflow;
mod mlflow_refused;
mod mlflow_search;
mod mutations;
mod mutations_edits;
mod mutations_patch;
mod openlineage;
mod openlineage_statements;
mod playground;
mod published_tables;
mod query_reads;
mod read_replica;
mod relationships;
mod replicas;
mod replicas_live;
mod schema;
mod search;
mod search_facets;
mod search_filters;
mod search_lineage;
mod search_scroll;
mod shutdown;
mod statements;
mod subscriptions;
mod training_runs;
mod tutorial;
mod versions;
mod versions_concurrent;
mod versions_graphql;
mod versions_lineage;
mod webhooks;
