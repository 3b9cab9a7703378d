//! `GET /api/v1/events`: the event outbox for integrations (e-mail, Telegram bots, dashboards)
//! to send on. Events come in id order after `?after=`; the answer's `next` is what to pass as
//! `after` on the next call (it stays put when nothing new has come). The caller sees the events
//! of the OPDs they see, as in the inbox.

use axum::Json;
use axum::extract::State;
use axum::http::Uri;
use axum::routing::get;
use humas_app::inbox::alerts::EventsRequest;
use humas_domain::OpdId;
use humas_store::{Event, EventKind};
use serde::Serialize;
use uuid::Uuid;

use super::query::{Params, bad_query};
use crate::AppState;
use crate::error::Failure;
use crate::extract::ApiCaller;
use crate::routes::Routes;

/// The query parameters of `GET /api/v1/events`.
pub(super) const EVENT_PARAMS: [&str; 4] = ["after", "limit", "kind", "opd"];

/// Events per call unless `?limit=` says otherwise.
pub(super) const DEFAULT_EVENT_LIMIT: usize = 100;

pub(super) fn routes(r: Routes) -> Routes {
    r.add("GET", "/api/v1/events", get(list_events))
}

/// One event as integrations receive it.
#[derive(Debug, Serialize)]
pub(crate) struct EventDto {
    pub id: i64,
    pub kind: &'static str,
    /// What it is about: the message, for deadline events.
    pub subject_id: Uuid,
    pub opd_id: Uuid,
    /// `first_response` or `resolution`, for deadline events.
    pub deadline: Option<&'static str>,
    pub due_at: Option<String>,
    pub assignee_id: Option<Uuid>,
    pub created_at: String,
    pub payload: serde_json::Value,
}

impl From<&Event> for EventDto {
    fn from(e: &Event) -> Self {
        let n = &e.event;
        Self {
            id: e.id,
            kind: n.kind.as_str(),
            subject_id: n.subject,
            opd_id: n.opd.as_uuid(),
            deadline: n.deadline.map(|d| d.as_str()),
            due_at: n.due_at.map(|t| t.to_string()),
            assignee_id: n.assignee.map(|u| u.as_uuid()),
            created_at: n.created_at.to_string(),
            payload: n.payload.clone(),
        }
    }
}

/// The answer: events by id and the cursor for the next call.
#[derive(Debug, Serialize)]
pub(crate) struct EventPageDto {
    pub items: Vec<EventDto>,
    pub next: i64,
}

fn request(params: &Params) -> Result<EventsRequest, Failure> {
    let after = params
        .parse::<i64>("after", "an event id (a whole number, 0 for the start)")?
        .unwrap_or(0);
    if after < 0 {
        return Err(bad_query(format!(
            "`after` must be an event id (0 or more), got `{after}`"
        )));
    }
    let limit = params.limit(DEFAULT_EVENT_LIMIT)?;
    let kinds = params
        .text("kind")
        .map(|raw| {
            raw.split(',')
                .map(|k| {
                    EventKind::parse(k).map_err(|_| {
                        bad_query(format!(
                            "`kind` must be deadline.due_soon or deadline.overdue (several \
                             separated by commas), got `{}`",
                            k.trim()
                        ))
                    })
                })
                .collect::<Result<Vec<_>, _>>()
        })
        .transpose()?
        .unwrap_or_default();
    let opd = params.parse::<OpdId>("opd", "an OPD id")?;
    Ok(EventsRequest {
        after,
        limit: u32::try_from(limit).unwrap_or(1000),
        kinds,
        opd,
    })
}

pub(super) async fn list_events(
    State(state): State<AppState>,
    ApiCaller(ctx): ApiCaller,
    uri: Uri,
) -> Result<Json<EventPageDto>, Failure> {
    let params = Params::read(&uri, &EVENT_PARAMS)?;
    let page = state.app.events_for(&ctx.actor, &request(&params)?).await?;
    Ok(Json(EventPageDto {
        items: page.events.iter().map(EventDto::from).collect(),
        next: page.next,
    }))
}
