//! Records and queries of publishing: media, posts, approvals, approval chains and the durable
//! publication queue.

use humas_domain::publish::PostText;
use humas_domain::publish::limits::MediaKind;
use humas_domain::publish::{DeliveryState, PostState};
use humas_domain::{AccountId, MediaId, NarrativeId, OpdId, PostId, PublishJobId, UserId};
use jiff::Timestamp;
use serde::Serialize;

/// An uploaded image or video. The bytes live in the data folder (or an object store) under
/// [`MediaAsset::storage_key`]; the database keeps what is needed to validate and publish.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MediaAsset {
    /// Identifier.
    pub id: MediaId,
    /// The OPD that owns it.
    pub opd: OpdId,
    /// Who uploaded it.
    pub uploaded_by: UserId,
    /// The name it was uploaded with (shown, and sent in multipart uploads).
    pub file_name: String,
    /// MIME type found by reading the file (never the browser's claim).
    pub mime: String,
    /// Image or video.
    pub kind: MediaKind,
    /// Size in bytes.
    pub bytes: u64,
    /// Pixel width, when readable.
    pub width: Option<u32>,
    /// Pixel height, when readable.
    pub height: Option<u32>,
    /// Video duration, when readable.
    pub duration_ms: Option<u64>,
    /// Hex SHA-256 of the bytes.
    pub sha256: String,
    /// Where the bytes are kept, relative to the media root.
    pub storage_key: String,
    /// Alternative text.
    pub alt_text: Option<String>,
    /// Uploaded.
    pub created_at: Timestamp,
}

/// One approval given at one step of one review round.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PostApproval {
    /// The post.
    pub post: PostId,
    /// The review round it belongs to (a rejection starts the next).
    pub round: u32,
    /// The step of the chain, from 0.
    pub step: u32,
    /// Who pressed the button.
    pub approver: UserId,
    /// Whose place they took through a Plt/Plh delegation.
    pub on_behalf_of: Option<UserId>,
    /// When.
    pub at: Timestamp,
}

/// One channel's publication in the durable queue.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PublishJob {
    /// Identifier.
    pub id: PublishJobId,
    /// The post.
    pub post: PostId,
    /// The account to publish on.
    pub account: AccountId,
    /// The post's OPD (for authorisation and the audit log).
    pub opd: OpdId,
    /// When it is due.
    pub due_at: Timestamp,
    /// State.
    pub state: DeliveryState,
    /// Attempts started.
    pub attempts: u32,
    /// When a worker may take it next.
    pub next_attempt_at: Timestamp,
    /// Until when the worker that holds it owns it; after that another worker may take it.
    pub lease_until: Option<Timestamp>,
    /// The worker that holds it.
    pub worker: Option<String>,
    /// Sent to the platform as its idempotency key where it has one; stable across attempts.
    pub idempotency_key: String,
    /// When a worker first recorded its intent to send.
    pub intent_at: Option<Timestamp>,
    /// Whether a send may have reached the platform without its answer being recorded (set when
    /// a worker takes the job, cleared when an outcome is recorded).
    pub in_doubt: bool,
    /// Whether the job was in doubt when this worker took it: the platform must be checked
    /// before sending again.
    pub needs_reconcile: bool,
    /// The platform's id once published.
    pub external_id: Option<String>,
    /// A link to the live post.
    pub url: Option<String>,
    /// The platform's reason for the last failure.
    pub last_error: Option<String>,
    /// The platform's handle for a publication it finishes later (TikTok `publish_id`).
    pub pending_handle: Option<String>,
    /// When it went live.
    pub published_at: Option<Timestamp>,
    /// Last change.
    pub updated_at: Timestamp,
}

/// Which posts to list, newest scheduled first within the window.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PostQuery {
    /// Only this OPD's posts; all when `None`.
    pub opd: Option<OpdId>,
    /// Only these states; all when empty.
    pub states: Vec<PostState>,
    /// Only posts scheduled at or after this instant (posts without a time are kept when no
    /// window is set).
    pub from: Option<Timestamp>,
    /// Only posts scheduled before this instant.
    pub until: Option<Timestamp>,
    /// Only this author's posts.
    pub author: Option<UserId>,
    /// Only the drafts (and what became of them) of this central narrative.
    pub narrative: Option<NarrativeId>,
    /// At most this many (1–1,000).
    pub limit: u32,
}

/// How a post changes in one transaction: the post itself (compare-and-set on its state), an
/// approval to record, and the publication jobs to enqueue.
#[derive(Clone, Debug)]
pub struct PostChange<'a> {
    /// The audit action, e.g. `post.submit`, `post.approve`, `post.reject`.
    pub action: &'a str,
    /// The state the post must still be in; `Conflict("post_state")` otherwise.
    pub expected: PostState,
    /// The post as it becomes (text, channels, media, state, round, times).
    pub post: &'a humas_domain::publish::Post,
    /// An approval to add.
    pub approval: Option<&'a PostApproval>,
    /// Jobs to enqueue (when the chain completes or the fast lane is used).
    pub jobs: &'a [PublishJob],
    /// A note to keep in the audit entry (a rejection's reason).
    pub note: Option<&'a str>,
}

/// The outcome a worker records for a job it holds.
#[derive(Clone, Debug)]
pub struct JobOutcome<'a> {
    /// The job as it becomes (state, external id, url, error, next attempt, pending handle).
    pub job: &'a PublishJob,
    /// The worker that holds it; `Conflict("job_lease")` when another worker took it over.
    pub worker: &'a str,
}

/// A central narrative (narasi tunggal): what the province wants every chosen OPD to tell, by
/// when. Each OPD receives a draft post to adapt, which follows that OPD's own chain.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Narrative {
    /// Identifier.
    pub id: NarrativeId,
    /// Title.
    pub title: String,
    /// The text OPDs adapt.
    pub body: PostText,
    /// The points every adaptation must keep.
    pub key_messages: Vec<String>,
    /// The province's media (each OPD's draft gets its own copy of the records).
    pub media: Vec<MediaId>,
    /// When every OPD should have published.
    pub deadline: Timestamp,
    /// The OPDs asked to publish.
    pub opds: Vec<OpdId>,
    /// The supervisor who sent it.
    pub created_by: UserId,
    /// Sent.
    pub created_at: Timestamp,
}

/// Why a post was sent back to its author in one review round.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Rejection {
    /// The post.
    pub post: PostId,
    /// The round that ended with it.
    pub round: u32,
    /// Who sent it back.
    pub by: UserId,
    /// The note for the author.
    pub note: String,
    /// When.
    pub at: Timestamp,
}

/// Engagement figures a platform reported for one published channel.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct EngagementFigures {
    /// Likes, favourites, reactions.
    pub likes: u64,
    /// Comments and replies.
    pub comments: u64,
    /// Shares, reposts, boosts.
    pub shares: u64,
    /// Views, when the platform reports them.
    pub views: Option<u64>,
}
