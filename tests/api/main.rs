//! mlcat's integration tests: one binary, the real router in-process, a fresh database per test.

mod support;

mod errors;
mod lists;
mod lookups;
mod migrations;
mod mutations;
mod playground;
mod schema;
mod statements;
mod tutorial;
