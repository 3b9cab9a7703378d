//! `/api/v1/narratives`: narasi tunggal for API clients — send a central narrative to chosen
//! OPDs (supervisors), list those the caller may see, and track who published, where, when and
//! who is late.

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use axum::routing::{get, post};
use humas_app::publish::{NarrativeInput, NarrativeTracking, TrackedChannel, TrackedOpd};
use humas_domain::{MediaId, NarrativeId, OpdId};
use humas_store::Narrative;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::calendar::zone_or;
use super::query::{Page, Params, Window};
use super::{BASE, IdPath, created};
use crate::AppState;
use crate::error::Failure;
use crate::extract::{ApiCaller, ApiJson};
use crate::routes::Routes;

/// Registers the narrative endpoints.
pub(super) fn routes(r: Routes) -> Routes {
    r.add("GET", "/api/v1/narratives", get(list_narratives))
        .add("POST", "/api/v1/narratives", post(send_narrative))
        .add("GET", "/api/v1/narratives/{id}", get(track_narrative))
}

// --- Wire shapes ------------------------------------------------------------------------------

/// A central narrative.
#[derive(Debug, Serialize)]
pub(crate) struct NarrativeDto {
    pub id: Uuid,
    pub title: String,
    pub body: String,
    pub key_messages: Vec<String>,
    pub media_ids: Vec<Uuid>,
    pub deadline: String,
    pub opd_ids: Vec<Uuid>,
    pub created_by: Uuid,
    pub created_at: String,
}

impl From<&Narrative> for NarrativeDto {
    fn from(n: &Narrative) -> Self {
        Self {
            id: n.id.as_uuid(),
            title: n.title.clone(),
            body: n.body.as_str().to_owned(),
            key_messages: n.key_messages.clone(),
            media_ids: n.media.iter().map(|m| m.as_uuid()).collect(),
            deadline: n.deadline.to_string(),
            opd_ids: n.opds.iter().map(|o| o.as_uuid()).collect(),
            created_by: n.created_by.as_uuid(),
            created_at: n.created_at.to_string(),
        }
    }
}

/// One account of one OPD: where its publication is.
#[derive(Debug, Serialize)]
pub(crate) struct TrackedChannelDto {
    pub account_id: Uuid,
    pub platform: &'static str,
    pub handle: String,
    /// `null` until the OPD's post is approved, then the delivery state.
    pub state: Option<&'static str>,
    pub published_at: Option<String>,
    pub url: Option<String>,
    pub last_error: Option<String>,
}

impl From<&TrackedChannel> for TrackedChannelDto {
    fn from(c: &TrackedChannel) -> Self {
        let job = c.job.as_ref();
        Self {
            account_id: c.account.id.as_uuid(),
            platform: c.account.platform.as_str(),
            handle: c.account.handle.to_string(),
            state: job.map(|j| j.state.as_str()),
            published_at: job.and_then(|j| j.published_at).map(|t| t.to_string()),
            url: job.and_then(|j| j.url.clone()),
            last_error: job.and_then(|j| j.last_error.clone()),
        }
    }
}

/// One OPD's adaptation.
#[derive(Debug, Serialize)]
pub(crate) struct TrackedOpdDto {
    pub opd_id: Uuid,
    pub post_id: Option<Uuid>,
    pub post_state: Option<&'static str>,
    pub published: bool,
    pub late: bool,
    pub channels: Vec<TrackedChannelDto>,
}

impl From<&TrackedOpd> for TrackedOpdDto {
    fn from(o: &TrackedOpd) -> Self {
        Self {
            opd_id: o.opd.as_uuid(),
            post_id: o.post.as_ref().map(|p| p.id.as_uuid()),
            post_state: o.post.as_ref().map(|p| p.state.as_str()),
            published: o.published,
            late: o.late,
            channels: o.channels.iter().map(TrackedChannelDto::from).collect(),
        }
    }
}

/// The tracking view.
#[derive(Debug, Serialize)]
pub(crate) struct TrackingDto {
    pub narrative: NarrativeDto,
    pub opds: Vec<TrackedOpdDto>,
}

impl From<&NarrativeTracking> for TrackingDto {
    fn from(t: &NarrativeTracking) -> Self {
        Self {
            narrative: NarrativeDto::from(&t.narrative),
            opds: t.opds.iter().map(TrackedOpdDto::from).collect(),
        }
    }
}

// --- What the API accepts ---------------------------------------------------------------------

/// A narrative to send.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct NarrativeBody {
    title: String,
    body: String,
    #[serde(default)]
    key_messages: Vec<String>,
    #[serde(default)]
    media_ids: Vec<MediaId>,
    /// `YYYY-MM-DDTHH:MM`, local.
    deadline: String,
    /// The zone `deadline` is written in; the caller's own when absent.
    #[serde(default)]
    zone: Option<String>,
    opd_ids: Vec<OpdId>,
}

// --- Handlers ---------------------------------------------------------------------------------

pub(super) async fn list_narratives(
    State(state): State<AppState>,
    ApiCaller(ctx): ApiCaller,
    uri: Uri,
) -> Result<Json<Page<NarrativeDto>>, Failure> {
    let window = Window::read(&Params::read(&uri, &Window::PARAMS)?)?;
    let all = state.app.list_narratives(&ctx.actor).await?;
    Ok(Json(window.page(&all, |n| NarrativeDto::from(n))))
}

pub(super) async fn send_narrative(
    State(state): State<AppState>,
    ApiCaller(ctx): ApiCaller,
    ApiJson(body): ApiJson<NarrativeBody>,
) -> Result<Response, Failure> {
    let zone = zone_or(body.zone.as_deref(), ctx.user.zone).map_err(|f| {
        Failure::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_choice",
            f.message,
        )
    })?;
    let input = NarrativeInput {
        title: body.title,
        body: body.body,
        key_messages: body.key_messages,
        media: body.media_ids,
        deadline: body.deadline,
        zone,
        opds: body.opd_ids,
    };
    let n = state.app.send_narrative(&ctx.actor, &input).await?;
    Ok(created(
        format!("{BASE}/narratives/{}", n.id),
        NarrativeDto::from(&n),
    ))
}

pub(super) async fn track_narrative(
    State(state): State<AppState>,
    ApiCaller(ctx): ApiCaller,
    IdPath(id): IdPath<NarrativeId>,
) -> Result<Json<TrackingDto>, Failure> {
    let t = state.app.narrative_tracking(&ctx.actor, id).await?;
    Ok(Json(TrackingDto::from(&t)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_body_takes_ids_and_refuses_unknown_fields() {
        let opd = OpdId::generate();
        let b: NarrativeBody = serde_json::from_str(&format!(
            r#"{{"title":"t","body":"b","deadline":"2026-12-01T09:00","opd_ids":["{opd}"]}}"#
        ))
        .unwrap();
        assert_eq!(b.opd_ids, vec![opd]);
        assert!(b.key_messages.is_empty() && b.media_ids.is_empty() && b.zone.is_none());
        assert!(
            serde_json::from_str::<NarrativeBody>(
                r#"{"title":"t","body":"b","deadline":"x","opd_ids":[],"opds":[]}"#
            )
            .is_err()
        );
        assert!(
            serde_json::from_str::<NarrativeBody>(
                r#"{"title":"t","body":"b","deadline":"x","opd_ids":["dinkes"]}"#
            )
            .is_err()
        );
    }
}
