//! The measurement of `humas text bench`, without the rest of Humas: full analysis of the
//! generated corpus on this thread, `analyze_batch` over chunks of 10,000 messages, best of
//! three rounds (the least disturbed by other work on the machine), after a warm-up.
//!
//! Each round also reports messages per second of CPU time of this thread (from
//! `/proc/thread-self/schedstat`, Linux only), which time spent waiting for a core on a
//! loaded machine does not dilute.
//!
//! Run: `taskset -c 0 cargo run --release -p humas-nlp-id --example text_bench -- [MESSAGES] [SEED]`
//! (defaults: 200,000 messages, `corpus::DEFAULT_SEED`).

#![allow(
    clippy::print_stdout,
    reason = "a measuring tool prints its measurement"
)]

use std::time::Instant;

use humas_nlp_id::analysis::{Options, analyze_batch};
use humas_nlp_id::corpus::{DEFAULT_SEED, generate, mean_chars};

fn main() {
    let mut args = std::env::args().skip(1);
    let messages: usize = args
        .next()
        .and_then(|a| a.parse().ok())
        .unwrap_or(200_000)
        .max(1);
    let seed: u64 = args
        .next()
        .and_then(|a| a.parse().ok())
        .unwrap_or(DEFAULT_SEED);
    let corpus = generate(messages, seed);
    let _ = analyze_batch(&corpus[..corpus.len().min(1_000)], Options::default());
    let mut rounds = Vec::new();
    let mut cpu_rounds = Vec::new();
    for _ in 0..3 {
        let started = Instant::now();
        let cpu_started = thread_cpu_ns();
        for chunk in corpus.chunks(10_000) {
            std::hint::black_box(analyze_batch(chunk, Options::default()));
        }
        rounds.push(messages as f64 / started.elapsed().as_secs_f64());
        if let (Some(a), Some(b)) = (cpu_started, thread_cpu_ns()) {
            cpu_rounds.push(format!(
                "{:.0}",
                messages as f64 * 1e9 / (b - a).max(1) as f64
            ));
        }
    }
    rounds.sort_by(f64::total_cmp);
    let best = rounds.last().copied().unwrap_or_default();
    let rates: Vec<String> = rounds.iter().map(|r| format!("{r:.0}")).collect();
    println!(
        "full analysis, one thread: {best:.0} messages/s ({messages} messages of {:.0} characters on average, best of 3; rounds {})",
        mean_chars(&corpus),
        rates.join(" ")
    );
    if !cpu_rounds.is_empty() {
        println!("per second of thread CPU time: {}", cpu_rounds.join(" "));
    }
}

/// Nanoseconds this thread has run on a CPU, if the kernel says.
fn thread_cpu_ns() -> Option<u64> {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}
