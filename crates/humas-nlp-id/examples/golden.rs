//! Golden check: proves that a speed-up changed no result.
//!
//! Hashes the full `Debug` form of every [`Analysis`](humas_nlp_id::Analysis) (every field,
//! every float to its last bit: `Debug` prints the shortest text that reads back to the same
//! `f32`) over:
//!
//! - `corpus` — the 200,000 benchmark messages (`corpus::generate(200_000, DEFAULT_SEED)`),
//!   analysed the way `humas text bench` does (one `Analyzer`, no token list);
//! - `tokens` — the same messages with the token list kept (`Options { with_tokens: true }`);
//! - `fuzz` — 100,000 strings built like the property tests' inputs (slang, leetspeak, emoji,
//!   invisible characters, full-width letters, links, personal data, bare `@`/`#`/`www.`) plus
//!   random characters, from a fixed seed;
//! - `corpus7` — the 200,000 messages of seed 7 (the `throughput` example's corpus).
//!
//! and compares each hash with the one recorded before any optimisation. Exits non-zero, naming
//! the set, when one differs.
//!
//! Run: `cargo run --release -p humas-nlp-id --example golden` (about a minute).
//! `--print` only prints the hashes (to record new ones after an intended change of results).

#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "a command-line check reports what it found"
)]

use std::fmt::Write as _;
use std::process::ExitCode;

use humas_nlp_id::analysis::{Analyzer, Options};
use humas_nlp_id::corpus::{DEFAULT_SEED, generate};

/// Hashes recorded on commit `41faad5` (before the speed-ups of this change).
const EXPECTED: [(&str, u64); 4] = [
    ("corpus", 0x152600bc1e648737),
    ("tokens", 0x9c00dec83e34555f),
    ("fuzz", 0xcd52b31c546637a3),
    ("corpus7", 0x7b187f7868af0a05),
];

/// FNV-1a over bytes: stable across platforms and Rust versions, unlike `DefaultHasher`.
struct Fnv(u64);

impl Fnv {
    fn new() -> Self {
        Self(0xcbf2_9ce4_8422_2325)
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
}

/// The hash of the `Debug` form of every message's analysis, in order.
fn hash_analyses(texts: &[String], options: Options) -> u64 {
    let mut analyzer = Analyzer::new(options);
    let mut hash = Fnv::new();
    let mut line = String::new();
    for text in texts {
        line.clear();
        let _ = write!(line, "{:?}", analyzer.analyze(text));
        hash.write(line.as_bytes());
        hash.write(b"\n");
    }
    hash.0
}

/// Pieces the property tests combine, and a few more that reach the personal-data scanners and
/// the threat rules.
const PIECES: &[&str] = &[
    "bgt",
    "ga",
    "Bangeeettt",
    "4nj1ng",
    "iki",
    "sengko'",
    "anak-anak",
    "150.000",
    "@DinKes",
    "#JatimBangkit",
    "https://t.co/x?y=1",
    "www.jatimprov.go.id",
    ":)",
    ":-(",
    "-_-",
    "<3",
    "!!!",
    "?!",
    "😡",
    "👍🏽",
    "👨\u{200D}👩\u{200D}👧",
    "\u{200B}",
    "\u{200F}",
    "\u{202E}",
    "’",
    "'",
    "-",
    ".",
    ",",
    " ",
    "  ",
    "\n",
    "ｐｅｌａｙａｎａｎ",
    "𝐛𝐮𝐫𝐮𝐤",
    "½",
    "İ",
    "ß",
    "dll",
    "covid19",
    "2024an",
    "x",
    "@",
    "#",
    "www.",
    "http://",
    "0812-3456-7890",
    "+62 812 3456 7890",
    "(031) 123 4567",
    "budi@contoh.co.id",
    "a@b",
    "L 1234 AB",
    "B 1 XYZ",
    "Jl. Mawar No. 5",
    "jalan raya darmo 12 rt 03 rw 04",
    "3578012345678901",
    "3578 0123 4567 8901",
    "rek BCA 1234567890",
    "a/n Budi",
    "tak bunuh kowe",
    "awas",
    "kalau",
    "ketemu",
    "bunuh",
    "dibunuh",
    "membunuh",
    "bakar",
    "hajar",
    "tidak",
    "bukan",
    "goblok",
    "anjing",
    "kafir",
    "pelayanan",
    "lemot",
    "dibales",
    "terima kasih",
    "mantap",
    "kecewa",
    "mati",
    "saya",
    "kamu",
    "kalian",
    "agama",
    "sesat",
    "usir",
    "P3L4Y4N4N",
    "bangsat",
    "tolong",
    "🔥",
    "😂",
    "ya",
    "Sby",
    "jatim",
    "dinkes",
    "rumah sakit",
    "puskesmas",
    "antre",
    "lama",
    "banget",
];

/// SplitMix64, for the fuzz strings (the same generator as the corpus, seeded differently).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// A character anywhere in Unicode, weighted towards ASCII.
fn random_char(rng: &mut Rng) -> char {
    let max = match rng.below(4) {
        0 | 1 => 0x80,
        2 => 0x3000,
        _ => 0x11_0000,
    };
    char::from_u32(rng.below(max) as u32).unwrap_or('\u{FFFD}')
}

fn fuzz_strings(count: usize) -> Vec<String> {
    let mut rng = Rng(0x5eed_601d);
    (0..count)
        .map(|_| {
            let mut s = String::new();
            for _ in 0..rng.below(40) {
                match rng.below(10) {
                    0 => s.push(random_char(&mut rng)),
                    1 => s.push(' '),
                    _ => s.push_str(PIECES[rng.below(PIECES.len())]),
                }
            }
            s
        })
        .collect()
}

fn main() -> ExitCode {
    let print_only = std::env::args().any(|a| a == "--print");
    let corpus = generate(200_000, DEFAULT_SEED);
    let corpus7 = generate(200_000, 7);
    let fuzz = fuzz_strings(100_000);
    let tokens = Options { with_tokens: true };
    let measured = [
        ("corpus", hash_analyses(&corpus, Options::default())),
        ("tokens", hash_analyses(&corpus, tokens)),
        ("fuzz", hash_analyses(&fuzz, tokens)),
        ("corpus7", hash_analyses(&corpus7, Options::default())),
    ];
    let mut ok = true;
    for ((name, got), (_, want)) in measured.iter().zip(EXPECTED) {
        let verdict = if print_only {
            ""
        } else if *got == want {
            "ok"
        } else {
            ok = false;
            "DIFFERS"
        };
        println!("{name}: {got:#018x} {verdict}");
    }
    if ok {
        ExitCode::SUCCESS
    } else {
        eprintln!("some analysis output changed: see the sets marked DIFFERS");
        ExitCode::FAILURE
    }
}
