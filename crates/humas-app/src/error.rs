//! What a use case can answer instead of success.

use humas_domain::ValueError;
use humas_store::StoreError;

/// Why a use case did not do what was asked. The web layer maps each variant to an HTTP status
/// and a stable error code.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// An input is malformed; the value error says which and how to fix it.
    #[error("{0}")]
    Invalid(#[from] ValueError),
    /// The actor may not do this.
    #[error("you are not allowed to do this")]
    Forbidden,
    /// The thing does not exist.
    #[error("{0} not found")]
    NotFound(&'static str),
    /// A uniqueness rule would be broken (`opd_slug`, `username`, `account_handle`).
    #[error("already exists: {0}")]
    Conflict(&'static str),
    /// The input names something that does not exist (`opd`, `user`).
    #[error("unknown {0}")]
    UnknownReference(&'static str),
    /// Wrong username or password, an expired session or a revoked token.
    #[error("sign-in required or credentials wrong")]
    Unauthenticated,
    /// Too many failed sign-ins; try again later.
    #[error("too many failed sign-ins; try again in {retry_after_secs} s")]
    Throttled {
        /// Seconds until the next attempt is accepted.
        retry_after_secs: u64,
    },
    /// The platform (or the missing connection to it) refused what was asked; the text says
    /// why, for the operator.
    #[error("the platform refused: {0}")]
    Platform(String),
    /// A rule of the domain refused the request (an approval out of turn, an unreadable file, a
    /// post with problems); `code` is stable for translations, `message` says what to fix.
    #[error("{message}")]
    Refused {
        /// Stable snake_case code.
        code: &'static str,
        /// What is wrong and how to fix it, in English.
        message: String,
    },
    /// Storage or hashing failed; logged once at the edge.
    #[error("internal error: {0}")]
    Internal(String),
}

impl AppError {
    /// A stable snake_case code for APIs and translations.
    #[must_use]
    pub const fn code(&self) -> &'static str {
        match self {
            Self::Invalid(v) => v.code(),
            Self::Forbidden => "forbidden",
            Self::NotFound(_) => "not_found",
            Self::Conflict(_) => "conflict",
            Self::UnknownReference(_) => "unknown_reference",
            Self::Unauthenticated => "unauthenticated",
            Self::Throttled { .. } => "too_many_attempts",
            Self::Platform(_) => "platform_refused",
            Self::Refused { code, .. } => code,
            Self::Internal(_) => "internal",
        }
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound(what) => Self::NotFound(what),
            StoreError::Conflict(what) => Self::Conflict(what),
            StoreError::UnknownReference(what) => Self::UnknownReference(what),
            StoreError::Corrupt(_) | StoreError::Backend(_) => Self::Internal(error_chain(&e)),
        }
    }
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut cur = e.source();
    while let Some(s) = cur {
        out.push_str(": ");
        out.push_str(&s.to_string());
        cur = s.source();
    }
    out
}

/// Shorthand.
pub type AppResult<T> = Result<T, AppError>;
