//! Records and queries of the inbox: messages, notes, replies, ingest cursors, compliance.

use humas_domain::inbox::{Category, HateCategory, Sentiment, Status};
use humas_domain::{AccountId, MessageId, NoteId, OpdId, Platform, UserId};
use jiff::Timestamp;
use serde::Serialize;
use uuid::Uuid;

/// What a batch ingest did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IngestOutcome {
    /// Ids of the messages that were new, in batch order.
    pub inserted: Vec<MessageId>,
    /// Messages skipped because the platform id was already stored (or repeated in the batch).
    pub duplicates: u64,
}

/// Where a connector stands in a source, saved in the same transaction as the messages it
/// fetched: after a crash, polling resumes from the last batch that was stored, so nothing is
/// lost and nothing is stored twice.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cursor {
    /// The account polled.
    pub account: AccountId,
    /// What the value means for this connector (`since_id`, `etag`, `next_page`…).
    pub key: String,
    /// The value.
    pub value: String,
}

/// Who a message is assigned to, as a filter.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum AssigneeFilter {
    /// Anyone or no one.
    #[default]
    Any,
    /// No one yet.
    Nobody,
    /// This person.
    User(UserId),
}

/// A deadline filter, judged at `now`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeadlineFilter {
    /// A deadline passed without being met.
    Overdue {
        /// The time to judge against.
        now: Timestamp,
    },
    /// The next deadline falls in `[now, until)`.
    DueBefore {
        /// The time to judge against.
        now: Timestamp,
        /// End of the window.
        until: Timestamp,
    },
    /// No unmet deadline (none set, or all met).
    NoneDue,
}

/// A page of the inbox: filters combine with AND. Results are newest first by
/// `published_at`, then id.
#[derive(Clone, Debug, PartialEq)]
pub struct MessageQuery {
    /// OPDs whose messages may be returned; `None` means every OPD (supervisors, leadership).
    pub opds: Option<Vec<OpdId>>,
    /// Platform.
    pub platform: Option<Platform>,
    /// Account.
    pub account: Option<AccountId>,
    /// Sentiment.
    pub sentiment: Option<Sentiment>,
    /// Abusive or not.
    pub abusive: Option<bool>,
    /// Hate speech or not.
    pub hate_speech: Option<bool>,
    /// Hate speech in this category.
    pub hate_category: Option<HateCategory>,
    /// Contains personal data or not.
    pub has_pii: Option<bool>,
    /// Category set by the operator (or suggested, when none is set).
    pub category: Option<Category>,
    /// Status.
    pub status: Option<Status>,
    /// Only messages still waiting for the agency: new, assigned or awaiting approval (the
    /// inbox's default view).
    pub open_only: bool,
    /// Assignee.
    pub assignee: AssigneeFilter,
    /// Published at or after.
    pub published_from: Option<Timestamp>,
    /// Published before.
    pub published_to: Option<Timestamp>,
    /// Deadline state.
    pub deadline: Option<DeadlineFilter>,
    /// Search terms, already reduced by the text engine to stems of `[a-z0-9]` only; a
    /// message matches when its `search_terms` contain every one.
    pub terms: Vec<String>,
    /// Keyset pagination: only messages strictly older than this (published_at, id).
    pub before: Option<(Timestamp, MessageId)>,
    /// Page size, 1–200.
    pub limit: u32,
}

impl Default for MessageQuery {
    fn default() -> Self {
        Self {
            opds: None,
            platform: None,
            account: None,
            sentiment: None,
            abusive: None,
            hate_speech: None,
            hate_category: None,
            has_pii: None,
            category: None,
            status: None,
            open_only: false,
            assignee: AssigneeFilter::Any,
            published_from: None,
            published_to: None,
            deadline: None,
            terms: Vec::new(),
            before: None,
            limit: 50,
        }
    }
}

/// An internal note on a message, visible to the OPD and the province, never to the public.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Note {
    /// Identifier.
    pub id: NoteId,
    /// The message.
    pub message: MessageId,
    /// Who wrote it.
    pub author: UserId,
    /// Their username at the time.
    pub author_name: String,
    /// The note.
    pub text: String,
    /// When.
    pub created_at: Timestamp,
}

/// Identifies a reply.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct ReplyId(pub Uuid);

/// Where a reply is on its way to the platform.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReplyState {
    /// Written by a role that needs approval; waiting for the approver.
    AwaitingApproval,
    /// Approved (or needing no approval); about to be sent.
    Approved,
    /// Handed to the platform; if Humas stops here, the outcome is unknown and must be
    /// checked on the platform before sending again (never sent twice blindly).
    Sending,
    /// The platform accepted it.
    Sent,
    /// The platform refused it; `error` says why.
    Failed,
    /// The approver sent it back.
    Rejected,
}

impl ReplyState {
    /// The stable lowercase name.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::AwaitingApproval => "awaiting_approval",
            Self::Approved => "approved",
            Self::Sending => "sending",
            Self::Sent => "sent",
            Self::Failed => "failed",
            Self::Rejected => "rejected",
        }
    }

    /// Parses the stable name.
    #[must_use]
    pub fn parse(raw: &str) -> Option<Self> {
        [
            Self::AwaitingApproval,
            Self::Approved,
            Self::Sending,
            Self::Sent,
            Self::Failed,
            Self::Rejected,
        ]
        .into_iter()
        .find(|s| s.as_str() == raw)
    }
}

/// A reply to a message, from draft to the platform.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Reply {
    /// Identifier.
    pub id: ReplyId,
    /// The message answered.
    pub message: MessageId,
    /// The text.
    pub text: String,
    /// State.
    pub state: ReplyState,
    /// Who wrote it.
    pub drafted_by: UserId,
    /// Who approved it, when approval was needed.
    pub approved_by: Option<UserId>,
    /// The platform's id for the sent reply.
    pub external_id: Option<String>,
    /// Why sending failed or the approver refused.
    pub error: Option<String>,
    /// Created.
    pub created_at: Timestamp,
    /// Last change.
    pub updated_at: Timestamp,
}

/// Response-clock figures for one OPD (and, when `assignee` is set, one operator) over messages
/// received in a period.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ComplianceRow {
    /// The OPD.
    pub opd: Option<OpdId>,
    /// The operator, for per-operator rows.
    pub assignee: Option<UserId>,
    /// Messages with a first-response deadline.
    pub with_deadline: u64,
    /// First response given by its deadline.
    pub first_response_met: u64,
    /// First response given late, or not given and overdue.
    pub first_response_breached: u64,
    /// Resolved by the resolution deadline.
    pub resolution_met: u64,
    /// Resolved late, or unresolved and overdue.
    pub resolution_breached: u64,
    /// Deadlines still running.
    pub pending: u64,
}

/// Which messages compliance covers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ComplianceQuery {
    /// OPDs to report; `None` for all.
    pub opds: Option<Vec<OpdId>>,
    /// Received at or after.
    pub from: Timestamp,
    /// Received before.
    pub to: Timestamp,
    /// Judge running deadlines at this time.
    pub now: Timestamp,
    /// One row per (OPD, assignee) instead of one per OPD.
    pub per_assignee: bool,
}

/// Identifies a saved reply.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct SavedReplyId(pub Uuid);

/// A reply template. `body` may use `{nama}` (author's display name or handle), `{opd}` (the
/// OPD's name), `{tanggal}` (today, Indonesian date) and `{tenggat}` (the resolution deadline).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SavedReply {
    /// Identifier.
    pub id: SavedReplyId,
    /// The OPD that owns it, or `None` for a province-wide template.
    pub opd: Option<OpdId>,
    /// Short title shown in the picker.
    pub title: String,
    /// The text with variables.
    pub body: String,
}
