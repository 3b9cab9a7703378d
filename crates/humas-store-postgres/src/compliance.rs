//! Response-clock figures, counted by the database in one grouped pass.
//!
//! Definitions (per message received in `[from, to)`):
//! - a deadline is *met* when the step happened at or before it;
//! - *breached* when the step happened after it, or has not happened and the deadline is
//!   before `now`;
//! - *pending* when the message's next unmet deadline (`next_due`, see
//!   `Workflow::next_due`) is at or after `now`.

use humas_domain::{OpdId, UserId};
use humas_store::{ComplianceQuery, ComplianceRow, StoreResult};
use sqlx::Row;
use sqlx::postgres::{PgPool, PgRow};
use uuid::Uuid;

use crate::error::db;
use crate::inbox_rows::micros;

/// The counts of one group; `$1` is `now` in microseconds.
const FIGURES: &str = "\
    count(*) FILTER (WHERE first_response_due_us IS NOT NULL) AS with_deadline, \
    count(*) FILTER (WHERE first_response_at_us <= first_response_due_us) \
        AS first_response_met, \
    count(*) FILTER (WHERE first_response_at_us > first_response_due_us \
        OR (first_response_at_us IS NULL AND first_response_due_us < $1)) \
        AS first_response_breached, \
    count(*) FILTER (WHERE resolved_at_us <= resolution_due_us) AS resolution_met, \
    count(*) FILTER (WHERE resolved_at_us > resolution_due_us \
        OR (resolved_at_us IS NULL AND resolution_due_us < $1)) AS resolution_breached, \
    count(*) FILTER (WHERE next_due_us >= $1) AS pending";

/// The grouped query; `$1` now, `$2` from, `$3` to, `$4` the OPDs or NULL for all.
fn sql(per_assignee: bool) -> String {
    let (assignee, group) = if per_assignee {
        (
            "assignee_id",
            "GROUP BY opd_id, assignee_id ORDER BY opd_id, assignee_id NULLS FIRST",
        )
    } else {
        (
            "NULL::uuid AS assignee_id",
            "GROUP BY opd_id ORDER BY opd_id",
        )
    };
    format!(
        "SELECT opd_id, {assignee}, {FIGURES} FROM messages \
         WHERE received_at_us >= $2 AND received_at_us < $3 \
         AND ($4::uuid[] IS NULL OR opd_id = ANY($4)) {group}"
    )
}

fn count(row: &PgRow, col: &str) -> StoreResult<u64> {
    let n: i64 = row.try_get(col).map_err(db)?;
    Ok(u64::try_from(n).unwrap_or(0))
}

fn figures(row: &PgRow) -> StoreResult<ComplianceRow> {
    Ok(ComplianceRow {
        opd: Some(OpdId::from_uuid(row.try_get("opd_id").map_err(db)?)),
        assignee: row
            .try_get::<Option<Uuid>, _>("assignee_id")
            .map_err(db)?
            .map(UserId::from_uuid),
        with_deadline: count(row, "with_deadline")?,
        first_response_met: count(row, "first_response_met")?,
        first_response_breached: count(row, "first_response_breached")?,
        resolution_met: count(row, "resolution_met")?,
        resolution_breached: count(row, "resolution_breached")?,
        pending: count(row, "pending")?,
    })
}

pub(crate) async fn compliance(
    pool: &PgPool,
    q: &ComplianceQuery,
) -> StoreResult<Vec<ComplianceRow>> {
    if q.opds.as_ref().is_some_and(Vec::is_empty) {
        return Ok(Vec::new());
    }
    let opds: Option<Vec<Uuid>> = q
        .opds
        .as_ref()
        .map(|opds| opds.iter().map(|o| o.as_uuid()).collect());
    sqlx::query(&sql(q.per_assignee))
        .bind(micros(q.now))
        .bind(micros(q.from))
        .bind(micros(q.to))
        .bind(opds)
        .fetch_all(pool)
        .await
        .map_err(db)?
        .iter()
        .map(figures)
        .collect()
}
