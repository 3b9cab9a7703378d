//! X API v2 (shared brief `platform-apis.md`, section 3): the mentions timeline, replies, hiding
//! replies in our conversations, deleting our posts, and the Account Activity webhook checks
//! (CRC answer and body signature).
//!
//! **Cursor** (opaque to callers, JSON): `{"since_id": "<newest id fully read>",
//! "pagination_token": "<X's next_token>", "newest_id": "<newest id of the walk>"}`. X returns
//! mentions newest first and pages *backwards* down to `since_id`, so one "walk" of several
//! pages keeps `since_id` fixed and follows `meta.next_token` (sent back as the
//! `pagination_token` request parameter: timelines use `pagination_token`, only search uses
//! `next_token`). When the walk ends, `since_id` becomes the newest id the walk saw. Polling the
//! same cursor again repeats the same page, so a crash between two pages skips nothing.
//! The first poll (no cursor) has no `since_id`, so its walk goes back as far as X keeps
//! mentions (about 800). A page token X no longer accepts (400) restarts the walk from the
//! newest page: repeats, never gaps.
//!
//! **Tokens:** OAuth 2.0 user tokens live 2 hours. With [`XConfig::refresh`] set, a 401 makes
//! the client refresh once (`POST /2/oauth2/token`) and repeat the call once. X rotates the
//! refresh token on every refresh (the old one is refused from then on), so the new pair is
//! handed at once to the [`TokenKeeper`] given with [`XClient::with_keeper`], which stores it
//! with the account; if storing fails the client keeps the pair and tries again before each
//! later call. Before spending its refresh token the client asks the keeper for the stored
//! pair, so a client in another process that refreshed first is followed, not raced. Without a
//! keeper the caller must store [`XClient::take_refreshed_tokens`] after each call. Without a
//! refresh (or when the refresh is refused) a 401 is [`ConnectorError::TokenExpired`].
//!
//! **Publishing** (issue 5, [`Publisher`]): each file goes up through the chunked
//! `POST /2/media/upload` (`INIT`, `APPEND` in 1 MiB segments, `FINALIZE`, then `STATUS` while
//! X processes a video or GIF), alt text through `POST /2/media/metadata` \[verify\], then
//! `POST /2/tweets` with the text and the media ids. X refuses text identical to a recent post
//! of ours (403 "duplicate content"); the client then looks for that post made since the
//! intent, because after a crash the refusal means the earlier attempt went through.
//! Reconciliation reads `GET /2/users/:id/tweets` from the intent (minus 5 s) and compares text
//! with links removed, since X rewrites every link to `t.co`.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use humas_domain::inbox::{Author, ExternalId, Inbound, MessageKind};
use humas_domain::org::Platform;
use jiff::Timestamp;
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use reqwest::multipart::{Form, Part};
use reqwest::{Method, Response, StatusCode};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use tokio::sync::Mutex;
use unicode_normalization::UnicodeNormalization;

use crate::http::{Http, header_u64, parse_json, read_body, transport_error};
use crate::outbound::{
    Engagement, MediaKind, OutboundMedia, OutboundPost, PublishOutcome, Published, Publisher,
};
use crate::renewal::{RenewedTokens, TokenKeeper, expiry};
use crate::{ConnectorError, Page, Poller, Rejected, Responder};

/// The most a standard account may post, in weighted characters (section 3.6).
pub const MAX_WEIGHTED_LENGTH: usize = 280;

/// What every URL counts, whatever its length (X shortens links to t.co).
const URL_WEIGHT: usize = 23;

/// How to reach X for one account.
#[derive(Clone, Debug)]
pub struct XConfig {
    /// API host without the version, e.g. `https://api.x.com` (the account's effective base).
    pub api_base: String,
    /// Our account's numeric user id (from `GET /2/users/me`).
    pub user_id: String,
    /// OAuth 2.0 user access token (or OAuth 1.0a-derived bearer). `Debug` prints it redacted.
    pub access_token: SecretString,
    /// How to renew the access token, which lives 2 hours; `None` for tokens that do not
    /// expire (OAuth 1.0a) — a 401 then asks for a reconnect.
    pub refresh: Option<XRefresh>,
    /// Mentions per page, 5–100 (X's bounds; clamped).
    pub page_size: u8,
    /// How long to wait for X to process an uploaded video or GIF.
    pub media_poll: MediaPoll,
}

/// How long to wait for X to process an uploaded video or GIF before posting it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MediaPoll {
    /// Wait between two `STATUS` checks when X does not say (`check_after_secs`); X's own
    /// figure is used when given, at most a minute.
    pub interval: Duration,
    /// Most `STATUS` checks per file. When they run out the publish fails as
    /// [`ConnectorError::Unavailable`]; nothing was posted, so the next attempt starts over.
    pub attempts: u32,
}

impl Default for MediaPoll {
    /// Every 5 s, up to 60 checks (5 minutes or more when X asks for longer waits).
    fn default() -> Self {
        Self {
            interval: Duration::from_secs(5),
            attempts: 60,
        }
    }
}

impl XConfig {
    /// A configuration with X's largest page (100), no refresh, and media processing waited
    /// for up to 5 minutes.
    #[must_use]
    pub fn new(api_base: &str, user_id: &str, access_token: SecretString) -> Self {
        Self {
            api_base: api_base.to_owned(),
            user_id: user_id.to_owned(),
            access_token,
            refresh: None,
            page_size: 100,
            media_poll: MediaPoll::default(),
        }
    }
}

/// OAuth 2.0 refresh (`offline.access` scope): `POST /2/oauth2/token` with
/// `grant_type=refresh_token`. The endpoint is X's documented token URL; the shared brief names
/// only the 2-hour lifetime and the scope, so treat the path as \[verify\].
#[derive(Clone, Debug)]
pub struct XRefresh {
    /// The app's OAuth 2.0 client id.
    pub client_id: String,
    /// The client secret of a confidential client (sent as HTTP Basic); `None` for a public
    /// client.
    pub client_secret: Option<SecretString>,
    /// The current refresh token. X rotates it on every refresh: save
    /// [`XClient::take_refreshed_tokens`] or the next start-up cannot refresh.
    pub refresh_token: SecretString,
}

/// Tokens issued by a refresh, for the caller to store in place of the old ones.
#[derive(Clone, Debug)]
pub struct XTokens {
    /// The new access token.
    pub access_token: SecretString,
    /// The new refresh token (the old one no longer works).
    pub refresh_token: Option<SecretString>,
    /// Seconds the access token lives, as X said.
    pub expires_in: Option<u64>,
}

/// What a request carries.
enum Payload<'a> {
    Empty,
    Json(&'a serde_json::Value),
    Multipart(&'a (dyn Fn() -> Form + Sync)),
}

/// Reads mentions from and answers on X for one account.
#[derive(Debug)]
pub struct XClient {
    http: Http,
    config: XConfig,
    tokens: Mutex<TokenState>,
    keeper: Option<Arc<dyn TokenKeeper>>,
}

#[derive(Debug)]
struct TokenState {
    access: SecretString,
    refresh: Option<SecretString>,
    /// Issued by a refresh and not yet handed to the caller (no keeper).
    unsaved: Option<XTokens>,
    /// Issued by a refresh, and the refresh token it replaced, that the keeper could not
    /// store yet.
    pending: Option<(RenewedTokens, Option<SecretString>)>,
}

impl XClient {
    /// A client over the guarded `http`.
    #[must_use]
    pub fn new(http: Http, config: XConfig) -> Self {
        let tokens = TokenState {
            access: config.access_token.clone(),
            refresh: config.refresh.as_ref().map(|r| r.refresh_token.clone()),
            unsaved: None,
            pending: None,
        };
        Self {
            http,
            config,
            tokens: Mutex::new(tokens),
            keeper: None,
        }
    }

    /// Hands every pair a refresh issues to `keeper` (see the module documentation).
    #[must_use]
    pub fn with_keeper(mut self, keeper: Arc<dyn TokenKeeper>) -> Self {
        self.keeper = Some(keeper);
        self
    }

    /// Tries again to store a pair the keeper could not store before.
    async fn save_pending(&self) {
        let Some(keeper) = &self.keeper else {
            return;
        };
        let mut state = self.tokens.lock().await;
        if let Some((tokens, replaced)) = state.pending.take()
            && keeper.save(&tokens, replaced.as_ref()).await.is_err()
        {
            state.pending = Some((tokens, replaced));
        }
    }

    /// The tokens a refresh issued since the last call, once; store them with the account.
    pub async fn take_refreshed_tokens(&self) -> Option<XTokens> {
        self.tokens.lock().await.unsaved.take()
    }

    /// A call with the current access token; on 401 with a refresh configured, refreshes once
    /// and repeats the call once.
    async fn send(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, &str)],
        body: Option<&serde_json::Value>,
    ) -> Result<(StatusCode, Vec<u8>), ConnectorError> {
        let payload = body.map_or(Payload::Empty, Payload::Json);
        self.send_payload(method, path, query, &payload).await
    }

    /// A `POST` with a multipart body, built afresh for each try (a form is consumed when
    /// sent, and the refresh path may send twice).
    async fn send_multipart(
        &self,
        path: &str,
        build: &(dyn Fn() -> Form + Sync),
    ) -> Result<(StatusCode, Vec<u8>), ConnectorError> {
        self.send_payload(Method::POST, path, &[], &Payload::Multipart(build))
            .await
    }

    async fn send_payload(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, &str)],
        payload: &Payload<'_>,
    ) -> Result<(StatusCode, Vec<u8>), ConnectorError> {
        self.save_pending().await;
        let access = self.tokens.lock().await.access.clone();
        match self
            .send_with(&access, method.clone(), path, query, payload)
            .await
        {
            Err(ConnectorError::TokenExpired(detail)) if self.config.refresh.is_some() => {
                self.refresh(&access, &detail).await?;
                let access = self.tokens.lock().await.access.clone();
                self.send_with(&access, method, path, query, payload).await
            }
            other => other,
        }
    }

    async fn send_with(
        &self,
        access: &SecretString,
        method: Method,
        path: &str,
        query: &[(&str, &str)],
        payload: &Payload<'_>,
    ) -> Result<(StatusCode, Vec<u8>), ConnectorError> {
        let mut url = self.http.url(&self.config.api_base, path)?;
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query);
        }
        let mut request = self
            .http
            .client()
            .request(method, url)
            .bearer_auth(access.expose_secret());
        match payload {
            Payload::Empty => {}
            Payload::Json(body) => request = request.json(body),
            Payload::Multipart(build) => request = request.multipart(build()),
        }
        let response = request.send().await.map_err(|e| transport_error(&e))?;
        let status = response.status();
        if status.is_success() {
            return Ok((status, read_body(response).await?));
        }
        Err(error_from_response(response).await)
    }

    /// Exchanges the refresh token for a new pair, unless another call already did.
    async fn refresh(&self, refused: &SecretString, why: &str) -> Result<(), ConnectorError> {
        let Some(settings) = &self.config.refresh else {
            return Err(ConnectorError::TokenExpired(why.to_owned()));
        };
        let mut state = self.tokens.lock().await;
        if state.access.expose_secret() != refused.expose_secret() {
            return Ok(());
        }
        if let Some(keeper) = &self.keeper
            && let Some(stored) = keeper.stored().await
            && stored.access_token.expose_secret() != refused.expose_secret()
        {
            // Another process refreshed and stored a newer pair: our refresh token is spent.
            state.access = stored.access_token;
            if stored.refresh_token.is_some() {
                state.refresh = stored.refresh_token;
            }
            return Ok(());
        }
        let Some(refresh_token) = state.refresh.clone() else {
            return Err(ConnectorError::TokenExpired(why.to_owned()));
        };
        let url = self.http.url(&self.config.api_base, "/2/oauth2/token")?;
        let form = [
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token.expose_secret()),
            ("client_id", settings.client_id.as_str()),
        ];
        let mut request = self.http.client().post(url).form(&form);
        if let Some(secret) = &settings.client_secret {
            request = request.basic_auth(&settings.client_id, Some(secret.expose_secret()));
        }
        let response = request.send().await.map_err(|e| transport_error(&e))?;
        let status = response.status();
        if !status.is_success() {
            let body = read_body(response).await.unwrap_or_default();
            let detail = String::from_utf8_lossy(&body)
                .chars()
                .take(200)
                .collect::<String>();
            if status.is_server_error() {
                return Err(ConnectorError::Unavailable {
                    retry_after: None,
                    detail: format!("token refresh: HTTP {}: {detail}", status.as_u16()),
                });
            }
            return Err(ConnectorError::TokenExpired(format!(
                "{why}; the refresh token was refused too (HTTP {}: {detail})",
                status.as_u16()
            )));
        }
        let issued: TokenAnswer = parse_json(&read_body(response).await?)?;
        if issued.access_token.is_empty() {
            return Err(ConnectorError::Malformed(
                "token refresh answered without an access_token".to_owned(),
            ));
        }
        let tokens = XTokens {
            access_token: SecretString::from(issued.access_token),
            refresh_token: issued.refresh_token.map(SecretString::from),
            expires_in: issued.expires_in,
        };
        state.access = tokens.access_token.clone();
        if let Some(rotated) = &tokens.refresh_token {
            state.refresh = Some(rotated.clone());
        }
        match &self.keeper {
            None => state.unsaved = Some(tokens),
            Some(keeper) => {
                let renewed = RenewedTokens {
                    access_token: tokens.access_token,
                    refresh_token: tokens.refresh_token,
                    expires_at: expiry(Timestamp::now(), tokens.expires_in),
                    refresh_expires_at: None,
                };
                // The old refresh token is dead now: store the new pair before using it.
                if keeper.save(&renewed, Some(&refresh_token)).await.is_err() {
                    state.pending = Some((renewed, Some(refresh_token)));
                }
            }
        }
        Ok(())
    }
}

#[async_trait]
impl Poller for XClient {
    async fn poll(&self, cursor: Option<&str>) -> Result<Page, ConnectorError> {
        let state = Cursor::decode(cursor)?;
        match self.mentions(&state).await {
            Err(ConnectorError::Refused(_)) if state.pagination_token.is_some() => {
                // X refused the saved page token (expired, or issued for other parameters):
                // restart this walk from the newest page. Posts already handed over come
                // again and are deduplicated by id; none is skipped.
                let restart = Cursor {
                    since_id: state.since_id.clone(),
                    ..Cursor::default()
                };
                let timeline = self.mentions(&restart).await?;
                Ok(page_from_timeline(timeline, &restart, Timestamp::now()))
            }
            Err(e) => Err(e),
            Ok(timeline) => Ok(page_from_timeline(timeline, &state, Timestamp::now())),
        }
    }
}

impl XClient {
    /// One `GET /2/users/:id/mentions` page for `state`.
    async fn mentions(&self, state: &Cursor) -> Result<Timeline, ConnectorError> {
        let path = format!("/2/users/{}/mentions", segment(&self.config.user_id));
        let page_size = self.config.page_size.clamp(5, 100).to_string();
        let mut query = vec![
            ("max_results", page_size.as_str()),
            (
                "tweet.fields",
                "created_at,author_id,conversation_id,in_reply_to_user_id,referenced_tweets,lang",
            ),
            ("expansions", "author_id"),
            ("user.fields", "username,name"),
        ];
        if let Some(since) = &state.since_id {
            query.push(("since_id", since));
        }
        if let Some(token) = &state.pagination_token {
            query.push(("pagination_token", token));
        }
        let (_, body) = self.send(Method::GET, &path, &query, None).await?;
        parse_json(&body)
    }
}

#[async_trait]
impl Responder for XClient {
    async fn reply(
        &self,
        parent: &ExternalId,
        _thread: Option<&ExternalId>,
        text: &str,
    ) -> Result<ExternalId, ConnectorError> {
        check_length(text)?;
        let body = serde_json::json!({
            "text": text,
            "reply": {"in_reply_to_tweet_id": parent.as_ref()},
        });
        let (_, bytes) = self
            .send(Method::POST, "/2/tweets", &[], Some(&body))
            .await
            .map_err(reply_refusal)?;
        let created: DataOf<Created> = parse_json(&bytes)?;
        ExternalId::parse(&created.data.id).map_err(|e| {
            ConnectorError::Malformed(format!("POST /2/tweets returned an unusable id: {e}"))
        })
    }

    async fn set_hidden(&self, id: &ExternalId, hidden: bool) -> Result<(), ConnectorError> {
        let path = format!("/2/tweets/{}/hidden", segment(id.as_ref()));
        let body = serde_json::json!({ "hidden": hidden });
        let (_, bytes) = self.send(Method::PUT, &path, &[], Some(&body)).await?;
        let answer: DataOf<HiddenAnswer> = parse_json(&bytes)?;
        if answer.data.hidden == hidden {
            Ok(())
        } else {
            Err(ConnectorError::Refused(format!(
                "X answered hidden={} after we asked for hidden={hidden}",
                answer.data.hidden
            )))
        }
    }

    async fn delete(&self, id: &ExternalId) -> Result<(), ConnectorError> {
        let path = format!("/2/tweets/{}", segment(id.as_ref()));
        let (_, bytes) = self.send(Method::DELETE, &path, &[], None).await?;
        let answer: DataOf<DeletedAnswer> = parse_json(&bytes)?;
        if answer.data.deleted {
            Ok(())
        } else {
            Err(ConnectorError::Refused(format!(
                "X did not delete post {id} (only our own posts can be deleted)"
            )))
        }
    }
}

/// On `POST /2/tweets`, a 403 is X refusing this reply (duplicate text, or the anti reply-spam
/// rule: the author did not mention or quote us \[verify\]) rather than a missing permission.
fn reply_refusal(error: ConnectorError) -> ConnectorError {
    match error {
        ConnectorError::Forbidden(detail) => ConnectorError::Refused(format!(
            "X refused the reply ({detail}); X only accepts replies to posts that mention or \
             quote the account, and never the same text twice"
        )),
        other => other,
    }
}

/// An id as one URL path segment, so an id can never change the path.
fn segment(id: &str) -> String {
    utf8_percent_encode(id, NON_ALPHANUMERIC).to_string()
}

// ---------------------------------------------------------------------------------------------
// Cursor and page mapping

/// The saved position; see the module documentation.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
struct Cursor {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    since_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pagination_token: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    newest_id: Option<String>,
}

impl Cursor {
    fn decode(raw: Option<&str>) -> Result<Self, ConnectorError> {
        match raw {
            None => Ok(Self::default()),
            Some(raw) => serde_json::from_str(raw).map_err(|e| {
                ConnectorError::Target(format!(
                    "saved X cursor {raw:?} is not one this connector wrote ({e}); clear the \
                     account's cursor to start from the newest mentions"
                ))
            }),
        }
    }

    fn encode(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// X ids are decimal numbers too large for some JSON readers, so they travel as strings;
/// a longer id is a larger one.
fn newer_id<'a>(a: Option<&'a str>, b: Option<&'a str>) -> Option<&'a str> {
    match (a, b) {
        (Some(a), Some(b)) => Some(if (a.len(), a) >= (b.len(), b) { a } else { b }),
        (a, None) => a,
        (None, b) => b,
    }
}

fn page_from_timeline(timeline: Timeline, state: &Cursor, now: Timestamp) -> Page {
    let users = timeline.includes.users;
    let mut page = Page::default();
    let mut newest = state.newest_id.clone();
    for value in timeline.data {
        let id = value
            .get("id")
            .and_then(serde_json::Value::as_str)
            .map(str::to_owned);
        newest = newer_id(newest.as_deref(), id.as_deref()).map(str::to_owned);
        match serde_json::from_value::<Tweet>(value) {
            Ok(tweet) => match inbound_from_tweet(&tweet, &users, now) {
                Ok(message) => page.messages.push(message),
                Err(reason) => page.rejected.push(Rejected {
                    external_id: id,
                    reason,
                }),
            },
            Err(e) => page.rejected.push(Rejected {
                external_id: id,
                reason: format!("post does not have the documented shape: {e}"),
            }),
        }
    }
    for error in timeline.errors {
        page.rejected.push(rejected_from_partial_error(error));
    }
    // X sends newest first; the inbox wants oldest first.
    page.messages.sort_by(|a, b| {
        let (a, b) = (a.external_id.as_ref(), b.external_id.as_ref());
        (a.len(), a).cmp(&(b.len(), b))
    });
    let next = Cursor {
        since_id: state.since_id.clone(),
        pagination_token: timeline.meta.next_token.filter(|t| !t.is_empty()),
        newest_id: newest,
    };
    page.more = next.pagination_token.is_some();
    let next = if page.more {
        next
    } else {
        // The walk reached `since_id`: everything up to the newest id seen is read.
        Cursor {
            since_id: newer_id(state.since_id.as_deref(), next.newest_id.as_deref())
                .map(str::to_owned),
            pagination_token: None,
            newest_id: None,
        }
    };
    page.cursor = (next != *state).then(|| next.encode());
    page
}

fn rejected_from_partial_error(error: PartialError) -> Rejected {
    let id = error.resource_id.or(error.value);
    let title = error.title.unwrap_or_else(|| "error".to_owned());
    let detail = error.detail.or(error.message).unwrap_or_default();
    Rejected {
        external_id: id,
        reason: format!("X reported {title}: {detail}"),
    }
}

fn inbound_from_tweet(tweet: &Tweet, users: &[User], now: Timestamp) -> Result<Inbound, String> {
    let id = tweet.id.as_deref().unwrap_or_default();
    let external_id = ExternalId::parse(id).map_err(|e| format!("post id: {e}"))?;
    let author_id = tweet
        .author_id
        .as_deref()
        .filter(|a| !a.trim().is_empty())
        .ok_or("post has no author_id")?;
    let user = users.iter().find(|u| u.id == author_id);
    let author = match user {
        Some(u) => Author::parse(&format!("@{}", u.username), u.name.as_deref()),
        // The expansion can miss a suspended or protected author; the numeric id still names
        // them on the platform.
        None => Author::parse(author_id, None),
    }
    .map_err(|e| format!("author: {e}"))?;
    let created = tweet
        .created_at
        .as_deref()
        .ok_or("post has no created_at")?;
    let published_at: Timestamp = created
        .parse()
        .map_err(|e| format!("created_at {created:?} is not an RFC 3339 time: {e}"))?;
    let parent = tweet
        .referenced_tweets
        .iter()
        .find(|r| r.kind == "replied_to")
        .map(|r| ExternalId::parse(&r.id))
        .transpose()
        .map_err(|e| format!("replied_to id: {e}"))?;
    let thread = tweet
        .conversation_id
        .as_deref()
        .map(ExternalId::parse)
        .transpose()
        .map_err(|e| format!("conversation_id: {e}"))?;
    let kind = if parent.is_some() {
        MessageKind::Reply
    } else {
        MessageKind::Mention
    };
    let permalink = match user {
        Some(u) => format!("https://x.com/{}/status/{id}", u.username),
        None => format!("https://x.com/i/web/status/{id}"),
    };
    Inbound {
        platform: Platform::X,
        external_id,
        kind,
        author,
        text: tweet.text.clone().unwrap_or_default(),
        title: None,
        permalink: Some(permalink),
        parent_external_id: parent,
        thread_external_id: thread,
        published_at,
    }
    .checked(now)
    .map_err(|e| e.to_string())
}

// ---------------------------------------------------------------------------------------------
// Wire shapes (section 3.4)

#[derive(Deserialize)]
struct Timeline {
    /// Absent on an empty page; items stay raw so one bad item rejects only itself.
    #[serde(default)]
    data: Vec<serde_json::Value>,
    #[serde(default)]
    includes: Includes,
    #[serde(default)]
    meta: Meta,
    /// Partial errors beside `data` on a 200.
    #[serde(default)]
    errors: Vec<PartialError>,
}

#[derive(Default, Deserialize)]
struct Includes {
    #[serde(default)]
    users: Vec<User>,
}

#[derive(Default, Deserialize)]
struct Meta {
    next_token: Option<String>,
}

#[derive(Deserialize)]
struct User {
    id: String,
    username: String,
    name: Option<String>,
}

#[derive(Deserialize)]
struct Tweet {
    id: Option<String>,
    text: Option<String>,
    author_id: Option<String>,
    created_at: Option<String>,
    conversation_id: Option<String>,
    #[serde(default)]
    referenced_tweets: Vec<Reference>,
}

#[derive(Deserialize)]
struct Reference {
    #[serde(rename = "type")]
    kind: String,
    id: String,
}

#[derive(Deserialize)]
struct PartialError {
    value: Option<String>,
    resource_id: Option<String>,
    title: Option<String>,
    detail: Option<String>,
    message: Option<String>,
}

#[derive(Deserialize)]
struct DataOf<T> {
    data: T,
}

#[derive(Deserialize)]
struct TokenAnswer {
    #[serde(default)]
    access_token: String,
    refresh_token: Option<String>,
    expires_in: Option<u64>,
}

#[derive(Deserialize)]
struct Created {
    id: String,
}

#[derive(Deserialize)]
struct HiddenAnswer {
    hidden: bool,
}

#[derive(Deserialize)]
struct DeletedAnswer {
    deleted: bool,
}

/// Error bodies: the RFC 7807-style problem, or the legacy `{"errors":[{"code","message"}]}`
/// that the fundamentals page still shows for 429 (section 3.2).
#[derive(Default, Deserialize)]
struct Problem {
    title: Option<String>,
    detail: Option<String>,
    #[serde(default)]
    errors: Vec<LegacyError>,
}

#[derive(Deserialize)]
struct LegacyError {
    code: Option<i64>,
    message: Option<String>,
}

// ---------------------------------------------------------------------------------------------
// Errors

async fn error_from_response(response: Response) -> ConnectorError {
    let status = response.status();
    let reset_in = rate_limit_reset_in(&response, Timestamp::now());
    let body = read_body(response).await.unwrap_or_default();
    let problem: Problem = serde_json::from_slice(&body).unwrap_or_default();
    let legacy_code = problem.errors.iter().find_map(|e| e.code);
    let detail = describe(status, &problem, &body);
    match (status.as_u16(), legacy_code) {
        (429, _) | (_, Some(88)) => ConnectorError::RateLimited {
            retry_after: reset_in,
            detail,
        },
        (401, _) | (_, Some(89)) => ConnectorError::TokenExpired(detail),
        (403, _) => ConnectorError::Forbidden(detail),
        (404, _) => ConnectorError::NotFound(detail),
        (500..=599, _) => ConnectorError::Unavailable {
            retry_after: reset_in,
            detail,
        },
        _ => ConnectorError::Refused(detail),
    }
}

/// The wait until `x-rate-limit-reset` (Unix seconds), at most a day; zero once it passed.
fn rate_limit_reset_in(response: &Response, now: Timestamp) -> Option<Duration> {
    let reset = header_u64(response, "x-rate-limit-reset")?;
    let reset = i64::try_from(reset).ok()?;
    let wait = reset.saturating_sub(now.as_second()).clamp(0, 86_400);
    Some(Duration::from_secs(wait.unsigned_abs()))
}

fn describe(status: StatusCode, problem: &Problem, body: &[u8]) -> String {
    let mut parts = vec![format!("HTTP {}", status.as_u16())];
    parts.extend(problem.title.clone());
    parts.extend(problem.detail.clone());
    for e in &problem.errors {
        let code = e.code.map(|c| format!("code {c}: ")).unwrap_or_default();
        parts.push(format!(
            "{code}{}",
            e.message.as_deref().unwrap_or_default()
        ));
    }
    if parts.len() == 1 && !body.is_empty() {
        let text = String::from_utf8_lossy(body);
        parts.push(text.chars().take(200).collect());
    }
    parts.join(": ")
}

// ---------------------------------------------------------------------------------------------
// Weighted length (section 3.6)

/// The length X counts for `text`, in characters (weight / 100): NFC, code points in the
/// Latin and general-punctuation ranges weigh 1, everything else (CJK, emoji) 2, an emoji
/// sequence (ZWJ, skin tone, variation selector, keycap, flag) counts once as 2, and every URL
/// counts 23.
///
/// URLs: a word starting with `http://` or `https://`, or a bare domain ending in a common
/// top-level domain (`bpbd.go.id`, `example.com/x`), counts 23. X's own detector knows every
/// TLD; ours knows fewer, so a rare TLD counts as plain text \[verify\].
#[must_use]
pub fn weighted_length(text: &str) -> usize {
    let normalised: String = text.nfc().collect();
    let mut total = 0;
    let mut rest = normalised.as_str();
    while !rest.is_empty() {
        let word_end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        let (word, after) = rest.split_at(word_end);
        total += word_weight(word);
        let space_end = after
            .find(|c: char| !c.is_whitespace())
            .unwrap_or(after.len());
        total += chars_weight(&after[..space_end]);
        rest = &after[space_end..];
    }
    total
}

/// Checks `text` against [`MAX_WEIGHTED_LENGTH`] before anything is sent.
///
/// # Errors
/// [`ConnectorError::Refused`] naming the length and the limit.
pub fn check_length(text: &str) -> Result<(), ConnectorError> {
    if text.trim().is_empty() {
        return Err(ConnectorError::Refused(
            "the reply is empty; X refuses a post without text".to_owned(),
        ));
    }
    let length = weighted_length(text);
    if length > MAX_WEIGHTED_LENGTH {
        return Err(ConnectorError::Refused(format!(
            "the reply is {length} characters as X counts them (links 23, emoji and CJK 2); \
             the limit is {MAX_WEIGHTED_LENGTH}: shorten it by {}",
            length - MAX_WEIGHTED_LENGTH
        )));
    }
    Ok(())
}

fn word_weight(word: &str) -> usize {
    let core = word.trim_end_matches(['.', ',', ';', ':', '!', '?', ')', '"', '\'']);
    if looks_like_url(core) {
        URL_WEIGHT + chars_weight(&word[core.len()..])
    } else {
        chars_weight(word)
    }
}

fn looks_like_url(word: &str) -> bool {
    let lower = word.to_ascii_lowercase();
    let lower = lower.trim_start_matches(['(', '"', '\'']);
    if let Some(rest) = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"))
    {
        return rest.contains(|c: char| c.is_ascii_alphanumeric());
    }
    let host = lower.split(['/', '?', '#']).next().unwrap_or_default();
    let labels: Vec<&str> = host.split('.').collect();
    let valid_labels = labels.len() >= 2
        && labels
            .iter()
            .all(|l| !l.is_empty() && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'));
    let tld = labels.last().copied().unwrap_or_default();
    valid_labels && COMMON_TLDS.contains(&tld)
}

const COMMON_TLDS: &[&str] = &[
    "id", "com", "net", "org", "info", "io", "co", "gov", "edu", "me", "ly", "app", "dev", "xyz",
    "site", "online", "news", "tv", "my", "sg", "uk", "us", "au", "jp", "biz",
];

fn chars_weight(text: &str) -> usize {
    let mut total = 0;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if is_emoji_base(c) {
            total += 2;
            consume_emoji_tail(c, &mut chars);
        } else {
            total += char_weight(c);
        }
    }
    total
}

fn char_weight(c: char) -> usize {
    let light = matches!(
        u32::from(c),
        0x0000..=0x10FF | 0x2000..=0x200D | 0x2010..=0x201F | 0x2032..=0x2037
    );
    if light { 1 } else { 2 }
}

/// Pictographs, symbols and regional indicators that start an emoji.
fn is_emoji_base(c: char) -> bool {
    matches!(
        u32::from(c),
        0x1F000..=0x1FAFF | 0x2600..=0x27BF | 0x2B00..=0x2BFF
    )
}

/// Swallows what joins onto an emoji: variation selector, skin tone, keycap, tag characters,
/// a second regional indicator, and ZWJ followed by another emoji.
fn consume_emoji_tail(base: char, chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    let regional = |c: char| matches!(u32::from(c), 0x1F1E6..=0x1F1FF);
    if regional(base) {
        if chars.peek().is_some_and(|c| regional(*c)) {
            chars.next();
        }
        return;
    }
    while let Some(&next) = chars.peek() {
        match u32::from(next) {
            0xFE0F | 0x20E3 | 0x1F3FB..=0x1F3FF | 0xE0020..=0xE007F => {
                chars.next();
            }
            0x200D => {
                chars.next();
                if chars.peek().is_some_and(|c| is_emoji_base(*c)) {
                    chars.next();
                }
            }
            _ => break,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Account Activity webhooks (section 3.7)

type HmacSha256 = Hmac<Sha256>;

fn hmac_base64(secret: &[u8], message: &[u8]) -> String {
    // HMAC-SHA256 takes keys of any length; the error branch exists only in the type.
    let Ok(mut mac) = <HmacSha256 as Mac>::new_from_slice(secret) else {
        return String::new();
    };
    mac.update(message);
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// The JSON body answering X's CRC check `GET <webhook>?crc_token=…`:
/// `{"response_token":"sha256=<base64 HMAC-SHA256(consumer_secret, crc_token)>"}`. Use the
/// app's consumer (API key) secret, not a bearer token; answer with 200 within 3 s.
#[must_use]
pub fn crc_response(consumer_secret: &SecretString, crc_token: &str) -> String {
    let token = hmac_base64(
        consumer_secret.expose_secret().as_bytes(),
        crc_token.as_bytes(),
    );
    serde_json::json!({ "response_token": format!("sha256={token}") }).to_string()
}

/// Whether `signature` (the `x-twitter-webhooks-signature` header, `sha256=<base64>`) is the
/// HMAC-SHA256 of the exact `body` bytes under the consumer secret. Compared in constant time.
#[must_use]
pub fn verify_signature(consumer_secret: &SecretString, body: &[u8], signature: &str) -> bool {
    let Some(encoded) = signature.trim().strip_prefix("sha256=") else {
        return false;
    };
    let Ok(expected) = base64::engine::general_purpose::STANDARD.decode(encoded) else {
        return false;
    };
    let Ok(mut mac) =
        <HmacSha256 as Mac>::new_from_slice(consumer_secret.expose_secret().as_bytes())
    else {
        return false;
    };
    mac.update(body);
    mac.verify_slice(&expected).is_ok()
}

// ---------------------------------------------------------------------------------------------
// Publishing (issue 5): sections 3.3 and 3.5

/// Size of one `APPEND` segment (X allows up to 5 MB; smaller segments retry cheaper).
pub const MEDIA_CHUNK_BYTES: usize = 1024 * 1024;

/// The most images one post may carry (or one video, or one GIF).
pub const MAX_IMAGES: usize = 4;

/// Seconds of clock difference between X and us allowed when matching a post to an intent.
const CLOCK_SKEW_SECS: i64 = 5;

/// The longest wait between two `STATUS` checks, whatever X asks for.
const MAX_STATUS_WAIT: Duration = Duration::from_secs(60);

/// What the operator is told when X refuses a post as a duplicate and none of ours matches.
const DUPLICATE_REFUSAL: &str = "X refuses a post identical to a recent one: change the text";

/// X's upload category for a file.
fn media_category(media: &OutboundMedia) -> &'static str {
    match media.kind {
        MediaKind::Video => "tweet_video",
        MediaKind::Image if media.mime.eq_ignore_ascii_case("image/gif") => "tweet_gif",
        MediaKind::Image => "tweet_image",
    }
}

/// X's rules for one post (section 1.1): up to four images, or one video, or one GIF; text
/// within the weighted limit, and some text or some media.
fn check_post(post: &OutboundPost) -> Result<(), ConnectorError> {
    let single_only = post
        .media
        .iter()
        .filter(|m| media_category(m) != "tweet_image")
        .count();
    if single_only > 0 && post.media.len() > 1 {
        return Err(ConnectorError::Refused(
            "an X post carries up to four images, or one video, or one GIF, not a mix: \
             split it into separate posts"
                .to_owned(),
        ));
    }
    if post.media.len() > MAX_IMAGES {
        return Err(ConnectorError::Refused(format!(
            "an X post carries at most {MAX_IMAGES} images; this one has {}",
            post.media.len()
        )));
    }
    if post.text.trim().is_empty() {
        if post.media.is_empty() {
            return Err(ConnectorError::Refused(
                "the post is empty; X needs text or media".to_owned(),
            ));
        }
        return Ok(());
    }
    let length = weighted_length(&post.text);
    if length > MAX_WEIGHTED_LENGTH {
        return Err(ConnectorError::Refused(format!(
            "the post is {length} characters as X counts them (links 23, emoji and CJK 2); \
             the limit is {MAX_WEIGHTED_LENGTH}: shorten it by {}",
            length - MAX_WEIGHTED_LENGTH
        )));
    }
    Ok(())
}

/// Whether X refused a post as identical to a recent one (403 "duplicate content").
fn is_duplicate_refusal(error: &ConnectorError) -> bool {
    matches!(error, ConnectorError::Forbidden(detail)
        if detail.to_ascii_lowercase().contains("duplicate content"))
}

/// Text as compared during reconciliation: X rewrites every link to `t.co` (and adds one for
/// attached media) and escapes `&`, `<`, `>` in what it returns, so links are dropped from
/// both sides, entities undone, Unicode composed and whitespace normalised.
fn comparable_text(text: &str) -> String {
    let unescaped = text
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&");
    let composed: String = unescaped.nfc().collect();
    composed
        .split_whitespace()
        .filter(|word| !looks_like_url(word.trim_end_matches(['.', ',', ';', ':', '!', '?', ')'])))
        .collect::<Vec<_>>()
        .join(" ")
}

/// `FINALIZE` and `STATUS` answers: `data.processing_info` while X works on a video or GIF.
#[derive(Deserialize)]
struct MediaAnswer {
    data: MediaData,
}

#[derive(Deserialize)]
struct MediaData {
    id: String,
    #[serde(default)]
    processing_info: Option<ProcessingInfo>,
}

#[derive(Deserialize)]
struct ProcessingInfo {
    state: String,
    #[serde(default)]
    check_after_secs: Option<u64>,
    #[serde(default)]
    error: Option<ProcessingError>,
}

#[derive(Deserialize)]
struct ProcessingError {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    message: Option<String>,
}

/// `GET /2/users/:id/tweets` for reconciliation.
#[derive(Deserialize)]
struct OwnTimeline {
    #[serde(default)]
    data: Vec<OwnTweet>,
}

#[derive(Deserialize)]
struct OwnTweet {
    id: String,
    #[serde(default)]
    text: String,
    #[serde(default)]
    created_at: Option<String>,
}

/// `GET /2/tweets/:id?tweet.fields=public_metrics`.
#[derive(Deserialize)]
struct MetricsAnswer {
    data: Option<MetricsTweet>,
    #[serde(default)]
    errors: Vec<PartialError>,
}

#[derive(Deserialize)]
struct MetricsTweet {
    public_metrics: PublicMetrics,
}

#[derive(Default, Deserialize)]
struct PublicMetrics {
    #[serde(default)]
    like_count: u64,
    #[serde(default)]
    reply_count: u64,
    #[serde(default)]
    retweet_count: u64,
    #[serde(default)]
    quote_count: u64,
    #[serde(default)]
    impression_count: Option<u64>,
}

fn post_url(id: &str) -> String {
    format!("https://x.com/i/web/status/{id}")
}

impl XClient {
    /// Uploads one file (INIT, APPEND…, FINALIZE, STATUS while processing, alt text) and
    /// returns its media id.
    async fn upload_media(&self, media: &OutboundMedia) -> Result<String, ConnectorError> {
        if media.bytes.is_empty() {
            return Err(ConnectorError::Refused(format!(
                "{} is empty; attach the file again",
                media.file_name
            )));
        }
        let category = media_category(media);
        let total = media.bytes.len().to_string();
        let init = || {
            Form::new()
                .text("command", "INIT")
                .text("media_type", media.mime.clone())
                .text("total_bytes", total.clone())
                .text("media_category", category)
        };
        let (_, bytes) = self.send_multipart("/2/media/upload", &init).await?;
        let id = parse_json::<MediaAnswer>(&bytes)?.data.id;
        if id.is_empty() {
            return Err(ConnectorError::Malformed(
                "media upload INIT answered without an id".to_owned(),
            ));
        }
        for (index, chunk) in media.bytes.chunks(MEDIA_CHUNK_BYTES).enumerate() {
            let append = || {
                Form::new()
                    .text("command", "APPEND")
                    .text("media_id", id.clone())
                    .text("segment_index", index.to_string())
                    .part(
                        "media",
                        Part::bytes(chunk.to_vec()).file_name(media.file_name.clone()),
                    )
            };
            self.send_multipart("/2/media/upload", &append).await?;
        }
        let finalize = || {
            Form::new()
                .text("command", "FINALIZE")
                .text("media_id", id.clone())
        };
        let (_, bytes) = self.send_multipart("/2/media/upload", &finalize).await?;
        let finalized: MediaAnswer = parse_json(&bytes)?;
        if let Some(info) = finalized.data.processing_info {
            self.wait_for_processing(&id, info).await?;
        }
        // X describes images and GIFs; it documents no alt text for videos \[verify\].
        if media.kind == MediaKind::Image
            && let Some(alt) = media.alt_text.as_deref().filter(|a| !a.trim().is_empty())
        {
            self.set_alt_text(&id, alt).await?;
        }
        Ok(id)
    }

    /// Polls `GET /2/media/upload?command=STATUS` until X says `succeeded`.
    async fn wait_for_processing(
        &self,
        id: &str,
        mut info: ProcessingInfo,
    ) -> Result<(), ConnectorError> {
        let poll = self.config.media_poll;
        for _ in 0..poll.attempts {
            match info.state.as_str() {
                "succeeded" => return Ok(()),
                "failed" => {
                    let error = info.error.as_ref();
                    let reason = error
                        .and_then(|e| e.message.as_deref().or(e.name.as_deref()))
                        .unwrap_or("no reason given");
                    return Err(ConnectorError::Refused(format!(
                        "X could not process the media ({reason}); check the file's format, \
                         length and size"
                    )));
                }
                "pending" | "in_progress" => {}
                other => {
                    return Err(ConnectorError::Malformed(format!(
                        "media {id} has processing state {other:?}, not one X documents"
                    )));
                }
            }
            let wait = info
                .check_after_secs
                .map_or(poll.interval, Duration::from_secs)
                .min(MAX_STATUS_WAIT);
            tokio::time::sleep(wait).await;
            let query = [("command", "STATUS"), ("media_id", id)];
            let (_, bytes) = self
                .send(Method::GET, "/2/media/upload", &query, None)
                .await?;
            let status: MediaAnswer = parse_json(&bytes)?;
            // No processing_info in a STATUS answer means nothing is left to do.
            info = status.data.processing_info.unwrap_or(ProcessingInfo {
                state: "succeeded".to_owned(),
                check_after_secs: None,
                error: None,
            });
        }
        if info.state == "succeeded" {
            return Ok(());
        }
        Err(ConnectorError::Unavailable {
            retry_after: Some(poll.interval),
            detail: format!(
                "X was still processing media {id} after {} checks; nothing was posted, the \
                 next attempt starts again",
                poll.attempts
            ),
        })
    }

    /// `POST /2/media/metadata` with the alt text \[verify\]: the shared brief names only the
    /// upload commands; this is X's documented v2 metadata call.
    async fn set_alt_text(&self, id: &str, alt: &str) -> Result<(), ConnectorError> {
        let body = serde_json::json!({"id": id, "metadata": {"alt_text": {"text": alt}}});
        self.send(Method::POST, "/2/media/metadata", &[], Some(&body))
            .await?;
        Ok(())
    }

    /// `POST /2/tweets` with the text and the media ids.
    async fn create_post(
        &self,
        text: &str,
        media_ids: &[String],
    ) -> Result<Published, ConnectorError> {
        let mut body = serde_json::json!({});
        if !text.trim().is_empty() {
            body["text"] = serde_json::json!(text);
        }
        if !media_ids.is_empty() {
            body["media"] = serde_json::json!({ "media_ids": media_ids });
        }
        let (_, bytes) = self
            .send(Method::POST, "/2/tweets", &[], Some(&body))
            .await?;
        let created: DataOf<Created> = parse_json(&bytes)?;
        if created.data.id.is_empty() {
            return Err(ConnectorError::Malformed(
                "POST /2/tweets answered without an id".to_owned(),
            ));
        }
        Ok(Published {
            url: Some(post_url(&created.data.id)),
            external_id: created.data.id,
        })
    }

    /// Our posts since the intent (5 s earlier for clock skew), newest first; the first whose
    /// text matches.
    async fn find_own_post(
        &self,
        post: &OutboundPost,
    ) -> Result<Option<Published>, ConnectorError> {
        let earliest = Timestamp::from_second(post.intent_at.as_second() - CLOCK_SKEW_SECS)
            .map_err(|e| ConnectorError::Target(format!("intent time out of range: {e}")))?;
        let start_time = earliest.to_string();
        let path = format!("/2/users/{}/tweets", segment(&self.config.user_id));
        let query = [
            ("start_time", start_time.as_str()),
            ("max_results", "20"),
            ("tweet.fields", "created_at,text"),
        ];
        let (_, bytes) = self.send(Method::GET, &path, &query, None).await?;
        let timeline: OwnTimeline = parse_json(&bytes)?;
        let wanted = comparable_text(&post.text);
        let found = timeline.data.into_iter().find(|tweet| {
            let recent = tweet
                .created_at
                .as_deref()
                .and_then(|t| t.parse::<Timestamp>().ok())
                // start_time already limits the list; a post without a time is still a match.
                .is_none_or(|t| t >= earliest);
            recent && !tweet.id.is_empty() && comparable_text(&tweet.text) == wanted
        });
        Ok(found.map(|tweet| Published {
            url: Some(post_url(&tweet.id)),
            external_id: tweet.id,
        }))
    }
}

#[async_trait]
impl Publisher for XClient {
    async fn publish(&self, post: &OutboundPost) -> Result<PublishOutcome, ConnectorError> {
        check_post(post)?;
        let mut media_ids = Vec::with_capacity(post.media.len());
        for media in &post.media {
            media_ids.push(self.upload_media(media).await?);
        }
        match self.create_post(&post.text, &media_ids).await {
            Ok(published) => Ok(PublishOutcome::Published(published)),
            Err(error) if is_duplicate_refusal(&error) => {
                // After a crash the identical post may be our own earlier attempt: then it is
                // published, not refused.
                match self.find_own_post(post).await {
                    Ok(Some(earlier)) => Ok(PublishOutcome::Published(earlier)),
                    // Could not look: try again later rather than call it refused.
                    Err(lookup) if lookup.is_transient() => Err(lookup),
                    _ => Err(ConnectorError::Refused(format!(
                        "{DUPLICATE_REFUSAL} ({error})"
                    ))),
                }
            }
            Err(error) => Err(error),
        }
    }

    async fn find_published(
        &self,
        post: &OutboundPost,
    ) -> Result<Option<Published>, ConnectorError> {
        self.find_own_post(post).await
    }

    async fn engagement(&self, external_id: &str) -> Result<Engagement, ConnectorError> {
        let path = format!("/2/tweets/{}", segment(external_id));
        let query = [("tweet.fields", "public_metrics")];
        let (_, bytes) = self.send(Method::GET, &path, &query, None).await?;
        let answer: MetricsAnswer = parse_json(&bytes)?;
        let Some(tweet) = answer.data else {
            // X answers 200 with only `errors` for a deleted or unknown post.
            let reason = answer
                .errors
                .into_iter()
                .next()
                .map(rejected_from_partial_error)
                .map_or_else(|| "no data and no error".to_owned(), |r| r.reason);
            return Err(ConnectorError::NotFound(format!(
                "post {external_id}: {reason}"
            )));
        };
        let m = tweet.public_metrics;
        Ok(Engagement {
            likes: m.like_count,
            comments: m.reply_count,
            shares: m.retweet_count.saturating_add(m.quote_count),
            views: m.impression_count,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_example_weighs_85() {
        let text = "Waspada banjir di Jakarta Utara. Info lengkap: \
                    https://bpbd.example.go.id/peta #BanjirJakarta";
        assert_eq!(text.chars().count(), 93);
        assert_eq!(weighted_length(text), 85);
    }

    #[test]
    fn cjk_and_emoji_weigh_two_and_sequences_count_once() {
        assert_eq!(weighted_length("日本"), 4);
        assert_eq!(weighted_length("ok 👍🏽"), 5);
        // Family: four people joined by ZWJ, one emoji.
        assert_eq!(weighted_length("👨\u{200D}👩\u{200D}👧\u{200D}👦"), 2);
        assert_eq!(weighted_length("🇮🇩"), 2);
        // NFC: e + combining acute is one character.
        assert_eq!(weighted_length("e\u{301}"), 1);
        assert_eq!(weighted_length("cek bpbd.go.id."), 4 + 23 + 1);
    }

    #[test]
    fn length_check_names_the_overflow() {
        assert!(check_length(&"a".repeat(280)).is_ok());
        let err = check_length(&"a".repeat(281)).unwrap_err();
        assert!(
            matches!(err, ConnectorError::Refused(ref m) if m.contains("281")),
            "{err}"
        );
        assert!(check_length(&"日".repeat(141)).is_err());
        assert!(check_length(&"日".repeat(140)).is_ok());
        assert!(check_length("   ").is_err());
    }

    #[test]
    fn webhook_test_vectors() {
        let secret = SecretString::from("test_consumer_secret");
        assert_eq!(
            crc_response(&secret, "9b4507b3-9040-4669-9ca3-6b94edb50553"),
            r#"{"response_token":"sha256=8SJYMKk8Lb/xknGTsWAwtIJOVa/CWzSjoHKtDI6P4oo="}"#
        );
        let body = br#"{"for_user_id":"2244994945","tweet_create_events":[]}"#;
        let good = "sha256=Lss4bxd6weR99So6MmhnJFpNn8h7oFFhZH5um9Z5oF4=";
        assert!(verify_signature(&secret, body, good));
        assert!(!verify_signature(&secret, &body[1..], good));
        assert!(!verify_signature(&SecretString::from("other"), body, good));
        assert!(!verify_signature(&secret, body, "sha256=not base64!"));
        assert!(!verify_signature(
            &secret,
            body,
            "Lss4bxd6weR99So6MmhnJFpNn8h7oFFhZH5um9Z5oF4="
        ));
    }

    #[test]
    fn cursor_keeps_since_id_during_a_walk() {
        let state = Cursor {
            since_id: Some("100".into()),
            ..Cursor::default()
        };
        let timeline: Timeline = serde_json::from_value(serde_json::json!({
            "data": [{"id":"105","text":"@humas halo","author_id":"1","created_at":"2025-01-15T10:30:00.000Z"}],
            "includes": {"users":[{"id":"1","username":"warga","name":"Warga"}]},
            "meta": {"result_count":1,"next_token":"abc"}
        }))
        .unwrap();
        let page = page_from_timeline(timeline, &state, Timestamp::now());
        assert!(page.more);
        let next: Cursor = serde_json::from_str(page.cursor.as_deref().unwrap()).unwrap();
        assert_eq!(next.since_id.as_deref(), Some("100"));
        assert_eq!(next.pagination_token.as_deref(), Some("abc"));
        assert_eq!(next.newest_id.as_deref(), Some("105"));
        assert_eq!(newer_id(Some("99"), Some("100")), Some("100"));
    }
}
