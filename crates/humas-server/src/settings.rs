//! Settings, built in layers: compiled defaults → the TOML file given with `--config` →
//! `HUMAS_*` environment variables → command-line flags (clap reads the variables, so the last
//! two layers arrive together as [`SettingsArgs`]).

use std::convert::Infallible;
use std::fmt::{self, Write as _};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use anyhow::{Context as _, anyhow, bail};
use humas_app::AuthSettings;
use secrecy::{ExposeSecret as _, SecretString};
use serde::{Deserialize, Serialize};

use crate::cli::SettingsArgs;
use crate::redact::redact_url;

/// The TOML keys, in the order of [`Settings`], `--help` and `humas config example`.
pub const KEYS: &[&str] = &[
    "bind",
    "data_dir",
    "database_url",
    "database_max_connections",
    "province_name",
    "secure_cookies",
    "trust_forwarded_for",
    "allow_private_targets",
    "poll_interval_seconds",
    "backfill_days",
    "backfill_max_notifications",
    "publish_lease_seconds",
    "oauth_clients_file",
    "public_url",
    "media_store",
    "log_format",
    "log_level",
    "session_idle_minutes",
    "session_absolute_hours",
    "demo",
];

/// How log lines are written.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// One human-readable line per event.
    #[default]
    Pretty,
    /// One JSON object per line, for log collectors.
    Json,
}

/// A database URL. Its `Debug` hides the password; read it with [`DatabaseUrl::expose`] only to
/// connect.
#[derive(Clone, Deserialize)]
#[serde(from = "String")]
pub struct DatabaseUrl(SecretString);

impl DatabaseUrl {
    /// The URL with its password, for the driver only.
    #[must_use]
    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }

    /// The URL with any password replaced by `***`, for logs and messages.
    #[must_use]
    pub fn redacted(&self) -> String {
        redact_url(self.expose())
    }
}

impl From<String> for DatabaseUrl {
    fn from(s: String) -> Self {
        Self(SecretString::from(s))
    }
}

impl FromStr for DatabaseUrl {
    type Err = Infallible;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Self::from(s.to_owned()))
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DatabaseUrl({:?})", self.redacted())
    }
}

impl PartialEq for DatabaseUrl {
    fn eq(&self, other: &Self) -> bool {
        self.expose() == other.expose()
    }
}

impl Eq for DatabaseUrl {}

/// Where uploaded media live, as a URL (`s3://ACCESS_KEY:SECRET_KEY@HOST/BUCKET...`); empty
/// means the data folder. Its `Debug` hides the secret key; read it with
/// [`MediaStoreUrl::expose`] only to connect.
#[derive(Clone, Default, Deserialize)]
#[serde(from = "String")]
pub struct MediaStoreUrl(SecretString);

impl MediaStoreUrl {
    /// The URL with its secret key, for [`crate::s3::S3Config::from_url`] only.
    #[must_use]
    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }

    /// Whether no store is named (media go to the data folder).
    #[must_use]
    pub fn is_unset(&self) -> bool {
        self.expose().trim().is_empty()
    }

    /// The URL with its secret key replaced by `***`, for logs and messages.
    #[must_use]
    pub fn redacted(&self) -> String {
        redact_url(self.expose().trim())
    }
}

impl From<String> for MediaStoreUrl {
    fn from(s: String) -> Self {
        Self(SecretString::from(s))
    }
}

impl FromStr for MediaStoreUrl {
    type Err = Infallible;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Self::from(s.to_owned()))
    }
}

impl fmt::Debug for MediaStoreUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "MediaStoreUrl({:?})", self.redacted())
    }
}

impl PartialEq for MediaStoreUrl {
    fn eq(&self, other: &Self) -> bool {
        self.expose() == other.expose()
    }
}

impl Eq for MediaStoreUrl {}

/// Everything `humas` can be configured with. Field names are the TOML keys; each has a flag
/// (`--data-dir`) and a variable (`HUMAS_DATA_DIR`) documented in `crate::cli::SettingsArgs`.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// Address and port the web server listens on.
    pub bind: SocketAddr,
    /// Folder for local data, including the default SQLite database.
    pub data_dir: PathBuf,
    /// The database; `None` means SQLite at `<data_dir>/humas.db`. Never serialised.
    #[serde(skip_serializing)]
    pub database_url: Option<DatabaseUrl>,
    /// PostgreSQL pool size.
    pub database_max_connections: u32,
    /// Shown in the page header.
    pub province_name: String,
    /// Whether session cookies are `Secure`.
    pub secure_cookies: bool,
    /// Take the client address from `X-Forwarded-For` (behind a trusted reverse proxy only).
    pub trust_forwarded_for: bool,
    /// Let feeds and platform base URLs point at private, loopback or link-local addresses (an
    /// intranet news server, a local test platform). Off: such addresses are refused (SSRF).
    pub allow_private_targets: bool,
    /// Seconds between two polls of each connected platform account and news feed (webhooks
    /// deliver sooner; polling catches up whatever a webhook missed). At least 10.
    pub poll_interval_seconds: u64,
    /// How many days back the first poll of a Mastodon or Bluesky account reads its history.
    pub backfill_days: u64,
    /// The most notifications the first poll of a Mastodon or Bluesky account reads (whichever
    /// bound comes first); 0 reads only the newest page.
    pub backfill_max_notifications: u32,
    /// Seconds a publisher holds a scheduled post it is sending before another worker may take
    /// it over (after a crash). Longer than the slowest upload; at least 5.
    pub publish_lease_seconds: u64,
    /// A TOML file with the OAuth clients Humas is registered as on X, TikTok, Meta and YouTube
    /// (see `humas-server/src/oauth.rs`); unset: accounts are connected by pasting tokens.
    pub oauth_clients_file: Option<PathBuf>,
    /// The address people and platforms reach Humas at (`https://humas.example.go.id`): OAuth
    /// redirects come back to it, and Instagram and TikTok fetch post media from it. Empty:
    /// Humas is not reachable from the internet (those platforms cannot take media then).
    pub public_url: String,
    /// Where uploaded media live: empty for `<data_dir>/media`, or an S3-compatible bucket as
    /// `s3://ACCESS_KEY:SECRET_KEY@HOST[:PORT]/BUCKET[/PREFIX]?region=REGION&tls=true|false`.
    /// Never serialised (it holds a secret key).
    #[serde(skip_serializing)]
    pub media_store: MediaStoreUrl,
    /// Log output format.
    pub log_format: LogFormat,
    /// Log filter (`EnvFilter` syntax); `RUST_LOG` overrides it.
    pub log_level: String,
    /// Idle session timeout, minutes.
    pub session_idle_minutes: u64,
    /// Absolute session lifetime, hours.
    pub session_absolute_hours: u64,
    /// Seed demo data on `serve` when the database is empty.
    pub demo: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            bind: SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 8080),
            data_dir: PathBuf::from("./humas-data"),
            database_url: None,
            database_max_connections: 10,
            province_name: "Pemerintah Provinsi Jawa Timur".to_owned(),
            secure_cookies: false,
            trust_forwarded_for: false,
            allow_private_targets: false,
            poll_interval_seconds: 300,
            backfill_days: 7,
            backfill_max_notifications: 1_000,
            publish_lease_seconds: 120,
            oauth_clients_file: None,
            public_url: String::new(),
            media_store: MediaStoreUrl::default(),
            log_format: LogFormat::Pretty,
            log_level: "info".to_owned(),
            session_idle_minutes: 480,
            session_absolute_hours: 168,
            demo: false,
        }
    }
}

/// Which backend the settings select.
#[derive(Debug)]
pub enum Database {
    /// The embedded database.
    Sqlite {
        /// What `SqliteStore::connect` takes (a `sqlite:` URL or a path).
        url: String,
        /// The database file, when it is one, so its folder can be created.
        file: Option<PathBuf>,
    },
    /// A PostgreSQL server.
    Postgres {
        /// The URL, password included.
        url: DatabaseUrl,
    },
}

impl Database {
    /// "SQLite ./humas-data/humas.db" or "PostgreSQL postgres://humas:***@host/db".
    #[must_use]
    pub fn describe(&self) -> String {
        match self {
            Self::Sqlite { url, .. } => format!("SQLite {}", redact_url(url)),
            Self::Postgres { url } => format!("PostgreSQL {}", url.redacted()),
        }
    }
}

impl Settings {
    /// Parses a config file's text. Unknown keys are refused with the key's name.
    pub fn from_toml_str(text: &str) -> anyhow::Result<Self> {
        toml::from_str(text).map_err(|e| anyhow!("{}", e.to_string().trim_end()))
    }

    /// Builds the settings: defaults, then the file at `config` if given (no file is read
    /// otherwise), then `overrides`; then validates them.
    pub fn load(config: Option<&Path>, overrides: &SettingsArgs) -> anyhow::Result<Self> {
        let mut settings = match config {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .with_context(|| format!("cannot read config file {}", path.display()))?;
                Self::from_toml_str(&text)
                    .with_context(|| format!("invalid config file {}", path.display()))?
            }
            None => Self::default(),
        };
        overrides.apply(&mut settings);
        settings.validate()?;
        Ok(settings)
    }

    /// Checks values that parse but make no sense.
    pub fn validate(&self) -> anyhow::Result<()> {
        if self.database_max_connections == 0 {
            bail!("database_max_connections must be at least 1");
        }
        let name_len = self.province_name.trim().chars().count();
        if !(1..=200).contains(&name_len) {
            bail!("province_name must be 1–200 characters");
        }
        check_log_filter(&self.log_level)?;
        let public = self.public_url.trim();
        if !(public.is_empty() || public.starts_with("https://") || public.starts_with("http://")) {
            bail!(
                "public_url must start with https:// (or http:// on a test network), e.g. https://humas.example.go.id"
            );
        }
        if let Some(path) = &self.oauth_clients_file {
            crate::oauth::Clients::load(path)?;
        }
        self.s3_media()?;
        if self.publish_lease_seconds < 5 {
            bail!("publish_lease_seconds must be at least 5");
        }
        if self.session_idle_minutes == 0 {
            bail!("session_idle_minutes must be at least 1");
        }
        if self.session_absolute_hours == 0 {
            bail!("session_absolute_hours must be at least 1");
        }
        if self.session_absolute_hours.saturating_mul(60) < self.session_idle_minutes {
            bail!(
                "session_absolute_hours ({} h) must not be shorter than session_idle_minutes ({} min)",
                self.session_absolute_hours,
                self.session_idle_minutes
            );
        }
        self.database()?;
        Ok(())
    }

    /// The backend the database URL selects.
    pub fn database(&self) -> anyhow::Result<Database> {
        let url = self
            .database_url
            .as_ref()
            .filter(|u| !u.expose().trim().is_empty());
        let Some(url) = url else {
            let file = self.data_dir.join("humas.db");
            return Ok(Database::Sqlite {
                url: file.display().to_string(),
                file: Some(file),
            });
        };
        let raw = url.expose().trim();
        let scheme = raw
            .split_once(':')
            .map(|(s, _)| s.to_ascii_lowercase())
            .unwrap_or_default();
        match scheme.as_str() {
            "postgres" | "postgresql" => Ok(Database::Postgres { url: url.clone() }),
            "sqlite" => {
                let path = raw
                    .trim_start_matches("sqlite:")
                    .trim_start_matches("//")
                    .split('?')
                    .next()
                    .unwrap_or_default();
                let file = (!path.is_empty() && path != ":memory:").then(|| PathBuf::from(path));
                Ok(Database::Sqlite {
                    url: raw.to_owned(),
                    file,
                })
            }
            _ if raw.contains("://") => bail!(
                "unsupported database URL `{}`: use postgres://USER:PASSWORD@HOST:PORT/DATABASE \
                 for PostgreSQL, or sqlite://PATH (or a plain file path) for SQLite",
                url.redacted()
            ),
            _ => Ok(Database::Sqlite {
                url: raw.to_owned(),
                file: Some(PathBuf::from(raw)),
            }),
        }
    }

    /// The S3-compatible store `media_store` names, or `None` for the data folder.
    ///
    /// # Errors
    /// When `media_store` is set but not a valid `s3://` URL; the message names the expected
    /// shape and never holds the secret key.
    pub fn s3_media(&self) -> anyhow::Result<Option<crate::s3::S3Config>> {
        if self.media_store.is_unset() {
            return Ok(None);
        }
        crate::s3::S3Config::from_url(self.media_store.expose())
            .map(Some)
            .with_context(|| format!("invalid media_store `{}`", self.media_store.redacted()))
    }

    /// How far back the first poll of a Mastodon or Bluesky account reads; `None` when
    /// `backfill_max_notifications` is 0.
    #[must_use]
    pub fn backfill(&self) -> Option<humas_connectors::Backfill> {
        (self.backfill_max_notifications > 0).then(|| humas_connectors::Backfill {
            max_age: jiff::SignedDuration::from_hours(
                i64::try_from(self.backfill_days.saturating_mul(24)).unwrap_or(i64::MAX / 3600),
            ),
            max_items: self.backfill_max_notifications,
            ..humas_connectors::Backfill::default()
        })
    }

    /// Sign-in settings for the app; the rest stay at their defaults.
    #[must_use]
    pub fn auth_settings(&self) -> AuthSettings {
        AuthSettings {
            session_idle: Duration::from_secs(self.session_idle_minutes.saturating_mul(60)),
            session_absolute: Duration::from_secs(self.session_absolute_hours.saturating_mul(3600)),
            ..AuthSettings::default()
        }
    }

    /// A summary for `humas config check`: one `key = value` line per setting, passwords hidden.
    pub fn summary(&self) -> anyhow::Result<String> {
        let values = rendered_values(self)?;
        let width = KEYS.iter().map(|k| k.len()).max().unwrap_or(0);
        let mut out = String::new();
        for (key, value) in values {
            let value = if key == "database_url" {
                self.database()?.describe()
            } else {
                value
            };
            let _ = writeln!(out, "{key:<width$} = {value}");
        }
        Ok(out)
    }
}

/// Refuses a bare word that is not a level (a typo such as `inof` would otherwise silently be
/// read as a target name) and anything `EnvFilter` cannot parse.
fn check_log_filter(filter: &str) -> anyhow::Result<()> {
    const LEVELS: &[&str] = &["trace", "debug", "info", "warn", "error", "off"];
    for directive in filter.split(',').map(str::trim).filter(|d| !d.is_empty()) {
        let bare_word = !directive.contains(['=', '[', ':']);
        if bare_word && !LEVELS.iter().any(|l| directive.eq_ignore_ascii_case(l)) {
            bail!(
                "log_level `{directive}` is not a level: use trace, debug, info, warn, error or off, \
                 or directives such as `info,humas_web=debug`"
            );
        }
    }
    tracing_subscriber::EnvFilter::try_new(filter)
        .map(drop)
        .map_err(|e| anyhow!("log_level `{filter}` is not a valid filter: {e}"))
}

/// Each key with its value written as TOML (`database_url` as a description, since it is never
/// serialised).
fn rendered_values(s: &Settings) -> anyhow::Result<Vec<(&'static str, String)>> {
    let table = toml::Table::try_from(s).context("rendering settings")?;
    Ok(KEYS
        .iter()
        .map(|key| {
            let value = table.get(*key).map_or_else(
                || match *key {
                    "oauth_clients_file" => {
                        "(unset: accounts are connected by pasting tokens)".to_owned()
                    }
                    // Never serialised; shown with its secret key hidden.
                    "media_store" if s.media_store.is_unset() => {
                        "(unset: files in the media folder of data_dir)".to_owned()
                    }
                    "media_store" => toml::Value::String(s.media_store.redacted()).to_string(),
                    _ => "(unset: SQLite file humas.db in data_dir)".to_owned(),
                },
                ToString::to_string,
            );
            (*key, value)
        })
        .collect())
}

/// Every key with its default, as shown in `--help`.
#[must_use]
pub fn default_values() -> Vec<(&'static str, String)> {
    rendered_values(&Settings::default())
        .unwrap_or_default()
        .into_iter()
        .map(|(k, v)| {
            let v = if k == "database_url" {
                "SQLite file humas.db in the data directory".to_owned()
            } else if k == "oauth_clients_file" && v.starts_with("(unset") {
                "none: accounts are connected by pasting tokens".to_owned()
            } else if k == "media_store" && v.starts_with("(unset") {
                "none: files in the media folder of the data directory".to_owned()
            } else {
                // Strings without their TOML quotes, as clap shows defaults.
                v.parse::<toml::Value>()
                    .ok()
                    .and_then(|t| t.as_str().map(str::to_owned))
                    .unwrap_or(v)
            };
            (k, v)
        })
        .collect()
}

/// The text of `humas config example`: every setting with its documentation and default.
pub fn example_toml() -> anyhow::Result<String> {
    let docs = crate::cli::setting_docs();
    let defaults = rendered_values(&Settings::default())?;
    let mut out = String::from(
        "# Humas configuration.\n\
         #\n\
         # Use it with `humas --config FILE ...` or HUMAS_CONFIG=FILE; without either no file is\n\
         # read. Every key is optional and the values below are the defaults. An environment\n\
         # variable HUMAS_<KEY IN CAPITALS> overrides the file, and a flag --<key-with-hyphens>\n\
         # overrides both. Unknown keys are refused, so a typo cannot go unnoticed.\n",
    );
    for (key, value) in defaults {
        out.push('\n');
        let doc = docs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, d)| d.as_str())
            .unwrap_or_default();
        let doc = if doc.ends_with('.') {
            doc.to_owned()
        } else {
            format!("{doc}.")
        };
        for line in wrap(&doc, 96) {
            let _ = writeln!(out, "# {line}");
        }
        let env = format!("HUMAS_{}", key.to_ascii_uppercase());
        let _ = writeln!(out, "# Variable: {env}. Flag: --{}.", key.replace('_', "-"));
        if key == "database_url" {
            let _ = writeln!(
                out,
                "# database_url = \"postgres://humas:PASSWORD@127.0.0.1:5432/humas\""
            );
        } else if key == "oauth_clients_file" && value.starts_with("(unset") {
            let _ = writeln!(
                out,
                "# oauth_clients_file = \"/etc/humas/oauth-clients.toml\""
            );
        } else if key == "media_store" {
            let _ = writeln!(
                out,
                "# media_store = \"s3://ACCESS_KEY:SECRET_KEY@s3.ap-southeast-3.amazonaws.com/humas-media?region=ap-southeast-3\""
            );
        } else {
            let _ = writeln!(out, "{key} = {value}");
        }
    }
    Ok(out)
}

/// Re-wraps prose to at most `width` characters per line.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(toml: &str, args: &[&str]) -> anyhow::Result<Settings> {
        use clap::Parser as _;
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("humas.toml");
        std::fs::write(&path, toml)?;
        let mut argv = vec!["humas"];
        argv.extend_from_slice(args);
        argv.push("migrate");
        let cli = crate::cli::Cli::try_parse_from(argv)?;
        Settings::load(Some(&path), &cli.settings)
    }

    #[test]
    fn the_example_parses_back_to_the_defaults() {
        let text = example_toml().unwrap();
        assert_eq!(Settings::from_toml_str(&text).unwrap(), Settings::default());
        for key in KEYS {
            assert!(
                text.contains(&format!("{key} = ")),
                "{key} missing:\n{text}"
            );
        }
    }

    #[test]
    fn a_typo_in_the_file_names_the_key() {
        let err = Settings::from_toml_str("bnid = \"127.0.0.1:1\"\n").unwrap_err();
        let msg = format!("{err:#}");
        assert!(
            msg.contains("bnid") && msg.contains("unknown field"),
            "{msg}"
        );
    }

    #[test]
    fn flags_override_the_file_and_the_file_overrides_defaults() {
        let s = load(
            "bind = \"0.0.0.0:9000\"\nprovince_name = \"Provinsi X\"\ndemo = true\n",
            &["--bind", "127.0.0.1:7000", "--demo=false"],
        )
        .unwrap();
        assert_eq!(s.bind.port(), 7000);
        assert_eq!(s.province_name, "Provinsi X");
        assert!(!s.demo);
        assert_eq!(s.session_idle_minutes, 480);
    }

    #[test]
    fn invalid_values_are_refused_with_a_reason() {
        let msg = |toml: &str| format!("{:#}", load(toml, &[]).unwrap_err());
        assert!(msg("log_level = \"inof\"\n").contains("inof"));
        assert!(msg("session_idle_minutes = 0\n").contains("session_idle_minutes"));
        assert!(msg("database_url = \"mysql://u:pw@h/db\"\n").contains("unsupported database URL"));
        assert!(!msg("database_url = \"mysql://u:pw@h/db\"\n").contains("pw@"));
        assert!(msg("bind = \"nowhere\"\n").contains("bind"));
        assert!(msg("log_format = \"xml\"\n").contains("xml"));
        assert!(load("log_level = \"info,humas_web=debug\"\n", &[]).is_ok());
    }

    #[test]
    fn the_database_url_selects_the_backend() {
        let with = |url: Option<&str>| Settings {
            database_url: url.map(|u| DatabaseUrl::from(u.to_owned())),
            ..Settings::default()
        };
        assert!(matches!(
            with(None).database().unwrap(),
            Database::Sqlite { file: Some(f), .. } if f == Path::new("./humas-data/humas.db")
        ));
        assert!(matches!(
            with(Some("postgresql://u:p@h/db")).database().unwrap(),
            Database::Postgres { .. }
        ));
        assert!(matches!(
            with(Some("POSTGRES://u:p@h/db")).database().unwrap(),
            Database::Postgres { .. }
        ));
        assert!(matches!(
            with(Some("sqlite:///var/lib/humas/h.db?mode=rwc")).database().unwrap(),
            Database::Sqlite { file: Some(f), .. } if f == Path::new("/var/lib/humas/h.db")
        ));
        assert!(matches!(
            with(Some("/srv/humas.db")).database().unwrap(),
            Database::Sqlite { file: Some(_), .. }
        ));
    }

    #[test]
    fn debug_and_summary_hide_the_database_password() {
        let s = Settings {
            database_url: Some(DatabaseUrl::from(
                "postgres://humas:hunter22@db/humas".to_owned(),
            )),
            ..Settings::default()
        };
        assert!(!format!("{s:?}").contains("hunter22"));
        let summary = s.summary().unwrap();
        assert!(!summary.contains("hunter22"), "{summary}");
        assert!(
            summary.contains("postgres://humas:***@db/humas"),
            "{summary}"
        );
    }

    #[test]
    fn session_lengths_reach_the_app() {
        let a = Settings::default().auth_settings();
        assert_eq!(a.session_idle, Duration::from_secs(8 * 3600));
        assert_eq!(a.session_absolute, Duration::from_secs(7 * 24 * 3600));
    }
}
