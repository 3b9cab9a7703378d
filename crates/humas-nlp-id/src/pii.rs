//! Personal-data detection and redaction for Indonesian text: doxxing in comments and the data
//! UU PDP (UU 27/2022 tentang Pelindungan Data Pribadi) asks us not to spread.
//!
//! Six kinds are found: NIK (the 16-digit KTP number), phone numbers, e-mail addresses, vehicle
//! plates, bank account numbers and street addresses. Each has its own small hand-written
//! scanner over the bytes of the text; candidates from all scanners are then merged so that the
//! result is sorted and free of overlaps ([`find_pii`]).
//!
//! **Precise rather than greedy.** A false positive hides an ordinary comment from the people
//! who moderate it, so every rule insists on Indonesian structure (province codes, `08`
//! prefixes, real plate regions) or on an explicit cue word (`rek`, `Jl.`), and says why in a
//! comment next to it.
//!
//! **Total.** Any string gets an answer and nothing panics. Scanners only ever start and end a
//! span on an ASCII byte (a digit, a letter, `+`, `(` or `)`), and an ASCII byte is always a char
//! boundary in UTF-8, so spans can be sliced safely whatever emoji, direction marks or zero-width
//! joiners surround them.
//!
//! ```
//! use humas_nlp_id::pii::{find_pii, redact, PiiKind};
//! let text = "tolong hubungi 0812-3456-7890 ya min";
//! assert_eq!(find_pii(text)[0].kind, PiiKind::Phone);
//! assert_eq!(redact(text), "tolong hubungi [TELEPON] ya min");
//! ```

use std::collections::BTreeMap;
use std::ops::Deref;

use serde::Serialize;

/// What kind of personal data a span holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PiiKind {
    /// Nomor Induk Kependudukan: the 16-digit number on the KTP.
    Nik,
    /// An Indonesian mobile (`08…`, `+62 8…`) or landline (`031-…`) number.
    Phone,
    /// An e-mail address.
    Email,
    /// A vehicle registration plate such as `L 1234 AB`.
    VehiclePlate,
    /// A bank account number introduced by a cue such as `rek` or `BCA`.
    BankAccount,
    /// A street address with a house number, RT/RW or block: `Jl. Kenjeran No. 45`.
    StreetAddress,
}

impl PiiKind {
    /// The text [`redact`] puts in place of a span of this kind (Indonesian, for the operators).
    #[must_use]
    pub const fn placeholder(self) -> &'static str {
        match self {
            Self::Nik => "[NIK]",
            Self::Phone => "[TELEPON]",
            Self::Email => "[EMAIL]",
            Self::VehiclePlate => "[PLAT]",
            Self::BankAccount => "[REKENING]",
            Self::StreetAddress => "[ALAMAT]",
        }
    }

    /// A stable machine name, the same as the serialised form.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Nik => "nik",
            Self::Phone => "phone",
            Self::Email => "email",
            Self::VehiclePlate => "vehicle_plate",
            Self::BankAccount => "bank_account",
            Self::StreetAddress => "street_address",
        }
    }

    /// Tie-break when two overlapping candidates are equally long: lower wins. Structural
    /// evidence (an `@`, a province code and birth date, an `08` prefix) beats a cue word nearby,
    /// and the loose letter-and-digit shapes (address, plate) come last.
    const fn specificity_rank(self) -> u8 {
        match self {
            Self::Email => 0,
            Self::Nik => 1,
            Self::Phone => 2,
            Self::BankAccount => 3,
            Self::StreetAddress => 4,
            Self::VehiclePlate => 5,
        }
    }
}

/// One piece of personal data found in a text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PiiSpan {
    /// What it is.
    pub kind: PiiKind,
    /// Byte offset of its first character in the input (a char boundary).
    pub start: usize,
    /// Byte offset just past its last character (a char boundary).
    pub end: usize,
}

impl PiiSpan {
    const fn len(&self) -> usize {
        self.end - self.start
    }
}

/// Finds the personal data in `text`: sorted by `start`, never overlapping. When candidates
/// overlap the longer one is kept, and between equally long ones the more specific kind.
#[must_use]
pub fn find_pii(text: &str) -> Vec<PiiSpan> {
    let bytes = text.as_bytes();
    // Where each scanner may start, found in one pass over the bytes instead of one per scanner.
    let mut stack = [0u64; MARK_KINDS * STACK_WORDS];
    let mut heap = Vec::new();
    let marks = Marks::of(bytes, &mut stack, &mut heap);
    // Most messages hold no personal data; each scanner is skipped unless the text has what
    // every one of its matches needs. Only e-mails and `Blok A` addresses do without digits.
    let has_digit = marks.any(Mark::DigitRunStart);
    let mut candidates = Vec::new();
    if has_digit {
        find_niks(text, &marks, &mut candidates);
        find_phones(text, &marks, &mut candidates);
        find_vehicle_plates(text, &marks, &mut candidates);
        find_bank_accounts(text, &marks, &mut candidates);
    }
    if marks.any(Mark::At) {
        find_emails(text, &marks, &mut candidates);
    }
    if has_digit || contains_ignoring_ascii_case(bytes, b"blok") {
        find_street_addresses(text, &marks, &mut candidates);
    }
    resolve_overlaps(candidates)
}

/// Bytes a scanner may start at.
#[derive(Clone, Copy)]
enum Mark {
    /// The first digit of a run of ASCII digits.
    DigitRunStart,
    /// `+` or `(`, which may open a phone number.
    Sign,
    /// An ASCII capital, which may start a plate.
    Upper,
    /// `j`, `g`, `k` or `p` in either case, which may start an address cue word.
    CueLetter,
    /// `@`.
    At,
}

const MARK_KINDS: usize = 5;
/// Texts up to `64 × STACK_WORDS` bytes keep their marks on the stack.
const STACK_WORDS: usize = 8;

/// One bit per byte of the text for each [`Mark`]: the scanners visit only the marked bytes,
/// in order, and do exactly what they did when they looked at every byte.
struct Marks<'m> {
    /// `MARK_KINDS` bit sets of `words` words each.
    bits: &'m [u64],
    words: usize,
}

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// The high bit of each byte of `v` that equals `c`, and no other bit (exact, no carries).
#[inline]
const fn bytes_equal(v: u64, c: u8) -> u64 {
    let x = v ^ (ONES * c as u64);
    let low = x & !HIGHS;
    !((low + !HIGHS) | x | !HIGHS)
}

/// The high bit of each byte of `v` in `lo..=hi` (both below 0x80), and no other bit.
#[inline]
const fn bytes_between(v: u64, lo: u8, hi: u64) -> u64 {
    let low = v & !HIGHS;
    let at_least_lo = low + ONES * (0x80 - lo as u64);
    let above_hi = low + ONES * (0x7f - hi);
    at_least_lo & !above_hi & !v & HIGHS
}

/// One bit per byte from the high bits of a byte mask: byte `i` gives bit `i`.
#[inline]
const fn gather_high_bits(m: u64) -> u8 {
    ((((m >> 7) & ONES).wrapping_mul(0x0102_0408_1020_4080)) >> 56) as u8
}

/// The [`Mark`]s of eight bytes (little-endian in `v`), one bit per byte, in `Mark` order.
#[inline]
fn marks_of_eight(v: u64) -> [u8; MARK_KINDS] {
    let lower = v | (ONES * 0x20);
    [
        gather_high_bits(bytes_between(v, b'0', u64::from(b'9'))),
        gather_high_bits(bytes_equal(v, b'+') | bytes_equal(v, b'(')),
        gather_high_bits(bytes_between(v, b'A', u64::from(b'Z'))),
        gather_high_bits(
            bytes_equal(lower, b'j')
                | bytes_equal(lower, b'g')
                | bytes_equal(lower, b'k')
                | bytes_equal(lower, b'p'),
        ),
        gather_high_bits(bytes_equal(v, b'@')),
    ]
}

impl<'m> Marks<'m> {
    fn of(bytes: &[u8], stack: &'m mut [u64], heap: &'m mut Vec<u64>) -> Self {
        let words = bytes.len().div_ceil(64);
        let bits: &mut [u64] = if words <= STACK_WORDS {
            stack
        } else {
            heap.resize(MARK_KINDS * words, 0);
            heap
        };
        let mut digit_carry = 0u64;
        for (w, chunk) in bytes.chunks(64).enumerate() {
            let mut kinds = [0u64; MARK_KINDS];
            for (k, eight) in chunk.chunks(8).enumerate() {
                let mut word = [0u8; 8];
                if let Some(dest) = word.get_mut(..eight.len()) {
                    dest.copy_from_slice(eight);
                }
                for (acc, m) in kinds
                    .iter_mut()
                    .zip(marks_of_eight(u64::from_le_bytes(word)))
                {
                    *acc |= u64::from(m) << (8 * k);
                }
            }
            let [digit, sign, upper, cue, at] = kinds;
            let runs = digit & !((digit << 1) | digit_carry);
            digit_carry = digit >> 63;
            for (kind, value) in [runs, sign, upper, cue, at].into_iter().enumerate() {
                if let Some(slot) = bits.get_mut(kind * words + w) {
                    *slot = value;
                }
            }
        }
        Self { bits, words }
    }

    fn set(&self, mark: Mark) -> &[u64] {
        let at = mark as usize * self.words;
        self.bits.get(at..at + self.words).unwrap_or_default()
    }

    fn any(&self, mark: Mark) -> bool {
        self.set(mark).iter().any(|&w| w != 0)
    }

    /// Byte offsets carrying `mark`, in increasing order.
    fn positions(&self, mark: Mark) -> impl Iterator<Item = usize> + '_ {
        self.set(mark).iter().enumerate().flat_map(|(w, &word)| {
            let mut rest = word;
            std::iter::from_fn(move || {
                (rest != 0).then(|| {
                    let i = rest.trailing_zeros() as usize;
                    rest &= rest - 1;
                    w * 64 + i
                })
            })
        })
    }
}

fn contains_ignoring_ascii_case(haystack: &[u8], needle: &[u8]) -> bool {
    let Some(first) = needle.first() else {
        return true;
    };
    // Compare only where the first letter matches: most positions fail on one byte.
    haystack.iter().enumerate().any(|(i, b)| {
        b.eq_ignore_ascii_case(first)
            && haystack
                .get(i..i + needle.len())
                .is_some_and(|w| w.eq_ignore_ascii_case(needle))
    })
}

/// `text` with every span of [`find_pii`] replaced by its kind's [`PiiKind::placeholder`].
#[must_use]
pub fn redact(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut copied_up_to = 0;
    for span in find_pii(text) {
        out.push_str(text.get(copied_up_to..span.start).unwrap_or_default());
        out.push_str(span.kind.placeholder());
        copied_up_to = span.end;
    }
    out.push_str(text.get(copied_up_to..).unwrap_or_default());
    out
}

// ---------------------------------------------------------------------------------------------
// Merging

/// Longest first, then most specific; a candidate is kept only if it overlaps nothing kept.
fn resolve_overlaps(mut candidates: Vec<PiiSpan>) -> Vec<PiiSpan> {
    if candidates.len() < 2 {
        return candidates;
    }
    candidates.sort_by(|a, b| {
        b.len()
            .cmp(&a.len())
            .then(a.kind.specificity_rank().cmp(&b.kind.specificity_rank()))
            .then(a.start.cmp(&b.start))
    });
    let mut kept: BTreeMap<usize, PiiSpan> = BTreeMap::new();
    for candidate in candidates {
        if !overlaps_any(&kept, &candidate) {
            kept.insert(candidate.start, candidate);
        }
    }
    kept.into_values().collect()
}

fn overlaps_any(kept: &BTreeMap<usize, PiiSpan>, span: &PiiSpan) -> bool {
    let earlier_reaches_in = kept
        .range(..=span.start)
        .next_back()
        .is_some_and(|(_, earlier)| earlier.end > span.start);
    let later_starts_inside = kept.range(span.start..span.end).next().is_some();
    earlier_reaches_in || later_starts_inside
}

fn push_span(out: &mut Vec<PiiSpan>, kind: PiiKind, start: usize, end: usize) {
    if start < end {
        out.push(PiiSpan { kind, start, end });
    }
}

// ---------------------------------------------------------------------------------------------
// Shared character helpers

fn char_before(text: &str, index: usize) -> Option<char> {
    text.get(..index)?.chars().next_back()
}

fn char_after(text: &str, index: usize) -> Option<char> {
    text.get(index..)?.chars().next()
}

/// Letters and digits of any script: a span must not start or end inside such a run.
fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// `.` and `-` glue digits into one number (`1.500.000`, `12-34`); a space does not, because
/// people list numbers separated by spaces.
fn is_hard_joiner(c: char) -> bool {
    c == '.' || c == '-'
}

/// A number starts cleanly when it is not the tail of a word or of a longer number (`x123`,
/// `1.234`, `12-34`), so we never detect a piece of a longer digit run.
fn number_starts_cleanly(text: &str, index: usize) -> bool {
    match char_before(text, index) {
        None => true,
        Some(c) if is_word_char(c) => false,
        Some(c) if is_hard_joiner(c) => {
            !char_before(text, index.saturating_sub(1)).is_some_and(|p| p.is_ascii_digit())
        }
        Some(_) => true,
    }
}

/// The mirror of [`number_starts_cleanly`]: the number must not continue into a word or into
/// more digits glued with `.`/`-`. A final `.` ending the sentence is fine.
fn number_ends_cleanly(text: &str, index: usize) -> bool {
    match char_after(text, index) {
        None => true,
        Some(c) if is_word_char(c) => false,
        Some(c) if is_hard_joiner(c) => {
            !char_after(text, index + 1).is_some_and(|n| n.is_ascii_digit())
        }
        Some(_) => true,
    }
}

/// A letter-and-digit token (plate, cue word) must not be glued to a word on its left.
fn word_starts_at(text: &str, index: usize) -> bool {
    !char_before(text, index).is_some_and(is_word_char)
}

fn word_ends_at(text: &str, index: usize) -> bool {
    !char_after(text, index).is_some_and(is_word_char)
}

fn byte_at(bytes: &[u8], index: usize) -> Option<u8> {
    bytes.get(index).copied()
}

fn is_digit_at(bytes: &[u8], index: usize) -> bool {
    bytes.get(index).is_some_and(u8::is_ascii_digit)
}

fn digit_run_end(bytes: &[u8], start: usize) -> usize {
    let mut end = start;
    while is_digit_at(bytes, end) {
        end += 1;
    }
    end
}

/// End of a run of ASCII uppercase letters, looking at no more than `cap` of them.
fn uppercase_run_end(bytes: &[u8], start: usize, cap: usize) -> usize {
    let mut end = start;
    while end - start < cap && bytes.get(end).is_some_and(u8::is_ascii_uppercase) {
        end += 1;
    }
    end
}

/// The ASCII digits of `text[start..end]`, separators dropped, and how many there are; `None`
/// if there are more than `N`.
fn digits_up_to<const N: usize>(text: &str, start: usize, end: usize) -> Option<([u8; N], usize)> {
    let mut digits = [0u8; N];
    let mut count = 0;
    for &b in text
        .as_bytes()
        .get(start..end)?
        .iter()
        .filter(|b| b.is_ascii_digit())
    {
        *digits.get_mut(count)? = b;
        count += 1;
    }
    Some((digits, count))
}

/// The ASCII digits of `text[start..end]` if there are exactly sixteen, separators dropped.
fn sixteen_digits_between(text: &str, start: usize, end: usize) -> Option<[u8; NIK_DIGITS]> {
    digits_up_to::<NIK_DIGITS>(text, start, end)
        .and_then(|(digits, count)| (count == NIK_DIGITS).then_some(digits))
}

/// Byte offsets where a number starts cleanly.
fn number_starts<'a>(text: &'a str, marks: &'a Marks<'_>) -> impl Iterator<Item = usize> + 'a {
    // Inside a run of digits the character before is a digit, so only the first digit of each
    // run can start a number cleanly; the rest of the run is skipped without a look.
    marks
        .positions(Mark::DigitRunStart)
        .filter(move |&i| number_starts_cleanly(text, i))
}

/// A list of at most `N` items kept on the stack: the digit groups of one number are few, and
/// this runs for every number in every message.
#[derive(Clone, Copy, Debug)]
struct SmallList<T, const N: usize> {
    items: [T; N],
    len: usize,
}

impl<T: Copy + Default, const N: usize> SmallList<T, N> {
    fn new() -> Self {
        Self {
            items: [T::default(); N],
            len: 0,
        }
    }

    /// Adds `item`; false, leaving the list as it was, when it is full.
    fn push(&mut self, item: T) -> bool {
        let Some(slot) = self.items.get_mut(self.len) else {
            return false;
        };
        *slot = item;
        self.len += 1;
        true
    }
}

impl<T, const N: usize> Deref for SmallList<T, N> {
    type Target = [T];

    fn deref(&self) -> &[T] {
        self.items.get(..self.len).unwrap_or_default()
    }
}

/// Reading groups stops once they hold more digits than any kind allows (16), so at most
/// this many groups of one digit or more are ever read.
const MAX_GROUPS: usize = 17;

/// A run of digits inside a grouped number such as `3578 0112 0990 0003`.
#[derive(Clone, Copy, Debug, Default)]
struct DigitGroup {
    start: usize,
    end: usize,
}

impl DigitGroup {
    const fn len(self) -> usize {
        self.end - self.start
    }
}

/// Digit groups from `start` joined by exactly one separator out of `separators`; stops after
/// the group that takes the total past `max_digits` (enough to see that a number is too long),
/// or after `N` groups.
fn read_digit_groups<const N: usize>(
    bytes: &[u8],
    start: usize,
    separators: &[u8],
    max_digits: usize,
) -> SmallList<DigitGroup, N> {
    let mut groups = SmallList::new();
    let mut position = start;
    let mut total = 0;
    loop {
        let end = digit_run_end(bytes, position);
        if end == position {
            break;
        }
        let room = groups.push(DigitGroup {
            start: position,
            end,
        });
        total += end - position;
        if !room {
            break;
        }
        let joined_on = byte_at(bytes, end).filter(|b| separators.contains(b));
        if total > max_digits || joined_on.is_none() || !is_digit_at(bytes, end + 1) {
            break;
        }
        position = end + 1;
    }
    groups
}

fn two_digit_value(digits: &[u8], at: usize) -> u8 {
    let tens = digits.get(at).map_or(0, |d| d.wrapping_sub(b'0'));
    let ones = digits.get(at + 1).map_or(0, |d| d.wrapping_sub(b'0'));
    tens.wrapping_mul(10).wrapping_add(ones)
}

// ---------------------------------------------------------------------------------------------
// NIK

const NIK_DIGITS: usize = 16;

/// How NIKs are written when grouped: as on the KTP region/birth-date/serial split (6-6-4), or
/// in fours like a card number (4-4-4-4). Any other grouping is treated as some other number.
const NIK_GROUPINGS: [&[usize]; 2] = [&[6, 6, 4], &[4, 4, 4, 4]];

/// NIK: 16 digits, contiguous or grouped 6-6-4 / 4-4-4-4 with one consistent separator, not part
/// of a longer number, and plausible as a NIK (see [`is_plausible_nik`]). Sixteen-digit runs are
/// also order numbers, card numbers and bank references; the plausibility check is what keeps
/// those out.
fn find_niks(text: &str, marks: &Marks<'_>, out: &mut Vec<PiiSpan>) {
    for start in number_starts(text, marks) {
        if let Some(end) = nik_end_at(text, start) {
            push_span(out, PiiKind::Nik, start, end);
        }
    }
}

fn nik_end_at(text: &str, start: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let contiguous_end = digit_run_end(bytes, start);
    let end = match contiguous_end - start {
        NIK_DIGITS => contiguous_end,
        4 | 6 => grouped_nik_end(text, start)?,
        _ => return None,
    };
    let plausible = sixteen_digits_between(text, start, end).is_some_and(|d| is_plausible_nik(&d));
    (plausible && number_ends_cleanly(text, end)).then_some(end)
}

fn grouped_nik_end(text: &str, start: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    [b' ', b'.', b'-'].into_iter().find_map(|separator| {
        // NIK shapes have at most four groups: a fifth already rules one out.
        let groups = read_digit_groups::<5>(bytes, start, &[separator], NIK_DIGITS);
        let shaped = NIK_GROUPINGS
            .iter()
            .any(|grouping| groups.iter().map(|g| g.len()).eq(grouping.iter().copied()));
        // "1234 3578 0112 0990 0003": the four groups we read are the tail of a longer number.
        let continues_on_left = separator == b' '
            && char_before(text, start) == Some(' ')
            && char_before(text, start.saturating_sub(1)).is_some_and(|c| c.is_ascii_digit());
        (shaped && !continues_on_left)
            .then(|| groups.last().map(|g| g.end))
            .flatten()
    })
}

/// Province codes (the first two NIK digits) in use by Dukcapil: Sumatra 11–19 and 21, Java
/// and Banten 31–36, Bali and Nusa Tenggara 51–53, Kalimantan 61–65, Sulawesi 71–76, Maluku
/// 81–82, Papua 91–92 and 94–96.
fn is_province_code(code: u8) -> bool {
    matches!(code, 11..=19 | 21 | 31..=36 | 51..=53 | 61..=65 | 71..=76 | 81..=82 | 91..=92 | 94..=96)
}

/// NIK layout: PP KK CC DD MM YY SSSS: province, regency, district, day of birth (+40 for
/// women), month, year, serial. Regency, district and serial codes start at 01 / 0001.
fn is_plausible_nik(digits: &[u8; NIK_DIGITS]) -> bool {
    let day = two_digit_value(digits, 6);
    let serial_is_zero = digits
        .get(12..)
        .is_some_and(|s| s.iter().all(|&d| d == b'0'));
    is_province_code(two_digit_value(digits, 0))
        && two_digit_value(digits, 2) != 0
        && two_digit_value(digits, 4) != 0
        && matches!(day, 1..=31 | 41..=71)
        && matches!(two_digit_value(digits, 8), 1..=12)
        && !serial_is_zero
}

// ---------------------------------------------------------------------------------------------
// Phone

/// E.164 caps a full number at 15 digits; reading further only tells us the run is too long.
const MAX_PHONE_DIGITS: usize = 15;

/// Phones: `08…` mobiles (also `+62 8…` and `62 8…`) and landlines with a written-apart area
/// code (`031-8290123`, `(031) 8290123`, `+62 31 8290123`). Separators may be one space, dash or
/// dot, and one pair of parentheses may wrap the area/operator code. When trailing groups make
/// the number too long, the longest valid prefix that ends at a space is taken, so
/// `0812 3456 7890 2 kali` still finds the phone.
fn find_phones(text: &str, marks: &Marks<'_>, out: &mut Vec<PiiSpan>) {
    for start in phone_starts(text, marks) {
        if let Some(end) = phone_end_at(text, start) {
            push_span(out, PiiKind::Phone, start, end);
        }
    }
}

/// Where a phone may start: a `+` or `(` at the start of a word, or a number that starts
/// cleanly. (In no particular order: overlaps are resolved by length and kind.)
fn phone_starts<'a>(text: &'a str, marks: &'a Marks<'_>) -> impl Iterator<Item = usize> + 'a {
    let signs = marks
        .positions(Mark::Sign)
        .filter(move |&i| word_starts_at(text, i));
    // After a `+` the start at the `+` itself is the one that counts.
    let numbers = number_starts(text, marks).filter(move |&i| char_before(text, i) != Some('+'));
    signs.chain(numbers)
}

#[derive(Clone, Copy, Debug, Default)]
struct PhoneGroup {
    digits: DigitGroup,
    /// Just past the group, including a `)` that closes right after it.
    end: usize,
    closes_paren: bool,
    /// No parenthesis is left open after this group.
    balanced: bool,
}

#[derive(Debug)]
struct PhoneToken {
    start: usize,
    plus: bool,
    opens_with_paren: bool,
    groups: SmallList<PhoneGroup, MAX_GROUPS>,
}

fn phone_end_at(text: &str, start: usize) -> Option<usize> {
    let token = tokenize_phone(text.as_bytes(), start)?;
    (1..=token.groups.len())
        .rev()
        .find_map(|count| phone_prefix_end(text, &token, count))
}

fn tokenize_phone(bytes: &[u8], start: usize) -> Option<PhoneToken> {
    let mut position = start;
    let opens_with_paren = byte_at(bytes, position) == Some(b'(');
    position += usize::from(opens_with_paren);
    let plus = byte_at(bytes, position) == Some(b'+');
    position += usize::from(plus);
    let mut parens = ParenState {
        open: opens_with_paren,
        used: opens_with_paren,
    };
    let mut groups = SmallList::new();
    let mut total = 0;
    loop {
        let digits_end = digit_run_end(bytes, position);
        if digits_end == position {
            break;
        }
        total += digits_end - position;
        let closes_paren = parens.open && byte_at(bytes, digits_end) == Some(b')');
        parens.open &= !closes_paren;
        let end = digits_end + usize::from(closes_paren);
        let digits = DigitGroup {
            start: position,
            end: digits_end,
        };
        let room = groups.push(PhoneGroup {
            digits,
            end,
            closes_paren,
            balanced: !parens.open,
        });
        if total > MAX_PHONE_DIGITS || !room {
            break;
        }
        match next_phone_group_start(bytes, end, closes_paren, &mut parens) {
            Some(next) => position = next,
            None => break,
        }
    }
    (!groups.is_empty()).then_some(PhoneToken {
        start,
        plus,
        opens_with_paren,
        groups,
    })
}

#[derive(Debug)]
struct ParenState {
    open: bool,
    used: bool,
}

/// Where the next digit group starts: after one space/dash/dot (`0812-3456`), after a
/// separator and an opening parenthesis (`+62 (812)`), or right after a closing one
/// (`(0812)3456`).
fn next_phone_group_start(
    bytes: &[u8],
    end: usize,
    just_closed: bool,
    parens: &mut ParenState,
) -> Option<usize> {
    let separator = byte_at(bytes, end).filter(|b| matches!(b, b' ' | b'-' | b'.'));
    // A lone digit after a space is prose ("0812 3456 7890 2 kali"), not a phone group.
    let lone_digit_after_space =
        separator == Some(b' ') && digit_run_end(bytes, end + 1) == end + 2;
    if separator.is_some() && is_digit_at(bytes, end + 1) && !lone_digit_after_space {
        return Some(end + 1);
    }
    let opens_paren = separator.is_some_and(|b| b != b'.')
        && byte_at(bytes, end + 1) == Some(b'(')
        && is_digit_at(bytes, end + 2);
    if opens_paren && !parens.used {
        parens.open = true;
        parens.used = true;
        return Some(end + 2);
    }
    (just_closed && is_digit_at(bytes, end)).then_some(end)
}

fn phone_prefix_end(text: &str, token: &PhoneToken, count: usize) -> Option<usize> {
    let groups = token.groups.get(..count)?;
    let last = groups.last()?;
    // "(0812345678)": parentheses around the whole number are prose, not an area code; the
    // start just inside them finds the number instead.
    let wrapped_whole = token.opens_with_paren && last.closes_paren;
    if !last.balanced || wrapped_whole || !number_ends_cleanly(text, last.end) {
        return None;
    }
    // More digits than this cannot be a valid phone, whatever its prefix.
    let (digits, count) = digits_up_to::<32>(text, token.start, last.end)?;
    let digits = digits.get(..count)?;
    is_valid_phone(token.plus, groups, digits).then_some(last.end)
}

fn is_valid_phone(plus: bool, groups: &[PhoneGroup], digits: &[u8]) -> bool {
    let Some(prefix_len) = national_prefix_len(plus, digits) else {
        return false;
    };
    // "0.8123456789" is a decimal, not a phone: nobody writes the trunk 0 as a group of its own.
    let trunk_alone =
        digits.first() == Some(&b'0') && groups.first().is_some_and(|g| g.digits.len() < 3);
    let national = digits.get(prefix_len..).unwrap_or_default();
    if trunk_alone {
        return false;
    }
    if national.first() == Some(&b'8') {
        is_mobile_number(national)
    } else {
        is_landline_number(groups, prefix_len, national)
    }
}

/// How many leading digits are not part of the national number: the trunk `0`, the country
/// code `62` after a `+` (plus the stray `0` in the common "+62 0812…"), or a bare `62`, which
/// is accepted only before a mobile `8` (as in `wa.me/6281…` links) since plenty of other
/// numbers begin with 62.
fn national_prefix_len(plus: bool, digits: &[u8]) -> Option<usize> {
    if plus {
        let stray_zero = digits.get(2) == Some(&b'0');
        return digits
            .starts_with(b"62")
            .then_some(2 + usize::from(stray_zero));
    }
    if digits.starts_with(b"628") {
        return Some(2);
    }
    digits.starts_with(b"0").then_some(1)
}

/// Mobile numbers are 8 followed by 8–11 digits (9–12 national digits); `080x` is not issued
/// to subscribers (0800 is toll-free), so a second digit of 0 is rejected.
fn is_mobile_number(national: &[u8]) -> bool {
    (9..=12).contains(&national.len()) && national.get(1).is_some_and(|&d| d != b'0')
}

/// Landlines: area codes are 2–3 digits after the trunk (21 Jakarta, 31 Surabaya, 361 Bali)
/// followed by 6–8 subscriber digits. A bare ten-digit run starting with 0 is as likely an
/// order or reference number, so the area code must be written apart (a separator or
/// parentheses after it): that is how people write landlines.
fn is_landline_number(groups: &[PhoneGroup], prefix_len: usize, national: &[u8]) -> bool {
    let Some(&first) = national.first() else {
        return false;
    };
    if !(b'2'..=b'9').contains(&first) || first == b'8' {
        return false;
    }
    let mut seen = 0;
    let area_len = groups.iter().find_map(|group| {
        seen += group.digits.len();
        (seen > prefix_len).then(|| seen - prefix_len)
    });
    let Some(area_len) = area_len.filter(|len| (2..=3).contains(len)) else {
        return false;
    };
    (6..=8).contains(&national.len().saturating_sub(area_len))
}

// ---------------------------------------------------------------------------------------------
// Email

const MAX_EMAIL_LOCAL: usize = 64;
const MAX_EMAIL_DOMAIN: usize = 253;

/// E-mail: `local@domain.tld` with the usual ASCII characters on each side, at least one dot in
/// the domain, labels not starting or ending with `-`, and an alphabetic TLD of 2+ letters.
/// Trailing `.`/`-` (sentence punctuation) are left out of the span. `@mention` has no local
/// part and is not matched.
fn find_emails(text: &str, marks: &Marks<'_>, out: &mut Vec<PiiSpan>) {
    let bytes = text.as_bytes();
    for at in marks.positions(Mark::At) {
        let Some(start) = email_local_start(bytes, at) else {
            continue;
        };
        if let Some(end) = email_domain_end(bytes, at + 1) {
            push_span(out, PiiKind::Email, start, end);
        }
    }
}

fn is_email_local_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'%' | b'+' | b'-')
}

fn email_local_start(bytes: &[u8], at: usize) -> Option<usize> {
    let mut start = at;
    while start > 0
        && at - start <= MAX_EMAIL_LOCAL
        && bytes
            .get(start - 1)
            .is_some_and(|&b| is_email_local_byte(b))
    {
        start -= 1;
    }
    let too_long = at - start > MAX_EMAIL_LOCAL;
    while byte_at(bytes, start) == Some(b'.') {
        start += 1;
    }
    let ends_with_dot = at > 0 && byte_at(bytes, at - 1) == Some(b'.');
    (start < at && !too_long && !ends_with_dot).then_some(start)
}

fn email_domain_end(bytes: &[u8], from: usize) -> Option<usize> {
    let mut end = from;
    while bytes
        .get(end)
        .is_some_and(|&b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
    {
        end += 1;
        if end - from > MAX_EMAIL_DOMAIN {
            return None;
        }
    }
    while end > from && matches!(byte_at(bytes, end - 1), Some(b'.' | b'-')) {
        end -= 1;
    }
    is_valid_email_domain(bytes.get(from..end)?).then_some(end)
}

fn is_valid_email_domain(domain: &[u8]) -> bool {
    // One pass over the labels, nothing collected: this runs for every `@`.
    let mut count = 0;
    let mut last: &[u8] = &[];
    let labels_ok = domain.split(|&b| b == b'.').all(|label| {
        count += 1;
        last = label;
        !label.is_empty()
            && label.len() <= 63
            && label.first() != Some(&b'-')
            && label.last() != Some(&b'-')
    });
    let tld_ok = last.len() >= 2 && last.iter().all(u8::is_ascii_alphabetic);
    count >= 2 && labels_ok && tld_ok
}

// ---------------------------------------------------------------------------------------------
// Vehicle plate

/// Region codes of Indonesian plates (Korlantas), one or two letters.
const PLATE_REGIONS: &[&[u8]] = &[
    b"A", b"AA", b"AB", b"AD", b"AE", b"AG", b"B", b"BA", b"BB", b"BD", b"BE", b"BG", b"BH", b"BK",
    b"BL", b"BM", b"BN", b"BP", b"D", b"DA", b"DB", b"DC", b"DD", b"DE", b"DG", b"DH", b"DK",
    b"DL", b"DM", b"DN", b"DP", b"DR", b"DS", b"DT", b"DW", b"E", b"EA", b"EB", b"ED", b"F", b"G",
    b"H", b"K", b"KB", b"KH", b"KT", b"KU", b"L", b"M", b"N", b"P", b"PA", b"PB", b"R", b"S", b"T",
    b"W", b"Z",
];

/// Plates: region code, 1–4 digits (never starting with 0), 1–3 suffix letters, e.g.
/// `L 1234 AB`, `B1234XYZ`, `AG 5678 KM`, each part optionally one space apart.
///
/// Precision rules, because short letter-digit codes are everywhere in Indonesian text:
/// - letters must be UPPERCASE, as plates are written; lowercase `b 12 ab` is left alone;
/// - the region must be a real plate region, as a whole word;
/// - the suffix is required: `G20`, `S1`, `D3`, `K3`, `R4` (summit, degrees, safety, wheels)
///   have none; plates without a suffix are rare enough to miss;
/// - with only 1–2 digits both gaps must be spaces (`S 1 TI` reads as a plate, `S1 TI` as a
///   degree programme).
fn find_vehicle_plates(text: &str, marks: &Marks<'_>, out: &mut Vec<PiiSpan>) {
    // Upper-case letters are rare, so the word-start check that decodes the character before
    // runs seldom.
    for start in marks.positions(Mark::Upper) {
        let is_candidate = word_starts_at(text, start) && char_before(text, start) != Some('@');
        if is_candidate && let Some(end) = plate_end_at(text, start) {
            push_span(out, PiiKind::VehiclePlate, start, end);
        }
    }
}

fn skip_one_space(bytes: &[u8], position: usize) -> (usize, bool) {
    if byte_at(bytes, position) == Some(b' ') {
        (position + 1, true)
    } else {
        (position, false)
    }
}

fn plate_end_at(text: &str, start: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let region_end = uppercase_run_end(bytes, start, 3);
    if !PLATE_REGIONS.contains(&bytes.get(start..region_end)?) {
        return None;
    }
    let (digits_start, spaced_before_digits) = skip_one_space(bytes, region_end);
    let digits_end = digit_run_end(bytes, digits_start);
    let digit_count = digits_end - digits_start;
    if !(1..=4).contains(&digit_count) || byte_at(bytes, digits_start) == Some(b'0') {
        return None;
    }
    let (suffix_start, spaced_before_suffix) = skip_one_space(bytes, digits_end);
    let suffix_end = uppercase_run_end(bytes, suffix_start, 4);
    let suffix_ok = (1..=3).contains(&(suffix_end - suffix_start));
    let short_number_spaced = digit_count >= 3 || (spaced_before_digits && spaced_before_suffix);
    (suffix_ok && short_number_spaced && word_ends_at(text, suffix_end)).then_some(suffix_end)
}

// ---------------------------------------------------------------------------------------------
// Bank account

const ACCOUNT_MIN_DIGITS: usize = 10;
const ACCOUNT_MAX_DIGITS: usize = 16;
/// How far (in characters) before the number a cue word may stand: "no rek BCA saya: ".
const ACCOUNT_CUE_WINDOW: usize = 30;

/// Cue words before an account number: "rek", "no. rek", "norek", "rekening", bank names
/// (BCA, BRI, BNI, Mandiri, BSI, BTN, Bank Jatim), "a/n" ("atas nama", in the name of).
const ACCOUNT_CUES_BEFORE: &[&str] = &[
    "rek",
    "rekening",
    "norek",
    "a/n",
    "a.n",
    "atas nama",
    "bca",
    "bri",
    "bni",
    "mandiri",
    "bsi",
    "btn",
    "jatim",
    "account",
    "acc",
];
/// "1234567890 a/n Budi": the holder's name usually follows the number.
const ACCOUNT_CUES_AFTER: &[&str] = &["a/n", "a.n", "atas nama"];

/// Bank accounts: 10–16 digits, contiguous or grouped with single spaces/dashes, with a cue
/// word close by. Without a cue a 10–16 digit number is as likely an order, invoice or
/// tracking number, so it is not flagged.
fn find_bank_accounts(text: &str, marks: &Marks<'_>, out: &mut Vec<PiiSpan>) {
    for start in number_starts(text, marks) {
        let Some(end) = account_end_at(text, start) else {
            continue;
        };
        if has_account_cue(text, start, end) {
            push_span(out, PiiKind::BankAccount, start, end);
        }
    }
}

/// The longest prefix of the digit groups with 10–16 digits that ends cleanly. Groups joined
/// by a space must have 2+ digits, so "1234567890 2 kali" stops before the "2".
fn account_end_at(text: &str, start: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let groups = read_digit_groups::<MAX_GROUPS>(bytes, start, b" -", ACCOUNT_MAX_DIGITS);
    let mut total = 0;
    let mut best = None;
    for (index, group) in groups.iter().enumerate() {
        let joined_by_space =
            index > 0 && byte_at(bytes, group.start.saturating_sub(1)) == Some(b' ');
        if joined_by_space && group.len() < 2 {
            break;
        }
        total += group.len();
        if (ACCOUNT_MIN_DIGITS..=ACCOUNT_MAX_DIGITS).contains(&total)
            && number_ends_cleanly(text, group.end)
        {
            best = Some(group.end);
        }
    }
    best
}

fn has_account_cue(text: &str, start: usize, end: usize) -> bool {
    let before = text
        .get(window_start(text, start, ACCOUNT_CUE_WINDOW)..start)
        .unwrap_or_default();
    let after = text
        .get(end..window_end(text, end, ACCOUNT_CUE_WINDOW))
        .unwrap_or_default();
    contains_cue_word(before, ACCOUNT_CUES_BEFORE) || contains_cue_word(after, ACCOUNT_CUES_AFTER)
}

/// Whether a byte begins a character (is not a UTF-8 continuation byte): counting these
/// counts characters without decoding them.
const fn is_char_start(b: u8) -> bool {
    b & 0xC0 != 0x80
}

/// Byte offset `chars` characters before `index` (or 0).
fn window_start(text: &str, index: usize, chars: usize) -> usize {
    if chars == 0 || !text.is_char_boundary(index) {
        return index;
    }
    let head = text.as_bytes().get(..index).unwrap_or_default();
    let mut seen = 0;
    for (offset, &b) in head.iter().enumerate().rev() {
        if is_char_start(b) {
            seen += 1;
            if seen == chars {
                return offset;
            }
        }
    }
    0
}

/// Byte offset `chars` characters after `index` (or the end).
fn window_end(text: &str, index: usize, chars: usize) -> usize {
    if !text.is_char_boundary(index) {
        return text.len();
    }
    let mut seen = 0;
    for (offset, &b) in text.as_bytes().iter().enumerate().skip(index) {
        if is_char_start(b) {
            if seen == chars {
                return offset;
            }
            seen += 1;
        }
    }
    text.len()
}

/// Whether any cue occurs in `window` as a whole word, ignoring ASCII case. Every cue begins
/// with a letter, so only positions where a word starts are tried.
fn contains_cue_word(window: &str, cues: &[&str]) -> bool {
    let bytes = window.as_bytes();
    any_word_start_letter(window, |at| {
        let rest = bytes.get(at..).unwrap_or_default();
        let first = rest.first().map(u8::to_ascii_lowercase);
        cues.iter().any(|cue| {
            cue.as_bytes().first() == first.as_ref()
                && rest
                    .get(..cue.len())
                    .is_some_and(|head| head.eq_ignore_ascii_case(cue.as_bytes()))
                && word_ends_at(window, at + cue.len())
        })
    })
}

/// Calls `visit` with the byte offset of each ASCII letter that starts a word (nothing
/// alphanumeric or `_` before it), left to right, until `visit` returns true; returns whether
/// it did. One forward pass over the bytes; only characters beyond ASCII are decoded.
fn any_word_start_letter(text: &str, mut visit: impl FnMut(usize) -> bool) -> bool {
    let bytes = text.as_bytes();
    let mut after_word_char = false;
    let mut at = 0;
    while let Some(&b) = bytes.get(at) {
        if b.is_ascii() {
            if !after_word_char && b.is_ascii_alphabetic() && visit(at) {
                return true;
            }
            after_word_char = b.is_ascii_alphanumeric() || b == b'_';
            at += 1;
        } else {
            let Some(c) = text.get(at..).and_then(|rest| rest.chars().next()) else {
                return false;
            };
            after_word_char = is_word_char(c);
            at += c.len_utf8();
        }
    }
    false
}

// ---------------------------------------------------------------------------------------------
// Street address

/// Street names are at most this many words ("Jl. Kyai Haji Mas Mansyur Gang Dua").
const MAX_STREET_NAME_WORDS: usize = 6;
/// …and at most this many bytes, so the house number follows within ~60 characters.
const MAX_STREET_NAME_BYTES: usize = 60;

/// Addresses: a cue word (`Jl.`, `Jln`, `Jalan`, `Gg.`, `Gang`, `Perum`, `Perumahan`,
/// `Komplek`, `Kompleks`, `Komp.`), a name of 1–6 words, then at least one locator: house number
/// (`No. 45`, `no 12A`, or a bare `45`), `RT 01/RW 02`, or `Blok C-12`. The span runs from the
/// cue through the last locator. A street name alone is not personal data ("Jl. Pahlawan
/// macet" is about traffic), so without a locator nothing is flagged.
///
/// "jalan", "gang" and "gg" are also everyday words (to walk, alley, slang "keren"), so after
/// those the name must start with a capital or a digit: "Jalan Pahlawan No. 5" but not
/// "jalan ke kantor no 1".
fn find_street_addresses(text: &str, marks: &Marks<'_>, out: &mut Vec<PiiSpan>) {
    // Every cue word starts with one of these letters, at the start of a word (nothing
    // alphanumeric or `_` before it).
    for start in marks.positions(Mark::CueLetter) {
        if word_starts_at(text, start)
            && let Some(end) = address_end_at(text, start)
        {
            push_span(out, PiiKind::StreetAddress, start, end);
        }
    }
}

fn address_end_at(text: &str, start: usize) -> Option<usize> {
    let (name_start, needs_capital) = address_cue_end(text.as_bytes(), start)?;
    address_end_after_cue(text, name_start, needs_capital)
}

/// After a cue word: where the street name starts, and whether the cue is also an everyday
/// word (so the name must look like a proper noun).
fn address_cue_end(bytes: &[u8], start: usize) -> Option<(usize, bool)> {
    let mut word_end = start;
    while word_end - start <= 10 && bytes.get(word_end).is_some_and(u8::is_ascii_alphabetic) {
        word_end += 1;
    }
    let word = bytes.get(start..word_end)?;
    let is_any = |options: &[&[u8]]| options.iter().any(|o| word.eq_ignore_ascii_case(o));
    let abbreviation = is_any(&[b"jl", b"jln", b"gg", b"komp"]);
    let unambiguous = is_any(&[
        b"jl",
        b"jln",
        b"perum",
        b"perumahan",
        b"komplek",
        b"kompleks",
    ]);
    let everyday = is_any(&[b"jalan", b"gang", b"gg"]);
    match byte_at(bytes, word_end) {
        Some(b'.') if abbreviation => Some((skip_one_space(bytes, word_end + 1).0, false)),
        Some(b' ') if unambiguous => Some((word_end + 1, false)),
        Some(b' ') if everyday => Some((word_end + 1, true)),
        _ => None,
    }
}

fn address_end_after_cue(text: &str, name_start: usize, needs_capital: bool) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut position = name_start;
    for words in 0..=MAX_STREET_NAME_WORDS {
        if words > 0 {
            if let Some(end) = parse_locators(text, position, true) {
                return Some(end);
            }
            if words == MAX_STREET_NAME_WORDS {
                return None;
            }
        }
        let word_end = street_name_word_end(text, position)?;
        if words == 0
            && needs_capital
            && !char_after(text, position).is_some_and(|c| c.is_uppercase() || c.is_ascii_digit())
        {
            return None;
        }
        if word_end - name_start > MAX_STREET_NAME_BYTES {
            return None;
        }
        match (byte_at(bytes, word_end), byte_at(bytes, word_end + 1)) {
            (Some(b' '), _) => position = word_end + 1,
            // "Jl. Kenjeran, No. 45": a comma may only come right before the locators.
            (Some(b','), Some(b' ')) => return parse_locators(text, word_end + 2, true),
            _ => return None,
        }
    }
    None
}

/// End of one word of a street name: letters/digits of any script plus `.`, `'` and `-`
/// (`Dr.`, `A.Yani`, `Ma'arif`, `Tunjungan-Baru`). A word ending in `.` must be a short
/// abbreviation; a longer one ends a sentence ("Jl. Pahlawan macet. Rumah no 5").
fn street_name_word_end(text: &str, start: usize) -> Option<usize> {
    let tail = text.get(start..)?;
    let length = tail
        .char_indices()
        .find(|&(_, c)| !(c.is_alphanumeric() || matches!(c, '.' | '\'' | '-')))
        .map_or(tail.len(), |(offset, _)| offset);
    let word = tail.get(..length)?;
    let has_alphanumeric = word.chars().any(char::is_alphanumeric);
    let sentence_end = word.ends_with('.') && word.chars().count() > 5;
    (has_alphanumeric && length <= 40 && !sentence_end).then_some(start + length)
}

/// One or more locators separated by a space and/or a comma; the end of the last one.
fn parse_locators(text: &str, position: usize, allow_bare_number: bool) -> Option<usize> {
    let mut end = parse_locator(text, position, allow_bare_number)?;
    loop {
        let bytes = text.as_bytes();
        let mut next = end;
        next += usize::from(byte_at(bytes, next) == Some(b','));
        next += usize::from(byte_at(bytes, next) == Some(b' '));
        match parse_locator(text, next, false) {
            Some(later) if later > end => end = later,
            _ => return Some(end),
        }
    }
}

fn parse_locator(text: &str, position: usize, allow_bare_number: bool) -> Option<usize> {
    house_number_end(text, position)
        .or_else(|| neighbourhood_end(text, position))
        .or_else(|| block_end(text, position))
        // A bare number right after the name: "Jl. Raya Darmo 12". At most 3 digits, so
        // "Jl. Pahlawan 2024" (a year) is not an address.
        .or_else(|| {
            allow_bare_number
                .then(|| number_token_end(text, position, 3))
                .flatten()
        })
}

/// `keyword` at `position`, ignoring ASCII case, not followed by another ASCII letter.
fn keyword_end(bytes: &[u8], position: usize, keyword: &[u8]) -> Option<usize> {
    let end = position + keyword.len();
    let matches = bytes.get(position..end)?.eq_ignore_ascii_case(keyword);
    (matches && !bytes.get(end).is_some_and(u8::is_ascii_alphabetic)).then_some(end)
}

/// Skips the `.`/`:` and one space people put between a label and its number (`No. 45`, `RT:01`).
fn skip_label_punctuation(bytes: &[u8], position: usize) -> usize {
    let after_mark = position + usize::from(matches!(byte_at(bytes, position), Some(b'.' | b':')));
    skip_one_space(bytes, after_mark).0
}

/// A house number: 1..=`max_digits` digits, an optional letter (`12A`), ending a word.
fn number_token_end(text: &str, position: usize, max_digits: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let digits_end = digit_run_end(bytes, position);
    if !(1..=max_digits).contains(&(digits_end - position)) {
        return None;
    }
    let end = digits_end + usize::from(bytes.get(digits_end).is_some_and(u8::is_ascii_alphabetic));
    word_ends_at(text, end).then_some(end)
}

/// `No. 45`, `no 12A`, `Nomor 7`, `Nmr. 3`.
fn house_number_end(text: &str, position: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let label_end = [b"nomor".as_slice(), b"nmr", b"no"]
        .into_iter()
        .find_map(|label| keyword_end(bytes, position, label))?;
    number_token_end(text, skip_label_punctuation(bytes, label_end), 4)
}

/// `RT 01/RW 02`, `RT.003 RW.005` (the RW then parses as a second locator), `RT 01/02`, `RW 3`.
fn neighbourhood_end(text: &str, position: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let label_end =
        keyword_end(bytes, position, b"rt").or_else(|| keyword_end(bytes, position, b"rw"))?;
    let end = short_number_end(text, skip_label_punctuation(bytes, label_end))?;
    if byte_at(bytes, end) != Some(b'/') {
        return Some(end);
    }
    let after_slash = end + 1;
    let rw_number_start = keyword_end(bytes, after_slash, b"rw")
        .map_or(after_slash, |rw_end| skip_label_punctuation(bytes, rw_end));
    Some(short_number_end(text, rw_number_start).unwrap_or(end))
}

/// RT/RW numbers: 1–3 digits.
fn short_number_end(text: &str, position: usize) -> Option<usize> {
    let end = digit_run_end(text.as_bytes(), position);
    ((1..=3).contains(&(end - position)) && word_ends_at(text, end)).then_some(end)
}

/// `Blok C`, `Blok C2`, `blok AB-12`: the block id has a digit or is one or two letters, so
/// "blok sebelah" (the next block over) is not an address.
fn block_end(text: &str, position: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let label_end = keyword_end(bytes, position, b"blok")?;
    let id_start = skip_one_space(bytes, label_end).0;
    let mut id_end = id_start;
    while id_end - id_start <= 6
        && bytes
            .get(id_end)
            .is_some_and(|&b| b.is_ascii_alphanumeric() || b == b'-')
    {
        id_end += 1;
    }
    while id_end > id_start && byte_at(bytes, id_end - 1) == Some(b'-') {
        id_end -= 1;
    }
    let id = bytes.get(id_start..id_end)?;
    let id_ok = (1..=6).contains(&id.len()) && (id.iter().any(u8::is_ascii_digit) || id.len() <= 2);
    (id_ok && id.first().is_some_and(u8::is_ascii_alphanumeric) && word_ends_at(text, id_end))
        .then_some(id_end)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_marks_are_exact_for_every_byte_in_every_position() {
        for b in 0..=255u8 {
            for pos in 0..8 {
                for fill in [0u8, b'a', b'0', 0xff, b'J'] {
                    let mut bytes = [fill; 8];
                    bytes[pos] = b;
                    let got = marks_of_eight(u64::from_le_bytes(bytes));
                    for (i, &x) in bytes.iter().enumerate() {
                        let want = [
                            x.is_ascii_digit(),
                            matches!(x, b'+' | b'('),
                            x.is_ascii_uppercase(),
                            matches!(x.to_ascii_lowercase(), b'j' | b'g' | b'k' | b'p'),
                            x == b'@',
                        ];
                        for (kind, &w) in want.iter().enumerate() {
                            assert_eq!(got[kind] >> i & 1 == 1, w, "byte {x:#x} kind {kind}");
                        }
                    }
                }
            }
        }
    }
    use proptest::prelude::*;

    fn found(text: &str) -> Vec<(PiiKind, &str)> {
        find_pii(text)
            .into_iter()
            .map(|s| (s.kind, &text[s.start..s.end]))
            .collect()
    }

    fn kinds(text: &str) -> Vec<PiiKind> {
        find_pii(text).into_iter().map(|s| s.kind).collect()
    }

    // --- NIK ---

    #[test]
    fn nik_contiguous() {
        assert_eq!(
            found("NIK saya 3578011209900003 tp blm terdaftar"),
            [(PiiKind::Nik, "3578011209900003")]
        );
    }

    #[test]
    fn nik_grouped() {
        assert_eq!(
            found("nik: 3578 0112 0990 0003."),
            [(PiiKind::Nik, "3578 0112 0990 0003")]
        );
        assert_eq!(
            found("nik 357801.120990.0003 ya"),
            [(PiiKind::Nik, "357801.120990.0003")]
        );
        assert_eq!(
            found("KTP 357801-120990-0003"),
            [(PiiKind::Nik, "357801-120990-0003")]
        );
    }

    #[test]
    fn nik_woman_birth_day_plus_forty() {
        assert_eq!(kinds("nik ibu 3578015209900003"), [PiiKind::Nik]);
    }

    #[test]
    fn nik_rejects_implausible() {
        // Province 99 does not exist.
        assert!(find_pii("nik 9978011209900003").is_empty());
        // Day 32 and day 72 are impossible.
        assert!(find_pii("nik 3578013209900003").is_empty());
        assert!(find_pii("nik 3578017209900003").is_empty());
        // Month 13.
        assert!(find_pii("nik 3578011213900003").is_empty());
        // 15 and 17 digits.
        assert!(find_pii("nik 357801120990003").is_empty());
        assert!(find_pii("nik 35780112099000031").is_empty());
        // Mixed separators and a 5-4-4-3 grouping are not NIK shapes.
        assert!(find_pii("3578 0112-0990 0003").is_empty());
        assert!(find_pii("35780 1120 9900 003").is_empty());
    }

    #[test]
    fn nik_not_inside_longer_number() {
        assert!(find_pii("trx 1234 3578 0112 0990 0003").is_empty());
        assert!(find_pii("kode 1.3578011209900003").is_empty());
        assert!(find_pii("INV3578011209900003").is_empty());
    }

    // --- Phone ---

    #[test]
    fn phone_mobile_forms() {
        for (text, number) in [
            ("tolong hubungi 0812-3456-7890 ya min", "0812-3456-7890"),
            ("WA 0812 3456 7890 ya", "0812 3456 7890"),
            ("hp (0812) 3456-7890", "(0812) 3456-7890"),
            ("kontak +62 812-3456-7890.", "+62 812-3456-7890"),
            ("kontak +6281234567890", "+6281234567890"),
            ("https://wa.me/6281234567890", "6281234567890"),
            ("cp: 081234567890, makasih", "081234567890"),
            ("nomornya 0812.3456.789", "0812.3456.789"),
            ("(081234567890)", "081234567890"),
            ("📞081234567890🙏", "081234567890"),
        ] {
            assert_eq!(found(text), [(PiiKind::Phone, number)], "{text}");
        }
    }

    #[test]
    fn phone_landline_with_area_code() {
        assert_eq!(
            found("kantor 031-8290123"),
            [(PiiKind::Phone, "031-8290123")]
        );
        assert_eq!(
            found("telp (031) 8290123"),
            [(PiiKind::Phone, "(031) 8290123")]
        );
        assert_eq!(
            found("telp (0361) 223344"),
            [(PiiKind::Phone, "(0361) 223344")]
        );
        assert_eq!(
            found("telp +62 31 8290123"),
            [(PiiKind::Phone, "+62 31 8290123")]
        );
        assert_eq!(
            found("call 021-2345-6789"),
            [(PiiKind::Phone, "021-2345-6789")]
        );
    }

    #[test]
    fn phone_drops_trailing_space_group() {
        assert_eq!(
            found("sudah wa 0812 3456 7890 2 kali"),
            [(PiiKind::Phone, "0812 3456 7890")]
        );
    }

    #[test]
    fn phone_negatives() {
        for text in [
            "tahun 2024 anggaran naik",
            "harga Rp 150.000 aja",
            "jam 08.30-09.00 tutup",
            "tgl 08-12-2023",
            "resi 0318290123 belum sampai",
            "order 0812345678901234567",
            "0812-3456-7890-1234",
            "nilai 0.8123456789",
            "0800-1-234-567 bebas pulsa",
            "wa081234567890",
            "0812",
        ] {
            assert!(find_pii(text).is_empty(), "{text}: {:?}", found(text));
        }
    }

    // --- Email ---

    #[test]
    fn email_found_without_trailing_punctuation() {
        assert_eq!(
            found("email ke budi.santoso@gmail.com."),
            [(PiiKind::Email, "budi.santoso@gmail.com")]
        );
        assert_eq!(
            found("(admin_dinkes+lapor@jatimprov.go.id)"),
            [(PiiKind::Email, "admin_dinkes+lapor@jatimprov.go.id")]
        );
    }

    #[test]
    fn email_negatives() {
        for text in [
            "cc @dinkesjatim",
            "budi@localhost",
            "a@b.c",
            "budi.@gmail.com",
            "x@-a.com",
            "@@",
            "a@b.c0m",
        ] {
            assert!(find_pii(text).is_empty(), "{text}: {:?}", found(text));
        }
    }

    // --- Vehicle plate ---

    #[test]
    fn plates() {
        assert_eq!(
            found("plat L 1234 AB kabur"),
            [(PiiKind::VehiclePlate, "L 1234 AB")]
        );
        assert_eq!(
            found("mobil B1234XYZ parkir liar"),
            [(PiiKind::VehiclePlate, "B1234XYZ")]
        );
        assert_eq!(
            found("motor AG 5678 KM, tolong"),
            [(PiiKind::VehiclePlate, "AG 5678 KM")]
        );
        assert_eq!(found("DK 12 AB"), [(PiiKind::VehiclePlate, "DK 12 AB")]);
    }

    #[test]
    fn plate_negatives() {
        for text in [
            "KTT G20 di Bali",
            "lulusan S1 TI",
            "D3 AK ok",
            "plat l 1234 ab",
            "XY 1234 AB",
            "B 0123 AB",
            "B 12345 AB",
            "L 1234 ABCD",
            "BL1234",
            "AL 1234 AB",
            "kode B 1234",
        ] {
            assert!(find_pii(text).is_empty(), "{text}: {:?}", found(text));
        }
    }

    // --- Bank account ---

    #[test]
    fn bank_account_with_cue() {
        assert_eq!(
            found("transfer ke rek BCA 1234567890 a/n Budi"),
            [(PiiKind::BankAccount, "1234567890")]
        );
        assert_eq!(
            found("no. rek: 123-456-7890-12"),
            [(PiiKind::BankAccount, "123-456-7890-12")]
        );
        assert_eq!(
            found("Mandiri 1234 5678 9012 3 ya"),
            [(PiiKind::BankAccount, "1234 5678 9012")]
        );
        assert_eq!(
            found("kirim ke 1234567890123 a/n Siti"),
            [(PiiKind::BankAccount, "1234567890123")]
        );
    }

    #[test]
    fn bank_account_needs_cue() {
        assert!(find_pii("pesanan 1234567890 belum sampai").is_empty());
        assert!(find_pii("direktur 1234567890").is_empty());
        assert!(find_pii("rek 123456789").is_empty());
        assert!(find_pii("rek 12345678901234567").is_empty());
    }

    #[test]
    fn bank_cue_too_far_away() {
        let text = "sudah ke BCA tadi pagi terus pulang ke rumah, kode 1234567890";
        assert!(find_pii(text).is_empty());
    }

    // --- Street address ---

    #[test]
    fn addresses() {
        for (text, address) in [
            (
                "rumahnya di Jl. Kenjeran No. 45 Surabaya",
                "Jl. Kenjeran No. 45",
            ),
            ("alamat jl kenjeran no.45a sby", "jl kenjeran no.45a"),
            ("Jl.Raya Darmo 12, Surabaya", "Jl.Raya Darmo 12"),
            (
                "Jl. Dr. Soetomo No. 5 RT 01/RW 02 Tegalsari",
                "Jl. Dr. Soetomo No. 5 RT 01/RW 02",
            ),
            ("Gg. Buntu RT.003 RW.005", "Gg. Buntu RT.003 RW.005"),
            (
                "Perum Griya Asri Blok C-12 No. 3",
                "Perum Griya Asri Blok C-12 No. 3",
            ),
            ("Jalan Pahlawan, No. 7", "Jalan Pahlawan, No. 7"),
            ("Kompleks Pertamina blok A", "Kompleks Pertamina blok A"),
        ] {
            assert_eq!(found(text), [(PiiKind::StreetAddress, address)], "{text}");
        }
    }

    #[test]
    fn address_negatives() {
        for text in [
            "Jl. Pahlawan macet",
            "Jl. Pahlawan macet parah tiap sore",
            "lagi jalan ke kantor no 1 deh",
            "Jl. Pahlawan 2024 rusak",
            "perumpamaan no 1",
            "Jl. Pahlawan macet. Rumah no 5",
            "Perum Asri blok sebelah",
        ] {
            assert!(find_pii(text).is_empty(), "{text}: {:?}", found(text));
        }
    }

    // --- Merging and redaction ---

    #[test]
    fn several_kinds_sorted() {
        let text = "Budi, NIK 3578011209900003, hp 081234567890, email budi@mail.id, tinggal di Jl. Mawar No. 5, motor L 1234 AB";
        assert_eq!(
            kinds(text),
            [
                PiiKind::Nik,
                PiiKind::Phone,
                PiiKind::Email,
                PiiKind::StreetAddress,
                PiiKind::VehiclePlate
            ]
        );
    }

    #[test]
    fn overlap_prefers_longer_then_specific() {
        // A plausible NIK after a bank cue: same span, NIK is more specific.
        assert_eq!(
            found("rek 3578011209900003"),
            [(PiiKind::Nik, "3578011209900003")]
        );
        // A mobile number after a bank cue: same span, the phone shape wins.
        assert_eq!(
            found("BRI 081234567890"),
            [(PiiKind::Phone, "081234567890")]
        );
        // "+62…" is longer than the account reading that starts after the "+".
        assert_eq!(
            found("rek +6281234567890"),
            [(PiiKind::Phone, "+6281234567890")]
        );
        // The plate-looking "A 12 IPA"… inside an address span loses to the longer address.
        assert_eq!(kinds("Perum Asri Blok A 12"), [PiiKind::StreetAddress]);
        // An email containing a phone number stays one email.
        assert_eq!(kinds("081234567890@gmail.com"), [PiiKind::Email]);
    }

    #[test]
    fn redaction() {
        assert_eq!(
            redact("tolong hubungi 0812-3456-7890 ya min"),
            "tolong hubungi [TELEPON] ya min"
        );
        assert_eq!(
            redact("NIK saya 3578011209900003 tp blm terdaftar"),
            "NIK saya [NIK] tp blm terdaftar"
        );
        assert_eq!(
            redact("transfer ke rek BCA 1234567890 a/n Budi"),
            "transfer ke rek BCA [REKENING] a/n Budi"
        );
        assert_eq!(
            redact("rumahnya di Jl. Kenjeran No. 45 Surabaya"),
            "rumahnya di [ALAMAT] Surabaya"
        );
        assert_eq!(redact("plat L 1234 AB kabur"), "plat [PLAT] kabur");
        assert_eq!(redact("mail: a.b@c.co.id!"), "mail: [EMAIL]!");
        assert_eq!(redact("tidak ada apa-apa 🙂"), "tidak ada apa-apa 🙂");
        assert_eq!(redact(""), "");
    }

    #[test]
    fn names_and_placeholders() {
        let all = [
            PiiKind::Nik,
            PiiKind::Phone,
            PiiKind::Email,
            PiiKind::VehiclePlate,
            PiiKind::BankAccount,
            PiiKind::StreetAddress,
        ];
        for kind in all {
            assert_eq!(
                serde_json::to_string(&kind).unwrap(),
                format!("\"{}\"", kind.as_str())
            );
            assert!(kind.placeholder().starts_with('[') && kind.placeholder().ends_with(']'));
        }
    }

    #[test]
    fn unicode_noise_does_not_break_spans() {
        let text = "\u{200f}hp\u{200d}081234567890\u{200d} 👨‍👩‍👧 NIK\u{202e}3578011209900003";
        assert_eq!(
            found(text),
            [
                (PiiKind::Phone, "081234567890"),
                (PiiKind::Nik, "3578011209900003")
            ]
        );
    }

    // --- Properties ---

    fn check_invariants(text: &str) -> Result<(), TestCaseError> {
        let spans = find_pii(text);
        for pair in spans.windows(2) {
            prop_assert!(
                pair[0].end <= pair[1].start,
                "overlap or unsorted: {pair:?}"
            );
        }
        for span in &spans {
            prop_assert!(span.start < span.end && span.end <= text.len());
            prop_assert!(text.is_char_boundary(span.start) && text.is_char_boundary(span.end));
        }
        let _ = redact(text);
        Ok(())
    }

    fn fragment() -> impl Strategy<Value = String> {
        prop_oneof![
            "[0-9]{1,17}",
            "[A-Za-z]{1,4}",
            prop::sample::select(vec![
                " ",
                "-",
                ".",
                ",",
                "/",
                "(",
                ")",
                "+",
                "+62",
                "62",
                "08",
                "0812",
                "031",
                "@",
                "@gmail.com",
                "Jl. ",
                "jl ",
                "Jalan ",
                "Gg. ",
                "Perum ",
                "No. ",
                "no",
                "RT ",
                "/RW ",
                "Blok ",
                "rek ",
                "BCA ",
                "a/n ",
                "L ",
                "AG ",
                "B",
                "😀",
                "👨‍👩‍👧",
                "\u{200d}",
                "\u{200b}",
                "\u{200f}",
                "\u{202e}",
                "é",
                "ß",
                "\u{301}",
                "3578011209900003",
                "3578 0112 0990 0003",
                "081234567890",
            ])
            .prop_map(str::to_owned),
        ]
    }

    fn mixed_text() -> impl Strategy<Value = String> {
        prop::collection::vec(fragment(), 0..40).prop_map(|parts| parts.concat())
    }

    /// Text around a number that cannot itself contain digits, glued on with a space.
    fn digitless_noise() -> impl Strategy<Value = String> {
        prop::collection::vec(
            prop_oneof![
                "[A-Za-z]{1,6}",
                prop::sample::select(vec![
                    " ", ",", "!", "rek", "BCA", "😀", "\u{200d}", "Jl. ", "No. ", "+", "@"
                ])
                .prop_map(str::to_owned),
            ],
            0..8,
        )
        .prop_map(|parts| parts.concat())
    }

    proptest! {
        #[test]
        fn never_panics_on_any_string(text in ".*") {
            check_invariants(&text)?;
        }

        #[test]
        fn never_panics_on_mixed_fragments(text in mixed_text()) {
            check_invariants(&text)?;
        }

        #[test]
        fn redaction_removes_nik_and_phone_digits(
            before in digitless_noise(),
            after in digitless_noise(),
            number in prop::sample::select(vec![
                ("3578011209900003", PiiKind::Nik),
                ("3173 0552 1288 0001", PiiKind::Nik),
                ("081234567890", PiiKind::Phone),
                ("+62 812-3456-7890", PiiKind::Phone),
                ("(031) 8290123", PiiKind::Phone),
            ]),
        ) {
            let (number, kind) = number;
            let text = format!("{before} {number} {after}");
            let spans = find_pii(&text);
            prop_assert!(spans.iter().any(|s| s.kind == kind && &text[s.start..s.end] == number), "{text:?}: {spans:?}");
            let redacted = redact(&text);
            let digits: String = number.chars().filter(char::is_ascii_digit).collect();
            let redacted_digits: String = redacted.chars().filter(char::is_ascii_digit).collect();
            prop_assert!(!redacted_digits.contains(&digits), "{redacted:?}");
            prop_assert!(redacted.contains(kind.placeholder()));
        }

        #[test]
        fn every_detected_nik_or_phone_disappears(text in mixed_text()) {
            let spans = find_pii(&text);
            let redacted = redact(&text);
            for span in spans.iter().filter(|s| matches!(s.kind, PiiKind::Nik | PiiKind::Phone)) {
                let needle = &text[span.start..span.end];
                let elsewhere = text.match_indices(needle).any(|(at, _)| at != span.start);
                prop_assert!(elsewhere || !redacted.contains(needle), "{text:?} -> {redacted:?}");
            }
        }
    }
}
