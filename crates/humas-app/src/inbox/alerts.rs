//! Warnings before a breach of the response clock: raised as events in the outbox (for
//! integrations to send on), read back by cursor, and listed on the signed-in person's home page.
//!
//! A sweep ([`App::raise_deadline_events`], every minute under `humas serve`) judges only the
//! deadlines that can have crossed a line since the previous sweep: those that passed in
//! `[previous, now)` (now overdue) and those that came within the warning period in
//! `(previous, now]` (now due soon), both read as ranges of the next-due index, plus the
//! messages whose deadline changed since (a new category, a reopened message), which the
//! database queues by itself. Each is judged with [`deadline_state`] and the same warning period
//! as the inbox ([`DUE_SOON`]); the deadlines themselves were set by `schedule` from the OPD's
//! response standard and the working-day calendar with its holidays, so both are respected.
//! An event's key names the deadline and its due time: a sweep that runs twice, or two
//! processes sweeping together, raise it once; a moved deadline raises a new one.

use std::collections::HashMap;

use humas_domain::inbox::{Category, Message};
use humas_domain::sla::{DeadlineState, deadline_state};
use humas_domain::{Actor, MessageId, OpdId};
use humas_store::{
    AssigneeFilter, AuditActor, DeadlineFilter, DeadlineKind, DueMessage, Event, EventKind,
    EventQuery, MessageQuery, NewEvent, SweepProgress,
};
use jiff::{SignedDuration, Timestamp};

use super::query::{DUE_SOON, mask_for};
use crate::{App, AppError, AppResult};

/// The audit action of a sweep that raised events (one entry per sweep, counts by kind).
pub const SWEEP_ACTION: &str = "event.deadline_sweep";

/// How far back the very first sweep looks: deadlines that passed or came near in the last
/// week are announced once; older breaches are left to the inbox's filters rather than sent
/// on as a flood.
pub const FIRST_LOOKBACK: SignedDuration = SignedDuration::from_hours(24 * 7);

/// Candidates read per store call.
const PAGE: u32 = 1000;

/// Queued deadline changes judged per sweep (the rest wait for the next one).
const CHANGES_PER_SWEEP: u32 = 10_000;

/// Warnings shown per group on the home page.
pub const HOME_WARNINGS: u32 = 20;

/// What one sweep did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SweepReport {
    /// Messages judged.
    pub judged: usize,
    /// New `deadline.due_soon` events.
    pub due_soon: usize,
    /// New `deadline.overdue` events.
    pub overdue: usize,
}

/// A page of events for a reader.
#[derive(Clone, Debug)]
pub struct EventPage {
    /// Events by id.
    pub events: Vec<Event>,
    /// What to pass as `after` next time: the last id on this page, else the `after` asked for.
    pub next: i64,
}

/// Which events a reader asks for.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EventsRequest {
    /// Only events after this id (0: from the start).
    pub after: i64,
    /// At most this many (1–1000).
    pub limit: u32,
    /// Only these kinds (empty: all).
    pub kinds: Vec<EventKind>,
    /// Only this OPD (it must be one the reader sees).
    pub opd: Option<OpdId>,
}

/// A message on the home page's warning list.
#[derive(Clone, Debug)]
pub struct DeadlineWarning {
    /// The message, masked for the reader.
    pub message: Message,
    /// Due soon or overdue.
    pub state: DeadlineState,
    /// Which deadline.
    pub deadline: DeadlineKind,
    /// When it is (was) due.
    pub due: Timestamp,
    /// Assigned to the reader (else: unassigned in their OPD).
    pub mine: bool,
}

/// The OPDs whose events an actor sees: the inbox's rule (all for the province roles, else
/// their own and those they act for).
fn visible_opds(actor: &Actor) -> Option<Vec<OpdId>> {
    if actor.sees_all_opds() {
        None
    } else {
        let mut opds: Vec<OpdId> = actor.opd.into_iter().collect();
        opds.extend(actor.acting_approver_for.iter().copied());
        Some(opds)
    }
}

/// The event a message deserves at `now`, if any: a warning about its running deadline when
/// that is due soon or overdue.
#[must_use]
pub fn judge(m: &DueMessage, now: Timestamp) -> Option<NewEvent> {
    let kind = match deadline_state(&m.workflow, now, DUE_SOON) {
        DeadlineState::DueSoon => EventKind::DeadlineDueSoon,
        DeadlineState::Overdue => EventKind::DeadlineOverdue,
        _ => return None,
    };
    let (deadline, due) = DeadlineKind::running(&m.workflow)?;
    let w = &m.workflow;
    let payload = serde_json::json!({
        "platform": m.platform.as_str(),
        "account_id": m.account.to_string(),
        "status": w.status.as_str(),
        "category": w.category.or(w.suggested_category).map(Category::as_str),
        "category_suggested": w.category.is_none() && w.suggested_category.is_some(),
    });
    Some(NewEvent::deadline(
        kind, m.id, m.opd, deadline, due, w.assignee, now, payload,
    ))
}

impl App {
    /// One sweep at `now`: raises `deadline.due_soon` and `deadline.overdue` events for the
    /// deadlines that crossed into those states since the last sweep (or the last
    /// [`FIRST_LOOKBACK`] on the first), and for messages whose deadline changed; records how
    /// far it judged in the same transaction, with one audit entry when it raised any.
    ///
    /// # Errors
    /// Storage errors; the sweep mark then stays, so the next sweep judges the same range.
    pub async fn raise_deadline_events(&self, now: Timestamp) -> AppResult<SweepReport> {
        let from = self
            .store
            .swept_until()
            .await?
            .unwrap_or(now - FIRST_LOOKBACK)
            .min(now);
        let tick = SignedDuration::from_micros(1);
        let mut candidates: HashMap<MessageId, DueMessage> = HashMap::new();
        // Newly overdue: due in [from, now). Newly due soon: due − warning in (from, now].
        for (start, end) in [(from, now), (from + DUE_SOON + tick, now + DUE_SOON + tick)] {
            let mut after = None;
            loop {
                let page = self
                    .store
                    .messages_due_between(start, end, after, PAGE)
                    .await?;
                let full = page.len() == PAGE as usize;
                after = page
                    .last()
                    .and_then(|m| m.workflow.next_due().map(|due| (due, m.id)));
                candidates.extend(page.into_iter().map(|m| (m.id, m)));
                if !full || after.is_none() {
                    break;
                }
            }
        }
        let changes = self.store.deadline_changes(CHANGES_PER_SWEEP).await?;
        candidates.extend(changes.messages.into_iter().map(|m| (m.id, m)));

        let mut events: Vec<NewEvent> = candidates.values().filter_map(|m| judge(m, now)).collect();
        // Oldest deadline first, so ids follow urgency within a sweep.
        events.sort_by_key(|e| (e.due_at, e.subject));
        let added = self
            .store
            .append_events(
                &AuditActor::system(),
                SWEEP_ACTION,
                &events,
                Some(SweepProgress {
                    swept_until: now,
                    changes_up_to: changes.up_to,
                }),
            )
            .await?;
        let count = |k| added.iter().filter(|e| e.event.kind == k).count();
        Ok(SweepReport {
            judged: candidates.len(),
            due_soon: count(EventKind::DeadlineDueSoon),
            overdue: count(EventKind::DeadlineOverdue),
        })
    }

    /// Events for `actor` after a cursor: those of the OPDs they see (the province roles see
    /// all), optionally of one OPD and some kinds.
    ///
    /// # Errors
    /// `Forbidden` when `request.opd` is an OPD the actor does not see; storage errors.
    pub async fn events_for(&self, actor: &Actor, request: &EventsRequest) -> AppResult<EventPage> {
        let opds = match request.opd {
            Some(opd) if !actor.can_view_opd(opd) => return Err(AppError::Forbidden),
            Some(opd) => Some(vec![opd]),
            None => visible_opds(actor),
        };
        let events = self
            .store
            .events_after(&EventQuery {
                after: request.after.max(0),
                opds,
                kinds: request.kinds.clone(),
                limit: request.limit.clamp(1, 1000),
            })
            .await?;
        let next = events.last().map_or(request.after.max(0), |e| e.id);
        Ok(EventPage { events, next })
    }

    /// The deadline warnings the home page shows `actor`: their own assigned messages that are
    /// due soon or overdue, then the unassigned ones of the OPDs they see; most urgent first
    /// within each group, at most [`HOME_WARNINGS`] each. Personal data masked as in the inbox.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn deadline_warnings(&self, actor: &Actor) -> AppResult<Vec<DeadlineWarning>> {
        let now = self.clock.now();
        let mut out = Vec::new();
        for (assignee, mine) in [
            (AssigneeFilter::User(actor.user_id), true),
            (AssigneeFilter::Nobody, false),
        ] {
            let query = MessageQuery {
                opds: visible_opds(actor),
                assignee,
                deadline: Some(DeadlineFilter::DueBefore {
                    now: Timestamp::MIN,
                    until: now + DUE_SOON,
                }),
                limit: HOME_WARNINGS,
                ..MessageQuery::default()
            };
            let mut group: Vec<DeadlineWarning> = self
                .store
                .list_messages(&query)
                .await?
                .into_iter()
                .filter_map(|mut message| {
                    let state = deadline_state(&message.workflow, now, DUE_SOON);
                    if !matches!(state, DeadlineState::DueSoon | DeadlineState::Overdue) {
                        return None;
                    }
                    let (deadline, due) = DeadlineKind::running(&message.workflow)?;
                    mask_for(actor, &mut message);
                    Some(DeadlineWarning {
                        message,
                        state,
                        deadline,
                        due,
                        mine,
                    })
                })
                .collect();
            group.sort_by_key(|w| (w.due, w.message.id));
            out.extend(group);
        }
        Ok(out)
    }
}
