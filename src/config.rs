//! Flags and environment variables. Every setting has a flag and an `MLCAT_*` variable (the
//! database URL also reads `DATABASE_URL`), documented in `--help` and the README.

use std::net::SocketAddr;

use clap::{Args, Parser, Subcommand};

#[derive(Parser, Debug)]
#[command(
    name = "mlcat",
    version,
    about = "A GraphQL metadata catalog for machine learning"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub serve: ServeArgs,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Start the server (the default when no command is given).
    Serve(ServeArgs),
    /// Apply pending database migrations and exit.
    Migrate(DbArgs),
    /// Print the GraphQL schema (SDL) and exit.
    Schema,
    /// Manage access tokens (they matter when the server runs with `--auth`).
    #[command(subcommand)]
    Token(TokenCommand),
}

#[derive(Subcommand, Debug)]
pub enum TokenCommand {
    /// Create a token and print it (it is shown this once; only its hash is stored).
    Create {
        #[command(flatten)]
        db: DbArgs,
        /// A name for the token: who or what uses it. Writes are recorded under this name.
        #[arg(long)]
        name: String,
        /// `read` allows queries; `write` also allows mutations and ingestion.
        #[arg(long, value_enum)]
        scope: crate::auth::Scope,
    },
    /// List tokens: names, scopes, creation and last-use times (never the secrets).
    List {
        #[command(flatten)]
        db: DbArgs,
    },
    /// Revoke every token of a name.
    Revoke {
        #[command(flatten)]
        db: DbArgs,
        /// The name of the token(s) to revoke.
        #[arg(long)]
        name: String,
    },
}

#[derive(Args, Debug, Clone)]
pub struct DbArgs {
    /// Database URL: `sqlite://FILE` (created if missing) or `postgres://USER@HOST/DB`.
    #[arg(long, env = "DATABASE_URL", default_value = "sqlite://mlcat.db")]
    pub database_url: String,
}

#[derive(Args, Debug, Clone)]
pub struct ServeArgs {
    #[command(flatten)]
    pub db: DbArgs,
    /// Address to listen on.
    #[arg(long, env = "MLCAT_BIND", default_value = "127.0.0.1:8080")]
    pub bind: SocketAddr,
    /// Load the demo catalog (idempotent: unchanged aspects are not written again).
    #[arg(long, env = "MLCAT_DEMO")]
    pub demo: bool,
    /// Do not run migrations at start-up (run `mlcat migrate` instead).
    #[arg(long, env = "MLCAT_NO_MIGRATE")]
    pub no_migrate: bool,
    /// Require an access token (`Authorization: Bearer <token>`) on every request but
    /// `/health` and the playground page; create tokens with `mlcat token create`.
    #[arg(long, env = "MLCAT_AUTH")]
    pub auth: bool,
    /// Allow listening on a non-loopback address with auth off: anyone who can reach the
    /// port can then read and write the catalog.
    #[arg(long, env = "MLCAT_INSECURE_LISTEN_WITHOUT_AUTH")]
    pub insecure_listen_without_auth: bool,
    /// With auth off, also answer requests for this host name (repeatable; the variable takes a
    /// comma-separated list). Without it, auth off answers only `localhost`, `*.localhost` and
    /// IP addresses, so a web page on a domain that rebinds to this address cannot use it.
    #[arg(
        long = "allowed-host",
        env = "MLCAT_ALLOWED_HOSTS",
        value_name = "NAME",
        value_delimiter = ','
    )]
    pub allowed_hosts: Vec<String>,
    #[command(flatten)]
    pub limits: Limits,
}

/// Limits that protect the server from oversized or expensive requests.
#[derive(Parser, Debug, Clone)]
pub struct Limits {
    /// Deepest query nesting accepted.
    #[arg(long, env = "MLCAT_MAX_QUERY_DEPTH", default_value_t = 16)]
    pub max_query_depth: usize,
    /// Highest query complexity accepted: a field costs 1, a list costs its page size times
    /// its fields, a relation 5 times its fields.
    #[arg(long, env = "MLCAT_MAX_QUERY_COMPLEXITY", default_value_t = 50000)]
    pub max_query_complexity: usize,
    /// Most tokens (names, values, punctuation) a query's text may hold; counted before it is
    /// parsed. Large values belong in variables, which do not count.
    #[arg(long, env = "MLCAT_MAX_QUERY_TOKENS", default_value_t = 20000)]
    pub max_query_tokens: usize,
    /// Most aliases a query may use.
    #[arg(long, env = "MLCAT_MAX_QUERY_ALIASES", default_value_t = 100)]
    pub max_query_aliases: usize,
    /// Longest a request may run, in seconds; a write cut off is rolled back.
    #[arg(long, env = "MLCAT_REQUEST_TIMEOUT_SECS", default_value_t = 30)]
    pub request_timeout_secs: u64,
    /// Longest a client may take to send a request's head (its line and headers), and longest
    /// a kept-alive connection may wait idle for its next request, in seconds.
    #[arg(long, env = "MLCAT_HEADER_READ_TIMEOUT_SECS", default_value_t = 10)]
    pub header_read_timeout_secs: u64,
    /// Largest request body accepted, in bytes.
    #[arg(long, env = "MLCAT_MAX_BODY_BYTES", default_value_t = 32 * 1024 * 1024)]
    pub max_body_bytes: usize,
    /// Largest GraphQL answer sent, in bytes; a larger one is replaced by an error naming this
    /// limit (a mutation's writes are still made).
    #[arg(long, env = "MLCAT_MAX_RESPONSE_BYTES", default_value_t = 32 * 1024 * 1024)]
    pub max_response_bytes: usize,
    /// Largest page a list answers.
    #[arg(long, env = "MLCAT_MAX_PAGE_SIZE", default_value_t = 1000)]
    pub max_page_size: u64,
    /// Page size of a list when the request gives none.
    #[arg(long, env = "MLCAT_DEFAULT_PAGE_SIZE", default_value_t = 20)]
    pub default_page_size: u64,
    /// Hops of a lineage traversal when the request gives none.
    #[arg(long, env = "MLCAT_DEFAULT_LINEAGE_DEPTH", default_value_t = 3)]
    pub default_lineage_depth: u32,
    /// Most hops a lineage traversal may ask for.
    #[arg(long, env = "MLCAT_MAX_LINEAGE_DEPTH", default_value_t = 10)]
    pub max_lineage_depth: u32,
    /// Entities a lineage traversal answers at most when the request gives no budget.
    #[arg(long, env = "MLCAT_DEFAULT_LINEAGE_BUDGET", default_value_t = 1000)]
    pub default_lineage_budget: usize,
    /// Largest budget a lineage traversal may ask for.
    #[arg(long, env = "MLCAT_MAX_LINEAGE_BUDGET", default_value_t = 10000)]
    pub max_lineage_budget: usize,
}

impl Default for Limits {
    /// The same defaults as the command line.
    fn default() -> Limits {
        Limits::parse_from(["mlcat"])
    }
}
