//! The `mlcat` command: `serve` (the default), `migrate` and `schema`.

use anyhow::Context;
use clap::Parser;
use mlcat::auth::{self, Auth};
use mlcat::catalog::{Catalog, WriteMode};
use mlcat::config::{Cli, Command, DbArgs, ServeArgs, TokenCommand};
use mlcat::{app, config, demo, logging, store};

/// A request allocates many small, short-lived values (rows, JSON, GraphQL answers) across
/// threads; mimalloc serves that pattern with far less time in the allocator than glibc's
/// (see BENCHMARKS.md). With the `mimalloc` feature (the default) SQLite's C code uses it too.
#[cfg(feature = "mimalloc")]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    match run().await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            // An operator's mistake reads as a sentence, not a backtrace.
            eprintln!("error: {}", sentence(&e));
            std::process::ExitCode::FAILURE
        }
    }
}

/// The error and its causes in one line, each said once: sqlx's and sea-orm's errors repeat
/// their cause in their own message, which `{:#}` would then print again after it.
fn sentence(e: &anyhow::Error) -> String {
    let mut out = String::new();
    for cause in e.chain() {
        let text = cause.to_string();
        if out.contains(&text) {
            continue;
        }
        if !out.is_empty() {
            out.push_str(": ");
        }
        out.push_str(&text);
    }
    out
}

async fn run() -> anyhow::Result<()> {
    let cli = Cli::parse();
    logging::init(cli.log_format);
    // Before the database is opened: migrations and the demo's writes count too.
    mlcat::metrics::install();
    match cli.command {
        Some(Command::Schema) => {
            print!("{}", mlcat::graphql::sdl());
            Ok(())
        }
        Some(Command::Migrate(db)) => {
            open(&db, true).await?;
            println!("migrations applied to {}", db.database_url);
            Ok(())
        }
        Some(Command::Serve(args)) => serve(*args).await,
        Some(Command::Token(command)) => token(command).await,
        None => serve(cli.serve).await,
    }
}

async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    // Everything that can be checked without side effects is checked before anything is
    // written: the settings, the address, and the port (bound before the database is opened).
    args.limits
        .check()
        .map_err(|why| anyhow::anyhow!("the limits do not fit together: {why}"))?;
    let addrs = config::resolve_bind(&args.bind).map_err(anyhow::Error::msg)?;
    if !args.auth && !args.insecure_listen_without_auth {
        if let Some(open) = addrs.iter().find(|a| !a.ip().is_loopback()) {
            anyhow::bail!(
                "refusing to listen on {} ({open}) without auth: anyone who reaches it could \
                 write the catalog. Start with --auth (and create tokens with `mlcat token \
                 create`), bind to 127.0.0.1, or pass --insecure-listen-without-auth if you mean it",
                args.bind
            );
        }
    }
    let listener = tokio::net::TcpListener::bind(addrs.as_slice())
        .await
        .map_err(|e| {
            let hint = match e.kind() {
                std::io::ErrorKind::AddrInUse => {
                    "another process listens there: stop it, or choose another port with --bind"
                }
                std::io::ErrorKind::PermissionDenied => {
                    "ports below 1024 need privileges: choose a port above 1023 with --bind"
                }
                std::io::ErrorKind::AddrNotAvailable => {
                    "this machine has no such address: bind to one of its own, or 127.0.0.1"
                }
                _ => "check --bind",
            };
            anyhow::anyhow!("cannot listen on {} ({e}); {hint}", args.bind)
        })?;
    let addr = listener.local_addr()?;
    let read_replica = open_read_replica(&args).await?;
    let db = open(&args.db, !args.no_migrate && !args.read_only).await?;
    if args.no_migrate && !args.read_only {
        store::check_writable(&db, &args.db.database_url).await?;
    }
    if args.demo {
        let changed = demo::load(&Catalog::new(db.clone()))
            .await
            .map_err(|e| anyhow::anyhow!("loading the demo catalog: {e:?}"))?;
        tracing::info!(aspects_written = changed, "demo catalog loaded");
    }
    let auth = if args.auth { Auth::Tokens } else { Auth::Off };
    let serving = app::Serving {
        auth,
        mode: if args.read_only {
            WriteMode::ReadOnly
        } else {
            WriteMode::ReadWrite
        },
        allowed_hosts: args.allowed_hosts.clone(),
        read_replica,
    };
    let catalog = app::serving_catalog(db.clone(), &serving);
    if !args.read_only {
        // Webhook deliveries, from this replica as from every other (each delivery is leased),
        // on the requests' catalog: its bookkeeping waits in line with their writes, and their
        // commits wake it.
        mlcat::webhooks::spawn(catalog.clone(), args.limits.clone());
    }
    let app = app::router_over(db, catalog, &args.limits, &serving);
    println!("mlcat is serving {}", args.db.database_url);
    println!("  GraphQL API:  http://{addr}/api/graphql");
    println!("  Playground:   http://{addr}/playground");
    println!("  Health:       http://{addr}/health");
    println!(
        "  Auth:         {}",
        if args.auth {
            "on: requests need `Authorization: Bearer <token>`"
        } else {
            "off (loopback only unless --insecure-listen-without-auth)"
        }
    );
    if args.read_only {
        println!("  Writes:       off (--read-only): queries only, every write answers 503");
    }
    if let Some(url) = &args.read_database_url {
        // Without the user and password the URL may hold.
        let at = url.split_once("://").map_or(url.as_str(), |(_, rest)| {
            rest.rsplit_once('@').map_or(rest, |(_, host)| host)
        });
        println!("  Reads:        the replica at {at} once it holds this process's writes, else the primary");
    }
    tracing::info!(
        %addr,
        auth = args.auth,
        version = env!("CARGO_PKG_VERSION"),
        "mlcat started"
    );
    app::serve(listener, app, &args.limits).await?;
    tracing::info!("mlcat stopped");
    Ok(())
}

/// Opens `--read-database-url`, if given: refused unless both URLs name PostgreSQL (SQLite has
/// no read replicas; one file is read by every connection alike).
async fn open_read_replica(
    args: &ServeArgs,
) -> anyhow::Result<Option<sea_orm::DatabaseConnection>> {
    let Some(url) = &args.read_database_url else {
        return Ok(None);
    };
    let postgres = |u: &str| u.starts_with("postgres://") || u.starts_with("postgresql://");
    if !postgres(&args.db.database_url) {
        let what = if args.db.database_url.starts_with("sqlite:") {
            "names a SQLite database, which has no read replicas (every connection reads the file)"
        } else {
            "is not a PostgreSQL URL"
        };
        anyhow::bail!(
            "--read-database-url is for PostgreSQL: --database-url {what}; leave \
             --read-database-url (MLCAT_READ_DATABASE_URL) out"
        );
    }
    if !postgres(url) {
        anyhow::bail!(
            "--read-database-url must name a PostgreSQL read replica \
             (postgres://USER@HOST:PORT/DATABASE), a standby of --database-url"
        );
    }
    store::probe(url)
        .await
        .map_err(|e| anyhow::anyhow!("the read replica (--read-database-url): {}", sentence(&e)))?;
    let conn = store::connect_read_replica(url)
        .await
        .context("opening the read replica (--read-database-url)")?;
    Ok(Some(conn))
}

/// Opens the database, migrating it first unless told not to.
async fn open(db: &DbArgs, migrate: bool) -> anyhow::Result<sea_orm::DatabaseConnection> {
    // One attempt, explained, before the pool (which retries until its timeout) is made.
    store::probe(&db.database_url).await?;
    let conn = store::connect(&db.database_url)
        .await
        .with_context(|| format!("opening the database at {}", db.database_url))?;
    if !migrate {
        store::refuse_newer_schema(&conn).await?;
    }
    if migrate {
        store::check_writable(&conn, &db.database_url).await?;
        store::migrate(&conn)
            .await
            .context("migrating the database")?;
        // The search index of entities written before it existed (a no-op once built).
        let indexed = Catalog::new(conn.clone())
            .index_missing()
            .await
            .map_err(|e| anyhow::anyhow!("building the search index: {}", e.public_message()))?;
        if indexed > 0 {
            tracing::info!(
                entities = indexed,
                "search index built for existing entities"
            );
        }
    }
    Ok(conn)
}

async fn token(command: TokenCommand) -> anyhow::Result<()> {
    let fail = |e: mlcat::catalog::Error| anyhow::anyhow!("{}", e.public_message());
    match command {
        TokenCommand::Create { db, name, scope } => {
            let secret = auth::create_token(&open(&db, true).await?, &name, scope)
                .await
                .map_err(fail)?;
            println!("{secret}");
            eprintln!(
                "token {name:?} ({}) created; it is shown only this once",
                scope.as_str()
            );
        }
        TokenCommand::List { db } => {
            let tokens = auth::list_tokens(&open(&db, true).await?)
                .await
                .map_err(fail)?;
            println!(
                "{:<24} {:<6} {:<21} {:<21} {:<21}",
                "NAME", "SCOPE", "CREATED (UTC)", "LAST USED (UTC)", "REVOKED (UTC)"
            );
            let when = |t: Option<i64>| t.map_or_else(|| "-".to_string(), utc);
            for t in tokens {
                // New names cannot hold control characters; one stored before that rule is
                // printed escaped, so it cannot forge a line or a terminal sequence.
                let name = t.name.escape_default().to_string();
                println!(
                    "{:<24} {:<6} {:<21} {:<21} {:<21}",
                    if t.name.chars().any(char::is_control) {
                        &name
                    } else {
                        &t.name
                    },
                    t.scope.as_str(),
                    utc(t.created_at),
                    when(t.last_used_at),
                    when(t.revoked_at)
                );
            }
        }
        TokenCommand::Revoke { db, name } => {
            let n = auth::revoke_tokens(&open(&db, true).await?, &name)
                .await
                .map_err(fail)?;
            if n == 0 {
                anyhow::bail!("no live token named {name:?}");
            }
            println!("revoked {n} token(s) named {name:?}");
        }
    }
    Ok(())
}

/// Milliseconds since the Unix epoch as a UTC date and time, `2026-12-06 15:04:05Z`. Written
/// by hand (Howard Hinnant's days-to-civil algorithm) rather than taking a date crate for one
/// line of `token list`.
fn utc(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let (days, rest) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02}Z",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

#[cfg(test)]
mod tests {
    use super::utc;

    #[test]
    fn epoch_milliseconds_read_as_utc_dates() {
        assert_eq!(utc(0), "1970-01-01 00:00:00Z");
        assert_eq!(utc(951_782_400_000), "2000-02-29 00:00:00Z");
        assert_eq!(utc(1_796_569_445_999), "2026-12-06 15:04:05Z");
        assert_eq!(utc(-1), "1969-12-31 23:59:59Z");
    }
}
