//! Turning decision values into probabilities (Platt scaling) and choosing thresholds, both
//! from out-of-fold predictions so neither has seen the rows it is judged on.

/// Platt's sigmoid `P(yes | d) = 1 / (1 + exp(a·d + b))`, fitted by Newton's method with
/// backtracking and Platt's smoothed targets (Lin, Lin & Weng 2007).
#[must_use]
pub fn platt(decisions: &[f32], y: &[bool]) -> (f32, f32) {
    let pos = y.iter().filter(|&&v| v).count() as f64;
    let neg = y.len() as f64 - pos;
    let hi = (pos + 1.0) / (pos + 2.0);
    let lo = 1.0 / (neg + 2.0);
    let target: Vec<f64> = y.iter().map(|&v| if v { hi } else { lo }).collect();
    let d: Vec<f64> = decisions.iter().map(|&v| f64::from(v)).collect();
    let loss = |a: f64, b: f64| -> f64 {
        d.iter()
            .zip(&target)
            .map(|(&di, &t)| {
                let z = di * a + b;
                if z >= 0.0 {
                    t * z + (-z).exp().ln_1p()
                } else {
                    (t - 1.0) * z + z.exp().ln_1p()
                }
            })
            .sum()
    };
    let mut a = 0.0;
    let mut b = ((neg + 1.0) / (pos + 1.0)).ln();
    let mut f = loss(a, b);
    for _ in 0..100 {
        let (mut h11, mut h22, mut h21, mut g1, mut g2) = (1e-12, 1e-12, 0.0, 0.0, 0.0);
        for (&di, &t) in d.iter().zip(&target) {
            let z = di * a + b;
            let (p, q) = if z >= 0.0 {
                let e = (-z).exp();
                (e / (1.0 + e), 1.0 / (1.0 + e))
            } else {
                let e = z.exp();
                (1.0 / (1.0 + e), e / (1.0 + e))
            };
            let d2 = p * q;
            h11 += di * di * d2;
            h22 += d2;
            h21 += di * d2;
            let d1 = t - p;
            g1 += di * d1;
            g2 += d1;
        }
        if g1.abs() < 1e-5 && g2.abs() < 1e-5 {
            break;
        }
        let det = h11 * h22 - h21 * h21;
        let da = -(h22 * g1 - h21 * g2) / det;
        let db = -(-h21 * g1 + h11 * g2) / det;
        let gd = g1 * da + g2 * db;
        let mut step = 1.0;
        while step >= 1e-10 {
            let (na, nb) = (a + step * da, b + step * db);
            let nf = loss(na, nb);
            if nf < f + 1e-4 * step * gd {
                (a, b, f) = (na, nb, nf);
                break;
            }
            step /= 2.0;
        }
        if step < 1e-10 {
            break;
        }
    }
    // Degenerate inputs (one decision value for every row) can leave the Newton system
    // singular; a flat sigmoid at the base rate is then the honest answer.
    if a.is_finite() && b.is_finite() {
        (a as f32, b as f32)
    } else {
        (0.0, ((neg + 1.0) / (pos + 1.0)).ln() as f32)
    }
}

/// The decision threshold that maximises macro-F1 (mean of the F1 of yes and of no), halfway
/// between two neighbouring decision values; 0 when there is nothing to choose from.
#[must_use]
pub fn best_threshold(decisions: &[f32], y: &[bool]) -> f32 {
    let mut pairs: Vec<(f32, bool)> = decisions.iter().copied().zip(y.iter().copied()).collect();
    pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
    let total_pos = y.iter().filter(|&&v| v).count();
    let total_neg = y.len() - total_pos;
    if total_pos == 0 || total_neg == 0 {
        return 0.0;
    }
    // Threshold below pairs[i]: rows i.. are "yes".
    let (mut best, mut best_f1) = (0.0f32, f64::NEG_INFINITY);
    let (mut fn_, mut tn) = (0usize, 0usize);
    for i in 0..=pairs.len() {
        if i == 0 || pairs.get(i).map(|p| p.0) != pairs.get(i - 1).map(|p| p.0) {
            let tp = total_pos - fn_;
            let fp = total_neg - tn;
            let f1 = (f1(tp, fp, fn_) + f1(tn, fn_, fp)) / 2.0;
            if f1 > best_f1 {
                best_f1 = f1;
                best = match (i.checked_sub(1).and_then(|j| pairs.get(j)), pairs.get(i)) {
                    (Some(lo), Some(hi)) => (lo.0 + hi.0) / 2.0,
                    (None, Some(hi)) => hi.0 - 1.0,
                    (Some(lo), None) => lo.0 + 1.0,
                    (None, None) => 0.0,
                };
            }
        }
        if let Some(&(_, yes)) = pairs.get(i) {
            if yes { fn_ += 1 } else { tn += 1 }
        }
    }
    best
}

/// F1 of one class from its true positives, false positives and false negatives.
#[must_use]
pub fn f1(tp: usize, fp: usize, fn_: usize) -> f64 {
    if tp == 0 {
        return 0.0;
    }
    2.0 * tp as f64 / (2 * tp + fp + fn_) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn platt_gives_higher_probability_to_higher_decisions() {
        let d: Vec<f32> = (-50..50).map(|i| i as f32 / 10.0).collect();
        let y: Vec<bool> = d
            .iter()
            .enumerate()
            .map(|(i, &v)| v > 0.0 || i % 7 == 0)
            .collect();
        let (a, b) = platt(&d, &y);
        assert!(a < 0.0, "a = {a}");
        let p = |x: f32| 1.0 / (1.0 + (a * x + b).exp());
        assert!(p(3.0) > 0.9 && p(-3.0) < 0.25, "{} {}", p(3.0), p(-3.0));
    }

    #[test]
    fn the_best_threshold_splits_clean_data_between_the_classes() {
        let d = [-2.0, -1.5, 0.5, 0.7, 1.0, 2.0];
        let y = [false, false, false, true, true, true];
        let t = best_threshold(&d, &y);
        assert!((0.5..0.7).contains(&t), "{t}");
    }

    #[test]
    fn identical_decisions_give_a_finite_flat_sigmoid() {
        let (a, b) = platt(
            &[0.5; 10],
            &[
                true, false, false, false, false, true, false, false, false, false,
            ],
        );
        assert!(a.is_finite() && b.is_finite());
        let p = 1.0 / (1.0 + (a * 0.5 + b).exp());
        assert!((p - 0.25).abs() < 0.1, "{p}");
    }

    #[test]
    fn one_class_only_keeps_zero() {
        assert_eq!(best_threshold(&[1.0, 2.0], &[true, true]), 0.0);
    }
}
