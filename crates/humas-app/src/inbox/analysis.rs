//! From the text engine's analysis to what the inbox stores, filters and searches on.
//!
//! Full-text search must give the same answers on SQLite FTS5 and PostgreSQL full text. Their
//! tokenizers disagree on punctuation, so search terms are reduced here, before either sees
//! them, to runs of `[a-z0-9]` separated by single spaces: both tokenizers then split them the
//! same way. The same reduction runs on what a person types into the search box, after the same
//! normalisation and stemming, so `pelayanan` finds `dilayani`.

use humas_domain::inbox::{
    Category, Flags, HateCategory, HateStrength, HateTarget, MessageAnalysis, PiiKind, Sentiment,
};
use humas_nlp_id::analysis::Analysis;
use humas_nlp_id::classify::{self, SentimentLabel};
use humas_nlp_id::intent::Intent;
use humas_nlp_id::pii;

/// Most terms taken from one search box.
pub const MAX_QUERY_TERMS: usize = 8;

/// Appends the `[a-z0-9]` runs of `text` to `out`, space separated.
fn push_runs(out: &mut String, text: &str) {
    for run in text.split(|c: char| !c.is_ascii_alphanumeric()) {
        if run.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        for c in run.chars() {
            out.push(c.to_ascii_lowercase());
        }
    }
}

/// What full-text search matches for a message: stems, hashtags and mentions.
#[must_use]
pub fn search_terms(analysis: &Analysis) -> String {
    let mut out = String::with_capacity(analysis.stems.len() + 16);
    push_runs(&mut out, &analysis.stems);
    for tag in analysis.hashtags.iter().chain(&analysis.mentions) {
        push_runs(&mut out, tag);
    }
    out
}

/// The terms a search box asks for, reduced like [`search_terms`]: each must occur.
#[must_use]
pub fn query_terms(query: &str) -> Vec<String> {
    let stems = humas_nlp_id::stem::stem_text(&humas_nlp_id::normalize::normalize(query));
    let mut joined = String::new();
    push_runs(&mut joined, &stems);
    let mut terms: Vec<String> = Vec::new();
    for t in joined.split(' ').filter(|t| !t.is_empty()) {
        if !terms.iter().any(|have| have == t) {
            terms.push(t.to_owned());
        }
        if terms.len() == MAX_QUERY_TERMS {
            break;
        }
    }
    terms
}

const fn sentiment(label: SentimentLabel) -> Sentiment {
    match label {
        SentimentLabel::Negative => Sentiment::Negative,
        SentimentLabel::Neutral => Sentiment::Neutral,
        SentimentLabel::Positive => Sentiment::Positive,
    }
}

const fn hate_category(c: classify::HateCategory) -> HateCategory {
    match c {
        classify::HateCategory::Religion => HateCategory::Religion,
        classify::HateCategory::Race => HateCategory::Race,
        classify::HateCategory::Physical => HateCategory::Physical,
        classify::HateCategory::Gender => HateCategory::Gender,
        classify::HateCategory::Other => HateCategory::Other,
    }
}

const fn pii_kind(k: pii::PiiKind) -> PiiKind {
    match k {
        pii::PiiKind::Nik => PiiKind::Nik,
        pii::PiiKind::Phone => PiiKind::Phone,
        pii::PiiKind::Email => PiiKind::Email,
        pii::PiiKind::VehiclePlate => PiiKind::Plate,
        pii::PiiKind::BankAccount => PiiKind::BankAccount,
        pii::PiiKind::StreetAddress => PiiKind::Address,
    }
}

/// The stored shape of an analysis.
#[must_use]
pub fn message_analysis(a: &Analysis) -> MessageAnalysis {
    let mut out = MessageAnalysis {
        threat: a.threat.label,
        fingerprint: a.fingerprint,
        search_terms: search_terms(a),
        pii: a
            .pii
            .iter()
            .fold(Flags::EMPTY, |f, span| f.with(pii_kind(span.kind).index())),
        ..MessageAnalysis::default()
    };
    if let Some(c) = &a.classification {
        out.sentiment = Some(sentiment(c.sentiment.label));
        out.sentiment_score = c.sentiment.score;
        out.abusive = c.abusive.label;
        out.abusive_score = c.abusive.score;
        out.hate_speech = c.hate_speech.label;
        out.hate_score = c.hate_speech.score;
        out.hate_target = c.hate_speech.target.map(|t| match t.label {
            classify::HateTarget::Individual => HateTarget::Individual,
            classify::HateTarget::Group => HateTarget::Group,
        });
        out.hate_categories = c
            .hate_speech
            .categories
            .iter()
            .fold(Flags::EMPTY, |f, s| f.with(hate_category(s.label).index()));
        out.hate_strength = c.hate_speech.strength.map(|s| match s.label {
            classify::HateStrength::Weak => HateStrength::Weak,
            classify::HateStrength::Moderate => HateStrength::Moderate,
            classify::HateStrength::Strong => HateStrength::Strong,
        });
    }
    out
}

/// The category the rules suggest for a message's normalised words.
#[must_use]
pub fn suggested_category(words: &[&str]) -> Category {
    match humas_nlp_id::intent::suggest(words) {
        Intent::InformationRequest => Category::InformationRequest,
        Intent::Complaint => Category::Complaint,
        Intent::Dispute => Category::Dispute,
        Intent::FieldCheck => Category::FieldCheck,
        Intent::NotActionable => Category::NotActionable,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_terms_are_plain_runs() {
        let a = humas_nlp_id::analyze("Pelayanan #DinkesJatim lemot!!! cc @pemprov_jatim covid-19");
        let terms = search_terms(&a);
        assert!(
            terms
                .split(' ')
                .all(|t| !t.is_empty() && t.bytes().all(|b| b.is_ascii_alphanumeric())),
            "{terms}"
        );
        assert!(terms.split(' ').any(|t| t == "dinkesjatim"), "{terms}");
        assert!(terms.split(' ').any(|t| t == "pemprov"), "{terms}");
    }

    #[test]
    fn a_query_finds_other_forms_of_the_same_word() {
        let a = humas_nlp_id::analyze("kami tidak dilayani di puskesmas");
        let stored = search_terms(&a);
        for t in query_terms("pelayanan Puskesmas") {
            assert!(stored.split(' ').any(|s| s == t), "{t} not in {stored}");
        }
    }

    #[test]
    fn query_terms_are_deduplicated_and_capped() {
        assert_eq!(
            query_terms("banjir banjir BANJIR"),
            vec!["banjir".to_owned()]
        );
        let many = "satu dua tiga empat lima enam tujuh delapan sembilan sepuluh";
        assert_eq!(query_terms(many).len(), MAX_QUERY_TERMS);
        assert!(query_terms("!!! ???").is_empty());
    }

    #[test]
    fn the_rules_suggest_a_category() {
        let words = |t: &str| humas_nlp_id::normalize(t);
        let road = words("jalan di depan rumah berlubang besar, tolong segera diperbaiki");
        let road: Vec<&str> = road.split_whitespace().collect();
        assert_eq!(suggested_category(&road), Category::FieldCheck);
        let thanks = words("terima kasih pak gubernur, mantap");
        let thanks: Vec<&str> = thanks.split_whitespace().collect();
        assert_eq!(suggested_category(&thanks), Category::NotActionable);
    }

    #[test]
    fn pii_and_threats_become_flags() {
        let a = humas_nlp_id::analyze("hubungi 081234567890, awas kubunuh kau besok");
        let m = message_analysis(&a);
        assert!(m.pii.contains(PiiKind::Phone.index()));
        assert!(m.threat);
        assert!(m.sentiment.is_some());
    }
}
