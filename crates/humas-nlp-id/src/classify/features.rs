//! Hashed sparse features for the linear classifiers.
//!
//! A message becomes a bag of hashed word 1–2-grams and character 3–5-grams.
//! Hashing (no vocabulary) keeps the model a flat table indexed by bucket, so scoring is one
//! table row per feature and nothing is allocated per feature. Training and inference call the
//! same [`Extractor`], so the two can never disagree about what a feature is.

use std::ops::Range;

use crate::stem::cache::{KEY_BYTES, StemCache, WARM_UP, WordKey};
use crate::stem::stem;
use crate::tokens::{Scan, Token, TokenKind};

/// Which character n-grams to take.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CharMode {
    /// No character n-grams.
    None,
    /// Within each word, the word wrapped as `<word>`: robust to spelling variants.
    InWord,
    /// Over all words joined by single spaces: also sees how words meet.
    AcrossWords,
}

impl CharMode {
    /// The byte stored in a model file.
    #[must_use]
    pub const fn code(self) -> u8 {
        match self {
            Self::None => 0,
            Self::InWord => 1,
            Self::AcrossWords => 2,
        }
    }

    /// The mode for a byte read from a model file.
    #[must_use]
    pub const fn from_code(code: u8) -> Option<Self> {
        match code {
            0 => Some(Self::None),
            1 => Some(Self::InWord),
            2 => Some(Self::AcrossWords),
            _ => None,
        }
    }
}

/// What features a model reads. Stored in the model file, so a model always gets the features
/// it was trained on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FeatureSpec {
    /// The table has `2^bits` buckets.
    pub bits: u8,
    /// Longest word n-gram (1 to 3).
    pub word_ngrams: u8,
    /// Shortest character n-gram.
    pub char_min: u8,
    /// Longest character n-gram.
    pub char_max: u8,
    /// Where character n-grams are taken.
    pub char_mode: CharMode,
    /// Mark the two words after a negator (`tidak enak` reads as not-`enak`).
    pub negation: bool,
    /// Also one feature per word's stem (`dibunuh`, `membunuh` → `bunuh`), when it differs.
    pub stems: bool,
}

impl FeatureSpec {
    /// The research run's configuration (`docs/text-classifier-recipe.md`) with character
    /// 3–5-grams instead of 2–5: a third fewer features, no measurable loss out of fold.
    pub const DEFAULT: Self = Self {
        bits: 20,
        word_ngrams: 2,
        char_min: 3,
        char_max: 5,
        char_mode: CharMode::InWord,
        negation: true,
        stems: false,
    };

    /// Number of buckets.
    #[must_use]
    pub const fn buckets(&self) -> usize {
        1 << self.bits
    }

    /// Whether the spec is one this code can compute (also guards values read from files).
    #[must_use]
    pub const fn is_valid(&self) -> bool {
        self.bits >= 8
            && self.bits <= 24
            && self.word_ngrams >= 1
            && self.word_ngrams <= 3
            && self.char_min >= 1
            && self.char_min <= self.char_max
            && self.char_max <= 8
    }
}

/// Words after which the next two words are read as negated.
const NEGATORS: &[&str] = &["belum", "bukan", "jangan", "kurang", "tanpa", "tidak"];
/// Whether a word is a negator. Runs on every word, so most words are turned away by their
/// first byte before any string comparison.
fn is_negator(word: &str) -> bool {
    matches!(word.as_bytes().first(), Some(b'b' | b'j' | b'k' | b't'))
        && NEGATORS.binary_search(&word).is_ok()
}

/// How many words a negator reaches.
const NEGATION_SCOPE: u8 = 2;

const FNV_PRIME: u64 = 0x0100_0000_01b3;
const SEED_WORD: u64 = 0xcbf2_9ce4_8422_2325;
const SEED_NEGATED: u64 = 0x9e37_79b9_7f4a_7c15;
const SEED_PAIR: u64 = 0xd6e8_feb8_6659_fd93;
const SEED_TRIPLE: u64 = 0x5851_f42d_4c95_7f2d;
const SEED_STEM: u64 = 0x2545_f491_4f6c_dd1d;
const SEED_CHARS: u64 = 0xa076_1d64_78bd_642f;

#[inline]
const fn step(h: u64, b: u8) -> u64 {
    (h ^ b as u64).wrapping_mul(FNV_PRIME)
}

fn hash_bytes(seed: u64, bytes: &[u8]) -> u64 {
    bytes.iter().fold(seed, |h, &b| step(h, b))
}

/// The bucket of a 64-bit feature hash: the top bits after a final mix.
#[inline]
const fn bucket(h: u64, bits: u8) -> u32 {
    let h = (h ^ (h >> 31)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    let h = h ^ (h >> 29);
    (h >> (64 - bits as u32)) as u32
}

/// One word as the classifiers see it.
#[derive(Clone, Debug)]
struct Piece<'a> {
    text: &'a str,
    /// Where the stem of a word piece is in [`Pieces::stems`] (empty for other pieces).
    stem: Range<usize>,
    /// Letters or digits, so character n-grams of it mean something.
    wordlike: bool,
    negated: bool,
}

/// The hashed features of one message: one bucket per occurrence, in the order met.
///
/// Occurrences are not merged. Scoring adds a weight per occurrence and normalises by
/// `sqrt(Σ idf²)` over occurrences, which is the same as `count × idf` features divided by
/// `sqrt(Σ count × idf²)`; training uses exactly that form, and inference needs no counting
/// table on the hot path.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Features {
    /// Every feature occurrence's bucket.
    pub buckets: Vec<u32>,
}

impl Features {
    /// Number of occurrences.
    #[must_use]
    pub fn len(&self) -> usize {
        self.buckets.len()
    }

    /// No features at all (empty message).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.buckets.is_empty()
    }

    /// Distinct buckets with their counts, in bucket order (for training).
    #[must_use]
    pub fn counted(&self) -> Vec<(u32, u32)> {
        let mut sorted = self.buckets.clone();
        sorted.sort_unstable();
        let mut out: Vec<(u32, u32)> = Vec::with_capacity(sorted.len());
        for b in sorted {
            match out.last_mut() {
                Some((last, c)) if *last == b => *c += 1,
                _ => out.push((b, 1)),
            }
        }
        out
    }
}

/// Turns tokens into [`Features`]. Holds buffers so that a batch allocates once; create one per
/// thread.
#[derive(Debug)]
pub struct Extractor {
    joined: Vec<u8>,
    hashes: Vec<u64>,
    ngrams: NgramCache,
}

/// log2 of the number of words whose character n-gram buckets are remembered. Running text
/// repeats a few thousand words most of the time; the table stays well inside the L2 cache.
const NGRAM_SLOT_BITS: u32 = 11;

/// The in-word character n-gram buckets of recently seen short words, for one spec.
///
/// Hashing every n-gram of every word is most of the cost of extraction, and the answer
/// depends only on the word's bytes and the spec: a remembered word costs one comparison and
/// one copy. A slot is only read back for a word whose bytes equal its key, so the features
/// are exactly those computed afresh.
#[derive(Default)]
struct NgramCache {
    uses: u32,
    /// The spec the buckets were computed for: the first spec seen. Others are computed afresh.
    spec: Option<FeatureSpec>,
    /// Buckets one slot holds: the n-gram count of the longest cached word.
    per_word: usize,
    keys: Vec<WordKey>,
    /// Per slot: how many of its buckets are used.
    counts: Vec<u8>,
    /// `2^NGRAM_SLOT_BITS × per_word` buckets.
    buckets: Vec<u32>,
}

impl std::fmt::Debug for NgramCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let used = self.keys.iter().filter(|k| **k != WordKey::EMPTY).count();
        f.debug_struct("NgramCache")
            .field("spec", &self.spec)
            .field("words", &used)
            .finish_non_exhaustive()
    }
}

/// How many n-grams of a string of `len` bytes the spec takes.
fn ngram_count(len: usize, spec: &FeatureSpec) -> usize {
    (usize::from(spec.char_min)..=usize::from(spec.char_max))
        .map(|n| (len + 1).saturating_sub(n))
        .sum()
}

impl NgramCache {
    /// Whether the cache serves `spec`; the first spec seen after the warm-up is taken.
    fn serves(&mut self, spec: &FeatureSpec) -> bool {
        if let Some(cached) = self.spec {
            return cached == *spec;
        }
        self.uses = self.uses.saturating_add(1);
        // `<` + word + `>`: the longest cached word has this many n-grams.
        let per_word = ngram_count(KEY_BYTES + 2, spec);
        if self.uses < WARM_UP || per_word > usize::from(u8::MAX) {
            return false;
        }
        let slots = 1 << NGRAM_SLOT_BITS;
        self.spec = Some(*spec);
        self.per_word = per_word;
        self.keys = vec![WordKey::EMPTY; slots];
        self.counts = vec![0; slots];
        self.buckets = vec![0; slots * per_word];
        true
    }

    /// Appends the remembered buckets of `key` in `slot` to `raw`; false if not remembered.
    fn replay(&self, key: &WordKey, slot: usize, raw: &mut Vec<u32>) -> bool {
        if self.keys.get(slot) != Some(key) {
            return false;
        }
        let count = self.counts.get(slot).map_or(0, |&c| usize::from(c));
        let at = slot * self.per_word;
        match self.buckets.get(at..at + count) {
            Some(buckets) => {
                raw.extend_from_slice(buckets);
                true
            }
            None => false,
        }
    }

    /// Remembers `buckets` as those of `key` in `slot`.
    fn remember(&mut self, key: WordKey, slot: usize, buckets: &[u32]) {
        if buckets.len() > self.per_word {
            return;
        }
        let at = slot * self.per_word;
        let (Some(dest), Ok(count)) = (
            self.buckets.get_mut(at..at + buckets.len()),
            u8::try_from(buckets.len()),
        ) else {
            return;
        };
        dest.copy_from_slice(buckets);
        if let (Some(k), Some(c)) = (self.keys.get_mut(slot), self.counts.get_mut(slot)) {
            *k = key;
            *c = count;
        }
    }
}

impl Default for Extractor {
    fn default() -> Self {
        Self::new()
    }
}

impl Extractor {
    /// A fresh extractor.
    #[must_use]
    pub fn new() -> Self {
        Self {
            joined: Vec::with_capacity(512),
            hashes: Vec::with_capacity(64),
            ngrams: NgramCache::default(),
        }
    }

    /// The features of a tokenised message. `text` is the message the tokens came from (the
    /// gaps between tokens tell where a clause ends, which ends a negation's reach).
    pub fn extract(
        &mut self,
        spec: &FeatureSpec,
        text: &str,
        tokens: &[Token],
        out: &mut Features,
    ) {
        let pieces = Pieces::from_tokens(text, tokens);
        self.extract_pieces(spec, &pieces, out);
    }

    /// The features of a message already turned into [`Pieces`].
    pub(crate) fn extract_pieces(
        &mut self,
        spec: &FeatureSpec,
        pieces: &Pieces<'_>,
        out: &mut Features,
    ) {
        out.buckets.clear();
        self.word_features(spec, pieces, &mut out.buckets);
        match spec.char_mode {
            CharMode::None => {}
            CharMode::InWord => {
                self.char_features_in_words(spec, &pieces.items, &mut out.buckets);
            }
            CharMode::AcrossWords => {
                self.char_features_across_words(spec, &pieces.items, &mut out.buckets);
            }
        }
    }

    fn word_features(&mut self, spec: &FeatureSpec, pieces: &Pieces<'_>, raw: &mut Vec<u32>) {
        self.hashes.clear();
        if spec.stems {
            for p in pieces.items.iter().filter(|p| p.wordlike) {
                let stem = pieces.stem_of(p);
                if stem != p.text {
                    raw.push(bucket(hash_bytes(SEED_STEM, stem.as_bytes()), spec.bits));
                }
            }
        }
        for p in &pieces.items {
            let seed = if p.negated && spec.negation {
                SEED_NEGATED
            } else {
                SEED_WORD
            };
            let h = hash_bytes(seed, p.text.as_bytes());
            raw.push(bucket(h, spec.bits));
            self.hashes.push(h);
        }
        if spec.word_ngrams >= 2 {
            for pair in self.hashes.windows(2) {
                if let [a, b] = pair {
                    let h = (a.rotate_left(23) ^ b).wrapping_mul(FNV_PRIME) ^ SEED_PAIR;
                    raw.push(bucket(h, spec.bits));
                }
            }
        }
        if spec.word_ngrams >= 3 {
            for triple in self.hashes.windows(3) {
                if let [a, b, c] = triple {
                    let h = ((a.rotate_left(23) ^ b)
                        .wrapping_mul(FNV_PRIME)
                        .rotate_left(23)
                        ^ c)
                        .wrapping_mul(FNV_PRIME)
                        ^ SEED_TRIPLE;
                    raw.push(bucket(h, spec.bits));
                }
            }
        }
    }

    fn char_features_in_words(
        &mut self,
        spec: &FeatureSpec,
        pieces: &[Piece<'_>],
        raw: &mut Vec<u32>,
    ) {
        let cached = self.ngrams.serves(spec);
        for p in pieces.iter().filter(|p| p.wordlike) {
            let word = p.text.as_bytes();
            let key = WordKey::of(word)
                .filter(|_| cached)
                .map(|k| (k, k.slot(NGRAM_SLOT_BITS)));
            if let Some((key, slot)) = &key
                && self.ngrams.replay(key, *slot, raw)
            {
                continue;
            }
            let from = raw.len();
            self.joined.clear();
            self.joined.push(b'<');
            self.joined.extend_from_slice(word);
            self.joined.push(b'>');
            push_char_ngrams(raw, &self.joined, spec);
            if let Some((key, slot)) = key {
                self.ngrams
                    .remember(key, slot, raw.get(from..).unwrap_or_default());
            }
        }
    }

    fn char_features_across_words(
        &mut self,
        spec: &FeatureSpec,
        pieces: &[Piece<'_>],
        raw: &mut Vec<u32>,
    ) {
        self.joined.clear();
        self.joined.push(b' ');
        for p in pieces {
            self.joined.extend_from_slice(p.text.as_bytes());
            self.joined.push(b' ');
        }
        if self.joined.len() > 1 {
            push_char_ngrams(raw, &self.joined, spec);
        }
    }
}

/// Every byte n-gram of `bytes` with a length in the spec's range. Bytes, not characters: the
/// same for the ASCII that nearly all normal forms are, and no decoding in the hot loop.
fn push_char_ngrams(raw: &mut Vec<u32>, bytes: &[u8], spec: &FeatureSpec) {
    let min = usize::from(spec.char_min);
    let max = usize::from(spec.char_max);
    for start in 0..bytes.len() {
        let window = bytes
            .get(start..bytes.len().min(start + max))
            .unwrap_or_default();
        let mut h = SEED_CHARS;
        for (n, &b) in window.iter().enumerate() {
            h = step(h, b);
            if n + 1 >= min {
                raw.push(bucket(h, spec.bits));
            }
        }
    }
}

/// True when the raw text between two tokens ends a clause (so a negation stops there).
fn clause_break(gap: &str) -> bool {
    gap.bytes()
        .any(|b| matches!(b, b',' | b'.' | b';' | b':' | b'\n'))
}

/// The words of a message as the classifiers read them: normal forms, links as `url`,
/// mentions as `user` (what the training data has in their place), hashtags without `#`, and
/// which words fall in a negator's reach.
#[derive(Debug, Default)]
pub(crate) struct Pieces<'a> {
    items: Vec<Piece<'a>>,
    /// The stems of the word pieces in order, each after one space unless nothing came before
    /// it: already the `stems` of an analysis.
    stems: String,
}

/// The allocation of a [`Pieces`] kept for the next message.
#[derive(Debug, Default)]
pub(crate) struct PieceBuffer(Vec<Piece<'static>>);

impl<'a> Pieces<'a> {
    /// From public tokens.
    pub(crate) fn from_tokens(text: &str, tokens: &'a [Token]) -> Self {
        Self::build(
            text,
            tokens
                .iter()
                .map(|t| (t.kind, t.start, t.end, t.norm.as_str())),
            Vec::with_capacity(tokens.len() + 4),
            None,
        )
    }

    /// From a scan (no token strings allocated).
    #[cfg(test)]
    pub(crate) fn from_scan(text: &str, scan: &'a Scan) -> Self {
        Self::build(
            text,
            scan.tokens
                .iter()
                .map(|t| (t.kind, t.start, t.end, scan.norm(t))),
            Vec::with_capacity(scan.tokens.len() + 4),
            None,
        )
    }

    /// From a scan, in the allocation of an earlier message's pieces, with stems of recent
    /// words from `stems`. The same pieces as [`Pieces::from_scan`].
    pub(crate) fn from_scan_reusing(
        text: &str,
        scan: &'a Scan,
        buffer: PieceBuffer,
        stems: &mut StemCache,
    ) -> Self {
        let mut items = relifetime(buffer.0);
        items.reserve(scan.tokens.len() + 4);
        Self::build(
            text,
            scan.tokens
                .iter()
                .map(|t| (t.kind, t.start, t.end, scan.norm(t))),
            items,
            Some(stems),
        )
    }

    /// The stems joined by single spaces, and the allocation for the next message.
    pub(crate) fn into_stems(self) -> (String, PieceBuffer) {
        (self.stems, PieceBuffer(relifetime(self.items)))
    }

    /// The words, for rules that read words (threats).
    pub(crate) fn words(&self) -> impl Iterator<Item = &'a str> + '_ {
        self.items.iter().filter(|p| p.wordlike).map(|p| p.text)
    }

    fn stem_of(&self, piece: &Piece<'_>) -> &str {
        self.stems.get(piece.stem.clone()).unwrap_or_default()
    }

    fn build(
        text: &str,
        tokens: impl Iterator<Item = (TokenKind, usize, usize, &'a str)>,
        items: Vec<Piece<'a>>,
        mut cache: Option<&mut StemCache>,
    ) -> Self {
        let mut out = Self {
            items,
            stems: String::with_capacity(text.len() + 8),
        };
        if cache.as_deref_mut().is_some_and(|c| !c.warm()) {
            // Not warm yet: stem afresh.
            cache = None;
        }
        let mut scope = 0u8;
        let mut prev_end = 0usize;
        for (kind, start, end, norm) in tokens {
            if text.get(prev_end..start).is_some_and(clause_break) {
                scope = 0;
            }
            prev_end = end;
            match kind {
                TokenKind::Word | TokenKind::Number => {
                    for word in words_of(norm) {
                        let negated = scope > 0;
                        scope = scope.saturating_sub(1);
                        out.push_word(word, negated, cache.as_deref_mut());
                        if is_negator(word) {
                            scope = NEGATION_SCOPE;
                        }
                    }
                }
                TokenKind::Hashtag => out.push_tag(norm.strip_prefix('#').unwrap_or(norm)),
                TokenKind::Url => out.push_other("url"),
                TokenKind::Mention => out.push_other("user"),
                TokenKind::Emoji | TokenKind::Emoticon => out.push_other(norm),
                TokenKind::Punct => {
                    scope = 0;
                    out.push_other(norm);
                }
            }
        }
        out
    }

    /// Starts the next stem: a space unless it is the first text.
    fn begin_stem(&mut self) -> usize {
        if !self.stems.is_empty() {
            self.stems.push(' ');
        }
        self.stems.len()
    }

    fn push_word(&mut self, word: &'a str, negated: bool, cache: Option<&mut StemCache>) {
        let from = self.begin_stem();
        match cache {
            Some(cache) => cache.push_stem(word, &mut self.stems),
            None => self.stems.push_str(&stem(word)),
        }
        self.items.push(Piece {
            text: word,
            stem: from..self.stems.len(),
            wordlike: true,
            negated,
        });
    }

    /// A hashtag: a word whose stem is itself.
    fn push_tag(&mut self, tag: &'a str) {
        let from = self.begin_stem();
        self.stems.push_str(tag);
        self.items.push(Piece {
            text: tag,
            stem: from..self.stems.len(),
            wordlike: true,
            negated: false,
        });
    }

    fn push_other(&mut self, text: &'a str) {
        self.items.push(Piece {
            text,
            stem: 0..0,
            wordlike: false,
            negated: false,
        });
    }
}

/// The non-empty space-separated words of a normal form (most are one word).
fn words_of(norm: &str) -> impl Iterator<Item = &str> {
    let mut rest = Some(norm);
    std::iter::from_fn(move || {
        loop {
            let r = rest?;
            let (word, tail) = match r.as_bytes().iter().position(|&b| b == b' ') {
                Some(at) => (r.get(..at)?, r.get(at + 1..)),
                None => (r, None),
            };
            rest = tail;
            if !word.is_empty() {
                return Some(word);
            }
        }
    })
}

/// An empty vector of references with the allocation of `v`: lets one buffer serve messages
/// whose text lives for different lifetimes. (The collect reuses the allocation in place.)
pub(crate) fn relifetime<'b, T: Relifetime<'b>>(v: Vec<T>) -> Vec<T::With> {
    v.into_iter().filter_map(|_| None).collect()
}

/// A type that borrows text, with that borrow's lifetime replaceable.
pub(crate) trait Relifetime<'b> {
    /// The same type borrowing for `'b`.
    type With;
}

impl<'a, 'b> Relifetime<'b> for Piece<'a> {
    type With = Piece<'b>;
}

impl<'b> Relifetime<'b> for &str {
    type With = &'b str;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tokens::tokenize;

    fn features(spec: &FeatureSpec, text: &str) -> Features {
        let mut out = Features::default();
        Extractor::new().extract(spec, text, &tokenize(text), &mut out);
        out
    }

    fn words_only() -> FeatureSpec {
        FeatureSpec {
            word_ngrams: 1,
            char_mode: CharMode::None,
            ..FeatureSpec::DEFAULT
        }
    }

    #[test]
    fn negators_are_sorted_for_binary_search() {
        assert!(NEGATORS.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn counts_repeated_words() {
        let f = features(&words_only(), "bagus bagus bagus jelek");
        assert_eq!(f.len(), 4);
        let mut counts: Vec<u32> = f.counted().iter().map(|&(_, c)| c).collect();
        counts.sort_unstable();
        assert_eq!(counts, [1, 3]);
    }

    #[test]
    fn negation_changes_the_next_two_words_only() {
        let spec = words_only();
        let plain = features(&spec, "enak sekali makanannya");
        let negated = features(&spec, "tidak enak sekali makanannya");
        // `tidak` is new; `enak` and `sekali` become negated features; `makanannya` is shared.
        let shared = negated
            .buckets
            .iter()
            .filter(|b| plain.buckets.contains(b))
            .count();
        assert_eq!(shared, 1);
        assert_eq!(negated.len(), 4);
    }

    #[test]
    fn a_comma_ends_the_negation() {
        let spec = words_only();
        let a = features(&spec, "tidak, enak");
        let b = features(&spec, "enak");
        assert!(b.buckets.iter().all(|x| a.buckets.contains(x)));
    }

    #[test]
    fn slang_and_plain_spelling_give_the_same_features() {
        let spec = FeatureSpec::DEFAULT;
        assert_eq!(
            features(&spec, "pelayanan lemot bgt"),
            features(&spec, "Pelayanan LEMOT banget")
        );
    }

    #[test]
    fn links_and_mentions_read_as_placeholders() {
        let spec = words_only();
        assert_eq!(
            features(&spec, "@dinkes cek https://contoh.id/x"),
            features(&spec, "@bpbd cek http://lain.id")
        );
    }

    #[test]
    fn char_ngrams_in_words_count_every_length() {
        let spec = FeatureSpec {
            word_ngrams: 1,
            char_min: 2,
            char_mode: CharMode::InWord,
            ..FeatureSpec::DEFAULT
        };
        // `<ab>` has 4 bytes: 3 bigrams, 2 trigrams, 1 four-gram, plus the word itself.
        let f = features(&spec, "ab");
        assert_eq!(f.len(), 3 + 2 + 1 + 1);
    }

    #[test]
    fn across_words_sees_word_boundaries() {
        let in_word = FeatureSpec {
            char_mode: CharMode::InWord,
            ..FeatureSpec::DEFAULT
        };
        let across = FeatureSpec {
            char_mode: CharMode::AcrossWords,
            ..FeatureSpec::DEFAULT
        };
        assert!(features(&across, "ab cd").len() > features(&in_word, "ab cd").len());
    }

    #[test]
    fn long_messages_count_every_occurrence() {
        let spec = FeatureSpec {
            char_min: 2,
            ..FeatureSpec::DEFAULT
        };
        let text = "kata lain ".repeat(400);
        let f = features(&spec, &text);
        // 800 words + 799 pairs + char n-grams of `<kata>` (14) and `<lain>` (14) per pair.
        assert_eq!(f.len(), 800 + 799 + 400 * 14 * 2);
        let counted = f.counted();
        assert_eq!(
            counted.iter().map(|&(_, c)| c as usize).sum::<usize>(),
            f.len()
        );
        assert!(
            counted.windows(2).all(|w| w[0].0 < w[1].0),
            "sorted and distinct"
        );
    }

    #[test]
    fn stem_features_join_affixed_forms() {
        let spec = FeatureSpec {
            stems: true,
            ..words_only()
        };
        let a = features(&spec, "dibunuh");
        let b = features(&spec, "membunuh");
        assert_eq!(a.len(), 2, "the word and its stem");
        assert_eq!(
            a.buckets.iter().filter(|x| b.buckets.contains(x)).count(),
            1
        );
        assert_eq!(features(&spec, "bunuh").len(), 1, "a root adds nothing");
    }

    #[test]
    fn empty_text_has_no_features() {
        assert!(features(&FeatureSpec::DEFAULT, "").is_empty());
    }

    #[test]
    fn the_extractor_is_reusable() {
        let spec = FeatureSpec::DEFAULT;
        let mut ex = Extractor::new();
        let mut a = Features::default();
        let mut b = Features::default();
        ex.extract(&spec, "satu dua", &tokenize("satu dua"), &mut a);
        ex.extract(&spec, "tiga", &tokenize("tiga"), &mut b);
        ex.extract(&spec, "satu dua", &tokenize("satu dua"), &mut b);
        assert_eq!(a, b);
    }
}
