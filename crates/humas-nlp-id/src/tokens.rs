//! Typed tokens with their spans in the original text, and the normalised form of each.
//!
//! One left-to-right pass over the text, reading bytes and decoding a character only where
//! the text is not ASCII. Every token keeps `start..end`, the byte range
//! of the raw text it came from, so callers can highlight or redact exactly what was written,
//! while `norm` carries what the analysers read.

use std::ops::Range;

use serde::Serialize;

use crate::normalize::{push_normal_tag, push_normal_word};
use crate::stem::cache::WordMemo;

/// What a token is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenKind {
    /// Letters (and digits mixed in): `pelayanan`, `4nj1ng`, `anak-anak`, `sengko'`.
    Word,
    /// Digits with `.`/`,` separators between them: `3`, `150.000`.
    Number,
    /// `http://…`, `https://…`, `www.…`.
    Url,
    /// `@dinkesjatim`.
    Mention,
    /// `#jatimbangkit`.
    Hashtag,
    /// One emoji, including skin tones and ZWJ sequences; kept as a sentiment cue.
    Emoji,
    /// `:)`, `:(`, `-_-`, `<3` …; kept as a sentiment cue.
    Emoticon,
    /// A run of `!` and `?`: intensity.
    Punct,
}

/// One token.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Token {
    /// What it is.
    pub kind: TokenKind,
    /// Byte offset of its first character in the input.
    pub start: usize,
    /// Byte offset just past its last character.
    pub end: usize,
    /// The normalised form (may be several words, e.g. `dll` → `dan lain lain`).
    pub norm: String,
}

/// Emoticons that start with punctuation, longest first so `:-)` wins over `:-`.
const EMOTICONS: &[&str] = &[
    ":'(", ":-)", ":-(", ":-D", ":-P", "-_-", "^_^", ":)", ":(", ":D", ":P", ":p", ";)", ":v",
    ":/", "<3",
];

/// Characters people slip into words to dodge filters, and direction marks: part of a word,
/// dropped from its normal form.
#[must_use]
pub const fn is_invisible(c: char) -> bool {
    matches!(c, '\u{00AD}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
}

/// Pictographs and symbols that read as emoji.
#[must_use]
pub const fn is_emoji(c: char) -> bool {
    matches!(c, '\u{1F000}'..='\u{1FAFF}' | '\u{2600}'..='\u{27BF}' | '\u{2B00}'..='\u{2BFF}' | '\u{3030}' | '\u{303D}')
}

/// What may follow an emoji inside one emoji sequence.
const fn continues_emoji(c: char) -> bool {
    matches!(
        c,
        '\u{200D}' | '\u{FE0E}' | '\u{FE0F}' | '\u{20E3}' | '\u{E0020}'..='\u{E007F}'
    ) || is_emoji(c)
}

fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '\u{2019}')
}

/// A token whose normal form lives in the shared buffer of a [`Scan`].
#[derive(Clone, Debug)]
pub(crate) struct Span {
    pub(crate) kind: TokenKind,
    pub(crate) start: usize,
    pub(crate) end: usize,
    /// Byte range of the normal form in [`Scan::norms`].
    pub(crate) norm: Range<usize>,
}

/// All tokens of a text with their normal forms written one after another into a single
/// string, separated by one space: that string is already [`normalize`](crate::normalize())'s
/// answer, and no token needs an allocation of its own.
#[derive(Clone, Debug, Default)]
pub(crate) struct Scan {
    pub(crate) tokens: Vec<Span>,
    pub(crate) norms: String,
}

impl Scan {
    /// The normal form of one token.
    pub(crate) fn norm(&self, span: &Span) -> &str {
        self.norms.get(span.norm.clone()).unwrap_or_default()
    }

    /// The normal forms of the tokens of one kind, as owned strings.
    pub(crate) fn norms_of(&self, kind: TokenKind) -> Vec<String> {
        self.tokens
            .iter()
            .filter(|t| t.kind == kind)
            .map(|t| self.norm(t).to_owned())
            .collect()
    }

    /// The public token list.
    pub(crate) fn to_tokens(&self) -> Vec<Token> {
        self.tokens
            .iter()
            .map(|t| Token {
                kind: t.kind,
                start: t.start,
                end: t.end,
                norm: self.norm(t).to_owned(),
            })
            .collect()
    }

    /// Starts the normal form of a new token: a space after the previous one. Returns where
    /// the separator starts, for [`Scan::finish`].
    fn begin(&mut self) -> usize {
        let mark = self.norms.len();
        if mark > 0 {
            self.norms.push(' ');
        }
        mark
    }

    /// Records the token whose normal form was written since [`Scan::begin`] returned `mark`;
    /// a token whose normal form came out empty is dropped, separator and all.
    fn finish(&mut self, mark: usize, kind: TokenKind, start: usize, end: usize) {
        let norm_start = mark + usize::from(mark > 0);
        if self.norms.len() == norm_start {
            self.norms.truncate(mark);
            return;
        }
        self.tokens.push(Span {
            kind,
            start,
            end,
            norm: norm_start..self.norms.len(),
        });
    }
}

/// Splits text into typed tokens. Never fails and never panics; whitespace and other
/// punctuation are not tokens.
#[must_use]
pub fn tokenize(text: &str) -> Vec<Token> {
    scan(text).to_tokens()
}

/// The character at byte `pos`, decoding only when it is not ASCII.
fn char_at(text: &str, pos: usize) -> Option<char> {
    match text.as_bytes().get(pos) {
        Some(&b) if b.is_ascii() => Some(char::from(b)),
        Some(_) => text.get(pos..)?.chars().next(),
        None => None,
    }
}

/// Reads `text` once, left to right, into tokens and their normal forms.
pub(crate) fn scan(text: &str) -> Scan {
    scan_into(text, Vec::new(), None)
}

/// [`scan`], with the token list in `spans` (emptied first): a caller that scans message after
/// message keeps one allocation, and with `memo` the normal forms of recent words.
pub(crate) fn scan_into(text: &str, mut spans: Vec<Span>, memo: Option<&mut WordMemo>) -> Scan {
    let mut memo = memo.and_then(|m| m.warm().then_some(m));
    spans.clear();
    // About one token per six bytes of ordinary text, and slang grows when spelled out
    // (`bgt` → `banget`): one allocation each instead of several.
    spans.reserve(text.len() / 6 + 1);
    let mut out = Scan {
        tokens: spans,
        norms: String::with_capacity(text.len() + text.len() / 2 + 16),
    };
    let mut pos = 0;
    while let Some(c) = char_at(text, pos) {
        if c.is_ascii_whitespace() {
            // The commonest character that starts no token.
            pos += 1;
            continue;
        }
        let mark = out.begin();
        let next = match scan_one(text, pos, c, &mut out.norms, memo.as_deref_mut()) {
            Some((kind, end)) => {
                out.finish(mark, kind, pos, end);
                end
            }
            None => {
                out.norms.truncate(mark);
                pos
            }
        };
        // Not the start of any token: skip one character.
        pos = if next == pos {
            pos + c.len_utf8()
        } else {
            next
        };
    }
    out
}

/// The token starting at `start` (whose first character is `c`), if any: its kind and end.
/// Its normal form is appended to `norm`.
fn scan_one(
    text: &str,
    start: usize,
    c: char,
    norm: &mut String,
    memo: Option<&mut WordMemo>,
) -> Option<(TokenKind, usize)> {
    // Most tokens are words starting with an ASCII letter or digit: no emoji or emoticon test.
    if c.is_ascii_alphanumeric() && !matches!(c, 'h' | 'H' | 'w' | 'W') {
        return Some(scan_word_or_number(text, start, c, norm, memo));
    }
    let rest = text.get(start..).unwrap_or_default();
    if matches!(c, 'h' | 'H' | 'w' | 'W')
        && let Some(end) = url_end(text, start)
    {
        norm.push_str(text.get(start..end).unwrap_or_default());
        return Some((TokenKind::Url, end));
    }
    match c {
        '@' if char_at(text, start + 1).is_some_and(|n| n.is_ascii_alphanumeric() || n == '_') => {
            let mut end = start
                + 1
                + ascii_run(rest.get(1..), |b| {
                    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.')
                });
            while end > start && text.as_bytes().get(end - 1) == Some(&b'.') {
                end -= 1;
            }
            let raw = text.get(start..end).unwrap_or_default();
            norm.extend(raw.chars().map(|c| c.to_ascii_lowercase()));
            Some((TokenKind::Mention, end))
        }
        '#' if char_at(text, start + 1).is_some_and(|n| n.is_alphanumeric() || n == '_') => {
            let end = run_end(text, start + 1, |c| c.is_alphanumeric() || c == '_');
            let mark = norm.len();
            norm.push('#');
            push_normal_tag(text.get(start + 1..end).unwrap_or_default(), norm);
            if norm.len() == mark + 1 {
                // Nothing of the tag survived normalisation: an empty normal form.
                norm.truncate(mark);
            }
            Some((TokenKind::Hashtag, end))
        }
        // Every emoticon starts with one of these; most tokens need not try the list.
        ':' | ';' | '-' | '^' | '<' => {
            let e = EMOTICONS.iter().find(|e| emoticon_here(text, start, e))?;
            norm.push_str(e);
            Some((TokenKind::Emoticon, start + e.len()))
        }
        '!' | '?' => {
            let len = ascii_run(Some(rest), |b| matches!(b, b'!' | b'?'));
            let raw = rest.get(..len).unwrap_or_default();
            norm.push_str(match (raw.contains('!'), raw.contains('?')) {
                (true, true) => "?!",
                (true, false) => "!",
                _ => "?",
            });
            Some((TokenKind::Punct, start + len))
        }
        _ if is_emoji(c) => {
            let end = run_end(text, start + c.len_utf8(), continues_emoji);
            norm.push_str(text.get(start..end).unwrap_or_default());
            Some((TokenKind::Emoji, end))
        }
        _ if c.is_alphanumeric() => Some(scan_word_or_number(text, start, c, norm, memo)),
        _ => None,
    }
}

/// How many leading bytes of `s` satisfy `keep`.
fn ascii_run(s: Option<&str>, keep: impl Fn(u8) -> bool) -> usize {
    s.unwrap_or_default()
        .bytes()
        .position(|b| !keep(b))
        .unwrap_or_else(|| s.map_or(0, str::len))
}

/// Where the run of characters satisfying `keep` that starts at `pos` ends.
fn run_end(text: &str, mut pos: usize, keep: impl Fn(char) -> bool) -> usize {
    while let Some(c) = char_at(text, pos) {
        if !keep(c) {
            break;
        }
        pos += c.len_utf8();
    }
    pos
}

/// The end of a link starting at `start`: everything up to whitespace, without the sentence
/// punctuation after it. `None` for a bare "www." or "http://", which are read as words.
fn url_end(text: &str, start: usize) -> Option<usize> {
    let prefix = url_prefix_len(text.get(start..).unwrap_or_default())?;
    let mut end = run_end(text, start, |c| !c.is_whitespace());
    while end > start
        && text.as_bytes().get(end - 1).is_some_and(|b| {
            matches!(
                b,
                b'.' | b',' | b'!' | b'?' | b')' | b']' | b'"' | b'\'' | b';' | b':'
            )
        })
    {
        end -= 1;
    }
    (end - start > prefix).then_some(end)
}

/// The length of the link prefix the text starts with, if any.
fn url_prefix_len(rest: &str) -> Option<usize> {
    // Compared as bytes: this runs at every token start and must not allocate.
    let bytes = rest.as_bytes();
    ["https://", "http://", "www."]
        .into_iter()
        .find(|p| {
            bytes
                .get(..p.len())
                .is_some_and(|head| head.eq_ignore_ascii_case(p.as_bytes()))
        })
        .map(str::len)
}

fn emoticon_here(text: &str, start: usize, e: &str) -> bool {
    let bytes = text.as_bytes();
    // The characters checked before an emoticon are ASCII, so looking at one byte suffices: the
    // last byte of any other character is not ASCII.
    let after_emoticon_char = start > 0
        && bytes
            .get(start - 1)
            .is_some_and(|p| matches!(p, b':' | b';' | b'<' | b'^' | b'-' | b'_'));
    bytes
        .get(start..)
        .is_some_and(|rest| rest.starts_with(e.as_bytes()))
        && !after_emoticon_char
        && !char_at(text, start + e.len()).is_some_and(char::is_alphanumeric)
}

/// Whether the word being read takes `c`, given the character before it and after it.
fn word_takes(c: char, prev: char, next: Option<char>) -> bool {
    c.is_alphanumeric()
        || is_invisible(c)
        // Apostrophes inside or after letters: Madurese "sengko'", "be'en".
        || (is_apostrophe(c) && prev.is_alphabetic())
        // Reduplication: "anak-anak", "bang-sebang".
        || (c == '-' && prev.is_alphabetic() && next.is_some_and(char::is_alphabetic))
        // Thousands and decimals: "150.000", "2,5".
        || (matches!(c, '.' | ',') && prev.is_ascii_digit() && next.is_some_and(|n| n.is_ascii_digit()))
}

fn scan_word_or_number(
    text: &str,
    start: usize,
    first: char,
    norm: &mut String,
    memo: Option<&mut WordMemo>,
) -> (TokenKind, usize) {
    let bytes = text.as_bytes();
    let mut prev = first;
    let mut end = start + first.len_utf8();
    loop {
        // ASCII letters and digits, the bulk of every word, are taken without decoding.
        let run = bytes
            .get(end..)
            .unwrap_or_default()
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric())
            .count();
        if run > 0 {
            end += run;
            prev = char::from(bytes.get(end - 1).copied().unwrap_or_default());
        }
        let Some(c) = char_at(text, end) else {
            break;
        };
        // A word mostly ends at a space or at ASCII punctuation that no word takes.
        if c.is_ascii() && !matches!(c, '\'' | '-' | '.' | ',') {
            break;
        }
        let next_at = end + c.len_utf8();
        if !word_takes(c, prev, char_at(text, next_at)) {
            break;
        }
        prev = c;
        end = next_at;
    }
    let raw = text.get(start..end).unwrap_or_default();
    let is_number = raw
        .bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b','));
    if is_number {
        norm.push_str(raw);
        (TokenKind::Number, end)
    } else {
        match memo {
            Some(memo) => memo.push(raw, norm, push_normal_word),
            None => push_normal_word(raw, norm),
        }
        (TokenKind::Word, end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds_and_norms(text: &str) -> Vec<(TokenKind, String)> {
        tokenize(text)
            .into_iter()
            .map(|t| (t.kind, t.norm))
            .collect()
    }

    #[test]
    fn a_typical_complaint() {
        let text = "pelayanan @DinkesJatim lemot bgt anjirr, 3 hari ga dibales!!! #JatimBangkit 😡 https://x.com/a/1.";
        let toks = kinds_and_norms(text);
        use TokenKind::*;
        assert_eq!(
            toks,
            vec![
                (Word, "pelayanan".into()),
                (Mention, "@dinkesjatim".into()),
                (Word, "lemot".into()),
                (Word, "banget".into()),
                (Word, "anjirr".into()),
                (Number, "3".into()),
                (Word, "hari".into()),
                (Word, "tidak".into()),
                (Word, "dibalas".into()),
                (Punct, "!".into()),
                (Hashtag, "#jatimbangkit".into()),
                (Emoji, "😡".into()),
                (Url, "https://x.com/a/1".into()),
            ]
        );
    }

    #[test]
    fn spans_point_at_the_raw_text() {
        let text = "Bangeeettt 4nj1ng :) 150.000";
        let toks = tokenize(text);
        let raws: Vec<&str> = toks.iter().map(|t| &text[t.start..t.end]).collect();
        assert_eq!(raws, ["Bangeeettt", "4nj1ng", ":)", "150.000"]);
        assert_eq!(toks[0].norm, "banget");
        assert_eq!(toks[1].norm, "anjing");
    }

    #[test]
    fn regional_words_and_apostrophes() {
        let toks = kinds_and_norms("sengko' ta' ngerti, iki piye rek?");
        let norms: Vec<&str> = toks.iter().map(|(_, n)| n.as_str()).collect();
        assert_eq!(
            norms,
            ["saya", "ta'", "mengerti", "ini", "bagaimana", "rek", "?"]
        );
    }

    #[test]
    fn emoji_sequences_stay_whole() {
        let text = "mantap 👍🏽 keluarga 👨‍👩‍👧";
        let toks = tokenize(text);
        assert_eq!(toks.len(), 4);
        assert_eq!(&text[toks[1].start..toks[1].end], "👍🏽");
        assert_eq!(&text[toks[3].start..toks[3].end], "👨‍👩‍👧");
    }

    #[test]
    fn hidden_characters_do_not_split_words() {
        let toks = tokenize("an\u{200B}jing");
        assert_eq!(toks.len(), 1);
        assert_eq!(toks[0].norm, "anjing");
    }

    #[test]
    fn emoticons_need_a_boundary() {
        assert_eq!(kinds_and_norms(":Dinkes")[0].1, "dinkes");
        assert_eq!(
            kinds_and_norms("bagus:)")[1],
            (TokenKind::Emoticon, ":)".into())
        );
    }
}
