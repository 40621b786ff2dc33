//! Fields DataHub's web UI selects for features mlcat does not have, answering DataHub's empty
//! shape so the UI's page queries run: incidents. Each field's description says that the
//! feature is missing, so nobody reads the empty answer as "none recorded".

use async_graphql::{Enum, SimpleObject};

/// An incident's state (mlcat has no incidents; the argument is accepted and matches nothing).
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(name = "IncidentState")]
pub enum IncidentState {
    /// An open incident.
    #[graphql(name = "ACTIVE")]
    Active,
    /// A closed incident.
    #[graphql(name = "RESOLVED")]
    Resolved,
}

/// A page of an entity's incidents. mlcat has no incidents: always empty.
#[derive(SimpleObject)]
#[graphql(name = "EntityIncidentsResult")]
pub struct EntityIncidentsResult {
    /// The offset asked for.
    pub start: i32,
    /// How many incidents this page holds: always 0.
    pub count: i32,
    /// How many incidents match: always 0, mlcat has no incidents.
    pub total: i32,
}

/// `incidents`: DataHub's empty page (mlcat has no incidents).
pub fn no_incidents(start: Option<i32>) -> EntityIncidentsResult {
    EntityIncidentsResult {
        start: start.unwrap_or(0).max(0),
        count: 0,
        total: 0,
    }
}
