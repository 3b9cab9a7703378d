//! The event outbox on SQLite: deadline candidates from the next-due index, the change queue
//! the `messages_next_due_changed` trigger fills, appends (one writer, so ids become visible in
//! order) and reads by cursor.

use humas_domain::inbox::{Category, Status, Workflow};
use humas_domain::{AccountId, MessageId, OpdId, Platform, UserId, ValueError};
use humas_store::{
    AuditActor, DeadlineChanges, DeadlineKind, DueMessage, Event, EventKind, EventQuery, NewEvent,
    StoreError, StoreResult, SweepProgress,
};
use jiff::Timestamp;
use sqlx::sqlite::SqliteRow;
use sqlx::{QueryBuilder, Row, Sqlite};
use uuid::Uuid;

use crate::{SqliteStore, append, backend, commit};

/// The name of the deadline sweep in `event_sweeps`.
const DEADLINE_SWEEP: &str = "deadline";

const DUE_COLS: &str = "SELECT m.id, m.opd_id, m.account_id, m.platform, m.status, m.assignee, \
    m.category, m.suggested_category, m.first_response_due_us, m.resolution_due_us, \
    m.first_response_at_us, m.resolved_at_us, m.next_due_us FROM messages m";

const EVENT_COLS: &str = "SELECT id, event_key, kind, subject_id, opd_id, deadline, due_us, \
    assignee, created_us, payload FROM events";

fn corrupt(what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("{what}: {e}"))
}

fn get<'r, T>(row: &'r SqliteRow, col: &str) -> StoreResult<T>
where
    T: sqlx::Decode<'r, Sqlite> + sqlx::Type<Sqlite>,
{
    row.try_get(col).map_err(|e| corrupt(col, e))
}

fn time_of(col: &str, us: i64) -> StoreResult<Timestamp> {
    Timestamp::from_microsecond(us).map_err(|e| corrupt(col, e))
}

fn opt_time(row: &SqliteRow, col: &str) -> StoreResult<Option<Timestamp>> {
    get::<Option<i64>>(row, col)?
        .map(|us| time_of(col, us))
        .transpose()
}

fn opt_choice<T>(
    row: &SqliteRow,
    col: &str,
    parse: fn(&str) -> Result<T, ValueError>,
) -> StoreResult<Option<T>> {
    get::<Option<String>>(row, col)?
        .map(|s| parse(&s).map_err(|e| corrupt(col, e)))
        .transpose()
}

fn due_message(row: &SqliteRow) -> StoreResult<DueMessage> {
    let status = get::<String>(row, "status")?;
    let platform = get::<String>(row, "platform")?;
    Ok(DueMessage {
        id: MessageId::from_uuid(get(row, "id")?),
        opd: OpdId::from_uuid(get(row, "opd_id")?),
        account: AccountId::from_uuid(get(row, "account_id")?),
        platform: Platform::parse(&platform).map_err(|e| corrupt("platform", e))?,
        workflow: Workflow {
            status: Status::parse(&status).map_err(|e| corrupt("status", e))?,
            assignee: get::<Option<Uuid>>(row, "assignee")?.map(UserId::from_uuid),
            category: opt_choice(row, "category", Category::parse)?,
            suggested_category: opt_choice(row, "suggested_category", Category::parse)?,
            first_response_due: opt_time(row, "first_response_due_us")?,
            resolution_due: opt_time(row, "resolution_due_us")?,
            first_response_at: opt_time(row, "first_response_at_us")?,
            resolved_at: opt_time(row, "resolved_at_us")?,
        },
    })
}

fn event(row: &SqliteRow) -> StoreResult<Event> {
    let kind = get::<String>(row, "kind")?;
    let payload = get::<String>(row, "payload")?;
    Ok(Event {
        id: get(row, "id")?,
        event: NewEvent {
            kind: EventKind::parse(&kind).map_err(|e| corrupt("kind", e))?,
            key: get(row, "event_key")?,
            subject: get(row, "subject_id")?,
            opd: OpdId::from_uuid(get(row, "opd_id")?),
            deadline: opt_choice(row, "deadline", DeadlineKind::parse)?,
            due_at: opt_time(row, "due_us")?,
            assignee: get::<Option<Uuid>>(row, "assignee")?.map(UserId::from_uuid),
            created_at: time_of("created_us", get(row, "created_us")?)?,
            payload: serde_json::from_str(&payload).map_err(|e| corrupt("payload", e))?,
        },
    })
}

impl SqliteStore {
    pub(crate) async fn events_due_between(
        &self,
        from: Timestamp,
        until: Timestamp,
        after: Option<(Timestamp, MessageId)>,
        limit: u32,
    ) -> StoreResult<Vec<DueMessage>> {
        // `next_due_us IS NOT NULL` repeats the partial index's condition so SQLite uses it.
        let mut b = QueryBuilder::<Sqlite>::new(DUE_COLS);
        b.push(" WHERE m.next_due_us IS NOT NULL AND m.next_due_us >= ")
            .push_bind(from.as_microsecond())
            .push(" AND m.next_due_us < ")
            .push_bind(until.as_microsecond());
        if let Some((due, id)) = after {
            b.push(" AND (m.next_due_us > ")
                .push_bind(due.as_microsecond())
                .push(" OR (m.next_due_us = ")
                .push_bind(due.as_microsecond())
                .push(" AND m.id > ")
                .push_bind(id.as_uuid())
                .push("))");
        }
        b.push(" ORDER BY m.next_due_us, m.id LIMIT ")
            .push_bind(i64::from(limit.clamp(1, 10_000)));
        b.build()
            .fetch_all(&self.reader)
            .await
            .map_err(backend)?
            .iter()
            .map(due_message)
            .collect()
    }

    pub(crate) async fn events_deadline_changes(&self, limit: u32) -> StoreResult<DeadlineChanges> {
        let queued: Vec<(i64, Uuid)> =
            sqlx::query_as("SELECT seq, message_id FROM deadline_changes ORDER BY seq LIMIT ?")
                .bind(i64::from(limit.clamp(1, 10_000)))
                .fetch_all(&self.reader)
                .await
                .map_err(backend)?;
        let Some(up_to) = queued.iter().map(|(seq, _)| *seq).max() else {
            return Ok(DeadlineChanges::default());
        };
        let mut ids: Vec<Uuid> = queued.into_iter().map(|(_, id)| id).collect();
        ids.sort_unstable();
        ids.dedup();
        let mut messages = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(500) {
            let mut b = QueryBuilder::<Sqlite>::new(DUE_COLS);
            b.push(" WHERE m.id IN (");
            let mut list = b.separated(", ");
            for id in chunk {
                list.push_bind(*id);
            }
            b.push(")");
            for row in b.build().fetch_all(&self.reader).await.map_err(backend)? {
                messages.push(due_message(&row)?);
            }
        }
        Ok(DeadlineChanges {
            messages,
            up_to: Some(up_to),
        })
    }

    pub(crate) async fn events_swept_until(&self) -> StoreResult<Option<Timestamp>> {
        let us: Option<i64> =
            sqlx::query_scalar("SELECT swept_us FROM event_sweeps WHERE name = ?")
                .bind(DEADLINE_SWEEP)
                .fetch_optional(&self.reader)
                .await
                .map_err(backend)?;
        us.map(|us| time_of("swept_us", us)).transpose()
    }

    pub(crate) async fn events_append(
        &self,
        by: &AuditActor,
        action: &str,
        events: &[NewEvent],
        progress: Option<SweepProgress>,
    ) -> StoreResult<Vec<Event>> {
        let mut tx = self.begin().await?;
        let mut added = Vec::new();
        for e in events {
            let payload = serde_json::to_string(&e.payload).map_err(backend)?;
            let id: Option<i64> = sqlx::query_scalar(
                "INSERT INTO events (event_key, kind, subject_id, opd_id, deadline, due_us, \
                 assignee, created_us, payload) VALUES (?,?,?,?,?,?,?,?,?) \
                 ON CONFLICT (event_key) DO NOTHING RETURNING id",
            )
            .bind(&e.key)
            .bind(e.kind.as_str())
            .bind(e.subject)
            .bind(e.opd.as_uuid())
            .bind(e.deadline.map(DeadlineKind::as_str))
            .bind(e.due_at.map(Timestamp::as_microsecond))
            .bind(e.assignee.map(|u| u.as_uuid()))
            .bind(e.created_at.as_microsecond())
            .bind(payload)
            .fetch_optional(&mut *tx)
            .await
            .map_err(|err| crate::map_err(err, "opd"))?;
            if let Some(id) = id {
                added.push(Event {
                    id,
                    event: e.clone(),
                });
            }
        }
        if let Some(p) = progress {
            sqlx::query(
                "INSERT INTO event_sweeps (name, swept_us) VALUES (?, ?) \
                 ON CONFLICT (name) DO UPDATE SET swept_us = max(swept_us, excluded.swept_us)",
            )
            .bind(DEADLINE_SWEEP)
            .bind(p.swept_until.as_microsecond())
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
            if let Some(up_to) = p.changes_up_to {
                sqlx::query("DELETE FROM deadline_changes WHERE seq <= ?")
                    .bind(up_to)
                    .execute(&mut *tx)
                    .await
                    .map_err(backend)?;
            }
        }
        if let Some(entry) = humas_store::events::append_audit_entry(by, action, &added) {
            append(&mut tx, entry).await?;
        }
        commit(tx).await?;
        Ok(added)
    }

    pub(crate) async fn events_read(&self, q: &EventQuery) -> StoreResult<Vec<Event>> {
        let mut b = QueryBuilder::<Sqlite>::new(EVENT_COLS);
        b.push(" WHERE id > ").push_bind(q.after);
        if let Some(opds) = &q.opds {
            if opds.is_empty() {
                return Ok(Vec::new());
            }
            b.push(" AND opd_id IN (");
            let mut list = b.separated(", ");
            for o in opds {
                list.push_bind(o.as_uuid());
            }
            b.push(")");
        }
        if !q.kinds.is_empty() {
            b.push(" AND kind IN (");
            let mut list = b.separated(", ");
            for k in &q.kinds {
                list.push_bind(k.as_str());
            }
            b.push(")");
        }
        b.push(" ORDER BY id LIMIT ")
            .push_bind(i64::from(q.effective_limit()));
        b.build()
            .fetch_all(&self.reader)
            .await
            .map_err(backend)?
            .iter()
            .map(event)
            .collect()
    }
}
