//! YouTube Data API v3: comments on the channel's videos, replies, moderation, deletion, with
//! the daily quota counted before each call.
//!
//! # Polling
//!
//! YouTube has no push for comments, so a poll walks a *sweep* over the targets: the whole
//! channel (`commentThreads.list` with `allThreadsRelatedToChannelId`) or, when
//! [`YouTubeConfig::video_ids`] is set, each video (`videoId`), always with `order=time`,
//! `textFormat=plainText`, `part=snippet,replies`, following `nextPageToken`. A thread lists
//! only some of its replies; threads with more (`totalReplyCount`) are queued and their replies
//! read with `comments.list?parentId=…`. Each poll makes one request (1 quota unit) and returns
//! `more: true` until the sweep is done.
//!
//! Threads come newest first, so a target's paging stops at the first page reaching threads
//! older than the previous sweep's start (minus [`YouTubeConfig::overlap`]); the first sweep
//! goes back [`YouTubeConfig::lookback`]. Limitation [verify]: a new reply on a thread older
//! than that point is only seen if YouTube orders threads by latest activity; the docs only
//! say "time". A video with comments disabled (`commentsDisabled`) or gone (`videoNotFound`) is
//! skipped, not a failure.
//!
//! **Cursor** (opaque to callers) is JSON:
//! `{"v":1,"last_sweep":<unix s>|null,"sweep":{"started":<unix s>,"target":<index>,
//!   "page_token":"…"|null,"reply_threads":[{"id":"…","video_id":"…"|null}],
//!   "reply_page_token":"…"|null}|null}`. It is returned only with the messages it covers, so
//! polling again with an old cursor re-reads, never skips. An unreadable cursor starts a fresh
//! sweep over the lookback window.
//!
//! # Quota
//!
//! [`QuotaMeter`] counts units per method (list 1; insert, setModerationStatus, delete 50)
//! against the daily budget (10,000 by default), resetting at midnight Pacific time, and
//! refuses a call that would exceed it *before* making it, since invalid calls cost too.
//! Share one meter between all accounts of the same Google Cloud project. A `quotaExceeded`
//! answer marks the day as spent.
//!
//! # Tokens
//!
//! Access tokens expire after about an hour. With [`YouTubeConfig::refresh`] set, a `401`
//! refreshes the token once at the OAuth token endpoint and repeats the call (a refused call
//! did nothing, so repeating it is safe); without, or when the refresh is refused,
//! [`ConnectorError::TokenExpired`]. Google does not rotate the refresh token, but the new
//! access token and its expiry (and a refresh token, when Google sends one) go to the
//! [`TokenKeeper`] given with [`YouTubeClient::with_keeper`], so the account pages show the
//! token's real life and a restart does not start from a dead access token. A pair another
//! process stored meanwhile is used instead of refreshing again.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use async_trait::async_trait;
use humas_domain::inbox::{Author, ExternalId, Inbound, MessageKind};
use humas_domain::org::Platform;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use reqwest::header::AUTHORIZATION;
use reqwest::{RequestBuilder, StatusCode};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use url::Url;

use crate::http::{Http, parse_json, read_body, retry_after, transport_error};
use crate::renewal::{RenewedTokens, TokenKeeper, expiry};
use crate::{ConnectorError, Page, Poller, Rejected, Responder};

/// Longest comment YouTube accepts, in characters (`commentTextTooLong` beyond).
pub const MAX_COMMENT_CHARS: usize = 10_000;

/// The default daily quota of a Google Cloud project.
pub const DEFAULT_DAILY_QUOTA: u32 = 10_000;

/// A YouTube Data API method, with its documented quota cost.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ApiMethod {
    /// `commentThreads.list`.
    CommentThreadsList,
    /// `comments.list`.
    CommentsList,
    /// `comments.insert` (a reply).
    CommentsInsert,
    /// `comments.setModerationStatus`.
    SetModerationStatus,
    /// `comments.delete`.
    CommentsDelete,
}

impl ApiMethod {
    /// Units the call costs, whether it succeeds or not.
    #[must_use]
    pub const fn cost(self) -> u32 {
        match self {
            Self::CommentThreadsList | Self::CommentsList => 1,
            Self::CommentsInsert | Self::SetModerationStatus | Self::CommentsDelete => 50,
        }
    }
}

/// Counts quota units per Pacific day and refuses calls that would exceed the budget.
#[derive(Debug)]
pub struct QuotaMeter {
    budget: u32,
    /// The Pacific day counted and the units used on it.
    used: Mutex<(Date, u32)>,
}

fn pacific() -> TimeZone {
    // The bundled tz database always has it; a fixed PST offset is the fallback that keeps
    // this total (off by an hour in summer at worst).
    TimeZone::get("America/Los_Angeles")
        .unwrap_or_else(|_| TimeZone::fixed(jiff::tz::Offset::constant(-8)))
}

impl QuotaMeter {
    /// A meter with `daily_budget` units per day.
    #[must_use]
    pub fn new(daily_budget: u32) -> Self {
        Self {
            budget: daily_budget,
            used: Mutex::new((Date::default(), 0)),
        }
    }

    /// The time left until the quota resets (midnight Pacific), from `now`.
    #[must_use]
    pub fn until_reset(now: Timestamp) -> Duration {
        let zoned = now.to_zoned(pacific());
        let next = zoned
            .tomorrow()
            .and_then(|d| d.start_of_day())
            .map(|z| z.timestamp());
        next.ok()
            .and_then(|n| n.duration_since(now).try_into().ok())
            .unwrap_or(Duration::from_secs(86_400))
    }

    fn with_today<T>(&self, now: Timestamp, f: impl FnOnce(&mut u32) -> T) -> T {
        let today = now.to_zoned(pacific()).date();
        let mut guard = self.used.lock().unwrap_or_else(PoisonError::into_inner);
        if guard.0 != today {
            *guard = (today, 0);
        }
        f(&mut guard.1)
    }

    /// Units used today.
    #[must_use]
    pub fn used(&self, now: Timestamp) -> u32 {
        self.with_today(now, |u| *u)
    }

    /// Counts `method` against today's budget, or refuses it without counting.
    ///
    /// # Errors
    /// [`ConnectorError::RateLimited`] with the time until midnight Pacific.
    pub fn reserve(&self, method: ApiMethod, now: Timestamp) -> Result<(), ConnectorError> {
        let budget = self.budget;
        self.with_today(now, |used| {
            let after = used.saturating_add(method.cost());
            if after > budget {
                return Err(ConnectorError::RateLimited {
                    retry_after: Some(Self::until_reset(now)),
                    detail: format!(
                        "YouTube quota: {method:?} costs {} units, {} of {budget} used today (resets at midnight Pacific)",
                        method.cost(),
                        *used
                    ),
                });
            }
            *used = after;
            Ok(())
        })
    }

    /// Marks today's budget as spent (YouTube said `quotaExceeded`).
    pub fn exhaust(&self, now: Timestamp) {
        let budget = self.budget;
        self.with_today(now, |used| *used = budget);
    }
}

/// What "hide" does on YouTube.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum HideAs {
    /// `heldForReview`: hidden until published again (reversible; the default).
    #[default]
    HeldForReview,
    /// `rejected`: hides the comment and its replies for good (cannot be published again).
    Rejected,
}

/// An OAuth refresh token and where to exchange it.
#[derive(Clone, Debug)]
pub struct OAuthRefresh {
    /// The token endpoint, e.g. `https://oauth2.googleapis.com/token`.
    pub token_url: String,
    /// OAuth client id.
    pub client_id: String,
    /// OAuth client secret.
    pub client_secret: SecretString,
    /// The refresh token.
    pub refresh_token: SecretString,
}

/// How to reach one channel.
#[derive(Clone, Debug)]
pub struct YouTubeConfig {
    /// The account's `effective_api_base()`, e.g. `https://www.googleapis.com`.
    pub api_base: String,
    /// Our channel id (`UC…`).
    pub channel_id: String,
    /// Videos to read one by one; empty reads the whole channel.
    pub video_ids: Vec<String>,
    /// OAuth access token (scope `youtube.force-ssl`).
    pub access_token: SecretString,
    /// How to get a new access token, when possible.
    pub refresh: Option<OAuthRefresh>,
    /// How far back the first sweep reads.
    pub lookback: SignedDuration,
    /// Re-read margin for clock differences.
    pub overlap: SignedDuration,
    /// `maxResults` (1–100).
    pub max_results: u32,
    /// What hiding does.
    pub hide_as: HideAs,
    /// The project's quota meter (shared between channels of one project).
    pub quota: Arc<QuotaMeter>,
}

impl YouTubeConfig {
    /// A configuration with the defaults: whole channel, 7 days back, 5 minutes of overlap,
    /// pages of 100, hide as `heldForReview`, a fresh meter of 10,000 units.
    #[must_use]
    pub fn new(
        api_base: impl Into<String>,
        channel_id: impl Into<String>,
        access_token: SecretString,
    ) -> Self {
        Self {
            api_base: api_base.into(),
            channel_id: channel_id.into(),
            video_ids: Vec::new(),
            access_token,
            refresh: None,
            lookback: SignedDuration::from_hours(7 * 24),
            overlap: SignedDuration::from_mins(5),
            max_results: 100,
            hide_as: HideAs::default(),
            quota: Arc::new(QuotaMeter::new(DEFAULT_DAILY_QUOTA)),
        }
    }
}

/// Reads and answers comments for one channel.
#[derive(Debug)]
pub struct YouTubeClient {
    http: Http,
    config: YouTubeConfig,
    access: Mutex<SecretString>,
    keeper: Option<Arc<dyn TokenKeeper>>,
    /// Tokens a refresh issued that the keeper could not store yet.
    pending: tokio::sync::Mutex<Option<RenewedTokens>>,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
struct Cursor {
    v: u8,
    last_sweep: Option<i64>,
    sweep: Option<Sweep>,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
struct Sweep {
    started: i64,
    target: usize,
    page_token: Option<String>,
    reply_threads: Vec<ThreadRef>,
    reply_page_token: Option<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
struct ThreadRef {
    id: String,
    video_id: Option<String>,
}

/// A list answer with its items kept as JSON, so one bad item cannot spoil the page.
#[derive(Deserialize)]
struct Listing {
    items: Vec<Value>,
    #[serde(default, rename = "nextPageToken")]
    next_page_token: Option<String>,
}

/// The parts of a YouTube error answer that decide what to do.
struct ApiError {
    status: StatusCode,
    reason: String,
    message: String,
    retry: Option<Duration>,
}

impl ApiError {
    fn detail(&self) -> String {
        format!(
            "HTTP {} {}: {}",
            self.status.as_u16(),
            self.reason,
            self.message
        )
    }

    fn into_connector_error(self, quota: &QuotaMeter) -> ConnectorError {
        let detail = self.detail();
        match (self.status.as_u16(), self.reason.as_str()) {
            (_, "quotaExceeded" | "dailyLimitExceeded") => {
                let now = Timestamp::now();
                quota.exhaust(now);
                ConnectorError::RateLimited {
                    retry_after: Some(QuotaMeter::until_reset(now)),
                    detail,
                }
            }
            (_, "rateLimitExceeded" | "userRateLimitExceeded") | (429, _) => {
                ConnectorError::RateLimited {
                    retry_after: self.retry,
                    detail,
                }
            }
            (401, _) | (_, "authError") => ConnectorError::TokenExpired(detail),
            (_, "commentNotFound" | "videoNotFound" | "channelNotFound") | (404, _) => {
                ConnectorError::NotFound(detail)
            }
            (_, "processingFailure" | "backendError") | (500..=599, _) => {
                ConnectorError::Unavailable {
                    retry_after: self.retry,
                    detail,
                }
            }
            (403, "commentsDisabled") => ConnectorError::Refused(detail),
            (403, _) => ConnectorError::Forbidden(detail),
            _ => ConnectorError::Refused(detail),
        }
    }
}

fn api_error(status: StatusCode, retry: Option<Duration>, body: &[u8]) -> ApiError {
    let parsed = serde_json::from_slice::<Value>(body).ok();
    let error = parsed.as_ref().and_then(|v| v.get("error"));
    let reason = error
        .and_then(|e| e.get("errors"))
        .and_then(Value::as_array)
        .and_then(|a| a.first())
        .and_then(|e| e.get("reason"))
        .and_then(Value::as_str)
        .unwrap_or("no reason");
    let message = error
        .and_then(|e| e.get("message"))
        .and_then(Value::as_str)
        .map_or_else(
            || String::from_utf8_lossy(&body[..body.len().min(200)]).into_owned(),
            str::to_owned,
        );
    ApiError {
        status,
        reason: reason.to_owned(),
        message,
        retry,
    }
}

/// What one call came back with, before the error mapping (poll needs the raw reason).
enum Answer {
    Ok(Vec<u8>),
    Failed(ApiError),
}

impl YouTubeClient {
    /// A client for one channel.
    #[must_use]
    pub fn new(http: Http, config: YouTubeConfig) -> Self {
        let access = Mutex::new(SecretString::from(
            config.access_token.expose_secret().to_owned(),
        ));
        Self {
            http,
            config,
            access,
            keeper: None,
            pending: tokio::sync::Mutex::new(None),
        }
    }

    /// Hands every access token a refresh issues to `keeper` (see the module documentation).
    #[must_use]
    pub fn with_keeper(mut self, keeper: Arc<dyn TokenKeeper>) -> Self {
        self.keeper = Some(keeper);
        self
    }

    /// Stores `tokens` with the keeper, or keeps them to try again before the next call.
    async fn keep(&self, tokens: Option<RenewedTokens>) {
        let Some(keeper) = &self.keeper else {
            return;
        };
        let mut pending = self.pending.lock().await;
        let Some(tokens) = tokens.or_else(|| pending.take()) else {
            return;
        };
        *pending = match keeper.save(&tokens, None).await {
            Ok(()) => None,
            Err(_) => Some(tokens),
        };
    }

    fn token(&self) -> String {
        self.access
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .expose_secret()
            .to_owned()
    }

    fn url(&self, path: &str, query: &[(&str, &str)]) -> Result<Url, ConnectorError> {
        let mut url = self
            .http
            .url(&self.config.api_base, &format!("/youtube/v3{path}"))?;
        url.query_pairs_mut().extend_pairs(query);
        Ok(url)
    }

    /// Counts the quota, sends, and on a 401 refreshes the token once and sends again.
    async fn send(
        &self,
        method: ApiMethod,
        build: impl Fn(&str) -> RequestBuilder + Send + Sync,
    ) -> Result<Answer, ConnectorError> {
        let mut refreshed = false;
        self.keep(None).await;
        loop {
            self.config.quota.reserve(method, Timestamp::now())?;
            let refused = self.token();
            let response = build(&refused)
                .send()
                .await
                .map_err(|e| transport_error(&e))?;
            let status = response.status();
            let retry = retry_after(&response);
            let body = read_body(response).await?;
            if status.is_success() {
                return Ok(Answer::Ok(body));
            }
            if status == StatusCode::UNAUTHORIZED && !refreshed && self.config.refresh.is_some() {
                self.refresh_token(&refused).await?;
                refreshed = true;
                continue;
            }
            return Ok(Answer::Failed(api_error(status, retry, &body)));
        }
    }

    async fn send_mapped(
        &self,
        method: ApiMethod,
        build: impl Fn(&str) -> RequestBuilder + Send + Sync,
    ) -> Result<Vec<u8>, ConnectorError> {
        match self.send(method, build).await? {
            Answer::Ok(body) => Ok(body),
            Answer::Failed(e) => Err(e.into_connector_error(&self.config.quota)),
        }
    }

    /// Exchanges the refresh token for a new access token, unless a newer one than `refused`
    /// is stored already (another process refreshed).
    async fn refresh_token(&self, refused: &str) -> Result<(), ConnectorError> {
        let Some(refresh) = &self.config.refresh else {
            return Err(ConnectorError::TokenExpired(
                "no refresh token configured".into(),
            ));
        };
        if let Some(keeper) = &self.keeper
            && let Some(stored) = keeper.stored().await
            && stored.access_token.expose_secret() != refused
        {
            *self.access.lock().unwrap_or_else(PoisonError::into_inner) = stored.access_token;
            return Ok(());
        }
        let url = Url::parse(&refresh.token_url).map_err(|e| {
            ConnectorError::Target(format!("invalid token URL {:?}: {e}", refresh.token_url))
        })?;
        self.http.check(&url)?;
        let form = [
            ("grant_type", "refresh_token"),
            ("client_id", refresh.client_id.as_str()),
            ("client_secret", refresh.client_secret.expose_secret()),
            ("refresh_token", refresh.refresh_token.expose_secret()),
        ];
        let response = self
            .http
            .client()
            .post(url)
            .form(&form)
            .send()
            .await
            .map_err(|e| transport_error(&e))?;
        let status = response.status();
        let retry = retry_after(&response);
        let body = read_body(response).await?;
        if status.is_server_error() {
            return Err(ConnectorError::Unavailable {
                retry_after: retry,
                detail: format!("token endpoint answered HTTP {}", status.as_u16()),
            });
        }
        let value: Value = parse_json(&body)?;
        let token = value.get("access_token").and_then(Value::as_str);
        match token {
            Some(t) if status.is_success() && !t.is_empty() => {
                let access = SecretString::from(t.to_owned());
                *self.access.lock().unwrap_or_else(PoisonError::into_inner) = access.clone();
                let renewed = RenewedTokens {
                    access_token: access,
                    // Google keeps the refresh token; a new one, when sent, replaces it.
                    refresh_token: value
                        .get("refresh_token")
                        .and_then(Value::as_str)
                        .filter(|r| !r.is_empty())
                        .map(|r| SecretString::from(r.to_owned())),
                    expires_at: expiry(
                        Timestamp::now(),
                        value.get("expires_in").and_then(Value::as_u64),
                    ),
                    refresh_expires_at: None,
                };
                self.keep(Some(renewed)).await;
                Ok(())
            }
            _ => {
                let error = value
                    .get("error")
                    .and_then(Value::as_str)
                    .unwrap_or("no access_token");
                Err(ConnectorError::TokenExpired(format!(
                    "refreshing the token failed ({error})"
                )))
            }
        }
    }

    fn read_cursor(raw: Option<&str>) -> Cursor {
        raw.and_then(|s| serde_json::from_str::<Cursor>(s).ok())
            .filter(|c| c.v == 1)
            .unwrap_or(Cursor {
                v: 1,
                ..Cursor::default()
            })
    }

    fn target_count(&self) -> usize {
        self.config.video_ids.len().max(1)
    }

    async fn read_replies(
        &self,
        sweep: &mut Sweep,
        page: &mut Page,
        now: Timestamp,
    ) -> Result<(), ConnectorError> {
        let Some(thread) = sweep.reply_threads.first().cloned() else {
            return Ok(());
        };
        let max = self.config.max_results.clamp(1, 100).to_string();
        let mut query = vec![
            ("part", "snippet"),
            ("parentId", thread.id.as_str()),
            ("maxResults", max.as_str()),
            ("textFormat", "plainText"),
        ];
        if let Some(t) = &sweep.reply_page_token {
            query.push(("pageToken", t));
        }
        let url = self.url("/comments", &query)?;
        let answer = self
            .send(ApiMethod::CommentsList, |token| {
                self.http
                    .client()
                    .get(url.clone())
                    .header(AUTHORIZATION, format!("Bearer {token}"))
            })
            .await?;
        let listing: Listing = match answer {
            Answer::Ok(body) => parse_json(&body)?,
            // The thread was deleted since it was listed: nothing left to read there.
            Answer::Failed(e) if e.status == StatusCode::NOT_FOUND => {
                sweep.reply_threads.remove(0);
                sweep.reply_page_token = None;
                return Ok(());
            }
            Answer::Failed(e) => return Err(e.into_connector_error(&self.config.quota)),
        };
        for item in &listing.items {
            push(
                page,
                comment(item, Some(&thread.id), thread.video_id.as_deref(), now),
            );
        }
        match listing.next_page_token.filter(|t| !t.is_empty()) {
            Some(t) => sweep.reply_page_token = Some(t),
            None => {
                sweep.reply_threads.remove(0);
                sweep.reply_page_token = None;
            }
        }
        Ok(())
    }

    async fn read_threads(
        &self,
        sweep: &mut Sweep,
        stop_before: i64,
        page: &mut Page,
        now: Timestamp,
    ) -> Result<(), ConnectorError> {
        let max = self.config.max_results.clamp(1, 100).to_string();
        let (filter, value) = match self.config.video_ids.get(sweep.target) {
            Some(video) => ("videoId", video.as_str()),
            None => (
                "allThreadsRelatedToChannelId",
                self.config.channel_id.as_str(),
            ),
        };
        let mut query = vec![
            ("part", "snippet,replies"),
            (filter, value),
            ("order", "time"),
            ("maxResults", max.as_str()),
            ("textFormat", "plainText"),
        ];
        if let Some(t) = &sweep.page_token {
            query.push(("pageToken", t));
        }
        let url = self.url("/commentThreads", &query)?;
        let answer = self
            .send(ApiMethod::CommentThreadsList, |token| {
                self.http
                    .client()
                    .get(url.clone())
                    .header(AUTHORIZATION, format!("Bearer {token}"))
            })
            .await?;
        let listing: Listing = match answer {
            Answer::Ok(body) => parse_json(&body)?,
            // A video with comments turned off, or deleted, has nothing to read: next target.
            Answer::Failed(e)
                if filter == "videoId"
                    && matches!(e.reason.as_str(), "commentsDisabled" | "videoNotFound") =>
            {
                sweep.target += 1;
                sweep.page_token = None;
                return Ok(());
            }
            Answer::Failed(e) => return Err(e.into_connector_error(&self.config.quota)),
        };
        let mut older_seen = false;
        for item in &listing.items {
            let published = self.read_thread(item, sweep, page, now);
            older_seen |= published.is_some_and(|t| t < stop_before);
        }
        match listing.next_page_token.filter(|t| !t.is_empty()) {
            Some(t) if !older_seen => sweep.page_token = Some(t),
            _ => {
                sweep.target += 1;
                sweep.page_token = None;
            }
        }
        Ok(())
    }

    /// Maps one thread and its inline replies; queues it when it has more replies than shown.
    /// Returns the top-level comment's time (unix seconds), when readable.
    fn read_thread(
        &self,
        item: &Value,
        sweep: &mut Sweep,
        page: &mut Page,
        now: Timestamp,
    ) -> Option<i64> {
        let snippet = item.get("snippet");
        let video_id = snippet.and_then(|s| str_field(s, "videoId"));
        let top = snippet.and_then(|s| s.get("topLevelComment"));
        let built = match top {
            Some(top) => comment(top, None, video_id, now),
            None => Err(Rejected {
                external_id: str_field(item, "id").map(str::to_owned),
                reason: "thread without snippet.topLevelComment".into(),
            }),
        };
        // Read the time even from a comment that was rejected for another reason: the stop
        // decision is about position in the listing, not about validity.
        let published = top
            .and_then(|t| t.get("snippet"))
            .and_then(|s| str_field(s, "publishedAt"))
            .and_then(|p| p.parse::<Timestamp>().ok())
            .map(Timestamp::as_second);
        push(page, built);
        let thread_id = str_field(item, "id");
        let inline = item
            .get("replies")
            .and_then(|r| r.get("comments"))
            .and_then(Value::as_array);
        let inline_count = inline.map_or(0, Vec::len);
        for reply in inline.into_iter().flatten() {
            push(page, comment(reply, thread_id, video_id, now));
        }
        let total = snippet
            .and_then(|s| s.get("totalReplyCount"))
            .and_then(Value::as_u64)
            .unwrap_or(0);
        if let Some(id) = thread_id
            && total > inline_count as u64
        {
            sweep.reply_threads.push(ThreadRef {
                id: id.to_owned(),
                video_id: video_id.map(str::to_owned),
            });
        }
        published
    }
}

fn push(page: &mut Page, built: Result<Inbound, Rejected>) {
    match built {
        Ok(m) => page.messages.push(m),
        Err(r) => page.rejected.push(r),
    }
}

fn str_field<'a>(value: &'a Value, key: &str) -> Option<&'a str> {
    value
        .get(key)
        .and_then(Value::as_str)
        .filter(|s| !s.trim().is_empty())
}

/// Maps a comment resource: a top-level comment when `thread` is `None`, else a reply in it.
fn comment(
    item: &Value,
    thread: Option<&str>,
    video_id: Option<&str>,
    received_at: Timestamp,
) -> Result<Inbound, Rejected> {
    let id = str_field(item, "id");
    let reject = |reason: String| Rejected {
        external_id: id.map(str::to_owned),
        reason,
    };
    let empty = Value::Null;
    let s = item.get("snippet").unwrap_or(&empty);
    let external_id =
        ExternalId::parse(id.unwrap_or_default()).map_err(|e| reject(format!("id: {e}")))?;
    let display = str_field(s, "authorDisplayName");
    let channel = s.get("authorChannelId").and_then(|c| str_field(c, "value"));
    let author = Author::parse(channel.or(display).unwrap_or_default(), display)
        .map_err(|e| reject(format!("author: {e}")))?;
    let published_at = str_field(s, "publishedAt")
        .ok_or_else(|| reject("publishedAt missing".into()))?
        .parse::<Timestamp>()
        .map_err(|e| reject(format!("publishedAt is not RFC 3339: {e}")))?;
    let text = str_field(s, "textDisplay")
        .or_else(|| str_field(s, "textOriginal"))
        .unwrap_or_default();
    let video_id = str_field(s, "videoId").or(video_id);
    let parent = match thread {
        Some(t) => str_field(s, "parentId").or(Some(t)),
        None => video_id,
    };
    let optional = |raw: Option<&str>| raw.and_then(|v| ExternalId::parse(v).ok());
    Inbound {
        platform: Platform::Youtube,
        external_id: external_id.clone(),
        kind: if thread.is_some() {
            MessageKind::Reply
        } else {
            MessageKind::Comment
        },
        author,
        text: text.to_owned(),
        title: None,
        permalink: video_id
            .map(|v| format!("https://www.youtube.com/watch?v={v}&lc={external_id}")),
        parent_external_id: optional(parent),
        thread_external_id: optional(video_id),
        published_at,
    }
    .checked(received_at)
    .map_err(|e| reject(e.to_string()))
}

#[async_trait]
impl Poller for YouTubeClient {
    async fn poll(&self, cursor: Option<&str>) -> Result<Page, ConnectorError> {
        let now = Timestamp::now();
        let mut state = Self::read_cursor(cursor);
        let window_start = now.as_second() - self.config.lookback.as_secs();
        let stop_before = state
            .last_sweep
            .map_or(window_start, |t| t - self.config.overlap.as_secs())
            .max(window_start);
        let mut sweep = state.sweep.take().unwrap_or(Sweep {
            started: now.as_second(),
            ..Sweep::default()
        });
        let mut page = Page::default();
        if !sweep.reply_threads.is_empty() {
            self.read_replies(&mut sweep, &mut page, now).await?;
        } else if sweep.target < self.target_count() {
            self.read_threads(&mut sweep, stop_before, &mut page, now)
                .await?;
        }
        if sweep.reply_threads.is_empty() && sweep.target >= self.target_count() {
            state.last_sweep = Some(sweep.started);
            state.sweep = None;
            page.more = false;
        } else {
            state.sweep = Some(sweep);
            page.more = true;
        }
        page.cursor = Some(
            serde_json::to_string(&state)
                .map_err(|e| ConnectorError::Malformed(format!("cursor: {e}")))?,
        );
        Ok(page)
    }
}

#[async_trait]
impl Responder for YouTubeClient {
    /// `comments.insert` with `parentId`. YouTube threads are one level deep, so a reply to a
    /// reply (`<thread>.<suffix>`) is sent to its thread.
    async fn reply(
        &self,
        parent: &ExternalId,
        _thread: Option<&ExternalId>,
        text: &str,
    ) -> Result<ExternalId, ConnectorError> {
        if text.trim().is_empty() {
            return Err(ConnectorError::Refused("a reply needs text".into()));
        }
        let chars = text.chars().count();
        if chars > MAX_COMMENT_CHARS {
            return Err(ConnectorError::Refused(format!(
                "reply is {chars} characters; YouTube accepts at most {MAX_COMMENT_CHARS}"
            )));
        }
        let thread_id = parent.as_ref().split('.').next().unwrap_or(parent.as_ref());
        let url = self.url("/comments", &[("part", "snippet")])?;
        let body = json!({"snippet": {"parentId": thread_id, "textOriginal": text}});
        let answer = self
            .send_mapped(ApiMethod::CommentsInsert, |token| {
                self.http
                    .client()
                    .post(url.clone())
                    .header(AUTHORIZATION, format!("Bearer {token}"))
                    .json(&body)
            })
            .await?;
        let value: Value = parse_json(&answer)?;
        let id = value.get("id").and_then(Value::as_str).unwrap_or_default();
        ExternalId::parse(id)
            .map_err(|_| ConnectorError::Malformed("comments.insert answer without an id".into()))
    }

    /// `comments.setModerationStatus`: [`YouTubeConfig::hide_as`] to hide, `published` to show.
    async fn set_hidden(&self, id: &ExternalId, hidden: bool) -> Result<(), ConnectorError> {
        let status = match (hidden, self.config.hide_as) {
            (false, _) => "published",
            (true, HideAs::HeldForReview) => "heldForReview",
            (true, HideAs::Rejected) => "rejected",
        };
        let url = self.url(
            "/comments/setModerationStatus",
            &[
                ("id", id.as_ref()),
                ("moderationStatus", status),
                ("banAuthor", "false"),
            ],
        )?;
        self.send_mapped(ApiMethod::SetModerationStatus, |token| {
            self.http
                .client()
                .post(url.clone())
                .header(AUTHORIZATION, format!("Bearer {token}"))
                .header(reqwest::header::CONTENT_LENGTH, "0")
        })
        .await
        .map(drop)
    }

    /// `comments.delete` (only comments our channel wrote).
    async fn delete(&self, id: &ExternalId) -> Result<(), ConnectorError> {
        let url = self.url("/comments", &[("id", id.as_ref())])?;
        self.send_mapped(ApiMethod::CommentsDelete, |token| {
            self.http
                .client()
                .delete(url.clone())
                .header(AUTHORIZATION, format!("Bearer {token}"))
        })
        .await
        .map(drop)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn quota_resets_at_midnight_pacific() {
        // 2025-01-01T00:00Z is 16:00 PST on 31 December: 8 hours to go.
        assert_eq!(
            QuotaMeter::until_reset(at("2025-01-01T00:00:00Z")),
            Duration::from_secs(8 * 3600)
        );
        // Summer time: 07:00Z is midnight PDT, so a full day to go.
        assert_eq!(
            QuotaMeter::until_reset(at("2025-07-01T07:00:00Z")),
            Duration::from_secs(24 * 3600)
        );
    }

    #[test]
    fn the_meter_refuses_before_exceeding_and_counts_per_pacific_day() {
        let meter = QuotaMeter::new(120);
        let t = at("2025-01-01T00:00:00Z");
        meter.reserve(ApiMethod::CommentsInsert, t).unwrap();
        meter.reserve(ApiMethod::CommentsDelete, t).unwrap();
        assert_eq!(meter.used(t), 100);
        let err = meter
            .reserve(ApiMethod::SetModerationStatus, t)
            .unwrap_err();
        match err {
            ConnectorError::RateLimited {
                retry_after,
                detail,
            } => {
                assert_eq!(retry_after, Some(Duration::from_secs(8 * 3600)));
                assert!(detail.contains("100 of 120"), "{detail}");
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(meter.used(t), 100, "a refused call is not counted");
        for _ in 0..20 {
            meter.reserve(ApiMethod::CommentThreadsList, t).unwrap();
        }
        assert!(meter.reserve(ApiMethod::CommentsList, t).is_err());
        // 08:00Z is midnight PST: a new day.
        let next = at("2025-01-01T08:00:00Z");
        assert_eq!(meter.used(next), 0);
        meter.reserve(ApiMethod::CommentsInsert, next).unwrap();
        meter.exhaust(next);
        assert_eq!(meter.used(next), 120);
    }
}
