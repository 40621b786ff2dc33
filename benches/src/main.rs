//! `mlcat-bench`: the Rust half of mlcat's benchmark suite (`benches/run.sh` is the other half).
//!
//! - `generate` fills a catalog of a given size through the write path's bulk form
//!   (`Catalog::write` with large batches of `AspectWrite::upsert`) and writes a manifest of
//!   the URNs the scenarios ask about;
//! - `serve-baseline` serves the "straightforward async-graphql dataloader implementation" the
//!   nested-query target is measured against: the query's part of the schema over the same
//!   tables, with sea-orm queries, JSON trees and async-graphql's default `DataLoader`;
//! - `serve-default-loader` serves mlcat's own schema and resolvers behind async-graphql's
//!   default, timer-based `DataLoader` (1 ms window, batches on `tokio::spawn`): what mlcat's
//!   in-request batching alone is worth;
//! - `statements` counts the SQL statements of the nested query in-process, idle and under
//!   load, through sea-orm's metric callback (the server has no statement counter).
//!
//! Timing stays out of the test suite: nothing here runs under `cargo test`.

mod baseline;
mod default_loader;
mod generate;
mod serve;
mod statements;

use clap::{Parser, Subcommand};

/// The allocator `mlcat` itself uses, so the servers here do not differ from mlcat in that.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser, Debug)]
#[command(
    name = "mlcat-bench",
    about = "mlcat's benchmark suite (see BENCHMARKS.md)"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Fill an empty catalog through the write path and write the manifest of the run.
    Generate(generate::Args),
    /// Serve the nested query's baseline: a straightforward async-graphql dataloader implementation.
    ServeBaseline(serve::Args),
    /// Serve mlcat's schema and resolvers behind async-graphql's default timer-based DataLoader.
    ServeDefaultLoader(serve::Args),
    /// Count the SQL statements of the nested query, idle and under load, in-process.
    Statements(statements::Args),
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: starting the runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        match cli.command {
            Command::Generate(args) => generate::run(args).await,
            Command::ServeBaseline(args) => baseline::run(args).await,
            Command::ServeDefaultLoader(args) => default_loader::run(args).await,
            Command::Statements(args) => statements::run(args).await,
        }
    });
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
