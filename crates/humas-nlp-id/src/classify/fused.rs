//! The shipped models' tables, interleaved for speed.
//!
//! Scoring is bound by memory, not arithmetic: each feature is a random row in a table of
//! millions. The shipped models share one feature spec, so their rows for the same bucket can
//! sit together: one 16-byte "hot" row holds each model's idf and the weights every message
//! needs (sentiment, abusive, hate speech), so a feature costs one cache access for all of
//! them. The hate-speech detail heads (target, category, strength) live in a second table that
//! is read only for messages already judged hate speech.

use super::features::Features;
use super::model::{LinearModel, inverse_norm};

/// Idf slots plus hot weights per row; 8 × i16 = 16 bytes, four rows per cache line.
const HOT: usize = 8;

/// Lanes whose squares are summed: the idf of each model comes first in a row, and there are
/// at most this many models (the hot heads take the other lanes).
const NORM_LANES: usize = 4;

/// Most detail heads the cold table holds (the shipped model has ten).
const MAX_COLD: usize = 16;

/// One output computed by the fused tables.
#[derive(Clone, Copy, Debug)]
struct Out {
    model: usize,
    scale: f32,
    bias: f32,
}

/// Interleaved tables of up to [`HOT`] − hot-head-count models.
#[derive(Debug)]
pub(crate) struct Fused {
    models: usize,
    hot: Vec<[i16; HOT]>,
    hot_out: Vec<Out>,
    cold: Vec<i16>,
    cold_out: Vec<Out>,
}

/// Accumulated per-model norms of one message, kept for the cold pass.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Norms([f32; HOT]);

impl Fused {
    /// Interleaves `hot` and `cold` heads (`(model, head)` pairs) of models that share a spec.
    /// `None` when they do not fit: different specs, or too many models or hot heads.
    pub(crate) fn build(
        models: &[LinearModel],
        hot: &[(usize, usize)],
        cold: &[(usize, usize)],
    ) -> Option<Self> {
        let first = models.first()?;
        // The interleaved copy is for the shipped size; larger custom models score through
        // their own tables rather than doubling the memory.
        if models.iter().any(|m| m.spec() != first.spec())
            || first.spec().bits > 20
            || models.len() + hot.len() > HOT
            || models.len() > NORM_LANES
            || cold.len() > MAX_COLD
        {
            return None;
        }
        let out = |&(m, h): &(usize, usize)| -> Option<Out> {
            let head = models.get(m)?.heads().get(h)?;
            Some(Out {
                model: m,
                scale: head.scale,
                bias: head.bias,
            })
        };
        let hot_out = hot.iter().map(out).collect::<Option<Vec<_>>>()?;
        let cold_out = cold.iter().map(out).collect::<Option<Vec<_>>>()?;
        let buckets = first.spec().buckets();
        let mut hot_rows = vec![[0i16; HOT]; buckets];
        let mut cold_rows = vec![0i16; buckets * cold.len()];
        for (b, row) in hot_rows.iter_mut().enumerate() {
            for (m, model) in models.iter().enumerate() {
                *row.get_mut(m)? = *model.row(b)?.first()?;
            }
            for (k, &(m, h)) in hot.iter().enumerate() {
                *row.get_mut(models.len() + k)? = *models.get(m)?.row(b)?.get(h + 1)?;
            }
            for (k, &(m, h)) in cold.iter().enumerate() {
                *cold_rows.get_mut(b * cold.len() + k)? = *models.get(m)?.row(b)?.get(h + 1)?;
            }
        }
        Some(Self {
            models: models.len(),
            hot: hot_rows,
            hot_out,
            cold: cold_rows,
            cold_out,
        })
    }

    /// Decision values of the hot heads (in the order given to `build`) into `out`; returns the
    /// norms the cold pass needs.
    pub(crate) fn decide_hot(&self, features: &Features, out: &mut [f32]) -> Norms {
        let mut acc = [0f32; HOT];
        let mut norm2 = [0f32; NORM_LANES];
        for &bucket in &features.buckets {
            let Some(row) = self.hot.get(bucket as usize) else {
                continue;
            };
            // Fixed-width lanes: the compiler turns these into a few vector instructions.
            for lane in 0..HOT {
                acc[lane] += f32::from(row[lane]);
            }
            // Only the idf lanes need their squares.
            for lane in 0..NORM_LANES {
                let v = f32::from(row[lane]);
                norm2[lane] += v * v;
            }
        }
        let mut norms = Norms::default();
        for (n, &sum) in norms.0.iter_mut().zip(&norm2).take(self.models) {
            *n = inverse_norm(sum);
        }
        for (k, (o, slot)) in self.hot_out.iter().zip(out.iter_mut()).enumerate() {
            let inv = norms.0.get(o.model).copied().unwrap_or(0.0);
            let a = acc.get(self.models + k).copied().unwrap_or(0.0);
            *slot = a * o.scale * inv + o.bias;
        }
        norms
    }

    /// Decision values of the cold heads into `out`.
    pub(crate) fn decide_cold(&self, features: &Features, norms: Norms, out: &mut [f32]) {
        let width = self.cold_out.len();
        let mut acc = [0f32; MAX_COLD];
        for &bucket in &features.buckets {
            let at = bucket as usize * width;
            let Some(row) = self.cold.get(at..at + width) else {
                continue;
            };
            for (a, &w) in acc.iter_mut().zip(row) {
                *a += f32::from(w);
            }
        }
        for ((o, a), slot) in self.cold_out.iter().zip(&acc).zip(out.iter_mut()) {
            let inv = norms.0.get(o.model).copied().unwrap_or(0.0);
            *slot = a * o.scale * inv + o.bias;
        }
    }
}
