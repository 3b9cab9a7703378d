//! The inbox part of the SQLite store: messages, search, workflow, notes, replies, privacy,
//! routing rules, the holiday calendar, response standards and compliance figures.
//!
//! The `Store` methods in `lib.rs` delegate here. Every write runs on the single writer
//! connection inside one transaction together with its audit entry.

use std::collections::{BTreeSet, HashSet};

use humas_domain::inbox::{Message, Workflow};
use humas_domain::routing::RoutingRule;
use humas_domain::sla::{ClockPolicy, Holiday, OpdClockPolicy};
use humas_domain::{AccountId, MessageId, OpdId, Platform, RoutingRuleId};
use humas_store::{
    AssigneeFilter, AuditActor, ComplianceQuery, ComplianceRow, Cursor, DeadlineFilter,
    IngestOutcome, MessageQuery, Note, Reply, ReplyId, ReplyState, SavedReply, SavedReplyId,
    StoreError, StoreResult,
};
use jiff::Timestamp;
use jiff::civil::Date;
use serde_json::json;
use sqlx::sqlite::SqliteRow;
use sqlx::{QueryBuilder, Row, Sqlite};
use uuid::Uuid;

use crate::inbox_rows::{self, MESSAGE_COLS};
use crate::{SqliteStore, Tx, append, backend, commit, map_err};

/// Rows per multi-row INSERT: 41 values each keeps a statement far below SQLite's limit of
/// 32,766 bound variables, and two statements per 1,000-message batch cost little.
const INSERT_CHUNK: usize = 500;

/// Largest inbox page.
const MAX_PAGE: u32 = 200;

/// The columns written for a new message, in the order [`push_message`] binds them.
const INSERT_COLS: &str = "INSERT INTO messages (id, account_id, opd_id, routed_by, platform, \
    external_id, kind, author_handle, author_fold, author_name, body, title, permalink, \
    parent_external_id, thread_external_id, published_us, author_key, received_us, erased_us, \
    sentiment, sentiment_score, abusive, abusive_score, hate_speech, hate_score, hate_target, \
    hate_categories, hate_strength, threat, pii, fingerprint, search_terms, status, assignee, \
    category, suggested_category, first_response_due_us, resolution_due_us, \
    first_response_at_us, resolved_at_us, next_due_us) ";

const WORKFLOW_COLS: &str = "SELECT opd_id, status, assignee, category, suggested_category, \
    first_response_due_us, resolution_due_us, first_response_at_us, resolved_at_us \
    FROM messages WHERE id = ?";

const NOTE_COLS: &str =
    "SELECT id, message_id, author_id, author_name, body, created_us FROM message_notes";
const REPLY_COLS: &str = "SELECT id, message_id, body, state, drafted_by, approved_by, \
    external_id, error, created_us, updated_us FROM message_replies";
const SAVED_REPLY_COLS: &str = "SELECT id, opd_id, title, body FROM saved_replies";
const RULE_COLS: &str = "SELECT id, name, opd_id, expression, priority, enabled FROM routing_rules";
const HOLIDAY_COLS: &str = "SELECT day, name, kind FROM holidays";
const POLICY_COLS: &str = "SELECT opd_id, first_response_days, information_request_days, \
    complaint_days, dispute_days, field_check_days, working_days FROM clock_policies";

fn us(t: Timestamp) -> i64 {
    t.as_microsecond()
}

fn opt_us(t: Option<Timestamp>) -> Option<i64> {
    t.map(Timestamp::as_microsecond)
}

/// The SimHash is a bit pattern, not a number: store it bit for bit.
fn fingerprint_bits(fingerprint: u64) -> i64 {
    i64::from_ne_bytes(fingerprint.to_ne_bytes())
}

/// Case folding for erasure requests, done in Rust so it does not depend on SQLite's
/// ASCII-only `lower()`.
fn fold_handle(handle: &str) -> String {
    handle.to_lowercase()
}

/// Keeps the first message of each `(platform, external_id)` in the batch; returns them in
/// batch order.
fn first_of_each(batch: &[Message]) -> Vec<&Message> {
    let mut seen = HashSet::with_capacity(batch.len());
    batch
        .iter()
        .filter(|m| seen.insert((m.inbound.platform, m.inbound.external_id.as_ref())))
        .collect()
}

/// Fails with `UnknownReference` when a message points at an account or OPD that is missing.
/// Checked up front because SQLite does not say which foreign key failed.
async fn check_references(tx: &mut Tx, batch: &[&Message]) -> StoreResult<()> {
    let accounts: BTreeSet<Uuid> = batch.iter().map(|m| m.account.as_uuid()).collect();
    let opds: BTreeSet<Uuid> = batch.iter().map(|m| m.opd.as_uuid()).collect();
    if count_existing(tx, "accounts", &accounts).await? < accounts.len() {
        return Err(StoreError::UnknownReference("account"));
    }
    if count_existing(tx, "opds", &opds).await? < opds.len() {
        return Err(StoreError::UnknownReference("opd"));
    }
    Ok(())
}

async fn count_existing(tx: &mut Tx, table: &str, ids: &BTreeSet<Uuid>) -> StoreResult<usize> {
    if ids.is_empty() {
        return Ok(0);
    }
    let mut b = QueryBuilder::<Sqlite>::new(format!("SELECT COUNT(*) FROM {table} WHERE id IN ("));
    let mut list = b.separated(", ");
    for id in ids {
        list.push_bind(*id);
    }
    b.push(")");
    let n: i64 = b
        .build()
        .fetch_one(&mut **tx)
        .await
        .map_err(backend)?
        .try_get(0)
        .map_err(backend)?;
    Ok(usize::try_from(n).unwrap_or(0))
}

fn push_message(mut b: sqlx::query_builder::Separated<'_, '_, Sqlite, &'static str>, m: &Message) {
    let i = &m.inbound;
    let a = &m.analysis;
    let w = &m.workflow;
    b.push_bind(m.id.as_uuid())
        .push_bind(m.account.as_uuid())
        .push_bind(m.opd.as_uuid())
        .push_bind(m.routed_by.map(|r| r.as_uuid()))
        .push_bind(i.platform.as_str())
        .push_bind(i.external_id.to_string())
        .push_bind(i.kind.as_str())
        .push_bind(i.author.handle.clone())
        .push_bind(fold_handle(&i.author.handle))
        .push_bind(i.author.display_name.clone())
        .push_bind(i.text.clone())
        .push_bind(i.title.clone())
        .push_bind(i.permalink.clone())
        .push_bind(i.parent_external_id.as_ref().map(ToString::to_string))
        .push_bind(i.thread_external_id.as_ref().map(ToString::to_string))
        .push_bind(us(i.published_at))
        .push_bind(m.author_key.clone())
        .push_bind(us(m.received_at))
        .push_bind(opt_us(m.erased_at))
        .push_bind(a.sentiment.map(|s| s.as_str()))
        .push_bind(f64::from(a.sentiment_score))
        .push_bind(a.abusive)
        .push_bind(f64::from(a.abusive_score))
        .push_bind(a.hate_speech)
        .push_bind(f64::from(a.hate_score))
        .push_bind(a.hate_target.map(|t| t.as_str()))
        .push_bind(i64::from(a.hate_categories.bits()))
        .push_bind(a.hate_strength.map(|s| s.as_str()))
        .push_bind(a.threat)
        .push_bind(i64::from(a.pii.bits()))
        .push_bind(fingerprint_bits(a.fingerprint))
        .push_bind(a.search_terms.clone());
    push_workflow_values(b, w);
}

fn push_workflow_values(
    mut b: sqlx::query_builder::Separated<'_, '_, Sqlite, &'static str>,
    w: &Workflow,
) {
    b.push_bind(w.status.as_str())
        .push_bind(w.assignee.map(|u| u.as_uuid()))
        .push_bind(w.category.map(|c| c.as_str()))
        .push_bind(w.suggested_category.map(|c| c.as_str()))
        .push_bind(opt_us(w.first_response_due))
        .push_bind(opt_us(w.resolution_due))
        .push_bind(opt_us(w.first_response_at))
        .push_bind(opt_us(w.resolved_at))
        .push_bind(opt_us(w.next_due()));
}

/// Inserts one chunk; returns the ids SQLite actually inserted (conflicts are skipped).
async fn insert_chunk(tx: &mut Tx, chunk: &[&Message]) -> StoreResult<Vec<Uuid>> {
    let mut b = QueryBuilder::<Sqlite>::new(INSERT_COLS);
    b.push_values(chunk, |row, m| push_message(row, m));
    b.push(" ON CONFLICT (platform, external_id) DO NOTHING RETURNING id");
    let rows = b
        .build()
        .fetch_all(&mut **tx)
        .await
        // Accounts and OPDs were checked, so a failing foreign key is the assignee.
        .map_err(|e| map_err(e, "user"))?;
    rows.iter()
        .map(|r| r.try_get::<Uuid, _>(0).map_err(backend))
        .collect()
}

async fn save_cursor(tx: &mut Tx, c: &Cursor) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO ingest_cursors (account_id, cursor_key, value) VALUES (?, ?, ?) \
         ON CONFLICT (account_id, cursor_key) DO UPDATE SET value = excluded.value",
    )
    .bind(c.account.as_uuid())
    .bind(&c.key)
    .bind(&c.value)
    .execute(&mut **tx)
    .await
    .map_err(|e| map_err(e, "account"))?;
    Ok(())
}

/// What the audit log keeps of an ingest: counts and accounts, never message content.
#[derive(serde::Serialize)]
struct IngestAudit {
    inserted: usize,
    duplicates: u64,
    accounts: Vec<AccountId>,
}

pub(crate) async fn ingest(
    store: &SqliteStore,
    by: &AuditActor,
    batch: &[Message],
    cursor: Option<&Cursor>,
) -> StoreResult<IngestOutcome> {
    let unique = first_of_each(batch);
    let mut tx = store.begin().await?;
    check_references(&mut tx, &unique).await?;
    let mut stored: HashSet<Uuid> = HashSet::with_capacity(unique.len());
    for chunk in unique.chunks(INSERT_CHUNK) {
        stored.extend(insert_chunk(&mut tx, chunk).await?);
    }
    if let Some(c) = cursor {
        save_cursor(&mut tx, c).await?;
    }
    let inserted: Vec<MessageId> = unique
        .iter()
        .filter(|m| stored.contains(&m.id.as_uuid()))
        .map(|m| m.id)
        .collect();
    let duplicates = u64::try_from(batch.len() - inserted.len()).unwrap_or(u64::MAX);
    if !inserted.is_empty() {
        let accounts: BTreeSet<AccountId> = batch.iter().map(|m| m.account).collect();
        let after = IngestAudit {
            inserted: inserted.len(),
            duplicates,
            accounts: accounts.into_iter().collect(),
        };
        let target = after
            .accounts
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(",");
        append(
            &mut tx,
            by.entry(
                "message.ingest",
                "ingest",
                &target,
                None,
                None,
                Some(&after),
            ),
        )
        .await?;
    }
    commit(tx).await?;
    Ok(IngestOutcome {
        inserted,
        duplicates,
    })
}

pub(crate) async fn cursor(
    store: &SqliteStore,
    account: AccountId,
    key: &str,
) -> StoreResult<Option<String>> {
    sqlx::query_scalar("SELECT value FROM ingest_cursors WHERE account_id = ? AND cursor_key = ?")
        .bind(account.as_uuid())
        .bind(key)
        .fetch_optional(&store.reader)
        .await
        .map_err(backend)
}

pub(crate) async fn set_cursor(store: &SqliteStore, c: &Cursor) -> StoreResult<()> {
    let mut tx = store.begin().await?;
    save_cursor(&mut tx, c).await?;
    commit(tx).await
}

pub(crate) async fn get_message(store: &SqliteStore, id: MessageId) -> StoreResult<Message> {
    let row = sqlx::query(&format!("{MESSAGE_COLS} WHERE m.id = ?"))
        .bind(id.as_uuid())
        .fetch_optional(&store.reader)
        .await
        .map_err(backend)?
        .ok_or(StoreError::NotFound("message"))?;
    inbox_rows::message(&row)
}

pub(crate) async fn message_by_external_id(
    store: &SqliteStore,
    platform: Platform,
    external_id: &str,
) -> StoreResult<Message> {
    let row = sqlx::query(&format!(
        "{MESSAGE_COLS} WHERE m.platform = ? AND m.external_id = ?"
    ))
    .bind(platform.as_str())
    .bind(external_id)
    .fetch_optional(&store.reader)
    .await
    .map_err(backend)?
    .ok_or(StoreError::NotFound("message"))?;
    inbox_rows::message(&row)
}

/// The FTS5 query for `terms`: every term as a quoted token, which FTS5 ANDs. `Ok(None)` when
/// there is nothing to search for; `Err(())` when a term can never match a stored token
/// (stored terms are `[a-z0-9]` only), so the page is empty.
fn fts_query(terms: &[String]) -> Result<Option<String>, ()> {
    let mut parts = Vec::with_capacity(terms.len());
    for term in terms {
        let term = term.trim().to_ascii_lowercase();
        if term.is_empty() {
            continue;
        }
        if !term
            .bytes()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        {
            return Err(());
        }
        parts.push(format!("\"{term}\""));
    }
    Ok((!parts.is_empty()).then(|| parts.join(" ")))
}

/// The search terms as [`fts_query`] accepted them (lower case, `[a-z0-9]`, non-empty).
fn plain_terms(terms: &[String]) -> Vec<String> {
    terms
        .iter()
        .map(|t| t.trim().to_ascii_lowercase())
        .filter(|t| !t.is_empty())
        .collect()
}

fn push_bool(b: &mut QueryBuilder<'_, Sqlite>, column: &str, value: bool) {
    // A literal, not a bind: SQLite only uses the partial indexes on these flags when it can
    // see the value while planning.
    b.push(format!(" AND m.{column} = {}", i32::from(value)));
}

pub(crate) async fn list_messages(
    store: &SqliteStore,
    q: &MessageQuery,
) -> StoreResult<Vec<Message>> {
    let Ok(search) = fts_query(&q.terms) else {
        return Ok(Vec::new());
    };
    if q.opds.as_ref().is_some_and(Vec::is_empty) {
        return Ok(Vec::new());
    }
    let drive_deadline = match q.deadline.and_then(deadline_probe) {
        Some(probe) => few_rows(store, probe).await?,
        None => false,
    };
    let drive_search = match &search {
        Some(terms) => few_rows(store, search_probe(terms)).await?,
        None => false,
    };
    // The page is chosen by rowid first, so that sorting (when SQLite must sort) moves keys,
    // not whole messages; then the rows are read.
    let mut b = QueryBuilder::<Sqlite>::new(MESSAGE_COLS);
    // With few deadline matches, left to itself the planner still walks the newest-first index
    // (it covers next_due_us) through every message to satisfy ORDER BY … LIMIT: ~60 ms over a
    // million rows for an empty "overdue" page. Naming the index reads only the matches.
    if drive_deadline && !drive_search {
        b.push(" WHERE m.rid IN (SELECT m.rid FROM messages m INDEXED BY messages_next_due_idx WHERE 1 = 1");
    } else {
        b.push(" WHERE m.rid IN (SELECT m.rid FROM messages m WHERE 1 = 1");
    }
    if let Some(opds) = &q.opds {
        b.push(" AND m.opd_id IN (");
        let mut list = b.separated(", ");
        for o in opds {
            list.push_bind(o.as_uuid());
        }
        b.push(")");
    }
    if let Some(p) = q.platform {
        b.push(" AND m.platform = ").push_bind(p.as_str());
    }
    if let Some(a) = q.account {
        b.push(" AND m.account_id = ").push_bind(a.as_uuid());
    }
    if let Some(s) = q.sentiment {
        b.push(" AND m.sentiment = ").push_bind(s.as_str());
    }
    if let Some(v) = q.abusive {
        push_bool(&mut b, "abusive", v);
    }
    if let Some(v) = q.hate_speech {
        push_bool(&mut b, "hate_speech", v);
    }
    if let Some(c) = q.hate_category {
        push_bool(&mut b, "hate_speech", true);
        b.push(" AND (m.hate_categories & ")
            .push_bind(inbox_rows::hate_bit(c))
            .push(") <> 0");
    }
    if let Some(v) = q.has_pii {
        b.push(if v {
            " AND m.pii <> 0"
        } else {
            " AND m.pii = 0"
        });
    }
    if let Some(c) = q.category {
        b.push(" AND coalesce(m.category, m.suggested_category) = ")
            .push_bind(c.as_str());
    }
    // Written as literals (from a closed set, never user text) so SQLite can prove the
    // partial status index applies.
    if let Some(s) = q.status {
        b.push(format!(" AND m.status = '{}'", s.as_str()));
    }
    if q.open_only {
        b.push(" AND m.status IN ('new', 'assigned', 'awaiting_approval')");
    }
    match q.assignee {
        AssigneeFilter::Any => {}
        AssigneeFilter::Nobody => {
            b.push(" AND m.assignee IS NULL");
        }
        AssigneeFilter::User(u) => {
            b.push(" AND m.assignee = ").push_bind(u.as_uuid());
        }
    }
    if let Some(t) = q.published_from {
        b.push(" AND m.published_us >= ").push_bind(us(t));
    }
    if let Some(t) = q.published_to {
        b.push(" AND m.published_us < ").push_bind(us(t));
    }
    push_deadline(&mut b, q.deadline, drive_deadline);
    if let Some(terms) = search {
        if drive_search {
            b.push(" AND m.rid IN (SELECT rowid FROM messages_fts WHERE messages_fts MATCH ")
                .push_bind(terms)
                .push(")");
        } else {
            // A common term: walking the newest-first index and testing each row's own terms
            // finds a page after a few hundred rows, where `IN (… MATCH …)` would first build
            // the list of every match (~60 ms for a word in 40 % of a million messages). The
            // stored terms are `[a-z0-9]` runs separated by spaces (see `MessageAnalysis`), so
            // a space-delimited LIKE matches exactly the whole tokens FTS5 matches.
            for term in plain_terms(&q.terms) {
                b.push(" AND (' ' || m.search_terms || ' ') LIKE ")
                    .push_bind(format!("% {term} %"));
            }
        }
    }
    if let Some((t, id)) = q.before {
        b.push(" AND (m.published_us, m.id) < (")
            .push_bind(us(t))
            .push(", ")
            .push_bind(id.as_uuid())
            .push(")");
    }
    b.push(" ORDER BY m.published_us DESC, m.id DESC LIMIT ")
        .push_bind(i64::from(q.limit.clamp(1, MAX_PAGE)))
        .push(") ORDER BY m.published_us DESC, m.id DESC");
    let rows = b.build().fetch_all(&store.reader).await.map_err(backend)?;
    rows.iter().map(inbox_rows::message).collect()
}

/// How many matching rows a predicate may have and still drive a page. Below it, SQLite reads
/// the matches through their own index and sorts them (cheap); above it, walking the
/// newest-first index and testing each row finds a page sooner than sorting every match.
const DRIVING_ROWS: i64 = 5_000;

/// Whether the probe (`SELECT count(*) FROM (SELECT 1 …`, left open) finds at most
/// [`DRIVING_ROWS`] rows; it stops counting just above.
async fn few_rows(store: &SqliteStore, mut probe: QueryBuilder<'_, Sqlite>) -> StoreResult<bool> {
    probe.push(" LIMIT ").push_bind(DRIVING_ROWS + 1).push(")");
    let n: i64 = probe
        .build_query_scalar()
        .fetch_one(&store.reader)
        .await
        .map_err(backend)?;
    Ok(n <= DRIVING_ROWS)
}

fn deadline_probe(deadline: DeadlineFilter) -> Option<QueryBuilder<'static, Sqlite>> {
    let mut b = QueryBuilder::new("SELECT count(*) FROM (SELECT 1 FROM messages m WHERE 1 = 1");
    match deadline {
        DeadlineFilter::Overdue { now } => {
            b.push(" AND m.next_due_us < ").push_bind(us(now));
        }
        DeadlineFilter::DueBefore { now, until } => {
            b.push(" AND m.next_due_us >= ")
                .push_bind(us(now))
                .push(" AND m.next_due_us < ")
                .push_bind(us(until));
        }
        DeadlineFilter::NoneDue => return None,
    }
    Some(b)
}

fn search_probe(terms: &str) -> QueryBuilder<'static, Sqlite> {
    let mut b = QueryBuilder::new(
        "SELECT count(*) FROM (SELECT 1 FROM messages_fts WHERE messages_fts MATCH ",
    );
    b.push_bind(terms.to_owned());
    b
}

/// Adds the deadline filter; `drive` lets SQLite use the next-due index for it, otherwise the
/// column is wrapped in `+` so that the newest-first index drives the page.
fn push_deadline(b: &mut QueryBuilder<'_, Sqlite>, deadline: Option<DeadlineFilter>, drive: bool) {
    let column = if drive {
        " AND m.next_due_us"
    } else {
        " AND +m.next_due_us"
    };
    match deadline {
        None => {}
        Some(DeadlineFilter::Overdue { now }) => {
            b.push(column).push(" < ").push_bind(us(now));
        }
        Some(DeadlineFilter::DueBefore { now, until }) => {
            b.push(column)
                .push(" >= ")
                .push_bind(us(now))
                .push(column)
                .push(" < ")
                .push_bind(us(until));
        }
        Some(DeadlineFilter::NoneDue) => {
            b.push(" AND m.next_due_us IS NULL");
        }
    }
}

pub(crate) async fn thread_messages(
    store: &SqliteStore,
    platform: Platform,
    thread: &str,
    limit: u32,
) -> StoreResult<Vec<Message>> {
    // Two index lookups joined by hand: with `thread = ? OR external_id = ?` SQLite scanned
    // every message of the platform.
    let sql = format!(
        "{MESSAGE_COLS} WHERE m.rid IN (\
         SELECT rid FROM messages WHERE platform = ?1 AND thread_external_id = ?2 \
         UNION ALL SELECT rid FROM messages WHERE platform = ?1 AND external_id = ?2) \
         ORDER BY m.published_us, m.id LIMIT ?3"
    );
    let rows = sqlx::query(&sql)
        .bind(platform.as_str())
        .bind(thread)
        .bind(i64::from(limit))
        .fetch_all(&store.reader)
        .await
        .map_err(backend)?;
    rows.iter().map(inbox_rows::message).collect()
}

/// The OPD of a message, inside a write transaction; `missing` is the error when it is gone.
async fn message_opd(tx: &mut Tx, id: MessageId, missing: StoreError) -> StoreResult<OpdId> {
    let opd: Option<Uuid> = sqlx::query_scalar("SELECT opd_id FROM messages WHERE id = ?")
        .bind(id.as_uuid())
        .fetch_optional(&mut **tx)
        .await
        .map_err(backend)?;
    opd.map(OpdId::from_uuid).ok_or(missing)
}

pub(crate) async fn update_workflow(
    store: &SqliteStore,
    by: &AuditActor,
    id: MessageId,
    action: &str,
    w: &Workflow,
) -> StoreResult<()> {
    let mut tx = store.begin().await?;
    let row = sqlx::query(WORKFLOW_COLS)
        .bind(id.as_uuid())
        .fetch_optional(&mut *tx)
        .await
        .map_err(backend)?
        .ok_or(StoreError::NotFound("message"))?;
    let before = inbox_rows::workflow(&row)?;
    let opd = OpdId::from_uuid(row.try_get("opd_id").map_err(backend)?);
    sqlx::query(
        "UPDATE messages SET status = ?, assignee = ?, category = ?, suggested_category = ?, \
         first_response_due_us = ?, resolution_due_us = ?, first_response_at_us = ?, \
         resolved_at_us = ?, next_due_us = ? WHERE id = ?",
    )
    .bind(w.status.as_str())
    .bind(w.assignee.map(|u| u.as_uuid()))
    .bind(w.category.map(|c| c.as_str()))
    .bind(w.suggested_category.map(|c| c.as_str()))
    .bind(opt_us(w.first_response_due))
    .bind(opt_us(w.resolution_due))
    .bind(opt_us(w.first_response_at))
    .bind(opt_us(w.resolved_at))
    .bind(opt_us(w.next_due()))
    .bind(id.as_uuid())
    .execute(&mut *tx)
    .await
    .map_err(|e| map_err(e, "user"))?;
    let target = id.to_string();
    append(
        &mut tx,
        by.entry(
            action,
            "message",
            &target,
            Some(opd),
            Some(&before),
            Some(w),
        ),
    )
    .await?;
    commit(tx).await
}

pub(crate) async fn reroute_message(
    store: &SqliteStore,
    by: &AuditActor,
    id: MessageId,
    opd: OpdId,
) -> StoreResult<()> {
    let mut tx = store.begin().await?;
    let old = message_opd(&mut tx, id, StoreError::NotFound("message")).await?;
    sqlx::query("UPDATE messages SET opd_id = ? WHERE id = ?")
        .bind(opd.as_uuid())
        .bind(id.as_uuid())
        .execute(&mut *tx)
        .await
        .map_err(|e| map_err(e, "opd"))?;
    let target = id.to_string();
    append(
        &mut tx,
        by.entry(
            "message.reroute",
            "message",
            &target,
            Some(opd),
            Some(&json!({ "opd": old })),
            Some(&json!({ "opd": opd })),
        ),
    )
    .await?;
    commit(tx).await
}

pub(crate) async fn add_note(store: &SqliteStore, by: &AuditActor, n: &Note) -> StoreResult<()> {
    let mut tx = store.begin().await?;
    let opd = message_opd(&mut tx, n.message, StoreError::UnknownReference("message")).await?;
    sqlx::query(
        "INSERT INTO message_notes (id, message_id, author_id, author_name, body, created_us) \
         VALUES (?, ?, ?, ?, ?, ?)",
    )
    .bind(n.id.as_uuid())
    .bind(n.message.as_uuid())
    .bind(n.author.as_uuid())
    .bind(&n.author_name)
    .bind(&n.text)
    .bind(us(n.created_at))
    .execute(&mut *tx)
    .await
    .map_err(|e| map_err(e, "user"))?;
    let target = n.id.to_string();
    append(
        &mut tx,
        by.entry("note.create", "note", &target, Some(opd), None, Some(n)),
    )
    .await?;
    commit(tx).await
}

pub(crate) async fn list_notes(store: &SqliteStore, message: MessageId) -> StoreResult<Vec<Note>> {
    let rows = sqlx::query(&format!(
        "{NOTE_COLS} WHERE message_id = ? ORDER BY created_us, id"
    ))
    .bind(message.as_uuid())
    .fetch_all(&store.reader)
    .await
    .map_err(backend)?;
    rows.iter().map(inbox_rows::note).collect()
}

pub(crate) async fn create_reply(
    store: &SqliteStore,
    by: &AuditActor,
    r: &Reply,
) -> StoreResult<()> {
    let mut tx = store.begin().await?;
    let opd = message_opd(&mut tx, r.message, StoreError::UnknownReference("message")).await?;
    sqlx::query(
        "INSERT INTO message_replies (id, message_id, body, state, drafted_by, approved_by, \
         external_id, error, created_us, updated_us) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(r.id.0)
    .bind(r.message.as_uuid())
    .bind(&r.text)
    .bind(r.state.as_str())
    .bind(r.drafted_by.as_uuid())
    .bind(r.approved_by.map(|u| u.as_uuid()))
    .bind(&r.external_id)
    .bind(&r.error)
    .bind(us(r.created_at))
    .bind(us(r.updated_at))
    .execute(&mut *tx)
    .await
    .map_err(|e| map_err(e, "user"))?;
    let target = r.id.0.to_string();
    append(
        &mut tx,
        by.entry("reply.create", "reply", &target, Some(opd), None, Some(r)),
    )
    .await?;
    commit(tx).await
}

pub(crate) async fn update_reply(
    store: &SqliteStore,
    by: &AuditActor,
    action: &str,
    expected: ReplyState,
    r: &Reply,
) -> StoreResult<()> {
    let mut tx = store.begin().await?;
    let row = sqlx::query(&format!("{REPLY_COLS} WHERE id = ?"))
        .bind(r.id.0)
        .fetch_optional(&mut *tx)
        .await
        .map_err(backend)?
        .ok_or(StoreError::NotFound("reply"))?;
    let before = inbox_rows::reply(&row)?;
    if before.state != expected {
        return Err(StoreError::Conflict("reply_state"));
    }
    let opd = message_opd(&mut tx, before.message, StoreError::NotFound("message")).await?;
    sqlx::query(
        "UPDATE message_replies SET state = ?, approved_by = ?, external_id = ?, error = ?, \
         updated_us = ? WHERE id = ? AND state = ?",
    )
    .bind(r.state.as_str())
    .bind(r.approved_by.map(|u| u.as_uuid()))
    .bind(&r.external_id)
    .bind(&r.error)
    .bind(us(r.updated_at))
    .bind(r.id.0)
    .bind(expected.as_str())
    .execute(&mut *tx)
    .await
    .map_err(|e| map_err(e, "user"))?;
    let after = Reply {
        state: r.state,
        approved_by: r.approved_by,
        external_id: r.external_id.clone(),
        error: r.error.clone(),
        updated_at: r.updated_at,
        ..before.clone()
    };
    let target = r.id.0.to_string();
    append(
        &mut tx,
        by.entry(
            action,
            "reply",
            &target,
            Some(opd),
            Some(&before),
            Some(&after),
        ),
    )
    .await?;
    commit(tx).await
}

pub(crate) async fn get_reply(store: &SqliteStore, id: ReplyId) -> StoreResult<Reply> {
    let row = sqlx::query(&format!("{REPLY_COLS} WHERE id = ?"))
        .bind(id.0)
        .fetch_optional(&store.reader)
        .await
        .map_err(backend)?
        .ok_or(StoreError::NotFound("reply"))?;
    inbox_rows::reply(&row)
}

pub(crate) async fn list_replies(
    store: &SqliteStore,
    message: MessageId,
) -> StoreResult<Vec<Reply>> {
    let rows = sqlx::query(&format!(
        "{REPLY_COLS} WHERE message_id = ? ORDER BY created_us, id"
    ))
    .bind(message.as_uuid())
    .fetch_all(&store.reader)
    .await
    .map_err(backend)?;
    rows.iter().map(inbox_rows::reply).collect()
}

pub(crate) async fn stuck_replies(
    store: &SqliteStore,
    updated_before: Timestamp,
    limit: u32,
) -> StoreResult<Vec<Reply>> {
    let rows = sqlx::query(&format!(
        "{REPLY_COLS} WHERE state = 'sending' AND updated_us < ? ORDER BY updated_us, id LIMIT ?"
    ))
    .bind(updated_before.as_microsecond())
    .bind(i64::from(limit.clamp(1, 1000)))
    .fetch_all(&store.reader)
    .await
    .map_err(backend)?;
    rows.iter().map(inbox_rows::reply).collect()
}

/// Reads an optional row inside a write transaction (the "before" of an upsert).
async fn load_optional<T>(
    tx: &mut Tx,
    sql: &str,
    key: impl for<'q> sqlx::Encode<'q, Sqlite> + sqlx::Type<Sqlite> + Send,
    decode: fn(&SqliteRow) -> StoreResult<T>,
) -> StoreResult<Option<T>> {
    sqlx::query(sql)
        .bind(key)
        .fetch_optional(&mut **tx)
        .await
        .map_err(backend)?
        .as_ref()
        .map(decode)
        .transpose()
}

pub(crate) async fn put_saved_reply(
    store: &SqliteStore,
    by: &AuditActor,
    s: &SavedReply,
) -> StoreResult<()> {
    let mut tx = store.begin().await?;
    let before = load_optional(
        &mut tx,
        &format!("{SAVED_REPLY_COLS} WHERE id = ?"),
        s.id.0,
        inbox_rows::saved_reply,
    )
    .await?;
    sqlx::query(
        "INSERT INTO saved_replies (id, opd_id, title, body) VALUES (?, ?, ?, ?) \
         ON CONFLICT (id) DO UPDATE SET opd_id = excluded.opd_id, title = excluded.title, \
         body = excluded.body",
    )
    .bind(s.id.0)
    .bind(s.opd.map(|o| o.as_uuid()))
    .bind(&s.title)
    .bind(&s.body)
    .execute(&mut *tx)
    .await
    .map_err(|e| map_err(e, "opd"))?;
    let target = s.id.0.to_string();
    append(
        &mut tx,
        by.entry(
            "saved_reply.put",
            "saved_reply",
            &target,
            s.opd,
            before.as_ref(),
            Some(s),
        ),
    )
    .await?;
    commit(tx).await
}

pub(crate) async fn delete_saved_reply(
    store: &SqliteStore,
    by: &AuditActor,
    id: SavedReplyId,
) -> StoreResult<()> {
    let mut tx = store.begin().await?;
    let before = load_optional(
        &mut tx,
        &format!("{SAVED_REPLY_COLS} WHERE id = ?"),
        id.0,
        inbox_rows::saved_reply,
    )
    .await?
    .ok_or(StoreError::NotFound("saved_reply"))?;
    sqlx::query("DELETE FROM saved_replies WHERE id = ?")
        .bind(id.0)
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
    let target = id.0.to_string();
    append(
        &mut tx,
        by.entry(
            "saved_reply.delete",
            "saved_reply",
            &target,
            before.opd,
            Some(&before),
            None,
        ),
    )
    .await?;
    commit(tx).await
}

pub(crate) async fn list_saved_replies(
    store: &SqliteStore,
    opd: Option<OpdId>,
) -> StoreResult<Vec<SavedReply>> {
    let rows = match opd {
        Some(o) => {
            sqlx::query(&format!(
                "{SAVED_REPLY_COLS} WHERE opd_id = ? OR opd_id IS NULL ORDER BY title, id"
            ))
            .bind(o.as_uuid())
            .fetch_all(&store.reader)
            .await
        }
        None => {
            sqlx::query(&format!("{SAVED_REPLY_COLS} ORDER BY title, id"))
                .fetch_all(&store.reader)
                .await
        }
    }
    .map_err(backend)?;
    rows.iter().map(inbox_rows::saved_reply).collect()
}

/// The OPD of an account inside a write transaction, or `UnknownReference("account")`.
async fn account_opd(tx: &mut Tx, account: AccountId) -> StoreResult<OpdId> {
    let opd: Option<Uuid> = sqlx::query_scalar("SELECT opd_id FROM accounts WHERE id = ?")
        .bind(account.as_uuid())
        .fetch_optional(&mut **tx)
        .await
        .map_err(backend)?;
    opd.map(OpdId::from_uuid)
        .ok_or(StoreError::UnknownReference("account"))
}

pub(crate) async fn erase_texts(
    store: &SqliteStore,
    by: &AuditActor,
    account: AccountId,
    received_before: Timestamp,
    at: Timestamp,
) -> StoreResult<u64> {
    let mut tx = store.begin().await?;
    let opd = account_opd(&mut tx, account).await?;
    // The search terms change too, so the trigger removes the message from the FTS index.
    let done = sqlx::query(
        "UPDATE messages SET body = '', title = NULL, author_handle = '', author_fold = '', \
         author_name = NULL, permalink = NULL, search_terms = '', erased_us = ? \
         WHERE account_id = ? AND received_us < ? AND erased_us IS NULL",
    )
    .bind(us(at))
    .bind(account.as_uuid())
    .bind(us(received_before))
    .execute(&mut *tx)
    .await
    .map_err(backend)?;
    let erased = done.rows_affected();
    let target = account.to_string();
    let after = json!({ "erased": erased, "received_before": received_before, "at": at });
    append(
        &mut tx,
        by.entry(
            "message.erase_texts",
            "account",
            &target,
            Some(opd),
            None,
            Some(&after),
        ),
    )
    .await?;
    commit(tx).await?;
    Ok(erased)
}

pub(crate) async fn erase_author(
    store: &SqliteStore,
    by: &AuditActor,
    platform: Platform,
    handle: &str,
) -> StoreResult<u64> {
    let mut tx = store.begin().await?;
    // Notes and replies go with their messages (ON DELETE CASCADE); the FTS rows through the
    // delete trigger.
    let done = sqlx::query("DELETE FROM messages WHERE platform = ? AND author_fold = ?")
        .bind(platform.as_str())
        .bind(fold_handle(handle.trim()))
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
    let deleted = done.rows_affected();
    let after = json!({ "platform": platform.as_str(), "deleted": deleted });
    append(
        &mut tx,
        by.entry(
            "message.erase_author",
            "author",
            platform.as_str(),
            None,
            None,
            Some(&after),
        ),
    )
    .await?;
    commit(tx).await?;
    Ok(deleted)
}

pub(crate) async fn set_retention(
    store: &SqliteStore,
    by: &AuditActor,
    account: AccountId,
    days: Option<u32>,
) -> StoreResult<()> {
    let mut tx = store.begin().await?;
    let opd = account_opd(&mut tx, account).await?;
    let before: Option<i64> =
        sqlx::query_scalar("SELECT days FROM account_retention WHERE account_id = ?")
            .bind(account.as_uuid())
            .fetch_optional(&mut *tx)
            .await
            .map_err(backend)?;
    match days {
        Some(d) => sqlx::query(
            "INSERT INTO account_retention (account_id, days) VALUES (?, ?) \
             ON CONFLICT (account_id) DO UPDATE SET days = excluded.days",
        )
        .bind(account.as_uuid())
        .bind(i64::from(d)),
        None => sqlx::query("DELETE FROM account_retention WHERE account_id = ?")
            .bind(account.as_uuid()),
    }
    .execute(&mut *tx)
    .await
    .map_err(|e| map_err(e, "account"))?;
    let target = account.to_string();
    append(
        &mut tx,
        by.entry(
            "account.retention",
            "account",
            &target,
            Some(opd),
            Some(&json!({ "days": before })),
            Some(&json!({ "days": days })),
        ),
    )
    .await?;
    commit(tx).await
}

pub(crate) async fn retention_settings(store: &SqliteStore) -> StoreResult<Vec<(AccountId, u32)>> {
    let rows: Vec<(Uuid, i64)> =
        sqlx::query_as("SELECT account_id, days FROM account_retention ORDER BY account_id")
            .fetch_all(&store.reader)
            .await
            .map_err(backend)?;
    rows.into_iter()
        .map(|(a, d)| {
            let days = u32::try_from(d)
                .map_err(|e| StoreError::Corrupt(format!("retention days {d}: {e}")))?;
            Ok((AccountId::from_uuid(a), days))
        })
        .collect()
}

pub(crate) async fn create_routing_rule(
    store: &SqliteStore,
    by: &AuditActor,
    r: &RoutingRule,
) -> StoreResult<()> {
    let mut tx = store.begin().await?;
    sqlx::query(
        "INSERT INTO routing_rules (id, name, opd_id, expression, priority, enabled) \
         VALUES (?, ?, ?, ?, ?, ?)",
    )
    .bind(r.id.as_uuid())
    .bind(&r.name)
    .bind(r.opd.as_uuid())
    .bind(&r.expression)
    .bind(r.priority)
    .bind(r.enabled)
    .execute(&mut *tx)
    .await
    .map_err(|e| map_err(e, "opd"))?;
    let target = r.id.to_string();
    append(
        &mut tx,
        by.entry(
            "routing_rule.create",
            "routing_rule",
            &target,
            Some(r.opd),
            None,
            Some(r),
        ),
    )
    .await?;
    commit(tx).await
}

async fn load_rule(tx: &mut Tx, id: RoutingRuleId) -> StoreResult<RoutingRule> {
    load_optional(
        tx,
        &format!("{RULE_COLS} WHERE id = ?"),
        id.as_uuid(),
        inbox_rows::routing_rule,
    )
    .await?
    .ok_or(StoreError::NotFound("routing_rule"))
}

pub(crate) async fn update_routing_rule(
    store: &SqliteStore,
    by: &AuditActor,
    r: &RoutingRule,
) -> StoreResult<()> {
    let mut tx = store.begin().await?;
    let before = load_rule(&mut tx, r.id).await?;
    sqlx::query(
        "UPDATE routing_rules SET name = ?, opd_id = ?, expression = ?, priority = ?, \
         enabled = ? WHERE id = ?",
    )
    .bind(&r.name)
    .bind(r.opd.as_uuid())
    .bind(&r.expression)
    .bind(r.priority)
    .bind(r.enabled)
    .bind(r.id.as_uuid())
    .execute(&mut *tx)
    .await
    .map_err(|e| map_err(e, "opd"))?;
    let target = r.id.to_string();
    append(
        &mut tx,
        by.entry(
            "routing_rule.update",
            "routing_rule",
            &target,
            Some(r.opd),
            Some(&before),
            Some(r),
        ),
    )
    .await?;
    commit(tx).await
}

pub(crate) async fn delete_routing_rule(
    store: &SqliteStore,
    by: &AuditActor,
    id: RoutingRuleId,
) -> StoreResult<()> {
    let mut tx = store.begin().await?;
    let before = load_rule(&mut tx, id).await?;
    sqlx::query("DELETE FROM routing_rules WHERE id = ?")
        .bind(id.as_uuid())
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
    let target = id.to_string();
    append(
        &mut tx,
        by.entry(
            "routing_rule.delete",
            "routing_rule",
            &target,
            Some(before.opd),
            Some(&before),
            None,
        ),
    )
    .await?;
    commit(tx).await
}

pub(crate) async fn list_routing_rules(store: &SqliteStore) -> StoreResult<Vec<RoutingRule>> {
    let rows = sqlx::query(&format!("{RULE_COLS} ORDER BY priority, name, id"))
        .fetch_all(&store.reader)
        .await
        .map_err(backend)?;
    rows.iter().map(inbox_rows::routing_rule).collect()
}

pub(crate) async fn put_holiday(
    store: &SqliteStore,
    by: &AuditActor,
    h: &Holiday,
) -> StoreResult<()> {
    let mut tx = store.begin().await?;
    let day = h.date.to_string();
    let before = load_optional(
        &mut tx,
        &format!("{HOLIDAY_COLS} WHERE day = ?"),
        day.clone(),
        inbox_rows::holiday,
    )
    .await?;
    sqlx::query(
        "INSERT INTO holidays (day, name, kind) VALUES (?, ?, ?) \
         ON CONFLICT (day) DO UPDATE SET name = excluded.name, kind = excluded.kind",
    )
    .bind(&day)
    .bind(&h.name)
    .bind(h.kind.as_str())
    .execute(&mut *tx)
    .await
    .map_err(backend)?;
    append(
        &mut tx,
        by.entry(
            "holiday.put",
            "holiday",
            &day,
            None,
            before.as_ref(),
            Some(h),
        ),
    )
    .await?;
    commit(tx).await
}

pub(crate) async fn delete_holiday(
    store: &SqliteStore,
    by: &AuditActor,
    date: Date,
) -> StoreResult<()> {
    let mut tx = store.begin().await?;
    let day = date.to_string();
    let before = load_optional(
        &mut tx,
        &format!("{HOLIDAY_COLS} WHERE day = ?"),
        day.clone(),
        inbox_rows::holiday,
    )
    .await?
    .ok_or(StoreError::NotFound("holiday"))?;
    sqlx::query("DELETE FROM holidays WHERE day = ?")
        .bind(&day)
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
    append(
        &mut tx,
        by.entry("holiday.delete", "holiday", &day, None, Some(&before), None),
    )
    .await?;
    commit(tx).await
}

pub(crate) async fn list_holidays(
    store: &SqliteStore,
    from: Date,
    to: Date,
) -> StoreResult<Vec<Holiday>> {
    // ISO dates of four-digit years sort as text in date order.
    let rows = sqlx::query(&format!(
        "{HOLIDAY_COLS} WHERE day >= ? AND day <= ? ORDER BY day"
    ))
    .bind(from.to_string())
    .bind(to.to_string())
    .fetch_all(&store.reader)
    .await
    .map_err(backend)?;
    rows.iter().map(inbox_rows::holiday).collect()
}

pub(crate) async fn set_clock_policy(
    store: &SqliteStore,
    by: &AuditActor,
    opd: OpdId,
    p: &ClockPolicy,
) -> StoreResult<()> {
    let mut tx = store.begin().await?;
    let before = load_optional(
        &mut tx,
        &format!("{POLICY_COLS} WHERE opd_id = ?"),
        opd.as_uuid(),
        inbox_rows::clock_policy,
    )
    .await?
    .map(|b| b.policy);
    sqlx::query(
        "INSERT INTO clock_policies (opd_id, first_response_days, information_request_days, \
         complaint_days, dispute_days, field_check_days, working_days) VALUES (?, ?, ?, ?, ?, ?, ?) \
         ON CONFLICT (opd_id) DO UPDATE SET first_response_days = excluded.first_response_days, \
         information_request_days = excluded.information_request_days, \
         complaint_days = excluded.complaint_days, dispute_days = excluded.dispute_days, \
         field_check_days = excluded.field_check_days, working_days = excluded.working_days",
    )
    .bind(opd.as_uuid())
    .bind(i64::from(p.first_response_days))
    .bind(i64::from(p.information_request_days))
    .bind(i64::from(p.complaint_days))
    .bind(i64::from(p.dispute_days))
    .bind(i64::from(p.field_check_days))
    .bind(p.working_days)
    .execute(&mut *tx)
    .await
    .map_err(|e| map_err(e, "opd"))?;
    let target = opd.to_string();
    append(
        &mut tx,
        by.entry(
            "clock_policy.set",
            "opd",
            &target,
            Some(opd),
            before.as_ref(),
            Some(p),
        ),
    )
    .await?;
    commit(tx).await
}

pub(crate) async fn clock_policies(store: &SqliteStore) -> StoreResult<Vec<OpdClockPolicy>> {
    let rows = sqlx::query(&format!("{POLICY_COLS} ORDER BY opd_id"))
        .fetch_all(&store.reader)
        .await
        .map_err(backend)?;
    rows.iter().map(inbox_rows::clock_policy).collect()
}

pub(crate) async fn compliance(
    store: &SqliteStore,
    q: &ComplianceQuery,
) -> StoreResult<Vec<ComplianceRow>> {
    if q.opds.as_ref().is_some_and(Vec::is_empty) {
        return Ok(Vec::new());
    }
    let now = us(q.now);
    let assignee = if q.per_assignee { "assignee" } else { "NULL" };
    let mut b = QueryBuilder::<Sqlite>::new(format!("SELECT opd_id, {assignee} AS who, "));
    b.push(
        "SUM(first_response_due_us IS NOT NULL) AS with_deadline, \
         SUM(first_response_at_us <= first_response_due_us) AS fr_met, \
         SUM(first_response_at_us > first_response_due_us \
             OR (first_response_at_us IS NULL AND first_response_due_us < ",
    )
    .push_bind(now)
    .push(
        ")) AS fr_breached, \
         SUM(resolved_at_us <= resolution_due_us) AS res_met, \
         SUM(resolved_at_us > resolution_due_us \
             OR (resolved_at_us IS NULL AND resolution_due_us < ",
    )
    .push_bind(now)
    .push(
        ")) AS res_breached, \
         coalesce(SUM(first_response_at_us IS NULL AND first_response_due_us >= ",
    )
    .push_bind(now)
    .push("), 0) + coalesce(SUM(resolved_at_us IS NULL AND resolution_due_us >= ")
    .push_bind(now)
    .push(
        "), 0) AS pending FROM messages \
         WHERE (first_response_due_us IS NOT NULL OR resolution_due_us IS NOT NULL) \
         AND received_us >= ",
    )
    .push_bind(us(q.from))
    .push(" AND received_us < ")
    .push_bind(us(q.to));
    if let Some(opds) = &q.opds {
        b.push(" AND opd_id IN (");
        let mut list = b.separated(", ");
        for o in opds {
            list.push_bind(o.as_uuid());
        }
        b.push(")");
    }
    // Unassigned last, as PostgreSQL orders NULLs by default.
    b.push(" GROUP BY opd_id, who ORDER BY opd_id, who IS NULL, who");
    let rows = b.build().fetch_all(&store.reader).await.map_err(backend)?;
    rows.iter().map(compliance_row).collect()
}

fn compliance_row(row: &SqliteRow) -> StoreResult<ComplianceRow> {
    let opd: Uuid = row
        .try_get("opd_id")
        .map_err(|e| StoreError::Corrupt(format!("opd_id: {e}")))?;
    let who: Option<Uuid> = row
        .try_get("who")
        .map_err(|e| StoreError::Corrupt(format!("assignee: {e}")))?;
    Ok(ComplianceRow {
        opd: Some(OpdId::from_uuid(opd)),
        assignee: who.map(humas_domain::UserId::from_uuid),
        with_deadline: inbox_rows::count(row, "with_deadline")?,
        first_response_met: inbox_rows::count(row, "fr_met")?,
        first_response_breached: inbox_rows::count(row, "fr_breached")?,
        resolution_met: inbox_rows::count(row, "res_met")?,
        resolution_breached: inbox_rows::count(row, "res_breached")?,
        pending: inbox_rows::count(row, "pending")?,
    })
}
