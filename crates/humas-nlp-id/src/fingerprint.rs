//! Near-duplicate fingerprints: 64-bit SimHash over normalised words and word pairs.
//!
//! Copy-paste campaigns and recycled hoaxes differ in case, spacing, punctuation, emoji and a
//! word or two. Their fingerprints differ in few bits, so grouping by Hamming distance finds
//! them without comparing texts pairwise.

use crate::tokens::{Token, TokenKind, tokenize};

/// Fingerprints at most this many bits apart are treated as the same message.
pub const NEAR_DUPLICATE_BITS: u32 = 3;

/// 64-bit FNV-1a followed by a SplitMix64 finaliser, so similar strings get unrelated bits.
fn hash64(parts: &[&str]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            h ^= 0x1f;
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        for b in part.bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h = (h ^ (h >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h = (h ^ (h >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    h ^ (h >> 31)
}

/// Tokens that carry the content of a message (not punctuation, emoji or links, which
/// campaigns vary to look different).
fn content(tokens: &[Token]) -> Vec<&str> {
    tokens
        .iter()
        .filter(|t| {
            matches!(
                t.kind,
                TokenKind::Word | TokenKind::Number | TokenKind::Hashtag | TokenKind::Mention
            )
        })
        .flat_map(|t| t.norm.split(' '))
        .collect()
}

/// The fingerprint of already tokenised text.
#[must_use]
pub fn simhash_tokens(tokens: &[Token]) -> u64 {
    let words = content(tokens);
    let mut weights = [0i32; 64];
    // Branch-free so the 64 lanes vectorise: +w where the bit is set, -w where it is not.
    let mut add = |h: u64, w: i32| {
        for (bit, slot) in weights.iter_mut().enumerate() {
            let set = i32::from(u8::from(h >> bit & 1 == 1));
            *slot += (2 * set - 1) * w;
        }
    };
    for w in &words {
        add(hash64(&[w]), 1);
    }
    // Word pairs keep word order in the picture, weighted higher than single words.
    for pair in words.windows(2) {
        add(hash64(pair), 2);
    }
    weights
        .iter()
        .enumerate()
        .filter(|(_, w)| **w > 0)
        .fold(0u64, |acc, (bit, _)| acc | (1 << bit))
}

/// The fingerprint of a text.
#[must_use]
pub fn simhash(text: &str) -> u64 {
    simhash_tokens(&tokenize(text))
}

/// How many bits two fingerprints differ in.
#[must_use]
pub const fn distance(a: u64, b: u64) -> u32 {
    (a ^ b).count_ones()
}

/// Whether two fingerprints belong to the same message, give or take small edits.
#[must_use]
pub const fn is_near_duplicate(a: u64, b: u64) -> bool {
    distance(a, b) <= NEAR_DUPLICATE_BITS
}

#[cfg(test)]
mod tests {
    use super::*;

    const CAMPAIGN: &str = "Vaksin itu isinya chip pelacak dari pemerintah, jangan mau divaksin! Sebarkan ke semua grup keluarga sebelum dihapus";

    #[test]
    fn cosmetic_variants_collide() {
        let base = simhash(CAMPAIGN);
        for variant in [
            "VAKSIN itu isinya chip pelacak dari pemerintah,, jangan mau divaksin!!! sebarkan ke semua grup keluarga sebelum dihapus 🙏🙏",
            "vaksin itu isinya chip pelacak dari pemerintah jangan mau divaksin. Sebarkan ke semua grup keluarga sebelum dihapus https://t.co/x",
            "Vaksin itu isinya chip pelacak dari pemerintah, jangan mau divaksin! Sebarkan ke semua grup keluarga sebelum dihapussss",
        ] {
            assert!(
                is_near_duplicate(base, simhash(variant)),
                "{} bits: {variant}",
                distance(base, simhash(variant))
            );
        }
    }

    #[test]
    fn different_messages_do_not() {
        let other = simhash(
            "Mohon info jadwal vaksin booster di puskesmas Wonokromo minggu ini, terima kasih",
        );
        assert!(
            distance(simhash(CAMPAIGN), other) > 12,
            "{}",
            distance(simhash(CAMPAIGN), other)
        );
    }

    #[test]
    fn small_edits_stay_close() {
        let edited = "Vaksin itu isinya chip pelacak dari pemerintah, jangan mau divaksin! Sebarkan ke semua grup WA sebelum dihapus";
        assert!(distance(simhash(CAMPAIGN), simhash(edited)) <= 12);
    }

    #[test]
    fn empty_text_has_a_fingerprint() {
        assert_eq!(simhash(""), 0);
        assert_eq!(distance(simhash("!!!"), 0), 0);
    }
}
