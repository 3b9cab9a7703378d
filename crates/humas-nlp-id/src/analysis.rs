//! One call that reads a message once and returns everything this crate knows about it.

use serde::{Serialize, Serializer};

use crate::fingerprint::simhash_scan;
use crate::pii::{PiiSpan, find_pii};
use crate::tokens::{Token, TokenKind, scan};

/// What the analysis found in one message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Analysis {
    /// The normal form the classifiers and search read.
    pub normalized: String,
    /// Hashtags, normalised (`#jatimbangkit`).
    pub hashtags: Vec<String>,
    /// Mentions, normalised (`@dinkesjatim`).
    pub mentions: Vec<String>,
    /// Personal data found, as byte spans of the input.
    pub pii: Vec<PiiSpan>,
    /// 64-bit SimHash for near-duplicate grouping, written as 16 hex digits.
    #[serde(serialize_with = "hex64")]
    pub fingerprint: u64,
    /// Every token with its span; left out of serialised output when empty.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tokens: Vec<Token>,
}

fn hex64<S: Serializer>(v: &u64, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&format!("{v:016x}"))
}

/// How much to return.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Options {
    /// Keep the token list in the result (it is as long as the message).
    pub with_tokens: bool,
}

/// Analyses one message. Any string is accepted; nothing here panics.
#[must_use]
pub fn analyze(text: &str) -> Analysis {
    analyze_with(text, Options::default())
}

/// Analyses one message with options.
#[must_use]
pub fn analyze_with(text: &str, options: Options) -> Analysis {
    // One scan; the normal forms of all tokens share one string, which is `normalized`.
    let scan = scan(text);
    Analysis {
        hashtags: scan.norms_of(TokenKind::Hashtag),
        mentions: scan.norms_of(TokenKind::Mention),
        pii: find_pii(text),
        fingerprint: simhash_scan(&scan),
        tokens: if options.with_tokens {
            scan.to_tokens()
        } else {
            Vec::new()
        },
        normalized: scan.norms,
    }
}

/// Analyses many messages.
#[must_use]
pub fn analyze_batch<S: AsRef<str>>(texts: &[S], options: Options) -> Vec<Analysis> {
    texts
        .iter()
        .map(|t| analyze_with(t.as_ref(), options))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pii::PiiKind;

    #[test]
    fn one_pass_finds_everything() {
        let text = "@DinkesJatim pelayanan lemot bgt, hubungi sy di 0812-3456-7890 #JatimBangkit";
        let a = analyze(text);
        assert_eq!(
            a.normalized,
            "@dinkesjatim pelayanan lemot banget hubungi saya di 0812 3456 7890 #jatimbangkit"
        );
        assert_eq!(a.mentions, ["@dinkesjatim"]);
        assert_eq!(a.hashtags, ["#jatimbangkit"]);
        assert_eq!(a.pii.len(), 1);
        assert_eq!(a.pii[0].kind, PiiKind::Phone);
        assert_eq!(&text[a.pii[0].start..a.pii[0].end], "0812-3456-7890");
        assert!(a.tokens.is_empty());
        assert_eq!(a.fingerprint, crate::fingerprint::simhash(text));
    }

    #[test]
    fn serialises_the_fingerprint_as_sixteen_hex_digits() {
        let a = analyze("halo min");
        let json = serde_json::to_value(&a).unwrap();
        assert_eq!(json["fingerprint"], format!("{:016x}", a.fingerprint));
        assert_eq!(json["fingerprint"].as_str().unwrap().len(), 16);
        assert!(json.get("tokens").is_none(), "empty token list is left out");
    }

    #[test]
    fn batch_matches_single() {
        let texts = ["satu", "dua 😡", ""];
        let batch = analyze_batch(&texts, Options { with_tokens: true });
        assert_eq!(batch.len(), 3);
        assert_eq!(
            batch[1],
            analyze_with("dua 😡", Options { with_tokens: true })
        );
        assert_eq!(batch[1].tokens.len(), 2);
    }
}
