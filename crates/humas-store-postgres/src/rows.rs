//! Turning PostgreSQL rows into domain values. Anything that does not parse is `Corrupt`: the
//! database was changed outside Humas.

use humas_domain::{
    Account, AccountHandle, AccountId, AccountStatus, ApiBaseUrl, AuditEntry, Delegation,
    DelegationId, DelegationKind, DisplayName, Locale, Opd, OpdId, OpdKind, OpdName, Platform,
    Role, Slug, User, UserId, UserZone, Username, ValueError,
};
use humas_store::{ApiToken, ApiTokenId, SessionRecord, StoreError, StoreResult};
use sqlx::Row;
use sqlx::postgres::PgRow;
use uuid::Uuid;

/// Columns of `opds`, in the order [`opd`] reads them.
pub(crate) const OPD_COLUMNS: &str = "id, slug, name, kind, parent_id";
/// Columns of `accounts`.
pub(crate) const ACCOUNT_COLUMNS: &str = "id, opd_id, platform, handle, api_base_url, status";
/// Columns of `users`, without the password hash.
pub(crate) const USER_COLUMNS: &str =
    "id, username, display_name, role, opd_id, locale, zone, active";
/// Columns of `delegations`.
pub(crate) const DELEGATION_COLUMNS: &str =
    "id, opd_id, from_user, to_user, kind, starts_on, ends_on, reason, revoked";
/// Columns of `sessions`.
pub(crate) const SESSION_COLUMNS: &str =
    "id_hash, user_id, csrf_token, created_at_us, last_seen_us, expires_at_us";
/// Columns of `api_tokens`.
pub(crate) const API_TOKEN_COLUMNS: &str =
    "id, user_id, name, token_hash, created_at_us, last_used_us";
/// Columns of `audit_log`.
pub(crate) const AUDIT_COLUMNS: &str = "seq, at_us, actor_id, actor, action, target_kind, \
     target_id, opd_id, before_json, after_json, prev_hash, hash";

fn corrupt(what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("{what}: {e}"))
}

fn get<'r, T>(row: &'r PgRow, col: &str) -> StoreResult<T>
where
    T: sqlx::Decode<'r, sqlx::Postgres> + sqlx::Type<sqlx::Postgres>,
{
    row.try_get(col).map_err(|e| corrupt(col, e))
}

fn parsed<T>(col: &str, r: Result<T, ValueError>) -> StoreResult<T> {
    r.map_err(|e| corrupt(col, e))
}

fn date(row: &PgRow, col: &str) -> StoreResult<jiff::civil::Date> {
    get::<String>(row, col)?
        .parse()
        .map_err(|e| corrupt(col, e))
}

pub(crate) fn opd(row: &PgRow) -> StoreResult<Opd> {
    Ok(Opd {
        id: OpdId::from_uuid(get(row, "id")?),
        slug: parsed("slug", Slug::parse(&get::<String>(row, "slug")?))?,
        name: parsed("name", OpdName::parse(&get::<String>(row, "name")?))?,
        kind: parsed("kind", OpdKind::parse(&get::<String>(row, "kind")?))?,
        parent: get::<Option<Uuid>>(row, "parent_id")?.map(OpdId::from_uuid),
    })
}

pub(crate) fn account(row: &PgRow) -> StoreResult<Account> {
    let base: Option<String> = get(row, "api_base_url")?;
    Ok(Account {
        id: AccountId::from_uuid(get(row, "id")?),
        opd: OpdId::from_uuid(get(row, "opd_id")?),
        platform: parsed(
            "platform",
            Platform::parse(&get::<String>(row, "platform")?),
        )?,
        handle: parsed(
            "handle",
            AccountHandle::parse(&get::<String>(row, "handle")?),
        )?,
        api_base_url: base
            .map(|b| parsed("api_base_url", ApiBaseUrl::parse(&b)))
            .transpose()?,
        status: parsed(
            "status",
            AccountStatus::parse(&get::<String>(row, "status")?),
        )?,
    })
}

pub(crate) fn user(row: &PgRow) -> StoreResult<User> {
    Ok(User {
        id: UserId::from_uuid(get(row, "id")?),
        username: parsed(
            "username",
            Username::parse(&get::<String>(row, "username")?),
        )?,
        display_name: parsed(
            "display_name",
            DisplayName::parse(&get::<String>(row, "display_name")?),
        )?,
        role: parsed("role", Role::parse(&get::<String>(row, "role")?))?,
        opd: get::<Option<Uuid>>(row, "opd_id")?.map(OpdId::from_uuid),
        locale: parsed("locale", Locale::parse(&get::<String>(row, "locale")?))?,
        zone: parsed("zone", UserZone::parse(&get::<String>(row, "zone")?))?,
        active: get(row, "active")?,
    })
}

pub(crate) fn delegation(row: &PgRow) -> StoreResult<Delegation> {
    Ok(Delegation {
        id: DelegationId::from_uuid(get(row, "id")?),
        opd: OpdId::from_uuid(get(row, "opd_id")?),
        from_user: UserId::from_uuid(get(row, "from_user")?),
        to_user: UserId::from_uuid(get(row, "to_user")?),
        kind: parsed("kind", DelegationKind::parse(&get::<String>(row, "kind")?))?,
        starts_on: date(row, "starts_on")?,
        ends_on: date(row, "ends_on")?,
        reason: get(row, "reason")?,
        revoked: get(row, "revoked")?,
    })
}

pub(crate) fn session(row: &PgRow) -> StoreResult<SessionRecord> {
    Ok(SessionRecord {
        id_hash: get(row, "id_hash")?,
        user_id: UserId::from_uuid(get(row, "user_id")?),
        csrf_token: get(row, "csrf_token")?,
        created_at_us: get(row, "created_at_us")?,
        last_seen_us: get(row, "last_seen_us")?,
        expires_at_us: get(row, "expires_at_us")?,
    })
}

pub(crate) fn api_token(row: &PgRow) -> StoreResult<ApiToken> {
    Ok(ApiToken {
        id: ApiTokenId(get(row, "id")?),
        user_id: UserId::from_uuid(get(row, "user_id")?),
        name: get(row, "name")?,
        token_hash: get(row, "token_hash")?,
        created_at_us: get(row, "created_at_us")?,
        last_used_us: get(row, "last_used_us")?,
    })
}

pub(crate) fn audit(row: &PgRow) -> StoreResult<AuditEntry> {
    Ok(AuditEntry {
        seq: get(row, "seq")?,
        at_us: get(row, "at_us")?,
        actor_id: get::<Option<Uuid>>(row, "actor_id")?.map(UserId::from_uuid),
        actor: get(row, "actor")?,
        action: get(row, "action")?,
        target_kind: get(row, "target_kind")?,
        target_id: get(row, "target_id")?,
        opd: get::<Option<Uuid>>(row, "opd_id")?.map(OpdId::from_uuid),
        before: get(row, "before_json")?,
        after: get(row, "after_json")?,
        prev_hash: get(row, "prev_hash")?,
        hash: get(row, "hash")?,
    })
}
