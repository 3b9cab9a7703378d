//! What the province's supervisor maintains for the inbox: routing rules, the holiday calendar,
//! each OPD's response standard, retention; and the privacy actions and compliance figures.

use humas_domain::routing::{Expression, RoutingRule};
use humas_domain::sla::{
    ClockPolicy, Holiday, HolidayKind, OpdClockPolicy, national_holidays_2026,
};
use humas_domain::{AccountId, Actor, OpdId, Platform, RoutingRuleId, ValueError};
use humas_store::{AuditActor, ComplianceQuery, ComplianceRow};
use jiff::civil::Date;
use jiff::{SignedDuration, Timestamp};

use crate::{App, AppError, AppResult, audit_actor};

/// A routing rule as typed into the form.
#[derive(Clone, Debug, Default)]
pub struct RuleInput {
    /// Name.
    pub name: String,
    /// Target OPD id.
    pub opd: String,
    /// Boolean expression.
    pub expression: String,
    /// Priority (lower first); empty for 100.
    pub priority: Option<String>,
    /// Whether it applies.
    pub enabled: bool,
}

/// Why a routing rule was refused: the expression error carries the position.
#[derive(Debug, thiserror::Error)]
pub enum RuleInputError {
    /// The expression does not parse.
    #[error("{0}")]
    Expression(#[from] humas_domain::routing::RuleError),
    /// Another field is wrong.
    #[error("{0}")]
    App(#[from] AppError),
}

impl App {
    fn require_inbox_admin(actor: &Actor) -> AppResult<()> {
        if actor.can_manage_inbox_settings() {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }

    /// Routing rules, in the order they are tried.
    ///
    /// # Errors
    /// `Forbidden` for anyone but a supervisor or leadership.
    pub async fn routing_rules(&self, actor: &Actor) -> AppResult<Vec<RoutingRule>> {
        if !actor.sees_all_opds() {
            return Err(AppError::Forbidden);
        }
        Ok(self.store.list_routing_rules().await?)
    }

    async fn parse_rule(
        &self,
        input: &RuleInput,
        id: RoutingRuleId,
    ) -> Result<RoutingRule, RuleInputError> {
        let name = input.name.trim();
        if name.is_empty() || name.chars().count() > 100 {
            return Err(AppError::Invalid(ValueError::Note("a rule name")).into());
        }
        let opd: OpdId = crate::org::parse_id(&input.opd, "opd")?;
        self.store
            .get_opd(opd)
            .await
            .map_err(|_| AppError::UnknownReference("opd"))?;
        let expression = Expression::parse(&input.expression)?;
        let priority = match input.priority.as_deref().map(str::trim) {
            None | Some("") => 100,
            Some(p) => p
                .parse::<i32>()
                .ok()
                .filter(|p| (0..=10_000).contains(p))
                .ok_or(AppError::Invalid(ValueError::unknown(
                    "priority",
                    p,
                    "a whole number from 0 to 10000",
                )))?,
        };
        Ok(RoutingRule {
            id,
            name: name.to_owned(),
            opd,
            expression: expression.to_string(),
            priority,
            enabled: input.enabled,
        })
    }

    /// Adds a routing rule.
    ///
    /// # Errors
    /// `Forbidden`; the expression error with its position; unknown OPD.
    pub async fn create_routing_rule(
        &self,
        actor: &Actor,
        input: &RuleInput,
    ) -> Result<RoutingRule, RuleInputError> {
        Self::require_inbox_admin(actor)?;
        let rule = self.parse_rule(input, RoutingRuleId::generate()).await?;
        self.store
            .create_routing_rule(&audit_actor(actor), &rule)
            .await
            .map_err(AppError::from)?;
        self.invalidate_inbox_context().await;
        Ok(rule)
    }

    /// Replaces a routing rule.
    ///
    /// # Errors
    /// As [`Self::create_routing_rule`], and `NotFound`.
    pub async fn update_routing_rule(
        &self,
        actor: &Actor,
        id: RoutingRuleId,
        input: &RuleInput,
    ) -> Result<RoutingRule, RuleInputError> {
        Self::require_inbox_admin(actor)?;
        let rule = self.parse_rule(input, id).await?;
        self.store
            .update_routing_rule(&audit_actor(actor), &rule)
            .await
            .map_err(AppError::from)?;
        self.invalidate_inbox_context().await;
        Ok(rule)
    }

    /// Removes a routing rule.
    ///
    /// # Errors
    /// `Forbidden`, `NotFound`.
    pub async fn delete_routing_rule(&self, actor: &Actor, id: RoutingRuleId) -> AppResult<()> {
        Self::require_inbox_admin(actor)?;
        self.store
            .delete_routing_rule(&audit_actor(actor), id)
            .await?;
        self.invalidate_inbox_context().await;
        Ok(())
    }

    /// Days off between two dates.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn holidays(&self, from: Date, to: Date) -> AppResult<Vec<Holiday>> {
        Ok(self.store.list_holidays(from, to).await?)
    }

    /// Adds or renames a day off.
    ///
    /// # Errors
    /// `Forbidden`, `Invalid`.
    pub async fn put_holiday(
        &self,
        actor: &Actor,
        date: &str,
        kind: &str,
        name: &str,
    ) -> AppResult<Holiday> {
        Self::require_inbox_admin(actor)?;
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 200 {
            return Err(ValueError::Note("a holiday name").into());
        }
        let holiday = Holiday {
            date: humas_domain::parse_date(date)?,
            kind: HolidayKind::parse(kind)?,
            name: name.to_owned(),
        };
        self.store
            .put_holiday(&audit_actor(actor), &holiday)
            .await?;
        self.invalidate_inbox_context().await;
        Ok(holiday)
    }

    /// Removes a day off.
    ///
    /// # Errors
    /// `Forbidden`, `NotFound`.
    pub async fn delete_holiday(&self, actor: &Actor, date: &str) -> AppResult<()> {
        Self::require_inbox_admin(actor)?;
        let date = humas_domain::parse_date(date)?;
        self.store.delete_holiday(&audit_actor(actor), date).await?;
        self.invalidate_inbox_context().await;
        Ok(())
    }

    /// Loads the shipped 2026 national holidays and joint leave days when the calendar has none
    /// for 2026 yet; returns how many were added. Run at start, so a new installation counts
    /// deadlines correctly from the first day.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn seed_holidays(&self) -> AppResult<usize> {
        let from = jiff::civil::date(2026, 1, 1);
        let to = jiff::civil::date(2026, 12, 31);
        if !self.store.list_holidays(from, to).await?.is_empty() {
            return Ok(0);
        }
        let by = AuditActor::system();
        let days = national_holidays_2026();
        for h in &days {
            self.store.put_holiday(&by, h).await?;
        }
        self.invalidate_inbox_context().await;
        Ok(days.len())
    }

    /// Response standards of the OPDs that set their own.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn clock_policies(&self) -> AppResult<Vec<OpdClockPolicy>> {
        Ok(self.store.clock_policies().await?)
    }

    /// Sets an OPD's response standard: the province, or that OPD's approver (it is the OPD's
    /// own published maklumat pelayanan).
    ///
    /// # Errors
    /// `Forbidden`, `Invalid` for an inconsistent standard.
    pub async fn set_clock_policy(
        &self,
        actor: &Actor,
        opd: OpdId,
        policy: ClockPolicy,
    ) -> AppResult<()> {
        if !(actor.can_manage_inbox_settings() || actor.is_approver_of(opd)) {
            return Err(AppError::Forbidden);
        }
        policy.check()?;
        self.store
            .set_clock_policy(&audit_actor(actor), opd, &policy)
            .await?;
        self.invalidate_inbox_context().await;
        Ok(())
    }

    /// Sets how long an account's message texts are kept.
    ///
    /// # Errors
    /// `Forbidden`, `Invalid` outside 1–3650 days.
    pub async fn set_retention(
        &self,
        actor: &Actor,
        account: AccountId,
        days: Option<u32>,
    ) -> AppResult<()> {
        Self::require_inbox_admin(actor)?;
        if days.is_some_and(|d| !(1..=3650).contains(&d)) {
            return Err(ValueError::unknown("retention", "out of range", "1 to 3650 days").into());
        }
        self.store.get_account(account).await?;
        self.store
            .set_retention(&audit_actor(actor), account, days)
            .await?;
        Ok(())
    }

    /// Applies every account's retention period now: erases texts older than the period.
    /// Returns how many messages were erased. Run daily by the server.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn apply_retention(&self) -> AppResult<u64> {
        let now = self.clock.now();
        let by = AuditActor::system();
        let mut total = 0;
        for (account, days) in self.store.retention_settings().await? {
            let cutoff = now - SignedDuration::from_hours(24 * i64::from(days));
            total += self.store.erase_texts(&by, account, cutoff, now).await?;
        }
        Ok(total)
    }

    /// An erasure request (UU PDP): deletes every message by `handle` on `platform`.
    ///
    /// # Errors
    /// `Forbidden`, `Invalid` for an empty handle.
    pub async fn erase_author(
        &self,
        actor: &Actor,
        platform: &str,
        handle: &str,
    ) -> AppResult<u64> {
        Self::require_inbox_admin(actor)?;
        let platform = Platform::parse(platform)?;
        let handle = humas_domain::inbox::Author::parse(handle, None)?.handle;
        Ok(self
            .store
            .erase_author(&audit_actor(actor), platform, &handle)
            .await?)
    }

    /// Response-clock compliance per OPD (or per operator) for messages received between two
    /// instants; OPD-scoped people see their own OPD only.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn compliance(
        &self,
        actor: &Actor,
        from: Timestamp,
        to: Timestamp,
        per_assignee: bool,
    ) -> AppResult<Vec<ComplianceRow>> {
        let opds = if actor.sees_all_opds() {
            None
        } else {
            let mut v: Vec<OpdId> = actor.opd.into_iter().collect();
            v.extend(actor.acting_approver_for.iter().copied());
            Some(v)
        };
        Ok(self
            .store
            .compliance(&ComplianceQuery {
                opds,
                from,
                to,
                now: self.clock.now(),
                per_assignee,
            })
            .await?)
    }
}
