//! Small read-only helpers the web pages need around the inbox use cases: who a message can be
//! assigned to, the retention periods in force, and the saved replies a person may manage.

use humas_domain::{AccountId, Actor, OpdId, Role, User};
use humas_store::SavedReply;

use crate::{App, AppError, AppResult};

impl App {
    /// People who may handle `opd`'s messages (its active operators and approvers, and the
    /// province's supervisors), for the assign picker and to show names of assignees and
    /// drafters. Anyone who sees the OPD may ask; the list holds names and roles, no secrets.
    ///
    /// # Errors
    /// `Forbidden` for an OPD the actor does not see; storage errors.
    pub async fn inbox_people(&self, actor: &Actor, opd: OpdId) -> AppResult<Vec<User>> {
        if !actor.can_view_opd(opd) {
            return Err(AppError::Forbidden);
        }
        let mut people: Vec<User> = self
            .store
            .list_users(Some(opd))
            .await?
            .into_iter()
            .filter(|u| u.active && matches!(u.role, Role::Operator | Role::Approver))
            .collect();
        people.extend(
            self.store
                .list_users(None)
                .await?
                .into_iter()
                .filter(|u| u.active && u.role == Role::Supervisor),
        );
        Ok(people)
    }

    /// Accounts with a retention period and the period in days (province only).
    ///
    /// # Errors
    /// `Forbidden` for anyone but a supervisor; storage errors.
    pub async fn retention_periods(&self, actor: &Actor) -> AppResult<Vec<(AccountId, u32)>> {
        if !actor.can_manage_inbox_settings() {
            return Err(AppError::Forbidden);
        }
        Ok(self.store.retention_settings().await?)
    }

    /// Every saved reply the actor may see: all of them for those who see every OPD, else
    /// those of their own (and acting) OPDs and the province-wide ones.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn visible_saved_replies(&self, actor: &Actor) -> AppResult<Vec<SavedReply>> {
        if actor.sees_all_opds() {
            return Ok(self.store.list_saved_replies(None).await?);
        }
        let mut opds: Vec<OpdId> = actor.opd.into_iter().collect();
        opds.extend(actor.acting_approver_for.iter().copied());
        let mut out: Vec<SavedReply> = Vec::new();
        for opd in opds {
            for r in self.store.list_saved_replies(Some(opd)).await? {
                if !out.iter().any(|o| o.id == r.id) {
                    out.push(r);
                }
            }
        }
        out.sort_by(|a, b| a.title.cmp(&b.title));
        Ok(out)
    }
}
