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
mod records;

use async_trait::async_trait;
use humas_domain::{
    Account, AccountId, AuditEntry, Delegation, DelegationId, NewAuditEntry, Opd, OpdId, Slug,
    User, UserId, Username,
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
}
