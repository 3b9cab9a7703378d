//! What the API answers. These shapes are the public contract, kept apart from the domain types
//! so a change inside Humas cannot silently change the API. No password hash, session or token
//! secret ever appears here.

use humas_domain::{Account, Actor, AuditEntry, Delegation, Opd, OpdId, User};
use jiff::Timestamp;
use serde::Serialize;
use uuid::Uuid;

/// An OPD.
#[derive(Debug, Serialize)]
pub(crate) struct OpdDto {
    pub id: Uuid,
    pub slug: String,
    pub name: String,
    pub kind: &'static str,
    pub parent_id: Option<Uuid>,
}

impl From<&Opd> for OpdDto {
    fn from(o: &Opd) -> Self {
        Self {
            id: o.id.as_uuid(),
            slug: o.slug.to_string(),
            name: o.name.to_string(),
            kind: o.kind.as_str(),
            parent_id: o.parent.map(|p| p.as_uuid()),
        }
    }
}

/// An official account or news feed.
#[derive(Debug, Serialize)]
pub(crate) struct AccountDto {
    pub id: Uuid,
    pub opd_id: Uuid,
    pub platform: &'static str,
    pub handle: String,
    /// The override, or `null` for the platform's documented default.
    pub api_base_url: Option<String>,
    pub status: &'static str,
}

impl From<&Account> for AccountDto {
    fn from(a: &Account) -> Self {
        Self {
            id: a.id.as_uuid(),
            opd_id: a.opd.as_uuid(),
            platform: a.platform.as_str(),
            handle: a.handle.to_string(),
            api_base_url: a.api_base_url.as_ref().map(ToString::to_string),
            status: a.status.as_str(),
        }
    }
}

/// A person.
#[derive(Debug, Serialize)]
pub(crate) struct UserDto {
    pub id: Uuid,
    pub username: String,
    pub display_name: String,
    pub role: &'static str,
    pub opd_id: Option<Uuid>,
    pub locale: &'static str,
    pub zone: &'static str,
    pub active: bool,
}

impl From<&User> for UserDto {
    fn from(u: &User) -> Self {
        Self {
            id: u.id.as_uuid(),
            username: u.username.to_string(),
            display_name: u.display_name.to_string(),
            role: u.role.as_str(),
            opd_id: u.opd.map(|o| o.as_uuid()),
            locale: u.locale.as_str(),
            zone: u.zone.as_str(),
            active: u.active,
        }
    }
}

/// The caller: their profile and the OPDs where an acting-official delegation in force today
/// makes them an approver.
#[derive(Debug, Serialize)]
pub(crate) struct MeDto {
    #[serde(flatten)]
    pub user: UserDto,
    pub acting_approver_for: Vec<Uuid>,
}

impl MeDto {
    pub(crate) fn new(user: &User, actor: &Actor) -> Self {
        Self {
            user: user.into(),
            acting_approver_for: actor
                .acting_approver_for
                .iter()
                .map(OpdId::as_uuid)
                .collect(),
        }
    }
}

/// A Plt/Plh delegation.
#[derive(Debug, Serialize)]
pub(crate) struct DelegationDto {
    pub id: Uuid,
    pub opd_id: Uuid,
    pub from_user_id: Uuid,
    pub to_user_id: Uuid,
    pub kind: &'static str,
    /// `YYYY-MM-DD`, inclusive.
    pub starts_on: String,
    /// `YYYY-MM-DD`, inclusive.
    pub ends_on: String,
    pub reason: String,
    pub revoked: bool,
}

impl From<&Delegation> for DelegationDto {
    fn from(d: &Delegation) -> Self {
        Self {
            id: d.id.as_uuid(),
            opd_id: d.opd.as_uuid(),
            from_user_id: d.from_user.as_uuid(),
            to_user_id: d.to_user.as_uuid(),
            kind: d.kind.as_str(),
            starts_on: d.starts_on.to_string(),
            ends_on: d.ends_on.to_string(),
            reason: d.reason.clone(),
            revoked: d.revoked,
        }
    }
}

/// One entry of the audit log.
#[derive(Debug, Serialize)]
pub(crate) struct AuditEntryDto {
    pub seq: i64,
    /// RFC 3339, UTC.
    pub at: String,
    pub actor: String,
    pub actor_id: Option<Uuid>,
    pub action: String,
    pub target_kind: String,
    pub target_id: String,
    pub opd_id: Option<Uuid>,
    pub before: serde_json::Value,
    pub after: serde_json::Value,
    pub hash: String,
    pub prev_hash: String,
}

impl From<&AuditEntry> for AuditEntryDto {
    fn from(e: &AuditEntry) -> Self {
        Self {
            seq: e.seq,
            at: rfc3339_utc(e.at_us),
            actor: e.actor.clone(),
            actor_id: e.actor_id.map(|u| u.as_uuid()),
            action: e.action.clone(),
            target_kind: e.target_kind.clone(),
            target_id: e.target_id.clone(),
            opd_id: e.opd.map(|o| o.as_uuid()),
            before: stored_json(e.before.as_deref()),
            after: stored_json(e.after.as_deref()),
            hash: e.hash.clone(),
            prev_hash: e.prev_hash.clone(),
        }
    }
}

/// Microseconds since the epoch as RFC 3339 in UTC (`…Z`). Times beyond what a timestamp can
/// hold (only a hand-edited database has them) are clamped rather than refused, so the rest of
/// the log stays readable.
fn rfc3339_utc(us: i64) -> String {
    let clamped = if us < 0 {
        Timestamp::MIN
    } else {
        Timestamp::MAX
    };
    Timestamp::from_microsecond(us)
        .unwrap_or(clamped)
        .to_string()
}

/// The stored canonical JSON as a value. Text that is not JSON (a hand-edited database) is
/// answered as a string rather than dropped: the audit log must not hide anything.
fn stored_json(raw: Option<&str>) -> serde_json::Value {
    raw.map_or(serde_json::Value::Null, |text| {
        serde_json::from_str(text).unwrap_or_else(|_| serde_json::Value::String(text.to_owned()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use humas_domain::NewAuditEntry;
    use serde_json::json;

    #[test]
    fn audit_entries_carry_json_and_utc_times() {
        let entry = NewAuditEntry {
            actor_id: None,
            actor: "cli".into(),
            action: "opd.update".into(),
            target_kind: "opd".into(),
            target_id: "x".into(),
            opd: None,
            before: Some(json!({"name": "Lama"})),
            after: None,
        }
        .seal(7, 1_764_288_000_000_000, humas_domain::GENESIS_HASH);
        let v = serde_json::to_value(AuditEntryDto::from(&entry)).unwrap();
        assert_eq!(v["at"], "2025-11-28T00:00:00Z");
        assert_eq!(v["before"], json!({"name": "Lama"}));
        assert_eq!(v["after"], serde_json::Value::Null);
        assert_eq!(v["seq"], 7);
    }

    #[test]
    fn text_that_is_not_json_is_kept() {
        assert_eq!(stored_json(Some("{oops")), json!("{oops"));
        assert_eq!(stored_json(None), serde_json::Value::Null);
    }
}
