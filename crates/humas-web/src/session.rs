//! Session cookies: read once per request by [`resolve`], which puts the signed-in person
//! ([`SessionContext`]) into the request for handlers and the CSRF guard.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use humas_app::AppError;

use crate::AppState;
use crate::error::Failure;

/// The session cookie. Its value is a random secret; the database keeps only its hash.
pub const SESSION_COOKIE: &str = "humas_session";
/// The double-submit cookie that protects the sign-in form, which has no session yet.
pub const LOGIN_CSRF_COOKIE: &str = "humas_login_csrf";

/// The value of one cookie, if sent.
#[must_use]
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim().to_owned())
}

/// A `Set-Cookie` value: `HttpOnly`, `SameSite=Lax`, `Path=/`, and `Secure` when configured.
#[must_use]
pub fn set_cookie(
    name: &str,
    value: &str,
    max_age_secs: Option<i64>,
    secure: bool,
) -> Option<HeaderValue> {
    let mut s = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax");
    if let Some(age) = max_age_secs {
        s.push_str(&format!("; Max-Age={age}"));
    }
    if secure {
        s.push_str("; Secure");
    }
    HeaderValue::from_str(&s).ok()
}

/// A `Set-Cookie` value that deletes the cookie.
#[must_use]
pub fn clear_cookie(name: &str, secure: bool) -> Option<HeaderValue> {
    set_cookie(name, "", Some(0), secure)
}

/// Marks a request whose session cookie was present but no longer valid.
#[derive(Clone, Copy, Debug)]
pub struct ExpiredSession;

/// Resolves the session cookie, if any, into a [`SessionContext`] request extension. An
/// invalid or expired cookie is removed from the browser.
pub async fn resolve(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let mut clear = false;
    if let Some(secret) = cookie(req.headers(), SESSION_COOKIE) {
        match state.app.session(&secret).await {
            Ok(ctx) => {
                req.extensions_mut().insert(ctx);
            }
            Err(AppError::Unauthenticated) => {
                clear = true;
                req.extensions_mut().insert(ExpiredSession);
            }
            Err(e) => return Failure::from(e).into_response(),
        }
    }
    let mut resp = next.run(req).await;
    if clear
        && !resp.headers().contains_key(header::SET_COOKIE)
        && let Some(v) = clear_cookie(SESSION_COOKIE, state.settings.secure_cookies)
    {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
    resp
}

/// The client address for throttling: the socket peer, or the first `X-Forwarded-For` hop when
/// the server is configured to trust its proxy.
#[must_use]
pub fn client_ip(
    headers: &HeaderMap,
    peer: Option<&ConnectInfo<SocketAddr>>,
    trust_forwarded: bool,
) -> IpAddr {
    if trust_forwarded
        && let Some(ip) = headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .and_then(|v| v.trim().parse().ok())
    {
        return ip;
    }
    peer.map_or(IpAddr::from([127, 0, 0, 1]), |c| c.0.ip())
}

/// The client address of a request (see [`client_ip`]).
pub struct ClientIp(pub IpAddr);

impl axum::extract::FromRequestParts<AppState> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>();
        Ok(Self(client_ip(
            &parts.headers,
            peer,
            state.settings.trust_forwarded_for,
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_cookies_among_many() {
        let mut h = HeaderMap::new();
        h.append(
            header::COOKIE,
            "a=1; humas_session=abc ; b=2".parse().unwrap(),
        );
        assert_eq!(cookie(&h, SESSION_COOKIE).as_deref(), Some("abc"));
        assert_eq!(cookie(&h, "missing"), None);
    }

    #[test]
    fn cookies_are_http_only_and_lax() {
        let v = set_cookie("x", "y", None, true).unwrap();
        let s = v.to_str().unwrap();
        assert!(
            s.contains("HttpOnly") && s.contains("SameSite=Lax") && s.contains("Secure"),
            "{s}"
        );
        let v = set_cookie("x", "y", None, false).unwrap();
        assert!(!v.to_str().unwrap().contains("Secure"));
    }

    #[test]
    fn forwarded_for_only_when_trusted() {
        let mut h = HeaderMap::new();
        h.insert("x-forwarded-for", "203.0.113.9, 10.0.0.1".parse().unwrap());
        assert_eq!(client_ip(&h, None, true), IpAddr::from([203, 0, 113, 9]));
        assert_eq!(client_ip(&h, None, false), IpAddr::from([127, 0, 0, 1]));
    }
}
