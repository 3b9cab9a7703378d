//! The command line: subcommands, and one flag per setting.
//!
//! Every setting is a global flag backed by a `HUMAS_*` environment variable, so it works before
//! or after the subcommand (`humas serve --bind ...` and `humas --bind ... serve`). The doc
//! comment of each setting flag is its documentation everywhere: `--help`, and the comments of
//! `humas config example`.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::builder::BoolishValueParser;
use clap::{Args, CommandFactory as _, FromArgMatches as _, Parser, Subcommand};

use crate::settings::{DatabaseUrl, LogFormat, MediaStoreUrl, Settings};

/// Humas: social media management for the public-relations offices of a provincial government.
///
/// Settings come from compiled defaults, then the TOML file given with --config (no file is read
/// otherwise), then HUMAS_* environment variables, then flags. `humas config example` prints
/// every setting with its documentation.
#[derive(Debug, Parser)]
#[command(name = "humas", version, propagate_version = true)]
pub struct Cli {
    /// Read settings from this TOML file (see `humas config example`).
    #[arg(
        long,
        short = 'c',
        global = true,
        env = "HUMAS_CONFIG",
        value_name = "FILE"
    )]
    pub config: Option<PathBuf>,

    /// Settings that override the config file.
    #[command(flatten)]
    pub settings: SettingsArgs,

    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// One optional flag per setting; the field names are the TOML keys.
#[derive(Debug, Default, Args)]
#[command(next_help_heading = "Settings (each also a HUMAS_* variable and a config file key)")]
pub struct SettingsArgs {
    /// Address and port the web server listens on; port 0 picks a free port.
    #[arg(long, global = true, env = "HUMAS_BIND", value_name = "ADDR")]
    pub bind: Option<SocketAddr>,

    /// Folder for local data; the default SQLite database `humas.db` lives here.
    #[arg(long, global = true, env = "HUMAS_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,

    /// Database to use: `postgres://USER:PASSWORD@HOST:PORT/DB` (or `postgresql://`) selects
    /// PostgreSQL; `sqlite://PATH` or a plain file path selects SQLite. Unset means the SQLite
    /// file `humas.db` in the data directory.
    #[arg(
        long,
        global = true,
        env = "HUMAS_DATABASE_URL",
        value_name = "URL",
        hide_env_values = true
    )]
    pub database_url: Option<DatabaseUrl>,

    /// Most connections kept open to PostgreSQL (ignored for SQLite).
    #[arg(
        long,
        global = true,
        env = "HUMAS_DATABASE_MAX_CONNECTIONS",
        value_name = "N"
    )]
    pub database_max_connections: Option<u32>,

    /// Name of the government shown in the page header.
    #[arg(long, global = true, env = "HUMAS_PROVINCE_NAME", value_name = "NAME")]
    pub province_name: Option<String>,

    /// Mark session cookies `Secure`; turn on whenever users reach Humas over HTTPS.
    #[arg(
        long,
        global = true,
        env = "HUMAS_SECURE_COOKIES",
        value_name = "BOOL",
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = "true",
        value_parser = BoolishValueParser::new()
    )]
    pub secure_cookies: Option<bool>,

    /// Take the client address from the first `X-Forwarded-For` hop, for sign-in throttling per
    /// address. Turn on only behind a reverse proxy that sets that header; otherwise every client
    /// looks like the proxy, or could pretend to be anyone.
    #[arg(
        long,
        global = true,
        env = "HUMAS_TRUST_FORWARDED_FOR",
        value_name = "BOOL",
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = "true",
        value_parser = BoolishValueParser::new()
    )]
    pub trust_forwarded_for: Option<bool>,

    /// Let feed and platform addresses point at private, loopback or link-local networks. Only
    /// for an intranet news server or a local test platform: it turns off SSRF protection.
    #[arg(
        long,
        global = true,
        env = "HUMAS_ALLOW_PRIVATE_TARGETS",
        value_name = "BOOL",
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = "true",
        value_parser = BoolishValueParser::new()
    )]
    pub allow_private_targets: Option<bool>,

    /// Seconds between two polls of each connected account and news feed (at least 10).
    #[arg(
        long,
        global = true,
        env = "HUMAS_POLL_INTERVAL_SECONDS",
        value_name = "SECONDS"
    )]
    pub poll_interval_seconds: Option<u64>,

    /// How many days back the first poll of a Mastodon or Bluesky account reads its history.
    #[arg(long, global = true, env = "HUMAS_BACKFILL_DAYS", value_name = "DAYS")]
    pub backfill_days: Option<u64>,

    /// The most notifications the first poll of a Mastodon or Bluesky account reads (whichever
    /// bound comes first); 0 reads only the newest page.
    #[arg(
        long,
        global = true,
        env = "HUMAS_BACKFILL_MAX_NOTIFICATIONS",
        value_name = "N"
    )]
    pub backfill_max_notifications: Option<u32>,

    /// Seconds a publisher holds a post it is sending before another worker may take it over
    /// after a crash (at least 5).
    #[arg(
        long,
        global = true,
        env = "HUMAS_PUBLISH_LEASE_SECONDS",
        value_name = "SECONDS"
    )]
    pub publish_lease_seconds: Option<u64>,

    /// A TOML file with the OAuth clients Humas is registered as on X, TikTok, Meta and
    /// YouTube, so approvers connect accounts through the platform's consent page.
    #[arg(
        long,
        global = true,
        env = "HUMAS_OAUTH_CLIENTS_FILE",
        value_name = "FILE"
    )]
    pub oauth_clients_file: Option<PathBuf>,

    /// The address people and platforms reach Humas at, e.g. `https://humas.example.go.id`:
    /// OAuth redirects return there, and Instagram and TikTok fetch post media from it.
    #[arg(long, global = true, env = "HUMAS_PUBLIC_URL", value_name = "URL")]
    pub public_url: Option<String>,

    /// Where uploaded images and videos are kept: unset for the `media` folder in the data
    /// directory, or an S3-compatible bucket (AWS S3, MinIO, Ceph, Wasabi) as
    /// `s3://ACCESS_KEY:SECRET_KEY@HOST[:PORT]/BUCKET[/PREFIX]?region=REGION&tls=true|false`
    /// (percent-encode `@`, `:` and `/` in the keys; `tls=false` for a local MinIO over plain
    /// HTTP). `humas serve` and every `humas worker` must name the same store.
    #[arg(
        long,
        global = true,
        env = "HUMAS_MEDIA_STORE",
        // `--help` would otherwise print the variable's value, secret key included.
        hide_env_values = true,
        value_name = "URL"
    )]
    pub media_store: Option<MediaStoreUrl>,

    /// Log output: `pretty` (one readable line per event) or `json` (one JSON object per line).
    /// Logs go to standard error.
    #[arg(long, global = true, env = "HUMAS_LOG_FORMAT", value_name = "FORMAT")]
    pub log_format: Option<LogFormat>,

    /// Log filter: a level (trace, debug, info, warn, error, off) or directives such as
    /// `info,humas_web=debug`. The RUST_LOG variable, when set, takes precedence.
    #[arg(long, global = true, env = "HUMAS_LOG_LEVEL", value_name = "FILTER")]
    pub log_level: Option<String>,

    /// Minutes without a request after which a sign-in session ends.
    #[arg(
        long,
        global = true,
        env = "HUMAS_SESSION_IDLE_MINUTES",
        value_name = "MINUTES"
    )]
    pub session_idle_minutes: Option<u64>,

    /// Hours after sign-in after which a session ends however active it is.
    #[arg(
        long,
        global = true,
        env = "HUMAS_SESSION_ABSOLUTE_HOURS",
        value_name = "HOURS"
    )]
    pub session_absolute_hours: Option<u64>,

    /// On `serve`, fill an empty database with demo data (East Java OPDs, accounts and one person
    /// per role) and print the demo sign-ins. Never use on a real install.
    #[arg(
        long,
        global = true,
        env = "HUMAS_DEMO",
        value_name = "BOOL",
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = "true",
        value_parser = BoolishValueParser::new()
    )]
    pub demo: Option<bool>,
}

impl SettingsArgs {
    /// Writes every given flag (or variable) over the settings.
    pub fn apply(&self, s: &mut Settings) {
        let Self {
            bind,
            data_dir,
            database_url,
            database_max_connections,
            province_name,
            secure_cookies,
            trust_forwarded_for,
            allow_private_targets,
            poll_interval_seconds,
            backfill_days,
            backfill_max_notifications,
            publish_lease_seconds,
            oauth_clients_file,
            public_url,
            media_store,
            log_format,
            log_level,
            session_idle_minutes,
            session_absolute_hours,
            demo,
        } = self;
        if let Some(v) = bind {
            s.bind = *v;
        }
        if let Some(v) = data_dir {
            s.data_dir.clone_from(v);
        }
        if let Some(v) = database_url {
            s.database_url = Some(v.clone());
        }
        if let Some(v) = database_max_connections {
            s.database_max_connections = *v;
        }
        if let Some(v) = province_name {
            s.province_name.clone_from(v);
        }
        if let Some(v) = secure_cookies {
            s.secure_cookies = *v;
        }
        if let Some(v) = trust_forwarded_for {
            s.trust_forwarded_for = *v;
        }
        if let Some(v) = allow_private_targets {
            s.allow_private_targets = *v;
        }
        if let Some(v) = poll_interval_seconds {
            s.poll_interval_seconds = *v;
        }
        if let Some(v) = backfill_days {
            s.backfill_days = *v;
        }
        if let Some(v) = backfill_max_notifications {
            s.backfill_max_notifications = *v;
        }
        if let Some(v) = publish_lease_seconds {
            s.publish_lease_seconds = *v;
        }
        if let Some(v) = oauth_clients_file {
            s.oauth_clients_file = Some(v.clone());
        }
        if let Some(v) = public_url {
            s.public_url.clone_from(v);
        }
        if let Some(v) = media_store {
            s.media_store = v.clone();
        }
        if let Some(v) = log_format {
            s.log_format = *v;
        }
        if let Some(v) = log_level {
            s.log_level.clone_from(v);
        }
        if let Some(v) = session_idle_minutes {
            s.session_idle_minutes = *v;
        }
        if let Some(v) = session_absolute_hours {
            s.session_absolute_hours = *v;
        }
        if let Some(v) = demo {
            s.demo = *v;
        }
    }
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the web server until SIGINT or SIGTERM (migrates the database first).
    Serve,
    /// Run only the publisher (the durable queue of scheduled posts) until SIGINT or SIGTERM.
    /// Several workers may share one PostgreSQL database; each job is taken by one of them.
    Worker,
    /// Create or update the database schema, then exit.
    Migrate,
    /// Manage people and their API tokens.
    #[command(subcommand)]
    User(UserCommand),
    /// Check the tamper-evident audit log.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Print an example configuration file or check the current configuration.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Indonesian text analysis on the command line.
    #[command(subcommand)]
    Text(TextCommand),
    /// Online news monitoring from RSS and Atom feeds.
    #[command(subcommand)]
    Feed(FeedCommand),
    /// Import messages from an NDJSON or CSV file into an account's inbox. Rejected lines are
    /// reported with their number and reason; the rest are stored. Safe to run again after an
    /// interruption: stored messages are skipped, missing ones added.
    Import {
        /// The file (`.csv` is read as CSV, anything else as NDJSON unless --format says).
        file: std::path::PathBuf,
        /// The account: its id, or platform:handle such as `x:@dinkesjatim`.
        #[arg(long)]
        account: String,
        /// The file format.
        #[arg(long, value_enum)]
        format: Option<crate::import::Format>,
    },
    /// Generate messages and push them through the whole ingest pipeline (analysis, routing,
    /// storage, indexing) to measure sustained ingest speed.
    #[command(subcommand)]
    Bench(BenchCommand),
}

/// `humas bench ...`
#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Sustained ingest of generated Indonesian messages into the configured database.
    Ingest {
        /// How many messages.
        #[arg(long, default_value_t = 1_000_000)]
        messages: usize,
        /// Messages per batch (one transaction each).
        #[arg(long, default_value_t = 1_000)]
        batch: usize,
        /// In what order the messages arrive: `live` (roughly in publication order, as polling
        /// and webhooks deliver them) or `scattered` (each batch spread over all 90 days: the
        /// worst case, like an unsorted history import).
        #[arg(long, value_enum, default_value_t = crate::bench::Arrival::Live)]
        arrival: crate::bench::Arrival,
        /// Print one JSON object instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Inbox pages with filters and full-text search over what is stored: latency percentiles.
    Inbox {
        /// Pages to ask for.
        #[arg(long, default_value_t = 500)]
        pages: usize,
        /// Print one JSON object instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Posts due at the same instant, published by in-process workers to a fake Mastodon
    /// instance: dispatch time, lateness percentiles, and a check that each post went out once.
    /// Use a database of its own: it refuses to run while other publications wait.
    Publish {
        /// How many posts (one channel each).
        #[arg(long, default_value_t = 10_000)]
        posts: usize,
        /// Mastodon accounts the posts are spread over.
        #[arg(long, default_value_t = 200)]
        accounts: usize,
        /// Publisher workers running at the same time.
        #[arg(long, default_value_t = 4)]
        workers: usize,
        /// The fake platform's answer time, milliseconds.
        #[arg(long, default_value_t = 20)]
        latency_ms: u64,
        /// Seconds between the end of the drafts and the due time (default: chosen from how
        /// long the drafts took).
        #[arg(long)]
        lead_seconds: Option<u64>,
        /// Longest wait for the queue to empty after the due time.
        #[arg(long, default_value_t = 600)]
        timeout_seconds: u64,
        /// Print one JSON object instead of text.
        #[arg(long)]
        json: bool,
    },
}

/// `humas feed ...`
#[derive(Debug, Subcommand)]
pub enum FeedCommand {
    /// Fetch one RSS or Atom feed and print one JSON line per item, with the text analysis of
    /// its title and summary; a summary and the validators for the next poll go to standard
    /// error.
    Fetch {
        /// The feed address (http or https).
        url: String,
        /// Allow feeds on internal networks (loopback, private, link-local). Off by default so
        /// a feed URL cannot be used to reach internal services.
        #[arg(long)]
        allow_private: bool,
        /// The `etag:` printed by the previous fetch: an unchanged feed answers "not modified".
        #[arg(long, value_name = "ETAG")]
        etag: Option<String>,
        /// The `last-modified:` printed by the previous fetch.
        #[arg(long, value_name = "DATE")]
        last_modified: Option<String>,
    },
}

/// `humas text ...`
#[derive(Debug, Subcommand)]
pub enum TextCommand {
    /// Analyse messages from standard input: one per line, plain text or NDJSON
    /// `{"id": ..., "text": "..."}`; writes one JSON analysis per line to standard output.
    Analyze {
        /// Include every token with its byte span.
        #[arg(long)]
        tokens: bool,
    },
    /// Train the classifiers from the labelled datasets and write the model files.
    Train {
        /// The data folder (holds smsa/ and ibrohim2019-hs-abusive/).
        #[arg(long, value_name = "DIR")]
        data: PathBuf,
        /// Where to write sentiment.hlm and abuse.hlm.
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// Seed for folds and the solver: the same seed gives byte-identical files.
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Measure the classifiers on the held-out splits and print every metric.
    Eval {
        /// The data folder (holds smsa/, ibrohim2019-hs-abusive/, nusax/ and sastrawi-kata-dasar/).
        #[arg(long, value_name = "DIR")]
        data: PathBuf,
        /// Evaluate the models in this folder instead of the ones built in.
        #[arg(long, value_name = "DIR")]
        models: Option<PathBuf>,
        /// Print one JSON object instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Measure analysis throughput on one core over a generated corpus.
    Bench {
        /// Messages in the corpus.
        #[arg(long, default_value_t = 200_000)]
        messages: usize,
        /// Corpus seed.
        #[arg(long, default_value_t = 7)]
        seed: u64,
        /// Print one JSON object instead of text.
        #[arg(long)]
        json: bool,
    },
}

/// `humas user ...`
#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add a person; the password is read from the first line of standard input.
    Add(UserAdd),
    /// Manage API tokens.
    #[command(subcommand)]
    Token(TokenCommand),
}

/// `humas user add ...`
#[derive(Debug, Args)]
pub struct UserAdd {
    /// Sign-in name: 3–32 lowercase letters, digits, dot, underscore or hyphen.
    #[arg(long)]
    pub username: String,
    /// Role: supervisor, approver, operator, leadership, trainer or trainee.
    #[arg(long)]
    pub role: String,
    /// Slug of the person's OPD (required for approver, operator and trainee).
    #[arg(long, value_name = "SLUG")]
    pub opd: Option<String>,
    /// Name shown in the interface; defaults to the username.
    #[arg(long, value_name = "NAME")]
    pub display_name: Option<String>,
    /// Read the password from standard input (required: passwords are never taken as arguments,
    /// where other users could see them). Example: `printf '%s\n' "$PW" | humas user add ...`.
    #[arg(long)]
    pub password_stdin: bool,
}

/// `humas user token ...`
#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create an API token for a person and print it once on standard output.
    Create {
        /// Whose token it is.
        username: String,
        /// A label to recognise the token by later.
        #[arg(long, default_value = "cli")]
        name: String,
    },
}

/// `humas audit ...`
#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Walk the whole hash chain: prints `ok N entries`, or `broken: ...` and exits 1.
    Verify,
}

/// `humas config ...`
#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Print a commented TOML file with every setting at its default.
    Example,
    /// Load and validate the settings, print a summary (passwords hidden) and exit.
    Check,
}

/// The ids (equal to the TOML keys) and documentation of the setting flags, in order.
#[must_use]
pub fn setting_docs() -> Vec<(String, String)> {
    let cmd = Cli::command();
    let ids: Vec<String> = SettingsArgs::augment_args(clap::Command::new("settings"))
        .get_arguments()
        .map(|a| a.get_id().to_string())
        .collect();
    ids.into_iter()
        .filter_map(|id| {
            let arg = cmd.get_arguments().find(|a| a.get_id().as_str() == id)?;
            let help = arg.get_long_help().or_else(|| arg.get_help())?.to_string();
            Some((id, help))
        })
        .collect()
}

/// The full command, with each setting's default added to its help.
#[must_use]
pub fn command() -> clap::Command {
    let defaults = crate::settings::default_values();
    let mut cmd = Cli::command();
    for (key, value) in defaults {
        cmd = cmd.mut_arg(key, |a| {
            let help = a.get_help().map(ToString::to_string).unwrap_or_default();
            a.help(format!("{help} [default: {value}]"))
        });
    }
    cmd
}

/// Parses the process arguments; prints help or a usage error and exits on failure.
#[must_use]
pub fn parse() -> Cli {
    let matches = command().get_matches();
    Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit())
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory as _;

    use super::*;

    #[test]
    fn the_command_definition_is_consistent() {
        Cli::command().debug_assert();
        command().debug_assert();
    }

    #[test]
    fn flags_work_before_and_after_the_subcommand() {
        let a = Cli::try_parse_from(["humas", "serve", "--bind", "127.0.0.1:9", "--demo"]).unwrap();
        let b = Cli::try_parse_from(["humas", "--bind", "127.0.0.1:9", "--demo", "serve"]).unwrap();
        assert_eq!(a.settings.bind, b.settings.bind);
        assert_eq!(a.settings.demo, Some(true));
        assert_eq!(b.settings.demo, Some(true));
        let c = Cli::try_parse_from(["humas", "serve", "--demo=false"]).unwrap();
        assert_eq!(c.settings.demo, Some(false));
    }

    #[test]
    fn every_setting_has_a_flag_with_documentation() {
        let docs = setting_docs();
        let keys: Vec<&str> = docs.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, crate::settings::KEYS);
        assert!(docs.iter().all(|(_, help)| help.len() > 10), "{docs:?}");
    }
}
