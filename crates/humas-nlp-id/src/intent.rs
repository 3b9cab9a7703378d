//! Category suggestion: which SP4N-LAPOR! category a public comment most likely belongs to.
//!
//! The category sets the response deadline (information request and complaint 5 working days,
//! a dispute 14, a case needing a field check 60), so an operator benefits from a first guess
//! while reading. These are transparent rules, not a trained model: an operator can see why a
//! message was suggested as a field check (it names a road and says it is broken), and a
//! wrong guess costs one click. The operator's category always wins over the suggestion.
//!
//! How it works: every word (and its stem, so `kerusakan` counts as `rusak`) and every short
//! phrase found in a table of cues adds a weight to one category; a question mark counts for
//! an information request. The strongest actionable category wins when it reaches
//! [`MIN_SCORE`] and beats the praise and chatter cues; otherwise the message is not
//! actionable. Praise cues right after a negator (`tidak ramah`) do not count as praise.
//!
//! Input is normalised words, as [`crate::normalize`] writes them, split on whitespace:
//!
//! ```
//! use humas_nlp_id::{intent::{suggest, Intent}, normalize};
//! let words = |s: &str| normalize(s).split_whitespace().map(str::to_owned).collect::<Vec<_>>();
//! let ask = |s: &str| {
//!     let w = words(s);
//!     suggest(&w.iter().map(String::as_str).collect::<Vec<_>>())
//! };
//! assert_eq!(ask("Dalane bubrah pol, akeh bolongan"), Intent::FieldCheck);
//! assert_eq!(ask("Min, syarat bikin KTP apa aja?"), Intent::InformationRequest);
//! assert_eq!(ask("Mantap pak, terus berkarya"), Intent::NotActionable);
//! ```

use crate::stem::stem;

/// A suggested category. Mirrors the domain's SP4N-LAPOR! categories without depending on
/// them (this crate stands alone).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Intent {
    /// Asks about a procedure, requirement, schedule, place or cost.
    InformationRequest,
    /// Dissatisfaction with a service: slow, unanswered, rude, broken online service.
    Complaint,
    /// A dispute or violation that needs no site visit: illegal fees, bribes, dismissal,
    /// unpaid wages, discrimination, land disputes, fraud in an official's name.
    Dispute,
    /// A physical problem someone must go and look at: damaged roads, floods, dead street
    /// lights, piled-up rubbish, fallen trees, blocked drains, broken bridges.
    FieldCheck,
    /// Nothing to act on: praise, thanks, greetings, chatter, news, promotion.
    NotActionable,
}

impl Intent {
    /// Every intent, in a fixed order (used for per-class reports).
    pub const ALL: [Self; 5] = [
        Self::InformationRequest,
        Self::Complaint,
        Self::Dispute,
        Self::FieldCheck,
        Self::NotActionable,
    ];

    /// The stable lowercase name, the same as the domain category's.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::InformationRequest => "information_request",
            Self::Complaint => "complaint",
            Self::Dispute => "dispute",
            Self::FieldCheck => "field_check",
            Self::NotActionable => "not_actionable",
        }
    }

    /// Parses [`Intent::as_str`] names.
    #[must_use]
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|i| i.as_str() == name)
    }

    const fn index(self) -> usize {
        match self {
            Self::InformationRequest => 0,
            Self::Complaint => 1,
            Self::Dispute => 2,
            Self::FieldCheck => 3,
            Self::NotActionable => 4,
        }
    }
}

/// The score an actionable category needs before it is suggested: one strong cue (`pungli`,
/// `banjir`, `syarat`) or two weak ones (`jalan` + `rusak`).
pub const MIN_SCORE: u16 = 3;

/// Weight of a `?` for an information request: a question is enough on its own ("ada
/// program pemutihan tahun ini?"), but many complaints are questions too ("kok belum
/// dibalas?"), and on a tie the complaint wins.
const QUESTION_WEIGHT: u16 = 3;

/// The suggested category for a message given as normalised words.
#[must_use]
pub fn suggest(words: &[&str]) -> Intent {
    let scores = score(words);
    decide(&scores)
}

/// Cue weights per category, indexed like [`Intent::ALL`].
#[must_use]
pub fn score(words: &[&str]) -> [u16; 5] {
    let mut scores = [0_u16; 5];
    let local: Vec<&str> = words.iter().map(|w| local_form(w)).collect();
    for i in 0..local.len() {
        let negated = i > 0 && is_negator(local[i - 1]);
        if local[i] == "?" {
            add(&mut scores, Intent::InformationRequest, QUESTION_WEIGHT);
        }
        for cue in cues_at(&local, i) {
            if negated && cue.intent == Intent::NotActionable {
                continue;
            }
            add(&mut scores, cue.intent, cue.weight);
        }
    }
    scores
}

fn add(scores: &mut [u16; 5], intent: Intent, weight: u16) {
    let slot = &mut scores[intent.index()];
    *slot = slot.saturating_add(weight);
}

/// The strongest actionable category (ties go to the one with the longer deadline, which
/// is the safer mistake: a dispute read as a complaint would be judged too early), unless it
/// is too weak or praise outweighs it.
fn decide(scores: &[u16; 5]) -> Intent {
    let order = [
        Intent::FieldCheck,
        Intent::Dispute,
        Intent::Complaint,
        Intent::InformationRequest,
    ];
    let mut best = Intent::NotActionable;
    let mut best_score = 0;
    for intent in order {
        let s = scores[intent.index()];
        if s > best_score {
            best = intent;
            best_score = s;
        }
    }
    if best_score < MIN_SCORE || scores[Intent::NotActionable.index()] >= best_score {
        Intent::NotActionable
    } else {
        best
    }
}

fn is_negator(word: &str) -> bool {
    matches!(word, "tidak" | "belum" | "bukan" | "kurang" | "tanpa")
}

/// A cue: a word or a phrase of words separated by one space, its category and weight.
#[derive(Clone, Copy, Debug)]
struct Cue {
    key: &'static str,
    intent: Intent,
    weight: u16,
}

/// Cues starting at word `i`: phrases and the word itself, else the word's stem.
fn cues_at<'a>(words: &'a [&'a str], i: usize) -> impl Iterator<Item = Cue> + 'a {
    let word = words[i];
    let start = CUES.partition_point(|c| c.key < word);
    let by_word = CUES[start..]
        .iter()
        .take_while(move |c| c.key.starts_with(word))
        .filter(move |c| phrase_at(c.key, words, i))
        .copied();
    let root = stem(word);
    let word_is_cue = CUES.binary_search_by(|c| c.key.cmp(word)).is_ok();
    let by_stem = (root != word && !word_is_cue)
        .then(|| CUES.binary_search_by(|c| c.key.cmp(&root)).ok())
        .flatten()
        .map(|at| CUES[at]);
    by_word.chain(by_stem)
}

/// Whether `key` (one or more words) is found at `words[i..]`.
fn phrase_at(key: &str, words: &[&str], i: usize) -> bool {
    let mut parts = key.split(' ');
    let mut at = i;
    parts.all(|part| {
        let ok = words.get(at).is_some_and(|w| *w == part);
        at += 1;
        ok
    })
}

/// Javanese, Madurese and spoken forms the shared lexicon leaves as typed, mapped to the
/// word the cue table uses. Kept here because they matter for this decision only.
fn local_form(word: &str) -> &str {
    match word {
        "pripun" => "bagaimana",
        "carane" | "caranya" => "cara",
        "syarate" | "syaratnya" => "syarat",
        "infone" | "infonya" | "informasine" => "info",
        "wonten" | "bedeh" => "ada",
        "abit" => "lama",
        "udan" => "hujan",
        "dalane" => "jalan",
        "bolongan" | "bolong" => "lubang",
        "didandani" => "diperbaiki",
        "ngantos" => "menunggu",
        "ambles" => "amblas",
        // "Someday", not "when": `kapan-kapan main ke malang` asks nothing.
        "kapan-kapan" => "nanti",
        "telpon" | "telfon" => "telepon",
        "antre" | "antri" => "antrian",
        "dibales" => "dibalas",
        "direspon" | "respons" => "respon",
        other => other,
    }
}

macro_rules! cues {
    ($($intent:ident $weight:literal: $($key:literal),+;)+) => {
        &[$($(Cue { key: $key, intent: Intent::$intent, weight: $weight },)+)+]
    };
}

/// Unsorted source of the cue table, grouped by category and weight for reading; [`CUES`]
/// is the same list sorted by key (a test checks they agree).
const CUE_SOURCE: &[Cue] = cues! {
    InformationRequest 3: "apa saja", "apakah", "bagaimana", "berapa", "cara", "kapan",
        "mohon info", "prosedur", "syarat", "persyaratan", "tanya", "infokan";
    InformationRequest 2: "alamat", "biaya", "daftar", "info", "kuota",
        "link", "lokasi", "lowongan", "loker", "mana", "nomor", "tarif", "di mana";
    InformationRequest 1: "apa", "buka", "dokumen", "jadwal", "dibuka", "informasi", "jam", "siapa", "bedanya";

    Complaint 4: "belum jadi", "dicuekin", "dipersulit", "dipingpong", "tidak ramah",
        "tidak sopan", "kurang ramah", "tidak pernah", "tidak diproses", "tidak membantu",
        "tidak ada kejelasan", "tidak ada tanggapan", "tidak ada jawaban", "tidak ada kabar";
    Complaint 3: "abai", "bentak", "berbelit", "berbelit-belit", "belit", "cuek", "judes",
        "kecewa", "ketus", "lamban", "lambat", "lelet", "lemot", "oper", "dioper-oper",
        "semrawut", "belum ada", "tidak jelas", "lewat batas", "tidak aktif", "komplain",
        "lama sekali", "lama banget", "kurang paham", "tidak paham", "masih diproses",
        "tidak datang";
    Complaint 2: "balas", "angkat", "bolak-balik", "buruk", "down", "error", "gagal",
        "janji", "jelek", "kasar", "kok", "marah", "offline", "respon", "tanggap", "telat",
        "terlambat", "hapus", "tidak bisa", "main hp", "padahal", "bingung", "tidak memberi",
        "baru datang", "berbulan-bulan";
    Complaint 1: "antrian", "jawab", "kenapa", "lama", "layan", "lempar", "menunggu",
        "petugas", "sibuk", "tunggu", "tutup", "hilang", "bot", "ngladeni", "tidur",
        "sulit", "telepon", "admin", "pegawai", "terus", "seharian", "suruh";

    Dispute 4: "calo", "diskriminasi", "gratifikasi", "korupsi", "manipulasi", "nepotisme",
        "pecat", "pelicin", "percaloan", "peras", "pesangon", "phk", "pungli", "sengketa",
        "serobot", "suap", "tipu", "diselewengkan", "menyalahgunakan", "minta uang",
        "meminta uang", "dimintai uang", "tidak dibayar", "sumbangan wajib",
        "permainan uang", "tidak tepat sasaran", "diberhentikan", "mengatasnamakan";
    Dispute 3: "pungut", "pungutan", "kroni", "titipan", "pilih kasih", "oknum", "sepihak",
        "setor", "setoran", "umk", "paksa", "tidak resmi", "mark", "tidak transparan",
        "belum dibayar", "tanpa dibayar", "jual beli", "menahan", "ditahan", "potong",
        "belum menyerahkan";
    Dispute 2: "duga", "gaji", "jatah", "lembur", "thr", "upah", "dobel", "preman", "coret",
        "fitnah", "dimintai", "ganda", "larang", "kompensasi", "tanpa alasan", "sumbangan",
        "dana desa", "kas desa", "pembebasan lahan", "digaji", "tidak didaftarkan",
        "disabilitas", "difabel";
    Dispute 1: "iuran", "uang", "ijazah", "klaim", "tanah", "lahan", "jual", "ditolak",
        "serikat", "mengaku", "diatur", "lunas";

    FieldCheck 4: "ambrol", "amblas", "banjir", "jebol", "longsor", "mampet", "tumbang",
        "sumbat", "tersumbat", "pju", "puting beliung";
    FieldCheck 3: "ambruk", "bocor", "genangan", "genang", "limbah", "lubang", "lapuk",
        "padam", "polusi", "retak", "roboh", "rendam", "cemar", "tercemar", "juntai",
        "kelupas", "mengelupas", "bergelombang", "terperosok", "rawan kecelakaan",
        "makan korban", "lampu jalan", "penerangan jalan";
    FieldCheck 2: "rusak", "aspal", "drainase", "gorong-gorong", "irigasi", "marka",
        "rambu", "sampah", "selokan", "tanggul", "tps", "tpa", "trotoar", "bau", "busuk",
        "becek", "lumpur", "luber", "meluber", "mati", "miring", "pudar", "condong", "keruh",
        "kekeringan", "eceng", "jentik", "rob", "tumpuk", "menumpuk", "tumpukan",
        "muncrat", "pintu air", "lampu lalu lintas", "traffic light", "gelombang", "curi";
    FieldCheck 1: "jalan", "jembatan", "lampu", "saluran", "got", "sungai", "kali",
        "pohon", "tiang", "kabel", "pipa", "atap", "gedung", "bangunan", "underpass",
        "dermaga", "sumur", "reklame", "pagar", "debu", "hujan", "kering", "nyamuk",
        "gelap", "putus", "diterjang", "air bersih", "tidak berfungsi";

    NotActionable 4: "terima kasih", "cepat tanggap", "sudah diperbaiki", "sudah surut",
        "lekas pulih", "link bio", "good job", "mohon maaf lahir batin", "luar biasa";
    NotActionable 3: "aamiin", "amin", "bangga", "haha", "hadir", "keren", "lucu", "mantap",
        "menyimak", "simak", "salam", "salut", "selamat", "semangat", "sukses", "wkwk",
        "terbaik", "pertamax", "sakalangkong", "meresmikan", "sudah selesai", "baru tahu";
    NotActionable 2: "bagus", "berkah", "bermanfaat", "manfaat", "cakep", "doa", "doakan",
        "dukung", "follow", "indah", "kangen", "lanjutkan", "mulus", "promo", "ramah",
        "sehat", "semoga", "setuju", "surut", "top", "alhamdulillah", "berkarya", "karya",
        "berita", "mampir", "menyala", "bahagia", "gaskeun", "like", "markotop",
        "penghargaan", "nonton", "pulih", "sugeng", "hari jadi";
    NotActionable 1: "ayo", "yuk", "siap", "maju", "share", "gaes", "good", "laksanakan",
        "enjing";
};

/// [`CUE_SOURCE`] sorted by key, so lookups are binary searches. Written out by
/// `sorted_cues` at compile time.
static CUES: &[Cue] = &sorted_cues::<{ CUE_SOURCE.len() }>();

/// Sorts the cue table in a `const` context (insertion sort over a few hundred entries).
const fn sorted_cues<const N: usize>() -> [Cue; N] {
    let mut out = [Cue {
        key: "",
        intent: Intent::NotActionable,
        weight: 0,
    }; N];
    let mut i = 0;
    while i < N {
        out[i] = CUE_SOURCE[i];
        let mut j = i;
        while j > 0 && key_less(out[j].key, out[j - 1].key) {
            let tmp = out[j];
            out[j] = out[j - 1];
            out[j - 1] = tmp;
            j -= 1;
        }
        i += 1;
    }
    out
}

/// Byte-wise `a < b`, usable in `const fn`.
const fn key_less(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let mut i = 0;
    while i < a.len() && i < b.len() {
        if a[i] != b[i] {
            return a[i] < b[i];
        }
        i += 1;
    }
    a.len() < b.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cue_table_is_sorted_unique_and_lower_case() {
        assert_eq!(CUES.len(), CUE_SOURCE.len());
        assert!(
            CUES.windows(2).all(|w| w[0].key < w[1].key),
            "duplicate or unsorted key"
        );
        for cue in CUES {
            assert!(!cue.key.is_empty() && cue.weight > 0);
            assert_eq!(cue.key, cue.key.to_lowercase());
            assert!(!cue.key.contains("  ") && cue.key.trim() == cue.key);
        }
    }

    fn ask(text: &str) -> Intent {
        let normal = crate::normalize(text);
        let words: Vec<&str> = normal.split_whitespace().collect();
        suggest(&words)
    }

    #[test]
    fn one_example_per_category() {
        assert_eq!(
            ask("Kapan jadwal vaksin di puskesmas?"),
            Intent::InformationRequest
        );
        assert_eq!(
            ask("Sudah seminggu chat tidak pernah dibalas"),
            Intent::Complaint
        );
        assert_eq!(ask("Ada pungli waktu ngurus KK"), Intent::Dispute);
        assert_eq!(ask("Jalan berlubang di depan pasar"), Intent::FieldCheck);
        assert_eq!(ask("Mantap, terima kasih pak"), Intent::NotActionable);
    }

    #[test]
    fn negated_praise_is_not_praise() {
        assert_eq!(ask("petugasnya tidak ramah"), Intent::Complaint);
        assert_eq!(
            ask("petugasnya ramah sekali, mantap"),
            Intent::NotActionable
        );
    }

    #[test]
    fn weak_or_no_cues_are_not_actionable() {
        assert_eq!(suggest(&[]), Intent::NotActionable);
        assert_eq!(ask("jalan"), Intent::NotActionable);
        assert_eq!(ask("???"), Intent::InformationRequest);
        assert_eq!(ask("xyz qwerty"), Intent::NotActionable);
    }

    #[test]
    fn stems_count_as_their_root() {
        // `kerusakan` → `rusak`, `dipecat` → `pecat`.
        assert_eq!(score(&["kerusakan"])[Intent::FieldCheck.index()], 2);
        assert_eq!(ask("saya dipecat"), Intent::Dispute);
    }

    #[test]
    fn names_round_trip() {
        for i in Intent::ALL {
            assert_eq!(Intent::from_name(i.as_str()), Some(i));
        }
        assert_eq!(Intent::from_name("other"), None);
    }
}
