//! `humas import FILE --account …`: bulk import of messages from NDJSON or CSV.
//!
//! The batching, storing and auditing are `humas_app::App::import_messages`, shared with the
//! upload page and `POST /api/v1/accounts/{id}/import`; this module opens the file, chooses the
//! parser of `humas_connectors::import` and prints the report. A rejected line is reported with
//! its number and reason and the rest go on. Interrupted and started again, the same command
//! stores what was missing and skips what was stored (deduplication by platform id): nothing is
//! lost and nothing is stored twice.

use std::fs::File;
use std::io::{BufRead, BufReader, Write as _};
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context as _, bail};
use humas_app::App;
pub use humas_app::inbox::import::{BATCH, ImportReport};
use humas_app::inbox::import::{ImportFormat, ImportLines, ImportSource, RejectedLine};
use humas_connectors::import::{LineError, csv, ndjson};
use humas_domain::{Account, AccountId, Platform};
use jiff::Timestamp;

/// The file formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// One JSON object per line.
    Ndjson,
    /// Comma-separated values with a header row.
    Csv,
}

impl Format {
    /// From the file name: `.csv` is CSV, anything else NDJSON.
    #[must_use]
    pub fn guess(path: &Path) -> Self {
        match path.extension().and_then(|e| e.to_str()) {
            Some(ext) if ext.eq_ignore_ascii_case("csv") => Self::Csv,
            _ => Self::Ndjson,
        }
    }
}

impl From<Format> for ImportFormat {
    fn from(f: Format) -> Self {
        match f {
            Format::Ndjson => Self::Ndjson,
            Format::Csv => Self::Csv,
        }
    }
}

/// Finds the account: an id, or `platform:handle` (e.g. `x:@dinkesjatim`).
///
/// # Errors
/// When no account matches, naming what to give instead.
pub async fn find_account(app: &App, given: &str) -> anyhow::Result<Account> {
    let store = app.store();
    if let Ok(id) = given.trim().parse::<AccountId>() {
        return store
            .get_account(id)
            .await
            .with_context(|| format!("no account has the id {given}"));
    }
    let Some((platform, handle)) = given.split_once(':') else {
        bail!("--account takes an account id or platform:handle, e.g. x:@dinkesjatim");
    };
    let platform = Platform::parse(platform)?;
    let accounts = store.list_accounts(None).await?;
    accounts
        .into_iter()
        .find(|a| a.platform == platform && a.handle.as_ref().eq_ignore_ascii_case(handle.trim()))
        .with_context(|| {
            format!("no {platform} account has the handle {handle}; `humas` lists accounts on the Akun page")
        })
}

/// Imports a file into an account.
///
/// # Errors
/// When the file cannot be opened, its CSV header is wrong, or storing fails (what was stored
/// before stays stored).
pub async fn import_file(
    app: &App,
    account: &Account,
    path: &Path,
    format: Format,
) -> anyhow::Result<ImportReport> {
    let file = File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let reader = BufReader::with_capacity(1 << 20, file);
    let source = ImportSource {
        name: path.file_name().map_or_else(
            || path.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        ),
        format: format.into(),
    };
    import_reader(app, account, reader, &source).await
}

/// Imports from any reader, as the server's shell owner (recorded as `cli`).
///
/// # Errors
/// As [`import_file`].
pub async fn import_reader<R: BufRead + Send + 'static>(
    app: &App,
    account: &Account,
    reader: R,
    source: &ImportSource,
) -> anyhow::Result<ImportReport> {
    let format = source.format;
    let report = app
        .import_messages(&App::cli_actor(), account, source, move |platform, at| {
            open_lines(reader, format, platform, at)
        })
        .await?;
    Ok(report)
}

/// The parser of `format` over `reader`: the lines, or why the file cannot be read at all.
///
/// # Errors
/// The CSV header's problem.
pub fn open_lines<R: BufRead + Send + 'static>(
    reader: R,
    format: ImportFormat,
    platform: Platform,
    received_at: Timestamp,
) -> Result<ImportLines, String> {
    let rejected = |e: LineError| RejectedLine {
        line: e.line,
        reason: e.reason,
        code: e.code,
        detail: e.detail,
    };
    Ok(match format {
        ImportFormat::Ndjson => {
            Box::new(ndjson(reader, platform, received_at).map(move |l| l.map_err(rejected)))
        }
        ImportFormat::Csv => Box::new(
            csv(reader, platform, received_at)
                .map_err(|e| e.to_string())?
                .map(move |l| l.map_err(rejected)),
        ),
    })
}

/// `humas import`: prints each rejected line on standard error and a summary; exits 0 when
/// every line was imported, 1 when some were rejected (the rest are stored).
///
/// # Errors
/// As [`import_file`].
pub async fn run(
    app: &App,
    file: &Path,
    account: &str,
    format: Option<Format>,
) -> anyhow::Result<ExitCode> {
    let account = find_account(app, account).await?;
    let format = format.unwrap_or_else(|| Format::guess(file));
    let report = import_file(app, &account, file, format).await?;
    let mut err = std::io::stderr().lock();
    for e in &report.rejected {
        let _ = writeln!(err, "rejected {e}");
    }
    if report.rejected_count > report.rejected.len() as u64 {
        let _ = writeln!(
            err,
            "… and {} more rejected lines",
            report.rejected_count - report.rejected.len() as u64
        );
    }
    let _ = writeln!(
        err,
        "imported {} new messages into {} {}; {} already stored; {} lines rejected",
        report.inserted, account.platform, account.handle, report.duplicates, report.rejected_count
    );
    Ok(if report.rejected_count == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
