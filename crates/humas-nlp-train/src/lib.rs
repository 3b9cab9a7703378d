//! Training and evaluation of Humas's Indonesian text classifiers.
//!
//! Reads the labelled datasets from a folder given on the command line ([`data`]), trains
//! NB-SVM models deterministically for a seed ([`fit`], [`svm`], [`calibrate`]), and measures
//! the classifiers on the held-out splits ([`eval`], [`report`]). The models it writes are the
//! ones `humas-nlp-id` embeds; `crates/humas-nlp-id/models/MODELS.md` says how to reproduce
//! them.
//!
//! **Invariants:** the same data and seed give byte-identical model files, whatever the
//! number of threads; no data is ever written anywhere but the model files.

pub mod calibrate;
pub mod data;
pub mod eval;
pub mod fit;
pub mod report;
pub mod rng;
pub mod svm;
