//! The inbox: what the public says to and about the province, and the work of answering it.
//!
//! A connector turns a platform's payload into an [`Inbound`] (validated: the platform id, the
//! author and the text have been checked). The pipeline analyses it, routes it to an OPD and
//! stores it as a [`Message`] with its [`MessageAnalysis`] and its [`Workflow`]: status,
//! assignee, SP4N-LAPOR! [`Category`] and deadlines.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::ids::{AccountId, MessageId, OpdId, RoutingRuleId, UserId};
use crate::org::{Platform, choice_enum};
use crate::values::ValueError;

/// Longest message text kept, in bytes. Platforms cap comments far below this (YouTube at
/// 10,000 characters); news bodies are summaries.
pub const MAX_TEXT_BYTES: usize = 65_536;

choice_enum!(
    /// What a message is, relative to the province's accounts.
    MessageKind, "message kind" {
        /// A comment on one of our posts.
        Comment => "comment",
        /// A reply inside a comment thread.
        Reply => "reply",
        /// A post elsewhere that mentions one of our accounts.
        Mention => "mention",
        /// A direct (private) message.
        Direct => "direct",
        /// An online news article.
        News => "news",
    }
);

choice_enum!(
    /// Where a message is in its handling. `new → assigned → awaiting_approval → replied →
    /// closed`; a closed message can be reopened (back to `assigned` or `new`).
    Status, "status" {
        /// Not yet looked at.
        New => "new",
        /// Someone is on it.
        Assigned => "assigned",
        /// A reply was drafted by a role that needs approval.
        AwaitingApproval => "awaiting_approval",
        /// Answered on the platform.
        Replied => "replied",
        /// Nothing more to do.
        Closed => "closed",
    }
);

impl Status {
    /// Whether the workflow allows moving from `self` to `to`.
    #[must_use]
    pub const fn can_move_to(self, to: Self) -> bool {
        use Status::{Assigned, AwaitingApproval, Closed, New, Replied};
        matches!(
            (self, to),
            (New, Assigned | AwaitingApproval | Replied | Closed)
                | (Assigned, New | AwaitingApproval | Replied | Closed)
                | (AwaitingApproval, Assigned | Replied | Closed)
                | (Replied, Closed | Assigned)
                | (Closed, New | Assigned)
        )
    }

    /// Whether the message still waits for the agency.
    #[must_use]
    pub const fn is_open(self) -> bool {
        matches!(self, Self::New | Self::Assigned | Self::AwaitingApproval)
    }
}

choice_enum!(
    /// The SP4N-LAPOR! category that sets a message's resolution deadline.
    Category, "category" {
        /// A request for information (default 5 working days).
        InformationRequest => "information_request",
        /// A complaint about a service (default 5 working days).
        Complaint => "complaint",
        /// A dispute or violation that needs no field check (default 14 working days).
        Dispute => "dispute",
        /// A case that needs a field check (default 60 working days).
        FieldCheck => "field_check",
        /// Nothing to act on: praise, chatter, news for awareness.
        NotActionable => "not_actionable",
    }
);

impl Category {
    /// Whether this category starts a response clock.
    #[must_use]
    pub const fn is_actionable(self) -> bool {
        !matches!(self, Self::NotActionable)
    }
}

choice_enum!(
    /// Overall tone.
    Sentiment, "sentiment" {
        /// Negative.
        Negative => "negative",
        /// Neutral.
        Neutral => "neutral",
        /// Positive.
        Positive => "positive",
    }
);

choice_enum!(
    /// Whom hate speech targets.
    HateTarget, "hate target" {
        /// One person.
        Individual => "individual",
        /// A group.
        Group => "group",
    }
);

choice_enum!(
    /// A hate-speech (SARA) category.
    HateCategory, "hate category" {
        /// Religion or belief.
        Religion => "religion",
        /// Race or ethnicity.
        Race => "race",
        /// Physical traits or disability.
        Physical => "physical",
        /// Gender or sexual orientation.
        Gender => "gender",
        /// Other insults and slander.
        Other => "other",
    }
);

choice_enum!(
    /// How strong hate speech is.
    HateStrength, "hate strength" {
        /// Weak.
        Weak => "weak",
        /// Moderate.
        Moderate => "moderate",
        /// Strong.
        Strong => "strong",
    }
);

choice_enum!(
    /// A kind of personal data found in a message.
    PiiKind, "personal data kind" {
        /// Kartu tanda penduduk number.
        Nik => "nik",
        /// Telephone number.
        Phone => "phone",
        /// E-mail address.
        Email => "email",
        /// Vehicle plate.
        Plate => "plate",
        /// Bank account number.
        BankAccount => "bank_account",
        /// Street address.
        Address => "address",
    }
);

/// A small set of [`HateCategory`] or [`PiiKind`] values, stored as a bit mask.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Flags(u8);

impl Flags {
    /// No flags.
    pub const EMPTY: Self = Self(0);

    /// From a stored mask; bits beyond `width` are dropped.
    #[must_use]
    pub const fn from_bits(bits: u8) -> Self {
        Self(bits)
    }

    /// The mask, for storage.
    #[must_use]
    pub const fn bits(self) -> u8 {
        self.0
    }

    /// Adds the value at `index` (its position in `ALL`).
    #[must_use]
    pub const fn with(self, index: usize) -> Self {
        if index < 8 {
            Self(self.0 | (1 << index))
        } else {
            self
        }
    }

    /// Whether the value at `index` is set.
    #[must_use]
    pub const fn contains(self, index: usize) -> bool {
        index < 8 && self.0 & (1 << index) != 0
    }

    /// Whether nothing is set.
    #[must_use]
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }
}

impl HateCategory {
    /// Position in [`Flags`].
    #[must_use]
    pub fn index(self) -> usize {
        Self::ALL.iter().position(|c| *c == self).unwrap_or(0)
    }

    /// The categories set in `flags`.
    #[must_use]
    pub fn in_flags(flags: Flags) -> Vec<Self> {
        Self::ALL
            .iter()
            .copied()
            .filter(|c| flags.contains(c.index()))
            .collect()
    }
}

impl PiiKind {
    /// Position in [`Flags`].
    #[must_use]
    pub fn index(self) -> usize {
        Self::ALL.iter().position(|c| *c == self).unwrap_or(0)
    }

    /// The kinds set in `flags`.
    #[must_use]
    pub fn in_flags(flags: Flags) -> Vec<Self> {
        Self::ALL
            .iter()
            .copied()
            .filter(|c| flags.contains(c.index()))
            .collect()
    }
}

/// A platform's identifier for a message, post or thread: 1–256 characters, no control
/// characters. Unique per platform, which is what deduplication relies on.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ExternalId(String);

impl ExternalId {
    /// Validates a platform id.
    ///
    /// # Errors
    /// [`ValueError::ExternalId`] when empty, longer than 256 characters or containing control
    /// characters.
    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        let s = raw.trim();
        if s.is_empty() || s.chars().count() > 256 || s.chars().any(char::is_control) {
            return Err(ValueError::ExternalId);
        }
        Ok(Self(s.to_owned()))
    }
}

impl AsRef<str> for ExternalId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for ExternalId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for ExternalId {
    type Error = ValueError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<ExternalId> for String {
    fn from(value: ExternalId) -> Self {
        value.0
    }
}

/// Who wrote a message, as the platform names them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Author {
    /// Handle or platform user id (`@warga_sby`, a page-scoped id); for news, the outlet.
    pub handle: String,
    /// Display name, when the platform gives one.
    pub display_name: Option<String>,
}

impl Author {
    /// Validates an author.
    ///
    /// # Errors
    /// [`ValueError::Author`] when the handle is empty or either part is over 200 characters.
    pub fn parse(handle: &str, display_name: Option<&str>) -> Result<Self, ValueError> {
        let handle = handle.trim();
        let too_long = |s: &str| s.chars().count() > 200;
        if handle.is_empty() || too_long(handle) || handle.chars().any(char::is_control) {
            return Err(ValueError::Author);
        }
        let display_name = display_name.map(str::trim).filter(|s| !s.is_empty());
        if display_name.is_some_and(too_long) {
            return Err(ValueError::Author);
        }
        Ok(Self {
            handle: handle.to_owned(),
            display_name: display_name.map(str::to_owned),
        })
    }
}

/// A message as a connector, a webhook or an import delivers it: validated, not yet analysed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Inbound {
    /// The platform it came from.
    pub platform: Platform,
    /// The platform's id of the message.
    pub external_id: ExternalId,
    /// Comment, reply, mention, DM or news.
    pub kind: MessageKind,
    /// Who wrote it.
    pub author: Author,
    /// The text (plain text; HTML already stripped). May be empty for news with a title.
    pub text: String,
    /// Headline, for news.
    pub title: Option<String>,
    /// Link to the message on the platform.
    pub permalink: Option<String>,
    /// The message or post it answers.
    pub parent_external_id: Option<ExternalId>,
    /// The post at the root of its thread (our post, for comments).
    pub thread_external_id: Option<ExternalId>,
    /// When the author published it (never after the time it was received).
    pub published_at: Timestamp,
}

impl Inbound {
    /// Checks the text limits and clamps a publication time from the future to `received_at`
    /// (clocks of platforms and feeds drift; a message cannot be answered before it exists).
    ///
    /// # Errors
    /// [`ValueError::EmptyMessage`] when there is neither text nor title,
    /// [`ValueError::MessageText`] when the text is over [`MAX_TEXT_BYTES`].
    pub fn checked(mut self, received_at: Timestamp) -> Result<Self, ValueError> {
        let title_empty = self.title.as_deref().is_none_or(|t| t.trim().is_empty());
        if self.text.trim().is_empty() && title_empty {
            return Err(ValueError::EmptyMessage);
        }
        if self.text.len() > MAX_TEXT_BYTES
            || self
                .title
                .as_ref()
                .is_some_and(|t| t.len() > MAX_TEXT_BYTES)
        {
            return Err(ValueError::MessageText);
        }
        if self.published_at > received_at {
            self.published_at = received_at;
        }
        Ok(self)
    }
}

/// What the text engine found in a message, in the shape the inbox filters on.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct MessageAnalysis {
    /// Overall tone; `None` for a message whose text was erased before analysis.
    pub sentiment: Option<Sentiment>,
    /// Calibrated probability of the sentiment label.
    pub sentiment_score: f32,
    /// Abusive wording.
    pub abusive: bool,
    /// Calibrated probability of abusive wording.
    pub abusive_score: f32,
    /// Hate speech.
    pub hate_speech: bool,
    /// Calibrated probability of hate speech.
    pub hate_score: f32,
    /// Target of hate speech, when there is some.
    pub hate_target: Option<HateTarget>,
    /// Categories of hate speech ([`HateCategory`] bits).
    pub hate_categories: Flags,
    /// Strength of hate speech.
    pub hate_strength: Option<HateStrength>,
    /// A threat of violence.
    pub threat: bool,
    /// Personal data found ([`PiiKind`] bits).
    pub pii: Flags,
    /// 64-bit SimHash for near-duplicates.
    pub fingerprint: u64,
    /// Stems, hashtags and mentions joined by spaces: what full-text search matches.
    pub search_terms: String,
}

/// Where a message is in its handling, and its deadlines.
#[derive(Clone, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Workflow {
    /// Status.
    pub status: Status,
    /// Who handles it.
    pub assignee: Option<UserId>,
    /// The category set by an operator.
    pub category: Option<Category>,
    /// The category the rules suggest.
    pub suggested_category: Option<Category>,
    /// When the first response is due (actionable messages only).
    pub first_response_due: Option<Timestamp>,
    /// When the resolution is due, set once a category is known.
    pub resolution_due: Option<Timestamp>,
    /// When the agency first answered.
    pub first_response_at: Option<Timestamp>,
    /// When the message was replied to with a resolution or closed.
    pub resolved_at: Option<Timestamp>,
}

impl Workflow {
    /// The earliest deadline not yet met: the first response until it is given, then the
    /// resolution until the message is resolved. Stores keep it in a column so "overdue" and
    /// "due soon" are one indexed comparison.
    #[must_use]
    pub fn next_due(&self) -> Option<Timestamp> {
        if !self.status.is_open() && self.status != Status::Replied {
            return None;
        }
        if self.first_response_at.is_none() && self.first_response_due.is_some() {
            return self.first_response_due;
        }
        if self.resolved_at.is_none() {
            return self.resolution_due;
        }
        None
    }
}

// `choice_enum!` derives no `Default`, so clippy's suggested `#[derive(Default)]` cannot be used.
#[allow(clippy::derivable_impls)]
impl Default for Status {
    fn default() -> Self {
        Self::New
    }
}

/// A message as stored in the inbox.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Message {
    /// Identifier.
    pub id: MessageId,
    /// The account it arrived on.
    pub account: AccountId,
    /// The OPD that must handle it.
    pub opd: OpdId,
    /// The routing rule that chose the OPD, when one did (else the account's OPD).
    pub routed_by: Option<RoutingRuleId>,
    /// What arrived. `text` is emptied when the retention period erases it.
    pub inbound: Inbound,
    /// Pseudonymous key of the author (keyed hash of platform and handle) for analytics that
    /// must not name people.
    pub author_key: String,
    /// When Humas received it.
    pub received_at: Timestamp,
    /// When the text was erased (retention or an erasure request); figures stay.
    pub erased_at: Option<Timestamp>,
    /// Analysis.
    pub analysis: MessageAnalysis,
    /// Handling.
    pub workflow: Workflow,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inbound(text: &str, title: Option<&str>) -> Inbound {
        Inbound {
            platform: Platform::X,
            external_id: ExternalId::parse("1800000000000000001").unwrap(),
            kind: MessageKind::Mention,
            author: Author::parse("@warga_sby", Some("Warga Surabaya")).unwrap(),
            text: text.to_owned(),
            title: title.map(str::to_owned),
            permalink: None,
            parent_external_id: None,
            thread_external_id: None,
            published_at: "2026-11-28T03:00:00Z".parse().unwrap(),
        }
    }

    #[test]
    fn status_moves_follow_the_workflow() {
        assert!(Status::New.can_move_to(Status::Assigned));
        assert!(Status::Closed.can_move_to(Status::New));
        assert!(Status::Replied.can_move_to(Status::Closed));
        assert!(!Status::Closed.can_move_to(Status::Replied));
        assert!(!Status::AwaitingApproval.can_move_to(Status::New));
        assert!(!Status::New.can_move_to(Status::New));
    }

    #[test]
    fn next_due_is_the_first_unmet_deadline() {
        let t = |s: &str| -> Timestamp { s.parse().unwrap() };
        let mut w = Workflow {
            first_response_due: Some(t("2026-12-03T10:00:00Z")),
            resolution_due: Some(t("2026-12-07T10:00:00Z")),
            ..Workflow::default()
        };
        assert_eq!(w.next_due(), w.first_response_due);
        w.first_response_at = Some(t("2026-12-01T10:00:00Z"));
        assert_eq!(w.next_due(), w.resolution_due);
        w.status = Status::Closed;
        assert_eq!(w.next_due(), None);
    }

    #[test]
    fn external_ids_are_checked() {
        assert!(ExternalId::parse("").is_err());
        assert!(ExternalId::parse("a\nb").is_err());
        assert!(ExternalId::parse(&"9".repeat(257)).is_err());
        assert_eq!(ExternalId::parse(" 17_42 ").unwrap().as_ref(), "17_42");
    }

    #[test]
    fn flags_hold_each_choice() {
        let f = Flags::EMPTY
            .with(HateCategory::Religion.index())
            .with(HateCategory::Gender.index());
        assert_eq!(
            HateCategory::in_flags(f),
            vec![HateCategory::Religion, HateCategory::Gender]
        );
        assert_eq!(Flags::EMPTY.with(9), Flags::EMPTY);
    }

    #[test]
    fn an_empty_message_is_refused_and_a_future_date_clamped() {
        let now: Timestamp = "2026-11-28T02:00:00Z".parse().unwrap();
        assert_eq!(
            inbound("  ", None).checked(now).unwrap_err(),
            ValueError::EmptyMessage
        );
        assert!(inbound("", Some("Banjir di Sidoarjo")).checked(now).is_ok());
        let m = inbound("jalan rusak", None).checked(now).unwrap();
        assert_eq!(m.published_at, now);
        assert_eq!(
            inbound(&"a".repeat(MAX_TEXT_BYTES + 1), None)
                .checked(now)
                .unwrap_err(),
            ValueError::MessageText
        );
    }
}
