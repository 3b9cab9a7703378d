//! The publishing calendar (week and month grids per OPD or province-wide, posts without a
//! time yet), moving a post to another time (drag and drop, or the "Pindahkan" form that works
//! without JavaScript), and an account's weekly publishing slots.
//!
//! Times are shown and read in the reader's zone (WIB, WITA or WIT); slots are kept in WIB,
//! as the application keeps them.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use humas_app::AppError;
use humas_app::publish::calendar::{CalendarSpan, span_bounds};
use humas_domain::publish::slots::Slot;
use humas_domain::publish::{Post, PostState, zone};
use humas_domain::{AccountId, Actor, Locale, Opd, OpdId, PostId, Role, UserZone, ValueError};
use jiff::Timestamp;
use jiff::civil::{Date, DateTime};
use serde::Deserialize;

use crate::AppState;
use crate::error::{Failure, PageFailure};
use crate::extract::{FormBody, Signed, query_params};
use crate::format;
use crate::i18n::Tr;
use crate::pages::opds::{Choice, opd_choices};
use crate::pages::{Layout, done, fail, layout, opd_name, render};
use crate::routes::Routes;

pub(crate) fn routes(r: Routes) -> Routes {
    r.add("GET", "/calendar", get(calendar))
        .add("POST", "/posts/{id}/reschedule", post(reschedule))
        .add("GET", "/accounts/{id}/slots", get(slots))
        .add("POST", "/accounts/{id}/slots", post(save_slots))
}

// --- Shared formatting ------------------------------------------------------------------------

/// A wall-clock time of day the reader's way: `09.30` in Indonesian, `09:30` in English.
pub(crate) fn clock_text(dt: DateTime, locale: Locale) -> String {
    let sep = match locale {
        Locale::Id => '.',
        Locale::En => ':',
    };
    format!("{:02}{sep}{:02}", dt.hour(), dt.minute())
}

/// The value a `datetime-local` input takes: `2026-12-01T09:30`.
pub(crate) fn local_input(at: Timestamp, zone_of_reader: UserZone) -> String {
    zone::to_local(at, zone_of_reader)
        .strftime("%Y-%m-%dT%H:%M")
        .to_string()
}

/// A post state in words (`cal-state-<state>`).
pub(crate) fn state_label(tr: Tr, state: PostState) -> String {
    tr.t(&format!("cal-state-{}", state.as_str()))
}

/// Why a time was refused, worked out again from the domain's own rules so the reader gets a
/// precise sentence in their language: not a date and time, in the past, or too far ahead.
fn schedule_message(tr: Tr, raw: &str, zone_of_input: UserZone, now: Timestamp) -> String {
    match zone::parse_local(raw, zone_of_input) {
        Err(_) => tr.t("cal-error-time-format"),
        Ok(at) if at < now => tr.t("cal-error-past"),
        Ok(_) => tr.t("cal-error-too-far"),
    }
}

/// A refused move in the reader's language: the status to answer, the stable code and the
/// message.
pub(crate) fn move_error(
    e: AppError,
    tr: Tr,
    raw: &str,
    zone_of_input: UserZone,
    now: Timestamp,
) -> (StatusCode, &'static str, String) {
    match e {
        AppError::Invalid(ValueError::Schedule(_)) if !raw.is_empty() => (
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_schedule",
            schedule_message(tr, raw, zone_of_input, now),
        ),
        AppError::Conflict("post_state") => (
            StatusCode::CONFLICT,
            "conflict",
            tr.t("cal-error-post-state"),
        ),
        other => {
            let f = Failure::from(other);
            let msg = f.localised(tr);
            (f.status, f.code, msg)
        }
    }
}

/// Whether the reader may move this post (the application decides again on submit): its
/// OPD's writers may move drafts and posts in review; an approved post's time was part of
/// what was approved, so only approvers and the province may move it.
fn can_move(actor: &Actor, post: &Post) -> bool {
    if !actor.can_compose_posts_of(post.opd) {
        return false;
    }
    match post.state {
        PostState::Draft | PostState::InReview => true,
        PostState::Approved => actor.is_approver_of(post.opd) || actor.role == Role::Supervisor,
        PostState::Done | PostState::Expired => false,
    }
}

// --- The calendar -----------------------------------------------------------------------------

/// One post on the calendar.
struct Card {
    id: String,
    /// Time of day in the reader's zone (`09.30`), empty when not scheduled.
    time: String,
    /// Time of day for the drag script (`09:30`): a drop keeps it.
    clock: String,
    /// The current time as a `datetime-local` value (the move form's default).
    local: String,
    title: String,
    state: &'static str,
    state_label: String,
    platforms: Vec<String>,
    opd: String,
    narrative: bool,
    movable: bool,
}

/// One day of the grid.
struct DayCell {
    date: String,
    day: i8,
    full: String,
    in_range: bool,
    today: bool,
    cards: Vec<Card>,
}

#[derive(Template)]
#[template(path = "calendar.html")]
struct CalendarPage {
    l: Layout,
    view: &'static str,
    heading: String,
    date: String,
    opd: String,
    opds: Vec<Choice>,
    show_opd_filter: bool,
    show_opd_names: bool,
    prev_href: String,
    next_href: String,
    today_href: String,
    week_href: String,
    month_href: String,
    weekdays: Vec<String>,
    weeks: Vec<Vec<DayCell>>,
    unscheduled: Vec<Card>,
    back: String,
    zone_label: &'static str,
    min_local: String,
}

/// What the calendar shows: week or month, around which day, for which OPD.
struct CalendarQuery {
    span: CalendarSpan,
    day: Date,
    opd: Option<OpdId>,
}

impl CalendarQuery {
    fn read(uri: &Uri, today: Date) -> Self {
        let q = query_params(uri);
        let span = match q.get("view").map(String::as_str) {
            Some("month") => CalendarSpan::Month,
            _ => CalendarSpan::Week,
        };
        Self {
            span,
            day: q
                .get("date")
                .and_then(|d| d.trim().parse().ok())
                .unwrap_or(today),
            opd: q.get("opd").and_then(|o| o.trim().parse().ok()),
        }
    }

    fn view(&self) -> &'static str {
        match self.span {
            CalendarSpan::Week => "week",
            CalendarSpan::Month => "month",
        }
    }

    /// The calendar's address for another view or day, keeping the OPD filter.
    fn href(&self, view: &str, day: Date) -> String {
        let mut q = form_urlencoded::Serializer::new(String::new());
        q.append_pair("view", view);
        q.append_pair("date", &day.to_string());
        if let Some(opd) = self.opd {
            q.append_pair("opd", &opd.to_string());
        }
        format!("/calendar?{}", q.finish())
    }

    /// The day a step back or forward shows: a week, or the first of the month before/after.
    fn step(&self, forward: bool) -> Date {
        let sign = if forward { 1 } else { -1 };
        match self.span {
            CalendarSpan::Week => self
                .day
                .checked_add(jiff::Span::new().days(7 * sign))
                .unwrap_or(self.day),
            CalendarSpan::Month => self
                .day
                .first_of_month()
                .checked_add(jiff::Span::new().months(sign))
                .unwrap_or(self.day),
        }
    }

    fn heading(&self, tr: Tr) -> String {
        let (start, end, first, _) = span_bounds(self.span, self.day);
        match self.span {
            CalendarSpan::Week => format!(
                "{} – {}",
                format::date(start, tr.locale),
                format::date(end, tr.locale)
            ),
            CalendarSpan::Month => {
                format!(
                    "{} {}",
                    tr.t(&format!("cal-month-{}", first.month())),
                    first.year()
                )
            }
        }
    }
}

/// Cards for posts, in the reader's language and zone.
struct CardMaker<'a> {
    tr: Tr,
    zone: UserZone,
    actor: &'a Actor,
    opds: &'a [Opd],
}

impl CardMaker<'_> {
    fn card(&self, post: &Post) -> Card {
        let local = post.scheduled_at.map(|at| zone::to_local(at, self.zone));
        let mut platforms: Vec<String> = Vec::new();
        for c in &post.channels {
            let name = self.tr.t(&format!("platform-{}", c.platform.as_str()));
            if !platforms.contains(&name) {
                platforms.push(name);
            }
        }
        Card {
            id: post.id.to_string(),
            time: local.map_or_else(String::new, |dt| clock_text(dt, self.tr.locale)),
            clock: local.map_or_else(String::new, |dt| dt.strftime("%H:%M").to_string()),
            local: post
                .scheduled_at
                .map_or_else(String::new, |at| local_input(at, self.zone)),
            title: post.title.clone(),
            state: post.state.as_str(),
            state_label: state_label(self.tr, post.state),
            platforms,
            opd: opd_name(self.opds, Some(post.opd)),
            narrative: post.narrative.is_some(),
            movable: can_move(self.actor, post),
        }
    }
}

fn weekday_headers(tr: Tr) -> Vec<String> {
    (1..=7).map(|d| tr.t(&format!("cal-wd-{d}"))).collect()
}

/// Only addresses of the calendar itself are followed back to after a move.
fn back_to(back: &str) -> String {
    if back.starts_with("/calendar") && !back.contains("//") && !back.contains('\\') {
        back.to_owned()
    } else {
        "/calendar".to_owned()
    }
}

async fn calendar_page(
    state: &AppState,
    s: &Signed,
    uri: &Uri,
    error: Option<(StatusCode, String)>,
) -> Result<Response, PageFailure> {
    let f = fail(s.tr);
    let zone_of_reader = s.ctx.user.zone;
    let now = state.app.clock().now();
    let today = zone::to_local(now, zone_of_reader).date();
    let query = CalendarQuery::read(uri, today);
    let cal = state
        .app
        .calendar(
            &s.ctx.actor,
            query.opd,
            query.span,
            query.day,
            zone_of_reader,
        )
        .await
        .map_err(&f)?;
    let opds = state.app.list_opds(&s.ctx.actor).await.map_err(&f)?;
    let mut l = layout(state, s, "calendar", "cal-title");
    let status = l.show_outcome(Some(uri), error);
    let maker = CardMaker {
        tr: s.tr,
        zone: zone_of_reader,
        actor: &s.ctx.actor,
        opds: &opds,
    };
    let days: Vec<DayCell> = cal
        .days
        .iter()
        .map(|d| DayCell {
            date: d.date.to_string(),
            day: d.date.day(),
            full: format!(
                "{}, {}",
                s.tr.t(&format!(
                    "cal-weekday-{}",
                    d.date.weekday().to_monday_one_offset()
                )),
                format::date(d.date, s.tr.locale)
            ),
            in_range: d.in_range,
            today: d.date == today,
            cards: d.posts.iter().map(|p| maker.card(p)).collect(),
        })
        .collect();
    let weeks = days
        .into_iter()
        .fold(Vec::<Vec<DayCell>>::new(), |mut w, d| {
            match w.last_mut() {
                Some(last) if last.len() < 7 => last.push(d),
                _ => w.push(vec![d]),
            }
            w
        });
    let page = CalendarPage {
        view: query.view(),
        heading: query.heading(s.tr),
        date: query.day.to_string(),
        opd: query.opd.map(|o| o.to_string()).unwrap_or_default(),
        show_opd_filter: opds.len() > 1,
        show_opd_names: query.opd.is_none() && opds.len() > 1,
        opds: opd_choices(&opds),
        prev_href: query.href(query.view(), query.step(false)),
        next_href: query.href(query.view(), query.step(true)),
        today_href: query.href(query.view(), today),
        week_href: query.href("week", query.day),
        month_href: query.href("month", query.day),
        weekdays: weekday_headers(s.tr),
        weeks,
        unscheduled: cal.unscheduled.iter().map(|p| maker.card(p)).collect(),
        back: uri
            .path_and_query()
            .map_or_else(|| "/calendar".to_owned(), |p| back_to(p.as_str())),
        zone_label: zone_of_reader.label(),
        min_local: local_input(now, zone_of_reader),
        l,
    };
    Ok(render(status, &page, s.tr))
}

async fn calendar(
    State(state): State<AppState>,
    s: Signed,
    uri: Uri,
) -> Result<Response, PageFailure> {
    calendar_page(&state, &s, &uri, None).await
}

// --- Moving a post ----------------------------------------------------------------------------

#[derive(Deserialize)]
struct MoveForm {
    /// The new local time (`2026-12-01T09:30`) in the reader's zone.
    #[serde(default)]
    at: String,
    /// The calendar page to go back to.
    #[serde(default)]
    back: String,
}

/// Whether the drag script asked (it wants JSON, not a page).
fn wants_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("application/json"))
}

fn json_answer(status: StatusCode, body: serde_json::Value) -> Response {
    (status, axum::Json(body)).into_response()
}

async fn reschedule(
    State(state): State<AppState>,
    s: Signed,
    headers: HeaderMap,
    Path(id): Path<String>,
    FormBody(form): FormBody<MoveForm>,
) -> Result<Response, PageFailure> {
    let json = wants_json(&headers);
    let zone_of_reader = s.ctx.user.zone;
    let outcome = match id.parse::<PostId>() {
        Ok(id) => {
            state
                .app
                .reschedule_post(&s.ctx.actor, id, form.at.trim(), zone_of_reader)
                .await
        }
        Err(_) => Err(AppError::NotFound("post")),
    };
    let now = state.app.clock().now();
    match outcome {
        Ok(post) if json => Ok(json_answer(
            StatusCode::OK,
            serde_json::json!({
                "ok": true,
                "id": post.id.to_string(),
                "scheduled_at": post.scheduled_at.map(|t| t.to_string()),
                "local": post.scheduled_at.map(|t| local_input(t, zone_of_reader)),
            }),
        )),
        Ok(_) => Ok(done(&back_to(&form.back), "saved")),
        Err(e) if json => {
            let (status, code, message) = move_error(e, s.tr, form.at.trim(), zone_of_reader, now);
            Ok(json_answer(
                status,
                serde_json::json!({ "error": { "code": code, "message": message } }),
            ))
        }
        Err(e @ (AppError::Forbidden | AppError::NotFound(_))) => Err(fail(s.tr)(e)),
        Err(e) => {
            let (status, _, message) = move_error(e, s.tr, form.at.trim(), zone_of_reader, now);
            let error = (status, message);
            let uri: Uri = back_to(&form.back).parse().unwrap_or_default();
            calendar_page(&state, &s, &uri, Some(error)).await
        }
    }
}

// --- Publishing slots -------------------------------------------------------------------------

/// Empty rows the slot form offers for new slots (more can be added by saving and coming back,
/// or with the page's "add a row" button).
const BLANK_SLOT_ROWS: usize = 3;

/// One row of the slot form.
struct SlotRow {
    index: usize,
    weekday: u8,
    time: String,
}

#[derive(Template)]
#[template(path = "account_slots.html")]
struct SlotsPage {
    l: Layout,
    account_id: String,
    account: String,
    opd: String,
    opd_id: String,
    can_edit: bool,
    rows: Vec<SlotRow>,
    weekdays: Vec<(u8, String)>,
    summary: Vec<String>,
    next_free: String,
    next_free_missing: String,
}

fn slot_rows(slots: &[Slot]) -> Vec<SlotRow> {
    slots
        .iter()
        .enumerate()
        .map(|(index, s)| SlotRow {
            index,
            weekday: s.weekday,
            time: format!("{:02}:{:02}", s.minute / 60, s.minute % 60),
        })
        .collect()
}

fn with_blank_rows(mut rows: Vec<SlotRow>) -> Vec<SlotRow> {
    let start = rows.len();
    rows.extend((start..start + BLANK_SLOT_ROWS).map(|index| SlotRow {
        index,
        weekday: 1,
        time: String::new(),
    }));
    rows
}

fn weekday_name(tr: Tr, weekday: u8) -> String {
    tr.t(&format!("cal-weekday-{weekday}"))
}

fn parse_account_id(raw: &str, tr: Tr) -> Result<AccountId, PageFailure> {
    raw.trim()
        .parse()
        .map_err(|_| fail(tr)(AppError::NotFound("account")))
}

async fn slots_page(
    state: &AppState,
    s: &Signed,
    id: AccountId,
    submitted: Option<Vec<SlotRow>>,
    error: Option<(StatusCode, String)>,
    uri: Option<&Uri>,
) -> Result<Response, PageFailure> {
    let f = fail(s.tr);
    let actor = &s.ctx.actor;
    let account = state.app.get_account(actor, id).await.map_err(&f)?;
    let stored = state.app.account_slots(actor, id).await.map_err(&f)?;
    let opds = state.app.list_opds(actor).await.map_err(&f)?;
    let (next_free, next_free_missing) = match state.app.next_free_slot(actor, id).await {
        Ok(at) => (
            format::time_us(at.as_microsecond(), s.ctx.user.zone, s.tr.locale),
            String::new(),
        ),
        Err(e @ AppError::Refused { .. }) => (String::new(), Failure::from(e).localised(s.tr)),
        Err(e) => return Err(f(e)),
    };
    let mut l = layout(state, s, "accounts", "slots-title");
    let status = l.show_outcome(uri, error);
    let page = SlotsPage {
        account_id: account.id.to_string(),
        account: format!(
            "{} · {}",
            s.tr.t(&format!("platform-{}", account.platform.as_str())),
            account.handle
        ),
        opd: opd_name(&opds, Some(account.opd)),
        opd_id: account.opd.to_string(),
        can_edit: actor.can_manage_accounts_of(account.opd),
        rows: with_blank_rows(submitted.unwrap_or_else(|| slot_rows(&stored))),
        weekdays: (1..=7).map(|d| (d, weekday_name(s.tr, d))).collect(),
        summary: stored
            .iter()
            .map(|slot| {
                format!(
                    "{} {:02}{}{:02}",
                    weekday_name(s.tr, slot.weekday),
                    slot.minute / 60,
                    if s.tr.locale == Locale::Id { '.' } else { ':' },
                    slot.minute % 60
                )
            })
            .collect(),
        next_free,
        next_free_missing,
        l,
    };
    Ok(render(status, &page, s.tr))
}

async fn slots(
    State(state): State<AppState>,
    s: Signed,
    Path(id): Path<String>,
    uri: Uri,
) -> Result<Response, PageFailure> {
    let id = parse_account_id(&id, s.tr)?;
    slots_page(&state, &s, id, None, None, Some(&uri)).await
}

/// The slot form's rows as posted: repeated `weekday` and `time` fields in row order, and a
/// `remove` field naming each row to drop. Rows without a time are the empty ones.
fn posted_rows(pairs: &[(String, String)]) -> (Vec<SlotRow>, Vec<String>) {
    let field = |name: &str| -> Vec<&str> {
        pairs
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.trim())
            .collect()
    };
    let weekdays = field("weekday");
    let times = field("time");
    let removed: Vec<usize> = field("remove")
        .iter()
        .filter_map(|v| v.parse().ok())
        .collect();
    let mut rows = Vec::new();
    let mut raw = Vec::new();
    for (index, time) in times.iter().enumerate() {
        if time.is_empty() || removed.contains(&index) {
            continue;
        }
        let weekday = weekdays.get(index).copied().unwrap_or("");
        // Seconds, if a browser sends them, are not part of a slot.
        let time = time.get(..5).unwrap_or(time);
        raw.push(format!("{weekday} {time}"));
        rows.push(SlotRow {
            index: rows.len(),
            weekday: weekday.parse().unwrap_or(1),
            time: time.to_owned(),
        });
    }
    (rows, raw)
}

async fn save_slots(
    State(state): State<AppState>,
    s: Signed,
    Path(id): Path<String>,
    FormBody(pairs): FormBody<Vec<(String, String)>>,
) -> Result<Response, PageFailure> {
    let id = parse_account_id(&id, s.tr)?;
    let (rows, raw) = posted_rows(&pairs);
    match state.app.set_account_slots(&s.ctx.actor, id, &raw).await {
        Ok(_) => Ok(done(&format!("/accounts/{id}/slots"), "saved")),
        Err(e @ (AppError::Forbidden | AppError::NotFound(_))) => Err(fail(s.tr)(e)),
        Err(AppError::Invalid(ValueError::Schedule(detail))) => {
            let error = (
                StatusCode::UNPROCESSABLE_ENTITY,
                format!("{} ({detail})", s.tr.t("slots-error-invalid")),
            );
            slots_page(&state, &s, id, Some(rows), Some(error), None).await
        }
        Err(e) => {
            let f = Failure::from(e);
            let error = (f.status, f.localised(s.tr));
            slots_page(&state, &s, id, Some(rows), Some(error), None).await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clock_text_follows_the_language() {
        let dt: DateTime = "2026-12-01T09:05".parse().unwrap();
        assert_eq!(clock_text(dt, Locale::Id), "09.05");
        assert_eq!(clock_text(dt, Locale::En), "09:05");
    }

    #[test]
    fn only_calendar_addresses_are_followed_back() {
        assert_eq!(back_to("/calendar?view=month"), "/calendar?view=month");
        assert_eq!(back_to("https://evil.example/calendar"), "/calendar");
        assert_eq!(back_to("/calendar//evil.example"), "/calendar");
        assert_eq!(back_to(""), "/calendar");
    }

    #[test]
    fn posted_rows_skip_empty_and_removed_ones() {
        let pairs: Vec<(String, String)> = [
            ("weekday", "1"),
            ("time", "07:00"),
            ("weekday", "3"),
            ("time", "12:00:00"),
            ("remove", "1"),
            ("weekday", "5"),
            ("time", "16:30"),
            ("weekday", "2"),
            ("time", ""),
        ]
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
        let (rows, raw) = posted_rows(&pairs);
        assert_eq!(raw, vec!["1 07:00", "5 16:30"]);
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[1].weekday, 5);
    }

    #[test]
    fn a_step_moves_a_week_or_to_the_next_month() {
        let q = CalendarQuery {
            span: CalendarSpan::Month,
            day: "2026-01-31".parse().unwrap(),
            opd: None,
        };
        assert_eq!(q.step(true).to_string(), "2026-02-01");
        assert_eq!(q.step(false).to_string(), "2025-12-01");
        let w = CalendarQuery {
            span: CalendarSpan::Week,
            ..q
        };
        assert_eq!(w.step(true).to_string(), "2026-02-07");
    }

    #[test]
    fn time_refusals_say_what_is_wrong() {
        let tr = Tr::new(Locale::En);
        let now: Timestamp = "2026-11-28T00:00:00Z".parse().unwrap();
        let past = schedule_message(tr, "2026-11-01T09:00", UserZone::Wib, now);
        let bad = schedule_message(tr, "besok", UserZone::Wib, now);
        let far = schedule_message(tr, "2028-11-01T09:00", UserZone::Wib, now);
        assert_ne!(past, bad);
        assert_ne!(past, far);
        assert!(past.contains("passed"), "{past}");
        assert!(bad.contains("2026-12-01T09:30"), "{bad}");
    }
}
