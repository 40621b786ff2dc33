//! The `mlcat` command: `serve` (the default), `migrate` and `schema`.

use anyhow::Context;
use clap::Parser;
use migration::{Migrator, MigratorTrait};
use mlcat::auth::{self, Auth};
use mlcat::config::{Cli, Command, DbArgs, ServeArgs, TokenCommand};
use mlcat::{app, catalog::Catalog, demo, store};
use tracing_subscriber::EnvFilter;

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
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .init();
    let cli = Cli::parse();
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
        Some(Command::Serve(args)) => serve(args).await,
        Some(Command::Token(command)) => token(command).await,
        None => serve(cli.serve).await,
    }
}

async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    if !args.auth && !args.bind.ip().is_loopback() && !args.insecure_listen_without_auth {
        anyhow::bail!(
            "refusing to listen on {} without auth: anyone who reaches it could write the catalog. \
             Start with --auth (and create tokens with `mlcat token create`), bind to 127.0.0.1, \
             or pass --insecure-listen-without-auth if you mean it",
            args.bind
        );
    }
    let db = open(&args.db, !args.no_migrate).await?;
    if args.demo {
        let changed = demo::load(&Catalog::new(db.clone()))
            .await
            .map_err(|e| anyhow::anyhow!("loading the demo catalog: {e:?}"))?;
        tracing::info!(aspects_written = changed, "demo catalog loaded");
    }
    let auth = if args.auth { Auth::Tokens } else { Auth::Off };
    let app = app::router_allowing(db, &args.limits, auth, &args.allowed_hosts);
    let listener = tokio::net::TcpListener::bind(args.bind)
        .await
        .with_context(|| format!("listening on {}", args.bind))?;
    let addr = listener.local_addr()?;
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
    app::serve(listener, app, &args.limits).await
}

/// Opens the database, migrating it first unless told not to.
async fn open(db: &DbArgs, migrate: bool) -> anyhow::Result<sea_orm::DatabaseConnection> {
    let conn = store::connect(&db.database_url)
        .await
        .with_context(|| format!("opening the database at {}", db.database_url))?;
    if migrate {
        Migrator::up(&conn, None)
            .await
            .context("running migrations")?;
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
                "{:<24} {:<6} {:<15} {:<15} {:<15}",
                "NAME", "SCOPE", "CREATED", "LAST USED", "REVOKED"
            );
            let ms = |t: Option<i64>| t.map_or_else(|| "-".to_string(), |t| t.to_string());
            for t in tokens {
                println!(
                    "{:<24} {:<6} {:<15} {:<15} {:<15}",
                    t.name,
                    t.scope.as_str(),
                    t.created_at,
                    ms(t.last_used_at),
                    ms(t.revoked_at)
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
