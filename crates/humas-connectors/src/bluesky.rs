//! Bluesky / AT Protocol (shared brief `platform-apis.md`, section 7): an app-password session,
//! mention/reply/quote notifications, replies with strong refs and rich-text facets, deleting our
//! posts.
//!
//! **Session:** `com.atproto.server.createSession` once, then the `accessJwt` is kept in memory
//! and reused (the PDS allows only 30 sessions per 5 minutes and 300 a day per account). On
//! `ExpiredToken` (or another token error) the client calls `refreshSession` once with the
//! `refreshJwt` and retries the request once; if the refresh fails it creates a new session. A
//! refused `createSession` (429) blocks further attempts until the reset the PDS named, so a
//! scheduler that polls in a loop cannot burn the daily allowance.
//!
//! **Cursor** (opaque to callers, JSON): `{"seen": "<indexedAt>", "seen_uris": [...],
//! "walk": "<platform cursor>", "top": "<indexedAt>", "top_uris": [...]}`.
//! `listNotifications` pages from the newest item *backwards* and has no "since" parameter, so
//! a poll walks pages from the newest down until it meets an item at or before `seen` (the
//! newest `indexedAt` fully read; `seen_uris` are the items read at exactly that instant, so
//! ties are neither skipped nor repeated). During a walk `walk` is the platform cursor of the
//! next page and `top` the newest item of the walk; when the walk ends, `top` becomes `seen`.
//! Polling the same cursor again repeats the same page, so a crash skips nothing.
//!
//! **First poll** (no cursor): the walk has no `seen` to stop at, so it pages back through
//! history until [`Backfill`] says stop (by default 7 days of `indexedAt` or 1,000
//! notifications, whichever comes first; nothing older or beyond is handed over) or the
//! history ends. The walk's cursor carries the bound (`"since"`) and what is still allowed
//! (`"left"`), and is saved with each page, so a rate limit or a crash mid-walk resumes at the
//! next page; when it ends `top` becomes `seen` as for any walk. With
//! [`BlueskyConfig::backfill`] `None` the first poll reads only the newest page.
//!
//! Hiding is [`ConnectorError::Unsupported`]: Bluesky hides replies only through a threadgate
//! record on the root post (`hiddenReplies`), which rewrites who may reply to the whole thread;
//! that is a publishing decision, not a moderation click, so it is not done here.
//!
//! **Publishing** ([`Publisher`], section 7.2): images go up with `uploadBlob` (raw bytes) and
//! into an `app.bsky.embed.images` embed; one mp4 video into `app.bsky.embed.video`. The post
//! is created with a record key chosen by us, [`record_key`]: a TID made of the post's
//! `intent_at` and a clock id hashed from its idempotency key, so every attempt for one post
//! writes the same `at://<did>/app.bsky.feed.post/<rkey>`. A repo holds one record per key:
//! a repeat is refused (today's PDS answers 500, see bluesky-social/atproto#3718; newer ones a
//! 400), and on any such refusal the client reads the record back with `getRecord` and, when
//! it is there, reports the post as published. [`Publisher::find_published`] is the same
//! `getRecord`. The record's `createdAt` is the same `intent_at`, so the key and the date
//! agree however late a retry comes \[verify: whether the `AppView` indexes a post whose key
//! is far older than its arrival\].

use std::collections::BTreeSet;
use std::time::Duration;

use async_trait::async_trait;
use humas_domain::inbox::{Author, ExternalId, Inbound, MessageKind};
use humas_domain::org::Platform;
use jiff::Timestamp;
use reqwest::{Method, Response, StatusCode};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use tokio::sync::Mutex;

use crate::http::{Http, header_u64, parse_json, read_body, transport_error};
use crate::outbound::{
    Engagement, MediaKind, OutboundMedia, OutboundPost, PublishOutcome, Published, Publisher,
};
use crate::{Backfill, ConnectorError, Page, Poller, Rejected, Responder};

/// Most bytes in a post's text (lexicon `maxLength`).
pub const MAX_TEXT_BYTES: usize = 3_000;
/// Most graphemes in a post's text (lexicon `maxGraphemes`).
pub const MAX_GRAPHEMES: usize = 300;

/// Most images on one post (`app.bsky.embed.images`).
pub const MAX_IMAGES: usize = 4;
/// Largest image blob (`app.bsky.embed.images#image` `maxSize`).
pub const MAX_IMAGE_BYTES: usize = 1_000_000;
/// Largest video blob (`app.bsky.embed.video` `maxSize`).
pub const MAX_VIDEO_BYTES: usize = 100_000_000;

const POST_COLLECTION: &str = "app.bsky.feed.post";

/// How to reach one Bluesky account.
#[derive(Clone, Debug)]
pub struct BlueskyConfig {
    /// The account's PDS, e.g. `https://bsky.social` (the account's effective base).
    pub api_base: String,
    /// Handle or DID the session is created for, e.g. `humas.example.go.id`.
    pub identifier: String,
    /// App password (`xxxx-xxxx-xxxx-xxxx`). `Debug` prints it redacted.
    pub app_password: SecretString,
    /// Notifications per page, 1–100 (the lexicon's bounds; clamped).
    pub page_size: u8,
    /// How far back the first poll reads; `None` reads only the newest page.
    pub backfill: Option<Backfill>,
}

impl BlueskyConfig {
    /// A configuration with the lexicon's default page (50) and the default [`Backfill`] on
    /// the first poll.
    #[must_use]
    pub fn new(api_base: &str, identifier: &str, app_password: SecretString) -> Self {
        Self {
            api_base: api_base.to_owned(),
            identifier: identifier.to_owned(),
            app_password,
            page_size: 50,
            backfill: Some(Backfill::default()),
        }
    }
}

/// Reads notifications from and answers on one Bluesky account.
#[derive(Debug)]
pub struct BlueskyClient {
    http: Http,
    config: BlueskyConfig,
    session: Mutex<SessionState>,
}

#[derive(Debug, Default)]
struct SessionState {
    current: Option<Session>,
    /// No `createSession` before this time (the PDS refused one with 429).
    create_blocked_until: Option<Timestamp>,
}

#[derive(Clone, Debug)]
struct Session {
    did: String,
    /// Our handle, for links a person can open (the DID when the PDS did not say).
    handle: String,
    access: SecretString,
    refresh: SecretString,
}

/// What a request carries.
#[derive(Clone, Copy)]
enum Payload<'a> {
    /// A JSON body (procedures).
    Json(&'a Value),
    /// Raw bytes with their type (`uploadBlob`).
    Bytes {
        data: &'a [u8],
        content_type: &'a str,
    },
}

impl BlueskyClient {
    /// A client over the guarded `http`; no request is made until the first call.
    #[must_use]
    pub fn new(http: Http, config: BlueskyConfig) -> Self {
        Self {
            http,
            config,
            session: Mutex::new(SessionState::default()),
        }
    }

    /// Our DID, creating the session when there is none yet.
    ///
    /// # Errors
    /// [`ConnectorError`] from `createSession`.
    pub async fn did(&self) -> Result<String, ConnectorError> {
        Ok(self.session().await?.did)
    }

    // -- session ------------------------------------------------------------------------------

    async fn session(&self) -> Result<Session, ConnectorError> {
        let mut state = self.session.lock().await;
        if let Some(session) = &state.current {
            return Ok(session.clone());
        }
        let session = self.create_session(&mut state).await?;
        Ok(session)
    }

    async fn create_session(&self, state: &mut SessionState) -> Result<Session, ConnectorError> {
        let now = Timestamp::now();
        if let Some(until) = state.create_blocked_until.filter(|u| *u > now) {
            let wait = Duration::from_secs(
                until
                    .as_second()
                    .saturating_sub(now.as_second())
                    .unsigned_abs(),
            );
            return Err(ConnectorError::RateLimited {
                retry_after: Some(wait),
                detail: "createSession was refused with RateLimitExceeded (30 per 5 minutes, \
                         300 a day per account); not trying again before the reset"
                    .to_owned(),
            });
        }
        let body = json!({
            "identifier": self.config.identifier,
            "password": self.config.app_password.expose_secret(),
        });
        let result = self
            .send(
                Method::POST,
                "com.atproto.server.createSession",
                &[],
                Some(Payload::Json(&body)),
                None,
            )
            .await;
        match result {
            Ok(bytes) => {
                let session = session_from(&bytes)?;
                state.current = Some(session.clone());
                Ok(session)
            }
            Err(Failure::Xrpc(e)) if e.is_rate_limit() => {
                let wait = e.reset_in.unwrap_or(Duration::from_secs(300));
                state.create_blocked_until = Some(now + wait);
                Err(e.into_connector())
            }
            Err(Failure::Xrpc(e)) if e.is_auth() => Err(ConnectorError::TokenExpired(format!(
                "{}; the app password for {} was refused: create a new app password and \
                     reconnect the account",
                e.detail(),
                self.config.identifier
            ))),
            Err(other) => Err(other.into_connector()),
        }
    }

    /// Replaces a session whose access token was refused: refresh once, else a new session.
    async fn renew(&self, refused_access: &str) -> Result<(), ConnectorError> {
        let mut state = self.session.lock().await;
        let Some(current) = state.current.clone() else {
            self.create_session(&mut state).await?;
            return Ok(());
        };
        if current.access.expose_secret() != refused_access {
            // Another call renewed it meanwhile.
            return Ok(());
        }
        let refreshed = self
            .send(
                Method::POST,
                "com.atproto.server.refreshSession",
                &[],
                None,
                Some(current.refresh.expose_secret()),
            )
            .await;
        match refreshed {
            Ok(bytes) => {
                state.current = Some(session_from(&bytes)?);
                Ok(())
            }
            Err(Failure::Xrpc(e)) if !e.is_transient() => {
                state.current = None;
                self.create_session(&mut state).await?;
                Ok(())
            }
            Err(other) => Err(other.into_connector()),
        }
    }

    // -- requests -----------------------------------------------------------------------------

    /// An authenticated XRPC call with a JSON body (or none), renewing the session once on a
    /// token error.
    async fn call(
        &self,
        method: Method,
        nsid: &str,
        query: &[(&str, &str)],
        body: Option<&Value>,
    ) -> Result<Vec<u8>, ConnectorError> {
        self.call_with(method, nsid, query, body.map(Payload::Json))
            .await
    }

    /// An authenticated XRPC call, renewing the session once on a token error.
    async fn call_with(
        &self,
        method: Method,
        nsid: &str,
        query: &[(&str, &str)],
        body: Option<Payload<'_>>,
    ) -> Result<Vec<u8>, ConnectorError> {
        let session = self.session().await?;
        let access = session.access.expose_secret().to_owned();
        match self
            .send(method.clone(), nsid, query, body, Some(&access))
            .await
        {
            Ok(bytes) => Ok(bytes),
            Err(Failure::Xrpc(e)) if e.is_auth() => {
                self.renew(&access).await?;
                let session = self.session().await?;
                self.send(
                    method,
                    nsid,
                    query,
                    body,
                    Some(session.access.expose_secret()),
                )
                .await
                .map_err(Failure::into_connector)
            }
            Err(other) => Err(other.into_connector()),
        }
    }

    async fn send(
        &self,
        method: Method,
        nsid: &str,
        query: &[(&str, &str)],
        body: Option<Payload<'_>>,
        bearer: Option<&str>,
    ) -> Result<Vec<u8>, Failure> {
        let mut url = self
            .http
            .url(&self.config.api_base, &format!("/xrpc/{nsid}"))
            .map_err(Failure::Other)?;
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query);
        }
        let mut request = self.http.client().request(method, url);
        if let Some(token) = bearer {
            request = request.bearer_auth(token);
        }
        match body {
            None => {}
            Some(Payload::Json(body)) => request = request.json(body),
            Some(Payload::Bytes { data, content_type }) => {
                request = request
                    .header(reqwest::header::CONTENT_TYPE, content_type)
                    .body(data.to_vec());
            }
        }
        let response = request
            .send()
            .await
            .map_err(|e| Failure::Other(transport_error(&e)))?;
        if response.status().is_success() {
            return read_body(response).await.map_err(Failure::Other);
        }
        Err(Failure::Xrpc(XrpcError::read(response).await))
    }

    // -- replies ------------------------------------------------------------------------------

    async fn strong_ref_and_root(
        &self,
        uri: &str,
    ) -> Result<(StrongRef, StrongRef), ConnectorError> {
        let bytes = self
            .call(
                Method::GET,
                "app.bsky.feed.getPosts",
                &[("uris", uri)],
                None,
            )
            .await?;
        let answer: GetPosts = parse_json(&bytes)?;
        let post = answer
            .posts
            .into_iter()
            .find(|p| p.uri == uri)
            .ok_or_else(|| {
                ConnectorError::NotFound(format!("post {uri} (deleted, or not visible to us)"))
            })?;
        let parent = StrongRef {
            uri: post.uri,
            cid: post.cid,
        };
        let root = post
            .record
            .and_then(|r| r.reply)
            .map_or_else(|| parent.clone(), |reply| reply.root);
        Ok((parent, root))
    }

    async fn facets_with_dids(&self, text: &str) -> Result<Vec<Value>, ConnectorError> {
        let mut facets = Vec::new();
        for span in find_facets(text) {
            let feature = match &span.feature {
                FacetFeature::Link(uri) => {
                    json!({"$type": "app.bsky.richtext.facet#link", "uri": uri})
                }
                FacetFeature::Tag(tag) => {
                    json!({"$type": "app.bsky.richtext.facet#tag", "tag": tag})
                }
                FacetFeature::Mention(handle) => match self.resolve_handle(handle).await? {
                    // An unresolvable handle stays plain text (section 7.2).
                    None => continue,
                    Some(did) => json!({"$type": "app.bsky.richtext.facet#mention", "did": did}),
                },
            };
            facets.push(json!({
                "index": {"byteStart": span.byte_start, "byteEnd": span.byte_end},
                "features": [feature],
            }));
        }
        Ok(facets)
    }

    /// The DID of `handle`; `None` when the PDS says it cannot be resolved. Other failures
    /// (rate limit, outage) are errors: a reply sent then would lose its mention link.
    async fn resolve_handle(&self, handle: &str) -> Result<Option<String>, ConnectorError> {
        let answer = self
            .call(
                Method::GET,
                "com.atproto.identity.resolveHandle",
                &[("handle", handle)],
                None,
            )
            .await;
        let bytes = match answer {
            Ok(bytes) => bytes,
            Err(ConnectorError::Refused(_) | ConnectorError::NotFound(_)) => return Ok(None),
            Err(other) => return Err(other),
        };
        let resolved: Resolved = parse_json(&bytes)?;
        Ok(resolved.did.starts_with("did:").then_some(resolved.did))
    }
}

#[async_trait]
impl Poller for BlueskyClient {
    async fn poll(&self, cursor: Option<&str>) -> Result<Page, ConnectorError> {
        let mut state = Cursor::decode(cursor)?;
        if cursor.is_none()
            && let Some(bound) = self.config.backfill
        {
            state.since = Timestamp::now().checked_sub(bound.max_age).ok();
            state.left = Some(bound.max_items);
        }
        let limit = self.config.page_size.clamp(1, 100).to_string();
        let mut query = vec![
            ("limit", limit.as_str()),
            ("reasons", "mention"),
            ("reasons", "reply"),
            ("reasons", "quote"),
        ];
        if let Some(walk) = &state.walk {
            query.push(("cursor", walk));
        }
        let bytes = self
            .call(
                Method::GET,
                "app.bsky.notification.listNotifications",
                &query,
                None,
            )
            .await?;
        let list: Notifications = parse_json(&bytes)?;
        Ok(page_from_notifications(list, &state, Timestamp::now()))
    }
}

#[async_trait]
impl Responder for BlueskyClient {
    async fn reply(
        &self,
        parent: &ExternalId,
        _thread: Option<&ExternalId>,
        text: &str,
    ) -> Result<ExternalId, ConnectorError> {
        check_length(text)?;
        // The root comes from the parent's own record, which is authoritative; a root id
        // passed in has no cid anyway.
        let (parent_ref, root_ref) = self.strong_ref_and_root(parent.as_ref()).await?;
        let facets = self.facets_with_dids(text).await?;
        let did = self.did().await?;
        let mut record = json!({
            "$type": POST_COLLECTION,
            "text": text,
            "createdAt": rfc3339_millis(Timestamp::now()),
            "langs": ["id"],
            "reply": {"root": root_ref, "parent": parent_ref},
        });
        if !facets.is_empty() {
            record["facets"] = Value::Array(facets);
        }
        let body = json!({"repo": did, "collection": POST_COLLECTION, "record": record});
        let bytes = self
            .call(
                Method::POST,
                "com.atproto.repo.createRecord",
                &[],
                Some(&body),
            )
            .await?;
        let created: StrongRef = parse_json(&bytes)?;
        ExternalId::parse(&created.uri).map_err(|e| {
            ConnectorError::Malformed(format!("createRecord returned an unusable uri: {e}"))
        })
    }

    async fn set_hidden(&self, _id: &ExternalId, _hidden: bool) -> Result<(), ConnectorError> {
        Err(ConnectorError::Unsupported(
            "hiding a reply (Bluesky hides replies only through a threadgate on the whole thread)",
        ))
    }

    async fn delete(&self, id: &ExternalId) -> Result<(), ConnectorError> {
        let (repo, collection, rkey) = split_at_uri(id.as_ref()).ok_or_else(|| {
            ConnectorError::Refused(format!(
                "{id} is not an at:// post uri (at://<did>/app.bsky.feed.post/<rkey>)"
            ))
        })?;
        let did = self.did().await?;
        if repo != did || collection != POST_COLLECTION {
            return Err(ConnectorError::Refused(format!(
                "{id} is not one of our posts ({did}); Bluesky cannot delete other accounts' posts"
            )));
        }
        let body = json!({"repo": did, "collection": POST_COLLECTION, "rkey": rkey});
        self.call(
            Method::POST,
            "com.atproto.repo.deleteRecord",
            &[],
            Some(&body),
        )
        .await?;
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// Publishing (issue 5)

#[async_trait]
impl Publisher for BlueskyClient {
    async fn publish(&self, post: &OutboundPost) -> Result<PublishOutcome, ConnectorError> {
        check_post_text(&post.text, !post.media.is_empty())?;
        check_media(&post.media)?;
        let session = self.session().await?;
        let rkey = record_key(&post.idempotency_key, post.intent_at);
        let embed = self.embed(&post.media).await?;
        let facets = self.facets_with_dids(&post.text).await?;
        let mut record = json!({
            "$type": POST_COLLECTION,
            "text": post.text,
            "createdAt": rfc3339_millis(post.intent_at),
            "langs": ["id"],
        });
        if !facets.is_empty() {
            record["facets"] = Value::Array(facets);
        }
        if let Some(embed) = embed {
            record["embed"] = embed;
        }
        let body = json!({
            "repo": session.did,
            "collection": POST_COLLECTION,
            "rkey": rkey,
            "record": record,
        });
        let created = self
            .call(
                Method::POST,
                "com.atproto.repo.createRecord",
                &[],
                Some(&body),
            )
            .await;
        match created {
            Ok(bytes) => {
                let created: StrongRef = parse_json(&bytes)?;
                Ok(PublishOutcome::Published(published(
                    created.uri,
                    &session.handle,
                    &rkey,
                )))
            }
            // A record under our key may already exist (an earlier attempt whose answer was
            // lost): the PDS refuses the repeat, with a 400 or (today) a 500. Look before
            // reporting the refusal.
            Err(refused @ (ConnectorError::Refused(_) | ConnectorError::Unavailable { .. })) => {
                match self.read_post(&session, &rkey).await? {
                    Some(existing) => Ok(PublishOutcome::Published(existing)),
                    None => Err(refused),
                }
            }
            Err(other) => Err(other),
        }
    }

    async fn find_published(
        &self,
        post: &OutboundPost,
    ) -> Result<Option<Published>, ConnectorError> {
        let session = self.session().await?;
        let rkey = record_key(&post.idempotency_key, post.intent_at);
        self.read_post(&session, &rkey).await
    }

    async fn engagement(&self, external_id: &str) -> Result<Engagement, ConnectorError> {
        let bytes = self
            .call(
                Method::GET,
                "app.bsky.feed.getPosts",
                &[("uris", external_id)],
                None,
            )
            .await?;
        let answer: GetPosts = parse_json(&bytes)?;
        let post = answer
            .posts
            .into_iter()
            .find(|p| p.uri == external_id)
            .ok_or_else(|| {
                ConnectorError::NotFound(format!("post {external_id} (deleted, or not visible)"))
            })?;
        Ok(Engagement {
            likes: post.like_count,
            comments: post.reply_count,
            shares: post.repost_count + post.quote_count,
            views: None,
        })
    }
}

impl BlueskyClient {
    /// Our post under `rkey`, when the repo has one (`getRecord`; `RecordNotFound` is `None`).
    async fn read_post(
        &self,
        session: &Session,
        rkey: &str,
    ) -> Result<Option<Published>, ConnectorError> {
        let answer = self
            .call(
                Method::GET,
                "com.atproto.repo.getRecord",
                &[
                    ("repo", session.did.as_str()),
                    ("collection", POST_COLLECTION),
                    ("rkey", rkey),
                ],
                None,
            )
            .await;
        match answer {
            Ok(bytes) => {
                let record: RecordAnswer = parse_json(&bytes)?;
                Ok(Some(published(record.uri, &session.handle, rkey)))
            }
            Err(ConnectorError::NotFound(_)) => Ok(None),
            Err(other) => Err(other),
        }
    }

    /// The embed for the post's media: images, one video, or none.
    async fn embed(&self, media: &[OutboundMedia]) -> Result<Option<Value>, ConnectorError> {
        let Some(first) = media.first() else {
            return Ok(None);
        };
        if first.kind == MediaKind::Video {
            let blob = self.upload_blob(first).await?;
            let mut video = json!({"$type": "app.bsky.embed.video", "video": blob});
            if let Some(alt) = alt_text(first) {
                video["alt"] = json!(alt);
            }
            if let Some(ratio) = aspect_ratio(first) {
                video["aspectRatio"] = ratio;
            }
            return Ok(Some(video));
        }
        let mut images = Vec::with_capacity(media.len());
        for medium in media {
            let blob = self.upload_blob(medium).await?;
            // The lexicon requires `alt`; an empty one tells readers there is none.
            let mut image = json!({"alt": alt_text(medium).unwrap_or_default(), "image": blob});
            if let Some(ratio) = aspect_ratio(medium) {
                image["aspectRatio"] = ratio;
            }
            images.push(image);
        }
        Ok(Some(
            json!({"$type": "app.bsky.embed.images", "images": images}),
        ))
    }

    /// `uploadBlob` with the raw bytes; returns the blob reference as the PDS gave it.
    async fn upload_blob(&self, medium: &OutboundMedia) -> Result<Value, ConnectorError> {
        let bytes = self
            .call_with(
                Method::POST,
                "com.atproto.repo.uploadBlob",
                &[],
                Some(Payload::Bytes {
                    data: &medium.bytes,
                    content_type: &medium.mime,
                }),
            )
            .await?;
        let uploaded: Uploaded = parse_json(&bytes)?;
        if uploaded.blob.get("ref").is_none() {
            return Err(ConnectorError::Malformed(format!(
                "uploadBlob answered a blob without a ref for {}",
                medium.file_name
            )));
        }
        Ok(uploaded.blob)
    }
}

fn published(uri: String, handle: &str, rkey: &str) -> Published {
    Published {
        external_id: uri,
        url: Some(format!("https://bsky.app/profile/{handle}/post/{rkey}")),
    }
}

fn alt_text(medium: &OutboundMedia) -> Option<&str> {
    medium
        .alt_text
        .as_deref()
        .map(str::trim)
        .filter(|a| !a.is_empty())
}

fn aspect_ratio(medium: &OutboundMedia) -> Option<Value> {
    match (medium.width, medium.height) {
        (Some(width), Some(height)) if width > 0 && height > 0 => {
            Some(json!({"width": width, "height": height}))
        }
        _ => None,
    }
}

/// A post's text: empty only with media, otherwise within the lexicon's limits.
fn check_post_text(text: &str, has_media: bool) -> Result<(), ConnectorError> {
    if text.trim().is_empty() && !has_media {
        return Err(ConnectorError::Refused(
            "the post has neither text nor media; Bluesky needs one of them".to_owned(),
        ));
    }
    check_limits(text, "post")
}

/// Up to four images, or one mp4 video alone, each within the lexicon's size.
fn check_media(media: &[OutboundMedia]) -> Result<(), ConnectorError> {
    let videos = media.iter().filter(|m| m.kind == MediaKind::Video).count();
    if videos > 0 && media.len() > 1 {
        return Err(ConnectorError::Refused(format!(
            "the post has {} media with a video; a Bluesky post carries one video alone or up \
             to {MAX_IMAGES} images",
            media.len()
        )));
    }
    if media.len() > MAX_IMAGES {
        return Err(ConnectorError::Refused(format!(
            "the post has {} images; Bluesky takes at most {MAX_IMAGES}: remove {}",
            media.len(),
            media.len() - MAX_IMAGES
        )));
    }
    for medium in media {
        let (limit, prefix) = match medium.kind {
            MediaKind::Image => (MAX_IMAGE_BYTES, "image/"),
            MediaKind::Video => (MAX_VIDEO_BYTES, "video/mp4"),
        };
        if !medium.mime.starts_with(prefix)
            || reqwest::header::HeaderValue::from_str(&medium.mime).is_err()
        {
            return Err(ConnectorError::Refused(format!(
                "{} has type {:?}; Bluesky takes {prefix}… here",
                medium.file_name, medium.mime
            )));
        }
        if medium.bytes.len() > limit {
            return Err(ConnectorError::Refused(format!(
                "{} is {} bytes; Bluesky takes at most {limit}: make it smaller",
                medium.file_name,
                medium.bytes.len()
            )));
        }
    }
    Ok(())
}

/// RFC 3339 in UTC with milliseconds, as Bluesky's own clients write `createdAt`.
fn rfc3339_millis(at: Timestamp) -> String {
    at.strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// The base32-sortable alphabet of TIDs.
const TID_ALPHABET: &[u8; 32] = b"234567abcdefghijklmnopqrstuvwxyz";

/// The record key of one post: a TID of `intent_at` (microseconds since 1970) and a 10-bit
/// clock id from a hash of `idempotency_key`, so every attempt for one post names the same
/// record and two posts recorded in the same microsecond almost surely differ.
#[must_use]
pub fn record_key(idempotency_key: &str, intent_at: Timestamp) -> String {
    let micros = u64::try_from(intent_at.as_microsecond()).unwrap_or(0);
    let hash = Sha256::digest(idempotency_key.as_bytes());
    let clock_id = u16::from_be_bytes([hash[0], hash[1]]);
    tid(micros, clock_id)
}

/// A TID (AT Protocol timestamp identifier): 13 characters of `234567a…z` encoding a
/// 64-bit number whose top bit is 0, then 53 bits of `micros`, then 10 bits of `clock_id`
/// (higher bits of either are dropped).
#[must_use]
pub fn tid(micros: u64, clock_id: u16) -> String {
    const MICROS_MASK: u64 = (1 << 53) - 1;
    let mut value = ((micros & MICROS_MASK) << 10) | u64::from(clock_id & 0x3FF);
    let mut out = [b'2'; 13];
    for slot in out.iter_mut().rev() {
        *slot = TID_ALPHABET[usize::from(u8::try_from(value & 31).unwrap_or(0))];
        value >>= 5;
    }
    out.iter().map(|&b| char::from(b)).collect()
}

/// `at://<repo>/<collection>/<rkey>` into its parts.
fn split_at_uri(uri: &str) -> Option<(&str, &str, &str)> {
    let rest = uri.strip_prefix("at://")?;
    let mut parts = rest.splitn(3, '/');
    let repo = parts.next().filter(|s| !s.is_empty())?;
    let collection = parts.next().filter(|s| !s.is_empty())?;
    let rkey = parts.next().filter(|s| !s.is_empty() && !s.contains('/'))?;
    Some((repo, collection, rkey))
}

fn session_from(bytes: &[u8]) -> Result<Session, ConnectorError> {
    let answer: SessionAnswer = parse_json(bytes)?;
    if answer.access_jwt.is_empty() || answer.refresh_jwt.is_empty() || answer.did.is_empty() {
        return Err(ConnectorError::Malformed(
            "session without did, accessJwt or refreshJwt".to_owned(),
        ));
    }
    let handle = if answer.handle.is_empty() || answer.handle == "handle.invalid" {
        answer.did.clone()
    } else {
        answer.handle
    };
    Ok(Session {
        handle,
        did: answer.did,
        access: SecretString::from(answer.access_jwt),
        refresh: SecretString::from(answer.refresh_jwt),
    })
}

// ---------------------------------------------------------------------------------------------
// Cursor and page mapping

/// The saved position; see the module documentation.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
struct Cursor {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    seen: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    seen_uris: BTreeSet<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    walk: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    top: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    top_uris: BTreeSet<String>,
    /// First poll's walk: nothing indexed before this is read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    since: Option<Timestamp>,
    /// First poll's walk: notifications still allowed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    left: Option<u32>,
}

impl Cursor {
    fn decode(raw: Option<&str>) -> Result<Self, ConnectorError> {
        match raw {
            None => Ok(Self::default()),
            Some(raw) => serde_json::from_str(raw).map_err(|e| {
                ConnectorError::Target(format!(
                    "saved Bluesky cursor {raw:?} is not one this connector wrote ({e}); clear \
                     the account's cursor to start from the newest notifications"
                ))
            }),
        }
    }

    /// Whether an item indexed at `at` with `uri` was read before.
    fn already_read(&self, at: Timestamp, uri: &str) -> bool {
        self.seen
            .is_some_and(|seen| at < seen || (at == seen && self.seen_uris.contains(uri)))
    }
}

/// Adds `(at, uri)` to a high-water mark `(mark, uris)`.
fn raise(mark: &mut Option<Timestamp>, uris: &mut BTreeSet<String>, at: Timestamp, uri: &str) {
    match mark {
        Some(m) if at < *m => {}
        Some(m) if at == *m => {
            uris.insert(uri.to_owned());
        }
        _ => {
            *mark = Some(at);
            uris.clear();
            uris.insert(uri.to_owned());
        }
    }
}

fn page_from_notifications(list: Notifications, state: &Cursor, now: Timestamp) -> Page {
    let mut page = Page::default();
    let mut dated: Vec<(Timestamp, Inbound)> = Vec::new();
    let mut reached_read = false;
    let (mut top, mut top_uris) = if state.walk.is_some() {
        (state.top, state.top_uris.clone())
    } else {
        (None, BTreeSet::new())
    };
    let count = list.notifications.len();
    // A first poll's walk: bounded by age and count instead of by what was read.
    let backfilling = state.seen.is_none() && state.left.is_some();
    let mut left = state.left.unwrap_or(0);
    let mut bound_reached = false;
    for value in list.notifications {
        if bound_reached {
            continue;
        }
        let uri = value.get("uri").and_then(Value::as_str).map(str::to_owned);
        let item = match serde_json::from_value::<Notification>(value) {
            Ok(item) => item,
            Err(e) => {
                page.rejected.push(Rejected {
                    external_id: uri,
                    reason: format!("notification does not have the documented shape: {e}"),
                });
                continue;
            }
        };
        let Ok(indexed_at) = item.indexed_at.parse::<Timestamp>() else {
            page.rejected.push(Rejected {
                external_id: uri,
                reason: format!("indexedAt {:?} is not an RFC 3339 time", item.indexed_at),
            });
            continue;
        };
        if state.already_read(indexed_at, &item.uri) {
            reached_read = true;
            continue;
        }
        if backfilling {
            // Newest first: once one is past the bound, every later one is too.
            if state.since.is_some_and(|since| indexed_at < since) || left == 0 {
                bound_reached = true;
                continue;
            }
            left -= 1;
        }
        raise(&mut top, &mut top_uris, indexed_at, &item.uri);
        if !matches!(item.reason.as_str(), "mention" | "reply" | "quote") {
            continue;
        }
        match inbound_from_notification(&item, indexed_at, now) {
            Ok(message) => dated.push((indexed_at, message)),
            Err(reason) => page.rejected.push(Rejected {
                external_id: Some(item.uri.clone()),
                reason,
            }),
        }
    }
    // Bluesky lists newest first; the inbox wants oldest first (ties keep the reversed
    // platform order).
    dated.reverse();
    dated.sort_by_key(|(at, _)| *at);
    page.messages = dated.into_iter().map(|(_, m)| m).collect();

    let platform_cursor = list.cursor.filter(|c| !c.is_empty());
    // Without a backfill the first run reads one page; later walks go on until they meet
    // what was read, a first poll's walk until its bound.
    let walk_on = (state.seen.is_some() || backfilling)
        && !reached_read
        && !bound_reached
        && !(backfilling && left == 0)
        && count > 0
        && platform_cursor.is_some();
    let next = if walk_on {
        Cursor {
            seen: state.seen,
            seen_uris: state.seen_uris.clone(),
            walk: platform_cursor,
            top,
            top_uris,
            since: state.since.filter(|_| backfilling),
            left: backfilling.then_some(left),
        }
    } else {
        let (mut seen, mut seen_uris) = (state.seen, state.seen_uris.clone());
        if let Some(top) = top {
            for uri in &top_uris {
                raise(&mut seen, &mut seen_uris, top, uri);
            }
        }
        Cursor {
            seen,
            seen_uris,
            ..Cursor::default()
        }
    };
    page.more = next.walk.is_some();
    // Nothing read yet (an empty first page): no cursor, so the next poll is a first poll too.
    page.cursor = (next != *state && next != Cursor::default())
        .then(|| serde_json::to_string(&next).unwrap_or_default());
    page
}

fn inbound_from_notification(
    item: &Notification,
    indexed_at: Timestamp,
    now: Timestamp,
) -> Result<Inbound, String> {
    let external_id = ExternalId::parse(&item.uri).map_err(|e| format!("uri: {e}"))?;
    let author = item
        .author
        .as_ref()
        .ok_or("notification without an author")?;
    let author = Author::parse(
        &format!("@{}", author.handle),
        author.display_name.as_deref(),
    )
    .map_err(|e| format!("author: {e}"))?;
    let record = item
        .record
        .as_ref()
        .ok_or("notification without a record")?;
    let published_at = match &record.created_at {
        None => indexed_at,
        Some(raw) => raw
            .parse()
            .map_err(|e| format!("createdAt {raw:?} is not an RFC 3339 time: {e}"))?,
    };
    let reply = record.reply.as_ref();
    let parent = reply
        .map(|r| ExternalId::parse(&r.parent.uri))
        .transpose()
        .map_err(|e| format!("reply.parent.uri: {e}"))?;
    let thread = reply
        .map(|r| ExternalId::parse(&r.root.uri))
        .transpose()
        .map_err(|e| format!("reply.root.uri: {e}"))?;
    let kind = if item.reason == "reply" {
        MessageKind::Reply
    } else {
        MessageKind::Mention
    };
    let permalink = split_at_uri(&item.uri)
        .map(|(repo, _, rkey)| format!("https://bsky.app/profile/{repo}/post/{rkey}"));
    Inbound {
        platform: Platform::Bluesky,
        external_id,
        kind,
        author,
        text: record.text.clone().unwrap_or_default(),
        title: None,
        permalink,
        parent_external_id: parent,
        thread_external_id: thread,
        published_at,
    }
    .checked(now)
    .map_err(|e| e.to_string())
}

// ---------------------------------------------------------------------------------------------
// Rich text

/// What a facet marks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FacetFeature {
    /// A link, clickable only with a facet (Bluesky does not detect links itself).
    Link(String),
    /// `@handle`, to be resolved to a DID.
    Mention(String),
    /// `#tag`, without the `#`.
    Tag(String),
}

/// A span of the text with its feature; offsets are UTF-8 byte offsets, end exclusive.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FacetSpan {
    /// First byte.
    pub byte_start: usize,
    /// One past the last byte.
    pub byte_end: usize,
    /// What the span is.
    pub feature: FacetFeature,
}

/// Links (`http://`, `https://`), mentions (`@name.domain`) and tags (`#word`) in `text`, with
/// UTF-8 byte offsets as the `app.bsky.richtext.facet` lexicon wants them. Trailing
/// punctuation (`.`, `,`, `)`, …) is not part of a link, mention or tag.
#[must_use]
pub fn find_facets(text: &str) -> Vec<FacetSpan> {
    let mut spans = Vec::new();
    let mut previous: Option<char> = None;
    for (start, c) in text.char_indices() {
        let at_word_start = previous.is_none_or(|p| p.is_whitespace() || p == '(');
        previous = Some(c);
        if !at_word_start {
            continue;
        }
        let word_end = text[start..]
            .find(char::is_whitespace)
            .map_or(text.len(), |i| start + i);
        let word = trim_trailing_punctuation(&text[start..word_end]);
        if let Some(span) = facet_of(word, start) {
            spans.push(span);
        }
    }
    spans
}

fn facet_of(word: &str, start: usize) -> Option<FacetSpan> {
    let span = |feature| FacetSpan {
        byte_start: start,
        byte_end: start + word.len(),
        feature,
    };
    let lower = word.to_ascii_lowercase();
    if (lower.starts_with("https://") || lower.starts_with("http://"))
        && word
            .split_once("://")
            .is_some_and(|(_, host)| host.contains('.'))
    {
        return Some(span(FacetFeature::Link(word.to_owned())));
    }
    if let Some(handle) = word.strip_prefix('@') {
        let valid = handle.contains('.')
            && !handle.starts_with('.')
            && handle
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-');
        return valid.then(|| span(FacetFeature::Mention(handle.to_owned())));
    }
    if let Some(tag) = word.strip_prefix('#') {
        let valid = !tag.is_empty()
            && tag.chars().count() <= 64
            && !tag.chars().all(|c| c.is_ascii_digit())
            && !tag.chars().any(|c| c == '#');
        return valid.then(|| span(FacetFeature::Tag(tag.to_owned())));
    }
    None
}

fn trim_trailing_punctuation(word: &str) -> &str {
    word.trim_end_matches(['.', ',', ';', ':', '!', '?', ')', '"', '\''])
}

/// Checks the lexicon's limits before anything is sent.
///
/// Graphemes are counted approximately: combining marks, variation selectors, skin tones,
/// ZWJ-joined emoji and flag pairs join the character before them. Full Unicode segmentation
/// would need another dependency; this errs only on exotic scripts \[verify\].
///
/// # Errors
/// [`ConnectorError::Refused`] naming the limit exceeded.
pub fn check_length(text: &str) -> Result<(), ConnectorError> {
    if text.trim().is_empty() {
        return Err(ConnectorError::Refused(
            "the reply is empty; Bluesky needs text".to_owned(),
        ));
    }
    check_limits(text, "reply")
}

/// The lexicon's limits on a text, naming it `what` (reply, post) in the error.
fn check_limits(text: &str, what: &str) -> Result<(), ConnectorError> {
    if text.len() > MAX_TEXT_BYTES {
        return Err(ConnectorError::Refused(format!(
            "the {what} is {} bytes; Bluesky allows {MAX_TEXT_BYTES}: shorten it",
            text.len()
        )));
    }
    let graphemes = approx_graphemes(text);
    if graphemes > MAX_GRAPHEMES {
        return Err(ConnectorError::Refused(format!(
            "the {what} is {graphemes} characters; Bluesky allows {MAX_GRAPHEMES}: shorten it by {}",
            graphemes - MAX_GRAPHEMES
        )));
    }
    Ok(())
}

/// User-perceived characters, approximately (see [`check_length`]).
#[must_use]
pub fn approx_graphemes(text: &str) -> usize {
    let mut count = 0;
    let mut joined = false;
    let mut pending_flag = false;
    for c in text.chars() {
        let code = u32::from(c);
        let extends = matches!(
            code,
            0x0300..=0x036F | 0x1AB0..=0x1AFF | 0x20D0..=0x20FF | 0xFE00..=0xFE0F
                | 0xFE20..=0xFE2F | 0x1F3FB..=0x1F3FF | 0xE0020..=0xE007F
        );
        if code == 0x200D {
            joined = true;
            continue;
        }
        let regional = (0x1F1E6..=0x1F1FF).contains(&code);
        if extends || joined || (regional && pending_flag) {
            joined = false;
            pending_flag = false;
            continue;
        }
        pending_flag = regional;
        count += 1;
    }
    count
}

// ---------------------------------------------------------------------------------------------
// Wire shapes (sections 7.1–7.3)

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SessionAnswer {
    #[serde(default)]
    did: String,
    #[serde(default)]
    handle: String,
    #[serde(default)]
    access_jwt: String,
    #[serde(default)]
    refresh_jwt: String,
}

#[derive(Deserialize)]
struct Notifications {
    cursor: Option<String>,
    notifications: Vec<Value>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Notification {
    uri: String,
    reason: String,
    author: Option<ProfileView>,
    record: Option<PostRecord>,
    indexed_at: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ProfileView {
    handle: String,
    display_name: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PostRecord {
    text: Option<String>,
    created_at: Option<String>,
    reply: Option<ReplyRef>,
}

#[derive(Deserialize)]
struct ReplyRef {
    root: StrongRef,
    parent: StrongRef,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
struct StrongRef {
    uri: String,
    cid: String,
}

#[derive(Deserialize)]
struct GetPosts {
    posts: Vec<PostView>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PostView {
    uri: String,
    cid: String,
    record: Option<PostRecord>,
    #[serde(default)]
    like_count: u64,
    #[serde(default)]
    reply_count: u64,
    #[serde(default)]
    repost_count: u64,
    #[serde(default)]
    quote_count: u64,
}

#[derive(Deserialize)]
struct Resolved {
    did: String,
}

#[derive(Deserialize)]
struct Uploaded {
    blob: Value,
}

#[derive(Deserialize)]
struct RecordAnswer {
    uri: String,
}

// ---------------------------------------------------------------------------------------------
// Errors

/// A failed call: an XRPC error (kept apart so token errors can be retried) or anything else.
enum Failure {
    Xrpc(XrpcError),
    Other(ConnectorError),
}

impl Failure {
    fn into_connector(self) -> ConnectorError {
        match self {
            Self::Xrpc(e) => e.into_connector(),
            Self::Other(e) => e,
        }
    }
}

/// `{"error":"ExpiredToken","message":"…"}` with its status and rate-limit reset.
struct XrpcError {
    status: u16,
    error: String,
    message: String,
    reset_in: Option<Duration>,
}

#[derive(Default, Deserialize)]
struct XrpcBody {
    #[serde(default)]
    error: String,
    #[serde(default)]
    message: String,
}

impl XrpcError {
    async fn read(response: Response) -> Self {
        let status = response.status();
        let reset_in = reset_in(&response, Timestamp::now());
        let body = read_body(response).await.unwrap_or_default();
        let parsed: XrpcBody = serde_json::from_slice(&body).unwrap_or_default();
        Self {
            status: status.as_u16(),
            error: parsed.error,
            message: parsed.message,
            reset_in,
        }
    }

    fn is_auth(&self) -> bool {
        matches!(
            self.error.as_str(),
            "ExpiredToken" | "InvalidToken" | "AuthenticationRequired"
        ) || self.status == StatusCode::UNAUTHORIZED.as_u16()
    }

    fn is_rate_limit(&self) -> bool {
        self.status == 429 || self.error == "RateLimitExceeded"
    }

    fn is_transient(&self) -> bool {
        self.is_rate_limit() || self.status >= 500
    }

    fn detail(&self) -> String {
        let mut detail = format!("HTTP {}", self.status);
        for part in [&self.error, &self.message] {
            if !part.is_empty() {
                detail.push_str(": ");
                detail.push_str(part);
            }
        }
        detail
    }

    fn into_connector(self) -> ConnectorError {
        let detail = self.detail();
        if self.is_rate_limit() {
            return ConnectorError::RateLimited {
                retry_after: self.reset_in,
                detail,
            };
        }
        if self.is_auth() {
            return ConnectorError::TokenExpired(detail);
        }
        match (self.status, self.error.as_str()) {
            (_, "NotFound" | "RecordNotFound") | (404, _) => ConnectorError::NotFound(detail),
            (403, _) => ConnectorError::Forbidden(detail),
            (500..=599, _) => ConnectorError::Unavailable {
                retry_after: self.reset_in,
                detail,
            },
            _ => ConnectorError::Refused(detail),
        }
    }
}

/// The wait until `RateLimit-Reset` (Unix seconds [verify name]), at most a day.
fn reset_in(response: &Response, now: Timestamp) -> Option<Duration> {
    let reset = i64::try_from(header_u64(response, "ratelimit-reset")?).ok()?;
    let wait = reset.saturating_sub(now.as_second()).clamp(0, 86_400);
    Some(Duration::from_secs(wait.unsigned_abs()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn facets_of_the_documented_example() {
        let text = "Waspada banjir 🌧️ @bpbd.example.go.id cek https://bpbd.example.go.id/peta #BanjirJakarta";
        let spans = find_facets(text);
        let got: Vec<(usize, usize)> = spans.iter().map(|s| (s.byte_start, s.byte_end)).collect();
        assert_eq!(got, [(23, 42), (47, 78), (79, 93)]);
        assert_eq!(
            spans[0].feature,
            FacetFeature::Mention("bpbd.example.go.id".into())
        );
        assert_eq!(
            spans[1].feature,
            FacetFeature::Link("https://bpbd.example.go.id/peta".into())
        );
        assert_eq!(spans[2].feature, FacetFeature::Tag("BanjirJakarta".into()));
    }

    #[test]
    fn facets_skip_trailing_punctuation_and_non_words() {
        let text = "Lihat (https://a.go.id/x). email a@b.id #123 #ok! @nodot";
        let spans = find_facets(text);
        assert_eq!(spans.len(), 2, "{spans:?}");
        assert_eq!(
            &text[spans[0].byte_start..spans[0].byte_end],
            "https://a.go.id/x"
        );
        assert_eq!(&text[spans[1].byte_start..spans[1].byte_end], "#ok");
    }

    #[test]
    fn graphemes_and_limits() {
        assert_eq!(approx_graphemes("🌧️"), 1);
        assert_eq!(approx_graphemes("👨\u{200D}👩\u{200D}👧"), 1);
        assert_eq!(approx_graphemes("🇮🇩🇮🇩"), 2);
        assert_eq!(approx_graphemes("é"), 1);
        assert!(check_length(&"a".repeat(300)).is_ok());
        assert!(check_length(&"a".repeat(301)).is_err());
        assert!(
            check_length(&"🌧️".repeat(300)).is_ok(),
            "300 graphemes, 2,100 bytes"
        );
        let err = check_length(&"ꦲ".repeat(1001)).unwrap_err();
        assert!(err.to_string().contains("3003 bytes"), "{err}");
    }

    #[test]
    fn tids_encode_time_then_clock() {
        assert_eq!(tid(0, 0), "2222222222222");
        assert_eq!(tid(0, 1), "2222222222223");
        assert_eq!(tid(1, 0), "2222222222322", "1 µs is 1 << 10");
        assert_eq!(tid(u64::MAX, 0x3FF), "bzzzzzzzzzzzz", "the top bit stays 0");
        // 2025-01-15T03:00:00Z; the first character of a TID of these years is '3'.
        let at: Timestamp = "2025-01-15T03:00:00Z".parse().unwrap();
        let key = record_key("0194f1c2-7d4e-7c1a-9b1e-5d2a3c4b5e6f", at);
        assert_eq!(key.len(), 13);
        assert!(key.starts_with('3'), "{key}");
        assert_eq!(key, record_key("0194f1c2-7d4e-7c1a-9b1e-5d2a3c4b5e6f", at));
        assert_ne!(key, record_key("another-key", at));
        let later = record_key(
            "0194f1c2-7d4e-7c1a-9b1e-5d2a3c4b5e6f",
            at + jiff::SignedDuration::from_micros(1),
        );
        assert!(later > key, "TIDs sort by time: {later} > {key}");
    }

    #[test]
    fn at_uris_split() {
        assert_eq!(
            split_at_uri("at://did:plc:abc/app.bsky.feed.post/3k4duaz5vfs2b"),
            Some(("did:plc:abc", "app.bsky.feed.post", "3k4duaz5vfs2b"))
        );
        assert_eq!(split_at_uri("https://bsky.app/x"), None);
        assert_eq!(
            split_at_uri("at://did:plc:abc/app.bsky.feed.post/a/b"),
            None
        );
    }
}
