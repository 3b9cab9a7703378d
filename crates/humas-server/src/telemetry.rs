//! The tracing subscriber: `EnvFilter` from `log_level` (`RUST_LOG` overrides it), human-readable
//! or JSON lines, always on standard error so standard output stays for command results.

use std::io::IsTerminal as _;

use anyhow::anyhow;
use tracing_subscriber::EnvFilter;

use crate::settings::{LogFormat, Settings};

/// Installs the global subscriber. Call once, before anything logs.
pub fn init(settings: &Settings) -> anyhow::Result<()> {
    let filter = match std::env::var("RUST_LOG") {
        Ok(v) if !v.trim().is_empty() => EnvFilter::try_new(&v)
            .map_err(|e| anyhow!("RUST_LOG `{v}` is not a valid filter: {e}"))?,
        _ => EnvFilter::try_new(&settings.log_level).map_err(|e| {
            anyhow!(
                "log_level `{}` is not a valid filter: {e}",
                settings.log_level
            )
        })?,
    };
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let installed = match settings.log_format {
        LogFormat::Pretty => builder
            .with_ansi(std::io::stderr().is_terminal())
            .try_init(),
        LogFormat::Json => builder.json().with_current_span(true).try_init(),
    };
    installed.map_err(|e| anyhow!("cannot start logging: {e}"))
}
