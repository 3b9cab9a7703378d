//! `/api/v1/calendar`, `/api/v1/posts/{id}/reschedule` and an account's publishing slots
//! (`/api/v1/accounts/{id}/slots`, `/api/v1/accounts/{id}/next-slot`).
//!
//! Local times are read and written in a zone: the caller's own unless `?zone=` (or the body's
//! `zone`) says `wib`, `wita` or `wit`. Instants are RFC 3339 in UTC.

use axum::Json;
use axum::extract::State;
use axum::http::Uri;
use axum::routing::{get, post, put};
use humas_app::publish::calendar::{Calendar, CalendarSpan, span_bounds};
use humas_domain::publish::slots::Slot;
use humas_domain::publish::{Post, zone};
use humas_domain::{AccountId, PostId, UserZone};
use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::IdPath;
use super::query::{Params, bad_query};
use crate::AppState;
use crate::error::Failure;
use crate::extract::{ApiCaller, ApiJson};
use crate::routes::Routes;

/// Every code the calendar, slots and narratives can refuse with besides
/// [`crate::error::ALL_CODES`] and the publishing codes. Each has a message in both languages
/// (`error-<code>`, tested).
pub(crate) const CALENDAR_ERROR_CODES: &[&str] = &[
    "no_slots",
    "no_free_slot",
    "empty_narrative",
    "too_many_key_messages",
    "key_message_too_long",
    "narrative_opds",
];

/// The query parameters of `GET /api/v1/calendar`.
pub(super) const CALENDAR_PARAMS: [&str; 4] = ["view", "date", "opd", "zone"];

/// Registers the calendar and slot endpoints.
pub(super) fn routes(r: Routes) -> Routes {
    r.add("GET", "/api/v1/calendar", get(calendar))
        .add("POST", "/api/v1/posts/{id}/reschedule", post(reschedule))
        .add("GET", "/api/v1/accounts/{id}/slots", get(account_slots))
        .add("PUT", "/api/v1/accounts/{id}/slots", put(set_account_slots))
        .add("GET", "/api/v1/accounts/{id}/next-slot", get(next_slot))
}

// --- Wire shapes ------------------------------------------------------------------------------

/// A post as the calendar shows it.
#[derive(Debug, Serialize)]
pub(crate) struct CalendarPostDto {
    pub id: Uuid,
    pub opd_id: Uuid,
    pub title: String,
    pub state: &'static str,
    /// When it goes out; `null` for "as soon as approved".
    pub scheduled_at: Option<String>,
    /// The same moment as a local `YYYY-MM-DDTHH:MM` in the answer's zone.
    pub local_time: Option<String>,
    pub platforms: Vec<&'static str>,
    pub account_ids: Vec<Uuid>,
    pub narrative_id: Option<Uuid>,
}

impl CalendarPostDto {
    pub(crate) fn new(p: &Post, zone_of_answer: UserZone) -> Self {
        let mut platforms: Vec<&'static str> = Vec::new();
        for c in &p.channels {
            if !platforms.contains(&c.platform.as_str()) {
                platforms.push(c.platform.as_str());
            }
        }
        Self {
            id: p.id.as_uuid(),
            opd_id: p.opd.as_uuid(),
            title: p.title.clone(),
            state: p.state.as_str(),
            scheduled_at: p.scheduled_at.map(|t| t.to_string()),
            local_time: p.scheduled_at.map(|t| local(t, zone_of_answer)),
            platforms,
            account_ids: p.channels.iter().map(|c| c.account.as_uuid()).collect(),
            narrative_id: p.narrative.map(|n| n.as_uuid()),
        }
    }
}

/// One day of the calendar.
#[derive(Debug, Serialize)]
pub(crate) struct CalendarDayDto {
    pub date: String,
    /// Whether the day belongs to the month asked for (month views show whole weeks).
    pub in_range: bool,
    pub posts: Vec<CalendarPostDto>,
}

/// A week or month of posts.
#[derive(Debug, Serialize)]
pub(crate) struct CalendarDto {
    pub view: &'static str,
    pub zone: &'static str,
    pub opd_id: Option<Uuid>,
    pub from: String,
    pub to: String,
    pub days: Vec<CalendarDayDto>,
    /// Open drafts and posts in review that have no time yet.
    pub unscheduled: Vec<CalendarPostDto>,
}

/// One weekly slot, in WIB.
#[derive(Debug, Serialize)]
pub(crate) struct SlotDto {
    /// ISO weekday, 1 = Monday … 7 = Sunday.
    pub weekday: u8,
    /// `HH:MM`, WIB.
    pub time: String,
    /// As `PUT` takes it: `"1 07:00"`.
    pub label: String,
}

impl From<&Slot> for SlotDto {
    fn from(s: &Slot) -> Self {
        Self {
            weekday: s.weekday,
            time: format!("{:02}:{:02}", s.minute / 60, s.minute % 60),
            label: s.label(),
        }
    }
}

/// An account's weekly slots.
#[derive(Debug, Serialize)]
pub(crate) struct SlotsDto {
    pub account_id: Uuid,
    /// Slots are kept in WIB.
    pub zone: &'static str,
    pub slots: Vec<SlotDto>,
}

/// The next free slot.
#[derive(Debug, Serialize)]
pub(crate) struct NextSlotDto {
    pub account_id: Uuid,
    pub at: String,
    pub local_time: String,
    pub zone: &'static str,
}

// --- What the API accepts ---------------------------------------------------------------------

/// A new time for a post.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RescheduleBody {
    /// `YYYY-MM-DDTHH:MM`, local.
    at: String,
    /// The zone `at` is written in; the caller's own when absent.
    #[serde(default)]
    zone: Option<String>,
}

/// An account's whole set of weekly slots.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SlotsBody {
    /// `"1 07:00"` each (ISO weekday, 24-hour time, WIB).
    slots: Vec<String>,
}

// --- Helpers ----------------------------------------------------------------------------------

fn local(t: Timestamp, zone_of_answer: UserZone) -> String {
    zone::to_local(t, zone_of_answer)
        .strftime("%Y-%m-%dT%H:%M")
        .to_string()
}

/// A zone named by the caller, or the caller's own.
pub(crate) fn zone_or(raw: Option<&str>, own: UserZone) -> Result<UserZone, Failure> {
    match raw.map(str::trim).filter(|z| !z.is_empty()) {
        None => Ok(own),
        Some(z) => UserZone::parse(&z.to_ascii_lowercase())
            .map_err(|_| bad_query(format!("`zone` must be wib, wita or wit, got `{z}`"))),
    }
}

fn span_of(params: &Params) -> Result<CalendarSpan, Failure> {
    match params.text("view") {
        None | Some("week") => Ok(CalendarSpan::Week),
        Some("month") => Ok(CalendarSpan::Month),
        Some(other) => Err(bad_query(format!(
            "`view` must be `week` or `month`, got `{other}`"
        ))),
    }
}

fn calendar_dto(
    cal: &Calendar,
    span: CalendarSpan,
    day: Date,
    opd: Option<humas_domain::OpdId>,
    zone_of_answer: UserZone,
) -> CalendarDto {
    let (from, to, _, _) = span_bounds(span, day);
    CalendarDto {
        view: match span {
            CalendarSpan::Week => "week",
            CalendarSpan::Month => "month",
        },
        zone: zone_of_answer.as_str(),
        opd_id: opd.map(|o| o.as_uuid()),
        from: from.to_string(),
        to: to.to_string(),
        days: cal
            .days
            .iter()
            .map(|d| CalendarDayDto {
                date: d.date.to_string(),
                in_range: d.in_range,
                posts: d
                    .posts
                    .iter()
                    .map(|p| CalendarPostDto::new(p, zone_of_answer))
                    .collect(),
            })
            .collect(),
        unscheduled: cal
            .unscheduled
            .iter()
            .map(|p| CalendarPostDto::new(p, zone_of_answer))
            .collect(),
    }
}

// --- Handlers ---------------------------------------------------------------------------------

pub(super) async fn calendar(
    State(state): State<AppState>,
    ApiCaller(ctx): ApiCaller,
    uri: Uri,
) -> Result<Json<CalendarDto>, Failure> {
    let params = Params::read(&uri, &CALENDAR_PARAMS)?;
    let span = span_of(&params)?;
    let zone_of_answer = zone_or(params.text("zone"), ctx.user.zone)?;
    let today = zone::to_local(state.app.clock().now(), zone_of_answer).date();
    let day: Date = params
        .parse("date", "a date as YYYY-MM-DD")?
        .unwrap_or(today);
    let opd = params.parse("opd", "an OPD id")?;
    let cal = state
        .app
        .calendar(&ctx.actor, opd, span, day, zone_of_answer)
        .await?;
    Ok(Json(calendar_dto(&cal, span, day, opd, zone_of_answer)))
}

pub(super) async fn reschedule(
    State(state): State<AppState>,
    ApiCaller(ctx): ApiCaller,
    IdPath(id): IdPath<PostId>,
    ApiJson(body): ApiJson<RescheduleBody>,
) -> Result<Json<CalendarPostDto>, Failure> {
    let zone_of_input = zone_or(body.zone.as_deref(), ctx.user.zone).map_err(|f| {
        Failure::new(
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_choice",
            f.message,
        )
    })?;
    let post = state
        .app
        .reschedule_post(&ctx.actor, id, &body.at, zone_of_input)
        .await?;
    Ok(Json(CalendarPostDto::new(&post, zone_of_input)))
}

pub(super) async fn account_slots(
    State(state): State<AppState>,
    ApiCaller(ctx): ApiCaller,
    IdPath(id): IdPath<AccountId>,
) -> Result<Json<SlotsDto>, Failure> {
    let slots = state.app.account_slots(&ctx.actor, id).await?;
    Ok(Json(slots_dto(id, &slots)))
}

fn slots_dto(id: AccountId, slots: &[Slot]) -> SlotsDto {
    SlotsDto {
        account_id: id.as_uuid(),
        zone: UserZone::Wib.as_str(),
        slots: slots.iter().map(SlotDto::from).collect(),
    }
}

pub(super) async fn set_account_slots(
    State(state): State<AppState>,
    ApiCaller(ctx): ApiCaller,
    IdPath(id): IdPath<AccountId>,
    ApiJson(body): ApiJson<SlotsBody>,
) -> Result<Json<SlotsDto>, Failure> {
    let slots = state
        .app
        .set_account_slots(&ctx.actor, id, &body.slots)
        .await?;
    Ok(Json(slots_dto(id, &slots)))
}

pub(super) async fn next_slot(
    State(state): State<AppState>,
    ApiCaller(ctx): ApiCaller,
    IdPath(id): IdPath<AccountId>,
    uri: Uri,
) -> Result<Json<NextSlotDto>, Failure> {
    let params = Params::read(&uri, &["zone"])?;
    let zone_of_answer = zone_or(params.text("zone"), ctx.user.zone)?;
    let at = state.app.next_free_slot(&ctx.actor, id).await?;
    Ok(Json(NextSlotDto {
        account_id: id.as_uuid(),
        at: at.to_string(),
        local_time: local(at, zone_of_answer),
        zone: zone_of_answer.as_str(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_refusal_code_is_produced_and_translated() {
        use crate::i18n::Tr;
        use humas_domain::Locale;
        let app = include_str!("../../../humas-app/src/publish/calendar.rs").to_owned()
            + include_str!("../../../humas-app/src/publish/narrative.rs");
        for code in CALENDAR_ERROR_CODES {
            assert!(
                app.contains(&format!("\"{code}\"")),
                "{code} is listed but never produced"
            );
            for lang in [Locale::Id, Locale::En] {
                assert!(
                    Tr::new(lang).has(&format!("error-{code}")),
                    "error-{code} missing in {lang}"
                );
            }
        }
    }

    #[test]
    fn zones_default_to_the_callers_own() {
        assert_eq!(zone_or(None, UserZone::Wit).unwrap(), UserZone::Wit);
        assert_eq!(zone_or(Some(" "), UserZone::Wita).unwrap(), UserZone::Wita);
        assert_eq!(zone_or(Some("WIT"), UserZone::Wib).unwrap(), UserZone::Wit);
        let f = zone_or(Some("utc"), UserZone::Wib).unwrap_err();
        assert!(f.message.contains("utc"), "{}", f.message);
    }

    #[test]
    fn bodies_refuse_unknown_fields() {
        assert!(serde_json::from_str::<RescheduleBody>(r#"{"when":"x"}"#).is_err());
        let b: RescheduleBody = serde_json::from_str(r#"{"at":"2026-12-01T09:00"}"#).unwrap();
        assert!(b.zone.is_none());
        assert!(serde_json::from_str::<SlotsBody>(r#"{"slots":["1 07:00"],"x":1}"#).is_err());
    }

    #[test]
    fn slots_are_written_as_put_takes_them() {
        let s = Slot::parse("3 07:05").unwrap();
        let dto = SlotDto::from(&s);
        assert_eq!((dto.weekday, dto.time.as_str()), (3, "07:05"));
        assert_eq!(dto.label, "3 07:05");
    }
}
