//! The composer: writing a post once for several accounts (`/posts/new`, `/posts/{id}/edit`),
//! its live check (`POST /posts/check`, called by `assets/composer.js` with the session's CSRF
//! header), and media: upload (`POST /posts/media`, multipart), the bytes for previews
//! (`GET /posts/media/{id}`) and alt text (`POST /posts/media/{id}`).
//!
//! Everything works without JavaScript: saving shows the same per-channel counters, problems
//! and coach hints the script shows while typing, and an upload form posts the file and comes
//! back to the composer with the new medium ticked.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use humas_app::AppError;
use humas_app::publish::{ChannelInput, PostCheck, PostInput};
use humas_domain::publish::limits::{is_publishable, platform_name};
use humas_domain::publish::{MAX_MEDIA, Post};
use humas_domain::{AccountId, AccountStatus, Actor, MediaId, OpdId, PostId, Role};
use humas_store::MediaAsset;
use serde::Deserialize;

use crate::AppState;
use crate::api::posts::{CheckBody, CheckDto, UploadedDto};
use crate::error::{Failure, PageFailure};
use crate::extract::{ApiJson, FormBody, Signed, query_params};
use crate::i18n::Tr;
use crate::pages::opds::Choice;
use crate::pages::posts::{account_label, parse_post_id, post_notice};
use crate::pages::publish_view::{
    ChannelCheckView, MediaView, ProblemView, check_draft, check_views, failure_message,
    local_input, media_view, refusal,
};
use crate::pages::{Layout, done, fail, layout, render};
use crate::routes::Routes;

/// The largest upload request a page accepts (the file and the form around it). Larger videos
/// must be shortened or compressed first; every other route keeps the global limit.
pub(crate) const MEDIA_UPLOAD_LIMIT: usize = 100 * 1024 * 1024;

pub(crate) fn routes(r: Routes) -> Routes {
    r.add("GET", "/posts/new", get(new_post))
        .add("POST", "/posts", post(create))
        .add("GET", "/posts/{id}/edit", get(edit))
        .add("POST", "/posts/{id}/edit", post(update))
        .add("POST", "/posts/check", post(check))
        .add(
            "POST",
            "/posts/media",
            post(upload).layer(DefaultBodyLimit::max(MEDIA_UPLOAD_LIMIT)),
        )
        .add("GET", "/posts/media/{id}", get(media_bytes))
        .add("POST", "/posts/media/{id}", post(alt_text))
}

// --- The form ---------------------------------------------------------------------------------

/// The composer's fields as posted: repeated `channel` and `media` fields, and one
/// `text_<account>` variant per account.
#[derive(Clone, Debug, Default)]
struct ComposerForm {
    opd: String,
    title: String,
    body: String,
    schedule: String,
    /// Ticked accounts, in form order.
    channels: Vec<String>,
    /// Variant texts by account id (kept for unticked accounts too, so nothing typed is lost).
    variants: HashMap<String, String>,
    media: Vec<String>,
    /// `submit` saves and submits for review.
    action: String,
}

impl ComposerForm {
    fn from_pairs(pairs: Vec<(String, String)>) -> Self {
        let mut f = Self::default();
        for (k, v) in pairs {
            match k.as_str() {
                "opd" => f.opd = v,
                "title" => f.title = v,
                "body" => f.body = v,
                "schedule" => f.schedule = v,
                "channel" => f.channels.push(v),
                "media" => f.media.push(v),
                "action" => f.action = v,
                other => {
                    if let Some(account) = other.strip_prefix("text_") {
                        f.variants.insert(account.to_owned(), v);
                    }
                }
            }
        }
        f
    }

    /// The values of a saved post.
    fn from_post(post: &Post, zone: humas_domain::UserZone) -> Self {
        Self {
            opd: post.opd.to_string(),
            title: post.title.clone(),
            body: post.body.as_str().to_owned(),
            schedule: post
                .scheduled_at
                .map(|t| local_input(t, zone))
                .unwrap_or_default(),
            channels: post
                .channels
                .iter()
                .map(|c| c.account.to_string())
                .collect(),
            variants: post
                .channels
                .iter()
                .filter_map(|c| {
                    c.text
                        .as_ref()
                        .map(|t| (c.account.to_string(), t.as_str().to_owned()))
                })
                .collect(),
            media: post.media.iter().map(ToString::to_string).collect(),
            action: String::new(),
        }
    }

    /// Adds media ids from the query string (just uploaded, not yet saved), once each.
    fn add_media(&mut self, ids: impl IntoIterator<Item = String>) {
        for id in ids {
            if !self.media.contains(&id) && self.media.len() < MAX_MEDIA {
                self.media.push(id);
            }
        }
    }

    fn variant(&self, account: &str) -> Option<String> {
        self.variants
            .get(account)
            .filter(|t| !t.trim().is_empty())
            .cloned()
    }

    fn media_ids(&self) -> Result<Vec<MediaId>, AppError> {
        self.media
            .iter()
            .map(|m| {
                m.trim()
                    .parse()
                    .map_err(|_| AppError::UnknownReference("media"))
            })
            .collect()
    }

    fn channel_ids(&self) -> Result<Vec<AccountId>, AppError> {
        self.channels
            .iter()
            .map(|c| {
                c.trim()
                    .parse()
                    .map_err(|_| AppError::UnknownReference("account"))
            })
            .collect()
    }

    /// The use case's input, times read in the writer's zone.
    fn input(&self, zone: humas_domain::UserZone) -> Result<PostInput, AppError> {
        let channels = self
            .channel_ids()?
            .into_iter()
            .map(|account| ChannelInput {
                account,
                text: self.variant(&account.to_string()),
            })
            .collect();
        Ok(PostInput {
            title: self.title.clone(),
            body: self.body.clone(),
            channels,
            media: self.media_ids()?,
            schedule: Some(self.schedule.clone()).filter(|s| !s.trim().is_empty()),
            zone,
        })
    }
}

/// Repeated query parameters (`?media=a&media=b`), which the usual map keeps only once.
fn repeated(uri: &Uri, key: &str) -> Vec<String> {
    uri.query()
        .map(|q| {
            form_urlencoded::parse(q.as_bytes())
                .filter(|(k, _)| k == key)
                .map(|(_, v)| v.into_owned())
                .collect()
        })
        .unwrap_or_default()
}

// --- The page ---------------------------------------------------------------------------------

struct ComposerChannel {
    account: String,
    label: String,
    platform: &'static str,
    platform_name: &'static str,
    checked: bool,
    text: String,
    /// Why the account cannot publish right now (token expired, paused), if so.
    status_note: String,
    counter: String,
    over: bool,
    problems: Vec<ProblemView>,
    /// Characters the platform's feed shows before folding (0: all), for the live preview.
    fold: usize,
    /// The preview as the page first shows it (the script keeps it up to date while typing).
    preview: String,
    /// Whether `preview` is folded.
    folded: bool,
}

struct ComposerMedia {
    m: MediaView,
}

#[derive(Template)]
#[template(path = "post_composer.html")]
struct ComposerPage {
    l: Layout,
    /// Where the form posts: `/posts` or `/posts/{id}/edit`.
    action: String,
    post_id: String,
    opd_id: String,
    opd_name: String,
    /// The OPD is still to be chosen (province roles on `/posts/new`).
    pick_opd: bool,
    opd_choices: Vec<Choice>,
    title: String,
    body: String,
    schedule: String,
    zone: &'static str,
    channels: Vec<ComposerChannel>,
    media: Vec<ComposerMedia>,
    hints: Vec<String>,
    checked: bool,
    has_errors: bool,
}

fn status_note(tr: Tr, status: AccountStatus) -> String {
    if humas_app::publish::account_usable(status) {
        String::new()
    } else {
        tr.t(&format!("post-account-{}", status.as_str()))
    }
}

/// What the composer shows for one account: ticked or not, its variant, and its check.
fn composer_channel(
    tr: Tr,
    a: &humas_domain::Account,
    form: &ComposerForm,
    checks: &[ChannelCheckView],
) -> ComposerChannel {
    let id = a.id.to_string();
    let check = checks.iter().find(|c| c.account == id);
    let variant = form
        .variants
        .get(&id)
        .map(String::as_str)
        .unwrap_or_default();
    let text = if variant.trim().is_empty() {
        form.body.as_str()
    } else {
        variant
    };
    let (preview, rest) = crate::pages::posts::fold(a.platform, text);
    ComposerChannel {
        fold: crate::pages::posts::feed_fold(a.platform).unwrap_or(0),
        folded: !rest.is_empty(),
        preview,
        label: account_label(tr, a),
        platform: a.platform.as_str(),
        platform_name: platform_name(a.platform),
        checked: form.channels.contains(&id),
        text: form.variants.get(&id).cloned().unwrap_or_default(),
        status_note: status_note(tr, a.status),
        counter: check.map(|c| c.counter.clone()).unwrap_or_default(),
        over: check.is_some_and(|c| c.over),
        problems: check
            .map(|c| {
                c.problems
                    .iter()
                    .map(|p| ProblemView {
                        severity: p.severity,
                        message: p.message.clone(),
                    })
                    .collect()
            })
            .unwrap_or_default(),
        account: id,
    }
}

/// The check of what the form holds, when it can be made (a form with a text no platform takes
/// is refused on saving with its own message).
async fn form_check(state: &AppState, actor: &Actor, form: &ComposerForm) -> Option<PostCheck> {
    let channels: Vec<crate::pages::publish_view::DraftChannel> = form
        .channel_ids()
        .ok()?
        .into_iter()
        .map(|account| crate::pages::publish_view::DraftChannel {
            account,
            text: form.variant(&account.to_string()),
        })
        .collect();
    if channels.is_empty() {
        return None;
    }
    let media = form.media_ids().ok()?;
    check_draft(&state.app, actor, &form.body, &channels, &media)
        .await
        .ok()
}

/// The media the form names that the reader may see, in order.
async fn form_media(state: &AppState, actor: &Actor, form: &ComposerForm) -> Vec<MediaAsset> {
    let mut out = Vec::new();
    for id in form.media_ids().unwrap_or_default() {
        if let Ok(m) = state.app.media_asset(actor, id).await {
            out.push(m);
        }
    }
    out
}

/// Renders the composer for `opd` with the form's values, an optional error and notice.
async fn composer_page(
    state: &AppState,
    s: &Signed,
    opd: OpdId,
    post: Option<PostId>,
    form: &ComposerForm,
    uri: Option<&Uri>,
    error: Option<(StatusCode, String)>,
) -> Result<Response, PageFailure> {
    let f = fail(s.tr);
    let actor = &s.ctx.actor;
    if !actor.can_compose_posts_of(opd) {
        return Err(f(AppError::Forbidden));
    }
    let opd_row = state.app.get_opd(actor, opd).await.map_err(&f)?;
    let accounts: Vec<_> = state
        .app
        .list_accounts(actor, Some(opd))
        .await
        .map_err(&f)?
        .into_iter()
        .filter(|a| is_publishable(a.platform))
        .collect();
    let check = form_check(state, actor, form).await;
    let (checks, hints) = check
        .as_ref()
        .map(|c| check_views(s.tr, c))
        .unwrap_or_default();
    let media = form_media(state, actor, form).await;
    let title_key = if post.is_some() {
        "post-edit-title"
    } else {
        "post-new-title"
    };
    let mut l = layout(state, s, "posts", title_key);
    let status = l.show_outcome(None, error);
    if let Some(u) = uri {
        l.notice = post_notice(u, s.tr);
    }
    let page = ComposerPage {
        action: post.map_or_else(|| "/posts".to_owned(), |id| format!("/posts/{id}/edit")),
        post_id: post.map(|p| p.to_string()).unwrap_or_default(),
        opd_id: opd.to_string(),
        opd_name: opd_row.name.to_string(),
        pick_opd: false,
        opd_choices: Vec::new(),
        title: form.title.clone(),
        body: form.body.clone(),
        schedule: form.schedule.clone(),
        zone: s.ctx.user.zone.label(),
        channels: accounts
            .iter()
            .map(|a| composer_channel(s.tr, a, form, &checks))
            .collect(),
        media: media
            .iter()
            .map(|m| ComposerMedia {
                m: media_view(s.tr, m),
            })
            .collect(),
        hints,
        checked: check.is_some(),
        has_errors: check.as_ref().is_some_and(PostCheck::has_errors),
        l,
    };
    Ok(render(status, &page, s.tr))
}

/// The OPD chooser for people who write for several OPDs and have not chosen one.
async fn opd_picker(state: &AppState, s: &Signed) -> Result<Response, PageFailure> {
    let f = fail(s.tr);
    let actor = &s.ctx.actor;
    let opds = state.app.list_opds(actor).await.map_err(&f)?;
    let choices: Vec<Choice> = opds
        .iter()
        .filter(|o| actor.can_compose_posts_of(o.id))
        .map(|o| Choice {
            value: o.id.to_string(),
            label: o.name.to_string(),
        })
        .collect();
    if choices.is_empty() {
        return Err(f(AppError::Forbidden));
    }
    let l = layout(state, s, "posts", "post-new-title");
    let page = ComposerPage {
        action: "/posts".to_owned(),
        post_id: String::new(),
        opd_id: String::new(),
        opd_name: String::new(),
        pick_opd: true,
        opd_choices: choices,
        title: String::new(),
        body: String::new(),
        schedule: String::new(),
        zone: s.ctx.user.zone.label(),
        channels: Vec::new(),
        media: Vec::new(),
        hints: Vec::new(),
        checked: false,
        has_errors: false,
        l,
    };
    Ok(render(StatusCode::OK, &page, s.tr))
}

fn parse_opd(raw: &str, tr: Tr) -> Result<OpdId, PageFailure> {
    raw.trim()
        .parse()
        .map_err(|_| fail(tr)(AppError::NotFound("opd")))
}

async fn new_post(
    State(state): State<AppState>,
    s: Signed,
    uri: Uri,
) -> Result<Response, PageFailure> {
    let q = query_params(&uri);
    let opd = match q.get("opd").filter(|o| !o.trim().is_empty()) {
        Some(raw) => parse_opd(raw, s.tr)?,
        None => match s.ctx.actor.opd {
            Some(own) if s.ctx.actor.role != Role::Supervisor => own,
            _ => return opd_picker(&state, &s).await,
        },
    };
    let mut form = ComposerForm {
        opd: opd.to_string(),
        ..ComposerForm::default()
    };
    form.add_media(repeated(&uri, "media"));
    composer_page(&state, &s, opd, None, &form, Some(&uri), None).await
}

/// The stored post as the composer starts from it, with media uploaded since.
async fn stored_form(
    state: &AppState,
    s: &Signed,
    id: PostId,
    uri: &Uri,
) -> Result<(Post, ComposerForm), PageFailure> {
    let view = state
        .app
        .post_view(&s.ctx.actor, id)
        .await
        .map_err(fail(s.tr))?;
    let mut form = ComposerForm::from_post(&view.post, s.ctx.user.zone);
    form.add_media(repeated(uri, "media"));
    Ok((view.post, form))
}

async fn edit(
    State(state): State<AppState>,
    s: Signed,
    Path(id): Path<String>,
    uri: Uri,
) -> Result<Response, PageFailure> {
    let id = parse_post_id(&id, s.tr)?;
    let (post, form) = stored_form(&state, &s, id, &uri).await?;
    if !post.state.is_editable() {
        // Only a draft changes; anything else is shown as it is.
        return Ok(axum::response::Redirect::to(&format!("/posts/{id}")).into_response());
    }
    composer_page(&state, &s, post.opd, Some(id), &form, Some(&uri), None).await
}

/// After saving: submit it too when asked; back to the composer (or the post) with a notice,
/// or the composer again with what was typed and the refusal.
async fn after_save(
    state: &AppState,
    s: &Signed,
    opd: OpdId,
    form: &ComposerForm,
    saved: Result<Post, AppError>,
    existing: Option<PostId>,
) -> Result<Response, PageFailure> {
    let post = match saved {
        Ok(p) => p,
        Err(e @ AppError::Forbidden) => return Err(fail(s.tr)(e)),
        Err(e) => {
            return composer_page(state, s, opd, existing, form, None, Some(refusal(e, s.tr)))
                .await;
        }
    };
    if form.action != "submit" {
        let notice = if existing.is_some() {
            "saved"
        } else {
            "created"
        };
        return Ok(done(&format!("/posts/{}/edit", post.id), notice));
    }
    match state.app.submit_post(&s.ctx.actor, post.id).await {
        Ok(_) => Ok(done(&format!("/posts/{}", post.id), "submitted")),
        Err(e) => {
            composer_page(
                state,
                s,
                opd,
                Some(post.id),
                form,
                None,
                Some(refusal(e, s.tr)),
            )
            .await
        }
    }
}

async fn create(
    State(state): State<AppState>,
    s: Signed,
    FormBody(pairs): FormBody<Vec<(String, String)>>,
) -> Result<Response, PageFailure> {
    let form = ComposerForm::from_pairs(pairs);
    let opd = parse_opd(&form.opd, s.tr)?;
    let saved = match form.input(s.ctx.user.zone) {
        Ok(input) => state.app.create_post(&s.ctx.actor, opd, &input).await,
        Err(e) => Err(e),
    };
    after_save(&state, &s, opd, &form, saved, None).await
}

async fn update(
    State(state): State<AppState>,
    s: Signed,
    Path(id): Path<String>,
    FormBody(pairs): FormBody<Vec<(String, String)>>,
) -> Result<Response, PageFailure> {
    let id = parse_post_id(&id, s.tr)?;
    let form = ComposerForm::from_pairs(pairs);
    let view = state
        .app
        .post_view(&s.ctx.actor, id)
        .await
        .map_err(fail(s.tr))?;
    let saved = match form.input(s.ctx.user.zone) {
        Ok(input) => state.app.update_post(&s.ctx.actor, id, &input).await,
        Err(e) => Err(e),
    };
    after_save(&state, &s, view.post.opd, &form, saved, Some(id)).await
}

// --- The live check ---------------------------------------------------------------------------

/// `POST /posts/check`: the composer's script asks while the person types. JSON in and out,
/// messages in the reader's language; the session's CSRF token comes as `X-CSRF-Token`.
async fn check(
    State(state): State<AppState>,
    s: Signed,
    ApiJson(body): ApiJson<CheckBody>,
) -> Result<axum::Json<CheckDto>, Response> {
    crate::api::posts::run_check(&state, &s.ctx.actor, s.tr, &body)
        .await
        .map(axum::Json)
        .map_err(|f| json_failure(f, s.tr))
}

/// A failure as JSON with the message in the reader's language (for our own scripts).
fn json_failure(f: Failure, tr: Tr) -> Response {
    let message = failure_message(tr, &f);
    let body = serde_json::json!({ "error": { "code": f.code, "message": message } });
    (f.status, axum::Json(body)).into_response()
}

// --- Media ------------------------------------------------------------------------------------

/// What an upload form sent besides the file.
#[derive(Default)]
struct UploadForm {
    opd: String,
    post: String,
    alt_text: String,
    media: Vec<String>,
    file_name: String,
    bytes: Vec<u8>,
    has_file: bool,
}

/// Reads the upload's parts; a broken multipart body is a 400 with the reason.
async fn read_upload(mut parts: Multipart) -> Result<UploadForm, Failure> {
    let mut form = UploadForm::default();
    loop {
        let field = match parts.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => return Err(multipart_failure(&e)),
        };
        let name = field.name().unwrap_or_default().to_owned();
        if name == "file" {
            form.file_name = field.file_name().unwrap_or_default().to_owned();
            form.bytes = field
                .bytes()
                .await
                .map_err(|e| multipart_failure(&e))?
                .to_vec();
            form.has_file = true;
            continue;
        }
        let value = field.text().await.map_err(|e| multipart_failure(&e))?;
        match name.as_str() {
            "opd" => form.opd = value,
            "post" => form.post = value,
            "alt_text" => form.alt_text = value,
            "media" => form.media.push(value),
            _ => {}
        }
    }
    Ok(form)
}

pub(crate) fn multipart_failure(e: &axum::extract::multipart::MultipartError) -> Failure {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        Failure::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            format!(
                "the upload is larger than {} MiB; compress the file or shorten the video",
                MEDIA_UPLOAD_LIMIT / (1024 * 1024)
            ),
        )
    } else {
        Failure::malformed(e.body_text())
    }
}

/// Whether the caller is our script (which wants JSON) rather than a plain form.
fn wants_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("application/json"))
}

/// Where a plain upload or alt-text form goes back to: the draft's composer, or a new post's
/// with every medium uploaded so far.
fn composer_url(opd: &str, post: &str, media: &[String]) -> String {
    let mut q = form_urlencoded::Serializer::new(String::new());
    let base = if let Ok(p) = post.trim().parse::<PostId>() {
        format!("/posts/{p}/edit")
    } else {
        if let Ok(o) = opd.trim().parse::<OpdId>() {
            q.append_pair("opd", &o.to_string());
        }
        "/posts/new".to_owned()
    };
    for m in media
        .iter()
        .filter_map(|m| m.trim().parse::<MediaId>().ok())
    {
        q.append_pair("media", &m.to_string());
    }
    let query = q.finish();
    if query.is_empty() {
        base
    } else {
        format!("{base}?{query}")
    }
}

/// The composer again after a refused upload or alt text, with the refusal.
async fn composer_after_refusal(
    state: &AppState,
    s: &Signed,
    opd: &str,
    post: &str,
    media: &[String],
    error: (StatusCode, String),
) -> Result<Response, PageFailure> {
    let uri: Uri = composer_url(opd, post, media)
        .parse()
        .unwrap_or_else(|_| Uri::from_static("/posts/new"));
    if let Ok(id) = post.trim().parse::<PostId>() {
        let (stored, form) = stored_form(state, s, id, &uri).await?;
        return composer_page(state, s, stored.opd, Some(id), &form, None, Some(error)).await;
    }
    let opd_id = parse_opd(opd, s.tr)?;
    let mut form = ComposerForm {
        opd: opd_id.to_string(),
        ..ComposerForm::default()
    };
    form.add_media(media.iter().cloned());
    composer_page(state, s, opd_id, None, &form, None, Some(error)).await
}

async fn upload(
    State(state): State<AppState>,
    s: Signed,
    headers: HeaderMap,
    parts: Multipart,
) -> Result<Response, PageFailure> {
    let json = wants_json(&headers);
    let form = match read_upload(parts).await {
        Ok(f) => f,
        Err(f) if json => return Ok(json_failure(f, s.tr)),
        Err(f) => return Err(PageFailure(f, s.tr)),
    };
    let outcome = match (form.opd.trim().parse::<OpdId>(), form.has_file) {
        (Err(_), _) => Err(AppError::UnknownReference("opd")),
        (Ok(_), false) => Err(AppError::Refused {
            code: "media_empty",
            message: "choose a file to upload".to_owned(),
        }),
        (Ok(opd), true) => {
            state
                .app
                .upload_media(
                    &s.ctx.actor,
                    &state.media,
                    opd,
                    &form.file_name,
                    &form.bytes,
                    &form.alt_text,
                )
                .await
        }
    };
    match outcome {
        Ok(asset) if json => Ok((
            StatusCode::CREATED,
            axum::Json(UploadedDto::new(s.tr, &asset)),
        )
            .into_response()),
        Ok(asset) => {
            let mut media = form.media.clone();
            media.push(asset.id.to_string());
            let to = composer_url(&form.opd, &form.post, &media);
            Ok(done(&to, "uploaded"))
        }
        Err(e) if json => Ok(json_failure(Failure::from(e), s.tr)),
        Err(e @ AppError::Forbidden) => Err(fail(s.tr)(e)),
        Err(e) => {
            composer_after_refusal(
                &state,
                &s,
                &form.opd,
                &form.post,
                &form.media,
                refusal(e, s.tr),
            )
            .await
        }
    }
}

fn parse_media_id(raw: &str, tr: Tr) -> Result<MediaId, PageFailure> {
    raw.parse()
        .map_err(|_| fail(tr)(AppError::NotFound("media")))
}

/// The bytes of an uploaded image or video, for previews, to people who see its OPD. Served
/// with the type found by reading the file, never as HTML.
async fn media_bytes(
    State(state): State<AppState>,
    s: Signed,
    Path(id): Path<String>,
) -> Result<Response, PageFailure> {
    let id = parse_media_id(&id, s.tr)?;
    let f = fail(s.tr);
    let asset = state.app.media_asset(&s.ctx.actor, id).await.map_err(&f)?;
    let bytes = state.media.get(&asset.storage_key).await.map_err(|e| {
        f(AppError::Internal(format!(
            "media {} could not be read: {e}",
            asset.id
        )))
    })?;
    let mime = if asset.mime.starts_with("image/") || asset.mime.starts_with("video/") {
        HeaderValue::from_str(&asset.mime)
            .unwrap_or(HeaderValue::from_static("application/octet-stream"))
    } else {
        HeaderValue::from_static("application/octet-stream")
    };
    let mut resp = (StatusCode::OK, bytes).into_response();
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, mime);
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, max-age=3600"),
    );
    h.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("inline"),
    );
    Ok(resp)
}

#[derive(Deserialize, Default)]
struct AltForm {
    #[serde(default)]
    alt_text: String,
    #[serde(default)]
    opd: String,
    #[serde(default)]
    post: String,
}

async fn alt_text(
    State(state): State<AppState>,
    s: Signed,
    Path(id): Path<String>,
    FormBody(pairs): FormBody<Vec<(String, String)>>,
) -> Result<Response, PageFailure> {
    let id = parse_media_id(&id, s.tr)?;
    let mut form = AltForm::default();
    let mut media = Vec::new();
    for (k, v) in pairs {
        match k.as_str() {
            "alt_text" => form.alt_text = v,
            "opd" => form.opd = v,
            "post" => form.post = v,
            "media" => media.push(v),
            _ => {}
        }
    }
    match state
        .app
        .set_media_alt_text(&s.ctx.actor, id, &form.alt_text)
        .await
    {
        Ok(_) => Ok(done(
            &composer_url(&form.opd, &form.post, &media),
            "alt_saved",
        )),
        Err(e @ (AppError::Forbidden | AppError::NotFound(_))) => Err(fail(s.tr)(e)),
        Err(e) => {
            // A form that does not say whose composer it came from goes back to a new post of
            // the medium's own OPD.
            let opd = if form.opd.trim().is_empty() {
                let asset = state
                    .app
                    .media_asset(&s.ctx.actor, id)
                    .await
                    .map_err(fail(s.tr))?;
                asset.opd.to_string()
            } else {
                form.opd.clone()
            };
            composer_after_refusal(&state, &s, &opd, &form.post, &media, refusal(e, s.tr)).await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(p: &[(&str, &str)]) -> Vec<(String, String)> {
        p.iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn the_form_keeps_ticked_channels_their_variants_and_media() {
        let a = AccountId::generate().to_string();
        let b = AccountId::generate().to_string();
        let m = MediaId::generate().to_string();
        let f = ComposerForm::from_pairs(pairs(&[
            ("title", "Vaksinasi"),
            ("body", "Teks dasar"),
            ("channel", &a),
            (&format!("text_{a}"), "Khusus X"),
            (&format!("text_{b}"), "diketik tapi tidak dicentang"),
            ("media", &m),
            ("schedule", ""),
        ]));
        let input = f.input(humas_domain::UserZone::Wita).unwrap();
        assert_eq!(input.channels.len(), 1);
        assert_eq!(input.channels[0].text.as_deref(), Some("Khusus X"));
        assert_eq!(input.media.len(), 1);
        assert_eq!(input.schedule, None);
        assert_eq!(input.zone, humas_domain::UserZone::Wita);
        assert_eq!(
            f.variants.get(&b).map(String::as_str),
            Some("diketik tapi tidak dicentang")
        );
    }

    #[test]
    fn an_empty_variant_inherits_and_a_bad_id_is_refused() {
        let a = AccountId::generate().to_string();
        let f = ComposerForm::from_pairs(pairs(&[("channel", &a), (&format!("text_{a}"), "  ")]));
        assert_eq!(
            f.input(humas_domain::UserZone::Wib).unwrap().channels[0].text,
            None
        );
        let bad = ComposerForm::from_pairs(pairs(&[("channel", "not-an-id")]));
        assert!(bad.input(humas_domain::UserZone::Wib).is_err());
    }

    #[test]
    fn uploads_go_back_to_the_right_composer_without_open_redirects() {
        let p = PostId::generate();
        let m = MediaId::generate();
        assert_eq!(
            composer_url("", &p.to_string(), &[m.to_string()]),
            format!("/posts/{p}/edit?media={m}")
        );
        let o = OpdId::generate();
        assert_eq!(
            composer_url(&o.to_string(), "https://evil.example/", &["x".into()]),
            format!("/posts/new?opd={o}")
        );
    }
}
