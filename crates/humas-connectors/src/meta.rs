//! Meta Graph API: comments on a Facebook Page's posts and on an Instagram professional
//! account's media, by polling and by webhook; replies, hiding and deleting.
//!
//! # Polling ("catch-up")
//!
//! Meta has no "all new comments" edge, so a poll walks a *sweep*: list the recent posts
//! (`GET /{page-id}/published_posts?since=…`) or media (`GET /{ig-user-id}/media`) of the
//! last [`MetaConfig::lookback`], then each one's comments
//! (`GET /{post-id}/comments?filter=stream&order=reverse_chronological` on Facebook,
//! `GET /{media-id}/comments` with nested `replies` on Instagram), following
//! `paging.cursors.after` while `paging.next` is present. One poll makes at most two requests
//! (a listing page and a comment page, or one page of replies) and returns `more: true` until
//! the sweep is done.
//!
//! **Replies.** Facebook's `filter=stream` lists replies at every level in the same listing as
//! the comments, so they page with it. Instagram nests the first [`NESTED_REPLIES`] replies
//! of each comment (`replies.limit(50){…}`); a comment with more has `replies.paging.next`,
//! and the rest are read from `GET /{ig-comment-id}/replies` with that `after` cursor, one
//! page per poll, before the next page of comments. At most [`MetaConfig::reply_pages`] such
//! pages per comment per sweep, so one viral comment cannot spend the rate limit; replies past
//! that are reported in [`Page::rejected`] (the webhook still delivers new ones). Nested or
//! listed replies whose `paging` cannot be followed (`next` without an `after` cursor, or not
//! a list at all) are reported the same way with the reason, and the sweep goes on: the same
//! answer would come back on every retry.
//!
//! On Facebook a post's comments come newest first, so paging stops once a page reaches
//! comments older than the start of the previous sweep (minus [`MetaConfig::overlap`] for clock
//! skew): anything newer was not yet seen. Instagram documents no order for comments, so all
//! pages are read. Comments repeat across sweeps; the store deduplicates by id.
//!
//! Comments on posts older than the lookback window are not polled: the webhook delivers them.
//!
//! **Cursor** (opaque to callers) is JSON:
//! `{"v":1,"last_sweep":<unix s of the last completed sweep's start>|null,
//!   "sweep":{"started":<unix s>,"posts_after":"<listing cursor>"|null,"posts_done":bool,
//!            "queue":[{"id":"…","permalink":"…"|null}],"comments_after":"<cursor>"|null,
//!            "reply_comments":[{"comment":"…","post":{…},"after":"<cursor>"}],
//!            "reply_pages":<pages read of reply_comments[0]>}|null}`.
//! `queue[0]` is the post being read and `comments_after` the position inside it;
//! `reply_comments[0]` is the Instagram comment whose further replies are being read, with
//! `after` the position inside them (the two reply fields are absent from older cursors). A
//! cursor is only returned after the messages it covers, so polling again with an old cursor
//! re-reads, never skips. A cursor that cannot be read starts a fresh sweep over the lookback window.
//!
//! # Webhooks
//!
//! [`handshake`] answers the subscription `GET`, [`verify_signature`] checks
//! `X-Hub-Signature-256` over the exact body bytes, [`parse_webhook`] turns a delivery into
//! messages (only `verb: add` of comments; edits, removals, hides and other items are listed in
//! [`WebhookBatch::ignored`] so the caller can log and drop them).
//!
//! # Errors
//!
//! Meta answers errors with HTTP 400 (sometimes 403/500) and a JSON `error.code`; the code
//! decides: 4, 17, 32, 613, 80001, 80002 → [`ConnectorError::RateLimited`] with the wait from
//! `X-Business-Use-Case-Usage.estimated_time_to_regain_access` (minutes); 190 and 102 →
//! [`ConnectorError::TokenExpired`] (Page tokens have no refresh: reconnect);
//! 10 and 200–299 → [`ConnectorError::Forbidden`]; 1, 2 or `is_transient` → unavailable;
//! 100 with subcode 33 → [`ConnectorError::NotFound`]; Instagram's "media not ready"
//! (9007 / subcode 2207027) → unavailable.
//!
//! # Publishing (issue 5)
//!
//! [`MetaClient`] is also the account's [`Publisher`] (sections 2.2, 2.5–2.7).
//!
//! * **Facebook Page:** text (and the first link in it) → `POST /{page-id}/feed`; one photo →
//!   `POST /{page-id}/photos` with the file as multipart `source`; several photos → each
//!   uploaded unpublished, then one `POST /{page-id}/feed` with `attached_media[i]`; a video →
//!   `POST /{page-id}/videos` on [`MetaConfig::video_api_base`]. Photos and a video do not mix
//!   in one Facebook post.
//! * **Instagram:** Meta fetches every file itself, so each medium needs a public address; a
//!   container per medium (children and a `CAROUSEL` parent for several), checked until
//!   `FINISHED`, then the publishing quota is read and `media_publish` called exactly once.
//! * **Reconciliation** ([`Publisher::find_published`]) lists the account's posts made since the
//!   intent (minus 5 s for clock skew) and matches the text with whitespace normalised. Only
//!   the newest page is read: posts made after the intent are few.

use std::time::Duration;

use async_trait::async_trait;
use hmac::{Hmac, Mac};
use humas_domain::inbox::{Author, ExternalId, Inbound, MessageKind};
use humas_domain::org::Platform;
use jiff::{SignedDuration, Timestamp};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use reqwest::Method;
use reqwest::header::{AUTHORIZATION, HeaderMap};
use reqwest::multipart::{Form, Part};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::Sha256;
use subtle::ConstantTimeEq;
use url::Url;

use crate::http::{Http, parse_json, read_body, transport_error};
use crate::outbound::{
    Engagement, MediaKind, OutboundMedia, OutboundPost, PublishOutcome, Published, Publisher,
};
use crate::{ConnectorError, Page, Poller, Rejected, Responder};

/// Which Graph object the account is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Surface {
    /// A Facebook Page (`object_id` is the Page id).
    FacebookPage,
    /// An Instagram professional account (`object_id` is the IG user id).
    Instagram,
}

impl Surface {
    /// The platform its messages belong to.
    #[must_use]
    pub const fn platform(self) -> Platform {
        match self {
            Self::FacebookPage => Platform::Facebook,
            Self::Instagram => Platform::Instagram,
        }
    }
}

/// How to reach one Page or Instagram account.
#[derive(Clone, Debug)]
pub struct MetaConfig {
    /// The account's `effective_api_base()`, e.g. `https://graph.facebook.com`.
    pub api_base: String,
    /// Graph version path segment, e.g. `v23.0`.
    pub api_version: String,
    /// Page or Instagram.
    pub surface: Surface,
    /// The Page id or Instagram user id.
    pub object_id: String,
    /// The Page access token (sent as `Authorization: Bearer`, never in a URL).
    pub access_token: SecretString,
    /// The app secret, when the app requires `appsecret_proof`.
    pub app_secret: Option<SecretString>,
    /// How far back posts are scanned for comments.
    pub lookback: SignedDuration,
    /// Re-read margin for clock differences between Meta and us.
    pub overlap: SignedDuration,
    /// `limit` for listings and comment pages (Meta allows up to 100).
    pub page_size: u32,
    /// Most pages of `GET /{ig-comment-id}/replies` read per comment per sweep, after the
    /// [`NESTED_REPLIES`] replies nested in the comment (0: only those).
    pub reply_pages: u32,
    /// Where Facebook video uploads go, e.g. `https://graph-video.facebook.com`; `None` sends
    /// them to [`Self::api_base`] (which Meta also accepts for single-request uploads).
    pub video_api_base: Option<String>,
    /// How Instagram containers are waited for before publishing.
    pub container_poll: ContainerPoll,
}

/// How long to wait for Instagram to finish a media container before publishing it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ContainerPoll {
    /// Wait between two status checks.
    pub interval: Duration,
    /// Most status checks per container. When they run out the publish fails as
    /// [`ConnectorError::Unavailable`]: nothing was published, so the next attempt starts over
    /// with new containers (unpublished ones expire on their own after 24 h).
    pub attempts: u32,
}

impl Default for ContainerPoll {
    /// Every 10 s for 5 minutes: Meta suggests checking about once a minute for at most five
    /// minutes \[verify\]; a little more often gets short videos out sooner.
    fn default() -> Self {
        Self {
            interval: Duration::from_secs(10),
            attempts: 30,
        }
    }
}

impl MetaConfig {
    /// A configuration with the defaults: Graph v23.0, 7 days of posts, 5 minutes of overlap,
    /// pages of 50, at most 20 further pages of replies per Instagram comment per sweep,
    /// videos uploaded to `api_base`, containers checked every 10 s for 5 minutes.
    #[must_use]
    pub fn new(
        api_base: impl Into<String>,
        surface: Surface,
        object_id: impl Into<String>,
        access_token: SecretString,
    ) -> Self {
        Self {
            api_base: api_base.into(),
            api_version: "v23.0".into(),
            surface,
            object_id: object_id.into(),
            access_token,
            app_secret: None,
            lookback: SignedDuration::from_hours(7 * 24),
            overlap: SignedDuration::from_mins(5),
            page_size: 50,
            reply_pages: 20,
            video_api_base: None,
            container_poll: ContainerPoll::default(),
        }
    }
}

/// `hex(HMAC-SHA256(key = app_secret, msg = access_token))`, the `appsecret_proof` parameter.
#[must_use]
pub fn appsecret_proof(app_secret: &str, access_token: &str) -> String {
    hex::encode(hmac_sha256(app_secret.as_bytes(), access_token.as_bytes()))
}

fn hmac_sha256(key: &[u8], msg: &[u8]) -> Vec<u8> {
    // Any key length is valid for HMAC; the fallback keeps this total without a panic path.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key)
        .unwrap_or_else(|_| <Hmac<Sha256> as Mac>::new(&Default::default()));
    mac.update(msg);
    mac.finalize().into_bytes().to_vec()
}

/// Why a webhook request was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WebhookError {
    /// No `X-Hub-Signature-256` header.
    #[error("missing X-Hub-Signature-256 header")]
    MissingSignature,
    /// The header is not `sha256=<64 hex digits>`.
    #[error("X-Hub-Signature-256 must be sha256= followed by 64 hex digits")]
    BadSignatureFormat,
    /// The signature does not match the body: wrong app secret or altered body.
    #[error("X-Hub-Signature-256 does not match the body: check the app secret")]
    Mismatch,
    /// `hub.mode` is not `subscribe`.
    #[error("hub.mode must be subscribe")]
    NotSubscribe,
    /// The verify token is wrong (answer 403).
    #[error("hub.verify_token does not match the configured verify token")]
    WrongVerifyToken,
    /// The challenge is missing or not a short token.
    #[error("hub.challenge must be 1–128 letters, digits, '-' or '_'")]
    BadChallenge,
}

/// Checks `X-Hub-Signature-256` (`sha256=<hex HMAC-SHA256(app_secret, raw body)>`) in constant
/// time. Pass the body exactly as received: Meta signs its escaped-unicode JSON bytes.
///
/// # Errors
/// [`WebhookError::MissingSignature`], [`WebhookError::BadSignatureFormat`],
/// [`WebhookError::Mismatch`].
pub fn verify_signature(
    app_secret: &[u8],
    body: &[u8],
    header: Option<&str>,
) -> Result<(), WebhookError> {
    let header = header.ok_or(WebhookError::MissingSignature)?;
    let given = header
        .trim()
        .strip_prefix("sha256=")
        .filter(|h| h.len() == 64)
        .and_then(|h| hex::decode(h).ok())
        .ok_or(WebhookError::BadSignatureFormat)?;
    let mut mac =
        <Hmac<Sha256> as Mac>::new_from_slice(app_secret).map_err(|_| WebhookError::Mismatch)?;
    mac.update(body);
    mac.verify_slice(&given).map_err(|_| WebhookError::Mismatch)
}

/// Answers the subscription handshake `GET ?hub.mode=subscribe&hub.challenge=…&hub.verify_token=…`:
/// the challenge to echo as the whole 200 body, or an error to answer with 403.
///
/// The challenge is limited to a short token so the endpoint cannot be used to reflect
/// arbitrary content.
///
/// # Errors
/// [`WebhookError::NotSubscribe`], [`WebhookError::WrongVerifyToken`],
/// [`WebhookError::BadChallenge`].
pub fn handshake(
    mode: Option<&str>,
    verify_token_given: Option<&str>,
    challenge: Option<&str>,
    verify_token_expected: &str,
) -> Result<String, WebhookError> {
    if mode != Some("subscribe") {
        return Err(WebhookError::NotSubscribe);
    }
    let given = verify_token_given.unwrap_or_default().as_bytes();
    let expected = verify_token_expected.as_bytes();
    // An empty expected token would accept an empty given one: never configured means refused.
    if expected.is_empty() || !bool::from(given.ct_eq(expected)) {
        return Err(WebhookError::WrongVerifyToken);
    }
    let challenge = challenge.unwrap_or_default();
    let token_like = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
    if challenge.is_empty() || challenge.len() > 128 || !challenge.chars().all(token_like) {
        return Err(WebhookError::BadChallenge);
    }
    Ok(challenge.to_owned())
}

/// A change in a webhook delivery that is not a new message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IgnoredChange {
    /// `feed`, `comments`, `mention`, `mentions`, …
    pub field: String,
    /// `comment`, `post`, `reaction`, … (Facebook `feed` only).
    pub item: Option<String>,
    /// `edited`, `remove`, `hide`, … when present.
    pub verb: Option<String>,
    /// The comment or post id, when present.
    pub object_id: Option<String>,
    /// Why it did not become a message.
    pub reason: String,
}

/// What one webhook delivery contained.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WebhookBatch {
    /// New comments and mentions (duplicates across deliveries are possible: dedupe by id).
    pub messages: Vec<Inbound>,
    /// For each of `messages`, the `entry[].id` it came in: the Page or Instagram account id,
    /// which tells the receiver which of its accounts the message belongs to.
    pub entry_ids: Vec<String>,
    /// Edits, removals, hides, reactions, posts…: reported so the caller can ignore them.
    pub ignored: Vec<IgnoredChange>,
    /// Changes that claimed to be new comments but did not validate.
    pub rejected: Vec<Rejected>,
}

/// Placeholder author for Facebook comments whose `from` Meta withholds from the app
/// (documented in section 2.3: tolerate a missing `from`).
pub const UNKNOWN_AUTHOR: &str = "facebook-user-unavailable";

/// Parses a verified webhook body (`{"object":"page"|"instagram","entry":[…]}`), received at
/// `received_at`. Never fails: an unusable body is one [`Rejected`] entry.
#[must_use]
pub fn parse_webhook(body: &[u8], received_at: Timestamp) -> WebhookBatch {
    let mut batch = WebhookBatch::default();
    let root: Value = match serde_json::from_slice(body) {
        Ok(v) => v,
        Err(e) => {
            batch.rejected.push(Rejected {
                external_id: None,
                reason: format!("webhook body is not JSON: {e}"),
            });
            return batch;
        }
    };
    let platform = match root.get("object").and_then(Value::as_str) {
        Some("page") => Platform::Facebook,
        Some("instagram") => Platform::Instagram,
        other => {
            batch.rejected.push(Rejected {
                external_id: None,
                reason: format!("webhook object {other:?} is neither \"page\" nor \"instagram\""),
            });
            return batch;
        }
    };
    let entries = root.get("entry").and_then(Value::as_array);
    for entry in entries.into_iter().flatten() {
        let entry_time = entry.get("time").and_then(Value::as_i64);
        let entry_id = match entry.get("id") {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Number(n)) => n.to_string(),
            _ => String::new(),
        };
        let changes = entry.get("changes").and_then(Value::as_array);
        for change in changes.into_iter().flatten() {
            let field = change
                .get("field")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let value = change.get("value").unwrap_or(&Value::Null);
            let outcome = match (platform, field) {
                (Platform::Facebook, "feed") => facebook_feed_change(value, received_at),
                (Platform::Facebook, "mention") => facebook_mention_change(value, received_at),
                (Platform::Instagram, "comments" | "live_comments") => {
                    instagram_comment_change(value, entry_time, received_at)
                }
                _ => Outcome::Ignored(ignored(field, value, "field not read by Humas")),
            };
            match outcome {
                Outcome::Message(m) => {
                    batch.messages.push(*m);
                    batch.entry_ids.push(entry_id.clone());
                }
                Outcome::Ignored(mut i) => {
                    field.clone_into(&mut i.field);
                    batch.ignored.push(i);
                }
                Outcome::Rejected(r) => batch.rejected.push(r),
            }
        }
    }
    batch
}

enum Outcome {
    Message(Box<Inbound>),
    Ignored(IgnoredChange),
    Rejected(Rejected),
}

fn ignored(field: &str, value: &Value, reason: &str) -> IgnoredChange {
    let s = |k: &str| value.get(k).and_then(Value::as_str).map(str::to_owned);
    IgnoredChange {
        field: field.to_owned(),
        item: s("item"),
        verb: s("verb"),
        object_id: s("comment_id")
            .or_else(|| s("id"))
            .or_else(|| s("post_id"))
            .or_else(|| s("media_id")),
        reason: reason.to_owned(),
    }
}

fn facebook_feed_change(value: &Value, received_at: Timestamp) -> Outcome {
    let item = value.get("item").and_then(Value::as_str);
    let verb = value.get("verb").and_then(Value::as_str);
    if item != Some("comment") {
        return Outcome::Ignored(ignored("feed", value, "not a comment"));
    }
    if verb != Some("add") {
        return Outcome::Ignored(ignored(
            "feed",
            value,
            "not a new comment (only verb add is read)",
        ));
    }
    let id = str_field(value, "comment_id");
    let post_id = str_field(value, "post_id");
    let parent_id = str_field(value, "parent_id");
    let created = value.get("created_time").and_then(unix_seconds);
    let draft = Draft {
        platform: Platform::Facebook,
        id,
        kind: None,
        author: facebook_author(value.get("from")),
        text: str_field(value, "message"),
        permalink: None,
        parent: parent_id.or(post_id),
        thread: post_id,
        published_at: created.ok_or("created_time missing or not Unix seconds"),
    };
    to_outcome(draft.build(received_at))
}

fn facebook_mention_change(value: &Value, received_at: Timestamp) -> Outcome {
    // [verify] Meta documents the mention value only loosely: item, verb, post_id, optional
    // comment_id and sender fields. Only a mention that carries its text becomes a message;
    // the rest is reported so the caller can fetch the post.
    let verb = value.get("verb").and_then(Value::as_str);
    let text = str_field(value, "message");
    if verb != Some("add") || text.is_none() {
        return Outcome::Ignored(ignored(
            "mention",
            value,
            "mention without text or not an addition: fetch the post to read it",
        ));
    }
    let id = str_field(value, "comment_id").or_else(|| str_field(value, "post_id"));
    let sender_id = str_field(value, "sender_id");
    let author = match sender_id {
        Some(handle) => {
            Author::parse(handle, str_field(value, "sender_name")).map_err(|e| e.to_string())
        }
        None => facebook_author(value.get("from")),
    };
    let created = value.get("created_time").and_then(unix_seconds);
    let draft = Draft {
        platform: Platform::Facebook,
        id,
        kind: Some(MessageKind::Mention),
        author,
        text,
        permalink: None,
        parent: None,
        thread: str_field(value, "post_id"),
        published_at: Ok(created.unwrap_or(received_at)),
    };
    to_outcome(draft.build(received_at))
}

fn instagram_comment_change(
    value: &Value,
    entry_time: Option<i64>,
    received_at: Timestamp,
) -> Outcome {
    let id = str_field(value, "id");
    let media_id = value.get("media").and_then(|m| str_field(m, "id"));
    let parent_id = str_field(value, "parent_id");
    // The comment event has no creation time of its own; the entry's time is when it happened.
    let published_at = entry_time
        .and_then(|t| unix_seconds(&Value::from(t)))
        .ok_or("entry time missing or not Unix seconds");
    let draft = Draft {
        platform: Platform::Instagram,
        id,
        kind: Some(if parent_id.is_some() {
            MessageKind::Reply
        } else {
            MessageKind::Comment
        }),
        author: instagram_author(value.get("from"), None),
        text: str_field(value, "text"),
        permalink: None,
        parent: parent_id.or(media_id),
        thread: media_id,
        published_at,
    };
    to_outcome(draft.build(received_at))
}

fn to_outcome(built: Result<Inbound, Rejected>) -> Outcome {
    match built {
        Ok(m) => Outcome::Message(Box::new(m)),
        Err(r) => Outcome::Rejected(r),
    }
}

fn str_field<'a>(value: &'a Value, key: &str) -> Option<&'a str> {
    value
        .get(key)
        .and_then(Value::as_str)
        .filter(|s| !s.trim().is_empty())
}

/// Unix seconds (or milliseconds, which some Instagram deliveries use [verify]).
fn unix_seconds(value: &Value) -> Option<Timestamp> {
    let n = value.as_i64()?;
    let seconds = if n > 100_000_000_000 { n / 1000 } else { n };
    Timestamp::from_second(seconds).ok()
}

/// Meta's `2025-03-22T18:20:04+0000` (offset without a colon), or RFC 3339.
///
/// # Errors
/// A message naming the value.
pub fn parse_graph_time(raw: &str) -> Result<Timestamp, String> {
    Timestamp::strptime("%Y-%m-%dT%H:%M:%S%z", raw)
        .or_else(|_| raw.parse::<Timestamp>())
        .map_err(|_| format!("time {raw:?} is not in Meta's format 2025-03-22T18:20:04+0000"))
}

fn facebook_author(from: Option<&Value>) -> Result<Author, String> {
    match from.and_then(|f| str_field(f, "id")) {
        Some(id) => Author::parse(id, from.and_then(|f| str_field(f, "name")))
            .map_err(|e| format!("author: {e}")),
        // Documented: Meta omits `from` when the commenter's data is not available to the app.
        None => Author::parse(UNKNOWN_AUTHOR, None).map_err(|e| format!("author: {e}")),
    }
}

fn instagram_author(from: Option<&Value>, username: Option<&str>) -> Result<Author, String> {
    let handle = username
        .or_else(|| from.and_then(|f| str_field(f, "username")))
        .or_else(|| from.and_then(|f| str_field(f, "id")));
    match handle {
        Some(h) => Author::parse(h, None).map_err(|e| format!("author: {e}")),
        None => Err("author: no username or from.id".into()),
    }
}

/// An item being turned into an [`Inbound`]; each field holds its own validation outcome.
struct Draft<'a> {
    platform: Platform,
    id: Option<&'a str>,
    kind: Option<MessageKind>,
    author: Result<Author, String>,
    text: Option<&'a str>,
    permalink: Option<&'a str>,
    parent: Option<&'a str>,
    thread: Option<&'a str>,
    published_at: Result<Timestamp, &'static str>,
}

impl Draft<'_> {
    fn build(self, received_at: Timestamp) -> Result<Inbound, Rejected> {
        let reject = |reason: String| Rejected {
            external_id: self.id.map(str::to_owned),
            reason,
        };
        let external_id = ExternalId::parse(self.id.unwrap_or_default())
            .map_err(|e| reject(format!("id: {e}")))?;
        let author = self.author.clone().map_err(&reject)?;
        let published_at = self.published_at.map_err(|e| reject(e.to_owned()))?;
        let optional = |raw: Option<&str>| raw.and_then(|s| ExternalId::parse(s).ok());
        let parent = optional(self.parent);
        let thread = optional(self.thread);
        let kind = self.kind.unwrap_or(match (&parent, &thread) {
            (Some(p), Some(t)) if p != t => MessageKind::Reply,
            _ => MessageKind::Comment,
        });
        Inbound {
            platform: self.platform,
            external_id,
            kind,
            author,
            text: self.text.unwrap_or_default().to_owned(),
            title: None,
            permalink: self.permalink.map(str::to_owned),
            parent_external_id: parent,
            thread_external_id: thread,
            published_at,
        }
        .checked(received_at)
        .map_err(|e| reject(e.to_string()))
    }
}

// ---------------------------------------------------------------------------------------------
// The client.

/// A Graph id as one path segment: ids are digits and underscores; anything else is encoded
/// so an id can never climb to another path.
const ID_SEGMENT: &AsciiSet = &NON_ALPHANUMERIC.remove(b'_').remove(b'-');

/// Replies nested in each Instagram comment of a comments page (`replies.limit(…)`); more are
/// read from the comment's `replies` edge.
pub const NESTED_REPLIES: u32 = 50;

/// Fields of an Instagram reply, nested or listed.
const IG_REPLY_FIELDS: &str = "id,text,timestamp,username,from,parent_id";

/// Reads and answers comments for one Page or Instagram account.
#[derive(Debug)]
pub struct MetaClient {
    http: Http,
    config: MetaConfig,
    /// `appsecret_proof`, derived from the token: as secret as the token itself.
    proof: Option<SecretString>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
struct Cursor {
    v: u8,
    last_sweep: Option<i64>,
    sweep: Option<Sweep>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
struct Sweep {
    started: i64,
    posts_after: Option<String>,
    posts_done: bool,
    queue: Vec<PostRef>,
    comments_after: Option<String>,
    /// Instagram comments with more replies than were nested, in the order met.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    reply_comments: Vec<ReplyRef>,
    /// Pages of `reply_comments[0]`'s `replies` edge read so far this sweep.
    #[serde(default, skip_serializing_if = "is_zero")]
    reply_pages: u32,
}

#[allow(
    clippy::trivially_copy_pass_by_ref,
    reason = "serde's skip_serializing_if"
)]
fn is_zero(n: &u32) -> bool {
    *n == 0
}

/// An Instagram comment whose replies continue past what was read, and where.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct ReplyRef {
    comment: String,
    /// The media it is on (thread and permalink of its replies).
    post: PostRef,
    /// `after` cursor of the next page of replies.
    after: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct PostRef {
    id: String,
    permalink: Option<String>,
}

/// A Graph list answer: `data` items kept as JSON so one bad item cannot spoil the page.
#[derive(Deserialize)]
struct Listing {
    data: Vec<Value>,
    #[serde(default)]
    paging: Option<Paging>,
}

#[derive(Deserialize)]
struct Paging {
    #[serde(default)]
    cursors: Option<Cursors>,
    #[serde(default)]
    next: Option<String>,
}

#[derive(Deserialize)]
struct Cursors {
    #[serde(default)]
    after: Option<String>,
}

impl Listing {
    /// The `after` cursor when another page exists (`paging.next` present), read from
    /// `paging.cursors.after` or, failing that, from the `next` URL itself. The `next` URL is
    /// never requested as given: it carries the token and could name another host.
    fn next_after(&self) -> Result<Option<String>, ConnectorError> {
        let Some(paging) = &self.paging else {
            return Ok(None);
        };
        let Some(next) = &paging.next else {
            return Ok(None);
        };
        // An empty cursor would read the first page again.
        if let Some(after) = paging
            .cursors
            .as_ref()
            .and_then(|c| c.after.clone())
            .filter(|a| !a.is_empty())
        {
            return Ok(Some(after));
        }
        Url::parse(next)
            .ok()
            .and_then(|u| {
                u.query_pairs()
                    .find(|(k, _)| k == "after")
                    .map(|(_, v)| v.into_owned())
            })
            .filter(|a| !a.is_empty())
            .map(Some)
            .ok_or_else(|| ConnectorError::Malformed("paging.next without an after cursor".into()))
    }
}

impl MetaClient {
    /// A client for one account.
    #[must_use]
    pub fn new(http: Http, config: MetaConfig) -> Self {
        let proof = config
            .app_secret
            .as_ref()
            .map(|s| appsecret_proof(s.expose_secret(), config.access_token.expose_secret()))
            .map(SecretString::from);
        Self {
            http,
            config,
            proof,
        }
    }

    /// `{base}/{version}/{segments joined}` with the query, checked against the SSRF rules.
    fn url(&self, segments: &[&str], query: &[(&str, &str)]) -> Result<Url, ConnectorError> {
        self.url_on(&self.config.api_base, segments, query)
    }

    /// [`Self::url`] on another host of the same API (the video upload host).
    fn url_on(
        &self,
        base: &str,
        segments: &[&str],
        query: &[(&str, &str)],
    ) -> Result<Url, ConnectorError> {
        let version = &self.config.api_version;
        let well_formed = version.starts_with('v')
            && version.len() > 1
            && version[1..].chars().all(|c| c.is_ascii_digit() || c == '.');
        if !well_formed {
            return Err(ConnectorError::Target(format!(
                "Graph API version {version:?} must look like v23.0"
            )));
        }
        let mut path = format!("/{version}");
        for s in segments {
            // A segment of dots would be resolved as "." or ".." even when percent-encoded.
            if s.is_empty() || s.chars().all(|c| c == '.') {
                return Err(ConnectorError::Target(format!(
                    "{s:?} is not a Graph object id"
                )));
            }
            path.push('/');
            path.extend(utf8_percent_encode(s, ID_SEGMENT));
        }
        let mut url = self.http.url(base, &path)?;
        {
            let mut pairs = url.query_pairs_mut();
            for (k, v) in query {
                pairs.append_pair(k, v);
            }
            if let Some(proof) = &self.proof {
                pairs.append_pair("appsecret_proof", proof.expose_secret());
            }
        }
        Ok(url)
    }

    async fn call(
        &self,
        method: Method,
        url: Url,
        form: &[(&str, &str)],
    ) -> Result<Value, ConnectorError> {
        let mut request = self.http.client().request(method.clone(), url).header(
            AUTHORIZATION,
            format!("Bearer {}", self.config.access_token.expose_secret()),
        );
        if method == Method::POST {
            request = request.form(form);
        }
        Self::execute(request).await
    }

    /// A `POST` with a multipart body (file uploads).
    async fn call_multipart(&self, url: Url, form: Form) -> Result<Value, ConnectorError> {
        let request = self.http.client().post(url).multipart(form).header(
            AUTHORIZATION,
            format!("Bearer {}", self.config.access_token.expose_secret()),
        );
        Self::execute(request).await
    }

    /// Sends a request and reads a Graph answer: JSON on success, [`graph_error`] otherwise.
    async fn execute(request: reqwest::RequestBuilder) -> Result<Value, ConnectorError> {
        let response = request.send().await.map_err(|e| transport_error(&e))?;
        let status = response.status();
        let headers = response.headers().clone();
        let body = read_body(response).await?;
        if status.is_success() {
            return parse_json(&body);
        }
        Err(graph_error(status.as_u16(), &headers, &body))
    }

    async fn get_listing(&self, url: Url) -> Result<Listing, ConnectorError> {
        let value = self.call(Method::GET, url, &[]).await?;
        serde_json::from_value(value)
            .map_err(|e| ConnectorError::Malformed(format!("list answer without data[]: {e}")))
    }

    fn read_cursor(raw: Option<&str>) -> Cursor {
        raw.and_then(|s| serde_json::from_str::<Cursor>(s).ok())
            .filter(|c| c.v == 1)
            .unwrap_or(Cursor {
                v: 1,
                ..Cursor::default()
            })
    }

    /// Lists the next page of recent posts (or media) into the sweep's queue.
    async fn list_posts(&self, sweep: &mut Sweep, window_start: i64) -> Result<(), ConnectorError> {
        let limit = self.config.page_size.to_string();
        let since = window_start.to_string();
        let mut query: Vec<(&str, &str)> = vec![("limit", &limit)];
        let (edge, fields, time_key, link_key) = match self.config.surface {
            Surface::FacebookPage => {
                query.push(("since", &since));
                (
                    "published_posts",
                    "id,created_time,permalink_url",
                    "created_time",
                    "permalink_url",
                )
            }
            Surface::Instagram => ("media", "id,timestamp,permalink", "timestamp", "permalink"),
        };
        query.push(("fields", fields));
        if let Some(after) = &sweep.posts_after {
            query.push(("after", after));
        }
        let url = self.url(&[&self.config.object_id, edge], &query)?;
        let listing = self.get_listing(url).await?;
        let mut reached_window_end = false;
        for post in &listing.data {
            let Some(id) = str_field(post, "id") else {
                continue;
            };
            let created = str_field(post, time_key).and_then(|t| parse_graph_time(t).ok());
            // Instagram's media edge has no `since`: stop at the first media older than the
            // window (the edge lists newest first).
            if created.is_some_and(|t| t.as_second() < window_start) {
                reached_window_end = true;
                continue;
            }
            sweep.queue.push(PostRef {
                id: id.to_owned(),
                permalink: str_field(post, link_key).map(str::to_owned),
            });
        }
        sweep.posts_after = listing.next_after()?;
        sweep.posts_done = sweep.posts_after.is_none() || reached_window_end;
        if sweep.posts_done {
            sweep.posts_after = None;
        }
        Ok(())
    }

    /// Reads one page of comments of `queue[0]`; returns the messages and whether the post is
    /// finished.
    async fn read_comments(
        &self,
        sweep: &mut Sweep,
        stop_before: i64,
        page: &mut Page,
        received_at: Timestamp,
    ) -> Result<(), ConnectorError> {
        let Some(post) = sweep.queue.first().cloned() else {
            return Ok(());
        };
        let limit = self.config.page_size.to_string();
        let ig_fields = format!(
            "id,text,timestamp,username,from,parent_id,hidden,replies.limit({NESTED_REPLIES}){{{IG_REPLY_FIELDS}}}"
        );
        let mut query: Vec<(&str, &str)> = vec![("limit", &limit)];
        match self.config.surface {
            Surface::FacebookPage => {
                // `stream`: replies at every level, in this same listing (the default
                // `toplevel` would leave them out).
                query.push(("filter", "stream"));
                query.push(("order", "reverse_chronological"));
                query.push((
                    "fields",
                    "id,message,from,created_time,parent{id},permalink_url,is_hidden",
                ));
            }
            Surface::Instagram => query.push(("fields", &ig_fields)),
        }
        if let Some(after) = &sweep.comments_after {
            query.push(("after", after));
        }
        let url = self.url(&[&post.id, "comments"], &query)?;
        let listing = match self.get_listing(url).await {
            Ok(l) => l,
            // The post was deleted since it was listed: nothing left to read there.
            Err(ConnectorError::NotFound(_)) => {
                sweep.queue.remove(0);
                sweep.comments_after = None;
                return Ok(());
            }
            Err(e) => return Err(e),
        };
        let mut older_seen = false;
        for item in &listing.data {
            let built = match self.config.surface {
                Surface::FacebookPage => facebook_comment(item, &post, received_at),
                Surface::Instagram => instagram_comment(item, None, &post, received_at),
            };
            // The raw time, so a comment rejected for another reason still marks the position.
            let created = str_field(item, "created_time")
                .or_else(|| str_field(item, "timestamp"))
                .and_then(|t| parse_graph_time(t).ok());
            older_seen |= created.is_some_and(|t| t.as_second() < stop_before);
            push(page, built);
            // Instagram nests a comment's first replies; they follow their comment.
            if let Some(replies) = item.get("replies") {
                self.nested_replies(
                    replies,
                    str_field(item, "id"),
                    &post,
                    sweep,
                    page,
                    received_at,
                );
            }
        }
        let ordered = self.config.surface == Surface::FacebookPage;
        let next = listing.next_after()?;
        match next {
            Some(after) if !(ordered && older_seen) => sweep.comments_after = Some(after),
            _ => {
                sweep.queue.remove(0);
                sweep.comments_after = None;
            }
        }
        Ok(())
    }

    /// Maps the replies nested in an Instagram comment and queues the comment when its
    /// replies go on past them.
    fn nested_replies(
        &self,
        replies: &Value,
        comment: Option<&str>,
        post: &PostRef,
        sweep: &mut Sweep,
        page: &mut Page,
        received_at: Timestamp,
    ) {
        let listing = match Listing::deserialize(replies) {
            Ok(l) => l,
            Err(e) => {
                page.rejected.push(Rejected {
                    external_id: comment.map(str::to_owned),
                    reason: format!("replies not read: nested replies are not a list ({e})"),
                });
                return;
            }
        };
        for reply in &listing.data {
            push(page, instagram_comment(reply, comment, post, received_at));
        }
        // A comment without an id was rejected above; its replies cannot be asked for.
        let Some(comment) = comment else {
            return;
        };
        match listing.next_after() {
            Ok(None) => {}
            Ok(Some(_)) if self.config.reply_pages == 0 => {
                page.rejected.push(replies_cut(comment, listing.data.len()));
            }
            Ok(Some(after)) => sweep.reply_comments.push(ReplyRef {
                comment: comment.to_owned(),
                post: post.clone(),
                after,
            }),
            Err(e) => page.rejected.push(Rejected {
                external_id: Some(comment.to_owned()),
                reason: format!(
                    "replies after the first {} not read: {e}",
                    listing.data.len()
                ),
            }),
        }
    }

    /// Reads one page of further replies of `reply_comments[0]` (Instagram):
    /// `GET /{ig-comment-id}/replies` from its `after` cursor.
    async fn read_replies(
        &self,
        sweep: &mut Sweep,
        page: &mut Page,
        received_at: Timestamp,
    ) -> Result<(), ConnectorError> {
        let Some(pending) = sweep.reply_comments.first().cloned() else {
            return Ok(());
        };
        let limit = self.config.page_size.to_string();
        let query = [
            ("limit", limit.as_str()),
            ("fields", IG_REPLY_FIELDS),
            ("after", pending.after.as_str()),
        ];
        let url = self.url(&[&pending.comment, "replies"], &query)?;
        let listing = match self.get_listing(url).await {
            Ok(l) => l,
            // The comment was deleted since it was read: its replies went with it.
            Err(ConnectorError::NotFound(_)) => {
                sweep.reply_comments.remove(0);
                sweep.reply_pages = 0;
                return Ok(());
            }
            Err(ConnectorError::Malformed(e)) => {
                return Err(ConnectorError::Malformed(format!(
                    "replies of comment {}: {e}",
                    pending.comment
                )));
            }
            Err(e) => return Err(e),
        };
        for reply in &listing.data {
            push(
                page,
                instagram_comment(reply, Some(&pending.comment), &pending.post, received_at),
            );
        }
        sweep.reply_pages += 1;
        let next = match listing.next_after() {
            Ok(next) => next,
            Err(e) => {
                page.rejected.push(Rejected {
                    external_id: Some(pending.comment.clone()),
                    reason: format!("further replies not read: {e}"),
                });
                None
            }
        };
        match (next, sweep.reply_comments.first_mut()) {
            (Some(after), Some(head)) if sweep.reply_pages < self.config.reply_pages => {
                head.after = after;
            }
            (next, _) => {
                if next.is_some() {
                    page.rejected.push(replies_cut(
                        &pending.comment,
                        NESTED_REPLIES as usize
                            + self.config.page_size as usize * sweep.reply_pages as usize,
                    ));
                }
                sweep.reply_comments.remove(0);
                sweep.reply_pages = 0;
            }
        }
        Ok(())
    }
}

/// The note for a comment whose replies go on past what one sweep reads.
fn replies_cut(comment: &str, read: usize) -> Rejected {
    Rejected {
        external_id: Some(comment.to_owned()),
        reason: format!(
            "replies after about the first {read} not read by polling this sweep (page limit per \
             comment); the webhook delivers new ones"
        ),
    }
}

fn push(page: &mut Page, built: Result<Inbound, Rejected>) {
    match built {
        Ok(m) => page.messages.push(m),
        Err(r) => page.rejected.push(r),
    }
}

fn facebook_comment(
    item: &Value,
    post: &PostRef,
    received_at: Timestamp,
) -> Result<Inbound, Rejected> {
    let parent = item.get("parent").and_then(|p| str_field(p, "id"));
    Draft {
        platform: Platform::Facebook,
        id: str_field(item, "id"),
        kind: None,
        author: facebook_author(item.get("from")),
        text: str_field(item, "message"),
        permalink: str_field(item, "permalink_url"),
        parent: parent.or(Some(post.id.as_str())),
        thread: Some(post.id.as_str()),
        published_at: graph_time_field(item, "created_time"),
    }
    .build(received_at)
}

fn instagram_comment(
    item: &Value,
    top_level: Option<&str>,
    post: &PostRef,
    received_at: Timestamp,
) -> Result<Inbound, Rejected> {
    let parent = str_field(item, "parent_id").or(top_level);
    Draft {
        platform: Platform::Instagram,
        id: str_field(item, "id"),
        kind: Some(if parent.is_some() {
            MessageKind::Reply
        } else {
            MessageKind::Comment
        }),
        author: instagram_author(item.get("from"), str_field(item, "username")),
        text: str_field(item, "text"),
        permalink: post.permalink.as_deref(),
        parent: parent.or(Some(post.id.as_str())),
        thread: Some(post.id.as_str()),
        published_at: graph_time_field(item, "timestamp"),
    }
    .build(received_at)
}

fn graph_time_field(item: &Value, key: &str) -> Result<Timestamp, &'static str> {
    match str_field(item, key) {
        None => Err("creation time missing"),
        Some(raw) => parse_graph_time(raw).map_err(|_| "creation time is not in Meta's format"),
    }
}

/// Maps a Graph error answer to a [`ConnectorError`] by `error.code`, not by the HTTP status.
fn graph_error(status: u16, headers: &HeaderMap, body: &[u8]) -> ConnectorError {
    let error = serde_json::from_slice::<Value>(body)
        .ok()
        .and_then(|v| v.get("error").cloned());
    let Some(error) = error else {
        let detail = format!(
            "HTTP {status}: {}",
            String::from_utf8_lossy(&body[..body.len().min(200)])
        );
        return crate::http::status_error(
            reqwest::StatusCode::from_u16(status).unwrap_or(reqwest::StatusCode::BAD_GATEWAY),
            None,
            detail,
        );
    };
    let code = error.get("code").and_then(Value::as_i64).unwrap_or(0);
    let subcode = error.get("error_subcode").and_then(Value::as_i64);
    let message = error
        .get("message")
        .and_then(Value::as_str)
        .unwrap_or("no message");
    let transient = error
        .get("is_transient")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let detail = match subcode {
        Some(s) => format!("code {code}/{s}: {message}"),
        None => format!("code {code}: {message}"),
    };
    match code {
        4 | 17 | 32 | 613 | 80001..=80009 => ConnectorError::RateLimited {
            retry_after: usage_wait(headers),
            detail: with_usage(detail, headers),
        },
        102 | 190 => ConnectorError::TokenExpired(detail),
        // Instagram's "media not ready" (a container published before it finished): trying
        // again later succeeds.
        9007 => ConnectorError::Unavailable {
            retry_after: None,
            detail,
        },
        _ if subcode == Some(2_207_027) => ConnectorError::Unavailable {
            retry_after: None,
            detail,
        },
        10 | 200..=299 => ConnectorError::Forbidden(detail),
        100 if subcode == Some(33) => ConnectorError::NotFound(detail),
        1 | 2 => ConnectorError::Unavailable {
            retry_after: None,
            detail,
        },
        _ if transient || status >= 500 => ConnectorError::Unavailable {
            retry_after: None,
            detail,
        },
        _ => ConnectorError::Refused(detail),
    }
}

/// The longest `estimated_time_to_regain_access` (minutes) in `X-Business-Use-Case-Usage`.
fn usage_wait(headers: &HeaderMap) -> Option<Duration> {
    let raw = headers.get("x-business-use-case-usage")?.to_str().ok()?;
    let usage: Value = serde_json::from_str(raw).ok()?;
    let minutes = usage
        .as_object()?
        .values()
        .filter_map(Value::as_array)
        .flatten()
        .filter_map(|u| {
            u.get("estimated_time_to_regain_access")
                .and_then(Value::as_u64)
        })
        .max()?;
    (minutes > 0).then(|| Duration::from_secs(minutes.min(24 * 60) * 60))
}

fn with_usage(detail: String, headers: &HeaderMap) -> String {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(|v| v.chars().take(300).collect::<String>())
    };
    match (header("x-business-use-case-usage"), header("x-app-usage")) {
        (Some(buc), _) => format!("{detail}; X-Business-Use-Case-Usage: {buc}"),
        (None, Some(app)) => format!("{detail}; X-App-Usage: {app}"),
        (None, None) => detail,
    }
}

#[async_trait]
impl Poller for MetaClient {
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
        if !sweep.reply_comments.is_empty() {
            self.read_replies(&mut sweep, &mut page, now).await?;
        } else {
            if sweep.queue.is_empty() && !sweep.posts_done {
                self.list_posts(&mut sweep, window_start).await?;
            }
            if !sweep.queue.is_empty() {
                self.read_comments(&mut sweep, stop_before, &mut page, now)
                    .await?;
            }
        }
        if sweep.queue.is_empty() && sweep.posts_done && sweep.reply_comments.is_empty() {
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

fn success(value: &Value) -> Result<(), ConnectorError> {
    if value.get("success").and_then(Value::as_bool) == Some(true) {
        Ok(())
    } else {
        Err(ConnectorError::Malformed(format!(
            "expected {{\"success\":true}}, got {}",
            value.to_string().chars().take(200).collect::<String>()
        )))
    }
}

#[async_trait]
impl Responder for MetaClient {
    /// Facebook: `POST /{parent}/comments`; Instagram: `POST /{parent}/replies` (Instagram
    /// attaches a reply to a reply to the top-level comment itself).
    async fn reply(
        &self,
        parent: &ExternalId,
        _thread: Option<&ExternalId>,
        text: &str,
    ) -> Result<ExternalId, ConnectorError> {
        if text.trim().is_empty() {
            return Err(ConnectorError::Refused("a reply needs text".into()));
        }
        let edge = match self.config.surface {
            Surface::FacebookPage => "comments",
            Surface::Instagram => "replies",
        };
        let url = self.url(&[parent.as_ref(), edge], &[])?;
        let value = self.call(Method::POST, url, &[("message", text)]).await?;
        let id = value.get("id").and_then(Value::as_str).unwrap_or_default();
        ExternalId::parse(id)
            .map_err(|_| ConnectorError::Malformed(format!("reply answer without an id: {value}")))
    }

    /// Facebook checks `can_hide` first (Meta refuses hiding some comments, e.g. the Page's
    /// own) and posts `is_hidden`; Instagram posts `hide`.
    async fn set_hidden(&self, id: &ExternalId, hidden: bool) -> Result<(), ConnectorError> {
        let flag = if hidden { "true" } else { "false" };
        let field = match self.config.surface {
            Surface::FacebookPage => {
                if hidden {
                    let url = self.url(&[id.as_ref()], &[("fields", "can_hide")])?;
                    let value = self.call(Method::GET, url, &[]).await?;
                    if value.get("can_hide").and_then(Value::as_bool) == Some(false) {
                        return Err(ConnectorError::Refused(format!(
                            "Meta does not allow hiding comment {id} (can_hide=false); delete it or leave it"
                        )));
                    }
                }
                "is_hidden"
            }
            Surface::Instagram => "hide",
        };
        let url = self.url(&[id.as_ref()], &[])?;
        success(&self.call(Method::POST, url, &[(field, flag)]).await?)
    }

    async fn delete(&self, id: &ExternalId) -> Result<(), ConnectorError> {
        let url = self.url(&[id.as_ref()], &[])?;
        success(&self.call(Method::DELETE, url, &[]).await?)
    }
}

// ---------------------------------------------------------------------------------------------
// Publishing (issue 5): sections 2.2, 2.5, 2.6, 2.7.

/// Why an Instagram post cannot go out without a public address for its files.
pub const INSTAGRAM_NEEDS_PUBLIC_URL: &str = "Instagram fetches media from a public address: set \
     Humas's public URL (public_base_url) so Instagram can reach the file";

/// The most items in one Instagram carousel.
pub const MAX_CAROUSEL_ITEMS: usize = 10;

/// Seconds of clock difference between Meta and us allowed when matching a post to an intent.
const CLOCK_SKEW_SECS: i64 = 5;

/// The text as compared during reconciliation: runs of whitespace become one space, ends
/// trimmed (Meta trims and may re-wrap what it stores).
fn comparable_text(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The first `http(s)://` link in `text`, without trailing punctuation.
fn first_link(text: &str) -> Option<&str> {
    text.split_whitespace()
        .map(|w| w.trim_start_matches(['(', '"', '\'', '<']))
        .find(|w| w.starts_with("https://") || w.starts_with("http://"))
        .map(|w| w.trim_end_matches(['.', ',', ';', ':', '!', '?', ')', '"', '\'', '>']))
        .filter(|w| w.len() > "https://".len())
}

/// A file as a multipart part, named and typed as the operator uploaded it.
fn file_part(media: &OutboundMedia) -> Result<Part, ConnectorError> {
    Part::bytes(media.bytes.as_ref().clone())
        .file_name(media.file_name.clone())
        .mime_str(&media.mime)
        .map_err(|_| {
            ConnectorError::Refused(format!(
                "{:?} is not a media type Meta can be sent (file {})",
                media.mime, media.file_name
            ))
        })
}

/// A string id from an answer, or a [`ConnectorError::Malformed`] naming what was expected.
fn answer_id<'a>(value: &'a Value, key: &str, what: &str) -> Result<&'a str, ConnectorError> {
    str_field(value, key).ok_or_else(|| {
        ConnectorError::Malformed(format!(
            "{what} answered without {key}: {}",
            value.to_string().chars().take(200).collect::<String>()
        ))
    })
}

fn facebook_url(id: &str) -> String {
    format!("https://www.facebook.com/{id}")
}

/// A count at `path` (`shares.count`, `comments.summary.total_count`), 0 when Meta leaves it
/// out (it omits `shares` for a post nobody shared).
fn count_at(value: &Value, path: &[&str]) -> u64 {
    path.iter()
        .try_fold(value, |v, key| v.get(key))
        .and_then(Value::as_u64)
        .unwrap_or(0)
}

/// `GET /{ig-user-id}/content_publishing_limit` (section 2.6).
#[derive(Deserialize)]
struct QuotaAnswer {
    #[serde(default)]
    data: Vec<QuotaEntry>,
}

#[derive(Deserialize)]
struct QuotaEntry {
    #[serde(default)]
    config: Option<QuotaConfig>,
    #[serde(default)]
    quota_usage: Option<u64>,
}

#[derive(Deserialize)]
struct QuotaConfig {
    quota_total: Option<u64>,
    quota_duration: Option<u64>,
}

/// What an Instagram container's `status_code` says.
enum ContainerState {
    Ready,
    Processing,
}

impl MetaClient {
    // ----- Facebook Page -----

    async fn publish_facebook(&self, post: &OutboundPost) -> Result<Published, ConnectorError> {
        let photos: Vec<&OutboundMedia> = post
            .media
            .iter()
            .filter(|m| m.kind == MediaKind::Image)
            .collect();
        let videos: Vec<&OutboundMedia> = post
            .media
            .iter()
            .filter(|m| m.kind == MediaKind::Video)
            .collect();
        match (photos.as_slice(), videos.as_slice()) {
            ([], []) => self.facebook_text_post(&post.text).await,
            ([photo], []) => self.facebook_photo_post(&post.text, photo).await,
            (photos, []) => self.facebook_album_post(&post.text, photos).await,
            ([], [video]) => self.facebook_video_post(&post.text, video).await,
            _ => Err(ConnectorError::Refused(
                "a Facebook post carries photos or one video, not both and not several videos: \
                 split it into separate posts"
                    .into(),
            )),
        }
    }

    /// `POST /{page-id}/feed` with `message` (and `link` for the first link, which gives the
    /// post its preview card).
    async fn facebook_text_post(&self, text: &str) -> Result<Published, ConnectorError> {
        if text.trim().is_empty() {
            return Err(ConnectorError::Refused(
                "a Facebook post needs text, a photo or a video".into(),
            ));
        }
        let mut form = vec![("message", text)];
        if let Some(link) = first_link(text) {
            form.push(("link", link));
        }
        let url = self.url(&[&self.config.object_id, "feed"], &[])?;
        let value = self.call(Method::POST, url, &form).await?;
        let id = answer_id(&value, "id", "POST /{page-id}/feed")?;
        Ok(Published {
            external_id: id.to_owned(),
            url: Some(facebook_url(id)),
        })
    }

    /// `POST /{page-id}/photos` with the file; the answer's `post_id` is the post.
    async fn facebook_photo_post(
        &self,
        text: &str,
        photo: &OutboundMedia,
    ) -> Result<Published, ConnectorError> {
        let value = self.upload_facebook_photo(text, photo, true).await?;
        // `post_id` is the feed post; `id` the photo, which Meta also shows at its own address.
        let id = str_field(&value, "post_id")
            .map_or_else(|| answer_id(&value, "id", "POST /{page-id}/photos"), Ok)?;
        Ok(Published {
            external_id: id.to_owned(),
            url: Some(facebook_url(id)),
        })
    }

    /// Each photo uploaded with `published=false`, then one feed post attaching them all.
    async fn facebook_album_post(
        &self,
        text: &str,
        photos: &[&OutboundMedia],
    ) -> Result<Published, ConnectorError> {
        let mut photo_ids = Vec::with_capacity(photos.len());
        for photo in photos {
            // The caption goes on the post, not on each photo.
            let value = self.upload_facebook_photo("", photo, false).await?;
            photo_ids.push(answer_id(&value, "id", "POST /{page-id}/photos")?.to_owned());
        }
        let keys: Vec<String> = (0..photo_ids.len())
            .map(|i| format!("attached_media[{i}]"))
            .collect();
        let values: Vec<String> = photo_ids
            .iter()
            .map(|id| serde_json::json!({ "media_fbid": id }).to_string())
            .collect();
        let mut form: Vec<(&str, &str)> = vec![("message", text)];
        form.extend(
            keys.iter()
                .map(String::as_str)
                .zip(values.iter().map(String::as_str)),
        );
        let url = self.url(&[&self.config.object_id, "feed"], &[])?;
        let value = self.call(Method::POST, url, &form).await?;
        let id = answer_id(&value, "id", "POST /{page-id}/feed")?;
        Ok(Published {
            external_id: id.to_owned(),
            url: Some(facebook_url(id)),
        })
    }

    async fn upload_facebook_photo(
        &self,
        caption: &str,
        photo: &OutboundMedia,
        published: bool,
    ) -> Result<Value, ConnectorError> {
        let mut form = Form::new().part("source", file_part(photo)?);
        if !caption.is_empty() {
            form = form.text("message", caption.to_owned());
        }
        if let Some(alt) = photo.alt_text.as_deref().filter(|a| !a.trim().is_empty()) {
            form = form.text("alt_text_custom", alt.to_owned());
        }
        if !published {
            form = form.text("published", "false");
        }
        let url = self.url(&[&self.config.object_id, "photos"], &[])?;
        self.call_multipart(url, form).await
    }

    /// `POST /{page-id}/videos` on the video host with the file and the text as `description`.
    async fn facebook_video_post(
        &self,
        text: &str,
        video: &OutboundMedia,
    ) -> Result<Published, ConnectorError> {
        let mut form = Form::new().part("source", file_part(video)?);
        if !text.is_empty() {
            form = form.text("description", text.to_owned());
        }
        let base = self
            .config
            .video_api_base
            .as_deref()
            .unwrap_or(&self.config.api_base);
        let url = self.url_on(base, &[&self.config.object_id, "videos"], &[])?;
        let value = self.call_multipart(url, form).await?;
        let id = answer_id(&value, "id", "POST /{page-id}/videos")?;
        Ok(Published {
            external_id: id.to_owned(),
            url: Some(facebook_url(id)),
        })
    }

    // ----- Instagram -----

    async fn publish_instagram(&self, post: &OutboundPost) -> Result<Published, ConnectorError> {
        let container = match post.media.as_slice() {
            [] => {
                return Err(ConnectorError::Refused(
                    "an Instagram post needs an image or a video".into(),
                ));
            }
            items if items.len() > MAX_CAROUSEL_ITEMS => {
                return Err(ConnectorError::Refused(format!(
                    "an Instagram carousel holds at most {MAX_CAROUSEL_ITEMS} images or videos; \
                     this post has {}",
                    items.len()
                )));
            }
            [single] => {
                let url = public_url(single)?;
                self.create_container(&single_container_form(single, url, &post.text))
                    .await?
            }
            items => self.create_carousel(items, &post.text).await?,
        };
        self.wait_until_ready(&container).await?;
        self.check_publishing_quota().await?;
        let url = self.url(&[&self.config.object_id, "media_publish"], &[])?;
        let value = self
            .call(Method::POST, url, &[("creation_id", &container)])
            .await?;
        let media_id = answer_id(&value, "id", "POST /{ig-user-id}/media_publish")?.to_owned();
        // The post is live whatever happens next: a missing link must not turn it into a
        // failure (which would invite a second post).
        let permalink = self.instagram_permalink(&media_id).await.ok().flatten();
        Ok(Published {
            external_id: media_id,
            url: permalink,
        })
    }

    /// Child containers (`is_carousel_item`), each video child waited for, then the parent.
    async fn create_carousel(
        &self,
        items: &[OutboundMedia],
        caption: &str,
    ) -> Result<String, ConnectorError> {
        // Every address is checked before the first container is made.
        let urls = items
            .iter()
            .map(public_url)
            .collect::<Result<Vec<_>, _>>()?;
        let mut children = Vec::with_capacity(items.len());
        for (item, url) in items.iter().zip(urls) {
            let id = self
                .create_container(&carousel_item_form(item, url))
                .await?;
            if item.kind == MediaKind::Video {
                // A carousel can only be made of finished children \[verify\]; images finish
                // at once, videos take a while.
                self.wait_until_ready(&id).await?;
            }
            children.push(id);
        }
        let children = children.join(",");
        let mut form = vec![("media_type", "CAROUSEL"), ("children", children.as_str())];
        if !caption.is_empty() {
            form.push(("caption", caption));
        }
        self.create_container(&form).await
    }

    /// `POST /{ig-user-id}/media` → the container id.
    async fn create_container(&self, form: &[(&str, &str)]) -> Result<String, ConnectorError> {
        let url = self.url(&[&self.config.object_id, "media"], &[])?;
        let value = self.call(Method::POST, url, form).await?;
        Ok(answer_id(&value, "id", "POST /{ig-user-id}/media")?.to_owned())
    }

    /// Checks `GET /{container-id}?fields=status_code,status` until `FINISHED`.
    async fn wait_until_ready(&self, container: &str) -> Result<(), ConnectorError> {
        let poll = self.config.container_poll;
        for attempt in 0..poll.attempts.max(1) {
            if attempt > 0 {
                tokio::time::sleep(poll.interval).await;
            }
            match self.container_state(container).await? {
                ContainerState::Ready => return Ok(()),
                ContainerState::Processing => {}
            }
        }
        Err(ConnectorError::Unavailable {
            retry_after: Some(poll.interval),
            detail: format!(
                "Instagram was still processing container {container} after {} checks; \
                 nothing was published, the next attempt starts again",
                poll.attempts.max(1)
            ),
        })
    }

    async fn container_state(&self, container: &str) -> Result<ContainerState, ConnectorError> {
        let url = self.url(&[container], &[("fields", "status_code,status")])?;
        let value = self.call(Method::GET, url, &[]).await?;
        let status = str_field(&value, "status").unwrap_or("no status given");
        match str_field(&value, "status_code") {
            // PUBLISHED cannot happen for a container only we know; treat it as ready and let
            // media_publish answer.
            Some("FINISHED" | "PUBLISHED") => Ok(ContainerState::Ready),
            Some("IN_PROGRESS") => Ok(ContainerState::Processing),
            Some("ERROR") => Err(ConnectorError::Refused(format!(
                "Instagram could not process the media (container {container}: {status}); \
                 check the file's format, size and aspect ratio"
            ))),
            Some("EXPIRED") => Err(ConnectorError::Refused(format!(
                "Instagram container {container} expired before it was published (containers \
                 live 24 hours); publish the post again"
            ))),
            other => Err(ConnectorError::Malformed(format!(
                "container {container} has status_code {other:?}, not one Meta documents"
            ))),
        }
    }

    /// Reads the rolling 24-hour publishing quota; a used-up quota is a rate limit.
    async fn check_publishing_quota(&self) -> Result<(), ConnectorError> {
        let url = self.url(
            &[&self.config.object_id, "content_publishing_limit"],
            &[("fields", "config,quota_usage")],
        )?;
        let value = self.call(Method::GET, url, &[]).await?;
        let answer: QuotaAnswer = serde_json::from_value(value).map_err(|e| {
            ConnectorError::Malformed(format!("content_publishing_limit answer: {e}"))
        })?;
        let Some(entry) = answer.data.first() else {
            // No figures: Meta still enforces the quota on media_publish itself.
            return Ok(());
        };
        let total = entry.config.as_ref().and_then(|c| c.quota_total);
        let window = entry.config.as_ref().and_then(|c| c.quota_duration);
        match (entry.quota_usage, total) {
            (Some(used), Some(total)) if used >= total => Err(ConnectorError::RateLimited {
                // The window is rolling: the oldest post leaves it at the latest one whole
                // window from now, so the window's length is a safe upper bound on the wait.
                retry_after: Some(Duration::from_secs(window.unwrap_or(86_400).min(86_400))),
                detail: format!(
                    "Instagram's publishing quota is used up: {used} of {total} posts in the last \
                     {} hours",
                    window.unwrap_or(86_400) / 3600
                ),
            }),
            _ => Ok(()),
        }
    }

    async fn instagram_permalink(&self, media_id: &str) -> Result<Option<String>, ConnectorError> {
        let url = self.url(&[media_id], &[("fields", "permalink")])?;
        let value = self.call(Method::GET, url, &[]).await?;
        Ok(str_field(&value, "permalink").map(str::to_owned))
    }

    // ----- Reconciliation and engagement -----

    /// Facebook: `GET /{page-id}/posts` since the intent; Instagram: the newest media. The first
    /// item whose text matches and that is not older than the intent is ours.
    async fn find_recent_post(
        &self,
        post: &OutboundPost,
    ) -> Result<Option<Published>, ConnectorError> {
        let earliest = post.intent_at.as_second() - CLOCK_SKEW_SECS;
        let since = earliest.to_string();
        let (edge, fields, text_key, time_key, link_key) = match self.config.surface {
            Surface::FacebookPage => (
                "posts",
                "id,message,created_time,permalink_url",
                "message",
                "created_time",
                "permalink_url",
            ),
            Surface::Instagram => (
                "media",
                "id,caption,timestamp,permalink",
                "caption",
                "timestamp",
                "permalink",
            ),
        };
        let mut query = vec![("fields", fields), ("limit", "50")];
        if self.config.surface == Surface::FacebookPage {
            query.push(("since", &since));
        }
        let url = self.url(&[&self.config.object_id, edge], &query)?;
        let listing = self.get_listing(url).await?;
        let wanted = comparable_text(&post.text);
        let found = listing.data.iter().find(|item| {
            let text = item.get(text_key).and_then(Value::as_str).unwrap_or("");
            let recent = str_field(item, time_key)
                .and_then(|t| parse_graph_time(t).ok())
                .is_some_and(|t| t.as_second() >= earliest);
            recent && comparable_text(text) == wanted && str_field(item, "id").is_some()
        });
        Ok(found.and_then(|item| {
            let id = str_field(item, "id")?;
            let url = str_field(item, link_key).map(str::to_owned).or_else(|| {
                (self.config.surface == Surface::FacebookPage).then(|| facebook_url(id))
            });
            Some(Published {
                external_id: id.to_owned(),
                url,
            })
        }))
    }

    async fn read_engagement(&self, id: &str) -> Result<Engagement, ConnectorError> {
        let fields = match self.config.surface {
            Surface::FacebookPage => {
                "shares,comments.summary(total_count).limit(0),reactions.summary(total_count).limit(0)"
            }
            Surface::Instagram => "like_count,comments_count",
        };
        let url = self.url(&[id], &[("fields", fields)])?;
        let value = self.call(Method::GET, url, &[]).await?;
        if !value.is_object() {
            return Err(ConnectorError::Malformed(format!(
                "engagement of {id} is not an object"
            )));
        }
        Ok(match self.config.surface {
            Surface::FacebookPage => Engagement {
                likes: count_at(&value, &["reactions", "summary", "total_count"]),
                comments: count_at(&value, &["comments", "summary", "total_count"]),
                shares: count_at(&value, &["shares", "count"]),
                views: None,
            },
            Surface::Instagram => Engagement {
                likes: count_at(&value, &["like_count"]),
                comments: count_at(&value, &["comments_count"]),
                shares: 0,
                views: None,
            },
        })
    }
}

/// The medium's public address, which Instagram needs to fetch it.
fn public_url(media: &OutboundMedia) -> Result<&str, ConnectorError> {
    media
        .public_url
        .as_deref()
        .filter(|u| !u.trim().is_empty())
        .ok_or_else(|| ConnectorError::Refused(INSTAGRAM_NEEDS_PUBLIC_URL.to_owned()))
}

/// A single-medium post: an image with caption and alt text, or a video as a Reel.
fn single_container_form<'a>(
    media: &'a OutboundMedia,
    url: &'a str,
    caption: &'a str,
) -> Vec<(&'a str, &'a str)> {
    let mut form = match media.kind {
        MediaKind::Image => {
            let mut form = vec![("image_url", url)];
            if let Some(alt) = media.alt_text.as_deref().filter(|a| !a.trim().is_empty()) {
                form.push(("alt_text", alt));
            }
            form
        }
        MediaKind::Video => vec![("media_type", "REELS"), ("video_url", url)],
    };
    if !caption.is_empty() {
        form.push(("caption", caption));
    }
    form
}

/// One carousel child: no caption (the parent carries it).
fn carousel_item_form<'a>(media: &'a OutboundMedia, url: &'a str) -> Vec<(&'a str, &'a str)> {
    let mut form = vec![("is_carousel_item", "true")];
    match media.kind {
        MediaKind::Image => {
            form.push(("image_url", url));
            if let Some(alt) = media.alt_text.as_deref().filter(|a| !a.trim().is_empty()) {
                form.push(("alt_text", alt));
            }
        }
        MediaKind::Video => {
            form.push(("media_type", "VIDEO"));
            form.push(("video_url", url));
        }
    }
    form
}

#[async_trait]
impl Publisher for MetaClient {
    async fn publish(&self, post: &OutboundPost) -> Result<PublishOutcome, ConnectorError> {
        let published = match self.config.surface {
            Surface::FacebookPage => self.publish_facebook(post).await?,
            Surface::Instagram => self.publish_instagram(post).await?,
        };
        Ok(PublishOutcome::Published(published))
    }

    async fn find_published(
        &self,
        post: &OutboundPost,
    ) -> Result<Option<Published>, ConnectorError> {
        self.find_recent_post(post).await
    }

    async fn engagement(&self, external_id: &str) -> Result<Engagement, ConnectorError> {
        self.read_engagement(external_id).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn graph_times_without_a_colon_parse() {
        assert_eq!(
            parse_graph_time("2025-03-22T18:20:04+0000").unwrap(),
            "2025-03-22T18:20:04Z".parse::<Timestamp>().unwrap()
        );
        assert_eq!(
            parse_graph_time("2025-03-23T01:20:04+0700").unwrap(),
            "2025-03-22T18:20:04Z".parse::<Timestamp>().unwrap()
        );
        assert!(parse_graph_time("22/03/2025").is_err());
    }

    #[test]
    fn usage_header_gives_the_longest_wait() {
        let mut h = HeaderMap::new();
        h.insert(
            "x-business-use-case-usage",
            r#"{"1":[{"type":"pages","estimated_time_to_regain_access":3}],"2":[{"estimated_time_to_regain_access":19}]}"#
                .parse()
                .unwrap(),
        );
        assert_eq!(usage_wait(&h), Some(Duration::from_secs(19 * 60)));
        h.insert("x-business-use-case-usage", "not json".parse().unwrap());
        assert_eq!(usage_wait(&h), None);
    }

    #[test]
    fn a_broken_cursor_starts_a_fresh_sweep() {
        let c = MetaClient::read_cursor(Some("{oops"));
        assert_eq!(c.v, 1);
        assert_eq!(c.sweep, None);
        assert_eq!(c.last_sweep, None);
    }
}
