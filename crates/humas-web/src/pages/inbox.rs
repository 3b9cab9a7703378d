//! The inbox: the filtered list (`/inbox`) and one message with its conversation and the forms
//! that handle it (`/inbox/{id}`). Filters live in the query string, so a filtered view can be
//! bookmarked; every handling form posts back with the CSRF token and redirects.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use axum::routing::{get, post};
use humas_app::AppError;
use humas_app::inbox::{Conversation, InboxFilter, Moderation, fill_saved_reply};
use humas_domain::inbox::{Category, HateCategory, Sentiment, Status};
use humas_domain::{Account, MessageId, Platform, User, UserId};
use humas_store::{ReplyId, ReplyState, SavedReplyId};
use serde::Deserialize;
use uuid::Uuid;

use crate::AppState;
use crate::error::Failure;
use crate::error::PageFailure;
use crate::extract::{FormBody, Signed, query_params};
use crate::format;
use crate::i18n::Tr;
use crate::pages::inbox_view::{
    MessageView, Reader, category_values, choices, label, status_moves,
};
use crate::pages::opds::Choice;
use crate::pages::{Layout, done, fail, layout, opd_name, render};
use crate::routes::Routes;

pub(crate) fn routes(r: Routes) -> Routes {
    r.add("GET", "/inbox", get(list))
        .add("GET", "/inbox/{id}", get(show))
        .add("POST", "/inbox/{id}/assign", post(assign))
        .add("POST", "/inbox/{id}/status", post(set_status))
        .add("POST", "/inbox/{id}/category", post(set_category))
        .add("POST", "/inbox/{id}/notes", post(add_note))
        .add("POST", "/inbox/{id}/replies", post(reply))
        .add("POST", "/inbox/{id}/moderate", post(moderate))
        .add("POST", "/inbox/replies/{id}/approve", post(approve))
        .add("POST", "/inbox/replies/{id}/reject", post(reject))
        .add("POST", "/inbox/replies/{id}/retry", post(retry))
}

/// The notices the inbox pages know, shown from `?ok=`.
const NOTICES: [&str; 12] = [
    "assigned",
    "status",
    "category",
    "note",
    "reply_sent",
    "reply_waiting",
    "reply_failed",
    "approved",
    "rejected",
    "moderated",
    "saved",
    "deleted",
];

/// The translated inbox notice named by `?ok=`, if it is one of ours.
pub(crate) fn inbox_notice(uri: &Uri, tr: Tr, known: &[&str]) -> Option<String> {
    let q = query_params(uri);
    let key = q.get("ok")?;
    known
        .contains(&key.as_str())
        .then(|| tr.t(&format!("inbox-notice-{key}")))
}

/// A refused input in the reader's language, followed by the exact detail (which field, what
/// was given, what is accepted) so a bad filter or a refused move says what to fix.
pub(crate) fn detailed_error(e: AppError, tr: Tr) -> (StatusCode, String) {
    let f = Failure::from(e);
    let msg = f.localised(tr);
    if f.status == StatusCode::UNPROCESSABLE_ENTITY && msg != f.message {
        (f.status, format!("{msg} ({})", f.message))
    } else {
        (f.status, msg)
    }
}

/// The reader of a signed-in page: language, zone and now.
pub(crate) fn reader(state: &AppState, s: &Signed) -> Reader {
    Reader {
        tr: s.tr,
        zone: s.ctx.user.zone,
        now: state.app.clock().now(),
    }
}

// --- The list ---------------------------------------------------------------------------------

/// The filter parameters, in the order of the form.
const FILTER_KEYS: [&str; 14] = [
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
    "before",
];

/// The inbox filter from query parameters (the page's and the API's share the names, except
/// that the API calls `before` `cursor`).
pub(crate) fn filter_from(q: &HashMap<String, String>, cursor_key: &str) -> InboxFilter {
    let get = |k: &str| q.get(k).cloned();
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
        before: get(cursor_key),
    }
}

/// The filter form's choice lists.
struct FilterChoices {
    platforms: Vec<Choice>,
    accounts: Vec<Choice>,
    sentiments: Vec<Choice>,
    yes_no: Vec<Choice>,
    hate: Vec<Choice>,
    categories: Vec<Choice>,
    statuses: Vec<Choice>,
    assignees: Vec<Choice>,
    deadlines: Vec<Choice>,
}

fn filter_choices(tr: Tr, accounts: &[Account]) -> FilterChoices {
    let mut hate = vec![Choice {
        value: "any".into(),
        label: tr.t("inbox-filter-hate-any"),
    }];
    hate.extend(choices(
        tr,
        "hate",
        HateCategory::ALL.iter().map(|c| c.as_str()),
    ));
    let mut statuses = vec![Choice {
        value: "open".into(),
        label: tr.t("inbox-status-open"),
    }];
    statuses.extend(choices(
        tr,
        "status",
        Status::ALL.iter().map(|s| s.as_str()),
    ));
    FilterChoices {
        platforms: Platform::ALL
            .iter()
            .map(|p| Choice {
                value: p.as_str().into(),
                label: tr.t(&format!("platform-{}", p.as_str())),
            })
            .collect(),
        accounts: accounts
            .iter()
            .map(|a| Choice {
                value: a.id.to_string(),
                label: format!(
                    "{} ({})",
                    a.handle,
                    tr.t(&format!("platform-{}", a.platform.as_str()))
                ),
            })
            .collect(),
        sentiments: choices(tr, "sentiment", Sentiment::ALL.iter().map(|s| s.as_str())),
        yes_no: choices(tr, "yesno", ["yes", "no"]),
        hate,
        categories: choices(tr, "category", category_values()),
        statuses,
        assignees: choices(tr, "assignee", ["me", "none"]),
        deadlines: choices(tr, "deadline", ["overdue", "due_soon", "on_time"]),
    }
}

#[derive(Template)]
#[template(path = "inbox.html")]
struct InboxPage {
    l: Layout,
    f: HashMap<String, String>,
    c: FilterChoices,
    rows: Vec<MessageView>,
    next: Option<String>,
    filtered: bool,
    /// Routing rules are shown to those who see every OPD.
    show_rules: bool,
    /// Retention and erasure are the province's.
    show_privacy: bool,
    /// Importing a file is for those who handle some OPD's messages.
    show_import: bool,
}

impl InboxPage {
    /// The current value of a filter, for the form.
    fn v(&self, key: &str) -> &str {
        self.f.get(key).map_or("", String::as_str)
    }
}

/// The query string for the next page: the same filters, with the cursor.
fn next_link(q: &HashMap<String, String>, cursor: &str) -> String {
    let mut ser = form_urlencoded::Serializer::new(String::new());
    for key in FILTER_KEYS {
        if key == "before" {
            continue;
        }
        if let Some(v) = q.get(key).filter(|v| !v.trim().is_empty()) {
            ser.append_pair(key, v);
        }
    }
    ser.append_pair("before", cursor);
    format!("/inbox?{}", ser.finish())
}

async fn list(State(state): State<AppState>, s: Signed, uri: Uri) -> Result<Response, PageFailure> {
    let f = fail(s.tr);
    let q = query_params(&uri);
    let filter = filter_from(&q, "before");
    let accounts = state
        .app
        .list_accounts(&s.ctx.actor, None)
        .await
        .map_err(&f)?;
    let mut l = layout(&state, &s, "inbox", "inbox-title");
    let (rows, next, error) = match state.app.inbox(&s.ctx.actor, &filter).await {
        Ok(page) => {
            let r = reader(&state, &s);
            let rows = page
                .messages
                .iter()
                .map(|m| MessageView::new(&r, m))
                .collect();
            (rows, page.next.map(|c| next_link(&q, &c)), None)
        }
        Err(e @ AppError::Invalid(_)) => (Vec::new(), None, Some(detailed_error(e, s.tr))),
        Err(e) => return Err(f(e)),
    };
    let status = l.show_outcome(None, error);
    let filtered = FILTER_KEYS
        .iter()
        .any(|k| q.get(*k).is_some_and(|v| !v.trim().is_empty()));
    let page = InboxPage {
        c: filter_choices(s.tr, &accounts),
        f: q,
        rows,
        next,
        filtered,
        show_rules: s.ctx.actor.sees_all_opds(),
        show_privacy: s.ctx.actor.can_manage_inbox_settings(),
        show_import: s.ctx.actor.can_import_messages(),
        l,
    };
    Ok(render(status, &page, s.tr))
}

// --- One message ------------------------------------------------------------------------------

struct ThreadRow {
    id: String,
    author: String,
    time: String,
    text: String,
}

struct NoteRow {
    author: String,
    time: String,
    text: String,
}

struct ReplyRow {
    id: String,
    text: String,
    state: &'static str,
    state_label: String,
    drafter: String,
    time: String,
    error: String,
    can_approve: bool,
    can_retry: bool,
}

struct Workflow {
    assignee: String,
    assignee_id: String,
    category: String,
    suggested: String,
    first_response_due: String,
    resolution_due: String,
}

#[derive(Template)]
#[template(path = "inbox_message.html")]
struct MessagePage {
    l: Layout,
    m: MessageView,
    opd: String,
    account: String,
    w: Workflow,
    thread: Vec<ThreadRow>,
    notes: Vec<NoteRow>,
    replies: Vec<ReplyRow>,
    can_handle: bool,
    can_approve: bool,
    people: Vec<Choice>,
    statuses: Vec<Choice>,
    categories: Vec<Choice>,
    category_selected: String,
    saved: Vec<Choice>,
    draft: String,
}

fn name_of(people: &[User], id: UserId) -> String {
    people
        .iter()
        .find(|u| u.id == id)
        .map_or_else(|| id.to_string(), |u| u.display_name.to_string())
}

fn reply_rows(s: &Signed, r: &Reader, c: &Conversation, people: &[User]) -> Vec<ReplyRow> {
    let approver = s.ctx.actor.can_approve_replies_of(c.message.opd);
    c.replies
        .iter()
        .map(|rep| ReplyRow {
            id: rep.id.0.to_string(),
            text: rep.text.clone(),
            state: rep.state.as_str(),
            state_label: label(r.tr, "reply", rep.state.as_str()),
            drafter: name_of(people, rep.drafted_by),
            time: r.time(rep.updated_at),
            error: rep.error.clone().unwrap_or_default(),
            can_approve: approver && rep.state == ReplyState::AwaitingApproval,
            can_retry: rep.state == ReplyState::Failed
                && (approver || rep.drafted_by == s.ctx.actor.user_id),
        })
        .collect()
}

fn workflow_view(r: &Reader, c: &Conversation, people: &[User]) -> Workflow {
    let w = &c.message.workflow;
    let cat = |c: Option<Category>| c.map(|c| label(r.tr, "category", c.as_str()));
    Workflow {
        assignee: w
            .assignee
            .map_or_else(|| r.tr.t("inbox-nobody"), |id| name_of(people, id)),
        assignee_id: w.assignee.map(|a| a.to_string()).unwrap_or_default(),
        category: cat(w.category).unwrap_or_else(|| "—".into()),
        suggested: cat(w.suggested_category).unwrap_or_default(),
        first_response_due: w.first_response_due.map(|t| r.time(t)).unwrap_or_default(),
        resolution_due: w.resolution_due.map(|t| r.time(t)).unwrap_or_default(),
    }
}

/// Builds the message page. `draft` prefills the reply box (a saved reply being used).
async fn message_page(
    state: &AppState,
    s: &Signed,
    id: MessageId,
    uri: Option<&Uri>,
    error: Option<(StatusCode, String)>,
    draft: String,
) -> Result<Response, PageFailure> {
    let f = fail(s.tr);
    let actor = &s.ctx.actor;
    let c = state.app.conversation(actor, id).await.map_err(&f)?;
    let opd = c.message.opd;
    let people = state.app.inbox_people(actor, opd).await.map_err(&f)?;
    let opds = state.app.list_opds(actor).await.map_err(&f)?;
    let account = state
        .app
        .get_account(actor, c.message.account)
        .await
        .map(|a| a.handle.to_string())
        .unwrap_or_default();
    let can_handle = actor.can_handle_messages_of(opd);
    let saved = if can_handle {
        state.app.saved_replies(actor, opd).await.map_err(&f)?
    } else {
        Vec::new()
    };
    let r = reader(state, s);
    let mut l = layout(state, s, "inbox", "inbox-message-title");
    let status = l.show_outcome(None, error);
    if let Some(u) = uri {
        l.notice = inbox_notice(u, s.tr, &NOTICES);
    }
    let w = &c.message.workflow;
    let page = MessagePage {
        m: MessageView::new(&r, &c.message),
        opd: opd_name(&opds, Some(opd)),
        account,
        w: workflow_view(&r, &c, &people),
        thread: c
            .thread
            .iter()
            .map(|t| ThreadRow {
                id: t.id.to_string(),
                author: t.inbound.author.handle.clone(),
                time: r.time(t.inbound.published_at),
                text: t.inbound.text.clone(),
            })
            .collect(),
        notes: c
            .notes
            .iter()
            .map(|n| NoteRow {
                author: n.author_name.clone(),
                time: r.time(n.created_at),
                text: n.text.clone(),
            })
            .collect(),
        replies: reply_rows(s, &r, &c, &people),
        can_handle,
        can_approve: actor.can_approve_replies_of(opd),
        people: people
            .iter()
            .filter(|u| u.id != actor.user_id)
            .map(|u| Choice {
                value: u.id.to_string(),
                label: format!(
                    "{} ({})",
                    u.display_name,
                    s.tr.t(&format!("role-{}", u.role.as_str()))
                ),
            })
            .collect(),
        statuses: choices(
            s.tr,
            "status",
            status_moves(w.status).iter().map(|s| s.as_str()),
        ),
        categories: choices(s.tr, "category", category_values()),
        category_selected: w
            .category
            .or(w.suggested_category)
            .map(|c| c.as_str().to_owned())
            .unwrap_or_default(),
        saved: saved
            .iter()
            .map(|x| Choice {
                value: x.id.0.to_string(),
                label: x.title.clone(),
            })
            .collect(),
        draft,
        l,
    };
    Ok(render(status, &page, s.tr))
}

fn parse_message_id(raw: &str, tr: Tr) -> Result<MessageId, PageFailure> {
    raw.parse()
        .map_err(|_| fail(tr)(AppError::NotFound("message")))
}

fn parse_reply_id(raw: &str, tr: Tr) -> Result<ReplyId, PageFailure> {
    raw.parse::<Uuid>()
        .map(ReplyId)
        .map_err(|_| fail(tr)(AppError::NotFound("reply")))
}

async fn show(
    State(state): State<AppState>,
    s: Signed,
    Path(id): Path<String>,
    uri: Uri,
) -> Result<Response, PageFailure> {
    let id = parse_message_id(&id, s.tr)?;
    message_page(&state, &s, id, Some(&uri), None, String::new()).await
}

/// After a handling action: back to the message with a notice, or the message page with the
/// error (a refusal for lack of rights or a missing message is an error page instead).
async fn after(
    state: &AppState,
    s: &Signed,
    id: MessageId,
    outcome: Result<&str, AppError>,
    draft: String,
) -> Result<Response, PageFailure> {
    match outcome {
        Ok(notice) => Ok(done(&format!("/inbox/{id}"), notice)),
        Err(e @ (AppError::Forbidden | AppError::NotFound(_))) => Err(fail(s.tr)(e)),
        Err(e) => message_page(state, s, id, None, Some(detailed_error(e, s.tr)), draft).await,
    }
}

#[derive(Deserialize)]
struct AssignForm {
    #[serde(default)]
    assignee: String,
}

/// `me`, `none` (or empty) or a person's id.
fn assignee_choice(raw: &str, me: UserId) -> Result<Option<UserId>, AppError> {
    match raw.trim() {
        "" | "none" => Ok(None),
        "me" => Ok(Some(me)),
        other => other
            .parse()
            .map(Some)
            .map_err(|_| AppError::UnknownReference("user")),
    }
}

async fn assign(
    State(state): State<AppState>,
    s: Signed,
    Path(id): Path<String>,
    FormBody(form): FormBody<AssignForm>,
) -> Result<Response, PageFailure> {
    let id = parse_message_id(&id, s.tr)?;
    let outcome = match assignee_choice(&form.assignee, s.ctx.actor.user_id) {
        Ok(who) => state.app.assign(&s.ctx.actor, id, who).await,
        Err(e) => Err(e),
    };
    after(&state, &s, id, outcome.map(|()| "assigned"), String::new()).await
}

#[derive(Deserialize)]
struct StatusForm {
    #[serde(default)]
    status: String,
}

async fn set_status(
    State(state): State<AppState>,
    s: Signed,
    Path(id): Path<String>,
    FormBody(form): FormBody<StatusForm>,
) -> Result<Response, PageFailure> {
    let id = parse_message_id(&id, s.tr)?;
    let outcome = match Status::parse(&form.status) {
        Ok(st) => state.app.set_status(&s.ctx.actor, id, st).await,
        Err(e) => Err(e.into()),
    };
    after(&state, &s, id, outcome.map(|()| "status"), String::new()).await
}

#[derive(Deserialize)]
struct CategoryForm {
    #[serde(default)]
    category: String,
}

async fn set_category(
    State(state): State<AppState>,
    s: Signed,
    Path(id): Path<String>,
    FormBody(form): FormBody<CategoryForm>,
) -> Result<Response, PageFailure> {
    let id = parse_message_id(&id, s.tr)?;
    let outcome = match Category::parse(&form.category) {
        Ok(c) => state.app.set_category(&s.ctx.actor, id, c).await,
        Err(e) => Err(e.into()),
    };
    after(&state, &s, id, outcome.map(|()| "category"), String::new()).await
}

#[derive(Deserialize)]
struct NoteForm {
    #[serde(default)]
    text: String,
}

async fn add_note(
    State(state): State<AppState>,
    s: Signed,
    Path(id): Path<String>,
    FormBody(form): FormBody<NoteForm>,
) -> Result<Response, PageFailure> {
    let id = parse_message_id(&id, s.tr)?;
    let outcome = state.app.add_note(&s.ctx.actor, id, &form.text).await;
    after(&state, &s, id, outcome.map(|_| "note"), String::new()).await
}

#[derive(Deserialize)]
struct ReplyForm {
    #[serde(default)]
    text: String,
    #[serde(default)]
    saved: String,
    /// `use` fills the text box from the chosen saved reply; anything else sends the text.
    #[serde(default)]
    action: String,
}

/// The chosen saved reply with its variables filled in for this message.
async fn filled_saved_reply(
    state: &AppState,
    s: &Signed,
    id: MessageId,
    saved: &str,
) -> Result<String, AppError> {
    let actor = &s.ctx.actor;
    let saved_id = saved
        .trim()
        .parse::<Uuid>()
        .map(SavedReplyId)
        .map_err(|_| AppError::UnknownReference("saved_reply"))?;
    let message = state.app.message(actor, id).await?;
    let template = state
        .app
        .saved_replies(actor, message.opd)
        .await?
        .into_iter()
        .find(|r| r.id == saved_id)
        .ok_or(AppError::UnknownReference("saved_reply"))?;
    let opd = state.app.get_opd(actor, message.opd).await?;
    let r = reader(state, s);
    let today = format::date(
        r.now
            .to_zoned(jiff::tz::TimeZone::get(r.zone.iana()).unwrap_or(jiff::tz::TimeZone::UTC))
            .date(),
        s.tr.locale,
    );
    let due = message
        .workflow
        .resolution_due
        .or(message.workflow.first_response_due)
        .map(|t| r.time(t));
    Ok(fill_saved_reply(
        &template.body,
        &message,
        opd.name.as_ref(),
        &today,
        due.as_deref(),
    ))
}

async fn reply(
    State(state): State<AppState>,
    s: Signed,
    Path(id): Path<String>,
    FormBody(form): FormBody<ReplyForm>,
) -> Result<Response, PageFailure> {
    let id = parse_message_id(&id, s.tr)?;
    if form.action == "use" {
        return match filled_saved_reply(&state, &s, id, &form.saved).await {
            Ok(text) => message_page(&state, &s, id, None, None, text).await,
            Err(e) => after(&state, &s, id, Err(e), form.text).await,
        };
    }
    let outcome = state
        .app
        .draft_reply(&s.ctx.actor, id, &form.text)
        .await
        .map(|r| match r.state {
            ReplyState::AwaitingApproval => "reply_waiting",
            ReplyState::Failed => "reply_failed",
            _ => "reply_sent",
        });
    after(&state, &s, id, outcome, form.text).await
}

#[derive(Deserialize)]
struct ModerateForm {
    #[serde(default)]
    action: String,
    #[serde(default)]
    reason: String,
}

async fn moderate(
    State(state): State<AppState>,
    s: Signed,
    Path(id): Path<String>,
    FormBody(form): FormBody<ModerateForm>,
) -> Result<Response, PageFailure> {
    let id = parse_message_id(&id, s.tr)?;
    let outcome = match Moderation::parse(&form.action) {
        Ok(action) => {
            state
                .app
                .moderate(&s.ctx.actor, id, action, &form.reason)
                .await
        }
        Err(e) => Err(e),
    };
    after(&state, &s, id, outcome.map(|()| "moderated"), String::new()).await
}

#[derive(Deserialize)]
struct ReplyActionForm {
    /// The message the reply answers, to go back to.
    #[serde(default)]
    message: String,
    #[serde(default)]
    reason: String,
}

/// Where to go after acting on a reply: its message when the form names it, else the inbox.
fn reply_back(form: &ReplyActionForm) -> Option<MessageId> {
    form.message.trim().parse().ok()
}

async fn reply_action(
    state: &AppState,
    s: &Signed,
    form: &ReplyActionForm,
    outcome: Result<&str, AppError>,
) -> Result<Response, PageFailure> {
    match (reply_back(form), outcome) {
        (Some(m), outcome) => after(state, s, m, outcome, String::new()).await,
        (None, Ok(notice)) => Ok(done("/inbox", notice)),
        (None, Err(e)) => Err(fail(s.tr)(e)),
    }
}

async fn approve(
    State(state): State<AppState>,
    s: Signed,
    Path(id): Path<String>,
    FormBody(form): FormBody<ReplyActionForm>,
) -> Result<Response, PageFailure> {
    let id = parse_reply_id(&id, s.tr)?;
    let outcome = state.app.approve_reply(&s.ctx.actor, id).await.map(|r| {
        if r.state == ReplyState::Failed {
            "reply_failed"
        } else {
            "approved"
        }
    });
    reply_action(&state, &s, &form, outcome).await
}

async fn reject(
    State(state): State<AppState>,
    s: Signed,
    Path(id): Path<String>,
    FormBody(form): FormBody<ReplyActionForm>,
) -> Result<Response, PageFailure> {
    let id = parse_reply_id(&id, s.tr)?;
    let outcome = state
        .app
        .reject_reply(&s.ctx.actor, id, &form.reason)
        .await
        .map(|()| "rejected");
    reply_action(&state, &s, &form, outcome).await
}

async fn retry(
    State(state): State<AppState>,
    s: Signed,
    Path(id): Path<String>,
    FormBody(form): FormBody<ReplyActionForm>,
) -> Result<Response, PageFailure> {
    let id = parse_reply_id(&id, s.tr)?;
    let outcome = state.app.retry_reply(&s.ctx.actor, id).await.map(|r| {
        if r.state == ReplyState::Failed {
            "reply_failed"
        } else {
            "reply_sent"
        }
    });
    reply_action(&state, &s, &form, outcome).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_next_page_keeps_the_filters_and_drops_the_old_cursor() {
        let q: HashMap<String, String> = [
            ("sentiment", "negative"),
            ("q", "jalan rusak"),
            ("before", "old"),
            ("status", ""),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        let link = next_link(&q, "123_abc");
        assert_eq!(
            link,
            "/inbox?sentiment=negative&q=jalan+rusak&before=123_abc"
        );
    }

    #[test]
    fn assignee_choices() {
        let me = UserId::generate();
        assert_eq!(assignee_choice("me", me).unwrap(), Some(me));
        assert_eq!(assignee_choice("", me).unwrap(), None);
        assert_eq!(assignee_choice("none", me).unwrap(), None);
        assert!(assignee_choice("someone", me).is_err());
    }
}
