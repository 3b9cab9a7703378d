//! Near-duplicate fingerprints: 64-bit SimHash over normalised words and word pairs.
//!
//! Copy-paste campaigns and recycled hoaxes differ in case, spacing, punctuation, emoji and a
//! word or two. Their fingerprints differ in few bits, so grouping by Hamming distance finds
//! them without comparing texts pairwise.

use crate::tokens::{Scan, Token, TokenKind, scan};

/// Fingerprints at most this many bits apart are treated as the same message.
pub const NEAR_DUPLICATE_BITS: u32 = 3;

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0100_0000_01b3;
/// Mixed in between the two words of a pair, so `ab c` and `a bc` hash differently.
const PAIR_SEPARATOR: u64 = 0x1f;

/// One byte of 64-bit FNV-1a.
const fn fnv_step(h: u64, b: u8) -> u64 {
    (h ^ b as u64).wrapping_mul(FNV_PRIME)
}

/// SplitMix64 finaliser, so similar strings get unrelated bits.
const fn finish(mut h: u64) -> u64 {
    h = (h ^ (h >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h = (h ^ (h >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    h ^ (h >> 31)
}

/// Whether tokens of this kind carry the content of a message (not punctuation, emoji or
/// links, which campaigns vary to look different).
const fn is_content(kind: TokenKind) -> bool {
    matches!(
        kind,
        TokenKind::Word | TokenKind::Number | TokenKind::Hashtag | TokenKind::Mention
    )
}

/// Nibble lanes are spilled into byte lanes after this many hashes (a nibble holds 15).
const NIBBLE_ADDS: u32 = 15;
/// Byte lanes are flushed into wide totals before they could pass 255.
const BYTE_ADDS: u32 = 255;
const ONE_PER_NIBBLE: u64 = 0x1111_1111_1111_1111;
const LOW_NIBBLES: u64 = 0x0F0F_0F0F_0F0F_0F0F;

/// How often each of the 64 bits was set in the hashes counted so far. Sixteen counters share
/// a u64, one per nibble: `(h >> k) & 0x1111…` puts bits k, k+4, …, k+60 of a hash into the
/// sixteen nibbles, so one add counts sixteen bits. Every 15 hashes the nibbles are spilled
/// into byte lanes (lane `k` holds bits k, k+8, …, k+56), and those into wide totals before
/// they could overflow.
struct BitCounts {
    nibbles: [u64; 4],
    in_nibbles: u32,
    lanes: [u64; 8],
    in_lanes: u32,
    totals: [u64; 64],
    hashes: u64,
}

impl BitCounts {
    const fn new() -> Self {
        Self {
            nibbles: [0; 4],
            in_nibbles: 0,
            lanes: [0; 8],
            in_lanes: 0,
            totals: [0; 64],
            hashes: 0,
        }
    }

    #[inline]
    fn add(&mut self, h: u64) {
        if self.in_nibbles == NIBBLE_ADDS {
            self.spill();
        }
        for (k, nibble) in self.nibbles.iter_mut().enumerate() {
            *nibble += (h >> k) & ONE_PER_NIBBLE;
        }
        self.in_nibbles += 1;
        self.hashes += 1;
    }

    /// Moves the nibble counts into the byte lanes: nibble `2j` of lane `k` counts bit
    /// `k + 8j`, nibble `2j + 1` bit `k + 4 + 8j`.
    fn spill(&mut self) {
        if self.in_lanes + self.in_nibbles > BYTE_ADDS {
            self.flush_lanes();
        }
        let (low, high) = self.lanes.split_at_mut(4);
        for ((nibble, lo), hi) in self.nibbles.iter_mut().zip(low).zip(high) {
            *lo += *nibble & LOW_NIBBLES;
            *hi += (*nibble >> 4) & LOW_NIBBLES;
            *nibble = 0;
        }
        self.in_lanes += self.in_nibbles;
        self.in_nibbles = 0;
    }

    fn flush_lanes(&mut self) {
        for (k, lane) in self.lanes.iter().enumerate() {
            for (byte, count) in lane.to_le_bytes().into_iter().enumerate() {
                if let Some(total) = self.totals.get_mut(8 * byte + k) {
                    *total += u64::from(count);
                }
            }
        }
        self.lanes = [0; 8];
        self.in_lanes = 0;
    }

    fn flush(&mut self) {
        self.spill();
        self.flush_lanes();
    }
}

/// Feeds content words to [`BitCounts`]: each word with weight 1, and each pair of
/// neighbouring words with weight 2, which keeps word order in the picture. Words and pairs
/// are hashed with 64-bit FNV-1a (a pair as the first word, a separator, the second word) and a
/// SplitMix64 finaliser. A normal form may hold several words (`dll` → `dan lain lain`); they
/// are split at spaces while hashing.
struct Features {
    /// Words and pairs are counted apart, so that counting needs no multiplication.
    words: BitCounts,
    pairs: BitCounts,
    /// FNV state after the previous word, from which its pair with the next word continues
    /// (meaningful once `has_previous`).
    previous: u64,
    has_previous: bool,
}

impl Features {
    const fn new() -> Self {
        Self {
            words: BitCounts::new(),
            pairs: BitCounts::new(),
            previous: 0,
            has_previous: false,
        }
    }

    /// Hashes the words of `norm` as single words and, continuing from the previous word's
    /// state, as the second half of a pair: one pass over the bytes, no splitting first.
    fn add_norm(&mut self, norm: &str) {
        let mut word = FNV_OFFSET;
        let mut pair = self.pair_start();
        for &b in norm.as_bytes() {
            if b == b' ' {
                self.end_word(word, pair);
                word = FNV_OFFSET;
                pair = self.pair_start();
            } else {
                word = fnv_step(word, b);
                pair = fnv_step(pair, b);
            }
        }
        self.end_word(word, pair);
    }

    /// The state a pair starts from: the previous word, then the separator (unused before the
    /// first word).
    #[inline]
    const fn pair_start(&self) -> u64 {
        (self.previous ^ PAIR_SEPARATOR).wrapping_mul(FNV_PRIME)
    }

    #[inline]
    fn end_word(&mut self, word: u64, pair: u64) {
        self.words.add(finish(word));
        if self.has_previous {
            self.pairs.add(finish(pair));
        }
        self.previous = word;
        self.has_previous = true;
    }

    /// SimHash sets bit `b` when the features with `b` set outweigh those without:
    /// Σ w·(2·set − 1) > 0, that is 2·Σ w·set > Σ w.
    fn fingerprint(mut self) -> u64 {
        self.words.flush();
        self.pairs.flush();
        let total_weight = self.words.hashes + 2 * self.pairs.hashes;
        let set_weights = self.words.totals.iter().zip(&self.pairs.totals);
        let mut fingerprint = 0;
        for (bit, (in_words, in_pairs)) in set_weights.enumerate() {
            let set_weight = in_words + 2 * in_pairs;
            fingerprint |= u64::from(2 * set_weight > total_weight) << bit;
        }
        fingerprint
    }
}

/// The fingerprint of already tokenised text.
#[must_use]
pub fn simhash_tokens(tokens: &[Token]) -> u64 {
    let mut features = Features::new();
    for t in tokens.iter().filter(|t| is_content(t.kind)) {
        features.add_norm(&t.norm);
    }
    features.fingerprint()
}

/// The fingerprint of a scanned text (see [`simhash_tokens`]).
pub(crate) fn simhash_scan(scan: &Scan) -> u64 {
    let mut features = Features::new();
    for t in scan.tokens.iter().filter(|t| is_content(t.kind)) {
        features.add_norm(scan.norm(t));
    }
    features.fingerprint()
}

/// The fingerprint of a text.
#[must_use]
pub fn simhash(text: &str) -> u64 {
    simhash_scan(&scan(text))
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
