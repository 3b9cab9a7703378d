//! Messages per second of `analyze` on one core, over a corpus this program generates.
//! Run: `cargo run --release -p humas-nlp-id --example throughput`

#![allow(
    clippy::print_stdout,
    reason = "a measuring tool prints its measurement"
)]

use std::time::Instant;

const WORDS: &[&str] = &[
    "pelayanan",
    "dinkes",
    "lemot",
    "bgt",
    "anjirr",
    "hari",
    "ga",
    "dibales",
    "tolong",
    "min",
    "jalan",
    "rusak",
    "di",
    "Jl.",
    "Raya",
    "banyak",
    "lubang",
    "sudah",
    "lapor",
    "berkali-kali",
    "tapi",
    "belum",
    "ada",
    "tindak",
    "lanjut",
    "mohon",
    "segera",
    "diperbaiki",
    "terima",
    "kasih",
    "bapak",
    "gubernur",
    "vaksin",
    "puskesmas",
    "antri",
    "lama",
    "bangeeettt",
    "😡",
    "!!!",
    "@dinkesjatim",
    "#JatimBangkit",
    "iki",
    "piye",
    "0812-3456-7890",
];

/// A deterministic corpus of ~150-character messages (xorshift, fixed seed).
fn corpus(n: usize) -> Vec<String> {
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    (0..n)
        .map(|_| {
            let mut s = String::new();
            while s.len() < 150 {
                let i = usize::try_from(next() % WORDS.len() as u64).unwrap_or(0);
                s.push_str(WORDS[i]);
                s.push(' ');
            }
            s
        })
        .collect()
}

fn time(name: &str, texts: &[String], f: impl Fn(&str) -> u64) {
    let start = Instant::now();
    let mut checksum = 0u64;
    for t in texts {
        checksum ^= f(t);
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "{name}: {:.0} messages/s (checksum {checksum:x})",
        texts.len() as f64 / secs
    );
}

fn main() {
    let texts = corpus(200_000);
    if std::env::args().any(|a| a == "--parts") {
        time("tokenize", &texts, |t| {
            humas_nlp_id::tokenize(t).len() as u64
        });
        time("find_pii", &texts, |t| {
            humas_nlp_id::pii::find_pii(t).len() as u64
        });
        time("simhash", &texts, humas_nlp_id::fingerprint::simhash);
    }
    let bytes: usize = texts.iter().map(String::len).sum();
    let start = Instant::now();
    let mut checksum = 0u64;
    for t in &texts {
        checksum ^= humas_nlp_id::analyze(t).fingerprint;
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "analyze: {} messages ({:.0} bytes each) in {secs:.2} s = {:.0} messages/s on one core (checksum {checksum:x})",
        texts.len(),
        bytes as f64 / texts.len() as f64,
        texts.len() as f64 / secs
    );
}
