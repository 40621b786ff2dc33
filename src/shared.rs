//! What every front door shares: the catalog, the server's limits and where the GraphQL
//! endpoint is. It sits below the front doors, the router and the auth layer, so each takes it
//! without knowing the others.

use crate::catalog::Catalog;
use crate::config::Limits;

/// Where the GraphQL endpoint is mounted. The layers around every front door (auth, time
/// limit, body checks) answer these paths' errors in GraphQL's shape.
pub const GRAPHQL_PATHS: [&str; 2] = ["/api/graphql", "/graphql"];

/// Whether `path` is the GraphQL endpoint.
pub fn is_graphql_path(path: &str) -> bool {
    GRAPHQL_PATHS.contains(&path)
}

/// The state every front door's handlers take. Cheap to clone.
#[derive(Clone)]
pub struct Shared {
    pub catalog: Catalog,
    pub limits: Limits,
}
