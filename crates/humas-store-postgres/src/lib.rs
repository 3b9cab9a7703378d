//! The PostgreSQL backend of the Humas store.
//!
//! Owns the PostgreSQL schema (`migrations/`, embedded with `sqlx::migrate!`) and the
//! [`PgStore`] implementation of [`humas_store::Store`]. It is the choice for deployments that
//! already run PostgreSQL; `humas-store-sqlite` is the embedded default. Both pass the same
//! conformance suite (`tests/conformance.rs`).
//!
//! **Invariants:**
//! - Only SQL for PostgreSQL lives here; nothing outside this crate knows the schema.
//! - Every mutating method writes its change and its audit entry in one transaction: both
//!   commit or neither does.
//! - Audit appends are serialised by a transaction-scoped advisory lock
//!   (`pg_advisory_xact_lock`), so concurrent writers, even from several server processes,
//!   extend one gapless hash chain.
//! - Timestamps are `BIGINT` microseconds, civil dates `TEXT` `YYYY-MM-DD`, and the audit
//!   `before`/`after` texts are stored byte-exact as `TEXT` (never `jsonb`, which would
//!   reformat them and break their hashes).
//! - Constraint names in the migrations are part of the error mapping (`error.rs`).
//!
//! **Entry points:** [`PgStore::connect`], then [`PgStore::migrate`] (connecting never
//! migrates), then the [`Store`] methods.

mod audit;
mod compliance;
mod conversation;
mod error;
mod events;
mod inbox_rows;
mod message_query;
mod messages;
mod narrative;
mod publish;
mod rows;
mod settings;
#[cfg(feature = "testing")]
pub mod testing;

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
use humas_store::{
    ApiToken, ApiTokenId, AuditActor, AuditQuery, ComplianceQuery, ComplianceRow, Credentials,
    Cursor, IngestOutcome, MessageQuery, Note, Reply, ReplyId, ReplyState, SavedReply,
    SavedReplyId, SessionRecord, Store, StoreError, StoreResult,
};
use humas_store::{
    EngagementFigures, JobOutcome, MediaAsset, Narrative, PostApproval, PostChange, PostQuery,
    PublishJob, Rejection,
};
use jiff::Timestamp;
use jiff::civil::Date;
use serde::Serialize;
use sqlx::postgres::{PgPool, PgPoolOptions, PgRow};
use sqlx::{Postgres, Row, Transaction};
use uuid::Uuid;

use crate::error::{db, found};
use crate::rows::{
    ACCOUNT_COLUMNS, API_TOKEN_COLUMNS, DELEGATION_COLUMNS, OPD_COLUMNS, SESSION_COLUMNS,
    USER_COLUMNS,
};

/// The store, backed by a PostgreSQL connection pool.
#[derive(Clone, Debug)]
pub struct PgStore {
    pool: PgPool,
}

/// What the audit log records about an API token (the same shape as the SQLite backend's):
/// never its hash. The token's id is the entry's `target_id`.
#[derive(Serialize)]
struct TokenAudit<'a> {
    user_id: UserId,
    name: &'a str,
}

impl<'a> From<&'a ApiToken> for TokenAudit<'a> {
    fn from(t: &'a ApiToken) -> Self {
        Self {
            user_id: t.user_id,
            name: &t.name,
        }
    }
}

impl PgStore {
    /// Connects a pool of at most `max_connections` to `url`
    /// (`postgres://user:password@host:port/database`). Does not migrate.
    pub async fn connect(url: &str, max_connections: u32) -> StoreResult<Self> {
        let pool = PgPoolOptions::new()
            .max_connections(max_connections.max(1))
            // An unreachable server should say so within seconds, not after sqlx's 30 s default.
            .acquire_timeout(std::time::Duration::from_secs(5))
            .connect(url)
            .await
            .map_err(db)?;
        Ok(Self { pool })
    }

    /// Brings the schema up to date. Safe to run on every start and from several processes:
    /// sqlx takes an advisory lock while migrating.
    pub async fn migrate(&self) -> StoreResult<()> {
        sqlx::migrate!()
            .run(&self.pool)
            .await
            .map_err(|e| StoreError::Backend(Box::new(e)))?;
        tracing::debug!("postgresql schema is up to date");
        Ok(())
    }

    /// Closes the pool, waiting for connections in use to be returned.
    pub async fn close(&self) {
        self.pool.close().await;
    }

    async fn begin(&self) -> StoreResult<Transaction<'static, Postgres>> {
        self.pool.begin().await.map_err(db)
    }
}

/// Appends the audit entry and commits: the last step of every mutating method.
async fn finish(mut tx: Transaction<'static, Postgres>, entry: NewAuditEntry) -> StoreResult<()> {
    audit::append(&mut tx, entry).await?;
    tx.commit().await.map_err(db)
}

/// Reads one row for update inside the transaction, so the audit entry's `before` is exactly
/// what the change replaces. `NotFound(what)` when there is no such row.
async fn lock_row<T>(
    tx: &mut Transaction<'static, Postgres>,
    columns: &str,
    table: &str,
    id: uuid::Uuid,
    what: &'static str,
    decode: fn(&PgRow) -> StoreResult<T>,
) -> StoreResult<T> {
    let row = sqlx::query(&format!(
        "SELECT {columns} FROM {table} WHERE id = $1 FOR UPDATE"
    ))
    .bind(id)
    .fetch_optional(&mut **tx)
    .await
    .map_err(db)?;
    decode(&found(row, what)?)
}

/// The OPD of a person, for the `opd` of audit entries about their things.
async fn opd_of_user(
    tx: &mut Transaction<'static, Postgres>,
    id: UserId,
) -> StoreResult<Option<OpdId>> {
    let row = sqlx::query("SELECT opd_id FROM users WHERE id = $1")
        .bind(id.as_uuid())
        .fetch_optional(&mut **tx)
        .await
        .map_err(db)?;
    Ok(match row {
        Some(r) => r
            .try_get::<Option<Uuid>, _>("opd_id")
            .map_err(db)?
            .map(OpdId::from_uuid),
        None => None,
    })
}

fn to_u64(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

#[async_trait]
impl Store for PgStore {
    fn backend_name(&self) -> &'static str {
        "postgresql"
    }

    async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .map_err(db)?;
        Ok(())
    }

    // --- OPDs -------------------------------------------------------------------------------

    async fn create_opd(&self, by: &AuditActor, opd: &Opd) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        sqlx::query(
            "INSERT INTO opds (id, slug, name, kind, parent_id) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(opd.id.as_uuid())
        .bind(opd.slug.as_ref())
        .bind(opd.name.as_ref())
        .bind(opd.kind.as_str())
        .bind(opd.parent.map(|p| p.as_uuid()))
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        let entry = by.entry(
            "opd.create",
            "opd",
            &opd.id.to_string(),
            Some(opd.id),
            None,
            Some(opd),
        );
        finish(tx, entry).await
    }

    async fn update_opd(&self, by: &AuditActor, opd: &Opd) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        let old = lock_row(
            &mut tx,
            OPD_COLUMNS,
            "opds",
            opd.id.as_uuid(),
            "opd",
            rows::opd,
        )
        .await?;
        sqlx::query(
            "UPDATE opds SET slug = $2, name = $3, kind = $4, parent_id = $5 WHERE id = $1",
        )
        .bind(opd.id.as_uuid())
        .bind(opd.slug.as_ref())
        .bind(opd.name.as_ref())
        .bind(opd.kind.as_str())
        .bind(opd.parent.map(|p| p.as_uuid()))
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        let entry = by.entry(
            "opd.update",
            "opd",
            &opd.id.to_string(),
            Some(opd.id),
            Some(&old),
            Some(opd),
        );
        finish(tx, entry).await
    }

    async fn get_opd(&self, id: OpdId) -> StoreResult<Opd> {
        let row = sqlx::query(&format!("SELECT {OPD_COLUMNS} FROM opds WHERE id = $1"))
            .bind(id.as_uuid())
            .fetch_optional(&self.pool)
            .await
            .map_err(db)?;
        rows::opd(&found(row, "opd")?)
    }

    async fn opd_by_slug(&self, slug: &Slug) -> StoreResult<Opd> {
        let row = sqlx::query(&format!("SELECT {OPD_COLUMNS} FROM opds WHERE slug = $1"))
            .bind(slug.as_ref())
            .fetch_optional(&self.pool)
            .await
            .map_err(db)?;
        rows::opd(&found(row, "opd")?)
    }

    async fn list_opds(&self) -> StoreResult<Vec<Opd>> {
        sqlx::query(&format!(
            "SELECT {OPD_COLUMNS} FROM opds ORDER BY name COLLATE \"C\", slug COLLATE \"C\""
        ))
        .fetch_all(&self.pool)
        .await
        .map_err(db)?
        .iter()
        .map(rows::opd)
        .collect()
    }

    // --- Accounts ---------------------------------------------------------------------------

    async fn create_account(&self, by: &AuditActor, account: &Account) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        sqlx::query(
            "INSERT INTO accounts (id, opd_id, platform, handle, api_base_url, status) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(account.id.as_uuid())
        .bind(account.opd.as_uuid())
        .bind(account.platform.as_str())
        .bind(account.handle.as_ref())
        .bind(account.api_base_url.as_ref().map(AsRef::<str>::as_ref))
        .bind(account.status.as_str())
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        let entry = by.entry(
            "account.create",
            "account",
            &account.id.to_string(),
            Some(account.opd),
            None,
            Some(account),
        );
        finish(tx, entry).await
    }

    async fn update_account(&self, by: &AuditActor, account: &Account) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        let old = lock_row(
            &mut tx,
            ACCOUNT_COLUMNS,
            "accounts",
            account.id.as_uuid(),
            "account",
            rows::account,
        )
        .await?;
        sqlx::query(
            "UPDATE accounts SET opd_id = $2, platform = $3, handle = $4, api_base_url = $5, \
             status = $6 WHERE id = $1",
        )
        .bind(account.id.as_uuid())
        .bind(account.opd.as_uuid())
        .bind(account.platform.as_str())
        .bind(account.handle.as_ref())
        .bind(account.api_base_url.as_ref().map(AsRef::<str>::as_ref))
        .bind(account.status.as_str())
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        let entry = by.entry(
            "account.update",
            "account",
            &account.id.to_string(),
            Some(account.opd),
            Some(&old),
            Some(account),
        );
        finish(tx, entry).await
    }

    async fn delete_account(&self, by: &AuditActor, id: AccountId) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        let old = lock_row(
            &mut tx,
            ACCOUNT_COLUMNS,
            "accounts",
            id.as_uuid(),
            "account",
            rows::account,
        )
        .await?;
        sqlx::query("DELETE FROM accounts WHERE id = $1")
            .bind(id.as_uuid())
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        let entry = by.entry(
            "account.delete",
            "account",
            &id.to_string(),
            Some(old.opd),
            Some(&old),
            None,
        );
        finish(tx, entry).await
    }

    async fn get_account(&self, id: AccountId) -> StoreResult<Account> {
        let row = sqlx::query(&format!(
            "SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE id = $1"
        ))
        .bind(id.as_uuid())
        .fetch_optional(&self.pool)
        .await
        .map_err(db)?;
        rows::account(&found(row, "account")?)
    }

    async fn list_accounts(&self, opd: Option<OpdId>) -> StoreResult<Vec<Account>> {
        sqlx::query(&format!(
            "SELECT {ACCOUNT_COLUMNS} FROM accounts \
             WHERE $1::uuid IS NULL OR opd_id = $1 ORDER BY platform COLLATE \"C\", handle COLLATE \"C\""
        ))
        .bind(opd.map(|o| o.as_uuid()))
        .fetch_all(&self.pool)
        .await
        .map_err(db)?
        .iter()
        .map(rows::account)
        .collect()
    }

    // --- People -----------------------------------------------------------------------------

    async fn create_user(
        &self,
        by: &AuditActor,
        user: &User,
        password_hash: &str,
    ) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        sqlx::query(
            "INSERT INTO users (id, username, display_name, role, opd_id, locale, zone, active, \
             password_hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(user.id.as_uuid())
        .bind(user.username.as_ref())
        .bind(user.display_name.as_ref())
        .bind(user.role.as_str())
        .bind(user.opd.map(|o| o.as_uuid()))
        .bind(user.locale.as_str())
        .bind(user.zone.as_str())
        .bind(user.active)
        .bind(password_hash)
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        let entry = by.entry(
            "user.create",
            "user",
            &user.id.to_string(),
            user.opd,
            None,
            Some(user),
        );
        finish(tx, entry).await
    }

    async fn update_user(&self, by: &AuditActor, user: &User) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        let old = lock_row(
            &mut tx,
            USER_COLUMNS,
            "users",
            user.id.as_uuid(),
            "user",
            rows::user,
        )
        .await?;
        sqlx::query(
            "UPDATE users SET username = $2, display_name = $3, role = $4, opd_id = $5, \
             locale = $6, zone = $7, active = $8 WHERE id = $1",
        )
        .bind(user.id.as_uuid())
        .bind(user.username.as_ref())
        .bind(user.display_name.as_ref())
        .bind(user.role.as_str())
        .bind(user.opd.map(|o| o.as_uuid()))
        .bind(user.locale.as_str())
        .bind(user.zone.as_str())
        .bind(user.active)
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        let entry = by.entry(
            "user.update",
            "user",
            &user.id.to_string(),
            user.opd,
            Some(&old),
            Some(user),
        );
        finish(tx, entry).await
    }

    async fn set_password_hash(
        &self,
        by: &AuditActor,
        id: UserId,
        password_hash: &str,
    ) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        let row = sqlx::query("UPDATE users SET password_hash = $2 WHERE id = $1 RETURNING opd_id")
            .bind(id.as_uuid())
            .bind(password_hash)
            .fetch_optional(&mut *tx)
            .await
            .map_err(db)?;
        let opd = found(row, "user")?
            .try_get::<Option<Uuid>, _>("opd_id")
            .map_err(db)?
            .map(OpdId::from_uuid);
        // Records that the password changed, never the hash.
        let entry = by.entry(
            "user.password_change",
            "user",
            &id.to_string(),
            opd,
            None,
            Some(&serde_json::json!({ "password": "changed" })),
        );
        finish(tx, entry).await
    }

    async fn get_user(&self, id: UserId) -> StoreResult<User> {
        let row = sqlx::query(&format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1"))
            .bind(id.as_uuid())
            .fetch_optional(&self.pool)
            .await
            .map_err(db)?;
        rows::user(&found(row, "user")?)
    }

    async fn credentials(&self, username: &Username) -> StoreResult<Credentials> {
        let row = sqlx::query(&format!(
            "SELECT {USER_COLUMNS}, password_hash FROM users WHERE username = $1"
        ))
        .bind(username.as_ref())
        .fetch_optional(&self.pool)
        .await
        .map_err(db)?;
        let row = found(row, "user")?;
        Ok(Credentials {
            user: rows::user(&row)?,
            password_hash: row
                .try_get("password_hash")
                .map_err(|e| StoreError::Corrupt(format!("password_hash: {e}")))?,
        })
    }

    async fn list_users(&self, opd: Option<OpdId>) -> StoreResult<Vec<User>> {
        sqlx::query(&format!(
            "SELECT {USER_COLUMNS} FROM users WHERE $1::uuid IS NULL OR opd_id = $1 \
             ORDER BY username COLLATE \"C\""
        ))
        .bind(opd.map(|o| o.as_uuid()))
        .fetch_all(&self.pool)
        .await
        .map_err(db)?
        .iter()
        .map(rows::user)
        .collect()
    }

    async fn count_users(&self) -> StoreResult<u64> {
        let n: i64 = sqlx::query("SELECT count(*) AS n FROM users")
            .fetch_one(&self.pool)
            .await
            .map_err(db)?
            .try_get("n")
            .map_err(db)?;
        Ok(to_u64(n))
    }

    // --- Acting officials -------------------------------------------------------------------

    async fn create_delegation(&self, by: &AuditActor, delegation: &Delegation) -> StoreResult<()> {
        let d = delegation;
        let mut tx = self.begin().await?;
        sqlx::query(
            "INSERT INTO delegations (id, opd_id, from_user, to_user, kind, starts_on, ends_on, \
             reason, revoked) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(d.id.as_uuid())
        .bind(d.opd.as_uuid())
        .bind(d.from_user.as_uuid())
        .bind(d.to_user.as_uuid())
        .bind(d.kind.as_str())
        .bind(d.starts_on.to_string())
        .bind(d.ends_on.to_string())
        .bind(&d.reason)
        .bind(d.revoked)
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        let entry = by.entry(
            "delegation.create",
            "delegation",
            &d.id.to_string(),
            Some(d.opd),
            None,
            Some(d),
        );
        finish(tx, entry).await
    }

    async fn revoke_delegation(&self, by: &AuditActor, id: DelegationId) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        let old = lock_row(
            &mut tx,
            DELEGATION_COLUMNS,
            "delegations",
            id.as_uuid(),
            "delegation",
            rows::delegation,
        )
        .await?;
        sqlx::query("UPDATE delegations SET revoked = TRUE WHERE id = $1")
            .bind(id.as_uuid())
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        let new = Delegation {
            revoked: true,
            ..old.clone()
        };
        let entry = by.entry(
            "delegation.revoke",
            "delegation",
            &id.to_string(),
            Some(old.opd),
            Some(&old),
            Some(&new),
        );
        finish(tx, entry).await
    }

    async fn get_delegation(&self, id: DelegationId) -> StoreResult<Delegation> {
        let row = sqlx::query(&format!(
            "SELECT {DELEGATION_COLUMNS} FROM delegations WHERE id = $1"
        ))
        .bind(id.as_uuid())
        .fetch_optional(&self.pool)
        .await
        .map_err(db)?;
        rows::delegation(&found(row, "delegation")?)
    }

    async fn list_delegations(&self, opd: Option<OpdId>) -> StoreResult<Vec<Delegation>> {
        // Ids are UUIDv7 and PostgreSQL orders uuid bytewise, which is creation order.
        sqlx::query(&format!(
            "SELECT {DELEGATION_COLUMNS} FROM delegations WHERE $1::uuid IS NULL OR opd_id = $1 \
             ORDER BY id DESC"
        ))
        .bind(opd.map(|o| o.as_uuid()))
        .fetch_all(&self.pool)
        .await
        .map_err(db)?
        .iter()
        .map(rows::delegation)
        .collect()
    }

    async fn delegations_to(&self, user: UserId) -> StoreResult<Vec<Delegation>> {
        sqlx::query(&format!(
            "SELECT {DELEGATION_COLUMNS} FROM delegations WHERE to_user = $1 AND NOT revoked \
             ORDER BY id DESC"
        ))
        .bind(user.as_uuid())
        .fetch_all(&self.pool)
        .await
        .map_err(db)?
        .iter()
        .map(rows::delegation)
        .collect()
    }

    // --- Sessions ---------------------------------------------------------------------------

    async fn create_session(&self, session: &SessionRecord) -> StoreResult<()> {
        sqlx::query(&format!(
            "INSERT INTO sessions ({SESSION_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6)"
        ))
        .bind(&session.id_hash)
        .bind(session.user_id.as_uuid())
        .bind(&session.csrf_token)
        .bind(session.created_at_us)
        .bind(session.last_seen_us)
        .bind(session.expires_at_us)
        .execute(&self.pool)
        .await
        .map_err(db)?;
        Ok(())
    }

    async fn get_session(&self, id_hash: &str) -> StoreResult<SessionRecord> {
        let row = sqlx::query(&format!(
            "SELECT {SESSION_COLUMNS} FROM sessions WHERE id_hash = $1"
        ))
        .bind(id_hash)
        .fetch_optional(&self.pool)
        .await
        .map_err(db)?;
        rows::session(&found(row, "session")?)
    }

    async fn touch_session(
        &self,
        id_hash: &str,
        last_seen_us: i64,
        expires_at_us: i64,
    ) -> StoreResult<()> {
        let done = sqlx::query(
            "UPDATE sessions SET last_seen_us = $2, expires_at_us = $3 WHERE id_hash = $1",
        )
        .bind(id_hash)
        .bind(last_seen_us)
        .bind(expires_at_us)
        .execute(&self.pool)
        .await
        .map_err(db)?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound("session"));
        }
        Ok(())
    }

    async fn delete_session(&self, id_hash: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
            .bind(id_hash)
            .execute(&self.pool)
            .await
            .map_err(db)?;
        Ok(())
    }

    async fn delete_user_sessions(&self, user: UserId) -> StoreResult<u64> {
        let done = sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(user.as_uuid())
            .execute(&self.pool)
            .await
            .map_err(db)?;
        Ok(done.rows_affected())
    }

    async fn purge_expired_sessions(&self, now_us: i64) -> StoreResult<u64> {
        let done = sqlx::query("DELETE FROM sessions WHERE expires_at_us < $1")
            .bind(now_us)
            .execute(&self.pool)
            .await
            .map_err(db)?;
        Ok(done.rows_affected())
    }

    // --- API tokens -------------------------------------------------------------------------

    async fn create_api_token(&self, by: &AuditActor, token: &ApiToken) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        sqlx::query(&format!(
            "INSERT INTO api_tokens ({API_TOKEN_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6)"
        ))
        .bind(token.id.0)
        .bind(token.user_id.as_uuid())
        .bind(&token.name)
        .bind(&token.token_hash)
        .bind(token.created_at_us)
        .bind(token.last_used_us)
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        let opd = opd_of_user(&mut tx, token.user_id).await?;
        let entry = by.entry(
            "api_token.create",
            "api_token",
            &token.id.0.to_string(),
            opd,
            None,
            Some(&TokenAudit::from(token)),
        );
        finish(tx, entry).await
    }

    async fn api_token_by_hash(&self, token_hash: &str) -> StoreResult<ApiToken> {
        let row = sqlx::query(&format!(
            "SELECT {API_TOKEN_COLUMNS} FROM api_tokens WHERE token_hash = $1"
        ))
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await
        .map_err(db)?;
        rows::api_token(&found(row, "api_token")?)
    }

    async fn list_api_tokens(&self, user: UserId) -> StoreResult<Vec<ApiToken>> {
        sqlx::query(&format!(
            "SELECT {API_TOKEN_COLUMNS} FROM api_tokens WHERE user_id = $1 ORDER BY id DESC"
        ))
        .bind(user.as_uuid())
        .fetch_all(&self.pool)
        .await
        .map_err(db)?
        .iter()
        .map(rows::api_token)
        .collect()
    }

    async fn delete_api_token(&self, by: &AuditActor, id: ApiTokenId) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        let row = sqlx::query(&format!(
            "DELETE FROM api_tokens WHERE id = $1 RETURNING {API_TOKEN_COLUMNS}"
        ))
        .bind(id.0)
        .fetch_optional(&mut *tx)
        .await
        .map_err(db)?;
        let old = rows::api_token(&found(row, "api_token")?)?;
        let opd = opd_of_user(&mut tx, old.user_id).await?;
        let entry = by.entry(
            "api_token.delete",
            "api_token",
            &id.0.to_string(),
            opd,
            Some(&TokenAudit::from(&old)),
            None,
        );
        finish(tx, entry).await
    }

    async fn touch_api_token(&self, id: ApiTokenId, at_us: i64) -> StoreResult<()> {
        let done = sqlx::query("UPDATE api_tokens SET last_used_us = $2 WHERE id = $1")
            .bind(id.0)
            .bind(at_us)
            .execute(&self.pool)
            .await
            .map_err(db)?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound("api_token"));
        }
        Ok(())
    }

    // --- Audit log --------------------------------------------------------------------------

    async fn append_audit(&self, entry: NewAuditEntry) -> StoreResult<AuditEntry> {
        let mut tx = self.begin().await?;
        let sealed = audit::append(&mut tx, entry).await?;
        tx.commit().await.map_err(db)?;
        Ok(sealed)
    }

    async fn query_audit(&self, query: &AuditQuery) -> StoreResult<Vec<AuditEntry>> {
        let found = audit::query(query)
            .build()
            .fetch_all(&self.pool)
            .await
            .map_err(db)?;
        audit::entries(&found)
    }

    async fn audit_chain_page(&self, after_seq: i64, limit: u32) -> StoreResult<Vec<AuditEntry>> {
        let found = sqlx::query(&format!(
            "SELECT {} FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2",
            rows::AUDIT_COLUMNS
        ))
        .bind(after_seq)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        audit::entries(&found)
    }

    // --- Inbox: messages ---------------------------------------------------------------------

    async fn ingest_messages(
        &self,
        by: &AuditActor,
        batch: &[Message],
        cursor: Option<&Cursor>,
    ) -> StoreResult<IngestOutcome> {
        messages::ingest(&self.pool, by, batch, cursor).await
    }

    async fn cursor(&self, account: AccountId, key: &str) -> StoreResult<Option<String>> {
        messages::cursor(&self.pool, account, key).await
    }

    async fn set_cursor(&self, cursor: &Cursor) -> StoreResult<()> {
        messages::set_cursor(&self.pool, cursor).await
    }

    async fn get_message(&self, id: MessageId) -> StoreResult<Message> {
        messages::get(&self.pool, id).await
    }

    async fn message_by_external_id(
        &self,
        platform: Platform,
        external_id: &str,
    ) -> StoreResult<Message> {
        messages::by_external_id(&self.pool, platform, external_id).await
    }

    async fn list_messages(&self, query: &MessageQuery) -> StoreResult<Vec<Message>> {
        message_query::list(&self.pool, query).await
    }

    async fn thread_messages(
        &self,
        platform: Platform,
        thread_external_id: &str,
        limit: u32,
    ) -> StoreResult<Vec<Message>> {
        messages::thread(&self.pool, platform, thread_external_id, limit).await
    }

    async fn update_workflow(
        &self,
        by: &AuditActor,
        id: MessageId,
        action: &str,
        workflow: &Workflow,
    ) -> StoreResult<()> {
        messages::update_workflow(&self.pool, by, id, action, workflow).await
    }

    async fn reroute_message(&self, by: &AuditActor, id: MessageId, opd: OpdId) -> StoreResult<()> {
        messages::reroute(&self.pool, by, id, opd).await
    }

    // --- Inbox: notes, replies, saved replies -------------------------------------------------

    async fn add_note(&self, by: &AuditActor, note: &Note) -> StoreResult<()> {
        conversation::add_note(&self.pool, by, note).await
    }

    async fn list_notes(&self, message: MessageId) -> StoreResult<Vec<Note>> {
        conversation::list_notes(&self.pool, message).await
    }

    async fn create_reply(&self, by: &AuditActor, reply: &Reply) -> StoreResult<()> {
        conversation::create_reply(&self.pool, by, reply).await
    }

    async fn update_reply(
        &self,
        by: &AuditActor,
        action: &str,
        expected: ReplyState,
        reply: &Reply,
    ) -> StoreResult<()> {
        conversation::update_reply(&self.pool, by, action, expected, reply).await
    }

    async fn get_reply(&self, id: ReplyId) -> StoreResult<Reply> {
        conversation::get_reply(&self.pool, id).await
    }

    async fn list_replies(&self, message: MessageId) -> StoreResult<Vec<Reply>> {
        conversation::list_replies(&self.pool, message).await
    }

    async fn stuck_replies(
        &self,
        updated_before: Timestamp,
        limit: u32,
    ) -> StoreResult<Vec<Reply>> {
        conversation::stuck_replies(&self.pool, updated_before, limit).await
    }

    async fn put_saved_reply(&self, by: &AuditActor, reply: &SavedReply) -> StoreResult<()> {
        conversation::put_saved_reply(&self.pool, by, reply).await
    }

    async fn delete_saved_reply(&self, by: &AuditActor, id: SavedReplyId) -> StoreResult<()> {
        conversation::delete_saved_reply(&self.pool, by, id).await
    }

    async fn list_saved_replies(&self, opd: Option<OpdId>) -> StoreResult<Vec<SavedReply>> {
        conversation::list_saved_replies(&self.pool, opd).await
    }

    // --- Inbox: privacy ----------------------------------------------------------------------

    async fn erase_texts(
        &self,
        by: &AuditActor,
        account: AccountId,
        received_before: Timestamp,
        at: Timestamp,
    ) -> StoreResult<u64> {
        messages::erase_texts(&self.pool, by, account, received_before, at).await
    }

    async fn erase_author(
        &self,
        by: &AuditActor,
        platform: Platform,
        handle: &str,
    ) -> StoreResult<u64> {
        messages::erase_author(&self.pool, by, platform, handle).await
    }

    async fn set_retention(
        &self,
        by: &AuditActor,
        account: AccountId,
        days: Option<u32>,
    ) -> StoreResult<()> {
        settings::set_retention(&self.pool, by, account, days).await
    }

    async fn retention_settings(&self) -> StoreResult<Vec<(AccountId, u32)>> {
        settings::retention_settings(&self.pool).await
    }

    // --- Inbox: routing, calendar, response clock --------------------------------------------

    async fn create_routing_rule(&self, by: &AuditActor, rule: &RoutingRule) -> StoreResult<()> {
        settings::create_routing_rule(&self.pool, by, rule).await
    }

    async fn update_routing_rule(&self, by: &AuditActor, rule: &RoutingRule) -> StoreResult<()> {
        settings::update_routing_rule(&self.pool, by, rule).await
    }

    async fn delete_routing_rule(&self, by: &AuditActor, id: RoutingRuleId) -> StoreResult<()> {
        settings::delete_routing_rule(&self.pool, by, id).await
    }

    async fn list_routing_rules(&self) -> StoreResult<Vec<RoutingRule>> {
        settings::list_routing_rules(&self.pool).await
    }

    async fn put_holiday(&self, by: &AuditActor, holiday: &Holiday) -> StoreResult<()> {
        settings::put_holiday(&self.pool, by, holiday).await
    }

    async fn delete_holiday(&self, by: &AuditActor, date: Date) -> StoreResult<()> {
        settings::delete_holiday(&self.pool, by, date).await
    }

    async fn list_holidays(&self, from: Date, to: Date) -> StoreResult<Vec<Holiday>> {
        settings::list_holidays(&self.pool, from, to).await
    }

    async fn set_clock_policy(
        &self,
        by: &AuditActor,
        opd: OpdId,
        policy: &ClockPolicy,
    ) -> StoreResult<()> {
        settings::set_clock_policy(&self.pool, by, opd, policy).await
    }

    async fn clock_policies(&self) -> StoreResult<Vec<OpdClockPolicy>> {
        settings::clock_policies(&self.pool).await
    }

    async fn compliance(&self, query: &ComplianceQuery) -> StoreResult<Vec<ComplianceRow>> {
        compliance::compliance(&self.pool, query).await
    }

    async fn put_account_credentials(
        &self,
        by: &AuditActor,
        account: AccountId,
        sealed: &[u8],
    ) -> StoreResult<()> {
        let owner = self.get_account(account).await.map_err(|e| match e {
            StoreError::NotFound(_) => StoreError::UnknownReference("account"),
            other => other,
        })?;
        let now = jiff::Timestamp::now().as_microsecond();
        let mut tx = self.begin().await?;
        sqlx::query(
            "INSERT INTO account_credentials (account_id, sealed, updated_at_us) VALUES ($1, $2, $3) \
             ON CONFLICT (account_id) DO UPDATE SET sealed = EXCLUDED.sealed, updated_at_us = EXCLUDED.updated_at_us",
        )
        .bind(account.as_uuid())
        .bind(sealed)
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        // The audit log records that credentials changed, never what they are.
        let entry = by.entry::<()>(
            "account.credentials",
            "account",
            &account.to_string(),
            Some(owner.opd),
            None,
            None,
        );
        finish(tx, entry).await
    }

    async fn account_credentials(&self, account: AccountId) -> StoreResult<Option<Vec<u8>>> {
        sqlx::query_scalar::<_, Vec<u8>>(
            "SELECT sealed FROM account_credentials WHERE account_id = $1",
        )
        .bind(account.as_uuid())
        .fetch_optional(&self.pool)
        .await
        .map_err(db)
    }

    async fn create_media(&self, by: &AuditActor, media: &MediaAsset) -> StoreResult<()> {
        publish::create_media(self, by, media).await
    }

    async fn set_media_alt_text(
        &self,
        by: &AuditActor,
        id: MediaId,
        alt_text: Option<&str>,
    ) -> StoreResult<()> {
        publish::set_media_alt_text(self, by, id, alt_text).await
    }

    async fn get_media(&self, id: MediaId) -> StoreResult<MediaAsset> {
        publish::get_media(self, id).await
    }

    async fn create_post(&self, by: &AuditActor, post: &Post) -> StoreResult<()> {
        publish::create_post(self, by, post).await
    }

    async fn change_post(&self, by: &AuditActor, change: &PostChange<'_>) -> StoreResult<()> {
        publish::change_post(self, by, change).await
    }

    async fn get_post(&self, id: PostId) -> StoreResult<Post> {
        publish::get_post(self, id).await
    }

    async fn list_posts(&self, query: &PostQuery) -> StoreResult<Vec<Post>> {
        publish::list_posts(self, query).await
    }

    async fn list_approvals(&self, post: PostId) -> StoreResult<Vec<PostApproval>> {
        publish::list_approvals(self, post).await
    }

    async fn set_approval_chain(
        &self,
        by: &AuditActor,
        opd: OpdId,
        chain: Option<&ApprovalChain>,
    ) -> StoreResult<()> {
        publish::set_approval_chain(self, by, opd, chain).await
    }

    async fn approval_chain(&self, opd: OpdId) -> StoreResult<Option<ApprovalChain>> {
        publish::approval_chain(self, opd).await
    }

    async fn claim_jobs(
        &self,
        worker: &str,
        now: Timestamp,
        lease: jiff::SignedDuration,
        limit: u32,
    ) -> StoreResult<Vec<PublishJob>> {
        publish::claim_jobs(self, worker, now, lease, limit).await
    }

    async fn finish_job(&self, by: &AuditActor, outcome: &JobOutcome<'_>) -> StoreResult<()> {
        publish::finish_job(self, by, outcome).await
    }

    async fn settle_job(
        &self,
        by: &AuditActor,
        action: &str,
        expected: DeliveryState,
        job: &PublishJob,
    ) -> StoreResult<()> {
        publish::settle_job(self, by, action, expected, job).await
    }

    async fn get_job(&self, id: PublishJobId) -> StoreResult<PublishJob> {
        publish::get_job(self, id).await
    }

    async fn post_jobs(&self, post: PostId) -> StoreResult<Vec<PublishJob>> {
        publish::post_jobs(self, post).await
    }

    async fn list_jobs(
        &self,
        opd: Option<OpdId>,
        from: Timestamp,
        until: Timestamp,
        limit: u32,
    ) -> StoreResult<Vec<PublishJob>> {
        publish::list_jobs(self, opd, from, until, limit).await
    }

    async fn next_job_at(&self) -> StoreResult<Option<Timestamp>> {
        publish::next_job_at(self).await
    }

    async fn create_narrative(
        &self,
        by: &AuditActor,
        narrative: &Narrative,
        media_copies: &[MediaAsset],
        drafts: &[Post],
    ) -> StoreResult<()> {
        narrative::create_narrative(self, by, narrative, media_copies, drafts).await
    }

    async fn get_narrative(&self, id: NarrativeId) -> StoreResult<Narrative> {
        narrative::get_narrative(self, id).await
    }

    async fn list_narratives(&self, opd: Option<OpdId>, limit: u32) -> StoreResult<Vec<Narrative>> {
        narrative::list_narratives(self, opd, limit).await
    }

    async fn set_account_slots(
        &self,
        by: &AuditActor,
        account: AccountId,
        slots: &[Slot],
    ) -> StoreResult<()> {
        publish::set_account_slots(self, by, account, slots).await
    }

    async fn account_slots(&self, account: AccountId) -> StoreResult<Vec<Slot>> {
        publish::account_slots(self, account).await
    }

    async fn reschedule_post(
        &self,
        by: &AuditActor,
        post: &Post,
        expected: PostState,
    ) -> StoreResult<u64> {
        publish::reschedule_post(self, by, post, expected).await
    }

    async fn rejections(&self, post: PostId) -> StoreResult<Vec<Rejection>> {
        publish::rejections(self, post).await
    }

    async fn record_engagement(
        &self,
        job: PublishJobId,
        figures: &EngagementFigures,
        at: Timestamp,
    ) -> StoreResult<()> {
        publish::record_engagement(self, job, figures, at).await
    }

    async fn post_engagement(
        &self,
        post: PostId,
    ) -> StoreResult<Vec<(PublishJobId, EngagementFigures, Timestamp)>> {
        publish::post_engagement(self, post).await
    }

    async fn jobs_for_engagement(
        &self,
        since: Timestamp,
        stale_before: Timestamp,
        limit: u32,
    ) -> StoreResult<Vec<PublishJob>> {
        publish::jobs_for_engagement(self, since, stale_before, limit).await
    }

    async fn renew_lease(
        &self,
        job: PublishJobId,
        worker: &str,
        until: Timestamp,
    ) -> StoreResult<bool> {
        publish::renew_lease(self, job, worker, until).await
    }

    async fn messages_due_between(
        &self,
        from: Timestamp,
        until: Timestamp,
        after: Option<(Timestamp, MessageId)>,
        limit: u32,
    ) -> StoreResult<Vec<humas_store::DueMessage>> {
        self.events_due_between(from, until, after, limit).await
    }

    async fn deadline_changes(&self, limit: u32) -> StoreResult<humas_store::DeadlineChanges> {
        self.events_deadline_changes(limit).await
    }

    async fn swept_until(&self) -> StoreResult<Option<Timestamp>> {
        self.events_swept_until().await
    }

    async fn append_events(
        &self,
        by: &AuditActor,
        action: &str,
        events: &[humas_store::NewEvent],
        progress: Option<humas_store::SweepProgress>,
    ) -> StoreResult<Vec<humas_store::Event>> {
        self.events_append(by, action, events, progress).await
    }

    async fn events_after(
        &self,
        query: &humas_store::EventQuery,
    ) -> StoreResult<Vec<humas_store::Event>> {
        self.events_read(query).await
    }
}
