//! The whole job: train every shipped model from a data folder, and evaluate classifiers on
//! the held-out splits, as `humas text train` and `humas text eval` print them.

use std::fmt::Write as _;
use std::path::Path;

use humas_nlp_id::classify::model::{LinearModel, ModelError};
use humas_nlp_id::classify::{Classifiers, Scratch, SentimentLabel, heads};
use humas_nlp_id::tokenize;
use serde::Serialize;

use crate::data::{self, Classed, DataError, SENTIMENT_CLASSES};
use crate::eval::{BinaryScores, ClassScores, binary, calibration_error, multiclass};
use crate::fit::{HeadReport, HeadTask, TrainConfig, train_model};

/// File name of the sentiment model.
pub const SENTIMENT_FILE: &str = "sentiment.hlm";
/// File name of the abuse and hate-speech model.
pub const ABUSE_FILE: &str = "abuse.hlm";
/// The evaluation protocol's split seed for Ibrohim 2019 (`../shared/data/README.md`).
pub const SPLIT_SEED: u64 = 42;

/// Why training or evaluation failed.
#[derive(Debug, thiserror::Error)]
pub enum TrainError {
    /// Reading the data.
    #[error(transparent)]
    Data(#[from] DataError),
    /// Assembling a model.
    #[error("{0}")]
    Model(#[from] ModelError),
}

/// Model head for each Ibrohim column, in [`IBROHIM_COLUMNS`] order.
const IBROHIM_HEADS: [&str; 12] = [
    heads::HATE_SPEECH,
    heads::ABUSIVE,
    heads::HS_INDIVIDUAL,
    heads::HS_GROUP,
    heads::HS_RELIGION,
    heads::HS_RACE,
    heads::HS_PHYSICAL,
    heads::HS_GENDER,
    heads::HS_OTHER,
    heads::HS_WEAK,
    heads::HS_MODERATE,
    heads::HS_STRONG,
];

const SENTIMENT_HEADS: [&str; 3] = [
    heads::SENTIMENT_NEGATIVE,
    heads::SENTIMENT_NEUTRAL,
    heads::SENTIMENT_POSITIVE,
];

/// Both trained models and what training found.
#[derive(Debug)]
pub struct TrainedModels {
    /// Sentiment (SmSA train + valid).
    pub sentiment: LinearModel,
    /// Abuse and hate speech (Ibrohim 2019, the 80 % part).
    pub abuse: LinearModel,
    /// One line per head.
    pub heads: Vec<HeadReport>,
}

/// Penalties tried for each model; the recipe's 0.3 is in the middle.
pub const C_GRID: [f64; 4] = [0.15, 0.3, 0.6, 1.0];

fn sentiment_tasks(rows: &[&Classed], c: f64) -> Vec<HeadTask> {
    SENTIMENT_HEADS
        .iter()
        .enumerate()
        .map(|(class, name)| HeadTask {
            name: (*name).to_owned(),
            y: rows.iter().map(|r| r.class == class).collect(),
            balanced: false,
            tune_threshold: false,
            c_grid: vec![c],
        })
        .collect()
}

/// Trains a sentiment model on `rows` with penalty `c`.
///
/// # Errors
/// Only if the model cannot be assembled.
pub fn train_sentiment_on(
    rows: &[&Classed],
    c: f64,
    cfg: &TrainConfig,
) -> Result<(LinearModel, Vec<HeadReport>), TrainError> {
    let texts: Vec<String> = rows.iter().map(|r| r.text.clone()).collect();
    Ok(train_model(&texts, &sentiment_tasks(rows, c), cfg)?)
}

/// Sentiment scores of one model alone on `rows`.
#[must_use]
pub fn sentiment_model_scores(model: &LinearModel, rows: &[Classed]) -> ClassScores {
    let mut scratch = humas_nlp_id::classify::features::Extractor::new();
    let mut f = humas_nlp_id::classify::features::Features::default();
    let mut d = Vec::new();
    let ids: Vec<usize> = SENTIMENT_HEADS
        .iter()
        .filter_map(|h| model.head_index(h))
        .collect();
    let pred: Vec<usize> = rows
        .iter()
        .map(|r| {
            scratch.extract(model.spec(), &r.text, &tokenize(&r.text), &mut f);
            model.decide(&f, &mut d);
            let values: Vec<f32> = ids
                .iter()
                .map(|&i| d.get(i).copied().unwrap_or(f32::NEG_INFINITY))
                .collect();
            values
                .iter()
                .enumerate()
                .max_by(|a, b| a.1.total_cmp(b.1))
                .map_or(0, |(i, _)| i)
        })
        .collect();
    let truth: Vec<usize> = rows.iter().map(|r| r.class).collect();
    multiclass(&pred, &truth, SENTIMENT_CLASSES.len())
}

/// Trains the sentiment model: the penalty is chosen on SmSA valid (trained on train), then
/// the model is trained on train + valid with it, as IndoNLU's protocol allows.
///
/// # Errors
/// Missing or malformed data.
pub fn train_sentiment(
    data: &Path,
    cfg: &TrainConfig,
) -> Result<(LinearModel, Vec<HeadReport>), TrainError> {
    let smsa = data::load_smsa(data)?;
    let train_only: Vec<&Classed> = smsa.train.iter().collect();
    let mut best = (cfg.c, f64::NEG_INFINITY);
    for c in C_GRID {
        let (model, _) = train_sentiment_on(&train_only, c, cfg)?;
        let f1 = sentiment_model_scores(&model, &smsa.valid).macro_f1;
        if f1 > best.1 {
            best = (c, f1);
        }
    }
    let all: Vec<&Classed> = smsa.train.iter().chain(&smsa.valid).collect();
    train_sentiment_on(&all, best.0, cfg)
}

/// Trains the abuse and hate-speech model.
///
/// # Errors
/// Missing or malformed data.
pub fn train_abuse(
    data: &Path,
    cfg: &TrainConfig,
    split_seed: u64,
) -> Result<(LinearModel, Vec<HeadReport>), TrainError> {
    let ibrohim = data::load_ibrohim(data, split_seed)?;
    let texts: Vec<String> = ibrohim.train.iter().map(|t| t.text.clone()).collect();
    let tasks: Vec<HeadTask> = IBROHIM_HEADS
        .iter()
        .enumerate()
        .map(|(k, name)| HeadTask {
            name: (*name).to_owned(),
            y: ibrohim
                .train
                .iter()
                .map(|t| t.labels.get(k).copied().unwrap_or(false))
                .collect(),
            balanced: true,
            tune_threshold: true,
            c_grid: C_GRID.to_vec(),
        })
        .collect();
    Ok(train_model(&texts, &tasks, cfg)?)
}

/// Trains every shipped model.
///
/// # Errors
/// Missing or malformed data.
pub fn train_all(data: &Path, seed: u64) -> Result<TrainedModels, TrainError> {
    let cfg = TrainConfig::recipe(seed);
    let (sentiment, mut reports) = train_sentiment(data, &cfg)?;
    let (abuse, more) = train_abuse(data, &cfg, SPLIT_SEED)?;
    reports.extend(more);
    Ok(TrainedModels {
        sentiment,
        abuse,
        heads: reports,
    })
}

/// A yes/no task's scores with its calibration error.
#[derive(Clone, Debug, Serialize)]
pub struct BinaryReport {
    /// Head name.
    pub name: String,
    /// Scores at the shipped threshold.
    #[serde(flatten)]
    pub scores: BinaryScores,
    /// Expected calibration error of the probabilities.
    pub calibration_error: f64,
}

/// Every metric of `humas text eval`.
#[derive(Clone, Debug, Serialize)]
pub struct EvalReport {
    /// SmSA test split.
    pub sentiment_smsa_test: ClassScores,
    /// Expected calibration error of the top sentiment probability on SmSA test.
    pub sentiment_calibration_error: f64,
    /// NusaX test splits in regional languages (a robustness check, not a target).
    pub sentiment_nusax: Vec<(String, ClassScores)>,
    /// Ibrohim 2019 test split: abusive, hate speech, then each hate-speech detail head.
    pub ibrohim: Vec<BinaryReport>,
    /// Threat rules on the team's own labelled sentences.
    pub threat: Vec<ThreatReport>,
    /// Stemmer on the team's own (word, root) pairs, and on the Sastrawi root list.
    pub stemmer: StemReport,
    /// Messages per split.
    pub counts: Counts,
}

/// Threat rules on one labelled set.
#[derive(Clone, Debug, Serialize)]
pub struct ThreatReport {
    /// `dev` (rules written against it) or `held_out` (never looked at while writing them).
    pub set: &'static str,
    /// Confusion counts.
    #[serde(flatten)]
    pub scores: humas_nlp_id::threat::Scores,
    /// Share of flagged that are threats.
    pub precision: f64,
    /// Share of threats flagged.
    pub recall: f64,
    /// Harmonic mean.
    pub f1: f64,
}

/// Stemmer accuracy.
#[derive(Clone, Debug, Serialize)]
pub struct StemReport {
    /// Right on the pairs the rules were tuned on.
    pub tuned: (usize, usize),
    /// Right on pairs written after tuning.
    pub held_out: (usize, usize),
    /// Root words of the Sastrawi list (CC BY-NC-SA; read for evaluation only) left unchanged.
    pub roots_unchanged: (usize, usize),
}

/// How many messages each score rests on.
#[derive(Clone, Debug, Serialize)]
pub struct Counts {
    /// SmSA test.
    pub smsa_test: usize,
    /// Ibrohim test split.
    pub ibrohim_test: usize,
}

const fn class_index(label: SentimentLabel) -> usize {
    match label {
        SentimentLabel::Negative => 0,
        SentimentLabel::Neutral => 1,
        SentimentLabel::Positive => 2,
    }
}

fn sentiment_scores(c: &Classifiers, rows: &[Classed]) -> (ClassScores, f64) {
    let mut scratch = Scratch::new();
    let mut pred = Vec::with_capacity(rows.len());
    let mut top = Vec::with_capacity(rows.len());
    let mut right = Vec::with_capacity(rows.len());
    for r in rows {
        let s = c
            .classify(&r.text, &tokenize(&r.text), &mut scratch)
            .sentiment;
        pred.push(class_index(s.label));
        top.push(s.score);
        right.push(class_index(s.label) == r.class);
    }
    let truth: Vec<usize> = rows.iter().map(|r| r.class).collect();
    (
        multiclass(&pred, &truth, SENTIMENT_CLASSES.len()),
        calibration_error(&top, &right),
    )
}

/// Evaluates classifiers on SmSA test, NusaX Javanese and Madurese, and the Ibrohim split
/// ([`SPLIT_SEED`] is the protocol's; others are for measuring how much the split matters).
///
/// # Errors
/// Missing or malformed data.
pub fn evaluate(data: &Path, c: &Classifiers, split_seed: u64) -> Result<EvalReport, TrainError> {
    let smsa = data::load_smsa(data)?;
    let (sentiment_smsa_test, sentiment_calibration_error) = sentiment_scores(c, &smsa.test);
    let mut sentiment_nusax = Vec::new();
    for lang in ["javanese", "madurese"] {
        let rows = data::load_nusax_test(data, lang)?;
        sentiment_nusax.push((lang.to_owned(), sentiment_scores(c, &rows).0));
    }
    let ibrohim = data::load_ibrohim(data, split_seed)?;
    let mut scratch = Scratch::new();
    let decisions: Vec<_> = ibrohim
        .test
        .iter()
        .map(|t| c.decisions(&t.text, &tokenize(&t.text), &mut scratch))
        .collect();
    let mut reports = Vec::new();
    for (k, name) in IBROHIM_HEADS.iter().enumerate() {
        let (Some(id), Some(head)) = (heads::ALL.iter().position(|h| h == name), c.head(name))
        else {
            continue;
        };
        let values: Vec<f32> = decisions
            .iter()
            .map(|d| d.get(id).copied().unwrap_or(0.0))
            .collect();
        let truth: Vec<bool> = ibrohim
            .test
            .iter()
            .map(|t| t.labels.get(k).copied().unwrap_or(false))
            .collect();
        let pred: Vec<bool> = values.iter().map(|&v| v >= head.threshold).collect();
        let prob: Vec<f32> = values.iter().map(|&v| head.probability(v)).collect();
        reports.push(BinaryReport {
            name: (*name).to_owned(),
            scores: binary(&pred, &truth),
            calibration_error: calibration_error(&prob, &truth),
        });
    }
    // Abusive first, then hate speech, then the details: the order people read them in.
    reports.swap(0, 1);
    let roots = data.join("sastrawi-kata-dasar").join("kata-dasar.txt");
    let roots =
        String::from_utf8_lossy(&std::fs::read(&roots).map_err(|source| DataError::Io {
            path: roots.clone(),
            source,
        })?)
        .into_owned();
    Ok(EvalReport {
        threat: threat_reports(),
        stemmer: stem_report(&roots),
        sentiment_smsa_test,
        sentiment_calibration_error,
        sentiment_nusax,
        ibrohim: reports,
        counts: Counts {
            smsa_test: smsa.test.len(),
            ibrohim_test: ibrohim.test.len(),
        },
    })
}

/// The team's own threat sentences (`label<TAB>text`).
const THREAT_DEV: &str = include_str!("../../humas-nlp-id/tests/data/threat-dev.tsv");
const THREAT_HELD_OUT: &str = include_str!("../../humas-nlp-id/tests/data/threat-heldout.tsv");
/// The team's own (word, root) pairs, tuned part then held-out part.
const STEM_PAIRS: &str = include_str!("../../humas-nlp-id/tests/data/stem-pairs.tsv");

fn labelled_lines(text: &str) -> Vec<(&str, &str)> {
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.split_once('\t'))
        .collect()
}

fn threat_reports() -> Vec<ThreatReport> {
    [("dev", THREAT_DEV), ("held_out", THREAT_HELD_OUT)]
        .into_iter()
        .map(|(set, text)| {
            let examples: Vec<(bool, &str)> = labelled_lines(text)
                .into_iter()
                .map(|(label, t)| (label.trim() == "1", t))
                .collect();
            let scores = humas_nlp_id::threat::evaluate(&examples);
            ThreatReport {
                set,
                scores,
                precision: scores.precision(),
                recall: scores.recall(),
                f1: scores.f1(),
            }
        })
        .collect()
}

fn stem_report(roots: &str) -> StemReport {
    let (tuned, held_out) = STEM_PAIRS
        .split_once("# == held-out ==")
        .unwrap_or((STEM_PAIRS, ""));
    let words: Vec<&str> = roots
        .lines()
        .map(str::trim)
        .filter(|w| !w.is_empty())
        .collect();
    let unchanged = words
        .iter()
        .filter(|w| humas_nlp_id::stem::stem(w) == **w)
        .count();
    StemReport {
        tuned: humas_nlp_id::stem::accuracy(&labelled_lines(tuned)),
        held_out: humas_nlp_id::stem::accuracy(&labelled_lines(held_out)),
        roots_unchanged: (unchanged, words.len()),
    }
}

impl EvalReport {
    /// The report as a plain-text table.
    #[must_use]
    pub fn table(&self) -> String {
        let pct = |v: f64| format!("{:6.2}", v * 100.0);
        let mut out = String::new();
        let s = &self.sentiment_smsa_test;
        let _ = writeln!(
            out,
            "task                              macro-F1  pos-F1  accuracy  calib.err  n"
        );
        let _ = writeln!(
            out,
            "sentiment (SmSA test)             {}     -       {}    {}     {}",
            pct(s.macro_f1),
            pct(s.accuracy),
            pct(self.sentiment_calibration_error),
            s.count
        );
        for (lang, s) in &self.sentiment_nusax {
            let _ = writeln!(
                out,
                "sentiment (NusaX {lang:<9} test)  {}     -       {}        -      {}",
                pct(s.macro_f1),
                pct(s.accuracy),
                s.count
            );
        }
        for r in &self.ibrohim {
            let b = &r.scores;
            let _ = writeln!(
                out,
                "{:<33} {}  {}   {}    {}     {}",
                r.name,
                pct(b.macro_f1),
                pct(b.positive_f1),
                pct(b.accuracy),
                pct(r.calibration_error),
                b.tp + b.fp + b.fn_ + b.tn
            );
        }
        for t in &self.threat {
            let _ = writeln!(
                out,
                "threat rules ({:<8})            F1 {}  precision {}  recall {}  n {}",
                t.set,
                pct(t.f1),
                pct(t.precision),
                pct(t.recall),
                t.scores.tp + t.scores.fp + t.scores.fn_ + t.scores.tn
            );
        }
        let share = |(a, b): (usize, usize)| pct(a as f64 / b.max(1) as f64);
        let st = &self.stemmer;
        let _ = writeln!(
            out,
            "stemmer: tuned pairs {} ({}/{}), held-out pairs {} ({}/{}), Sastrawi roots unchanged {} ({}/{})",
            share(st.tuned),
            st.tuned.0,
            st.tuned.1,
            share(st.held_out),
            st.held_out.0,
            st.held_out.1,
            share(st.roots_unchanged),
            st.roots_unchanged.0,
            st.roots_unchanged.1
        );
        out
    }
}
