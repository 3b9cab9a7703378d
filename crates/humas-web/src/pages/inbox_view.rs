//! What the inbox pages show of a message, prepared as plain text for the templates: labels in
//! the reader's language, times in their zone, badges and the deadline with its state.

use humas_app::inbox::query::DUE_SOON;
use humas_domain::inbox::{Category, HateCategory, Message, PiiKind, Status};
use humas_domain::sla::{DeadlineState, deadline_state};
use humas_domain::{Locale, UserZone};
use jiff::Timestamp;

use crate::format;
use crate::i18n::Tr;
use crate::pages::opds::Choice;

/// Longest text shown in the list before it is cut.
const EXCERPT_CHARS: usize = 220;

/// A small marker next to a message: a CSS class and its label.
pub(crate) struct Badge {
    pub class: &'static str,
    pub label: String,
}

/// One message as a list row or the head of the message page.
pub(crate) struct MessageView {
    pub id: String,
    pub platform: String,
    pub kind: String,
    pub author: String,
    pub handle: String,
    pub time: String,
    pub title: String,
    pub text: String,
    pub excerpt: String,
    pub permalink: String,
    pub erased: bool,
    pub badges: Vec<Badge>,
    pub status: String,
    pub status_label: String,
    pub category_label: String,
    pub category_suggested: bool,
    pub deadline_class: &'static str,
    pub deadline_label: String,
    pub deadline_due: String,
}

/// The reader's language and zone, and the current time, for formatting.
#[derive(Clone, Copy)]
pub(crate) struct Reader {
    pub tr: Tr,
    pub zone: UserZone,
    pub now: Timestamp,
}

impl Reader {
    /// A moment in the reader's zone with its WIB/WITA/WIT label.
    pub fn time(&self, t: Timestamp) -> String {
        format::time_us(t.as_microsecond(), self.zone, self.tr.locale)
    }

    fn t(&self, key: &str) -> String {
        self.tr.t(key)
    }
}

/// The label of an enum value: `inbox-<group>-<value>`.
pub(crate) fn label(tr: Tr, group: &str, value: &str) -> String {
    tr.t(&format!("inbox-{group}-{value}"))
}

/// Choices of an enum for a `<select>`.
pub(crate) fn choices<'a>(
    tr: Tr,
    group: &str,
    values: impl IntoIterator<Item = &'a str>,
) -> Vec<Choice> {
    values
        .into_iter()
        .map(|v| Choice {
            value: v.to_owned(),
            label: label(tr, group, v),
        })
        .collect()
}

/// The CSS class that colours a deadline state.
pub(crate) const fn deadline_class(state: DeadlineState) -> &'static str {
    match state {
        DeadlineState::Overdue => "dl-overdue",
        DeadlineState::DueSoon => "dl-due-soon",
        DeadlineState::OnTrack => "dl-on-track",
        DeadlineState::Met => "dl-met",
        DeadlineState::MetLate => "dl-met-late",
        DeadlineState::NotSet => "dl-none",
    }
}

fn excerpt(text: &str) -> String {
    let mut out: String = text.chars().take(EXCERPT_CHARS).collect();
    if text.chars().nth(EXCERPT_CHARS).is_some() {
        out.push('…');
    }
    out
}

fn badges(r: &Reader, m: &Message) -> Vec<Badge> {
    let a = &m.analysis;
    let mut out = Vec::new();
    if let Some(s) = a.sentiment {
        out.push(Badge {
            class: match s.as_str() {
                "negative" => "sent-neg",
                "positive" => "sent-pos",
                _ => "sent-neu",
            },
            label: label(r.tr, "sentiment", s.as_str()),
        });
    }
    if a.abusive {
        out.push(Badge {
            class: "flag-abusive",
            label: r.t("inbox-badge-abusive"),
        });
    }
    let hate = HateCategory::in_flags(a.hate_categories);
    if a.hate_speech && hate.is_empty() {
        out.push(Badge {
            class: "flag-hate",
            label: r.t("inbox-badge-hate"),
        });
    }
    for c in hate {
        out.push(Badge {
            class: "flag-hate",
            label: label(r.tr, "hate", c.as_str()),
        });
    }
    if a.threat {
        out.push(Badge {
            class: "flag-threat",
            label: r.t("inbox-badge-threat"),
        });
    }
    let pii = PiiKind::in_flags(a.pii);
    if !pii.is_empty() {
        let kinds: Vec<String> = pii.iter().map(|k| label(r.tr, "pii", k.as_str())).collect();
        out.push(Badge {
            class: "flag-pii",
            label: format!("{}: {}", r.t("inbox-badge-pii"), kinds.join(", ")),
        });
    }
    out
}

/// The category shown: the one set, else the suggested one (marked as a suggestion).
fn category_text(r: &Reader, m: &Message) -> (String, bool) {
    match (m.workflow.category, m.workflow.suggested_category) {
        (Some(c), _) => (label(r.tr, "category", c.as_str()), false),
        (None, Some(c)) => (label(r.tr, "category", c.as_str()), true),
        (None, None) => (String::new(), false),
    }
}

/// The next deadline not yet met, for display.
fn next_due_text(r: &Reader, m: &Message) -> String {
    m.workflow.next_due().map(|t| r.time(t)).unwrap_or_default()
}

impl MessageView {
    /// Prepares a message for display.
    pub fn new(r: &Reader, m: &Message) -> Self {
        let state = deadline_state(&m.workflow, r.now, DUE_SOON);
        let (category_label, category_suggested) = category_text(r, m);
        let author = &m.inbound.author;
        Self {
            id: m.id.to_string(),
            platform: r.t(&format!("platform-{}", m.inbound.platform.as_str())),
            kind: label(r.tr, "kind", m.inbound.kind.as_str()),
            author: author.display_name.clone().unwrap_or_default(),
            handle: author.handle.clone(),
            time: r.time(m.inbound.published_at),
            title: m.inbound.title.clone().unwrap_or_default(),
            excerpt: excerpt(&m.inbound.text),
            text: m.inbound.text.clone(),
            permalink: m
                .inbound
                .permalink
                .clone()
                .filter(|p| p.starts_with("https://") || p.starts_with("http://"))
                .unwrap_or_default(),
            erased: m.erased_at.is_some(),
            badges: badges(r, m),
            status: m.workflow.status.as_str().to_owned(),
            status_label: label(r.tr, "status", m.workflow.status.as_str()),
            category_label,
            category_suggested,
            deadline_class: deadline_class(state),
            deadline_label: label(r.tr, "deadline", state.as_str()),
            deadline_due: next_due_text(r, m),
        }
    }
}

/// Statuses a person may move a message to from `from` by hand (drafting and sending move it
/// to `awaiting_approval` and `replied`).
pub(crate) fn status_moves(from: Status) -> Vec<Status> {
    Status::ALL
        .iter()
        .copied()
        .filter(|s| !matches!(s, Status::AwaitingApproval | Status::Replied))
        .filter(|s| from.can_move_to(*s))
        .collect()
}

/// Every category, for pickers.
pub(crate) fn category_values() -> impl Iterator<Item = &'static str> {
    Category::ALL.iter().map(|c| c.as_str())
}

/// A percentage the reader's way: `87,5 %` in Indonesian, `87.5%` in English; `—` when
/// nothing was counted.
pub(crate) fn percent(part: u64, whole: u64, locale: Locale) -> String {
    if whole == 0 {
        return "—".to_owned();
    }
    // Tenths, rounded half up, computed in integers so no float formatting differs by platform.
    let tenths = (u128::from(part) * 1000 + u128::from(whole) / 2) / u128::from(whole);
    let (int, frac) = (tenths / 10, tenths % 10);
    match locale {
        Locale::Id => format!("{int},{frac} %"),
        Locale::En => format!("{int}.{frac}%"),
    }
}

/// A count the reader's way (`1.234`).
pub(crate) fn count(n: u64, locale: Locale) -> String {
    format::int(i64::try_from(n).unwrap_or(i64::MAX), locale)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages_the_indonesian_way() {
        assert_eq!(percent(7, 8, Locale::Id), "87,5 %");
        assert_eq!(percent(7, 8, Locale::En), "87.5%");
        assert_eq!(percent(1, 3, Locale::Id), "33,3 %");
        assert_eq!(percent(2, 3, Locale::Id), "66,7 %");
        assert_eq!(percent(0, 0, Locale::Id), "—");
        assert_eq!(percent(5, 5, Locale::Id), "100,0 %");
        assert_eq!(count(1234, Locale::Id), "1.234");
    }

    #[test]
    fn manual_moves_never_skip_approval_or_sending() {
        let from_new = status_moves(Status::New);
        assert!(from_new.contains(&Status::Assigned) && from_new.contains(&Status::Closed));
        assert!(!from_new.contains(&Status::Replied));
        assert!(!from_new.contains(&Status::AwaitingApproval));
        assert_eq!(
            status_moves(Status::AwaitingApproval),
            vec![Status::Assigned, Status::Closed]
        );
    }

    #[test]
    fn long_texts_are_cut_with_an_ellipsis() {
        let long = "a".repeat(EXCERPT_CHARS + 5);
        let e = excerpt(&long);
        assert_eq!(e.chars().count(), EXCERPT_CHARS + 1);
        assert!(e.ends_with('…'));
        assert_eq!(excerpt("pendek"), "pendek");
    }
}
