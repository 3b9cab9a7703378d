//! Rule-based Indonesian stemming for search.
//!
//! Search should find "pelayanan" when someone types "layanan" or "dilayani", so words are
//! indexed by their root. This is confix stripping in the spirit of Nazief–Adriani and its
//! "enhanced" successor, but without their dictionary: no root list we could ship exists
//! under a licence that allows it. In its place:
//!
//! * a small list of roots written by hand (`KNOWN` in the source): words that look affixed
//!   but are not (`sekolah`, `pesan`, `jembatan`), roots that settle an ambiguous sound change
//!   (`mengirim` could be `irim` or `kirim`), and short roots the length guard would refuse;
//! * guards on what a root may look like: at least four letters unless known, a vowel, a
//!   syllable onset and a final sound that Indonesian allows;
//! * when no known root turns up, the analysis that strips the most believable affixes wins.
//!
//! ```
//! use humas_nlp_id::stem::stem;
//! assert_eq!(stem("pelayanan"), "layan");
//! assert_eq!(stem("dilaporkan"), "lapor");
//! assert_eq!(stem("menyapu"), "sapu");
//! assert_eq!(stem("sepeda"), "sepeda");
//! assert_eq!(stem("berlari-lari"), "lari");
//! ```

use std::borrow::Cow;

pub(crate) mod cache;

/// Longer "words" are not Indonesian words (the longest real ones are about 25 letters), so
/// they are returned as they are; this also bounds the stack buffer used for lookups.
const MAX_WORD: usize = 40;

/// The root of one normalised, lower-case word.
///
/// Words made of anything but the letters `a`–`z` (and a hyphen, for reduplication) are
/// returned unchanged, as are words of three letters or fewer. The answer borrows from the
/// input unless a sound change had to be undone (`menulis` → `tulis`), which needs a new string.
#[must_use]
pub fn stem(word: &str) -> Cow<'_, str> {
    let bytes = word.as_bytes();
    if bytes.len() > MAX_WORD {
        return Cow::Borrowed(word);
    }
    let mut hyphen = false;
    for &c in bytes {
        if c == b'-' {
            hyphen = true;
        } else if !c.is_ascii_lowercase() {
            return Cow::Borrowed(word);
        }
    }
    if hyphen {
        reduplicated(word)
    } else {
        plain(word)
    }
}

/// Every whitespace-separated word of `text` stemmed with [`stem`], joined by one space.
#[must_use]
pub fn stem_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&stem(word));
    }
    out
}

/// How many of `(word, expected root)` pairs [`stem`] gets right, and how many there are.
#[must_use]
pub fn accuracy(pairs: &[(&str, &str)]) -> (usize, usize) {
    let correct = pairs
        .iter()
        .filter(|(word, root)| stem(word) == *root)
        .count();
    (correct, pairs.len())
}

/// `anak-anak`, `berlari-lari`, `sayur-mayur`: the root of the repeated word. A hyphenated
/// word whose halves are not a repetition (`pasca-bencana`) is left alone.
fn reduplicated(word: &str) -> Cow<'_, str> {
    let Some((left, right)) = word.split_once('-') else {
        return Cow::Borrowed(word);
    };
    if left.is_empty() || right.is_empty() || right.contains('-') {
        return Cow::Borrowed(word);
    }
    let left_root = plain(left);
    if left == right || left_root == plain(right) || rhymes(left.as_bytes(), right.as_bytes()) {
        return left_root;
    }
    Cow::Borrowed(word)
}

/// Rhyming and vowel-changing repetition: `sayur-mayur`, `lauk-pauk` (one first letter
/// differs), `warna-warni`, `bolak-balik` (same consonants, other vowels).
fn rhymes(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() || a.len() < 3 {
        return false;
    }
    if a.get(1..) == b.get(1..) {
        return true;
    }
    a.iter()
        .zip(b)
        .all(|(&x, &y)| x == y || (is_vowel(x) && is_vowel(y)))
}

/// Byte comparisons written out: the words are short, and the library `memcmp` call costs
/// more than the comparison itself.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x == y)
}

fn starts(s: &[u8], prefix: &[u8]) -> bool {
    s.len() >= prefix.len() && s.iter().zip(prefix).all(|(x, y)| x == y)
}

fn ends(s: &[u8], suffix: &[u8]) -> bool {
    s.len() >= suffix.len() && s.iter().rev().zip(suffix.iter().rev()).all(|(x, y)| x == y)
}

fn is_vowel(c: u8) -> bool {
    matches!(c, b'a' | b'e' | b'i' | b'o' | b'u')
}

/// A candidate root: `lead` is a letter put back by undoing a sound change (`men|ulis` →
/// `t` + `ulis`), followed by `word[start..end]`.
#[derive(Clone, Copy)]
struct Root {
    lead: Option<u8>,
    start: usize,
    end: usize,
}

impl Root {
    /// The root's letters, spelled out in `buf` when a lead letter has to be prepended.
    fn spell<'b>(self, word: &'b [u8], buf: &'b mut [u8; MAX_WORD + 1]) -> &'b [u8] {
        let body = word.get(self.start..self.end).unwrap_or_default();
        match self.lead {
            None => body,
            Some(c) => {
                let n = body.len() + 1;
                if let Some((first, rest)) = buf.get_mut(..n).and_then(<[u8]>::split_first_mut) {
                    *first = c;
                    rest.copy_from_slice(body);
                }
                buf.get(..n).unwrap_or_default()
            }
        }
    }
}

/// The derivational suffix an analysis removed; it decides which prefixes may go with it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Deriv {
    None,
    I,
    Kan,
    An,
    /// Colloquial `-in` (`bayarin`), standing in for both `-i` and `-kan`.
    In,
}

/// Prefix families; a family is removed at most once per word.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Prefix {
    Di,
    Ke,
    Se,
    Ter,
    Ber,
    /// me-, mem-, men-, meng-, meny-, menge-.
    Me,
    /// pe-, pem-, pen-, peng-, peny-, penge-, pel-.
    Pe,
    Per,
    /// The `tidak` of `ketidakadilan`, only right after ke-.
    Tidak,
    /// Colloquial nasal prefixes: nge-, ng-, ny-, n-, m-.
    Nge,
}

impl Prefix {
    /// How much an analysis gains by removing this prefix, when no known root decides.
    fn weight(self) -> i32 {
        match self {
            Prefix::Di | Prefix::Me => 3,
            Prefix::Ke
            | Prefix::Ter
            | Prefix::Ber
            | Prefix::Pe
            | Prefix::Per
            | Prefix::Tidak
            | Prefix::Nge => 2,
            Prefix::Se => 1,
        }
    }

    /// Which prefix may come right inside this one (`di|per|baiki`, `ke|ber|hasil|an`).
    fn may_precede(self, inner: Prefix) -> bool {
        use Prefix::{Ber, Di, Ke, Me, Pe, Per, Se, Ter, Tidak};
        match self {
            Di | Me => matches!(inner, Per | Ber | Pe),
            Pe => matches!(inner, Ber),
            Ke => matches!(inner, Ber | Ter | Per | Pe | Tidak | Se),
            Ber => matches!(inner, Pe | Per | Ke),
            Ter => matches!(inner, Per | Pe),
            Tidak => matches!(inner, Ber | Per | Pe | Ter),
            Per | Se | Prefix::Nge => false,
        }
    }

    /// Whether a word may start with this prefix and end with `deriv`: the disallowed
    /// confixes (be-…-i, di-…-an, ke-…-i, me-…-an, se-…-i, se-…-kan, te-…-an), plus peN-…-i and
    /// peN-…-kan, because peN- makes nouns and those suffixes make verbs.
    fn allows(self, deriv: Deriv) -> bool {
        !matches!(
            (self, deriv),
            (Prefix::Ber, Deriv::I)
                | (Prefix::Di | Prefix::Me | Prefix::Ter, Deriv::An)
                | (Prefix::Ke | Prefix::Se | Prefix::Pe, Deriv::I | Deriv::Kan)
                | (
                    Prefix::Ke | Prefix::Se | Prefix::Pe | Prefix::Per | Prefix::Ter,
                    Deriv::In
                )
        )
    }
}

/// One way of taking a prefix off: which family, the letter a sound change swallowed, where
/// the rest starts, and whether only a known root can justify it.
#[derive(Clone, Copy)]
struct Cut {
    prefix: Prefix,
    lead: Option<u8>,
    skip: usize,
    needs_known: bool,
}

/// At most this many readings of one prefix position (meng+e: menge-, k- root, e- root).
const MAX_CUTS: usize = 3;

struct Cuts {
    items: [Option<Cut>; MAX_CUTS],
    n: usize,
}

impl Cuts {
    fn push(&mut self, prefix: Prefix, lead: Option<u8>, skip: usize, needs_known: bool) {
        if let Some(slot) = self.items.get_mut(self.n) {
            *slot = Some(Cut {
                prefix,
                lead,
                skip,
                needs_known,
            });
            self.n += 1;
        }
    }
}

/// The prefix rules, morphophonemics included. `s` is what is left of the word; `first`
/// says whether nothing has been removed from its front yet (colloquial prefixes only start
/// a word).
fn cuts(s: &[u8], first: bool) -> Cuts {
    let mut out = Cuts {
        items: [None; MAX_CUTS],
        n: 0,
    };
    let at = |i: usize| s.get(i).copied().unwrap_or(0);
    let vowel = |i: usize| is_vowel(at(i));
    let consonant = |i: usize| at(i) != 0 && !is_vowel(at(i));
    match (at(0), at(1)) {
        (b'd', b'i') => out.push(Prefix::Di, None, 2, false),
        (b'k', b'e') => out.push(Prefix::Ke, None, 2, false),
        (b's', b'e') => out.push(Prefix::Se, None, 2, true),
        (b't', b'i') if !first && starts(s, b"tidak") => out.push(Prefix::Tidak, None, 5, false),
        (b't', b'e') if at(2) == b'r' => {
            // ter|atur or te|rendah: ter- before a root that starts with r drops one r.
            out.push(Prefix::Ter, None, 3, false);
            if vowel(3) {
                out.push(Prefix::Ter, None, 2, false);
            }
        }
        (b'b', b'e') => {
            if starts(s, b"belajar") {
                out.push(Prefix::Ber, None, 3, false);
            } else if at(2) == b'r' {
                out.push(Prefix::Ber, None, 3, false);
                if vowel(3) {
                    out.push(Prefix::Ber, None, 2, false);
                }
            } else if consonant(2) && at(3) == b'e' && at(4) == b'r' {
                // be|kerja, be|serta: ber- loses its r before a syllable with -er-.
                out.push(Prefix::Ber, None, 2, false);
            }
        }
        (b'm', b'e') => nasal(&mut out, s, Prefix::Me),
        (b'p', b'e') => {
            if starts(s, b"pelajar") {
                out.push(Prefix::Pe, None, 3, false);
            } else if at(2) == b'r' {
                // per|atur|an or pe|rawat: as with ber-.
                out.push(Prefix::Per, None, 3, false);
                if vowel(3) {
                    out.push(Prefix::Pe, None, 2, false);
                }
            } else if matches!(at(2), b'l' | b'w' | b'y') && vowel(3) {
                out.push(Prefix::Pe, None, 2, false);
            } else if matches!(at(2), b'm' | b'n') {
                nasal(&mut out, s, Prefix::Pe);
            } else if consonant(2) {
                // pe|tani, pe|kerja, pe|dagang.
                out.push(Prefix::Pe, None, 2, false);
            }
        }
        (b'n', b'g') if first => {
            if at(2) == b'e' && consonant(3) {
                out.push(Prefix::Nge, None, 3, false);
            }
            if vowel(2) {
                out.push(Prefix::Nge, None, 2, false);
                out.push(Prefix::Nge, Some(b'k'), 2, true);
            }
        }
        (b'n', b'y') if first && vowel(2) => {
            out.push(Prefix::Nge, Some(b's'), 2, true);
            out.push(Prefix::Nge, Some(b'c'), 2, true);
        }
        (b'n', c) if first && is_vowel(c) => out.push(Prefix::Nge, Some(b't'), 1, true),
        (b'm', c) if first && is_vowel(c) => out.push(Prefix::Nge, Some(b'p'), 1, true),
        _ => {}
    }
    out
}

/// me- and pe- with their nasal: the nasal takes the place of the root's first sound.
fn nasal(out: &mut Cuts, s: &[u8], prefix: Prefix) {
    let at = |i: usize| s.get(i).copied().unwrap_or(0);
    let vowel = |i: usize| is_vowel(at(i));
    match (at(2), at(3)) {
        (b'l' | b'r' | b'w' | b'y', c) if prefix == Prefix::Me && is_vowel(c) => {
            out.push(prefix, None, 2, false);
        }
        (b'm', b'b' | b'f' | b'v') => out.push(prefix, None, 3, false),
        (b'm', b'p') if prefix == Prefix::Me => out.push(prefix, None, 3, false),
        (b'm', c) if is_vowel(c) => {
            // mem|ukul is pukul; me|makan is makan.
            out.push(prefix, Some(b'p'), 3, false);
            out.push(prefix, None, 2, false);
        }
        (b'n', b'c' | b'd' | b'j' | b'z') => out.push(prefix, None, 3, false),
        (b'n', b't' | b's') if prefix == Prefix::Me => out.push(prefix, None, 3, false),
        (b'n', b'g') => match at(4) {
            b'g' | b'h' | b'k' | b'q' => out.push(prefix, None, 4, false),
            b'e' => {
                // menge|cek, menge|tahu: menge- before one-syllable roots; otherwise the e
                // most often belongs to a k- root (mengelola, mengeluh).
                out.push(prefix, None, 5, true);
                if s.get(4..).is_some_and(|t| starts(t, b"eks")) {
                    out.push(prefix, None, 4, false);
                } else {
                    out.push(prefix, Some(b'k'), 4, false);
                    out.push(prefix, None, 4, false);
                }
            }
            c if is_vowel(c) => {
                // meng|ambil is ambil, but meng|irim is kirim.
                out.push(prefix, None, 4, false);
                out.push(prefix, Some(b'k'), 4, false);
            }
            _ => {}
        },
        (b'n', b'y') if vowel(4) => {
            // meny|apu is sapu; me|nyanyi is nyanyi.
            out.push(prefix, Some(b's'), 4, false);
            out.push(prefix, None, 2, false);
        }
        (b'n', c) if is_vowel(c) => {
            // men|ulis is tulis; me|nikah is nikah.
            out.push(prefix, Some(b't'), 3, false);
            out.push(prefix, None, 2, false);
        }
        _ => {}
    }
}

/// The prefixes removed so far, outermost first.
#[derive(Clone, Copy)]
struct Chain {
    items: [Option<Prefix>; 3],
    n: usize,
    weight: i32,
    needs_known: bool,
}

impl Chain {
    fn has(&self, p: Prefix) -> bool {
        self.items.contains(&Some(p))
    }

    fn outer(&self) -> Option<Prefix> {
        self.items.first().copied().flatten()
    }

    fn last(&self) -> Option<Prefix> {
        self.n
            .checked_sub(1)
            .and_then(|i| self.items.get(i).copied().flatten())
    }

    fn with(mut self, cut: Cut) -> Self {
        if let Some(slot) = self.items.get_mut(self.n) {
            *slot = Some(cut.prefix);
            self.n += 1;
        }
        self.weight += cut.prefix.weight();
        self.needs_known |= cut.needs_known;
        self
    }
}

/// One way of taking suffixes off: where the rest ends, the derivational suffix, and what
/// the suffixes are worth when no known root decides.
#[derive(Clone, Copy)]
struct Ending {
    end: usize,
    deriv: Deriv,
    count: u8,
    weight: i32,
    needs_known: bool,
}

/// At most two particle choices, two possessive and three derivational (none, -kan, -an).
const MAX_ENDINGS: usize = 12;

/// All ways the end of `w` splits into particle, possessive and derivational suffix, the
/// most stripped first (a known root reached by stripping more is the better analysis), and
/// -kan before -an.
fn endings(w: &[u8]) -> ([Ending; MAX_ENDINGS], usize) {
    let blank = Ending {
        end: w.len(),
        deriv: Deriv::None,
        count: 0,
        weight: 0,
        needs_known: false,
    };
    let mut out = [blank; MAX_ENDINGS];
    let mut n = 0;

    // Particles: (end, weight, needs a known root).
    let mut particles = [(w.len(), 0, false); 2];
    let mut np = 1;
    if let Some(e) = strip(w, w.len(), b"lah")
        .or_else(|| strip(w, w.len(), b"kah"))
        .or_else(|| strip(w, w.len(), b"pun"))
    {
        particles[1] = (e, 3, false);
        np = 2;
    } else if let Some(e) = strip(w, w.len(), b"tah") {
        // -tah is archaic, and "pemerintah" and "perintah" end in it.
        particles[1] = (e, 0, true);
        np = 2;
    }
    for &(e1, pw, pk) in particles.iter().take(np) {
        let mut possessives = [(e1, 0); 2];
        let mut nq = 1;
        if let Some(e) = strip(w, e1, b"nya") {
            possessives[1] = (e, 3);
            nq = 2;
        } else if let Some(e) = strip(w, e1, b"ku").or_else(|| strip(w, e1, b"mu")) {
            possessives[1] = (e, 2);
            nq = 2;
        }
        for &(e2, qw) in possessives.iter().take(nq) {
            let base = u8::from(pw != 0 || pk) + u8::from(qw != 0);
            let mut push = |end: usize, deriv: Deriv, dw: i32| {
                if let Some(slot) = out.get_mut(n) {
                    *slot = Ending {
                        end,
                        deriv,
                        count: base + u8::from(deriv != Deriv::None),
                        weight: pw + qw + dw,
                        needs_known: pk,
                    };
                    n += 1;
                }
            };
            push(e2, Deriv::None, 0);
            if let Some(e) = strip(w, e2, b"kan") {
                push(e, Deriv::Kan, 3);
            }
            if let Some(e) = strip(w, e2, b"an") {
                push(e, Deriv::An, 2);
            } else if let Some(e) = strip(w, e2, b"in") {
                push(e, Deriv::In, 2);
            } else if let Some(e) = strip(w, e2, b"i") {
                push(e, Deriv::I, 2);
            }
        }
    }
    // Stable insertion sort, most suffixes first.
    let mut i = 1;
    while i < n {
        let mut j = i;
        while j > 0 {
            let (Some(a), Some(b)) = (out.get(j - 1), out.get(j)) else {
                break;
            };
            if a.count >= b.count {
                break;
            }
            out.swap(j - 1, j);
            j -= 1;
        }
        i += 1;
    }
    (out, n)
}

/// `end` moved back over `suffix` if `w[..end]` ends with it and keeps at least two letters.
fn strip(w: &[u8], end: usize, suffix: &[u8]) -> Option<usize> {
    let body = w.get(..end)?;
    (ends(body, suffix) && end >= suffix.len() + 2).then(|| end - suffix.len())
}

/// The best analysis found so far.
struct Search<'w> {
    word: &'w [u8],
    best: Root,
    best_weight: i32,
    known: Option<Root>,
}

impl Search<'_> {
    /// Look at one analysis: a known root ends the search; otherwise it competes on weight.
    fn visit(&mut self, root: Root, chain: &Chain, ending: &Ending) -> bool {
        let mut buf = [0u8; MAX_WORD + 1];
        let letters = match root.lead {
            None => self.word.get(root.start..root.end).unwrap_or_default(),
            Some(_) => root.spell(self.word, &mut buf),
        };
        if letters.len() < 2 {
            return false;
        }
        if chain
            .outer()
            .is_some_and(|outer| !outer.allows(ending.deriv))
        {
            return false;
        }
        if letters.len() <= MAX_KNOWN_LEN && is_known(letters) {
            self.known = Some(root);
            return true;
        }
        if chain.needs_known || ending.needs_known || !self.plausible(letters, chain, ending) {
            return false;
        }
        let mut weight = chain.weight + ending.weight;
        if chain.n == 0 && ending.deriv == Deriv::An {
            // Bare -an is often part of the root (bulan, tangan): worth less.
            weight -= 1;
        }
        if weight > self.best_weight {
            self.best_weight = weight;
            self.best = root;
        }
        false
    }

    /// Whether `letters` may be a root reached by `chain` and `ending`, when no known root
    /// vouches for it.
    fn plausible(&self, letters: &[u8], chain: &Chain, ending: &Ending) -> bool {
        if letters.len() < 4 || !sounds_like_root(letters) {
            return false;
        }
        // Roots that start with s and a consonant are loans; after di-, pe- or per- the "prefix"
        // is much more often part of the loan (distrik, diskon, perspektif).
        if letters.first() == Some(&b's')
            && letters
                .get(1)
                .is_some_and(|&c| !is_vowel(c) && c != b'y' && c != b'h')
            && matches!(chain.last(), Some(Prefix::Di | Prefix::Pe | Prefix::Per))
        {
            return false;
        }
        // ke- alone (without -an) forms ordinals and a handful of words; those are known.
        if (chain.has(Prefix::Ke) || chain.has(Prefix::Tidak)) && ending.deriv != Deriv::An {
            return false;
        }
        let last = letters.last().copied().unwrap_or(0);
        if ending.deriv == Deriv::I {
            if chain.n == 0 {
                // Bare -i is a command (hubungi, kunjungi); most words ending in i are
                // roots (hati, pergi, polisi), so only the -ngi ones go.
                return ends(letters, b"ng") && letters.len() >= 5;
            }
            // Roots in -ai (sampai, pakai) outnumber -a roots with -i (sukai): known only.
            if last == b'a' {
                return false;
            }
            // Loans in -si (evaluasi, eksekusi) are roots, native -s roots short.
            if last == b's' && vowel_count(letters) >= 3 {
                return false;
            }
            // Nor do roots taking -i end in two consonants other than ng (produksi).
            let before = letters.len().checked_sub(2).and_then(|i| letters.get(i));
            if !ends(letters, b"ng") && before.is_some_and(|&c| !is_vowel(c)) {
                return false;
            }
        }
        true
    }
}

fn vowel_count(s: &[u8]) -> usize {
    s.iter().filter(|&&c| is_vowel(c)).count()
}

/// Whether `s` starts and ends the way an Indonesian root can, and has a vowel.
fn sounds_like_root(s: &[u8]) -> bool {
    let (Some(&a), Some(&b)) = (s.first(), s.get(1)) else {
        return false;
    };
    let onset = is_vowel(a)
        || is_vowel(b)
        || matches!(
            &[a, b],
            b"ng"
                | b"sh"
                | b"ny"
                | b"sy"
                | b"kh"
                | b"tr"
                | b"pr"
                | b"br"
                | b"gr"
                | b"kr"
                | b"dr"
                | b"fr"
                | b"pl"
                | b"bl"
                | b"kl"
                | b"gl"
                | b"fl"
                | b"sk"
                | b"sp"
                | b"st"
                | b"sl"
                | b"sw"
                | b"sm"
        );
    if !onset {
        return false;
    }
    let n = s.len();
    let (Some(&y), Some(&z)) = (s.get(n - 2), s.get(n - 1)) else {
        return false;
    };
    let coda = is_vowel(z)
        || (is_vowel(y) && b"bdfghklmnprst".contains(&z))
        || matches!(&[y, z], b"ng" | b"nk" | b"ks" | b"rs");
    coda && s.iter().any(|&c| is_vowel(c))
}

/// Whether `w` starts like a prefix or ends like a suffix at all: most words in running text
/// do neither, and this lets them skip the search.
fn may_be_affixed(w: &[u8]) -> bool {
    let first = w.first().copied().unwrap_or(0);
    let second = w.get(1).copied().unwrap_or(0);
    let prefix = matches!(
        (first, second),
        (b'd', b'i') | (b'k' | b's' | b't' | b'b' | b'p', b'e') | (b'n' | b'm', _)
    );
    prefix
        || match w.last() {
            Some(b'h') => ends(w, b"lah") || ends(w, b"kah") || ends(w, b"tah"),
            Some(b'n') => ends(w, b"an") || ends(w, b"in") || ends(w, b"pun"),
            Some(b'a') => ends(w, b"nya"),
            Some(b'u') => ends(w, b"ku") || ends(w, b"mu"),
            Some(b'i') => true,
            _ => false,
        }
}

/// The root of a word of letters only.
fn plain(word: &str) -> Cow<'_, str> {
    let w = word.as_bytes();
    if w.len() <= 3 || !may_be_affixed(w) || is_known(w) {
        return Cow::Borrowed(word);
    }
    let mut search = Search {
        word: w,
        best: Root {
            lead: None,
            start: 0,
            end: w.len(),
        },
        best_weight: 0,
        known: None,
    };
    let (ends, n) = endings(w);
    let empty = Chain {
        items: [None; 3],
        n: 0,
        weight: 0,
        needs_known: false,
    };
    for ending in ends.iter().take(n) {
        if walk(&mut search, 0, ending, empty) {
            break;
        }
    }
    let root = search.known.unwrap_or(search.best);
    let body = word.get(root.start..root.end).unwrap_or(word);
    match root.lead {
        None => Cow::Borrowed(body),
        Some(c) => {
            let mut s = String::with_capacity(body.len() + 1);
            s.push(char::from(c));
            s.push_str(body);
            Cow::Owned(s)
        }
    }
}

/// Visit the analysis with `chain` removed up to `start`, then every deeper prefix removal;
/// true once a known root is found.
fn walk(search: &mut Search<'_>, start: usize, ending: &Ending, chain: Chain) -> bool {
    let root = Root {
        lead: None,
        start,
        end: ending.end,
    };
    if search.visit(root, &chain, ending) {
        return true;
    }
    if chain.n >= 3 {
        return false;
    }
    let rest = search.word.get(start..ending.end).unwrap_or_default();
    if rest.len() < 5 {
        return false;
    }
    let found = cuts(rest, chain.n == 0);
    for cut in found.items.iter().flatten() {
        if chain.has(cut.prefix) || chain.last().is_some_and(|p| !p.may_precede(cut.prefix)) {
            continue;
        }
        let next = chain.with(*cut);
        let start = start + cut.skip;
        if cut.lead.is_some() {
            // A restored sound starts the root: nothing further can be a prefix.
            let root = Root {
                lead: cut.lead,
                start,
                end: ending.end,
            };
            if search.visit(root, &next, ending) {
                return true;
            }
        } else if walk(search, start, ending, next) {
            return true;
        }
    }
    false
}

/// Roots written by hand by the Humas team: words that look affixed but are roots, roots
/// that settle which sound a prefix swallowed, and roots shorter than four letters. Not a
/// dictionary: most roots are found by the rules alone.
#[rustfmt::skip]
const KNOWN: &[&str] = &[
    // Short roots the length guard would refuse.
    "ada", "adu", "aju", "aku", "air", "api", "abu", "apa", "ibu", "isi", "uji", "hak", "doa",
    "gas", "cek", "bom", "sah", "tes", "cat", "las", "pel", "rem", "bus", "pos", "ini", "itu",
    "dia", "mau", "tua", "dua", "esa", "era", "ide", "oli", "ubi", "bea",
    // Numbers, for ke- ordinals.
    "tiga", "empat", "lima", "enam", "tujuh", "delapan", "sembilan", "sepuluh", "seratus",
    "seribu", "sejuta",
    // Roots that look prefixed.
    "sepeda", "sekolah", "semua", "sehat", "sedang", "selesai", "senang", "sejarah", "segera",
    "serta", "sering", "semangat", "sendiri", "sekarang", "selatan", "seminar", "senin", "selasa",
    "sempat", "sektor", "sejahtera", "sedia", "sendi", "sesak", "sewa", "seni", "sepi", "seberang",
    "sejak", "serang", "serah", "sebar", "segar", "selam", "selamat", "selidik", "selenggara",
    "seleksi", "seluruh", "sengaja", "sengketa", "sentuh", "senyum", "sepakat", "serap", "serbu",
    "sesuai", "setuju", "sebab", "sebut", "sehingga", "seperti", "setelah", "sesudah", "sekitar",
    "sebelah", "seragam", "sekretariat", "sekretaris", "semen", "sertifikat", "sesi", "setia",
    "sedikit", "sebagai", "selalu", "semakin", "sebentar", "selamanya", "sedangkan", "serius",
    "segala", "selisih", "sembuh", "sempit", "sepatu", "seret", "setor", "sewenang", "sebelum",
    "sedekah", "seksi", "dinas", "dingin", "dinding", "digital", "diskusi", "disiplin",
    "distribusi", "direktur", "didik", "diri", "diam", "dikit", "dini", "diet", "divisi",
    "dimensi", "diploma", "direksi", "dilema", "dinamika", "dinamis", "dirgahayu", "dialog",
    "diabetes", "diagnosis", "diesel", "diare", "distrik", "diskon", "mengapa", "peduli",
    "perawan", "kepala", "kereta", "kelas", "kecil", "keluarga", "ketika", "kemudian", "kemarin",
    "kenal", "keras", "kerja", "keliling", "kelompok", "kebun", "kena", "kenapa", "kepada",
    "keluar", "keluh", "kembali", "kembang", "kecewa", "kejar", "kelola", "kesan", "kecam",
    "kenang", "ketua", "ketik", "ketat", "kering", "keringat", "kesal", "kemas", "kebal", "keju",
    "kekal", "kemah", "kental", "kepung", "keruh", "ketuk", "kejam", "kelapa", "kemeja", "kendara",
    "kendali", "kemudi", "keramik", "kertas", "kerugian", "ketupat", "kehendak", "terima", "terus",
    "ternak", "tertib", "terbang", "teror", "teroris", "terang", "teras", "terjemah", "terminal",
    "tertawa", "terik", "terapi", "teri", "tetapi", "telah", "tentang", "tentu", "tempat", "teman",
    "tengah", "telepon", "tenaga", "teknik", "teknologi", "teliti", "tetap", "berita", "beritahu",
    "beras", "berat", "berani", "berantas", "berangkat", "beres", "berkas", "berkat", "bersih",
    "bersin", "berkah", "berlian", "bermuda", "belum", "benar", "bengkel", "bekas", "belanja",
    "belakang", "beli", "belas", "belah", "beda", "bela", "bensin", "besar", "betul", "bebas",
    "berapa", "menteri", "merdeka", "merah", "meja", "menu", "mesin", "metode", "media", "meter",
    "menang", "mental", "mentah", "merek", "medis", "mewah", "melati", "pesan", "pesawat", "pedas",
    "pegang", "pelangi", "peta", "pesta", "pecah", "pemilu", "perintah", "periksa", "percaya",
    "pertama", "perlu", "pernah", "penting", "penuh", "pergi", "perang", "peran", "persen",
    "perkara", "pemuda", "pelihara", "peluru", "pelosok", "pendek", "pensiun", "pentas", "perak",
    "perahu", "perut", "permen", "pesantren", "petir", "peti", "pedang", "pekan", "pecat", "pelan",
    "penjara", "pena", "penat", "penyu", "perdana", "persis", "peka", "pekat", "pengaruh",
    "pengap", "perban", "pelita", "pelopor", "peluk", "peluh", "perempuan", "pemkot", "pemkab",
    "pemprov", "pemda", "pemdes",
    // Roots that look suffixed.
    "masalah", "jalan", "tahan", "taman", "teman", "makan", "minum", "tanam", "dengan", "ingin",
    "lain", "kami", "dari", "beri", "kirim", "pakai", "bulan", "tangan", "badan", "hujan", "ikan",
    "kawan", "lawan", "bukan", "akan", "jembatan", "kawasan", "nyaman", "aman", "papan", "pelan",
    "setan", "korban", "zaman", "iman", "kanan", "kapan", "sultan", "layan", "depan", "tuan",
    "lapan", "ladang", "wawasan", "lautan", "jumlah", "jangan", "tuju", "salah", "kalah", "olah",
    "lelah", "sudah", "langkah", "nikah", "nafkah", "tingkah", "nanah", "himpun", "rumpun",
    "ampun", "daun", "tahun", "punya", "hanya", "tanya", "bahaya", "karunia", "cahaya", "kaya",
    "buku", "suku", "laku", "kuku", "saku", "paku", "siku", "kaku", "baku", "beku", "ilmu", "tamu",
    "temu", "jamu", "kamu", "ramu", "semu", "madu", "rindu", "kemarin", "mungkin", "dingin",
    "miskin", "yakin", "vaksin", "admin", "vitamin", "protein", "cermin", "batin", "izin", "rutin",
    "angin", "kain", "main", "ikan", "pantai", "sampai", "mulai", "nilai", "santai", "damai",
    "ramai", "capai", "badai", "rantai", "sungai", "pandai", "lambai", "bantai", "urai", "cerai",
    "tirai", "kedai", "landai", "bangkai", "hati", "cari", "lari", "bagi", "jadi", "mati", "kali",
    "tali", "gali", "tepi", "sepi", "tinggi", "bunyi", "ganti", "kunci", "pasti", "janji", "mandi",
    "mimpi", "nanti", "polisi", "informasi", "ekonomi", "energi", "revisi", "kursi", "negeri",
    "pribadi", "sendiri", "menari", "sosialisasi", "koordinasi", "evaluasi", "situasi", "kondisi",
    "posisi", "tradisi", "komisi", "edisi", "puisi", "durasi", "fungsi", "harga", "suka", "cinta",
    "warna", "kuasa", "rasa", "rupa", "guna", "manusia", "usaha", "budaya", "daya", "sama", "lama",
    "kata", "nyata", "sedia", "merdeka", "bicara", "percaya", "periksa", "laksana", "pelihara",
    "selenggara", "sejahtera", "celaka", "paham", "alam", "harap", "lapor", "catat", "jawab",
    // Roots ending in k, which -kan and -an would otherwise split wrongly (gera|kan).
    "gerak", "tindak", "masak", "masuk", "tembak", "cetak", "ledak", "desak", "tolak", "rusak",
    "teriak", "tumpuk", "tusuk", "tarik", "naik", "baik", "bijak", "banyak", "duduk", "didik",
    "tunjuk", "bentuk", "pimpin",
    // Roots that settle what a nasal prefix swallowed.
    "kirim", "kumpul", "kurang", "kata", "kunjung", "kutip", "kawal", "kabar", "kabul", "kait",
    "kandung", "kosong", "koreksi", "kuat", "kritik", "kasih", "kupas", "kuras", "kubur", "kotor",
    "kontrol", "kelola", "kecil", "kelompok", "kemas", "makam", "masak", "minta", "mohon", "milik",
    "mulai", "maaf", "manfaat", "muat", "marah", "malu", "mandi", "menang", "merah", "mudah",
    "mundur", "muncul", "musnah", "musuh", "mimpi", "minat", "modal", "maju", "makmur", "main",
    "muda", "mutasi", "nikah", "nilai", "nanti", "naik", "nasihat", "nama", "nikmat", "nyanyi",
    "nyala", "nyawa", "tanam", "tangis", "tunggu", "tulis", "tonton", "tutup", "tolak", "tolong",
    "tanggap", "tangkap", "tunda", "tahu", "terima", "tunjuk", "tanya", "sapu", "sampai", "siap",
    "sebab", "sebut", "susun", "salur", "sakit", "sidik", "suluh", "sebar", "serah", "sedia",
    "selesai", "cari", "coba", "cuci", "curi", "pukul", "pakai", "pilih", "potong", "pasang",
    "pantau", "panggil", "pulih", "padam", "palsu", "panas", "paksa", "pasar", "penuh", "periksa",
    "pimpin", "pandang", "rawat", "rumah", "rusak", "rendah", "rasa", "ramai", "ringan", "rekam",
    "rupa", "usaha", "ubah", "ingat", "atur", "ekonomi", "ikan", "adil", "orang", "angkat",
    "ambil", "urus", "akhir", "utama", "edar", "evaluasi", "ekspor", "eksekusi", "elak", "endap",
    "ikut", "hubung", "lindung", "dekat", "lewat", "hormat", "atas", "awas", "obat",
    // Roots for se-: se- only goes when what is left is known.
    "buah", "hari", "jumlah", "cara", "tiap", "kira", "benar", "belum", "harus", "besar", "luas",
    "panjang", "dalam", "minggu", "tahun", "bagai",
];

/// The longest known root: longer candidates need no lookup.
const MAX_KNOWN_LEN: usize = max_len(KNOWN);

const fn max_len(words: &[&str]) -> usize {
    let mut longest = 0;
    let mut i = 0;
    while i < words.len() {
        if words[i].len() > longest {
            longest = words[i].len();
        }
        i += 1;
    }
    longest
}

/// Open-addressing table over [`KNOWN`], built at compile time so the crate needs no global
/// state. A slot holds index + 1 in its low 16 bits (0 when empty) and 16 more bits of the
/// hash above them, so most misses are settled without comparing strings.
const TABLE_SIZE: usize = 4096;
const _: () = assert!(
    KNOWN.len() * 2 < TABLE_SIZE,
    "the known-root table must stay sparse"
);
const _: () = assert!(KNOWN.len() < u16::MAX as usize);
static TABLE: [u32; TABLE_SIZE] = build_table();

const fn hash(s: &[u8]) -> u32 {
    // FNV-1a: short keys, no dependencies, usable in const context.
    let mut h: u32 = 0x811c_9dc5;
    let mut i = 0;
    while i < s.len() {
        h ^= s[i] as u32;
        h = h.wrapping_mul(0x0100_0193);
        i += 1;
    }
    h
}

const fn slot_of(h: u32) -> usize {
    (h as usize) & (TABLE_SIZE - 1)
}

const fn tag_of(h: u32) -> u32 {
    h & 0xffff_0000
}

const fn build_table() -> [u32; TABLE_SIZE] {
    let mut table = [0u32; TABLE_SIZE];
    let mut i = 0;
    while i < KNOWN.len() {
        let h = hash(KNOWN[i].as_bytes());
        let mut slot = slot_of(h);
        while table[slot] != 0 {
            slot = (slot + 1) & (TABLE_SIZE - 1);
        }
        table[slot] = tag_of(h) | (i as u32 + 1);
        i += 1;
    }
    table
}

fn is_known(s: &[u8]) -> bool {
    let h = hash(s);
    let tag = tag_of(h);
    let mut slot = slot_of(h);
    // The table is at most half full, so an empty slot ends every probe sequence.
    for _ in 0..TABLE_SIZE {
        let entry = TABLE.get(slot).copied().unwrap_or(0);
        if entry == 0 {
            return false;
        }
        if entry & 0xffff_0000 == tag {
            let index = (entry & 0xffff) as usize;
            if KNOWN.get(index - 1).is_some_and(|k| same(k.as_bytes(), s)) {
                return true;
            }
        }
        slot = (slot + 1) & (TABLE_SIZE - 1);
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(cases: &[(&str, &str)]) {
        for (word, root) in cases {
            assert_eq!(stem(word), *root, "stem({word:?})");
        }
    }

    #[test]
    fn particles_and_possessives_go() {
        check(&[
            ("apakah", "apa"),
            ("siapapun", "siapa"),
            ("datanglah", "datang"),
            ("rumahnya", "rumah"),
            ("mobilku", "mobil"),
            ("ibumu", "ibu"),
            ("bukunyalah", "buku"),
        ]);
    }

    #[test]
    fn derivational_suffixes_go() {
        check(&[
            ("makanan", "makan"),
            ("laporan", "lapor"),
            ("laporkan", "lapor"),
            ("hubungi", "hubung"),
            ("tindakan", "tindak"),
        ]);
    }

    #[test]
    fn plain_prefixes_go() {
        check(&[
            ("dilaporkan", "lapor"),
            ("terlambat", "lambat"),
            ("bersekolah", "sekolah"),
            ("bekerja", "kerja"),
            ("belajar", "ajar"),
            ("sebuah", "buah"),
            ("kesehatan", "sehat"),
            ("keberatan", "berat"),
        ]);
    }

    #[test]
    fn nasal_prefixes_are_undone() {
        check(&[
            ("menyapu", "sapu"),
            ("memukul", "pukul"),
            ("menulis", "tulis"),
            ("mengambil", "ambil"),
            ("mengirim", "kirim"),
            ("membaca", "baca"),
            ("mencari", "cari"),
            ("menggunakan", "guna"),
            ("memakan", "makan"),
            ("menyanyi", "nyanyi"),
            ("mengecek", "cek"),
            ("mengetahui", "tahu"),
        ]);
    }

    #[test]
    fn pe_prefixes_are_undone() {
        check(&[
            ("pelayanan", "layan"),
            ("pembangunan", "bangun"),
            ("penanganan", "tangan"),
            ("pengaduan", "adu"),
            ("pemerintah", "perintah"),
            ("penyakit", "sakit"),
            ("pertanian", "tani"),
            ("perbaikan", "baik"),
            ("pelajaran", "ajar"),
            ("petani", "tani"),
        ]);
    }

    #[test]
    fn prefixes_stack_up_to_three() {
        check(&[
            ("diperbaiki", "baik"),
            ("mempertanyakan", "tanya"),
            ("memberdayakan", "daya"),
            ("keberhasilan", "hasil"),
            ("ketidakadilan", "adil"),
            ("ketidakberdayaan", "daya"),
        ]);
    }

    #[test]
    fn disallowed_confixes_are_not_used() {
        // me-…-an and di-…-an are not Indonesian: the -an stays with the root.
        check(&[("memakan", "makan"), ("dimakan", "makan")]);
        // ke-…-i is not either: "kelurahan" is ke-lurah-an, never ke-…-i.
        assert!(!Prefix::Ke.allows(Deriv::I));
        assert!(!Prefix::Ber.allows(Deriv::I));
        assert!(!Prefix::Se.allows(Deriv::Kan));
        assert!(!Prefix::Ter.allows(Deriv::An));
        assert!(Prefix::Me.allows(Deriv::Kan));
    }

    #[test]
    fn roots_that_look_affixed_stay() {
        check(&[
            ("sepeda", "sepeda"),
            ("makan", "makan"),
            ("minum", "minum"),
            ("sekolah", "sekolah"),
            ("masalah", "masalah"),
            ("tentang", "tentang"),
            ("pesan", "pesan"),
            ("bulan", "bulan"),
            ("polisi", "polisi"),
            ("kemarin", "kemarin"),
        ]);
    }

    #[test]
    fn colloquial_forms() {
        check(&[
            ("ngomong", "omong"),
            ("ngegas", "gas"),
            ("bayarin", "bayar"),
            ("beliin", "beli"),
            ("ngurus", "urus"),
        ]);
    }

    #[test]
    fn reduplication() {
        check(&[
            ("anak-anak", "anak"),
            ("berlari-lari", "lari"),
            ("sayur-mayur", "sayur"),
            ("jalan-jalan", "jalan"),
            ("tolong-menolong", "tolong"),
            ("pasca-bencana", "pasca-bencana"),
        ]);
    }

    #[test]
    fn non_words_are_left_alone() {
        for w in [
            "",
            "2024",
            "covid19",
            "😡",
            "Pelayanan",
            "café",
            "a",
            "-",
            "--",
            "anak-",
        ] {
            assert_eq!(stem(w), w);
        }
    }

    #[test]
    fn nothing_stripped_borrows_and_plain_stripping_borrows_too() {
        assert!(matches!(stem("sepeda"), Cow::Borrowed(_)));
        assert!(matches!(stem("dilaporkan"), Cow::Borrowed(_)));
        assert!(matches!(stem("menulis"), Cow::Owned(_)));
    }

    #[test]
    fn text_is_stemmed_word_by_word() {
        assert_eq!(
            stem_text("  pelayanan  dinkes\tsangat lambat, 2024 "),
            "layan dinkes sangat lambat, 2024"
        );
        assert_eq!(stem_text(""), "");
    }

    #[test]
    fn accuracy_counts() {
        assert_eq!(accuracy(&[("makanan", "makan"), ("sepeda", "x")]), (1, 2));
        assert_eq!(accuracy(&[]), (0, 0));
    }

    #[test]
    fn every_known_root_is_found() {
        for k in KNOWN {
            assert!(is_known(k.as_bytes()), "{k}");
        }
        assert!(!is_known(b"xyzzy"));
    }
}
