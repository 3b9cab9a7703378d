//! One failure type for the whole web layer. Each failure has an HTTP status and a stable
//! snake_case code. JSON clients get `{"error": {"code", "message"}}`; people get a page with
//! the message translated from `error-<code>`.

use askama::Template;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use humas_app::AppError;

use crate::i18n::Tr;

/// Every code the web layer can answer with. A test checks each has a message in both
/// languages.
pub const ALL_CODES: &[&str] = &[
    "invalid_slug",
    "invalid_opd_name",
    "invalid_display_name",
    "invalid_username",
    "invalid_password",
    "invalid_handle",
    "invalid_api_base_url",
    "invalid_choice",
    "invalid_date_range",
    "invalid_date",
    "invalid_role_scope",
    "self_delegation",
    "invalid_note",
    "invalid_clock_days",
    "invalid_clock_order",
    "invalid_author",
    "invalid_external_id",
    "message_too_long",
    "empty_message",
    "forbidden",
    "not_found",
    "method_not_allowed",
    "slug_taken",
    "username_taken",
    "handle_taken",
    "conflict",
    "unknown_reference",
    "unauthenticated",
    "session_expired",
    "too_many_attempts",
    "csrf_failed",
    "malformed_body",
    "unsupported_media_type",
    "payload_too_large",
    "wrong_password",
    "platform_refused",
    "internal",
];

/// A request that did not succeed.
#[derive(Debug)]
pub struct Failure {
    /// HTTP status.
    pub status: StatusCode,
    /// Stable code.
    pub code: &'static str,
    /// English explanation for API clients and logs.
    pub message: String,
    /// Seconds to wait, for 429.
    pub retry_after: Option<u64>,
}

impl Failure {
    /// A failure with a status, code and English message.
    #[must_use]
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            retry_after: None,
        }
    }

    /// Missing or wrong CSRF token, or a cross-site request.
    #[must_use]
    pub fn csrf() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "csrf_failed",
            "the form's security token is missing or wrong; reload the page and submit again",
        )
    }

    /// The body could not be parsed.
    #[must_use]
    pub fn malformed(detail: impl std::fmt::Display) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "malformed_body",
            format!("the request body could not be read: {detail}"),
        )
    }

    /// The message for people, in their language, with the English detail as fallback.
    #[must_use]
    pub fn localised(&self, tr: Tr) -> String {
        let key = format!("error-{}", self.code);
        let text = tr.t(&key);
        if text == key {
            self.message.clone()
        } else {
            text
        }
    }

    /// Renders the failure as a page in the reader's language.
    #[must_use]
    pub fn into_page(self, tr: Tr) -> Response {
        let page = ErrorPage {
            lang: tr.code(),
            title: tr.t("error-title"),
            message: self.localised(tr),
            detail: self.message.clone(),
            home: tr.t("nav-home"),
            signin: tr.t("login-title"),
            needs_login: matches!(
                self.code,
                "unauthenticated" | "session_expired" | "csrf_failed"
            ),
        };
        let body = page.render().unwrap_or_else(|_| self.message.clone());
        let mut resp = (self.status, axum::response::Html(body)).into_response();
        self.add_retry_after(&mut resp);
        resp
    }

    fn add_retry_after(&self, resp: &mut Response) {
        if let Some(secs) = self.retry_after
            && let Ok(v) = HeaderValue::from_str(&secs.to_string())
        {
            resp.headers_mut().insert(header::RETRY_AFTER, v);
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    lang: &'static str,
    title: String,
    message: String,
    detail: String,
    home: String,
    signin: String,
    needs_login: bool,
}

impl From<AppError> for Failure {
    fn from(e: AppError) -> Self {
        let msg = e.to_string();
        match e {
            AppError::Invalid(v) => {
                Self::new(StatusCode::UNPROCESSABLE_ENTITY, v.code(), v.to_string())
            }
            AppError::Forbidden => Self::new(StatusCode::FORBIDDEN, "forbidden", msg),
            AppError::NotFound(_) => Self::new(StatusCode::NOT_FOUND, "not_found", msg),
            AppError::Conflict(what) => {
                let code = match what {
                    "opd_slug" => "slug_taken",
                    "username" => "username_taken",
                    "account_handle" => "handle_taken",
                    _ => "conflict",
                };
                Self::new(StatusCode::CONFLICT, code, msg)
            }
            AppError::UnknownReference(_) => {
                Self::new(StatusCode::UNPROCESSABLE_ENTITY, "unknown_reference", msg)
            }
            AppError::Unauthenticated => {
                Self::new(StatusCode::UNAUTHORIZED, "unauthenticated", msg)
            }
            AppError::Throttled { retry_after_secs } => Self {
                retry_after: Some(retry_after_secs),
                ..Self::new(StatusCode::TOO_MANY_REQUESTS, "too_many_attempts", msg)
            },
            AppError::Platform(_) => Self::new(StatusCode::BAD_GATEWAY, "platform_refused", msg),
            AppError::Refused { code, .. } => {
                Self::new(StatusCode::UNPROCESSABLE_ENTITY, code, msg)
            }
            AppError::Internal(detail) => {
                // Logged once, here at the edge; the client sees no internals.
                tracing::error!(error = %detail, "internal error");
                Self::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "something went wrong on the server; it has been logged",
                )
            }
        }
    }
}

/// JSON is the default rendering, for the API.
impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        let body = serde_json::json!({ "error": { "code": self.code, "message": self.message } });
        let mut resp = (self.status, axum::Json(body)).into_response();
        self.add_retry_after(&mut resp);
        resp
    }
}

/// A failure on a page: rendered as HTML in the reader's language.
#[derive(Debug)]
pub struct PageFailure(pub Failure, pub Tr);

impl IntoResponse for PageFailure {
    fn into_response(self) -> Response {
        self.0.into_page(self.1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use humas_domain::Locale;

    #[test]
    fn every_code_is_translated_in_both_languages() {
        for lang in [Locale::Id, Locale::En] {
            let tr = Tr::new(lang);
            for code in ALL_CODES {
                assert!(
                    tr.has(&format!("error-{code}")),
                    "missing error-{code} in {lang}"
                );
            }
        }
    }

    #[test]
    fn every_value_error_code_is_listed() {
        use humas_domain::ValueError as V;
        let all = [
            V::Slug,
            V::OpdName,
            V::DisplayName,
            V::Username,
            V::Password,
            V::Handle,
            V::ApiBaseUrl,
            V::UnknownChoice {
                field: "x",
                value: String::new(),
                expected: "",
            },
            V::DateRange,
            V::Date,
            V::RoleScope(""),
            V::SelfDelegation,
        ];
        for v in all {
            assert!(
                ALL_CODES.contains(&v.code()),
                "{} missing from ALL_CODES",
                v.code()
            );
        }
    }

    #[test]
    fn every_listed_code_is_used_in_the_source() {
        let src_dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut source = String::new();
        for entry in std::fs::read_dir(&src_dir)
            .unwrap()
            .chain(std::fs::read_dir(src_dir.join("pages")).unwrap())
            .chain(std::fs::read_dir(src_dir.join("api")).unwrap())
        {
            let p = entry.unwrap().path();
            if p.extension().is_some_and(|e| e == "rs") && !p.ends_with("error.rs") {
                source.push_str(&std::fs::read_to_string(p).unwrap());
            }
        }
        let error_rs = std::fs::read_to_string(src_dir.join("error.rs")).unwrap();
        let domain = include_str!("../../humas-domain/src/values.rs");
        let app = include_str!("../../humas-app/src/error.rs");
        for code in ALL_CODES {
            let quoted = format!("\"{code}\"");
            let uses = source.matches(&quoted).count()
                + domain.matches(&quoted).count()
                + app.matches(&quoted).count()
                + error_rs.matches(&quoted).count().saturating_sub(1);
            assert!(uses > 0, "error code {code} is listed but never produced");
        }
    }
}
