//! Records that exist for storage's sake: sessions, tokens, audit queries.

use humas_domain::{NewAuditEntry, OpdId, User, UserId};
use serde::Serialize;
use uuid::Uuid;

/// Who makes a change, as the audit log records it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditActor {
    /// The person, or `None` for the command line and the system.
    pub user_id: Option<UserId>,
    /// Their username, or `cli` / `system`.
    pub name: String,
}

impl AuditActor {
    /// A signed-in person.
    #[must_use]
    pub fn user(id: UserId, username: &str) -> Self {
        Self {
            user_id: Some(id),
            name: username.to_owned(),
        }
    }

    /// The `humas` command line, run by whoever has the server's shell.
    #[must_use]
    pub fn cli() -> Self {
        Self {
            user_id: None,
            name: "cli".to_owned(),
        }
    }

    /// Humas itself (demo seeding, scheduled work).
    #[must_use]
    pub fn system() -> Self {
        Self {
            user_id: None,
            name: "system".to_owned(),
        }
    }

    /// Builds the audit entry for a change; backends call this so every backend records the
    /// same shape.
    #[must_use]
    pub fn entry<T: Serialize>(
        &self,
        action: &str,
        target_kind: &str,
        target_id: &str,
        opd: Option<OpdId>,
        before: Option<&T>,
        after: Option<&T>,
    ) -> NewAuditEntry {
        NewAuditEntry {
            actor_id: self.user_id,
            actor: self.name.clone(),
            action: action.to_owned(),
            target_kind: target_kind.to_owned(),
            target_id: target_id.to_owned(),
            opd,
            before: before.and_then(|v| serde_json::to_value(v).ok()),
            after: after.and_then(|v| serde_json::to_value(v).ok()),
        }
    }
}

/// A person and their password hash.
#[derive(Clone, Debug)]
pub struct Credentials {
    /// The person.
    pub user: User,
    /// PHC string (Argon2id).
    pub password_hash: String,
}

/// A server-side session. The cookie holds a random secret; only its SHA-256 is stored, so a
/// leaked database does not leak live sessions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionRecord {
    /// SHA-256 hex of the cookie value.
    pub id_hash: String,
    /// Whose session.
    pub user_id: UserId,
    /// The synchronizer token that state-changing forms must carry.
    pub csrf_token: String,
    /// Created, µs since epoch.
    pub created_at_us: i64,
    /// Last request, µs since epoch.
    pub last_seen_us: i64,
    /// Expiry, µs since epoch.
    pub expires_at_us: i64,
}

/// Identifies an API token.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct ApiTokenId(pub Uuid);

/// An API token for `/api/v1`. Only the SHA-256 of the secret is stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiToken {
    /// Identifier.
    pub id: ApiTokenId,
    /// Whose token; it acts with that person's role and OPD.
    pub user_id: UserId,
    /// What it is for, e.g. `dashboard-kominfo`.
    pub name: String,
    /// SHA-256 hex of the secret.
    pub token_hash: String,
    /// Created, µs since epoch.
    pub created_at_us: i64,
    /// Last used, µs since epoch.
    pub last_used_us: Option<i64>,
}

/// A filter over the audit log. Results are newest first.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AuditQuery {
    /// Only this actor (exact username).
    pub actor: Option<String>,
    /// Only actions starting with this, e.g. `opd.` or `user.create`.
    pub action_prefix: Option<String>,
    /// Only this OPD.
    pub opd: Option<OpdId>,
    /// Only at or after this time (µs).
    pub since_us: Option<i64>,
    /// Only before this time (µs).
    pub until_us: Option<i64>,
    /// Only entries older than this sequence number (the cursor for the next page).
    pub before_seq: Option<i64>,
    /// At most this many (the store caps it at 1000).
    pub limit: u32,
}

impl AuditQuery {
    /// The largest page a store returns.
    pub const MAX_LIMIT: u32 = 1000;

    /// The limit actually applied.
    #[must_use]
    pub fn effective_limit(&self) -> u32 {
        self.limit.clamp(1, Self::MAX_LIMIT)
    }
}
