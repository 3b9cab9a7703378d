//! The platforms as the publisher needs them. The server wires the real connectors behind
//! [`PublishGateway`]; the application never speaks HTTP.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use humas_domain::Account;
use humas_store::MediaAsset;
use jiff::Timestamp;

/// One medium to attach, with its bytes.
#[derive(Clone, Debug)]
pub struct OutgoingMedia {
    /// What the store knows of it (type, size, dimensions, alt text).
    pub asset: MediaAsset,
    /// The bytes.
    pub bytes: Arc<Vec<u8>>,
    /// A public address the platform can fetch it from, when Humas has one configured.
    pub public_url: Option<String>,
}

/// One post for one account.
#[derive(Clone, Debug)]
pub struct OutgoingPost {
    /// The text for this channel (variant or base).
    pub text: String,
    /// Attachments in order.
    pub media: Vec<OutgoingMedia>,
    /// Stable across every attempt for this post on this account.
    pub idempotency_key: String,
    /// When the intent to send was first recorded.
    pub intent_at: Timestamp,
}

/// Where a published post lives.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublishedRef {
    /// The platform's id.
    pub external_id: String,
    /// A link to it.
    pub url: Option<String>,
}

/// What a send achieved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SendOutcome {
    /// Live.
    Published(PublishedRef),
    /// Accepted, finished later; poll with the handle.
    Pending(String),
}

/// Why a send failed, in the terms the worker decides on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SendErrorKind {
    /// Trying later may work.
    Transient {
        /// How long the platform asked us to wait.
        retry_after: Option<Duration>,
        /// Whether the platform may have accepted the post anyway (timeout, broken
        /// connection): it must be checked before sending again.
        maybe_sent: bool,
    },
    /// It will not work without a person (refused text, missing permission).
    Permanent,
    /// The account's token expired or was revoked: someone must connect the account again.
    Reconnect,
    /// The platform has no such operation (e.g. looking up a Telegram channel's posts).
    Unsupported,
}

/// A failed send with the platform's words.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct SendError {
    /// What kind of failure.
    pub kind: SendErrorKind,
    /// The reason, for the queue view.
    pub message: String,
}

/// The platforms, for publishing.
#[async_trait]
pub trait PublishGateway: Send + Sync {
    /// Publishes `post` on `account`.
    async fn publish(
        &self,
        account: &Account,
        post: &OutgoingPost,
    ) -> Result<SendOutcome, SendError>;
    /// After a crash: the post this key already made, if any.
    async fn find_published(
        &self,
        account: &Account,
        post: &OutgoingPost,
    ) -> Result<Option<PublishedRef>, SendError>;
    /// The state of a pending publication.
    async fn check_pending(
        &self,
        account: &Account,
        handle: &str,
    ) -> Result<SendOutcome, SendError>;
    /// Engagement of one of our published posts.
    async fn engagement(
        &self,
        account: &Account,
        external_id: &str,
    ) -> Result<humas_store::EngagementFigures, SendError> {
        let _ = (account, external_id);
        Err(SendError {
            kind: SendErrorKind::Unsupported,
            message: "reading engagement is not possible here".to_owned(),
        })
    }
}
