//! Messages per second of `analyze` on one core, over a corpus this program generates.
//! Run: `cargo run --release -p humas-nlp-id --example throughput -- --parts`

#![allow(
    clippy::print_stdout,
    reason = "a measuring tool prints its measurement"
)]

use std::time::Instant;

/// A deterministic corpus of ~150-character messages (xorshift, fixed seed).
/// The same generated corpus as `humas text bench` and the criterion benchmark.
fn corpus(n: usize) -> Vec<String> {
    humas_nlp_id::corpus::generate(n, 7)
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

/// Command line: `--parts` times each part on its own before the full analysis; `--count N`
/// sets the number of messages (default 200 000); `--only PART` runs a single part
/// (`tokenize`, `find_pii`, `simhash`, `analyze`, or `none` to only build the corpus), which
/// is what a callgrind run wants: subtract the `none` run and divide by N for instructions per
/// message.
struct Args {
    parts: bool,
    count: usize,
    only: Option<String>,
}

fn args() -> Args {
    let mut parsed = Args {
        parts: false,
        count: 200_000,
        only: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--parts" => parsed.parts = true,
            "--count" => {
                parsed.count = it.next().and_then(|n| n.parse().ok()).unwrap_or(200_000);
            }
            "--only" => parsed.only = it.next(),
            _ => {}
        }
    }
    parsed
}

fn run_part(name: &str, texts: &[String]) {
    match name {
        "tokenize" => time("tokenize", texts, |t| {
            humas_nlp_id::tokenize(t).len() as u64
        }),
        "find_pii" => time("find_pii", texts, |t| {
            humas_nlp_id::pii::find_pii(t).len() as u64
        }),
        "simhash" => time("simhash", texts, humas_nlp_id::fingerprint::simhash),
        "analyze" => time("analyze", texts, |t| humas_nlp_id::analyze(t).fingerprint),
        _ => {}
    }
}

fn main() {
    let args = args();
    let texts = corpus(args.count);
    // Decode the built-in models before any timing: that happens once per process.
    let _ = humas_nlp_id::analyze("pemanasan");
    if let Some(only) = &args.only {
        run_part(only, &texts);
        return;
    }
    if args.parts {
        for part in ["tokenize", "find_pii", "simhash"] {
            run_part(part, &texts);
        }
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
