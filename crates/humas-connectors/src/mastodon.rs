//! Mastodon (shared brief `platform-apis.md`, section 6): mention notifications, replies with an
//! `Idempotency-Key`, deleting our statuses, and publishing our own posts ([`Publisher`]).
//!
//! **Filter:** `GET /api/v1/notifications?types[]=mention&limit=…` — exactly the filter the brief
//! gives (section 6.2). Replies to our posts arrive as `mention` notifications too, so this one
//! type covers mentions, replies and direct messages (a `direct` status).
//!
//! **Cursor** (opaque to callers, JSON): `{"min_id": "<newest notification id read>"}`. With
//! `min_id`, Mastodon returns the notifications immediately newer than it, so polling forward
//! page by page reads every notification once, in order; the next `min_id` is taken from the
//! `Link: <…?min_id=…>; rel="prev"` header (falling back to the newest id on the page). Polling
//! the same cursor again returns the same page, so a crash skips nothing.
//!
//! **First poll** (no cursor): a *backfill* walk pages back through history from the newest
//! notification, following `Link: <…?max_id=…>; rel="next"`, until [`Backfill`] says stop
//! (by default 7 days back or 1,000 notifications, whichever comes first; nothing older or
//! beyond is handed over) or the history ends. During the walk the cursor is
//! `{"top": "<newest id of the walk>", "max_id": "<next page>", "since": "<bound>",
//! "left": <notifications still allowed>}`, saved with each page, so a rate limit or a crash
//! mid-walk resumes at the next page; when the walk ends `top` becomes `min_id` and polling
//! goes forward as above (what arrived during the walk is newer than `top`, so it is read
//! then). While walking, a page whose `X-RateLimit-Remaining` is below
//! [`Backfill::rate_reserve`] ends the round (`more: false`), leaving the rest of the window to
//! replies and publishing; the next round goes on. With [`MastodonConfig::backfill`] `None`
//! the first poll reads only the newest page.
//!
//! Hiding is [`ConnectorError::Unsupported`]: Mastodon has no way to hide another account's
//! reply from our thread (only mute the conversation, block or report its author).
//!
//! **Publishing** (section 6.1): each medium goes to `POST /api/v2/media` (multipart `file` and
//! `description` = alt text); a 202 means the instance is still processing it, so the client
//! polls `GET /api/v1/media/:id` (206 while processing, 200 when done) every
//! [`MastodonConfig::media_poll_interval`] for at most [`MastodonConfig::media_wait_limit`].
//! The status is then posted with `Idempotency-Key: <post key>`: Mastodon keeps the key for an
//! hour and answers a repeat with the first status, so a publish retried after a lost answer
//! posts once. Media are uploaded again on such a retry; the unused copies are never attached
//! and Mastodon removes unattached media by itself. After a longer outage the worker asks
//! [`Publisher::find_published`], which looks through our account's recent statuses.

use std::time::Duration;

use async_trait::async_trait;
use humas_domain::inbox::{Author, ExternalId, Inbound, MessageKind};
use humas_domain::org::Platform;
use jiff::{SignedDuration, Timestamp};
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use reqwest::multipart::{Form, Part};
use reqwest::{Method, RequestBuilder, Response, StatusCode};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::http::{Http, parse_json, read_body, retry_after, transport_error};
use crate::outbound::{
    Engagement, OutboundMedia, OutboundPost, PublishOutcome, Published, Publisher,
};
use crate::{Backfill, ConnectorError, Page, Poller, Rejected, Responder};

/// Most attachments on one status (Mastodon's default instance configuration).
pub const MAX_MEDIA: usize = 4;

/// How far before the recorded intent a status still counts as ours in
/// [`Publisher::find_published`] (clock skew between Humas and the instance).
const CLOCK_SKEW: SignedDuration = SignedDuration::from_secs(5);

/// Pages of our own statuses [`Publisher::find_published`] reads at most (40 each).
const RECONCILE_PAGES: usize = 5;

/// How to reach one Mastodon account.
#[derive(Clone, Debug)]
pub struct MastodonConfig {
    /// The instance, e.g. `https://social.example` (the account's effective base).
    pub api_base: String,
    /// Our account's id on that instance (replies to it are [`MessageKind::Reply`]).
    pub account_id: String,
    /// OAuth 2.0 user token (scopes `read:notifications read:statuses write:statuses`).
    /// `Debug` prints it redacted.
    pub access_token: SecretString,
    /// Notifications per page, 1–80 (Mastodon's bounds; clamped).
    pub page_size: u8,
    /// How long to wait between two looks at a medium the instance is still processing.
    pub media_poll_interval: Duration,
    /// How long to wait in all for one medium; past it, publishing fails with
    /// [`ConnectorError::Unavailable`] (transient: a later attempt uploads again).
    pub media_wait_limit: Duration,
    /// How far back the first poll reads; `None` reads only the newest page.
    pub backfill: Option<Backfill>,
}

impl MastodonConfig {
    /// A configuration with Mastodon's default page (40), looking at a processing medium every
    /// second for at most two minutes, and the default [`Backfill`] on the first poll.
    #[must_use]
    pub fn new(api_base: &str, account_id: &str, access_token: SecretString) -> Self {
        Self {
            api_base: api_base.to_owned(),
            account_id: account_id.to_owned(),
            access_token,
            page_size: 40,
            media_poll_interval: Duration::from_secs(1),
            media_wait_limit: Duration::from_secs(120),
            backfill: Some(Backfill::default()),
        }
    }
}

/// Reads mentions from and answers on one Mastodon account.
#[derive(Clone, Debug)]
pub struct MastodonClient {
    http: Http,
    config: MastodonConfig,
}

impl MastodonClient {
    /// A client over the guarded `http`.
    #[must_use]
    pub const fn new(http: Http, config: MastodonConfig) -> Self {
        Self { http, config }
    }

    /// Replies to `parent` with an explicit idempotency key (e.g. the outbox id of the reply):
    /// Mastodon keeps the key for an hour and answers a repeat with the first status, so a send
    /// retried after a lost answer cannot post twice.
    ///
    /// The reply starts with `@acct` of the parent's author (Mastodon does not add it) and keeps
    /// the parent's visibility, so an answer to a direct message stays direct.
    ///
    /// # Errors
    /// [`ConnectorError`]; 422 (text too long, parent gone) is [`ConnectorError::Refused`].
    pub async fn reply_with_key(
        &self,
        parent: &ExternalId,
        text: &str,
        idempotency_key: &str,
    ) -> Result<ExternalId, ConnectorError> {
        if text.trim().is_empty() {
            return Err(ConnectorError::Refused(
                "the reply is empty; Mastodon refuses a status without text".to_owned(),
            ));
        }
        let path = format!("/api/v1/statuses/{}", segment(parent.as_ref()));
        let (_, _, bytes) = self.send(Method::GET, &path, &[], None, None).await?;
        let parent_status: Status = parse_json(&bytes)?;
        let body = serde_json::json!({
            "status": addressed(text, parent_status.account.as_ref().map(|a| a.acct.as_str())),
            "in_reply_to_id": parent.as_ref(),
            "visibility": parent_status.visibility.as_deref().unwrap_or("public"),
            "language": "id",
        });
        let (_, _, bytes) = self
            .send(
                Method::POST,
                "/api/v1/statuses",
                &[],
                Some(&body),
                Some(idempotency_key),
            )
            .await?;
        let created: Status = parse_json(&bytes)?;
        ExternalId::parse(created.id.as_deref().unwrap_or_default()).map_err(|e| {
            ConnectorError::Malformed(format!(
                "POST /api/v1/statuses returned an unusable id: {e}"
            ))
        })
    }

    async fn send(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, &str)],
        body: Option<&serde_json::Value>,
        idempotency_key: Option<&str>,
    ) -> Result<(StatusCode, Option<String>, Vec<u8>), ConnectorError> {
        let mut request = self.request(method, path, query)?;
        if let Some(body) = body {
            request = request.json(body);
        }
        if let Some(key) = idempotency_key {
            request = request.header("Idempotency-Key", key);
        }
        self.execute(request).await
    }

    /// An authenticated request to `path` on the instance, checked against the SSRF rules.
    fn request(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, &str)],
    ) -> Result<RequestBuilder, ConnectorError> {
        let mut url = self.http.url(&self.config.api_base, path)?;
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query);
        }
        Ok(self
            .http
            .client()
            .request(method, url)
            .bearer_auth(self.config.access_token.expose_secret()))
    }

    /// Sends `request`; a non-success status becomes the mapped [`ConnectorError`].
    async fn execute(
        &self,
        request: RequestBuilder,
    ) -> Result<(StatusCode, Option<String>, Vec<u8>), ConnectorError> {
        let (status, link, _, body) = self.execute_counted(request).await?;
        Ok((status, link, body))
    }

    /// [`Self::execute`], also giving `X-RateLimit-Remaining` when the instance sent it.
    async fn execute_counted(
        &self,
        request: RequestBuilder,
    ) -> Result<(StatusCode, Option<String>, Option<u64>, Vec<u8>), ConnectorError> {
        let response = request.send().await.map_err(|e| transport_error(&e))?;
        let status = response.status();
        if !status.is_success() {
            return Err(error_from_response(response).await);
        }
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let link = header("link");
        let remaining = header("x-ratelimit-remaining").and_then(|r| r.trim().parse().ok());
        Ok((status, link, remaining, read_body(response).await?))
    }
}

#[async_trait]
impl Poller for MastodonClient {
    async fn poll(&self, cursor: Option<&str>) -> Result<Page, ConnectorError> {
        let now = Timestamp::now();
        let mut state = Cursor::decode(cursor)?;
        if cursor.is_none()
            && let Some(backfill) = self.config.backfill
        {
            state = Cursor::backfill(now, backfill);
        }
        let limit = self.config.page_size.clamp(1, 80);
        let limit_text = limit.to_string();
        let mut query = vec![("types[]", "mention"), ("limit", limit_text.as_str())];
        if let Some(min_id) = &state.min_id {
            query.push(("min_id", min_id));
        }
        if let Some(max_id) = &state.max_id {
            query.push(("max_id", max_id));
        }
        let request = self.request(Method::GET, "/api/v1/notifications", &query)?;
        let (_, link, remaining, body) = self.execute_counted(request).await?;
        let items: Vec<serde_json::Value> = parse_json(&body)?;
        if state.is_walk() {
            let mut page = self.page_from_walk(items, link.as_deref(), &state, limit);
            let reserve = self.config.backfill.map_or(0, |b| b.rate_reserve);
            if page.more && remaining.is_some_and(|r| r < u64::from(reserve)) {
                page.more = false;
            }
            return Ok(page);
        }
        Ok(self.page_from_notifications(items, link.as_deref(), &state, usize::from(limit)))
    }
}

#[async_trait]
impl Responder for MastodonClient {
    /// The idempotency key is derived from the parent and the text, so the same reply retried
    /// within Mastodon's hour posts once. Callers with their own reply id should prefer
    /// [`MastodonClient::reply_with_key`].
    async fn reply(
        &self,
        parent: &ExternalId,
        _thread: Option<&ExternalId>,
        text: &str,
    ) -> Result<ExternalId, ConnectorError> {
        self.reply_with_key(parent, text, &idempotency_key(parent, text))
            .await
    }

    async fn set_hidden(&self, _id: &ExternalId, _hidden: bool) -> Result<(), ConnectorError> {
        Err(ConnectorError::Unsupported(
            "hiding a reply (Mastodon can only mute the conversation, block or report the author)",
        ))
    }

    async fn delete(&self, id: &ExternalId) -> Result<(), ConnectorError> {
        let path = format!("/api/v1/statuses/{}", segment(id.as_ref()));
        self.send(Method::DELETE, &path, &[], None, None).await?;
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// Publishing (issue 5)

#[async_trait]
impl Publisher for MastodonClient {
    async fn publish(&self, post: &OutboundPost) -> Result<PublishOutcome, ConnectorError> {
        check_post(post)?;
        let mut media_ids = Vec::with_capacity(post.media.len());
        for medium in &post.media {
            media_ids.push(self.upload_media(medium).await?);
        }
        let body = serde_json::json!({
            "status": post.text,
            "media_ids": media_ids,
            "visibility": "public",
            "language": "id",
        });
        let (_, _, bytes) = self
            .send(
                Method::POST,
                "/api/v1/statuses",
                &[],
                Some(&body),
                Some(&post.idempotency_key),
            )
            .await?;
        let status: OwnStatus = parse_json(&bytes)?;
        Ok(PublishOutcome::Published(status.published()?))
    }

    /// Reads our account's statuses, newest first, back to `intent_at` minus a few seconds, and
    /// returns the oldest whose text equals the post's (whitespace aside). Only the newest
    /// 200 statuses are read; an account that posted more since the intent is an error, so
    /// the worker asks a person instead of guessing.
    async fn find_published(
        &self,
        post: &OutboundPost,
    ) -> Result<Option<Published>, ConnectorError> {
        let earliest = post.intent_at - CLOCK_SKEW;
        let wanted = comparable_text(&post.text);
        let path = format!(
            "/api/v1/accounts/{}/statuses",
            segment(&self.config.account_id)
        );
        let mut max_id: Option<String> = None;
        let mut found: Option<(Timestamp, OwnStatus)> = None;
        let mut read_back_to_intent = false;
        for _ in 0..RECONCILE_PAGES {
            let mut query = vec![("limit", "40")];
            if let Some(max_id) = &max_id {
                query.push(("max_id", max_id));
            }
            let (_, _, bytes) = self.send(Method::GET, &path, &query, None, None).await?;
            let page: Vec<OwnStatus> = parse_json(&bytes)?;
            max_id = page
                .iter()
                .filter_map(|s| s.id.clone())
                .min_by(|a, b| id_order(a).cmp(&id_order(b)));
            // An empty page is the start of the account.
            read_back_to_intent = max_id.is_none();
            for status in page {
                let Some(created) = status.created() else {
                    continue;
                };
                if created < earliest {
                    read_back_to_intent = true;
                } else if status.reblog.is_none()
                    && status.comparable_text() == wanted
                    && found.as_ref().is_none_or(|(at, _)| created < *at)
                {
                    found = Some((created, status));
                }
            }
            if read_back_to_intent {
                break;
            }
        }
        match found {
            Some((_, status)) => status.published().map(Some),
            None if read_back_to_intent => Ok(None),
            None => Err(ConnectorError::Refused(format!(
                "the account posted more than {} statuses since {}; look on the instance \
                 whether the post is there before sending it again",
                RECONCILE_PAGES * 40,
                post.intent_at
            ))),
        }
    }

    async fn engagement(&self, external_id: &str) -> Result<Engagement, ConnectorError> {
        let path = format!("/api/v1/statuses/{}", segment(external_id));
        let (_, _, bytes) = self.send(Method::GET, &path, &[], None, None).await?;
        let status: OwnStatus = parse_json(&bytes)?;
        Ok(Engagement {
            likes: status.favourites_count,
            comments: status.replies_count,
            shares: status.reblogs_count + status.quotes_count,
            views: None,
        })
    }
}

impl MastodonClient {
    /// Uploads one medium and waits until the instance has processed it; returns its id.
    async fn upload_media(&self, medium: &OutboundMedia) -> Result<String, ConnectorError> {
        let part = Part::bytes(medium.bytes.as_ref().clone())
            .file_name(medium.file_name.clone())
            .mime_str(&medium.mime)
            .map_err(|_| {
                ConnectorError::Refused(format!(
                    "{:?} of {} is not a MIME type; give the file a type like image/jpeg",
                    medium.mime, medium.file_name
                ))
            })?;
        let mut form = Form::new().part("file", part);
        if let Some(alt) = medium
            .alt_text
            .as_deref()
            .map(str::trim)
            .filter(|a| !a.is_empty())
        {
            form = form.text("description", alt.to_owned());
        }
        let request = self
            .request(Method::POST, "/api/v2/media", &[])?
            .multipart(form);
        let (status, _, bytes) = self.execute(request).await?;
        let attachment: MediaAttachment = parse_json(&bytes)?;
        let id = attachment
            .id
            .filter(|id| !id.is_empty())
            .ok_or_else(|| ConnectorError::Malformed("POST /api/v2/media without an id".into()))?;
        // 202 with `"url": null` is "accepted, still processing".
        if status == StatusCode::ACCEPTED || attachment.url.is_none() {
            self.wait_for_media(&id).await?;
        }
        Ok(id)
    }

    /// Polls `GET /api/v1/media/:id` until 200 (206 while processing), within the configured
    /// limit.
    async fn wait_for_media(&self, id: &str) -> Result<(), ConnectorError> {
        let limit = self.config.media_wait_limit;
        let deadline = tokio::time::Instant::now() + limit;
        let path = format!("/api/v1/media/{}", segment(id));
        loop {
            let now = tokio::time::Instant::now();
            if now >= deadline {
                return Err(ConnectorError::Unavailable {
                    retry_after: None,
                    detail: format!(
                        "the instance was still processing medium {id} after {} s; publishing \
                         again uploads it again",
                        limit.as_secs_f32()
                    ),
                });
            }
            tokio::time::sleep(self.config.media_poll_interval.min(deadline - now)).await;
            let (status, _, _) = self.send(Method::GET, &path, &[], None, None).await?;
            if status == StatusCode::OK {
                return Ok(());
            }
        }
    }
}

/// Refuses what Mastodon would refuse anyway, before anything is uploaded.
fn check_post(post: &OutboundPost) -> Result<(), ConnectorError> {
    if post.text.trim().is_empty() && post.media.is_empty() {
        return Err(ConnectorError::Refused(
            "the post has neither text nor media; Mastodon needs one of them".to_owned(),
        ));
    }
    if post.media.len() > MAX_MEDIA {
        return Err(ConnectorError::Refused(format!(
            "the post has {} media; Mastodon takes at most {MAX_MEDIA}: remove {}",
            post.media.len(),
            post.media.len() - MAX_MEDIA
        )));
    }
    Ok(())
}

/// Text as compared in [`Publisher::find_published`]: whitespace runs become one space, and a
/// remote mention `@name@instance` becomes `@name`, because Mastodon's HTML shows only the
/// name.
fn comparable_text(text: &str) -> String {
    text.split_whitespace()
        .map(
            |word| match word.strip_prefix('@').and_then(|w| w.split_once('@')) {
                Some((name, _)) if !name.is_empty() => format!("@{name}"),
                _ => word.to_owned(),
            },
        )
        .collect::<Vec<_>>()
        .join(" ")
}

/// One of our statuses as `POST /api/v1/statuses`, `GET /api/v1/statuses/:id` and the account
/// timeline show it.
#[derive(Deserialize)]
struct OwnStatus {
    id: Option<String>,
    created_at: Option<String>,
    content: Option<String>,
    url: Option<String>,
    uri: Option<String>,
    reblog: Option<serde_json::Value>,
    #[serde(default)]
    favourites_count: u64,
    #[serde(default)]
    replies_count: u64,
    #[serde(default)]
    reblogs_count: u64,
    #[serde(default)]
    quotes_count: u64,
}

impl OwnStatus {
    fn created(&self) -> Option<Timestamp> {
        self.created_at.as_deref()?.parse().ok()
    }

    fn comparable_text(&self) -> String {
        comparable_text(&html_to_text(self.content.as_deref().unwrap_or_default()))
    }

    fn published(&self) -> Result<Published, ConnectorError> {
        let id = self
            .id
            .clone()
            .filter(|id| !id.is_empty())
            .ok_or_else(|| ConnectorError::Malformed("a status without an id".to_owned()))?;
        Ok(Published {
            external_id: id,
            url: self.url.clone().or_else(|| self.uri.clone()),
        })
    }
}

#[derive(Deserialize)]
struct MediaAttachment {
    id: Option<String>,
    url: Option<String>,
}

/// A stable key for one reply: the same parent and text give the same key.
#[must_use]
pub fn idempotency_key(parent: &ExternalId, text: &str) -> String {
    let mut hash = Sha256::new();
    hash.update(b"humas-mastodon-reply\0");
    hash.update(parent.as_ref().as_bytes());
    hash.update(b"\0");
    hash.update(text.as_bytes());
    hex::encode(&hash.finalize()[..16])
}

/// Prefixes `@acct` unless the text already names them.
fn addressed(text: &str, acct: Option<&str>) -> String {
    match acct.map(str::trim).filter(|a| !a.is_empty()) {
        Some(acct) if !text.contains(&format!("@{acct}")) => format!("@{acct} {text}"),
        _ => text.to_owned(),
    }
}

fn segment(id: &str) -> String {
    utf8_percent_encode(id, NON_ALPHANUMERIC).to_string()
}

// ---------------------------------------------------------------------------------------------
// Cursor and page mapping

/// The saved position; see the module documentation.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
struct Cursor {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    min_id: Option<String>,
    /// Backfill: the newest notification id of the walk (becomes `min_id` when it ends).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    top: Option<String>,
    /// Backfill: the next page holds notifications older than this id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    max_id: Option<String>,
    /// Backfill: nothing older is read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    since: Option<Timestamp>,
    /// Backfill: notifications still allowed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    left: Option<u32>,
}

impl Cursor {
    fn decode(raw: Option<&str>) -> Result<Self, ConnectorError> {
        match raw {
            None => Ok(Self::default()),
            Some(raw) => serde_json::from_str(raw).map_err(|e| {
                ConnectorError::Target(format!(
                    "saved Mastodon cursor {raw:?} is not one this connector wrote ({e}); clear \
                     the account's cursor to start from the newest mentions"
                ))
            }),
        }
    }

    /// The start of a first poll's walk back through history.
    fn backfill(now: Timestamp, bound: Backfill) -> Self {
        Self {
            since: now.checked_sub(bound.max_age).ok(),
            left: Some(bound.max_items),
            ..Self::default()
        }
    }

    /// Whether this is a first poll's walk (not forward polling).
    const fn is_walk(&self) -> bool {
        self.min_id.is_none() && self.left.is_some()
    }
}

/// Mastodon ids are decimal strings; a longer one is larger.
fn id_order(id: &str) -> (usize, &str) {
    (id.len(), id)
}

impl MastodonClient {
    fn page_from_notifications(
        &self,
        items: Vec<serde_json::Value>,
        link: Option<&str>,
        state: &Cursor,
        limit: usize,
    ) -> Page {
        let now = Timestamp::now();
        let count = items.len();
        let mut page = Page::default();
        let mut newest: Option<String> = None;
        let mut read: Vec<(String, Inbound)> = Vec::new();
        for value in items {
            let id = value
                .get("id")
                .and_then(serde_json::Value::as_str)
                .map(str::to_owned);
            if let Some(id) = &id
                && newest.as_deref().is_none_or(|n| id_order(id) > id_order(n))
            {
                newest = Some(id.clone());
            }
            let status_id = value
                .pointer("/status/id")
                .and_then(serde_json::Value::as_str)
                .map(str::to_owned);
            match serde_json::from_value::<Notification>(value) {
                Ok(n) if n.kind != "mention" => {}
                Ok(n) => match self.inbound_from_notification(&n, now) {
                    Ok(message) => read.push((n.id.unwrap_or_default(), message)),
                    Err(reason) => page.rejected.push(Rejected {
                        external_id: status_id.or(n.id),
                        reason,
                    }),
                },
                Err(e) => page.rejected.push(Rejected {
                    external_id: status_id.or(id),
                    reason: format!("notification does not have the documented shape: {e}"),
                }),
            }
        }
        // Mastodon lists newest first; the inbox wants oldest first.
        read.sort_by(|a, b| id_order(&a.0).cmp(&id_order(&b.0)));
        page.messages = read.into_iter().map(|(_, m)| m).collect();
        let next_min = link.and_then(prev_min_id).or(newest);
        let next = Cursor {
            min_id: next_min.or_else(|| state.min_id.clone()),
            ..Cursor::default()
        };
        page.more = count >= limit;
        page.cursor =
            (count > 0 && next != *state).then(|| serde_json::to_string(&next).unwrap_or_default());
        page
    }

    /// A page of the first poll's walk back through history (see the module documentation).
    fn page_from_walk(
        &self,
        items: Vec<serde_json::Value>,
        link: Option<&str>,
        state: &Cursor,
        limit: u8,
    ) -> Page {
        let count = items.len();
        let mut left = state.left.unwrap_or(0);
        let mut bound_reached = left == 0;
        let mut oldest: Option<String> = None;
        let mut kept = Vec::with_capacity(count);
        // Newest first: once one is past the bound, every later one is too.
        for value in items {
            let id = value
                .get("id")
                .and_then(serde_json::Value::as_str)
                .map(str::to_owned);
            if let Some(id) = &id
                && oldest.as_deref().is_none_or(|o| id_order(id) < id_order(o))
            {
                oldest = Some(id.clone());
            }
            if bound_reached {
                continue;
            }
            let created = value
                .get("created_at")
                .or_else(|| value.pointer("/status/created_at"))
                .and_then(serde_json::Value::as_str)
                .and_then(|t| t.parse::<Timestamp>().ok());
            if let (Some(created), Some(since)) = (created, state.since)
                && created < since
            {
                bound_reached = true;
                continue;
            }
            if left == 0 {
                bound_reached = true;
                continue;
            }
            left -= 1;
            kept.push(value);
        }
        // The newest of the walk is on its first page: the position just past it.
        let top = state
            .top
            .clone()
            .or_else(|| link.and_then(prev_min_id))
            .or_else(|| {
                kept.iter()
                    .filter_map(|v| v.get("id").and_then(serde_json::Value::as_str))
                    .max_by(|a, b| id_order(a).cmp(&id_order(b)))
                    .map(str::to_owned)
            });
        let mut page = self.page_from_notifications(kept, None, &Cursor::default(), usize::MAX);
        let next_max = link.and_then(next_max_id).or(oldest);
        let walk_on =
            !bound_reached && left > 0 && count >= usize::from(limit) && next_max.is_some();
        let next = if walk_on {
            Cursor {
                top: top.clone(),
                max_id: next_max,
                since: state.since,
                left: Some(left),
                ..Cursor::default()
            }
        } else {
            Cursor {
                min_id: top.clone(),
                ..Cursor::default()
            }
        };
        page.more = walk_on;
        // Nothing at all yet (a new account): no cursor, the next poll starts a walk again.
        page.cursor = (top.is_some() && next != *state)
            .then(|| serde_json::to_string(&next).unwrap_or_default());
        page
    }

    fn inbound_from_notification(
        &self,
        n: &Notification,
        now: Timestamp,
    ) -> Result<Inbound, String> {
        let status = n.status.as_ref().ok_or("mention without a status")?;
        let id = status.id.as_deref().ok_or("status has no id")?;
        let external_id = ExternalId::parse(id).map_err(|e| format!("status id: {e}"))?;
        let account = status
            .account
            .as_ref()
            .or(n.account.as_ref())
            .ok_or("mention without an account")?;
        let author = Author::parse(
            &format!("@{}", account.acct),
            account.display_name.as_deref(),
        )
        .map_err(|e| format!("author: {e}"))?;
        let created = status
            .created_at
            .as_deref()
            .or(n.created_at.as_deref())
            .ok_or("status has no created_at")?;
        let published_at: Timestamp = created
            .parse()
            .map_err(|e| format!("created_at {created:?} is not an ISO 8601 time: {e}"))?;
        let parent = status
            .in_reply_to_id
            .as_deref()
            .map(ExternalId::parse)
            .transpose()
            .map_err(|e| format!("in_reply_to_id: {e}"))?;
        let kind = if status.visibility.as_deref() == Some("direct") {
            MessageKind::Direct
        } else if parent.is_some() {
            MessageKind::Reply
        } else {
            MessageKind::Mention
        };
        Inbound {
            platform: Platform::Mastodon,
            external_id,
            kind,
            author,
            text: html_to_text(status.content.as_deref().unwrap_or_default()),
            title: None,
            permalink: status.url.clone().or_else(|| status.uri.clone()),
            parent_external_id: parent,
            // Mastodon names only the direct parent; the root needs `/context`.
            thread_external_id: None,
            published_at,
        }
        .checked(now)
        .map_err(|e| e.to_string())
    }
}

/// The `min_id` of the `rel="prev"` link: the position just past the newest item returned.
fn prev_min_id(link: &str) -> Option<String> {
    link_param(link, "prev", "min_id")
}

/// The `max_id` of the `rel="next"` link: the next page, older than the items returned.
fn next_max_id(link: &str) -> Option<String> {
    link_param(link, "next", "max_id")
}

/// The query parameter `param` of the link with relation `rel` in a `Link` header.
fn link_param(link: &str, rel: &str, param: &str) -> Option<String> {
    link.split(',').find_map(|part| {
        let (target, params) = part.split_once(';')?;
        let has_rel = params
            .split(';')
            .any(|p| p.trim().trim_start_matches("rel=").trim_matches('"') == rel);
        if !has_rel {
            return None;
        }
        let target = target.trim().trim_start_matches('<').trim_end_matches('>');
        let url = url::Url::parse(target).ok()?;
        url.query_pairs()
            .find(|(k, _)| k == param)
            .map(|(_, v)| v.into_owned())
            .filter(|v| !v.is_empty())
    })
}

// ---------------------------------------------------------------------------------------------
// HTML content to plain text

/// Mastodon's sanitised status HTML as plain text: tags removed, entities decoded, a line break
/// for `<br>` and a blank line between paragraphs (`</p>`).
#[must_use]
pub fn html_to_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(lt) = rest.find(['<', '&']) {
        out.push_str(&rest[..lt]);
        rest = &rest[lt..];
        if rest.starts_with('<') {
            let Some(gt) = rest.find('>') else {
                // An unclosed tag: the rest is not text.
                rest = "";
                break;
            };
            push_tag_break(&mut out, &rest[1..gt]);
            rest = &rest[gt + 1..];
        } else {
            let (decoded, used) = decode_entity(rest);
            out.push_str(&decoded);
            rest = &rest[used..];
        }
    }
    out.push_str(rest);
    out.trim_end().trim_start_matches('\n').to_owned()
}

fn push_tag_break(out: &mut String, tag: &str) {
    let name: String = tag
        .trim()
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '/')
        .collect::<String>()
        .to_ascii_lowercase();
    match name.as_str() {
        "br" | "br/" => out.push('\n'),
        "/p" => out.push_str("\n\n"),
        _ => {}
    }
}

/// Decodes one entity at the start of `s` (which starts with `&`); returns the text and the
/// bytes consumed. Anything unrecognised stays as written.
fn decode_entity(s: &str) -> (String, usize) {
    let Some(end) = s[1..].find(';').map(|i| i + 1).filter(|e| *e <= 12) else {
        return ("&".to_owned(), 1);
    };
    let name = &s[1..end];
    let named = match name {
        "amp" => Some('&'),
        "lt" => Some('<'),
        "gt" => Some('>'),
        "quot" => Some('"'),
        "apos" | "#39" => Some('\''),
        "nbsp" => Some(' '),
        _ => None,
    };
    let numeric = || {
        let digits = name.strip_prefix('#')?;
        let code = match digits.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => digits.parse().ok()?,
        };
        char::from_u32(code).filter(|c| !c.is_control() || *c == '\n')
    };
    match named.or_else(numeric) {
        Some(c) => (c.to_string(), end + 1),
        None => ("&".to_owned(), 1),
    }
}

// ---------------------------------------------------------------------------------------------
// Wire shapes (section 6.2)

#[derive(Deserialize)]
struct Notification {
    id: Option<String>,
    #[serde(rename = "type")]
    kind: String,
    created_at: Option<String>,
    account: Option<Account>,
    status: Option<Status>,
}

#[derive(Deserialize)]
struct Account {
    acct: String,
    display_name: Option<String>,
}

#[derive(Deserialize)]
struct Status {
    id: Option<String>,
    created_at: Option<String>,
    in_reply_to_id: Option<String>,
    visibility: Option<String>,
    content: Option<String>,
    url: Option<String>,
    uri: Option<String>,
    account: Option<Account>,
}

#[derive(Default, Deserialize)]
struct ErrorBody {
    error: Option<String>,
    error_description: Option<String>,
}

// ---------------------------------------------------------------------------------------------
// Errors

async fn error_from_response(response: Response) -> ConnectorError {
    let status = response.status();
    let wait = reset_in(&response, Timestamp::now()).or_else(|| retry_after(&response));
    let body = read_body(response).await.unwrap_or_default();
    let error: ErrorBody = serde_json::from_slice(&body).unwrap_or_default();
    let mut detail = format!("HTTP {}", status.as_u16());
    for part in [error.error, error.error_description].into_iter().flatten() {
        detail.push_str(": ");
        detail.push_str(&part);
    }
    match status.as_u16() {
        401 => ConnectorError::TokenExpired(detail),
        403 => ConnectorError::Forbidden(detail),
        404 | 410 => ConnectorError::NotFound(detail),
        429 => ConnectorError::RateLimited {
            retry_after: wait,
            detail,
        },
        500..=599 => ConnectorError::Unavailable {
            retry_after: wait,
            detail,
        },
        _ => ConnectorError::Refused(detail),
    }
}

/// The wait until `X-RateLimit-Reset`, an ISO 8601 time (`2025-01-01T03:05:00.000000Z`
/// \[verify\]), at most a day; zero once it passed.
fn reset_in(response: &Response, now: Timestamp) -> Option<Duration> {
    let raw = response.headers().get("x-ratelimit-reset")?.to_str().ok()?;
    let reset: Timestamp = raw.trim().parse().ok()?;
    let wait = reset
        .as_second()
        .saturating_sub(now.as_second())
        .clamp(0, 86_400);
    Some(Duration::from_secs(wait.unsigned_abs()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_becomes_text_with_line_breaks() {
        let html = "<p><span class=\"h-card\"><a href=\"https://social.example/@humas\" \
                    class=\"u-url mention\">@<span>humas</span></a></span> lampu jalan mati<br>\
                    di Jl. Merdeka &amp; Jl. Sudirman</p><p>Sejak &quot;kemarin&quot; &#8212; \
                    &lt;3 &#x1F64F;&nbsp;ok &bogus; a&b</p>";
        assert_eq!(
            html_to_text(html),
            "@humas lampu jalan mati\ndi Jl. Merdeka & Jl. Sudirman\n\nSejak \"kemarin\" — <3 🙏 ok &bogus; a&b"
        );
        assert_eq!(html_to_text("<p>a<br/>b<br />c</p>"), "a\nb\nc");
        assert_eq!(html_to_text("teks <unclosed"), "teks");
        assert_eq!(html_to_text("&#0; &#x110000; &"), "&#0; &#x110000; &");
    }

    #[test]
    fn the_prev_link_gives_the_next_min_id() {
        let link = "<https://social.example/api/v1/notifications?max_id=34975535>; rel=\"next\", \
                    <https://social.example/api/v1/notifications?min_id=34975861>; rel=\"prev\"";
        assert_eq!(prev_min_id(link).as_deref(), Some("34975861"));
        assert_eq!(prev_min_id("<https://x/?max_id=1>; rel=\"next\""), None);
        assert_eq!(prev_min_id("garbage"), None);
    }

    #[test]
    fn compared_text_ignores_whitespace_and_remote_instances() {
        assert_eq!(
            comparable_text("  Halo\n\n@warga@other.example  cek #Banjir "),
            "Halo @warga cek #Banjir"
        );
        assert_eq!(comparable_text("a@b.c @ @@x"), "a@b.c @ @@x");
    }

    #[test]
    fn replies_are_addressed_and_keys_stable() {
        assert_eq!(
            addressed("Terima kasih", Some("warga@other.example")),
            "@warga@other.example Terima kasih"
        );
        assert_eq!(
            addressed("@warga terima kasih", Some("warga")),
            "@warga terima kasih"
        );
        let parent = ExternalId::parse("1").unwrap();
        assert_eq!(idempotency_key(&parent, "a"), idempotency_key(&parent, "a"));
        assert_ne!(idempotency_key(&parent, "a"), idempotency_key(&parent, "b"));
    }
}
