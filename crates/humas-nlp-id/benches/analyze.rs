//! Messages per second of the full analysis and of its parts, on one core, over the generated
//! corpus (`humas_nlp_id::corpus`, 10 000 messages of ~150 characters, the default seed).
//!
//! `analyze` is the whole of it as a caller gets it: normalisation, tokens, personal data,
//! SimHash, the three classifiers (sentiment, abusive, hate speech with its detail heads),
//! threat rules and stems (since session 10 `analyze` reuses the thread's own `Analyzer`, so a
//! caller gets warm word memos without keeping one). `analyzer` is the same with one `Analyzer`
//! kept explicitly (what `humas text analyze` does); the other rows are parts of it.
//!
//! Run: `cargo bench -p humas-nlp-id --bench analyze`
//! (defaults here: 1 s warm-up, 5 s measurement; criterion's own flags override them, e.g.
//! `cargo bench -p humas-nlp-id --bench analyze -- --warm-up-time 1 --measurement-time 5`, or
//! a filter such as `-- analyze` for the full analysis only).
//!
//! Each iteration handles one message and the next iteration the next one, round the corpus, so
//! criterion's "thrpt" line reads directly in messages per second (elem/s).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stderr,
    reason = "a benchmark reports on standard error and may stop on a broken set-up"
)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use humas_nlp_id::analysis::{Analyzer, Options};
use humas_nlp_id::classify::{Classifiers, Scratch};
use humas_nlp_id::corpus::{DEFAULT_SEED, generate, mean_bytes, mean_chars};
use humas_nlp_id::{analyze, fingerprint, normalize, pii, stem, threat, tokenize};

const MESSAGES: usize = 10_000;

/// Benchmarks `f` over the corpus, one message per iteration.
fn per_message<R>(c: &mut Criterion, corpus: &[String], name: &str, mut f: impl FnMut(&str) -> R) {
    let mut group = c.benchmark_group("humas-nlp-id");
    group.throughput(Throughput::Elements(1));
    group.bench_function(name, |b| {
        let mut next = 0;
        b.iter(|| {
            let text = &corpus[next];
            next = if next + 1 == corpus.len() {
                0
            } else {
                next + 1
            };
            black_box(f(black_box(text)))
        });
    });
    group.finish();
}

fn benches(c: &mut Criterion) {
    let corpus = generate(MESSAGES, DEFAULT_SEED);
    eprintln!(
        "corpus: {} messages, seed {DEFAULT_SEED}, mean {:.1} characters ({:.1} bytes)",
        corpus.len(),
        mean_chars(&corpus),
        mean_bytes(&corpus)
    );
    per_message(c, &corpus, "analyze", analyze);
    let mut analyzer = Analyzer::new(Options::default());
    per_message(c, &corpus, "analyzer", |t| analyzer.analyze(t));
    let classifiers = Classifiers::embedded().expect("the embedded models load");
    let mut scratch = Scratch::new();
    per_message(c, &corpus, "tokenize+classify", |t| {
        classifiers.classify(t, &tokenize(t), &mut scratch)
    });
    per_message(c, &corpus, "threat", threat::assess_text);
    per_message(c, &corpus, "stem_text", stem::stem_text);
    per_message(c, &corpus, "tokenize", tokenize);
    per_message(c, &corpus, "normalize", normalize);
    per_message(c, &corpus, "find_pii", pii::find_pii);
    per_message(c, &corpus, "simhash", fingerprint::simhash);
}

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5))
        .sample_size(50)
}

criterion_group! {
    name = analyze_benches;
    config = config();
    targets = benches
}
criterion_main!(analyze_benches);
