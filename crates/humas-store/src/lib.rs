//! The storage boundary.
//!
//! [`Store`] is the one interface the rest of Humas uses to keep data. It has two
//! implementations, `humas-store-sqlite` (the embedded default) and `humas-store-postgres`, which
//! must both pass the conformance suite in [`conformance`] (feature `testing`).
//!
//! **Invariants:**
//! - Every method that changes data writes its audit entry in the same transaction, so a change
//!   without its audit entry (or the reverse) can never be committed. Callers pass an
//!   [`AuditActor`]; they cannot forget the audit.
//! - Driver errors never cross this boundary: callers see [`StoreError`].
//! - No SQL lives here; only the backend crates contain SQL.

#[cfg(feature = "testing")]
pub mod conformance;
#[cfg(feature = "testing")]
pub mod conformance_events;
#[cfg(feature = "testing")]
pub mod conformance_inbox;
#[cfg(feature = "testing")]
pub mod conformance_publish;
pub mod events;
pub mod inbox;
pub mod publish;
mod records;

use async_trait::async_trait;
use humas_domain::inbox::{Message, Workflow};
use humas_domain::publish::chain::ApprovalChain;
use humas_domain::publish::slots::Slot;
use humas_domain::publish::{DeliveryState, Post, PostState};
use humas_domain::routing::RoutingRule;
use humas_domain::sla::{ClockPolicy, Holiday, OpdClockPolicy};
use humas_domain::{
    Account, AccountId, AuditEntry, Delegation, DelegationId, MessageId, NewAuditEntry, Opd, OpdId,
    Platform, RoutingRuleId, Slug, User, UserId, Username,
};
use humas_domain::{MediaId, NarrativeId, PostId, PublishJobId};
use jiff::Timestamp;
use jiff::civil::Date;

pub use inbox::{
    AssigneeFilter, ComplianceQuery, ComplianceRow, Cursor, DeadlineFilter, IngestOutcome,
    MessageQuery, Note, Reply, ReplyId, ReplyState, SavedReply, SavedReplyId,
};

pub use events::{
    DeadlineChanges, DeadlineKind, DueMessage, Event, EventKind, EventQuery, NewEvent,
    SweepProgress,
};

pub use publish::{
    EngagementFigures, JobOutcome, MediaAsset, Narrative, PostApproval, PostChange, PostQuery,
    PublishJob, Rejection,
};

pub use records::{ApiToken, ApiTokenId, AuditActor, AuditQuery, Credentials, SessionRecord};

/// What went wrong in storage, in terms a caller can act on.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The thing asked for does not exist.
    #[error("{0} not found")]
    NotFound(&'static str),
    /// A uniqueness rule would be broken; the name says which (`opd_slug`, `username`,
    /// `account_handle`).
    #[error("already exists: {0}")]
    Conflict(&'static str),
    /// A reference points at something that does not exist (`opd`, `user`).
    #[error("refers to an unknown {0}")]
    UnknownReference(&'static str),
    /// Stored data could not be read back into domain types: the database was edited by hand.
    #[error("stored data is invalid: {0}")]
    Corrupt(String),
    /// The database itself failed (connection, disk, syntax).
    #[error("database error: {0}")]
    Backend(#[source] Box<dyn std::error::Error + Send + Sync>),
}

/// Shorthand for results from a [`Store`].
pub type StoreResult<T> = Result<T, StoreError>;

/// The database behind Humas. See the crate documentation for the invariants.
#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// `sqlite` or `postgresql`, for logs and `/metrics`.
    fn backend_name(&self) -> &'static str;

    /// Checks that the database answers.
    async fn ping(&self) -> StoreResult<()>;

    // --- OPDs -------------------------------------------------------------------------------

    /// Adds an OPD. `Conflict("opd_slug")` when the slug is taken.
    async fn create_opd(&self, by: &AuditActor, opd: &Opd) -> StoreResult<()>;
    /// Replaces an OPD's fields. `NotFound("opd")`, `Conflict("opd_slug")`.
    async fn update_opd(&self, by: &AuditActor, opd: &Opd) -> StoreResult<()>;
    /// One OPD by id.
    async fn get_opd(&self, id: OpdId) -> StoreResult<Opd>;
    /// One OPD by slug.
    async fn opd_by_slug(&self, slug: &Slug) -> StoreResult<Opd>;
    /// All OPDs, ordered by name.
    async fn list_opds(&self) -> StoreResult<Vec<Opd>>;

    // --- Accounts ---------------------------------------------------------------------------

    /// Adds an account. `Conflict("account_handle")` when the platform already has the handle;
    /// `UnknownReference("opd")`.
    async fn create_account(&self, by: &AuditActor, account: &Account) -> StoreResult<()>;
    /// Replaces an account's fields.
    async fn update_account(&self, by: &AuditActor, account: &Account) -> StoreResult<()>;
    /// Removes an account.
    async fn delete_account(&self, by: &AuditActor, id: AccountId) -> StoreResult<()>;
    /// One account.
    async fn get_account(&self, id: AccountId) -> StoreResult<Account>;
    /// Accounts of one OPD, or all when `opd` is `None`; ordered by platform, then handle.
    async fn list_accounts(&self, opd: Option<OpdId>) -> StoreResult<Vec<Account>>;

    // --- People -----------------------------------------------------------------------------

    /// Adds a person with a password hash (PHC string). `Conflict("username")`.
    async fn create_user(
        &self,
        by: &AuditActor,
        user: &User,
        password_hash: &str,
    ) -> StoreResult<()>;
    /// Replaces a person's fields (not the password).
    async fn update_user(&self, by: &AuditActor, user: &User) -> StoreResult<()>;
    /// Replaces a password hash. The audit entry records that it changed, never the hash.
    async fn set_password_hash(
        &self,
        by: &AuditActor,
        id: UserId,
        password_hash: &str,
    ) -> StoreResult<()>;
    /// One person.
    async fn get_user(&self, id: UserId) -> StoreResult<User>;
    /// A person and their password hash, for signing in.
    async fn credentials(&self, username: &Username) -> StoreResult<Credentials>;
    /// People of one OPD, or everyone when `opd` is `None`; ordered by username.
    async fn list_users(&self, opd: Option<OpdId>) -> StoreResult<Vec<User>>;
    /// How many people exist (an empty database gets demo data).
    async fn count_users(&self) -> StoreResult<u64>;

    // --- Acting officials -------------------------------------------------------------------

    /// Records a Plt/Plh delegation.
    async fn create_delegation(&self, by: &AuditActor, delegation: &Delegation) -> StoreResult<()>;
    /// Ends a delegation early.
    async fn revoke_delegation(&self, by: &AuditActor, id: DelegationId) -> StoreResult<()>;
    /// One delegation.
    async fn get_delegation(&self, id: DelegationId) -> StoreResult<Delegation>;
    /// Delegations of one OPD, or all; newest first.
    async fn list_delegations(&self, opd: Option<OpdId>) -> StoreResult<Vec<Delegation>>;
    /// Delegations given to one person (any date, not revoked).
    async fn delegations_to(&self, user: UserId) -> StoreResult<Vec<Delegation>>;

    // --- Sessions (not audited: sign-in and sign-out are audited by the caller) --------------

    /// Stores a new session.
    async fn create_session(&self, session: &SessionRecord) -> StoreResult<()>;
    /// A session by the hash of its cookie value.
    async fn get_session(&self, id_hash: &str) -> StoreResult<SessionRecord>;
    /// Moves a session's last-seen and expiry times.
    async fn touch_session(
        &self,
        id_hash: &str,
        last_seen_us: i64,
        expires_at_us: i64,
    ) -> StoreResult<()>;
    /// Ends one session. Ending a missing session is not an error.
    async fn delete_session(&self, id_hash: &str) -> StoreResult<()>;
    /// Ends every session of a person, e.g. after a password change; returns how many.
    async fn delete_user_sessions(&self, user: UserId) -> StoreResult<u64>;
    /// Removes sessions that expired before `now_us`; returns how many.
    async fn purge_expired_sessions(&self, now_us: i64) -> StoreResult<u64>;

    // --- API tokens -------------------------------------------------------------------------

    /// Stores a token (its hash only).
    async fn create_api_token(&self, by: &AuditActor, token: &ApiToken) -> StoreResult<()>;
    /// A token by the hash of its secret.
    async fn api_token_by_hash(&self, token_hash: &str) -> StoreResult<ApiToken>;
    /// Tokens of one person.
    async fn list_api_tokens(&self, user: UserId) -> StoreResult<Vec<ApiToken>>;
    /// Revokes a token.
    async fn delete_api_token(&self, by: &AuditActor, id: ApiTokenId) -> StoreResult<()>;
    /// Records the last use of a token (not audited).
    async fn touch_api_token(&self, id: ApiTokenId, at_us: i64) -> StoreResult<()>;

    // --- Audit log --------------------------------------------------------------------------

    /// Appends an event that is not a data change of its own (sign-in, sign-out, export).
    async fn append_audit(&self, entry: NewAuditEntry) -> StoreResult<AuditEntry>;
    /// Entries matching a query, newest first.
    async fn query_audit(&self, query: &AuditQuery) -> StoreResult<Vec<AuditEntry>>;
    /// Entries in chain order with `seq > after_seq`, at most `limit`, for verification.
    async fn audit_chain_page(&self, after_seq: i64, limit: u32) -> StoreResult<Vec<AuditEntry>>;

    // --- Inbox: messages ---------------------------------------------------------------------

    /// Stores the new messages of a batch in one transaction. A message whose
    /// `(platform, external_id)` is already stored, or repeats earlier in the batch, is skipped
    /// and counted as a duplicate (the stored one is left unchanged). `cursor`, when given, is
    /// saved in the same transaction. One audit entry `message.ingest` records the counts and
    /// the accounts; none is written when nothing was inserted. `UnknownReference("account")`
    /// or `("opd")` when a message points at neither.
    async fn ingest_messages(
        &self,
        by: &AuditActor,
        batch: &[Message],
        cursor: Option<&Cursor>,
    ) -> StoreResult<IngestOutcome>;
    /// A connector's saved position in a source.
    async fn cursor(&self, account: AccountId, key: &str) -> StoreResult<Option<String>>;
    /// Saves a connector's position without messages (e.g. an empty page, a new ETag).
    /// Not audited: it is bookkeeping, not a change anyone makes.
    async fn set_cursor(&self, cursor: &Cursor) -> StoreResult<()>;
    /// One message. `NotFound("message")`.
    async fn get_message(&self, id: MessageId) -> StoreResult<Message>;
    /// One message by its platform id. `NotFound("message")`.
    async fn message_by_external_id(
        &self,
        platform: Platform,
        external_id: &str,
    ) -> StoreResult<Message>;
    /// A page of the inbox (see [`MessageQuery`]); full-text terms use SQLite FTS5 or
    /// PostgreSQL full text and must give the same results on both.
    async fn list_messages(&self, query: &MessageQuery) -> StoreResult<Vec<Message>>;
    /// Messages of one thread (same platform, same `thread_external_id`, or the thread's root
    /// itself), oldest first, at most `limit`.
    async fn thread_messages(
        &self,
        platform: Platform,
        thread_external_id: &str,
        limit: u32,
    ) -> StoreResult<Vec<Message>>;
    /// Replaces a message's workflow (status, assignee, category, deadlines) and keeps its
    /// next-due time in step; audited as `action` with the old and new workflow.
    /// `NotFound("message")`.
    async fn update_workflow(
        &self,
        by: &AuditActor,
        id: MessageId,
        action: &str,
        workflow: &Workflow,
    ) -> StoreResult<()>;
    /// Moves a message to another OPD (a supervisor re-routes it); audited.
    async fn reroute_message(&self, by: &AuditActor, id: MessageId, opd: OpdId) -> StoreResult<()>;

    // --- Inbox: notes, replies, saved replies -------------------------------------------------

    /// Adds an internal note; audited. `UnknownReference("message")`.
    async fn add_note(&self, by: &AuditActor, note: &Note) -> StoreResult<()>;
    /// Notes of a message, oldest first.
    async fn list_notes(&self, message: MessageId) -> StoreResult<Vec<Note>>;
    /// Stores a new reply; audited. `UnknownReference("message")`.
    async fn create_reply(&self, by: &AuditActor, reply: &Reply) -> StoreResult<()>;
    /// Replaces a reply's state, approver, platform id and error, only if its state is still
    /// `expected` (so two approvers cannot both send it): `Conflict("reply_state")` otherwise.
    /// Audited as `action`.
    async fn update_reply(
        &self,
        by: &AuditActor,
        action: &str,
        expected: ReplyState,
        reply: &Reply,
    ) -> StoreResult<()>;
    /// One reply. `NotFound("reply")`.
    async fn get_reply(&self, id: ReplyId) -> StoreResult<Reply>;
    /// Replies to a message, oldest first.
    async fn list_replies(&self, message: MessageId) -> StoreResult<Vec<Reply>>;
    /// Replies left in `sending` since before `updated_before` (Humas stopped between handing
    /// them to the platform and recording the answer), oldest first.
    async fn stuck_replies(&self, updated_before: Timestamp, limit: u32)
    -> StoreResult<Vec<Reply>>;
    /// Stores or replaces a saved reply; audited.
    async fn put_saved_reply(&self, by: &AuditActor, reply: &SavedReply) -> StoreResult<()>;
    /// Removes a saved reply; audited. `NotFound("saved_reply")`.
    async fn delete_saved_reply(&self, by: &AuditActor, id: SavedReplyId) -> StoreResult<()>;
    /// Saved replies usable by an OPD: its own and the province-wide ones (`opd` = `None`);
    /// all of them when `opd` is `None`. Ordered by title.
    async fn list_saved_replies(&self, opd: Option<OpdId>) -> StoreResult<Vec<SavedReply>>;

    // --- Inbox: privacy ----------------------------------------------------------------------

    /// Retention: erases text, title, author handle and name, permalink and search terms of an
    /// account's messages received before `received_before` and not yet erased, setting
    /// `erased_at` to `at`; analysis figures, author key and workflow stay. Returns how many;
    /// one audit entry.
    async fn erase_texts(
        &self,
        by: &AuditActor,
        account: AccountId,
        received_before: Timestamp,
        at: Timestamp,
    ) -> StoreResult<u64>;
    /// An erasure request: deletes every message by `handle` on `platform` (exact, case-
    /// insensitive), with their notes and replies. Returns how many; one audit entry that names
    /// the platform and the count, not the handle.
    async fn erase_author(
        &self,
        by: &AuditActor,
        platform: Platform,
        handle: &str,
    ) -> StoreResult<u64>;
    /// Sets how many days an account's message texts are kept (`None`: kept until erased by
    /// request); audited.
    async fn set_retention(
        &self,
        by: &AuditActor,
        account: AccountId,
        days: Option<u32>,
    ) -> StoreResult<()>;
    /// Accounts with a retention period, and the period in days.
    async fn retention_settings(&self) -> StoreResult<Vec<(AccountId, u32)>>;

    // --- Inbox: routing, calendar, response clock --------------------------------------------

    /// Adds a routing rule; audited. `UnknownReference("opd")`.
    async fn create_routing_rule(&self, by: &AuditActor, rule: &RoutingRule) -> StoreResult<()>;
    /// Replaces a routing rule; audited. `NotFound("routing_rule")`.
    async fn update_routing_rule(&self, by: &AuditActor, rule: &RoutingRule) -> StoreResult<()>;
    /// Removes a routing rule; audited. `NotFound("routing_rule")`.
    async fn delete_routing_rule(&self, by: &AuditActor, id: RoutingRuleId) -> StoreResult<()>;
    /// Every routing rule, by priority then name.
    async fn list_routing_rules(&self) -> StoreResult<Vec<RoutingRule>>;
    /// Adds or renames a day off; audited.
    async fn put_holiday(&self, by: &AuditActor, holiday: &Holiday) -> StoreResult<()>;
    /// Removes a day off; audited. `NotFound("holiday")`.
    async fn delete_holiday(&self, by: &AuditActor, date: Date) -> StoreResult<()>;
    /// Days off in `[from, to]`, by date.
    async fn list_holidays(&self, from: Date, to: Date) -> StoreResult<Vec<Holiday>>;
    /// Sets an OPD's response standard; audited. `UnknownReference("opd")`.
    async fn set_clock_policy(
        &self,
        by: &AuditActor,
        opd: OpdId,
        policy: &ClockPolicy,
    ) -> StoreResult<()>;
    /// OPDs with their own response standard (the rest use [`ClockPolicy::default`]).
    async fn clock_policies(&self) -> StoreResult<Vec<OpdClockPolicy>>;
    /// Response-clock figures (see [`ComplianceQuery`]); rows ordered by OPD id, then assignee.
    async fn compliance(&self, query: &ComplianceQuery) -> StoreResult<Vec<ComplianceRow>>;

    // --- Account credentials (sealed by the caller; the store never sees plaintext) ----------

    /// Stores or replaces an account's sealed credentials; audited without the blob.
    /// `UnknownReference("account")`.
    async fn put_account_credentials(
        &self,
        by: &AuditActor,
        account: AccountId,
        sealed: &[u8],
    ) -> StoreResult<()>;
    /// An account's sealed credentials, if any.
    async fn account_credentials(&self, account: AccountId) -> StoreResult<Option<Vec<u8>>>;
    // --- Publishing ---------------------------------------------------------------------------

    /// Records an uploaded medium (its bytes are already stored); audited.
    /// `UnknownReference("opd")`.
    async fn create_media(&self, by: &AuditActor, media: &MediaAsset) -> StoreResult<()>;
    /// Changes a medium's alternative text; audited. `NotFound("media")`.
    async fn set_media_alt_text(
        &self,
        by: &AuditActor,
        id: MediaId,
        alt_text: Option<&str>,
    ) -> StoreResult<()>;
    /// One medium. `NotFound("media")`.
    async fn get_media(&self, id: MediaId) -> StoreResult<MediaAsset>;
    /// Stores a new post with its channels and media; audited as `post.create`.
    /// `UnknownReference("opd" | "user" | "account" | "media")`.
    async fn create_post(&self, by: &AuditActor, post: &Post) -> StoreResult<()>;
    /// Applies a [`PostChange`] in one transaction: the post (only if its state is still
    /// `expected`, else `Conflict("post_state")`), its channels and media, the approval
    /// (`Conflict("approval")` if this person already approved this step in this round) and the
    /// jobs; one audit entry. A `post.reject` change with a note also records the note as that
    /// round's [`Rejection`].
    async fn change_post(&self, by: &AuditActor, change: &PostChange<'_>) -> StoreResult<()>;
    /// One post with its channels and media. `NotFound("post")`.
    async fn get_post(&self, id: PostId) -> StoreResult<Post>;
    /// Posts matching a query, by scheduled time (unscheduled last), then newest first.
    async fn list_posts(&self, query: &PostQuery) -> StoreResult<Vec<Post>>;
    /// Every approval of a post, all rounds, oldest first.
    async fn list_approvals(&self, post: PostId) -> StoreResult<Vec<PostApproval>>;
    /// Sets (or, with `None`, removes) an OPD's approval chain; audited.
    async fn set_approval_chain(
        &self,
        by: &AuditActor,
        opd: OpdId,
        chain: Option<&ApprovalChain>,
    ) -> StoreResult<()>;
    /// An OPD's approval chain, if it has its own.
    async fn approval_chain(&self, opd: OpdId) -> StoreResult<Option<ApprovalChain>>;
    /// Takes up to `limit` jobs that are due at `now` and not held by a live lease: each becomes
    /// held by `worker` until `now + lease`, a scheduled job becomes `publishing` with its intent
    /// recorded (`intent_at`, `in_doubt`), and `needs_reconcile` says whether an earlier attempt
    /// may have reached the platform. Several workers never take the same job (PostgreSQL:
    /// `FOR UPDATE SKIP LOCKED`; SQLite: one writer). Not audited: bookkeeping.
    async fn claim_jobs(
        &self,
        worker: &str,
        now: Timestamp,
        lease: jiff::SignedDuration,
        limit: u32,
    ) -> StoreResult<Vec<PublishJob>>;
    /// Records what a worker achieved with a job it holds (and releases it). When the job's
    /// state is final and every job of the post is final, the post becomes `done` in the same
    /// transaction. Final outcomes are audited (`post.published`, `post.publish_failed`,
    /// `post.publish_uncertain`); a retry being scheduled is not. `Conflict("job_lease")` when
    /// the worker no longer holds it.
    async fn finish_job(&self, by: &AuditActor, outcome: &JobOutcome<'_>) -> StoreResult<()>;
    /// A person settles a job (after checking an uncertain one on the platform, or to retry a
    /// failed one): replaces its state, link and error; audited as `action`.
    /// `Conflict("job_state")` when its state is no longer `expected`.
    async fn settle_job(
        &self,
        by: &AuditActor,
        action: &str,
        expected: DeliveryState,
        job: &PublishJob,
    ) -> StoreResult<()>;
    /// One job. `NotFound("publish_job")`.
    async fn get_job(&self, id: PublishJobId) -> StoreResult<PublishJob>;
    /// The jobs of a post, in channel order.
    async fn post_jobs(&self, post: PostId) -> StoreResult<Vec<PublishJob>>;
    /// Jobs due in `[from, until)` (the queue view), by due time.
    async fn list_jobs(
        &self,
        opd: Option<OpdId>,
        from: Timestamp,
        until: Timestamp,
        limit: u32,
    ) -> StoreResult<Vec<PublishJob>>;
    /// When the next job becomes takeable (its next attempt or its lease end), if any: the
    /// worker sleeps until then.
    async fn next_job_at(&self) -> StoreResult<Option<Timestamp>>;

    /// Stores a narrative with the media copies and the draft posts made for its OPDs, in one
    /// transaction; audited as `narrative.create`. `UnknownReference("opd" | "media" | …)`.
    async fn create_narrative(
        &self,
        by: &AuditActor,
        narrative: &Narrative,
        media_copies: &[MediaAsset],
        drafts: &[Post],
    ) -> StoreResult<()>;
    /// One narrative. `NotFound("narrative")`.
    async fn get_narrative(&self, id: NarrativeId) -> StoreResult<Narrative>;
    /// Narratives, newest first; only those sent to `opd` when given.
    async fn list_narratives(&self, opd: Option<OpdId>, limit: u32) -> StoreResult<Vec<Narrative>>;
    /// Replaces an account's weekly slots; audited. `UnknownReference("account")`.
    async fn set_account_slots(
        &self,
        by: &AuditActor,
        account: AccountId,
        slots: &[Slot],
    ) -> StoreResult<()>;
    /// An account's weekly slots, sorted.
    async fn account_slots(&self, account: AccountId) -> StoreResult<Vec<Slot>>;
    /// Moves a post to `post.scheduled_at` (only if its state is still `expected`, else
    /// `Conflict("post_state")`), together with its jobs that are waiting and not yet tried;
    /// returns how many jobs moved. Audited as `post.reschedule`.
    async fn reschedule_post(
        &self,
        by: &AuditActor,
        post: &Post,
        expected: PostState,
    ) -> StoreResult<u64>;
    /// Why the post was sent back, every round, oldest first.
    async fn rejections(&self, post: PostId) -> StoreResult<Vec<Rejection>>;
    /// Keeps the latest engagement of a published channel (replacing the previous figures).
    /// Not audited: figures the platform reports, not a change anyone makes.
    async fn record_engagement(
        &self,
        job: PublishJobId,
        figures: &EngagementFigures,
        at: Timestamp,
    ) -> StoreResult<()>;
    /// The latest figures of a post's channels, with when they were read.
    async fn post_engagement(
        &self,
        post: PostId,
    ) -> StoreResult<Vec<(PublishJobId, EngagementFigures, Timestamp)>>;
    /// Published channels whose figures are due: published since `since`, never read or last
    /// read before `stale_before`, the longest-unread first.
    async fn jobs_for_engagement(
        &self,
        since: Timestamp,
        stale_before: Timestamp,
        limit: u32,
    ) -> StoreResult<Vec<PublishJob>>;
    /// Renews a held job's lease to `until` right before its worker sends it, only if that
    /// worker still holds it (no other worker took it over after the lease ran out); `false`
    /// when it does not, and the worker must not send. Not audited: bookkeeping.
    async fn renew_lease(
        &self,
        job: PublishJobId,
        worker: &str,
        until: Timestamp,
    ) -> StoreResult<bool>;

    // --- Events (the outbox; see [`events`]) --------------------------------------------------

    /// Messages whose next-due time is in `[from, until)`, by due time then id, after the
    /// keyset position `after`, at most `limit`: one range over the next-due index, so a sweep
    /// reads only the deadlines it has to judge, however many messages are stored.
    async fn messages_due_between(
        &self,
        from: Timestamp,
        until: Timestamp,
        after: Option<(Timestamp, MessageId)>,
        limit: u32,
    ) -> StoreResult<Vec<DueMessage>>;
    /// Messages whose next-due time changed since the changes were last forgotten (recorded by
    /// the database whenever a write changes it), oldest change first, at most `limit`.
    async fn deadline_changes(&self, limit: u32) -> StoreResult<DeadlineChanges>;
    /// How far deadline sweeps have judged (`None` before the first sweep).
    async fn swept_until(&self) -> StoreResult<Option<Timestamp>>;
    /// Appends the events whose key is not in the outbox yet and returns them with their ids,
    /// in one transaction with `progress` (sweep mark moved forward only, changes forgotten)
    /// and, when any event was new, one audit entry `action` counting the new events by kind.
    /// Appends are serialised, so ids become visible in increasing order.
    async fn append_events(
        &self,
        by: &AuditActor,
        action: &str,
        events: &[NewEvent],
        progress: Option<SweepProgress>,
    ) -> StoreResult<Vec<Event>>;
    /// Events matching `query`, by id.
    async fn events_after(&self, query: &EventQuery) -> StoreResult<Vec<Event>>;
}
