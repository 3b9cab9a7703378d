//! Messages: batch ingest with deduplication, cursors, reading, workflow changes and erasure.

use std::collections::HashSet;

use humas_domain::inbox::{Message, Workflow};
use humas_domain::{AccountId, MessageId, OpdId, Platform};
use humas_store::{AuditActor, Cursor, IngestOutcome, StoreError, StoreResult};
use jiff::Timestamp;
use serde::Serialize;
use sqlx::postgres::{PgPool, PgRow};
use sqlx::{PgConnection, Postgres, Row, Transaction};
use uuid::Uuid;

use crate::error::{db, found};
use crate::inbox_rows::{self, MESSAGE_COLUMNS, micros};
use crate::{audit, finish};

/// The SQL array type of each column of [`MESSAGE_COLUMNS`], in the same order: the batch is
/// inserted as one `UNNEST` of column arrays, one statement per batch whatever its size.
const MESSAGE_COLUMN_TYPES: [&str; 40] = [
    "uuid", "uuid", "uuid", "uuid", "text", "text", "text", "text", "text", "text", "text", "text",
    "text", "text", "int8", "text", "int8", "int8", "text", "float4", "bool", "float4", "bool",
    "float4", "text", "int2", "text", "bool", "int2", "int8", "text", "text", "uuid", "text",
    "text", "int8", "int8", "int8", "int8", "int8",
];

/// The `INSERT … SELECT * FROM UNNEST(…)` statement for a batch.
fn insert_batch_sql() -> String {
    let arrays: Vec<String> = MESSAGE_COLUMN_TYPES
        .iter()
        .enumerate()
        .map(|(i, ty)| format!("${}::{ty}[]", i + 1))
        .collect();
    format!(
        "INSERT INTO messages ({MESSAGE_COLUMNS}) SELECT * FROM UNNEST({}) \
         ON CONFLICT ON CONSTRAINT messages_platform_external_key DO NOTHING RETURNING id",
        arrays.join(", ")
    )
}

/// A batch as column arrays.
#[derive(Default)]
struct Columns {
    id: Vec<Uuid>,
    account: Vec<Uuid>,
    opd: Vec<Uuid>,
    routed_by: Vec<Option<Uuid>>,
    platform: Vec<&'static str>,
    external_id: Vec<String>,
    kind: Vec<&'static str>,
    author_handle: Vec<String>,
    author_name: Vec<Option<String>>,
    body: Vec<String>,
    title: Vec<Option<String>>,
    permalink: Vec<Option<String>>,
    parent_external_id: Vec<Option<String>>,
    thread_external_id: Vec<Option<String>>,
    published_at: Vec<i64>,
    author_key: Vec<String>,
    received_at: Vec<i64>,
    erased_at: Vec<Option<i64>>,
    sentiment: Vec<Option<&'static str>>,
    sentiment_score: Vec<f32>,
    abusive: Vec<bool>,
    abusive_score: Vec<f32>,
    hate_speech: Vec<bool>,
    hate_score: Vec<f32>,
    hate_target: Vec<Option<&'static str>>,
    hate_categories: Vec<i16>,
    hate_strength: Vec<Option<&'static str>>,
    threat: Vec<bool>,
    pii: Vec<i16>,
    fingerprint: Vec<i64>,
    search_terms: Vec<String>,
    workflow: WorkflowColumns,
}

/// The workflow part of a batch as column arrays.
#[derive(Default)]
struct WorkflowColumns {
    status: Vec<&'static str>,
    assignee: Vec<Option<Uuid>>,
    category: Vec<Option<&'static str>>,
    suggested_category: Vec<Option<&'static str>>,
    first_response_due: Vec<Option<i64>>,
    resolution_due: Vec<Option<i64>>,
    first_response_at: Vec<Option<i64>>,
    resolved_at: Vec<Option<i64>>,
    next_due: Vec<Option<i64>>,
}

fn opt_micros(t: Option<Timestamp>) -> Option<i64> {
    t.map(micros)
}

/// The u64 SimHash as the same 64 bits in PostgreSQL's signed `bigint`.
fn fingerprint_bits(fingerprint: u64) -> i64 {
    i64::from_ne_bytes(fingerprint.to_ne_bytes())
}

impl Columns {
    fn with_capacity(n: usize) -> Self {
        let mut c = Self::default();
        c.id.reserve(n);
        c
    }

    fn push(&mut self, m: &Message) {
        let i = &m.inbound;
        let a = &m.analysis;
        self.id.push(m.id.as_uuid());
        self.account.push(m.account.as_uuid());
        self.opd.push(m.opd.as_uuid());
        self.routed_by.push(m.routed_by.map(|r| r.as_uuid()));
        self.platform.push(i.platform.as_str());
        self.external_id.push(i.external_id.to_string());
        self.kind.push(i.kind.as_str());
        self.author_handle.push(i.author.handle.clone());
        self.author_name.push(i.author.display_name.clone());
        self.body.push(i.text.clone());
        self.title.push(i.title.clone());
        self.permalink.push(i.permalink.clone());
        self.parent_external_id
            .push(i.parent_external_id.as_ref().map(ToString::to_string));
        self.thread_external_id
            .push(i.thread_external_id.as_ref().map(ToString::to_string));
        self.published_at.push(micros(i.published_at));
        self.author_key.push(m.author_key.clone());
        self.received_at.push(micros(m.received_at));
        self.erased_at.push(opt_micros(m.erased_at));
        self.sentiment.push(a.sentiment.map(|s| s.as_str()));
        self.sentiment_score.push(a.sentiment_score);
        self.abusive.push(a.abusive);
        self.abusive_score.push(a.abusive_score);
        self.hate_speech.push(a.hate_speech);
        self.hate_score.push(a.hate_score);
        self.hate_target.push(a.hate_target.map(|t| t.as_str()));
        self.hate_categories.push(a.hate_categories.bits().into());
        self.hate_strength.push(a.hate_strength.map(|s| s.as_str()));
        self.threat.push(a.threat);
        self.pii.push(a.pii.bits().into());
        self.fingerprint.push(fingerprint_bits(a.fingerprint));
        self.search_terms.push(a.search_terms.clone());
        self.workflow.push(&m.workflow);
    }
}

impl WorkflowColumns {
    fn push(&mut self, w: &Workflow) {
        self.status.push(w.status.as_str());
        self.assignee.push(w.assignee.map(|u| u.as_uuid()));
        self.category.push(w.category.map(|c| c.as_str()));
        self.suggested_category
            .push(w.suggested_category.map(|c| c.as_str()));
        self.first_response_due
            .push(opt_micros(w.first_response_due));
        self.resolution_due.push(opt_micros(w.resolution_due));
        self.first_response_at.push(opt_micros(w.first_response_at));
        self.resolved_at.push(opt_micros(w.resolved_at));
        self.next_due.push(opt_micros(w.next_due()));
    }
}

/// The first message of each `(platform, external_id)` in the batch, in batch order.
fn first_of_each(batch: &[Message]) -> Vec<&Message> {
    let mut seen: HashSet<(Platform, &str)> = HashSet::with_capacity(batch.len());
    batch
        .iter()
        .filter(|m| seen.insert((m.inbound.platform, m.inbound.external_id.as_ref())))
        .collect()
}

/// Inserts the batch (already free of repeats) and returns the ids actually inserted.
async fn insert_batch(conn: &mut PgConnection, fresh: &[&Message]) -> StoreResult<HashSet<Uuid>> {
    let mut c = Columns::with_capacity(fresh.len());
    for m in fresh {
        c.push(m);
    }
    let w = c.workflow;
    let sql = insert_batch_sql();
    let inserted = sqlx::query(&sql)
        .bind(c.id)
        .bind(c.account)
        .bind(c.opd)
        .bind(c.routed_by)
        .bind(c.platform)
        .bind(c.external_id)
        .bind(c.kind)
        .bind(c.author_handle)
        .bind(c.author_name)
        .bind(c.body)
        .bind(c.title)
        .bind(c.permalink)
        .bind(c.parent_external_id)
        .bind(c.thread_external_id)
        .bind(c.published_at)
        .bind(c.author_key)
        .bind(c.received_at)
        .bind(c.erased_at)
        .bind(c.sentiment)
        .bind(c.sentiment_score)
        .bind(c.abusive)
        .bind(c.abusive_score)
        .bind(c.hate_speech)
        .bind(c.hate_score)
        .bind(c.hate_target)
        .bind(c.hate_categories)
        .bind(c.hate_strength)
        .bind(c.threat)
        .bind(c.pii)
        .bind(c.fingerprint)
        .bind(c.search_terms)
        .bind(w.status)
        .bind(w.assignee)
        .bind(w.category)
        .bind(w.suggested_category)
        .bind(w.first_response_due)
        .bind(w.resolution_due)
        .bind(w.first_response_at)
        .bind(w.resolved_at)
        .bind(w.next_due)
        .fetch_all(&mut *conn)
        .await
        .map_err(db)?;
    inserted
        .iter()
        .map(|row| row.try_get::<Uuid, _>("id").map_err(db))
        .collect()
}

/// Saves a cursor on the given connection (inside the ingest transaction, or alone).
async fn save_cursor(conn: &mut PgConnection, cursor: &Cursor) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO ingest_cursors (account_id, key, value) VALUES ($1, $2, $3) \
         ON CONFLICT (account_id, key) DO UPDATE SET value = EXCLUDED.value",
    )
    .bind(cursor.account.as_uuid())
    .bind(&cursor.key)
    .bind(&cursor.value)
    .execute(conn)
    .await
    .map_err(db)?;
    Ok(())
}

/// What the audit log records about a batch: counts and accounts, never message texts.
#[derive(Serialize)]
struct IngestAudit {
    inserted: usize,
    duplicates: u64,
    accounts: Vec<AccountId>,
}

fn ingest_audit(inserted: &[&Message], duplicates: u64) -> IngestAudit {
    let mut accounts: Vec<AccountId> = inserted.iter().map(|m| m.account).collect();
    accounts.sort_unstable();
    accounts.dedup();
    IngestAudit {
        inserted: inserted.len(),
        duplicates,
        accounts,
    }
}

pub(crate) async fn ingest(
    pool: &PgPool,
    by: &AuditActor,
    batch: &[Message],
    cursor: Option<&Cursor>,
) -> StoreResult<IngestOutcome> {
    let fresh = first_of_each(batch);
    let mut tx = pool.begin().await.map_err(db)?;
    // The commit waits for the WAL flush (synchronous_commit stays on): a webhook or an
    // import is acknowledged as soon as this returns, and has no cursor that would make the
    // source send it again.
    let stored = if fresh.is_empty() {
        HashSet::new()
    } else {
        insert_batch(&mut tx, &fresh).await?
    };
    if let Some(cursor) = cursor {
        save_cursor(&mut tx, cursor).await?;
    }
    let inserted: Vec<&Message> = fresh
        .into_iter()
        .filter(|m| stored.contains(&m.id.as_uuid()))
        .collect();
    let duplicates = u64::try_from(batch.len() - inserted.len()).unwrap_or(u64::MAX);
    if !inserted.is_empty() {
        let summary = ingest_audit(&inserted, duplicates);
        let target = summary
            .accounts
            .first()
            .map(ToString::to_string)
            .unwrap_or_default();
        let entry = by.entry(
            "message.ingest",
            "ingest",
            &target,
            None,
            None,
            Some(&summary),
        );
        audit::append(&mut tx, entry).await?;
    }
    tx.commit().await.map_err(db)?;
    Ok(IngestOutcome {
        inserted: inserted.iter().map(|m| m.id).collect(),
        duplicates,
    })
}

pub(crate) async fn cursor(
    pool: &PgPool,
    account: AccountId,
    key: &str,
) -> StoreResult<Option<String>> {
    let row = sqlx::query("SELECT value FROM ingest_cursors WHERE account_id = $1 AND key = $2")
        .bind(account.as_uuid())
        .bind(key)
        .fetch_optional(pool)
        .await
        .map_err(db)?;
    row.map(|r| r.try_get::<String, _>("value").map_err(db))
        .transpose()
}

pub(crate) async fn set_cursor(pool: &PgPool, cursor: &Cursor) -> StoreResult<()> {
    let mut conn = pool.acquire().await.map_err(db)?;
    save_cursor(&mut conn, cursor).await
}

pub(crate) async fn get(pool: &PgPool, id: MessageId) -> StoreResult<Message> {
    let row = sqlx::query(&format!(
        "SELECT {MESSAGE_COLUMNS} FROM messages WHERE id = $1"
    ))
    .bind(id.as_uuid())
    .fetch_optional(pool)
    .await
    .map_err(db)?;
    inbox_rows::message(&found(row, "message")?)
}

pub(crate) async fn by_external_id(
    pool: &PgPool,
    platform: Platform,
    external_id: &str,
) -> StoreResult<Message> {
    let row = sqlx::query(&format!(
        "SELECT {MESSAGE_COLUMNS} FROM messages WHERE platform = $1 AND external_id = $2"
    ))
    .bind(platform.as_str())
    .bind(external_id.trim())
    .fetch_optional(pool)
    .await
    .map_err(db)?;
    inbox_rows::message(&found(row, "message")?)
}

pub(crate) fn decode_all(found: &[PgRow]) -> StoreResult<Vec<Message>> {
    found.iter().map(inbox_rows::message).collect()
}

pub(crate) async fn thread(
    pool: &PgPool,
    platform: Platform,
    thread_external_id: &str,
    limit: u32,
) -> StoreResult<Vec<Message>> {
    let found = sqlx::query(&format!(
        "SELECT {MESSAGE_COLUMNS} FROM messages \
         WHERE platform = $1 AND (thread_external_id = $2 OR external_id = $2) \
         ORDER BY published_at_us, id LIMIT $3"
    ))
    .bind(platform.as_str())
    .bind(thread_external_id.trim())
    .bind(i64::from(limit))
    .fetch_all(pool)
    .await
    .map_err(db)?;
    decode_all(&found)
}

/// Reads a message for update, so the audit entry's `before` is what the change replaces.
async fn lock_message(
    tx: &mut Transaction<'static, Postgres>,
    id: MessageId,
) -> StoreResult<Message> {
    let row = sqlx::query(&format!(
        "SELECT {MESSAGE_COLUMNS} FROM messages WHERE id = $1 FOR UPDATE"
    ))
    .bind(id.as_uuid())
    .fetch_optional(&mut **tx)
    .await
    .map_err(db)?;
    inbox_rows::message(&found(row, "message")?)
}

pub(crate) async fn update_workflow(
    pool: &PgPool,
    by: &AuditActor,
    id: MessageId,
    action: &str,
    workflow: &Workflow,
) -> StoreResult<()> {
    let mut tx = pool.begin().await.map_err(db)?;
    let old = lock_message(&mut tx, id).await?;
    sqlx::query(
        "UPDATE messages SET status = $2, assignee_id = $3, category = $4, \
         suggested_category = $5, first_response_due_us = $6, resolution_due_us = $7, \
         first_response_at_us = $8, resolved_at_us = $9, next_due_us = $10 WHERE id = $1",
    )
    .bind(id.as_uuid())
    .bind(workflow.status.as_str())
    .bind(workflow.assignee.map(|u| u.as_uuid()))
    .bind(workflow.category.map(|c| c.as_str()))
    .bind(workflow.suggested_category.map(|c| c.as_str()))
    .bind(opt_micros(workflow.first_response_due))
    .bind(opt_micros(workflow.resolution_due))
    .bind(opt_micros(workflow.first_response_at))
    .bind(opt_micros(workflow.resolved_at))
    .bind(opt_micros(workflow.next_due()))
    .execute(&mut *tx)
    .await
    .map_err(db)?;
    let entry = by.entry(
        action,
        "message",
        &id.to_string(),
        Some(old.opd),
        Some(&old.workflow),
        Some(workflow),
    );
    finish(tx, entry).await
}

/// What the audit log records about a re-routing.
#[derive(Serialize)]
struct RouteAudit {
    opd: OpdId,
}

pub(crate) async fn reroute(
    pool: &PgPool,
    by: &AuditActor,
    id: MessageId,
    opd: OpdId,
) -> StoreResult<()> {
    let mut tx = pool.begin().await.map_err(db)?;
    let old = lock_message(&mut tx, id).await?;
    sqlx::query("UPDATE messages SET opd_id = $2 WHERE id = $1")
        .bind(id.as_uuid())
        .bind(opd.as_uuid())
        .execute(&mut *tx)
        .await
        .map_err(db)?;
    let entry = by.entry(
        "message.reroute",
        "message",
        &id.to_string(),
        Some(opd),
        Some(&RouteAudit { opd: old.opd }),
        Some(&RouteAudit { opd }),
    );
    finish(tx, entry).await
}

/// What the audit log records about a retention run.
#[derive(Serialize)]
struct RetentionAudit {
    received_before: Timestamp,
    erased: u64,
}

pub(crate) async fn erase_texts(
    pool: &PgPool,
    by: &AuditActor,
    account: AccountId,
    received_before: Timestamp,
    at: Timestamp,
) -> StoreResult<u64> {
    let mut tx = pool.begin().await.map_err(db)?;
    let done = sqlx::query(
        "UPDATE messages SET body = '', title = NULL, author_handle = '', author_name = NULL, \
         permalink = NULL, search_terms = '', erased_at_us = $3 \
         WHERE account_id = $1 AND received_at_us < $2 AND erased_at_us IS NULL",
    )
    .bind(account.as_uuid())
    .bind(micros(received_before))
    .bind(micros(at))
    .execute(&mut *tx)
    .await
    .map_err(db)?;
    let erased = done.rows_affected();
    let opd = opd_of_account(&mut tx, account).await?;
    let entry = by.entry(
        "message.erase_texts",
        "account",
        &account.to_string(),
        opd,
        None,
        Some(&RetentionAudit {
            received_before,
            erased,
        }),
    );
    finish(tx, entry).await?;
    Ok(erased)
}

/// What the audit log records about an erasure request: never the handle.
#[derive(Serialize)]
struct AuthorErasureAudit {
    platform: Platform,
    deleted: u64,
}

pub(crate) async fn erase_author(
    pool: &PgPool,
    by: &AuditActor,
    platform: Platform,
    handle: &str,
) -> StoreResult<u64> {
    let handle = handle.trim();
    let mut tx = pool.begin().await.map_err(db)?;
    // An empty handle would match the messages whose texts retention already erased.
    let deleted = if handle.is_empty() {
        0
    } else {
        sqlx::query("DELETE FROM messages WHERE platform = $1 AND lower(author_handle) = lower($2)")
            .bind(platform.as_str())
            .bind(handle)
            .execute(&mut *tx)
            .await
            .map_err(db)?
            .rows_affected()
    };
    let entry = by.entry(
        "message.erase_author",
        "author",
        platform.as_str(),
        None,
        None,
        Some(&AuthorErasureAudit { platform, deleted }),
    );
    finish(tx, entry).await?;
    Ok(deleted)
}

/// The OPD of an account, for the `opd` of audit entries about its messages.
pub(crate) async fn opd_of_account(
    conn: &mut PgConnection,
    account: AccountId,
) -> StoreResult<Option<OpdId>> {
    let row = sqlx::query("SELECT opd_id FROM accounts WHERE id = $1")
        .bind(account.as_uuid())
        .fetch_optional(conn)
        .await
        .map_err(db)?;
    row.map(|r| r.try_get::<Uuid, _>("opd_id").map(OpdId::from_uuid))
        .transpose()
        .map_err(db)
}

/// Whether a message exists; `UnknownReference("message")` otherwise. Returns its OPD.
pub(crate) async fn opd_of_message(conn: &mut PgConnection, id: MessageId) -> StoreResult<OpdId> {
    let row = sqlx::query("SELECT opd_id FROM messages WHERE id = $1")
        .bind(id.as_uuid())
        .fetch_optional(conn)
        .await
        .map_err(db)?;
    let row = row.ok_or(StoreError::UnknownReference("message"))?;
    row.try_get::<Uuid, _>("opd_id")
        .map(OpdId::from_uuid)
        .map_err(db)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_column_has_an_array_type() {
        assert_eq!(
            MESSAGE_COLUMNS.split(',').count(),
            MESSAGE_COLUMN_TYPES.len()
        );
        let sql = insert_batch_sql();
        assert!(sql.contains("$40::int8[]"), "{sql}");
        assert!(!sql.contains("$41"), "{sql}");
    }

    #[test]
    fn fingerprints_keep_all_64_bits() {
        assert_eq!(fingerprint_bits(u64::MAX), -1);
        assert_eq!(fingerprint_bits(1 << 63), i64::MIN);
        assert_eq!(fingerprint_bits(42), 42);
    }
}
