//! Sign-in, sign-out and the language switch.

use askama::Template;
use axum::extract::State;
use axum::http::{StatusCode, Uri, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use humas_app::AppError;
use serde::Deserialize;

use crate::AppState;
use crate::error::{Failure, PageFailure};
use crate::extract::{FormBody, Signed, Visitor, query_params};
use crate::i18n::{LANG_COOKIE, Tr};
use crate::pages::render;
use crate::routes::Routes;
use crate::session::{ClientIp, LOGIN_CSRF_COOKIE, SESSION_COOKIE, clear_cookie, set_cookie};

pub(crate) fn routes(r: Routes) -> Routes {
    r.add("GET", "/login", get(login_page))
        .add("POST", "/login", post(login))
        .add("POST", "/logout", post(logout))
        .add("GET", "/lang", get(switch_language))
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    tr: Tr,
    province: String,
    csrf: String,
    next: String,
    username: String,
    error: Option<String>,
}

impl LoginPage {
    fn t(&self, key: &str) -> String {
        self.tr.t(key)
    }
    fn other_lang(&self) -> &'static str {
        self.tr.other().as_str()
    }
}

/// Only same-site paths, so the sign-in form cannot be used to bounce people elsewhere.
fn safe_next(next: Option<&String>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.starts_with("/\\") => n.clone(),
        _ => "/".to_owned(),
    }
}

fn login_response(state: &AppState, page: LoginPage, status: StatusCode) -> Response {
    let mut resp = render(status, &page, page.tr);
    if let Some(v) = set_cookie(
        LOGIN_CSRF_COOKIE,
        &page.csrf,
        Some(3600),
        state.settings.secure_cookies,
    ) {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
    resp
}

async fn login_page(State(state): State<AppState>, v: Visitor, uri: Uri) -> Response {
    if v.ctx.is_some() {
        return Redirect::to("/").into_response();
    }
    let q = query_params(&uri);
    let page = LoginPage {
        tr: v.tr,
        province: state.settings.province_name.clone(),
        csrf: humas_app::auth::random_secret(),
        next: safe_next(q.get("next")),
        username: String::new(),
        error: None,
    };
    login_response(&state, page, StatusCode::OK)
}

#[derive(Deserialize)]
struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: Option<String>,
}

async fn login(
    State(state): State<AppState>,
    v: Visitor,
    ClientIp(ip): ClientIp,
    FormBody(form): FormBody<LoginForm>,
) -> Response {
    match state.app.login(&form.username, &form.password, ip).await {
        Ok(session) => {
            let mut resp = Redirect::to(&safe_next(form.next.as_ref())).into_response();
            let secure = state.settings.secure_cookies;
            let h = resp.headers_mut();
            if let Some(c) = set_cookie(SESSION_COOKIE, &session.secret, None, secure) {
                h.append(header::SET_COOKIE, c);
            }
            if let Some(c) = clear_cookie(LOGIN_CSRF_COOKIE, secure) {
                h.append(header::SET_COOKIE, c);
            }
            resp
        }
        Err(e) => {
            let failure = Failure::from(e);
            if failure.status == StatusCode::INTERNAL_SERVER_ERROR {
                return failure.into_page(v.tr);
            }
            let retry = failure.retry_after;
            let page = LoginPage {
                tr: v.tr,
                province: state.settings.province_name.clone(),
                csrf: humas_app::auth::random_secret(),
                next: safe_next(form.next.as_ref()),
                username: form.username.chars().take(64).collect(),
                error: Some(failure.localised(v.tr)),
            };
            let mut resp = login_response(&state, page, failure.status);
            if let Some(secs) = retry
                && let Ok(val) = secs.to_string().parse()
            {
                resp.headers_mut().insert(header::RETRY_AFTER, val);
            }
            resp
        }
    }
}

async fn logout(State(state): State<AppState>, s: Signed) -> Result<Response, PageFailure> {
    state
        .app
        .logout(&s.ctx)
        .await
        .map_err(|e: AppError| PageFailure(e.into(), s.tr))?;
    let mut resp = Redirect::to("/login").into_response();
    if let Some(c) = clear_cookie(SESSION_COOKIE, state.settings.secure_cookies) {
        resp.headers_mut().append(header::SET_COOKIE, c);
    }
    Ok(resp)
}

/// Sets the language cookie and goes back. Only changes a display preference, so a plain link
/// (GET) is acceptable here.
async fn switch_language(
    State(state): State<AppState>,
    uri: Uri,
    headers: axum::http::HeaderMap,
) -> Response {
    let q = query_params(&uri);
    let lang = q
        .get("to")
        .and_then(|l| humas_domain::Locale::parse(l).ok())
        .unwrap_or(humas_domain::Locale::Id);
    // Back to the page the link was on, when it is ours.
    let back = headers
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(|r| r.split_once("://").map(|(_, rest)| rest))
        .and_then(|rest| rest.find('/').map(|i| rest[i..].to_owned()));
    let mut resp = Redirect::to(&safe_next(back.as_ref())).into_response();
    if let Some(c) = set_cookie(
        LANG_COOKIE,
        lang.as_str(),
        Some(365 * 24 * 3600),
        state.settings.secure_cookies,
    ) {
        resp.headers_mut().append(header::SET_COOKIE, c);
    }
    resp
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn next_stays_on_this_site() {
        assert_eq!(safe_next(Some(&"/opds?x=1".to_owned())), "/opds?x=1");
        assert_eq!(safe_next(Some(&"//evil.example".to_owned())), "/");
        assert_eq!(safe_next(Some(&"https://evil.example".to_owned())), "/");
        assert_eq!(safe_next(Some(&"/\\evil.example".to_owned())), "/");
        assert_eq!(safe_next(None), "/");
    }
}
