//! Normalisation: what the analysers read instead of what was typed.
//!
//! For a word: drop invisible characters, Unicode NFKC (fancy and full-width letters become
//! plain), lower case, undo leetspeak (`4nj1ng` → `anjing`), squeeze elongations (`bangeeettt` →
//! `banget`), then map slang and regional words to standard Indonesian (`bgt` → `banget`,
//! `iki` → `ini`). [`normalize`] joins the normal forms of all tokens with single spaces; doing
//! it twice changes nothing.

use unicode_normalization::UnicodeNormalization;

use crate::lexicon::{standard_form, standard_form_of_bytes};
use crate::tokens::{Token, is_invisible, scan};

/// The normal form of a whole text: every token's normal form, separated by one space.
#[must_use]
pub fn normalize(text: &str) -> String {
    scan(text).norms
}

/// The normal forms of already tokenised text, separated by one space.
#[must_use]
pub fn join_norms(tokens: &[Token]) -> String {
    let mut out = String::with_capacity(tokens.iter().map(|t| t.norm.len() + 1).sum());
    for t in tokens {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&t.norm);
    }
    out
}

/// Letters, digits, and the apostrophe and hyphen that words may contain, in plain lower case.
fn fold(raw: &str) -> String {
    // Most words are plain ASCII letters and digits: NFKC leaves them alone, so skip it.
    if raw.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return raw.to_ascii_lowercase();
    }
    let visible: String = raw
        .chars()
        .filter(|c| !is_invisible(*c))
        .map(|c| if c == '\u{2019}' { '\'' } else { c })
        .collect();
    let mut folded = String::with_capacity(visible.len());
    for c in visible.nfkc().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() || c == '\'' || c == '-' {
            folded.push(c);
        }
    }
    // Dropping a character can leave combining marks side by side out of canonical order;
    // composing once more puts them in order, so a second pass finds nothing to change.
    let settled: String = folded
        .nfkc()
        .filter(|c| c.is_alphanumeric() || *c == '\'' || *c == '-')
        .collect();
    tidy_joiners(&settled)
}

/// Apostrophes and hyphens only where the tokenizer would keep them: an apostrophe after a
/// letter, a hyphen between letters. Keeps normalisation idempotent.
fn tidy_joiners(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    for (i, &c) in chars.iter().enumerate() {
        let prev = out.chars().next_back();
        let next = chars.get(i + 1).copied();
        let keep = match c {
            '\'' => prev.is_some_and(char::is_alphabetic),
            '-' => prev.is_some_and(char::is_alphabetic) && next.is_some_and(char::is_alphabetic),
            _ => true,
        };
        if keep {
            out.push(c);
        }
    }
    out
}

/// Digits that stand for letters in leetspeak.
const fn leet_letter(d: char) -> Option<char> {
    match d {
        '0' => Some('o'),
        '1' => Some('i'),
        '3' => Some('e'),
        '4' => Some('a'),
        '5' => Some('s'),
        '7' => Some('t'),
        '8' => Some('b'),
        _ => None,
    }
}

/// `4nj1ng` → `anjing`, `t0l0l` → `tolol`, but `covid19`, `g20` and `2024an` stay: digits after
/// the last letter are a number, and a word made mostly of digits is not leetspeak.
fn undo_leetspeak(word: &str) -> String {
    if !word.bytes().any(|b| b.is_ascii_digit()) {
        return word.to_owned();
    }
    let chars: Vec<char> = word.chars().collect();
    let Some(last_letter) = chars.iter().rposition(|c| c.is_alphabetic()) else {
        return word.to_owned();
    };
    let letters = chars.iter().filter(|c| c.is_alphabetic()).count();
    let digits_inside = chars[..last_letter]
        .iter()
        .filter(|c| c.is_ascii_digit())
        .count();
    if digits_inside == 0 || digits_inside > letters || chars.len() < 4 {
        return word.to_owned();
    }
    chars
        .iter()
        .enumerate()
        .map(|(i, &c)| {
            if i < last_letter {
                leet_letter(c).unwrap_or(c)
            } else {
                c
            }
        })
        .collect()
}

/// Runs of three or more of the same letter become one: no Indonesian word has a letter three
/// times in a row, and doubled letters (`maaf`, `saat`) are kept.
fn squeeze_elongation(word: &str) -> String {
    let bytes = word.as_bytes();
    if word.is_ascii() && !bytes.windows(3).any(|w| w[0] == w[1] && w[1] == w[2]) {
        return word.to_owned();
    }
    let chars: Vec<char> = word.chars().collect();
    let mut out = String::with_capacity(word.len());
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        let run = chars[i..].iter().take_while(|&&x| x == c).count();
        let keep = if run >= 3 && c.is_alphabetic() {
            1
        } else {
            run
        };
        for _ in 0..keep {
            out.push(c);
        }
        i += run;
    }
    out
}

/// The normal form of one word (see the module documentation).
#[must_use]
pub fn normalize_word(raw: &str) -> String {
    let mut out = String::new();
    push_normal_word(raw, &mut out);
    out
}

/// Appends the normal form of one word to `out`, which the tokenizer shares between all the
/// words of a message so that a word costs no allocation of its own.
pub(crate) fn push_normal_word(raw: &str, out: &mut String) {
    if is_plain_ascii_word(raw.as_bytes()) {
        push_plain_ascii_word(raw, out);
        return;
    }
    if raw.is_ascii() && push_short_ascii_word(raw.as_bytes(), out) {
        return;
    }
    let folded = fold(raw);
    let plain = squeeze_elongation(&undo_leetspeak(&folded));
    out.push_str(standard_form(&plain).unwrap_or(&plain));
}

/// Most words: ASCII letters only, and no letter three times in a row. Folding is then just
/// lower case, and there is no leetspeak or elongation to undo.
fn is_plain_ascii_word(raw: &[u8]) -> bool {
    raw.iter().all(u8::is_ascii_alphabetic)
        && !raw
            .windows(3)
            .any(|w| w[0] | 0x20 == w[1] | 0x20 && w[1] | 0x20 == w[2] | 0x20)
}

/// [`push_normal_word`] for [`is_plain_ascii_word`]: copied, lower-cased in place, looked up.
fn push_plain_ascii_word(raw: &str, out: &mut String) {
    let start = out.len();
    out.push_str(raw);
    let Some(word) = out.get_mut(start..) else {
        return;
    };
    word.make_ascii_lowercase();
    if let Some(standard) = standard_form_of_bytes(word.as_bytes()) {
        out.truncate(start);
        out.push_str(standard);
    }
}

/// ASCII words up to this many letters are normalised in a buffer on the stack.
const SHORT_WORD: usize = 64;

/// The fast path of [`push_normal_word`] for ASCII, where NFKC changes nothing and lower case is
/// one byte for one byte: the same steps as [`fold`], [`undo_leetspeak`] and
/// [`squeeze_elongation`], done in place. Returns false, having written nothing, for words
/// too long for the buffer.
fn push_short_ascii_word(raw: &[u8], out: &mut String) -> bool {
    let mut buf = [0u8; SHORT_WORD];
    let Some(len) = fold_ascii(raw, &mut buf) else {
        return false;
    };
    let word = buf.get_mut(..len).unwrap_or_default();
    undo_leetspeak_ascii(word);
    let len = squeeze_elongation_ascii(word);
    let word = word.get(..len).unwrap_or_default();
    match standard_form_of_bytes(word) {
        Some(standard) => out.push_str(standard),
        // Only ASCII bytes were written, so this always succeeds.
        None => out.push_str(std::str::from_utf8(word).unwrap_or_default()),
    }
    true
}

/// [`fold`] and [`tidy_joiners`] for ASCII: letters and digits lower-cased, an apostrophe only
/// after a letter, a hyphen only between letters. `None` if it does not fit in `buf`.
fn fold_ascii(raw: &[u8], buf: &mut [u8; SHORT_WORD]) -> Option<usize> {
    let kept = |b: u8| b.is_ascii_alphanumeric() || b == b'\'' || b == b'-';
    let mut len = 0;
    for (i, &b) in raw.iter().enumerate() {
        let after_letter = len > 0 && buf.get(len - 1).is_some_and(u8::is_ascii_alphabetic);
        let keep = match b {
            b'\'' => after_letter,
            b'-' => {
                let next = raw
                    .get(i + 1..)
                    .unwrap_or_default()
                    .iter()
                    .find(|&&n| kept(n));
                after_letter && next.is_some_and(u8::is_ascii_alphabetic)
            }
            _ => b.is_ascii_alphanumeric(),
        };
        if keep {
            *buf.get_mut(len)? = b.to_ascii_lowercase();
            len += 1;
        }
    }
    Some(len)
}

/// [`undo_leetspeak`] in place, for ASCII.
fn undo_leetspeak_ascii(word: &mut [u8]) {
    if !word.iter().any(u8::is_ascii_digit) {
        return;
    }
    let Some(last_letter) = word.iter().rposition(u8::is_ascii_alphabetic) else {
        return;
    };
    let letters = word.iter().filter(|b| b.is_ascii_alphabetic()).count();
    let inside = word.get_mut(..last_letter).unwrap_or_default();
    let digits_inside = inside.iter().filter(|b| b.is_ascii_digit()).count();
    if digits_inside == 0 || digits_inside > letters || word.len() < 4 {
        return;
    }
    for b in word.get_mut(..last_letter).unwrap_or_default() {
        if let Some(letter) = leet_letter(char::from(*b)) {
            // Leet letters are ASCII.
            *b = u8::try_from(letter).unwrap_or(*b);
        }
    }
}

/// [`squeeze_elongation`] in place, for ASCII: returns the new length.
fn squeeze_elongation_ascii(word: &mut [u8]) -> usize {
    let mut len = 0;
    let mut run = 0;
    for i in 0..word.len() {
        let b = word.get(i).copied().unwrap_or_default();
        let same = len > 0 && word.get(len - 1) == Some(&b);
        run = if same { run + 1 } else { 1 };
        if run == 3 && b.is_ascii_alphabetic() {
            // The third of a run: the run becomes a single letter, so take back the second.
            len -= 1;
        } else if run < 3 || !b.is_ascii_alphabetic() {
            if let Some(slot) = word.get_mut(len) {
                *slot = b;
            }
            len += 1;
        }
    }
    len
}

/// The normal form of a hashtag's text (without `#`): folded, letters and digits and `_`.
#[must_use]
pub fn normalize_tag(raw: &str) -> String {
    let mut out = String::new();
    push_normal_tag(raw, &mut out);
    out
}

/// Appends [`normalize_tag`] of `raw` to `out`.
pub(crate) fn push_normal_tag(raw: &str, out: &mut String) {
    if raw.is_ascii() {
        // NFKC leaves ASCII alone.
        out.extend(
            raw.bytes()
                .filter(|b| b.is_ascii_alphanumeric() || *b == b'_')
                .map(|b| char::from(b.to_ascii_lowercase())),
        );
        return;
    }
    out.extend(
        raw.nfkc()
            .flat_map(char::to_lowercase)
            .filter(|c| c.is_alphanumeric() || *c == '_'),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words() {
        assert_eq!(normalize_word("Bangeeettt"), "banget");
        assert_eq!(normalize_word("4nj1ng"), "anjing");
        assert_eq!(normalize_word("t0l0l"), "tolol");
        assert_eq!(normalize_word("covid19"), "covid19");
        assert_eq!(normalize_word("2024an"), "2024an");
        assert_eq!(normalize_word("MAAF"), "maaf");
        assert_eq!(normalize_word("ｐｅｌａｙａｎａｎ"), "pelayanan");
        assert_eq!(normalize_word("𝐛𝐮𝐫𝐮𝐤"), "buruk");
        assert_eq!(normalize_word("gaaaak"), "tidak");
        assert_eq!(normalize_word("Jancuk"), "jancuk");
    }

    #[test]
    fn texts() {
        assert_eq!(
            normalize("Pelayanan dinkes LEMOT bgt anjirr, 3 hari ga dibales!!!"),
            "pelayanan dinkes lemot banget anjirr 3 hari tidak dibalas !"
        );
        assert_eq!(normalize("jancuk pejabat iki"), "jancuk pejabat ini");
        assert_eq!(normalize(""), "");
        // Found by the property test: a dropped space left combining marks out of order.
        let once = normalize("\u{1e08f}\u{fe72}");
        assert_eq!(normalize(&once), once);
        assert_eq!(normalize("   \u{200F}\u{200D} "), "");
    }
}
