//! Narasi tunggal: the province sends one central narrative to chosen OPDs, each of which gets
//! a draft to adapt through its own approval chain; the tracking page shows, per OPD and
//! account, what became of it, when it went out (in the reader's zone), with the link, and who
//! is late.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use humas_app::AppError;
use humas_app::publish::{NarrativeInput, NarrativeTracking, TrackedChannel, TrackedOpd};
use humas_domain::{MediaId, NarrativeId, Opd, OpdId, UserZone};
use humas_store::Narrative;
use jiff::Timestamp;

use crate::AppState;
use crate::error::PageFailure;
use crate::extract::{FormBody, Signed, query_params};
use crate::format;
use crate::i18n::Tr;
use crate::pages::calendar::{local_input, state_label};
use crate::pages::{Layout, fail, layout, opd_name, render};
use crate::routes::Routes;

pub(crate) fn routes(r: Routes) -> Routes {
    r.add("GET", "/narratives", get(list))
        .add("POST", "/narratives", post(create))
        .add("GET", "/narratives/new", get(new_form))
        .add("GET", "/narratives/{id}", get(show))
}

/// Narratives per page of the list; each row reads its tracking, so pages stay short.
const PER_PAGE: usize = 20;

/// A moment in the reader's zone and language.
fn when(t: Timestamp, zone: UserZone, tr: Tr) -> String {
    format::time_us(t.as_microsecond(), zone, tr.locale)
}

// --- The list ---------------------------------------------------------------------------------

struct ListRow {
    id: String,
    title: String,
    deadline: String,
    sent: String,
    opds: usize,
    published: usize,
    late: usize,
}

#[derive(Template)]
#[template(path = "narratives.html")]
struct ListPage {
    l: Layout,
    rows: Vec<ListRow>,
    can_send: bool,
    prev_href: String,
    next_href: String,
}

/// How many tracked OPDs published and how many are late.
fn tally(opds: &[TrackedOpd]) -> (usize, usize) {
    (
        opds.iter().filter(|o| o.published).count(),
        opds.iter().filter(|o| o.late).count(),
    )
}

async fn list(State(state): State<AppState>, s: Signed, uri: Uri) -> Result<Response, PageFailure> {
    let f = fail(s.tr);
    let actor = &s.ctx.actor;
    let all = state.app.list_narratives(actor).await.map_err(&f)?;
    let page: usize = query_params(&uri)
        .get("page")
        .and_then(|p| p.parse().ok())
        .unwrap_or(0);
    let zone = s.ctx.user.zone;
    let mut rows = Vec::new();
    for n in all
        .iter()
        .skip(page.saturating_mul(PER_PAGE))
        .take(PER_PAGE)
    {
        let tracking = state
            .app
            .narrative_tracking(actor, n.id)
            .await
            .map_err(&f)?;
        let (published, late) = tally(&tracking.opds);
        rows.push(ListRow {
            id: n.id.to_string(),
            title: n.title.clone(),
            deadline: when(n.deadline, zone, s.tr),
            sent: when(n.created_at, zone, s.tr),
            opds: tracking.opds.len(),
            published,
            late,
        });
    }
    let more = all.len() > (page + 1).saturating_mul(PER_PAGE);
    let mut l = layout(&state, &s, "narratives", "narr-title");
    let status = l.show_outcome(Some(&uri), None);
    let p = ListPage {
        rows,
        can_send: actor.can_use_fast_lane(),
        prev_href: if page > 0 {
            format!("/narratives?page={}", page - 1)
        } else {
            String::new()
        },
        next_href: if more {
            format!("/narratives?page={}", page + 1)
        } else {
            String::new()
        },
        l,
    };
    Ok(render(status, &p, s.tr))
}

// --- Sending ----------------------------------------------------------------------------------

struct OpdCheck {
    value: String,
    label: String,
    checked: bool,
}

#[derive(Template)]
#[template(path = "narrative_new.html")]
struct NewPage {
    l: Layout,
    title: String,
    body: String,
    key_messages: String,
    deadline: String,
    media: String,
    opds: Vec<OpdCheck>,
    zone_label: &'static str,
    min_local: String,
}

/// The form as posted (OPDs are repeated checkbox fields, so the body is read as pairs).
#[derive(Default)]
struct NarrativeForm {
    title: String,
    body: String,
    key_messages: String,
    deadline: String,
    media: String,
    opds: Vec<String>,
}

impl NarrativeForm {
    fn from_pairs(pairs: Vec<(String, String)>) -> Self {
        let mut f = Self::default();
        for (k, v) in pairs {
            match k.as_str() {
                "title" => f.title = v,
                "body" => f.body = v,
                "key_messages" => f.key_messages = v,
                "deadline" => f.deadline = v,
                "media" => f.media = v,
                "opd" => f.opds.push(v),
                _ => {}
            }
        }
        f
    }

    /// The use case's input, the deadline read in the sender's zone. An OPD or media id that
    /// is not an id names nothing, which the application reports as an unknown reference.
    fn input(&self, zone: UserZone) -> Result<NarrativeInput, AppError> {
        let opds = self
            .opds
            .iter()
            .map(|o| o.trim().parse::<OpdId>())
            .collect::<Result<Vec<_>, _>>()
            .map_err(|_| AppError::UnknownReference("opd"))?;
        let media = self
            .media
            .split(|c: char| c.is_whitespace() || c == ',')
            .filter(|m| !m.is_empty())
            .map(str::parse::<MediaId>)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|_| AppError::UnknownReference("media"))?;
        Ok(NarrativeInput {
            title: self.title.clone(),
            body: self.body.clone(),
            key_messages: self.key_messages.lines().map(str::to_owned).collect(),
            media,
            deadline: self.deadline.trim().to_owned(),
            zone,
            opds,
        })
    }
}

fn opd_checks(opds: &[Opd], chosen: &[String]) -> Vec<OpdCheck> {
    opds.iter()
        .map(|o| {
            let value = o.id.to_string();
            OpdCheck {
                checked: chosen.contains(&value),
                label: o.name.to_string(),
                value,
            }
        })
        .collect()
}

async fn new_page(
    state: &AppState,
    s: &Signed,
    form: &NarrativeForm,
    error: Option<(StatusCode, String)>,
) -> Result<Response, PageFailure> {
    let f = fail(s.tr);
    if !s.ctx.actor.can_use_fast_lane() {
        return Err(f(AppError::Forbidden));
    }
    let opds = state.app.list_opds(&s.ctx.actor).await.map_err(&f)?;
    let mut l = layout(state, s, "narratives", "narr-new-title");
    let status = l.show_outcome(None, error);
    let zone = s.ctx.user.zone;
    let page = NewPage {
        title: form.title.clone(),
        body: form.body.clone(),
        key_messages: form.key_messages.clone(),
        deadline: form.deadline.clone(),
        media: form.media.clone(),
        opds: opd_checks(&opds, &form.opds),
        zone_label: zone.label(),
        min_local: local_input(state.app.clock().now(), zone),
        l,
    };
    Ok(render(status, &page, s.tr))
}

async fn new_form(State(state): State<AppState>, s: Signed) -> Result<Response, PageFailure> {
    new_page(&state, &s, &NarrativeForm::default(), None).await
}

/// A refused narrative in the reader's language; a time refusal gets the calendar's precise
/// sentence.
fn send_error(e: AppError, s: &Signed, deadline: &str, now: Timestamp) -> (StatusCode, String) {
    let (status, _, message) =
        crate::pages::calendar::move_error(e, s.tr, deadline.trim(), s.ctx.user.zone, now);
    (status, message)
}

async fn create(
    State(state): State<AppState>,
    s: Signed,
    FormBody(pairs): FormBody<Vec<(String, String)>>,
) -> Result<Response, PageFailure> {
    let form = NarrativeForm::from_pairs(pairs);
    let sent = match form.input(s.ctx.user.zone) {
        Ok(input) => state.app.send_narrative(&s.ctx.actor, &input).await,
        Err(e) => Err(e),
    };
    match sent {
        Ok(n) => Ok(Redirect::to(&format!("/narratives/{}?ok=created", n.id)).into_response()),
        Err(AppError::Forbidden) => Err(fail(s.tr)(AppError::Forbidden)),
        Err(e) => {
            let now = state.app.clock().now();
            let error = send_error(e, &s, &form.deadline, now);
            new_page(&state, &s, &form, Some(error)).await
        }
    }
}

// --- Tracking ---------------------------------------------------------------------------------

struct ChannelRow {
    account: String,
    state: &'static str,
    state_label: String,
    published_at: String,
    url: String,
    error: String,
}

struct OpdRow {
    opd: String,
    opd_id: String,
    post_id: String,
    post_state: String,
    published: bool,
    late: bool,
    channels: Vec<ChannelRow>,
}

#[derive(Template)]
#[template(path = "narrative.html")]
struct TrackingPage {
    l: Layout,
    heading: String,
    body: String,
    key_messages: Vec<String>,
    media_count: usize,
    deadline: String,
    deadline_passed: bool,
    sent: String,
    rows: Vec<OpdRow>,
    published: usize,
    late: usize,
}

fn channel_row(c: &TrackedChannel, zone: UserZone, tr: Tr) -> ChannelRow {
    let state = c.job.as_ref().map_or("none", |j| j.state.as_str());
    ChannelRow {
        account: format!(
            "{} · {}",
            tr.t(&format!("platform-{}", c.account.platform.as_str())),
            c.account.handle
        ),
        state,
        state_label: tr.t(&format!("narr-delivery-{state}")),
        published_at: c
            .job
            .as_ref()
            .and_then(|j| j.published_at)
            .map_or_else(String::new, |t| when(t, zone, tr)),
        url: c
            .job
            .as_ref()
            .and_then(|j| j.url.clone())
            .filter(|u| u.starts_with("https://") || u.starts_with("http://"))
            .unwrap_or_default(),
        error: c
            .job
            .as_ref()
            .and_then(|j| j.last_error.clone())
            .unwrap_or_default(),
    }
}

fn opd_row(o: &TrackedOpd, opds: &[Opd], zone: UserZone, tr: Tr) -> OpdRow {
    OpdRow {
        opd: opd_name(opds, Some(o.opd)),
        opd_id: o.opd.to_string(),
        post_id: o
            .post
            .as_ref()
            .map(|p| p.id.to_string())
            .unwrap_or_default(),
        post_state: o
            .post
            .as_ref()
            .map(|p| state_label(tr, p.state))
            .unwrap_or_default(),
        published: o.published,
        late: o.late,
        channels: o
            .channels
            .iter()
            .map(|c| channel_row(c, zone, tr))
            .collect(),
    }
}

fn tracking_page(
    l: Layout,
    t: &NarrativeTracking,
    opds: &[Opd],
    zone: UserZone,
    now: Timestamp,
) -> TrackingPage {
    let tr = l.tr;
    let n: &Narrative = &t.narrative;
    let (published, late) = tally(&t.opds);
    TrackingPage {
        heading: n.title.clone(),
        body: n.body.as_str().to_owned(),
        key_messages: n.key_messages.clone(),
        media_count: n.media.len(),
        deadline: when(n.deadline, zone, tr),
        deadline_passed: now > n.deadline,
        sent: when(n.created_at, zone, tr),
        rows: t.opds.iter().map(|o| opd_row(o, opds, zone, tr)).collect(),
        published,
        late,
        l,
    }
}

async fn show(
    State(state): State<AppState>,
    s: Signed,
    Path(id): Path<String>,
    uri: Uri,
) -> Result<Response, PageFailure> {
    let f = fail(s.tr);
    let id: NarrativeId = id
        .trim()
        .parse()
        .map_err(|_| f(AppError::NotFound("narrative")))?;
    let tracking = state
        .app
        .narrative_tracking(&s.ctx.actor, id)
        .await
        .map_err(&f)?;
    let opds = state.app.list_opds(&s.ctx.actor).await.map_err(&f)?;
    let mut l = layout(&state, &s, "narratives", "narr-track-title");
    let status = l.show_outcome(Some(&uri), None);
    let page = tracking_page(
        l,
        &tracking,
        &opds,
        s.ctx.user.zone,
        state.app.clock().now(),
    );
    Ok(render(status, &page, s.tr))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_form_reads_repeated_opds_and_media_lists() {
        let opd = OpdId::generate();
        let media = MediaId::generate();
        let pairs = vec![
            ("title".to_owned(), "Hari Kesehatan".to_owned()),
            ("opd".to_owned(), opd.to_string()),
            ("opd".to_owned(), opd.to_string()),
            ("media".to_owned(), format!(" {media},\n")),
            ("key_messages".to_owned(), "Satu\n\nDua".to_owned()),
            ("deadline".to_owned(), " 2026-12-01T09:00 ".to_owned()),
        ];
        let input = NarrativeForm::from_pairs(pairs)
            .input(UserZone::Wita)
            .unwrap();
        assert_eq!(input.opds, vec![opd, opd]);
        assert_eq!(input.media, vec![media]);
        assert_eq!(input.key_messages, vec!["Satu", "", "Dua"]);
        assert_eq!(input.deadline, "2026-12-01T09:00");
        assert_eq!(input.zone, UserZone::Wita);
    }

    #[test]
    fn a_bad_id_is_an_unknown_reference() {
        let form = NarrativeForm {
            opds: vec!["dinkes".into()],
            ..NarrativeForm::default()
        };
        assert!(matches!(
            form.input(UserZone::Wib),
            Err(AppError::UnknownReference("opd"))
        ));
        let form = NarrativeForm {
            media: "foto.jpg".into(),
            ..NarrativeForm::default()
        };
        assert!(matches!(
            form.input(UserZone::Wib),
            Err(AppError::UnknownReference("media"))
        ));
    }
}
