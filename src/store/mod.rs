//! Storage: the tables of the catalog (sea-orm entities), every statement run against them,
//! each behind a typed function named for what it reads or writes, and opening the database.
//! Rows go to the catalog core only; it turns them into records of its own.

pub mod access_token;
pub mod aspect;
pub mod edge;
pub mod entity;
pub mod feed;
pub mod removal;
pub mod search;
pub mod sql;
#[cfg(test)]
mod tests;
pub mod timeseries;
pub mod version_member;
pub mod webhook;
mod window;

use std::time::Duration;

use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend};

/// Most values one write statement binds in a list, and most rows a write reads or changes per
/// statement. SQLite's limit on bound parameters is far above this; it keeps statements
/// reasonable.
pub const CHUNK: usize = 500;

/// Opens the database. For SQLite the file is created if missing, and the connection is set up
/// for a server: WAL (readers do not block the writer), foreign keys on, a busy timeout so a
/// writer waits for another instead of failing, and `synchronous=NORMAL`, which in WAL mode
/// keeps every committed transaction across a process crash.
pub async fn connect(url: &str) -> anyhow::Result<DatabaseConnection> {
    connect_waiting(url, Duration::from_secs(30)).await
}

/// Opens a PostgreSQL read replica (`--read-database-url`) as [`connect`] opens the primary,
/// except that a read waits at most 2 s for a connection: sqlx keeps retrying a refused
/// connection until then, and a read sent to a replica that has just stopped should fail soon
/// (the catalog then sends reads to the primary) rather than hang for the primary's 30 s.
pub async fn connect_read_replica(url: &str) -> anyhow::Result<DatabaseConnection> {
    connect_waiting(url, Duration::from_secs(2)).await
}

async fn connect_waiting(url: &str, acquire: Duration) -> anyhow::Result<DatabaseConnection> {
    let mut url = url.to_string();
    let sqlite = url.starts_with("sqlite:");
    if sqlite && !url.contains("mode=") && !url.contains(":memory:") {
        url.push_str(if url.contains('?') {
            "&mode=rwc"
        } else {
            "?mode=rwc"
        });
    }
    let mut opts = ConnectOptions::new(url);
    opts.sqlx_logging(false)
        .connect_timeout(PROBE_TIMEOUT)
        .acquire_timeout(acquire);
    if sqlite {
        // A connection to a local file cannot go stale, so the pool hands it out without
        // pinging it first (a round trip to sqlx's worker thread on every request).
        opts.max_connections(8)
            .min_connections(1)
            .test_before_acquire(false);
        opts.map_sqlx_sqlite_opts(|o| {
            o.journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
                .synchronous(sea_orm::sqlx::sqlite::SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(30))
                // Rows cross from sqlx's worker thread to the request in a bounded channel; a
                // larger one lets a level of a nested query arrive without the worker stopping
                // to wait for the reader every 50 rows.
                .row_buffer_size(1024)
                // Pages are read through a memory map rather than copied by `pread`, and each
                // connection keeps 32 MiB of them.
                .pragma("mmap_size", "1073741824")
                .pragma("cache_size", "-32768")
                // Statement journals (which every savepoint of a write group and every
                // multi-row write inside a transaction keep, page by page) and temporary
                // B-trees live in memory instead of in temporary files made and removed
                // per transaction: they were an eighth of the ingest's time (BENCHMARKS.md).
                .pragma("temp_store", "memory")
                // The commit that takes the log past this many pages copies it back into the
                // database file and syncs it, on the writer's path. At 10,000 pages (about
                // 40 MiB of log) instead of SQLite's default 1,000, that happens a tenth as
                // often, and a page written again and again in between is copied back once:
                // ingestion over 30 seconds went from 15,300-16,900 to 19,300-21,600
                // aspects/s (BENCHMARKS.md, 27 November).
                .pragma("wal_autocheckpoint", "10000")
        });
    } else {
        opts.max_connections(16).min_connections(1);
        // sqlx prepares every statement; after five runs PostgreSQL may switch a prepared
        // statement to a generic plan, which cannot see that one `IN` list names a hub with
        // 36,000 edges and another a leaf. The lineage walk's reads went from 4 ms to 400 ms
        // that way (BENCHMARKS.md). Plans are made for each statement's own values instead.
        opts.map_sqlx_postgres_opts(|o| o.options([("plan_cache_mode", "force_custom_plan")]));
    }
    let mut db = Database::connect(opts).await?;
    db.set_metric_callback(|info| crate::metrics::statement(info.elapsed, info.failed));
    Ok(db)
}

/// The connection pool now: connections open, of them idle, and the most it may open.
pub fn pool_state(db: &DatabaseConnection) -> (u32, usize, u32) {
    match db.get_database_backend() {
        DbBackend::Postgres => {
            let pool = db.get_postgres_connection_pool();
            (
                pool.size(),
                pool.num_idle(),
                pool.options().get_max_connections(),
            )
        }
        _ => {
            let pool = db.get_sqlite_connection_pool();
            (
                pool.size(),
                pool.num_idle(),
                pool.options().get_max_connections(),
            )
        }
    }
}

/// The advisory lock key PostgreSQL replicas take to migrate one at a time ("mlcat" in ASCII).
const MIGRATION_LOCK: i64 = 0x006d_6c63_6174;

/// Migrates the database to this binary's schema. Refuses, changing nothing, a database that a
/// newer mlcat migrated (it holds migrations this binary does not know, and this binary could
/// misread what the newer one writes). On PostgreSQL the whole migration is one transaction
/// holding an advisory lock, so replicas starting at the same moment migrate one after the
/// other: the first applies what is pending, the others find nothing left.
pub async fn migrate(db: &DatabaseConnection) -> anyhow::Result<()> {
    use migration::{Migrator, MigratorTrait};
    use sea_orm::TransactionTrait;
    if db.get_database_backend() == DbBackend::Postgres {
        let txn = db.begin().await?;
        txn.execute(sea_orm::Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT pg_advisory_xact_lock($1)",
            [MIGRATION_LOCK.into()],
        ))
        .await?;
        refuse_newer_schema(&txn).await?;
        Migrator::up(&txn, None).await?;
        txn.commit().await?;
    } else {
        refuse_newer_schema(db).await?;
        Migrator::up(db, None).await?;
    }
    Ok(())
}

/// Refuses a database holding migrations this binary does not know (a newer mlcat's).
pub async fn refuse_newer_schema(db: &impl ConnectionTrait) -> anyhow::Result<()> {
    use migration::{Migrator, MigratorTrait};
    let backend = db.get_database_backend();
    let exists = match backend {
        DbBackend::Postgres => "SELECT 1 FROM pg_tables WHERE tablename = 'seaql_migrations' AND schemaname = current_schema()",
        _ => "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'seaql_migrations'",
    };
    if db
        .query_one(sea_orm::Statement::from_string(backend, exists))
        .await?
        .is_none()
    {
        return Ok(());
    }
    let known: std::collections::HashSet<String> = Migrator::migrations()
        .iter()
        .map(|m| m.name().to_string())
        .collect();
    let mut unknown = Vec::new();
    for row in db
        .query_all(sea_orm::Statement::from_string(
            backend,
            "SELECT version FROM seaql_migrations ORDER BY version",
        ))
        .await?
    {
        let version: String = row.try_get_by_index(0)?;
        if !known.contains(&version) {
            unknown.push(version);
        }
    }
    if unknown.is_empty() {
        return Ok(());
    }
    anyhow::bail!(
        "this database was migrated by a newer mlcat: it holds {} migration(s) this mlcat ({}) does not know ({}); run the newer mlcat against it",
        unknown.len(),
        env!("CARGO_PKG_VERSION"),
        unknown.join(", ")
    )
}

/// How many of this binary's migrations the database has not applied.
pub async fn pending_migrations(db: &DatabaseConnection) -> Result<usize, sea_orm::DbErr> {
    use migration::MigratorTrait;
    Ok(migration::Migrator::get_pending_migrations(db).await?.len())
}

/// How long start-up waits for the database to answer before saying it does not.
const PROBE_TIMEOUT: Duration = Duration::from_secs(5);

/// Opens one connection to the database at start-up, once and without retrying, and closes it:
/// if that fails, the error is one sentence with what was tried, what the database (or the
/// system) said, and what to do. The pool behind [`connect`] retries until its timeout and
/// then reports only that it timed out.
pub async fn probe(url: &str) -> anyhow::Result<()> {
    use sea_orm::sqlx::postgres::PgConnectOptions;
    use sea_orm::sqlx::sqlite::SqliteConnectOptions;
    use sea_orm::sqlx::{ConnectOptions as _, Connection as _};
    use std::str::FromStr;

    let scheme = url
        .split_once(':')
        .map(|(scheme, _)| scheme.to_ascii_lowercase());
    match scheme.as_deref() {
        Some("sqlite") => {
            if url.contains(":memory:") || url.starts_with("sqlite::memory") {
                return Ok(());
            }
            let opts = SqliteConnectOptions::from_str(url).map_err(|e| {
                anyhow::anyhow!(
                    "--database-url {url:?} is not a SQLite URL ({e}); write sqlite://FILE, for \
                     example sqlite://mlcat.db"
                )
            })?;
            let file = opts.get_filename().to_path_buf();
            let tried = format!("opening the SQLite database {}", file.display());
            let dir = match file.parent() {
                Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
                _ => std::path::PathBuf::from("."),
            };
            if !dir.is_dir() {
                anyhow::bail!(
                    "{tried}: the directory {} does not exist; create it (mkdir -p {}) or give \
                     --database-url a file in an existing directory",
                    dir.display(),
                    dir.display()
                );
            }
            let opts = opts.create_if_missing(true);
            match tokio::time::timeout(PROBE_TIMEOUT, opts.connect()).await {
                Ok(Ok(conn)) => {
                    let _ = conn.close().await;
                    Ok(())
                }
                Ok(Err(e)) => {
                    let denied = match e.as_database_error().and_then(|d| d.code()) {
                        // SQLITE_CANTOPEN and SQLITE_PERM
                        Some(code) => code == "14" || code == "3",
                        None => false,
                    } || matches!(&e, sea_orm::sqlx::Error::Io(io) if io.kind() == std::io::ErrorKind::PermissionDenied);
                    if denied {
                        let what = if file.exists() {
                            format!("the file {}", file.display())
                        } else {
                            format!("the directory {} (to create the file there)", dir.display())
                        };
                        anyhow::bail!(
                            "{tried}: permission denied ({e}); the user running mlcat needs read \
                             and write access to {what}"
                        );
                    }
                    anyhow::bail!("{tried}: {e}")
                }
                Err(_) => anyhow::bail!(
                    "{tried}: no answer within {} s (is the file on a network share that hangs?)",
                    PROBE_TIMEOUT.as_secs()
                ),
            }
        }
        Some("postgres" | "postgresql") => {
            let opts = PgConnectOptions::from_str(url).map_err(|e| {
                anyhow::anyhow!(
                    "--database-url is not a PostgreSQL URL ({e}); write \
                     postgres://USER[:PASSWORD]@HOST:PORT/DATABASE"
                )
            })?;
            let at = match opts.get_socket() {
                Some(socket) => socket.display().to_string(),
                None => format!("{}:{}", opts.get_host(), opts.get_port()),
            };
            let database = opts
                .get_database()
                .unwrap_or(opts.get_username())
                .to_string();
            let user = opts.get_username().to_string();
            let tried =
                format!("connecting to PostgreSQL at {at} (database {database:?}, user {user:?})");
            let e = match tokio::time::timeout(PROBE_TIMEOUT, opts.connect()).await {
                Ok(Ok(conn)) => {
                    let _ = conn.close().await;
                    return Ok(());
                }
                Ok(Err(e)) => e,
                Err(_) => anyhow::bail!(
                    "{tried}: no answer within {} s; check that the host and port in \
                     --database-url are right and that no firewall drops the connection",
                    PROBE_TIMEOUT.as_secs()
                ),
            };
            if let sea_orm::sqlx::Error::Io(io) = &e {
                if io.kind() == std::io::ErrorKind::ConnectionRefused {
                    anyhow::bail!(
                        "{tried}: connection refused; is PostgreSQL running and listening on \
                         {at}? Start it, or fix the host and port in --database-url"
                    );
                }
                anyhow::bail!(
                    "{tried}: {io}; check the host and port in --database-url and that \
                     PostgreSQL is running"
                );
            }
            if let Some(db_error) = e.as_database_error() {
                let said = db_error.message().to_string();
                match db_error.code().as_deref() {
                    Some("3D000") => anyhow::bail!(
                        "{tried}: the database {database:?} does not exist; create it \
                         (createdb -h {} -p {} -U {user} {database}) or name an existing one \
                         in --database-url",
                        opts.get_host(),
                        opts.get_port()
                    ),
                    Some("28P01" | "28000") => anyhow::bail!(
                        "{tried}: the login was refused ({said}); check the user and password \
                         in --database-url, and pg_hba.conf"
                    ),
                    _ => anyhow::bail!("{tried}: PostgreSQL said: {said}"),
                }
            }
            anyhow::bail!(
                "{tried}: {e}; check that it is PostgreSQL that listens at {at}, and its TLS \
                 settings (sslmode in --database-url)"
            )
        }
        _ => {
            if !url.contains("://") {
                anyhow::bail!(
                    "--database-url {url:?} is not a database URL: for a SQLite file write \
                     sqlite://{url} (created if missing); for PostgreSQL, \
                     postgres://USER@HOST:PORT/DATABASE"
                );
            }
            // The URL itself is not repeated: it may hold a password.
            anyhow::bail!(
                "--database-url names a database mlcat cannot use (scheme {:?}): mlcat speaks \
                 SQLite (sqlite://FILE) and PostgreSQL (postgres://USER@HOST:PORT/DATABASE)",
                scheme.unwrap_or_default()
            )
        }
    }
}

/// A connection of its own for the one writer of a SQLite catalog, opened with the pool's
/// settings when it is first used; `None` for an in-memory database (`:memory:`, or a
/// `file:` name as sqlx gives `sqlite::memory:`), which lives in its connections: the pool
/// keeps writing those, as before.
///
/// SQLite keeps a page cache per connection and drops it whenever another connection has
/// written since. Taken from the shared pool, which hands its connections out in turn, each
/// write transaction ran on a different connection from the last one, started with an empty
/// cache, and read every page of the indexes it inserted into again (those in the log with a
/// `pread` each: about 300 per 200-aspect batch). One connection that does all the writing
/// keeps its pages from one transaction to the next.
///
/// This connection does not enforce foreign keys (the pool's do). Every entity id the write
/// path puts in a version or an edge is one it has just read from the entity table inside the
/// same transaction, as the only writer, and no entity row is ever deleted; re-checking each
/// against the entity table cost 10 to 20 % of ingestion (BENCHMARKS.md, 27 November).
/// A test runs `PRAGMA foreign_key_check` after the demo load, a DataHub batch and a GraphQL
/// soft delete (`tests/api/datahub.rs`).
pub fn writer_connection(db: &DatabaseConnection) -> Option<DatabaseConnection> {
    use sea_orm::sqlx::sqlite::SqlitePoolOptions;
    let options = db.get_sqlite_connection_pool().connect_options();
    let file = options.get_filename().to_string_lossy();
    if file == ":memory:" || file.starts_with("file:") || file.is_empty() {
        return None;
    }
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .min_connections(0)
        .idle_timeout(None)
        .max_lifetime(None)
        .test_before_acquire(false)
        .acquire_timeout(Duration::from_secs(30))
        .connect_lazy_with((*options).clone().foreign_keys(false));
    let mut db = sea_orm::SqlxSqliteConnector::from_sqlx_sqlite_pool(pool);
    // Its statements are the server's too: `/metrics` counts them with the pool's.
    db.set_metric_callback(|info| crate::metrics::statement(info.elapsed, info.failed));
    Some(db)
}

/// Takes SQLite's write lock with a transaction's first statement (a no-op update). SQLite
/// starts a transaction as a reader and makes it a writer at its first write; if another
/// connection wrote in between, that upgrade fails at once instead of waiting, whereas a
/// transaction that starts by writing waits its turn (busy timeout).
pub async fn take_write_lock(txn: &impl ConnectionTrait) -> Result<(), sea_orm::DbErr> {
    txn.execute_unprepared("UPDATE entity SET id = id WHERE id < 0")
        .await?;
    Ok(())
}

/// Checks that the database takes writes, with a write that changes nothing, rolled back: the
/// no-op update that takes SQLite's write lock when the catalog's tables exist, else creating
/// a table. A database that refuses it fails with a sentence that says what was tried, what the
/// database answered, and what to do.
pub async fn check_writable(db: &DatabaseConnection, url: &str) -> anyhow::Result<()> {
    use sea_orm::TransactionTrait;
    async fn attempt(db: &DatabaseConnection, statement: &str) -> Result<(), sea_orm::DbErr> {
        let txn = db.begin().await?;
        let result = txn.execute_unprepared(statement).await;
        txn.rollback().await?;
        result.map(|_| ())
    }
    let mut tried = "a no-op UPDATE of the entity table";
    let mut result = attempt(db, "UPDATE entity SET id = id WHERE id < 0").await;
    if result.as_ref().is_err_and(is_missing_table) {
        tried = "creating a table";
        result = attempt(db, "CREATE TABLE mlcat_write_check (x INTEGER)").await;
    }
    let Err(e) = result else {
        return Ok(());
    };
    let why = write_refusal(&e)
        .map(|w| format!(": {w}"))
        .unwrap_or_default();
    let fix = if is_sqlite(db) {
        "make the file, its directory and the -wal and -shm files beside it writable by the user mlcat runs as (and leave `mode=ro` out of the URL), or free disk space"
    } else {
        "connect as a role that may write, to a primary server rather than a standby, with default_transaction_read_only off, or free the server's disk"
    };
    anyhow::bail!(
        "the database at {url} cannot be written: mlcat tried {tried} in a transaction (rolled back), and the database answered \"{e}\"{why}. To fix it, {fix}; or start with --read-only to serve queries without writing"
    )
}

/// Whether `e` says a table does not exist (before the first migration).
fn is_missing_table(e: &sea_orm::DbErr) -> bool {
    let text = e.to_string();
    // SQLite: `no such table`; PostgreSQL: undefined_table (42P01), `relation ... does not exist`.
    text.contains("no such table") || text.contains("does not exist") || text.contains("42P01")
}

/// Why the database refuses writes, when `e` says it does for a reason of its own (a full
/// disk, a read-only file or server, a failing disk, no answer) rather than because of what was
/// written; `None` for every other error.
pub fn write_refusal(e: &sea_orm::DbErr) -> Option<String> {
    use sea_orm::sqlx::{self, sqlite::SqliteError};
    use sea_orm::{DbErr, RuntimeErr};
    let error = match e {
        DbErr::Conn(RuntimeErr::SqlxError(s))
        | DbErr::Exec(RuntimeErr::SqlxError(s))
        | DbErr::Query(RuntimeErr::SqlxError(s)) => s,
        DbErr::ConnectionAcquire(_) => {
            return Some("no connection to the database could be had in time".into())
        }
        _ => return None,
    };
    let database = match error {
        sqlx::Error::Database(d) => d,
        sqlx::Error::Io(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => return Some("the database does not answer".into()),
        _ => return None,
    };
    let code = database.code()?;
    if database.try_downcast_ref::<SqliteError>().is_some() {
        // An extended result code: the primary code is its low byte.
        let primary = code.parse::<i32>().ok()? & 0xff;
        let why = match primary {
            8 => "the database file cannot be written (SQLITE_READONLY: the file, its directory or its mount is read-only, or it was opened with mode=ro)",
            10 => "the disk failed to read or write (SQLITE_IOERR)",
            13 => "the disk or the database is full (SQLITE_FULL)",
            14 => "the database file cannot be opened (SQLITE_CANTOPEN)",
            _ => return None,
        };
        return Some(why.into());
    }
    // PostgreSQL's SQLSTATE.
    let why = match code.as_ref() {
        "53100" => "the database server's disk is full (disk_full)".to_string(),
        "25006" => "the database takes only read-only transactions (read_only_sql_transaction: a standby, or default_transaction_read_only is on)".to_string(),
        "42501" => "the database does not allow this server's role to write (insufficient_privilege)".to_string(),
        "58030" => "the database server's disk failed to read or write (io_error)".to_string(),
        "57P01" | "57P02" | "57P03" => format!("the database server is shutting down or starting up (SQLSTATE {code})"),
        c if c.starts_with("53") => format!("the database server is out of resources (SQLSTATE {c})"),
        c if c.starts_with("08") => format!("the connection to the database failed (SQLSTATE {c})"),
        _ => return None,
    };
    Some(why)
}

pub fn is_sqlite(db: &impl ConnectionTrait) -> bool {
    db.get_database_backend() == DbBackend::Sqlite
}

/// Milliseconds since the Unix epoch, the unit of every timestamp in the catalog.
pub fn now_millis() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}
