//! Home: what the reader's OPD owns, or for the province, the whole picture at a glance.

use askama::Template;
use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use axum::routing::get;
use humas_app::inbox::alerts::DeadlineWarning;
use humas_app::publish::PostAlertKind;
use humas_domain::{Account, AccountStatus, Opd};

use crate::AppState;
use crate::error::PageFailure;
use crate::extract::Signed;
use crate::pages::inbox_view::{MessageView, Reader, deadline_class, label};
use crate::pages::{Layout, fail, layout, notice_from, opd_name, render};
use crate::routes::Routes;

pub(crate) fn routes(r: Routes) -> Routes {
    r.add("GET", "/", get(home))
}

pub(crate) struct AccountRow {
    pub opd: String,
    pub opd_id: String,
    pub platform: String,
    pub handle: String,
    pub status: String,
    pub status_label: String,
}

pub(crate) fn account_rows(accounts: &[Account], opds: &[Opd], l: &Layout) -> Vec<AccountRow> {
    accounts
        .iter()
        .map(|a| AccountRow {
            opd: opd_name(opds, Some(a.opd)),
            opd_id: a.opd.to_string(),
            platform: l.t(&format!("platform-{}", a.platform.as_str())),
            handle: a.handle.to_string(),
            status: a.status.as_str().to_owned(),
            status_label: l.t(&format!("status-{}", a.status.as_str())),
        })
        .collect()
}

/// A message on the deadline-warning list.
pub(crate) struct WarningRow {
    pub id: String,
    pub platform: String,
    pub author: String,
    pub excerpt: String,
    pub opd: String,
    pub class: &'static str,
    pub state: String,
    pub deadline: String,
    pub due: String,
}

fn warning_rows(
    warnings: &[DeadlineWarning],
    mine: bool,
    r: &Reader,
    opds: &[Opd],
) -> Vec<WarningRow> {
    warnings
        .iter()
        .filter(|w| w.mine == mine)
        .map(|w| {
            let v = MessageView::new(r, &w.message);
            WarningRow {
                id: v.id,
                platform: v.platform,
                author: if v.author.is_empty() {
                    v.handle
                } else {
                    v.author
                },
                excerpt: if v.title.is_empty() {
                    v.excerpt.chars().take(120).collect()
                } else {
                    v.title
                },
                opd: opd_name(opds, Some(w.message.opd)),
                class: deadline_class(w.state),
                state: label(r.tr, "deadline", w.state.as_str()),
                deadline: r.tr.t(&format!("home-deadline-{}", w.deadline.as_str())),
                due: r.time(w.due),
            }
        })
        .collect()
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    l: Layout,
    own_opd: Option<String>,
    own_opd_id: String,
    opd_count: usize,
    account_count: usize,
    active_count: usize,
    attention: Vec<AccountRow>,
    acting: Vec<String>,
    /// The reader's own posts that need them: (post id, title, why).
    my_posts: Vec<(String, String, String)>,
    /// Deadline warnings: messages assigned to the reader, then unassigned ones they see;
    /// groups without rows are left out.
    warnings: Vec<WarningGroup>,
}

/// One group of the deadline-warning list.
pub(crate) struct WarningGroup {
    /// Heading.
    pub title: String,
    /// The inbox's `assignee` filter that shows the whole group.
    pub filter: &'static str,
    pub rows: Vec<WarningRow>,
}

async fn home(State(state): State<AppState>, s: Signed, uri: Uri) -> Result<Response, PageFailure> {
    let f = fail(s.tr);
    let opds = state.app.list_opds(&s.ctx.actor).await.map_err(&f)?;
    let accounts = state
        .app
        .list_accounts(&s.ctx.actor, None)
        .await
        .map_err(&f)?;
    let mut l = layout(&state, &s, "home", "home-title");
    l.notice = notice_from(&uri, s.tr);
    let needs_attention: Vec<Account> = accounts
        .iter()
        .filter(|a| {
            matches!(
                a.status,
                AccountStatus::TokenExpired | AccountStatus::Disconnected
            )
        })
        .cloned()
        .collect();
    let my_posts = state
        .app
        .my_post_alerts(&s.ctx.actor)
        .await
        .map_err(&f)?
        .into_iter()
        .map(|a| {
            let why = match a.kind {
                PostAlertKind::Expired => l.t("home-post-expired"),
                PostAlertKind::Rejected(note) => {
                    format!("{}: {note}", l.t("home-post-rejected"))
                }
                PostAlertKind::DeliveryFailed(n) => s.tr.t1("home-post-failed", "count", &l.int(n)),
            };
            (a.post.id.to_string(), a.post.title, why)
        })
        .collect();
    let warnings = state
        .app
        .deadline_warnings(&s.ctx.actor)
        .await
        .map_err(&f)?;
    let reader = Reader {
        tr: s.tr,
        zone: s.ctx.user.zone,
        now: state.app.clock().now(),
    };
    let page = HomePage {
        warnings: [
            (true, "home-deadlines-mine", "me"),
            (false, "home-deadlines-unassigned", "none"),
        ]
        .into_iter()
        .map(|(mine, title, filter)| WarningGroup {
            title: l.t(title),
            filter,
            rows: warning_rows(&warnings, mine, &reader, &opds),
        })
        .filter(|g| !g.rows.is_empty())
        .collect(),
        my_posts,
        own_opd: s.ctx.actor.opd.map(|id| opd_name(&opds, Some(id))),
        own_opd_id: s.ctx.actor.opd.map(|id| id.to_string()).unwrap_or_default(),
        opd_count: opds.len(),
        account_count: accounts.len(),
        active_count: accounts
            .iter()
            .filter(|a| a.status == AccountStatus::Active)
            .count(),
        attention: account_rows(&needs_attention, &opds, &l),
        acting: s
            .ctx
            .actor
            .acting_approver_for
            .iter()
            .map(|id| opd_name(&opds, Some(*id)))
            .collect(),
        l,
    };
    Ok(render(StatusCode::OK, &page, s.tr))
}
