//! Properties that must hold for any input at all.

use humas_nlp_id::{fingerprint, normalize, tokenize};
use proptest::prelude::*;

/// Text that looks like social media: letters, digits, slang pieces, separators, emoji and the
/// invisible characters people use to dodge filters.
fn social_text() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
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
    ]);
    prop::collection::vec(pieces, 0..40).prop_map(|v| v.concat())
}

fn check_spans(text: &str) {
    let tokens = tokenize(text);
    let mut last_end = 0;
    for t in &tokens {
        assert!(
            t.start >= last_end,
            "tokens overlap or are out of order in {text:?}"
        );
        assert!(
            t.start < t.end && t.end <= text.len(),
            "bad span {}..{} in {text:?}",
            t.start,
            t.end
        );
        assert!(text.is_char_boundary(t.start) && text.is_char_boundary(t.end));
        assert!(!t.norm.is_empty());
        last_end = t.end;
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: std::env::var("HUMAS_PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(2000), ..ProptestConfig::default() })]

    #[test]
    fn normalising_twice_changes_nothing(text in social_text()) {
        let once = normalize(&text);
        prop_assert_eq!(normalize(&once), once);
    }

    #[test]
    fn normalising_arbitrary_unicode_twice_changes_nothing(text in "\\PC{0,80}") {
        let once = normalize(&text);
        prop_assert_eq!(normalize(&once), once);
    }

    #[test]
    fn tokens_are_spans_of_the_input(text in social_text()) {
        check_spans(&text);
    }

    #[test]
    fn tokens_of_any_string_are_spans_of_it(text in "\\PC{0,120}|.{0,120}") {
        check_spans(&text);
        let _ = fingerprint::simhash(&text);
    }

    #[test]
    fn the_fingerprint_ignores_case_and_spacing(text in social_text()) {
        let noisy = text.to_uppercase().replace(' ', "   ");
        // Upper-casing can change letters irreversibly (ß → SS), so only the spacing part is
        // guaranteed: compare the spaced-out original with itself.
        let spaced = text.replace(' ', "   ");
        prop_assert_eq!(fingerprint::simhash(&text), fingerprint::simhash(&spaced));
        let _ = fingerprint::simhash(&noisy);
    }
}

#[test]
fn a_megabyte_of_text_is_fine() {
    let text = "pelayanan lemot bgt 😡 ".repeat(45_000);
    assert!(text.len() > 1_000_000);
    let tokens = tokenize(&text);
    assert_eq!(tokens.len(), 180_000);
    assert!(normalize(&text).starts_with("pelayanan lemot banget 😡 pelayanan"));
}
