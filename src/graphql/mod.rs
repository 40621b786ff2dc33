//! The GraphQL front door: schema, query and mutation roots, types and dataloaders.

pub mod changes;
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
pub mod ws;

use async_graphql::Schema;

use crate::config::Limits;

pub use changes::Subscription;
pub use mutation::Mutation;
pub use query::Query;

pub type MlcatSchema = Schema<Query, Mutation, Subscription>;

/// Builds the schema with its limits (the alias limit is checked before execution, by
/// [`refuse_over_limits`]). It needs no database: the catalog and the per-request
/// loaders are added to each request, so `mlcat schema` and the SDL test can build it offline.
pub fn build_schema(limits: &Limits) -> MlcatSchema {
    Schema::build(Query, Mutation::default(), Subscription)
        // No field returns these interfaces themselves; DataHub's pages spread
        // `... on SupportsVersions` and `... on EntityWithRelationships`.
        .register_output_type::<types::SupportsVersions>()
        .register_output_type::<types::entity::EntityWithRelationships>()
        .limit_directives(MAX_DIRECTIVES_PER_FIELD)
        .limit_depth(limits.max_query_depth)
        .limit_complexity(limits.max_query_complexity)
        .limit_recursive_depth(limits.max_query_depth.max(32))
        .data(limits.clone())
        .finish()
}

/// Most directives one field may carry. A field has use for `@include` and `@skip` at most;
/// without a bound, 400,000 copies of `@include(if: true)` on one field (7.6 MB of query) each
/// raised an error of their own in validation.
pub const MAX_DIRECTIVES_PER_FIELD: usize = 8;

/// Most errors one answer reports; past them, one more error says how many were left out. A
/// query repeating one mistake a hundred thousand times would otherwise be answered a list of
/// errors larger than itself.
pub const MAX_ERRORS: usize = 100;

/// The SDL of the schema, as committed in `schema.graphql`.
pub fn sdl() -> String {
    build_schema(&Limits::default()).sdl()
}

/// Gives every error a code: errors raised before execution (a syntax error, an unknown field,
/// a value that is not one of an enum's, a limit) carry none of their own, and are the caller's
/// to fix. The limits async-graphql enforces get their value named.
pub fn ensure_error_codes(response: &mut async_graphql::Response, limits: &Limits) {
    cap_errors(&mut response.errors);
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
        } else if error
            .message
            .starts_with("The number of directives on the field")
        {
            error.message = format!(
                "{}: a field may carry at most {MAX_DIRECTIVES_PER_FIELD} directives",
                error.message
            );
        } else if error.message.starts_with("Query is too complex") {
            error.message = format!(
                "the query is too complex: the limit is {} (--max-query-complexity); lists cost their page size, lineage traversals their budget and relations {} times their sub-selection",
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

/// Keeps the first [`MAX_ERRORS`] errors and adds one saying how many more there were.
fn cap_errors(errors: &mut Vec<async_graphql::ServerError>) {
    if errors.len() <= MAX_ERRORS {
        return;
    }
    let left_out = errors.len() - MAX_ERRORS;
    errors.truncate(MAX_ERRORS);
    errors.shrink_to_fit();
    let mut error = async_graphql::ServerError::new(
        format!(
            "{left_out} more errors were left out: an answer reports at most the first {MAX_ERRORS}"
        ),
        None,
    );
    error
        .extensions
        .get_or_insert_with(Default::default)
        .set("code", "BAD_USER_INPUT");
    errors.push(error);
}
