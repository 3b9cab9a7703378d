//! People, roles, profiles and acting-official delegations.

use humas_domain::{
    Actor, Delegation, DelegationId, DelegationKind, DisplayName, Locale, OpdId, Password, Role,
    User, UserId, UserZone, Username, parse_date,
};

use crate::auth::SessionContext;
use crate::org::parse_id;
use crate::{App, AppError, AppResult, audit_actor};

/// A new person as typed into a form, the API or the command line.
#[derive(Clone, Debug, Default)]
pub struct NewUserInput {
    /// Sign-in name.
    pub username: String,
    /// Shown name; the username when empty.
    pub display_name: String,
    /// Role name.
    pub role: String,
    /// OPD id for scoped roles.
    pub opd: Option<String>,
    /// Initial password.
    pub password: String,
}

/// Changes to a person, by a supervisor.
#[derive(Clone, Debug, Default)]
pub struct UserUpdateInput {
    /// Shown name.
    pub display_name: String,
    /// Role name.
    pub role: String,
    /// OPD id for scoped roles.
    pub opd: Option<String>,
    /// Whether the person may sign in.
    pub active: bool,
}

/// Changes one makes to one's own profile.
#[derive(Clone, Debug, Default)]
pub struct ProfileInput {
    /// Shown name.
    pub display_name: String,
    /// `id` or `en`.
    pub locale: String,
    /// `wib`, `wita` or `wit`.
    pub zone: String,
}

/// A Plt/Plh delegation as typed.
#[derive(Clone, Debug, Default)]
pub struct DelegationInput {
    /// The approver who is away (user id).
    pub from_user: String,
    /// The acting official (user id).
    pub to_user: String,
    /// `plt` or `plh`.
    pub kind: String,
    /// First day, `YYYY-MM-DD`.
    pub starts_on: String,
    /// Last day, `YYYY-MM-DD`.
    pub ends_on: String,
    /// Why, e.g. the decree number.
    pub reason: String,
}

fn opt_opd(raw: Option<&String>) -> AppResult<Option<OpdId>> {
    match raw.map(|s| s.trim()).filter(|s| !s.is_empty()) {
        Some(s) => Ok(Some(parse_id(s, "opd")?)),
        None => Ok(None),
    }
}

impl App {
    async fn check_role_scope(&self, role: Role, opd: Option<OpdId>) -> AppResult<()> {
        role.check_scope(opd)?;
        if let Some(id) = opd {
            self.store
                .get_opd(id)
                .await
                .map_err(|_| AppError::UnknownReference("opd"))?;
        }
        Ok(())
    }

    /// Adds a person (supervisors only).
    pub async fn create_user(&self, actor: &Actor, input: &NewUserInput) -> AppResult<User> {
        if !actor.can_manage_users() {
            return Err(AppError::Forbidden);
        }
        let username = Username::parse(&input.username)?;
        let display = if input.display_name.trim().is_empty() {
            username.to_string()
        } else {
            input.display_name.clone()
        };
        let role = Role::parse(&input.role)?;
        let opd = opt_opd(input.opd.as_ref())?;
        let password = Password::parse(&input.password)?;
        self.check_role_scope(role, opd).await?;
        let user = User {
            id: UserId::generate(),
            username,
            display_name: DisplayName::parse(&display)?,
            role,
            opd,
            locale: Locale::Id,
            zone: UserZone::Wib,
            active: true,
        };
        let hash = self.hash_password(&password).await?;
        self.store
            .create_user(&audit_actor(actor), &user, &hash)
            .await?;
        Ok(user)
    }

    /// People the actor may see: everyone for the province and leadership, an OPD's people for
    /// its approver. Optionally only one OPD.
    pub async fn list_users(&self, actor: &Actor, opd: Option<OpdId>) -> AppResult<Vec<User>> {
        match opd {
            Some(id) if actor.can_view_users_of(id) => Ok(self.store.list_users(Some(id)).await?),
            Some(_) => Err(AppError::Forbidden),
            None if matches!(actor.role, Role::Supervisor | Role::Leadership) => {
                Ok(self.store.list_users(None).await?)
            }
            None => match actor.opd {
                Some(own) if actor.can_view_users_of(own) => {
                    Ok(self.store.list_users(Some(own)).await?)
                }
                _ => Err(AppError::Forbidden),
            },
        }
    }

    /// One person, if the actor may see them (everyone may see themselves).
    pub async fn get_user(&self, actor: &Actor, id: UserId) -> AppResult<User> {
        let user = self.store.get_user(id).await?;
        let visible = actor.user_id == id
            || matches!(actor.role, Role::Supervisor | Role::Leadership)
            || user.opd.is_some_and(|o| actor.can_view_users_of(o));
        if visible {
            Ok(user)
        } else {
            Err(AppError::Forbidden)
        }
    }

    /// Changes a person's name, role, OPD or whether they may sign in (supervisors only).
    /// Deactivating someone ends their sessions.
    pub async fn update_user(
        &self,
        actor: &Actor,
        id: UserId,
        input: &UserUpdateInput,
    ) -> AppResult<User> {
        if !actor.can_manage_users() {
            return Err(AppError::Forbidden);
        }
        let old = self.store.get_user(id).await?;
        let role = Role::parse(&input.role)?;
        let opd = opt_opd(input.opd.as_ref())?;
        self.check_role_scope(role, opd).await?;
        if id == actor.user_id && (!input.active || role != Role::Supervisor) {
            return Err(humas_domain::ValueError::RoleScope(
                "you cannot remove your own supervisor role or deactivate yourself",
            )
            .into());
        }
        let user = User {
            display_name: DisplayName::parse(&input.display_name)?,
            role,
            opd,
            active: input.active,
            ..old
        };
        self.store.update_user(&audit_actor(actor), &user).await?;
        if !user.active {
            self.store.delete_user_sessions(id).await?;
        }
        Ok(user)
    }

    /// Sets a new password for someone (supervisors only) and ends their sessions.
    pub async fn reset_password(&self, actor: &Actor, id: UserId, password: &str) -> AppResult<()> {
        if !actor.can_manage_users() {
            return Err(AppError::Forbidden);
        }
        let password = Password::parse(password)?;
        let hash = self.hash_password(&password).await?;
        self.store
            .set_password_hash(&audit_actor(actor), id, &hash)
            .await?;
        self.store.delete_user_sessions(id).await?;
        Ok(())
    }

    /// Changes one's own name, language and time zone.
    pub async fn update_profile(
        &self,
        ctx: &SessionContext,
        input: &ProfileInput,
    ) -> AppResult<User> {
        let user = User {
            display_name: DisplayName::parse(&input.display_name)?,
            locale: Locale::parse(&input.locale)?,
            zone: UserZone::parse(&input.zone)?,
            ..ctx.user.clone()
        };
        self.store
            .update_user(&audit_actor(&ctx.actor), &user)
            .await?;
        Ok(user)
    }

    /// Delegations of the OPDs the actor sees, newest first.
    pub async fn list_delegations(
        &self,
        actor: &Actor,
        opd: Option<OpdId>,
    ) -> AppResult<Vec<Delegation>> {
        if let Some(id) = opd {
            self.get_opd(actor, id).await?;
        }
        let all = self.store.list_delegations(opd).await?;
        Ok(all
            .into_iter()
            .filter(|d| actor.can_view_opd(d.opd))
            .collect())
    }

    /// Lends an approver's role to another person for a date range. The OPD is the approver's.
    pub async fn create_delegation(
        &self,
        actor: &Actor,
        input: &DelegationInput,
    ) -> AppResult<Delegation> {
        let from_id: UserId = parse_id(&input.from_user, "user")?;
        let from = self
            .store
            .get_user(from_id)
            .await
            .map_err(|_| AppError::UnknownReference("user"))?;
        let opd = match (from.role, from.opd) {
            (Role::Approver, Some(opd)) => opd,
            _ => {
                return Err(humas_domain::ValueError::RoleScope(
                    "only an OPD approver's role can be delegated",
                )
                .into());
            }
        };
        // Who may act is decided before the rest of the input is judged.
        if !actor.can_manage_delegations_of(opd) {
            return Err(AppError::Forbidden);
        }
        let to_id: UserId = parse_id(&input.to_user, "user")?;
        let to = self
            .store
            .get_user(to_id)
            .await
            .map_err(|_| AppError::UnknownReference("user"))?;
        if !to.active || matches!(to.role, Role::Trainee | Role::Leadership) {
            return Err(humas_domain::ValueError::RoleScope(
                "the acting official must be an active officer, not a trainee or leadership viewer",
            )
            .into());
        }
        let starts_on = parse_date(&input.starts_on)?;
        let ends_on = parse_date(&input.ends_on)?;
        Delegation::check(from.id, to.id, starts_on, ends_on)?;
        let reason = input.reason.trim();
        if reason.is_empty() || reason.chars().count() > 500 {
            return Err(humas_domain::ValueError::RoleScope(
                "give the reason (1–500 characters), e.g. the decree number",
            )
            .into());
        }
        let d = Delegation {
            id: DelegationId::generate(),
            opd,
            from_user: from.id,
            to_user: to.id,
            kind: DelegationKind::parse(&input.kind)?,
            starts_on,
            ends_on,
            reason: reason.to_owned(),
            revoked: false,
        };
        self.store
            .create_delegation(&audit_actor(actor), &d)
            .await?;
        Ok(d)
    }

    /// Display names of the people in delegations the actor may see (seeing a delegation means
    /// seeing who acts for whom, even without access to the OPD's staff list).
    pub async fn delegation_names(
        &self,
        actor: &Actor,
        delegations: &[Delegation],
    ) -> AppResult<std::collections::HashMap<UserId, String>> {
        let mut names = std::collections::HashMap::new();
        for d in delegations.iter().filter(|d| actor.can_view_opd(d.opd)) {
            for id in [d.from_user, d.to_user] {
                if let std::collections::hash_map::Entry::Vacant(slot) = names.entry(id) {
                    let u = self.store.get_user(id).await?;
                    slot.insert(u.display_name.to_string());
                }
            }
        }
        Ok(names)
    }

    /// Ends a delegation early.
    pub async fn revoke_delegation(&self, actor: &Actor, id: DelegationId) -> AppResult<()> {
        let d = self.store.get_delegation(id).await?;
        if !actor.can_manage_delegations_of(d.opd) {
            return Err(AppError::Forbidden);
        }
        Ok(self
            .store
            .revoke_delegation(&audit_actor(actor), id)
            .await?)
    }
}
