//! The `humas` binary: command line, settings, logging, and the wiring of store, app and web.
//!
//! This crate is the **composition root**: the only crate that knows both storage backends
//! (`humas-store-sqlite` and `humas-store-postgres`) and picks one at run time from the database
//! URL, the only one that reads configuration, installs the tracing subscriber or touches
//! process signals. Everything it does is wiring; business rules live in `humas-app`, HTTP in
//! `humas-web`, SQL in the store crates.
//!
//! **Invariants:**
//! - Settings are layered: compiled defaults → the TOML file named by `--config`/`HUMAS_CONFIG`
//!   (read with `deny_unknown_fields`; no file is read unless one is named) → `HUMAS_*`
//!   variables → flags. Every setting has all four and one doc comment, which is its help text
//!   and its comment in `humas config example`.
//! - The database URL never reaches a log, a message or `Debug` output with its password
//!   ([`redact_url`], [`settings::DatabaseUrl`]).
//! - Standard output carries command results only (tokens, verdicts, the `listening on` line,
//!   the demo sign-ins); logs go to standard error.
//! - Every command that opens the database migrates it first; `serve` shuts down gracefully on
//!   SIGINT or SIGTERM and exits 0.
//! - `anyhow` stays in this crate; errors reach `main`, which prints `error: ` and the cause
//!   chain ([`error_chain`]) and exits 1.
//!
//! **Entry points:** [`cli::parse`] then [`run`]; [`serve::serve`] for the server;
//! [`settings::Settings::load`] for configuration.

pub mod bench;
pub mod bench_publish;
pub mod cli;
pub mod commands;
pub mod feed;
pub mod gateway;
pub mod import;
pub mod oauth;
pub mod publisher;
mod redact;
pub mod s3;
pub mod secret;
pub mod serve;
pub mod settings;
pub mod store;
pub mod telemetry;
pub mod text;
pub mod workers;

use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context as _;
use humas_app::{App, SystemClock};

use crate::cli::{
    AuditCommand, Cli, Command, ConfigCommand, FeedCommand, TextCommand, TokenCommand, UserCommand,
};
pub use crate::redact::redact_url;
use crate::settings::Settings;
use crate::store::OpenStore;

/// Builds the application over an open store, with the server secret from the data folder.
///
/// # Errors
/// When the data folder or its secret file cannot be read or created.
pub fn build_app(store: &OpenStore, settings: &Settings) -> anyhow::Result<App> {
    std::fs::create_dir_all(&settings.data_dir).with_context(|| {
        format!(
            "cannot create the data folder {}",
            settings.data_dir.display()
        )
    })?;
    let secret = secret::load(&settings.data_dir)?;
    let app = App::new(
        store.shared(),
        Arc::new(SystemClock),
        settings.auth_settings(),
    )
    .with_server_secret(&secret);
    let Some(path) = &settings.oauth_clients_file else {
        return Ok(app);
    };
    let clients = oauth::Clients::load(path)?;
    let http = humas_connectors::http::Http::new(humas_feeds::FetchOptions {
        allow_private: settings.allow_private_targets,
        ..humas_feeds::FetchOptions::default()
    })
    .context("cannot start the HTTP client for OAuth")?;
    Ok(app.with_oauth(oauth::ConfiguredOAuth::new(http, clients)))
}

/// An error and its causes on one line, `outer: inner: innermost`, as `main` prints it.
///
/// Several error types in the workspace show their source inside their own message (a
/// transparent wrapper, `database error: {0}`), so a cause whose text the previous message
/// already contains is left out rather than said twice.
#[must_use]
pub fn error_chain(e: &anyhow::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    for cause in e.chain() {
        let text = cause.to_string();
        let text = text.trim();
        if text.is_empty() || parts.last().is_some_and(|prev| prev.contains(text)) {
            continue;
        }
        parts.push(text.to_owned());
    }
    parts.join(": ")
}

/// Runs one parsed command line to completion and says how the process should exit.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let Cli {
        config,
        settings: overrides,
        command,
    } = cli;
    if matches!(command, Command::Config(ConfigCommand::Example)) {
        return commands::config_example();
    }
    // Feed fetching needs no settings or database, only a runtime of its own.
    if let Command::Feed(FeedCommand::Fetch {
        url,
        allow_private,
        etag,
        last_modified,
    }) = command
    {
        return feed::run_fetch(&feed::FetchRequest {
            url,
            allow_private,
            previous: humas_feeds::Validators {
                etag,
                last_modified,
            },
        });
    }
    // Text analysis needs no settings, database or runtime.
    if let Command::Text(text_command) = command {
        return match text_command {
            TextCommand::Analyze { tokens } => text::run_analyze(tokens),
            TextCommand::Train { data, out, seed } => text::run_train(&data, &out, seed),
            TextCommand::Eval { data, models, json } => {
                text::run_eval(&data, models.as_deref(), json)
            }
            TextCommand::Bench {
                messages,
                seed,
                json,
            } => text::run_bench(messages, seed, json),
        };
    }
    let settings = Settings::load(config.as_deref(), &overrides)?;
    if matches!(command, Command::Config(ConfigCommand::Check)) {
        return commands::config_check(&settings, config.as_deref());
    }
    telemetry::init(&settings)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(run_async(command, settings))
}

async fn run_async(command: Command, settings: Settings) -> anyhow::Result<ExitCode> {
    match command {
        Command::Serve => serve::serve(settings).await,
        Command::Worker => publisher::worker_command(&settings).await,
        Command::Migrate => commands::migrate(&settings).await,
        Command::Config(_) | Command::Text(_) | Command::Feed(_) => Ok(ExitCode::SUCCESS),
        other => {
            let store = OpenStore::connect_and_migrate(&settings).await?;
            let app = build_app(&store, &settings)?;
            let result = match other {
                Command::User(UserCommand::Add(args)) => commands::user_add(&app, &args).await,
                Command::User(UserCommand::Token(TokenCommand::Create { username, name })) => {
                    commands::token_create(&app, &username, &name).await
                }
                Command::Audit(AuditCommand::Verify) => commands::audit_verify(&app).await,
                Command::Import {
                    file,
                    account,
                    format,
                } => import::run(&app, &file, &account, format).await,
                Command::Bench(cmd) => bench::run(&app, &store, cmd).await,
                Command::Serve
                | Command::Worker
                | Command::Migrate
                | Command::Config(_)
                | Command::Text(_)
                | Command::Feed(_) => Ok(ExitCode::SUCCESS),
            };
            store.close().await;
            result
        }
    }
}

#[cfg(test)]
mod tests {
    use anyhow::Context as _;

    #[test]
    fn the_error_chain_says_each_cause_once() {
        let inner: Result<(), humas_app::AppError> = Err(humas_domain::ValueError::Username.into());
        let e = inner.context("cannot add the user").unwrap_err();
        let text = super::error_chain(&e);
        assert!(
            text.starts_with("cannot add the user: username must be"),
            "{text}"
        );
        assert_eq!(text.matches("username must be").count(), 1, "{text}");
    }
}
