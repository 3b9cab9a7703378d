//! `analyze` takes any string and never panics; what it returns points into the input.
//!
//! The bytes go in twice: as `String::from_utf8_lossy` (any input) and, when they are valid
//! UTF-8, as they are.

#![no_main]

use humas_nlp_id::{Analysis, analysis::Options, analysis::analyze_with, analyze};
use libfuzzer_sys::fuzz_target;

fn check(text: &str, analysis: &Analysis) {
    let mut previous_end = 0;
    for span in &analysis.pii {
        assert!(span.start < span.end, "empty span {span:?}");
        assert!(span.start >= previous_end, "overlapping or unsorted spans");
        assert!(text.is_char_boundary(span.start) && text.is_char_boundary(span.end));
        assert!(span.end <= text.len());
        previous_end = span.end;
    }
    for token in &analysis.tokens {
        assert!(
            token.start <= token.end && token.end <= text.len(),
            "token {token:?}"
        );
        assert!(text.is_char_boundary(token.start) && text.is_char_boundary(token.end));
    }
}

fn run(text: &str) {
    let plain = analyze(text);
    check(text, &plain);
    let with_tokens = analyze_with(text, Options { with_tokens: true });
    check(text, &with_tokens);
    assert_eq!(plain.normalized, with_tokens.normalized);
    assert_eq!(plain.fingerprint, with_tokens.fingerprint);
    assert_eq!(plain.pii, with_tokens.pii);
}

fuzz_target!(|data: &[u8]| {
    run(&String::from_utf8_lossy(data));
    if let Ok(text) = std::str::from_utf8(data) {
        run(text);
    }
});
