//! Notes, replies and saved replies.

use humas_domain::{MessageId, OpdId};
use humas_store::{
    AuditActor, Note, Reply, ReplyId, ReplyState, SavedReply, SavedReplyId, StoreError, StoreResult,
};
use sqlx::postgres::PgPool;
use sqlx::{Postgres, Transaction};

use crate::error::{db, found};
use crate::finish;
use crate::inbox_rows::{self, NOTE_COLUMNS, REPLY_COLUMNS, SAVED_REPLY_COLUMNS, micros};
use crate::messages::opd_of_message;

pub(crate) async fn add_note(pool: &PgPool, by: &AuditActor, note: &Note) -> StoreResult<()> {
    let mut tx = pool.begin().await.map_err(db)?;
    let opd = opd_of_message(&mut tx, note.message).await?;
    sqlx::query(&format!(
        "INSERT INTO message_notes ({NOTE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6)"
    ))
    .bind(note.id.as_uuid())
    .bind(note.message.as_uuid())
    .bind(note.author.as_uuid())
    .bind(&note.author_name)
    .bind(&note.text)
    .bind(micros(note.created_at))
    .execute(&mut *tx)
    .await
    .map_err(db)?;
    let entry = by.entry(
        "message.note",
        "message",
        &note.message.to_string(),
        Some(opd),
        None,
        Some(note),
    );
    finish(tx, entry).await
}

pub(crate) async fn list_notes(pool: &PgPool, message: MessageId) -> StoreResult<Vec<Note>> {
    sqlx::query(&format!(
        "SELECT {NOTE_COLUMNS} FROM message_notes WHERE message_id = $1 \
         ORDER BY created_at_us, id"
    ))
    .bind(message.as_uuid())
    .fetch_all(pool)
    .await
    .map_err(db)?
    .iter()
    .map(inbox_rows::note)
    .collect()
}

pub(crate) async fn create_reply(pool: &PgPool, by: &AuditActor, reply: &Reply) -> StoreResult<()> {
    let mut tx = pool.begin().await.map_err(db)?;
    let opd = opd_of_message(&mut tx, reply.message).await?;
    sqlx::query(&format!(
        "INSERT INTO message_replies ({REPLY_COLUMNS}) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
    ))
    .bind(reply.id.0)
    .bind(reply.message.as_uuid())
    .bind(&reply.text)
    .bind(reply.state.as_str())
    .bind(reply.drafted_by.as_uuid())
    .bind(reply.approved_by.map(|u| u.as_uuid()))
    .bind(&reply.external_id)
    .bind(&reply.error)
    .bind(micros(reply.created_at))
    .bind(micros(reply.updated_at))
    .execute(&mut *tx)
    .await
    .map_err(db)?;
    let entry = by.entry(
        "reply.create",
        "reply",
        &reply.id.0.to_string(),
        Some(opd),
        None,
        Some(reply),
    );
    finish(tx, entry).await
}

async fn lock_reply(tx: &mut Transaction<'static, Postgres>, id: ReplyId) -> StoreResult<Reply> {
    let row = sqlx::query(&format!(
        "SELECT {REPLY_COLUMNS} FROM message_replies WHERE id = $1 FOR UPDATE"
    ))
    .bind(id.0)
    .fetch_optional(&mut **tx)
    .await
    .map_err(db)?;
    inbox_rows::reply(&found(row, "reply")?)
}

pub(crate) async fn update_reply(
    pool: &PgPool,
    by: &AuditActor,
    action: &str,
    expected: ReplyState,
    reply: &Reply,
) -> StoreResult<()> {
    let mut tx = pool.begin().await.map_err(db)?;
    // The row lock makes the state check and the change one step: a second approver waits
    // here and then sees the state the first one wrote.
    let old = lock_reply(&mut tx, reply.id).await?;
    if old.state != expected {
        return Err(StoreError::Conflict("reply_state"));
    }
    sqlx::query(
        "UPDATE message_replies SET state = $2, approved_by = $3, external_id = $4, \
         error = $5, updated_at_us = $6 WHERE id = $1",
    )
    .bind(reply.id.0)
    .bind(reply.state.as_str())
    .bind(reply.approved_by.map(|u| u.as_uuid()))
    .bind(&reply.external_id)
    .bind(&reply.error)
    .bind(micros(reply.updated_at))
    .execute(&mut *tx)
    .await
    .map_err(db)?;
    let opd = opd_of_message(&mut tx, old.message).await?;
    let after = Reply {
        state: reply.state,
        approved_by: reply.approved_by,
        external_id: reply.external_id.clone(),
        error: reply.error.clone(),
        updated_at: reply.updated_at,
        ..old.clone()
    };
    let entry = by.entry(
        action,
        "reply",
        &reply.id.0.to_string(),
        Some(opd),
        Some(&old),
        Some(&after),
    );
    finish(tx, entry).await
}

pub(crate) async fn get_reply(pool: &PgPool, id: ReplyId) -> StoreResult<Reply> {
    let row = sqlx::query(&format!(
        "SELECT {REPLY_COLUMNS} FROM message_replies WHERE id = $1"
    ))
    .bind(id.0)
    .fetch_optional(pool)
    .await
    .map_err(db)?;
    inbox_rows::reply(&found(row, "reply")?)
}

pub(crate) async fn list_replies(pool: &PgPool, message: MessageId) -> StoreResult<Vec<Reply>> {
    sqlx::query(&format!(
        "SELECT {REPLY_COLUMNS} FROM message_replies WHERE message_id = $1 \
         ORDER BY created_at_us, id"
    ))
    .bind(message.as_uuid())
    .fetch_all(pool)
    .await
    .map_err(db)?
    .iter()
    .map(inbox_rows::reply)
    .collect()
}

pub(crate) async fn stuck_replies(
    pool: &PgPool,
    updated_before: jiff::Timestamp,
    limit: u32,
) -> StoreResult<Vec<Reply>> {
    sqlx::query(&format!(
        "SELECT {REPLY_COLUMNS} FROM message_replies WHERE state = 'sending' \
         AND updated_at_us < $1 ORDER BY updated_at_us, id LIMIT $2"
    ))
    .bind(updated_before.as_microsecond())
    .bind(i64::from(limit.clamp(1, 1000)))
    .fetch_all(pool)
    .await
    .map_err(db)?
    .iter()
    .map(inbox_rows::reply)
    .collect()
}

pub(crate) async fn put_saved_reply(
    pool: &PgPool,
    by: &AuditActor,
    reply: &SavedReply,
) -> StoreResult<()> {
    let mut tx = pool.begin().await.map_err(db)?;
    let old = sqlx::query(&format!(
        "SELECT {SAVED_REPLY_COLUMNS} FROM saved_replies WHERE id = $1 FOR UPDATE"
    ))
    .bind(reply.id.0)
    .fetch_optional(&mut *tx)
    .await
    .map_err(db)?
    .map(|row| inbox_rows::saved_reply(&row))
    .transpose()?;
    sqlx::query(&format!(
        "INSERT INTO saved_replies ({SAVED_REPLY_COLUMNS}) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (id) DO UPDATE SET opd_id = EXCLUDED.opd_id, title = EXCLUDED.title, \
         body = EXCLUDED.body"
    ))
    .bind(reply.id.0)
    .bind(reply.opd.map(|o| o.as_uuid()))
    .bind(&reply.title)
    .bind(&reply.body)
    .execute(&mut *tx)
    .await
    .map_err(db)?;
    let entry = by.entry(
        "saved_reply.put",
        "saved_reply",
        &reply.id.0.to_string(),
        reply.opd,
        old.as_ref(),
        Some(reply),
    );
    finish(tx, entry).await
}

pub(crate) async fn delete_saved_reply(
    pool: &PgPool,
    by: &AuditActor,
    id: SavedReplyId,
) -> StoreResult<()> {
    let mut tx = pool.begin().await.map_err(db)?;
    let row = sqlx::query(&format!(
        "DELETE FROM saved_replies WHERE id = $1 RETURNING {SAVED_REPLY_COLUMNS}"
    ))
    .bind(id.0)
    .fetch_optional(&mut *tx)
    .await
    .map_err(db)?;
    let old = inbox_rows::saved_reply(&found(row, "saved_reply")?)?;
    let entry = by.entry(
        "saved_reply.delete",
        "saved_reply",
        &id.0.to_string(),
        old.opd,
        Some(&old),
        None,
    );
    finish(tx, entry).await
}

pub(crate) async fn list_saved_replies(
    pool: &PgPool,
    opd: Option<OpdId>,
) -> StoreResult<Vec<SavedReply>> {
    sqlx::query(&format!(
        "SELECT {SAVED_REPLY_COLUMNS} FROM saved_replies \
         WHERE $1::uuid IS NULL OR opd_id IS NULL OR opd_id = $1 \
         ORDER BY title COLLATE \"C\", id"
    ))
    .bind(opd.map(|o| o.as_uuid()))
    .fetch_all(pool)
    .await
    .map_err(db)?
    .iter()
    .map(inbox_rows::saved_reply)
    .collect()
}
