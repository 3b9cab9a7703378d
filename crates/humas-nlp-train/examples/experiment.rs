//! Train and evaluate in one go, for trying settings:
//! `cargo run --release -p humas-nlp-train --example experiment -- DATA_DIR OUT_DIR`

#![allow(
    clippy::print_stdout,
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a tool for people"
)]

use std::path::PathBuf;
use std::time::Instant;

use humas_nlp_id::classify::Classifiers;
use humas_nlp_train::fit::TrainConfig;
use humas_nlp_train::report::{ABUSE_FILE, SENTIMENT_FILE, evaluate, train_abuse, train_sentiment};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let data = PathBuf::from(args.get(1).expect("DATA_DIR"));
    let out = PathBuf::from(args.get(2).expect("OUT_DIR"));
    let mut cfg = TrainConfig::recipe(1);
    if let Ok(bits) = std::env::var("BITS") {
        cfg.spec.bits = bits.parse().unwrap();
    }
    if let Ok(c) = std::env::var("C") {
        cfg.c = c.parse().unwrap();
    }
    if let Ok(e) = std::env::var("EPS") {
        cfg.eps = e.parse().unwrap();
    }
    if let Ok(v) = std::env::var("WORDS") {
        cfg.spec.word_ngrams = v.parse().unwrap();
    }
    if let Ok(v) = std::env::var("CMIN") {
        cfg.spec.char_min = v.parse().unwrap();
    }
    if let Ok(v) = std::env::var("CMAX") {
        cfg.spec.char_max = v.parse().unwrap();
    }
    if std::env::var("STEMS").is_ok() {
        cfg.spec.stems = true;
    }
    if std::env::var("NONEG").is_ok() {
        cfg.spec.negation = false;
    }
    if std::env::var("ACROSS").is_ok() {
        cfg.spec.char_mode = humas_nlp_id::classify::features::CharMode::AcrossWords;
    }
    if std::env::var("VALID").is_ok() {
        let smsa = humas_nlp_train::data::load_smsa(&data).unwrap();
        let rows: Vec<_> = smsa.train.iter().collect();
        for c in [0.15, 0.3, 0.6, 1.0] {
            let (m, _) = humas_nlp_train::report::train_sentiment_on(&rows, c, &cfg).unwrap();
            let s = humas_nlp_train::report::sentiment_model_scores(&m, &smsa.valid);
            println!(
                "valid C={c}: macro-F1 {:.2} acc {:.2}",
                s.macro_f1 * 100.0,
                s.accuracy * 100.0
            );
        }
        return;
    }
    let t = Instant::now();
    let (s, rs) = if std::env::var("QUICK").is_ok() {
        let smsa = humas_nlp_train::data::load_smsa(&data).unwrap();
        let rows: Vec<_> = smsa.train.iter().chain(&smsa.valid).collect();
        humas_nlp_train::report::train_sentiment_on(&rows, 0.3, &cfg).unwrap()
    } else {
        train_sentiment(&data, &cfg).unwrap()
    };
    println!("sentiment trained in {:?}", t.elapsed());
    let t = Instant::now();
    let split: u64 = std::env::var("SPLIT").map_or(42, |v| v.parse().unwrap());
    let (a, ra) = train_abuse(&data, &cfg, split).unwrap();
    println!("abuse trained in {:?}", t.elapsed());
    for r in rs.iter().chain(&ra) {
        println!(
            "{:<24} c {:<5} oof {:.2} thr {:.3} it {}",
            r.name,
            r.c,
            r.oof_macro_f1 * 100.0,
            r.threshold,
            r.iterations
        );
    }
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join(SENTIMENT_FILE), s.to_bytes()).unwrap();
    std::fs::write(out.join(ABUSE_FILE), a.to_bytes()).unwrap();
    let c = Classifiers::from_models(vec![s, a]).unwrap();
    let report = evaluate(&data, &c, split).unwrap();
    println!("{}", report.table());
}
