//! Extractors: who is asking (a session for pages, a bearer token for the API), in which
//! language, and bodies parsed with clear failures instead of framework defaults.

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use humas_app::SessionContext;
use serde::de::DeserializeOwned;

use crate::AppState;
use crate::error::{Failure, PageFailure};
use crate::i18n::{self, Tr};

/// A signed-in person on a page. Without a valid session the browser is sent to sign in.
pub struct Signed {
    /// Who, and what they may do.
    pub ctx: SessionContext,
    /// Their language.
    pub tr: Tr,
}

impl FromRequestParts<AppState> for Signed {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        _state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        match parts.extensions.get::<SessionContext>() {
            Some(ctx) => Ok(Self {
                tr: i18n::pick(&parts.headers, Some(&ctx.user)),
                ctx: ctx.clone(),
            }),
            None => {
                let path = parts.uri.path_and_query().map_or("/", |p| p.as_str());
                let next: String = form_urlencoded::byte_serialize(path.as_bytes()).collect();
                Err(Redirect::to(&format!("/login?next={next}")).into_response())
            }
        }
    }
}

/// Anyone, signed in or not, with their language.
pub struct Visitor {
    /// The session, if any.
    pub ctx: Option<SessionContext>,
    /// Their language.
    pub tr: Tr,
}

impl FromRequestParts<AppState> for Visitor {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        _state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let ctx = parts.extensions.get::<SessionContext>().cloned();
        Ok(Self {
            tr: i18n::pick(&parts.headers, ctx.as_ref().map(|c| &c.user)),
            ctx,
        })
    }
}

/// An API caller authenticated with `Authorization: Bearer <token>`. Cookies are ignored on the
/// API, which is why it needs no CSRF token.
pub struct ApiCaller(pub SessionContext);

impl FromRequestParts<AppState> for ApiCaller {
    type Rejection = Failure;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                v.strip_prefix("Bearer ")
                    .or_else(|| v.strip_prefix("bearer "))
            })
            .map(str::trim)
            .filter(|t| !t.is_empty());
        let Some(token) = token else {
            return Err(Failure::new(
                StatusCode::UNAUTHORIZED,
                "unauthenticated",
                "send an API token as `Authorization: Bearer <token>`; create one with `humas user token create` or on your profile page",
            ));
        };
        state
            .app
            .bearer(token)
            .await
            .map(Self)
            .map_err(Failure::from)
    }
}

fn content_type_is(req: &Request, wanted: &str) -> bool {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case(wanted))
}

/// A URL-encoded form body, refused with a translated page when malformed.
pub struct FormBody<T>(pub T);

impl<T: DeserializeOwned + Send> FromRequest<AppState> for FormBody<T> {
    type Rejection = Response;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let tr = i18n::pick(
            req.headers(),
            req.extensions().get::<SessionContext>().map(|c| &c.user),
        );
        if !content_type_is(&req, "application/x-www-form-urlencoded") {
            let f = Failure::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "send the form as application/x-www-form-urlencoded",
            );
            return Err(PageFailure(f, tr).into_response());
        }
        match axum::Form::<T>::from_request(req, state).await {
            Ok(axum::Form(v)) => Ok(Self(v)),
            Err(e) => Err(PageFailure(body_failure(e.status(), e.body_text()), tr).into_response()),
        }
    }
}

/// A JSON body for the API, refused with a JSON error when malformed.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned + Send> FromRequest<AppState> for ApiJson<T> {
    type Rejection = Failure;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        if !content_type_is(&req, "application/json") {
            return Err(Failure::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "send JSON with `Content-Type: application/json`",
            ));
        }
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(Self(v)),
            Err(e) => Err(body_failure(e.status(), e.body_text())),
        }
    }
}

fn body_failure(status: StatusCode, text: String) -> Failure {
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        Failure::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            "the request body is too large",
        )
    } else {
        Failure::malformed(text)
    }
}

/// Query-string parameters; never fails (unknown or malformed pairs are ignored).
pub fn query_params(parts_uri: &axum::http::Uri) -> std::collections::HashMap<String, String> {
    parts_uri
        .query()
        .map(|q| form_urlencoded::parse(q.as_bytes()).into_owned().collect())
        .unwrap_or_default()
}
