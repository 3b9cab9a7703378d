//! Training a [`LinearModel`]: hashed features → tf-idf → NB-SVM per head → out-of-fold
//! calibration and thresholds → quantised table. The recipe and the measurements behind each
//! choice are in `docs/text-classifier-recipe.md`.

use humas_nlp_id::classify::features::{Extractor, FeatureSpec, Features};
use humas_nlp_id::classify::model::{Head, IDF_STEPS, LinearModel, ModelError};
use humas_nlp_id::tokenize;

use crate::calibrate::{best_threshold, platt};
use crate::rng::Rng;
use crate::svm::{Rows, SvmParams, train};

/// One output to train: a yes/no label per message.
#[derive(Clone, Debug)]
pub struct HeadTask {
    /// Head name written into the model.
    pub name: String,
    /// The label of each training message.
    pub y: Vec<bool>,
    /// Weight classes inversely to their frequency (for rare labels).
    pub balanced: bool,
    /// Choose the decision threshold that maximises out-of-fold macro-F1 (else 0).
    pub tune_threshold: bool,
    /// Penalties to choose from by out-of-fold macro-F1; empty means the config's `c`.
    pub c_grid: Vec<f64>,
}

/// Training settings.
#[derive(Clone, Copy, Debug)]
pub struct TrainConfig {
    /// Features.
    pub spec: FeatureSpec,
    /// SVM penalty.
    pub c: f64,
    /// Folds for the out-of-fold predictions that calibrate probabilities and thresholds.
    pub folds: usize,
    /// Seed for folds and the solver's visiting order.
    pub seed: u64,
    /// Solver tolerance.
    pub eps: f64,
    /// Solver pass limit.
    pub max_iter: usize,
    /// Worker threads (heads train in parallel; results do not depend on this).
    pub threads: usize,
}

impl TrainConfig {
    /// The recipe's settings.
    #[must_use]
    pub fn recipe(seed: u64) -> Self {
        Self {
            spec: FeatureSpec::DEFAULT,
            c: 0.3,
            folds: 3,
            seed,
            eps: 0.01,
            max_iter: 1000,
            threads: std::thread::available_parallelism().map_or(1, usize::from),
        }
    }
}

/// What training one head found.
#[derive(Clone, Debug, serde::Serialize)]
pub struct HeadReport {
    /// Head name.
    pub name: String,
    /// Training messages labelled yes.
    pub positives: usize,
    /// Solver passes for the final fit.
    pub iterations: usize,
    /// Chosen threshold.
    pub threshold: f32,
    /// Out-of-fold macro-F1 at that threshold.
    pub oof_macro_f1: f64,
    /// The penalty used.
    pub c: f64,
}

/// The distinct features of each text with their counts.
#[must_use]
pub fn featurize(texts: &[String], spec: &FeatureSpec) -> Vec<Vec<(u32, u32)>> {
    let mut ex = Extractor::new();
    let mut f = Features::default();
    texts
        .iter()
        .map(|t| {
            ex.extract(spec, t, &tokenize(t), &mut f);
            f.counted()
        })
        .collect()
}

/// Smoothed idf per bucket, `ln((1+N)/(1+df)) + 1`, and the value for an unseen bucket.
fn idf(features: &[Vec<(u32, u32)>], buckets: usize) -> (Vec<f32>, f32) {
    let mut df = vec![0u32; buckets];
    for f in features {
        for &(b, _) in f {
            if let Some(d) = df.get_mut(b as usize) {
                *d += 1;
            }
        }
    }
    let n = features.len() as f64;
    let value = |d: u32| ((1.0 + n) / (1.0 + f64::from(d))).ln() as f32 + 1.0;
    (df.iter().map(|&d| value(d)).collect(), value(0))
}

/// Rows `count × idf / sqrt(Σ count × idf²)`: what scoring computes occurrence by occurrence
/// (see `humas_nlp_id::classify::features::Features`).
fn tfidf_rows(features: &[Vec<(u32, u32)>], idf: &[f32]) -> Rows {
    let mut rows = Rows::new();
    for f in features {
        let weight = |b: u32| idf.get(b as usize).copied().unwrap_or(1.0);
        let norm2: f32 = f
            .iter()
            .map(|&(b, c)| c as f32 * weight(b) * weight(b))
            .sum();
        let inv = if norm2 > 0.0 {
            norm2.sqrt().recip()
        } else {
            0.0
        };
        rows.push(f.iter().map(|&(b, c)| (b, c as f32 * weight(b) * inv)));
    }
    rows
}

/// Naive-Bayes log-count ratio over binarised features of the rows in `which` (alpha = 1).
fn nb_ratio(rows: &Rows, y: &[bool], which: &[usize], dims: usize) -> Vec<f32> {
    let mut p = vec![1f64; dims];
    let mut q = vec![1f64; dims];
    for &i in which {
        let (idx, _) = rows.row(i);
        let side = if y.get(i).copied().unwrap_or(false) {
            &mut p
        } else {
            &mut q
        };
        for &j in idx {
            if let Some(v) = side.get_mut(j as usize) {
                *v += 1.0;
            }
        }
    }
    let (sp, sq): (f64, f64) = (p.iter().sum(), q.iter().sum());
    p.iter()
        .zip(&q)
        .map(|(&a, &b)| ((a / sp) / (b / sq)).ln() as f32)
        .collect()
}

fn scaled(rows: &Rows, r: &[f32]) -> Rows {
    Rows {
        ptr: rows.ptr.clone(),
        idx: rows.idx.clone(),
        val: rows
            .idx
            .iter()
            .zip(&rows.val)
            .map(|(&j, &v)| v * r.get(j as usize).copied().unwrap_or(0.0))
            .collect(),
    }
}

fn params(task: &HeadTask, which: &[usize], cfg: &TrainConfig, salt: u64) -> SvmParams {
    debug_assert!(cfg.c > 0.0);
    let pos = which
        .iter()
        .filter(|&&i| task.y.get(i).copied().unwrap_or(false))
        .count()
        .max(1);
    let neg = which.len().saturating_sub(pos).max(1);
    let (c_pos, c_neg) = if task.balanced {
        let n = which.len() as f64;
        (
            cfg.c * n / (2.0 * pos as f64),
            cfg.c * n / (2.0 * neg as f64),
        )
    } else {
        (cfg.c, cfg.c)
    };
    SvmParams {
        c_pos,
        c_neg,
        eps: cfg.eps,
        max_iter: cfg.max_iter,
        seed: cfg.seed ^ salt,
    }
}

/// One NB-SVM fit on the rows in `which`: (weights on the unscaled features, bias, passes).
fn nbsvm(
    rows: &Rows,
    task: &HeadTask,
    which: &[usize],
    dims: usize,
    cfg: &TrainConfig,
    salt: u64,
) -> (Vec<f32>, f32, usize) {
    let r = nb_ratio(rows, &task.y, which, dims);
    let x = scaled(rows, &r);
    let sep = train(&x, &task.y, which, dims, params(task, which, cfg, salt));
    let w = sep.w.iter().zip(&r).map(|(w, r)| w * r).collect();
    (w, sep.bias, sep.iterations)
}

fn decide(w: &[f32], bias: f32, idx: &[u32], val: &[f32]) -> f32 {
    idx.iter()
        .zip(val)
        .map(|(&j, &v)| w.get(j as usize).copied().unwrap_or(0.0) * v)
        .sum::<f32>()
        + bias
}

/// Stratified fold number of every row.
fn folds(y: &[bool], k: usize, seed: u64) -> Vec<usize> {
    let mut fold = vec![0; y.len()];
    let mut rng = Rng::new(seed ^ 0xf01d);
    for class in [true, false] {
        let mut members: Vec<usize> = (0..y.len()).filter(|&i| y.get(i) == Some(&class)).collect();
        rng.shuffle(&mut members);
        for (n, i) in members.into_iter().enumerate() {
            if let Some(f) = fold.get_mut(i) {
                *f = n % k.max(1);
            }
        }
    }
    fold
}

/// Out-of-fold decision values for every row.
fn out_of_fold(
    rows: &Rows,
    task: &HeadTask,
    dims: usize,
    cfg: &TrainConfig,
    salt: u64,
) -> Vec<f32> {
    let fold = folds(&task.y, cfg.folds, cfg.seed ^ salt);
    let mut oof = vec![0f32; rows.len()];
    for k in 0..cfg.folds {
        let train_rows: Vec<usize> = (0..rows.len())
            .filter(|&i| fold.get(i) != Some(&k))
            .collect();
        let (w, b, _) = nbsvm(rows, task, &train_rows, dims, cfg, salt ^ (k as u64 + 1));
        for i in (0..rows.len()).filter(|&i| fold.get(i) == Some(&k)) {
            let (idx, val) = rows.row(i);
            if let Some(o) = oof.get_mut(i) {
                *o = decide(&w, b, idx, val);
            }
        }
    }
    oof
}

struct Trained {
    w: Vec<f32>,
    head: Head,
    report: HeadReport,
}

fn train_head(rows: &Rows, task: &HeadTask, dims: usize, cfg: &TrainConfig, salt: u64) -> Trained {
    let grid = if task.c_grid.is_empty() {
        vec![cfg.c]
    } else {
        task.c_grid.clone()
    };
    // Pick the penalty whose out-of-fold predictions score best; its out-of-fold values then
    // calibrate the final model.
    let mut best: Option<(f64, f64, Vec<f32>, f32)> = None;
    for &c in &grid {
        let cfg_c = TrainConfig { c, ..*cfg };
        let oof = out_of_fold(rows, task, dims, &cfg_c, salt);
        let threshold = if task.tune_threshold {
            best_threshold(&oof, &task.y)
        } else {
            0.0
        };
        let score = crate::eval::binary(
            &oof.iter().map(|&d| d >= threshold).collect::<Vec<_>>(),
            &task.y,
        )
        .macro_f1;
        if best.as_ref().is_none_or(|b| score > b.1) {
            best = Some((c, score, oof, threshold));
        }
    }
    let (c, oof_macro_f1, oof, threshold) =
        best.unwrap_or((cfg.c, 0.0, vec![0.0; rows.len()], 0.0));
    let all: Vec<usize> = (0..rows.len()).collect();
    let (w, bias, iterations) = nbsvm(rows, task, &all, dims, &TrainConfig { c, ..*cfg }, salt);
    let (platt_a, platt_b) = platt(&oof, &task.y);
    Trained {
        w,
        head: Head {
            name: task.name.clone(),
            bias,
            scale: 1.0,
            platt_a,
            platt_b,
            threshold,
        },
        report: HeadReport {
            name: task.name.clone(),
            positives: task.y.iter().filter(|&&v| v).count(),
            iterations,
            threshold,
            oof_macro_f1,
            c,
        },
    }
}

/// Trains one model with a head per task over `texts`.
///
/// # Errors
/// Only if the assembled model is inconsistent (a bug, reported rather than hidden).
pub fn train_model(
    texts: &[String],
    tasks: &[HeadTask],
    cfg: &TrainConfig,
) -> Result<(LinearModel, Vec<HeadReport>), ModelError> {
    let dims = cfg.spec.buckets();
    let features = featurize(texts, &cfg.spec);
    let (idf, unseen) = idf(&features, dims);
    let rows = tfidf_rows(&features, &idf);
    let threads = cfg.threads.clamp(1, tasks.len().max(1));
    let mut trained: Vec<Option<Trained>> = (0..tasks.len()).map(|_| None).collect();
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let rows = &rows;
                scope.spawn(move || {
                    tasks
                        .iter()
                        .enumerate()
                        .skip(t)
                        .step_by(threads)
                        .map(|(i, task)| {
                            (
                                i,
                                train_head(rows, task, dims, cfg, (i as u64 + 1) * 0x9e37),
                            )
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        for h in handles {
            if let Ok(done) = h.join() {
                for (i, t) in done {
                    if let Some(slot) = trained.get_mut(i) {
                        *slot = Some(t);
                    }
                }
            }
        }
    });
    let trained: Vec<Trained> =
        trained
            .into_iter()
            .collect::<Option<_>>()
            .ok_or(ModelError::Malformed(
                "a training thread stopped early; rerun with RUST_BACKTRACE=1 and report it",
            ))?;
    assemble(cfg.spec, &idf, unseen, trained)
}

/// Folds idf into the weights and quantises everything into the model table.
fn assemble(
    spec: FeatureSpec,
    idf: &[f32],
    unseen: f32,
    trained: Vec<Trained>,
) -> Result<(LinearModel, Vec<HeadReport>), ModelError> {
    let stride = trained.len() + 1;
    let quant_idf = |v: f32| (v * IDF_STEPS).round().clamp(0.0, f32::from(i16::MAX)) as i16;
    let mut rows = vec![0i16; idf.len() * stride];
    for (row, &v) in rows.chunks_exact_mut(stride).zip(idf) {
        if let Some(first) = row.first_mut() {
            *first = quant_idf(v);
        }
    }
    let mut heads = Vec::with_capacity(trained.len());
    let mut reports = Vec::with_capacity(trained.len());
    for (h, t) in trained.into_iter().enumerate() {
        let folded: Vec<f32> = t.w.iter().zip(idf).map(|(w, i)| w * i).collect();
        let max = folded.iter().fold(0f32, |m, v| m.max(v.abs()));
        let scale = if max > 0.0 {
            max / f32::from(i16::MAX)
        } else {
            1.0
        };
        for (row, v) in rows.chunks_exact_mut(stride).zip(&folded) {
            if let Some(slot) = row.get_mut(h + 1) {
                *slot = (v / scale).round() as i16;
            }
        }
        heads.push(Head { scale, ..t.head });
        reports.push(t.report);
    }
    let model = LinearModel::new(spec, heads, quant_idf(unseen), rows)?;
    Ok((model, reports))
}
