//! Nanoseconds per word of `stem` over a generated list of Indonesian-looking words: real
//! roots, and the same roots with the affixes comments use, in the proportions of running text
//! (most words are short function words or bare roots).
//! Run: `cargo run --release -p humas-nlp-id --example stem_speed`

#![allow(
    clippy::print_stdout,
    reason = "a measuring tool prints its measurement"
)]

use std::hint::black_box;
use std::time::Instant;

use humas_nlp_id::stem::stem;

const FUNCTION_WORDS: &[&str] = &[
    "yang", "di", "dan", "ini", "itu", "ke", "dari", "untuk", "tidak", "ada", "sudah", "bisa",
    "dengan", "saya", "kami", "min", "tolong", "pak", "bu", "sangat", "juga", "belum", "masih",
    "kapan", "gimana", "kok", "banget", "lagi", "karena", "tapi",
];
const ROOTS: &[&str] = &[
    "layan", "lapor", "baik", "bangun", "sehat", "jalan", "rusak", "tangan", "adu", "bayar",
    "urus", "kirim", "tulis", "ambil", "sapu", "pukul", "tani", "sakit", "tanya", "kerja", "warga",
    "desa", "jembatan", "lubang", "air", "listrik", "sampah", "banjir", "macet", "antre", "dinas",
    "pajak", "izin", "surat", "data", "bantu", "proses", "kantor",
];
const AFFIXES: &[(&str, &str)] = &[
    ("", ""),
    ("", ""),
    ("", "nya"),
    ("di", "kan"),
    ("di", ""),
    ("me", "kan"),
    ("pe", "an"),
    ("ke", "an"),
    ("ber", ""),
    ("ter", ""),
    ("", "an"),
    ("per", "an"),
    ("mem", "i"),
    ("", "lah"),
];

fn main() {
    // A small deterministic generator so runs are comparable.
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        usize::try_from(state % 1_000_000).unwrap_or(0)
    };
    let mut words = Vec::with_capacity(100_000);
    for _ in 0..100_000 {
        if next() % 2 == 0 {
            words.push(FUNCTION_WORDS[next() % FUNCTION_WORDS.len()].to_owned());
        } else {
            let root = ROOTS[next() % ROOTS.len()];
            let (pre, suf) = AFFIXES[next() % AFFIXES.len()];
            words.push(format!("{pre}{root}{suf}"));
        }
    }
    let affixed: Vec<&String> = words.iter().filter(|w| w.len() > 6).collect();

    // The fastest of many short rounds (about a millisecond each): other processes on the
    // machine only ever add time, and a short round is more likely to run undisturbed.
    let mut total_len = 0usize;
    let mut time = |list: &[&str]| {
        let mut best = f64::INFINITY;
        for _ in 0..300 {
            let start = Instant::now();
            for w in list.iter().take(10_000) {
                total_len += stem(black_box(w)).len();
            }
            #[allow(clippy::cast_precision_loss, reason = "a measurement")]
            let ns = start.elapsed().as_nanos() as f64 / list.len().min(10_000) as f64;
            best = best.min(ns);
        }
        best
    };
    let all: Vec<&str> = words.iter().map(String::as_str).collect();
    let affixed: Vec<&str> = affixed.iter().map(|w| w.as_str()).collect();
    let per_word = time(&all);
    let per_affixed = time(&affixed);
    println!(
        "stem: {per_word:.1} ns/word on running text, {per_affixed:.1} ns/word on longer (mostly \
         affixed) words; best of 300 rounds of 10,000 words each (checksum {total_len})"
    );
}
