//! Publishing our own posts (issue 5): the [`Publisher`] each outbound connector implements.
//!
//! The publisher worker (in `humas-app`) records its intent in the database before it calls
//! [`Publisher::publish`], and passes the same [`OutboundPost::idempotency_key`] on every
//! attempt for one post on one channel. A platform with an idempotency mechanism uses it (Mastodon's
//! `Idempotency-Key` header, a deterministic Bluesky record key); elsewhere, after a crash left
//! the outcome unknown, the worker asks [`Publisher::find_published`] whether the post is already
//! there before it sends again.

use std::sync::Arc;

use async_trait::async_trait;
use jiff::Timestamp;

use crate::ConnectorError;

/// What kind of file a medium is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MediaKind {
    /// A still image (JPEG, PNG, WebP, GIF).
    Image,
    /// A video (MP4, MOV, WebM).
    Video,
}

/// One image or video to attach, already validated against the platform's limits.
#[derive(Clone, Debug)]
pub struct OutboundMedia {
    /// Image or video.
    pub kind: MediaKind,
    /// MIME type, e.g. `image/jpeg`.
    pub mime: String,
    /// The file name to send in multipart uploads, e.g. `banjir.jpg`.
    pub file_name: String,
    /// The file's bytes (shared, so retries do not copy them).
    pub bytes: Arc<Vec<u8>>,
    /// Where the platform can fetch the file itself (Instagram, TikTok `PULL_FROM_URL`,
    /// Facebook `url`); `None` when Humas has no public address configured.
    pub public_url: Option<String>,
    /// Alternative text for screen readers.
    pub alt_text: Option<String>,
    /// Pixel width, when known.
    pub width: Option<u32>,
    /// Pixel height, when known.
    pub height: Option<u32>,
    /// Duration of a video in milliseconds, when known.
    pub duration_ms: Option<u64>,
}

/// One post for one channel (account), text already resolved from the base text and the
/// channel's variant.
#[derive(Clone, Debug)]
pub struct OutboundPost {
    /// The text (caption) to publish.
    pub text: String,
    /// Attachments, in order.
    pub media: Vec<OutboundMedia>,
    /// Stable for this post on this channel across every attempt and restart (a UUID string).
    pub idempotency_key: String,
    /// When the worker first recorded its intent to send: reconciliation looks for posts made
    /// at or after this moment.
    pub intent_at: Timestamp,
}

/// Where a published post lives on the platform.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Published {
    /// The platform's id of the post.
    pub external_id: String,
    /// A link a person can open, when the platform gives or implies one.
    pub url: Option<String>,
}

/// What a publish call achieved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PublishOutcome {
    /// The post is live.
    Published(Published),
    /// The platform accepted the post but finishes it later (TikTok moderation, a video still
    /// processing); ask [`Publisher::check_pending`] with this handle.
    Pending {
        /// The platform's handle for the pending publication (e.g. TikTok's `publish_id`).
        handle: String,
    },
}

/// Engagement figures for one of our published posts.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Engagement {
    /// Likes, favourites, reactions.
    pub likes: u64,
    /// Comments and replies.
    pub comments: u64,
    /// Shares, reposts, retweets, boosts.
    pub shares: u64,
    /// Views or impressions, when the platform reports them.
    pub views: Option<u64>,
}

/// Publishes our posts on one account.
#[async_trait]
pub trait Publisher: Send + Sync {
    /// Publishes `post`.
    ///
    /// # Errors
    /// [`ConnectorError`]: [`ConnectorError::is_transient`] tells the worker whether to retry.
    async fn publish(&self, post: &OutboundPost) -> Result<PublishOutcome, ConnectorError>;

    /// After a crash while sending: the post this `post` (same key, same text) already made on
    /// the platform, if any. `Ok(None)` means the platform has no such post and sending again
    /// is safe.
    ///
    /// # Errors
    /// [`ConnectorError::Unsupported`] when the platform gives no way to look (the worker then
    /// asks a person instead of risking a double post).
    async fn find_published(
        &self,
        post: &OutboundPost,
    ) -> Result<Option<Published>, ConnectorError>;

    /// The state of a [`PublishOutcome::Pending`] publication.
    ///
    /// # Errors
    /// [`ConnectorError`]; a publication the platform failed is [`ConnectorError::Refused`]
    /// with its reason.
    async fn check_pending(&self, handle: &str) -> Result<PublishOutcome, ConnectorError> {
        let _ = handle;
        Err(ConnectorError::Unsupported(
            "checking a pending publication",
        ))
    }

    /// Engagement of one of our posts.
    ///
    /// # Errors
    /// [`ConnectorError`].
    async fn engagement(&self, external_id: &str) -> Result<Engagement, ConnectorError> {
        let _ = external_id;
        Err(ConnectorError::Unsupported("reading engagement"))
    }
}
