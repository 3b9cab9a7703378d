//! Typed tokens with their spans in the original text, and the normalised form of each.
//!
//! One left-to-right pass over the characters. Every token keeps `start..end`, the byte range
//! of the raw text it came from, so callers can highlight or redact exactly what was written,
//! while `norm` carries what the analysers read.

use serde::Serialize;

use crate::normalize::{normalize_tag, normalize_word};

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

/// A cursor over the input.
struct Scanner<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Scanner<'a> {
    fn rest(&self) -> &'a str {
        self.text.get(self.pos..).unwrap_or("")
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn peek_second(&self) -> Option<char> {
        self.rest().chars().nth(1)
    }

    fn prev(&self) -> Option<char> {
        self.text
            .get(..self.pos)
            .and_then(|s| s.chars().next_back())
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    fn bump_while(&mut self, mut keep: impl FnMut(char) -> bool) {
        while let Some(c) = self.peek() {
            if !keep(c) {
                break;
            }
            self.pos += c.len_utf8();
        }
    }

    fn raw(&self, start: usize) -> &'a str {
        self.text.get(start..self.pos).unwrap_or("")
    }
}

/// Splits text into typed tokens. Never fails and never panics; whitespace and other
/// punctuation are not tokens.
#[must_use]
pub fn tokenize(text: &str) -> Vec<Token> {
    let mut s = Scanner { text, pos: 0 };
    let mut out = Vec::new();
    while let Some(c) = s.peek() {
        let start = s.pos;
        if let Some(token) = scan_one(&mut s, c)
            && !token.norm.is_empty()
        {
            out.push(token);
        }
        if s.pos == start {
            // Not the start of any token: skip one character.
            s.bump();
        }
    }
    out
}

fn scan_one(s: &mut Scanner<'_>, c: char) -> Option<Token> {
    let start = s.pos;
    let token = |s: &Scanner<'_>, kind, norm: String| Token {
        kind,
        start,
        end: s.pos,
        norm,
    };
    if let Some(prefix) = url_prefix_len(s.rest()) {
        s.bump_while(|c| !c.is_whitespace());
        trim_trailing(s, start, |c| {
            matches!(
                c,
                '.' | ',' | '!' | '?' | ')' | ']' | '"' | '\'' | ';' | ':'
            )
        });
        if s.pos - start > prefix {
            return Some(token(s, TokenKind::Url, s.raw(start).to_owned()));
        }
        // A bare "www." or "http://" is not a link: read it as words instead.
        s.pos = start;
    }
    if c == '@'
        && s.peek_second()
            .is_some_and(|n| n.is_ascii_alphanumeric() || n == '_')
    {
        s.bump();
        s.bump_while(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.');
        trim_trailing(s, start, |c| c == '.');
        return Some(token(
            s,
            TokenKind::Mention,
            s.raw(start).to_ascii_lowercase(),
        ));
    }
    if c == '#'
        && s.peek_second()
            .is_some_and(|n| n.is_alphanumeric() || n == '_')
    {
        s.bump();
        s.bump_while(|c| c.is_alphanumeric() || c == '_');
        let tag = normalize_tag(s.raw(start).get(1..).unwrap_or(""));
        return Some(token(
            s,
            TokenKind::Hashtag,
            if tag.is_empty() {
                String::new()
            } else {
                format!("#{tag}")
            },
        ));
    }
    // Every emoticon starts with one of these; most tokens need not try the list.
    if matches!(c, ':' | ';' | '-' | '^' | '<')
        && let Some(e) = EMOTICONS.iter().find(|e| emoticon_here(s, e))
    {
        s.pos += e.len();
        return Some(token(s, TokenKind::Emoticon, (*e).to_owned()));
    }
    if is_emoji(c) {
        s.bump();
        s.bump_while(continues_emoji);
        return Some(token(s, TokenKind::Emoji, s.raw(start).to_owned()));
    }
    if matches!(c, '!' | '?') {
        s.bump_while(|c| matches!(c, '!' | '?'));
        let raw = s.raw(start);
        let norm = match (raw.contains('!'), raw.contains('?')) {
            (true, true) => "?!",
            (true, false) => "!",
            _ => "?",
        };
        return Some(token(s, TokenKind::Punct, norm.to_owned()));
    }
    if c.is_alphanumeric() {
        return Some(scan_word_or_number(s));
    }
    None
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

fn emoticon_here(s: &Scanner<'_>, e: &str) -> bool {
    let rest = s.rest();
    rest.starts_with(e)
        && !s
            .prev()
            .is_some_and(|p| matches!(p, ':' | ';' | '<' | '^' | '-' | '_'))
        && !rest
            .get(e.len()..)
            .and_then(|r| r.chars().next())
            .is_some_and(char::is_alphanumeric)
}

/// Moves the end back over characters that are sentence punctuation, not part of the token.
fn trim_trailing(s: &mut Scanner<'_>, start: usize, strip: impl Fn(char) -> bool) {
    while s.pos > start {
        match s.prev() {
            Some(c) if strip(c) => s.pos -= c.len_utf8(),
            _ => break,
        }
    }
}

fn scan_word_or_number(s: &mut Scanner<'_>) -> Token {
    let start = s.pos;
    while let Some(c) = s.peek() {
        let prev = s.prev();
        let next = s.peek_second();
        let take = c.is_alphanumeric()
            || is_invisible(c)
            // Apostrophes inside or after letters: Madurese "sengko'", "be'en".
            || (is_apostrophe(c) && prev.is_some_and(char::is_alphabetic))
            // Reduplication: "anak-anak", "bang-sebang".
            || (c == '-' && prev.is_some_and(char::is_alphabetic) && next.is_some_and(char::is_alphabetic))
            // Thousands and decimals: "150.000", "2,5".
            || (matches!(c, '.' | ',') && prev.is_some_and(|p| p.is_ascii_digit()) && next.is_some_and(|n| n.is_ascii_digit()));
        if !take {
            break;
        }
        s.bump();
    }
    let raw = s.raw(start);
    let is_number = raw
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '.' | ','));
    if is_number {
        Token {
            kind: TokenKind::Number,
            start,
            end: s.pos,
            norm: raw.to_owned(),
        }
    } else {
        Token {
            kind: TokenKind::Word,
            start,
            end: s.pos,
            norm: normalize_word(raw),
        }
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
