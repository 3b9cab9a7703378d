//! People, their roles, acting officials, and what each may do.
//!
//! Authorisation lives here, as pure functions of an [`Actor`], so every route in the web layer
//! and every command asks the same question the same way.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::ids::{DelegationId, OpdId, UserId};
use crate::org::choice_enum;
use crate::values::{DisplayName, Username, ValueError};

choice_enum!(
    /// What a person does in Humas.
    Role, "role" {
        /// Province supervisor (Diskominfo / Biro Humas): manages everything, sees everything.
        Supervisor => "supervisor",
        /// Penanggung jawab of one OPD: approves its posts and sensitive replies.
        Approver => "approver",
        /// Pengelola akun of one OPD: drafts, triages, replies.
        Operator => "operator",
        /// Governor's office, Sekda: read-only across all OPDs.
        Leadership => "leadership",
        /// BPSDM trainer: runs practice sessions.
        Trainer => "trainer",
        /// Bimtek participant from one OPD.
        Trainee => "trainee",
    }
);

impl Role {
    /// Roles that belong to exactly one OPD.
    #[must_use]
    pub const fn is_opd_scoped(self) -> bool {
        matches!(self, Self::Approver | Self::Operator | Self::Trainee)
    }

    /// Checks that an OPD is given exactly when the role needs one.
    pub fn check_scope(self, opd: Option<OpdId>) -> Result<(), ValueError> {
        match (self.is_opd_scoped(), opd) {
            (true, None) => Err(ValueError::RoleScope(
                "approver, operator and trainee belong to one OPD: choose the OPD",
            )),
            (false, Some(_)) => Err(ValueError::RoleScope(
                "supervisor, leadership and trainer work across all OPDs: leave the OPD empty",
            )),
            _ => Ok(()),
        }
    }
}

choice_enum!(
    /// The UI language.
    Locale, "language" {
        /// Bahasa Indonesia, the default.
        Id => "id",
        /// English.
        En => "en",
    }
);

choice_enum!(
    /// The time zone a person reads times in.
    UserZone, "time zone" {
        /// Waktu Indonesia Barat, UTC+7 (the default).
        Wib => "wib",
        /// Waktu Indonesia Tengah, UTC+8.
        Wita => "wita",
        /// Waktu Indonesia Timur, UTC+9.
        Wit => "wit",
    }
);

impl UserZone {
    /// The IANA zone name.
    #[must_use]
    pub const fn iana(self) -> &'static str {
        match self {
            Self::Wib => "Asia/Jakarta",
            Self::Wita => "Asia/Makassar",
            Self::Wit => "Asia/Jayapura",
        }
    }

    /// The abbreviation shown after a time.
    #[must_use]
    pub const fn label(self) -> &'static str {
        match self {
            Self::Wib => "WIB",
            Self::Wita => "WITA",
            Self::Wit => "WIT",
        }
    }
}

/// A person who signs in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    /// Identifier.
    pub id: UserId,
    /// Sign-in name, unique.
    pub username: Username,
    /// Name shown in the UI.
    pub display_name: DisplayName,
    /// Role.
    pub role: Role,
    /// The OPD for OPD-scoped roles.
    pub opd: Option<OpdId>,
    /// UI language.
    pub locale: Locale,
    /// Time zone for display.
    pub zone: UserZone,
    /// Whether the person may sign in.
    pub active: bool,
}

choice_enum!(
    /// The two kinds of acting official.
    DelegationKind, "delegation kind" {
        /// Pelaksana Tugas: fills a vacant post.
        Plt => "plt",
        /// Pelaksana Harian: stands in while the holder is away.
        Plh => "plh",
    }
);

/// An approver's powers lent to another person for a date range (Plt/Plh).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delegation {
    /// Identifier.
    pub id: DelegationId,
    /// The OPD whose approver role is lent.
    pub opd: OpdId,
    /// The approver who is away, or whose post is vacant.
    pub from_user: UserId,
    /// The acting official.
    pub to_user: UserId,
    /// Plt or Plh.
    pub kind: DelegationKind,
    /// First day, inclusive.
    pub starts_on: Date,
    /// Last day, inclusive.
    pub ends_on: Date,
    /// Why, e.g. the decree number.
    pub reason: String,
    /// Whether it was ended early.
    pub revoked: bool,
}

impl Delegation {
    /// Whether the delegation is in force on `day`.
    #[must_use]
    pub fn covers(&self, day: Date) -> bool {
        !self.revoked && self.starts_on <= day && day <= self.ends_on
    }

    /// Checks the range and that nobody delegates to themselves.
    pub fn check(
        from: UserId,
        to: UserId,
        starts_on: Date,
        ends_on: Date,
    ) -> Result<(), ValueError> {
        if from == to {
            return Err(ValueError::SelfDelegation);
        }
        if ends_on < starts_on {
            return Err(ValueError::DateRange);
        }
        Ok(())
    }
}

/// The signed-in person as authorisation sees them: role, OPD and any acting role in force today.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Actor {
    /// Who.
    pub user_id: UserId,
    /// Sign-in name, recorded in the audit log.
    pub username: Username,
    /// Role.
    pub role: Role,
    /// Own OPD for scoped roles.
    pub opd: Option<OpdId>,
    /// OPDs where a Plt/Plh delegation in force today makes this person an approver.
    pub acting_approver_for: Vec<OpdId>,
}

impl Actor {
    /// Builds an actor from a user and the delegations to them, keeping those in force on `today`.
    #[must_use]
    pub fn new(user: &User, delegations_to_user: &[Delegation], today: Date) -> Self {
        let acting = delegations_to_user
            .iter()
            .filter(|d| d.to_user == user.id && d.covers(today))
            .map(|d| d.opd)
            .collect();
        Self {
            user_id: user.id,
            username: user.username.clone(),
            role: user.role,
            opd: user.opd,
            acting_approver_for: acting,
        }
    }

    /// Whether this person sees every OPD (supervisor, leadership, trainer).
    #[must_use]
    pub const fn sees_all_opds(&self) -> bool {
        matches!(
            self.role,
            Role::Supervisor | Role::Leadership | Role::Trainer
        )
    }

    /// Whether this person may see an OPD and what it owns.
    #[must_use]
    pub fn can_view_opd(&self, opd: OpdId) -> bool {
        self.sees_all_opds() || self.opd == Some(opd) || self.acting_approver_for.contains(&opd)
    }

    /// Whether this person approves for an OPD, by role or by a delegation in force.
    #[must_use]
    pub fn is_approver_of(&self, opd: OpdId) -> bool {
        (self.role == Role::Approver && self.opd == Some(opd))
            || self.acting_approver_for.contains(&opd)
    }

    /// Creating, renaming and removing OPDs is the province's job.
    #[must_use]
    pub fn can_manage_opds(&self) -> bool {
        self.role == Role::Supervisor
    }

    /// Adding and changing an OPD's accounts: the province, or that OPD's approver.
    #[must_use]
    pub fn can_manage_accounts_of(&self, opd: OpdId) -> bool {
        self.role == Role::Supervisor || self.is_approver_of(opd)
    }

    /// Adding people and changing roles: the province only.
    #[must_use]
    pub fn can_manage_users(&self) -> bool {
        self.role == Role::Supervisor
    }

    /// Seeing the people of an OPD: the province, leadership, and that OPD's approver.
    #[must_use]
    pub fn can_view_users_of(&self, opd: OpdId) -> bool {
        matches!(self.role, Role::Supervisor | Role::Leadership) || self.is_approver_of(opd)
    }

    /// Lending an approver role: the province, or an approver of that OPD by role.
    #[must_use]
    pub fn can_manage_delegations_of(&self, opd: OpdId) -> bool {
        self.role == Role::Supervisor || (self.role == Role::Approver && self.opd == Some(opd))
    }

    /// Reading and exporting the audit log.
    #[must_use]
    pub fn can_view_audit(&self) -> bool {
        self.role == Role::Supervisor
    }

    /// Triaging, assigning, noting and drafting replies to an OPD's messages: the province, and
    /// that OPD's operators and approvers. Leadership and trainers only read.
    #[must_use]
    pub fn can_handle_messages_of(&self, opd: OpdId) -> bool {
        self.role == Role::Supervisor
            || (matches!(self.role, Role::Operator | Role::Approver) && self.opd == Some(opd))
            || self.acting_approver_for.contains(&opd)
    }

    /// Sending a reply without a second pair of eyes, approving someone else's, hiding or
    /// deleting on the platform: the province and the OPD's approver.
    #[must_use]
    pub fn can_approve_replies_of(&self, opd: OpdId) -> bool {
        self.role == Role::Supervisor || self.is_approver_of(opd)
    }

    /// Seeing personal data (NIK, phone numbers, addresses) inside messages: only those who
    /// must answer them. Leadership and trainers see it masked (UU PDP: data minimisation).
    #[must_use]
    pub fn can_see_personal_data_of(&self, opd: OpdId) -> bool {
        self.can_handle_messages_of(opd)
    }

    /// Writing posts for an OPD and seeing its queue: the province, and that OPD's operators
    /// and approvers (acting ones included).
    #[must_use]
    pub fn can_compose_posts_of(&self, opd: OpdId) -> bool {
        self.can_handle_messages_of(opd)
    }

    /// Publishing at once without the chain (emergency fast lane) and setting approval chains:
    /// the province only.
    #[must_use]
    pub fn can_use_fast_lane(&self) -> bool {
        self.role == Role::Supervisor
    }

    /// Editing routing rules, holiday calendars, retention and erasure: the province.
    #[must_use]
    pub fn can_manage_inbox_settings(&self) -> bool {
        self.role == Role::Supervisor
    }

    /// Bulk-importing a file of messages into an account's inbox: whoever handles the messages
    /// of the OPD that owns the account (the province, that OPD's operators and approvers,
    /// acting approvers). Leadership and trainers only read, trainees only practise.
    #[must_use]
    pub fn can_import_messages_into(&self, opd: OpdId) -> bool {
        self.can_handle_messages_of(opd)
    }

    /// Whether there is any OPD this person may import into: whether to offer the import page.
    #[must_use]
    pub fn can_import_messages(&self) -> bool {
        self.role == Role::Supervisor
            || (matches!(self.role, Role::Operator | Role::Approver) && self.opd.is_some())
            || !self.acting_approver_for.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(role: Role, opd: Option<OpdId>) -> User {
        User {
            id: UserId::generate(),
            username: Username::parse("someone").unwrap(),
            display_name: DisplayName::parse("Someone").unwrap(),
            role,
            opd,
            locale: Locale::Id,
            zone: UserZone::Wib,
            active: true,
        }
    }

    fn day(s: &str) -> Date {
        s.parse().unwrap()
    }

    #[test]
    fn scope_rules() {
        let opd = Some(OpdId::generate());
        assert!(Role::Operator.check_scope(None).is_err());
        assert!(Role::Operator.check_scope(opd).is_ok());
        assert!(Role::Supervisor.check_scope(opd).is_err());
        assert!(Role::Leadership.check_scope(None).is_ok());
    }

    #[test]
    fn operators_see_only_their_opd() {
        let own = OpdId::generate();
        let other = OpdId::generate();
        let a = Actor::new(&user(Role::Operator, Some(own)), &[], day("2026-11-28"));
        assert!(a.can_view_opd(own));
        assert!(!a.can_view_opd(other));
        assert!(!a.can_manage_accounts_of(own));
        assert!(!a.can_view_audit());
    }

    #[test]
    fn leadership_reads_everything_changes_nothing() {
        let a = Actor::new(&user(Role::Leadership, None), &[], day("2026-11-28"));
        let opd = OpdId::generate();
        assert!(a.can_view_opd(opd));
        assert!(!a.can_manage_opds());
        assert!(!a.can_manage_accounts_of(opd));
        assert!(!a.can_manage_users());
    }

    #[test]
    fn delegation_grants_approval_only_within_its_dates() {
        let opd = OpdId::generate();
        let approver = user(Role::Approver, Some(opd));
        let deputy = user(Role::Operator, Some(opd));
        let d = Delegation {
            id: DelegationId::generate(),
            opd,
            from_user: approver.id,
            to_user: deputy.id,
            kind: DelegationKind::Plh,
            starts_on: day("2026-12-01"),
            ends_on: day("2026-12-05"),
            reason: "Cuti".into(),
            revoked: false,
        };
        let before = Actor::new(&deputy, std::slice::from_ref(&d), day("2026-11-30"));
        let during = Actor::new(&deputy, std::slice::from_ref(&d), day("2026-12-05"));
        let after = Actor::new(&deputy, std::slice::from_ref(&d), day("2026-12-06"));
        assert!(!before.is_approver_of(opd));
        assert!(during.is_approver_of(opd));
        assert!(!after.is_approver_of(opd));
        let revoked = Delegation { revoked: true, ..d };
        assert!(!Actor::new(&deputy, &[revoked], day("2026-12-03")).is_approver_of(opd));
    }

    #[test]
    fn imports_are_for_those_who_handle_the_opds_messages() {
        let own = OpdId::generate();
        let other = OpdId::generate();
        let today = day("2026-11-28");
        for role in [Role::Operator, Role::Approver] {
            let a = Actor::new(&user(role, Some(own)), &[], today);
            assert!(a.can_import_messages(), "{role:?}");
            assert!(a.can_import_messages_into(own), "{role:?}");
            assert!(
                !a.can_import_messages_into(other),
                "{role:?} into another OPD"
            );
        }
        let sup = Actor::new(&user(Role::Supervisor, None), &[], today);
        assert!(sup.can_import_messages());
        assert!(sup.can_import_messages_into(own) && sup.can_import_messages_into(other));
        for (role, opd) in [
            (Role::Leadership, None),
            (Role::Trainer, None),
            (Role::Trainee, Some(own)),
        ] {
            let a = Actor::new(&user(role, opd), &[], today);
            assert!(!a.can_import_messages(), "{role:?}");
            assert!(!a.can_import_messages_into(own), "{role:?}");
        }
        // A Plt/Plh of another OPD imports there while the delegation is in force.
        let elsewhere = user(Role::Trainer, None);
        let d = Delegation {
            id: DelegationId::generate(),
            opd: other,
            from_user: UserId::generate(),
            to_user: elsewhere.id,
            kind: DelegationKind::Plt,
            starts_on: day("2026-11-01"),
            ends_on: day("2026-12-31"),
            reason: "Plt".into(),
            revoked: false,
        };
        let acting = Actor::new(&elsewhere, std::slice::from_ref(&d), today);
        assert!(acting.can_import_messages());
        assert!(acting.can_import_messages_into(other));
        assert!(!acting.can_import_messages_into(own));
    }

    #[test]
    fn delegation_checks() {
        let a = UserId::generate();
        let b = UserId::generate();
        assert_eq!(
            Delegation::check(a, a, day("2026-01-01"), day("2026-01-02")),
            Err(ValueError::SelfDelegation)
        );
        assert_eq!(
            Delegation::check(a, b, day("2026-01-02"), day("2026-01-01")),
            Err(ValueError::DateRange)
        );
        assert!(Delegation::check(a, b, day("2026-01-02"), day("2026-01-02")).is_ok());
    }
}
