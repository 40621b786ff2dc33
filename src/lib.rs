//! mlcat: a GraphQL metadata catalog for machine learning. See `DESIGN.md` for the architecture:
//! front doors (`graphql`, later `datahub`) → the catalog core (`catalog`) → storage (`store`).

pub mod app;
pub mod auth;
pub mod catalog;
pub mod config;
pub mod datahub;
pub mod demo;
pub mod graphql;
mod playground;
pub mod store;
pub mod urn;

pub use config::Limits;
