//! Small per-thread caches for work that depends on one word alone.
//!
//! Running text repeats a few thousand words most of the time, so remembering what was computed
//! for a recent word (its stem, its character n-gram buckets) saves most of that work. The
//! caches are direct-mapped tables keyed by the word's bytes; an entry is only used for a word
//! whose bytes equal its key, so a cached answer is always the one computed afresh.

/// Words at most this long are cached (nearly all words; longer ones are computed afresh).
pub(crate) const KEY_BYTES: usize = 16;

/// Uses before a cache allocates its table: an analyzer made for one message should not pay
/// for a table it never reuses.
pub(crate) const WARM_UP: u32 = 16;

/// A short word as a cache key: its bytes, zero-padded to [`KEY_BYTES`] and read as two
/// little-endian u64 halves, and its length (never 0). Built and compared in registers: no
/// copy or comparison call per word.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct WordKey {
    lo: u64,
    hi: u64,
    len: u8,
}

/// Up to eight bytes, zero-padded, as a little-endian u64 (two overlapping loads, no loop).
#[inline]
fn padded_u64(b: &[u8]) -> u64 {
    let n = b.len();
    let load4 = |s: &[u8]| {
        s.get(..4)
            .and_then(|s| <[u8; 4]>::try_from(s).ok())
            .map_or(0, |a| u64::from(u32::from_le_bytes(a)))
    };
    let load8 = |s: &[u8]| {
        s.get(..8)
            .and_then(|s| <[u8; 8]>::try_from(s).ok())
            .map_or(0, u64::from_le_bytes)
    };
    match n {
        0 => 0,
        1..=3 => {
            // First, middle and last byte: for 1..=3 bytes they cover every position.
            let first = u64::from(b.first().copied().unwrap_or(0));
            let mid = u64::from(b.get(n / 2).copied().unwrap_or(0));
            let last = u64::from(b.last().copied().unwrap_or(0));
            first | (mid << (8 * (n / 2))) | (last << (8 * (n - 1)))
        }
        // Two overlapping 4-byte loads: the overlap holds the same bytes in both.
        4..=7 => load4(b) | (load4(b.get(n - 4..).unwrap_or_default()) << (8 * (n - 4))),
        _ => load8(b),
    }
}

impl WordKey {
    /// The key of a free slot (no word is empty).
    pub(crate) const EMPTY: Self = Self {
        lo: 0,
        hi: 0,
        len: 0,
    };

    /// The key of `word`; `None` if it is empty or longer than [`KEY_BYTES`].
    #[inline]
    pub(crate) fn of(word: &[u8]) -> Option<Self> {
        let n = word.len();
        if n == 0 || n > KEY_BYTES {
            return None;
        }
        let len = u8::try_from(n).ok()?;
        let (lo, hi) = if n <= 8 {
            (padded_u64(word), 0)
        } else {
            (
                padded_u64(word.get(..8).unwrap_or_default()),
                padded_u64(word.get(8..).unwrap_or_default()),
            )
        };
        Some(Self { lo, hi, len })
    }

    /// The key's bytes, zero-padded.
    pub(crate) fn bytes(&self) -> [u8; KEY_BYTES] {
        let mut out = [0u8; KEY_BYTES];
        let (lo, hi) = out.split_at_mut(KEY_BYTES / 2);
        lo.copy_from_slice(&self.lo.to_le_bytes());
        hi.copy_from_slice(&self.hi.to_le_bytes());
        out
    }

    /// Whether `slot` starts with this key's padded bytes and then its length byte.
    #[inline]
    fn is_at_start_of(&self, slot: &[u8]) -> bool {
        let half = |at: usize| {
            slot.get(at..at + 8)
                .and_then(|s| <[u8; 8]>::try_from(s).ok())
                .map(u64::from_le_bytes)
        };
        half(0) == Some(self.lo)
            && half(8) == Some(self.hi)
            && slot.get(KEY_LEN_AT) == Some(&self.len)
    }

    /// The slot of this key in a table of `2^bits` slots.
    #[inline]
    pub(crate) fn slot(&self, bits: u32) -> usize {
        let h = (self.lo ^ self.hi.rotate_left(29) ^ u64::from(self.len))
            .wrapping_mul(0x9e37_79b9_7f4a_7c15);
        (h >> (64 - bits)) as usize
    }
}

/// log2 of the number of words a [`WordMemo`] remembers.
const MEMO_SLOT_BITS: u32 = 12;

/// Longest remembered value (a stem, or a normal form such as `dan lain lain`); longer ones
/// are computed every time.
const VALUE_BYTES: usize = 22;

/// One remembered word in [`WordMemo::arena`]: the key's bytes (zero-padded), the key's
/// length, the value's length, the value. Key and value side by side, so a hit reads one or
/// two neighbouring cache lines.
const SLOT_BYTES: usize = KEY_BYTES + 2 + VALUE_BYTES;
const KEY_LEN_AT: usize = KEY_BYTES;
const VALUE_LEN_AT: usize = KEY_BYTES + 1;
const VALUE_AT: usize = KEY_BYTES + 2;

/// Remembers, for recently seen short words, the text some pure function of the word
/// appended to a string: its [`stem`](super::stem), or its normal form.
///
/// The slots live in one `String`, so a remembered value is read back as a `&str` with two
/// char-boundary checks instead of a UTF-8 validation per hit, and without a pointer to
/// follow. Every write replaces whole characters with whole characters (a word, lengths below
/// 128, a value), so the string stays valid and slot starts stay char boundaries.
#[derive(Default)]
pub(crate) struct WordMemo {
    uses: u32,
    arena: String,
}

impl std::fmt::Debug for WordMemo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Thousands of slots say nothing useful in a debug print: how many are in use does.
        let used = self
            .arena
            .as_bytes()
            .chunks_exact(SLOT_BYTES)
            .filter(|slot| slot.get(KEY_LEN_AT).is_some_and(|&len| len != 0))
            .count();
        f.debug_struct("WordMemo")
            .field("uses", &self.uses)
            .field("words", &used)
            .finish_non_exhaustive()
    }
}

impl WordMemo {
    /// Counts one message; true once the table exists.
    pub(crate) fn warm(&mut self) -> bool {
        if self.arena.is_empty() {
            self.uses = self.uses.saturating_add(1);
            if self.uses < WARM_UP {
                return false;
            }
            self.arena = "\0".repeat(SLOT_BYTES << MEMO_SLOT_BITS);
        }
        true
    }

    /// Appends what `compute` appends for `word` to `out`, from the memo when the word was
    /// seen recently. `compute` must depend on nothing but the word.
    #[inline]
    pub(crate) fn push(
        &mut self,
        word: &str,
        out: &mut String,
        compute: impl FnOnce(&str, &mut String),
    ) {
        let Some(key) = WordKey::of(word.as_bytes()).filter(|_| !self.arena.is_empty()) else {
            compute(word, out);
            return;
        };
        let at = key.slot(MEMO_SLOT_BITS) * SLOT_BYTES;
        if let Some(slot) = self.arena.as_bytes().get(at..at + SLOT_BYTES)
            && key.is_at_start_of(slot)
            && let Some(&len) = slot.get(VALUE_LEN_AT)
            && let Some(value) = self
                .arena
                .get(at + VALUE_AT..at + VALUE_AT + usize::from(len))
        {
            out.push_str(value);
            return;
        }
        let from = out.len();
        compute(word, out);
        self.remember(&key, at, out.get(from..).unwrap_or_default());
    }

    /// Writes `key` and `value` into the slot at byte `at` (a value too long is not kept).
    /// Only the bytes up to the end of the new value are written (the old value's tail stays
    /// as padding) unless that would cut one of its characters.
    fn remember(&mut self, key: &WordKey, at: usize, value: &str) {
        let mut slot = [0u8; SLOT_BYTES];
        let (Ok(len), Some(dest)) = (
            u8::try_from(value.len()),
            slot.get_mut(VALUE_AT..VALUE_AT + value.len()),
        ) else {
            return;
        };
        dest.copy_from_slice(value.as_bytes());
        if let Some(k) = slot.get_mut(..KEY_BYTES) {
            k.copy_from_slice(&key.bytes());
        }
        if let Some(l) = slot.get_mut(KEY_LEN_AT) {
            *l = key.len;
        }
        if let Some(l) = slot.get_mut(VALUE_LEN_AT) {
            *l = len;
        }
        let used = VALUE_AT + value.len();
        let end = if self.arena.is_char_boundary(at + used) {
            used
        } else {
            SLOT_BYTES
        };
        // A word, zero padding, two lengths below 128 and a value: always valid UTF-8.
        if let Some(Ok(text)) = slot.get(..end).map(std::str::from_utf8)
            && at + SLOT_BYTES <= self.arena.len()
            && self.arena.is_char_boundary(at)
            && self.arena.is_char_boundary(at + end)
        {
            self.arena.replace_range(at..at + end, text);
        }
    }
}

/// Remembers the [`stem`](super::stem) of recently seen words.
#[derive(Debug, Default)]
pub(crate) struct StemCache(WordMemo);

impl StemCache {
    /// Counts one message; true once the table exists.
    pub(crate) fn warm(&mut self) -> bool {
        self.0.warm()
    }

    /// Appends the stem of `word` to `out`, from the cache when the word was seen recently.
    pub(crate) fn push_stem(&mut self, word: &str, out: &mut String) {
        // A word with a byte other than `a`–`z` and `-` is its own stem: numbers (mostly
        // unique, they would only push words out of the table) skip the table.
        if word.as_bytes().first().is_some_and(u8::is_ascii_digit) {
            out.push_str(word);
            return;
        }
        self.0
            .push(word, out, |w, out| out.push_str(&super::stem(w)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cached_stems_are_the_stems() {
        let mut cache = StemCache::default();
        let words = [
            "pelayanan",
            "menulis",
            "dibunuh",
            "anak-anak",
            "x",
            "ketidakadilannya",
        ];
        for round in 0..(WARM_UP as usize + 3) {
            for w in words {
                let mut out = String::new();
                cache.warm();
                cache.push_stem(w, &mut out);
                assert_eq!(out, super::super::stem(w), "{w} in round {round}");
            }
        }
        assert!(
            !cache.0.arena.is_empty(),
            "the table exists after the warm-up"
        );
    }

    #[test]
    fn the_memo_gives_back_what_was_computed_also_for_non_ascii_and_long_values() {
        let mut memo = WordMemo::default();
        let value = |w: &str, out: &mut String| {
            out.push_str(w);
            out.push('é');
            if w.starts_with('p') {
                out.push_str(&"x".repeat(30));
            }
        };
        let words = ["café", "😡", "panjang", "a", "ñandú", "kata"];
        for round in 0..(WARM_UP as usize + 3) {
            for w in words {
                memo.warm();
                let mut got = String::from("> ");
                memo.push(w, &mut got, value);
                let mut want = String::from("> ");
                value(w, &mut want);
                assert_eq!(got, want, "{w} in round {round}");
            }
        }
        let kept = format!("{memo:?}");
        assert!(kept.contains("words: 5"), "all but the long value: {kept}");
    }

    #[test]
    fn keys_tell_words_apart() {
        assert_ne!(WordKey::of(b"ab"), WordKey::of(b"ab\0"));
        assert_eq!(WordKey::of(b""), None);
        assert_eq!(WordKey::of(&[b'a'; KEY_BYTES + 1]), None);
        assert!(WordKey::of(&[b'a'; KEY_BYTES]).is_some());
        // Every length: the key's bytes are the word's, zero-padded.
        let word: Vec<u8> = (1..=KEY_BYTES as u8).collect();
        for n in 1..=KEY_BYTES {
            let key = WordKey::of(&word[..n]).unwrap();
            let mut padded = [0u8; KEY_BYTES];
            padded[..n].copy_from_slice(&word[..n]);
            assert_eq!(key.bytes(), padded, "length {n}");
            let mut slot = padded.to_vec();
            slot.push(n as u8);
            assert!(key.is_at_start_of(&slot), "length {n}");
            slot[n - 1] ^= 1;
            assert!(!key.is_at_start_of(&slot), "length {n}");
        }
    }
}
