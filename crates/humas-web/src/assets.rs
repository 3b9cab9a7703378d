//! Our own CSS and JS, embedded in the binary and served with a long cache and an ETag.

use axum::extract::Path;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use sha2::{Digest, Sha256};

use crate::routes::Routes;

const FILES: &[(&str, &str, &str)] = &[
    (
        "publish.css",
        "text/css; charset=utf-8",
        include_str!("../assets/publish.css"),
    ),
    (
        "humas.css",
        "text/css; charset=utf-8",
        include_str!("../assets/humas.css"),
    ),
    (
        "inbox.css",
        "text/css; charset=utf-8",
        include_str!("../assets/inbox.css"),
    ),
    (
        "humas.js",
        "text/javascript; charset=utf-8",
        include_str!("../assets/humas.js"),
    ),
    (
        "composer.js",
        "text/javascript; charset=utf-8",
        include_str!("../assets/composer.js"),
    ),
    (
        "calendar.css",
        "text/css; charset=utf-8",
        include_str!("../assets/calendar.css"),
    ),
    (
        "calendar.js",
        "text/javascript; charset=utf-8",
        include_str!("../assets/calendar.js"),
    ),
];

pub(crate) fn routes(r: Routes) -> Routes {
    r.add("GET", "/assets/{file}", get(serve))
}

async fn serve(Path(file): Path<String>, headers: HeaderMap) -> Response {
    let Some((_, mime, body)) = FILES.iter().find(|(name, _, _)| *name == file) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let etag = format!(
        "\"{}\"",
        &hex::encode(Sha256::digest(body.as_bytes()))[..16]
    );
    if headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        == Some(etag.as_str())
    {
        return StatusCode::NOT_MODIFIED.into_response();
    }
    let mut resp = (StatusCode::OK, *body).into_response();
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(mime));
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=3600"),
    );
    if let Ok(v) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, v);
    }
    resp
}
