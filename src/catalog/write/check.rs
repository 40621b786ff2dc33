//! The checks every write passes before it reaches the database: what the write names (its
//! aspect, its actor and run) must be text both backends store. The aspect's value is checked
//! later, against its type, inside the transaction (`aspects::validate`); it is stored as JSON
//! text, where a NUL is the escape `\u0000`, so any JSON string is stored as sent.

use super::{Actor, AspectWrite};
use crate::catalog::text::{check_aspect_name, refuse_longer, refuse_nul, MAX_ACTOR_CHARS};
use crate::catalog::Result;

/// Refuses a batch one of whose writes names what cannot be stored; the error says which write.
pub(super) fn check_writes(actor: &Actor, writes: &[AspectWrite]) -> Result<()> {
    check_actor(actor)?;
    let total = writes.len();
    for (i, w) in writes.iter().enumerate() {
        let checked = check_aspect_name("aspectName", &w.aspect)
            .and_then(|()| w.actor.as_ref().map_or(Ok(()), check_actor));
        checked.map_err(|e| e.in_batch(i, total, w.urn.as_str(), &w.aspect))?;
    }
    Ok(())
}

/// The actor and run id are stored with each version as they are.
fn check_actor(actor: &Actor) -> Result<()> {
    let fields = [
        ("actor", Some(&actor.name)),
        ("runId", actor.run_id.as_ref()),
    ];
    for (field, text) in fields {
        if let Some(text) = text {
            refuse_nul(field, text)?;
            refuse_longer(field, text, MAX_ACTOR_CHARS)?;
        }
    }
    Ok(())
}
