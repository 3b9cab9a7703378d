//! Server-rendered pages. Plain HTML forms that work without JavaScript; every form posts back
//! with the session's CSRF token, and a successful change redirects (post/redirect/get) with a
//! short `?ok=` notice.

mod accounts;
mod approval_chain;
mod audit;
mod auth;
pub(crate) mod calendar;
mod connection;
mod delegations;
mod home;
mod inbox;
mod inbox_admin;
mod inbox_import;
mod inbox_view;
mod narratives;
mod oauth;
mod opds;
mod post_composer;
mod posts;
mod profile;
pub(crate) mod publish_view;
mod users;

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use humas_app::AppError;
use humas_domain::{Opd, OpdId, Role};

use crate::AppState;
use crate::error::{Failure, PageFailure};
use crate::extract::Signed;
use crate::format;
use crate::i18n::Tr;
use crate::routes::Routes;

pub(crate) use post_composer::{MEDIA_UPLOAD_LIMIT, multipart_failure};

pub(crate) fn routes(r: Routes) -> Routes {
    let r = auth::routes(r);
    let r = home::routes(r);
    let r = opds::routes(r);
    let r = oauth::routes(connection::routes(accounts::routes(r)));
    let r = users::routes(r);
    let r = delegations::routes(r);
    let r = audit::routes(r);
    let r = inbox_admin::routes(inbox::routes(r));
    let r = inbox_import::routes(r);
    let r = approval_chain::routes(post_composer::routes(posts::routes(r)));
    let r = narratives::routes(calendar::routes(r));
    profile::routes(r)
}

/// What the shared layout (`base.html`) needs: the reader's language, who they are, the CSRF
/// token for forms, and which navigation entries they may use.
pub(crate) struct Layout {
    pub tr: Tr,
    pub title: String,
    pub province: String,
    pub section: &'static str,
    pub user_name: String,
    pub role_label: String,
    pub csrf: String,
    pub notice: Option<String>,
    pub error: Option<String>,
    pub nav_users: bool,
    pub nav_audit: bool,
}

impl Layout {
    /// A translated message.
    pub fn t(&self, key: &str) -> String {
        self.tr.t(key)
    }

    /// The language switch target.
    pub fn other_lang(&self) -> &'static str {
        self.tr.other().as_str()
    }

    /// A count the reader's way (`1.234`).
    pub fn int(&self, n: impl Count) -> String {
        format::int(n.count(), self.tr.locale)
    }

    /// Shows the `?ok=` notice of `uri` and a form error, if any; returns the status to answer
    /// with (the error's, else 200).
    pub fn show_outcome(
        &mut self,
        uri: Option<&axum::http::Uri>,
        error: Option<(StatusCode, String)>,
    ) -> StatusCode {
        self.notice = uri.and_then(|u| notice_from(u, self.tr));
        let status = error.as_ref().map_or(StatusCode::OK, |e| e.0);
        self.error = error.map(|e| e.1);
        status
    }

    /// Whether the nav entry for `section` is the current page.
    pub fn current(&self, section: &str) -> &'static str {
        if self.section == section {
            "page"
        } else {
            "false"
        }
    }
}

/// Templates hand counts over by value or by reference; both are fine.
pub(crate) trait Count {
    fn count(&self) -> i64;
}

impl Count for usize {
    fn count(&self) -> i64 {
        i64::try_from(*self).unwrap_or(i64::MAX)
    }
}

impl Count for &usize {
    fn count(&self) -> i64 {
        (**self).count()
    }
}

pub(crate) fn layout(
    state: &AppState,
    s: &Signed,
    section: &'static str,
    title_key: &str,
) -> Layout {
    let role = s.ctx.actor.role;
    Layout {
        tr: s.tr,
        title: s.tr.t(title_key),
        province: state.settings.province_name.clone(),
        section,
        user_name: s.ctx.user.display_name.to_string(),
        role_label: s.tr.t(&format!("role-{}", role.as_str())),
        csrf: s.ctx.csrf_token.clone().unwrap_or_default(),
        notice: None,
        error: None,
        nav_users: matches!(role, Role::Supervisor | Role::Leadership)
            || !s.ctx.actor.acting_approver_for.is_empty()
            || role == Role::Approver,
        nav_audit: s.ctx.actor.can_view_audit(),
    }
}

/// Renders a template as a response with a status.
pub(crate) fn render(status: StatusCode, t: &impl Template, tr: Tr) -> Response {
    match t.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => Failure::from(AppError::Internal(format!("template: {e}"))).into_page(tr),
    }
}

/// Turns an application error into a page failure in the reader's language.
pub(crate) fn fail(tr: Tr) -> impl Fn(AppError) -> PageFailure {
    move |e| PageFailure(Failure::from(e), tr)
}

/// A form failure shown on the form's page: the status and the translated message.
pub(crate) fn form_error(e: AppError, tr: Tr) -> (StatusCode, String) {
    let f = Failure::from(e);
    let msg = f.localised(tr);
    (f.status, msg)
}

/// After a successful change: back to a page with a notice.
pub(crate) fn done(to: &str, notice: &str) -> Response {
    let sep = if to.contains('?') { '&' } else { '?' };
    Redirect::to(&format!("{to}{sep}ok={notice}")).into_response()
}

/// The translated notice named by `?ok=`, if it is one we know.
pub(crate) fn notice_from(uri: &axum::http::Uri, tr: Tr) -> Option<String> {
    let q = crate::extract::query_params(uri);
    let key = q.get("ok")?;
    let known = [
        "created",
        "saved",
        "deleted",
        "revoked",
        "password",
        "token",
        "connected",
    ];
    known
        .contains(&key.as_str())
        .then(|| tr.t(&format!("notice-{key}")))
}

pub(crate) fn opd_name(opds: &[Opd], id: Option<OpdId>) -> String {
    id.and_then(|id| opds.iter().find(|o| o.id == id))
        .map_or_else(|| "—".to_owned(), |o| o.name.to_string())
}
