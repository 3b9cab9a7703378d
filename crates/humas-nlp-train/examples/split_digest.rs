//! Prints the size and a digest of the Ibrohim 2019 80/20 split that `humas text eval` scores
//! on, so that another implementation of the split (`scripts/baselines/baselines.py`) can be
//! checked against it without writing any of the data out.
//!
//! Run: `cargo run --release -p humas-nlp-train --example split_digest -- /work/shared/data`
//!
//! Digest: FNV-1a 64 over, for each tweet in split order, its decoded text (UTF-8), a tab, its
//! `HS` and `Abusive` labels as `0`/`1`, and a newline.

#![allow(
    clippy::print_stdout,
    clippy::unwrap_used,
    reason = "a command-line check: prints its result and stops on unreadable data"
)]

use std::path::PathBuf;

use humas_nlp_train::data::{Tweet, load_ibrohim};

fn fnv1a(tweets: &[Tweet]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for t in tweets {
        let line = format!(
            "{}\t{}{}\n",
            t.text,
            u8::from(t.labels[0]),
            u8::from(t.labels[1])
        );
        for b in line.bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

fn main() {
    let data = std::env::args_os()
        .nth(1)
        .map_or_else(|| PathBuf::from("/work/shared/data"), PathBuf::from);
    let split = load_ibrohim(&data, 42).unwrap();
    println!("train {} {:016x}", split.train.len(), fnv1a(&split.train));
    println!("test {} {:016x}", split.test.len(), fnv1a(&split.test));
}
