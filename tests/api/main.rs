//! mlcat's integration tests: one binary, the real router in-process, a fresh database per test.

#![expect(
    clippy::unwrap_used,
    reason = "a test fails loudly on an unexpected error"
)]

mod support;

mod auth;
mod bad_input;
mod concurrency;
mod datahub;
mod durability;
mod errors;
mod limits;
mod lineage;
mod lists;
mod lookups;
mod migrations;
mod mutations;
mod playground;
mod relationships;
mod schema;
mod statements;
mod tutorial;
