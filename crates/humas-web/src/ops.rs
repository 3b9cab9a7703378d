//! Operations: health, metrics, security headers, the not-found answer.

use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::AppState;
use crate::error::Failure;
use crate::i18n;
use crate::routes::Routes;

pub(crate) fn routes(r: Routes) -> Routes {
    r.add("GET", "/healthz", get(healthz))
        .add("GET", "/metrics", get(metrics))
}

/// 200 when the database answers, 503 otherwise.
async fn healthz(State(state): State<AppState>) -> Response {
    match state.app.store().ping().await {
        Ok(()) => (
            StatusCode::OK,
            axum::Json(
                serde_json::json!({"status": "ok", "database": state.app.store().backend_name()}),
            ),
        )
            .into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "health check: database down");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                axum::Json(serde_json::json!({"status": "database_unavailable"})),
            )
                .into_response()
        }
    }
}

async fn metrics(State(state): State<AppState>) -> Response {
    let db_up = state.app.store().ping().await.is_ok();
    let body = state
        .metrics
        .render(db_up, state.app.store().backend_name());
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], body).into_response()
}

/// Unknown paths: JSON under `/api/`, a translated page elsewhere.
pub(crate) async fn not_found(req: Request) -> Response {
    let f = Failure::new(
        StatusCode::NOT_FOUND,
        "not_found",
        format!("nothing at {}", req.uri().path()),
    );
    if req.uri().path().starts_with("/api/") {
        f.into_response()
    } else {
        f.into_page(i18n::pick(req.headers(), None))
    }
}

/// A known path with a method it does not take.
pub(crate) async fn method_not_allowed(req: Request) -> Response {
    let f = Failure::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        format!("{} does not accept {}", req.uri().path(), req.method()),
    );
    if req.uri().path().starts_with("/api/") {
        f.into_response()
    } else {
        f.into_page(i18n::pick(req.headers(), None))
    }
}

/// Headers that keep pages from being framed, sniffed or loading anything from elsewhere.
pub(crate) async fn security_headers(req: Request, next: Next) -> Response {
    let mut resp = next.run(req).await;
    let h = resp.headers_mut();
    let set = |h: &mut axum::http::HeaderMap, k: &'static str, v: &'static str| {
        h.insert(k, HeaderValue::from_static(v));
    };
    set(
        h,
        "content-security-policy",
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
    );
    set(h, "x-content-type-options", "nosniff");
    set(h, "x-frame-options", "DENY");
    set(h, "referrer-policy", "same-origin");
    if !h.contains_key(header::CACHE_CONTROL) {
        set(h, "cache-control", "no-store");
    }
    resp
}
