//! Clients for the platforms Humas listens on and answers through.
//!
//! Each platform module speaks that platform's documented API (`docs/platform-apis.md` in the
//! shared brief) against the account's configured base URL, so tests point it at a local fake
//! server that speaks the same API. Reading is [`Poller::poll`]: one page of new messages from a
//! saved cursor, turned into validated [`Inbound`] values, with anything malformed reported as
//! [`Rejected`] instead of failing the page. Answering is [`Responder`]: reply, hide, delete.
//! Webhook payloads are verified and parsed by pure functions (`meta::verify_signature`,
//! `signed::verify`), so the web layer only moves bytes.
//!
//! **Invariant:** every request goes through [`http::Http`], which refuses private, loopback
//! and link-local targets (SSRF) unless an administrator allowed them, caps response bodies and
//! never follows a proxy from the environment.
//! **Invariant:** nothing a platform sends can panic this crate; a payload that does not match
//! the documented shape is an error or a rejected item with the reason.

pub mod bluesky;
pub mod http;
pub mod import;
pub mod mastodon;
pub mod meta;
pub mod oauth;
pub mod outbound;
pub mod renewal;
pub mod signed;
pub mod telegram;
pub mod tiktok;
pub mod x;
pub mod youtube;

use std::time::Duration;

use async_trait::async_trait;
use humas_domain::inbox::{ExternalId, Inbound};
use jiff::SignedDuration;

/// One page read from a platform.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Page {
    /// Messages that parsed, oldest first where the platform allows.
    pub messages: Vec<Inbound>,
    /// Items that did not, with the reason.
    pub rejected: Vec<Rejected>,
    /// The cursor to save with these messages and pass to the next poll; `None` keeps the old.
    pub cursor: Option<String>,
    /// Whether another page is ready now (poll again without waiting).
    pub more: bool,
}

/// How far back the first poll of an account reads (Mastodon and Bluesky).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Backfill {
    /// Nothing older than this is read.
    pub max_age: SignedDuration,
    /// At most this many notifications are read.
    pub max_items: u32,
    /// Stop the round (not the walk) when the platform says fewer requests than this are
    /// left in its rate-limit window (Mastodon's `X-RateLimit-Remaining`).
    pub rate_reserve: u32,
}

impl Default for Backfill {
    /// 7 days or 1,000 notifications, whichever comes first; 30 requests kept in reserve
    /// (a tenth of Mastodon's default 300 per 5 minutes).
    fn default() -> Self {
        Self {
            max_age: SignedDuration::from_hours(7 * 24),
            max_items: 1_000,
            rate_reserve: 30,
        }
    }
}

/// An item a platform sent that could not be turned into a message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rejected {
    /// The platform id, when it could be read.
    pub external_id: Option<String>,
    /// What was wrong.
    pub reason: String,
}

/// Why a platform call failed, in terms the scheduler and the operator can act on.
#[derive(Debug, thiserror::Error)]
pub enum ConnectorError {
    /// The URL is unusable or refused by SSRF protection.
    #[error("{0}")]
    Target(String),
    /// Network failure or the connection broke.
    #[error("could not reach the platform: {0}")]
    Transport(String),
    /// No answer in time.
    #[error("the platform did not answer in time")]
    Timeout,
    /// Rate limited: wait `retry_after` (when the platform said) before the next call.
    #[error("rate limited by the platform ({detail}); retry after {retry_after:?}")]
    RateLimited {
        /// How long to wait.
        retry_after: Option<Duration>,
        /// The platform's words (error code, header).
        detail: String,
    },
    /// The access token expired or was revoked: someone must reconnect the account.
    #[error("the access token is no longer valid ({0}); reconnect the account")]
    TokenExpired(String),
    /// The token lacks a permission.
    #[error("the platform refused the request: missing permission ({0})")]
    Forbidden(String),
    /// The target (post, comment, video) no longer exists.
    #[error("not found on the platform: {0}")]
    NotFound(String),
    /// The platform is down (5xx).
    #[error("the platform is unavailable ({detail}); retry after {retry_after:?}")]
    Unavailable {
        /// How long to wait, when the platform said.
        retry_after: Option<Duration>,
        /// Status and message.
        detail: String,
    },
    /// The platform refused the request itself (text too long, duplicate, bad parameter).
    #[error("the platform refused the request: {0}")]
    Refused(String),
    /// The answer does not have the documented shape.
    #[error("the platform's answer is not what its API documents: {0}")]
    Malformed(String),
    /// The platform has no such operation (e.g. hiding on Bluesky).
    #[error("{0} is not possible on this platform")]
    Unsupported(&'static str),
}

impl ConnectorError {
    /// Whether trying again later can succeed without a person doing something.
    #[must_use]
    pub const fn is_transient(&self) -> bool {
        matches!(
            self,
            Self::Transport(_)
                | Self::Timeout
                | Self::RateLimited { .. }
                | Self::Unavailable { .. }
        )
    }
}

/// Reads new messages for one account.
#[async_trait]
pub trait Poller: Send + Sync {
    /// One page after `cursor` (the value a previous page returned; `None` on first run).
    ///
    /// # Errors
    /// [`ConnectorError`]; nothing is skipped on error, the same cursor is polled again.
    async fn poll(&self, cursor: Option<&str>) -> Result<Page, ConnectorError>;
}

/// What Humas may do to a message on the platform.
#[async_trait]
pub trait Responder: Send + Sync {
    /// Publishes `text` as a reply to `parent` (in `thread`, when the platform needs the root)
    /// and returns the platform id of the reply.
    ///
    /// # Errors
    /// [`ConnectorError`].
    async fn reply(
        &self,
        parent: &ExternalId,
        thread: Option<&ExternalId>,
        text: &str,
    ) -> Result<ExternalId, ConnectorError>;

    /// Hides (or shows again) a message on the platform.
    ///
    /// # Errors
    /// [`ConnectorError::Unsupported`] where the platform cannot hide.
    async fn set_hidden(&self, id: &ExternalId, hidden: bool) -> Result<(), ConnectorError>;

    /// Deletes a message on the platform.
    ///
    /// # Errors
    /// [`ConnectorError`].
    async fn delete(&self, id: &ExternalId) -> Result<(), ConnectorError>;
}
