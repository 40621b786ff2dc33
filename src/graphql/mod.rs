//! The GraphQL front door: schema, query and mutation roots, types and dataloaders.

pub mod enums;
pub mod error;
pub mod history;
pub mod http;
mod limits;
pub use limits::{refuse_over_limits, QueryCache};
mod lineage;
pub mod loaders;
mod mutation;
mod query;
pub mod scalars;
pub mod types;

use async_graphql::{EmptySubscription, Schema};

use crate::config::Limits;

pub use mutation::Mutation;
pub use query::Query;

pub type MlcatSchema = Schema<Query, Mutation, EmptySubscription>;

/// Builds the schema with its limits (the alias limit is checked before execution, by
/// [`refuse_over_limits`]). It needs no database: the catalog and the per-request
/// loaders are added to each request, so `mlcat schema` and the SDL test can build it offline.
pub fn build_schema(limits: &Limits) -> MlcatSchema {
    Schema::build(Query, Mutation, EmptySubscription)
        .limit_depth(limits.max_query_depth)
        .limit_complexity(limits.max_query_complexity)
        .limit_recursive_depth(limits.max_query_depth.max(32))
        .data(limits.clone())
        .finish()
}

/// The SDL of the schema, as committed in `schema.graphql`.
pub fn sdl() -> String {
    build_schema(&Limits::default()).sdl()
}

/// Gives every error a code: errors raised before execution (a syntax error, an unknown field,
/// a value that is not one of an enum's, a limit) carry none of their own, and are the caller's
/// to fix. The limits async-graphql enforces get their value named.
pub fn ensure_error_codes(response: &mut async_graphql::Response, limits: &Limits) {
    for error in &mut response.errors {
        let has_code = error
            .extensions
            .as_ref()
            .is_some_and(|ext| ext.get("code").is_some());
        if has_code {
            continue;
        }
        if error.message.starts_with("Query is nested too deep") {
            error.message = format!(
                "the query is nested too deep: the limit is {} levels (--max-query-depth)",
                limits.max_query_depth
            );
        } else if error.message.starts_with("Query is too complex") {
            error.message = format!(
                "the query is too complex: the limit is {} (--max-query-complexity); lists cost their page size and relations {} times their sub-selection",
                limits.max_query_complexity,
                types::RELATION_FANOUT
            );
        }
        error
            .extensions
            .get_or_insert_with(Default::default)
            .set("code", "BAD_USER_INPUT");
    }
}
