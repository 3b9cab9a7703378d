//! Publishing (issue 5): a post written once for many channels, its approval, its schedule and
//! each channel's delivery.
//!
//! A [`Post`] has a base text and, per [`Channel`] (one official account), either that text or
//! its own variant. It moves through [`PostState`]: written as a draft, submitted for review
//! along the OPD's approval chain ([`chain`]), approved (and then queued for its time), done
//! once every channel has an outcome, or expired when its time passed before approval. Each
//! channel's delivery has its own [`DeliveryState`], which is what the queue view shows.
//! [`limits`] holds each platform's documented text and media rules; [`zone`] turns a local
//! time in WIB/WITA/WIT into an instant.

pub mod chain;
pub mod limits;
pub mod media;
pub mod slots;
pub mod zone;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::ids::{AccountId, MediaId, NarrativeId, OpdId, PostId, UserId};
use crate::org::{Platform, choice_enum};
use crate::values::ValueError;

/// The longest base text or variant we accept (Facebook's limit, the largest of all platforms;
/// each platform's own limit is checked by [`limits::check`]).
pub const MAX_TEXT_CHARS: usize = 63_206;
/// The longest internal title.
pub const MAX_TITLE_CHARS: usize = 200;
/// Most channels one post may go to.
pub const MAX_CHANNELS: usize = 50;
/// Most media one post may carry (Instagram's carousel and TikTok's photo posts are the largest).
pub const MAX_MEDIA: usize = 35;

choice_enum!(
    /// Where a post is in its life.
    PostState, "post state" {
        /// Being written; only its author's OPD sees it.
        Draft => "draft",
        /// Submitted; waiting for the approval chain.
        InReview => "in_review",
        /// Every step approved: queued for its time, or going out.
        Approved => "approved",
        /// Every channel has an outcome (published, failed, or left to a person).
        Done => "done",
        /// Its scheduled time passed before it was approved; the author was told.
        Expired => "expired",
    }
);

impl PostState {
    /// Whether the text, channels and media may still change.
    #[must_use]
    pub const fn is_editable(self) -> bool {
        matches!(self, Self::Draft)
    }
}

choice_enum!(
    /// Where one channel's publication is.
    DeliveryState, "delivery state" {
        /// Not queued yet (the post is a draft or in review).
        Waiting => "waiting",
        /// In the queue for its time.
        Scheduled => "scheduled",
        /// A worker is sending it now (intent recorded).
        Publishing => "publishing",
        /// The platform accepted it and finishes later (TikTok moderation, video processing).
        Processing => "processing",
        /// Live on the platform.
        Published => "published",
        /// The platform refused it, or retries ran out; the reason is kept.
        Failed => "failed",
        /// A crash left the outcome unknown and the platform gives no way to look: a person must
        /// check the account before anything is sent again.
        Uncertain => "uncertain",
    }
);

impl DeliveryState {
    /// Whether nothing more will happen without a person.
    #[must_use]
    pub const fn is_final(self) -> bool {
        matches!(self, Self::Published | Self::Failed | Self::Uncertain)
    }
}

/// A validated post text (base or variant): at most [`MAX_TEXT_CHARS`] characters, with
/// control characters other than line breaks and tabs refused and `\r\n` made `\n`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PostText(String);

impl PostText {
    /// Parses a text; an empty one is allowed (a photo post may have no caption).
    ///
    /// # Errors
    /// [`ValueError::PostText`] when it is too long or holds control characters.
    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        let text = raw.replace("\r\n", "\n");
        let text = text.trim_end();
        let chars = text.chars().count();
        if chars > MAX_TEXT_CHARS {
            return Err(ValueError::PostText(format!(
                "the text has {chars} characters; the most any platform takes is {MAX_TEXT_CHARS}"
            )));
        }
        if let Some(bad) = text
            .chars()
            .find(|c| c.is_control() && *c != '\n' && *c != '\t')
        {
            return Err(ValueError::PostText(format!(
                "the text holds the control character U+{:04X}; remove it",
                u32::from(bad)
            )));
        }
        Ok(Self(text.to_owned()))
    }

    /// The text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether it is empty.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl AsRef<str> for PostText {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// An internal title, so the queue and calendar can name a post (never published).
///
/// # Errors
/// [`ValueError::PostText`] when empty or longer than [`MAX_TITLE_CHARS`].
pub fn parse_title(raw: &str) -> Result<String, ValueError> {
    let title = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    if title.is_empty() {
        return Err(ValueError::PostText(
            "give the post a short title so the team can find it in the queue".to_owned(),
        ));
    }
    if title.chars().count() > MAX_TITLE_CHARS {
        return Err(ValueError::PostText(format!(
            "the title is longer than {MAX_TITLE_CHARS} characters; shorten it"
        )));
    }
    Ok(title)
}

/// One account a post goes to, with its own text or the base text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Channel {
    /// The official account.
    pub account: AccountId,
    /// Its platform (copied so limits can be checked without a lookup).
    pub platform: Platform,
    /// The variant; `None` inherits the base text.
    pub text: Option<PostText>,
}

impl Channel {
    /// The text this channel publishes.
    #[must_use]
    pub fn effective_text<'a>(&'a self, base: &'a PostText) -> &'a PostText {
        self.text.as_ref().unwrap_or(base)
    }
}

/// A post as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Post {
    /// Identifier.
    pub id: PostId,
    /// The OPD that speaks.
    pub opd: OpdId,
    /// Who wrote it (never its approver).
    pub author: UserId,
    /// Internal title.
    pub title: String,
    /// The base text.
    pub body: PostText,
    /// Where it goes.
    pub channels: Vec<Channel>,
    /// Attached images and videos, in order.
    pub media: Vec<MediaId>,
    /// When it should go out; `None` means as soon as it is approved.
    pub scheduled_at: Option<Timestamp>,
    /// Life state.
    pub state: PostState,
    /// Published through the supervisor's emergency fast lane (no chain).
    pub emergency: bool,
    /// The central narrative this post adapts, if any.
    pub narrative: Option<NarrativeId>,
    /// Which review round this is (a rejection starts a new one; approvals of old rounds stay
    /// in history but do not count).
    pub review_round: u32,
    /// Created.
    pub created_at: Timestamp,
    /// Last changed.
    pub updated_at: Timestamp,
}

impl Post {
    /// Whether a scheduled time has passed at `now` (a post without a time never expires).
    #[must_use]
    pub fn is_overdue(&self, now: Timestamp) -> bool {
        self.scheduled_at.is_some_and(|at| at < now)
    }
}

/// One channel's delivery as the queue shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delivery {
    /// The account.
    pub account: AccountId,
    /// State.
    pub state: DeliveryState,
    /// When it is due (the post's time, or the approval time).
    pub due_at: Option<Timestamp>,
    /// Attempts made.
    pub attempts: u32,
    /// The platform's id once published.
    pub external_id: Option<String>,
    /// A link to the live post.
    pub url: Option<String>,
    /// The platform's reason for the last failure.
    pub last_error: Option<String>,
    /// When it went live.
    pub published_at: Option<Timestamp>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_normalises_line_breaks_and_refuses_control_characters() {
        assert_eq!(PostText::parse("a\r\nb  \n").unwrap().as_str(), "a\nb");
        assert!(PostText::parse("a\u{0007}b").is_err());
        assert!(PostText::parse(&"x".repeat(MAX_TEXT_CHARS + 1)).is_err());
        assert!(PostText::parse("").unwrap().is_empty());
    }

    #[test]
    fn title_is_squeezed_and_required() {
        assert_eq!(
            parse_title("  Banjir   Sidoarjo ").unwrap(),
            "Banjir Sidoarjo"
        );
        assert!(parse_title("   ").is_err());
    }

    #[test]
    fn channel_inherits_the_base_text() {
        let base = PostText::parse("dasar").unwrap();
        let mut channel = Channel {
            account: AccountId::generate(),
            platform: Platform::X,
            text: None,
        };
        assert_eq!(channel.effective_text(&base).as_str(), "dasar");
        channel.text = Some(PostText::parse("khusus X").unwrap());
        assert_eq!(channel.effective_text(&base).as_str(), "khusus X");
    }
}
