//! What the publishing pages, the composer's live check and the posts API show of a post,
//! prepared in the reader's language: platform rule problems (`limit-<code>`), coach hints,
//! refusals of the application (`chain-<code>`, `media-<code>`, else `error-<code>`), counters,
//! and post and delivery state labels. Also [`check_draft`], which checks a post that has not
//! been saved yet (the composer while typing).

use axum::http::StatusCode;
use humas_app::publish::{ChannelCheck, Hint, PostCheck, check_with};
use humas_app::{App, AppError, AppResult};
use humas_domain::publish::limits::{
    Measure, Problem, Severity, UNIT_BYTES, UNIT_CHARACTERS, UNIT_GRAPHEMES, UNIT_UTF16,
    UNIT_WEIGHTED,
};
use humas_domain::publish::{
    Channel, DeliveryState, MAX_CHANNELS, MAX_MEDIA, Post, PostState, PostText,
};
use humas_domain::{AccountId, Actor, Locale, MediaId, OpdId, PostId, UserZone};
use humas_store::{MediaAsset, PublishJob};

use crate::error::Failure;
use crate::format;
use crate::i18n::Tr;

/// Every unit a counter can be in, for translations (`post-unit-<unit>`).
pub(crate) const UNITS: [&str; 5] = [
    UNIT_CHARACTERS,
    UNIT_WEIGHTED,
    UNIT_GRAPHEMES,
    UNIT_BYTES,
    UNIT_UTF16,
];

/// Every delivery label the queue shows (`post-delivery-<key>`).
#[cfg(test)]
pub(crate) const DELIVERY_KEYS: [&str; 11] = [
    "draft",
    "in_review",
    "approved",
    "expired",
    "waiting",
    "scheduled",
    "publishing",
    "processing",
    "published",
    "failed",
    "uncertain",
];

/// Arguments whose values are plain numbers, written the reader's way (`2.200`, `0,8`).
const NUMERIC_ARGS: [&str; 9] = [
    "used", "limit", "width", "height", "min", "max", "ratio", "file", "count",
];

/// A number written as the reader writes it: thousands grouped, decimal comma in Indonesian.
/// Anything that is not a plain number is left as it is.
fn localised_number(raw: &str, locale: Locale) -> String {
    if let Ok(n) = raw.parse::<i64>() {
        return format::int(n, locale);
    }
    let is_decimal = raw.parse::<f64>().is_ok() && raw.contains('.');
    match locale {
        Locale::Id if is_decimal => raw.replace('.', ","),
        _ => raw.to_owned(),
    }
}

/// A rule's arguments for a message: numbers localised, the unit also given as a word
/// (`unit_label`).
fn localised_args(tr: Tr, args: &[(&'static str, String)]) -> Vec<(&'static str, String)> {
    let mut out: Vec<(&'static str, String)> = args
        .iter()
        .map(|(name, value)| {
            if NUMERIC_ARGS.contains(name) {
                (*name, localised_number(value, tr.locale))
            } else {
                (*name, value.clone())
            }
        })
        .collect();
    if let Some((_, unit)) = args.iter().find(|(n, _)| *n == "unit") {
        out.push(("unit_label", unit_label(tr, unit)));
    }
    out
}

/// A counter's unit as a word (`karakter berbobot`).
pub(crate) fn unit_label(tr: Tr, unit: &str) -> String {
    if UNITS.contains(&unit) {
        tr.t(&format!("post-unit-{unit}"))
    } else {
        tr.t("post-unit-characters")
    }
}

/// One platform rule problem in the reader's language; English when no translation exists.
pub(crate) fn problem_message(tr: Tr, p: &Problem) -> String {
    tr.t_args(&format!("limit-{}", p.code), &localised_args(tr, &p.args))
        .unwrap_or_else(|| p.message_en())
}

/// One coach hint in the reader's language.
pub(crate) fn hint_message(tr: Tr, h: &Hint) -> String {
    tr.t_args(
        &format!("post-hint-{}", h.code),
        &[("detail", h.detail.clone())],
    )
    .unwrap_or_else(|| h.message_en())
}

/// A live counter: `281 / 280 karakter berbobot`.
pub(crate) fn measure_text(tr: Tr, m: &Measure) -> String {
    let args = [
        ("used", format::int(count(m.used), tr.locale)),
        ("limit", format::int(count(m.limit), tr.locale)),
        ("unit", unit_label(tr, m.unit)),
    ];
    tr.t_args("post-counter", &args)
        .unwrap_or_else(|| format!("{} / {} {}", args[0].1, args[1].1, args[2].1))
}

fn count(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// The quoted name in an English refusal (`step "Kabid" has no approvers`), which the
/// translations take as `step_label`.
fn quoted_name(message: &str) -> String {
    message
        .split('"')
        .nth(1)
        .map(str::to_owned)
        .unwrap_or_default()
}

/// A refusal in the reader's language. The application's publishing refusals carry the
/// chain's or the media check's own code; their messages live under `chain-<code>` and
/// `media-<code>`, everything else under `error-<code>`. When the message loses a detail the
/// reader needs (which file type it was, what a time must look like), the English detail
/// follows in brackets.
pub(crate) fn failure_message(tr: Tr, f: &Failure) -> String {
    let code = f.code;
    let args = [("step_label", quoted_name(&f.message))];
    let mut keys = vec![format!("chain-{code}")];
    if let Some(rest) = code.strip_prefix("media_") {
        keys.push(format!("media-{rest}"));
    }
    keys.push(format!("error-{code}"));
    let translated = keys.iter().find_map(|k| tr.t_args(k, &args));
    let Some(text) = translated else {
        return f.message.clone();
    };
    let wants_detail = f.status == StatusCode::UNPROCESSABLE_ENTITY
        && (code.starts_with("invalid_") || matches!(code, "media_unsupported" | "media_corrupt"));
    if wants_detail && text != f.message {
        format!("{text} ({})", f.message)
    } else {
        text
    }
}

/// An application error as a form shows it: the status to answer with and the message.
pub(crate) fn refusal(e: AppError, tr: Tr) -> (StatusCode, String) {
    // The generic conflict message speaks of duplicate records; a post or delivery that moved
    // on meanwhile deserves its own words.
    if let AppError::Conflict(what @ ("post_state" | "job_state" | "approval")) = e {
        return (StatusCode::CONFLICT, tr.t(&format!("post-conflict-{what}")));
    }
    let f = Failure::from(e);
    (f.status, failure_message(tr, &f))
}

/// A post state in words.
pub(crate) fn state_label(tr: Tr, state: PostState) -> String {
    tr.t(&format!("post-state-{}", state.as_str()))
}

/// What one channel of a post shows in the queue: its job's state when it has one, else what
/// the post's own state means for it (a draft, in review, approved and not queued yet, expired).
pub(crate) fn delivery_key(post: PostState, job: Option<&PublishJob>) -> &'static str {
    match job.map(|j| j.state) {
        Some(DeliveryState::Waiting) => "waiting",
        Some(DeliveryState::Scheduled) => "scheduled",
        Some(DeliveryState::Publishing) => "publishing",
        Some(DeliveryState::Processing) => "processing",
        Some(DeliveryState::Published) => "published",
        Some(DeliveryState::Failed) => "failed",
        Some(DeliveryState::Uncertain) => "uncertain",
        None => match post {
            PostState::Draft => "draft",
            PostState::InReview => "in_review",
            PostState::Approved | PostState::Done => "approved",
            PostState::Expired => "expired",
        },
    }
}

/// A delivery label in words.
pub(crate) fn delivery_label(tr: Tr, key: &str) -> String {
    tr.t(&format!("post-delivery-{key}"))
}

/// One rule problem for a template.
pub(crate) struct ProblemView {
    /// `error` blocks submission, `warning` advises.
    pub severity: &'static str,
    /// Translated.
    pub message: String,
}

/// One channel's counter and problems for a template.
pub(crate) struct ChannelCheckView {
    pub account: String,
    pub counter: String,
    pub over: bool,
    pub problems: Vec<ProblemView>,
}

/// The severity's stable name.
pub(crate) const fn severity_name(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

fn channel_view(tr: Tr, c: &ChannelCheck) -> ChannelCheckView {
    ChannelCheckView {
        account: c.account.to_string(),
        counter: c
            .measure
            .as_ref()
            .map(|m| measure_text(tr, m))
            .unwrap_or_default(),
        over: c.measure.as_ref().is_some_and(Measure::is_over),
        problems: c
            .problems
            .iter()
            .map(|p| ProblemView {
                severity: severity_name(p.severity),
                message: problem_message(tr, p),
            })
            .collect(),
    }
}

/// A whole check for a template: per channel, and the coach's hints.
pub(crate) fn check_views(tr: Tr, check: &PostCheck) -> (Vec<ChannelCheckView>, Vec<String>) {
    (
        check.channels.iter().map(|c| channel_view(tr, c)).collect(),
        check.hints.iter().map(|h| hint_message(tr, h)).collect(),
    )
}

/// A medium's size the reader's way: `1,2 MB`, `850 KB`.
pub(crate) fn file_size(bytes: u64, locale: Locale) -> String {
    const KB: u64 = 1024;
    const MB: u64 = 1024 * 1024;
    if bytes >= MB {
        let tenths = (bytes.saturating_mul(10) + MB / 2) / MB;
        let text = format!("{}.{}", tenths / 10, tenths % 10);
        format!("{} MB", localised_number(&text, locale))
    } else {
        format!("{} KB", bytes.div_ceil(KB))
    }
}

/// One attached or uploaded medium for a template.
pub(crate) struct MediaView {
    pub id: String,
    pub file_name: String,
    pub is_image: bool,
    pub facts: String,
    pub alt_text: String,
}

/// A medium's facts in one line: type, size, pixels, length.
pub(crate) fn media_view(tr: Tr, m: &MediaAsset) -> MediaView {
    let mut facts = vec![m.mime.clone(), file_size(m.bytes, tr.locale)];
    if let (Some(w), Some(h)) = (m.width, m.height) {
        facts.push(format!("{w}×{h} px"));
    }
    if let Some(ms) = m.duration_ms {
        facts.push(format!(
            "{} s",
            localised_number(&(ms / 1000).to_string(), tr.locale)
        ));
    }
    MediaView {
        id: m.id.to_string(),
        file_name: m.file_name.clone(),
        is_image: m.mime.starts_with("image/"),
        facts: facts.join(" · "),
        alt_text: m.alt_text.clone().unwrap_or_default(),
    }
}

/// A scheduled time as a `datetime-local` value in the reader's zone (`2026-12-01T09:30`).
pub(crate) fn local_input(at: jiff::Timestamp, zone: UserZone) -> String {
    humas_domain::publish::zone::to_local(at, zone)
        .strftime("%Y-%m-%dT%H:%M")
        .to_string()
}

/// One channel as the composer sends it for a check.
pub(crate) struct DraftChannel {
    pub account: AccountId,
    pub text: Option<String>,
}

/// Checks a post that is still being written, against each chosen account's platform rules and
/// the coach, exactly as [`App::check_post`] checks a saved one. Accounts and media must be
/// ones the actor may see.
///
/// # Errors
/// `Forbidden` for an account or medium of an OPD the actor cannot see;
/// `UnknownReference` for one that does not exist; `Invalid` for a text no platform takes;
/// `Refused` for more channels or media than a post may have.
pub(crate) async fn check_draft(
    app: &App,
    actor: &Actor,
    body: &str,
    channels: &[DraftChannel],
    media: &[MediaId],
) -> AppResult<PostCheck> {
    if channels.len() > MAX_CHANNELS {
        return Err(AppError::Refused {
            code: "too_many_channels",
            message: format!("a post may go to at most {MAX_CHANNELS} accounts"),
        });
    }
    if media.len() > MAX_MEDIA {
        return Err(AppError::Refused {
            code: "too_many_media",
            message: format!("a post may carry at most {MAX_MEDIA} images or videos"),
        });
    }
    let mut opd: Option<OpdId> = None;
    let mut checked: Vec<Channel> = Vec::with_capacity(channels.len());
    for c in channels {
        if checked.iter().any(|x| x.account == c.account) {
            continue;
        }
        let account = app
            .get_account(actor, c.account)
            .await
            .map_err(|e| not_found_as_unknown(e, "account"))?;
        opd.get_or_insert(account.opd);
        let text = c
            .text
            .as_deref()
            .filter(|t| !t.trim().is_empty())
            .map(PostText::parse)
            .transpose()?;
        checked.push(Channel {
            account: account.id,
            platform: account.platform,
            text,
        });
    }
    let mut assets = Vec::with_capacity(media.len());
    for id in media {
        let asset = app
            .media_asset(actor, *id)
            .await
            .map_err(|e| not_found_as_unknown(e, "media"))?;
        assets.push(asset);
    }
    let now = app.clock().now();
    let post = Post {
        id: PostId::generate(),
        opd: opd.or(actor.opd).unwrap_or_else(OpdId::generate),
        author: actor.user_id,
        title: String::new(),
        body: PostText::parse(body)?,
        channels: checked,
        media: media.to_vec(),
        scheduled_at: None,
        state: PostState::Draft,
        emergency: false,
        narrative: None,
        review_round: 0,
        created_at: now,
        updated_at: now,
    };
    Ok(check_with(&post, &assets))
}

/// A reference in a request body that names nothing is the caller's mistake (422), not a
/// missing page (404).
fn not_found_as_unknown(e: AppError, what: &'static str) -> AppError {
    match e {
        AppError::NotFound(_) => AppError::UnknownReference(what),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use humas_domain::Platform;

    #[test]
    fn numbers_are_written_the_readers_way() {
        assert_eq!(localised_number("2200", Locale::Id), "2.200");
        assert_eq!(localised_number("2200", Locale::En), "2,200");
        assert_eq!(localised_number("0.8", Locale::Id), "0,8");
        assert_eq!(localised_number("0.8", Locale::En), "0.8");
        assert_eq!(localised_number("image/heic", Locale::Id), "image/heic");
    }

    #[test]
    fn a_counter_names_its_unit_in_the_readers_language() {
        let m = Measure {
            used: 1281,
            limit: 280,
            unit: UNIT_WEIGHTED,
        };
        let id = measure_text(Tr::new(Locale::Id), &m);
        let en = measure_text(Tr::new(Locale::En), &m);
        assert_eq!(id, "1.281 / 280 karakter berbobot");
        assert_eq!(en, "1,281 / 280 weighted characters");
    }

    #[test]
    fn channels_without_a_job_show_what_the_post_state_means() {
        assert_eq!(delivery_key(PostState::Draft, None), "draft");
        assert_eq!(delivery_key(PostState::InReview, None), "in_review");
        assert_eq!(delivery_key(PostState::Expired, None), "expired");
    }

    #[test]
    fn every_label_is_translated_in_both_languages() {
        for lang in [Locale::Id, Locale::En] {
            let tr = Tr::new(lang);
            for s in PostState::ALL {
                assert!(tr.has(&format!("post-state-{}", s.as_str())), "{lang} {s}");
            }
            for k in DELIVERY_KEYS {
                assert!(tr.has(&format!("post-delivery-{k}")), "{lang} {k}");
            }
            for u in UNITS {
                assert!(tr.has(&format!("post-unit-{u}")), "{lang} {u}");
            }
            for h in [
                "abusive_wording",
                "sara_wording",
                "threat_wording",
                "personal_data",
                "missing_when",
                "missing_where",
            ] {
                let args = [("detail", "NIK".to_owned())];
                assert!(
                    tr.t_args(&format!("post-hint-{h}"), &args).is_some(),
                    "{lang} {h}"
                );
            }
        }
    }

    #[test]
    fn a_chain_refusal_is_translated_with_the_step_it_names() {
        let f = Failure::from(AppError::Refused {
            code: "not_an_approver",
            message: "you are not an approver of step \"Kabid\"; it waits".into(),
        });
        let id = failure_message(Tr::new(Locale::Id), &f);
        assert!(id.contains("Kabid"), "{id}");
        assert!(!id.contains("you are not"), "{id}");
    }

    #[test]
    fn an_unsupported_file_keeps_what_it_was_in_brackets() {
        let f = Failure::from(AppError::Refused {
            code: "media_unsupported",
            message: "this file type cannot be published: a PDF document".into(),
        });
        let id = failure_message(Tr::new(Locale::Id), &f);
        assert!(
            id.contains("(this file type cannot be published: a PDF document)"),
            "{id}"
        );
        assert!(id.len() > f.message.len() + 4, "{id}");
    }

    #[test]
    fn problems_fall_back_to_english_rather_than_a_key() {
        let problems = humas_domain::publish::limits::check(Platform::X, &"a".repeat(300), &[]);
        let p = problems.iter().find(|p| p.code == "too_long").unwrap();
        let text = problem_message(Tr::new(Locale::Id), p);
        assert!(!text.starts_with("limit-"), "{text}");
        assert!(text.contains("280"), "{text}");
    }

    #[test]
    fn sizes() {
        assert_eq!(file_size(1_258_291, Locale::Id), "1,2 MB");
        assert_eq!(file_size(1_258_291, Locale::En), "1.2 MB");
        assert_eq!(file_size(2_000, Locale::En), "2 KB");
    }
}

#[cfg(test)]
mod ftl_tests {
    use std::collections::BTreeSet;

    fn keys(text: &str) -> BTreeSet<String> {
        text.lines()
            .filter_map(|line| line.split_once(" ="))
            .map(|(k, _)| k.trim().to_owned())
            .filter(|k| !k.is_empty() && !k.starts_with(['#', '.', '*', '[', ' ']))
            .collect()
    }

    /// Fluent refuses a bundle where two files define the same message, and fluent-templates
    /// then panics on the first lookup: every page would fail. The publishing messages must
    /// not repeat a key of any other file.
    #[test]
    fn publishing_messages_do_not_redefine_other_files_keys() {
        for lang in ["id", "en"] {
            let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("locales")
                .join(lang);
            let mine = keys(&std::fs::read_to_string(dir.join("publish.ftl")).unwrap());
            assert!(mine.len() > 100, "{lang}: {}", mine.len());
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.file_name().is_some_and(|n| n == "publish.ftl") {
                    continue;
                }
                let other = keys(&std::fs::read_to_string(&path).unwrap());
                let both: Vec<_> = mine.intersection(&other).collect();
                assert!(
                    both.is_empty(),
                    "{lang}: {} repeats {both:?}",
                    path.display()
                );
            }
        }
    }
}
