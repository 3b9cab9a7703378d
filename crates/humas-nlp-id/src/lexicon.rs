//! Our own word lists: Indonesian slang and abbreviations, and frequent Javanese (including
//! Suroboyoan) and Madurese words, each mapped to standard Indonesian.
//!
//! Written by this team from knowledge of the languages; the lexicons in the shared data folder
//! are only for comparison. Every target is standard Indonesian and never itself a key, so
//! normalising twice changes nothing (a test checks it).

/// Slang, alay spellings and chat abbreviations → standard Indonesian. Sorted by key.
///
/// Choices worth knowing:
/// - negators all become `tidak`, first-person `gw`/`gue`/`gua`/`w`/`ane` become `saya` and
///   `aq`/`ak` become `aku`; `lu`/`lo`/`elu`/`ente`/`u` become `kamu`;
/// - profanity is never mapped away, only its spelling variants are folded onto one canonical
///   spelling (`ajg`/`anjg` → `anjing`, `bgst` → `bangsat`, `gblk` → `goblok`), so the abuse
///   classifier sees one word instead of five; the softened forms `anjir`, `anjay`, `anjrit`
///   are milder in use and stay as typed;
/// - left out because they are ordinary words or too ambiguous to map: `buat` (make/for),
///   `km` (kamu/kilometre), `smp`/`sma` (school levels), `gg` (gang/"good game"), `bt`, `k`,
///   `g`, `pk`;
/// - laughter is folded to one spelling per family (`hahaha` → `haha`, `wkwkwk` → `wkwk`).
const SLANG: &[(&str, &str)] = &[
    ("aj", "saja"),
    ("aja", "saja"),
    ("ajah", "saja"),
    ("ajg", "anjing"),
    ("ak", "aku"),
    ("ama", "sama"),
    ("ancur", "hancur"),
    ("anjg", "anjing"),
    ("anjink", "anjing"),
    ("apaan", "apa"),
    ("aq", "aku"),
    ("ato", "atau"),
    ("atw", "atau"),
    ("bales", "balas"),
    ("baper", "bawa perasaan"),
    ("bareng", "bersama"),
    ("bct", "bacot"),
    ("belom", "belum"),
    ("bener", "benar"),
    ("beneran", "sungguhan"),
    ("bentar", "sebentar"),
    ("bet", "banget"),
    ("bete", "kesal"),
    ("bgd", "banget"),
    ("bgini", "begini"),
    ("bgitu", "begitu"),
    ("bgmn", "bagaimana"),
    ("bgs", "bagus"),
    ("bgst", "bangsat"),
    ("bgt", "banget"),
    ("bgtt", "banget"),
    ("bgus", "bagus"),
    ("bikin", "membuat"),
    ("bkin", "membuat"),
    ("bkn", "bukan"),
    ("blg", "bilang"),
    ("blkg", "belakang"),
    ("blm", "belum"),
    ("bln", "bulan"),
    ("blom", "belum"),
    ("blum", "belum"),
    ("bner", "benar"),
    ("bngst", "bangsat"),
    ("bngt", "banget"),
    ("bngung", "bingung"),
    ("bnr", "benar"),
    ("bntr", "sebentar"),
    ("bnyak", "banyak"),
    ("bnyk", "banyak"),
    ("bokap", "ayah"),
    ("bpk", "bapak"),
    ("brapa", "berapa"),
    ("brgsk", "brengsek"),
    ("brp", "berapa"),
    ("bs", "bisa"),
    ("bsa", "bisa"),
    ("bsk", "besok"),
    ("bsok", "besok"),
    ("bwt", "buat"),
    ("byk", "banyak"),
    ("byr", "bayar"),
    ("cape", "capek"),
    ("cepet", "cepat"),
    ("cewe", "perempuan"),
    ("cewek", "perempuan"),
    ("cm", "hanya"),
    ("cman", "hanya"),
    ("cowo", "pria"),
    ("cowok", "pria"),
    ("cpk", "capek"),
    ("cpt", "cepat"),
    ("cuma", "hanya"),
    ("cuman", "hanya"),
    ("d", "di"),
    ("dah", "sudah"),
    ("dapet", "dapat"),
    ("dateng", "datang"),
    ("denger", "dengar"),
    ("dg", "dengan"),
    ("dgn", "dengan"),
    ("dgr", "dengar"),
    ("dibales", "dibalas"),
    ("dikit", "sedikit"),
    ("dimana", "di mana"),
    ("dimn", "di mana"),
    ("dll", "dan lain lain"),
    ("dlm", "dalam"),
    ("dmana", "di mana"),
    ("dmn", "di mana"),
    ("dmna", "di mana"),
    ("dng", "dengan"),
    ("doang", "saja"),
    ("doi", "dia"),
    ("dok", "dokter"),
    ("dpn", "depan"),
    ("dpt", "dapat"),
    ("dr", "dari"),
    ("drmn", "dari mana"),
    ("dsb", "dan sebagainya"),
    ("dst", "dan seterusnya"),
    ("dtg", "datang"),
    ("dtk", "detik"),
    ("duit", "uang"),
    ("dy", "dia"),
    ("elo", "kamu"),
    ("elu", "kamu"),
    ("emang", "memang"),
    ("emg", "memang"),
    ("engga", "tidak"),
    ("enggak", "tidak"),
    ("ente", "kamu"),
    ("ga", "tidak"),
    ("gaada", "tidak ada"),
    ("gabisa", "tidak bisa"),
    ("gaboleh", "tidak boleh"),
    ("gag", "tidak"),
    ("gajelas", "tidak jelas"),
    ("gak", "tidak"),
    ("gamau", "tidak mau"),
    ("gan", "juragan"),
    ("gapapa", "tidak apa apa"),
    ("gatau", "tidak tahu"),
    ("gatw", "tidak tahu"),
    ("gausah", "tidak usah"),
    ("gblk", "goblok"),
    ("gede", "besar"),
    ("gimana", "bagaimana"),
    ("gini", "begini"),
    ("gitu", "begitu"),
    ("gk", "tidak"),
    ("gmana", "bagaimana"),
    ("gmn", "bagaimana"),
    ("gmna", "bagaimana"),
    ("gni", "begini"),
    ("goblog", "goblok"),
    ("gpapa", "tidak apa apa"),
    ("gpp", "tidak apa apa"),
    ("gt", "begitu"),
    ("gtu", "begitu"),
    ("gtw", "tidak tahu"),
    ("gua", "saya"),
    ("gue", "saya"),
    ("gw", "saya"),
    ("gx", "tidak"),
    ("hahaha", "haha"),
    ("hahahaha", "haha"),
    ("hr", "hari"),
    ("hrs", "harus"),
    ("hub", "hubungi"),
    ("ilang", "hilang"),
    ("iy", "iya"),
    ("jd", "jadi"),
    ("jdi", "jadi"),
    ("jg", "juga"),
    ("jga", "juga"),
    ("jgn", "jangan"),
    ("jl", "jalan"),
    ("jlek", "jelek"),
    ("jln", "jalan"),
    ("jm", "jam"),
    ("jngn", "jangan"),
    ("kab", "kabupaten"),
    ("kaga", "tidak"),
    ("kagak", "tidak"),
    ("kak", "kakak"),
    ("kalean", "kalian"),
    ("kalo", "kalau"),
    ("kalu", "kalau"),
    ("karna", "karena"),
    ("kayak", "seperti"),
    ("kayaknya", "sepertinya"),
    ("kcewa", "kecewa"),
    ("kcl", "kecil"),
    ("kec", "kecamatan"),
    ("kek", "seperti"),
    ("kel", "kelurahan"),
    ("kemana", "ke mana"),
    ("kemaren", "kemarin"),
    ("kenape", "kenapa"),
    ("kepo", "ingin tahu"),
    ("kgk", "tidak"),
    ("kl", "kalau"),
    ("klau", "kalau"),
    ("klian", "kalian"),
    ("klo", "kalau"),
    ("klr", "keluar"),
    ("klu", "kalau"),
    ("kluar", "keluar"),
    ("kmarin", "kemarin"),
    ("kmn", "ke mana"),
    ("kmren", "kemarin"),
    ("kmrn", "kemarin"),
    ("knapa", "kenapa"),
    ("knp", "kenapa"),
    ("knpa", "kenapa"),
    ("kntl", "kontol"),
    ("kntr", "kantor"),
    ("kpd", "kepada"),
    ("kpn", "kapan"),
    ("krena", "karena"),
    ("krg", "kurang"),
    ("krm", "kirim"),
    ("krn", "karena"),
    ("krna", "karena"),
    ("ksh", "kasih"),
    ("kyak", "seperti"),
    ("kyk", "seperti"),
    ("kyknya", "sepertinya"),
    ("laper", "lapar"),
    ("lbh", "lebih"),
    ("lebay", "berlebihan"),
    ("lg", "lagi"),
    ("lgi", "lagi"),
    ("lht", "lihat"),
    ("liat", "lihat"),
    ("lo", "kamu"),
    ("loe", "kamu"),
    ("lu", "kamu"),
    ("lw", "kamu"),
    ("lwt", "lewat"),
    ("maap", "maaf"),
    ("mager", "malas gerak"),
    ("makaci", "terima kasih"),
    ("makasi", "terima kasih"),
    ("makasih", "terima kasih"),
    ("males", "malas"),
    ("mantab", "mantap"),
    ("mantep", "mantap"),
    ("mantul", "mantap"),
    ("masi", "masih"),
    ("maw", "mau"),
    ("met", "selamat"),
    ("mf", "maaf"),
    ("mgg", "minggu"),
    ("mhl", "mahal"),
    ("mhn", "mohon"),
    ("mkasih", "terima kasih"),
    ("mksd", "maksud"),
    ("mksdnya", "maksudnya"),
    ("mksh", "terima kasih"),
    ("mlm", "malam"),
    ("mls", "malas"),
    ("mnt", "minta"),
    ("moga", "semoga"),
    ("mreka", "mereka"),
    ("mrh", "murah"),
    ("mrk", "mereka"),
    ("msh", "masih"),
    ("msk", "masuk"),
    ("mudah2an", "mudah mudahan"),
    ("mulu", "melulu"),
    ("mw", "mau"),
    ("nanya", "bertanya"),
    ("napa", "kenapa"),
    ("nape", "kenapa"),
    ("ngak", "tidak"),
    ("ngasih", "memberi"),
    ("ngga", "tidak"),
    ("nggak", "tidak"),
    ("nggk", "tidak"),
    ("ngk", "tidak"),
    ("ngurus", "mengurus"),
    ("nih", "ini"),
    ("nmr", "nomor"),
    ("ntar", "nanti"),
    ("nti", "nanti"),
    ("ntr", "nanti"),
    ("nunggu", "menunggu"),
    ("nyampe", "sampai"),
    ("nyari", "mencari"),
    ("nyokap", "ibu"),
    ("okay", "oke"),
    ("okeh", "oke"),
    ("olh", "oleh"),
    ("org", "orang"),
    ("orng", "orang"),
    ("ortu", "orang tua"),
    ("pake", "pakai"),
    ("pakek", "pakai"),
    ("pd", "pada"),
    ("pdhl", "padahal"),
    ("pengen", "ingin"),
    ("pengin", "ingin"),
    ("pgen", "ingin"),
    ("pgi", "pagi"),
    ("pgn", "ingin"),
    ("php", "pemberi harapan palsu"),
    ("pingin", "ingin"),
    ("pjbt", "pejabat"),
    ("qt", "kita"),
    ("qta", "kita"),
    ("rame", "ramai"),
    ("rmh", "rumah"),
    ("rs", "rumah sakit"),
    ("sampe", "sampai"),
    ("santuy", "santai"),
    ("sbb", "sebagai berikut"),
    ("sbg", "sebagai"),
    ("sblh", "sebelah"),
    ("sblm", "sebelum"),
    ("sbnrnya", "sebenarnya"),
    ("sdah", "sudah"),
    ("sdg", "sedang"),
    ("sdh", "sudah"),
    ("sdkt", "sedikit"),
    ("sdr", "saudara"),
    ("seneng", "senang"),
    ("serem", "seram"),
    ("sgt", "sangat"),
    ("sj", "saja"),
    ("sklh", "sekolah"),
    ("skr", "sekarang"),
    ("skrg", "sekarang"),
    ("skrng", "sekarang"),
    ("skt", "sakit"),
    ("slmt", "selamat"),
    ("sm", "sama"),
    ("smg", "semoga"),
    ("smua", "semua"),
    ("sodara", "saudara"),
    ("sprt", "seperti"),
    ("spt", "seperti"),
    ("spy", "supaya"),
    ("ssdh", "sesudah"),
    ("stlh", "setelah"),
    ("sy", "saya"),
    ("sya", "saya"),
    ("tau", "tahu"),
    ("td", "tadi"),
    ("tdak", "tidak"),
    ("tdi", "tadi"),
    ("tdk", "tidak"),
    ("telp", "telepon"),
    ("temen", "teman"),
    ("terimakasih", "terima kasih"),
    ("tetep", "tetap"),
    ("thn", "tahun"),
    ("thx", "terima kasih"),
    ("tkt", "takut"),
    ("tlg", "tolong"),
    ("tlp", "telepon"),
    ("tlpn", "telepon"),
    ("tmn", "teman"),
    ("tp", "tapi"),
    ("tpi", "tapi"),
    ("tq", "terima kasih"),
    ("trims", "terima kasih"),
    ("trmksh", "terima kasih"),
    ("trnyt", "ternyata"),
    ("trs", "terus"),
    ("trus", "terus"),
    ("tsb", "tersebut"),
    ("ttp", "tetap"),
    ("tuh", "itu"),
    ("tw", "tahu"),
    ("u", "kamu"),
    ("uda", "sudah"),
    ("udah", "sudah"),
    ("udeh", "sudah"),
    ("udh", "sudah"),
    ("untk", "untuk"),
    ("utk", "untuk"),
    ("w", "saya"),
    ("wkwkwk", "wkwk"),
    ("wkwkwkwk", "wkwk"),
    ("woles", "santai"),
    ("y", "ya"),
    ("yaa", "ya"),
    ("ybs", "yang bersangkutan"),
    ("yg", "yang"),
    ("yth", "yang terhormat"),
];

/// Javanese (Suroboyoan included) and Madurese words that carry meaning for sentiment and
/// requests → Indonesian. Profanity is deliberately *not* mapped: "jancuk" must stay visible
/// to the abuse classifier (its spellings `jancok`/`dancok` are folded onto it), and so do
/// Javanese insults (`asu`, `pekok`, `gendeng`). Words that are also everyday Indonesian with
/// another meaning are left out: `tak` (Javanese "I will", Indonesian "not"), Madurese `ta'`,
/// `teko` (come/teapot), `larang` (expensive/forbid), `angel` (hard), `mangga` (please/mango),
/// `mau` (Javanese "earlier"), `kesel` (tired/annoyed), and `okeh` (Suroboyoan "many") loses
/// to the slang `okeh` = `oke`. Sorted by key.
const REGIONAL: &[(&str, &str)] = &[
    ("adem", "sejuk"),
    ("adoh", "jauh"),
    ("ae", "saja"),
    ("akeh", "banyak"),
    ("amargi", "karena"),
    ("ambek", "dengan"),
    ("anyel", "kesal"),
    ("apik", "bagus"),
    ("arapa", "kenapa"),
    ("arek", "anak"),
    ("awakmu", "kamu"),
    ("ayu", "cantik"),
    ("banyu", "air"),
    ("be'en", "kamu"),
    ("bedeh", "ada"),
    ("bengko", "rumah"),
    ("berempa", "berapa"),
    ("bhender", "benar"),
    ("bocah", "anak"),
    ("bojo", "pasangan"),
    ("bubrah", "rusak"),
    ("cah", "anak"),
    ("cak", "kakak"),
    ("cedak", "dekat"),
    ("cedhak", "dekat"),
    ("cilik", "kecil"),
    ("dalan", "jalan"),
    ("dancok", "jancuk"),
    ("dereng", "belum"),
    ("dhimma", "mana"),
    ("dimma", "mana"),
    ("dudu", "bukan"),
    ("dulur", "saudara"),
    ("durung", "belum"),
    ("duwe", "punya"),
    ("duwit", "uang"),
    ("duwur", "tinggi"),
    ("elek", "jelek"),
    ("eling", "ingat"),
    ("ella", "sudah"),
    ("emoh", "tidak mau"),
    ("endi", "mana"),
    ("enggeh", "ya"),
    ("engko'", "saya"),
    ("engkok", "saya"),
    ("enjek", "tidak"),
    ("eruh", "tahu"),
    ("gedhe", "besar"),
    ("gelem", "mau"),
    ("ghi'", "masih"),
    ("gorong", "belum"),
    ("gurung", "belum"),
    ("iki", "ini"),
    ("iku", "itu"),
    ("iling", "ingat"),
    ("inggih", "ya"),
    ("isin", "malu"),
    ("iso", "bisa"),
    ("isok", "bisa"),
    ("iyo", "iya"),
    ("jaluk", "minta"),
    ("jancok", "jancuk"),
    ("jariya", "itu"),
    ("jupuk", "ambil"),
    ("ka'dinto", "ini"),
    ("kabeh", "semua"),
    ("kae", "itu"),
    ("kakeh", "kamu"),
    ("karo", "dengan"),
    ("kene", "sini"),
    ("kenopo", "kenapa"),
    ("kepingin", "ingin"),
    ("koen", "kamu"),
    ("konco", "teman"),
    ("kono", "sana"),
    ("kowe", "kamu"),
    ("koyo", "seperti"),
    ("koyok", "seperti"),
    ("krungu", "dengar"),
    ("kudu", "harus"),
    ("kuwi", "itu"),
    ("lakar", "memang"),
    ("lali", "lupa"),
    ("lanang", "pria"),
    ("lapo", "mengapa"),
    ("lara", "sakit"),
    ("liyane", "lainnya"),
    ("lungo", "pergi"),
    ("luwe", "lapar"),
    ("mangan", "makan"),
    ("mangkel", "kesal"),
    ("maturnuwun", "terima kasih"),
    ("matursuwun", "terima kasih"),
    ("mbayar", "bayar"),
    ("mbesuk", "besok"),
    ("mboten", "tidak"),
    ("mek", "hanya"),
    ("mergo", "karena"),
    ("metu", "keluar"),
    ("mlaku", "jalan"),
    ("mlayu", "lari"),
    ("mlebu", "masuk"),
    ("mole", "pulang"),
    ("monggo", "silakan"),
    ("mulih", "pulang"),
    ("mung", "hanya"),
    ("nanging", "tetapi"),
    ("ndak", "tidak"),
    ("ndelok", "melihat"),
    ("nesu", "marah"),
    ("ngakan", "makan"),
    ("ngelak", "haus"),
    ("ngendi", "mana"),
    ("ngene", "begini"),
    ("ngenteni", "menunggu"),
    ("ngerti", "mengerti"),
    ("nggawe", "membuat"),
    ("nggih", "ya"),
    ("ngombe", "minum"),
    ("ngono", "begitu"),
    ("ngopo", "mengapa"),
    ("ngunu", "begitu"),
    ("njaluk", "minta"),
    ("nopo", "apa"),
    ("nuwun", "terima kasih"),
    ("omah", "rumah"),
    ("ongghu", "sungguh"),
    ("opo", "apa"),
    ("ora", "tidak"),
    ("oreng", "orang"),
    ("panjenengan", "kamu"),
    ("peno", "kamu"),
    ("pinten", "berapa"),
    ("piro", "berapa"),
    ("pisan", "sekali"),
    ("piye", "bagaimana"),
    ("riko", "kamu"),
    ("saiki", "sekarang"),
    ("sampean", "kamu"),
    ("sampeyan", "kamu"),
    ("sampun", "sudah"),
    ("sanes", "bukan"),
    ("sego", "nasi"),
    ("seng", "yang"),
    ("sengko'", "saya"),
    ("sesuk", "besok"),
    ("sing", "yang"),
    ("sinten", "siapa"),
    ("sithik", "sedikit"),
    ("sitik", "sedikit"),
    ("sopo", "siapa"),
    ("sue", "lama"),
    ("suwe", "lama"),
    ("suwun", "terima kasih"),
    ("tadha'", "tidak ada"),
    ("tangi", "bangun"),
    ("tedung", "tidur"),
    ("tenan", "sungguh"),
    ("tok", "saja"),
    ("tonggo", "tetangga"),
    ("tuku", "beli"),
    ("tumbas", "beli"),
    ("turu", "tidur"),
    ("uga", "juga"),
    ("ugo", "juga"),
    ("umah", "rumah"),
    ("uwes", "sudah"),
    ("uwis", "sudah"),
    ("wadon", "perempuan"),
    ("wae", "saja"),
    ("wedok", "perempuan"),
    ("wegah", "tidak mau"),
    ("wes", "sudah"),
    ("wingi", "kemarin"),
    ("wis", "sudah"),
    ("wong", "orang"),
    ("yo", "ya"),
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
const INDEX_SLOTS: usize = 4096;
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
    fn tables_are_broad_enough_for_the_classifiers() {
        assert!(SLANG.len() >= 250, "{}", SLANG.len());
        assert!(REGIONAL.len() >= 100, "{}", REGIONAL.len());
    }

    #[test]
    fn lookups() {
        assert_eq!(standard_form("bgt"), Some("banget"));
        assert_eq!(standard_form("iki"), Some("ini"));
        assert_eq!(standard_form("sengko'"), Some("saya"));
        assert_eq!(standard_form("jancuk"), None, "profanity stays visible");
        assert_eq!(
            standard_form("jancok"),
            Some("jancuk"),
            "…under one spelling"
        );
        assert_eq!(standard_form("ajg"), Some("anjing"));
        for kept in ["anjir", "anjay", "tak", "ta'", "buat", "km", "asu", "teko"] {
            assert_eq!(standard_form(kept), None, "{kept} stays as typed");
        }
        assert_eq!(standard_form("gw"), Some("saya"));
        assert_eq!(standard_form("lu"), Some("kamu"));
        assert_eq!(standard_form("dimana"), Some("di mana"));
        assert_eq!(standard_form("pelayanan"), None);
    }
}
