//! Threats of violence: hand-written rules over normalised words.
//!
//! An operator must tell a real threat ("tak bakar kantormu", "bom aja gedung dprd",
//! "kepala dinasnya pantas digantung") apart from anger, hyperbole and idiom ("pelayanan bikin
//! mati kutu", "panasnya membunuh", "ini bom waktu"), news ("polisi tangkap pelaku
//! pembunuhan"), reports of violence suffered ("saya dipukul oknum"), negated statements
//! ("jangan bakar sampah") and plain abuse ("anjing lu"), which another classifier handles.
//!
//! **How.** A cheap scan looks for a violent stem in each word (bunuh, bakar, bom, bacok,
//! hajar, serbu, … with Indonesian, Jakarta-slang, Javanese and Madurese affixes, and a few
//! weapons). Most messages have none and cost a few comparisons per word without allocating.
//! For each stem found, the words around it are weighed as evidence and summed into a logit:
//!
//! * for a threat: the verb form (`kubunuh`, `tak pateni`, `bakarin`, `gepuken` are said by
//!   the speaker or are commands; `membunuh` describes; `dibunuh` reports; `pembunuhan`,
//!   `terbakar` name an event), a first-person agent, future or intent words (`akan`, `awas`,
//!   `besok`, `siap`), a call to act (`ayo`, `… aja`, a bare verb opening the message, `pantas
//!   dibunuh`), a target (`kowe`, `-mu`, `bupati`, `kantor`, `gedung`), an instrument
//!   (`bensin`, `batu`), the verb repeated ("bakar! bakar!").
//! * against: negation just before (`jangan`, `tidak akan`, `ojo`), news and past-time words
//!   (`pelaku`, `korban`, `diduga`, `kemarin`), asking for help or reporting a threat received
//!   (`tolong`, `lapor`, `diancam`), legal punishment (`dihukum`, `pengadilan`), sport and
//!   fiction (`tim`, `film`), a simile (`kayak habis dibom`), the speaker as victim (`saya
//!   dipukul`, `nembak aku`).
//!
//! Idioms (`bom waktu`, `bahan bakar`, `ayam bakar`, `membunuh waktu`, `pukul 10`, `sim
//! tembak`, `serbu promo`) drop the cue. Some verbs need more than themselves: storming verbs
//! (`serbu`, `serang`, `geruduk`) need a person or an official place as target, `siram` needs
//! `air keras` or `bensin`, `ratakan` needs `dengan tanah`, `lempar` needs something to throw.
//!
//! The logistic of the logit is the score: with the weights below a bare verb with no
//! evidence scores about 0.2 to 0.3, each strong piece of evidence moves it by roughly one logit, and
//! [`Threat::label`] is `score >= 0.5`. The weights were set by hand on our own development
//! sentences (`tests/data/threat-dev.tsv`); `tests/threat.rs` reports how they do on sentences
//! held out from that work and on public text.
//!
//! **Self-harm** ("pengen bunuh diri", "gantung diri", "mending saya mati aja") is not a
//! threat to others: it never sets the label, but [`Threat::self_harm`] flags it so an operator
//! can route the message to help instead.
//!
//! **Javanese `tak`.** In Javanese `tak` before a verb means "I (will)": "tak pateni" is "I'll
//! kill (you)". In Indonesian `tak` means "not". Before a violent stem this module reads `tak`
//! the Javanese way, also when an upstream lexicon has already turned it into `tidak` in front
//! of a stem only Javanese uses (`tidak pateni`). [`assess_text`] passes the raw `tak` through.

use serde::Serialize;

use crate::tokens::{TokenKind, tokenize};

/// What kind of violence a cue threatens.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ThreatKind {
    /// Killing: bunuh, habisi, bantai, gorok, penggal, gantung, pateni, carok.
    Kill,
    /// Shooting: tembak, bedhil.
    Shoot,
    /// Stabbing or hacking: tusuk, tikam, bacok.
    Stab,
    /// Arson: bakar, obong.
    Burn,
    /// Bombing: bom, ledakkan, molotov.
    Bomb,
    /// Beating: hajar, pukul, gebuk, keroyok, antem, gepuk, jotos.
    Beat,
    /// Storming or attacking a place or group: serbu, serang, geruduk, lempari.
    Attack,
    /// Kidnapping or hostage taking: culik, sandera.
    Kidnap,
    /// Throwing acid: siram air keras.
    Acid,
    /// Bringing a weapon: golok, clurit, parang, pistol.
    Weapon,
}

/// The word that carries the threat.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct ThreatCue {
    /// The kind of violence.
    pub kind: ThreatKind,
    /// Index into the assessed words of the violent verb (or weapon).
    pub word_index: usize,
}

/// The verdict on one message.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Threat {
    /// Whether this reads as a threat of violence: `score >= 0.5`.
    pub label: bool,
    /// Confidence in `0.0..=1.0` that it is a threat; 0 when no violent word was found.
    pub score: f32,
    /// The strongest violent cue, when there was one (also when it did not reach the label).
    pub cue: Option<ThreatCue>,
    /// The message talks of harming oneself ("bunuh diri"): not a threat, but worth help.
    pub self_harm: bool,
}

impl Threat {
    /// Nothing violent found.
    const NONE: Self = Self {
        label: false,
        score: 0.0,
        cue: None,
        self_harm: false,
    };
}

/// Assesses the normalised words of one message (see the module documentation).
///
/// Words are what [`crate::tokenize`] gives for word and number tokens, each `norm` split on
/// spaces. Any input is accepted; nothing here panics or allocates.
#[must_use]
pub fn assess(words: &[&str]) -> Threat {
    let mut best = Threat::NONE;
    let mut best_logit = f32::NEG_INFINITY;
    // Evidence from the whole message, read once and only if some cue needs it.
    let mut setting: Option<f32> = None;
    for (i, word) in words.iter().enumerate() {
        let Some(found) = find_cue(words, i, word) else {
            continue;
        };
        match weigh(words, i, found, &mut setting) {
            Weighed::Logit(z) if z > best_logit => {
                best_logit = z;
                best.cue = Some(ThreatCue {
                    kind: found.stem.kind,
                    word_index: i,
                });
            }
            Weighed::SelfHarm => best.self_harm = true,
            Weighed::Logit(_) | Weighed::Dropped => {}
        }
    }
    if best.cue.is_some() {
        best.score = logistic(best_logit);
        best.label = best.score >= 0.5;
    }
    best.self_harm |= wishes_own_death(words);
    best
}

/// Tokenises `text` and assesses its words; for callers and tests without tokens.
#[must_use]
pub fn assess_text(text: &str) -> Threat {
    let tokens = tokenize(text);
    let mut words: Vec<&str> = Vec::with_capacity(tokens.len() + 4);
    for t in &tokens {
        if !matches!(t.kind, TokenKind::Word | TokenKind::Number) {
            continue;
        }
        let raw = text.get(t.start..t.end).unwrap_or("");
        if let Some(agent) = javanese_agent(raw) {
            words.push(agent);
        } else {
            words.extend(t.norm.split(' '));
        }
    }
    assess(&words)
}

/// The Javanese first-person marker as typed, which a lexicon may read as "not".
fn javanese_agent(raw: &str) -> Option<&'static str> {
    if raw.eq_ignore_ascii_case("tak") {
        Some("tak")
    } else if raw.eq_ignore_ascii_case("dak") {
        Some("dak")
    } else {
        None
    }
}

/// Confusion counts of the rules against labelled examples.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Scores {
    /// Threats flagged.
    pub tp: usize,
    /// Non-threats flagged.
    pub fp: usize,
    /// Threats missed.
    pub fn_: usize,
    /// Non-threats left alone.
    pub tn: usize,
}

impl Scores {
    /// Of the flagged, the share that are threats (0 when nothing was flagged).
    #[must_use]
    pub fn precision(&self) -> f64 {
        ratio(self.tp, self.tp + self.fp)
    }

    /// Of the threats, the share flagged (0 when there were none).
    #[must_use]
    pub fn recall(&self) -> f64 {
        ratio(self.tp, self.tp + self.fn_)
    }

    /// Harmonic mean of precision and recall.
    #[must_use]
    pub fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }
}

#[allow(clippy::cast_precision_loss, reason = "counts are far below 2^52")]
fn ratio(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

/// Runs [`assess_text`] on `(is_threat, text)` examples and counts agreements.
#[must_use]
pub fn evaluate(examples: &[(bool, &str)]) -> Scores {
    let mut s = Scores::default();
    for &(truth, text) in examples {
        match (truth, assess_text(text).label) {
            (true, true) => s.tp += 1,
            (false, true) => s.fp += 1,
            (true, false) => s.fn_ += 1,
            (false, false) => s.tn += 1,
        }
    }
    s
}

// ---------------------------------------------------------------------------------------------
// Violent stems.
// ---------------------------------------------------------------------------------------------

/// What a stem needs around it before it counts at all.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Need {
    Nothing,
    /// A person or an official place: "serbu pasar murah" is shopping, "serbu kantor" is not.
    Target,
    /// `air keras` or `bensin`: "siram tanaman" is gardening.
    Corrosive,
    /// `tanah`: "ratakan jalan" is a road repair request, "ratakan dengan tanah" is razing.
    Razing,
    /// Something thrown: "lempar sampah" is littering, "lempar batu" is not.
    Missile,
    /// A weapon must be carried or held ("bawa golok", "pisau gw"): "pisau dapur" is not.
    Carried,
}

/// One violent stem as it appears after affixes are taken off.
#[derive(Clone, Copy, Debug)]
struct Stem {
    text: &'static str,
    kind: ThreatKind,
    /// How violent the word is by itself, in logits.
    strength: f32,
    need: Need,
    /// A nasalised active form (`nembak`, `mukul`, `nyerang`): describes rather than commands.
    nasal: bool,
    /// Only Javanese or Madurese use it, so a `tidak` before it is a mis-mapped `tak`.
    regional: bool,
}

const fn stem(text: &'static str, kind: ThreatKind, strength: f32) -> Stem {
    Stem {
        text,
        kind,
        strength,
        need: Need::Nothing,
        nasal: false,
        regional: false,
    }
}

const fn nasal(mut s: Stem) -> Stem {
    s.nasal = true;
    s
}

const fn regional(mut s: Stem) -> Stem {
    s.regional = true;
    s
}

const fn needs(mut s: Stem, need: Need) -> Stem {
    s.need = need;
    s
}

use ThreatKind::{Acid, Attack, Beat, Bomb, Burn, Kidnap, Kill, Shoot, Stab, Weapon};

/// Sorted by text (a test checks it) for binary search. Stems are at least three bytes long:
/// the prefilter hashes the last three.
const STEMS: &[Stem] = &[
    stem("abisi", Kill, 1.0),
    stem("abisin", Kill, 1.0),
    regional(stem("antem", Beat, 0.9)),
    needs(stem("arit", Weapon, 0.4), Need::Carried),
    stem("bacok", Stab, 1.3),
    stem("bakar", Burn, 0.9),
    stem("bantai", Kill, 1.4),
    regional(stem("bedhil", Shoot, 1.1)),
    regional(stem("bedil", Shoot, 1.1)),
    regional(stem("beleh", Kill, 1.3)),
    regional(stem("bogem", Beat, 0.9)),
    needs(stem("bom", Bomb, 1.3), Need::Target),
    needs(stem("bomb", Bomb, 1.3), Need::Target),
    stem("bumihanguskan", Burn, 1.2),
    stem("bunoh", Kill, 1.4),
    stem("bunuh", Kill, 1.4),
    regional(stem("carok", Kill, 1.2)),
    stem("cekik", Kill, 0.7),
    needs(stem("celurit", Weapon, 0.4), Need::Carried),
    stem("cincang", Kill, 1.3),
    needs(stem("clurit", Weapon, 0.4), Need::Carried),
    regional(stem("colok", Stab, 0.6)),
    stem("culik", Kidnap, 0.9),
    regional(stem("duruk", Burn, 0.9)),
    stem("gampar", Beat, 0.8),
    stem("gantung", Kill, 1.0),
    stem("gebuk", Beat, 0.9),
    regional(stem("gepuk", Beat, 0.9)),
    needs(stem("gerudug", Attack, 0.6), Need::Target),
    needs(stem("geruduk", Attack, 0.6), Need::Target),
    regional(stem("gibeng", Beat, 0.9)),
    needs(stem("golok", Weapon, 0.4), Need::Carried),
    stem("gorok", Kill, 1.4),
    needs(stem("grudug", Attack, 0.6), Need::Target),
    needs(stem("gruduk", Attack, 0.6), Need::Target),
    stem("habisi", Kill, 1.0),
    stem("habisin", Kill, 1.0),
    stem("hajar", Beat, 0.8),
    needs(stem("hancurin", Attack, 0.6), Need::Target),
    needs(stem("hancurkan", Attack, 0.6), Need::Target),
    stem("hanguskan", Burn, 1.0),
    regional(stem("idek", Beat, 0.8)),
    regional(stem("jotos", Beat, 0.9)),
    regional(stem("kemplang", Beat, 0.9)),
    regional(stem("kepruk", Beat, 1.0)),
    needs(stem("keris", Weapon, 0.4), Need::Carried),
    stem("keroyok", Beat, 1.0),
    needs(stem("labrak", Attack, 0.6), Need::Target),
    stem("ledakin", Bomb, 1.3),
    stem("ledakkan", Bomb, 1.3),
    needs(stem("lempar", Attack, 0.5), Need::Missile),
    needs(stem("lempari", Attack, 0.6), Need::Target),
    stem("mampusin", Kill, 1.2),
    regional(stem("mateni", Kill, 1.4)),
    nasal(stem("menggal", Kill, 1.3)),
    stem("molotov", Bomb, 1.2),
    nasal(stem("mukul", Beat, 0.8)),
    stem("mutilasi", Kill, 1.3),
    nasal(stem("nampar", Beat, 0.8)),
    nasal(stem("nembak", Shoot, 1.2)),
    nasal(stem("nendang", Beat, 0.8)),
    regional(nasal(stem("ngemplang", Beat, 0.9))),
    regional(nasal(stem("ngepruk", Beat, 1.0))),
    nasal(stem("ngeroyok", Beat, 1.0)),
    nasal(stem("nikam", Stab, 1.2)),
    nasal(stem("nonjok", Beat, 0.9)),
    nasal(stem("nusuk", Stab, 1.1)),
    nasal(stem("nyantet", Kill, 0.8)),
    nasal(stem("nyembelih", Kill, 1.4)),
    nasal(needs(stem("nyerang", Attack, 0.6), Need::Target)),
    nasal(needs(stem("nyerbu", Attack, 0.6), Need::Target)),
    nasal(needs(stem("nyiram", Acid, 1.4), Need::Corrosive)),
    nasal(stem("nyulik", Kidnap, 0.9)),
    regional(stem("obbar", Burn, 0.9)),
    regional(stem("obong", Burn, 1.0)),
    needs(stem("obrak", Attack, 0.7), Need::Target),
    stem("pancung", Kill, 1.3),
    needs(stem("parang", Weapon, 0.4), Need::Carried),
    stem("patahin", Beat, 0.9),
    stem("patahkan", Beat, 0.9),
    regional(stem("pate'", Kill, 1.4)),
    regional(stem("pateh", Kill, 1.4)),
    regional(stem("pateni", Kill, 1.4)),
    needs(stem("pedang", Weapon, 0.4), Need::Carried),
    stem("penggal", Kill, 1.3),
    needs(stem("pisau", Weapon, 0.4), Need::Carried),
    needs(stem("pistol", Weapon, 0.4), Need::Carried),
    stem("pukul", Beat, 0.8),
    needs(stem("racun", Kill, 0.9), Need::Target),
    needs(stem("racuni", Kill, 0.9), Need::Target),
    needs(stem("ratakan", Attack, 0.8), Need::Razing),
    needs(stem("runcing", Weapon, 0.4), Need::Carried),
    needs(stem("sajam", Weapon, 0.4), Need::Carried),
    stem("sandera", Kidnap, 0.8),
    stem("santet", Kill, 0.8),
    stem("sembelih", Kill, 1.4),
    needs(stem("senapan", Weapon, 0.4), Need::Carried),
    needs(stem("senpi", Weapon, 0.4), Need::Carried),
    needs(stem("serang", Attack, 0.6), Need::Target),
    needs(stem("serbu", Attack, 0.6), Need::Target),
    needs(stem("siram", Acid, 1.4), Need::Corrosive),
    needs(stem("sweeping", Attack, 0.6), Need::Target),
    regional(stem("tabok", Beat, 0.8)),
    stem("tampar", Beat, 0.8),
    stem("tembak", Shoot, 1.2),
    regional(stem("tempeleng", Beat, 0.9)),
    stem("tendang", Beat, 0.8),
    stem("tikam", Stab, 1.2),
    stem("tonjok", Beat, 0.9),
    stem("tusuk", Stab, 1.1),
];

/// Bit set over a 16-bit hash of the last three bytes of every stem: once a suffix is taken
/// off, one look-up rejects almost every remaining candidate before any string comparison.
static TAIL_BITS: [u64; 1024] = tail_bits();

const fn tail_bits() -> [u64; 1024] {
    let mut bits = [0_u64; 1024];
    let mut i = 0;
    while i < STEMS.len() {
        let b = STEMS[i].text.as_bytes();
        let n = b.len();
        let h = wide_tail_hash(b[n - 3], b[n - 2], b[n - 1]);
        bits[h / 64] |= 1 << (h % 64);
        i += 1;
    }
    bits
}

fn tail_may_be_stem(s: &str) -> bool {
    let b = s.as_bytes();
    let n = b.len();
    if n < 3 {
        return false;
    }
    let h = wide_tail_hash(b[n - 3], b[n - 2], b[n - 1]);
    TAIL_BITS
        .get(h / 64)
        .is_some_and(|w| w & (1 << (h % 64)) != 0)
}

/// The first gate, one look-up per word: a bit set over a 16-bit hash of the last three bytes
/// of every stem with every suffix (`bakar`, `bakarin`, `bakarnya`, …). Ordinary words almost
/// never pass it, which keeps the common path at a few nanoseconds a word.
static WORD_TAIL_BITS: [u64; 1024] = word_tail_bits();

const fn wide_tail_hash(b0: u8, b1: u8, b2: u8) -> usize {
    let x = ((b0 as u32) << 16) | ((b1 as u32) << 8) | b2 as u32;
    (x.wrapping_mul(0x9E37_79B1) >> 16) as usize & 0xFFFF
}

const fn word_tail_bits() -> [u64; 1024] {
    let mut bits = [0_u64; 1024];
    let mut i = 0;
    while i < STEMS.len() {
        let stem = STEMS[i].text.as_bytes();
        let mut j = 0;
        while j < SUFFIXES.len() {
            let suffix = SUFFIXES[j].0.as_bytes();
            // The last three bytes of stem + suffix.
            let mut tail = [0_u8; 3];
            let mut k = 0;
            while k < 3 {
                // Position counted from the end of the joined word.
                let from_end = 3 - k;
                tail[k] = if from_end <= suffix.len() {
                    suffix[suffix.len() - from_end]
                } else {
                    stem[stem.len() - (from_end - suffix.len())]
                };
                k += 1;
            }
            let h = wide_tail_hash(tail[0], tail[1], tail[2]);
            bits[h / 64] |= 1 << (h % 64);
            j += 1;
        }
        i += 1;
    }
    bits
}

fn word_may_hold_stem(word: &str) -> bool {
    let b = word.as_bytes();
    let n = b.len();
    if n < 3 {
        return false;
    }
    let h = wide_tail_hash(b[n - 3], b[n - 2], b[n - 1]);
    WORD_TAIL_BITS
        .get(h / 64)
        .is_some_and(|w| w & (1 << (h % 64)) != 0)
}

fn lookup_stem(s: &str) -> Option<&'static Stem> {
    STEMS
        .binary_search_by(|st| st.text.cmp(s))
        .ok()
        .and_then(|i| STEMS.get(i))
}

// ---------------------------------------------------------------------------------------------
// Morphology: which stem a word carries, and in what form.
// ---------------------------------------------------------------------------------------------

/// How the verb is inflected, which says who acts and whether it is an act or an event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Form {
    /// `bunuh`, `bakar`: as a command or after a subject ("gue bakar").
    Bare,
    /// `bakarin`, `bunuhlah`, `gepuken`, `obongno`: a command.
    Imperative,
    /// `kubunuh`, `tak pateni`: the speaker will do it.
    FirstPerson,
    /// `membunuh`, `nembak`: describes someone doing it.
    Active,
    /// `dibunuh`, Madurese `ebunoh`: reports it done to someone.
    Passive,
    /// `terbakar`, `kebakar`, `tergantung`: it happened, or a different word altogether.
    Accidental,
    /// `pembunuhan`, `pembunuh`, `serangan`, `bunuh-bunuhan`: names the act.
    Noun,
}

#[derive(Clone, Copy, Debug)]
struct Found {
    stem: &'static Stem,
    form: Form,
}

/// Prefixes with the form they give; [`prefixes_starting_with`] serves them grouped by first
/// byte, longest first within a group. Kept whole for the test that checks the grouping.
#[cfg(test)]
const PREFIXES: &[(&str, Form)] = &[
    ("", Form::Bare),
    ("di", Form::Passive),
    ("ku", Form::FirstPerson),
    ("tak", Form::FirstPerson),
    ("dak", Form::FirstPerson),
    ("menge", Form::Active),
    ("meng", Form::Active),
    ("meny", Form::Active),
    ("mem", Form::Active),
    ("men", Form::Active),
    ("me", Form::Active),
    ("nge", Form::Active),
    ("ng", Form::Active),
    ("ny", Form::Active),
    ("m", Form::Active),
    ("n", Form::Active),
    ("ter", Form::Accidental),
    ("ke", Form::Accidental),
    ("penge", Form::Noun),
    ("peng", Form::Noun),
    ("peny", Form::Noun),
    ("pem", Form::Noun),
    ("pen", Form::Noun),
    ("pe", Form::Noun),
    // Madurese passive: "ebunoh", "epateh".
    ("e", Form::Passive),
];

/// What a suffix does to the form.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum SuffixRole {
    /// An object or possessive clitic, or a transitive ending: form unchanged.
    Keep,
    /// Makes a bare verb a command.
    Command,
    /// `-kan` is a command only on a bare verb (`ledakkan!`); after me-/di- it is plain.
    CausativeCommand,
    /// `-an` makes a noun.
    Nominal,
}

const SUFFIXES: &[(&str, SuffixRole)] = &[
    ("", SuffixRole::Keep),
    ("kanlah", SuffixRole::Command),
    ("inlah", SuffixRole::Command),
    ("lah", SuffixRole::Command),
    ("kan", SuffixRole::CausativeCommand),
    ("in", SuffixRole::Command),
    ("en", SuffixRole::Command),
    ("ono", SuffixRole::Command),
    ("no", SuffixRole::Command),
    ("ke", SuffixRole::Command),
    ("nya", SuffixRole::Keep),
    ("mu", SuffixRole::Keep),
    ("ne", SuffixRole::Keep),
    ("eh", SuffixRole::Keep),
    ("i", SuffixRole::Keep),
    ("e", SuffixRole::Keep),
    ("an", SuffixRole::Nominal),
];

/// The prefixes that could start a word whose first byte is `first`, always with the empty
/// one first.
fn prefixes_starting_with(first: u8) -> &'static [(&'static str, Form)] {
    const NONE: &[(&str, Form)] = &[("", Form::Bare)];
    const D: &[(&str, Form)] = &[
        ("", Form::Bare),
        ("di", Form::Passive),
        ("dak", Form::FirstPerson),
    ];
    const K: &[(&str, Form)] = &[
        ("", Form::Bare),
        ("ku", Form::FirstPerson),
        ("ke", Form::Accidental),
    ];
    const T: &[(&str, Form)] = &[
        ("", Form::Bare),
        ("tak", Form::FirstPerson),
        ("ter", Form::Accidental),
    ];
    const M: &[(&str, Form)] = &[
        ("", Form::Bare),
        ("menge", Form::Active),
        ("meng", Form::Active),
        ("meny", Form::Active),
        ("mem", Form::Active),
        ("men", Form::Active),
        ("me", Form::Active),
        ("m", Form::Active),
    ];
    const N: &[(&str, Form)] = &[
        ("", Form::Bare),
        ("nge", Form::Active),
        ("ng", Form::Active),
        ("ny", Form::Active),
        ("n", Form::Active),
    ];
    const P: &[(&str, Form)] = &[
        ("", Form::Bare),
        ("penge", Form::Noun),
        ("peng", Form::Noun),
        ("peny", Form::Noun),
        ("pem", Form::Noun),
        ("pen", Form::Noun),
        ("pe", Form::Noun),
    ];
    // Madurese passive: "ebunoh", "epateh".
    const E: &[(&str, Form)] = &[("", Form::Bare), ("e", Form::Passive)];
    match first {
        b'd' => D,
        b'k' => K,
        b't' => T,
        b'm' => M,
        b'n' => N,
        b'p' => P,
        b'e' => E,
        _ => NONE,
    }
}

/// The suffixes that could end a word whose last byte is `last`, always with the empty one
/// first: a word tries at most five instead of all of them.
fn suffixes_ending_in(last: u8) -> &'static [(&'static str, SuffixRole)] {
    const NONE: &[(&str, SuffixRole)] = &[("", SuffixRole::Keep)];
    const H: &[(&str, SuffixRole)] = &[
        ("", SuffixRole::Keep),
        ("kanlah", SuffixRole::Command),
        ("inlah", SuffixRole::Command),
        ("lah", SuffixRole::Command),
        ("eh", SuffixRole::Keep),
    ];
    const N: &[(&str, SuffixRole)] = &[
        ("", SuffixRole::Keep),
        ("kan", SuffixRole::CausativeCommand),
        ("in", SuffixRole::Command),
        ("en", SuffixRole::Command),
        ("an", SuffixRole::Nominal),
    ];
    const O: &[(&str, SuffixRole)] = &[
        ("", SuffixRole::Keep),
        ("ono", SuffixRole::Command),
        ("no", SuffixRole::Command),
    ];
    const E: &[(&str, SuffixRole)] = &[
        ("", SuffixRole::Keep),
        ("ke", SuffixRole::Command),
        ("ne", SuffixRole::Keep),
        ("e", SuffixRole::Keep),
    ];
    const A: &[(&str, SuffixRole)] = &[("", SuffixRole::Keep), ("nya", SuffixRole::Keep)];
    const U: &[(&str, SuffixRole)] = &[("", SuffixRole::Keep), ("mu", SuffixRole::Keep)];
    const I: &[(&str, SuffixRole)] = &[("", SuffixRole::Keep), ("i", SuffixRole::Keep)];
    match last {
        b'h' => H,
        b'n' => N,
        b'o' => O,
        b'e' => E,
        b'a' => A,
        b'u' => U,
        b'i' => I,
        _ => NONE,
    }
}

/// The violent stem in `words[i]`, if any, with its form read from the affixes and the word
/// before it.
fn find_cue(words: &[&str], i: usize, word: &str) -> Option<Found> {
    if let Some(found) = death_at_my_hands(words, i, word) {
        return Some(found);
    }
    let (head, reduplicated_noun) = reduplication_head(word);
    let mut found = strip_affixes(head)?;
    if reduplicated_noun {
        found.form = Form::Noun;
    }
    if found.form == Form::Bare {
        let before = i.checked_sub(1).and_then(|j| words.get(j)).copied();
        if spoken_by_javanese_agent(before, found.stem) {
            found.form = Form::FirstPerson;
        } else if before == Some("di") {
            // The passive prefix is often typed apart: "di bakar", "di bunuh".
            found.form = Form::Passive;
        }
    }
    Some(found)
}

/// `bunuh-bunuhan`, `bakar2an` → (`bunuh`, noun); `idek-idek`, `obrak-abrik` → first half.
fn reduplication_head(word: &str) -> (&str, bool) {
    match word.bytes().position(|b| b == b'-' || b == b'2') {
        Some(p) if p > 0 => {
            let head = word.get(..p).unwrap_or(word);
            let tail = word.get(p + 1..).unwrap_or("");
            (head, tail.ends_with("an"))
        }
        _ => (word, false),
    }
}

fn strip_affixes(word: &str) -> Option<Found> {
    if word.len() < 3 || word.len() > 24 || !word_may_hold_stem(word) {
        return None;
    }
    let last = word.as_bytes().last().copied().unwrap_or(0);
    for &(suffix, role) in suffixes_ending_in(last) {
        let Some(rest) = strip_end(word, suffix) else {
            continue;
        };
        if !tail_may_be_stem(rest) {
            continue;
        }
        let first = rest.as_bytes().first().copied().unwrap_or(0);
        for &(prefix, prefix_form) in prefixes_starting_with(first) {
            let Some(candidate) = strip_start(rest, prefix) else {
                continue;
            };
            let Some(stem) = lookup_stem(candidate) else {
                continue;
            };
            if stem.kind == Weapon && !(prefix.is_empty() && role != SuffixRole::Nominal) {
                continue;
            }
            return Some(Found {
                stem,
                form: combine_form(stem, prefix_form, role),
            });
        }
    }
    None
}

/// `str::strip_suffix` without a call to `memcmp`: affixes are a few bytes long and this runs
/// on every word, where a library call per comparison would dominate the cost.
fn strip_end<'a>(word: &'a str, suffix: &str) -> Option<&'a str> {
    let (w, s) = (word.as_bytes(), suffix.as_bytes());
    let cut = w.len().checked_sub(s.len())?;
    let tail = w.get(cut..)?;
    if tail.iter().rev().zip(s.iter().rev()).all(|(a, b)| a == b) {
        word.get(..cut)
    } else {
        None
    }
}

/// `str::strip_prefix` without a call to `memcmp` (see [`strip_end`]).
fn strip_start<'a>(word: &'a str, prefix: &str) -> Option<&'a str> {
    let (w, p) = (word.as_bytes(), prefix.as_bytes());
    let head = w.get(..p.len())?;
    if head.iter().zip(p).all(|(a, b)| a == b) {
        word.get(p.len()..)
    } else {
        None
    }
}

fn combine_form(stem: &Stem, prefix: Form, suffix: SuffixRole) -> Form {
    let prefix = if stem.nasal && prefix == Form::Bare {
        Form::Active
    } else {
        prefix
    };
    match (prefix, suffix) {
        (Form::Noun | Form::Accidental, _) | (_, SuffixRole::Nominal) => {
            if prefix == Form::Accidental {
                Form::Accidental
            } else {
                Form::Noun
            }
        }
        (Form::Bare, SuffixRole::Command | SuffixRole::CausativeCommand) => Form::Imperative,
        // Stems listed with their ending (`hancurkan`, `ledakin`) are commands when bare too.
        (Form::Bare, _) if stem.text.ends_with("kan") || stem.text.ends_with("in") => {
            Form::Imperative
        }
        (form, _) => form,
    }
}

/// `tak pateni`, `dak obong`, and `tidak pateni` where a lexicon turned the Javanese `tak`
/// into Indonesian "not" before a stem only Javanese uses.
fn spoken_by_javanese_agent(before: Option<&str>, stem: &Stem) -> bool {
    match before {
        Some("tak" | "dak") => true,
        Some("tidak") => stem.regional,
        _ => false,
    }
}

/// "lo bakal mati di tangan gue": a killing threat without a violent verb.
fn death_at_my_hands(words: &[&str], i: usize, word: &str) -> Option<Found> {
    if word != "mati" || words.get(i + 1) != Some(&"di") {
        return None;
    }
    let mine = match words.get(i + 2).copied() {
        Some("tanganku") => true,
        Some("tangan") => words.get(i + 3).is_some_and(|w| is_first_person(w)),
        _ => false,
    };
    mine.then_some(Found {
        stem: &DEATH_AT_MY_HANDS,
        form: Form::FirstPerson,
    })
}

const DEATH_AT_MY_HANDS: Stem = stem("mati", Kill, 1.2);

// ---------------------------------------------------------------------------------------------
// Weighing the evidence around one cue.
// ---------------------------------------------------------------------------------------------

/// Where a bare verb with no other evidence starts: clearly below the line.
const BIAS: f32 = -2.2;

/// Words looked at before and after the cue.
const BEFORE: usize = 4;
const AFTER: usize = 4;

enum Weighed {
    Logit(f32),
    SelfHarm,
    Dropped,
}

fn weigh(words: &[&str], i: usize, found: Found, setting: &mut Option<f32>) -> Weighed {
    let before = words.get(i.saturating_sub(BEFORE)..i).unwrap_or(&[]);
    let after = words
        .get(i + 1..(i + 1 + AFTER).min(words.len()))
        .unwrap_or(&[]);
    if turns_on_self(after) {
        // "bom bunuh diri" is a suicide bombing: news, not self-harm.
        return if before.last().is_some_and(|w| *w == "bom") {
            Weighed::Dropped
        } else {
            Weighed::SelfHarm
        };
    }
    if is_idiom(found.stem, before, after) || !need_met(found.stem, before, after) {
        return Weighed::Dropped;
    }
    let z = BIAS
        + found.stem.strength
        + form_weight(found.form, before, after)
        + agent_weight(found.form, before, after)
        + intent_weight(before, after)
        + call_weight(words, i, found, before, after)
        + target_weight(before, after)
        + instrument_weight(found.stem, before, after)
        + repetition_weight(words, i, found.stem)
        + *setting.get_or_insert_with(|| conditional_weight(words) - setting_penalty(words))
        - negation_penalty(before, found.form)
        - simile_penalty(before);
    Weighed::Logit(z)
}

fn logistic(z: f32) -> f32 {
    let z = z.clamp(-20.0, 20.0);
    (1.0 / (1.0 + (-z).exp())).clamp(0.0, 1.0)
}

/// "bunuh diri", "gantung diri", "membakar dirinya".
fn turns_on_self(after: &[&str]) -> bool {
    after
        .first()
        .is_some_and(|w| matches!(*w, "diri" | "dirinya" | "diriku" | "dirimu" | "dewe"))
}

/// "pengen mati aja", "mending saya mati": a wish to die, not addressed to anyone.
fn wishes_own_death(words: &[&str]) -> bool {
    let Some(m) = words.iter().position(|w| *w == "mati") else {
        return false;
    };
    let wish = words
        .get(m.saturating_sub(3)..m)
        .unwrap_or(&[])
        .iter()
        .any(|w| {
            matches!(
                *w,
                "pengen" | "ingin" | "pingin" | "kepingin" | "mending" | "mendingan" | "mau"
            )
        });
    wish && !words.iter().any(|w| is_second_person(w))
}

fn form_weight(form: Form, before: &[&str], after: &[&str]) -> f32 {
    match form {
        Form::FirstPerson => 1.6,
        Form::Imperative => 0.9,
        Form::Bare => 0.3,
        Form::Active => -0.4,
        // "pantas dibunuh", "mending ditembak": a call, not a report.
        Form::Passive if before.iter().rev().take(3).any(|w| is_modal(w)) => 1.4,
        // "dipateni ae pejabat iku": passive with "just" is also a call.
        Form::Passive if after.iter().take(2).any(|w| is_just(w)) => 0.3,
        Form::Passive => -0.6,
        Form::Accidental | Form::Noun => -2.5,
    }
}

/// The speaker as the one acting ("gue bakar") or as the victim ("saya dipukul", "nembak aku").
fn agent_weight(form: Form, before: &[&str], after: &[&str]) -> f32 {
    let near_before = before.iter().rev().take(3);
    let speaker_before = near_before.clone().any(|w| is_first_person(w));
    match form {
        Form::Passive if speaker_before && !near_before.clone().any(|w| is_modal(w)) => -1.5,
        Form::Bare | Form::Active | Form::Imperative
            if after.first().is_some_and(|w| is_first_person(w)) =>
        {
            -1.0
        }
        Form::Bare | Form::Active if speaker_before => 1.4,
        _ => 0.0,
    }
}

fn intent_weight(before: &[&str], after: &[&str]) -> f32 {
    let n = before
        .iter()
        .chain(after)
        .filter(|w| is_intent(reduplication_head(w).0))
        .count();
    match n {
        0 => 0.0,
        1 => 1.0,
        2 => 1.4,
        _ => 1.8,
    }
}

fn call_weight(words: &[&str], i: usize, found: Found, before: &[&str], after: &[&str]) -> f32 {
    let mut w = 0.0;
    if before.iter().any(|w| is_call(w)) {
        w += 1.3;
    }
    if after.iter().take(3).any(|w| is_just(w)) {
        w += 0.9;
    }
    if before.iter().chain(after).any(|w| is_collective(w)) {
        w += 0.5;
    }
    // A bare verb opening the message is a command: "bakar kantornya", "tembak aja dia".
    let opens = i == 0 || words.get(i - 1).is_some_and(|w| is_call(w));
    if opens && matches!(found.form, Form::Bare | Form::Imperative) {
        w += 0.8;
    }
    w
}

fn target_weight(before: &[&str], after: &[&str]) -> f32 {
    let around = || before.iter().chain(after);
    let mut weight = 0.0_f32;
    if around().any(|w| is_second_person(w) || addressed_possession(w)) {
        weight += 1.0;
    }
    if around().any(|w| is_official_or_place(without_clitic(w))) {
        weight += 0.7;
    }
    if after.iter().any(|w| is_third_party(w)) {
        weight += 0.5;
    }
    weight.min(1.5)
}

fn instrument_weight(stem: &Stem, before: &[&str], after: &[&str]) -> f32 {
    let mut w = 0.0;
    let near = || before.iter().chain(after);
    if near().any(|w| is_missile(w)) {
        w += 0.5;
    }
    // "bawa golok", "tak gowo clurit", "siapin pistol".
    if stem.kind == Weapon && before.iter().rev().take(2).any(|w| is_carry(w)) {
        w += 1.0;
    }
    w
}

fn repetition_weight(words: &[&str], i: usize, stem: &Stem) -> f32 {
    let again = words
        .iter()
        .enumerate()
        .any(|(j, w)| j != i && (*w == stem.text));
    if again { 0.5 } else { 0.0 }
}

/// Threats are often conditional: "kalau ketemu", "nek sik ngeyel", "mon ngoca' pole".
fn conditional_weight(words: &[&str]) -> f32 {
    if words.iter().any(|w| {
        matches!(
            *w,
            "kalau" | "kalo" | "klo" | "nek" | "lek" | "mon" | "misal" | "jika" | "jikalau"
        )
    }) {
        0.3
    } else {
        0.0
    }
}

/// A negation shortly before, up to the start of the clause: "jangan bakar", "tidak akan
/// membakar", "tidak ada yang mau membunuh". Scanning back stops at a pronoun, target or
/// condition, which start a new clause ("kalo besok ga cair, kantor dinsos kami bakar").
fn negation_penalty(before: &[&str], form: Form) -> f32 {
    let mut next = "";
    for (k, w) in before.iter().rev().enumerate() {
        let w = *w;
        // The Javanese agent `tak` right before the verb is not a negation.
        if k == 0 && form == Form::FirstPerson && matches!(w, "tak" | "dak" | "tidak") {
            next = w;
            continue;
        }
        if is_negation(w) || (w == "tak" && is_indonesian_after_tak(next)) {
            return 3.0;
        }
        next = w;
        if is_first_person(w) || is_second_person(w) || is_official_or_place(w) {
            break;
        }
        if matches!(w, "kalau" | "kalo" | "nek" | "lek" | "mon" | "jika") {
            break;
        }
    }
    0.0
}

/// "kayak habis dibom", "seperti dibunuh pelan-pelan".
fn simile_penalty(before: &[&str]) -> f32 {
    if before.iter().rev().take(2).any(|w| {
        matches!(
            *w,
            "kayak"
                | "kaya"
                | "seperti"
                | "bagai"
                | "bagaikan"
                | "kek"
                | "koyo"
                | "koyok"
                | "mirip"
                | "ibarat"
                | "serasa"
                | "laksana"
        )
    }) {
        2.0
    } else {
        0.0
    }
}

/// Words anywhere in the message that set it in news, a report, the courts, sport or fiction.
fn setting_penalty(words: &[&str]) -> f32 {
    let mut news = 0.0_f32;
    let mut report = 0.0_f32;
    let mut legal = false;
    let mut play = false;
    let mut dining = false;
    for w in words {
        if is_news(w) {
            news += 1.2;
        } else if is_past(w) {
            news += 0.8;
        } else if is_report(w) {
            report += 1.2;
        } else if is_legal(w) {
            legal = true;
        } else if is_play(w) {
            play = true;
        } else if is_dining(w) {
            dining = true;
        }
    }
    news.min(2.6)
        + report.min(2.0)
        + if legal { 1.5 } else { 0.0 }
        + if play { 2.0 } else { 0.0 }
        + if dining { 1.5 } else { 0.0 }
}

/// Food reviews: "daging cincang", "gepuk" and "buntut bakar" are dishes.
fn is_dining(w: &str) -> bool {
    matches!(
        w,
        "enak"
            | "lezat"
            | "porsi"
            | "menu"
            | "restoran"
            | "resto"
            | "kuliner"
            | "sambal"
            | "makanan"
            | "minuman"
            | "bumbu"
            | "daging"
            | "kue"
            | "rasanya"
            | "pesanan"
            | "masakan"
            | "kafe"
            | "cafe"
            | "mantul"
            | "gurih"
    )
}

fn need_met(stem: &Stem, before: &[&str], after: &[&str]) -> bool {
    let around = || before.iter().chain(after);
    match stem.need {
        Need::Nothing => true,
        Need::Target => {
            around().any(|w| {
                is_second_person(w)
                    || addressed_possession(w)
                    || is_official_or_place(without_clitic(w))
            }) || after.iter().take(2).any(|w| is_third_party(w))
        }
        Need::Corrosive => {
            after
                .windows(2)
                .any(|p| p == ["air", "keras"] || p[0] == "bensin")
                || after.first() == Some(&"bensin")
        }
        Need::Razing => after.contains(&"tanah"),
        Need::Missile => around().any(|w| is_missile(w)),
        Need::Carried => {
            before.iter().rev().take(2).any(|w| is_carry(w))
                || after.first().is_some_and(|w| is_first_person(w))
        }
    }
}

/// Fixed expressions in which the stem is not violence.
fn is_idiom(stem: &Stem, before: &[&str], after: &[&str]) -> bool {
    let prev = before.last().copied().unwrap_or("");
    let prev2 = before.iter().rev().nth(1).copied().unwrap_or("");
    let next = after.first().copied().unwrap_or("");
    let next2 = after.get(1).copied().unwrap_or("");
    let object = |f: fn(&str) -> bool| f(next) || (is_filler(next) && f(next2));
    // "tendang sana tendang sini": lashing out in general, at no one.
    if matches!(next, "sana" | "sini") {
        return true;
    }
    match stem.text {
        "bakar" => {
            is_grilled_food(prev)
                || object(is_grilled_food)
                || prev == "bahan"
                || matches!(prev, "panas" | "matahari" | "terik")
                || matches!(prev2, "panas" | "matahari" | "terik")
                || object(|w| {
                    matches!(
                        w,
                        "semangat"
                            | "semangatmu"
                            | "lemak"
                            | "kalori"
                            | "sampah"
                            | "jerami"
                            | "daun"
                            | "rumput"
                            | "kemenyan"
                            | "dupa"
                            | "lilin"
                            | "rokok"
                            | "hutan"
                            | "lahan"
                            | "sarang"
                            | "kulit"
                            | "uang"
                            | "duit"
                    )
                })
        }
        "bom" | "bomb" => {
            matches!(
                prev,
                "kena"
                    | "terkena"
                    | "teror"
                    | "rakitan"
                    | "ancaman"
                    | "sasaran"
                    | "ledakan"
                    | "korban"
                    | "pelaku"
            ) || object(|w| {
                matches!(
                    w,
                    "waktu"
                        | "diskon"
                        | "promo"
                        | "harga"
                        | "like"
                        | "chat"
                        | "komen"
                        | "foto"
                        | "banget"
                        | "sekali"
                        | "bunuh"
                        | "nuklir"
                        | "takjil"
                        | "atom"
                )
            })
        }
        "bunuh" | "bunoh" if slowly(after) => true,
        "bunuh" | "bunoh" => object(|w| {
            matches!(
                w,
                "waktu"
                    | "karakter"
                    | "kenangan"
                    | "kenangannya"
                    | "rasa"
                    | "perasaan"
                    | "sepi"
                    | "bosan"
                    | "kebosanan"
                    | "kreativitas"
                    | "reputasi"
                    | "semangat"
                    | "mimpi"
                    | "harapan"
                    | "nyamuk"
                    | "tikus"
                    | "kuman"
                    | "virus"
                    | "hama"
                    | "bakteri"
                    | "kecoa"
                    | "lalat"
            )
        }),
        "tembak" | "nembak" => {
            matches!(prev, "sim" | "supir" | "sopir" | "calo" | "joki")
                || object(|w| {
                    matches!(
                        w,
                        "harga"
                            | "cewek"
                            | "cewe"
                            | "cowok"
                            | "cowo"
                            | "gebetan"
                            | "pacar"
                            | "doi"
                            | "gadis"
                            | "mantan"
                    )
                })
        }
        "pukul" | "mukul" => {
            next.bytes().next().is_some_and(|b| b.is_ascii_digit())
                || matches!(next, "rata" | "setengah" | "satu" | "dua" | "tiga")
                || prev == "jam"
        }
        "gantung" => {
            object(|w| {
                matches!(
                    w,
                    "baju"
                        | "pakaian"
                        | "jemuran"
                        | "foto"
                        | "spanduk"
                        | "bendera"
                        | "status"
                        | "nasib"
                        | "kunci"
                        | "tas"
                        | "lampu"
                        | "poster"
                )
            }) || matches!(prev, "nasib" | "status" | "pengumuman" | "janji")
        }
        "hajar" => matches!(next, "terus" | "teros" | "trus"),
        "tusuk" | "nusuk" => {
            object(|w| matches!(w, "sate" | "hati" | "jarum" | "gigi"))
                || matches!(prev, "tusuk" | "satu" | "dua" | "tiga" | "per" | "se")
                || prev.bytes().next().is_some_and(|b| b.is_ascii_digit())
        }
        "racun" | "racuni" => object(|w| matches!(w, "tikus" | "hama" | "rumput" | "serangga")),
        "habisi" | "habisin" | "abisin" | "abisi" => object(|w| {
            matches!(
                w,
                "anggaran"
                    | "stok"
                    | "uang"
                    | "duit"
                    | "dana"
                    | "makanan"
                    | "waktu"
                    | "kuota"
                    | "saldo"
                    | "jatah"
                    | "sisa"
                    | "makanannya"
            )
        }),
        "cekik" => matches!(
            prev,
            "harga" | "pajak" | "tarif" | "utang" | "cicilan" | "bunga"
        ),
        "tendang" | "nendang" => object(|w| w == "bola"),
        "colok" => object(|w| matches!(w, "listrik" | "kabel" | "charger" | "casan")),
        "serang" => matches!(prev, "kota" | "kabupaten" | "kab" | "ke" | "dari"),
        "cincang" => prev == "daging" || next == "daging",
        // "lempar batu sembunyi tangan": to deny what one did.
        "lempar" => after.contains(&"sembunyi"),
        _ => false,
    }
}

/// "membunuh rakyat pelan-pelan": a policy that kills slowly is a complaint.
fn slowly(after: &[&str]) -> bool {
    after.iter().any(|w| {
        matches!(
            reduplication_head(w).0,
            "pelan" | "perlahan" | "perlahanlahan"
        )
    })
}

fn is_filler(w: &str) -> bool {
    matches!(
        w,
        "aja" | "saja" | "ae" | "wae" | "yang" | "si" | "itu" | "ini" | "tuh"
    )
}

fn is_grilled_food(w: &str) -> bool {
    matches!(
        w,
        "ayam"
            | "ikan"
            | "jagung"
            | "sate"
            | "sosis"
            | "roti"
            | "singkong"
            | "ubi"
            | "pisang"
            | "nasi"
            | "bebek"
            | "kambing"
            | "udang"
            | "cumi"
            | "tahu"
            | "iga"
            | "daging"
            | "jamur"
            | "buntut"
            | "babi"
            | "sapi"
            | "kerang"
            | "lele"
            | "gurame"
            | "nila"
            | "bandeng"
            | "tongkol"
            | "kepiting"
            | "ketan"
            | "tempe"
            | "seafood"
            | "menu"
    )
}

fn is_first_person(w: &str) -> bool {
    matches!(
        w,
        "aku"
            | "saya"
            | "gue"
            | "gua"
            | "gw"
            | "ane"
            | "aing"
            | "kami"
            | "kita"
            | "ku"
            | "sengko'"
            | "sengkok"
            | "sengko"
            | "ingsun"
            | "kulo"
            | "kula"
            | "awakdewe"
            | "isun"
            | "reang"
            | "tak"
            | "dak"
    )
}

fn is_second_person(w: &str) -> bool {
    matches!(
        w,
        "kamu"
            | "kau"
            | "engkau"
            | "lu"
            | "lo"
            | "elu"
            | "elo"
            | "lue"
            | "loe"
            | "kowe"
            | "kon"
            | "koen"
            | "awakmu"
            | "sampeyan"
            | "sampean"
            | "kalian"
            | "anda"
            | "dirimu"
            | "be'en"
            | "ba'na"
            | "kakeh"
            | "maneh"
            | "sia"
            | "ente"
            | "situ"
    )
}

/// `kantormu`, `ndasmu`, `lehermu`: something of the addressee.
fn addressed_possession(w: &str) -> bool {
    w.len() > 4
        && w.ends_with("mu")
        && !matches!(
            w,
            "ketemu"
                | "bertemu"
                | "ditemu"
                | "menemu"
                | "ilmu"
                | "jamu"
                | "tamu"
                | "semu"
                | "ramu"
                | "jemu"
                | "kemu"
                | "kumu"
                | "janjimu"
        )
}

/// Removes a possessive or definite clitic: `bupatinya`, `omahe`, `compo'na`.
fn without_clitic(w: &str) -> &str {
    if is_official_or_place(w) {
        return w;
    }
    ["nya", "ne", "na", "e"]
        .iter()
        .find_map(|c| w.strip_suffix(c).filter(|s| s.len() >= 2))
        .unwrap_or(w)
}

fn is_official_or_place(w: &str) -> bool {
    matches!(
        w,
        "pejabat"
            | "bupati"
            | "wabup"
            | "gubernur"
            | "wagub"
            | "walikota"
            | "wali"
            | "camat"
            | "lurah"
            | "kades"
            | "kepala"
            | "kadis"
            | "kapolres"
            | "kapolsek"
            | "kapolda"
            | "menteri"
            | "presiden"
            | "dewan"
            | "dprd"
            | "dpr"
            | "anggota"
            | "petugas"
            | "pegawai"
            | "satpam"
            | "satpol"
            | "polisi"
            | "aparat"
            | "asn"
            | "pns"
            | "koruptor"
            | "dirut"
            | "direktur"
            | "sekda"
            | "sekdes"
            | "kontraktor"
            | "kantor"
            | "gedung"
            | "rumah"
            | "omah"
            | "imah"
            | "compo'"
            | "balai"
            | "pendopo"
            | "dinas"
            | "dinsos"
            | "pemkot"
            | "pemkab"
            | "pemda"
            | "pemprov"
            | "kelurahan"
            | "kecamatan"
            | "samsat"
            | "pos"
            | "polsek"
            | "polres"
            | "polda"
            | "mapolres"
            | "mobil"
            | "istana"
            | "ndas"
            | "leher"
            | "muka"
            | "rai"
            | "perut"
            | "mata"
            | "cangkem"
            | "mulut"
            | "anak"
            | "keluarga"
            | "nyawa"
            | "kadinsos"
            | "kadinkes"
    )
}

/// People named after the verb: "tembak aja dia", "bacok wong iku".
fn is_third_party(w: &str) -> bool {
    matches!(
        w,
        "dia" | "mereka" | "orang" | "wong" | "semuanya" | "pelakunya"
    )
}

fn is_missile(w: &str) -> bool {
    matches!(
        w,
        "batu"
            | "bensin"
            | "molotov"
            | "golok"
            | "parang"
            | "celurit"
            | "clurit"
            | "pisau"
            | "pistol"
            | "senapan"
            | "sajam"
            | "bom"
            | "runcing"
    )
}

fn is_carry(w: &str) -> bool {
    matches!(
        w,
        "bawa"
            | "membawa"
            | "gowo"
            | "nggowo"
            | "siapin"
            | "siapkan"
            | "asah"
            | "ngasah"
            | "pakai"
            | "pake"
            | "bawain"
            | "gawa"
            | "ngibe"
    )
}

fn is_intent(w: &str) -> bool {
    matches!(
        w,
        "akan"
            | "bakal"
            | "mau"
            | "ingin"
            | "pengen"
            | "pingin"
            | "kepingin"
            | "siap"
            | "siapin"
            | "siapkan"
            | "awas"
            | "tunggu"
            | "tunggulah"
            | "enteni"
            | "besok"
            | "sesuk"
            | "nanti"
            | "ntar"
            | "entar"
            | "engko"
            | "engkok"
            | "mengko"
            | "sumpah"
            | "pokoknya"
            | "pokoke"
            | "ndang"
            | "wani"
    )
}

fn is_call(w: &str) -> bool {
    matches!(
        w,
        "ayo"
            | "ayok"
            | "ayuk"
            | "yuk"
            | "yok"
            | "yuks"
            | "mari"
            | "hayuk"
            | "hayo"
            | "kuy"
            | "ayoo"
            | "hayuuk"
    )
}

fn is_just(w: &str) -> bool {
    matches!(
        w,
        "aja" | "saja" | "ae" | "wae" | "dong" | "sekalian" | "ae'"
    )
}

fn is_collective(w: &str) -> bool {
    let head = reduplication_head(w).0;
    matches!(head, "rame" | "ramai" | "bareng" | "beramai")
}

fn is_modal(w: &str) -> bool {
    matches!(
        w,
        "pantas"
            | "pantes"
            | "layak"
            | "harus"
            | "harusnya"
            | "wajib"
            | "kudu"
            | "mending"
            | "mendingan"
            | "enaknya"
            | "sebaiknya"
            | "baiknya"
            | "perlu"
            | "patut"
            | "halal"
            | "enake"
            | "pantese"
    )
}

fn is_negation(w: &str) -> bool {
    matches!(
        w,
        "tidak"
            | "jangan"
            | "bukan"
            | "gak"
            | "ga"
            | "nggak"
            | "enggak"
            | "ojo"
            | "ojok"
            | "ta'"
            | "belum"
            | "emoh"
            | "jgn"
            | "ndak"
            | "ora"
            | "enjek"
            | "mboten"
            | "moh"
            | "nda"
            | "kagak"
            | "masa"
            | "gausah"
            | "jangankan"
    )
}

/// Indonesian `tak` is "not" before an auxiliary ("tak akan", "tak mau") or an affixed verb
/// ("tak mengajarkan", "tak dikenal"); before a bare verb it is more often the Javanese "I
/// will" ("tak gowo clurit").
fn is_indonesian_after_tak(w: &str) -> bool {
    matches!(
        w,
        "akan"
            | "bakal"
            | "mau"
            | "pernah"
            | "ada"
            | "perlu"
            | "usah"
            | "boleh"
            | "bisa"
            | "berani"
            | "ingin"
            | "sudi"
            | "jadi"
    ) || ["me", "ng", "ny", "di", "ber", "ter"]
        .iter()
        .any(|p| w.starts_with(p))
}

fn is_news(w: &str) -> bool {
    matches!(
        w,
        "pelaku"
            | "korban"
            | "tersangka"
            | "terduga"
            | "diduga"
            | "ditangkap"
            | "diamankan"
            | "dibekuk"
            | "tewas"
            | "meninggal"
            | "kasus"
            | "kronologi"
            | "kejadian"
            | "peristiwa"
            | "berita"
            | "massa"
            | "oknum"
            | "sidang"
            | "divonis"
            | "dituntut"
            | "terungkap"
            | "buron"
            | "densus"
            | "teroris"
            | "tkp"
            | "insiden"
            | "menangkap"
            | "tangkap"
            | "dilarikan"
            | "terjadi"
            | "meledak"
    )
}

fn is_past(w: &str) -> bool {
    matches!(
        w,
        "kemarin" | "semalam" | "semalem" | "tadi" | "lalu" | "wingi" | "silam" | "kemaren"
    )
}

fn is_report(w: &str) -> bool {
    matches!(
        w,
        "tolong"
            | "mohon"
            | "lapor"
            | "laporkan"
            | "melapor"
            | "dilaporkan"
            | "ancam"
            | "diancam"
            | "mengancam"
            | "ngancam"
            | "ancaman"
            | "ditindak"
            | "diproses"
            | "diusut"
            | "perlindungan"
            | "bantu"
            | "dilerai"
            | "ngancem"
            | "ancem"
            | "diancem"
    )
}

fn is_legal(w: &str) -> bool {
    matches!(
        w,
        "hukum"
            | "hukuman"
            | "dihukum"
            | "adili"
            | "diadili"
            | "pengadilan"
            | "penjara"
            | "penjarakan"
            | "dipenjara"
            | "undang"
            | "eksekusi"
            | "dieksekusi"
            | "vonis"
    )
}

fn is_play(w: &str) -> bool {
    matches!(
        w,
        "tim"
            | "lawan"
            | "pertandingan"
            | "final"
            | "skor"
            | "gol"
            | "liga"
            | "turnamen"
            | "juara"
            | "voli"
            | "bola"
            | "futsal"
            | "game"
            | "film"
            | "sinetron"
            | "adegan"
            | "main"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flagged(text: &str) -> bool {
        assess_text(text).label
    }

    #[test]
    fn stems_are_sorted_unique_and_long_enough() {
        for pair in STEMS.windows(2) {
            assert!(
                pair[0].text < pair[1].text,
                "{} before {}",
                pair[0].text,
                pair[1].text
            );
        }
        for s in STEMS {
            assert!(s.text.len() >= 3, "{}", s.text);
            assert!(tail_may_be_stem(s.text));
            assert_eq!(lookup_stem(s.text).map(|f| f.text), Some(s.text));
        }
    }

    #[test]
    fn affixes_give_the_form() {
        let form = |w: &str| strip_affixes(w).map(|f| (f.stem.text, f.form));
        assert_eq!(form("kubunuh"), Some(("bunuh", Form::FirstPerson)));
        assert_eq!(form("membunuh"), Some(("bunuh", Form::Active)));
        assert_eq!(form("dibunuh"), Some(("bunuh", Form::Passive)));
        assert_eq!(form("pembunuhan"), Some(("bunuh", Form::Noun)));
        assert_eq!(form("bakarin"), Some(("bakar", Form::Imperative)));
        assert_eq!(form("terbakar"), Some(("bakar", Form::Accidental)));
        assert_eq!(form("tergantung"), Some(("gantung", Form::Accidental)));
        assert_eq!(form("ngebom"), Some(("bom", Form::Active)));
        assert_eq!(form("menembak"), Some(("nembak", Form::Active)));
        assert_eq!(form("gepuken"), Some(("gepuk", Form::Imperative)));
        assert_eq!(form("ebunoh"), Some(("bunoh", Form::Passive)));
        assert_eq!(form("serangan"), Some(("serang", Form::Noun)));
        assert_eq!(form("tembakau"), None);
        assert_eq!(form("pelayanan"), None);
        assert_eq!(form("mengantar"), None);
    }

    #[test]
    fn first_person_threats() {
        assert!(flagged("tak bakar kantormu"));
        assert!(flagged("awas kalau ketemu, tak bunuh kowe"));
        assert!(flagged("gw bunuh lu kalo ketemu"));
        assert!(flagged("kubunuh kau"));
        assert!(flagged("lo bakal mati di tangan gue"));
    }

    #[test]
    fn javanese_and_madurese() {
        assert!(flagged("kowe tak pateni"));
        assert!(flagged("tak gepuk ndasmu"));
        assert!(flagged("tak antem raimu cuk"));
        assert!(flagged("sesuk tak obong omahmu"));
        assert!(flagged("tak jotos kon"));
        assert!(flagged("sengko' bunoh ba'na"));
        // A lexicon that reads the Javanese agent `tak` as "tidak".
        assert!(assess(&["tidak", "pateni", "kamu"]).label);
    }

    #[test]
    fn calls_to_act() {
        assert!(flagged("bom aja gedung dprd"));
        assert!(flagged("kepala dinasnya pantas digantung"));
        assert!(flagged("siap-siap kami serbu kantor bupati besok"));
        assert!(flagged("ayo bakar kantor dinas"));
        assert!(flagged("gw siram air keras muka lo"));
        assert!(flagged("ratakan kantor desa dengan tanah"));
    }

    #[test]
    fn hyperbole_and_idioms_are_not_threats() {
        for text in [
            "pelayanan bikin mati kutu",
            "panasnya membunuh",
            "harga cabai bikin mati",
            "ini bom waktu",
            "harga bahan bakar naik",
            "ayam bakar enak",
            "jangan cuma membunuh waktu",
            "rapat pukul 10 di kantor bupati",
            "sim tembak masih ada",
            "kami siap serbu pasar murah besok",
            "siram tanaman di taman kota",
            "tolong ratakan jalan depan kantor desa",
            "hasilnya tergantung pak bupati",
        ] {
            assert!(!flagged(text), "{text}");
        }
    }

    #[test]
    fn news_reports_and_victims_are_not_threats() {
        for text in [
            "polisi tangkap pelaku pembunuhan",
            "rumah warga dibakar massa semalam",
            "saya dipukul oknum petugas, tolong ditindak",
            "ada yang ngancam mau bunuh saya",
        ] {
            assert!(!flagged(text), "{text}");
        }
    }

    #[test]
    fn negation_defuses() {
        assert!(!flagged("jangan bakar kantor desa"));
        assert!(!flagged("kami tidak akan membakar apapun"));
        assert!(!flagged("ojo diobong omahe"));
        assert!(!flagged("tidak ada yang mau membunuh siapa pun"));
    }

    #[test]
    fn self_harm_is_flagged_apart() {
        let t = assess_text("pengen bunuh diri rasanya");
        assert!(!t.label);
        assert!(t.self_harm);
        assert!(assess_text("saya pengen mati aja").self_harm);
        assert!(!assess_text("kamu mau mati? tak pateni").self_harm);
    }

    #[test]
    fn profanity_alone_is_not_a_threat() {
        assert_eq!(assess_text("anjing lu goblok"), Threat::NONE);
    }

    #[test]
    fn cue_points_at_the_verb_and_serialises() {
        let t = assess(&["besok", "gue", "bom", "kantor", "lu"]);
        assert!(t.label);
        assert_eq!(
            t.cue,
            Some(ThreatCue {
                kind: ThreatKind::Bomb,
                word_index: 2
            })
        );
        let json = serde_json::to_value(t).unwrap();
        assert_eq!(json["cue"]["kind"], "bomb");
        assert!((0.0..=1.0).contains(&t.score));
    }

    #[test]
    fn scores_count_and_divide() {
        let s = evaluate(&[(true, "tak pateni kowe"), (false, "anjing"), (true, "halo")]);
        assert_eq!((s.tp, s.fp, s.fn_, s.tn), (1, 0, 1, 1));
        assert!((s.precision() - 1.0).abs() < 1e-9);
        assert!((s.recall() - 0.5).abs() < 1e-9);
        assert!((s.f1() - 2.0 / 3.0).abs() < 1e-9);
        assert!(Scores::default().f1().abs() < 1e-9);
    }
}

#[cfg(test)]
mod suffix_tests {
    use super::*;

    #[test]
    fn every_prefix_is_reachable_by_its_first_byte() {
        for &(prefix, form) in PREFIXES {
            let first = prefix.as_bytes().first().copied().unwrap_or(0);
            assert!(
                prefixes_starting_with(first).contains(&(prefix, form)),
                "{prefix} is missing from the group for its first byte"
            );
        }
    }

    #[test]
    fn every_suffix_is_reachable_by_its_last_byte() {
        for &(suffix, role) in SUFFIXES {
            let last = suffix.as_bytes().last().copied().unwrap_or(0);
            assert!(
                suffixes_ending_in(last).contains(&(suffix, role)),
                "{suffix} is missing from the group for its last byte"
            );
        }
    }
}
