//! Inbox settings: retention periods, routing rules, the holiday calendar and response
//! standards.

use humas_domain::routing::RoutingRule;
use humas_domain::sla::{ClockPolicy, Holiday, OpdClockPolicy};
use humas_domain::{AccountId, OpdId, RoutingRuleId};
use humas_store::{AuditActor, StoreError, StoreResult};
use jiff::civil::Date;
use serde::Serialize;
use sqlx::Row;
use sqlx::postgres::PgPool;

use crate::error::{db, found};
use crate::finish;
use crate::inbox_rows::{self, CLOCK_POLICY_COLUMNS, HOLIDAY_COLUMNS, ROUTING_RULE_COLUMNS};
use crate::messages::opd_of_account;

/// What the audit log records about a retention period.
#[derive(Serialize)]
struct RetentionAudit {
    days: Option<u32>,
}

pub(crate) async fn set_retention(
    pool: &PgPool,
    by: &AuditActor,
    account: AccountId,
    days: Option<u32>,
) -> StoreResult<()> {
    let mut tx = pool.begin().await.map_err(db)?;
    let opd = opd_of_account(&mut tx, account)
        .await?
        .ok_or(StoreError::UnknownReference("account"))?;
    let old = sqlx::query("DELETE FROM account_retention WHERE account_id = $1 RETURNING days")
        .bind(account.as_uuid())
        .fetch_optional(&mut *tx)
        .await
        .map_err(db)?
        .map(|row| row.try_get::<i32, _>("days"))
        .transpose()
        .map_err(db)?
        .map(|d| u32::try_from(d).unwrap_or(0));
    if let Some(days) = days {
        let stored = i32::try_from(days).unwrap_or(i32::MAX);
        sqlx::query("INSERT INTO account_retention (account_id, days) VALUES ($1, $2)")
            .bind(account.as_uuid())
            .bind(stored)
            .execute(&mut *tx)
            .await
            .map_err(db)?;
    }
    let entry = by.entry(
        "account.retention",
        "account",
        &account.to_string(),
        Some(opd),
        Some(&RetentionAudit { days: old }),
        Some(&RetentionAudit { days }),
    );
    finish(tx, entry).await
}

pub(crate) async fn retention_settings(pool: &PgPool) -> StoreResult<Vec<(AccountId, u32)>> {
    sqlx::query("SELECT account_id, days FROM account_retention ORDER BY account_id")
        .fetch_all(pool)
        .await
        .map_err(db)?
        .iter()
        .map(|row| {
            let days: i32 = row.try_get("days").map_err(db)?;
            let days = u32::try_from(days).map_err(|_| {
                StoreError::Corrupt(format!("account_retention.days: {days} is negative"))
            })?;
            Ok((
                AccountId::from_uuid(row.try_get("account_id").map_err(db)?),
                days,
            ))
        })
        .collect()
}

pub(crate) async fn create_routing_rule(
    pool: &PgPool,
    by: &AuditActor,
    rule: &RoutingRule,
) -> StoreResult<()> {
    let mut tx = pool.begin().await.map_err(db)?;
    sqlx::query(&format!(
        "INSERT INTO routing_rules ({ROUTING_RULE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6)"
    ))
    .bind(rule.id.as_uuid())
    .bind(&rule.name)
    .bind(rule.opd.as_uuid())
    .bind(&rule.expression)
    .bind(rule.priority)
    .bind(rule.enabled)
    .execute(&mut *tx)
    .await
    .map_err(db)?;
    let entry = by.entry(
        "routing_rule.create",
        "routing_rule",
        &rule.id.to_string(),
        Some(rule.opd),
        None,
        Some(rule),
    );
    finish(tx, entry).await
}

pub(crate) async fn update_routing_rule(
    pool: &PgPool,
    by: &AuditActor,
    rule: &RoutingRule,
) -> StoreResult<()> {
    let mut tx = pool.begin().await.map_err(db)?;
    let row = sqlx::query(&format!(
        "SELECT {ROUTING_RULE_COLUMNS} FROM routing_rules WHERE id = $1 FOR UPDATE"
    ))
    .bind(rule.id.as_uuid())
    .fetch_optional(&mut *tx)
    .await
    .map_err(db)?;
    let old = inbox_rows::routing_rule(&found(row, "routing_rule")?)?;
    sqlx::query(
        "UPDATE routing_rules SET name = $2, opd_id = $3, expression = $4, priority = $5, \
         enabled = $6 WHERE id = $1",
    )
    .bind(rule.id.as_uuid())
    .bind(&rule.name)
    .bind(rule.opd.as_uuid())
    .bind(&rule.expression)
    .bind(rule.priority)
    .bind(rule.enabled)
    .execute(&mut *tx)
    .await
    .map_err(db)?;
    let entry = by.entry(
        "routing_rule.update",
        "routing_rule",
        &rule.id.to_string(),
        Some(rule.opd),
        Some(&old),
        Some(rule),
    );
    finish(tx, entry).await
}

pub(crate) async fn delete_routing_rule(
    pool: &PgPool,
    by: &AuditActor,
    id: RoutingRuleId,
) -> StoreResult<()> {
    let mut tx = pool.begin().await.map_err(db)?;
    let row = sqlx::query(&format!(
        "DELETE FROM routing_rules WHERE id = $1 RETURNING {ROUTING_RULE_COLUMNS}"
    ))
    .bind(id.as_uuid())
    .fetch_optional(&mut *tx)
    .await
    .map_err(db)?;
    let old = inbox_rows::routing_rule(&found(row, "routing_rule")?)?;
    let entry = by.entry(
        "routing_rule.delete",
        "routing_rule",
        &id.to_string(),
        Some(old.opd),
        Some(&old),
        None,
    );
    finish(tx, entry).await
}

pub(crate) async fn list_routing_rules(pool: &PgPool) -> StoreResult<Vec<RoutingRule>> {
    sqlx::query(&format!(
        "SELECT {ROUTING_RULE_COLUMNS} FROM routing_rules \
         ORDER BY priority, name COLLATE \"C\", id"
    ))
    .fetch_all(pool)
    .await
    .map_err(db)?
    .iter()
    .map(inbox_rows::routing_rule)
    .collect()
}

/// A civil date as stored: `YYYY-MM-DD`, which sorts like the date for years 0–9999.
fn day(date: Date) -> String {
    date.to_string()
}

pub(crate) async fn put_holiday(
    pool: &PgPool,
    by: &AuditActor,
    holiday: &Holiday,
) -> StoreResult<()> {
    let mut tx = pool.begin().await.map_err(db)?;
    let old = sqlx::query(&format!(
        "SELECT {HOLIDAY_COLUMNS} FROM holidays WHERE day = $1 FOR UPDATE"
    ))
    .bind(day(holiday.date))
    .fetch_optional(&mut *tx)
    .await
    .map_err(db)?
    .map(|row| inbox_rows::holiday(&row))
    .transpose()?;
    sqlx::query(
        "INSERT INTO holidays (day, name, kind) VALUES ($1, $2, $3) \
         ON CONFLICT (day) DO UPDATE SET name = EXCLUDED.name, kind = EXCLUDED.kind",
    )
    .bind(day(holiday.date))
    .bind(&holiday.name)
    .bind(holiday.kind.as_str())
    .execute(&mut *tx)
    .await
    .map_err(db)?;
    let entry = by.entry(
        "holiday.put",
        "holiday",
        &day(holiday.date),
        None,
        old.as_ref(),
        Some(holiday),
    );
    finish(tx, entry).await
}

pub(crate) async fn delete_holiday(pool: &PgPool, by: &AuditActor, date: Date) -> StoreResult<()> {
    let mut tx = pool.begin().await.map_err(db)?;
    let row = sqlx::query(&format!(
        "DELETE FROM holidays WHERE day = $1 RETURNING {HOLIDAY_COLUMNS}"
    ))
    .bind(day(date))
    .fetch_optional(&mut *tx)
    .await
    .map_err(db)?;
    let old = inbox_rows::holiday(&found(row, "holiday")?)?;
    let entry = by.entry(
        "holiday.delete",
        "holiday",
        &day(date),
        None,
        Some(&old),
        None,
    );
    finish(tx, entry).await
}

pub(crate) async fn list_holidays(
    pool: &PgPool,
    from: Date,
    to: Date,
) -> StoreResult<Vec<Holiday>> {
    sqlx::query(&format!(
        "SELECT {HOLIDAY_COLUMNS} FROM holidays WHERE day >= $1 AND day <= $2 \
         ORDER BY day COLLATE \"C\""
    ))
    .bind(day(from))
    .bind(day(to))
    .fetch_all(pool)
    .await
    .map_err(db)?
    .iter()
    .map(inbox_rows::holiday)
    .collect()
}

pub(crate) async fn set_clock_policy(
    pool: &PgPool,
    by: &AuditActor,
    opd: OpdId,
    policy: &ClockPolicy,
) -> StoreResult<()> {
    let mut tx = pool.begin().await.map_err(db)?;
    let old = sqlx::query(&format!(
        "SELECT {CLOCK_POLICY_COLUMNS} FROM clock_policies WHERE opd_id = $1 FOR UPDATE"
    ))
    .bind(opd.as_uuid())
    .fetch_optional(&mut *tx)
    .await
    .map_err(db)?
    .map(|row| inbox_rows::clock_policy(&row).map(|p| p.policy))
    .transpose()?;
    sqlx::query(&format!(
        "INSERT INTO clock_policies ({CLOCK_POLICY_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7) \
         ON CONFLICT (opd_id) DO UPDATE SET \
         first_response_days = EXCLUDED.first_response_days, \
         information_request_days = EXCLUDED.information_request_days, \
         complaint_days = EXCLUDED.complaint_days, dispute_days = EXCLUDED.dispute_days, \
         field_check_days = EXCLUDED.field_check_days, working_days = EXCLUDED.working_days"
    ))
    .bind(opd.as_uuid())
    .bind(i32::from(policy.first_response_days))
    .bind(i32::from(policy.information_request_days))
    .bind(i32::from(policy.complaint_days))
    .bind(i32::from(policy.dispute_days))
    .bind(i32::from(policy.field_check_days))
    .bind(policy.working_days)
    .execute(&mut *tx)
    .await
    .map_err(db)?;
    let entry = by.entry(
        "clock_policy.set",
        "opd",
        &opd.to_string(),
        Some(opd),
        old.as_ref(),
        Some(policy),
    );
    finish(tx, entry).await
}

pub(crate) async fn clock_policies(pool: &PgPool) -> StoreResult<Vec<OpdClockPolicy>> {
    sqlx::query(&format!(
        "SELECT {CLOCK_POLICY_COLUMNS} FROM clock_policies ORDER BY opd_id"
    ))
    .fetch_all(pool)
    .await
    .map_err(db)?
    .iter()
    .map(inbox_rows::clock_policy)
    .collect()
}
