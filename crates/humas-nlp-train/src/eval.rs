//! Metrics, and the evaluation of shipped classifiers on the held-out splits.

use serde::Serialize;

use crate::calibrate::f1;

/// Scores of a yes/no decision.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct BinaryScores {
    /// Yes predicted, yes true.
    pub tp: usize,
    /// Yes predicted, no true.
    pub fp: usize,
    /// No predicted, yes true.
    pub fn_: usize,
    /// No predicted, no true.
    pub tn: usize,
    /// Mean of the F1 of yes and the F1 of no.
    pub macro_f1: f64,
    /// F1 of yes.
    pub positive_f1: f64,
    /// Share right.
    pub accuracy: f64,
}

/// Scores of yes/no predictions against truth.
#[must_use]
pub fn binary(pred: &[bool], truth: &[bool]) -> BinaryScores {
    let (mut tp, mut fp, mut fn_, mut tn) = (0, 0, 0, 0);
    for (&p, &t) in pred.iter().zip(truth) {
        match (p, t) {
            (true, true) => tp += 1,
            (true, false) => fp += 1,
            (false, true) => fn_ += 1,
            (false, false) => tn += 1,
        }
    }
    let positive_f1 = f1(tp, fp, fn_);
    let total = (tp + fp + fn_ + tn).max(1);
    BinaryScores {
        tp,
        fp,
        fn_,
        tn,
        macro_f1: (positive_f1 + f1(tn, fn_, fp)) / 2.0,
        positive_f1,
        accuracy: (tp + tn) as f64 / total as f64,
    }
}

/// Scores of a choice among several classes.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ClassScores {
    /// Mean F1 over classes.
    pub macro_f1: f64,
    /// Share right.
    pub accuracy: f64,
    /// F1 of each class, in class order.
    pub per_class_f1: Vec<f64>,
    /// Messages scored.
    pub count: usize,
}

/// Scores of class predictions against truth, over `k` classes.
#[must_use]
pub fn multiclass(pred: &[usize], truth: &[usize], k: usize) -> ClassScores {
    let per_class_f1: Vec<f64> = (0..k)
        .map(|c| {
            let tp = pred
                .iter()
                .zip(truth)
                .filter(|(p, t)| **p == c && **t == c)
                .count();
            let fp = pred
                .iter()
                .zip(truth)
                .filter(|(p, t)| **p == c && **t != c)
                .count();
            let fn_ = pred
                .iter()
                .zip(truth)
                .filter(|(p, t)| **p != c && **t == c)
                .count();
            f1(tp, fp, fn_)
        })
        .collect();
    let right = pred.iter().zip(truth).filter(|(p, t)| p == t).count();
    ClassScores {
        macro_f1: per_class_f1.iter().sum::<f64>() / k.max(1) as f64,
        accuracy: right as f64 / pred.len().max(1) as f64,
        per_class_f1,
        count: pred.len(),
    }
}

/// Expected calibration error over ten equal-width probability bins: how far stated
/// probabilities are from observed frequencies, weighted by how many fall in each bin.
#[must_use]
pub fn calibration_error(prob: &[f32], truth: &[bool]) -> f64 {
    let mut bins = [(0f64, 0f64, 0usize); 10];
    for (&p, &t) in prob.iter().zip(truth) {
        let b = ((p.clamp(0.0, 1.0) * 10.0) as usize).min(9);
        if let Some(bin) = bins.get_mut(b) {
            bin.0 += f64::from(p);
            bin.1 += f64::from(u8::from(t));
            bin.2 += 1;
        }
    }
    let n = prob.len().max(1) as f64;
    bins.iter()
        .filter(|b| b.2 > 0)
        .map(|&(sp, st, _)| (sp - st).abs() / n)
        .sum::<f64>()
        .max(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binary_scores_by_hand() {
        let s = binary(&[true, true, false, false], &[true, false, true, false]);
        assert_eq!((s.tp, s.fp, s.fn_, s.tn), (1, 1, 1, 1));
        assert!((s.macro_f1 - 0.5).abs() < 1e-9);
        assert!((s.accuracy - 0.5).abs() < 1e-9);
    }

    #[test]
    fn multiclass_scores_by_hand() {
        let s = multiclass(&[0, 1, 2, 2], &[0, 1, 1, 2], 3);
        assert!((s.accuracy - 0.75).abs() < 1e-9);
        assert!((s.per_class_f1[0] - 1.0).abs() < 1e-9);
        assert!((s.per_class_f1[1] - 2.0 / 3.0).abs() < 1e-9);
    }

    #[test]
    fn perfectly_calibrated_probabilities_have_no_error() {
        let prob = [0.25f32; 8];
        let truth = [true, false, false, false, true, false, false, false];
        assert!(calibration_error(&prob, &truth) < 1e-9);
        assert!(calibration_error(&[0.95; 4], &[false; 4]) > 0.9);
    }
}
