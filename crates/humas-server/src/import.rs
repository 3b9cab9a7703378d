//! `humas import FILE --account …`: bulk import of messages from NDJSON or CSV.
//!
//! A reader thread parses the file and sends batches over a bounded channel while the previous
//! batch is analysed and stored, so the file is read once, memory stays bounded whatever its
//! size, and parsing overlaps with storage. Each batch is one transaction. A rejected line is
//! reported with its number and reason and the rest go on. Interrupted and started again, the
//! same command stores what was missing and skips what was stored (deduplication by platform
//! id): nothing is lost and nothing is stored twice.

use std::fs::File;
use std::io::{BufRead, BufReader, Write as _};
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context as _, bail};
use humas_app::App;
use humas_connectors::import::{LineError, csv, ndjson};
use humas_domain::inbox::Inbound;
use humas_domain::{Account, AccountId, Platform};
use humas_store::AuditActor;
use jiff::Timestamp;
use tokio::sync::mpsc;

/// Messages per transaction.
pub const BATCH: usize = 1_000;

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

/// What an import did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImportReport {
    /// Lines that became messages and were new.
    pub inserted: u64,
    /// Lines whose message was already stored.
    pub duplicates: u64,
    /// Lines refused, with number and reason (the first 1,000 are kept).
    pub rejected: Vec<LineError>,
    /// How many lines were refused in all.
    pub rejected_count: u64,
}

const KEEP_REJECTED: usize = 1_000;

enum Chunk {
    Messages(Vec<Inbound>, Vec<LineError>),
    Failed(String),
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
    import_reader(app, account, reader, format).await
}

/// Imports from any reader (the upload page passes the request body).
///
/// # Errors
/// As [`import_file`].
pub async fn import_reader<R: BufRead + Send + 'static>(
    app: &App,
    account: &Account,
    reader: R,
    format: Format,
) -> anyhow::Result<ImportReport> {
    let (tx, mut rx) = mpsc::channel::<Chunk>(2);
    let platform = account.platform;
    let received_at = app.clock().now();
    let parser = tokio::task::spawn_blocking(move || {
        parse_into(reader, format, platform, received_at, &tx);
    });
    let mut report = ImportReport::default();
    let by = AuditActor::cli();
    let mut failure = None;
    while let Some(chunk) = rx.recv().await {
        match chunk {
            Chunk::Failed(reason) => failure = Some(reason),
            Chunk::Messages(messages, rejected) => {
                report.rejected_count += rejected.len() as u64;
                let room = KEEP_REJECTED.saturating_sub(report.rejected.len());
                report.rejected.extend(rejected.into_iter().take(room));
                if messages.is_empty() {
                    continue;
                }
                let stored = app.ingest(&by, account, messages, None).await?;
                report.inserted += stored.inserted.len() as u64;
                report.duplicates += stored.duplicates;
            }
        }
    }
    parser.await.context("the file reader stopped")?;
    if let Some(reason) = failure {
        bail!("{reason}");
    }
    Ok(report)
}

fn parse_into<R: BufRead>(
    reader: R,
    format: Format,
    platform: Platform,
    received_at: Timestamp,
    tx: &mpsc::Sender<Chunk>,
) {
    let lines: Box<dyn Iterator<Item = Result<Inbound, LineError>>> = match format {
        Format::Ndjson => Box::new(ndjson(reader, platform, received_at)),
        Format::Csv => match csv(reader, platform, received_at) {
            Ok(r) => Box::new(r),
            Err(e) => {
                let _ = tx.blocking_send(Chunk::Failed(e.to_string()));
                return;
            }
        },
    };
    let mut messages = Vec::with_capacity(BATCH);
    let mut rejected = Vec::new();
    for line in lines {
        match line {
            Ok(m) => messages.push(m),
            Err(e) => rejected.push(e),
        }
        if messages.len() == BATCH {
            let full = std::mem::replace(&mut messages, Vec::with_capacity(BATCH));
            if tx
                .blocking_send(Chunk::Messages(full, std::mem::take(&mut rejected)))
                .is_err()
            {
                return;
            }
        }
    }
    let _ = tx.blocking_send(Chunk::Messages(messages, rejected));
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
