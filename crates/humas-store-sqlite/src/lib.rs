//! The embedded SQLite backend of the Humas store: the default, needing no other service.
//!
//! Entry points: [`SqliteStore::connect`], then [`SqliteStore::migrate`].
//!
//! **Invariants:**
//! - Only SQL for SQLite lives here.
//! - WAL journal, foreign keys on, a busy timeout; all writes go through one connection
//!   (`writer`), so write transactions never race and the audit chain is appended in order.
//!   Reads use a separate pool and see only committed data.
//! - A change and its audit entry are written in one transaction.

mod events;
mod inbox;
mod inbox_rows;
mod narrative;
mod publish;
mod rows;

use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use humas_domain::inbox::{Message, Workflow};
use humas_domain::publish::chain::ApprovalChain;
use humas_domain::publish::slots::Slot;
use humas_domain::publish::{DeliveryState, Post, PostState};
use humas_domain::routing::RoutingRule;
use humas_domain::sla::{ClockPolicy, Holiday, OpdClockPolicy};
use humas_domain::{
    Account, AccountId, AuditEntry, Delegation, DelegationId, GENESIS_HASH, MessageId,
    NewAuditEntry, Opd, OpdId, Platform, RoutingRuleId, Slug, User, UserId, Username,
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
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteRow,
    SqliteSynchronous,
};
use sqlx::{QueryBuilder, Sqlite, Transaction};

/// The SQLite store. Cheap to clone (two pools).
#[derive(Clone, Debug)]
pub struct SqliteStore {
    writer: SqlitePool,
    reader: SqlitePool,
}

type Tx = Transaction<'static, Sqlite>;

fn backend(e: impl std::error::Error + Send + Sync + 'static) -> StoreError {
    StoreError::Backend(Box::new(e))
}

/// Maps a driver error to meaning. SQLite names the columns of a broken unique rule but not the
/// target of a broken foreign key, so callers say which reference they were writing.
fn map_err(e: sqlx::Error, reference: &'static str) -> StoreError {
    if let sqlx::Error::Database(db) = &e {
        let msg = db.message();
        if msg.contains("UNIQUE constraint failed") {
            let what = if msg.contains("opds.slug") {
                "opd_slug"
            } else if msg.contains("accounts.platform") {
                "account_handle"
            } else if msg.contains("users.username") {
                "username"
            } else if msg.contains("api_tokens") {
                "api_token"
            } else if msg.contains("sessions") {
                "session"
            } else if msg.contains("post_approvals") {
                "approval"
            } else if msg.contains("publish_jobs") {
                "publish_job"
            } else if msg.contains("post_channels") {
                "channel"
            } else if msg.contains("messages.id") {
                "message_id"
            } else {
                "record"
            };
            return StoreError::Conflict(what);
        }
        if msg.contains("FOREIGN KEY constraint failed") {
            return StoreError::UnknownReference(reference);
        }
    }
    backend(e)
}

fn now_us() -> i64 {
    jiff::Timestamp::now().as_microsecond()
}

impl SqliteStore {
    /// Opens (creating if missing) the database at `url` (`sqlite://path/humas.db` or a path).
    pub async fn connect(url: &str) -> StoreResult<Self> {
        let url = if url.starts_with("sqlite:") {
            url.to_owned()
        } else {
            format!("sqlite://{url}")
        };
        let options = SqliteConnectOptions::from_str(&url)
            .map_err(backend)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10))
            // 32 MiB of page cache per connection, temporary sort trees in memory, and WAL
            // checkpoints every 32 MiB instead of 4 MiB: hot index pages are then copied back
            // once per checkpoint instead of many times, which cut the CPU time of ingesting a
            // message by a quarter (see examples/ingest_speed.rs).
            .pragma("cache_size", "-32768")
            .pragma("temp_store", "memory")
            .pragma("wal_autocheckpoint", "8192");
        // The writer keeps 256 MiB of pages: at a million messages the inbox indexes (keyed by
        // publication time, OPD, account and thread, so each batch touches pages all over them)
        // are far larger than 32 MiB, and every page that fell out of the cache was read again
        // for the next batch. It checkpoints every 128 MiB of WAL, so an index page rewritten
        // by several batches is copied back once. Readers keep the smaller cache.
        let writer_options = options
            .clone()
            .pragma("cache_size", "-262144")
            .pragma("wal_autocheckpoint", "32768");
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(writer_options)
            .await
            .map_err(backend)?;
        let reader = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options.read_only(true))
            .await
            .map_err(backend)?;
        Ok(Self { writer, reader })
    }

    /// Applies the embedded migrations that have not run yet.
    pub async fn migrate(&self) -> StoreResult<()> {
        sqlx::migrate!("./migrations")
            .run(&self.writer)
            .await
            .map_err(backend)
    }

    /// Closes both pools, waiting for connections to finish.
    pub async fn close(&self) {
        self.writer.close().await;
        self.reader.close().await;
    }

    /// A write transaction that takes SQLite's write lock at once (`BEGIN IMMEDIATE`): when
    /// another process (a `humas worker` beside `humas serve`) writes to the same file, this one
    /// waits for it under the busy timeout, instead of failing with "database is locked" when
    /// a deferred transaction tries to start writing half way.
    async fn begin(&self) -> StoreResult<Tx> {
        self.writer
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(backend)
    }
}

async fn commit(tx: Tx) -> StoreResult<()> {
    tx.commit().await.map_err(backend)
}

/// Seals `entry` onto the end of the chain inside the caller's transaction.
async fn append(tx: &mut Tx, entry: NewAuditEntry) -> StoreResult<AuditEntry> {
    let last: Option<(i64, i64, String)> =
        sqlx::query_as("SELECT seq, at_us, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
            .fetch_optional(&mut **tx)
            .await
            .map_err(backend)?;
    let (seq, prev_at, prev_hash) = match last {
        Some((seq, at, hash)) => (seq + 1, at, hash),
        None => (1, i64::MIN, GENESIS_HASH.to_owned()),
    };
    // Entries never go back in time, even if the clock does.
    let sealed = entry.seal(seq, now_us().max(prev_at), &prev_hash);
    sqlx::query(
        "INSERT INTO audit_log (seq, at_us, actor_id, actor, action, target_kind, target_id, \
         opd_id, before_json, after_json, prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
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
    .execute(&mut **tx)
    .await
    .map_err(backend)?;
    Ok(sealed)
}

async fn fetch_one_in<T>(
    tx: &mut Tx,
    sql: &str,
    id: uuid::Uuid,
    what: &'static str,
    decode: fn(&SqliteRow) -> StoreResult<T>,
) -> StoreResult<T> {
    let row = sqlx::query(sql)
        .bind(id)
        .fetch_optional(&mut **tx)
        .await
        .map_err(backend)?
        .ok_or(StoreError::NotFound(what))?;
    decode(&row)
}

const OPD_COLS: &str = "SELECT id, slug, name, kind, parent_id FROM opds";
const ACCOUNT_COLS: &str =
    "SELECT id, opd_id, platform, handle, api_base_url, status FROM accounts";
const USER_COLS: &str = "SELECT id, username, display_name, role, opd_id, locale, zone, active, password_hash FROM users";
const DELEGATION_COLS: &str = "SELECT id, opd_id, from_user, to_user, kind, starts_on, ends_on, \
                               reason, revoked FROM delegations";
const SESSION_COLS: &str = "SELECT id_hash, user_id, csrf_token, created_at_us, last_seen_us, \
                            expires_at_us FROM sessions";
const TOKEN_COLS: &str =
    "SELECT id, user_id, name, token_hash, created_at_us, last_used_us FROM api_tokens";
const AUDIT_COLS: &str = "SELECT seq, at_us, actor_id, actor, action, target_kind, target_id, \
                          opd_id, before_json, after_json, prev_hash, hash FROM audit_log";

impl SqliteStore {
    async fn read_one<T>(
        &self,
        sql: &str,
        bind: impl for<'q> sqlx::Encode<'q, Sqlite> + sqlx::Type<Sqlite> + Send,
        what: &'static str,
        decode: fn(&SqliteRow) -> StoreResult<T>,
    ) -> StoreResult<T> {
        let row = sqlx::query(sql)
            .bind(bind)
            .fetch_optional(&self.reader)
            .await
            .map_err(backend)?
            .ok_or(StoreError::NotFound(what))?;
        decode(&row)
    }

    async fn read_all<T>(
        &self,
        sql: &str,
        bind: Option<uuid::Uuid>,
        decode: fn(&SqliteRow) -> StoreResult<T>,
    ) -> StoreResult<Vec<T>> {
        let mut q = sqlx::query(sql);
        if let Some(b) = bind {
            q = q.bind(b);
        }
        q.fetch_all(&self.reader)
            .await
            .map_err(backend)?
            .iter()
            .map(decode)
            .collect()
    }

    /// Runs one UPDATE/DELETE for an existing row and its audit entry in one transaction.
    async fn change_existing<'q, T>(
        &self,
        load_sql: &str,
        id: uuid::Uuid,
        what: &'static str,
        decode: fn(&SqliteRow) -> StoreResult<T>,
        write: sqlx::query::Query<'q, Sqlite, sqlx::sqlite::SqliteArguments<'q>>,
        audit: impl FnOnce(&T) -> NewAuditEntry,
    ) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        let before = fetch_one_in(&mut tx, load_sql, id, what, decode).await?;
        write
            .execute(&mut *tx)
            .await
            .map_err(|e| map_err(e, "opd"))?;
        append(&mut tx, audit(&before)).await?;
        commit(tx).await
    }
}

fn opt_uuid(id: Option<OpdId>) -> Option<uuid::Uuid> {
    id.map(|o| o.as_uuid())
}

#[async_trait]
impl Store for SqliteStore {
    fn backend_name(&self) -> &'static str {
        "sqlite"
    }

    async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1")
            .execute(&self.reader)
            .await
            .map_err(backend)?;
        Ok(())
    }

    async fn create_opd(&self, by: &AuditActor, opd: &Opd) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        sqlx::query("INSERT INTO opds (id, slug, name, kind, parent_id) VALUES (?,?,?,?,?)")
            .bind(opd.id.as_uuid())
            .bind(opd.slug.as_ref())
            .bind(opd.name.as_ref())
            .bind(opd.kind.as_str())
            .bind(opt_uuid(opd.parent))
            .execute(&mut *tx)
            .await
            .map_err(|e| map_err(e, "opd"))?;
        let id = opd.id.to_string();
        append(
            &mut tx,
            by.entry("opd.create", "opd", &id, Some(opd.id), None, Some(opd)),
        )
        .await?;
        commit(tx).await
    }

    async fn update_opd(&self, by: &AuditActor, opd: &Opd) -> StoreResult<()> {
        let write =
            sqlx::query("UPDATE opds SET slug = ?, name = ?, kind = ?, parent_id = ? WHERE id = ?")
                .bind(opd.slug.as_ref())
                .bind(opd.name.as_ref())
                .bind(opd.kind.as_str())
                .bind(opt_uuid(opd.parent))
                .bind(opd.id.as_uuid());
        let id = opd.id.to_string();
        self.change_existing(
            &format!("{OPD_COLS} WHERE id = ?"),
            opd.id.as_uuid(),
            "opd",
            rows::opd,
            write,
            |old| by.entry("opd.update", "opd", &id, Some(opd.id), Some(old), Some(opd)),
        )
        .await
    }

    async fn get_opd(&self, id: OpdId) -> StoreResult<Opd> {
        self.read_one(
            &format!("{OPD_COLS} WHERE id = ?"),
            id.as_uuid(),
            "opd",
            rows::opd,
        )
        .await
    }

    async fn opd_by_slug(&self, slug: &Slug) -> StoreResult<Opd> {
        self.read_one(
            &format!("{OPD_COLS} WHERE slug = ?"),
            slug.to_string(),
            "opd",
            rows::opd,
        )
        .await
    }

    async fn list_opds(&self) -> StoreResult<Vec<Opd>> {
        self.read_all(&format!("{OPD_COLS} ORDER BY name, slug"), None, rows::opd)
            .await
    }

    async fn create_account(&self, by: &AuditActor, a: &Account) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        sqlx::query(
            "INSERT INTO accounts (id, opd_id, platform, handle, api_base_url, status) VALUES (?,?,?,?,?,?)",
        )
        .bind(a.id.as_uuid())
        .bind(a.opd.as_uuid())
        .bind(a.platform.as_str())
        .bind(a.handle.as_ref())
        .bind(a.api_base_url.as_ref().map(ToString::to_string))
        .bind(a.status.as_str())
        .execute(&mut *tx)
        .await
        .map_err(|e| map_err(e, "opd"))?;
        let id = a.id.to_string();
        append(
            &mut tx,
            by.entry("account.create", "account", &id, Some(a.opd), None, Some(a)),
        )
        .await?;
        commit(tx).await
    }

    async fn update_account(&self, by: &AuditActor, a: &Account) -> StoreResult<()> {
        let write = sqlx::query(
            "UPDATE accounts SET opd_id = ?, platform = ?, handle = ?, api_base_url = ?, status = ? WHERE id = ?",
        )
        .bind(a.opd.as_uuid())
        .bind(a.platform.as_str())
        .bind(a.handle.as_ref())
        .bind(a.api_base_url.as_ref().map(ToString::to_string))
        .bind(a.status.as_str())
        .bind(a.id.as_uuid());
        let id = a.id.to_string();
        self.change_existing(
            &format!("{ACCOUNT_COLS} WHERE id = ?"),
            a.id.as_uuid(),
            "account",
            rows::account,
            write,
            |old| {
                by.entry(
                    "account.update",
                    "account",
                    &id,
                    Some(a.opd),
                    Some(old),
                    Some(a),
                )
            },
        )
        .await
    }

    async fn delete_account(&self, by: &AuditActor, id: AccountId) -> StoreResult<()> {
        let write = sqlx::query("DELETE FROM accounts WHERE id = ?").bind(id.as_uuid());
        let sid = id.to_string();
        self.change_existing(
            &format!("{ACCOUNT_COLS} WHERE id = ?"),
            id.as_uuid(),
            "account",
            rows::account,
            write,
            |old| {
                by.entry(
                    "account.delete",
                    "account",
                    &sid,
                    Some(old.opd),
                    Some(old),
                    None,
                )
            },
        )
        .await
    }

    async fn get_account(&self, id: AccountId) -> StoreResult<Account> {
        self.read_one(
            &format!("{ACCOUNT_COLS} WHERE id = ?"),
            id.as_uuid(),
            "account",
            rows::account,
        )
        .await
    }

    async fn list_accounts(&self, opd: Option<OpdId>) -> StoreResult<Vec<Account>> {
        let filter = if opd.is_some() {
            " WHERE opd_id = ?"
        } else {
            ""
        };
        let sql = format!("{ACCOUNT_COLS}{filter} ORDER BY platform, handle");
        self.read_all(&sql, opt_uuid(opd), rows::account).await
    }

    async fn create_user(&self, by: &AuditActor, u: &User, password_hash: &str) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        sqlx::query(
            "INSERT INTO users (id, username, display_name, role, opd_id, locale, zone, active, password_hash) \
             VALUES (?,?,?,?,?,?,?,?,?)",
        )
        .bind(u.id.as_uuid())
        .bind(u.username.as_ref())
        .bind(u.display_name.as_ref())
        .bind(u.role.as_str())
        .bind(opt_uuid(u.opd))
        .bind(u.locale.as_str())
        .bind(u.zone.as_str())
        .bind(u.active)
        .bind(password_hash)
        .execute(&mut *tx)
        .await
        .map_err(|e| map_err(e, "opd"))?;
        let id = u.id.to_string();
        append(
            &mut tx,
            by.entry("user.create", "user", &id, u.opd, None, Some(u)),
        )
        .await?;
        commit(tx).await
    }

    async fn update_user(&self, by: &AuditActor, u: &User) -> StoreResult<()> {
        let write = sqlx::query(
            "UPDATE users SET username = ?, display_name = ?, role = ?, opd_id = ?, locale = ?, zone = ?, \
             active = ? WHERE id = ?",
        )
        .bind(u.username.as_ref())
        .bind(u.display_name.as_ref())
        .bind(u.role.as_str())
        .bind(opt_uuid(u.opd))
        .bind(u.locale.as_str())
        .bind(u.zone.as_str())
        .bind(u.active)
        .bind(u.id.as_uuid());
        let id = u.id.to_string();
        self.change_existing(
            &format!("{USER_COLS} WHERE id = ?"),
            u.id.as_uuid(),
            "user",
            rows::user,
            write,
            |old| by.entry("user.update", "user", &id, u.opd, Some(old), Some(u)),
        )
        .await
    }

    async fn set_password_hash(&self, by: &AuditActor, id: UserId, hash: &str) -> StoreResult<()> {
        let write = sqlx::query("UPDATE users SET password_hash = ? WHERE id = ?")
            .bind(hash)
            .bind(id.as_uuid());
        let sid = id.to_string();
        self.change_existing(
            &format!("{USER_COLS} WHERE id = ?"),
            id.as_uuid(),
            "user",
            rows::user,
            write,
            |old| {
                let mut e =
                    by.entry::<User>("user.password_change", "user", &sid, old.opd, None, None);
                e.after = Some(serde_json::json!({ "password": "changed" }));
                e
            },
        )
        .await
    }

    async fn get_user(&self, id: UserId) -> StoreResult<User> {
        self.read_one(
            &format!("{USER_COLS} WHERE id = ?"),
            id.as_uuid(),
            "user",
            rows::user,
        )
        .await
    }

    async fn credentials(&self, username: &Username) -> StoreResult<Credentials> {
        let row = sqlx::query(&format!("{USER_COLS} WHERE username = ?"))
            .bind(username.as_ref())
            .fetch_optional(&self.reader)
            .await
            .map_err(backend)?
            .ok_or(StoreError::NotFound("user"))?;
        let password_hash = sqlx::Row::try_get(&row, "password_hash").map_err(backend)?;
        Ok(Credentials {
            user: rows::user(&row)?,
            password_hash,
        })
    }

    async fn list_users(&self, opd: Option<OpdId>) -> StoreResult<Vec<User>> {
        let filter = if opd.is_some() {
            " WHERE opd_id = ?"
        } else {
            ""
        };
        self.read_all(
            &format!("{USER_COLS}{filter} ORDER BY username"),
            opt_uuid(opd),
            rows::user,
        )
        .await
    }

    async fn count_users(&self) -> StoreResult<u64> {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM users")
            .fetch_one(&self.reader)
            .await
            .map_err(backend)?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    async fn create_delegation(&self, by: &AuditActor, d: &Delegation) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        sqlx::query(
            "INSERT INTO delegations (id, opd_id, from_user, to_user, kind, starts_on, ends_on, reason, revoked) \
             VALUES (?,?,?,?,?,?,?,?,?)",
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
        .map_err(|e| map_err(e, "user"))?;
        let id = d.id.to_string();
        append(
            &mut tx,
            by.entry(
                "delegation.create",
                "delegation",
                &id,
                Some(d.opd),
                None,
                Some(d),
            ),
        )
        .await?;
        commit(tx).await
    }

    async fn revoke_delegation(&self, by: &AuditActor, id: DelegationId) -> StoreResult<()> {
        let write =
            sqlx::query("UPDATE delegations SET revoked = 1 WHERE id = ?").bind(id.as_uuid());
        let sid = id.to_string();
        self.change_existing(
            &format!("{DELEGATION_COLS} WHERE id = ?"),
            id.as_uuid(),
            "delegation",
            rows::delegation,
            write,
            |old| {
                let after = Delegation {
                    revoked: true,
                    ..old.clone()
                };
                by.entry(
                    "delegation.revoke",
                    "delegation",
                    &sid,
                    Some(old.opd),
                    Some(old),
                    Some(&after),
                )
            },
        )
        .await
    }

    async fn get_delegation(&self, id: DelegationId) -> StoreResult<Delegation> {
        self.read_one(
            &format!("{DELEGATION_COLS} WHERE id = ?"),
            id.as_uuid(),
            "delegation",
            rows::delegation,
        )
        .await
    }

    async fn list_delegations(&self, opd: Option<OpdId>) -> StoreResult<Vec<Delegation>> {
        let filter = if opd.is_some() {
            " WHERE opd_id = ?"
        } else {
            ""
        };
        self.read_all(
            &format!("{DELEGATION_COLS}{filter} ORDER BY id DESC"),
            opt_uuid(opd),
            rows::delegation,
        )
        .await
    }

    async fn delegations_to(&self, user: UserId) -> StoreResult<Vec<Delegation>> {
        let sql = format!("{DELEGATION_COLS} WHERE to_user = ? AND revoked = 0 ORDER BY id DESC");
        self.read_all(&sql, Some(user.as_uuid()), rows::delegation)
            .await
    }

    async fn create_session(&self, s: &SessionRecord) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO sessions (id_hash, user_id, csrf_token, created_at_us, last_seen_us, expires_at_us) \
             VALUES (?,?,?,?,?,?)",
        )
        .bind(&s.id_hash)
        .bind(s.user_id.as_uuid())
        .bind(&s.csrf_token)
        .bind(s.created_at_us)
        .bind(s.last_seen_us)
        .bind(s.expires_at_us)
        .execute(&self.writer)
        .await
        .map_err(|e| map_err(e, "user"))?;
        Ok(())
    }

    async fn get_session(&self, id_hash: &str) -> StoreResult<SessionRecord> {
        self.read_one(
            &format!("{SESSION_COLS} WHERE id_hash = ?"),
            id_hash.to_owned(),
            "session",
            rows::session,
        )
        .await
    }

    async fn touch_session(
        &self,
        id_hash: &str,
        last_seen_us: i64,
        expires_at_us: i64,
    ) -> StoreResult<()> {
        let done = sqlx::query(
            "UPDATE sessions SET last_seen_us = ?, expires_at_us = ? WHERE id_hash = ?",
        )
        .bind(last_seen_us)
        .bind(expires_at_us)
        .bind(id_hash)
        .execute(&self.writer)
        .await
        .map_err(backend)?;
        if done.rows_affected() == 0 {
            Err(StoreError::NotFound("session"))
        } else {
            Ok(())
        }
    }

    async fn delete_session(&self, id_hash: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM sessions WHERE id_hash = ?")
            .bind(id_hash)
            .execute(&self.writer)
            .await
            .map_err(backend)?;
        Ok(())
    }

    async fn delete_user_sessions(&self, user: UserId) -> StoreResult<u64> {
        let done = sqlx::query("DELETE FROM sessions WHERE user_id = ?")
            .bind(user.as_uuid())
            .execute(&self.writer)
            .await
            .map_err(backend)?;
        Ok(done.rows_affected())
    }

    async fn purge_expired_sessions(&self, now_us: i64) -> StoreResult<u64> {
        let done = sqlx::query("DELETE FROM sessions WHERE expires_at_us < ?")
            .bind(now_us)
            .execute(&self.writer)
            .await
            .map_err(backend)?;
        Ok(done.rows_affected())
    }

    async fn create_api_token(&self, by: &AuditActor, t: &ApiToken) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        sqlx::query(
            "INSERT INTO api_tokens (id, user_id, name, token_hash, created_at_us, last_used_us) VALUES (?,?,?,?,?,?)",
        )
        .bind(t.id.0)
        .bind(t.user_id.as_uuid())
        .bind(&t.name)
        .bind(&t.token_hash)
        .bind(t.created_at_us)
        .bind(t.last_used_us)
        .execute(&mut *tx)
        .await
        .map_err(|e| map_err(e, "user"))?;
        let after = token_audit_view(t);
        let id = t.id.0.to_string();
        append(
            &mut tx,
            by.entry(
                "api_token.create",
                "api_token",
                &id,
                None,
                None,
                Some(&after),
            ),
        )
        .await?;
        commit(tx).await
    }

    async fn api_token_by_hash(&self, token_hash: &str) -> StoreResult<ApiToken> {
        self.read_one(
            &format!("{TOKEN_COLS} WHERE token_hash = ?"),
            token_hash.to_owned(),
            "api_token",
            rows::api_token,
        )
        .await
    }

    async fn list_api_tokens(&self, user: UserId) -> StoreResult<Vec<ApiToken>> {
        let sql = format!("{TOKEN_COLS} WHERE user_id = ? ORDER BY id DESC");
        self.read_all(&sql, Some(user.as_uuid()), rows::api_token)
            .await
    }

    async fn delete_api_token(&self, by: &AuditActor, id: ApiTokenId) -> StoreResult<()> {
        let write = sqlx::query("DELETE FROM api_tokens WHERE id = ?").bind(id.0);
        let sid = id.0.to_string();
        self.change_existing(
            &format!("{TOKEN_COLS} WHERE id = ?"),
            id.0,
            "api_token",
            rows::api_token,
            write,
            |old| {
                let before = token_audit_view(old);
                by.entry(
                    "api_token.delete",
                    "api_token",
                    &sid,
                    None,
                    Some(&before),
                    None,
                )
            },
        )
        .await
    }

    async fn touch_api_token(&self, id: ApiTokenId, at_us: i64) -> StoreResult<()> {
        sqlx::query("UPDATE api_tokens SET last_used_us = ? WHERE id = ?")
            .bind(at_us)
            .bind(id.0)
            .execute(&self.writer)
            .await
            .map_err(backend)?;
        Ok(())
    }

    async fn append_audit(&self, entry: NewAuditEntry) -> StoreResult<AuditEntry> {
        let mut tx = self.begin().await?;
        let sealed = append(&mut tx, entry).await?;
        commit(tx).await?;
        Ok(sealed)
    }

    async fn query_audit(&self, q: &AuditQuery) -> StoreResult<Vec<AuditEntry>> {
        let mut b = QueryBuilder::<Sqlite>::new(AUDIT_COLS);
        b.push(" WHERE 1 = 1");
        if let Some(actor) = &q.actor {
            b.push(" AND actor = ").push_bind(actor.clone());
        }
        if let Some(prefix) = &q.action_prefix {
            // substr avoids LIKE and its wildcards in user-given text.
            b.push(" AND substr(action, 1, ")
                .push_bind(i64::try_from(prefix.chars().count()).unwrap_or(i64::MAX))
                .push(") = ")
                .push_bind(prefix.clone());
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
        let rows = b.build().fetch_all(&self.reader).await.map_err(backend)?;
        rows.iter().map(rows::audit).collect()
    }

    async fn audit_chain_page(&self, after_seq: i64, limit: u32) -> StoreResult<Vec<AuditEntry>> {
        let rows = sqlx::query(&format!("{AUDIT_COLS} WHERE seq > ? ORDER BY seq LIMIT ?"))
            .bind(after_seq)
            .bind(i64::from(limit))
            .fetch_all(&self.reader)
            .await
            .map_err(backend)?;
        rows.iter().map(rows::audit).collect()
    }

    async fn ingest_messages(
        &self,
        by: &AuditActor,
        batch: &[Message],
        cursor: Option<&Cursor>,
    ) -> StoreResult<IngestOutcome> {
        inbox::ingest(self, by, batch, cursor).await
    }

    async fn cursor(&self, account: AccountId, key: &str) -> StoreResult<Option<String>> {
        inbox::cursor(self, account, key).await
    }

    async fn set_cursor(&self, cursor: &Cursor) -> StoreResult<()> {
        inbox::set_cursor(self, cursor).await
    }

    async fn get_message(&self, id: MessageId) -> StoreResult<Message> {
        inbox::get_message(self, id).await
    }

    async fn message_by_external_id(
        &self,
        platform: Platform,
        external_id: &str,
    ) -> StoreResult<Message> {
        inbox::message_by_external_id(self, platform, external_id).await
    }

    async fn list_messages(&self, query: &MessageQuery) -> StoreResult<Vec<Message>> {
        inbox::list_messages(self, query).await
    }

    async fn thread_messages(
        &self,
        platform: Platform,
        thread_external_id: &str,
        limit: u32,
    ) -> StoreResult<Vec<Message>> {
        inbox::thread_messages(self, platform, thread_external_id, limit).await
    }

    async fn update_workflow(
        &self,
        by: &AuditActor,
        id: MessageId,
        action: &str,
        workflow: &Workflow,
    ) -> StoreResult<()> {
        inbox::update_workflow(self, by, id, action, workflow).await
    }

    async fn reroute_message(&self, by: &AuditActor, id: MessageId, opd: OpdId) -> StoreResult<()> {
        inbox::reroute_message(self, by, id, opd).await
    }

    async fn add_note(&self, by: &AuditActor, note: &Note) -> StoreResult<()> {
        inbox::add_note(self, by, note).await
    }

    async fn list_notes(&self, message: MessageId) -> StoreResult<Vec<Note>> {
        inbox::list_notes(self, message).await
    }

    async fn create_reply(&self, by: &AuditActor, reply: &Reply) -> StoreResult<()> {
        inbox::create_reply(self, by, reply).await
    }

    async fn update_reply(
        &self,
        by: &AuditActor,
        action: &str,
        expected: ReplyState,
        reply: &Reply,
    ) -> StoreResult<()> {
        inbox::update_reply(self, by, action, expected, reply).await
    }

    async fn get_reply(&self, id: ReplyId) -> StoreResult<Reply> {
        inbox::get_reply(self, id).await
    }

    async fn list_replies(&self, message: MessageId) -> StoreResult<Vec<Reply>> {
        inbox::list_replies(self, message).await
    }

    async fn stuck_replies(
        &self,
        updated_before: Timestamp,
        limit: u32,
    ) -> StoreResult<Vec<Reply>> {
        inbox::stuck_replies(self, updated_before, limit).await
    }

    async fn put_saved_reply(&self, by: &AuditActor, reply: &SavedReply) -> StoreResult<()> {
        inbox::put_saved_reply(self, by, reply).await
    }

    async fn delete_saved_reply(&self, by: &AuditActor, id: SavedReplyId) -> StoreResult<()> {
        inbox::delete_saved_reply(self, by, id).await
    }

    async fn list_saved_replies(&self, opd: Option<OpdId>) -> StoreResult<Vec<SavedReply>> {
        inbox::list_saved_replies(self, opd).await
    }

    async fn erase_texts(
        &self,
        by: &AuditActor,
        account: AccountId,
        received_before: Timestamp,
        at: Timestamp,
    ) -> StoreResult<u64> {
        inbox::erase_texts(self, by, account, received_before, at).await
    }

    async fn erase_author(
        &self,
        by: &AuditActor,
        platform: Platform,
        handle: &str,
    ) -> StoreResult<u64> {
        inbox::erase_author(self, by, platform, handle).await
    }

    async fn set_retention(
        &self,
        by: &AuditActor,
        account: AccountId,
        days: Option<u32>,
    ) -> StoreResult<()> {
        inbox::set_retention(self, by, account, days).await
    }

    async fn retention_settings(&self) -> StoreResult<Vec<(AccountId, u32)>> {
        inbox::retention_settings(self).await
    }

    async fn create_routing_rule(&self, by: &AuditActor, rule: &RoutingRule) -> StoreResult<()> {
        inbox::create_routing_rule(self, by, rule).await
    }

    async fn update_routing_rule(&self, by: &AuditActor, rule: &RoutingRule) -> StoreResult<()> {
        inbox::update_routing_rule(self, by, rule).await
    }

    async fn delete_routing_rule(&self, by: &AuditActor, id: RoutingRuleId) -> StoreResult<()> {
        inbox::delete_routing_rule(self, by, id).await
    }

    async fn list_routing_rules(&self) -> StoreResult<Vec<RoutingRule>> {
        inbox::list_routing_rules(self).await
    }

    async fn put_holiday(&self, by: &AuditActor, holiday: &Holiday) -> StoreResult<()> {
        inbox::put_holiday(self, by, holiday).await
    }

    async fn delete_holiday(&self, by: &AuditActor, date: Date) -> StoreResult<()> {
        inbox::delete_holiday(self, by, date).await
    }

    async fn list_holidays(&self, from: Date, to: Date) -> StoreResult<Vec<Holiday>> {
        inbox::list_holidays(self, from, to).await
    }

    async fn set_clock_policy(
        &self,
        by: &AuditActor,
        opd: OpdId,
        policy: &ClockPolicy,
    ) -> StoreResult<()> {
        inbox::set_clock_policy(self, by, opd, policy).await
    }

    async fn clock_policies(&self) -> StoreResult<Vec<OpdClockPolicy>> {
        inbox::clock_policies(self).await
    }

    async fn compliance(&self, query: &ComplianceQuery) -> StoreResult<Vec<ComplianceRow>> {
        inbox::compliance(self, query).await
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
            "INSERT INTO account_credentials (account_id, sealed, updated_at_us) VALUES (?, ?, ?) \
             ON CONFLICT (account_id) DO UPDATE SET sealed = excluded.sealed, updated_at_us = excluded.updated_at_us",
        )
        .bind(account.as_uuid())
        .bind(sealed)
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(|e| map_err(e, "account"))?;
        // The audit log records that credentials changed, never what they are.
        append(
            &mut tx,
            by.entry::<()>(
                "account.credentials",
                "account",
                &account.to_string(),
                Some(owner.opd),
                None,
                None,
            ),
        )
        .await?;
        commit(tx).await
    }

    async fn account_credentials(&self, account: AccountId) -> StoreResult<Option<Vec<u8>>> {
        sqlx::query_scalar::<_, Vec<u8>>(
            "SELECT sealed FROM account_credentials WHERE account_id = ?",
        )
        .bind(account.as_uuid())
        .fetch_optional(&self.reader)
        .await
        .map_err(|e| map_err(e, "account"))
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

/// What the audit log keeps of a token: never its hash.
#[derive(serde::Serialize)]
struct TokenAuditView {
    user_id: UserId,
    name: String,
}

fn token_audit_view(t: &ApiToken) -> TokenAuditView {
    TokenAuditView {
        user_id: t.user_id,
        name: t.name.clone(),
    }
}
