//! Normalisation: what the analysers read instead of what was typed.
//!
//! For a word: drop invisible characters, Unicode NFKC (fancy and full-width letters become
//! plain), lower case, undo leetspeak (`4nj1ng` → `anjing`), squeeze elongations (`bangeeettt` →
//! `banget`), then map slang and regional words to standard Indonesian (`bgt` → `banget`,
//! `iki` → `ini`). [`normalize`] joins the normal forms of all tokens with single spaces; doing
//! it twice changes nothing.

use unicode_normalization::UnicodeNormalization;

use crate::lexicon::standard_form;
use crate::tokens::{Token, is_invisible, tokenize};

/// The normal form of a whole text: every token's normal form, separated by one space.
#[must_use]
pub fn normalize(text: &str) -> String {
    join_norms(&tokenize(text))
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
    let folded = fold(raw);
    let plain = squeeze_elongation(&undo_leetspeak(&folded));
    match standard_form(&plain) {
        Some(standard) => standard.to_owned(),
        None => plain,
    }
}

/// The normal form of a hashtag's text (without `#`): folded, letters and digits and `_`.
#[must_use]
pub fn normalize_tag(raw: &str) -> String {
    raw.nfkc()
        .flat_map(char::to_lowercase)
        .filter(|c| c.is_alphanumeric() || *c == '_')
        .collect()
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
