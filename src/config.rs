//! Flags and environment variables. Every setting has a flag and an `MLCAT_*` variable (the
//! database URL also reads `DATABASE_URL`), documented in `--help` and the README.

use std::net::{SocketAddr, ToSocketAddrs};

use clap::{Args, Parser, Subcommand};

#[derive(Parser, Debug)]
#[command(
    name = "mlcat",
    version,
    about = "A GraphQL metadata catalog for machine learning",
    after_help = "Logs go to stderr (only the command's answer, such as a new token, goes to \
                  stdout), coloured when stderr is a terminal and NO_COLOR is unset. RUST_LOG \
                  sets what is logged: `info` (the default) logs start-up, shutdown and one line \
                  per request; `warn` only problems; `mlcat=debug` more of mlcat's own."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// How log lines are written (to stderr): `text` for people, `json` (one object a line)
    /// for machines.
    #[arg(
        long,
        global = true,
        env = "MLCAT_LOG_FORMAT",
        value_enum,
        default_value = "text"
    )]
    pub log_format: LogFormat,
    #[command(flatten)]
    pub serve: ServeArgs,
}

/// How log lines are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// One line of text per event.
    Text,
    /// One JSON object per event.
    Json,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Start the server (the default when no command is given).
    Serve(Box<ServeArgs>),
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
        /// Trimmed; 1 to 200 characters, no control characters.
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
        /// The name of the token(s) to revoke, trimmed as `create` trims it.
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
    /// Address to listen on: `IP:PORT` or `HOST:PORT` (a host name such as `localhost` is
    /// resolved; without --auth, every address it resolves to must be a loopback address).
    #[arg(long, env = "MLCAT_BIND", default_value = "127.0.0.1:8080")]
    pub bind: String,
    /// Load the demo catalog (idempotent: unchanged aspects are not written again).
    #[arg(long, env = "MLCAT_DEMO")]
    pub demo: bool,
    /// PostgreSQL only: a read replica (a streaming standby of --database-url) that reads go
    /// to, as `postgres://USER@HOST:PORT/DATABASE`. Writes go to --database-url; this
    /// process's reads go to the primary until the replica has replayed its latest write, so
    /// a writer always reads its own writes (other processes' writes reach this one's reads
    /// with the replica's lag).
    #[arg(long, env = "MLCAT_READ_DATABASE_URL", value_name = "URL")]
    pub read_database_url: Option<String>,
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
    /// Serve queries only: every write answers 503 (GraphQL code `UNAVAILABLE`) and
    /// `/health` says writes are off. Migrations are not run, and the start-up check that the
    /// database takes writes is skipped: use it for a read-only file, mount or replica.
    #[arg(long, env = "MLCAT_READ_ONLY", conflicts_with = "demo")]
    pub read_only: bool,
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
    /// its fields, a relation 5 times its fields; of the fragments on the types an interface or
    /// union may be, only the dearest counts. DataHub's UI pages for the ML entities are priced
    /// at up to about 6.3 million; what the data makes of a price is bounded at run time by
    /// `max_query_reads` (README, "Configuration").
    #[arg(long, env = "MLCAT_MAX_QUERY_COMPLEXITY", default_value_t = 10_000_000)]
    pub max_query_complexity: usize,
    /// Most tokens (names, values, punctuation) a query's text may hold; counted before it is
    /// parsed. Large values belong in variables, which do not count.
    #[arg(long, env = "MLCAT_MAX_QUERY_TOKENS", default_value_t = 20000)]
    pub max_query_tokens: usize,
    /// Most loads (an entity, an aspect, a relation list, a lineage walk, a history) the
    /// fields of one request may ask for. A query that asks for more is stopped there and
    /// answered one error; a mutation's fields past it answer the error, its writes stand.
    /// The complexity limit prices page sizes before a query runs; this bounds what the data
    /// behind them makes of it (BENCHMARKS.md, "what a DataHub UI page costs").
    #[arg(long, env = "MLCAT_MAX_QUERY_READS", default_value_t = 20000)]
    pub max_query_reads: usize,
    /// Most aliases a query may use.
    #[arg(long, env = "MLCAT_MAX_QUERY_ALIASES", default_value_t = 100)]
    pub max_query_aliases: usize,
    /// Longest a request may run, in seconds. A write not committed by then is rolled back
    /// and answered 408 / TIMEOUT; a write already being committed is answered with its
    /// outcome, so a status can be trusted.
    #[arg(long, env = "MLCAT_REQUEST_TIMEOUT_SECS", default_value_t = 30)]
    pub request_timeout_secs: u64,
    /// The time limit in steps finer than the flag's seconds, for tests; `None` takes the flag.
    #[arg(skip)]
    pub request_timeout: Option<std::time::Duration>,
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
    /// Largest budget a lineage traversal may ask for, and the most the `lineageGraph`
    /// traversals of one request may ask for together.
    #[arg(long, env = "MLCAT_MAX_LINEAGE_BUDGET", default_value_t = 10000)]
    pub max_lineage_budget: usize,
    /// Let webhooks deliver to loopback, private, link-local and cloud-metadata addresses
    /// (a receiver on the same machine or network); refused by default, so a catalog user
    /// cannot make the server call into its own network.
    #[arg(long, env = "MLCAT_WEBHOOK_ALLOW_PRIVATE_TARGETS")]
    pub webhook_allow_private_targets: bool,
    /// Failed deliveries in a row after which a webhook is paused (until `resumeWebhook`).
    #[arg(long, env = "MLCAT_WEBHOOK_MAX_FAILURES", default_value_t = 10)]
    pub webhook_max_failures: u32,
    /// The wait before retrying a failed webhook delivery, in milliseconds; it doubles with
    /// each failure in a row, up to five minutes.
    #[arg(long, env = "MLCAT_WEBHOOK_RETRY_BASE_MS", default_value_t = 1000)]
    pub webhook_retry_base_ms: u64,
    /// The environment (fabric) of the URNs OpenLineage events make: their datasets' and
    /// their jobs' flows'.
    #[arg(long, env = "MLCAT_OPENLINEAGE_ENV", default_value = "PROD")]
    pub openlineage_env: String,
}

impl Limits {
    /// Longest a request may run.
    pub fn request_timeout(&self) -> std::time::Duration {
        self.request_timeout
            .unwrap_or(std::time::Duration::from_secs(self.request_timeout_secs))
    }

    /// Checks the limits against each other, so that a server never starts with a default that
    /// its own maximum refuses (every request relying on the default would then fail, blaming
    /// the client), or with a limit of zero that refuses everything. The sentence names the
    /// flags to change.
    pub fn check(&self) -> Result<(), String> {
        let mut problems = Vec::new();
        let mut positive = |flag: &str, value: u64| {
            if value == 0 {
                problems.push(format!("{flag} is 0; it must be at least 1"));
            }
        };
        positive("--max-query-depth", self.max_query_depth as u64);
        positive("--max-query-complexity", self.max_query_complexity as u64);
        positive("--request-timeout-secs", self.request_timeout_secs);
        positive("--max-body-bytes", self.max_body_bytes as u64);
        positive("--max-query-tokens", self.max_query_tokens as u64);
        positive("--max-query-reads", self.max_query_reads as u64);
        positive("--max-response-bytes", self.max_response_bytes as u64);
        positive("--header-read-timeout-secs", self.header_read_timeout_secs);
        positive("--max-page-size", self.max_page_size);
        positive("--default-page-size", self.default_page_size);
        positive("--default-lineage-depth", self.default_lineage_depth.into());
        positive("--max-lineage-depth", self.max_lineage_depth.into());
        positive(
            "--default-lineage-budget",
            self.default_lineage_budget as u64,
        );
        positive("--max-lineage-budget", self.max_lineage_budget as u64);
        let pairs: [(&str, u64, &str, u64); 3] = [
            (
                "--default-page-size",
                self.default_page_size,
                "--max-page-size",
                self.max_page_size,
            ),
            (
                "--default-lineage-depth",
                self.default_lineage_depth.into(),
                "--max-lineage-depth",
                self.max_lineage_depth.into(),
            ),
            (
                "--default-lineage-budget",
                self.default_lineage_budget as u64,
                "--max-lineage-budget",
                self.max_lineage_budget as u64,
            ),
        ];
        for (default_flag, default, max_flag, max) in pairs {
            if default > max {
                problems.push(format!(
                    "{default_flag} {default} is above {max_flag} {max}: every request that \
                     gives none would be refused; lower {default_flag} or raise {max_flag}"
                ));
            }
        }
        if !crate::urn::FABRIC_TYPES.contains(&self.openlineage_env.as_str()) {
            problems.push(format!(
                "--openlineage-env {:?} is not one of {}",
                self.openlineage_env,
                crate::urn::FABRIC_TYPES.join(", ")
            ));
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems.join("; "))
        }
    }
}

/// Resolves `--bind` (`IP:PORT`, `HOST:PORT`, or `[IPv6]:PORT`) to the addresses it names.
pub fn resolve_bind(bind: &str) -> Result<Vec<SocketAddr>, String> {
    let explain = |why: String| {
        format!(
            "--bind {bind:?} is not an address to listen on ({why}); give HOST:PORT or IP:PORT, \
             for example 127.0.0.1:8080 or localhost:8080"
        )
    };
    if let Ok(addr) = bind.parse::<SocketAddr>() {
        return Ok(vec![addr]);
    }
    if bind
        .rsplit_once(':')
        .is_none_or(|(host, _)| host.is_empty())
    {
        return Err(explain("no host, or no port".to_string()));
    }
    let addrs: Vec<SocketAddr> = bind
        .to_socket_addrs()
        .map_err(|e| explain(e.to_string()))?
        .collect();
    if addrs.is_empty() {
        return Err(explain("the host name resolves to no address".to_string()));
    }
    Ok(addrs)
}

impl Default for Limits {
    /// The same defaults as the command line.
    fn default() -> Limits {
        Limits::parse_from(["mlcat"])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_defaults_pass_their_own_check() {
        assert_eq!(Limits::default().check(), Ok(()));
    }

    #[test]
    fn a_default_above_its_maximum_names_both_flags() {
        let limits = Limits::parse_from([
            "mlcat",
            "--default-page-size",
            "50",
            "--max-page-size",
            "10",
        ]);
        let why = limits.check().unwrap_err();
        assert!(why.contains("--default-page-size 50"), "{why}");
        assert!(why.contains("--max-page-size 10"), "{why}");
    }

    #[test]
    fn a_zero_limit_is_refused() {
        let limits = Limits::parse_from(["mlcat", "--max-lineage-budget", "0"]);
        let why = limits.check().unwrap_err();
        assert!(why.contains("--max-lineage-budget is 0"), "{why}");
    }

    #[test]
    fn bind_takes_addresses_and_host_names() {
        assert_eq!(
            resolve_bind("127.0.0.1:8080").unwrap(),
            vec!["127.0.0.1:8080".parse().unwrap()]
        );
        let local = resolve_bind("localhost:8080").unwrap();
        assert!(local
            .iter()
            .all(|a| a.ip().is_loopback() && a.port() == 8080));
        assert!(resolve_bind("8080").unwrap_err().contains("HOST:PORT"));
    }
}
