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

fn lookup(table: &'static [(&'static str, &'static str)], word: &str) -> Option<&'static str> {
    table
        .binary_search_by(|(k, _)| (*k).cmp(word))
        .ok()
        .and_then(|i| table.get(i))
        .map(|(_, v)| *v)
}

/// The standard Indonesian for a folded word, if it is slang or a regional word we know.
#[must_use]
pub fn standard_form(word: &str) -> Option<&'static str> {
    lookup(SLANG, word).or_else(|| lookup(REGIONAL, word))
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
    fn lookups() {
        assert_eq!(standard_form("bgt"), Some("banget"));
        assert_eq!(standard_form("iki"), Some("ini"));
        assert_eq!(standard_form("sengko'"), Some("saya"));
        assert_eq!(standard_form("jancuk"), None, "profanity stays visible");
        assert_eq!(standard_form("pelayanan"), None);
    }
}
