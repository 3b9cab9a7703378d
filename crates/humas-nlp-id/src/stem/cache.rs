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

/// A short word as a cache key: its bytes, zero-padded, and its length (never 0).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct WordKey {
    bytes: [u8; KEY_BYTES],
    len: u8,
}

impl WordKey {
    /// The key of a free slot (no word is empty).
    pub(crate) const EMPTY: Self = Self {
        bytes: [0; KEY_BYTES],
        len: 0,
    };

    /// The key of `word`; `None` if it is empty or longer than [`KEY_BYTES`].
    #[inline]
    pub(crate) fn of(word: &[u8]) -> Option<Self> {
        let len = u8::try_from(word.len()).ok().filter(|&l| l > 0)?;
        let mut bytes = [0u8; KEY_BYTES];
        bytes.get_mut(..word.len())?.copy_from_slice(word);
        Some(Self { bytes, len })
    }

    /// The slot of this key in a table of `2^bits` slots.
    #[inline]
    pub(crate) fn slot(&self, bits: u32) -> usize {
        let (lo, hi) = self.bytes.split_at(KEY_BYTES / 2);
        let lo = u64::from_le_bytes(lo.try_into().unwrap_or_default());
        let hi = u64::from_le_bytes(hi.try_into().unwrap_or_default());
        let h = (lo ^ hi.rotate_left(29) ^ u64::from(self.len)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        (h >> (64 - bits)) as usize
    }
}

/// log2 of the number of words a [`WordMemo`] remembers.
const MEMO_SLOT_BITS: u32 = 12;

/// Longest remembered value (a stem, or a normal form such as `dan lain lain`); longer ones
/// are computed every time (and a slot's string never grows past this).
const VALUE_BYTES: usize = 22;

/// One remembered word: its key and its value. The value is a `String` (allocated when the
/// slot is first filled, then reused), so a hit hands back a `&str` with no UTF-8 validation
/// and a miss overwrites it in place.
#[derive(Clone)]
struct MemoSlot {
    /// [`WordKey::EMPTY`] while free (no word has it).
    key: WordKey,
    value: String,
}

impl MemoSlot {
    const FREE: Self = Self {
        key: WordKey::EMPTY,
        value: String::new(),
    };
}

/// Remembers, for recently seen short words, the text some pure function of the word
/// appended to a string: its [`stem`](super::stem), or its normal form.
#[derive(Default)]
pub(crate) struct WordMemo {
    uses: u32,
    slots: Vec<MemoSlot>,
}

impl std::fmt::Debug for WordMemo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Thousands of slots say nothing useful in a debug print: how many are in use does.
        let used = self
            .slots
            .iter()
            .filter(|s| s.key != WordKey::EMPTY)
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
        if self.slots.is_empty() {
            self.uses = self.uses.saturating_add(1);
            if self.uses < WARM_UP {
                return false;
            }
            self.slots = vec![MemoSlot::FREE; 1 << MEMO_SLOT_BITS];
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
        let Some(key) = WordKey::of(word.as_bytes()).filter(|_| !self.slots.is_empty()) else {
            compute(word, out);
            return;
        };
        let Some(slot) = self.slots.get_mut(key.slot(MEMO_SLOT_BITS)) else {
            compute(word, out);
            return;
        };
        if slot.key == key {
            out.push_str(&slot.value);
            return;
        }
        let from = out.len();
        compute(word, out);
        let computed = out.get(from..).unwrap_or_default();
        if computed.len() <= VALUE_BYTES {
            slot.value.clear();
            slot.value.push_str(computed);
            slot.key = key;
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
            !cache.0.slots.is_empty(),
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
    }
}
