//! The `mlcat` command: `serve` (the default), `migrate` and `schema`.

use anyhow::Context;
use clap::Parser;
use migration::{Migrator, MigratorTrait};
use mlcat::config::{Cli, Command, ServeArgs};
use mlcat::{app, catalog::Catalog, demo, store};
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
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
            let conn = store::connect(&db.database_url)
                .await
                .context("opening the database")?;
            Migrator::up(&conn, None)
                .await
                .context("running migrations")?;
            println!("migrations applied to {}", db.database_url);
            Ok(())
        }
        Some(Command::Serve(args)) => serve(args).await,
        None => serve(cli.serve).await,
    }
}

async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    let db = store::connect(&args.db.database_url)
        .await
        .with_context(|| format!("opening the database at {}", args.db.database_url))?;
    if !args.no_migrate {
        Migrator::up(&db, None)
            .await
            .context("running migrations")?;
    }
    if args.demo {
        let changed = demo::load(&Catalog::new(db.clone()))
            .await
            .map_err(|e| anyhow::anyhow!("loading the demo catalog: {e:?}"))?;
        tracing::info!(aspects_written = changed, "demo catalog loaded");
    }
    let app = app::router(db, &args.limits);
    let listener = tokio::net::TcpListener::bind(args.bind)
        .await
        .with_context(|| format!("listening on {}", args.bind))?;
    let addr = listener.local_addr()?;
    println!("mlcat is serving {}", args.db.database_url);
    println!("  GraphQL API:  http://{addr}/api/graphql");
    println!("  Playground:   http://{addr}/playground");
    println!("  Health:       http://{addr}/health");
    app::serve(listener, app).await
}
