//! Appending to the audit hash chain inside a caller's transaction, and reading it back.

use humas_domain::{AuditEntry, GENESIS_HASH, NewAuditEntry};
use humas_store::{AuditQuery, StoreResult};
use sqlx::{PgConnection, Postgres, QueryBuilder, Row};

use crate::error::db;
use crate::rows::{self, AUDIT_COLUMNS};

/// The key of the transaction-scoped advisory lock that serialises audit appends
/// (`"humasaud"` in ASCII). Every writer of `audit_log` must take it.
const AUDIT_LOCK_KEY: i64 = 0x6875_6d61_7361_7564;

/// Seals `entry` as the next link of the chain and inserts it, inside the caller's
/// transaction. The advisory lock is held until that transaction ends, so no other writer can
/// read the same chain head; together with the data change it makes one atomic commit.
pub(crate) async fn append(
    conn: &mut PgConnection,
    entry: NewAuditEntry,
) -> StoreResult<AuditEntry> {
    sqlx::query("SELECT pg_advisory_xact_lock($1)")
        .bind(AUDIT_LOCK_KEY)
        .execute(&mut *conn)
        .await
        .map_err(db)?;
    // Read committed: this statement's snapshot is taken after the lock was granted, so it sees
    // the entry committed by the previous holder.
    let head = sqlx::query("SELECT seq, at_us, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
        .fetch_optional(&mut *conn)
        .await
        .map_err(db)?;
    let (seq, prev_at_us, prev_hash) = match head {
        Some(row) => (
            row.try_get::<i64, _>("seq").map_err(db)? + 1,
            row.try_get::<i64, _>("at_us").map_err(db)?,
            row.try_get::<String, _>("hash").map_err(db)?,
        ),
        None => (1, i64::MIN, GENESIS_HASH.to_owned()),
    };
    // The clock may step back; the log's times never do.
    let at_us = jiff::Timestamp::now().as_microsecond().max(prev_at_us);
    let sealed = entry.seal(seq, at_us, &prev_hash);
    sqlx::query(
        "INSERT INTO audit_log (seq, at_us, actor_id, actor, action, target_kind, target_id, \
         opd_id, before_json, after_json, prev_hash, hash) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(sealed.seq)
    .bind(sealed.at_us)
    .bind(sealed.actor_id.map(|u| u.as_uuid()))
    .bind(&sealed.actor)
    .bind(&sealed.action)
    .bind(&sealed.target_kind)
    .bind(&sealed.target_id)
    .bind(sealed.opd.map(|o| o.as_uuid()))
    .bind(&sealed.before)
    .bind(&sealed.after)
    .bind(&sealed.prev_hash)
    .bind(&sealed.hash)
    .execute(&mut *conn)
    .await
    .map_err(db)?;
    Ok(sealed)
}

/// `prefix` as a `LIKE` pattern that matches it literally at the start.
fn like_prefix(prefix: &str) -> String {
    let mut out = String::with_capacity(prefix.len() + 1);
    for c in prefix.chars() {
        if matches!(c, '\\' | '%' | '_') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

/// Builds the filtered, newest-first audit query.
pub(crate) fn query(q: &AuditQuery) -> QueryBuilder<'static, Postgres> {
    let mut b = QueryBuilder::new(format!("SELECT {AUDIT_COLUMNS} FROM audit_log WHERE TRUE"));
    if let Some(actor) = &q.actor {
        b.push(" AND actor = ").push_bind(actor.clone());
    }
    if let Some(prefix) = &q.action_prefix {
        b.push(" AND action LIKE ")
            .push_bind(like_prefix(prefix))
            .push(" ESCAPE '\\'");
    }
    if let Some(opd) = q.opd {
        b.push(" AND opd_id = ").push_bind(opd.as_uuid());
    }
    if let Some(since) = q.since_us {
        b.push(" AND at_us >= ").push_bind(since);
    }
    if let Some(until) = q.until_us {
        b.push(" AND at_us < ").push_bind(until);
    }
    if let Some(before) = q.before_seq {
        b.push(" AND seq < ").push_bind(before);
    }
    b.push(" ORDER BY seq DESC LIMIT ")
        .push_bind(i64::from(q.effective_limit()));
    b
}

/// Reads entries from rows.
pub(crate) fn entries(found: &[sqlx::postgres::PgRow]) -> StoreResult<Vec<AuditEntry>> {
    found.iter().map(rows::audit).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_prefix_escapes_wildcards() {
        assert_eq!(like_prefix("opd."), "opd.%");
        assert_eq!(like_prefix("api_token.%"), "api\\_token.\\%%");
        assert_eq!(like_prefix("a\\b"), "a\\\\b%");
    }

    #[test]
    fn query_binds_every_filter_in_order() {
        let q = AuditQuery {
            actor: Some("alice".into()),
            action_prefix: Some("opd.".into()),
            opd: Some(humas_domain::OpdId::generate()),
            since_us: Some(1),
            until_us: Some(2),
            before_seq: Some(3),
            limit: 0,
        };
        let sql = query(&q).into_sql();
        assert!(sql.contains("actor = $1"), "{sql}");
        assert!(sql.contains("action LIKE $2 ESCAPE '\\'"), "{sql}");
        assert!(sql.contains("opd_id = $3"), "{sql}");
        assert!(sql.ends_with("ORDER BY seq DESC LIMIT $7"), "{sql}");
    }
}
