//! Finding messages: the inbox list with its filters, one message with its conversation.

use humas_domain::inbox::{Category, HateCategory, Message, Sentiment, Status};
use humas_domain::{AccountId, Actor, MessageId, Platform, UserId, ValueError};
use humas_store::{AssigneeFilter, DeadlineFilter, MessageQuery, Note, Reply};
use jiff::civil::Date;
use jiff::{SignedDuration, Timestamp};

use super::analysis::query_terms;
use crate::org::parse_id;
use crate::{App, AppError, AppResult};

/// How long before a deadline a message counts as "due soon".
pub const DUE_SOON: SignedDuration = SignedDuration::from_hours(24);

/// The inbox filters as a form or the API gives them: every field optional text.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct InboxFilter {
    /// Platform name.
    pub platform: Option<String>,
    /// Account id.
    pub account: Option<String>,
    /// `negative`, `neutral`, `positive`.
    pub sentiment: Option<String>,
    /// `yes` / `no`.
    pub abusive: Option<String>,
    /// `any` for any hate speech, or a category name.
    pub hate: Option<String>,
    /// `yes` / `no`.
    pub pii: Option<String>,
    /// Category name.
    pub category: Option<String>,
    /// Status name, or `open` for new + assigned + awaiting approval.
    pub status: Option<String>,
    /// `me`, `none`, or a user id.
    pub assignee: Option<String>,
    /// First day, `YYYY-MM-DD` in the province's zone.
    pub from: Option<String>,
    /// Last day, inclusive.
    pub to: Option<String>,
    /// `overdue`, `due_soon`, `on_time`.
    pub deadline: Option<String>,
    /// Words to search for.
    pub q: Option<String>,
    /// Page cursor from the previous page.
    pub before: Option<String>,
}

/// A page of the inbox.
#[derive(Clone, Debug)]
pub struct InboxPage {
    /// Messages, newest first, masked for the actor.
    pub messages: Vec<Message>,
    /// The cursor for the next page, when there may be one.
    pub next: Option<String>,
}

/// Messages per page.
pub const PAGE_SIZE: u32 = 50;

fn present(v: Option<&String>) -> Option<&str> {
    v.map(|s| s.trim()).filter(|s| !s.is_empty())
}

fn yes_no(raw: Option<&String>, field: &'static str) -> AppResult<Option<bool>> {
    match present(raw) {
        None => Ok(None),
        Some("yes" | "ya" | "true" | "1") => Ok(Some(true)),
        Some("no" | "tidak" | "false" | "0") => Ok(Some(false)),
        Some(other) => Err(ValueError::unknown(field, other, "yes, no").into()),
    }
}

fn day_start(raw: &str, zone: &jiff::tz::TimeZone) -> AppResult<Timestamp> {
    let date: Date = humas_domain::parse_date(raw)?;
    date.to_zoned(zone.clone())
        .map(|z| z.timestamp())
        .map_err(|_| AppError::Invalid(ValueError::Date))
}

/// Encodes a keyset cursor.
fn encode_cursor(m: &Message) -> String {
    format!(
        "{}_{}",
        m.inbound.published_at.as_microsecond(),
        m.id.as_uuid().simple()
    )
}

fn decode_cursor(raw: &str) -> Option<(Timestamp, MessageId)> {
    let (us, id) = raw.split_once('_')?;
    let ts = Timestamp::from_microsecond(us.parse().ok()?).ok()?;
    Some((ts, id.parse().ok()?))
}

impl InboxFilter {
    /// Turns the filter into a store query for `actor`, whose OPD scope is always applied.
    ///
    /// # Errors
    /// `Invalid` naming the field that is wrong.
    pub fn to_query(&self, actor: &Actor, now: Timestamp) -> AppResult<MessageQuery> {
        let zone = super::ingest::province_zone();
        let mut q = MessageQuery {
            opds: scope(actor),
            limit: PAGE_SIZE,
            ..MessageQuery::default()
        };
        q.platform = present(self.platform.as_ref())
            .map(Platform::parse)
            .transpose()?;
        q.account = present(self.account.as_ref())
            .map(|a| parse_id::<AccountId>(a, "account"))
            .transpose()?;
        q.sentiment = present(self.sentiment.as_ref())
            .map(Sentiment::parse)
            .transpose()?;
        q.abusive = yes_no(self.abusive.as_ref(), "abusive")?;
        q.has_pii = yes_no(self.pii.as_ref(), "personal data")?;
        match present(self.hate.as_ref()) {
            None => {}
            Some("any" | "yes") => q.hate_speech = Some(true),
            Some("no") => q.hate_speech = Some(false),
            Some(c) => q.hate_category = Some(HateCategory::parse(c)?),
        }
        q.category = present(self.category.as_ref())
            .map(Category::parse)
            .transpose()?;
        match present(self.status.as_ref()) {
            None => {}
            Some("open") => q.open_only = true,
            Some(s) => q.status = Some(Status::parse(s)?),
        }
        q.assignee = match present(self.assignee.as_ref()) {
            None => AssigneeFilter::Any,
            Some("me") => AssigneeFilter::User(actor.user_id),
            Some("none") => AssigneeFilter::Nobody,
            Some(id) => AssigneeFilter::User(parse_id::<UserId>(id, "user")?),
        };
        q.published_from = present(self.from.as_ref())
            .map(|d| day_start(d, &zone))
            .transpose()?;
        q.published_to = present(self.to.as_ref())
            .map(|d| day_start(d, &zone).map(|t| t + SignedDuration::from_hours(24)))
            .transpose()?;
        if let (Some(from), Some(to)) = (q.published_from, q.published_to)
            && to <= from
        {
            return Err(ValueError::DateRange.into());
        }
        q.deadline = match present(self.deadline.as_ref()) {
            None => None,
            Some("overdue") => Some(DeadlineFilter::Overdue { now }),
            Some("due_soon") => Some(DeadlineFilter::DueBefore {
                now,
                until: now + DUE_SOON,
            }),
            Some("on_time" | "none") => Some(DeadlineFilter::NoneDue),
            Some(other) => {
                return Err(
                    ValueError::unknown("deadline", other, "overdue, due_soon, on_time").into(),
                );
            }
        };
        q.terms = present(self.q.as_ref())
            .map(query_terms)
            .unwrap_or_default();
        if let Some(raw) = present(self.before.as_ref()) {
            q.before = Some(
                decode_cursor(raw).ok_or(AppError::Invalid(ValueError::unknown(
                    "page cursor",
                    raw,
                    "the value of the next-page link",
                )))?,
            );
        }
        Ok(q)
    }
}

/// The OPDs an actor sees: all (`None`) or their own plus acting ones.
fn scope(actor: &Actor) -> Option<Vec<humas_domain::OpdId>> {
    if actor.sees_all_opds() {
        None
    } else {
        let mut opds: Vec<_> = actor.opd.into_iter().collect();
        opds.extend(actor.acting_approver_for.iter().copied());
        Some(opds)
    }
}

/// Replaces personal data in a message with placeholders (`[NIK]`, `[TELEPON]`…) for people
/// who do not need to see it.
pub fn mask_for(actor: &Actor, message: &mut Message) {
    if actor.can_see_personal_data_of(message.opd) || message.analysis.pii.is_empty() {
        return;
    }
    message.inbound.text = humas_nlp_id::pii::redact(&message.inbound.text);
    if let Some(title) = &message.inbound.title {
        message.inbound.title = Some(humas_nlp_id::pii::redact(title));
    }
}

/// One message with everything its page shows.
#[derive(Clone, Debug)]
pub struct Conversation {
    /// The message.
    pub message: Message,
    /// Other messages of the same thread, oldest first (the post it answers first when stored).
    pub thread: Vec<Message>,
    /// Internal notes.
    pub notes: Vec<Note>,
    /// Replies, drafts and sent.
    pub replies: Vec<Reply>,
}

impl App {
    /// A page of the inbox for `actor`.
    ///
    /// # Errors
    /// `Invalid` for a bad filter; storage errors.
    pub async fn inbox(&self, actor: &Actor, filter: &InboxFilter) -> AppResult<InboxPage> {
        let now = self.clock.now();
        let query = filter.to_query(actor, now)?;
        let mut messages = self.store.list_messages(&query).await?;
        for m in &mut messages {
            mask_for(actor, m);
        }
        let next = (messages.len() == PAGE_SIZE as usize)
            .then(|| messages.last().map(encode_cursor))
            .flatten();
        Ok(InboxPage { messages, next })
    }

    /// A message the actor may see.
    ///
    /// # Errors
    /// `NotFound`, `Forbidden`.
    pub async fn message(&self, actor: &Actor, id: MessageId) -> AppResult<Message> {
        let mut m = self.store.get_message(id).await?;
        if !actor.can_view_opd(m.opd) {
            return Err(AppError::Forbidden);
        }
        mask_for(actor, &mut m);
        Ok(m)
    }

    /// A message with its thread, notes and replies.
    ///
    /// # Errors
    /// `NotFound`, `Forbidden`.
    pub async fn conversation(&self, actor: &Actor, id: MessageId) -> AppResult<Conversation> {
        let message = self.message(actor, id).await?;
        let thread_id = message
            .inbound
            .thread_external_id
            .as_ref()
            .or(message.inbound.parent_external_id.as_ref());
        let mut thread = match thread_id {
            Some(t) => {
                self.store
                    .thread_messages(message.inbound.platform, t.as_ref(), 50)
                    .await?
            }
            None => Vec::new(),
        };
        thread.retain(|m| m.id != message.id && actor.can_view_opd(m.opd));
        for m in &mut thread {
            mask_for(actor, m);
        }
        let notes = self.store.list_notes(id).await?;
        let replies = self.store.list_replies(id).await?;
        Ok(Conversation {
            message,
            thread,
            notes,
            replies,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use humas_domain::{OpdId, Role, Username};

    fn actor(role: Role, opd: Option<OpdId>) -> Actor {
        Actor {
            user_id: UserId::generate(),
            username: Username::parse("operator.dinkes").unwrap(),
            role,
            opd,
            acting_approver_for: Vec::new(),
        }
    }

    #[test]
    fn an_operator_only_ever_queries_their_opd() {
        let opd = OpdId::generate();
        let q = InboxFilter::default()
            .to_query(&actor(Role::Operator, Some(opd)), Timestamp::now())
            .unwrap();
        assert_eq!(q.opds, Some(vec![opd]));
        let q = InboxFilter::default()
            .to_query(&actor(Role::Leadership, None), Timestamp::now())
            .unwrap();
        assert_eq!(q.opds, None);
    }

    #[test]
    fn filters_are_parsed_and_bad_ones_named() {
        let a = actor(Role::Supervisor, None);
        let f = InboxFilter {
            sentiment: Some("negative".into()),
            abusive: Some("ya".into()),
            hate: Some("religion".into()),
            deadline: Some("overdue".into()),
            from: Some("2026-11-01".into()),
            to: Some("2026-11-30".into()),
            q: Some("pelayanan lambat".into()),
            assignee: Some("none".into()),
            ..InboxFilter::default()
        };
        let q = f.to_query(&a, Timestamp::now()).unwrap();
        assert_eq!(q.sentiment, Some(Sentiment::Negative));
        assert_eq!(q.abusive, Some(true));
        assert_eq!(q.hate_category, Some(HateCategory::Religion));
        assert_eq!(q.assignee, AssigneeFilter::Nobody);
        assert!(!q.terms.is_empty());
        assert_eq!(
            q.published_to
                .unwrap()
                .duration_since(q.published_from.unwrap()),
            SignedDuration::from_hours(30 * 24)
        );
        let bad = InboxFilter {
            sentiment: Some("angry".into()),
            ..InboxFilter::default()
        };
        let err = bad.to_query(&a, Timestamp::now()).unwrap_err().to_string();
        assert!(err.contains("angry") && err.contains("negative"), "{err}");
        let backwards = InboxFilter {
            from: Some("2026-11-30".into()),
            to: Some("2026-11-01".into()),
            ..InboxFilter::default()
        };
        assert!(backwards.to_query(&a, Timestamp::now()).is_err());
    }

    #[test]
    fn cursors_round_trip_and_garbage_is_refused() {
        let a = actor(Role::Supervisor, None);
        let f = InboxFilter {
            before: Some("nonsense".into()),
            ..InboxFilter::default()
        };
        assert!(f.to_query(&a, Timestamp::now()).is_err());
        let id = MessageId::generate();
        let raw = format!("1764300000000000_{}", id.as_uuid().simple());
        assert_eq!(
            decode_cursor(&raw),
            Some((
                Timestamp::from_microsecond(1_764_300_000_000_000).unwrap(),
                id
            ))
        );
    }
}
