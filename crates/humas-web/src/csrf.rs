//! The CSRF guard for every state-changing request outside `/api/v1`.
//!
//! Three checks, all required: the browser's Fetch-Metadata (`Sec-Fetch-Site`) or `Origin`, when
//! sent, must say same origin; and the request must carry the session's synchronizer token in the
//! `_csrf` form field (or the `_csrf` part of a multipart upload to a page that takes one) or the
//! `X-CSRF-Token` header. The sign-in form has no session yet, so it
//! carries a double-submit token that must equal the `humas_login_csrf` cookie.
//!
//! A multipart upload is not read whole to find its token: the guard reads the body only up to
//! the end of the `_csrf` part (which our forms place before the file), then hands the request
//! on with those bytes replayed in front of the rest, so the handler streams the file and it is
//! never held twice. A declared `Content-Length` over the page's limit is refused before
//! anything is read.

use std::pin::Pin;
use std::task::{Context, Poll};

use axum::body::{Body, Bytes, to_bytes};
use axum::extract::{DefaultBodyLimit, FromRequest, Multipart, Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http_body::{Body as _, Frame, SizeHint};
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
    if let Some(page) = multipart_page(&req) {
        return guard_multipart(req, next, &expected, page, tr).await;
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

/// A page that accepts a multipart upload.
struct MultipartPage {
    path: &'static str,
    /// The largest body it takes.
    limit: usize,
    /// What a larger body is told.
    too_large: fn() -> Failure,
    /// Whether a body whose `_csrf` part comes after the file may be read whole (up to
    /// `limit`) to find it. The import page streams its file and refuses that.
    read_whole: bool,
}

/// Pages that accept a multipart upload. Only on these does the guard read a multipart body to
/// find the `_csrf` part; a multipart body anywhere else carries no token the guard can see and
/// is refused.
const MULTIPART_PAGES: &[MultipartPage] = &[
    MultipartPage {
        path: "/posts/media",
        limit: crate::pages::MEDIA_UPLOAD_LIMIT,
        too_large: media_too_large,
        read_whole: true,
    },
    MultipartPage {
        path: crate::import_stream::PAGE,
        limit: crate::import_stream::IMPORT_UPLOAD_LIMIT,
        too_large: crate::import_stream::too_large,
        read_whole: false,
    },
];

fn media_too_large() -> Failure {
    Failure::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
        format!(
            "the upload is larger than {} MiB; compress the file or shorten the video",
            crate::pages::MEDIA_UPLOAD_LIMIT / (1024 * 1024)
        ),
    )
}

/// How far into a multipart body the guard looks for the `_csrf` part before the file.
const PEEK_LIMIT: usize = 64 * 1024;

/// The page, when `req` is a multipart upload to a page that takes one.
fn multipart_page(req: &Request) -> Option<&'static MultipartPage> {
    let is_multipart = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("multipart/form-data"));
    if !is_multipart {
        return None;
    }
    MULTIPART_PAGES.iter().find(|p| p.path == req.uri().path())
}

/// The length the client declared, if any.
pub(crate) fn declared_length(headers: &HeaderMap) -> Option<u64> {
    headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse().ok())
}

/// A form posted with `enctype="multipart/form-data"`: the body is read up to the end of its
/// `_csrf` part, compared, and handed on with the bytes read replayed in front of the rest.
async fn guard_multipart(
    req: Request,
    next: Next,
    expected: &str,
    page: &MultipartPage,
    tr: i18n::Tr,
) -> Response {
    if declared_length(req.headers()).is_some_and(|n| n > page.limit as u64) {
        let (_, body) = req.into_parts();
        drain(body, page.limit).await;
        return (page.too_large)().into_page(tr);
    }
    let Some(boundary) = boundary(req.headers()) else {
        return Failure::malformed("a multipart body needs a boundary").into_page(tr);
    };
    let (parts, mut body) = req.into_parts();
    let mut peeked = Vec::new();
    let found = loop {
        match scan(&peeked, boundary.as_bytes()) {
            Peek::Token(t) => break Some(t),
            Peek::Absent => break None,
            Peek::More if peeked.len() >= PEEK_LIMIT => break None,
            Peek::More => match next_chunk(&mut body).await {
                Ok(Some(chunk)) => peeked.extend_from_slice(&chunk),
                Ok(None) => break None,
                Err(_) => return Failure::malformed("the upload broke off").into_page(tr),
            },
        }
    };
    let body = Body::new(Replay {
        head: Some(Bytes::from(peeked)),
        rest: body,
    });
    match found {
        Some(given) if tokens_match(&given, expected) => {
            next.run(Request::from_parts(parts, body)).await
        }
        None if page.read_whole => {
            guard_whole(Request::from_parts(parts, body), next, expected, page, tr).await
        }
        _ => Failure::csrf().into_page(tr),
    }
}

/// The next data chunk of a body (trailers skipped), `None` at its end.
pub(crate) async fn next_chunk(body: &mut Body) -> Result<Option<Bytes>, axum::Error> {
    loop {
        match std::future::poll_fn(|cx| Pin::new(&mut *body).poll_frame(cx)).await {
            None => return Ok(None),
            Some(Err(e)) => return Err(e),
            Some(Ok(frame)) => {
                if let Ok(data) = frame.into_data() {
                    return Ok(Some(data));
                }
            }
        }
    }
}

/// Reads and drops what is left of a refused body, up to twice `limit` bytes and for at most
/// [`DRAIN_TIME`], before the refusal is sent: a client still sending would otherwise have the
/// connection reset under it and never see why (browsers show "connection reset"). A body far
/// larger than that still gets the reset.
pub(crate) async fn drain(mut body: Body, limit: usize) {
    let until = tokio::time::Instant::now() + DRAIN_TIME;
    let mut read = 0_usize;
    while read <= limit.saturating_mul(2) {
        match tokio::time::timeout_at(until, next_chunk(&mut body)).await {
            Ok(Ok(Some(chunk))) => read += chunk.len(),
            _ => return,
        }
    }
}

/// How long [`drain`] reads at most.
pub(crate) const DRAIN_TIME: std::time::Duration = std::time::Duration::from_secs(10);

/// A body whose first bytes were already read: they come first, then the rest.
struct Replay {
    head: Option<Bytes>,
    rest: Body,
}

impl http_body::Body for Replay {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        if let Some(head) = self.head.take().filter(|h| !h.is_empty()) {
            return Poll::Ready(Some(Ok(Frame::data(head))));
        }
        Pin::new(&mut self.rest).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.head.as_ref().is_none_or(Bytes::is_empty) && self.rest.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        let head = self.head.as_ref().map_or(0, |h| h.len() as u64);
        let rest = self.rest.size_hint();
        let mut hint = SizeHint::new();
        if let Some(upper) = rest.upper() {
            hint.set_upper(upper.saturating_add(head));
        }
        hint.set_lower(rest.lower().saturating_add(head));
        hint
    }
}

/// The multipart boundary named by the `Content-Type` header.
fn boundary(headers: &HeaderMap) -> Option<String> {
    let ct = headers.get(header::CONTENT_TYPE)?.to_str().ok()?;
    ct.split(';').skip(1).find_map(|param| {
        let (key, value) = param.split_once('=')?;
        key.trim()
            .eq_ignore_ascii_case("boundary")
            .then(|| value.trim().trim_matches('"').to_owned())
            .filter(|b| !b.is_empty())
    })
}

/// What the first bytes of a multipart body say about its `_csrf` part.
#[derive(Debug, PartialEq, Eq)]
enum Peek {
    /// The part, complete.
    Token(String),
    /// Not before the first file part or the end of the body.
    Absent,
    /// Not yet decided: read on.
    More,
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Looks through the parts at the start of a multipart body (RFC 7578) for `_csrf`, stopping
/// at the first file part.
fn scan(buf: &[u8], boundary: &[u8]) -> Peek {
    let delimiter = [b"--".as_slice(), boundary].concat();
    let Some(mut at) = find(buf, &delimiter) else {
        return Peek::More;
    };
    loop {
        let after = at + delimiter.len();
        match buf.get(after..after + 2) {
            None => return Peek::More,
            Some(b"\r\n") => {}
            // `--` closes the body; anything else is not a multipart body we wrote.
            Some(_) => return Peek::Absent,
        }
        let head_start = after + 2;
        let Some(head_len) = find(&buf[head_start..], b"\r\n\r\n") else {
            return Peek::More;
        };
        let (name, is_file) = disposition(&buf[head_start..head_start + head_len]);
        if is_file {
            return Peek::Absent;
        }
        let content_start = head_start + head_len + 4;
        let end = [b"\r\n".as_slice(), &delimiter].concat();
        let Some(content_len) = find(&buf[content_start..], &end) else {
            return Peek::More;
        };
        if name.as_deref() == Some(FIELD) {
            let value = &buf[content_start..content_start + content_len];
            return Peek::Token(String::from_utf8_lossy(value).into_owned());
        }
        at = content_start + content_len + 2;
    }
}

/// The part's name, and whether it is a file, from its `Content-Disposition` header.
fn disposition(headers: &[u8]) -> (Option<String>, bool) {
    let text = String::from_utf8_lossy(headers);
    for line in text.split("\r\n") {
        let Some((key, value)) = line.split_once(':') else {
            continue;
        };
        if !key.trim().eq_ignore_ascii_case("content-disposition") {
            continue;
        }
        let mut name = None;
        let mut is_file = false;
        for param in value.split(';').skip(1) {
            let Some((k, v)) = param.split_once('=') else {
                continue;
            };
            let v = v.trim().trim_matches('"').to_owned();
            match k.trim().to_ascii_lowercase().as_str() {
                "name" => name = Some(v),
                "filename" | "filename*" => is_file = true,
                _ => {}
            }
        }
        return (name, is_file);
    }
    (None, false)
}

/// A form whose token comes after its file (an older client): the body is read whole, up to
/// the page's limit, its `_csrf` part compared, and the same bytes passed on.
async fn guard_whole(
    req: Request,
    next: Next,
    expected: &str,
    page: &MultipartPage,
    tr: i18n::Tr,
) -> Response {
    let (parts, body) = req.into_parts();
    let Ok(bytes) = to_bytes(body, page.limit).await else {
        return (page.too_large)().into_page(tr);
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
async fn multipart_token(headers: &HeaderMap, bytes: Bytes) -> Option<String> {
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

    fn part(name: &str, file: bool, value: &str) -> String {
        let filename = if file { "; filename=\"a.csv\"" } else { "" };
        format!(
            "--XyZ\r\nContent-Disposition: form-data; name=\"{name}\"{filename}\r\n\r\n{value}\r\n"
        )
    }

    #[test]
    fn the_token_is_found_among_the_parts_before_the_file() {
        let body = part("account", false, "abc")
            + &part("_csrf", false, "tok")
            + &part("file", true, "id,author");
        assert_eq!(scan(body.as_bytes(), b"XyZ"), Peek::Token("tok".into()));
        // Cut anywhere before the token's end, the guard reads on.
        let end = body.find("tok\r\n").unwrap() + 5;
        for cut in [0, 3, 10, end - 1] {
            assert_eq!(
                scan(&body.as_bytes()[..cut], b"XyZ"),
                Peek::More,
                "cut at {cut}"
            );
        }
        assert_eq!(
            scan(&body.as_bytes()[..end + 5], b"XyZ"),
            Peek::Token("tok".into())
        );
        // A token after the file is not looked for; neither is one in a body without it.
        let late = part("file", true, "_csrf") + &part("_csrf", false, "tok");
        assert_eq!(scan(late.as_bytes(), b"XyZ"), Peek::Absent);
        let none = part("account", false, "abc") + "--XyZ--\r\n";
        assert_eq!(scan(none.as_bytes(), b"XyZ"), Peek::Absent);
        // A part named like the field's file name is still not the token.
        let filename =
            "--XyZ\r\nContent-Disposition: form-data; filename=\"_csrf\"; name=\"x\"\r\n\r\nv\r\n";
        assert_eq!(scan(filename.as_bytes(), b"XyZ"), Peek::Absent);
    }

    #[test]
    fn the_boundary_is_read_quoted_or_not() {
        let mut h = HeaderMap::new();
        h.insert(
            header::CONTENT_TYPE,
            "multipart/form-data; boundary=\"a b\"".parse().unwrap(),
        );
        assert_eq!(boundary(&h).as_deref(), Some("a b"));
        h.insert(
            header::CONTENT_TYPE,
            "multipart/form-data; charset=utf-8; BOUNDARY=xyz"
                .parse()
                .unwrap(),
        );
        assert_eq!(boundary(&h).as_deref(), Some("xyz"));
        h.insert(header::CONTENT_TYPE, "multipart/form-data".parse().unwrap());
        assert_eq!(boundary(&h), None);
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
