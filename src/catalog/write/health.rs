//! Whether the catalog can be written: on purpose not (a server started read-only), or not
//! now (the database refused the last write for a reason of its own: a full disk, a read-only
//! file or server). Writes answer `Unavailable` then, and `/health` reports it, until a write
//! succeeds again.

use std::sync::Mutex;

use crate::catalog::Error;
use crate::store::{self, now_millis};

/// Whether the catalog takes writes, as the server was started.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum WriteMode {
    #[default]
    ReadWrite,
    /// Queries only: every write answers `Unavailable` without reaching the database.
    ReadOnly,
}

/// Whether writes work now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Writability {
    /// The last write succeeded, or none failed for the database's own reasons.
    Working,
    /// The server was started read-only.
    Off,
    /// The database refused the last write for a reason of its own: `message` says which,
    /// `since` when (milliseconds since the epoch) writes began to fail.
    Failing { message: String, since: i64 },
}

/// The catalog's write state, shared by its clones.
#[derive(Debug, Default)]
pub struct WriteHealth {
    mode: WriteMode,
    /// Why writes fail, and since when; `None` while they work.
    failing: Mutex<Option<(String, i64)>>,
}

impl WriteHealth {
    pub fn new(mode: WriteMode) -> WriteHealth {
        WriteHealth {
            mode,
            failing: Mutex::default(),
        }
    }

    fn failing(&self) -> std::sync::MutexGuard<'_, Option<(String, i64)>> {
        self.failing.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn writability(&self) -> Writability {
        if self.mode == WriteMode::ReadOnly {
            return Writability::Off;
        }
        match &*self.failing() {
            None => Writability::Working,
            Some((message, since)) => Writability::Failing {
                message: message.clone(),
                since: *since,
            },
        }
    }

    /// The answer of every write to a read-only server.
    pub fn refusal(&self) -> Option<Error> {
        (self.mode == WriteMode::ReadOnly).then(|| {
            Error::Unavailable(
                "this server is read-only (started with --read-only): it answers queries but writes nothing; write through a server started without --read-only".into(),
            )
        })
    }

    pub fn succeeded(&self) {
        let mut failing = self.failing();
        if let Some((why, _)) = failing.take() {
            tracing::info!(was = why, "writes succeed again");
        }
    }

    pub fn failed(&self, why: &str) {
        let mut failing = self.failing();
        match &mut *failing {
            Some((message, _)) => why.clone_into(message),
            None => *failing = Some((why.to_string(), now_millis())),
        }
    }
}

/// A write the database refused for a reason of its own (not of the write) becomes
/// `Unavailable`, with a message saying why; the database's own words go to the server log.
pub fn refused_by_storage(e: Error) -> Error {
    let why = e
        .internal()
        .and_then(|inner| {
            inner
                .chain()
                .find_map(|c| c.downcast_ref::<sea_orm::DbErr>())
        })
        .and_then(store::write_refusal);
    let Some(why) = why else {
        return e;
    };
    if let Some(inner) = e.internal() {
        tracing::error!(error = format!("{inner:#}"), "the database refused a write");
    }
    Error::Unavailable(format!(
        "the database refuses writes: {why}. Nothing of this write was written; queries still work. Retry once the database is fixed (GET /health says when writes work again)"
    ))
}
