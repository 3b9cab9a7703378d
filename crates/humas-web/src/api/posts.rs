//! `/api/v1/posts`, `/api/v1/media` and `/api/v1/deliveries`: publishing for API clients.
//!
//! A post is written with a base text and per-account variants (`null` inherits the base
//! text), checked against each platform's rules (`POST /api/v1/posts/check`, the same check
//! the composer runs, with messages in the caller's language), submitted, approved along the
//! OPD's chain, rejected with a note, or published at once by a supervisor. Media are uploaded
//! once as `multipart/form-data` and attached by id.

use axum::Json;
use axum::extract::{DefaultBodyLimit, Multipart, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use axum::routing::{get, patch, post, put};
use humas_app::publish::{ChannelInput, PostCheck, PostInput, PostView};
use humas_app::{AppError, SessionContext};
use humas_domain::publish::chain::{ApprovalChain, Progress, StepMode};
use humas_domain::publish::{Post, PostState, zone};
use humas_domain::{AccountId, Actor, MediaId, OpdId, PostId, PublishJobId, UserZone, ValueError};
use humas_store::{MediaAsset, PostApproval, PostQuery, PublishJob};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::query::{Params, Window};
use super::{BASE, IdPath, created};
use crate::AppState;
use crate::error::Failure;
use crate::extract::{ApiCaller, ApiJson};
use crate::i18n::{self, Tr};
use crate::pages::MEDIA_UPLOAD_LIMIT;
use crate::pages::publish_view::{
    DraftChannel, check_draft, hint_message, measure_text, media_view, problem_message,
    severity_name, unit_label,
};
use crate::routes::Routes;

/// Every code a publishing refusal can answer with besides [`crate::error::ALL_CODES`]: the
/// application's own, the approval chain's and the media check's. Each has a message in both
/// languages (`error-<code>`, tested).
pub(crate) const PUBLISH_ERROR_CODES: &[&str] = &[
    "no_channels",
    "too_many_channels",
    "account_of_other_opd",
    "platform_not_publishable",
    "too_many_media",
    "no_approver",
    "approver_of_other_opd",
    "post_problems",
    "post_expired",
    "invalid_post_link",
    "alt_text_too_long",
    "media_unsupported",
    "media_corrupt",
    "media_empty",
    "media_too_large",
    "invalid_post_text",
    "invalid_schedule",
    "empty",
    "too_many_steps",
    "step_label",
    "step_without_approvers",
    "duplicate_approver",
    "self_approval",
    "already_approved",
    "not_an_approver",
    "complete",
    "author_is_only_approver",
];

/// The query parameters of `GET /api/v1/posts`.
pub(super) const POST_LIST_PARAMS: [&str; 4] = ["opd", "state", "limit", "cursor"];

/// Most posts the list reads before paging.
const LIST_READ_LIMIT: u32 = 1_000;

/// Registers the publishing endpoints.
pub(super) fn routes(r: Routes) -> Routes {
    r.add("GET", "/api/v1/posts", get(list_posts))
        .add("POST", "/api/v1/posts", post(create_post))
        .add("POST", "/api/v1/posts/check", post(check_post))
        .add("GET", "/api/v1/posts/{id}", get(get_post))
        .add("PUT", "/api/v1/posts/{id}", put(update_post))
        .add("POST", "/api/v1/posts/{id}/submit", post(submit_post))
        .add("POST", "/api/v1/posts/{id}/approve", post(approve_post))
        .add("POST", "/api/v1/posts/{id}/reject", post(reject_post))
        .add(
            "POST",
            "/api/v1/posts/{id}/emergency",
            post(emergency_publish),
        )
        .add(
            "POST",
            "/api/v1/media",
            post(upload_media).layer(DefaultBodyLimit::max(MEDIA_UPLOAD_LIMIT)),
        )
        .add("GET", "/api/v1/media/{id}", get(get_media))
        .add("PATCH", "/api/v1/media/{id}", patch(set_alt_text))
        .add(
            "POST",
            "/api/v1/deliveries/{id}/retry",
            post(retry_delivery),
        )
        .add(
            "POST",
            "/api/v1/deliveries/{id}/confirm",
            post(confirm_delivery),
        )
}

fn time(t: Timestamp) -> String {
    t.to_string()
}

// --- Wire shapes ------------------------------------------------------------------------------

/// One account a post goes to.
#[derive(Debug, Serialize)]
pub(crate) struct ChannelDto {
    pub account_id: Uuid,
    pub platform: &'static str,
    /// The variant; `null` inherits the base text.
    pub text: Option<String>,
    /// What this account publishes.
    pub effective_text: String,
}

/// A post.
#[derive(Debug, Serialize)]
pub(crate) struct PostDto {
    pub id: Uuid,
    pub opd_id: Uuid,
    pub author_id: Uuid,
    pub title: String,
    pub body: String,
    pub channels: Vec<ChannelDto>,
    pub media_ids: Vec<Uuid>,
    pub scheduled_at: Option<String>,
    pub state: &'static str,
    pub emergency: bool,
    pub review_round: u32,
    pub created_at: String,
    pub updated_at: String,
}

impl From<&Post> for PostDto {
    fn from(p: &Post) -> Self {
        Self {
            id: p.id.as_uuid(),
            opd_id: p.opd.as_uuid(),
            author_id: p.author.as_uuid(),
            title: p.title.clone(),
            body: p.body.as_str().to_owned(),
            channels: p
                .channels
                .iter()
                .map(|c| ChannelDto {
                    account_id: c.account.as_uuid(),
                    platform: c.platform.as_str(),
                    text: c.text.as_ref().map(|t| t.as_str().to_owned()),
                    effective_text: c.effective_text(&p.body).as_str().to_owned(),
                })
                .collect(),
            media_ids: p.media.iter().map(|m| m.as_uuid()).collect(),
            scheduled_at: p.scheduled_at.map(time),
            state: p.state.as_str(),
            emergency: p.emergency,
            review_round: p.review_round,
            created_at: time(p.created_at),
            updated_at: time(p.updated_at),
        }
    }
}

/// An uploaded image or video.
#[derive(Debug, Serialize)]
pub(crate) struct MediaDto {
    pub id: Uuid,
    pub opd_id: Uuid,
    pub uploaded_by: Uuid,
    pub file_name: String,
    pub mime: String,
    pub kind: &'static str,
    pub bytes: u64,
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub duration_ms: Option<u64>,
    pub sha256: String,
    pub alt_text: Option<String>,
    pub created_at: String,
}

impl From<&MediaAsset> for MediaDto {
    fn from(m: &MediaAsset) -> Self {
        Self {
            id: m.id.as_uuid(),
            opd_id: m.opd.as_uuid(),
            uploaded_by: m.uploaded_by.as_uuid(),
            file_name: m.file_name.clone(),
            mime: m.mime.clone(),
            kind: match m.kind {
                humas_domain::publish::limits::MediaKind::Image => "image",
                humas_domain::publish::limits::MediaKind::Video => "video",
            },
            bytes: m.bytes,
            width: m.width,
            height: m.height,
            duration_ms: m.duration_ms,
            sha256: m.sha256.clone(),
            alt_text: m.alt_text.clone(),
            created_at: time(m.created_at),
        }
    }
}

/// What the composer's script needs of a medium it just uploaded: its id and a line of facts
/// in the reader's language.
#[derive(Debug, Serialize)]
pub(crate) struct UploadedDto {
    pub id: String,
    pub file_name: String,
    pub facts: String,
    pub is_image: bool,
    pub alt_text: String,
}

impl UploadedDto {
    pub(crate) fn new(tr: Tr, m: &MediaAsset) -> Self {
        let v = media_view(tr, m);
        Self {
            id: v.id,
            file_name: v.file_name,
            facts: v.facts,
            is_image: v.is_image,
            alt_text: v.alt_text,
        }
    }
}

/// One channel's publication.
#[derive(Debug, Serialize)]
pub(crate) struct DeliveryDto {
    pub id: Uuid,
    pub post_id: Uuid,
    pub account_id: Uuid,
    pub state: &'static str,
    pub due_at: String,
    pub attempts: u32,
    pub external_id: Option<String>,
    pub url: Option<String>,
    pub last_error: Option<String>,
    pub published_at: Option<String>,
    pub updated_at: String,
}

impl From<&PublishJob> for DeliveryDto {
    fn from(j: &PublishJob) -> Self {
        Self {
            id: j.id.as_uuid(),
            post_id: j.post.as_uuid(),
            account_id: j.account.as_uuid(),
            state: j.state.as_str(),
            due_at: time(j.due_at),
            attempts: j.attempts,
            external_id: j.external_id.clone(),
            url: j.url.clone(),
            last_error: j.last_error.clone(),
            published_at: j.published_at.map(time),
            updated_at: time(j.updated_at),
        }
    }
}

/// One approval given.
#[derive(Debug, Serialize)]
pub(crate) struct ApprovalDto {
    pub round: u32,
    pub step: u32,
    pub approver_id: Uuid,
    pub on_behalf_of_id: Option<Uuid>,
    pub at: String,
}

impl From<&PostApproval> for ApprovalDto {
    fn from(a: &PostApproval) -> Self {
        Self {
            round: a.round,
            step: a.step,
            approver_id: a.approver.as_uuid(),
            on_behalf_of_id: a.on_behalf_of.map(|u| u.as_uuid()),
            at: time(a.at),
        }
    }
}

/// One step of a chain.
#[derive(Debug, Serialize)]
pub(crate) struct StepDto {
    pub label: String,
    pub mode: &'static str,
    pub approver_ids: Vec<Uuid>,
}

fn chain_dto(c: &ApprovalChain) -> Vec<StepDto> {
    c.steps()
        .iter()
        .map(|s| StepDto {
            label: s.label.clone(),
            mode: match s.mode {
                StepMode::AnyOf => "any_of",
                StepMode::AllOf => "all_of",
            },
            approver_ids: s.approvers.iter().map(|u| u.as_uuid()).collect(),
        })
        .collect()
}

/// Where the current review round stands.
#[derive(Debug, Serialize)]
pub(crate) struct ProgressDto {
    pub complete: bool,
    /// The step waiting (0-based), when not complete.
    pub step: Option<usize>,
    /// Who is still needed at that step.
    pub waiting_for: Vec<Uuid>,
}

fn progress_dto(p: &Progress) -> ProgressDto {
    match p {
        Progress::Complete => ProgressDto {
            complete: true,
            step: None,
            waiting_for: Vec::new(),
        },
        Progress::AtStep { index, missing } => ProgressDto {
            complete: false,
            step: Some(*index),
            waiting_for: missing.iter().map(|u| u.as_uuid()).collect(),
        },
    }
}

/// A live counter.
#[derive(Debug, Serialize)]
pub(crate) struct MeasureDto {
    pub used: usize,
    pub limit: usize,
    pub unit: &'static str,
    pub unit_label: String,
    pub over: bool,
    /// The counter in words, e.g. `281 / 280 karakter berbobot`.
    pub text: String,
}

/// One broken or doubtful platform rule.
#[derive(Debug, Serialize)]
pub(crate) struct ProblemDto {
    pub code: &'static str,
    pub severity: &'static str,
    pub media_index: Option<usize>,
    pub message: String,
}

/// One channel's check.
#[derive(Debug, Serialize)]
pub(crate) struct ChannelCheckDto {
    pub account_id: Uuid,
    pub platform: &'static str,
    pub measure: Option<MeasureDto>,
    pub problems: Vec<ProblemDto>,
}

/// A coach hint.
#[derive(Debug, Serialize)]
pub(crate) struct HintDto {
    pub code: &'static str,
    pub detail: String,
    pub message: String,
}

/// The whole check, messages in the caller's language.
#[derive(Debug, Serialize)]
pub(crate) struct CheckDto {
    pub channels: Vec<ChannelCheckDto>,
    pub hints: Vec<HintDto>,
    /// Whether anything blocks submission.
    pub has_errors: bool,
}

impl CheckDto {
    pub(crate) fn new(tr: Tr, c: &PostCheck) -> Self {
        Self {
            channels: c
                .channels
                .iter()
                .map(|ch| ChannelCheckDto {
                    account_id: ch.account.as_uuid(),
                    platform: ch.platform.as_str(),
                    measure: ch.measure.as_ref().map(|m| MeasureDto {
                        used: m.used,
                        limit: m.limit,
                        unit: m.unit,
                        unit_label: unit_label(tr, m.unit),
                        over: m.is_over(),
                        text: measure_text(tr, m),
                    }),
                    problems: ch
                        .problems
                        .iter()
                        .map(|p| ProblemDto {
                            code: p.code,
                            severity: severity_name(p.severity),
                            media_index: p.media_index,
                            message: problem_message(tr, p),
                        })
                        .collect(),
                })
                .collect(),
            hints: c
                .hints
                .iter()
                .map(|h| HintDto {
                    code: h.code,
                    detail: h.detail.clone(),
                    message: hint_message(tr, h),
                })
                .collect(),
            has_errors: c.has_errors(),
        }
    }
}

/// A post with everything its page shows.
#[derive(Debug, Serialize)]
pub(crate) struct PostViewDto {
    pub post: PostDto,
    pub media: Vec<MediaDto>,
    pub deliveries: Vec<DeliveryDto>,
    pub approvals: Vec<ApprovalDto>,
    /// The chain that applies; `null` when the OPD has no approver yet.
    pub chain: Option<Vec<StepDto>>,
    pub progress: Option<ProgressDto>,
    pub check: CheckDto,
    pub can_approve: bool,
    pub can_edit: bool,
}

impl PostViewDto {
    fn new(tr: Tr, v: &PostView) -> Self {
        Self {
            post: PostDto::from(&v.post),
            media: v.media.iter().map(MediaDto::from).collect(),
            deliveries: v.jobs.iter().map(DeliveryDto::from).collect(),
            approvals: v.approvals.iter().map(ApprovalDto::from).collect(),
            chain: v.chain.as_ref().map(chain_dto),
            progress: v.progress.as_ref().map(progress_dto),
            check: CheckDto::new(tr, &v.check),
            can_approve: v.can_approve,
            can_edit: v.can_edit,
        }
    }
}

// --- What the API accepts ---------------------------------------------------------------------

/// One account a post goes to; `text` `null` or empty inherits the base text.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ChannelBody {
    #[serde(alias = "account")]
    account_id: Uuid,
    #[serde(default)]
    text: Option<String>,
}

/// A post to create (with `opd_id`) or replace.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PostBody {
    #[serde(default)]
    opd_id: Option<Uuid>,
    title: String,
    #[serde(default)]
    body: String,
    channels: Vec<ChannelBody>,
    #[serde(default, alias = "media")]
    media_ids: Vec<Uuid>,
    /// An instant with its offset (`2026-12-01T09:30:00+07:00`); `null` for "as soon as
    /// approved".
    #[serde(default)]
    scheduled_at: Option<String>,
}

impl PostBody {
    fn input(&self) -> Result<PostInput, AppError> {
        // The use case reads a local time in a zone; an instant is written in WIB for it.
        let schedule = match self.scheduled_at.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(raw) => {
                let at: Timestamp = raw.parse().map_err(|_| {
                    ValueError::Schedule(format!(
                        "`scheduled_at` must be a time with its offset, e.g. 2026-12-01T09:30:00+07:00; got \"{}\"",
                        raw.chars().take(40).collect::<String>()
                    ))
                })?;
                Some(zone::to_local(at, UserZone::Wib).to_string())
            }
        };
        Ok(PostInput {
            title: self.title.clone(),
            body: self.body.clone(),
            channels: self
                .channels
                .iter()
                .map(|c| ChannelInput {
                    account: AccountId::from_uuid(c.account_id),
                    text: c.text.clone(),
                })
                .collect(),
            media: self
                .media_ids
                .iter()
                .map(|m| MediaId::from_uuid(*m))
                .collect(),
            schedule,
            zone: UserZone::Wib,
        })
    }
}

/// What the composer (or a client) asks to check: `{body, channels: [{account, text}],
/// media: [ids]}`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct CheckBody {
    #[serde(default)]
    body: String,
    #[serde(default)]
    channels: Vec<ChannelBody>,
    #[serde(default, alias = "media_ids")]
    media: Vec<Uuid>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct NoteBody {
    note: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ReasonBody {
    reason: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct AltTextBody {
    alt_text: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ConfirmBody {
    url: String,
}

/// Runs the check of a post being written for `actor`, messages in `tr`'s language.
pub(crate) async fn run_check(
    state: &AppState,
    actor: &Actor,
    tr: Tr,
    body: &CheckBody,
) -> Result<CheckDto, Failure> {
    let channels: Vec<DraftChannel> = body
        .channels
        .iter()
        .map(|c| DraftChannel {
            account: AccountId::from_uuid(c.account_id),
            text: c.text.clone(),
        })
        .collect();
    let media: Vec<MediaId> = body.media.iter().map(|m| MediaId::from_uuid(*m)).collect();
    let check = check_draft(&state.app, actor, &body.body, &channels, &media).await?;
    Ok(CheckDto::new(tr, &check))
}

/// The caller's language: the language switch cookie, else their profile.
fn caller_tr(headers: &HeaderMap, ctx: &SessionContext) -> Tr {
    i18n::pick(headers, Some(&ctx.user))
}

// --- Handlers ---------------------------------------------------------------------------------

fn list_query(params: &Params) -> Result<PostQuery, Failure> {
    let states = match params.text("state") {
        Some(raw) => raw
            .split(',')
            .map(|s| PostState::parse(s).map_err(AppError::from))
            .collect::<Result<Vec<_>, _>>()?,
        None => Vec::new(),
    };
    Ok(PostQuery {
        opd: params.parse::<OpdId>("opd", "an OPD id")?,
        states,
        limit: LIST_READ_LIMIT,
        ..PostQuery::default()
    })
}

pub(super) async fn list_posts(
    State(state): State<AppState>,
    ApiCaller(ctx): ApiCaller,
    uri: Uri,
) -> Result<Json<super::query::Page<PostDto>>, Failure> {
    let params = Params::read(&uri, &POST_LIST_PARAMS)?;
    let window = Window::read(&params)?;
    let posts = state
        .app
        .list_posts(&ctx.actor, list_query(&params)?)
        .await?;
    Ok(Json(window.page(&posts, |p| PostDto::from(p))))
}

pub(super) async fn create_post(
    State(state): State<AppState>,
    ApiCaller(ctx): ApiCaller,
    ApiJson(body): ApiJson<PostBody>,
) -> Result<Response, Failure> {
    let opd = body
        .opd_id
        .map(OpdId::from_uuid)
        .or(ctx.actor.opd)
        .ok_or_else(|| {
            Failure::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "unknown_reference",
                "say which OPD the post speaks for with `opd_id`",
            )
        })?;
    let post = state
        .app
        .create_post(&ctx.actor, opd, &body.input()?)
        .await?;
    Ok(created(
        format!("{BASE}/posts/{}", post.id),
        PostDto::from(&post),
    ))
}

pub(super) async fn get_post(
    State(state): State<AppState>,
    ApiCaller(ctx): ApiCaller,
    headers: HeaderMap,
    IdPath(id): IdPath<PostId>,
) -> Result<Json<PostViewDto>, Failure> {
    let view = state.app.post_view(&ctx.actor, id).await?;
    Ok(Json(PostViewDto::new(caller_tr(&headers, &ctx), &view)))
}

pub(super) async fn update_post(
    State(state): State<AppState>,
    ApiCaller(ctx): ApiCaller,
    IdPath(id): IdPath<PostId>,
    ApiJson(body): ApiJson<PostBody>,
) -> Result<Json<PostDto>, Failure> {
    let post = state
        .app
        .update_post(&ctx.actor, id, &body.input()?)
        .await?;
    Ok(Json(PostDto::from(&post)))
}

pub(super) async fn check_post(
    State(state): State<AppState>,
    ApiCaller(ctx): ApiCaller,
    headers: HeaderMap,
    ApiJson(body): ApiJson<CheckBody>,
) -> Result<Json<CheckDto>, Failure> {
    let tr = caller_tr(&headers, &ctx);
    run_check(&state, &ctx.actor, tr, &body).await.map(Json)
}

pub(super) async fn submit_post(
    State(state): State<AppState>,
    ApiCaller(ctx): ApiCaller,
    IdPath(id): IdPath<PostId>,
) -> Result<Json<PostDto>, Failure> {
    let post = state.app.submit_post(&ctx.actor, id).await?;
    Ok(Json(PostDto::from(&post)))
}

pub(super) async fn approve_post(
    State(state): State<AppState>,
    ApiCaller(ctx): ApiCaller,
    IdPath(id): IdPath<PostId>,
) -> Result<Json<PostDto>, Failure> {
    let post = state.app.approve_post(&ctx.actor, id).await?;
    Ok(Json(PostDto::from(&post)))
}

pub(super) async fn reject_post(
    State(state): State<AppState>,
    ApiCaller(ctx): ApiCaller,
    IdPath(id): IdPath<PostId>,
    ApiJson(body): ApiJson<NoteBody>,
) -> Result<Json<PostDto>, Failure> {
    let post = state.app.reject_post(&ctx.actor, id, &body.note).await?;
    Ok(Json(PostDto::from(&post)))
}

pub(super) async fn emergency_publish(
    State(state): State<AppState>,
    ApiCaller(ctx): ApiCaller,
    IdPath(id): IdPath<PostId>,
    ApiJson(body): ApiJson<ReasonBody>,
) -> Result<Json<PostDto>, Failure> {
    let post = state
        .app
        .emergency_publish(&ctx.actor, id, &body.reason)
        .await?;
    Ok(Json(PostDto::from(&post)))
}

/// `POST /api/v1/media`: `multipart/form-data` with `file`, `opd_id` (defaults to the caller's
/// OPD) and `alt_text`.
pub(super) async fn upload_media(
    State(state): State<AppState>,
    ApiCaller(ctx): ApiCaller,
    mut parts: Multipart,
) -> Result<Response, Failure> {
    let mut opd: Option<String> = None;
    let mut alt = String::new();
    let mut file: Option<(String, Vec<u8>)> = None;
    while let Some(field) = parts
        .next_field()
        .await
        .map_err(|e| crate::pages::multipart_failure(&e))?
    {
        let name = field.name().unwrap_or_default().to_owned();
        match name.as_str() {
            "file" => {
                let file_name = field.file_name().unwrap_or_default().to_owned();
                let bytes = field
                    .bytes()
                    .await
                    .map_err(|e| crate::pages::multipart_failure(&e))?;
                file = Some((file_name, bytes.to_vec()));
            }
            "opd_id" | "opd" | "alt_text" => {
                let value = field
                    .text()
                    .await
                    .map_err(|e| crate::pages::multipart_failure(&e))?;
                if name == "alt_text" {
                    alt = value;
                } else {
                    opd = Some(value);
                }
            }
            other => {
                return Err(Failure::malformed(format!(
                    "unknown part `{other}`; send `file`, `opd_id` and `alt_text`"
                )));
            }
        }
    }
    let opd = match opd.as_deref().map(str::trim).filter(|o| !o.is_empty()) {
        Some(raw) => raw
            .parse::<OpdId>()
            .map_err(|_| AppError::UnknownReference("opd"))?,
        None => ctx.actor.opd.ok_or(AppError::UnknownReference("opd"))?,
    };
    let Some((file_name, bytes)) = file else {
        return Err(Failure::from(AppError::Refused {
            code: "media_empty",
            message: "send the file as the `file` part".to_owned(),
        }));
    };
    let asset = state
        .app
        .upload_media(&ctx.actor, &state.media, opd, &file_name, &bytes, &alt)
        .await?;
    Ok(created(
        format!("{BASE}/media/{}", asset.id),
        MediaDto::from(&asset),
    ))
}

pub(super) async fn get_media(
    State(state): State<AppState>,
    ApiCaller(ctx): ApiCaller,
    IdPath(id): IdPath<MediaId>,
) -> Result<Json<MediaDto>, Failure> {
    let asset = state.app.media_asset(&ctx.actor, id).await?;
    Ok(Json(MediaDto::from(&asset)))
}

pub(super) async fn set_alt_text(
    State(state): State<AppState>,
    ApiCaller(ctx): ApiCaller,
    IdPath(id): IdPath<MediaId>,
    ApiJson(body): ApiJson<AltTextBody>,
) -> Result<Json<MediaDto>, Failure> {
    let asset = state
        .app
        .set_media_alt_text(&ctx.actor, id, body.alt_text.as_deref().unwrap_or(""))
        .await?;
    Ok(Json(MediaDto::from(&asset)))
}

pub(super) async fn retry_delivery(
    State(state): State<AppState>,
    ApiCaller(ctx): ApiCaller,
    IdPath(id): IdPath<PublishJobId>,
) -> Result<Json<DeliveryDto>, Failure> {
    let job = state.app.retry_delivery(&ctx.actor, id).await?;
    Ok(Json(DeliveryDto::from(&job)))
}

pub(super) async fn confirm_delivery(
    State(state): State<AppState>,
    ApiCaller(ctx): ApiCaller,
    IdPath(id): IdPath<PublishJobId>,
    ApiJson(body): ApiJson<ConfirmBody>,
) -> Result<Json<DeliveryDto>, Failure> {
    let job = state
        .app
        .confirm_delivery(&ctx.actor, id, &body.url)
        .await?;
    Ok(Json(DeliveryDto::from(&job)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use humas_domain::Locale;
    use humas_domain::publish::chain::ChainError;

    #[test]
    fn every_publishing_code_is_listed_and_translated() {
        let chain = [
            ChainError::Empty,
            ChainError::TooManySteps,
            ChainError::StepLabel,
            ChainError::StepWithoutApprovers {
                step_label: String::new(),
            },
            ChainError::DuplicateApprover {
                step_label: String::new(),
            },
            ChainError::SelfApproval,
            ChainError::AlreadyApproved,
            ChainError::NotAnApprover {
                step_label: String::new(),
            },
            ChainError::Complete,
            ChainError::AuthorIsOnlyApprover {
                step_label: String::new(),
            },
        ];
        for e in &chain {
            assert!(PUBLISH_ERROR_CODES.contains(&e.code()), "{}", e.code());
        }
        for v in [
            ValueError::PostText(String::new()),
            ValueError::Schedule(String::new()),
        ] {
            assert!(PUBLISH_ERROR_CODES.contains(&v.code()), "{}", v.code());
        }
        let app = include_str!("../../../humas-app/src/publish/mod.rs").to_owned()
            + include_str!("../../../humas-app/src/publish/media.rs");
        for code in PUBLISH_ERROR_CODES {
            let quoted = format!("\"{code}\"");
            let produced = app.contains(&quoted)
                || chain.iter().any(|e| e.code() == *code)
                || code.starts_with("invalid_post_text")
                || code.starts_with("invalid_schedule");
            assert!(produced, "{code} is listed but never produced");
            for lang in [Locale::Id, Locale::En] {
                let args = [("step_label", "Kabid".to_owned())];
                let tr = Tr::new(lang);
                assert!(
                    tr.t_args(&format!("error-{code}"), &args).is_some(),
                    "error-{code} missing in {lang}"
                );
            }
        }
    }

    #[test]
    fn a_check_body_takes_the_composers_shape_and_refuses_typos() {
        let b: CheckBody = serde_json::from_str(
            r#"{"body":"x","channels":[{"account":"0190f5a8-0000-7000-8000-000000000001","text":null}],"media":[]}"#,
        )
        .unwrap();
        assert_eq!(b.channels.len(), 1);
        assert!(serde_json::from_str::<CheckBody>(r#"{"bdy":"x"}"#).is_err());
    }

    #[test]
    fn a_scheduled_instant_becomes_the_same_instant_in_wib() {
        let body: PostBody = serde_json::from_str(
            r#"{"title":"t","channels":[],"scheduled_at":"2026-12-01T09:30:00+08:00"}"#,
        )
        .unwrap();
        let input = body.input().unwrap();
        let at = zone::parse_local(input.schedule.as_deref().unwrap(), input.zone).unwrap();
        assert_eq!(at.to_string(), "2026-12-01T01:30:00Z");
        let bad: PostBody =
            serde_json::from_str(r#"{"title":"t","channels":[],"scheduled_at":"besok"}"#).unwrap();
        assert!(matches!(
            bad.input(),
            Err(AppError::Invalid(ValueError::Schedule(_)))
        ));
    }
}
