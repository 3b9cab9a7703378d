//! One's own profile: name, language, time zone, password, API tokens.

use askama::Template;
use axum::extract::State;
use axum::http::{StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use humas_app::AppError;
use humas_app::people::ProfileInput;
use humas_domain::{Locale, UserZone};
use serde::Deserialize;

use crate::AppState;
use crate::error::PageFailure;
use crate::extract::{FormBody, Signed};
use crate::format;
use crate::pages::opds::Choice;
use crate::pages::{Layout, done, fail, form_error, layout, render};
use crate::routes::Routes;
use crate::session::{SESSION_COOKIE, set_cookie};

pub(crate) fn routes(r: Routes) -> Routes {
    r.add("GET", "/profile", get(show))
        .add("POST", "/profile", post(save))
        .add("POST", "/profile/password", post(change_password))
        .add("POST", "/profile/tokens", post(create_token))
        .add("POST", "/profile/tokens/{id}/revoke", post(revoke_token))
}

struct TokenRow {
    id: String,
    name: String,
    created: String,
    last_used: String,
}

#[derive(Template)]
#[template(path = "profile.html")]
struct ProfilePage {
    l: Layout,
    username: String,
    display_name: String,
    locale: String,
    zone: String,
    locales: Vec<Choice>,
    zones: Vec<Choice>,
    tokens: Vec<TokenRow>,
    new_token: Option<String>,
}

async fn page(
    state: &AppState,
    s: &Signed,
    uri: Option<&Uri>,
    error: Option<(StatusCode, String)>,
    new_token: Option<String>,
) -> Result<Response, PageFailure> {
    let f = fail(s.tr);
    let mut l = layout(state, s, "profile", "profile-title");
    let status = l.show_outcome(uri, error);
    let tokens = state.app.own_api_tokens(&s.ctx.actor).await.map_err(&f)?;
    let u = &s.ctx.user;
    let when = |us: i64| format::time_us(us, u.zone, s.tr.locale);
    let page = ProfilePage {
        username: u.username.to_string(),
        display_name: u.display_name.to_string(),
        locale: u.locale.as_str().into(),
        zone: u.zone.as_str().into(),
        locales: Locale::ALL
            .iter()
            .map(|x| Choice {
                value: x.as_str().into(),
                label: l.t(&format!("language-{}", x.as_str())),
            })
            .collect(),
        zones: UserZone::ALL
            .iter()
            .map(|z| Choice {
                value: z.as_str().into(),
                label: l.t(&format!("zone-{}", z.as_str())),
            })
            .collect(),
        tokens: tokens
            .iter()
            .map(|t| TokenRow {
                id: t.id.0.to_string(),
                name: t.name.clone(),
                created: when(t.created_at_us),
                last_used: t.last_used_us.map(when).unwrap_or_else(|| "—".into()),
            })
            .collect(),
        new_token,
        l,
    };
    Ok(render(status, &page, s.tr))
}

async fn show(State(state): State<AppState>, s: Signed, uri: Uri) -> Result<Response, PageFailure> {
    page(&state, &s, Some(&uri), None, None).await
}

#[derive(Deserialize)]
struct ProfileForm {
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    locale: String,
    #[serde(default)]
    zone: String,
}

async fn save(
    State(state): State<AppState>,
    s: Signed,
    FormBody(form): FormBody<ProfileForm>,
) -> Result<Response, PageFailure> {
    let input = ProfileInput {
        display_name: form.display_name,
        locale: form.locale,
        zone: form.zone,
    };
    match state.app.update_profile(&s.ctx, &input).await {
        Ok(user) => {
            // The language cookie would override the new preference; make them agree.
            let mut resp = done("/profile", "saved");
            if let Some(c) = set_cookie(
                crate::i18n::LANG_COOKIE,
                user.locale.as_str(),
                Some(365 * 24 * 3600),
                state.settings.secure_cookies,
            ) {
                resp.headers_mut().append(header::SET_COOKIE, c);
            }
            Ok(resp)
        }
        Err(e) => page(&state, &s, None, Some(form_error(e, s.tr)), None).await,
    }
}

#[derive(Deserialize)]
struct PasswordForm {
    #[serde(default)]
    current: String,
    #[serde(default)]
    new: String,
}

async fn change_password(
    State(state): State<AppState>,
    s: Signed,
    FormBody(form): FormBody<PasswordForm>,
) -> Result<Response, PageFailure> {
    match state
        .app
        .change_own_password(&s.ctx, &form.current, &form.new)
        .await
    {
        Ok(session) => {
            // Every other session ended; this browser continues on a new one.
            let mut resp = done("/profile", "password");
            if let Some(c) = set_cookie(
                SESSION_COOKIE,
                &session.secret,
                None,
                state.settings.secure_cookies,
            ) {
                resp.headers_mut().append(header::SET_COOKIE, c);
            }
            Ok(resp.into_response())
        }
        Err(AppError::Unauthenticated) => {
            let e = crate::error::Failure::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "wrong_password",
                "the current password is wrong",
            );
            let msg = e.localised(s.tr);
            page(&state, &s, None, Some((e.status, msg)), None).await
        }
        Err(e) => page(&state, &s, None, Some(form_error(e, s.tr)), None).await,
    }
}

#[derive(Deserialize)]
struct TokenForm {
    #[serde(default)]
    name: String,
}

async fn create_token(
    State(state): State<AppState>,
    s: Signed,
    FormBody(form): FormBody<TokenForm>,
) -> Result<Response, PageFailure> {
    match state
        .app
        .create_api_token(&s.ctx.actor, s.ctx.user.id, &form.name)
        .await
    {
        // Shown once, never stored in clear: render instead of redirecting.
        Ok((_, secret)) => page(&state, &s, None, None, Some(secret)).await,
        Err(e) => page(&state, &s, None, Some(form_error(e, s.tr)), None).await,
    }
}

async fn revoke_token(
    State(state): State<AppState>,
    s: Signed,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> Result<Response, PageFailure> {
    let f = fail(s.tr);
    let id = id
        .parse()
        .map(humas_store::ApiTokenId)
        .map_err(|_| f(AppError::Forbidden))?;
    state
        .app
        .revoke_own_api_token(&s.ctx.actor, id)
        .await
        .map_err(&f)?;
    Ok(done("/profile", "revoked"))
}
