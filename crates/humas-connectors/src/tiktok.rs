//! TikTok Content Posting API (shared brief `platform-apis.md`, section 5): publishing a video or
//! photos to the connected account, following the publication through moderation, and the
//! developer-portal webhooks that report it.
//!
//! # Flow
//!
//! 1. `POST /v2/post/publish/creator_info/query/` on every publish: the privacy levels the
//!    account may use now, the longest video it may post, whether comments, duets and stitches
//!    are turned off, and the username (for the post's link). A wanted privacy level that is not
//!    offered is refused before anything is sent; an app that has not passed TikTok's audit is
//!    only offered `SELF_ONLY`.
//! 2. A video with a public address is pulled by TikTok (`PULL_FROM_URL`); without one, or when
//!    TikTok says the address's domain is not verified for the app, it is uploaded
//!    (`FILE_UPLOAD`, then `PUT upload_url` chunk by chunk with `Content-Range`). Photos can
//!    only be pulled, so they need a public address on a verified domain.
//! 3. TikTok answers with a `publish_id` and finishes later (processing, then moderation that
//!    can take hours): [`Publisher::publish`] returns [`PublishOutcome::Pending`] and
//!    [`Publisher::check_pending`] asks `POST /v2/post/publish/status/fetch/`. The post id
//!    (`publicaly_available_post_id`, TikTok's spelling) arrives only after moderation.
//!
//! TikTok offers no way to list what an account posted through the API, so
//! [`Publisher::find_published`] is [`ConnectorError::Unsupported`]: after a crash a person
//! checks the account before anything is sent again.
//!
//! # Errors
//!
//! Every answer is `{"data":{…},"error":{"code":"ok"|…,"message","log_id"}}`; a code other than
//! `ok` decides: `access_token_invalid` → [`ConnectorError::TokenExpired`],
//! `scope_not_authorized` → [`ConnectorError::Forbidden`], `rate_limit_exceeded` (or HTTP 429)
//! → [`ConnectorError::RateLimited`], the spam-risk, audit, privacy and URL-ownership codes →
//! [`ConnectorError::Refused`] with what to do, `internal_error` or 5xx →
//! [`ConnectorError::Unavailable`].
//!
//! # Tokens
//!
//! Access tokens live 24 hours, refresh tokens a year (`refresh_expires_in`), and a renewal
//! (`POST /v2/oauth/token/`, `grant_type=refresh_token`) returns a new refresh token. With
//! [`TikTokClient::with_renewal`], `access_token_invalid` renews once and repeats the call (a
//! refused call did nothing), and the new pair goes at once to the [`TokenKeeper`]; a pair
//! another process stored meanwhile is taken instead of renewing again.

use std::time::Duration;

use async_trait::async_trait;
use hmac::{Hmac, Mac};
use jiff::Timestamp;
use reqwest::header::{CONTENT_LENGTH, CONTENT_RANGE, CONTENT_TYPE};
use reqwest::{Response, StatusCode};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use serde_json::{Value, json};
use sha2::Sha256;
use tokio::sync::Mutex;
use url::Url;

use std::sync::Arc;

use crate::ConnectorError;
use crate::http::{Http, read_body, retry_after, status_error, transport_error};
use crate::oauth::Provider;
use crate::outbound::{
    MediaKind, OutboundMedia, OutboundPost, PublishOutcome, Published, Publisher,
};
use crate::renewal::{RenewedTokens, TokenKeeper};

/// Chunk size for `FILE_UPLOAD` when none is configured: TikTok takes chunks of 5–64 MB, the
/// last one up to 128 MB.
pub const DEFAULT_CHUNK_BYTES: u64 = 10_000_000;

/// The most photos in one TikTok photo post \[verify\].
pub const MAX_PHOTOS: usize = 35;

/// The longest video caption, in UTF-16 code units.
pub const MAX_VIDEO_TITLE_UTF16: usize = 2_200;

/// The longest photo-post title, in UTF-16 code units.
pub const MAX_PHOTO_TITLE_UTF16: usize = 90;

/// The longest photo-post description, in UTF-16 code units.
pub const MAX_PHOTO_DESCRIPTION_UTF16: usize = 4_000;

/// The privacy level an app that has not passed TikTok's audit is limited to.
pub const SELF_ONLY: &str = "SELF_ONLY";

const CREATOR_INFO: &str = "/v2/post/publish/creator_info/query/";
const VIDEO_INIT: &str = "/v2/post/publish/video/init/";
const CONTENT_INIT: &str = "/v2/post/publish/content/init/";
const STATUS_FETCH: &str = "/v2/post/publish/status/fetch/";

/// How to reach TikTok for one account.
#[derive(Clone, Debug)]
pub struct TikTokConfig {
    /// API host without the version, e.g. `https://open.tiktokapis.com`.
    pub api_base: String,
    /// The user access token (scope `video.publish`). `Debug` prints it redacted.
    pub access_token: SecretString,
    /// The privacy level wanted for posts, e.g. `PUBLIC_TO_EVERYONE`, `MUTUAL_FOLLOW_FRIENDS`,
    /// `FOLLOWER_OF_CREATOR` or `SELF_ONLY`.
    pub privacy_level: String,
    /// Bytes per `FILE_UPLOAD` chunk (TikTok: 5–64 MB; a file smaller than one chunk goes whole).
    pub chunk_size: u64,
    /// How often the publisher worker should ask [`Publisher::check_pending`] about a pending
    /// post. TikTok allows 30 status requests a minute per token; moderation takes minutes to
    /// hours.
    pub status_poll: Duration,
}

impl TikTokConfig {
    /// A configuration with 10 MB chunks and a status check every minute.
    #[must_use]
    pub fn new(api_base: &str, access_token: SecretString, privacy_level: &str) -> Self {
        Self {
            api_base: api_base.to_owned(),
            access_token,
            privacy_level: privacy_level.to_owned(),
            chunk_size: DEFAULT_CHUNK_BYTES,
            status_poll: Duration::from_secs(60),
        }
    }
}

/// Publishes on TikTok for one account.
#[derive(Debug)]
pub struct TikTokClient {
    http: Http,
    config: TikTokConfig,
    /// The account's username from the last creator-info answer, for the post's link.
    username: Mutex<Option<String>>,
    /// The access token in use and, when the client may renew it, how.
    tokens: Mutex<Tokens>,
    renewal: Option<Renewal>,
}

#[derive(Debug)]
struct Tokens {
    access: SecretString,
    refresh: Option<SecretString>,
    /// A renewed pair the keeper could not store yet, and the refresh token it replaced.
    pending: Option<(RenewedTokens, Option<SecretString>)>,
}

/// How the client renews its token: the app's client and where the new pair goes.
#[derive(Debug)]
struct Renewal {
    provider: Provider,
    keeper: Arc<dyn TokenKeeper>,
}

/// `creator_info/query` data (section 5.3).
#[derive(Clone, Debug, Default, Deserialize)]
struct CreatorInfo {
    #[serde(default)]
    creator_username: Option<String>,
    #[serde(default)]
    privacy_level_options: Vec<String>,
    #[serde(default)]
    comment_disabled: bool,
    #[serde(default)]
    duet_disabled: bool,
    #[serde(default)]
    stitch_disabled: bool,
    #[serde(default)]
    max_video_post_duration_sec: Option<u64>,
}

/// The `error` half of every answer.
#[derive(Debug, Default, Deserialize)]
struct EnvelopeError {
    #[serde(default)]
    code: String,
    #[serde(default)]
    message: String,
    #[serde(default)]
    log_id: String,
}

#[derive(Deserialize)]
struct Envelope {
    #[serde(default)]
    data: Value,
    #[serde(default)]
    error: Option<EnvelopeError>,
}

/// A failed call: TikTok's error code (when it sent one) beside the mapped error, so a caller
/// can react to one code without matching on message text.
struct ApiFailure {
    code: Option<String>,
    error: ConnectorError,
}

impl From<ConnectorError> for ApiFailure {
    fn from(error: ConnectorError) -> Self {
        Self { code: None, error }
    }
}

/// What one post sends.
enum Content<'a> {
    Video(&'a OutboundMedia),
    /// The photos' public addresses, in order.
    Photos(Vec<&'a str>),
}

/// Why photos cannot go without a public address.
const PHOTOS_NEED_PUBLIC_URL: &str = "TikTok photo posts are pulled from a public address on a \
     domain verified in the TikTok developer portal: set Humas's public URL (public_base_url) \
     and verify its domain there";

impl TikTokClient {
    /// A client over the guarded `http`.
    #[must_use]
    pub fn new(http: Http, config: TikTokConfig) -> Self {
        let tokens = Tokens {
            access: config.access_token.clone(),
            refresh: None,
            pending: None,
        };
        Self {
            http,
            config,
            username: Mutex::new(None),
            tokens: Mutex::new(tokens),
            renewal: None,
        }
    }

    /// Lets the client renew an invalid access token with `refresh_token` through the app's
    /// client (`provider`, from [`Provider::tiktok`]), handing every new pair to `keeper`.
    #[must_use]
    pub fn with_renewal(
        mut self,
        provider: Provider,
        refresh_token: SecretString,
        keeper: Arc<dyn TokenKeeper>,
    ) -> Self {
        self.tokens.get_mut().refresh = Some(refresh_token);
        self.renewal = Some(Renewal { provider, keeper });
        self
    }

    /// Renews the access token `refused`, unless a newer one is in use or stored already.
    async fn renew(&self, refused: &SecretString) -> Result<(), ConnectorError> {
        let Some(renewal) = &self.renewal else {
            return Err(ConnectorError::TokenExpired("no refresh token".to_owned()));
        };
        let mut tokens = self.tokens.lock().await;
        if tokens.access.expose_secret() != refused.expose_secret() {
            return Ok(());
        }
        if let Some(stored) = renewal.keeper.stored().await
            && stored.access_token.expose_secret() != refused.expose_secret()
        {
            tokens.access = stored.access_token;
            if stored.refresh_token.is_some() {
                tokens.refresh = stored.refresh_token;
            }
            return Ok(());
        }
        let Some(spent) = tokens.refresh.clone() else {
            return Err(ConnectorError::TokenExpired("no refresh token".to_owned()));
        };
        let set =
            crate::oauth::refresh(&self.http, &renewal.provider, &spent, Timestamp::now()).await?;
        tokens.access = set.access_token.clone();
        if let Some(rotated) = &set.refresh_token {
            tokens.refresh = Some(rotated.clone());
        }
        let renewed = RenewedTokens {
            access_token: set.access_token,
            refresh_token: set.refresh_token,
            expires_at: set.expires_at,
            refresh_expires_at: set.refresh_expires_at,
        };
        if renewal.keeper.save(&renewed, Some(&spent)).await.is_err() {
            tokens.pending = Some((renewed, Some(spent)));
        }
        Ok(())
    }

    /// Tries again to store a pair the keeper could not store before.
    async fn save_pending(&self) {
        let Some(renewal) = &self.renewal else {
            return;
        };
        let mut tokens = self.tokens.lock().await;
        if let Some((pair, spent)) = tokens.pending.take()
            && renewal.keeper.save(&pair, spent.as_ref()).await.is_err()
        {
            tokens.pending = Some((pair, spent));
        }
    }

    /// How often the worker should check a pending post ([`TikTokConfig::status_poll`]).
    #[must_use]
    pub const fn status_poll(&self) -> Duration {
        self.config.status_poll
    }

    /// `POST {api_base}{path}` with a JSON body; the `data` of a successful answer. An invalid
    /// access token is renewed once, when the client may, and the call repeated.
    async fn call(&self, path: &str, body: &Value) -> Result<Value, ApiFailure> {
        self.save_pending().await;
        let access = self.tokens.lock().await.access.clone();
        match self.call_with(&access, path, body).await {
            Err(failure)
                if self.renewal.is_some()
                    && failure.code.as_deref() == Some("access_token_invalid") =>
            {
                self.renew(&access).await?;
                let access = self.tokens.lock().await.access.clone();
                self.call_with(&access, path, body).await
            }
            other => other,
        }
    }

    async fn call_with(
        &self,
        access: &SecretString,
        path: &str,
        body: &Value,
    ) -> Result<Value, ApiFailure> {
        let url = self.http.url(&self.config.api_base, path)?;
        let response = self
            .http
            .client()
            .post(url)
            .bearer_auth(access.expose_secret())
            .header(CONTENT_TYPE, "application/json; charset=UTF-8")
            .body(body.to_string())
            .send()
            .await
            .map_err(|e| transport_error(&e))?;
        let status = response.status();
        let wait = retry_after(&response);
        let bytes = read_body(response).await?;
        let envelope: Option<Envelope> = serde_json::from_slice(&bytes).ok();
        match envelope {
            Some(Envelope {
                error: Some(error), ..
            }) if error.code != "ok" => Err(ApiFailure {
                error: envelope_error(status, wait, &error),
                code: Some(error.code),
            }),
            Some(envelope) if status.is_success() => Ok(envelope.data),
            None if status.is_success() => Err(ConnectorError::Malformed(format!(
                "{path} answered with something other than TikTok's JSON envelope: {}",
                String::from_utf8_lossy(&bytes)
                    .chars()
                    .take(200)
                    .collect::<String>()
            ))
            .into()),
            _ => {
                let detail = format!(
                    "HTTP {}: {}",
                    status.as_u16(),
                    String::from_utf8_lossy(&bytes)
                        .chars()
                        .take(200)
                        .collect::<String>()
                );
                Err(status_error(status, wait, detail).into())
            }
        }
    }

    /// [`Self::call`] with only the mapped error.
    async fn call_mapped(&self, path: &str, body: &Value) -> Result<Value, ConnectorError> {
        self.call(path, body).await.map_err(|f| f.error)
    }

    async fn creator_info(&self) -> Result<CreatorInfo, ConnectorError> {
        let data = self.call_mapped(CREATOR_INFO, &json!({})).await?;
        let info: CreatorInfo = serde_json::from_value(data)
            .map_err(|e| ConnectorError::Malformed(format!("creator info: {e}")))?;
        if let Some(name) = info.creator_username.clone().filter(|n| !n.is_empty()) {
            *self.username.lock().await = Some(name);
        }
        Ok(info)
    }

    /// The account's username, asking TikTok when this client has not seen it yet; `None`
    /// when TikTok cannot say (the link is a nicety, never a reason to fail).
    async fn known_username(&self) -> Option<String> {
        if let Some(name) = self.username.lock().await.clone() {
            return Some(name);
        }
        self.creator_info().await.ok()?.creator_username
    }

    fn check_privacy(&self, info: &CreatorInfo) -> Result<(), ConnectorError> {
        let wanted = self.config.privacy_level.as_str();
        if info.privacy_level_options.iter().any(|o| o == wanted) {
            return Ok(());
        }
        if info.privacy_level_options.iter().all(|o| o == SELF_ONLY) {
            return Err(ConnectorError::Refused(format!(
                "TikTok lets this account post only privately (SELF_ONLY), not {wanted}: an app \
                 that has not passed TikTok's audit (or a private account) can post nothing \
                 else. Have the Humas app audited by TikTok, or set the channel's privacy to \
                 SELF_ONLY"
            )));
        }
        Err(ConnectorError::Refused(format!(
            "TikTok does not offer privacy level {wanted} for this account now; it offers {}: \
             change the channel's privacy level",
            info.privacy_level_options.join(", ")
        )))
    }

    async fn post_video(
        &self,
        text: &str,
        video: &OutboundMedia,
        info: &CreatorInfo,
    ) -> Result<String, ConnectorError> {
        check_duration(video, info)?;
        let post_info = json!({
            "title": text,
            "privacy_level": self.config.privacy_level,
            // Never switch on what the creator turned off (TikTok's UX rules).
            "disable_duet": info.duet_disabled,
            "disable_comment": info.comment_disabled,
            "disable_stitch": info.stitch_disabled,
        });
        if let Some(url) = video.public_url.as_deref().filter(|u| !u.trim().is_empty()) {
            let body = json!({
                "post_info": post_info,
                "source_info": {"source": "PULL_FROM_URL", "video_url": url},
            });
            match self.call(VIDEO_INIT, &body).await {
                Ok(data) => return publish_id(&data),
                // The domain is not verified for pulling: upload the bytes instead (nothing
                // was created, so this is no second post).
                Err(f) if f.code.as_deref() == Some("url_ownership_unverified") => {}
                Err(f) => return Err(f.error),
            }
        }
        self.upload_video(post_info, video).await
    }

    /// `FILE_UPLOAD`: init with the sizes, then every chunk to `upload_url`.
    async fn upload_video(
        &self,
        post_info: Value,
        video: &OutboundMedia,
    ) -> Result<String, ConnectorError> {
        let size = u64::try_from(video.bytes.len()).unwrap_or(u64::MAX);
        if size == 0 {
            return Err(ConnectorError::Refused(format!(
                "{} is empty; attach the video again",
                video.file_name
            )));
        }
        let plan = ChunkPlan::new(size, self.config.chunk_size);
        let body = json!({
            "post_info": post_info,
            "source_info": {
                "source": "FILE_UPLOAD",
                "video_size": size,
                "chunk_size": plan.chunk_size,
                "total_chunk_count": plan.count,
            },
        });
        let data = self.call_mapped(VIDEO_INIT, &body).await?;
        let id = publish_id(&data)?;
        let upload_url = data
            .get("upload_url")
            .and_then(Value::as_str)
            .ok_or_else(|| {
                ConnectorError::Malformed("FILE_UPLOAD init answered without upload_url".into())
            })?;
        let upload_url = Url::parse(upload_url).map_err(|e| {
            ConnectorError::Malformed(format!("upload_url {upload_url:?} is not a URL: {e}"))
        })?;
        self.http.check(&upload_url)?;
        for (start, end) in plan.ranges() {
            self.put_chunk(&upload_url, video, start, end, size).await?;
        }
        Ok(id)
    }

    /// One `PUT` of bytes `start..end` (end exclusive) with `Content-Range`. The upload URL is
    /// TikTok's own signed address: the access token is not sent there.
    async fn put_chunk(
        &self,
        upload_url: &Url,
        video: &OutboundMedia,
        start: u64,
        end: u64,
        size: u64,
    ) -> Result<(), ConnectorError> {
        let (from, to) = (
            usize::try_from(start).unwrap_or(usize::MAX),
            usize::try_from(end).unwrap_or(usize::MAX),
        );
        let chunk = video.bytes.get(from..to).ok_or_else(|| {
            ConnectorError::Target(format!("chunk {start}-{end} is outside the file"))
        })?;
        let response = self
            .http
            .client()
            .put(upload_url.clone())
            .header(CONTENT_TYPE, video.mime.as_str())
            .header(CONTENT_LENGTH, chunk.len())
            .header(
                CONTENT_RANGE,
                format!("bytes {start}-{}/{size}", end.saturating_sub(1)),
            )
            .body(chunk.to_vec())
            .send()
            .await
            .map_err(|e| transport_error(&e))?;
        check_upload_answer(response).await
    }

    async fn post_photos(
        &self,
        text: &str,
        urls: &[&str],
        info: &CreatorInfo,
    ) -> Result<String, ConnectorError> {
        let body = json!({
            "media_type": "PHOTO",
            "post_mode": "DIRECT_POST",
            "post_info": {
                "title": photo_title(text),
                "description": text,
                "privacy_level": self.config.privacy_level,
                "disable_comment": info.comment_disabled,
                "auto_add_music": true,
            },
            "source_info": {
                "source": "PULL_FROM_URL",
                "photo_cover_index": 0,
                "photo_images": urls,
            },
        });
        let data = self.call_mapped(CONTENT_INIT, &body).await?;
        publish_id(&data)
    }
}

/// What a post carries, checked against TikTok's rules before any call.
fn content_of(post: &OutboundPost) -> Result<Content<'_>, ConnectorError> {
    let videos = post
        .media
        .iter()
        .filter(|m| m.kind == MediaKind::Video)
        .count();
    match (post.media.as_slice(), videos) {
        ([], _) => Err(ConnectorError::Refused(
            "a TikTok post needs a video or photos".to_owned(),
        )),
        ([video], 1) => {
            check_utf16_length("video caption", &post.text, MAX_VIDEO_TITLE_UTF16)?;
            Ok(Content::Video(video))
        }
        (_, 0) if post.media.len() > MAX_PHOTOS => Err(ConnectorError::Refused(format!(
            "a TikTok photo post holds at most {MAX_PHOTOS} photos; this one has {}",
            post.media.len()
        ))),
        (photos, 0) => {
            check_utf16_length("photo post text", &post.text, MAX_PHOTO_DESCRIPTION_UTF16)?;
            if let Some(p) = photos.iter().find(|p| !photo_type_accepted(&p.mime)) {
                return Err(ConnectorError::Refused(format!(
                    "TikTok takes JPEG and WebP photos only; {} is {}: convert it",
                    p.file_name, p.mime
                )));
            }
            let urls = photos
                .iter()
                .map(|p| {
                    p.public_url
                        .as_deref()
                        .filter(|u| !u.trim().is_empty())
                        .ok_or_else(|| ConnectorError::Refused(PHOTOS_NEED_PUBLIC_URL.to_owned()))
                })
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Content::Photos(urls))
        }
        _ => Err(ConnectorError::Refused(
            "a TikTok post is one video or a set of photos, not both and not several videos"
                .to_owned(),
        )),
    }
}

fn photo_type_accepted(mime: &str) -> bool {
    let mime = mime.to_ascii_lowercase();
    matches!(mime.as_str(), "image/jpeg" | "image/jpg" | "image/webp")
}

fn check_duration(video: &OutboundMedia, info: &CreatorInfo) -> Result<(), ConnectorError> {
    let (Some(ms), Some(max)) = (video.duration_ms, info.max_video_post_duration_sec) else {
        return Ok(());
    };
    if ms > max.saturating_mul(1000) {
        return Err(ConnectorError::Refused(format!(
            "the video is {} s long; TikTok lets this account post videos of at most {max} s: \
             shorten it",
            ms.div_ceil(1000)
        )));
    }
    Ok(())
}

fn check_utf16_length(what: &str, text: &str, max: usize) -> Result<(), ConnectorError> {
    let length = text.encode_utf16().count();
    if length > max {
        return Err(ConnectorError::Refused(format!(
            "the {what} is {length} characters as TikTok counts them (UTF-16); the limit is \
             {max}: shorten it by {}",
            length - max
        )));
    }
    Ok(())
}

/// The photo post's title (at most 90 UTF-16 units): the text's first line, cut at a character.
fn photo_title(text: &str) -> String {
    let first_line = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    let mut units = 0;
    first_line
        .trim()
        .chars()
        .take_while(|c| {
            units += c.len_utf16();
            units <= MAX_PHOTO_TITLE_UTF16
        })
        .collect()
}

fn publish_id(data: &Value) -> Result<String, ConnectorError> {
    data.get("publish_id")
        .and_then(Value::as_str)
        .filter(|id| !id.is_empty())
        .map(str::to_owned)
        .ok_or_else(|| ConnectorError::Malformed("init answered without a publish_id".into()))
}

/// A TikTok id that may come as a JSON string or number (section "General rules").
fn id_string(value: &Value) -> Option<String> {
    match value {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        // as_u64 refuses a number that lost precision as a float.
        Value::Number(n) => n.as_u64().map(|n| n.to_string()),
        _ => None,
    }
}

/// How a file is cut for `FILE_UPLOAD`: `count` chunks of `chunk_size`, the last one carrying
/// the remainder (TikTok: `total_chunk_count = floor(video_size / chunk_size)`), or the whole
/// file at once when it is no larger than one chunk.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct ChunkPlan {
    size: u64,
    chunk_size: u64,
    count: u64,
}

impl ChunkPlan {
    fn new(size: u64, chunk_size: u64) -> Self {
        let chunk_size = chunk_size.max(1);
        if size <= chunk_size {
            return Self {
                size,
                chunk_size: size,
                count: 1,
            };
        }
        Self {
            size,
            chunk_size,
            count: size / chunk_size,
        }
    }

    /// `(start, end)` of each chunk, end exclusive.
    fn ranges(self) -> impl Iterator<Item = (u64, u64)> {
        (0..self.count).map(move |i| {
            let start = i * self.chunk_size;
            let end = if i + 1 == self.count {
                self.size
            } else {
                start + self.chunk_size
            };
            (start, end)
        })
    }
}

async fn check_upload_answer(response: Response) -> Result<(), ConnectorError> {
    let status = response.status();
    if status.is_success() {
        return Ok(());
    }
    let wait = retry_after(&response);
    let body = read_body(response).await.unwrap_or_default();
    let detail = format!(
        "video chunk upload: HTTP {}: {}",
        status.as_u16(),
        String::from_utf8_lossy(&body)
            .chars()
            .take(200)
            .collect::<String>()
    );
    Err(status_error(status, wait, detail))
}

/// Maps an envelope error by its code, then by the HTTP status.
fn envelope_error(status: StatusCode, wait: Option<Duration>, e: &EnvelopeError) -> ConnectorError {
    let detail = format!("{}: {} (log_id {})", e.code, e.message, e.log_id);
    let code = e.code.as_str();
    match code {
        "access_token_invalid" => ConnectorError::TokenExpired(detail),
        "scope_not_authorized" => ConnectorError::Forbidden(format!(
            "{detail}; reconnect the account granting video.publish"
        )),
        // TikTok's limits are per minute (6 inits, 30 status checks): a minute is the wait
        // when it does not say.
        "rate_limit_exceeded" => ConnectorError::RateLimited {
            retry_after: wait.or(Some(Duration::from_secs(60))),
            detail,
        },
        "unaudited_client_can_only_post_to_private_accounts" => ConnectorError::Refused(format!(
            "TikTok lets an app that has not passed its audit post only to private accounts \
             with privacy SELF_ONLY; have the Humas app audited or set the channel to \
             SELF_ONLY ({detail})"
        )),
        "privacy_level_option_mismatch" => ConnectorError::Refused(format!(
            "the privacy level is not one this account offers now; change the channel's \
             privacy level ({detail})"
        )),
        "url_ownership_unverified" => ConnectorError::Refused(format!(
            "TikTok only pulls files from a domain or URL prefix verified for the app in the \
             TikTok developer portal; verify Humas's public address there ({detail})"
        )),
        _ if code.starts_with("spam_risk") => ConnectorError::Refused(format!(
            "TikTok is refusing posts from this account for now (it counts too many posts or \
             has restricted the account); wait, or check the account in the TikTok app \
             ({detail})"
        )),
        _ if status == StatusCode::TOO_MANY_REQUESTS => ConnectorError::RateLimited {
            retry_after: wait.or(Some(Duration::from_secs(60))),
            detail,
        },
        "internal_error" => ConnectorError::Unavailable {
            retry_after: wait,
            detail,
        },
        _ if status.is_success() => ConnectorError::Refused(detail),
        _ => status_error(status, wait, detail),
    }
}

#[async_trait]
impl Publisher for TikTokClient {
    async fn publish(&self, post: &OutboundPost) -> Result<PublishOutcome, ConnectorError> {
        let content = content_of(post)?;
        let info = self.creator_info().await?;
        self.check_privacy(&info)?;
        let handle = match content {
            Content::Video(video) => self.post_video(&post.text, video, &info).await?,
            Content::Photos(urls) => self.post_photos(&post.text, &urls, &info).await?,
        };
        Ok(PublishOutcome::Pending { handle })
    }

    async fn find_published(
        &self,
        _post: &OutboundPost,
    ) -> Result<Option<Published>, ConnectorError> {
        Err(ConnectorError::Unsupported(
            "looking up what an account posted (TikTok's posting API cannot list posts)",
        ))
    }

    async fn check_pending(&self, handle: &str) -> Result<PublishOutcome, ConnectorError> {
        let data = self
            .call_mapped(STATUS_FETCH, &json!({ "publish_id": handle }))
            .await?;
        let status = data.get("status").and_then(Value::as_str).ok_or_else(|| {
            ConnectorError::Malformed(format!("status of {handle} answered without a status"))
        })?;
        let pending = || PublishOutcome::Pending {
            handle: handle.to_owned(),
        };
        match status {
            "PUBLISH_COMPLETE" => {
                let ids = data
                    .get("publicaly_available_post_id")
                    .or_else(|| data.get("publicly_available_post_id"))
                    .and_then(Value::as_array);
                let Some(id) = ids.into_iter().flatten().find_map(id_string) else {
                    // Published, but the id comes after moderation.
                    return Ok(pending());
                };
                let url = self
                    .known_username()
                    .await
                    .map(|user| format!("https://www.tiktok.com/@{user}/video/{id}"));
                Ok(PublishOutcome::Published(Published {
                    external_id: id,
                    url,
                }))
            }
            "FAILED" => {
                let reason = data
                    .get("fail_reason")
                    .and_then(Value::as_str)
                    .filter(|r| !r.is_empty())
                    .unwrap_or("no reason given");
                Err(ConnectorError::Refused(format!(
                    "TikTok did not publish the post: {reason}"
                )))
            }
            // PROCESSING_DOWNLOAD, PROCESSING_UPLOAD, SEND_TO_USER_INBOX and anything newer.
            _ => Ok(pending()),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Webhooks (developer portal): `TikTok-Signature: t=<unix>,s=<hex>`.

/// Why a TikTok webhook delivery was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WebhookError {
    /// The header is not `t=<unix seconds>,s=<64 hex digits>`.
    #[error("TikTok-Signature must be t=<unix seconds>,s=<64 hex digits>")]
    BadSignatureFormat,
    /// `t` is further from our clock than the tolerance.
    #[error(
        "TikTok-Signature is {0} seconds away from our clock: refused as a possible replay (check the server's clock)"
    )]
    Stale(i64),
    /// The signature does not match the body: wrong client secret or altered body.
    #[error("TikTok-Signature does not match the body: check the app's client secret")]
    Mismatch,
    /// The body is not an event TikTok documents.
    #[error("TikTok webhook body is not a documented event: {0}")]
    BadBody(String),
}

/// Checks `TikTok-Signature: t=<unix>,s=<hex HMAC-SHA256(client_secret, "<t>.<raw body>")>` in
/// constant time, refusing a `t` more than `tolerance` from `now` either way. Pass the body
/// exactly as received.
///
/// # Errors
/// [`WebhookError::BadSignatureFormat`], [`WebhookError::Stale`], [`WebhookError::Mismatch`].
pub fn verify_webhook(
    client_secret: &[u8],
    header: &str,
    body: &[u8],
    now: Timestamp,
    tolerance: Duration,
) -> Result<(), WebhookError> {
    let mut time = None;
    let mut signature = None;
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", v)) => time = v.trim().parse::<i64>().ok(),
            Some(("s", v)) => signature = hex::decode(v.trim()).ok().filter(|s| s.len() == 32),
            _ => {}
        }
    }
    let (Some(time), Some(signature)) = (time, signature) else {
        return Err(WebhookError::BadSignatureFormat);
    };
    let skew = now.as_second().saturating_sub(time);
    let allowed = i64::try_from(tolerance.as_secs()).unwrap_or(i64::MAX);
    if skew.unsigned_abs() > allowed.unsigned_abs() {
        return Err(WebhookError::Stale(skew));
    }
    let mut mac =
        <Hmac<Sha256> as Mac>::new_from_slice(client_secret).map_err(|_| WebhookError::Mismatch)?;
    mac.update(time.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac.verify_slice(&signature)
        .map_err(|_| WebhookError::Mismatch)
}

/// What a webhook event is about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WebhookEventKind {
    /// `post.publish.complete`: the post went through (its id may still follow).
    PublishComplete,
    /// `post.publish.failed`: TikTok gave up; `reason` says why.
    PublishFailed,
    /// `post.publish.publicly_available`: the post is visible; `post_id` is its id.
    PubliclyAvailable,
    /// `post.publish.no_longer_publicly_available`: the post was taken down or made private.
    NoLongerPubliclyAvailable,
    /// `post.publish.inbox_delivered`: a draft reached the creator's inbox.
    InboxDelivered,
    /// `authorization.removed`: the account disconnected the app; reconnect it.
    AuthorizationRemoved,
    /// Anything else (`video.upload.failed`, `video.publish.completed`, newer events).
    Other,
}

impl WebhookEventKind {
    fn of(event: &str) -> Self {
        match event {
            "post.publish.complete" => Self::PublishComplete,
            "post.publish.failed" => Self::PublishFailed,
            "post.publish.publicly_available" => Self::PubliclyAvailable,
            "post.publish.no_longer_publicly_available" => Self::NoLongerPubliclyAvailable,
            "post.publish.inbox_delivered" => Self::InboxDelivered,
            "authorization.removed" => Self::AuthorizationRemoved,
            _ => Self::Other,
        }
    }
}

/// One verified webhook delivery.
#[derive(Clone, Debug, PartialEq)]
pub struct WebhookEvent {
    /// The app's client key.
    pub client_key: String,
    /// The event name as sent, e.g. `post.publish.complete`.
    pub event: String,
    /// The event, classified.
    pub kind: WebhookEventKind,
    /// When TikTok created the event.
    pub create_time: Option<Timestamp>,
    /// The account's open id.
    pub user_openid: Option<String>,
    /// `content`, which TikTok sends as a JSON string, parsed.
    pub content: Value,
    /// `content.publish_id`: which publication this is about (our pending handle).
    pub publish_id: Option<String>,
    /// `content.post_id` (string or number), on `post.publish.publicly_available`.
    pub post_id: Option<String>,
    /// `content.reason`, on `post.publish.failed`.
    pub reason: Option<String>,
}

#[derive(Deserialize)]
struct RawEvent {
    #[serde(default)]
    client_key: String,
    event: String,
    #[serde(default)]
    create_time: Option<i64>,
    #[serde(default)]
    user_openid: Option<String>,
    #[serde(default)]
    content: Value,
}

/// Parses a verified webhook body.
///
/// # Errors
/// [`WebhookError::BadBody`] when the body is not JSON, has no `event`, or `content` is a
/// string that is not JSON.
pub fn parse_webhook(body: &[u8]) -> Result<WebhookEvent, WebhookError> {
    let raw: RawEvent =
        serde_json::from_slice(body).map_err(|e| WebhookError::BadBody(e.to_string()))?;
    let content = match raw.content {
        Value::String(s) if s.trim().is_empty() => Value::Null,
        Value::String(s) => serde_json::from_str(&s)
            .map_err(|e| WebhookError::BadBody(format!("content is not a JSON string: {e}")))?,
        // Tolerate an object sent as such.
        other => other,
    };
    let text = |key: &str| {
        content
            .get(key)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    Ok(WebhookEvent {
        kind: WebhookEventKind::of(&raw.event),
        publish_id: text("publish_id"),
        post_id: content.get("post_id").and_then(id_string),
        reason: text("reason"),
        create_time: raw.create_time.and_then(|t| Timestamp::from_second(t).ok()),
        client_key: raw.client_key,
        event: raw.event,
        user_openid: raw.user_openid,
        content,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const BODY: &str = r#"{"client_key":"aw_test_key","event":"post.publish.complete","create_time":1735689600,"user_openid":"act.test","content":"{\"publish_id\":\"v_pub_url~v2.123\",\"publish_type\":\"DIRECT_PUBLISH\"}"}"#;
    const HEADER: &str =
        "t=1735689600,s=e29cce2239db726174050e8e0495e6a6307028e61ff171c8286f7497a34dfe0e";

    fn at(seconds: i64) -> Timestamp {
        Timestamp::from_second(seconds).unwrap()
    }

    #[test]
    fn the_documented_signature_vector_verifies() {
        let minute = Duration::from_secs(60);
        let secret = b"test_client_secret";
        assert_eq!(
            verify_webhook(secret, HEADER, BODY.as_bytes(), at(1_735_689_630), minute),
            Ok(())
        );
        // Either order, spaces around the parts.
        let swapped =
            "s=e29cce2239db726174050e8e0495e6a6307028e61ff171c8286f7497a34dfe0e, t=1735689600";
        assert_eq!(
            verify_webhook(secret, swapped, BODY.as_bytes(), at(1_735_689_600), minute),
            Ok(())
        );
        let altered = BODY.replace("v2.123", "v2.124");
        assert_eq!(
            verify_webhook(
                secret,
                HEADER,
                altered.as_bytes(),
                at(1_735_689_600),
                minute
            ),
            Err(WebhookError::Mismatch)
        );
        assert_eq!(
            verify_webhook(b"other", HEADER, BODY.as_bytes(), at(1_735_689_600), minute),
            Err(WebhookError::Mismatch)
        );
        assert_eq!(
            verify_webhook(secret, HEADER, BODY.as_bytes(), at(1_735_689_661), minute),
            Err(WebhookError::Stale(61))
        );
        assert_eq!(
            verify_webhook(secret, HEADER, BODY.as_bytes(), at(1_735_689_500), minute),
            Err(WebhookError::Stale(-100))
        );
        for bad in ["", "t=1735689600", "s=abcd,t=1735689600", "t=soon,s=e29c"] {
            assert_eq!(
                verify_webhook(secret, bad, BODY.as_bytes(), at(1_735_689_600), minute),
                Err(WebhookError::BadSignatureFormat),
                "{bad}"
            );
        }
    }

    #[test]
    fn webhook_content_is_parsed_from_its_string() {
        let event = parse_webhook(BODY.as_bytes()).unwrap();
        assert_eq!(event.kind, WebhookEventKind::PublishComplete);
        assert_eq!(event.client_key, "aw_test_key");
        assert_eq!(event.publish_id.as_deref(), Some("v_pub_url~v2.123"));
        assert_eq!(event.create_time, Some(at(1_735_689_600)));
        assert_eq!(event.content["publish_type"], "DIRECT_PUBLISH");

        let visible = br#"{"client_key":"k","event":"post.publish.publicly_available","create_time":1,"content":"{\"publish_id\":\"p1\",\"post_id\":7327000000000000001}"}"#;
        let event = parse_webhook(visible).unwrap();
        assert_eq!(event.kind, WebhookEventKind::PubliclyAvailable);
        assert_eq!(event.post_id.as_deref(), Some("7327000000000000001"));

        let failed = br#"{"event":"post.publish.failed","content":"{\"publish_id\":\"p2\",\"reason\":\"file_format_check_failed\"}"}"#;
        let event = parse_webhook(failed).unwrap();
        assert_eq!(event.kind, WebhookEventKind::PublishFailed);
        assert_eq!(event.reason.as_deref(), Some("file_format_check_failed"));

        let other = br#"{"event":"video.upload.failed","content":""}"#;
        assert_eq!(parse_webhook(other).unwrap().kind, WebhookEventKind::Other);

        assert!(matches!(
            parse_webhook(br#"{"event":"post.publish.complete","content":"{oops"}"#),
            Err(WebhookError::BadBody(_))
        ));
        assert!(matches!(
            parse_webhook(br#"{"content":"{}"}"#),
            Err(WebhookError::BadBody(_))
        ));
        assert!(matches!(
            parse_webhook(b"not json"),
            Err(WebhookError::BadBody(_))
        ));
    }

    #[test]
    fn chunks_follow_tiktoks_rounding_down_rule() {
        let plan = ChunkPlan::new(25, 10);
        assert_eq!(plan.count, 2);
        assert_eq!(plan.ranges().collect::<Vec<_>>(), [(0, 10), (10, 25)]);
        let whole = ChunkPlan::new(7, 10);
        assert_eq!((whole.chunk_size, whole.count), (7, 1));
        assert_eq!(whole.ranges().collect::<Vec<_>>(), [(0, 7)]);
        let exact = ChunkPlan::new(30, 10);
        assert_eq!(exact.ranges().last(), Some((20, 30)));
    }

    #[test]
    fn ids_come_as_strings_or_numbers() {
        assert_eq!(
            id_string(&json!(7_327_000_000_000_000_001_u64)).as_deref(),
            Some("7327000000000000001")
        );
        assert_eq!(id_string(&json!("42")).as_deref(), Some("42"));
        assert_eq!(id_string(&json!(1.5)), None);
        assert_eq!(id_string(&json!("")), None);
    }

    #[test]
    fn photo_titles_are_the_first_line_within_90_units() {
        assert_eq!(
            photo_title("Jadwal posyandu\nSenin 08.00"),
            "Jadwal posyandu"
        );
        let long = "a".repeat(120);
        assert_eq!(photo_title(&long).len(), 90);
        // An emoji is two UTF-16 units and is never cut in half.
        let emoji = format!("{}🙂🙂", "a".repeat(87));
        assert_eq!(photo_title(&emoji), format!("{}🙂", "a".repeat(87)));
    }
}
