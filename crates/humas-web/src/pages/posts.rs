//! Publishing: the queue (`/posts`), one post with its chain, approvals and deliveries
//! (`/posts/{id}`), and the forms that move it along (submit, approve, reject with a note, the
//! supervisor's emergency fast lane, retrying or confirming a delivery). The composer lives in
//! [`super::post_composer`], the approval chain editor in [`super::approval_chain`].

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use axum::routing::{get, post};
use humas_app::AppError;
use humas_app::publish::PostView;
use humas_domain::publish::chain::{ApprovalChain, Progress, StepMode};
use humas_domain::publish::{DeliveryState, Post, PostState};
use humas_domain::{Account, Actor, OpdId, Platform, PostId, PublishJobId, Role, User, UserId};
use humas_store::{PostQuery, PublishJob};
use jiff::{SignedDuration, Timestamp};
use serde::Deserialize;

use crate::AppState;
use crate::error::PageFailure;
use crate::extract::{FormBody, Signed, query_params};
use crate::i18n::Tr;
use crate::pages::inbox::reader;
use crate::pages::inbox_view::Reader;
use crate::pages::opds::Choice;
use crate::pages::publish_view::{
    MediaView, ProblemView, check_views, delivery_key, delivery_label, media_view, refusal,
    state_label,
};
use crate::pages::{Layout, done, fail, layout, opd_name, render};
use crate::routes::Routes;

pub(crate) fn routes(r: Routes) -> Routes {
    r.add("GET", "/posts", get(queue))
        .add("GET", "/posts/{id}", get(show))
        .add("POST", "/posts/{id}/submit", post(submit))
        .add("POST", "/posts/{id}/approve", post(approve))
        .add("POST", "/posts/{id}/reject", post(reject))
        .add("POST", "/posts/{id}/emergency", post(emergency))
        .add("POST", "/deliveries/{id}/retry", post(retry))
        .add("POST", "/deliveries/{id}/confirm", post(confirm))
}

/// The notices the publishing pages know, shown from `?ok=`.
pub(crate) const NOTICES: [&str; 13] = [
    "created",
    "saved",
    "submitted",
    "approved",
    "approved_final",
    "rejected",
    "emergency",
    "retried",
    "confirmed",
    "uploaded",
    "alt_saved",
    "chain_saved",
    "chain_removed",
];

/// The translated publishing notice named by `?ok=`, if it is one of ours.
pub(crate) fn post_notice(uri: &Uri, tr: Tr) -> Option<String> {
    let q = query_params(uri);
    let key = q.get("ok")?;
    NOTICES
        .contains(&key.as_str())
        .then(|| tr.t(&format!("post-notice-{key}")))
}

/// An account as the pages name it: `@dinkesjatim (X)`.
pub(crate) fn account_label(tr: Tr, a: &Account) -> String {
    format!(
        "{} ({})",
        a.handle,
        tr.t(&format!("platform-{}", a.platform.as_str()))
    )
}

fn account_name(tr: Tr, accounts: &[Account], id: humas_domain::AccountId) -> String {
    accounts
        .iter()
        .find(|a| a.id == id)
        .map_or_else(|| id.to_string(), |a| account_label(tr, a))
}

fn person(people: &[User], id: UserId) -> String {
    people
        .iter()
        .find(|u| u.id == id)
        .map_or_else(|| id.to_string(), |u| u.display_name.to_string())
}

/// When a post goes out, in words: its time in the reader's zone, or "as soon as approved".
fn schedule_text(r: &Reader, post: &Post) -> String {
    post.scheduled_at
        .map_or_else(|| r.tr.t("post-schedule-asap"), |t| r.time(t))
}

// --- The queue --------------------------------------------------------------------------------

/// One channel's delivery in a queue row or on the post page.
struct DeliveryCell {
    account: String,
    key: &'static str,
    label: String,
    url: String,
    error: String,
}

struct QueueRow {
    id: String,
    title: String,
    opd: String,
    time: String,
    state: &'static str,
    state_label: String,
    emergency: bool,
    channels: Vec<DeliveryCell>,
}

#[derive(Template)]
#[template(path = "posts.html")]
struct QueuePage {
    l: Layout,
    rows: Vec<QueueRow>,
    states: Vec<Choice>,
    opds: Vec<Choice>,
    state: String,
    opd: String,
    show_opd: bool,
    can_compose: bool,
    chain_link: String,
}

/// Most posts the queue lists at once.
const QUEUE_LIMIT: u32 = 200;

/// The window the listed posts' jobs fall in: a job is due at the later of the post's time
/// and its approval, and both lie between the post's creation and its last change or time.
fn jobs_window(posts: &[Post]) -> Option<(Timestamp, Timestamp)> {
    let queued: Vec<&Post> = posts
        .iter()
        .filter(|p| matches!(p.state, PostState::Approved | PostState::Done))
        .collect();
    let from = queued.iter().map(|p| p.created_at).min()?;
    let until = queued
        .iter()
        .map(|p| p.scheduled_at.map_or(p.updated_at, |s| s.max(p.updated_at)))
        .max()?;
    Some((from, until + SignedDuration::from_secs(1)))
}

fn delivery_cell(
    tr: Tr,
    accounts: &[Account],
    post: &Post,
    job: Option<&PublishJob>,
    account: humas_domain::AccountId,
) -> DeliveryCell {
    let key = delivery_key(post.state, job);
    DeliveryCell {
        account: account_name(tr, accounts, account),
        key,
        label: delivery_label(tr, key),
        url: job.and_then(|j| j.url.clone()).unwrap_or_default(),
        error: job
            .filter(|j| matches!(j.state, DeliveryState::Failed | DeliveryState::Uncertain))
            .and_then(|j| j.last_error.clone())
            .unwrap_or_default(),
    }
}

fn queue_row(
    r: &Reader,
    opds: &[humas_domain::Opd],
    accounts: &[Account],
    jobs: &[PublishJob],
    post: &Post,
) -> QueueRow {
    QueueRow {
        id: post.id.to_string(),
        title: post.title.clone(),
        opd: opd_name(opds, Some(post.opd)),
        time: schedule_text(r, post),
        state: post.state.as_str(),
        state_label: state_label(r.tr, post.state),
        emergency: post.emergency,
        channels: post
            .channels
            .iter()
            .map(|c| {
                let job = jobs
                    .iter()
                    .find(|j| j.post == post.id && j.account == c.account);
                delivery_cell(r.tr, accounts, post, job, c.account)
            })
            .collect(),
    }
}

/// The queue's filters from the query string; an unknown state or OPD is an error.
fn queue_query(q: &HashMap<String, String>) -> Result<PostQuery, AppError> {
    let text = |k: &str| q.get(k).map(|v| v.trim()).filter(|v| !v.is_empty());
    let states = match text("state") {
        Some(s) => vec![PostState::parse(s)?],
        None => Vec::new(),
    };
    let opd = text("opd")
        .map(|o| {
            o.parse::<OpdId>()
                .map_err(|_| AppError::UnknownReference("opd"))
        })
        .transpose()?;
    Ok(PostQuery {
        opd,
        states,
        limit: QUEUE_LIMIT,
        ..PostQuery::default()
    })
}

async fn queue(
    State(state): State<AppState>,
    s: Signed,
    uri: Uri,
) -> Result<Response, PageFailure> {
    let f = fail(s.tr);
    let actor = &s.ctx.actor;
    let q = query_params(&uri);
    let mut l = layout(&state, &s, "posts", "posts-title");
    let r = reader(&state, &s);
    let opds = state.app.list_opds(actor).await.map_err(&f)?;
    let (rows, error) = match queue_query(&q) {
        Ok(query) => {
            let opd = query.opd;
            let posts = state.app.list_posts(actor, query).await.map_err(&f)?;
            let accounts = state.app.list_accounts(actor, opd).await.map_err(&f)?;
            let jobs = match jobs_window(&posts) {
                Some((from, until)) => state
                    .app
                    .delivery_queue(actor, opd, from, until)
                    .await
                    .map_err(&f)?,
                None => Vec::new(),
            };
            let rows = posts
                .iter()
                .map(|p| queue_row(&r, &opds, &accounts, &jobs, p))
                .collect();
            (rows, None)
        }
        Err(e) => (Vec::new(), Some(refusal(e, s.tr))),
    };
    let status = l.show_outcome(None, error);
    l.notice = post_notice(&uri, s.tr);
    let opd = q.get("opd").cloned().unwrap_or_default();
    let page = QueuePage {
        rows,
        states: PostState::ALL
            .iter()
            .map(|st| Choice {
                value: st.as_str().into(),
                label: state_label(s.tr, *st),
            })
            .collect(),
        opds: opds
            .iter()
            .map(|o| Choice {
                value: o.id.to_string(),
                label: o.name.to_string(),
            })
            .collect(),
        state: q.get("state").cloned().unwrap_or_default(),
        show_opd: actor.sees_all_opds(),
        can_compose: actor.role == Role::Supervisor
            || actor.opd.is_some_and(|o| actor.can_compose_posts_of(o)),
        chain_link: if actor.can_use_fast_lane() && !opd.is_empty() {
            format!("/opds/{opd}/approval-chain")
        } else {
            String::new()
        },
        opd,
        l,
    };
    Ok(render(status, &page, s.tr))
}

// --- One post ---------------------------------------------------------------------------------

struct ChannelText {
    account: String,
    inherits: bool,
    text: String,
    counter: String,
    over: bool,
    problems: Vec<ProblemView>,
    /// The platform's stable name, for the preview's look (`pv-instagram`, …).
    platform: &'static str,
    /// The account's handle as the feed shows it.
    handle: String,
    /// What the feed shows before the reader expands the post…
    shown: String,
    /// …and what stays folded behind "more" (empty when nothing is folded).
    folded: String,
    /// Images and videos the preview shows (ids for `/posts/media/{id}`, first four).
    media: Vec<String>,
    /// How many media beyond those four.
    more_media: usize,
}

/// Roughly how many characters a platform's feed shows before its "more" link (the apps change
/// this with screen size; the preview warns where the key message would be folded away).
/// `None`: the whole text is shown.
pub(crate) const fn feed_fold(platform: Platform) -> Option<usize> {
    match platform {
        Platform::Instagram => Some(125),
        Platform::Facebook => Some(477),
        Platform::Tiktok => Some(100),
        Platform::Youtube => Some(150),
        _ => None,
    }
}

/// Splits a text where the feed folds it, at a character boundary.
pub(crate) fn fold(platform: Platform, text: &str) -> (String, String) {
    match feed_fold(platform) {
        Some(n) if text.chars().count() > n => {
            let cut = text.char_indices().nth(n).map_or(text.len(), |(i, _)| i);
            (text[..cut].to_owned(), text[cut..].to_owned())
        }
        _ => (text.to_owned(), String::new()),
    }
}

struct ApproverCell {
    name: String,
    /// "approved by X on behalf of Y at T", empty while waiting.
    approved: String,
}

struct StepRow {
    label: String,
    mode: String,
    /// `done`, `current`, `waiting` or `none` (no round under way).
    state: &'static str,
    state_label: String,
    approvers: Vec<ApproverCell>,
}

struct HistoryRow {
    round: u32,
    step: String,
    approver: String,
    on_behalf: String,
    time: String,
}

struct DeliveryRow {
    id: String,
    cell: DeliveryCell,
    due: String,
    attempts: u32,
    /// Likes · comments · shares (· views) as last read from the platform, empty until read.
    engagement: String,
    can_retry: bool,
    can_confirm: bool,
}

#[derive(Template)]
#[template(path = "post.html")]
struct PostPage {
    l: Layout,
    id: String,
    title: String,
    opd: String,
    opd_id: String,
    author: String,
    state: &'static str,
    state_label: String,
    emergency: bool,
    schedule: String,
    updated: String,
    body: String,
    channels: Vec<ChannelText>,
    media: Vec<MediaView>,
    hints: Vec<String>,
    has_errors: bool,
    steps: Vec<StepRow>,
    no_chain: bool,
    history: Vec<HistoryRow>,
    deliveries: Vec<DeliveryRow>,
    can_edit: bool,
    can_submit: bool,
    can_approve: bool,
    can_reject: bool,
    can_emergency: bool,
    can_edit_chain: bool,
    /// The last rejection's note and who wrote it, shown while the post is a draft again.
    rejection: Option<(String, String)>,
}

/// Whether this round's approvals should be shown against the chain: while in review, and
/// after an approval by the chain (not the fast lane).
fn round_under_way(post: &Post) -> bool {
    match post.state {
        PostState::InReview => true,
        PostState::Approved | PostState::Done => !post.emergency,
        PostState::Draft | PostState::Expired => false,
    }
}

fn step_state(progress: Option<&Progress>, index: usize, shown: bool) -> &'static str {
    if !shown {
        return "none";
    }
    match progress {
        Some(Progress::Complete) => "done",
        Some(Progress::AtStep { index: at, .. }) if index < *at => "done",
        Some(Progress::AtStep { index: at, .. }) if index == *at => "current",
        _ => "waiting",
    }
}

fn step_rows(r: &Reader, view: &PostView, chain: &ApprovalChain, people: &[User]) -> Vec<StepRow> {
    let shown = round_under_way(&view.post);
    let round: Vec<_> = view
        .approvals
        .iter()
        .filter(|a| a.round == view.post.review_round)
        .collect();
    chain
        .steps()
        .iter()
        .enumerate()
        .map(|(i, step)| {
            let state = step_state(view.progress.as_ref(), i, shown);
            let approvers = step
                .approvers
                .iter()
                .map(|u| {
                    let given = round.iter().find(|a| {
                        a.step as usize == i && a.on_behalf_of.unwrap_or(a.approver) == *u
                    });
                    ApproverCell {
                        name: person(people, *u),
                        approved: given
                            .filter(|_| shown)
                            .map(|a| approval_text(r, people, a.approver, a.on_behalf_of, a.at))
                            .unwrap_or_default(),
                    }
                })
                .collect();
            StepRow {
                label: step.label.clone(),
                mode: r.tr.t(match step.mode {
                    StepMode::AnyOf => "approval-mode-any_of",
                    StepMode::AllOf => "approval-mode-all_of",
                }),
                state,
                state_label: r.tr.t(&format!("post-step-{state}")),
                approvers,
            }
        })
        .collect()
}

/// "approved by Budi (on behalf of Kepala Dinas), 28 Nov 2026 14.36 WIB".
fn approval_text(
    r: &Reader,
    people: &[User],
    by: UserId,
    on_behalf: Option<UserId>,
    at: Timestamp,
) -> String {
    let mut args = vec![("name", person(people, by)), ("time", r.time(at))];
    let key = match on_behalf {
        Some(o) => {
            args.push(("delegator", person(people, o)));
            "post-approved-by-for"
        }
        None => "post-approved-by",
    };
    r.tr.t_args(key, &args).unwrap_or_default()
}

fn history_rows(r: &Reader, view: &PostView, people: &[User]) -> Vec<HistoryRow> {
    view.approvals
        .iter()
        .map(|a| HistoryRow {
            round: a.round,
            step: view
                .chain
                .as_ref()
                .and_then(|c| c.steps().get(a.step as usize))
                .map_or_else(|| format!("{}", a.step + 1), |s| s.label.clone()),
            approver: person(people, a.approver),
            on_behalf: a
                .on_behalf_of
                .map(|o| person(people, o))
                .unwrap_or_default(),
            time: r.time(a.at),
        })
        .collect()
}

/// Who may act on a delivery: the OPD's approvers and the province.
fn settles_deliveries(actor: &Actor, opd: OpdId) -> bool {
    actor.is_approver_of(opd) || actor.role == Role::Supervisor
}

/// `12 suka · 3 komentar · 1 bagikan · 1.234 tayang (28 Nov 2026 14.30 WIB)`.
fn engagement_text(r: &Reader, f: &humas_store::EngagementFigures, at: jiff::Timestamp) -> String {
    let n = |v: u64| crate::format::int(i64::try_from(v).unwrap_or(i64::MAX), r.tr.locale);
    let mut args = vec![
        ("likes", n(f.likes)),
        ("comments", n(f.comments)),
        ("shares", n(f.shares)),
    ];
    let key = if let Some(views) = f.views {
        args.push(("views", n(views)));
        "post-engagement-views"
    } else {
        "post-engagement"
    };
    let text = r.tr.t_args(key, &args).unwrap_or_default();
    format!("{text} ({})", r.time(at))
}

fn delivery_rows(
    r: &Reader,
    actor: &Actor,
    view: &PostView,
    accounts: &[Account],
) -> Vec<DeliveryRow> {
    let settles = settles_deliveries(actor, view.post.opd);
    view.jobs
        .iter()
        .map(|j| DeliveryRow {
            id: j.id.to_string(),
            cell: delivery_cell(r.tr, accounts, &view.post, Some(j), j.account),
            due: r.time(j.due_at),
            attempts: j.attempts,
            engagement: view
                .engagement
                .iter()
                .find(|(id, f, _)| *id == j.id && *f != humas_store::EngagementFigures::default())
                .map(|(_, f, at)| engagement_text(r, f, *at))
                .unwrap_or_default(),
            can_retry: settles
                && matches!(j.state, DeliveryState::Failed | DeliveryState::Uncertain),
            can_confirm: settles && j.state == DeliveryState::Uncertain,
        })
        .collect()
}

fn channel_texts(tr: Tr, view: &PostView, accounts: &[Account]) -> Vec<ChannelText> {
    let (checks, _) = check_views(tr, &view.check);
    view.post
        .channels
        .iter()
        .map(|c| {
            let check = checks.iter().find(|x| x.account == c.account.to_string());
            let text = c.effective_text(&view.post.body).as_str();
            let (shown, folded) = fold(c.platform, text);
            let handle = accounts
                .iter()
                .find(|a| a.id == c.account)
                .map(|a| a.handle.to_string())
                .unwrap_or_default();
            ChannelText {
                platform: c.platform.as_str(),
                handle,
                shown,
                folded,
                media: view
                    .media
                    .iter()
                    .take(4)
                    .map(|m| m.id.to_string())
                    .collect(),
                more_media: view.media.len().saturating_sub(4),
                account: account_name(tr, accounts, c.account),
                inherits: c.text.is_none(),
                text: text.to_owned(),
                counter: check.map(|x| x.counter.clone()).unwrap_or_default(),
                over: check.is_some_and(|x| x.over),
                problems: check
                    .map(|x| {
                        x.problems
                            .iter()
                            .map(|p| ProblemView {
                                severity: p.severity,
                                message: p.message.clone(),
                            })
                            .collect()
                    })
                    .unwrap_or_default(),
            }
        })
        .collect()
}

/// Whether the reader may send the post back: someone of the chain or the province, never
/// its author (the application decides; this only hides a form that would be refused).
fn may_reject(actor: &Actor, view: &PostView) -> bool {
    let in_chain = view.chain.as_ref().is_some_and(|c| {
        c.steps()
            .iter()
            .any(|s| s.approvers.contains(&actor.user_id))
    });
    view.post.state == PostState::InReview
        && actor.user_id != view.post.author
        && (view.can_approve || in_chain || actor.role == Role::Supervisor)
}

/// Builds the post page, with an error from a refused action if any.
async fn post_page(
    state: &AppState,
    s: &Signed,
    id: PostId,
    uri: Option<&Uri>,
    error: Option<(StatusCode, String)>,
) -> Result<Response, PageFailure> {
    let f = fail(s.tr);
    let actor = &s.ctx.actor;
    let view = state.app.post_view(actor, id).await.map_err(&f)?;
    let opd = view.post.opd;
    let people = state.app.inbox_people(actor, opd).await.map_err(&f)?;
    let accounts = state
        .app
        .list_accounts(actor, Some(opd))
        .await
        .map_err(&f)?;
    let opds = state.app.list_opds(actor).await.map_err(&f)?;
    let r = reader(state, s);
    let mut l = layout(state, s, "posts", "post-title");
    let status = l.show_outcome(None, error);
    if let Some(u) = uri {
        l.notice = post_notice(u, s.tr);
    }
    let (_, hints) = check_views(s.tr, &view.check);
    let p = &view.post;
    let page = PostPage {
        id: p.id.to_string(),
        title: p.title.clone(),
        opd: opd_name(&opds, Some(opd)),
        opd_id: opd.to_string(),
        author: person(&people, p.author),
        state: p.state.as_str(),
        state_label: state_label(s.tr, p.state),
        emergency: p.emergency,
        schedule: schedule_text(&r, p),
        updated: r.time(p.updated_at),
        body: p.body.as_str().to_owned(),
        channels: channel_texts(s.tr, &view, &accounts),
        media: view.media.iter().map(|m| media_view(s.tr, m)).collect(),
        hints,
        has_errors: view.check.has_errors(),
        steps: view
            .chain
            .as_ref()
            .map(|c| step_rows(&r, &view, c, &people))
            .unwrap_or_default(),
        no_chain: view.chain.is_none(),
        history: history_rows(&r, &view, &people),
        deliveries: delivery_rows(&r, actor, &view, &accounts),
        can_edit: view.can_edit,
        can_submit: p.state == PostState::Draft && actor.can_compose_posts_of(opd),
        can_approve: view.can_approve,
        can_reject: may_reject(actor, &view),
        can_emergency: actor.can_use_fast_lane()
            && matches!(p.state, PostState::Draft | PostState::InReview),
        can_edit_chain: actor.can_use_fast_lane(),
        rejection: (p.state == PostState::Draft)
            .then(|| view.rejections.last())
            .flatten()
            .map(|r| (person(&people, r.by), r.note.clone())),
        l,
    };
    Ok(render(status, &page, s.tr))
}

pub(crate) fn parse_post_id(raw: &str, tr: Tr) -> Result<PostId, PageFailure> {
    raw.parse()
        .map_err(|_| fail(tr)(AppError::NotFound("post")))
}

async fn show(
    State(state): State<AppState>,
    s: Signed,
    Path(id): Path<String>,
    uri: Uri,
) -> Result<Response, PageFailure> {
    let id = parse_post_id(&id, s.tr)?;
    post_page(&state, &s, id, Some(&uri), None).await
}

/// After an action: back to the post with a notice, or the post page with the refusal
/// translated (no rights or no such post is an error page instead).
async fn after(
    state: &AppState,
    s: &Signed,
    id: PostId,
    outcome: Result<&str, AppError>,
) -> Result<Response, PageFailure> {
    match outcome {
        Ok(notice) => Ok(done(&format!("/posts/{id}"), notice)),
        Err(e @ (AppError::Forbidden | AppError::NotFound(_))) => Err(fail(s.tr)(e)),
        Err(e) => post_page(state, s, id, None, Some(refusal(e, s.tr))).await,
    }
}

/// Forms with no field but the CSRF token.
#[derive(Deserialize)]
struct EmptyForm {}

async fn submit(
    State(state): State<AppState>,
    s: Signed,
    Path(id): Path<String>,
    FormBody(_): FormBody<EmptyForm>,
) -> Result<Response, PageFailure> {
    let id = parse_post_id(&id, s.tr)?;
    let outcome = state.app.submit_post(&s.ctx.actor, id).await;
    after(&state, &s, id, outcome.map(|_| "submitted")).await
}

async fn approve(
    State(state): State<AppState>,
    s: Signed,
    Path(id): Path<String>,
    FormBody(_): FormBody<EmptyForm>,
) -> Result<Response, PageFailure> {
    let id = parse_post_id(&id, s.tr)?;
    let outcome = state.app.approve_post(&s.ctx.actor, id).await.map(|p| {
        if p.state == PostState::InReview {
            "approved"
        } else {
            "approved_final"
        }
    });
    after(&state, &s, id, outcome).await
}

#[derive(Deserialize)]
struct NoteForm {
    #[serde(default)]
    note: String,
}

async fn reject(
    State(state): State<AppState>,
    s: Signed,
    Path(id): Path<String>,
    FormBody(form): FormBody<NoteForm>,
) -> Result<Response, PageFailure> {
    let id = parse_post_id(&id, s.tr)?;
    let outcome = state.app.reject_post(&s.ctx.actor, id, &form.note).await;
    after(&state, &s, id, outcome.map(|_| "rejected")).await
}

#[derive(Deserialize)]
struct ReasonForm {
    #[serde(default)]
    reason: String,
}

async fn emergency(
    State(state): State<AppState>,
    s: Signed,
    Path(id): Path<String>,
    FormBody(form): FormBody<ReasonForm>,
) -> Result<Response, PageFailure> {
    let id = parse_post_id(&id, s.tr)?;
    let outcome = state
        .app
        .emergency_publish(&s.ctx.actor, id, &form.reason)
        .await;
    after(&state, &s, id, outcome.map(|_| "emergency")).await
}

fn parse_job_id(raw: &str, tr: Tr) -> Result<PublishJobId, PageFailure> {
    raw.parse()
        .map_err(|_| fail(tr)(AppError::NotFound("publish_job")))
}

/// A delivery form names the post it belongs to, so a refusal is shown on that post's page.
#[derive(Deserialize)]
struct DeliveryForm {
    #[serde(default)]
    post: String,
    #[serde(default)]
    url: String,
}

/// After acting on a delivery: its post's page, with the refusal if there was one.
async fn after_delivery(
    state: &AppState,
    s: &Signed,
    form: &DeliveryForm,
    outcome: Result<PublishJob, AppError>,
    notice: &str,
) -> Result<Response, PageFailure> {
    match (outcome, form.post.trim().parse::<PostId>()) {
        (Ok(j), _) => Ok(done(&format!("/posts/{}", j.post), notice)),
        (Err(e @ (AppError::Forbidden | AppError::NotFound(_))), _) | (Err(e), Err(_)) => {
            Err(fail(s.tr)(e))
        }
        (Err(e), Ok(post)) => post_page(state, s, post, None, Some(refusal(e, s.tr))).await,
    }
}

async fn retry(
    State(state): State<AppState>,
    s: Signed,
    Path(id): Path<String>,
    FormBody(form): FormBody<DeliveryForm>,
) -> Result<Response, PageFailure> {
    let id = parse_job_id(&id, s.tr)?;
    let outcome = state.app.retry_delivery(&s.ctx.actor, id).await;
    after_delivery(&state, &s, &form, outcome, "retried").await
}

async fn confirm(
    State(state): State<AppState>,
    s: Signed,
    Path(id): Path<String>,
    FormBody(form): FormBody<DeliveryForm>,
) -> Result<Response, PageFailure> {
    let id = parse_job_id(&id, s.tr)?;
    let outcome = state
        .app
        .confirm_delivery(&s.ctx.actor, id, &form.url)
        .await;
    after_delivery(&state, &s, &form, outcome, "confirmed").await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_queue_filter_refuses_unknown_states_and_opds() {
        let q = |k: &str, v: &str| -> HashMap<String, String> {
            [(k.to_owned(), v.to_owned())].into_iter().collect()
        };
        assert_eq!(
            queue_query(&q("state", "in_review")).unwrap().states,
            vec![PostState::InReview]
        );
        assert!(queue_query(&q("state", "terbit")).is_err());
        assert!(queue_query(&q("opd", "dinkes")).is_err());
        assert!(queue_query(&q("state", "")).unwrap().states.is_empty());
    }

    #[test]
    fn every_notice_is_translated() {
        for lang in [humas_domain::Locale::Id, humas_domain::Locale::En] {
            let tr = Tr::new(lang);
            for n in NOTICES {
                assert!(tr.has(&format!("post-notice-{n}")), "{lang} {n}");
            }
            for s in ["done", "current", "waiting", "none"] {
                assert!(tr.has(&format!("post-step-{s}")), "{lang} {s}");
            }
        }
    }
}
