//! The one HTTP client every connector uses: SSRF-guarded, capped, with the platforms' common
//! failure modes mapped to [`ConnectorError`].

use std::time::Duration;

use humas_feeds::fetch::{FetchOptions, check_target, guarded_client_builder};
use reqwest::{Response, StatusCode};
use serde::de::DeserializeOwned;
use url::Url;

use crate::ConnectorError;

/// Largest response body read from a platform.
pub const MAX_BODY_BYTES: usize = 8 * 1024 * 1024;

/// A guarded HTTP client; cheap to clone.
#[derive(Clone, Debug)]
pub struct Http {
    client: reqwest::Client,
    options: FetchOptions,
}

impl Http {
    /// Builds a client with the given SSRF and timeout options.
    ///
    /// # Errors
    /// [`ConnectorError::Transport`] when the TLS stack cannot start.
    pub fn new(options: FetchOptions) -> Result<Self, ConnectorError> {
        let client = guarded_client_builder(&options)
            .user_agent(concat!("Humas/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| ConnectorError::Transport(e.to_string()))?;
        Ok(Self { client, options })
    }

    /// The client, for building requests. Check each URL with [`Self::url`] first.
    #[must_use]
    pub const fn client(&self) -> &reqwest::Client {
        &self.client
    }

    /// Joins `path` (with its query) onto an account's base URL and checks the result against
    /// the SSRF rules.
    ///
    /// # Errors
    /// [`ConnectorError::Target`] for a bad base URL or a refused address.
    pub fn url(&self, base: &str, path: &str) -> Result<Url, ConnectorError> {
        let base = Url::parse(base.trim_end_matches('/'))
            .map_err(|e| ConnectorError::Target(format!("invalid base URL {base:?}: {e}")))?;
        let joined = format!("{}{}", base.as_str().trim_end_matches('/'), path);
        let url = Url::parse(&joined)
            .map_err(|e| ConnectorError::Target(format!("invalid URL {joined:?}: {e}")))?;
        self.check(&url)?;
        Ok(url)
    }

    /// Checks an absolute URL (e.g. a `next` link from a platform) against the SSRF rules.
    ///
    /// # Errors
    /// [`ConnectorError::Target`].
    pub fn check(&self, url: &Url) -> Result<(), ConnectorError> {
        check_target(url, &self.options).map_err(|e| ConnectorError::Target(e.to_string()))
    }
}

/// Maps a send error.
#[must_use]
pub fn transport_error(e: &reqwest::Error) -> ConnectorError {
    if e.is_timeout() {
        return ConnectorError::Timeout;
    }
    let mut message = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(inner) = source {
        message.push_str(": ");
        message.push_str(&inner.to_string());
        source = inner.source();
    }
    if message.contains("refused to connect") {
        return ConnectorError::Target(message);
    }
    ConnectorError::Transport(message)
}

/// Reads a body up to [`MAX_BODY_BYTES`].
///
/// # Errors
/// [`ConnectorError::Malformed`] when larger, [`ConnectorError::Transport`] when the transfer
/// breaks.
pub async fn read_body(mut response: Response) -> Result<Vec<u8>, ConnectorError> {
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|e| transport_error(&e))? {
        if body.len() + chunk.len() > MAX_BODY_BYTES {
            return Err(ConnectorError::Malformed(format!(
                "response larger than {MAX_BODY_BYTES} bytes"
            )));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// Parses a JSON body into `T`, naming what did not fit.
///
/// # Errors
/// [`ConnectorError::Malformed`].
pub fn parse_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, ConnectorError> {
    serde_json::from_slice(body)
        .map_err(|e| ConnectorError::Malformed(format!("invalid JSON: {e}")))
}

/// `Retry-After` in seconds, at most a day.
#[must_use]
pub fn retry_after(response: &Response) -> Option<Duration> {
    header_u64(response, "retry-after").map(|s| Duration::from_secs(s.min(86_400)))
}

/// A numeric header.
#[must_use]
pub fn header_u64(response: &Response, name: &str) -> Option<u64> {
    response
        .headers()
        .get(name)?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()
}

/// The generic mapping of a non-success status, for platforms without a richer error body.
#[must_use]
pub fn status_error(status: StatusCode, retry: Option<Duration>, detail: String) -> ConnectorError {
    match status.as_u16() {
        401 => ConnectorError::TokenExpired(detail),
        403 => ConnectorError::Forbidden(detail),
        404 | 410 => ConnectorError::NotFound(detail),
        429 => ConnectorError::RateLimited {
            retry_after: retry,
            detail,
        },
        500..=599 => ConnectorError::Unavailable {
            retry_after: retry,
            detail,
        },
        _ => ConnectorError::Refused(detail),
    }
}
