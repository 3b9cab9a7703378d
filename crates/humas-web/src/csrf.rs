//! The CSRF guard for every state-changing request outside `/api/v1`.
//!
//! Three checks, all required: the browser's Fetch-Metadata (`Sec-Fetch-Site`) or `Origin`, when
//! sent, must say same origin; and the request must carry the session's synchronizer token in the
//! `_csrf` form field (or the `_csrf` part of a multipart upload to a page that takes one) or the
//! `X-CSRF-Token` header. The sign-in form has no session yet, so it
//! carries a double-submit token that must equal the `humas_login_csrf` cookie.

use axum::body::{Body, Bytes, to_bytes};
use axum::extract::{DefaultBodyLimit, FromRequest, Multipart, Request, State};
use axum::http::{Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use humas_app::SessionContext;
use subtle::ConstantTimeEq;
use tower::{Layer, ServiceExt};

use crate::AppState;
use crate::error::Failure;
use crate::i18n;
use crate::session::{ExpiredSession, LOGIN_CSRF_COOKIE, cookie};

/// The form field that carries the token.
pub const FIELD: &str = "_csrf";
/// The header that carries the token (for our own scripts).
pub const HEADER: &str = "x-csrf-token";

fn same_origin(req: &Request) -> bool {
    let h = req.headers();
    if let Some(site) = h.get("sec-fetch-site").and_then(|v| v.to_str().ok())
        && !matches!(site, "same-origin" | "none")
    {
        return false;
    }
    if let Some(origin) = h.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        let host = h
            .get(header::HOST)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let origin_host = origin.split_once("://").map_or(origin, |(_, rest)| rest);
        if origin == "null" || origin_host != host {
            return false;
        }
    }
    true
}

fn tokens_match(given: &str, expected: &str) -> bool {
    !expected.is_empty() && given.as_bytes().ct_eq(expected.as_bytes()).into()
}

/// Guards unsafe methods; see the module docs.
pub async fn guard(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let unsafe_method = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if !unsafe_method || req.uri().path().starts_with("/api/") {
        return next.run(req).await;
    }
    let tr = i18n::pick(
        req.headers(),
        req.extensions().get::<SessionContext>().map(|c| &c.user),
    );
    if !same_origin(&req) {
        return Failure::csrf().into_page(tr);
    }
    let expected = if req.uri().path() == "/login" {
        cookie(req.headers(), LOGIN_CSRF_COOKIE)
    } else {
        req.extensions()
            .get::<SessionContext>()
            .and_then(|c| c.csrf_token.clone())
    };
    let Some(expected) = expected else {
        let f = if req.extensions().get::<ExpiredSession>().is_some()
            || cookie(req.headers(), crate::session::SESSION_COOKIE).is_none()
        {
            Failure::new(
                StatusCode::UNAUTHORIZED,
                "session_expired",
                "your session has ended; sign in again",
            )
        } else {
            Failure::csrf()
        };
        return f.into_page(tr);
    };
    if let Some(given) = req.headers().get(HEADER).and_then(|v| v.to_str().ok()) {
        return if tokens_match(given, &expected) {
            next.run(req).await
        } else {
            Failure::csrf().into_page(tr)
        };
    }
    if let Some(limit) = multipart_limit(&req) {
        return guard_multipart(req, next, &expected, limit, tr).await;
    }
    let (parts, body) = req.into_parts();
    let bytes = match to_bytes(body, state.settings.max_body_bytes).await {
        Ok(b) => b,
        Err(_) => {
            return Failure::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                "the request is too large",
            )
            .into_page(tr);
        }
    };
    let given = form_urlencoded::parse(&bytes)
        .find(|(k, _)| k == FIELD)
        .map(|(_, v)| v.into_owned());
    match given {
        Some(g) if tokens_match(&g, &expected) => {
            next.run(Request::from_parts(parts, Body::from(bytes)))
                .await
        }
        _ => Failure::csrf().into_page(tr).into_response(),
    }
}

/// Pages that accept a multipart upload, with the largest body each takes. Only on these does
/// the guard read a multipart body to find the `_csrf` part; a multipart body anywhere else
/// carries no token the guard can see and is refused.
const MULTIPART_PAGES: &[(&str, usize)] = &[("/posts/media", crate::pages::MEDIA_UPLOAD_LIMIT)];

/// The body limit when `req` is a multipart upload to a page that takes one.
fn multipart_limit(req: &Request) -> Option<usize> {
    let is_multipart = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("multipart/form-data"));
    if !is_multipart {
        return None;
    }
    MULTIPART_PAGES
        .iter()
        .find(|(path, _)| *path == req.uri().path())
        .map(|(_, limit)| *limit)
}

/// A form posted with `enctype="multipart/form-data"` (an upload without JavaScript): the body
/// is read up to the page's own limit, its `_csrf` part compared, and the same bytes passed on.
async fn guard_multipart(
    req: Request,
    next: Next,
    expected: &str,
    limit: usize,
    tr: i18n::Tr,
) -> Response {
    let (parts, body) = req.into_parts();
    let Ok(bytes) = to_bytes(body, limit).await else {
        return Failure::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            format!(
                "the upload is larger than {} MiB; compress the file or shorten the video",
                limit / (1024 * 1024)
            ),
        )
        .into_page(tr);
    };
    match multipart_token(&parts.headers, bytes.clone()).await {
        Some(given) if tokens_match(&given, expected) => {
            next.run(Request::from_parts(parts, Body::from(bytes)))
                .await
        }
        _ => Failure::csrf().into_page(tr),
    }
}

/// The `_csrf` part of a multipart body, if there is one.
async fn multipart_token(headers: &axum::http::HeaderMap, bytes: Bytes) -> Option<String> {
    let mut req = Request::new(Body::from(bytes));
    if let Some(ct) = headers.get(header::CONTENT_TYPE) {
        req.headers_mut().insert(header::CONTENT_TYPE, ct.clone());
    }
    // The bytes are already capped by the page's limit; the extractor's own default (2 MB)
    // would refuse a large upload before reaching a `_csrf` part placed after the file.
    let reader = DefaultBodyLimit::disable().layer(tower::service_fn(|req: Request| async {
        Ok::<_, std::convert::Infallible>(read_token(req).await)
    }));
    reader.oneshot(req).await.ok().flatten()
}

async fn read_token(req: Request) -> Option<String> {
    let mut form = Multipart::from_request(req, &()).await.ok()?;
    while let Ok(Some(field)) = form.next_field().await {
        if field.name() == Some(FIELD) {
            return field.text().await.ok();
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_comparison() {
        assert!(tokens_match("abc", "abc"));
        assert!(!tokens_match("abd", "abc"));
        assert!(!tokens_match("", ""));
    }

    fn req(headers: &[(&str, &str)]) -> Request {
        let mut b = Request::builder().method("POST").uri("/opds");
        for (k, v) in headers {
            b = b.header(*k, *v);
        }
        b.body(Body::empty()).unwrap()
    }

    #[test]
    fn cross_site_requests_are_refused() {
        assert!(same_origin(&req(&[("host", "a.id")])));
        assert!(same_origin(&req(&[
            ("host", "a.id:8080"),
            ("origin", "http://a.id:8080"),
            ("sec-fetch-site", "same-origin")
        ])));
        assert!(!same_origin(&req(&[
            ("host", "a.id"),
            ("origin", "https://evil.example")
        ])));
        assert!(!same_origin(&req(&[
            ("host", "a.id"),
            ("sec-fetch-site", "cross-site")
        ])));
        assert!(!same_origin(&req(&[("host", "a.id"), ("origin", "null")])));
    }
}
