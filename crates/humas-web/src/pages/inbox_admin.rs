//! What the province (and, for their OPD, approvers) maintains around the inbox: routing
//! rules, the holiday calendar, response standards, saved replies, retention and erasure; and
//! the compliance figures everyone may read for the OPDs they see.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use axum::routing::{get, post};
use humas_app::AppError;
use humas_app::inbox::{RuleInput, RuleInputError};
use humas_domain::routing::RuleError;
use humas_domain::sla::{ClockPolicy, HolidayKind};
use humas_domain::{OpdId, Platform, RoutingRuleId, UserId};
use humas_store::{ComplianceRow, SavedReplyId};
use jiff::civil::Date;
use serde::Deserialize;
use uuid::Uuid;

use crate::AppState;
use crate::api::inbox::{day_range, default_period, province_zone};
use crate::error::PageFailure;
use crate::extract::{FormBody, Signed, query_params};
use crate::format;
use crate::i18n::Tr;
use crate::pages::inbox::{detailed_error, inbox_notice};
use crate::pages::inbox_view::{count, percent};
use crate::pages::opds::{Choice, opd_choices};
use crate::pages::{Layout, done, fail, layout, opd_name, render};
use crate::routes::Routes;

pub(crate) fn routes(r: Routes) -> Routes {
    r.add("GET", "/inbox/rules", get(rules))
        .add("POST", "/inbox/rules", post(create_rule))
        .add("POST", "/inbox/rules/{id}", post(update_rule))
        .add("POST", "/inbox/rules/{id}/delete", post(delete_rule))
        .add("GET", "/inbox/holidays", get(holidays))
        .add("POST", "/inbox/holidays", post(put_holiday))
        .add(
            "POST",
            "/inbox/holidays/{date}/delete",
            post(delete_holiday),
        )
        .add("GET", "/inbox/policies", get(policies))
        .add("POST", "/inbox/policies", post(set_policy))
        .add("GET", "/inbox/saved-replies", get(saved_replies))
        .add("POST", "/inbox/saved-replies", post(put_saved_reply))
        .add(
            "POST",
            "/inbox/saved-replies/{id}/delete",
            post(delete_saved_reply),
        )
        .add("GET", "/inbox/privacy", get(privacy))
        .add("POST", "/inbox/privacy/retention", post(set_retention))
        .add("POST", "/inbox/privacy/erase", post(erase))
        .add("GET", "/inbox/compliance", get(compliance))
}

const NOTICES: [&str; 4] = ["created", "saved", "deleted", "erased"];

/// A page's layout with the notice of `?ok=` and an error shown.
fn admin_layout(
    state: &AppState,
    s: &Signed,
    title: &str,
    uri: Option<&Uri>,
    error: Option<(StatusCode, String)>,
) -> (Layout, StatusCode) {
    let mut l = layout(state, s, "inbox", title);
    let status = l.show_outcome(None, error);
    if let Some(u) = uri {
        l.notice = inbox_notice(u, s.tr, &NOTICES);
    }
    (l, status)
}

/// Refusals for lack of rights or a missing thing are error pages; the rest are shown on the
/// form's page.
fn is_page_failure(e: &AppError) -> bool {
    matches!(e, AppError::Forbidden | AppError::NotFound(_))
}

// --- Routing rules ----------------------------------------------------------------------------

struct RuleRow {
    id: String,
    name: String,
    opd: String,
    expression: String,
    priority: i32,
    enabled: bool,
}

/// The rule form's values, and where its expression is wrong.
#[derive(Default)]
struct RuleFormView {
    /// Empty for a new rule.
    id: String,
    name: String,
    opd: String,
    expression: String,
    priority: String,
    enabled: bool,
    expr_error: String,
    /// The expression split at the error: before, the character there, after.
    expr_before: String,
    expr_at: String,
    expr_after: String,
}

#[derive(Template)]
#[template(path = "inbox_rules.html")]
struct RulesPage {
    l: Layout,
    rows: Vec<RuleRow>,
    opds: Vec<Choice>,
    form: RuleFormView,
    can_edit: bool,
}

#[derive(Deserialize, Default)]
struct RuleForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    opd: String,
    #[serde(default)]
    expression: String,
    #[serde(default)]
    priority: String,
    #[serde(default)]
    enabled: Option<String>,
}

impl RuleForm {
    fn input(&self) -> RuleInput {
        RuleInput {
            name: self.name.clone(),
            opd: self.opd.clone(),
            expression: self.expression.clone(),
            priority: Some(self.priority.clone()),
            enabled: self.enabled.is_some(),
        }
    }
}

/// Splits `src` at byte `pos` for showing where an expression is wrong; a position that is not
/// on a character boundary moves back to the nearest one.
fn split_at_error(src: &str, pos: usize) -> (String, String, String) {
    let mut p = pos.min(src.len());
    while p > 0 && !src.is_char_boundary(p) {
        p -= 1;
    }
    let (before, rest) = src.split_at(p);
    let mut chars = rest.chars();
    let at = chars.next().map(String::from).unwrap_or_default();
    (before.to_owned(), at, chars.as_str().to_owned())
}

/// The expression error in the reader's language, with its position (1-based, in characters).
fn expression_error(e: &RuleError, src: &str, tr: Tr) -> String {
    let key = format!("inbox-{}", e.code());
    let mut text = tr.t(&key);
    if text == key {
        text = e.kind.to_string();
    }
    if let humas_domain::routing::RuleErrorKind::UnknownRegion { suggestions, .. } = &e.kind
        && !suggestions.is_empty()
    {
        text = format!(
            "{text} {}",
            tr.t1("inbox-rule-suggest", "names", &suggestions.join(", "))
        );
    }
    let mut p = e.position.min(src.len());
    while p > 0 && !src.is_char_boundary(p) {
        p -= 1;
    }
    let column = src[..p].chars().count() + 1;
    format!(
        "{} {text}",
        tr.t1("inbox-rule-at", "column", &column.to_string())
    )
}

async fn rules_page(
    state: &AppState,
    s: &Signed,
    uri: Option<&Uri>,
    error: Option<(StatusCode, String)>,
    form: Option<RuleFormView>,
) -> Result<Response, PageFailure> {
    let f = fail(s.tr);
    let actor = &s.ctx.actor;
    let rules = state.app.routing_rules(actor).await.map_err(&f)?;
    let opds = state.app.list_opds(actor).await.map_err(&f)?;
    let edit: Option<RoutingRuleId> = uri
        .map(query_params)
        .and_then(|q| q.get("edit").and_then(|v| v.parse().ok()));
    let form = form.unwrap_or_else(|| {
        rules.iter().find(|r| Some(r.id) == edit).map_or_else(
            || RuleFormView {
                priority: "100".into(),
                enabled: true,
                ..RuleFormView::default()
            },
            |r| RuleFormView {
                id: r.id.to_string(),
                name: r.name.clone(),
                opd: r.opd.to_string(),
                expression: r.expression.clone(),
                priority: r.priority.to_string(),
                enabled: r.enabled,
                ..RuleFormView::default()
            },
        )
    });
    let (l, status) = admin_layout(state, s, "inbox-rules-title", uri, error);
    let page = RulesPage {
        rows: rules
            .iter()
            .map(|r| RuleRow {
                id: r.id.to_string(),
                name: r.name.clone(),
                opd: opd_name(&opds, Some(r.opd)),
                expression: r.expression.clone(),
                priority: r.priority,
                enabled: r.enabled,
            })
            .collect(),
        opds: opd_choices(&opds),
        form,
        can_edit: actor.can_manage_inbox_settings(),
        l,
    };
    Ok(render(status, &page, s.tr))
}

async fn rules(
    State(state): State<AppState>,
    s: Signed,
    uri: Uri,
) -> Result<Response, PageFailure> {
    rules_page(&state, &s, Some(&uri), None, None).await
}

/// Shows a refused rule form again with its values and the error under the field.
async fn rule_refused(
    state: &AppState,
    s: &Signed,
    id: Option<RoutingRuleId>,
    form: RuleForm,
    e: RuleInputError,
) -> Result<Response, PageFailure> {
    let mut view = RuleFormView {
        id: id.map(|i| i.to_string()).unwrap_or_default(),
        enabled: form.enabled.is_some(),
        name: form.name,
        opd: form.opd,
        priority: form.priority,
        ..RuleFormView::default()
    };
    let error = match e {
        RuleInputError::Expression(err) => {
            view.expr_error = expression_error(&err, &form.expression, s.tr);
            let (b, a, r) = split_at_error(&form.expression, err.position);
            (view.expr_before, view.expr_at, view.expr_after) = (b, a, r);
            (StatusCode::UNPROCESSABLE_ENTITY, view.expr_error.clone())
        }
        RuleInputError::App(e) if is_page_failure(&e) => return Err(fail(s.tr)(e)),
        RuleInputError::App(e) => detailed_error(e, s.tr),
    };
    view.expression = form.expression;
    rules_page(state, s, None, Some(error), Some(view)).await
}

async fn create_rule(
    State(state): State<AppState>,
    s: Signed,
    FormBody(form): FormBody<RuleForm>,
) -> Result<Response, PageFailure> {
    match state
        .app
        .create_routing_rule(&s.ctx.actor, &form.input())
        .await
    {
        Ok(_) => Ok(done("/inbox/rules", "created")),
        Err(e) => rule_refused(&state, &s, None, form, e).await,
    }
}

fn parse_path_id<T: std::str::FromStr>(
    raw: &str,
    what: &'static str,
    tr: Tr,
) -> Result<T, PageFailure> {
    raw.parse().map_err(|_| fail(tr)(AppError::NotFound(what)))
}

async fn update_rule(
    State(state): State<AppState>,
    s: Signed,
    Path(id): Path<String>,
    FormBody(form): FormBody<RuleForm>,
) -> Result<Response, PageFailure> {
    let id: RoutingRuleId = parse_path_id(&id, "routing_rule", s.tr)?;
    match state
        .app
        .update_routing_rule(&s.ctx.actor, id, &form.input())
        .await
    {
        Ok(_) => Ok(done("/inbox/rules", "saved")),
        Err(e) => rule_refused(&state, &s, Some(id), form, e).await,
    }
}

async fn delete_rule(
    State(state): State<AppState>,
    s: Signed,
    Path(id): Path<String>,
) -> Result<Response, PageFailure> {
    let id: RoutingRuleId = parse_path_id(&id, "routing_rule", s.tr)?;
    state
        .app
        .delete_routing_rule(&s.ctx.actor, id)
        .await
        .map_err(fail(s.tr))?;
    Ok(done("/inbox/rules", "deleted"))
}

// --- Holidays ---------------------------------------------------------------------------------

struct HolidayRow {
    date: String,
    date_label: String,
    name: String,
    kind: String,
}

#[derive(Template)]
#[template(path = "inbox_holidays.html")]
struct HolidaysPage {
    l: Layout,
    year: i16,
    years: Vec<i16>,
    rows: Vec<HolidayRow>,
    kinds: Vec<Choice>,
    can_edit: bool,
}

fn this_year(state: &AppState) -> i16 {
    state.app.clock().now().to_zoned(province_zone()).year()
}

async fn holidays_page(
    state: &AppState,
    s: &Signed,
    uri: Option<&Uri>,
    year: Option<i16>,
    error: Option<(StatusCode, String)>,
) -> Result<Response, PageFailure> {
    let now_year = this_year(state);
    let year = year
        .or_else(|| {
            uri.map(query_params)
                .and_then(|q| q.get("year").and_then(|y| y.parse().ok()))
        })
        .filter(|y| (2000..=2100).contains(y))
        .unwrap_or(now_year);
    let from = jiff::civil::date(year, 1, 1);
    let to = jiff::civil::date(year, 12, 31);
    let days = state.app.holidays(from, to).await.map_err(fail(s.tr))?;
    let (l, status) = admin_layout(state, s, "inbox-holidays-title", uri, error);
    let page = HolidaysPage {
        rows: days
            .iter()
            .map(|h| HolidayRow {
                date: h.date.to_string(),
                date_label: format::date(h.date, s.tr.locale),
                name: h.name.clone(),
                kind: s.tr.t(&format!("inbox-holiday-{}", h.kind.as_str())),
            })
            .collect(),
        kinds: HolidayKind::ALL
            .iter()
            .map(|k| Choice {
                value: k.as_str().into(),
                label: s.tr.t(&format!("inbox-holiday-{}", k.as_str())),
            })
            .collect(),
        year,
        years: ((now_year - 1)..=(now_year + 1)).collect(),
        can_edit: s.ctx.actor.can_manage_inbox_settings(),
        l,
    };
    Ok(render(status, &page, s.tr))
}

async fn holidays(
    State(state): State<AppState>,
    s: Signed,
    uri: Uri,
) -> Result<Response, PageFailure> {
    holidays_page(&state, &s, Some(&uri), None, None).await
}

#[derive(Deserialize)]
struct HolidayForm {
    #[serde(default)]
    date: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    name: String,
}

async fn put_holiday(
    State(state): State<AppState>,
    s: Signed,
    FormBody(form): FormBody<HolidayForm>,
) -> Result<Response, PageFailure> {
    match state
        .app
        .put_holiday(&s.ctx.actor, &form.date, &form.kind, &form.name)
        .await
    {
        Ok(h) => Ok(done(
            &format!("/inbox/holidays?year={}", h.date.year()),
            "saved",
        )),
        Err(e) if is_page_failure(&e) => Err(fail(s.tr)(e)),
        Err(e) => {
            let year = form.date.parse::<Date>().ok().map(|d| d.year());
            holidays_page(&state, &s, None, year, Some(detailed_error(e, s.tr))).await
        }
    }
}

async fn delete_holiday(
    State(state): State<AppState>,
    s: Signed,
    Path(date): Path<String>,
) -> Result<Response, PageFailure> {
    let year = date
        .parse::<Date>()
        .map_or_else(|_| this_year(&state), |d| d.year());
    match state.app.delete_holiday(&s.ctx.actor, &date).await {
        Ok(()) => Ok(done(&format!("/inbox/holidays?year={year}"), "deleted")),
        Err(AppError::Invalid(_)) => Err(fail(s.tr)(AppError::NotFound("holiday"))),
        Err(e) => Err(fail(s.tr)(e)),
    }
}

// --- Response standards -----------------------------------------------------------------------

struct PolicyRow {
    opd_id: String,
    opd: String,
    custom: bool,
    p: ClockPolicy,
    can_edit: bool,
}

#[derive(Template)]
#[template(path = "inbox_policies.html")]
struct PoliciesPage {
    l: Layout,
    rows: Vec<PolicyRow>,
}

async fn policies_page(
    state: &AppState,
    s: &Signed,
    uri: Option<&Uri>,
    error: Option<(StatusCode, String)>,
) -> Result<Response, PageFailure> {
    let f = fail(s.tr);
    let actor = &s.ctx.actor;
    let opds = state.app.list_opds(actor).await.map_err(&f)?;
    let set = state.app.clock_policies().await.map_err(&f)?;
    let (l, status) = admin_layout(state, s, "inbox-policies-title", uri, error);
    let rows = opds
        .iter()
        .map(|o| {
            let own = set.iter().find(|p| p.opd == o.id);
            PolicyRow {
                opd_id: o.id.to_string(),
                opd: o.name.to_string(),
                custom: own.is_some(),
                p: own.map(|p| p.policy).unwrap_or_default(),
                can_edit: actor.can_manage_inbox_settings() || actor.is_approver_of(o.id),
            }
        })
        .collect();
    Ok(render(status, &PoliciesPage { l, rows }, s.tr))
}

async fn policies(
    State(state): State<AppState>,
    s: Signed,
    uri: Uri,
) -> Result<Response, PageFailure> {
    policies_page(&state, &s, Some(&uri), None).await
}

#[derive(Deserialize)]
struct PolicyForm {
    #[serde(default)]
    opd: String,
    #[serde(default)]
    first_response_days: String,
    #[serde(default)]
    information_request_days: String,
    #[serde(default)]
    complaint_days: String,
    #[serde(default)]
    dispute_days: String,
    #[serde(default)]
    field_check_days: String,
    #[serde(default)]
    working_days: Option<String>,
}

/// A period in days as typed; anything that is not a whole number 0–65535 is refused naming
/// the field (the range itself is checked by the domain).
fn days(raw: &str, field: &'static str) -> Result<u16, AppError> {
    raw.trim().parse().map_err(|_| {
        AppError::Invalid(humas_domain::ValueError::unknown(
            field,
            raw,
            "a whole number of days from 1 to 365",
        ))
    })
}

impl PolicyForm {
    fn policy(&self) -> Result<ClockPolicy, AppError> {
        Ok(ClockPolicy {
            first_response_days: days(&self.first_response_days, "first_response_days")?,
            information_request_days: days(
                &self.information_request_days,
                "information_request_days",
            )?,
            complaint_days: days(&self.complaint_days, "complaint_days")?,
            dispute_days: days(&self.dispute_days, "dispute_days")?,
            field_check_days: days(&self.field_check_days, "field_check_days")?,
            working_days: self.working_days.is_some(),
        })
    }
}

async fn set_policy(
    State(state): State<AppState>,
    s: Signed,
    FormBody(form): FormBody<PolicyForm>,
) -> Result<Response, PageFailure> {
    let outcome = match (form.opd.trim().parse::<OpdId>(), form.policy()) {
        (Err(_), _) => Err(AppError::UnknownReference("opd")),
        (Ok(_), Err(e)) => Err(e),
        (Ok(opd), Ok(p)) => state.app.set_clock_policy(&s.ctx.actor, opd, p).await,
    };
    match outcome {
        Ok(()) => Ok(done("/inbox/policies", "saved")),
        Err(e) if is_page_failure(&e) => Err(fail(s.tr)(e)),
        Err(e) => policies_page(&state, &s, None, Some(detailed_error(e, s.tr))).await,
    }
}

// --- Saved replies ----------------------------------------------------------------------------

struct SavedRow {
    id: String,
    opd: String,
    title: String,
    body: String,
    can_edit: bool,
}

#[derive(Template)]
#[template(path = "inbox_saved_replies.html")]
struct SavedPage {
    l: Layout,
    rows: Vec<SavedRow>,
    /// Where a new saved reply may go: OPDs the reader approves for, and (supervisors) the
    /// whole province (value `province`).
    targets: Vec<Choice>,
    edit_id: String,
    edit_opd: String,
    edit_title: String,
    edit_body: String,
}

async fn saved_page(
    state: &AppState,
    s: &Signed,
    uri: Option<&Uri>,
    error: Option<(StatusCode, String)>,
    typed: Option<SavedForm>,
) -> Result<Response, PageFailure> {
    let f = fail(s.tr);
    let actor = &s.ctx.actor;
    let all = state.app.visible_saved_replies(actor).await.map_err(&f)?;
    let opds = state.app.list_opds(actor).await.map_err(&f)?;
    let can_edit = |opd: Option<OpdId>| match opd {
        Some(o) => actor.can_approve_replies_of(o),
        None => actor.can_manage_inbox_settings(),
    };
    let mut targets = Vec::new();
    if actor.can_manage_inbox_settings() {
        targets.push(Choice {
            value: "province".into(),
            label: s.tr.t("inbox-saved-province"),
        });
    }
    targets.extend(
        opd_choices(&opds)
            .into_iter()
            .zip(opds.iter())
            .filter(|(_, o)| actor.can_approve_replies_of(o.id))
            .map(|(c, _)| c),
    );
    let edit: Option<String> = uri.and_then(|u| query_params(u).get("edit").cloned());
    let editing = edit
        .as_deref()
        .and_then(|e| all.iter().find(|r| r.id.0.to_string() == e));
    let typed = typed.unwrap_or_else(|| SavedForm {
        id: editing.map(|r| r.id.0.to_string()).unwrap_or_default(),
        opd: editing
            .map(|r| r.opd.map_or_else(|| "province".into(), |o| o.to_string()))
            .unwrap_or_default(),
        title: editing.map(|r| r.title.clone()).unwrap_or_default(),
        body: editing.map(|r| r.body.clone()).unwrap_or_default(),
    });
    let (l, status) = admin_layout(state, s, "inbox-saved-title", uri, error);
    let page = SavedPage {
        rows: all
            .iter()
            .map(|r| SavedRow {
                id: r.id.0.to_string(),
                opd: r.opd.map_or_else(
                    || s.tr.t("inbox-saved-province"),
                    |o| opd_name(&opds, Some(o)),
                ),
                title: r.title.clone(),
                body: r.body.clone(),
                can_edit: can_edit(r.opd),
            })
            .collect(),
        targets,
        edit_id: typed.id,
        edit_opd: typed.opd,
        edit_title: typed.title,
        edit_body: typed.body,
        l,
    };
    Ok(render(status, &page, s.tr))
}

async fn saved_replies(
    State(state): State<AppState>,
    s: Signed,
    uri: Uri,
) -> Result<Response, PageFailure> {
    saved_page(&state, &s, Some(&uri), None, None).await
}

#[derive(Deserialize, Default)]
struct SavedForm {
    /// Empty for a new saved reply.
    #[serde(default)]
    id: String,
    /// An OPD id, or `province`.
    #[serde(default)]
    opd: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    body: String,
}

async fn put_saved_reply(
    State(state): State<AppState>,
    s: Signed,
    FormBody(form): FormBody<SavedForm>,
) -> Result<Response, PageFailure> {
    let id = match form.id.trim() {
        "" => Ok(None),
        raw => raw
            .parse::<Uuid>()
            .map(|u| Some(SavedReplyId(u)))
            .map_err(|_| AppError::NotFound("saved_reply")),
    };
    let opd = match form.opd.trim() {
        "province" | "" => Ok(None),
        raw => raw
            .parse::<OpdId>()
            .map(Some)
            .map_err(|_| AppError::UnknownReference("opd")),
    };
    let outcome = match (id, opd) {
        (Err(e), _) | (_, Err(e)) => Err(e),
        (Ok(id), Ok(opd)) => state
            .app
            .put_saved_reply(&s.ctx.actor, id, opd, &form.title, &form.body)
            .await
            .map(|_| ()),
    };
    match outcome {
        Ok(()) => Ok(done("/inbox/saved-replies", "saved")),
        Err(e) if is_page_failure(&e) => Err(fail(s.tr)(e)),
        Err(e) => saved_page(&state, &s, None, Some(detailed_error(e, s.tr)), Some(form)).await,
    }
}

async fn delete_saved_reply(
    State(state): State<AppState>,
    s: Signed,
    Path(id): Path<String>,
) -> Result<Response, PageFailure> {
    let id: Uuid = parse_path_id(&id, "saved_reply", s.tr)?;
    state
        .app
        .delete_saved_reply(&s.ctx.actor, SavedReplyId(id))
        .await
        .map_err(fail(s.tr))?;
    Ok(done("/inbox/saved-replies", "deleted"))
}

// --- Privacy ----------------------------------------------------------------------------------

struct RetentionRow {
    account_id: String,
    opd: String,
    platform: String,
    handle: String,
    days: String,
}

/// An erasure waiting for confirmation.
struct PendingErasure {
    platform: String,
    platform_label: String,
    handle: String,
}

#[derive(Template)]
#[template(path = "inbox_privacy.html")]
struct PrivacyPage {
    l: Layout,
    rows: Vec<RetentionRow>,
    platforms: Vec<Choice>,
    confirm: Option<PendingErasure>,
    erased: Option<String>,
}

async fn privacy_page(
    state: &AppState,
    s: &Signed,
    uri: Option<&Uri>,
    error: Option<(StatusCode, String)>,
    confirm: Option<PendingErasure>,
) -> Result<Response, PageFailure> {
    let f = fail(s.tr);
    let actor = &s.ctx.actor;
    // Asked first: it refuses everyone but the province, so nothing else is read for them.
    let periods = state.app.retention_periods(actor).await.map_err(&f)?;
    let accounts = state.app.list_accounts(actor, None).await.map_err(&f)?;
    let opds = state.app.list_opds(actor).await.map_err(&f)?;
    let (l, status) = admin_layout(state, s, "inbox-privacy-title", uri, error);
    let erased = uri
        .map(query_params)
        .and_then(|q| q.get("count").and_then(|c| c.parse::<u64>().ok()))
        .map(|n| {
            s.tr.t1(
                "inbox-privacy-erased-count",
                "count",
                &count(n, s.tr.locale),
            )
        });
    let page = PrivacyPage {
        rows: accounts
            .iter()
            .map(|a| RetentionRow {
                account_id: a.id.to_string(),
                opd: opd_name(&opds, Some(a.opd)),
                platform: s.tr.t(&format!("platform-{}", a.platform.as_str())),
                handle: a.handle.to_string(),
                days: periods
                    .iter()
                    .find(|(id, _)| *id == a.id)
                    .map(|(_, d)| d.to_string())
                    .unwrap_or_default(),
            })
            .collect(),
        platforms: Platform::ALL
            .iter()
            .map(|p| Choice {
                value: p.as_str().into(),
                label: s.tr.t(&format!("platform-{}", p.as_str())),
            })
            .collect(),
        confirm,
        erased,
        l,
    };
    Ok(render(status, &page, s.tr))
}

async fn privacy(
    State(state): State<AppState>,
    s: Signed,
    uri: Uri,
) -> Result<Response, PageFailure> {
    privacy_page(&state, &s, Some(&uri), None, None).await
}

#[derive(Deserialize)]
struct RetentionForm {
    #[serde(default)]
    account: String,
    /// Empty: keep until erased by request.
    #[serde(default)]
    days: String,
}

async fn set_retention(
    State(state): State<AppState>,
    s: Signed,
    FormBody(form): FormBody<RetentionForm>,
) -> Result<Response, PageFailure> {
    let days = match form.days.trim() {
        "" => Ok(None),
        raw => raw.parse::<u32>().map(Some).map_err(|_| {
            AppError::Invalid(humas_domain::ValueError::unknown(
                "retention",
                raw,
                "a whole number of days from 1 to 3650, or empty to keep",
            ))
        }),
    };
    let outcome = match (form.account.trim().parse(), days) {
        (Err(_), _) => Err(AppError::UnknownReference("account")),
        (Ok(_), Err(e)) => Err(e),
        (Ok(account), Ok(days)) => state.app.set_retention(&s.ctx.actor, account, days).await,
    };
    match outcome {
        Ok(()) => Ok(done("/inbox/privacy", "saved")),
        Err(e) if is_page_failure(&e) => Err(fail(s.tr)(e)),
        Err(e) => privacy_page(&state, &s, None, Some(detailed_error(e, s.tr)), None).await,
    }
}

#[derive(Deserialize)]
struct EraseForm {
    #[serde(default)]
    platform: String,
    #[serde(default)]
    handle: String,
    /// `yes` after the confirmation step.
    #[serde(default)]
    confirm: String,
}

async fn erase(
    State(state): State<AppState>,
    s: Signed,
    FormBody(form): FormBody<EraseForm>,
) -> Result<Response, PageFailure> {
    let actor = &s.ctx.actor;
    if !actor.can_manage_inbox_settings() {
        return Err(fail(s.tr)(AppError::Forbidden));
    }
    if form.confirm != "yes" {
        // First step: check the input, then ask again with what will be erased.
        let checked = Platform::parse(&form.platform)
            .map_err(AppError::from)
            .and_then(|p| {
                humas_domain::inbox::Author::parse(&form.handle, None)
                    .map(|a| (p, a.handle))
                    .map_err(AppError::from)
            });
        return match checked {
            Ok((platform, handle)) => {
                let pending = PendingErasure {
                    platform: platform.as_str().into(),
                    platform_label: s.tr.t(&format!("platform-{}", platform.as_str())),
                    handle,
                };
                privacy_page(&state, &s, None, None, Some(pending)).await
            }
            Err(e) => privacy_page(&state, &s, None, Some(detailed_error(e, s.tr)), None).await,
        };
    }
    match state
        .app
        .erase_author(actor, &form.platform, &form.handle)
        .await
    {
        Ok(n) => Ok(done(&format!("/inbox/privacy?count={n}"), "erased")),
        Err(e) if is_page_failure(&e) => Err(fail(s.tr)(e)),
        Err(e) => privacy_page(&state, &s, None, Some(detailed_error(e, s.tr)), None).await,
    }
}

// --- Compliance -------------------------------------------------------------------------------

struct ComplianceView {
    opd: String,
    operator: String,
    with_deadline: String,
    first_met: String,
    first_breached: String,
    resolution_met: String,
    resolution_breached: String,
    pending: String,
    percent: String,
}

#[derive(Template)]
#[template(path = "inbox_compliance.html")]
struct CompliancePage {
    l: Layout,
    from: String,
    to: String,
    per_operator: bool,
    rows: Vec<ComplianceView>,
    total: Option<ComplianceView>,
}

/// Met deadlines out of judged ones (met + breached), both clocks together.
fn met_share(r: &ComplianceRow) -> (u64, u64) {
    let met = r.first_response_met + r.resolution_met;
    (met, met + r.first_response_breached + r.resolution_breached)
}

fn compliance_view(r: &ComplianceRow, opd: String, operator: String, tr: Tr) -> ComplianceView {
    let (met, judged) = met_share(r);
    let c = |n: u64| count(n, tr.locale);
    ComplianceView {
        opd,
        operator,
        with_deadline: c(r.with_deadline),
        first_met: c(r.first_response_met),
        first_breached: c(r.first_response_breached),
        resolution_met: c(r.resolution_met),
        resolution_breached: c(r.resolution_breached),
        pending: c(r.pending),
        percent: percent(met, judged, tr.locale),
    }
}

fn sum_rows(rows: &[ComplianceRow]) -> ComplianceRow {
    rows.iter().fold(ComplianceRow::default(), |mut t, r| {
        t.with_deadline += r.with_deadline;
        t.first_response_met += r.first_response_met;
        t.first_response_breached += r.first_response_breached;
        t.resolution_met += r.resolution_met;
        t.resolution_breached += r.resolution_breached;
        t.pending += r.pending;
        t
    })
}

async fn operator_names(
    state: &AppState,
    s: &Signed,
    rows: &[ComplianceRow],
) -> Vec<(UserId, String)> {
    let mut names = Vec::new();
    let mut seen = Vec::new();
    for opd in rows.iter().filter_map(|r| r.opd) {
        if seen.contains(&opd) {
            continue;
        }
        seen.push(opd);
        if let Ok(people) = state.app.inbox_people(&s.ctx.actor, opd).await {
            names.extend(
                people
                    .into_iter()
                    .map(|u| (u.id, u.display_name.to_string())),
            );
        }
    }
    names
}

async fn compliance(
    State(state): State<AppState>,
    s: Signed,
    uri: Uri,
) -> Result<Response, PageFailure> {
    let f = fail(s.tr);
    let q = query_params(&uri);
    let (default_from, default_to) = default_period(&state);
    let from_raw = q
        .get("from")
        .cloned()
        .unwrap_or_else(|| default_from.to_string());
    let to_raw = q
        .get("to")
        .cloned()
        .unwrap_or_else(|| default_to.to_string());
    let per_operator = q.get("per").is_some_and(|p| p == "operator");
    let range = humas_domain::parse_date(&from_raw)
        .and_then(|a| humas_domain::parse_date(&to_raw).map(|b| (a, b)))
        .map_err(AppError::from)
        .and_then(|(a, b)| day_range(a, b));
    let (rows, error) = match range {
        Ok((from, to)) => (
            state
                .app
                .compliance(&s.ctx.actor, from, to, per_operator)
                .await
                .map_err(&f)?,
            None,
        ),
        Err(e) => (Vec::new(), Some(detailed_error(e, s.tr))),
    };
    let opds = state.app.list_opds(&s.ctx.actor).await.map_err(&f)?;
    let names = if per_operator {
        operator_names(&state, &s, &rows).await
    } else {
        Vec::new()
    };
    let nobody = s.tr.t("inbox-nobody");
    let views = rows
        .iter()
        .map(|r| {
            let operator = r.assignee.map_or_else(
                || nobody.clone(),
                |id| {
                    names
                        .iter()
                        .find(|(u, _)| *u == id)
                        .map_or_else(|| id.to_string(), |(_, n)| n.clone())
                },
            );
            compliance_view(r, opd_name(&opds, r.opd), operator, s.tr)
        })
        .collect();
    let total = (rows.len() > 1)
        .then(|| compliance_view(&sum_rows(&rows), s.tr.t("inbox-total"), String::new(), s.tr));
    let (l, status) = admin_layout(&state, &s, "inbox-compliance-title", None, error);
    let page = CompliancePage {
        from: from_raw,
        to: to_raw,
        per_operator,
        rows: views,
        total,
        l,
    };
    Ok(render(status, &page, s.tr))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_are_split_on_character_boundaries() {
        assert_eq!(
            split_at_error("banjir AND", 7),
            ("banjir ".into(), "A".into(), "ND".into())
        );
        // Byte 2 is inside `é`: the split moves back to its start.
        assert_eq!(
            split_at_error("aé b", 2),
            ("a".into(), "é".into(), " b".into())
        );
        assert_eq!(
            split_at_error("ab", 99),
            ("ab".into(), String::new(), String::new())
        );
    }

    #[test]
    fn compliance_shares_count_both_clocks() {
        let r = ComplianceRow {
            first_response_met: 6,
            first_response_breached: 1,
            resolution_met: 1,
            resolution_breached: 0,
            ..ComplianceRow::default()
        };
        assert_eq!(met_share(&r), (7, 8));
        let v = compliance_view(
            &r,
            "Dinkes".into(),
            String::new(),
            Tr::new(humas_domain::Locale::Id),
        );
        assert_eq!(v.percent, "87,5 %");
    }
}
