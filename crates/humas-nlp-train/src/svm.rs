//! L2-regularised squared-hinge linear SVM, trained by dual coordinate descent with shrinking
//! (Hsieh et al., ICML 2008): the method behind liblinear's default solver, written for sparse
//! rows of hashed features. Deterministic: the visiting order comes from a seeded generator.

use crate::rng::Rng;

/// Sparse rows: row `i` is `idx[ptr[i]..ptr[i+1]]` with values `val[…]`.
#[derive(Clone, Debug, Default)]
pub struct Rows {
    /// Row starts; one more entry than rows.
    pub ptr: Vec<usize>,
    /// Column (bucket) of each value.
    pub idx: Vec<u32>,
    /// The values.
    pub val: Vec<f32>,
}

impl Rows {
    /// No rows yet.
    #[must_use]
    pub fn new() -> Self {
        Self {
            ptr: vec![0],
            idx: Vec::new(),
            val: Vec::new(),
        }
    }

    /// Appends a row.
    pub fn push(&mut self, row: impl IntoIterator<Item = (u32, f32)>) {
        for (i, v) in row {
            self.idx.push(i);
            self.val.push(v);
        }
        self.ptr.push(self.idx.len());
    }

    /// Number of rows.
    #[must_use]
    pub fn len(&self) -> usize {
        self.ptr.len().saturating_sub(1)
    }

    /// No rows.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Row `i` as parallel slices.
    #[must_use]
    pub fn row(&self, i: usize) -> (&[u32], &[f32]) {
        let (Some(&a), Some(&b)) = (self.ptr.get(i), self.ptr.get(i + 1)) else {
            return (&[], &[]);
        };
        (
            self.idx.get(a..b).unwrap_or_default(),
            self.val.get(a..b).unwrap_or_default(),
        )
    }
}

/// Solver settings.
#[derive(Clone, Copy, Debug)]
pub struct SvmParams {
    /// Penalty for the positive class.
    pub c_pos: f64,
    /// Penalty for the negative class.
    pub c_neg: f64,
    /// Stop when the projected-gradient spread falls below this.
    pub eps: f64,
    /// At most this many passes.
    pub max_iter: usize,
    /// Seed of the visiting order.
    pub seed: u64,
}

/// A trained separator: `w·x + bias`.
#[derive(Clone, Debug)]
pub struct Separator {
    /// Dense weights, one per column.
    pub w: Vec<f32>,
    /// Intercept (trained as a weight on a constant feature of 1, like liblinear).
    pub bias: f32,
    /// Passes made.
    pub iterations: usize,
}

impl Separator {
    /// Decision value of a row.
    #[must_use]
    pub fn decide(&self, idx: &[u32], val: &[f32]) -> f32 {
        dot(&self.w, idx, val) + self.bias
    }
}

fn dot(w: &[f32], idx: &[u32], val: &[f32]) -> f32 {
    idx.iter()
        .zip(val)
        .map(|(&j, &v)| w.get(j as usize).copied().unwrap_or(0.0) * v)
        .sum()
}

/// Trains on the rows listed in `which` (labels `y[i]` for row `i`), over `dims` columns.
#[must_use]
pub fn train(rows: &Rows, y: &[bool], which: &[usize], dims: usize, p: SvmParams) -> Separator {
    let n = which.len();
    let mut w = vec![0f32; dims];
    let mut bias = 0f64;
    let mut alpha = vec![0f64; n];
    let sign = |k: usize| -> f64 {
        let i = which.get(k).copied().unwrap_or(0);
        if y.get(i).copied().unwrap_or(false) {
            1.0
        } else {
            -1.0
        }
    };
    let diag = |k: usize| -> f64 {
        if sign(k) > 0.0 {
            0.5 / p.c_pos
        } else {
            0.5 / p.c_neg
        }
    };
    let qd: Vec<f64> = (0..n)
        .map(|k| {
            let (_, val) = rows.row(which.get(k).copied().unwrap_or(0));
            val.iter()
                .map(|&v| f64::from(v) * f64::from(v))
                .sum::<f64>()
                + 1.0
                + diag(k)
        })
        .collect();
    let mut order: Vec<usize> = (0..n).collect();
    let mut rng = Rng::new(p.seed);
    let mut active = n;
    // The dual variables have no upper bound for the squared hinge, so only the lower side
    // of the projected gradient drives shrinking.
    let mut pg_max_old = f64::INFINITY;
    let mut iterations = 0;
    while iterations < p.max_iter {
        let (mut pg_max, mut pg_min) = (f64::NEG_INFINITY, f64::INFINITY);
        if let Some(slice) = order.get_mut(..active) {
            rng.shuffle(slice);
        }
        let mut s = 0;
        while s < active {
            let k = order.get(s).copied().unwrap_or(0);
            let (idx, val) = rows.row(which.get(k).copied().unwrap_or(0));
            let yk = sign(k);
            let a = alpha.get(k).copied().unwrap_or(0.0);
            let g = yk * (f64::from(dot(&w, idx, val)) + bias) - 1.0 + a * diag(k);
            let mut pg = 0.0;
            if a == 0.0 {
                if g > pg_max_old {
                    active -= 1;
                    order.swap(s, active);
                    continue;
                }
                if g < 0.0 {
                    pg = g;
                }
            } else {
                pg = g;
            }
            pg_max = pg_max.max(pg);
            pg_min = pg_min.min(pg);
            if pg.abs() > 1e-12 {
                let q = qd.get(k).copied().unwrap_or(1.0);
                let new = (a - g / q).max(0.0);
                if let Some(slot) = alpha.get_mut(k) {
                    *slot = new;
                }
                let step = (new - a) * yk;
                for (&j, &v) in idx.iter().zip(val) {
                    if let Some(wj) = w.get_mut(j as usize) {
                        *wj += (step * f64::from(v)) as f32;
                    }
                }
                bias += step;
            }
            s += 1;
        }
        iterations += 1;
        if pg_max - pg_min <= p.eps {
            if active == n {
                break;
            }
            active = n;
            pg_max_old = f64::INFINITY;
            continue;
        }
        pg_max_old = if pg_max <= 0.0 { f64::INFINITY } else { pg_max };
    }
    Separator {
        w,
        bias: bias as f32,
        iterations,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params() -> SvmParams {
        SvmParams {
            c_pos: 1.0,
            c_neg: 1.0,
            eps: 1e-3,
            max_iter: 1000,
            seed: 7,
        }
    }

    #[test]
    fn separates_separable_points() {
        // Feature 0 marks positives, feature 1 negatives, feature 2 is noise on both.
        let mut rows = Rows::new();
        let mut y = Vec::new();
        for i in 0..40 {
            let pos = i % 2 == 0;
            rows.push([(u32::from(!pos), 1.0), (2, (i % 5) as f32 / 5.0)]);
            y.push(pos);
        }
        let which: Vec<usize> = (0..rows.len()).collect();
        let s = train(&rows, &y, &which, 3, params());
        for (i, &label) in y.iter().enumerate() {
            let (idx, val) = rows.row(i);
            assert_eq!(s.decide(idx, val) > 0.0, label, "row {i}");
        }
        assert!(s.w[0] > 0.5 && s.w[1] < -0.5);
    }

    #[test]
    fn is_deterministic_for_a_seed() {
        let mut rows = Rows::new();
        let mut y = Vec::new();
        for i in 0..200u32 {
            rows.push([(i % 7, 1.0), ((i * 13) % 11 + 7, 0.5)]);
            y.push(i % 3 == 0);
        }
        let which: Vec<usize> = (0..rows.len()).collect();
        let a = train(&rows, &y, &which, 20, params());
        let b = train(&rows, &y, &which, 20, params());
        assert_eq!(a.w, b.w);
        assert_eq!(a.bias, b.bias);
    }

    #[test]
    fn a_higher_penalty_for_positives_moves_the_boundary_towards_negatives() {
        // Overlapping classes on one feature: weighting positives more should call more of
        // the shared points positive.
        let mut rows = Rows::new();
        let mut y = Vec::new();
        for i in 0..100 {
            rows.push([(0, 1.0)]);
            y.push(i < 30);
        }
        let which: Vec<usize> = (0..rows.len()).collect();
        let plain = train(&rows, &y, &which, 1, params());
        let weighted = train(
            &rows,
            &y,
            &which,
            1,
            SvmParams {
                c_pos: 70.0 / 30.0,
                ..params()
            },
        );
        assert!(weighted.decide(&[0], &[1.0]) > plain.decide(&[0], &[1.0]));
    }
}
