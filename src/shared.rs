//! What every front door shares: the catalog, the server's limits and where the GraphQL
//! endpoint is. It sits below the front doors, the router and the auth layer, so each takes it
//! without knowing the others.

use crate::catalog::Catalog;
use crate::config::Limits;

/// Where the GraphQL endpoint is mounted. The layers around every front door (auth, time
/// limit, body checks) answer these paths' errors in GraphQL's shape.
pub const GRAPHQL_PATHS: [&str; 2] = ["/api/graphql", "/graphql"];

/// Where GraphQL subscriptions are served over WebSocket. A browser cannot set headers on a
/// WebSocket, so with tokens required the auth layer lets the upgrade through and the socket
/// checks the token its `connection_init` carries.
pub const GRAPHQL_SOCKET_PATH: &str = "/api/graphql/ws";

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

/// What the GraphQL handler knows of a request, left in the response's extensions for the
/// request log (`logging::request_log`): the operation, its kind, the error codes answered and the loads it asked for.
#[derive(Clone, Debug, Default)]
pub struct GraphqlNote {
    /// The operation's name, when the request names one or its document has one named
    /// operation.
    pub operation: Option<String>,
    /// `query`, `mutation` or `subscription`, when the document was parsed.
    pub kind: Option<&'static str>,
    /// `extensions.code` of each error answered, in order, without repeats.
    pub codes: Vec<String>,
    /// Loads the request's fields asked for (`--max-query-reads`), when it ran.
    pub reads: Option<usize>,
}
