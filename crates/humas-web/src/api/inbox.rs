//! `/api/v1/messages`, `/api/v1/replies` and `/api/v1/compliance`: the inbox for API clients.
//!
//! The message list takes the same filters as the inbox page, as query parameters, and pages
//! with the keyset cursor the application returns (`next_cursor`, passed back as `?cursor=`).

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use humas_app::AppError;
use humas_app::inbox::{Conversation, InboxFilter};
use humas_domain::inbox::{Category, HateCategory, Message, PiiKind, Status};
use humas_domain::sla::deadline_state;
use humas_domain::{MessageId, UserId, ValueError};
use humas_store::{ComplianceRow, Note, Reply, ReplyId};
use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::query::{Page, Params, bad_query};
use super::{BASE, IdPath, created};
use crate::AppState;
use crate::error::Failure;
use crate::extract::{ApiCaller, ApiJson};
use crate::routes::Routes;
use axum::routing::{get, post};

/// The query parameters of `GET /api/v1/messages`.
pub(super) const MESSAGE_PARAMS: [&str; 14] = [
    "platform",
    "account",
    "sentiment",
    "abusive",
    "hate",
    "pii",
    "category",
    "status",
    "assignee",
    "from",
    "to",
    "deadline",
    "q",
    "cursor",
];

/// The query parameters of `GET /api/v1/compliance`.
pub(super) const COMPLIANCE_PARAMS: [&str; 3] = ["from", "to", "per"];

/// Registers the inbox endpoints.
pub(super) fn routes(r: Routes) -> Routes {
    r.add("GET", "/api/v1/messages", get(list_messages))
        .add("GET", "/api/v1/messages/{id}", get(get_message))
        .add("POST", "/api/v1/messages/{id}/assign", post(assign))
        .add("POST", "/api/v1/messages/{id}/status", post(set_status))
        .add("POST", "/api/v1/messages/{id}/category", post(set_category))
        .add("POST", "/api/v1/messages/{id}/notes", post(add_note))
        .add("POST", "/api/v1/messages/{id}/replies", post(draft_reply))
        .add("POST", "/api/v1/replies/{id}/approve", post(approve_reply))
        .add("POST", "/api/v1/replies/{id}/reject", post(reject_reply))
        .add("GET", "/api/v1/compliance", get(compliance))
}

// --- Wire shapes ------------------------------------------------------------------------------

/// Who wrote a message.
#[derive(Debug, Serialize)]
pub(crate) struct AuthorDto {
    pub handle: String,
    pub display_name: Option<String>,
}

/// What the text engine found.
#[derive(Debug, Serialize)]
pub(crate) struct AnalysisDto {
    pub sentiment: Option<&'static str>,
    pub abusive: bool,
    pub hate_speech: bool,
    pub hate_categories: Vec<&'static str>,
    pub threat: bool,
    pub personal_data: Vec<&'static str>,
}

/// Where a message is in its handling.
#[derive(Debug, Serialize)]
pub(crate) struct WorkflowDto {
    pub status: &'static str,
    pub assignee_id: Option<Uuid>,
    pub category: Option<&'static str>,
    pub suggested_category: Option<&'static str>,
    pub first_response_due: Option<String>,
    pub resolution_due: Option<String>,
    pub first_response_at: Option<String>,
    pub resolved_at: Option<String>,
    pub deadline_state: &'static str,
}

/// A message, masked for the caller as the application returns it.
#[derive(Debug, Serialize)]
pub(crate) struct MessageDto {
    pub id: Uuid,
    pub opd_id: Uuid,
    pub account_id: Uuid,
    pub platform: &'static str,
    pub kind: &'static str,
    pub external_id: String,
    pub author: AuthorDto,
    pub title: Option<String>,
    pub text: String,
    pub permalink: Option<String>,
    pub published_at: String,
    pub received_at: String,
    pub erased_at: Option<String>,
    pub analysis: AnalysisDto,
    pub workflow: WorkflowDto,
}

fn time(t: Timestamp) -> String {
    t.to_string()
}

impl MessageDto {
    fn new(m: &Message, now: Timestamp) -> Self {
        let a = &m.analysis;
        let w = &m.workflow;
        Self {
            id: m.id.as_uuid(),
            opd_id: m.opd.as_uuid(),
            account_id: m.account.as_uuid(),
            platform: m.inbound.platform.as_str(),
            kind: m.inbound.kind.as_str(),
            external_id: m.inbound.external_id.as_ref().to_owned(),
            author: AuthorDto {
                handle: m.inbound.author.handle.clone(),
                display_name: m.inbound.author.display_name.clone(),
            },
            title: m.inbound.title.clone(),
            text: m.inbound.text.clone(),
            permalink: m.inbound.permalink.clone(),
            published_at: time(m.inbound.published_at),
            received_at: time(m.received_at),
            erased_at: m.erased_at.map(time),
            analysis: AnalysisDto {
                sentiment: a.sentiment.map(|s| s.as_str()),
                abusive: a.abusive,
                hate_speech: a.hate_speech,
                hate_categories: HateCategory::in_flags(a.hate_categories)
                    .into_iter()
                    .map(HateCategory::as_str)
                    .collect(),
                threat: a.threat,
                personal_data: PiiKind::in_flags(a.pii)
                    .into_iter()
                    .map(PiiKind::as_str)
                    .collect(),
            },
            workflow: WorkflowDto {
                status: w.status.as_str(),
                assignee_id: w.assignee.map(|u| u.as_uuid()),
                category: w.category.map(Category::as_str),
                suggested_category: w.suggested_category.map(Category::as_str),
                first_response_due: w.first_response_due.map(time),
                resolution_due: w.resolution_due.map(time),
                first_response_at: w.first_response_at.map(time),
                resolved_at: w.resolved_at.map(time),
                deadline_state: deadline_state(w, now, humas_app::inbox::query::DUE_SOON).as_str(),
            },
        }
    }
}

/// An internal note.
#[derive(Debug, Serialize)]
pub(crate) struct NoteDto {
    pub id: Uuid,
    pub author_id: Uuid,
    pub author_name: String,
    pub text: String,
    pub created_at: String,
}

impl From<&Note> for NoteDto {
    fn from(n: &Note) -> Self {
        Self {
            id: n.id.as_uuid(),
            author_id: n.author.as_uuid(),
            author_name: n.author_name.clone(),
            text: n.text.clone(),
            created_at: time(n.created_at),
        }
    }
}

/// A reply and where it is on its way to the platform.
#[derive(Debug, Serialize)]
pub(crate) struct ReplyDto {
    pub id: Uuid,
    pub message_id: Uuid,
    pub text: String,
    pub state: &'static str,
    pub drafted_by: Uuid,
    pub approved_by: Option<Uuid>,
    pub external_id: Option<String>,
    pub error: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

impl From<&Reply> for ReplyDto {
    fn from(r: &Reply) -> Self {
        Self {
            id: r.id.0,
            message_id: r.message.as_uuid(),
            text: r.text.clone(),
            state: r.state.as_str(),
            drafted_by: r.drafted_by.as_uuid(),
            approved_by: r.approved_by.map(|u| u.as_uuid()),
            external_id: r.external_id.clone(),
            error: r.error.clone(),
            created_at: time(r.created_at),
            updated_at: time(r.updated_at),
        }
    }
}

/// A message with its thread, notes and replies.
#[derive(Debug, Serialize)]
pub(crate) struct ConversationDto {
    pub message: MessageDto,
    pub thread: Vec<MessageDto>,
    pub notes: Vec<NoteDto>,
    pub replies: Vec<ReplyDto>,
}

impl ConversationDto {
    fn new(c: &Conversation, now: Timestamp) -> Self {
        Self {
            message: MessageDto::new(&c.message, now),
            thread: c.thread.iter().map(|m| MessageDto::new(m, now)).collect(),
            notes: c.notes.iter().map(NoteDto::from).collect(),
            replies: c.replies.iter().map(ReplyDto::from).collect(),
        }
    }
}

/// Response-clock figures for one OPD (and operator).
#[derive(Debug, Serialize)]
pub(crate) struct ComplianceDto {
    pub opd_id: Option<Uuid>,
    pub assignee_id: Option<Uuid>,
    pub with_deadline: u64,
    pub first_response_met: u64,
    pub first_response_breached: u64,
    pub resolution_met: u64,
    pub resolution_breached: u64,
    pub pending: u64,
    /// Met deadlines out of met + breached ones, 0–100; `null` when none was judged yet.
    pub met_percent: Option<f64>,
}

impl From<&ComplianceRow> for ComplianceDto {
    fn from(r: &ComplianceRow) -> Self {
        let met = r.first_response_met + r.resolution_met;
        let judged = met + r.first_response_breached + r.resolution_breached;
        // Counts stay far below 2^52, where u64 → f64 starts to round.
        #[allow(clippy::cast_precision_loss)]
        let met_percent = (judged > 0).then(|| (met as f64) * 100.0 / (judged as f64));
        Self {
            opd_id: r.opd.map(|o| o.as_uuid()),
            assignee_id: r.assignee.map(|u| u.as_uuid()),
            with_deadline: r.with_deadline,
            first_response_met: r.first_response_met,
            first_response_breached: r.first_response_breached,
            resolution_met: r.resolution_met,
            resolution_breached: r.resolution_breached,
            pending: r.pending,
            met_percent,
        }
    }
}

/// The compliance answer: its period and rows.
#[derive(Debug, Serialize)]
pub(crate) struct ComplianceReportDto {
    pub from: String,
    pub to: String,
    pub per: &'static str,
    pub items: Vec<ComplianceDto>,
}

// --- What the API accepts ---------------------------------------------------------------------

/// `me`, a person's id, or `null` to unassign.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct AssignBody {
    assignee: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct StatusBody {
    status: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct CategoryBody {
    category: String,
}

/// A note or a reply.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct TextBody {
    text: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ReasonBody {
    reason: String,
}

// --- Periods ---------------------------------------------------------------------------------

/// The province's zone, where calendar days and date ranges are counted.
pub(crate) fn province_zone() -> TimeZone {
    TimeZone::get("Asia/Jakarta").unwrap_or(TimeZone::UTC)
}

/// `[from, to]` as instants: the start of `from` and the end of `to` in the province's zone.
///
/// # Errors
/// `Invalid` when `to` is before `from`, or a day beyond the calendar's range.
pub(crate) fn day_range(from: Date, to: Date) -> Result<(Timestamp, Timestamp), AppError> {
    if to < from {
        return Err(ValueError::DateRange.into());
    }
    let zone = province_zone();
    let start = from
        .to_zoned(zone.clone())
        .map_err(|_| AppError::Invalid(ValueError::Date))?;
    let end = to
        .tomorrow()
        .and_then(|d| d.to_zoned(zone))
        .map_err(|_| AppError::Invalid(ValueError::Date))?;
    Ok((start.timestamp(), end.timestamp()))
}

/// The default compliance period: the first of this month to today, in the province's zone.
pub(crate) fn default_period(state: &AppState) -> (Date, Date) {
    let today = state.app.clock().now().to_zoned(province_zone()).date();
    (today.first_of_month(), today)
}

// --- Handlers ---------------------------------------------------------------------------------

fn filter(params: &Params) -> InboxFilter {
    let get = |k: &str| params.text(k).map(str::to_owned);
    InboxFilter {
        platform: get("platform"),
        account: get("account"),
        sentiment: get("sentiment"),
        abusive: get("abusive"),
        hate: get("hate"),
        pii: get("pii"),
        category: get("category"),
        status: get("status"),
        assignee: get("assignee"),
        from: get("from"),
        to: get("to"),
        deadline: get("deadline"),
        q: get("q"),
        before: get("cursor"),
    }
}

pub(super) async fn list_messages(
    State(state): State<AppState>,
    ApiCaller(ctx): ApiCaller,
    uri: Uri,
) -> Result<Json<Page<MessageDto>>, Failure> {
    let params = Params::read(&uri, &MESSAGE_PARAMS)?;
    let page = state.app.inbox(&ctx.actor, &filter(&params)).await?;
    let now = state.app.clock().now();
    Ok(Json(Page {
        items: page
            .messages
            .iter()
            .map(|m| MessageDto::new(m, now))
            .collect(),
        next_cursor: page.next,
    }))
}

pub(super) async fn get_message(
    State(state): State<AppState>,
    ApiCaller(ctx): ApiCaller,
    IdPath(id): IdPath<MessageId>,
) -> Result<Json<ConversationDto>, Failure> {
    let c = state.app.conversation(&ctx.actor, id).await?;
    Ok(Json(ConversationDto::new(&c, state.app.clock().now())))
}

/// The message as it is after a change, for the caller.
async fn message_now(
    state: &AppState,
    ctx: &humas_app::SessionContext,
    id: MessageId,
) -> Result<Json<MessageDto>, Failure> {
    let m = state.app.message(&ctx.actor, id).await?;
    Ok(Json(MessageDto::new(&m, state.app.clock().now())))
}

pub(super) async fn assign(
    State(state): State<AppState>,
    ApiCaller(ctx): ApiCaller,
    IdPath(id): IdPath<MessageId>,
    ApiJson(body): ApiJson<AssignBody>,
) -> Result<Json<MessageDto>, Failure> {
    let who: Option<UserId> = match body.assignee.as_deref().map(str::trim) {
        None | Some("") => None,
        Some("me") => Some(ctx.actor.user_id),
        Some(raw) => Some(
            raw.parse()
                .map_err(|_| AppError::UnknownReference("user"))?,
        ),
    };
    state.app.assign(&ctx.actor, id, who).await?;
    message_now(&state, &ctx, id).await
}

pub(super) async fn set_status(
    State(state): State<AppState>,
    ApiCaller(ctx): ApiCaller,
    IdPath(id): IdPath<MessageId>,
    ApiJson(body): ApiJson<StatusBody>,
) -> Result<Json<MessageDto>, Failure> {
    let status = Status::parse(&body.status).map_err(AppError::from)?;
    state.app.set_status(&ctx.actor, id, status).await?;
    message_now(&state, &ctx, id).await
}

pub(super) async fn set_category(
    State(state): State<AppState>,
    ApiCaller(ctx): ApiCaller,
    IdPath(id): IdPath<MessageId>,
    ApiJson(body): ApiJson<CategoryBody>,
) -> Result<Json<MessageDto>, Failure> {
    let category = Category::parse(&body.category).map_err(AppError::from)?;
    state.app.set_category(&ctx.actor, id, category).await?;
    message_now(&state, &ctx, id).await
}

pub(super) async fn add_note(
    State(state): State<AppState>,
    ApiCaller(ctx): ApiCaller,
    IdPath(id): IdPath<MessageId>,
    ApiJson(body): ApiJson<TextBody>,
) -> Result<Response, Failure> {
    let note = state.app.add_note(&ctx.actor, id, &body.text).await?;
    Ok(created(
        format!("{BASE}/messages/{id}"),
        NoteDto::from(&note),
    ))
}

pub(super) async fn draft_reply(
    State(state): State<AppState>,
    ApiCaller(ctx): ApiCaller,
    IdPath(id): IdPath<MessageId>,
    ApiJson(body): ApiJson<TextBody>,
) -> Result<Response, Failure> {
    let reply = state.app.draft_reply(&ctx.actor, id, &body.text).await?;
    Ok(created(
        format!("{BASE}/messages/{id}"),
        ReplyDto::from(&reply),
    ))
}

pub(super) async fn approve_reply(
    State(state): State<AppState>,
    ApiCaller(ctx): ApiCaller,
    IdPath(id): IdPath<Uuid>,
) -> Result<Json<ReplyDto>, Failure> {
    let reply = state.app.approve_reply(&ctx.actor, ReplyId(id)).await?;
    Ok(Json(ReplyDto::from(&reply)))
}

pub(super) async fn reject_reply(
    State(state): State<AppState>,
    ApiCaller(ctx): ApiCaller,
    IdPath(id): IdPath<Uuid>,
    ApiJson(body): ApiJson<ReasonBody>,
) -> Result<StatusCode, Failure> {
    state
        .app
        .reject_reply(&ctx.actor, ReplyId(id), &body.reason)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

pub(super) async fn compliance(
    State(state): State<AppState>,
    ApiCaller(ctx): ApiCaller,
    uri: Uri,
) -> Result<Json<ComplianceReportDto>, Failure> {
    let params = Params::read(&uri, &COMPLIANCE_PARAMS)?;
    let (default_from, default_to) = default_period(&state);
    let from = params
        .parse("from", "a date as YYYY-MM-DD")?
        .unwrap_or(default_from);
    let to = params
        .parse("to", "a date as YYYY-MM-DD")?
        .unwrap_or(default_to);
    let per = match params.text("per") {
        None | Some("opd") => "opd",
        Some("operator") => "operator",
        Some(other) => {
            return Err(bad_query(format!(
                "`per` must be `opd` or `operator`, got `{other}`"
            )));
        }
    };
    let (start, end) = day_range(from, to)?;
    let rows = state
        .app
        .compliance(&ctx.actor, start, end, per == "operator")
        .await?;
    Ok(Json(ComplianceReportDto {
        from: from.to_string(),
        to: to.to_string(),
        per,
        items: rows.iter().map(ComplianceDto::from).collect(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_day_range_covers_whole_days_in_wib() {
        let (a, b) =
            day_range("2026-11-01".parse().unwrap(), "2026-11-30".parse().unwrap()).unwrap();
        assert_eq!(a.to_string(), "2026-10-31T17:00:00Z");
        assert_eq!(b.to_string(), "2026-11-30T17:00:00Z");
        assert!(day_range("2026-11-30".parse().unwrap(), "2026-11-01".parse().unwrap()).is_err());
    }

    #[test]
    fn compliance_percent_is_null_until_something_is_judged() {
        let empty = ComplianceDto::from(&ComplianceRow::default());
        assert_eq!(empty.met_percent, None);
        let r = ComplianceRow {
            first_response_met: 7,
            first_response_breached: 1,
            ..ComplianceRow::default()
        };
        assert_eq!(ComplianceDto::from(&r).met_percent, Some(87.5));
    }

    #[test]
    fn bodies_refuse_unknown_fields() {
        assert!(serde_json::from_str::<TextBody>(r#"{"txt":"x"}"#).is_err());
        let a: AssignBody = serde_json::from_str(r#"{"assignee":null}"#).unwrap();
        assert!(a.assignee.is_none());
    }
}
