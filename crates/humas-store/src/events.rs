//! The event outbox: things that happened that other parts of Humas or outside integrations
//! (e-mail, Telegram bots, dashboards) may send on. Append-only; each event has an increasing
//! integer id that readers keep as their cursor.
//!
//! Today the kinds are deadline warnings of the response clock (`deadline.due_soon`,
//! `deadline.overdue`); the table is generic (a kind, a subject, an OPD, a small JSON payload)
//! so later kinds need no new table.

use humas_domain::inbox::Workflow;
use humas_domain::{MessageId, OpdId, UserId, ValueError};
use jiff::Timestamp;
use uuid::Uuid;

/// What happened. Stored by its stable name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EventKind {
    /// A message's next deadline came within the warning period.
    DeadlineDueSoon,
    /// A message's next deadline passed without being met.
    DeadlineOverdue,
}

impl EventKind {
    /// Every kind, for documentation and filters.
    pub const ALL: [Self; 2] = [Self::DeadlineDueSoon, Self::DeadlineOverdue];

    /// The stable name (`deadline.due_soon`).
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::DeadlineDueSoon => "deadline.due_soon",
            Self::DeadlineOverdue => "deadline.overdue",
        }
    }

    /// Reads a stable name.
    ///
    /// # Errors
    /// [`ValueError`] naming the kinds there are.
    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == raw.trim())
            .ok_or_else(|| {
                ValueError::unknown("event kind", raw, "deadline.due_soon, deadline.overdue")
            })
    }
}

impl std::fmt::Display for EventKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which of a message's deadlines an event is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DeadlineKind {
    /// The first response (the reporter learns where the report went).
    FirstResponse,
    /// The resolution of the report.
    Resolution,
}

impl DeadlineKind {
    /// The stable name.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::FirstResponse => "first_response",
            Self::Resolution => "resolution",
        }
    }

    /// Reads a stable name.
    ///
    /// # Errors
    /// [`ValueError`] when it is neither.
    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        match raw {
            "first_response" => Ok(Self::FirstResponse),
            "resolution" => Ok(Self::Resolution),
            other => Err(ValueError::unknown(
                "deadline",
                other,
                "first_response, resolution",
            )),
        }
    }

    /// The deadline `workflow` runs against now and its due time: the first response until it
    /// is given, then the resolution; the same choice as [`Workflow::next_due`].
    #[must_use]
    pub fn running(workflow: &Workflow) -> Option<(Self, Timestamp)> {
        let due = workflow.next_due()?;
        if workflow.first_response_at.is_none() && workflow.first_response_due == Some(due) {
            Some((Self::FirstResponse, due))
        } else {
            Some((Self::Resolution, due))
        }
    }
}

/// An event to append. Its `key` is unique in the outbox: appending an event whose key is
/// already there does nothing, so the same warning is raised once even when two processes
/// sweep at the same moment.
#[derive(Clone, Debug, PartialEq)]
pub struct NewEvent {
    /// What happened.
    pub kind: EventKind,
    /// The uniqueness key (see [`NewEvent::deadline`] for the deadline kinds' key).
    pub key: String,
    /// What it is about: the message, for deadline events.
    pub subject: Uuid,
    /// The OPD it belongs to (readers see the events of the OPDs they may see).
    pub opd: OpdId,
    /// The deadline, for deadline events.
    pub deadline: Option<DeadlineKind>,
    /// When that deadline is due.
    pub due_at: Option<Timestamp>,
    /// Who handles the subject when the event was raised.
    pub assignee: Option<UserId>,
    /// When it was raised.
    pub created_at: Timestamp,
    /// A small JSON object with details (no personal data: it is sent on to other systems).
    pub payload: serde_json::Value,
}

impl NewEvent {
    /// A deadline warning about `message`. The key names the kind, the message, the deadline
    /// and its due time, so a warning is raised once per deadline, and again when the deadline
    /// moves (a new category gives a new due time).
    #[must_use]
    #[allow(clippy::too_many_arguments)]
    pub fn deadline(
        kind: EventKind,
        message: MessageId,
        opd: OpdId,
        deadline: DeadlineKind,
        due_at: Timestamp,
        assignee: Option<UserId>,
        created_at: Timestamp,
        payload: serde_json::Value,
    ) -> Self {
        Self {
            kind,
            key: format!(
                "{}:{}:{}:{}",
                kind.as_str(),
                message.as_uuid().simple(),
                deadline.as_str(),
                due_at.as_microsecond()
            ),
            subject: message.as_uuid(),
            opd,
            deadline: Some(deadline),
            due_at: Some(due_at),
            assignee,
            created_at,
            payload,
        }
    }
}

/// An event in the outbox.
#[derive(Clone, Debug, PartialEq)]
pub struct Event {
    /// Increasing; readers pass the last one they saw as `after`. Ids may have gaps, but an
    /// event never becomes visible after one with a larger id (appends are serialised).
    pub id: i64,
    /// The rest, as appended.
    pub event: NewEvent,
}

/// Which events to read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventQuery {
    /// Only events with a larger id (0: from the start).
    pub after: i64,
    /// Only events of these OPDs; `None`: every OPD.
    pub opds: Option<Vec<OpdId>>,
    /// Only these kinds; empty: every kind.
    pub kinds: Vec<EventKind>,
    /// At most this many, 1–1000.
    pub limit: u32,
}

impl EventQuery {
    /// The limit a backend applies: `limit` clamped to 1–1000.
    #[must_use]
    pub fn effective_limit(&self) -> u32 {
        self.limit.clamp(1, 1000)
    }
}

/// A message whose deadline a sweep judges: what the judgement and the event need, no text.
#[derive(Clone, Debug, PartialEq)]
pub struct DueMessage {
    /// The message.
    pub id: MessageId,
    /// Its OPD.
    pub opd: OpdId,
    /// Its account.
    pub account: humas_domain::AccountId,
    /// Its platform.
    pub platform: humas_domain::Platform,
    /// Its workflow (status, assignee, category, deadlines and when they were met).
    pub workflow: Workflow,
}

/// Messages whose next-due time changed since the last sweep (a category changed, a message
/// was reopened or answered), as recorded by the database itself.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DeadlineChanges {
    /// The messages still stored, as they are now.
    pub messages: Vec<DueMessage>,
    /// The position in the change queue read up to; pass it back in [`SweepProgress`] so those
    /// changes are forgotten once the sweep is recorded. `None` when the queue was empty.
    pub up_to: Option<i64>,
}

/// What a finished sweep moves, in the same transaction as its events.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SweepProgress {
    /// Deadlines up to this time have been judged; the sweep mark only ever moves forward.
    pub swept_until: Timestamp,
    /// Forget the queued deadline changes up to this position.
    pub changes_up_to: Option<i64>,
}

/// The audit entry of an append that added `added` (none when nothing was new): how many
/// events of each kind, and the first and last id, never the events' contents. Both backends
/// write it in the append's transaction.
#[must_use]
pub fn append_audit_entry(
    by: &crate::AuditActor,
    action: &str,
    added: &[Event],
) -> Option<humas_domain::NewAuditEntry> {
    let (first, last) = (added.first()?, added.last()?);
    let mut raised = std::collections::BTreeMap::<&'static str, u64>::new();
    for e in added {
        *raised.entry(e.event.kind.as_str()).or_insert(0) += 1;
    }
    let after = serde_json::json!({
        "raised": raised,
        "first_id": first.id,
        "last_id": last.id,
    });
    Some(by.entry(
        action,
        "events",
        &first.id.to_string(),
        None,
        None,
        Some(&after),
    ))
}
