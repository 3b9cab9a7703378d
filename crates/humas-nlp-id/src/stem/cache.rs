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

/// Longest stem: a word of [`KEY_BYTES`] with a restored first letter (`menulis` → `tulis`).
const STEM_BYTES: usize = KEY_BYTES + 1;
/// log2 of the number of remembered stems.
const STEM_SLOT_BITS: u32 = 11;

/// Remembers the [`stem`](super::stem) of recently seen words.
#[derive(Debug, Default)]
pub(crate) struct StemCache {
    uses: u32,
    keys: Vec<WordKey>,
    stems: Vec<([u8; STEM_BYTES], u8)>,
}

impl StemCache {
    /// Counts one message; true once the table exists.
    pub(crate) fn warm(&mut self) -> bool {
        if self.keys.is_empty() {
            self.uses = self.uses.saturating_add(1);
            if self.uses < WARM_UP {
                return false;
            }
            self.keys = vec![WordKey::EMPTY; 1 << STEM_SLOT_BITS];
            self.stems = vec![([0; STEM_BYTES], 0); 1 << STEM_SLOT_BITS];
        }
        true
    }

    /// Appends the stem of `word` to `out`, from the cache when the word was seen recently.
    pub(crate) fn push_stem(&mut self, word: &str, out: &mut String) {
        let Some(key) = WordKey::of(word.as_bytes()).filter(|_| !self.keys.is_empty()) else {
            out.push_str(&super::stem(word));
            return;
        };
        let slot = key.slot(STEM_SLOT_BITS);
        if self.keys.get(slot) == Some(&key)
            && let Some((bytes, len)) = self.stems.get(slot)
            && let Some(Ok(stem)) = bytes.get(..usize::from(*len)).map(std::str::from_utf8)
        {
            out.push_str(stem);
            return;
        }
        let stem = super::stem(word);
        out.push_str(&stem);
        self.remember(key, slot, &stem);
    }

    fn remember(&mut self, key: WordKey, slot: usize, stem: &str) {
        let mut bytes = [0u8; STEM_BYTES];
        let (Some(dest), Ok(len)) = (bytes.get_mut(..stem.len()), u8::try_from(stem.len())) else {
            return;
        };
        dest.copy_from_slice(stem.as_bytes());
        if let (Some(k), Some(s)) = (self.keys.get_mut(slot), self.stems.get_mut(slot)) {
            *k = key;
            *s = (bytes, len);
        }
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
        assert!(!cache.keys.is_empty(), "the table exists after the warm-up");
    }

    #[test]
    fn keys_tell_words_apart() {
        assert_ne!(WordKey::of(b"ab"), WordKey::of(b"ab\0"));
        assert_eq!(WordKey::of(b""), None);
        assert_eq!(WordKey::of(&[b'a'; KEY_BYTES + 1]), None);
        assert!(WordKey::of(&[b'a'; KEY_BYTES]).is_some());
    }
}
