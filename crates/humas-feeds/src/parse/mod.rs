//! Pure feed parsing: bytes in, [`Feed`] out. No I/O.
//!
//! Security: a document type with entity declarations is refused (no billion laughs), no
//! external entity or DTD is ever read, entity references are resolved from a fixed table to
//! one character each, and input is capped at [`MAX_FEED_BYTES`] and [`MAX_DEPTH`] levels.

mod date;
mod encoding;
mod text;

use std::collections::HashMap;

use jiff::{SignedDuration, Timestamp};
use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};
use serde::Serialize;
use sha2::{Digest as _, Sha256};

pub use date::{ParsedDate, parse_date};
pub use text::{html_to_text, plain_text};

/// The largest feed we read: real news feeds are well under 1 MB.
pub const MAX_FEED_BYTES: usize = 10 * 1024 * 1024;
/// The deepest element nesting we follow; feeds are about 5 levels deep.
pub const MAX_DEPTH: usize = 64;
/// How far in the future a date may be before it is treated as wrong (clocks drift; a
/// misdeclared zone is off by hours, not minutes).
pub const FUTURE_TOLERANCE: SignedDuration = SignedDuration::from_mins(15);

/// Which format the feed was in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FeedKind {
    /// RSS 2.0 (and 0.9x).
    Rss,
    /// RSS 1.0 (RDF).
    Rdf,
    /// Atom 1.0.
    Atom,
}

/// A parsed feed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Feed {
    /// The format.
    pub kind: FeedKind,
    /// The channel or feed title, as plain text.
    pub title: Option<String>,
    /// The site's address.
    pub link: Option<String>,
    /// The character encoding the bytes were read in.
    pub encoding: &'static str,
    /// The items in document order (not necessarily newest first).
    pub items: Vec<Item>,
}

/// Where an item's [`Item::id`] came from, strongest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IdSource {
    /// RSS `guid`.
    Guid,
    /// Atom `id`.
    AtomId,
    /// The item's link, without fragment and `utm_*` parameters.
    Link,
    /// SHA-256 of title, date and summary: no identifier or link was given.
    Hash,
}

/// Something about an item a reader should know; the item is kept regardless.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemFlag {
    /// The date had no zone; Jakarta time (WIB) was assumed.
    DateZoneAssumed,
    /// A date was given but could not be read; `published` is empty, `published_raw` has it.
    DateUnreadable,
    /// The date was more than [`FUTURE_TOLERANCE`] ahead of the parse time; `published` was
    /// clamped to the parse time and `published_raw` keeps what the feed said.
    DateInFuture,
}

/// One news item, as plain text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Item {
    /// A stable identifier for de-duplication (see [`IdSource`]).
    pub id: String,
    /// Where the identifier came from.
    pub id_source: IdSource,
    /// The article's address, absolute when the feed gave a base.
    pub url: Option<String>,
    /// The headline.
    pub title: Option<String>,
    /// The description or summary (else the content), HTML stripped to readable text.
    pub summary_text: Option<String>,
    /// When it was published (else updated), in UTC.
    pub published: Option<Timestamp>,
    /// The date exactly as the feed wrote it.
    pub published_raw: Option<String>,
    /// The author or creator name.
    pub author: Option<String>,
    /// Quirks met while reading this item.
    pub flags: Vec<ItemFlag>,
}

/// Why a feed could not be read.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum FeedError {
    /// Over [`MAX_FEED_BYTES`].
    #[error(
        "the feed is {size} bytes, more than the {limit}-byte limit; check the URL points at a feed, not an archive or a file"
    )]
    TooLarge {
        /// Bytes received.
        size: usize,
        /// The limit.
        limit: usize,
    },
    /// Nothing but whitespace.
    #[error("the response is empty; the site may be down or the feed URL wrong")]
    Empty,
    /// The body is not XML at all.
    #[error("the response is not XML (it starts with {start:?}); {hint}")]
    NotXml {
        /// The first characters.
        start: String,
        /// What it probably is and what to do.
        hint: &'static str,
    },
    /// XML, but not RSS or Atom.
    #[error("the document is XML but not a feed (its root element is <{root}>); {hint}")]
    NotAFeed {
        /// The root element's name.
        root: String,
        /// What to do.
        hint: &'static str,
    },
    /// A DOCTYPE declares entities: the classic XML bomb, never expanded.
    #[error(
        "the feed declares XML entities in a DOCTYPE, which is refused (entity expansion can exhaust memory); no legitimate RSS or Atom feed needs this"
    )]
    EntityDeclarations,
    /// Nested deeper than [`MAX_DEPTH`].
    #[error("elements are nested more than {0} deep; this is not a normal feed")]
    TooDeep(usize),
    /// Broken XML.
    #[error(
        "the feed is not well-formed XML at byte {position}: {message}; ask the publisher to fix the feed"
    )]
    Xml {
        /// Byte offset in the decoded text.
        position: u64,
        /// What the XML reader said.
        message: String,
    },
}

/// Parses an RSS 2.0, RSS 1.0 or Atom 1.0 feed, judging dates against the current time.
///
/// `content_type` is the HTTP header value, used only for its `charset`.
///
/// # Errors
/// [`FeedError`] when the bytes are too large, not XML, not a feed, malformed or dangerous.
pub fn parse_feed(bytes: &[u8], content_type: Option<&str>) -> Result<Feed, FeedError> {
    parse_feed_at(bytes, content_type, Timestamp::now())
}

/// [`parse_feed`] with the time that future dates are judged against.
///
/// # Errors
/// As [`parse_feed`].
pub fn parse_feed_at(
    bytes: &[u8],
    content_type: Option<&str>,
    now: Timestamp,
) -> Result<Feed, FeedError> {
    if bytes.len() > MAX_FEED_BYTES {
        return Err(FeedError::TooLarge {
            size: bytes.len(),
            limit: MAX_FEED_BYTES,
        });
    }
    let decoded = encoding::decode(bytes, content_type);
    let text = replace_control_characters(&decoded.text);
    check_looks_like_xml(&text)?;
    let raw = read_document(&text)?;
    let base = raw.link.clone();
    Ok(Feed {
        kind: raw.kind,
        title: raw
            .title
            .as_deref()
            .map(html_to_text)
            .filter(|t| !t.is_empty()),
        link: raw.link,
        encoding: decoded.encoding,
        items: raw
            .items
            .into_iter()
            .map(|i| finish_item(i, base.as_deref(), now))
            .collect(),
    })
}

/// Control characters pasted into CMSs break strict XML readers and mean nothing in news text.
fn replace_control_characters(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\t' | '\n' | '\r' => c,
            c if c.is_control() && (c as u32) < 0x20 => ' ',
            '\u{fffe}' | '\u{ffff}' => ' ',
            c => c,
        })
        .collect()
}

/// Refuses bodies that are obviously not XML, saying what they look like.
fn check_looks_like_xml(text: &str) -> Result<(), FeedError> {
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    let Some(first) = trimmed.chars().next() else {
        return Err(FeedError::Empty);
    };
    if first == '<' {
        return Ok(());
    }
    let hint = if first == '{' || first == '[' {
        "it looks like JSON; if this is a JSON Feed, it is not supported yet"
    } else {
        "check the URL; many sites serve their feed at /feed/ or /?feed=rss2"
    };
    Err(FeedError::NotXml {
        start: trimmed.chars().take(40).collect(),
        hint,
    })
}

/// An item's raw text fields, keyed by element name (first occurrence wins), and its links.
#[derive(Debug, Default)]
struct RawItem {
    fields: HashMap<String, String>,
    /// Atom `link` elements: (`rel`, `href`).
    links: Vec<(String, String)>,
    /// RSS `guid isPermaLink="false"`.
    guid_not_permalink: bool,
}

/// The feed before items are cleaned up.
struct RawFeed {
    kind: FeedKind,
    title: Option<String>,
    link: Option<String>,
    items: Vec<RawItem>,
}

/// The key an element is stored under: local name, with the prefix kept for extension elements
/// (`dc:creator`, `content:encoded`) but dropped for `atom:`.
fn element_key(name: &str) -> String {
    let lower = name.to_ascii_lowercase();
    match lower.split_once(':') {
        Some(("atom", local)) => local.to_owned(),
        _ => lower,
    }
}

/// The value of attribute `key` (by local name), entity-decoded.
fn attribute(start: &BytesStart<'_>, key: &str) -> Option<String> {
    start.html_attributes().flatten().find_map(|a| {
        let name = a.key.0;
        let local = name.rsplit(':').next().unwrap_or(name);
        local
            .eq_ignore_ascii_case(key)
            .then(|| text::decode_entities(&a.value))
    })
}

/// Walks the XML events once and collects channel fields and items.
struct Walker {
    kind: Option<FeedKind>,
    stack: Vec<String>,
    title: Option<String>,
    link: Option<String>,
    items: Vec<RawItem>,
    /// The open item and the stack depth of its element.
    current: Option<(RawItem, usize)>,
    /// Text of the channel-level element being read (title or link).
    /// Text of the channel's title or link being read, and the depth of that element, so a
    /// nested element (`<title>Berita <b>Jatim</b></title>`) does not end it early.
    channel_text: Option<(String, usize)>,
    /// The direct item child being read already had a value: ignore repeats.
    skip_repeat: bool,
}

impl Walker {
    fn new() -> Self {
        Self {
            kind: None,
            stack: Vec::new(),
            title: None,
            link: None,
            items: Vec::new(),
            current: None,
            channel_text: None,
            skip_repeat: false,
        }
    }

    /// Decides the format from the root element.
    fn root(&mut self, key: &str) -> Result<(), FeedError> {
        self.kind = Some(match key {
            "rss" => FeedKind::Rss,
            "rdf:rdf" | "rdf" => FeedKind::Rdf,
            "feed" => FeedKind::Atom,
            "html" => {
                return Err(FeedError::NotAFeed {
                    root: key.to_owned(),
                    hint: "this is a web page, perhaps an error or bot-check page; find the site's feed link (often /feed/ or /?feed=rss2)",
                });
            }
            other => {
                return Err(FeedError::NotAFeed {
                    root: other.to_owned(),
                    hint: "only RSS (<rss>, <rdf:RDF>) and Atom (<feed>) are supported",
                });
            }
        });
        Ok(())
    }

    fn open(&mut self, start: &BytesStart<'_>, empty: bool) -> Result<(), FeedError> {
        let key = element_key(start.name().0);
        if self.kind.is_none() {
            self.root(&key)?;
        }
        if self.stack.len() >= MAX_DEPTH {
            return Err(FeedError::TooDeep(MAX_DEPTH));
        }
        self.stack.push(key.clone());
        let depth = self.stack.len();
        match &mut self.current {
            None if key == "item" || key == "entry" => {
                self.current = Some((RawItem::default(), depth));
            }
            None => self.open_channel_element(&key, start, depth),
            Some((item, item_depth)) if depth == *item_depth + 1 => {
                if let Some(href) = attribute(start, "href").filter(|_| key == "link") {
                    let rel = attribute(start, "rel").unwrap_or_else(|| "alternate".into());
                    item.links.push((rel, href));
                }
                if key == "guid" && attribute(start, "ispermalink").as_deref() == Some("false") {
                    item.guid_not_permalink = true;
                }
                self.skip_repeat = item.fields.contains_key(&key);
                if !self.skip_repeat {
                    item.fields.insert(key, String::new());
                }
            }
            Some(_) => {}
        }
        if empty {
            self.close();
        }
        Ok(())
    }

    /// Channel (RSS) or feed (Atom) title and site link.
    fn open_channel_element(&mut self, key: &str, start: &BytesStart<'_>, depth: usize) {
        let parent = depth
            .checked_sub(2)
            .and_then(|i| self.stack.get(i))
            .map(String::as_str);
        if !matches!(parent, Some("channel" | "feed")) {
            return;
        }
        match key {
            "title" if self.title.is_none() => self.channel_text = Some((String::new(), depth)),
            "link" if self.link.is_none() => match attribute(start, "href") {
                Some(href) => {
                    let rel = attribute(start, "rel");
                    if matches!(rel.as_deref(), None | Some("alternate")) {
                        self.link = Some(href);
                    }
                }
                None => self.channel_text = Some((String::new(), depth)),
            },
            _ => {}
        }
    }

    fn close(&mut self) {
        let depth = self.stack.len();
        let key = self.stack.pop().unwrap_or_default();
        if matches!(&self.channel_text, Some((_, d)) if *d == depth)
            && let Some((text, _)) = self.channel_text.take()
        {
            let text = text.trim().to_owned();
            match key.as_str() {
                "title" => self.title = Some(text),
                "link" if !text.is_empty() => self.link = Some(text),
                _ => {}
            }
        }
        if matches!(&self.current, Some((_, d)) if *d == depth)
            && let Some((item, _)) = self.current.take()
        {
            self.items.push(item);
        }
        if matches!(&self.current, Some((_, d)) if depth == *d + 1) {
            self.skip_repeat = false;
        }
    }

    /// Text (already unescaped) inside the current element.
    fn text(&mut self, s: &str) {
        if let Some((buf, _)) = &mut self.channel_text {
            buf.push_str(s);
            return;
        }
        let Some((item, item_depth)) = &mut self.current else {
            return;
        };
        if self.skip_repeat {
            return;
        }
        let Some(child) = self.stack.get(*item_depth) else {
            return;
        };
        // Inside Atom `author`, only `name` is the author (not `email` or `uri`).
        if child == "author"
            && self.stack.len() > *item_depth + 1
            && self.stack.last().map(String::as_str) != Some("name")
        {
            return;
        }
        if let Some(buf) = item.fields.get_mut(child) {
            buf.push_str(s);
        }
    }
}

/// Reads the document's events into a [`RawFeed`].
fn read_document(text: &str) -> Result<RawFeed, FeedError> {
    let mut reader = Reader::from_str(text);
    let config = reader.config_mut();
    config.allow_dangling_amp = true;
    config.check_end_names = false;
    config.allow_unmatched_ends = true;
    let mut walker = Walker::new();
    loop {
        let event = reader.read_event().map_err(|e| FeedError::Xml {
            position: reader.error_position(),
            message: e.to_string(),
        })?;
        match event {
            Event::Start(e) => walker.open(&e, false)?,
            Event::Empty(e) => walker.open(&e, true)?,
            Event::End(_) => walker.close(),
            Event::Text(e) => walker.text(&e),
            Event::CData(e) => walker.text(&e),
            Event::GeneralRef(r) => match text::resolve_entity(&r) {
                Some(c) => walker.text(c.encode_utf8(&mut [0; 4])),
                // Unknown entities stay visible as written; they are never looked up in a DTD.
                None => walker.text(&format!("&{};", &*r)),
            },
            Event::DocType(d) if d.to_ascii_uppercase().contains("<!ENTITY") => {
                return Err(FeedError::EntityDeclarations);
            }
            Event::Eof => break,
            Event::DocType(_) | Event::Comment(_) | Event::Decl(_) | Event::PI(_) => {}
        }
    }
    let kind = walker.kind.ok_or(FeedError::Empty)?;
    Ok(RawFeed {
        kind,
        title: walker.title,
        link: walker.link,
        items: walker.items,
    })
}

/// The first non-empty field among `keys`, trimmed.
fn first_field<'a>(item: &'a RawItem, keys: &[&str]) -> Option<&'a str> {
    keys.iter()
        .filter_map(|k| item.fields.get(*k))
        .map(|v| v.trim())
        .find(|v| !v.is_empty())
}

/// `href` made absolute against `base` when possible; kept as written otherwise.
fn absolute_url(href: &str, base: Option<&str>) -> String {
    let href = href.trim();
    match url::Url::parse(href) {
        Ok(u) => u.to_string(),
        Err(_) => base
            .and_then(|b| url::Url::parse(b).ok())
            .and_then(|b| b.join(href).ok())
            .map_or_else(|| href.to_owned(), |u| u.to_string()),
    }
}

/// The link as an identity: no fragment, no `utm_*` tracking parameters, lowercase host.
fn canonical_link(link: &str) -> String {
    let Ok(mut u) = url::Url::parse(link) else {
        return link.to_owned();
    };
    u.set_fragment(None);
    let kept: Vec<(String, String)> = u
        .query_pairs()
        .filter(|(k, _)| !k.starts_with("utm_"))
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    if kept.is_empty() {
        u.set_query(None);
    } else {
        u.query_pairs_mut().clear().extend_pairs(kept);
    }
    u.to_string()
}

/// The article address: RSS `link`, else Atom's alternate link, else a permalink `guid`.
fn item_url(item: &RawItem, base: Option<&str>) -> Option<String> {
    if let Some(link) = first_field(item, &["link"]) {
        return Some(absolute_url(link, base));
    }
    if let Some((_, href)) = item.links.iter().find(|(rel, _)| rel == "alternate") {
        return Some(absolute_url(href, base));
    }
    let guid = first_field(item, &["guid"])?;
    (!item.guid_not_permalink && (guid.starts_with("http://") || guid.starts_with("https://")))
        .then(|| guid.to_owned())
}

/// The identity of an item, strongest source first.
fn item_id(
    item: &RawItem,
    url: Option<&str>,
    title: &str,
    date: &str,
    summary: &str,
) -> (String, IdSource) {
    if let Some(guid) = first_field(item, &["guid"]) {
        return (guid.to_owned(), IdSource::Guid);
    }
    if let Some(id) = first_field(item, &["id"]) {
        return (id.to_owned(), IdSource::AtomId);
    }
    if let Some(url) = url {
        return (canonical_link(url), IdSource::Link);
    }
    let mut hash = Sha256::new();
    for part in [title, date, summary] {
        hash.update(part.as_bytes());
        hash.update([0]);
    }
    (
        format!("sha256:{}", hex::encode(&hash.finalize()[..16])),
        IdSource::Hash,
    )
}

/// Cleans one raw item into an [`Item`].
fn finish_item(raw: RawItem, base: Option<&str>, now: Timestamp) -> Item {
    let text_of = |keys: &[&str]| {
        first_field(&raw, keys)
            .map(html_to_text)
            .filter(|t| !t.is_empty())
    };
    let title = text_of(&["title"]);
    let summary_text = text_of(&["description", "summary", "content:encoded", "content"]);
    let author = text_of(&["author", "dc:creator"]);
    let published_raw = first_field(
        &raw,
        &["pubdate", "dc:date", "published", "updated", "issued"],
    )
    .map(str::to_owned);
    let mut flags = Vec::new();
    let published = published_raw
        .as_deref()
        .and_then(|d| judge_date(d, now, &mut flags));
    let url = item_url(&raw, base);
    let (id, id_source) = item_id(
        &raw,
        url.as_deref(),
        title.as_deref().unwrap_or_default(),
        published_raw.as_deref().unwrap_or_default(),
        summary_text.as_deref().unwrap_or_default(),
    );
    Item {
        id,
        id_source,
        url,
        title,
        summary_text,
        published,
        published_raw,
        author,
        flags,
    }
}

/// Reads a date and notes its quirks; a date ahead of `now` by more than the tolerance is
/// clamped to `now`, so a wrong zone cannot pin an item to the top of a newest-first list.
fn judge_date(raw: &str, now: Timestamp, flags: &mut Vec<ItemFlag>) -> Option<Timestamp> {
    let Some(parsed) = parse_date(raw) else {
        flags.push(ItemFlag::DateUnreadable);
        return None;
    };
    if parsed.zone_assumed {
        flags.push(ItemFlag::DateZoneAssumed);
    }
    if parsed.timestamp.duration_since(now) > FUTURE_TOLERANCE {
        flags.push(ItemFlag::DateInFuture);
        return Some(now);
    }
    Some(parsed.timestamp)
}

#[cfg(test)]
mod tests;
