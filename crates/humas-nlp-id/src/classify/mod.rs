//! Classifiers: sentiment, abusive language, hate speech with its target, category and
//! strength.
//!
//! Each is a naive-Bayes-weighted linear SVM (NB-SVM) over hashed word and character n-grams
//! ([`features`]), stored as a [`model::LinearModel`]. Every answer has a label and a calibrated
//! probability (Platt scaling fitted on out-of-fold predictions at training time). The models
//! shipped with Humas are embedded in the binary and decoded once ([`Classifiers::embedded`]);
//! others can be loaded from bytes ([`Classifiers::from_models`]).
//!
//! Training lives in the `humas-nlp-train` crate; `MODELS.md` next to the model files says
//! what data each was trained on, its licence and the command that reproduces it.

pub mod features;
mod fused;
pub mod model;

use serde::Serialize;

use crate::tokens::Token;
use features::{Extractor, FeatureSpec, Features, Pieces};
use fused::Fused;
use model::{LinearModel, ModelError};

/// Head names, as written in model files.
pub mod heads {
    /// Sentiment, one-vs-rest: negative.
    pub const SENTIMENT_NEGATIVE: &str = "sentiment.negative";
    /// Sentiment, one-vs-rest: neutral.
    pub const SENTIMENT_NEUTRAL: &str = "sentiment.neutral";
    /// Sentiment, one-vs-rest: positive.
    pub const SENTIMENT_POSITIVE: &str = "sentiment.positive";
    /// Abusive language.
    pub const ABUSIVE: &str = "abusive";
    /// Hate speech.
    pub const HATE_SPEECH: &str = "hate_speech";
    /// Hate speech aimed at one person.
    pub const HS_INDIVIDUAL: &str = "hate_speech.individual";
    /// Hate speech aimed at a group.
    pub const HS_GROUP: &str = "hate_speech.group";
    /// Category: religion.
    pub const HS_RELIGION: &str = "hate_speech.religion";
    /// Category: race or ethnicity.
    pub const HS_RACE: &str = "hate_speech.race";
    /// Category: physical appearance or disability.
    pub const HS_PHYSICAL: &str = "hate_speech.physical";
    /// Category: gender or sexual orientation.
    pub const HS_GENDER: &str = "hate_speech.gender";
    /// Category: other (e.g. insults at officials and institutions).
    pub const HS_OTHER: &str = "hate_speech.other";
    /// Strength: weak.
    pub const HS_WEAK: &str = "hate_speech.weak";
    /// Strength: moderate.
    pub const HS_MODERATE: &str = "hate_speech.moderate";
    /// Strength: strong.
    pub const HS_STRONG: &str = "hate_speech.strong";

    /// Every head the classifiers read, in the order of [`super::HeadId`].
    pub const ALL: [&str; 15] = [
        SENTIMENT_NEGATIVE,
        SENTIMENT_NEUTRAL,
        SENTIMENT_POSITIVE,
        ABUSIVE,
        HATE_SPEECH,
        HS_INDIVIDUAL,
        HS_GROUP,
        HS_RELIGION,
        HS_RACE,
        HS_PHYSICAL,
        HS_GENDER,
        HS_OTHER,
        HS_WEAK,
        HS_MODERATE,
        HS_STRONG,
    ];
}

/// Index into [`heads::ALL`].
type HeadId = usize;
const NEG: HeadId = 0;
const NEU: HeadId = 1;
const POS: HeadId = 2;
const ABUSIVE: HeadId = 3;
const HS: HeadId = 4;
const INDIVIDUAL: HeadId = 5;
const GROUP: HeadId = 6;
const CATEGORIES: [(HeadId, HateCategory); 5] = [
    (7, HateCategory::Religion),
    (8, HateCategory::Race),
    (9, HateCategory::Physical),
    (10, HateCategory::Gender),
    (11, HateCategory::Other),
];
/// Heads every message needs.
const HOT_HEADS: [HeadId; 5] = [NEG, NEU, POS, ABUSIVE, HS];
/// Heads needed only once a message is judged hate speech.
const COLD_HEADS: [HeadId; 10] = [5, 6, 7, 8, 9, 10, 11, 12, 13, 14];
const STRENGTHS: [(HeadId, HateStrength); 3] = [
    (12, HateStrength::Weak),
    (13, HateStrength::Moderate),
    (14, HateStrength::Strong),
];

/// Sentiment classes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SentimentLabel {
    /// Complaint, anger, disappointment.
    Negative,
    /// Information, questions.
    Neutral,
    /// Praise, thanks.
    Positive,
}

/// Sentiment with the probability of each class.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Sentiment {
    /// The most likely class.
    pub label: SentimentLabel,
    /// Its probability.
    pub score: f32,
    /// Probability of negative.
    pub negative: f32,
    /// Probability of neutral.
    pub neutral: f32,
    /// Probability of positive.
    pub positive: f32,
}

/// A yes/no decision with the calibrated probability of yes.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Verdict {
    /// The decision (the decision value passed the threshold tuned at training time).
    pub label: bool,
    /// Calibrated probability of yes.
    pub score: f32,
}

/// Whom hate speech is aimed at.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HateTarget {
    /// One person.
    Individual,
    /// A group.
    Group,
}

/// What hate speech is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HateCategory {
    /// Religion.
    Religion,
    /// Race or ethnicity.
    Race,
    /// Physical appearance or disability.
    Physical,
    /// Gender or sexual orientation.
    Gender,
    /// Anything else.
    Other,
}

/// How strong hate speech is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HateStrength {
    /// Weak.
    Weak,
    /// Moderate.
    Moderate,
    /// Strong.
    Strong,
}

/// A label with its calibrated probability.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Scored<L> {
    /// The label.
    pub label: L,
    /// Calibrated probability.
    pub score: f32,
}

/// Hate speech, and when present, against whom, about what and how strong.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct HateSpeech {
    /// Whether it is hate speech.
    pub label: bool,
    /// Calibrated probability that it is.
    pub score: f32,
    /// The more likely target; only when `label`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<Scored<HateTarget>>,
    /// Categories that passed their threshold (at least the likeliest one); only when `label`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub categories: Vec<Scored<HateCategory>>,
    /// The likeliest strength; only when `label`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub strength: Option<Scored<HateStrength>>,
}

/// What the classifiers say about one message.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Classification {
    /// Negative, neutral or positive.
    pub sentiment: Sentiment,
    /// Abusive language (profanity, insults).
    pub abusive: Verdict,
    /// Hate speech with target, category and strength.
    pub hate_speech: HateSpeech,
}

/// Loaded models, ready to share across threads.
#[derive(Debug)]
pub struct Classifiers {
    models: Vec<LinearModel>,
    /// For each spec the models use, the models reading it (so features are hashed once).
    specs: Vec<FeatureSpec>,
    model_spec: Vec<usize>,
    /// `(model, head)` for each of [`heads::ALL`].
    lookup: [(usize, usize); heads::ALL.len()],
    /// Interleaved tables when the models share a spec (the shipped ones do).
    fused: Option<Fused>,
}

/// Why models cannot serve as classifiers.
#[derive(Debug, PartialEq, Eq)]
pub enum LoadError {
    /// A model file could not be read.
    Model(ModelError),
    /// No loaded model has this head.
    MissingHead(&'static str),
    /// The models together would take more memory than allowed.
    TooLarge,
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Model(e) => e.fmt(f),
            Self::MissingHead(h) => write!(
                f,
                "no model provides the `{h}` output: the models must be a sentiment.hlm and an \
                 abuse.hlm written by `humas text train --out DIR`"
            ),
            Self::TooLarge => f.write_str(
                "the models together need more than 256 MiB of tables; train with fewer bits",
            ),
        }
    }
}

impl std::error::Error for LoadError {}

impl From<ModelError> for LoadError {
    fn from(e: ModelError) -> Self {
        Self::Model(e)
    }
}

/// Per-thread buffers for classifying; reuse one across a batch.
#[derive(Debug, Default)]
pub struct Scratch {
    extractor: Extractor,
    features: Vec<Features>,
    decisions: Vec<f32>,
    /// Decision values by [`HeadId`].
    by_head: [f32; heads::ALL.len()],
}

impl Scratch {
    /// Fresh buffers.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }
}

static EMBEDDED_SENTIMENT: &[u8] = include_bytes!("../../models/sentiment.hlm");
static EMBEDDED_ABUSE: &[u8] = include_bytes!("../../models/abuse.hlm");
static EMBEDDED: std::sync::OnceLock<Result<Classifiers, LoadError>> = std::sync::OnceLock::new();

impl Classifiers {
    /// The models shipped in the binary, decoded on first use and shared afterwards.
    ///
    /// # Errors
    /// Only if the embedded files are damaged, which a test rules out for every build.
    pub fn embedded() -> Result<&'static Self, &'static LoadError> {
        EMBEDDED
            .get_or_init(|| {
                let models = [EMBEDDED_SENTIMENT, EMBEDDED_ABUSE]
                    .iter()
                    .map(|b| LinearModel::from_bytes(b))
                    .collect::<Result<Vec<_>, _>>()?;
                Self::from_models(models)
            })
            .as_ref()
    }

    /// Classifiers from models that between them provide every head in [`heads::ALL`].
    ///
    /// # Errors
    /// [`LoadError::MissingHead`] names the first output no model provides.
    pub fn from_models(models: Vec<LinearModel>) -> Result<Self, LoadError> {
        let total: usize = models.iter().map(LinearModel::table_values).sum();
        if total > model::MAX_TABLE_VALUES {
            return Err(LoadError::TooLarge);
        }
        let mut lookup = [(0, 0); heads::ALL.len()];
        for (slot, name) in lookup.iter_mut().zip(heads::ALL) {
            *slot = models
                .iter()
                .enumerate()
                .find_map(|(m, model)| model.head_index(name).map(|h| (m, h)))
                .ok_or(LoadError::MissingHead(name))?;
        }
        let mut specs: Vec<FeatureSpec> = Vec::new();
        let mut model_spec = Vec::with_capacity(models.len());
        for m in &models {
            let i = specs.iter().position(|s| s == m.spec()).unwrap_or_else(|| {
                specs.push(*m.spec());
                specs.len() - 1
            });
            model_spec.push(i);
        }
        let pick = |ids: &[HeadId]| -> Vec<(usize, usize)> {
            ids.iter()
                .filter_map(|&id| lookup.get(id).copied())
                .collect()
        };
        let fused = Fused::build(&models, &pick(&HOT_HEADS), &pick(&COLD_HEADS));
        Ok(Self {
            models,
            specs,
            model_spec,
            lookup,
            fused,
        })
    }

    /// The head with this name (see [`heads`]), for its threshold and calibration.
    #[must_use]
    pub fn head(&self, name: &str) -> Option<&model::Head> {
        let id = heads::ALL.iter().position(|h| *h == name)?;
        self.head_at(id)
    }

    /// The loaded models.
    #[must_use]
    pub fn models(&self) -> &[LinearModel] {
        &self.models
    }

    /// Decision values of every head in [`heads::ALL`] order.
    pub fn decisions(
        &self,
        text: &str,
        tokens: &[Token],
        scratch: &mut Scratch,
    ) -> [f32; heads::ALL.len()] {
        self.decide(&Pieces::from_tokens(text, tokens), scratch, |_| true)
    }

    /// Decision values by [`HeadId`]. The hate-speech detail heads are scored only when
    /// `want_details` says so given the other heads' values (the generic path scores all).
    fn decide(
        &self,
        pieces: &Pieces<'_>,
        scratch: &mut Scratch,
        want_details: impl FnOnce(&[f32]) -> bool,
    ) -> [f32; heads::ALL.len()] {
        self.extract(pieces, scratch);
        let mut d = [0f32; heads::ALL.len()];
        match (&self.fused, scratch.features.first()) {
            (Some(fused), Some(features)) => {
                let norms = self.fused_hot(fused, features, &mut d);
                if want_details(&d) {
                    self.fused_cold(fused, features, norms, &mut d);
                }
            }
            _ => {
                self.generic(scratch);
                d = scratch.by_head;
            }
        }
        d
    }

    fn extract(&self, pieces: &Pieces<'_>, scratch: &mut Scratch) {
        scratch
            .features
            .resize_with(self.specs.len(), Features::default);
        for (spec, out) in self.specs.iter().zip(scratch.features.iter_mut()) {
            scratch.extractor.extract_pieces(spec, pieces, out);
        }
    }

    fn fused_hot(&self, fused: &Fused, features: &Features, by_head: &mut [f32]) -> fused::Norms {
        let mut hot = [0f32; HOT_HEADS.len()];
        let norms = fused.decide_hot(features, &mut hot);
        for (&id, v) in HOT_HEADS.iter().zip(hot) {
            if let Some(slot) = by_head.get_mut(id) {
                *slot = v;
            }
        }
        norms
    }

    fn fused_cold(
        &self,
        fused: &Fused,
        features: &Features,
        norms: fused::Norms,
        by_head: &mut [f32],
    ) {
        let mut cold = [0f32; COLD_HEADS.len()];
        fused.decide_cold(features, norms, &mut cold);
        for (&id, v) in COLD_HEADS.iter().zip(cold) {
            if let Some(slot) = by_head.get_mut(id) {
                *slot = v;
            }
        }
    }

    /// Any models: each scores its own features.
    fn generic(&self, scratch: &mut Scratch) {
        for (m, model) in self.models.iter().enumerate() {
            match self
                .model_spec
                .get(m)
                .and_then(|&s| scratch.features.get(s))
            {
                Some(f) => model.decide(f, &mut scratch.decisions),
                None => scratch.decisions.clear(),
            }
            for (out, &(mm, h)) in scratch.by_head.iter_mut().zip(&self.lookup) {
                if mm == m {
                    *out = scratch.decisions.get(h).copied().unwrap_or(0.0);
                }
            }
        }
    }

    /// Classifies a tokenised message. The hate-speech detail heads are scored only for
    /// messages judged hate speech.
    pub fn classify(&self, text: &str, tokens: &[Token], scratch: &mut Scratch) -> Classification {
        self.classify_pieces(&Pieces::from_tokens(text, tokens), scratch)
    }

    pub(crate) fn classify_pieces(
        &self,
        pieces: &Pieces<'_>,
        scratch: &mut Scratch,
    ) -> Classification {
        let d = self.decide(pieces, scratch, |d| self.verdict(HS, d).label);
        let hs = self.verdict(HS, &d);
        Classification {
            sentiment: self.sentiment(&d),
            abusive: self.verdict(ABUSIVE, &d),
            hate_speech: HateSpeech {
                label: hs.label,
                score: hs.score,
                target: hs.label.then(|| self.target(&d)),
                categories: if hs.label {
                    self.categories(&d)
                } else {
                    Vec::new()
                },
                strength: hs.label.then(|| self.strength(&d)),
            },
        }
    }

    fn head_at(&self, id: HeadId) -> Option<&model::Head> {
        let &(m, h) = self.lookup.get(id)?;
        self.models.get(m)?.heads().get(h)
    }

    fn probability(&self, id: HeadId, d: &[f32]) -> f32 {
        match (self.head_at(id), d.get(id)) {
            (Some(head), Some(&v)) => head.probability(v),
            _ => 0.0,
        }
    }

    fn verdict(&self, id: HeadId, d: &[f32]) -> Verdict {
        let value = d.get(id).copied().unwrap_or(f32::NEG_INFINITY);
        let threshold = self.head_at(id).map_or(0.0, |h| h.threshold);
        Verdict {
            label: value >= threshold,
            score: self.probability(id, d),
        }
    }

    /// One-vs-rest heads, each calibrated, normalised to sum to one; the label is the most
    /// probable class, so a label never sits next to a larger probability of another class.
    fn sentiment(&self, d: &[f32]) -> Sentiment {
        let p = [NEG, NEU, POS].map(|id| self.probability(id, d));
        let total: f32 = p.iter().sum();
        let [negative, neutral, positive] = if total > 0.0 {
            p.map(|x| x / total)
        } else {
            [1.0 / 3.0; 3]
        };
        let (label, score) = if negative >= neutral && negative >= positive {
            (SentimentLabel::Negative, negative)
        } else if positive >= neutral {
            (SentimentLabel::Positive, positive)
        } else {
            (SentimentLabel::Neutral, neutral)
        };
        Sentiment {
            label,
            score,
            negative,
            neutral,
            positive,
        }
    }

    fn target(&self, d: &[f32]) -> Scored<HateTarget> {
        let individual = self.probability(INDIVIDUAL, d);
        let group = self.probability(GROUP, d);
        if group > individual {
            Scored {
                label: HateTarget::Group,
                score: group,
            }
        } else {
            Scored {
                label: HateTarget::Individual,
                score: individual,
            }
        }
    }

    fn categories(&self, d: &[f32]) -> Vec<Scored<HateCategory>> {
        let scored: Vec<(bool, Scored<HateCategory>)> = CATEGORIES
            .iter()
            .map(|&(id, label)| {
                (
                    self.verdict(id, d).label,
                    Scored {
                        label,
                        score: self.probability(id, d),
                    },
                )
            })
            .collect();
        let mut passed: Vec<Scored<HateCategory>> = scored
            .iter()
            .filter(|(yes, _)| *yes)
            .map(|(_, s)| *s)
            .collect();
        if passed.is_empty() {
            passed.extend(
                scored
                    .iter()
                    .map(|(_, s)| *s)
                    .max_by(|a, b| a.score.total_cmp(&b.score)),
            );
        }
        passed.sort_by(|a, b| b.score.total_cmp(&a.score));
        passed
    }

    fn strength(&self, d: &[f32]) -> Scored<HateStrength> {
        STRENGTHS
            .iter()
            .map(|&(id, label)| Scored {
                label,
                score: self.probability(id, d),
            })
            .max_by(|a, b| a.score.total_cmp(&b.score))
            .unwrap_or(Scored {
                label: HateStrength::Weak,
                score: 0.0,
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tokens::tokenize;

    fn classify(text: &str) -> Classification {
        let c = Classifiers::embedded().unwrap();
        c.classify(text, &tokenize(text), &mut Scratch::new())
    }

    #[test]
    fn the_embedded_models_load_and_provide_every_head() {
        let c = Classifiers::embedded().unwrap();
        for name in heads::ALL {
            assert!(c.head(name).is_some(), "{name}");
        }
    }

    #[test]
    fn praise_and_complaints_get_their_sentiment() {
        let praise = classify("terima kasih pak, pelayanannya cepat dan ramah sekali, mantap!");
        assert_eq!(
            praise.sentiment.label,
            SentimentLabel::Positive,
            "{praise:?}"
        );
        let complaint = classify("kecewa berat, antrean lama banget dan petugasnya judes");
        assert_eq!(
            complaint.sentiment.label,
            SentimentLabel::Negative,
            "{complaint:?}"
        );
    }

    #[test]
    fn slang_complaints_read_like_their_standard_spelling() {
        let slang = classify("pelayanan lemot bgt, ga jelas");
        assert_eq!(slang.sentiment.label, SentimentLabel::Negative, "{slang:?}");
    }

    #[test]
    fn the_label_is_the_most_probable_class() {
        for text in [
            "biasa saja",
            "lumayan lah",
            "tidak jelek tapi mahal",
            "buka jam berapa",
            "oke",
        ] {
            let s = classify(text).sentiment;
            let best = s.negative.max(s.neutral).max(s.positive);
            assert_eq!(s.score, best, "{text}: {s:?}");
        }
    }

    #[test]
    fn probabilities_are_probabilities() {
        for text in ["", "halo", "dasar bodoh", "😡😡😡", &"kata ".repeat(5000)] {
            let c = classify(text);
            let s = c.sentiment;
            assert!(
                (s.negative + s.neutral + s.positive - 1.0).abs() < 1e-4,
                "{text}"
            );
            for p in [s.score, c.abusive.score, c.hate_speech.score] {
                assert!((0.0..=1.0).contains(&p), "{text}: {p}");
            }
        }
    }

    #[test]
    fn insults_are_abusive_and_a_polite_question_is_not() {
        let insult = classify("dasar goblok, anjing lu");
        assert!(insult.abusive.label, "{insult:?}");
        let question = classify("mohon informasi jadwal vaksin di puskesmas terdekat");
        assert!(!question.abusive.label, "{question:?}");
        assert!(!question.hate_speech.label, "{question:?}");
        assert!(
            question.hate_speech.target.is_none() && question.hate_speech.categories.is_empty()
        );
    }

    #[test]
    fn hate_speech_carries_its_details() {
        let hs =
            classify("dasar kafir laknat, agama sesat kalian semua harus diusir dari negeri ini");
        assert!(hs.hate_speech.label, "{hs:?}");
        assert!(hs.hate_speech.target.is_some());
        assert!(!hs.hate_speech.categories.is_empty());
        assert!(hs.hate_speech.strength.is_some());
    }

    #[test]
    fn fused_tables_give_the_same_decisions_as_the_models() {
        let c = Classifiers::embedded().unwrap();
        assert!(c.fused.is_some(), "the shipped models share a spec");
        let mut scratch = Scratch::new();
        for text in [
            "dasar goblok anjing",
            "terima kasih pak",
            "",
            "agama sesat kalian, usir!",
        ] {
            let tokens = tokenize(text);
            let fast = c.decisions(text, &tokens, &mut scratch);
            c.extract(&Pieces::from_tokens(text, &tokens), &mut scratch);
            c.generic(&mut scratch);
            for (a, b) in fast.iter().zip(scratch.by_head) {
                assert!((a - b).abs() < 1e-4, "{text}: {a} vs {b}");
            }
        }
    }

    #[test]
    fn missing_heads_are_named() {
        let only_sentiment = LinearModel::from_bytes(EMBEDDED_SENTIMENT).unwrap();
        assert_eq!(
            Classifiers::from_models(vec![only_sentiment]).err(),
            Some(LoadError::MissingHead(heads::ABUSIVE))
        );
    }
}
