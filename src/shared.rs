//! What every front door shares: the catalog and the server's limits. It sits below the front
//! doors and the router, so a front door takes it without knowing the router that mounts it.

use crate::catalog::Catalog;
use crate::config::Limits;

/// The state every front door's handlers take. Cheap to clone.
#[derive(Clone)]
pub struct Shared {
    pub catalog: Catalog,
    pub limits: Limits,
}
