//! Our own word lists: Indonesian slang and abbreviations, and frequent Javanese (including
//! Suroboyoan) and Madurese words, each mapped to standard Indonesian.
//!
//! Written by this team from knowledge of the languages; the lexicons in the shared data folder
//! are only for comparison. Every target is standard Indonesian and never itself a key, so
//! normalising twice changes nothing (a test checks it).

/// Slang, alay spellings and chat abbreviations → standard Indonesian. Sorted by key.
const SLANG: &[(&str, &str)] = &[
    ("aj", "saja"),
    ("aja", "saja"),
    ("ajah", "saja"),
    ("bales", "balas"),
    ("bener", "benar"),
    ("bgt", "banget"),
    ("bkn", "bukan"),
    ("blm", "belum"),
    ("bln", "bulan"),
    ("bngt", "banget"),
    ("bnyk", "banyak"),
    ("bs", "bisa"),
    ("bsk", "besok"),
    ("byk", "banyak"),
    ("dgn", "dengan"),
    ("dibales", "dibalas"),
    ("dll", "dan lain lain"),
    ("dmn", "di mana"),
    ("dr", "dari"),
    ("emang", "memang"),
    ("emg", "memang"),
    ("enggak", "tidak"),
    ("ga", "tidak"),
    ("gaada", "tidak ada"),
    ("gak", "tidak"),
    ("gimana", "bagaimana"),
    ("gini", "begini"),
    ("gitu", "begitu"),
    ("gk", "tidak"),
    ("gmn", "bagaimana"),
    ("gpp", "tidak apa apa"),
    ("hrs", "harus"),
    ("jd", "jadi"),
    ("jdi", "jadi"),
    ("jg", "juga"),
    ("kalo", "kalau"),
    ("karna", "karena"),
    ("kek", "seperti"),
    ("kl", "kalau"),
    ("klo", "kalau"),
    ("kmrn", "kemarin"),
    ("knp", "kenapa"),
    ("krn", "karena"),
    ("kyk", "seperti"),
    ("lg", "lagi"),
    ("makasih", "terima kasih"),
    ("mksh", "terima kasih"),
    ("msh", "masih"),
    ("napa", "kenapa"),
    ("ngga", "tidak"),
    ("nggak", "tidak"),
    ("nih", "ini"),
    ("org", "orang"),
    ("pd", "pada"),
    ("pdhl", "padahal"),
    ("pengen", "ingin"),
    ("pgn", "ingin"),
    ("sbg", "sebagai"),
    ("sdh", "sudah"),
    ("skrg", "sekarang"),
    ("sm", "sama"),
    ("sy", "saya"),
    ("tdk", "tidak"),
    ("thn", "tahun"),
    ("tp", "tapi"),
    ("tpi", "tapi"),
    ("trims", "terima kasih"),
    ("trs", "terus"),
    ("tuh", "itu"),
    ("udah", "sudah"),
    ("udh", "sudah"),
    ("utk", "untuk"),
    ("yg", "yang"),
];

/// Javanese (Suroboyoan included) and Madurese words that carry meaning for sentiment and
/// requests → Indonesian. Profanity is deliberately *not* mapped: "jancuk" must stay visible
/// to the abuse classifier. Sorted by key.
const REGIONAL: &[(&str, &str)] = &[
    ("ae", "saja"),
    ("akeh", "banyak"),
    ("apik", "bagus"),
    ("awakmu", "kamu"),
    ("be'en", "kamu"),
    ("cilik", "kecil"),
    ("dereng", "belum"),
    ("dhimma", "mana"),
    ("durung", "belum"),
    ("elek", "jelek"),
    ("endi", "mana"),
    ("enjek", "tidak"),
    ("ghi'", "masih"),
    ("iki", "ini"),
    ("iku", "itu"),
    ("isok", "bisa"),
    ("jariya", "itu"),
    ("ka'dinto", "ini"),
    ("karo", "dengan"),
    ("koen", "kamu"),
    ("kowe", "kamu"),
    ("kudu", "harus"),
    ("lakar", "memang"),
    ("mangan", "makan"),
    ("maturnuwun", "terima kasih"),
    ("matursuwun", "terima kasih"),
    ("mboten", "tidak"),
    ("ndak", "tidak"),
    ("ngene", "begini"),
    ("ngerti", "mengerti"),
    ("nggih", "ya"),
    ("ngono", "begitu"),
    ("opo", "apa"),
    ("ora", "tidak"),
    ("piye", "bagaimana"),
    ("saiki", "sekarang"),
    ("sampun", "sudah"),
    ("seng", "yang"),
    ("sengko'", "saya"),
    ("sesuk", "besok"),
    ("sing", "yang"),
    ("sithik", "sedikit"),
    ("sopo", "siapa"),
    ("suwe", "lama"),
    ("turu", "tidur"),
    ("uwis", "sudah"),
    ("wingi", "kemarin"),
    ("wis", "sudah"),
    ("wong", "orang"),
];

#[cfg(test)]
fn lookup(table: &'static [(&'static str, &'static str)], word: &str) -> Option<&'static str> {
    table
        .binary_search_by(|(k, _)| (*k).cmp(word))
        .ok()
        .and_then(|i| table.get(i))
        .map(|(_, v)| *v)
}

/// Slots in the hash index over both tables: a power of two at least four times the number of
/// entries, so probe runs stay short.
const INDEX_SLOTS: usize = 2048;
const EMPTY_SLOT: u16 = u16::MAX;

/// Every word of every message is looked up, and most are not in the tables: one hash and
/// usually a single comparison beats a binary search over strings. Built at compile time.
static INDEX: [u16; INDEX_SLOTS] = build_index();

const fn entry(i: usize) -> (&'static str, &'static str) {
    if i < SLANG.len() {
        SLANG[i]
    } else {
        REGIONAL[i - SLANG.len()]
    }
}

/// FNV-1a over the key's bytes, reduced to a slot.
const fn slot_of(key: &[u8]) -> usize {
    let mut h: u32 = 0x811c_9dc5;
    let mut i = 0;
    while i < key.len() {
        h ^= key[i] as u32;
        h = h.wrapping_mul(0x0100_0193);
        i += 1;
    }
    (h ^ (h >> 16)) as usize & (INDEX_SLOTS - 1)
}

const fn build_index() -> [u16; INDEX_SLOTS] {
    assert!(SLANG.len() + REGIONAL.len() < INDEX_SLOTS / 4);
    let mut index = [EMPTY_SLOT; INDEX_SLOTS];
    let mut i = 0;
    while i < SLANG.len() + REGIONAL.len() {
        let mut slot = slot_of(entry(i).0.as_bytes());
        while index[slot] != EMPTY_SLOT {
            slot = (slot + 1) & (INDEX_SLOTS - 1);
        }
        index[slot] = i as u16;
        i += 1;
    }
    index
}

/// For each first byte `a`..=`z`, a bit for each key length (up to 31) that some key starting
/// with that letter has. Most words of a message are not keys, and most of those are turned
/// away by this one lookup before any hashing.
static LENGTHS_BY_FIRST_LETTER: [u32; 26] = build_lengths();

const fn build_lengths() -> [u32; 26] {
    let mut lengths = [0u32; 26];
    let mut i = 0;
    while i < SLANG.len() + REGIONAL.len() {
        let key = entry(i).0.as_bytes();
        assert!(!key.is_empty() && key.len() < 32 && key[0].is_ascii_lowercase());
        lengths[(key[0] - b'a') as usize] |= 1 << key.len();
        i += 1;
    }
    lengths
}

/// Whether some key starts with the word's first letter and is as long as the word.
fn may_be_key(word: &[u8]) -> bool {
    let Some(&first) = word.first() else {
        return false;
    };
    let by_letter = LENGTHS_BY_FIRST_LETTER.get(usize::from(first.wrapping_sub(b'a')));
    by_letter.is_some_and(|lengths| word.len() < 32 && lengths >> word.len() & 1 == 1)
}

/// The standard Indonesian for a folded word given as bytes (see [`standard_form`]).
pub(crate) fn standard_form_of_bytes(word: &[u8]) -> Option<&'static str> {
    if !may_be_key(word) {
        return None;
    }
    let mut slot = slot_of(word);
    // The index is at most a quarter full, so an empty slot always ends the probe.
    for _ in 0..INDEX_SLOTS {
        let i = *INDEX.get(slot)?;
        if i == EMPTY_SLOT {
            return None;
        }
        let (key, value) = entry(usize::from(i));
        if key.as_bytes() == word {
            return Some(value);
        }
        slot = (slot + 1) & (INDEX_SLOTS - 1);
    }
    None
}

/// The standard Indonesian for a folded word, if it is slang or a regional word we know.
#[must_use]
pub fn standard_form(word: &str) -> Option<&'static str> {
    standard_form_of_bytes(word.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_are_sorted_and_unique_so_binary_search_works() {
        for table in [SLANG, REGIONAL] {
            for pair in table.windows(2) {
                assert!(
                    pair[0].0 < pair[1].0,
                    "{} must come before {}",
                    pair[0].0,
                    pair[1].0
                );
            }
        }
    }

    #[test]
    fn no_key_is_in_both_tables() {
        for (k, _) in REGIONAL {
            assert!(lookup(SLANG, k).is_none(), "{k} is in both tables");
        }
    }

    #[test]
    fn targets_are_never_keys_so_mapping_is_idempotent() {
        for (_, target) in SLANG.iter().chain(REGIONAL) {
            for word in target.split(' ') {
                assert!(
                    standard_form(word).is_none(),
                    "target word {word} is itself a key"
                );
            }
        }
    }

    #[test]
    fn the_index_finds_every_key_and_agrees_with_the_tables() {
        for (k, v) in SLANG.iter().chain(REGIONAL) {
            assert_eq!(standard_form(k), Some(*v), "{k}");
        }
        for word in ["", "b", "bg", "bgtt", "pelayanan", "iki'", "zzzzzz"] {
            assert_eq!(
                standard_form(word),
                lookup(SLANG, word).or_else(|| lookup(REGIONAL, word))
            );
        }
    }

    #[test]
    fn lookups() {
        assert_eq!(standard_form("bgt"), Some("banget"));
        assert_eq!(standard_form("iki"), Some("ini"));
        assert_eq!(standard_form("sengko'"), Some("saya"));
        assert_eq!(standard_form("jancuk"), None, "profanity stays visible");
        assert_eq!(standard_form("pelayanan"), None);
    }
}
