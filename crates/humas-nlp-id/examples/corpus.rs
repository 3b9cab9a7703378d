//! Writes the benchmark corpus to standard output, one message per line, so that other tools
//! (`humas text analyze`, the scikit-learn and fastText baselines) read the very same messages.
//!
//! Run: `cargo run --release -p humas-nlp-id --example corpus -- [COUNT] [SEED] [--ndjson]`
//! (defaults: 100 000 messages, seed `humas_nlp_id::corpus::DEFAULT_SEED`). With `--ndjson`
//! each line is `{"id":N,"text":"…"}` with N counting from 0; `--stats` prints the count and
//! the mean length to standard error as well. Messages never contain a line break.

#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "a command-line tool writes its output"
)]

use std::io::{BufWriter, Write};
use std::process::ExitCode;

use humas_nlp_id::corpus::{DEFAULT_SEED, generate, mean_bytes, mean_chars};

fn main() -> ExitCode {
    let mut numbers = Vec::new();
    let mut ndjson = false;
    let mut stats = false;
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            "--ndjson" => ndjson = true,
            "--stats" => stats = true,
            "-h" | "--help" => {
                println!("usage: corpus [COUNT] [SEED] [--ndjson] [--stats]");
                return ExitCode::SUCCESS;
            }
            other => match other.parse::<u64>() {
                Ok(n) => numbers.push(n),
                Err(_) => {
                    eprintln!("corpus: not a number or flag: {other}");
                    return ExitCode::from(2);
                }
            },
        }
    }
    let count = numbers
        .first()
        .map_or(100_000, |&n| usize::try_from(n).unwrap_or(usize::MAX));
    let seed = numbers.get(1).copied().unwrap_or(DEFAULT_SEED);
    let corpus = generate(count, seed);

    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let written = corpus.iter().enumerate().try_for_each(|(id, text)| {
        if ndjson {
            let line = serde_json::json!({ "id": id, "text": text });
            writeln!(out, "{line}")
        } else {
            writeln!(out, "{text}")
        }
    });
    if let Err(error) = written.and_then(|()| out.flush()) {
        // A closed pipe (`| head`) is not worth a message.
        if error.kind() != std::io::ErrorKind::BrokenPipe {
            eprintln!("corpus: {error}");
            return ExitCode::FAILURE;
        }
    }
    if stats {
        eprintln!(
            "{} messages, seed {seed}, mean {:.1} characters ({:.1} bytes)",
            corpus.len(),
            mean_chars(&corpus),
            mean_bytes(&corpus)
        );
    }
    ExitCode::SUCCESS
}
