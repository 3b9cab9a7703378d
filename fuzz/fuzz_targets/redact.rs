//! `pii::redact` takes any string and never panics; it keeps every byte outside the spans
//! `find_pii` reports and puts a placeholder in place of each span.

#![no_main]

use humas_nlp_id::pii::{find_pii, redact};
use libfuzzer_sys::fuzz_target;

fn run(text: &str) {
    let spans = find_pii(text);
    let redacted = redact(text);
    let mut expected = String::with_capacity(text.len());
    let mut copied_up_to = 0;
    for span in &spans {
        assert!(copied_up_to <= span.start && span.start < span.end && span.end <= text.len());
        expected.push_str(&text[copied_up_to..span.start]);
        expected.push_str(span.kind.placeholder());
        copied_up_to = span.end;
    }
    expected.push_str(&text[copied_up_to..]);
    assert_eq!(redacted, expected);
}

fuzz_target!(|data: &[u8]| {
    run(&String::from_utf8_lossy(data));
    if let Ok(text) = std::str::from_utf8(data) {
        run(text);
    }
});
