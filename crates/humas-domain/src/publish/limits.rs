//! Each platform's documented text and media rules, checked while a post is written.
//!
//! The numbers come from `platform-apis.md` (sections 1.1, 2.2, 2.6, 3.3, 3.6, 5.3, 6.1, 7.2
//! and 9.1). [`check`] lists every [`Problem`] a text and its media have on one platform:
//! an [`Severity::Error`] blocks submission, a [`Severity::Warning`] is a hint. [`measure`]
//! feeds the composer's live counter with the unit that platform really counts in: X weighs
//! characters (twitter-text v3), Bluesky counts grapheme clusters and UTF-8 bytes, TikTok and
//! Telegram count UTF-16 code units, Mastodon counts every link as 23 characters.
//!
//! Sizes: where a platform states its cap in bytes or binary units (X, Mastodon) we use those;
//! where it only says "MB" and we could not verify which MB it means (Instagram, Facebook,
//! TikTok, Telegram) we use the smaller, decimal reading so that a file we accept is never
//! refused by the platform.

use std::fmt;
use std::ops::Range;

use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization;
use unicode_segmentation::UnicodeSegmentation;

use crate::org::Platform;

/// Whether a file is a still image or a video.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MediaKind {
    /// A still (or animated GIF/WebP) image.
    Image,
    /// A video.
    Video,
}

/// What the rules need to know about one attached file (from [`super::media::sniff`] and the
/// upload itself).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MediaFacts {
    /// Image or video.
    pub kind: MediaKind,
    /// The sniffed MIME type, e.g. `image/jpeg`.
    pub mime: String,
    /// File size in bytes.
    pub bytes: u64,
    /// Width in pixels, when known.
    pub width: Option<u32>,
    /// Height in pixels, when known.
    pub height: Option<u32>,
    /// Video length in milliseconds, when known.
    pub duration_ms: Option<u64>,
    /// Whether the author wrote a description for screen readers.
    pub has_alt_text: bool,
}

/// How serious a [`Problem`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// The platform would refuse the post: submission is blocked until it is fixed.
    Error,
    /// The post goes out, but something is lost or could be better (a coaching hint).
    Warning,
}

/// One broken or doubtful rule. `code` is stable (the web layer translates `limit-<code>`
/// with `args` plus `platform`); [`Problem::message_en`] is the English sentence.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// Blocks submission or only advises.
    pub severity: Severity,
    /// Stable snake_case code, one of [`PROBLEM_CODES`].
    pub code: &'static str,
    /// The 0-based position of the file concerned, for media problems.
    pub media_index: Option<usize>,
    /// Named values for the message: always `platform`; `file` (1-based) for media problems;
    /// further names per code (see [`Problem::message_en`]).
    pub args: Vec<(&'static str, String)>,
}

/// Every code [`check`] can produce, so translations can be tested for completeness.
pub const PROBLEM_CODES: &[&str] = &[
    "not_publishable",
    "too_long",
    "too_many_hashtags",
    "too_many_mentions",
    "empty_post",
    "media_required",
    "too_many_media",
    "mixed_media",
    "media_type",
    "media_too_large",
    "aspect_ratio",
    "image_width",
    "image_downscaled",
    "video_duration",
    "tiktok_title_cut",
    "alt_text_missing",
];

/// The unit of a plain character count (Unicode scalar values).
pub const UNIT_CHARACTERS: &str = "characters";
/// X's weighted characters: emoji and most non-Latin letters count 2, every link 23.
pub const UNIT_WEIGHTED: &str = "weighted_characters";
/// Bluesky's grapheme clusters (what a reader sees as one character).
pub const UNIT_GRAPHEMES: &str = "graphemes";
/// UTF-8 bytes (Bluesky's second cap).
pub const UNIT_BYTES: &str = "bytes";
/// UTF-16 code units (TikTok, Telegram): an emoji counts 2.
pub const UNIT_UTF16: &str = "utf16_units";

/// How much of a platform's text allowance a text uses, for the composer's live counter.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Measure {
    /// How much the text uses, in `unit`.
    pub used: usize,
    /// The most the platform accepts, in `unit`.
    pub limit: usize,
    /// One of the `UNIT_*` constants.
    pub unit: &'static str,
}

impl Measure {
    /// Whether the text is over the limit.
    #[must_use]
    pub const fn is_over(&self) -> bool {
        self.used > self.limit
    }
}

// ---------------------------------------------------------------------------------------------
// Documented numbers
// ---------------------------------------------------------------------------------------------

/// X: 280 weighted characters (section 3.6).
pub const X_MAX_WEIGHTED: usize = 280;
/// What X and Mastodon count each link as.
pub const URL_LENGTH: usize = 23;
/// Instagram caption length.
pub const INSTAGRAM_MAX_CAPTION: usize = 2_200;
/// Instagram hashtags per post.
pub const INSTAGRAM_MAX_HASHTAGS: usize = 30;
/// Instagram @-mentions per post.
pub const INSTAGRAM_MAX_MENTIONS: usize = 20;
/// Facebook post length.
pub const FACEBOOK_MAX_TEXT: usize = 63_206;
/// TikTok video caption, in UTF-16 units.
pub const TIKTOK_MAX_VIDEO_CAPTION: usize = 2_200;
/// TikTok photo post title, in UTF-16 units.
pub const TIKTOK_MAX_PHOTO_TITLE: usize = 90;
/// TikTok photo post description, in UTF-16 units.
pub const TIKTOK_MAX_PHOTO_DESCRIPTION: usize = 4_000;
/// Mastodon's default status length (instances may allow more).
pub const MASTODON_MAX_CHARS: usize = 500;
/// Bluesky post length in graphemes.
pub const BLUESKY_MAX_GRAPHEMES: usize = 300;
/// Bluesky post length in UTF-8 bytes.
pub const BLUESKY_MAX_BYTES: usize = 3_000;
/// Telegram message text, in UTF-16 units.
pub const TELEGRAM_MAX_TEXT: usize = 4_096;
/// Telegram photo caption, in UTF-16 units.
pub const TELEGRAM_MAX_CAPTION: usize = 1_024;
/// TikTok's default longest video; the account's real cap (`max_video_post_duration_sec`)
/// comes from creator info at publish time and may be shorter or longer.
pub const TIKTOK_DEFAULT_MAX_VIDEO_SECONDS: u64 = 600;

/// A size cap: the bytes, and the unit the platform states it in (so messages show the number
/// the platform's own documentation shows).
#[derive(Clone, Copy, Debug)]
struct SizeCap {
    bytes: u64,
    unit: u64,
}

const MIB: u64 = 1_048_576;
const MB: u64 = 1_000_000;

const fn mib(n: u64) -> SizeCap {
    SizeCap {
        bytes: n * MIB,
        unit: MIB,
    }
}

const fn mb(n: u64) -> SizeCap {
    SizeCap {
        bytes: n * MB,
        unit: MB,
    }
}

/// The file formats the rules tell apart, read from the sniffed MIME type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Format {
    Jpeg,
    Png,
    Gif,
    Webp,
    Mp4,
    Quicktime,
    Webm,
    Other,
}

impl Format {
    fn of(mime: &str) -> Self {
        let essence = mime.split(';').next().unwrap_or("").trim();
        match essence.to_ascii_lowercase().as_str() {
            "image/jpeg" | "image/jpg" | "image/pjpeg" => Self::Jpeg,
            "image/png" => Self::Png,
            "image/gif" => Self::Gif,
            "image/webp" => Self::Webp,
            "video/mp4" => Self::Mp4,
            "video/quicktime" => Self::Quicktime,
            "video/webm" => Self::Webm,
            _ => Self::Other,
        }
    }

    const fn name(self) -> &'static str {
        match self {
            Self::Jpeg => "JPEG",
            Self::Png => "PNG",
            Self::Gif => "GIF",
            Self::Webp => "WebP",
            Self::Mp4 => "MP4",
            Self::Quicktime => "MOV",
            Self::Webm => "WebM",
            Self::Other => "",
        }
    }

    const fn is_video(self) -> bool {
        matches!(self, Self::Mp4 | Self::Quicktime | Self::Webm)
    }
}

/// A platform's display name, as messages show it.
#[must_use]
pub const fn platform_name(platform: Platform) -> &'static str {
    match platform {
        Platform::Instagram => "Instagram",
        Platform::Facebook => "Facebook",
        Platform::X => "X",
        Platform::Tiktok => "TikTok",
        Platform::Youtube => "YouTube",
        Platform::Mastodon => "Mastodon",
        Platform::Bluesky => "Bluesky",
        Platform::Telegram => "Telegram",
        Platform::Rss => "RSS",
    }
}

/// Whether Humas publishes to this platform. YouTube publishing is a video upload flow that is
/// out of scope for now; a news feed is only read.
#[must_use]
pub const fn is_publishable(platform: Platform) -> bool {
    !matches!(platform, Platform::Youtube | Platform::Rss)
}

// ---------------------------------------------------------------------------------------------
// Problem
// ---------------------------------------------------------------------------------------------

impl Problem {
    fn new(severity: Severity, code: &'static str, platform: Platform) -> Self {
        Self {
            severity,
            code,
            media_index: None,
            args: vec![("platform", platform_name(platform).to_owned())],
        }
    }

    fn error(code: &'static str, platform: Platform) -> Self {
        Self::new(Severity::Error, code, platform)
    }

    fn warning(code: &'static str, platform: Platform) -> Self {
        Self::new(Severity::Warning, code, platform)
    }

    /// Ties the problem to a file and adds its 1-based number as `file`.
    fn at(mut self, index: usize) -> Self {
        self.media_index = Some(index);
        self.args.push(("file", (index + 1).to_string()));
        self
    }

    fn with(mut self, name: &'static str, value: impl ToString) -> Self {
        self.args.push((name, value.to_string()));
        self
    }

    /// The value of a named argument.
    #[must_use]
    pub fn arg(&self, name: &str) -> Option<&str> {
        self.args
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Whether it blocks submission.
    #[must_use]
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// A clear English sentence: what is wrong and how to fix it.
    #[must_use]
    pub fn message_en(&self) -> String {
        let a = |name: &str| self.arg(name).unwrap_or("?");
        let platform = a("platform");
        match self.code {
            "not_publishable" => format!(
                "Humas cannot publish to {platform} yet; remove this channel from the post."
            ),
            "too_long" => format!(
                "The text is too long for {platform}: {} of at most {} {}. Shorten it.",
                a("used"),
                a("limit"),
                unit_en(a("unit"))
            ),
            "too_many_hashtags" => format!(
                "{platform} allows at most {} hashtags in a post; this text has {}. Remove some.",
                a("limit"),
                a("used")
            ),
            "too_many_mentions" => format!(
                "{platform} allows at most {} @mentions in a post; this text has {}. Remove some.",
                a("limit"),
                a("used")
            ),
            "empty_post" => {
                format!("The {platform} post is empty: write a text or attach a photo or video.")
            }
            "media_required" => {
                format!("{platform} needs at least one photo or video: attach one.")
            }
            "too_many_media" => format!(
                "{platform} takes at most {} file(s) of this kind in one post; this post has {}. Remove the extra ones.",
                a("limit"),
                a("used")
            ),
            "mixed_media" => format!(
                "{platform} cannot mix a video or GIF with other files in one post: keep the video (or GIF) alone, or use only photos."
            ),
            "media_type" => format!(
                "File {} is {}, which {platform} does not accept here; use {}.",
                a("file"),
                a("given"),
                a("accepted")
            ),
            "media_too_large" => format!(
                "File {} is {}; {platform} accepts at most {} for this kind of file. Compress it or upload a smaller version.",
                a("file"),
                a("size"),
                a("limit")
            ),
            "aspect_ratio" => format!(
                "Image {} is {}×{} pixels (ratio {}:1); {platform} needs a ratio between {}:1 (portrait 4:5) and {}:1 (landscape). Crop it.",
                a("file"),
                a("width"),
                a("height"),
                a("ratio"),
                a("min"),
                a("max")
            ),
            "image_width" => format!(
                "Image {} is only {} pixels wide; {platform} needs at least {}. Use a larger image.",
                a("file"),
                a("width"),
                a("min")
            ),
            "image_downscaled" => format!(
                "Image {} is {} pixels wide; {platform} will shrink it to {} pixels.",
                a("file"),
                a("width"),
                a("max")
            ),
            "video_duration" => format!(
                "Video {} lasts {} seconds; {platform} accepts {} to {} seconds. Trim it.",
                a("file"),
                a("used"),
                a("min"),
                a("max")
            ),
            "tiktok_title_cut" => format!(
                "{platform} shows only the first {} characters of the first line as a photo post's title (this line has {}); the whole text still appears as the description. Put the key message first.",
                a("limit"),
                a("used")
            ),
            "alt_text_missing" => format!(
                "Image {} has no alt text: describe it so people using screen readers know what it shows.",
                a("file")
            ),
            other => format!("{platform}: {other}"),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message_en())
    }
}

fn unit_en(unit: &str) -> &'static str {
    match unit {
        UNIT_WEIGHTED => "characters (emoji and non-Latin letters count 2, every link 23)",
        UNIT_BYTES => "bytes",
        UNIT_UTF16 => "characters (emoji count 2)",
        _ => "characters",
    }
}

// ---------------------------------------------------------------------------------------------
// Counting
// ---------------------------------------------------------------------------------------------

/// X's weighted length in characters (twitter-text v3, section 3.6): the text is NFC
/// normalised; a code point in U+0000–U+10FF, U+2000–U+200D, U+2010–U+201F or U+2032–U+2037
/// weighs 1, any other 2; an emoji sequence (a flag, a ZWJ family, a keycap) weighs 2 as a
/// whole; every link weighs 23 however long it is.
#[must_use]
pub fn x_weighted_length(text: &str) -> usize {
    let text: String = text.nfc().collect();
    let links = url_spans(&text, true);
    let mut weight = 0;
    let mut from = 0;
    for link in links {
        weight += weigh_plain(text.get(from..link.start).unwrap_or(""));
        weight += URL_LENGTH * 2;
        from = link.end;
    }
    weight += weigh_plain(text.get(from..).unwrap_or(""));
    // twitter-text's weights 100 and 200 are kept here as 2 and 4; 2 make one character.
    weight / 2
}

/// Weight of text without links, in units where a light code point is 2.
fn weigh_plain(text: &str) -> usize {
    text.graphemes(true)
        .map(|g| {
            if is_emoji_sequence(g) {
                4
            } else {
                g.chars().map(code_point_weight).sum()
            }
        })
        .sum()
}

fn code_point_weight(c: char) -> usize {
    let light = matches!(u32::from(c),
        0x0000..=0x10FF | 0x2000..=0x200D | 0x2010..=0x201F | 0x2032..=0x2037);
    if light { 2 } else { 4 }
}

/// Whether a grapheme cluster is an emoji presentation sequence twitter-text counts as one
/// emoji: it holds a pictograph, a regional indicator (flags), a keycap or an emoji
/// variation selector.
fn is_emoji_sequence(grapheme: &str) -> bool {
    grapheme.chars().any(|c| {
        matches!(u32::from(c),
            0x1F000..=0x1FAFF | 0x2600..=0x27BF | 0x2300..=0x23FF | 0x2B00..=0x2BFF
            | 0x20E3 | 0xFE0F | 0xE0020..=0xE007F)
    })
}

/// Mastodon's length: grapheme clusters, with every `http(s)://` link counted as 23 and a
/// mention `@user@domain` counted as `@user` (Mastodon's `StatusLengthValidator`).
#[must_use]
pub fn mastodon_length(text: &str) -> usize {
    let links = url_spans(text, false);
    let mut entities: Vec<(Range<usize>, usize)> = links
        .iter()
        .map(|link| (link.clone(), URL_LENGTH))
        .collect();
    for mention in mention_entities(text) {
        if links.iter().any(|l| overlaps(l, &mention.range)) {
            continue;
        }
        let name = text.get(mention.body.clone()).unwrap_or("");
        let user = name.split('@').next().unwrap_or(name);
        entities.push((mention.range, 1 + user.graphemes(true).count()));
    }
    entities.sort_by_key(|(range, _)| range.start);
    let mut length = 0;
    let mut from = 0;
    for (range, counted) in entities {
        length += text
            .get(from..range.start)
            .unwrap_or("")
            .graphemes(true)
            .count();
        length += counted;
        from = range.end;
    }
    length + text.get(from..).unwrap_or("").graphemes(true).count()
}

/// Extended grapheme clusters: what Bluesky's 300 "characters" counts.
#[must_use]
pub fn bluesky_graphemes(text: &str) -> usize {
    text.graphemes(true).count()
}

/// UTF-16 code units: what TikTok and Telegram count (an emoji outside the BMP counts 2).
#[must_use]
pub fn utf16_len(text: &str) -> usize {
    text.chars().map(char::len_utf16).sum()
}

/// Plain character count (Unicode scalar values).
fn char_count(text: &str) -> usize {
    text.chars().count()
}

// ---------------------------------------------------------------------------------------------
// Entities: links, mentions, hashtags
// ---------------------------------------------------------------------------------------------

/// Top-level domains recognised in a link written without `http(s)://` (a short list of the
/// ones Indonesian posts use; twitter-text knows them all, so a rarer one is counted as plain
/// text here).
const BARE_TLDS: &[&str] = &[
    "id", "com", "net", "org", "info", "io", "co", "gov", "edu", "me", "app", "dev", "tv", "biz",
    "xyz", "ly", "asia", "news", "online", "site", "my", "sg", "uk", "us", "au", "jp",
];

/// Links in the text: `http://` and `https://` addresses, and bare domains such as
/// `jatimprov.go.id/berita` (as X and Bluesky detect them). Trailing sentence punctuation is
/// not part of a link.
#[must_use]
pub fn urls(text: &str) -> Vec<&str> {
    url_spans(text, true)
        .into_iter()
        .filter_map(|r| text.get(r))
        .collect()
}

/// Hashtags (`#` then Unicode letters, digits and underscores, with at least one letter),
/// without the `#`.
#[must_use]
pub fn hashtags(text: &str) -> Vec<&str> {
    hashtag_entities(text)
        .into_iter()
        .filter_map(|e| text.get(e.body))
        .collect()
}

/// Mentions (`@user`, `@user@instance.social`, `@handle.bsky.social`), without the leading `@`.
/// An email address is not a mention.
#[must_use]
pub fn mentions(text: &str) -> Vec<&str> {
    let links = url_spans(text, true);
    mention_entities(text)
        .into_iter()
        .filter(|e| !links.iter().any(|l| overlaps(l, &e.range)))
        .filter_map(|e| text.get(e.body))
        .collect()
}

/// One found entity: where it is (sigil included) and its body (sigil excluded).
#[derive(Clone, Debug)]
struct Entity {
    range: Range<usize>,
    body: Range<usize>,
}

fn overlaps(a: &Range<usize>, b: &Range<usize>) -> bool {
    a.start < b.end && b.start < a.end
}

/// Byte ranges of links, in order. `bare` also finds domains written without a scheme.
fn url_spans(text: &str, bare: bool) -> Vec<Range<usize>> {
    let mut spans = scheme_url_spans(text);
    if bare {
        let mut gaps = Vec::new();
        let mut from = 0;
        for span in &spans {
            gaps.push(from..span.start);
            from = span.end;
        }
        gaps.push(from..text.len());
        for gap in gaps {
            spans.extend(bare_domain_spans(text, gap));
        }
        spans.sort_by_key(|r| r.start);
    }
    spans
}

fn scheme_url_spans(text: &str) -> Vec<Range<usize>> {
    let bytes = text.as_bytes();
    let mut spans = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        // An ASCII byte is always a character boundary, so slicing at `i` below is safe.
        if let Some(scheme) = scheme_len_at(bytes, i)
            && prev_allows_scheme(text, i)
        {
            let end = link_end(text, i, i + scheme);
            let host = text.get(i + scheme..end).unwrap_or("");
            if host.chars().next().is_some_and(char::is_alphanumeric) {
                spans.push(i..end);
                i = end;
                continue;
            }
        }
        i += 1;
    }
    spans
}

fn scheme_len_at(bytes: &[u8], at: usize) -> Option<usize> {
    ["https://", "http://"].into_iter().find_map(|scheme| {
        bytes
            .get(at..at + scheme.len())
            .filter(|b| b.eq_ignore_ascii_case(scheme.as_bytes()))
            .map(|_| scheme.len())
    })
}

fn prev_char(text: &str, at: usize) -> Option<char> {
    text.get(..at).and_then(|s| s.chars().next_back())
}

fn prev_allows_scheme(text: &str, at: usize) -> bool {
    prev_char(text, at).is_none_or(|c| !c.is_alphanumeric() && c != '@' && c != '_')
}

/// Where a link that starts at `start` ends: at whitespace or a character that cannot be in
/// an address, minus trailing punctuation that belongs to the sentence.
fn link_end(text: &str, start: usize, from: usize) -> usize {
    let rest = text.get(from..).unwrap_or("");
    let stop = rest
        .char_indices()
        .find(|(_, c)| c.is_whitespace() || matches!(c, '<' | '>' | '"' | '“' | '”' | '«' | '»'))
        .map_or(text.len(), |(at, _)| from + at);
    trim_link_tail(text, start, stop)
}

fn trim_link_tail(text: &str, start: usize, mut end: usize) -> usize {
    while let Some(span) = text.get(start..end)
        && let Some(last) = span.chars().next_back()
    {
        let unbalanced =
            |open: char, close: char| span.matches(close).count() > span.matches(open).count();
        let trim = matches!(
            last,
            '.' | ',' | ';' | ':' | '!' | '?' | '\'' | '*' | '…' | '’'
        ) || (last == ')' && unbalanced('(', ')'))
            || (last == ']' && unbalanced('[', ']'));
        if !trim {
            break;
        }
        end -= last.len_utf8();
    }
    end
}

fn is_domain_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'.' || b == b'-'
}

/// Bare domains (no scheme) inside `gap`, a part of `text` with no scheme link in it.
fn bare_domain_spans(text: &str, gap: Range<usize>) -> Vec<Range<usize>> {
    let bytes = text.as_bytes();
    let mut spans = Vec::new();
    let mut i = gap.start;
    while i < gap.end {
        let starts_run = bytes.get(i).copied().is_some_and(is_domain_byte)
            && (i == gap.start || !bytes.get(i - 1).copied().is_some_and(is_domain_byte));
        if !starts_run {
            i += 1;
            continue;
        }
        let mut run_end = i;
        while run_end < gap.end && bytes.get(run_end).copied().is_some_and(is_domain_byte) {
            run_end += 1;
        }
        if let Some(end) = bare_domain_at(text, i, run_end, gap.end) {
            spans.push(i..end);
            i = end;
        } else {
            i = run_end;
        }
    }
    spans
}

/// The end of the bare link that starts at `start` (a run of domain bytes up to `run_end`),
/// or `None` when the run is not a domain with a known top-level domain.
fn bare_domain_at(text: &str, start: usize, run_end: usize, limit: usize) -> Option<usize> {
    let allowed_before = prev_char(text, start).is_none_or(|c| {
        !(c.is_alphanumeric()
            || matches!(
                c,
                '@' | '＠' | '#' | '＃' | '$' | '_' | '/' | '.' | '-' | '&' | '=' | '%' | '+' | '~'
            ))
    });
    if !allowed_before {
        return None;
    }
    let run = text.get(start..run_end)?;
    let domain = run.trim_end_matches(['.', '-']);
    if !is_bare_domain(domain) {
        return None;
    }
    let domain_end = start + domain.len();
    let next = text.get(domain_end..limit).and_then(|s| s.chars().next());
    match next {
        Some('/') if domain_end == run_end => Some(link_end(text, start, domain_end).min(limit)),
        Some(c) if c.is_alphanumeric() || matches!(c, '@' | '_') => None,
        _ => Some(domain_end),
    }
}

fn is_bare_domain(domain: &str) -> bool {
    let labels: Vec<&str> = domain.split('.').collect();
    let Some(tld) = labels.last() else {
        return false;
    };
    labels.len() >= 2
        && labels.iter().all(|l| {
            !l.is_empty()
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
        && BARE_TLDS.contains(&tld.to_ascii_lowercase().as_str())
}

fn is_mention_sigil(c: char) -> bool {
    c == '@' || c == '＠'
}

fn is_hashtag_sigil(c: char) -> bool {
    c == '#' || c == '＃'
}

fn mention_entities(text: &str) -> Vec<Entity> {
    let mut out = Vec::new();
    let mut resume = 0;
    for (at, c) in text.char_indices() {
        if at < resume || !is_mention_sigil(c) {
            continue;
        }
        let allowed_before = prev_char(text, at).is_none_or(|p| {
            !(p.is_alphanumeric()
                || matches!(
                    p,
                    '_' | '!' | '#' | '$' | '%' | '&' | '*' | '=' | '/' | '.' | '+' | '~'
                )
                || is_mention_sigil(p))
        });
        if !allowed_before {
            continue;
        }
        let body_start = at + c.len_utf8();
        if let Some(body_end) = mention_body_end(text, body_start) {
            out.push(Entity {
                range: at..body_end,
                body: body_start..body_end,
            });
            resume = body_end;
        }
    }
    out
}

/// The end of a mention body starting at `start`: a user name of ASCII letters, digits, `_`,
/// `.` and `-` (starting with a letter, digit or `_`), optionally `@` and an instance domain.
fn mention_body_end(text: &str, start: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let first = *bytes.get(start)?;
    if !(first.is_ascii_alphanumeric() || first == b'_') {
        return None;
    }
    let scan = |from: usize, ok: fn(u8) -> bool| {
        let mut end = from;
        while bytes.get(end).copied().is_some_and(ok) {
            end += 1;
        }
        end
    };
    let user_run = scan(start, |b| {
        b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-')
    });
    let user_end = start
        + text
            .get(start..user_run)?
            .trim_end_matches(['.', '-'])
            .len();
    if user_end == user_run && bytes.get(user_run) == Some(&b'@') {
        let domain_start = user_run + 1;
        let domain_run = scan(domain_start, is_domain_byte);
        let domain = text
            .get(domain_start..domain_run)?
            .trim_end_matches(['.', '-']);
        let labels: Vec<&str> = domain.split('.').collect();
        if labels.len() >= 2 && labels.iter().all(|l| !l.is_empty()) {
            return Some(domain_start + domain.len());
        }
    }
    Some(user_end)
}

fn is_combining_mark(c: char) -> bool {
    matches!(u32::from(c),
        0x0300..=0x036F | 0x1AB0..=0x1AFF | 0x1DC0..=0x1DFF | 0x20D0..=0x20FF | 0xFE20..=0xFE2F)
}

fn is_hashtag_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || is_combining_mark(c)
}

fn hashtag_entities(text: &str) -> Vec<Entity> {
    let links = url_spans(text, true);
    let mut out = Vec::new();
    for (at, c) in text.char_indices() {
        if !is_hashtag_sigil(c) {
            continue;
        }
        let allowed_before = prev_char(text, at).is_none_or(|p| {
            !(p.is_alphanumeric() || matches!(p, '_' | '&' | '/') || is_hashtag_sigil(p))
        });
        if !allowed_before {
            continue;
        }
        let body_start = at + c.len_utf8();
        let rest = text.get(body_start..).unwrap_or("");
        let body_len = rest
            .char_indices()
            .find(|(_, ch)| !is_hashtag_char(*ch))
            .map_or(rest.len(), |(i, _)| i);
        let body = body_start..body_start + body_len;
        let has_letter = rest
            .get(..body_len)
            .is_some_and(|b| b.chars().any(char::is_alphabetic));
        let range = at..body.end;
        if has_letter && !links.iter().any(|l| overlaps(l, &range)) {
            out.push(Entity { range, body });
        }
    }
    out
}

/// A Bluesky rich-text facet: a byte range (UTF-8, start inclusive, end exclusive) of the post
/// text and what it is. Bluesky does not detect links itself (section 7.2): without a facet a
/// link is not clickable.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Facet {
    /// First byte, inclusive.
    pub byte_start: usize,
    /// Last byte, exclusive.
    pub byte_end: usize,
    /// What the range is.
    pub feature: FacetFeature,
}

/// What a [`Facet`] marks.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FacetFeature {
    /// A link; `uri` has `https://` added when the text wrote a bare domain.
    Link {
        /// The address to open.
        uri: String,
    },
    /// A mention of a Bluesky handle (a domain such as `bpbd.example.go.id`); the publisher
    /// resolves it to a DID and leaves it as plain text when it does not resolve.
    Mention {
        /// The handle, without `@`.
        handle: String,
    },
    /// A hashtag.
    Tag {
        /// The tag, without `#`.
        tag: String,
    },
}

/// The most graphemes Bluesky accepts in one tag.
const BLUESKY_MAX_TAG_GRAPHEMES: usize = 64;

/// Link, mention and hashtag facets for a Bluesky post, in text order, with UTF-8 byte
/// offsets (section 7.2).
#[must_use]
pub fn bluesky_facets(text: &str) -> Vec<Facet> {
    let links = url_spans(text, true);
    let mut facets: Vec<Facet> = links
        .iter()
        .filter_map(|r| {
            let link = text.get(r.clone())?;
            let uri = if scheme_len_at(link.as_bytes(), 0).is_some() {
                link.to_owned()
            } else {
                format!("https://{link}")
            };
            Some(Facet {
                byte_start: r.start,
                byte_end: r.end,
                feature: FacetFeature::Link { uri },
            })
        })
        .collect();
    for mention in mention_entities(text) {
        let handle = text.get(mention.body.clone()).unwrap_or("");
        if links.iter().any(|l| overlaps(l, &mention.range)) || !is_bluesky_handle(handle) {
            continue;
        }
        facets.push(Facet {
            byte_start: mention.range.start,
            byte_end: mention.range.end,
            feature: FacetFeature::Mention {
                handle: handle.to_owned(),
            },
        });
    }
    for tag in hashtag_entities(text) {
        let name = text.get(tag.body.clone()).unwrap_or("");
        if name.graphemes(true).count() > BLUESKY_MAX_TAG_GRAPHEMES {
            continue;
        }
        facets.push(Facet {
            byte_start: tag.range.start,
            byte_end: tag.range.end,
            feature: FacetFeature::Tag {
                tag: name.to_owned(),
            },
        });
    }
    facets.sort_by_key(|f| f.byte_start);
    facets
}

/// A Bluesky handle is a domain name: two or more labels, the last one letters only.
fn is_bluesky_handle(handle: &str) -> bool {
    let labels: Vec<&str> = handle.split('.').collect();
    labels.len() >= 2
        && labels.iter().all(|l| !l.is_empty() && !l.contains('@'))
        && labels
            .last()
            .is_some_and(|tld| tld.len() >= 2 && tld.bytes().all(|b| b.is_ascii_alphabetic()))
}

/// The title of a TikTok photo post: the first line of the text, cut to at most 90 UTF-16
/// units at a grapheme boundary (the whole text goes into the description).
#[must_use]
pub fn tiktok_photo_title(text: &str) -> &str {
    let first_line = text.trim_start().lines().next().unwrap_or("").trim_end();
    let mut units = 0;
    let mut end = 0;
    for (at, g) in first_line.grapheme_indices(true) {
        units += utf16_len(g);
        if units > TIKTOK_MAX_PHOTO_TITLE {
            break;
        }
        end = at + g.len();
    }
    first_line.get(..end).unwrap_or("")
}

// ---------------------------------------------------------------------------------------------
// Measure and check
// ---------------------------------------------------------------------------------------------

/// How much of the platform's text allowance `text` uses, when posted without media (`None`
/// for platforms Humas does not publish to). See [`measure_with_media`] for the caption limits
/// that apply once media are attached.
#[must_use]
pub fn measure(platform: Platform, text: &str) -> Option<Measure> {
    measure_with_media(platform, text, &[])
}

/// Like [`measure`], with the limit that applies to these media: a Telegram photo caption is
/// capped at 1,024 units, and a TikTok photo post's text is its 4,000-unit description.
#[must_use]
pub fn measure_with_media(platform: Platform, text: &str, media: &[MediaFacts]) -> Option<Measure> {
    let (used, limit, unit) = match platform {
        Platform::X => (x_weighted_length(text), X_MAX_WEIGHTED, UNIT_WEIGHTED),
        Platform::Instagram => (char_count(text), INSTAGRAM_MAX_CAPTION, UNIT_CHARACTERS),
        Platform::Facebook => (char_count(text), FACEBOOK_MAX_TEXT, UNIT_CHARACTERS),
        Platform::Tiktok => {
            let limit = if is_tiktok_photo_post(media) {
                TIKTOK_MAX_PHOTO_DESCRIPTION
            } else {
                TIKTOK_MAX_VIDEO_CAPTION
            };
            (utf16_len(text), limit, UNIT_UTF16)
        }
        Platform::Mastodon => (mastodon_length(text), MASTODON_MAX_CHARS, UNIT_CHARACTERS),
        Platform::Bluesky => (
            bluesky_graphemes(text),
            BLUESKY_MAX_GRAPHEMES,
            UNIT_GRAPHEMES,
        ),
        Platform::Telegram => {
            let limit = if media.is_empty() {
                TELEGRAM_MAX_TEXT
            } else {
                TELEGRAM_MAX_CAPTION
            };
            (utf16_len(text), limit, UNIT_UTF16)
        }
        Platform::Youtube | Platform::Rss => return None,
    };
    Some(Measure { used, limit, unit })
}

fn is_tiktok_photo_post(media: &[MediaFacts]) -> bool {
    !media.is_empty() && media.iter().all(|m| !is_video(m))
}

fn is_video(m: &MediaFacts) -> bool {
    let format = Format::of(&m.mime);
    format.is_video() || (format == Format::Other && m.kind == MediaKind::Video)
}

/// Every problem `text` with `media` has on `platform`: text first, then the set of media,
/// then each file in order.
#[must_use]
pub fn check(platform: Platform, text: &str, media: &[MediaFacts]) -> Vec<Problem> {
    let mut out = Vec::new();
    if !is_publishable(platform) {
        out.push(Problem::error("not_publishable", platform));
        return out;
    }
    if let Some(m) = measure_with_media(platform, text, media)
        && m.is_over()
    {
        out.push(too_long(platform, m));
    }
    let rules = media_rules(platform);
    if text.trim().is_empty() && media.is_empty() && !rules.media_required {
        out.push(Problem::error("empty_post", platform));
    }
    match platform {
        Platform::Instagram => check_instagram_text(text, &mut out),
        Platform::Bluesky => check_bluesky_bytes(text, &mut out),
        Platform::Tiktok => check_tiktok_title(text, media, &mut out),
        _ => {}
    }
    check_media(platform, &rules, media, &mut out);
    out
}

fn too_long(platform: Platform, m: Measure) -> Problem {
    Problem::error("too_long", platform)
        .with("limit", m.limit)
        .with("used", m.used)
        .with("unit", m.unit)
}

fn check_instagram_text(text: &str, out: &mut Vec<Problem>) {
    let tags = hashtags(text).len();
    if tags > INSTAGRAM_MAX_HASHTAGS {
        out.push(
            Problem::error("too_many_hashtags", Platform::Instagram)
                .with("limit", INSTAGRAM_MAX_HASHTAGS)
                .with("used", tags),
        );
    }
    let tagged = mentions(text).len();
    if tagged > INSTAGRAM_MAX_MENTIONS {
        out.push(
            Problem::error("too_many_mentions", Platform::Instagram)
                .with("limit", INSTAGRAM_MAX_MENTIONS)
                .with("used", tagged),
        );
    }
}

fn check_bluesky_bytes(text: &str, out: &mut Vec<Problem>) {
    let already_too_long = out.iter().any(|p| p.code == "too_long");
    if !already_too_long && text.len() > BLUESKY_MAX_BYTES {
        out.push(too_long(
            Platform::Bluesky,
            Measure {
                used: text.len(),
                limit: BLUESKY_MAX_BYTES,
                unit: UNIT_BYTES,
            },
        ));
    }
}

fn check_tiktok_title(text: &str, media: &[MediaFacts], out: &mut Vec<Problem>) {
    if !is_tiktok_photo_post(media) {
        return;
    }
    let first_line = text.trim_start().lines().next().unwrap_or("").trim_end();
    let units = utf16_len(first_line);
    if units > TIKTOK_MAX_PHOTO_TITLE {
        out.push(
            Problem::warning("tiktok_title_cut", Platform::Tiktok)
                .with("limit", TIKTOK_MAX_PHOTO_TITLE)
                .with("used", units),
        );
    }
}

/// A platform's media rules.
struct MediaRules {
    /// A post without media is refused.
    media_required: bool,
    /// Accepted still-image formats.
    images: &'static [Format],
    /// Accepted video formats.
    videos: &'static [Format],
    /// Most photos in one post.
    max_images: usize,
    /// Whether a video must be the only file (otherwise it may join a carousel).
    video_alone: bool,
    /// Whether a GIF must be the only file (X).
    gif_alone: bool,
    /// Size cap per image format.
    image_cap: fn(Format) -> Option<SizeCap>,
    /// Size cap for a video.
    video_cap: Option<SizeCap>,
    /// Shortest and longest video, in seconds.
    video_seconds: Option<(u64, u64)>,
    /// Instagram's aspect ratio and width checks.
    instagram_geometry: bool,
    /// Whether the platform carries alt text (if not, asking for it is pointless).
    alt_text: bool,
}

fn media_rules(platform: Platform) -> MediaRules {
    use Format::{Gif, Jpeg, Mp4, Png, Quicktime, Webm, Webp};
    let base = MediaRules {
        media_required: false,
        images: &[],
        videos: &[],
        max_images: 0,
        video_alone: true,
        gif_alone: false,
        image_cap: |_| None,
        video_cap: None,
        video_seconds: None,
        instagram_geometry: false,
        alt_text: true,
    };
    match platform {
        Platform::X => MediaRules {
            images: &[Jpeg, Png, Webp, Gif],
            videos: &[Mp4, Quicktime],
            max_images: 4,
            gif_alone: true,
            image_cap: |f| Some(if f == Gif { mib(15) } else { mib(5) }),
            video_cap: Some(mib(512)),
            ..base
        },
        Platform::Instagram => MediaRules {
            media_required: true,
            images: &[Jpeg],
            videos: &[Mp4, Quicktime],
            max_images: 10,
            video_alone: false,
            image_cap: |_| Some(mb(8)),
            video_cap: Some(mb(300)),
            video_seconds: Some((3, 15 * 60)),
            instagram_geometry: true,
            ..base
        },
        Platform::Facebook => MediaRules {
            images: &[Jpeg, Png, Gif, Webp],
            videos: &[Mp4, Quicktime],
            max_images: 10,
            image_cap: |_| Some(mb(10)),
            ..base
        },
        Platform::Tiktok => MediaRules {
            media_required: true,
            images: &[Jpeg, Webp],
            videos: &[Mp4, Webm, Quicktime],
            max_images: 35,
            video_cap: Some(mb(4_000)),
            video_seconds: Some((0, TIKTOK_DEFAULT_MAX_VIDEO_SECONDS)),
            alt_text: false,
            ..base
        },
        Platform::Mastodon => MediaRules {
            images: &[Jpeg, Png, Gif, Webp],
            videos: &[Mp4, Quicktime, Webm],
            max_images: 4,
            image_cap: |_| Some(mib(16)),
            video_cap: Some(mib(99)),
            ..base
        },
        Platform::Bluesky => MediaRules {
            images: &[Jpeg, Png, Webp],
            videos: &[Mp4],
            max_images: 4,
            image_cap: |_| {
                Some(SizeCap {
                    bytes: MB,
                    unit: MB,
                })
            },
            video_cap: Some(mb(100)),
            ..base
        },
        Platform::Telegram => MediaRules {
            images: &[Jpeg, Png, Webp],
            max_images: 1,
            image_cap: |_| Some(mb(10)),
            alt_text: false,
            ..base
        },
        Platform::Youtube | Platform::Rss => base,
    }
}

fn check_media(
    platform: Platform,
    rules: &MediaRules,
    media: &[MediaFacts],
    out: &mut Vec<Problem>,
) {
    if rules.media_required && media.is_empty() {
        out.push(Problem::error("media_required", platform));
        return;
    }
    check_media_set(platform, rules, media, out);
    for (index, m) in media.iter().enumerate() {
        check_one_medium(platform, rules, index, m, out);
    }
}

/// Counts and combinations: how many files, and whether videos (or X's GIFs) stand alone.
fn check_media_set(
    platform: Platform,
    rules: &MediaRules,
    media: &[MediaFacts],
    out: &mut Vec<Problem>,
) {
    let formats: Vec<Format> = media.iter().map(|m| Format::of(&m.mime)).collect();
    let videos = media.iter().filter(|m| is_video(m)).count();
    let gifs = if rules.gif_alone {
        formats.iter().filter(|f| **f == Format::Gif).count()
    } else {
        0
    };
    let solo = videos + gifs;
    let others = media.len() - solo;
    let too_many = |limit: usize, used: usize| {
        Problem::error("too_many_media", platform)
            .with("limit", limit)
            .with("used", used)
    };
    if !rules.video_alone {
        // Instagram: a carousel mixes photos and videos; only the total is capped.
        if media.len() > rules.max_images {
            out.push(too_many(rules.max_images, media.len()));
        }
        return;
    }
    if solo > 0 && others > 0 || (videos > 0 && gifs > 0) {
        out.push(Problem::error("mixed_media", platform));
    } else if solo > 1 {
        out.push(too_many(1, solo));
    } else if others > rules.max_images && rules.max_images > 0 {
        out.push(too_many(rules.max_images, others));
    }
}

fn check_one_medium(
    platform: Platform,
    rules: &MediaRules,
    index: usize,
    m: &MediaFacts,
    out: &mut Vec<Problem>,
) {
    let format = Format::of(&m.mime);
    let accepted = rules.images.contains(&format) || rules.videos.contains(&format);
    if !accepted {
        out.push(media_type(platform, rules, index, m, format));
        return;
    }
    let video = format.is_video();
    let cap = if video {
        rules.video_cap
    } else {
        (rules.image_cap)(format)
    };
    if let Some(cap) = cap
        && m.bytes > cap.bytes
    {
        out.push(
            Problem::error("media_too_large", platform)
                .at(index)
                .with("size", format_size(m.bytes, cap.unit))
                .with("limit", format_size(cap.bytes, cap.unit)),
        );
    }
    if video {
        check_duration(platform, rules, index, m, out);
    } else {
        if rules.instagram_geometry {
            check_instagram_geometry(index, m, out);
        }
        if rules.alt_text && !m.has_alt_text {
            out.push(Problem::warning("alt_text_missing", platform).at(index));
        }
    }
}

fn media_type(
    platform: Platform,
    rules: &MediaRules,
    index: usize,
    m: &MediaFacts,
    format: Format,
) -> Problem {
    let given = if format == Format::Other {
        let mime = m.mime.trim();
        if mime.is_empty() {
            "application/octet-stream".to_owned()
        } else {
            mime.to_owned()
        }
    } else {
        format.name().to_owned()
    };
    let accepted: Vec<&str> = rules
        .images
        .iter()
        .chain(rules.videos)
        .map(|f| f.name())
        .collect();
    Problem::error("media_type", platform)
        .at(index)
        .with("given", given)
        .with("accepted", accepted.join(", "))
}

fn check_duration(
    platform: Platform,
    rules: &MediaRules,
    index: usize,
    m: &MediaFacts,
    out: &mut Vec<Problem>,
) {
    let (Some((min, max)), Some(ms)) = (rules.video_seconds, m.duration_ms) else {
        return;
    };
    if ms < min * 1_000 || ms > max * 1_000 {
        out.push(
            Problem::error("video_duration", platform)
                .at(index)
                .with("used", format_seconds(ms))
                .with("min", min)
                .with("max", max),
        );
    }
}

/// Instagram feed images: aspect ratio between 4:5 and 1.91:1, width 320–1440 px.
fn check_instagram_geometry(index: usize, m: &MediaFacts, out: &mut Vec<Problem>) {
    const MIN_WIDTH: u32 = 320;
    const MAX_WIDTH: u32 = 1_440;
    let (Some(width), Some(height)) = (m.width, m.height) else {
        return;
    };
    let (w, h) = (u64::from(width), u64::from(height));
    // 0.8 ≤ w/h ≤ 1.91, in integers: 100·w ≥ 80·h and 100·w ≤ 191·h.
    if h == 0 || 100 * w < 80 * h || 100 * w > 191 * h {
        out.push(
            Problem::error("aspect_ratio", Platform::Instagram)
                .at(index)
                .with("width", width)
                .with("height", height)
                .with("ratio", format_ratio(w, h))
                .with("min", "0.8")
                .with("max", "1.91"),
        );
    }
    if width < MIN_WIDTH {
        out.push(
            Problem::error("image_width", Platform::Instagram)
                .at(index)
                .with("width", width)
                .with("min", MIN_WIDTH),
        );
    } else if width > MAX_WIDTH {
        out.push(
            Problem::warning("image_downscaled", Platform::Instagram)
                .at(index)
                .with("width", width)
                .with("max", MAX_WIDTH),
        );
    }
}

/// `w/h` with two decimals, rounded to nearest.
fn format_ratio(w: u64, h: u64) -> String {
    if h == 0 {
        return "∞".to_owned();
    }
    let hundredths = (w * 100 + h / 2) / h;
    format!("{}.{:02}", hundredths / 100, hundredths % 100)
}

/// Seconds with one decimal, rounded to nearest.
fn format_seconds(ms: u64) -> String {
    let tenths = (ms + 50) / 100;
    format!("{}.{}", tenths / 10, tenths % 10)
}

/// A size in MB (or GB from 1,000 MB) of `unit` bytes each, with one decimal rounded up so
/// that a file over a cap never shows the cap's own number.
fn format_size(bytes: u64, unit: u64) -> String {
    let (unit, label) = if bytes >= 1_000 * unit {
        (unit * if unit == MIB { 1_024 } else { 1_000 }, "GB")
    } else {
        (unit, "MB")
    };
    let tenths = (u128::from(bytes) * 10).div_ceil(u128::from(unit));
    if tenths % 10 == 0 {
        format!("{} {label}", tenths / 10)
    } else {
        format!("{}.{} {label}", tenths / 10, tenths % 10)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn image(mime: &str, bytes: u64, width: u32, height: u32) -> MediaFacts {
        MediaFacts {
            kind: MediaKind::Image,
            mime: mime.to_owned(),
            bytes,
            width: Some(width),
            height: Some(height),
            duration_ms: None,
            has_alt_text: true,
        }
    }

    fn jpeg() -> MediaFacts {
        image("image/jpeg", 500_000, 1080, 1080)
    }

    fn video(mime: &str, bytes: u64, seconds: u64) -> MediaFacts {
        MediaFacts {
            kind: MediaKind::Video,
            mime: mime.to_owned(),
            bytes,
            width: Some(1080),
            height: Some(1920),
            duration_ms: Some(seconds * 1_000),
            has_alt_text: false,
        }
    }

    fn mp4() -> MediaFacts {
        video("video/mp4", 20_000_000, 30)
    }

    fn codes(problems: &[Problem]) -> Vec<&'static str> {
        problems.iter().map(|p| p.code).collect()
    }

    fn errors(problems: &[Problem]) -> Vec<&'static str> {
        problems
            .iter()
            .filter(|p| p.is_error())
            .map(|p| p.code)
            .collect()
    }

    fn only(problems: &[Problem], code: &str) -> Problem {
        let found: Vec<&Problem> = problems.iter().filter(|p| p.code == code).collect();
        assert_eq!(found.len(), 1, "expected one {code} in {problems:?}");
        found[0].clone()
    }

    // --- counting -------------------------------------------------------------------------

    #[test]
    fn x_weighs_the_documented_example_as_85() {
        let text = "Waspada banjir di Jakarta Utara. Info lengkap: https://bpbd.example.go.id/peta #BanjirJakarta";
        assert_eq!(text.chars().count(), 93);
        assert_eq!(x_weighted_length(text), 85);
    }

    #[test]
    fn x_weighs_emoji_cjk_and_punctuation() {
        assert_eq!(x_weighted_length("halo"), 4);
        assert_eq!(x_weighted_length("中文"), 4, "CJK weighs 2 each");
        assert_eq!(x_weighted_length("😀"), 2);
        assert_eq!(
            x_weighted_length("🇮🇩"),
            2,
            "a flag is one emoji of weight 2"
        );
        assert_eq!(x_weighted_length("👨‍👩‍👧‍👦"), 2, "a ZWJ family is one emoji");
        assert_eq!(x_weighted_length("🌧️"), 2, "emoji with variation selector");
        assert_eq!(x_weighted_length("1️⃣"), 2, "keycap");
        assert_eq!(
            x_weighted_length("“kutip” – ‘a’"),
            13,
            "general punctuation is light"
        );
        assert_eq!(
            x_weighted_length("e\u{0301}"),
            1,
            "NFC joins e and the accent"
        );
        assert_eq!(x_weighted_length("한"), 2, "Hangul syllables are heavy");
    }

    #[test]
    fn x_counts_every_link_as_23_including_bare_domains() {
        assert_eq!(x_weighted_length("https://a.id"), 23);
        assert_eq!(
            x_weighted_length(&format!("https://example.go.id/{}", "a".repeat(200))),
            23
        );
        assert_eq!(x_weighted_length("cek jatimprov.go.id"), 4 + 23);
        assert_eq!(
            x_weighted_length("lihat https://x.id/a."),
            6 + 23 + 1,
            "the full stop is text"
        );
        assert_eq!(
            x_weighted_length("surel humas@jatimprov.go.id"),
            27,
            "an email is not a link"
        );
        assert_eq!(
            x_weighted_length("Rp1.500.000"),
            11,
            "numbers are not domains"
        );
    }

    #[test]
    fn x_limit_is_exactly_280() {
        let at_limit = "a".repeat(280);
        assert!(check(Platform::X, &at_limit, &[]).is_empty());
        let over = "a".repeat(281);
        let p = only(&check(Platform::X, &over, &[]), "too_long");
        assert_eq!(p.arg("used"), Some("281"));
        assert_eq!(p.arg("limit"), Some("280"));
        assert_eq!(p.arg("unit"), Some(UNIT_WEIGHTED));
        assert_eq!(p.arg("platform"), Some("X"));
        // 140 CJK characters are exactly 280; one more is over.
        assert!(check(Platform::X, &"中".repeat(140), &[]).is_empty());
        assert_eq!(
            codes(&check(Platform::X, &"中".repeat(141), &[])),
            ["too_long"]
        );
    }

    #[test]
    fn mastodon_counts_links_as_23_and_mentions_by_user_name() {
        assert_eq!(mastodon_length("halo"), 4);
        assert_eq!(
            mastodon_length(&format!("https://example.go.id/{}", "a".repeat(100))),
            23
        );
        assert_eq!(
            mastodon_length("@warga@mastodon.social hai"),
            "@warga hai".len()
        );
        assert_eq!(mastodon_length("@warga hai"), 10);
        assert_eq!(
            mastodon_length("jatimprov.go.id"),
            15,
            "a bare domain is plain text"
        );
        assert_eq!(mastodon_length("surel humas@jatimprov.go.id"), 27);
        assert_eq!(mastodon_length("🇮🇩"), 1);
        let at_limit = format!(
            "{} https://example.go.id/{}",
            "a".repeat(476),
            "p".repeat(60)
        );
        assert_eq!(mastodon_length(&at_limit), 500);
        assert!(check(Platform::Mastodon, &at_limit, &[]).is_empty());
        assert_eq!(
            codes(&check(Platform::Mastodon, &format!("b{at_limit}"), &[])),
            ["too_long"]
        );
    }

    #[test]
    fn bluesky_counts_graphemes_and_bytes() {
        let flags = "🇮🇩".repeat(300);
        assert_eq!(bluesky_graphemes(&flags), 300);
        assert_eq!(flags.len(), 2_400);
        assert!(check(Platform::Bluesky, &flags, &[]).is_empty());
        let p = only(
            &check(Platform::Bluesky, &"🇮🇩".repeat(301), &[]),
            "too_long",
        );
        assert_eq!(p.arg("unit"), Some(UNIT_GRAPHEMES));
        assert_eq!(p.arg("used"), Some("301"));
        // 200 families are 200 graphemes but 5,000 bytes.
        let families = "👨‍👩‍👧‍👦".repeat(200);
        assert_eq!(bluesky_graphemes(&families), 200);
        let p = only(&check(Platform::Bluesky, &families, &[]), "too_long");
        assert_eq!(p.arg("unit"), Some(UNIT_BYTES));
        assert_eq!(p.arg("limit"), Some("3000"));
        assert_eq!(p.arg("used"), Some("5000"));
    }

    #[test]
    fn utf16_counts_astral_characters_twice() {
        assert_eq!(utf16_len("abc"), 3);
        assert_eq!(utf16_len("😀"), 2);
        assert_eq!(utf16_len("é"), 1);
    }

    // --- entities -------------------------------------------------------------------------

    #[test]
    fn hashtags_take_indonesian_words_digits_and_underscores() {
        let text =
            "Ayo #GotongRoyong dan #HUTRI80, #Kab_Sidoarjo! #2024 #ÉtéIndah x#no &#39; #sehat.";
        assert_eq!(
            hashtags(text),
            [
                "GotongRoyong",
                "HUTRI80",
                "Kab_Sidoarjo",
                "ÉtéIndah",
                "sehat"
            ]
        );
        assert_eq!(hashtags("#早安"), ["早安"]);
        assert_eq!(hashtags("lihat https://x.id/#bagian"), Vec::<&str>::new());
        assert_eq!(hashtags("＃banjir"), ["banjir"]);
    }

    #[test]
    fn mentions_skip_emails_and_take_instance_domains() {
        let text = "Halo @warga_1, @humas.jatim dan @bpbd@social.example. Surel info@dinkes.go.id";
        assert_eq!(
            mentions(text),
            ["warga_1", "humas.jatim", "bpbd@social.example"]
        );
        assert_eq!(
            mentions("lihat https://mastodon.social/@humas"),
            Vec::<&str>::new()
        );
        assert_eq!(mentions("@ sendiri"), Vec::<&str>::new());
    }

    #[test]
    fn urls_trim_sentence_punctuation_and_keep_balanced_brackets() {
        assert_eq!(
            urls(
                "Info: https://bpbd.example.go.id/peta. Juga (https://x.id/a_(b)) dan jatimprov.go.id/berita, ya"
            ),
            [
                "https://bpbd.example.go.id/peta",
                "https://x.id/a_(b)",
                "jatimprov.go.id/berita"
            ]
        );
        assert_eq!(urls("HTTPS://EXAMPLE.GO.ID"), ["HTTPS://EXAMPLE.GO.ID"]);
        assert!(urls("https:// kosong").is_empty());
        assert!(
            urls("xhttps://a.id").is_empty(),
            "a scheme glued to a word is not a scheme"
        );
        assert!(urls("Jl.Ahmad Yani No.5 s.d. Rp1.500").is_empty());
    }

    #[test]
    fn bluesky_facets_match_the_documented_offsets() {
        let text = "Waspada banjir 🌧️ @bpbd.example.go.id cek https://bpbd.example.go.id/peta #BanjirJakarta";
        let facets = bluesky_facets(text);
        assert_eq!(
            facets,
            [
                Facet {
                    byte_start: 23,
                    byte_end: 42,
                    feature: FacetFeature::Mention {
                        handle: "bpbd.example.go.id".to_owned()
                    }
                },
                Facet {
                    byte_start: 47,
                    byte_end: 78,
                    feature: FacetFeature::Link {
                        uri: "https://bpbd.example.go.id/peta".to_owned()
                    }
                },
                Facet {
                    byte_start: 79,
                    byte_end: 93,
                    feature: FacetFeature::Tag {
                        tag: "BanjirJakarta".to_owned()
                    }
                },
            ]
        );
    }

    #[test]
    fn bluesky_facets_add_https_to_bare_domains_and_skip_plain_names() {
        let facets = bluesky_facets("buka jatimprov.go.id dan sapa @warga");
        assert_eq!(
            facets.len(),
            1,
            "@warga is not a Bluesky handle: {facets:?}"
        );
        assert_eq!(
            facets[0].feature,
            FacetFeature::Link {
                uri: "https://jatimprov.go.id".to_owned()
            }
        );
        assert_eq!((facets[0].byte_start, facets[0].byte_end), (5, 20));
    }

    #[test]
    fn tiktok_title_is_the_first_line_cut_on_a_grapheme() {
        assert_eq!(
            tiktok_photo_title("Jadwal posyandu\nSenin pukul 08.00"),
            "Jadwal posyandu"
        );
        let long = format!("{}🇮🇩", "a".repeat(88));
        assert_eq!(
            tiktok_photo_title(&long),
            "a".repeat(88),
            "the flag would cross 90 units"
        );
        assert_eq!(utf16_len(tiktok_photo_title(&"é".repeat(200))), 90);
    }

    // --- measure --------------------------------------------------------------------------

    #[test]
    fn measure_uses_each_platform_unit() {
        let m = measure(Platform::X, "中文").unwrap();
        assert_eq!((m.used, m.limit, m.unit), (4, 280, UNIT_WEIGHTED));
        let m = measure(Platform::Bluesky, "🇮🇩").unwrap();
        assert_eq!((m.used, m.limit, m.unit), (1, 300, UNIT_GRAPHEMES));
        let m = measure(Platform::Tiktok, "😀").unwrap();
        assert_eq!((m.used, m.limit, m.unit), (2, 2_200, UNIT_UTF16));
        let m = measure(Platform::Instagram, "😀").unwrap();
        assert_eq!((m.used, m.limit), (1, 2_200));
        assert_eq!(measure(Platform::Facebook, "a").unwrap().limit, 63_206);
        assert_eq!(measure(Platform::Mastodon, "a").unwrap().limit, 500);
        assert_eq!(measure(Platform::Telegram, "a").unwrap().limit, 4_096);
        assert!(measure(Platform::Rss, "a").is_none());
        assert!(measure(Platform::Youtube, "a").is_none());
        assert_eq!(
            measure_with_media(Platform::Telegram, "a", &[jpeg()])
                .unwrap()
                .limit,
            1_024
        );
        assert_eq!(
            measure_with_media(Platform::Tiktok, "a", &[jpeg()])
                .unwrap()
                .limit,
            4_000
        );
        assert_eq!(
            measure_with_media(Platform::Tiktok, "a", &[mp4()])
                .unwrap()
                .limit,
            2_200
        );
    }

    #[test]
    fn youtube_and_rss_are_not_publishable() {
        for p in Platform::ALL {
            assert_eq!(
                is_publishable(*p),
                !matches!(p, Platform::Youtube | Platform::Rss)
            );
        }
        assert_eq!(
            codes(&check(Platform::Rss, "hai", &[])),
            ["not_publishable"]
        );
        assert_eq!(
            codes(&check(Platform::Youtube, "hai", &[mp4()])),
            ["not_publishable"]
        );
    }

    // --- X --------------------------------------------------------------------------------

    #[test]
    fn x_takes_four_images_or_one_video_or_one_gif() {
        let four = vec![jpeg(); 4];
        assert!(check(Platform::X, "hai", &four).is_empty());
        let p = only(
            &check(Platform::X, "hai", &vec![jpeg(); 5]),
            "too_many_media",
        );
        assert_eq!((p.arg("limit"), p.arg("used")), (Some("4"), Some("5")));
        assert!(check(Platform::X, "hai", &[mp4()]).is_empty());
        assert_eq!(
            errors(&check(Platform::X, "hai", &[mp4(), mp4()])),
            ["too_many_media"]
        );
        assert_eq!(
            errors(&check(Platform::X, "hai", &[mp4(), jpeg()])),
            ["mixed_media"]
        );
        let gif = image("image/gif", 1_000_000, 400, 300);
        assert!(errors(&check(Platform::X, "hai", std::slice::from_ref(&gif))).is_empty());
        assert_eq!(
            errors(&check(Platform::X, "hai", &[gif.clone(), jpeg()])),
            ["mixed_media"]
        );
        assert_eq!(
            errors(&check(Platform::X, "hai", &[gif, mp4()])),
            ["mixed_media"]
        );
    }

    #[test]
    fn x_caps_sizes_per_kind() {
        let at = image("image/png", 5 * MIB, 800, 600);
        assert!(check(Platform::X, "a", std::slice::from_ref(&at)).is_empty());
        let over = image("image/png", 5 * MIB + 1, 800, 600);
        let p = only(&check(Platform::X, "a", &[over]), "media_too_large");
        assert_eq!(p.media_index, Some(0));
        assert_eq!(p.arg("file"), Some("1"));
        assert_eq!(p.arg("limit"), Some("5 MB"));
        assert_eq!(p.arg("size"), Some("5.1 MB"));
        assert!(check(Platform::X, "a", &[image("image/gif", 15 * MIB, 1, 1)]).is_empty());
        assert_eq!(
            codes(&check(
                Platform::X,
                "a",
                &[image("image/gif", 15 * MIB + 1, 1, 1)]
            )),
            ["media_too_large"]
        );
        assert!(check(Platform::X, "a", &[video("video/mp4", 512 * MIB, 10)]).is_empty());
        assert_eq!(
            codes(&check(
                Platform::X,
                "a",
                &[video("video/mp4", 512 * MIB + 1, 10)]
            )),
            ["media_too_large"]
        );
    }

    #[test]
    fn x_refuses_webm_and_names_what_it_takes() {
        let p = only(
            &check(Platform::X, "a", &[video("video/webm", 1_000, 5)]),
            "media_type",
        );
        assert_eq!(p.arg("given"), Some("WebM"));
        assert_eq!(p.arg("accepted"), Some("JPEG, PNG, WebP, GIF, MP4, MOV"));
    }

    #[test]
    fn empty_post_needs_text_or_media() {
        for p in [
            Platform::X,
            Platform::Facebook,
            Platform::Mastodon,
            Platform::Bluesky,
            Platform::Telegram,
        ] {
            assert_eq!(codes(&check(p, "  \n", &[])), ["empty_post"], "{p}");
            assert!(errors(&check(p, "", &[jpeg()])).is_empty(), "{p}");
            assert!(check(p, "hai", &[]).is_empty(), "{p}");
        }
    }

    // --- Instagram ------------------------------------------------------------------------

    #[test]
    fn instagram_caption_hashtags_and_mentions() {
        let media = [jpeg()];
        assert!(check(Platform::Instagram, &"a".repeat(2_200), &media).is_empty());
        assert_eq!(
            codes(&check(Platform::Instagram, &"a".repeat(2_201), &media)),
            ["too_long"]
        );
        let tags = |n: usize| {
            (0..n)
                .map(|i| format!("#Jatim{i}"))
                .collect::<Vec<_>>()
                .join(" ")
        };
        assert!(check(Platform::Instagram, &tags(30), &media).is_empty());
        let p = only(
            &check(Platform::Instagram, &tags(31), &media),
            "too_many_hashtags",
        );
        assert_eq!((p.arg("limit"), p.arg("used")), (Some("30"), Some("31")));
        let people = |n: usize| {
            (0..n)
                .map(|i| format!("@akun{i}"))
                .collect::<Vec<_>>()
                .join(" ")
        };
        assert!(check(Platform::Instagram, &people(20), &media).is_empty());
        assert_eq!(
            codes(&check(Platform::Instagram, &people(21), &media)),
            ["too_many_mentions"]
        );
    }

    #[test]
    fn instagram_needs_media_and_takes_jpeg_only() {
        assert_eq!(
            codes(&check(Platform::Instagram, "hai", &[])),
            ["media_required"]
        );
        let p = only(
            &check(
                Platform::Instagram,
                "hai",
                &[image("image/png", 100, 1080, 1080)],
            ),
            "media_type",
        );
        assert_eq!(p.arg("given"), Some("PNG"));
        assert_eq!(p.arg("accepted"), Some("JPEG, MP4, MOV"));
        assert!(
            check(
                Platform::Instagram,
                "",
                &[image("image/jpeg", 8_000_000, 1080, 1080)]
            )
            .is_empty()
        );
        assert_eq!(
            codes(&check(
                Platform::Instagram,
                "",
                &[image("image/jpeg", 8_000_001, 1080, 1080)]
            )),
            ["media_too_large"]
        );
    }

    #[test]
    fn instagram_aspect_ratio_bounds_are_inclusive() {
        let at = |w, h| check(Platform::Instagram, "", &[image("image/jpeg", 1_000, w, h)]);
        assert!(at(1080, 1350).is_empty(), "4:5 exactly");
        assert!(at(1080, 1351).iter().any(|p| p.code == "aspect_ratio"));
        assert!(at(1146, 600).is_empty(), "1.91:1 exactly");
        assert!(at(1147, 600).iter().any(|p| p.code == "aspect_ratio"));
        let p = only(&at(1080, 1920), "aspect_ratio");
        assert_eq!(p.arg("ratio"), Some("0.56"));
        assert_eq!(
            (p.arg("width"), p.arg("height")),
            (Some("1080"), Some("1920"))
        );
    }

    #[test]
    fn instagram_width_too_small_is_an_error_and_too_large_a_warning() {
        let at = |w: u32| check(Platform::Instagram, "", &[image("image/jpeg", 1_000, w, w)]);
        assert!(at(320).is_empty());
        let p = only(&at(319), "image_width");
        assert!(p.is_error());
        assert_eq!(p.arg("min"), Some("320"));
        assert!(at(1440).is_empty());
        let p = only(&at(1441), "image_downscaled");
        assert_eq!(p.severity, Severity::Warning);
    }

    #[test]
    fn instagram_carousel_of_ten_may_hold_videos() {
        let mut carousel = vec![jpeg(); 9];
        carousel.push(mp4());
        assert!(errors(&check(Platform::Instagram, "", &carousel)).is_empty());
        carousel.push(jpeg());
        assert_eq!(
            errors(&check(Platform::Instagram, "", &carousel)),
            ["too_many_media"]
        );
    }

    #[test]
    fn instagram_reel_lasts_3_seconds_to_15_minutes_and_at_most_300_mb() {
        let reel = |ms: u64| {
            let mut v = mp4();
            v.duration_ms = Some(ms);
            check(Platform::Instagram, "", &[v])
        };
        assert!(reel(3_000).is_empty());
        let p = only(&reel(2_999), "video_duration");
        assert_eq!(
            (p.arg("used"), p.arg("min"), p.arg("max")),
            (Some("3.0"), Some("3"), Some("900"))
        );
        assert!(reel(900_000).is_empty());
        assert_eq!(codes(&reel(900_001)), ["video_duration"]);
        assert!(
            check(
                Platform::Instagram,
                "",
                &[video("video/quicktime", 300_000_000, 10)]
            )
            .is_empty()
        );
        assert_eq!(
            codes(&check(
                Platform::Instagram,
                "",
                &[video("video/mp4", 300_000_001, 10)]
            )),
            ["media_too_large"]
        );
    }

    // --- Facebook -------------------------------------------------------------------------

    #[test]
    fn facebook_text_photos_and_video() {
        assert!(check(Platform::Facebook, &"a".repeat(63_206), &[]).is_empty());
        assert_eq!(
            codes(&check(Platform::Facebook, &"a".repeat(63_207), &[])),
            ["too_long"]
        );
        assert!(check(Platform::Facebook, "", &vec![jpeg(); 10]).is_empty());
        assert_eq!(
            codes(&check(Platform::Facebook, "", &vec![jpeg(); 11])),
            ["too_many_media"]
        );
        assert!(
            check(
                Platform::Facebook,
                "",
                &[image("image/webp", 10_000_000, 10, 10)]
            )
            .is_empty()
        );
        assert_eq!(
            codes(&check(
                Platform::Facebook,
                "",
                &[image("image/webp", 10_000_001, 10, 10)]
            )),
            ["media_too_large"]
        );
        assert_eq!(
            errors(&check(Platform::Facebook, "", &[mp4(), jpeg()])),
            ["mixed_media"]
        );
        assert_eq!(
            codes(&check(Platform::Facebook, "", &[video("video/webm", 1, 1)])),
            ["media_type"]
        );
    }

    // --- TikTok ---------------------------------------------------------------------------

    #[test]
    fn tiktok_needs_one_video_or_photos_and_refuses_png_by_name() {
        assert_eq!(
            codes(&check(Platform::Tiktok, "hai", &[])),
            ["media_required"]
        );
        assert!(check(Platform::Tiktok, "hai", &[video("video/webm", 1_000, 30)]).is_empty());
        assert_eq!(
            codes(&check(Platform::Tiktok, "hai", &[mp4(), mp4()])),
            ["too_many_media"]
        );
        assert_eq!(
            codes(&check(Platform::Tiktok, "hai", &[mp4(), jpeg()])),
            ["mixed_media"]
        );
        assert!(check(Platform::Tiktok, "hai", &vec![jpeg(); 35]).is_empty());
        assert_eq!(
            codes(&check(Platform::Tiktok, "hai", &vec![jpeg(); 36])),
            ["too_many_media"]
        );
        let p = only(
            &check(Platform::Tiktok, "hai", &[image("image/png", 10, 10, 10)]),
            "media_type",
        );
        assert_eq!(p.arg("given"), Some("PNG"));
        assert_eq!(p.arg("accepted"), Some("JPEG, WebP, MP4, WebM, MOV"));
        assert!(p.message_en().contains("PNG"), "{}", p.message_en());
    }

    #[test]
    fn tiktok_video_caption_and_duration() {
        assert!(check(Platform::Tiktok, &"😀".repeat(1_100), &[mp4()]).is_empty());
        let p = only(
            &check(
                Platform::Tiktok,
                &format!("a{}", "😀".repeat(1_100)),
                &[mp4()],
            ),
            "too_long",
        );
        assert_eq!(
            (p.arg("used"), p.arg("limit"), p.arg("unit")),
            (Some("2201"), Some("2200"), Some(UNIT_UTF16))
        );
        assert!(check(Platform::Tiktok, "", &[video("video/mp4", 1, 600)]).is_empty());
        assert_eq!(
            codes(&check(Platform::Tiktok, "", &[video("video/mp4", 1, 601)])),
            ["video_duration"]
        );
        assert!(
            check(
                Platform::Tiktok,
                "",
                &[video("video/mp4", 4_000_000_000, 60)]
            )
            .is_empty()
        );
        let p = only(
            &check(
                Platform::Tiktok,
                "",
                &[video("video/mp4", 4_000_000_001, 60)],
            ),
            "media_too_large",
        );
        assert_eq!(p.arg("limit"), Some("4 GB"));
        assert_eq!(p.arg("size"), Some("4.1 GB"));
    }

    #[test]
    fn tiktok_photo_post_description_and_title_hint() {
        let photos = [jpeg()];
        assert!(check(Platform::Tiktok, &"a".repeat(90), &photos).is_empty());
        let p = only(
            &check(Platform::Tiktok, &"a".repeat(91), &photos),
            "tiktok_title_cut",
        );
        assert_eq!(p.severity, Severity::Warning);
        assert_eq!(p.arg("used"), Some("91"));
        let two_lines = format!("Judul singkat\n{}", "b".repeat(3_000));
        assert!(
            check(Platform::Tiktok, &two_lines, &photos).is_empty(),
            "a short first line is the title"
        );
        let at_limit = format!("Judul\n{}", "b".repeat(4_000 - 6));
        assert!(check(Platform::Tiktok, &at_limit, &photos).is_empty());
        let p = only(
            &check(Platform::Tiktok, &format!("{at_limit}b"), &photos),
            "too_long",
        );
        assert_eq!(p.arg("limit"), Some("4000"));
    }

    #[test]
    fn tiktok_does_not_ask_for_alt_text() {
        let mut photo = jpeg();
        photo.has_alt_text = false;
        assert!(check(Platform::Tiktok, "hai", &[photo]).is_empty());
    }

    // --- Mastodon -------------------------------------------------------------------------

    #[test]
    fn mastodon_attachments_and_sizes() {
        assert!(check(Platform::Mastodon, "", &vec![jpeg(); 4]).is_empty());
        assert_eq!(
            codes(&check(Platform::Mastodon, "", &vec![jpeg(); 5])),
            ["too_many_media"]
        );
        assert_eq!(
            codes(&check(Platform::Mastodon, "", &[mp4(), jpeg()])),
            ["mixed_media"]
        );
        assert!(
            check(
                Platform::Mastodon,
                "",
                &[image("image/gif", 16 * MIB, 10, 10)]
            )
            .is_empty()
        );
        assert_eq!(
            codes(&check(
                Platform::Mastodon,
                "",
                &[image("image/gif", 16 * MIB + 1, 10, 10)]
            )),
            ["media_too_large"]
        );
        assert!(check(Platform::Mastodon, "", &[video("video/webm", 99 * MIB, 10)]).is_empty());
        assert_eq!(
            codes(&check(
                Platform::Mastodon,
                "",
                &[video("video/webm", 99 * MIB + 1, 10)]
            )),
            ["media_too_large"]
        );
    }

    // --- Bluesky --------------------------------------------------------------------------

    #[test]
    fn bluesky_images_and_video() {
        assert!(
            check(
                Platform::Bluesky,
                "",
                &vec![image("image/png", 1_000_000, 10, 10); 4]
            )
            .is_empty()
        );
        let p = only(
            &check(
                Platform::Bluesky,
                "",
                &[image("image/png", 1_000_001, 10, 10)],
            ),
            "media_too_large",
        );
        assert_eq!(
            (p.arg("size"), p.arg("limit")),
            (Some("1.1 MB"), Some("1 MB"))
        );
        assert_eq!(
            codes(&check(Platform::Bluesky, "", &vec![jpeg(); 5])),
            ["too_many_media"]
        );
        assert_eq!(
            codes(&check(
                Platform::Bluesky,
                "",
                &[image("image/gif", 10, 10, 10)]
            )),
            ["media_type"]
        );
        assert!(
            check(
                Platform::Bluesky,
                "",
                &[video("video/mp4", 100_000_000, 60)]
            )
            .is_empty()
        );
        assert_eq!(
            codes(&check(
                Platform::Bluesky,
                "",
                &[video("video/mp4", 100_000_001, 60)]
            )),
            ["media_too_large"]
        );
        assert_eq!(
            codes(&check(
                Platform::Bluesky,
                "",
                &[video("video/quicktime", 1, 6)]
            )),
            ["media_type"]
        );
        assert_eq!(
            codes(&check(Platform::Bluesky, "", &[mp4(), jpeg()])),
            ["mixed_media"]
        );
    }

    // --- Telegram -------------------------------------------------------------------------

    #[test]
    fn telegram_text_and_caption_limits() {
        assert!(check(Platform::Telegram, &"a".repeat(4_096), &[]).is_empty());
        assert_eq!(
            codes(&check(Platform::Telegram, &"a".repeat(4_097), &[])),
            ["too_long"]
        );
        assert!(check(Platform::Telegram, &"a".repeat(1_024), &[jpeg()]).is_empty());
        let p = only(
            &check(Platform::Telegram, &"a".repeat(1_025), &[jpeg()]),
            "too_long",
        );
        assert_eq!(p.arg("limit"), Some("1024"));
    }

    #[test]
    fn telegram_takes_one_photo_and_no_video() {
        assert_eq!(
            codes(&check(Platform::Telegram, "", &[jpeg(), jpeg()])),
            ["too_many_media"]
        );
        let p = only(&check(Platform::Telegram, "", &[mp4()]), "media_type");
        assert_eq!(p.arg("accepted"), Some("JPEG, PNG, WebP"));
        assert!(
            check(
                Platform::Telegram,
                "",
                &[image("image/webp", 10_000_000, 10, 10)]
            )
            .is_empty()
        );
        assert_eq!(
            codes(&check(
                Platform::Telegram,
                "",
                &[image("image/webp", 10_000_001, 10, 10)]
            )),
            ["media_too_large"]
        );
    }

    // --- common ---------------------------------------------------------------------------

    #[test]
    fn every_image_without_alt_text_gets_a_warning() {
        let mut bare = jpeg();
        bare.has_alt_text = false;
        let problems = check(Platform::Mastodon, "", &[jpeg(), bare.clone(), bare]);
        let warned: Vec<Option<usize>> = problems
            .iter()
            .filter(|p| p.code == "alt_text_missing")
            .map(|p| p.media_index)
            .collect();
        assert_eq!(warned, [Some(1), Some(2)]);
        assert!(problems.iter().all(|p| p.severity == Severity::Warning));
        assert_eq!(problems[0].arg("file"), Some("2"));
    }

    #[test]
    fn unknown_mime_is_named_in_the_message() {
        let odd = MediaFacts {
            kind: MediaKind::Image,
            mime: "image/heic".to_owned(),
            bytes: 10,
            width: None,
            height: None,
            duration_ms: None,
            has_alt_text: true,
        };
        let p = only(&check(Platform::Facebook, "", &[odd]), "media_type");
        assert_eq!(
            p.message_en(),
            "File 1 is image/heic, which Facebook does not accept here; use JPEG, PNG, GIF, WebP, MP4, MOV."
        );
        assert_eq!(p.to_string(), p.message_en());
    }

    #[test]
    fn every_code_has_its_own_english_message() {
        for code in PROBLEM_CODES {
            let p = Problem::error(code, Platform::X);
            assert!(
                !p.message_en().contains(code),
                "{code} falls through to the default"
            );
        }
    }

    #[test]
    fn too_long_message_says_how_much_and_what_to_do() {
        let p = only(&check(Platform::X, &"a".repeat(300), &[]), "too_long");
        assert_eq!(
            p.message_en(),
            "The text is too long for X: 300 of at most 280 characters (emoji and non-Latin letters count 2, every link 23). Shorten it."
        );
    }

    #[test]
    fn sizes_round_up_so_an_oversized_file_never_shows_the_cap() {
        assert_eq!(format_size(5 * MIB, MIB), "5 MB");
        assert_eq!(format_size(5 * MIB + 1, MIB), "5.1 MB");
        assert_eq!(format_size(1_000_000, MB), "1 MB");
        assert_eq!(format_size(2 * 1_024 * MIB, MIB), "2 GB");
    }

    proptest::proptest! {
        #[test]
        fn counting_and_checking_never_panic_and_entities_are_slices(text in "\\PC{0,80}|[a-z#@:/. 🇮🇩👨‍👩‍👧]{0,60}") {
            for platform in Platform::ALL {
                let _ = check(*platform, &text, &[jpeg()]);
                let _ = measure(*platform, &text);
            }
            proptest::prop_assert!(
                x_weighted_length(&text) <= 2 * text.chars().count() + URL_LENGTH * urls(&text).len()
            );
            for found in urls(&text).into_iter().chain(hashtags(&text)).chain(mentions(&text)) {
                proptest::prop_assert!(text.contains(found));
            }
            for facet in bluesky_facets(&text) {
                proptest::prop_assert!(text.get(facet.byte_start..facet.byte_end).is_some());
            }
            proptest::prop_assert!(utf16_len(tiktok_photo_title(&text)) <= TIKTOK_MAX_PHOTO_TITLE);
        }
    }

    #[test]
    fn media_kind_serialises_snake_case() {
        assert_eq!(
            serde_json::to_string(&MediaKind::Video).unwrap(),
            "\"video\""
        );
        assert_eq!(
            serde_json::to_string(&Severity::Warning).unwrap(),
            "\"warning\""
        );
    }
}
