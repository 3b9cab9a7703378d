//! How well the stemmer does: accuracy over the team's labelled pairs, how many real roots
//! it leaves alone, and properties that hold for any input.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

use humas_nlp_id::stem::{accuracy, stem, stem_text};
use proptest::prelude::*;

/// (word, expected root) pairs.
type Pairs = Vec<(&'static str, &'static str)>;

/// The labelled pairs, written by the Humas team (see the file's header): those the
/// stemmer was tuned on, and the held-out ones after the `# == held-out ==` line.
fn pairs() -> (Pairs, Pairs) {
    let text = include_str!("data/stem-pairs.tsv");
    let (tuned, held_out) = text
        .split_once("# == held-out ==")
        .expect("the held-out marker");
    (parse(tuned), parse(held_out))
}

fn parse(text: &'static str) -> Pairs {
    text.lines()
        .map(str::trim_end)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| l.split_once('\t').expect("word<TAB>root"))
        .collect()
}

/// Accuracy over `pairs`, printing it and every miss.
fn report(name: &str, pairs: &[(&str, &str)]) -> f64 {
    let (correct, total) = accuracy(pairs);
    let misses: Vec<String> = pairs
        .iter()
        .filter(|(w, r)| stem(w) != *r)
        .map(|(w, r)| format!("{w} -> {} (expected {r})", stem(w)))
        .collect();
    assert_eq!(correct + misses.len(), total);
    #[allow(clippy::cast_precision_loss, reason = "a few hundred pairs")]
    let share = correct as f64 / total as f64;
    eprintln!(
        "stem accuracy, {name}: {correct}/{total} = {:.1}%",
        share * 100.0
    );
    for miss in &misses {
        eprintln!("  miss: {miss}");
    }
    share
}

/// Measured when these bars were set: 697/697 on the tuned pairs and 322/322 held out
/// (321/322 before a rule fix for loans in -ksi that the held-out set exposed); each bar sits
/// just below, so a regression fails. The known-root list was written from the same
/// knowledge as the pairs, so expect less on vocabulary nobody thought of.
const MIN_ACCURACY_TUNED: f64 = 0.995;
const MIN_ACCURACY_HELD_OUT: f64 = 0.99;

#[test]
fn accuracy_on_the_labelled_pairs() {
    let (tuned, held_out) = pairs();
    assert!(tuned.len() + held_out.len() >= 300);
    assert!(
        held_out.len() >= 100,
        "only {} held-out pairs",
        held_out.len()
    );
    let tuned_share = report("pairs tuned on", &tuned);
    let held_out_share = report("held-out pairs", &held_out);
    let all: Vec<_> = tuned.iter().chain(&held_out).copied().collect();
    let (correct, total) = accuracy(&all);
    eprintln!("stem accuracy, all pairs: {correct}/{total}");
    assert!(
        tuned_share >= MIN_ACCURACY_TUNED,
        "{tuned_share:.3} < {MIN_ACCURACY_TUNED}"
    );
    assert!(
        held_out_share >= MIN_ACCURACY_HELD_OUT,
        "{held_out_share:.3} < {MIN_ACCURACY_HELD_OUT}"
    );
}

/// Measured at 93.5% (27,664 of 29,596) when this bar was set.
const MIN_UNCHANGED_ROOTS: f64 = 0.93;

/// Over-stemming check against an external root list, read at test time from
/// `$HUMAS_TEST_DATA_DIR/sastrawi-kata-dasar/kata-dasar.txt`. The list's licence does not let
/// us ship it, so nothing from it is kept: only the share is printed.
#[test]
fn roots_from_an_external_list_are_mostly_left_alone() {
    let Some(dir) = std::env::var_os("HUMAS_TEST_DATA_DIR") else {
        eprintln!(
            "skipped: set HUMAS_TEST_DATA_DIR to the directory holding sastrawi-kata-dasar/kata-dasar.txt"
        );
        return;
    };
    let path = std::path::Path::new(&dir).join("sastrawi-kata-dasar/kata-dasar.txt");
    let Ok(text) = std::fs::read_to_string(&path) else {
        eprintln!("skipped: {} is missing or unreadable", path.display());
        return;
    };
    let roots: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|w| !w.is_empty() && w.bytes().all(|c| c.is_ascii_lowercase()))
        .collect();
    assert!(!roots.is_empty(), "no roots in {}", path.display());
    let unchanged = roots.iter().filter(|w| stem(w) == **w).count();
    #[allow(clippy::cast_precision_loss, reason = "tens of thousands of words")]
    let share = unchanged as f64 / roots.len() as f64;
    eprintln!(
        "roots left unchanged: {unchanged}/{} = {:.1}%",
        roots.len(),
        share * 100.0
    );
    assert!(
        share >= MIN_UNCHANGED_ROOTS,
        "share {share:.3} < {MIN_UNCHANGED_ROOTS}"
    );
}

#[test]
fn stem_text_stems_every_word() {
    assert_eq!(
        stem_text("pelayanan kesehatan dilaporkan warga"),
        "layan sehat lapor warga"
    );
}

fn cases() -> u32 {
    std::env::var("HUMAS_PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2000)
}

/// Words that look Indonesian: affix-like pieces glued around syllables.
fn wordish() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        "me", "mem", "men", "meng", "meny", "menge", "pe", "pem", "pen", "peng", "peny", "per",
        "pel", "ber", "be", "ter", "te", "di", "ke", "se", "nge", "ng", "ny", "tidak", "ka", "ri",
        "a", "i", "u", "e", "o", "tan", "kan", "an", "lah", "kah", "tah", "pun", "nya", "ku", "mu",
        "in", "-", "k", "ng", "y", "w", "s", "r",
    ]);
    prop::collection::vec(pieces, 0..12).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    #[test]
    fn any_string_gets_an_answer_no_longer_than_itself(text in "\\PC{0,60}|.{0,60}") {
        let out = stem(&text);
        prop_assert!(out.len() <= text.len());
        let _ = stem_text(&text);
    }

    #[test]
    fn wordlike_strings_get_a_root_no_longer_than_themselves(word in wordish()) {
        let out = stem(&word);
        prop_assert!(out.len() <= word.len(), "{} -> {}", word, out);
        prop_assert!(!out.is_empty() || word.is_empty());
    }

    #[test]
    fn strings_without_letters_are_unchanged(text in "[0-9 .,!?😡👍🏽_#@:/-]{0,40}") {
        prop_assert!(!text.chars().any(char::is_alphabetic));
        prop_assert_eq!(stem(&text), text.as_str());
    }
}

#[test]
fn very_long_words_are_fine() {
    let long = "me".repeat(10_000) + "kan";
    assert_eq!(stem(&long), long);
    let hyphens = "anak-".repeat(1000);
    assert_eq!(stem(&hyphens), hyphens);
}
