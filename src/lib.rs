//! mlcat: a GraphQL metadata catalog for machine learning. `ARCHITECTURE.md` describes the
//! layout: the router (`app`) → front doors (`graphql`, `datahub`, `playground`) → the catalog
//! core (`catalog`) → storage (`store`); `shared`, `auth`, `config` and `urn` sit beside them.

pub mod app;
pub mod auth;
pub mod catalog;
pub mod config;
pub mod datahub;
pub mod demo;
pub mod feed;
pub mod graphql;
pub mod logging;
pub mod metrics;
pub mod mlflow;
pub mod openlineage;
mod playground;
pub mod shared;
pub mod store;
pub mod urn;
pub mod webhooks;

pub use config::Limits;
