//! Connecting an account through the platform's consent page (OAuth 2.0 authorisation code).
//!
//! `POST /accounts/{id}/oauth/start` (an approver or supervisor, CSRF-checked) makes a fresh
//! `state` and PKCE verifier, keeps them in a short-lived cookie sealed with the server secret
//! and bound to the account, and sends the browser to the platform. The platform sends it back
//! to `GET /oauth/callback?code&state`: the state must match the cookie's (constant time)
//! before the code is exchanged, and the cookie is cleared either way.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, Uri, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use humas_app::AppError;
use humas_domain::AccountId;
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::error::PageFailure;
use crate::extract::Signed;
use crate::pages::{done, fail};
use crate::routes::Routes;
use crate::session::{cookie, set_cookie};

/// The cookie that carries the pending connection.
const COOKIE: &str = "humas_oauth";
/// How long a person has to finish on the platform's page.
const PENDING_SECS: i64 = 600;

pub(crate) fn routes(r: Routes) -> Routes {
    r.add("POST", "/accounts/{id}/oauth/start", post(start))
        .add("GET", "/oauth/callback", get(callback))
}

#[derive(Serialize, Deserialize)]
struct Pending {
    state: String,
    verifier: String,
    expires_unix: i64,
}

fn refused(code: &'static str, message: &str) -> AppError {
    AppError::Refused {
        code,
        message: message.to_owned(),
    }
}

/// Where the platform sends the browser back: the configured public address, else the address
/// this request came to.
fn redirect_uri(state: &AppState, headers: &HeaderMap) -> String {
    let base = state
        .settings
        .public_url
        .as_deref()
        .map(|u| u.trim_end_matches('/').to_owned())
        .filter(|u| !u.is_empty())
        .unwrap_or_else(|| {
            let host = headers
                .get(header::HOST)
                .and_then(|h| h.to_str().ok())
                .unwrap_or("localhost");
            let scheme = if state.settings.secure_cookies {
                "https"
            } else {
                "http"
            };
            format!("{scheme}://{host}")
        });
    format!("{base}/oauth/callback")
}

async fn start(
    State(state): State<AppState>,
    s: Signed,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, PageFailure> {
    let f = fail(s.tr);
    let account: AccountId = id.parse().map_err(|_| f(AppError::NotFound("account")))?;
    let redirect = redirect_uri(&state, &headers);
    let begun = state
        .app
        .oauth_start(&s.ctx.actor, account, &redirect)
        .await
        .map_err(&f)?;
    let pending = Pending {
        state: begun.state,
        verifier: begun.verifier,
        expires_unix: state.app.clock().now().as_second() + PENDING_SECS,
    };
    let json = serde_json::to_vec(&pending).map_err(|e| f(AppError::Internal(e.to_string())))?;
    let sealed = state.app.sealer().seal(account, &json);
    let value = format!("{account}.{}", hex::encode(sealed));
    let mut resp = Redirect::to(&begun.url).into_response();
    if let Some(v) = set_cookie(
        COOKIE,
        &value,
        Some(PENDING_SECS),
        state.settings.secure_cookies,
    ) {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
    Ok(resp)
}

fn open_pending(state: &AppState, raw: &str) -> Result<(AccountId, Pending), AppError> {
    let expired = || {
        refused(
            "oauth_expired",
            "the connection took too long or was started in another browser; start again from the account page",
        )
    };
    let (account, sealed) = raw.split_once('.').ok_or_else(expired)?;
    let account: AccountId = account.parse().map_err(|_| expired())?;
    let sealed = hex::decode(sealed).map_err(|_| expired())?;
    let json = state
        .app
        .sealer()
        .open(account, &sealed)
        .map_err(|_| expired())?;
    let pending: Pending = serde_json::from_slice(&json).map_err(|_| expired())?;
    if pending.expires_unix < state.app.clock().now().as_second() {
        return Err(expired());
    }
    Ok((account, pending))
}

async fn callback(
    State(state): State<AppState>,
    s: Signed,
    headers: HeaderMap,
    uri: Uri,
) -> Result<Response, PageFailure> {
    let f = fail(s.tr);
    let clear = set_cookie(COOKIE, "", Some(0), state.settings.secure_cookies);
    let with_clear = |mut resp: Response| {
        if let Some(v) = clear.clone() {
            resp.headers_mut().append(header::SET_COOKIE, v);
        }
        resp
    };
    let Some(raw) = cookie(&headers, COOKIE) else {
        return Err(f(refused(
            "oauth_expired",
            "the connection took too long or was started in another browser; start again from the account page",
        )));
    };
    let (account, pending) = open_pending(&state, &raw).map_err(&f)?;
    let query = uri.query().unwrap_or_default();
    let code = humas_connectors::oauth::parse_callback(query, &pending.state).map_err(|e| {
        let code = match e {
            humas_connectors::oauth::OAuthError::Denied { .. } => "oauth_denied",
            humas_connectors::oauth::OAuthError::StateMismatch => "oauth_state",
            _ => "oauth_callback",
        };
        f(refused(code, &e.to_string()))
    })?;
    let redirect = redirect_uri(&state, &headers);
    state
        .app
        .oauth_finish(&s.ctx.actor, account, &code, &redirect, &pending.verifier)
        .await
        .map_err(&f)?;
    Ok(with_clear(done(
        &format!("/accounts/{account}/connection"),
        "connected",
    )))
}
