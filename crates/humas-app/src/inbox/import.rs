//! Bulk import of a file of messages into one account's inbox: the one implementation behind
//! `humas import` and the upload page and API of the web layer.
//!
//! Parsing is the caller's (the NDJSON and CSV readers live in `humas-connectors`, which this
//! crate does not know): the caller hands [`App::import_messages`] a function that opens the
//! file as an iterator of parsed lines. That function runs on a blocking thread, which reads
//! the file once and sends batches over a bounded channel while the previous batch is analysed
//! and stored, so memory stays bounded whatever the file's size and parsing overlaps with
//! storage. Each batch is one transaction (audited by the store as `message.ingest`); a
//! rejected line is kept with its number and reason and the rest go on. The import as a whole
//! is audited once more as `message.import`, with the file name, the counts and the actor.
//! Interrupted and run again, an import stores what was missing and skips what was stored
//! (deduplication by platform id).

use humas_domain::inbox::Inbound;
use humas_domain::{Account, AccountId, Actor, Platform};
use jiff::Timestamp;
use tokio::sync::mpsc;

use crate::{App, AppError, AppResult, audit_actor};

/// Messages per transaction.
pub const BATCH: usize = 1_000;

/// Rejected lines kept with their reasons; the rest are only counted.
pub const KEEP_REJECTED: usize = 1_000;

/// Longest file name kept in the audit log.
const MAX_NAME_CHARS: usize = 200;

/// A line of the file that was not imported.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RejectedLine {
    /// 1-based line number in the file (for CSV, where the record starts).
    pub line: u64,
    /// What is wrong with it (English, from the parser).
    pub reason: String,
    /// A stable code for the problem, for translations (`humas_connectors::import::LineError`).
    pub code: &'static str,
    /// The technical detail shown after a translated reason; may be empty.
    pub detail: String,
}

impl std::fmt::Display for RejectedLine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.reason)
    }
}

/// The file formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImportFormat {
    /// One JSON object per line.
    Ndjson,
    /// Comma-separated values with a header row.
    Csv,
}

impl ImportFormat {
    /// The stable name (`ndjson`, `csv`).
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Ndjson => "ndjson",
            Self::Csv => "csv",
        }
    }

    /// The format of a file: from its name (`.csv`; `.ndjson`, `.jsonl`, `.json`), else from
    /// its first bytes: an object (`{`, after a byte-order mark and blank space) is NDJSON,
    /// anything else CSV (whose header row then says whether it is one).
    #[must_use]
    pub fn detect(name: &str, head: &[u8]) -> Self {
        let ext = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
        match ext.as_deref() {
            Some("csv") => return Self::Csv,
            Some("ndjson" | "jsonl" | "json") => return Self::Ndjson,
            _ => {}
        }
        let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
        match head.iter().find(|b| !b.is_ascii_whitespace()) {
            Some(b'{') => Self::Ndjson,
            _ => Self::Csv,
        }
    }
}

/// What is imported, for the audit log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportSource {
    /// The file's name as the person gave it (not trusted for anything but the record).
    pub name: String,
    /// Its format.
    pub format: ImportFormat,
}

/// What an import did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImportReport {
    /// Lines that became messages and were new.
    pub inserted: u64,
    /// Lines whose message was already stored.
    pub duplicates: u64,
    /// Lines refused, with number and reason (the first [`KEEP_REJECTED`]).
    pub rejected: Vec<RejectedLine>,
    /// How many lines were refused in all.
    pub rejected_count: u64,
}

/// The parsed lines of a file, in order.
pub type ImportLines = Box<dyn Iterator<Item = Result<Inbound, RejectedLine>> + Send>;

enum Chunk {
    /// A batch, the rejected lines kept since the last one, and how many were rejected in all
    /// since the last one (only the first [`KEEP_REJECTED`] of the file are kept, so a file of
    /// mostly bad lines does not fill memory with reasons).
    Messages(Vec<Inbound>, Vec<RejectedLine>, u64),
    /// The file cannot be read at all (a CSV header naming unknown columns, …).
    Unreadable(String),
}

impl App {
    /// The accounts `actor` may import into, of every OPD. `Forbidden` for someone who may
    /// import nowhere (leadership, trainers, trainees).
    ///
    /// # Errors
    /// `Forbidden`; storage errors.
    pub async fn import_accounts(&self, actor: &Actor) -> AppResult<Vec<Account>> {
        if !actor.can_import_messages() {
            return Err(AppError::Forbidden);
        }
        Ok(self
            .store
            .list_accounts(None)
            .await?
            .into_iter()
            .filter(|a| actor.can_import_messages_into(a.opd))
            .collect())
    }

    /// The account `actor` wants to import into, once the rule allows it.
    ///
    /// # Errors
    /// `NotFound("account")`, `Forbidden` when the account's OPD is not one whose messages the
    /// actor handles.
    pub async fn import_account(&self, actor: &Actor, id: AccountId) -> AppResult<Account> {
        let account = self.store.get_account(id).await?;
        if actor.can_import_messages_into(account.opd) {
            Ok(account)
        } else {
            Err(AppError::Forbidden)
        }
    }

    /// Imports the lines `open` yields into `account`, in batches of [`BATCH`].
    ///
    /// `open` is called on a blocking thread with the account's platform and the time the
    /// import started (the parsers judge future dates against it); it returns the lines, or
    /// why the file cannot be read at all. Who may import is checked before the file is opened.
    ///
    /// # Errors
    /// `Forbidden`; `Refused { code: "import_unreadable" }` when `open` refuses the file (for
    /// example a CSV header with unknown columns); storage errors (what was stored before stays
    /// stored). The import is audited in every case where the file was opened.
    pub async fn import_messages<F>(
        &self,
        actor: &Actor,
        account: &Account,
        source: &ImportSource,
        open: F,
    ) -> AppResult<ImportReport>
    where
        F: FnOnce(Platform, Timestamp) -> Result<ImportLines, String> + Send + 'static,
    {
        if !actor.can_import_messages_into(account.opd) {
            return Err(AppError::Forbidden);
        }
        let (tx, mut rx) = mpsc::channel::<Chunk>(2);
        let platform = account.platform;
        let received_at = self.clock.now();
        let parser = tokio::task::spawn_blocking(move || match open(platform, received_at) {
            Ok(lines) => parse_into(lines, &tx),
            Err(reason) => {
                let _ = tx.blocking_send(Chunk::Unreadable(reason));
            }
        });
        let by = audit_actor(actor);
        let mut report = ImportReport::default();
        let mut outcome: AppResult<()> = Ok(());
        while let Some(chunk) = rx.recv().await {
            match chunk {
                Chunk::Unreadable(reason) => {
                    outcome = Err(AppError::Refused {
                        code: "import_unreadable",
                        message: reason,
                    });
                }
                Chunk::Messages(messages, rejected, rejected_count) => {
                    report.rejected_count += rejected_count;
                    report.rejected.extend(rejected);
                    if messages.is_empty() {
                        continue;
                    }
                    match self.ingest(&by, account, messages, None).await {
                        Ok(stored) => {
                            report.inserted += stored.inserted.len() as u64;
                            report.duplicates += stored.duplicates;
                        }
                        Err(e) => {
                            outcome = Err(e);
                            break;
                        }
                    }
                }
            }
        }
        // Dropping the receiver stops a parser still reading after a storage failure.
        drop(rx);
        let joined = parser
            .await
            .map_err(|e| AppError::Internal(format!("the file reader stopped: {e}")));
        let outcome = outcome.and(joined);
        self.audit_import(&by, account, source, &report, outcome.as_ref().err())
            .await?;
        outcome.map(|()| report)
    }

    async fn audit_import(
        &self,
        by: &humas_store::AuditActor,
        account: &Account,
        source: &ImportSource,
        report: &ImportReport,
        failure: Option<&AppError>,
    ) -> AppResult<()> {
        let mut entry = by.entry::<()>(
            "message.import",
            "account",
            &account.id.to_string(),
            Some(account.opd),
            None,
            None,
        );
        let name: String = source.name.chars().take(MAX_NAME_CHARS).collect();
        entry.after = Some(serde_json::json!({
            "file_name": name,
            "format": source.format.as_str(),
            "platform": account.platform.as_str(),
            "handle": account.handle.as_ref(),
            "inserted": report.inserted,
            "duplicates": report.duplicates,
            "rejected": report.rejected_count,
            "stopped": failure.map(ToString::to_string),
        }));
        self.store.append_audit(entry).await?;
        Ok(())
    }
}

fn parse_into(lines: ImportLines, tx: &mpsc::Sender<Chunk>) {
    let mut messages = Vec::with_capacity(BATCH);
    let mut rejected = Vec::new();
    let mut rejected_since = 0_u64;
    let mut kept = 0_usize;
    for line in lines {
        match line {
            Ok(m) => messages.push(m),
            Err(e) => {
                rejected_since += 1;
                if kept < KEEP_REJECTED {
                    kept += 1;
                    rejected.push(e);
                }
            }
        }
        if messages.len() == BATCH {
            let full = std::mem::replace(&mut messages, Vec::with_capacity(BATCH));
            let chunk = Chunk::Messages(full, std::mem::take(&mut rejected), rejected_since);
            rejected_since = 0;
            if tx.blocking_send(chunk).is_err() {
                return;
            }
        }
    }
    let _ = tx.blocking_send(Chunk::Messages(messages, rejected, rejected_since));
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]

    use std::sync::Arc;

    use humas_domain::inbox::{Author, ExternalId, MessageKind};
    use humas_store::{AuditQuery, Store};
    use humas_store_sqlite::SqliteStore;

    use super::*;
    use crate::{AuthSettings, ManualClock};

    async fn app() -> (App, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::connect(dir.path().join("h.db").to_str().unwrap())
            .await
            .unwrap();
        store.migrate().await.unwrap();
        let store: Arc<dyn Store> = Arc::new(store);
        let app = App::new(
            store,
            Arc::new(ManualClock::starting_now()),
            AuthSettings::for_tests(),
        );
        app.seed_demo_if_empty().await.unwrap();
        (app, dir)
    }

    fn message(platform: Platform, id: &str, at: Timestamp) -> Inbound {
        Inbound {
            platform,
            external_id: ExternalId::parse(id).unwrap(),
            kind: MessageKind::Comment,
            author: Author::parse("@warga", None).unwrap(),
            text: "Jalan rusak di depan puskesmas".into(),
            title: None,
            permalink: None,
            parent_external_id: None,
            thread_external_id: None,
            published_at: at,
        }
    }

    fn source() -> ImportSource {
        ImportSource {
            name: "kiriman.ndjson".into(),
            format: ImportFormat::Ndjson,
        }
    }

    #[test]
    fn formats_are_told_by_name_then_by_content() {
        use ImportFormat::{Csv, Ndjson};
        assert_eq!(ImportFormat::detect("ekspor.CSV", b"{\"id\":1}"), Csv);
        assert_eq!(ImportFormat::detect("a.jsonl", b"id,author"), Ndjson);
        assert_eq!(
            ImportFormat::detect("kiriman", b"\xEF\xBB\xBF \n{\"id\":1}"),
            Ndjson
        );
        assert_eq!(ImportFormat::detect("kiriman.txt", b"id,author,text"), Csv);
        assert_eq!(ImportFormat::detect("", b""), Csv);
    }

    #[tokio::test]
    async fn batches_store_the_good_lines_keep_the_bad_and_audit_the_import() {
        let (app, _dir) = app().await;
        let account = app.store.list_accounts(None).await.unwrap().remove(0);
        let total = BATCH + 10;
        let report = app
            .import_messages(&App::cli_actor(), &account, &source(), move |p, at| {
                let lines = (0..total).map(move |i| {
                    if i % 100 == 7 {
                        Err(RejectedLine {
                            line: i as u64 + 1,
                            reason: "bad".into(),
                            code: "invalid_json",
                            detail: String::new(),
                        })
                    } else {
                        Ok(message(p, &format!("imp-{}", i % 1_000), at))
                    }
                });
                Ok(Box::new(lines) as ImportLines)
            })
            .await
            .unwrap();
        let rejected = (0..total).filter(|i| i % 100 == 7).count() as u64;
        assert_eq!(report.rejected_count, rejected);
        assert_eq!(report.rejected[0].line, 8);
        // Ids repeat after 1,000 lines: those are duplicates, not new messages.
        assert_eq!(report.inserted, 1_000 - 10);
        assert_eq!(report.duplicates, total as u64 - rejected - report.inserted);
        let entries = app
            .store
            .query_audit(&AuditQuery {
                action_prefix: Some("message.import".into()),
                limit: 100,
                ..AuditQuery::default()
            })
            .await
            .unwrap();
        assert_eq!(entries.len(), 1);
        let after: serde_json::Value =
            serde_json::from_str(entries[0].after.as_deref().unwrap()).unwrap();
        assert_eq!(after["file_name"], "kiriman.ndjson");
        assert_eq!(after["inserted"], report.inserted);
        assert_eq!(after["rejected"], rejected);
        assert_eq!(entries[0].actor, "cli");
    }

    #[tokio::test]
    async fn only_the_first_rejected_lines_are_kept_however_many_there_are() {
        let (app, _dir) = app().await;
        let account = app.store.list_accounts(None).await.unwrap().remove(0);
        let report = app
            .import_messages(&App::cli_actor(), &account, &source(), |_, _| {
                let lines = (1..=5 * KEEP_REJECTED as u64).map(|line| {
                    Err(RejectedLine {
                        line,
                        reason: "bad".into(),
                        code: "invalid_json",
                        detail: String::new(),
                    })
                });
                Ok(Box::new(lines) as ImportLines)
            })
            .await
            .unwrap();
        assert_eq!(report.rejected_count, 5 * KEEP_REJECTED as u64);
        assert_eq!(report.rejected.len(), KEEP_REJECTED);
        assert_eq!(report.rejected.last().unwrap().line, KEEP_REJECTED as u64);
        assert_eq!(report.inserted, 0);
    }

    #[tokio::test]
    async fn an_unreadable_file_is_refused_and_still_audited() {
        let (app, _dir) = app().await;
        let account = app.store.list_accounts(None).await.unwrap().remove(0);
        let err = app
            .import_messages(&App::cli_actor(), &account, &source(), |_, _| {
                Err("unknown column(s): \"teks\"".to_owned())
            })
            .await
            .unwrap_err();
        assert_eq!(err.code(), "import_unreadable");
        assert!(err.to_string().contains("teks"));
        let entries = app
            .store
            .query_audit(&AuditQuery {
                action_prefix: Some("message.import".into()),
                limit: 100,
                ..AuditQuery::default()
            })
            .await
            .unwrap();
        assert_eq!(entries.len(), 1);
        assert!(entries[0].after.as_deref().unwrap().contains("teks"));
    }

    #[tokio::test]
    async fn only_those_who_handle_the_opds_messages_may_import() {
        let (app, _dir) = app().await;
        let user = app
            .store
            .list_users(None)
            .await
            .unwrap()
            .into_iter()
            .find(|u| u.role == humas_domain::Role::Operator)
            .unwrap();
        let accounts = app.store.list_accounts(None).await.unwrap();
        let account = accounts.iter().find(|a| Some(a.opd) == user.opd).unwrap();
        let other = accounts.iter().find(|a| a.opd != account.opd).unwrap();
        let op = Actor::new(&user, &[], jiff::civil::date(2026, 11, 28));
        assert!(app.import_account(&op, account.id).await.is_ok());
        assert!(matches!(
            app.import_account(&op, other.id).await,
            Err(AppError::Forbidden)
        ));
        assert!(matches!(
            app.import_account(&op, AccountId::generate()).await,
            Err(AppError::NotFound(_))
        ));
        let mine = app.import_accounts(&op).await.unwrap();
        assert!(!mine.is_empty() && mine.iter().all(|a| a.opd == account.opd));
        let opened = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let flag = opened.clone();
        let refused = app
            .import_messages(&op, other, &source(), move |_, _| {
                flag.store(true, std::sync::atomic::Ordering::SeqCst);
                Ok(Box::new(std::iter::empty()) as ImportLines)
            })
            .await;
        assert!(matches!(refused, Err(AppError::Forbidden)));
        assert!(
            !opened.load(std::sync::atomic::Ordering::SeqCst),
            "the file is not opened before the rights are checked"
        );
    }
}
