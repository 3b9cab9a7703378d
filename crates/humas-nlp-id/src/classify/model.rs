//! A trained linear model over hashed features, its file format, and scoring.
//!
//! One table row per bucket: the bucket's idf, then one weight per head, as 16-bit fixed
//! point. The naive-Bayes ratio and the idf are folded into the weights at training time, so
//! scoring a message is: one row per distinct feature, a running norm, one multiply-add per
//! head. Rows sit next to each other, so one feature costs one cache line.

use super::features::{CharMode, FeatureSpec, Features};

/// Why a model file could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ModelError {
    /// The file does not start with the model magic: not a Humas model.
    NotAModel,
    /// Written by a newer Humas.
    UnsupportedVersion(u32),
    /// The file ends early or a field is out of range; `what` says where.
    Malformed(&'static str),
    /// The checksum does not match: the file was damaged.
    Checksum,
}

impl std::fmt::Display for ModelError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::NotAModel => f.write_str("not a Humas text model (wrong magic bytes)"),
            Self::UnsupportedVersion(v) => {
                write!(
                    f,
                    "model format version {v} is newer than this Humas understands"
                )
            }
            Self::Malformed(what) => write!(f, "model file is malformed: {what}"),
            Self::Checksum => f.write_str("model file is damaged (checksum mismatch)"),
        }
    }
}

impl std::error::Error for ModelError {}

/// One output of a model: a binary decision (or one class of a one-vs-rest group).
#[derive(Clone, Debug, PartialEq)]
pub struct Head {
    /// Stable name, e.g. `abusive`, `sentiment.negative`.
    pub name: String,
    /// Added to the decision value.
    pub bias: f32,
    /// Stored weight × scale = real weight.
    pub scale: f32,
    /// Platt calibration: probability = 1 / (1 + exp(a·d + b)).
    pub platt_a: f32,
    /// See `platt_a`.
    pub platt_b: f32,
    /// Decision value at or above which the label is "yes" (tuned for macro-F1).
    pub threshold: f32,
}

impl Head {
    /// Calibrated probability of "yes" for a decision value.
    #[must_use]
    pub fn probability(&self, decision: f32) -> f32 {
        let z = self.platt_a * decision + self.platt_b;
        1.0 / (1.0 + z.exp())
    }
}

/// idf values are stored as fixed point with this many steps per unit.
pub const IDF_STEPS: f32 = 2048.0;

/// A linear model over hashed features.
#[derive(Clone, Debug, PartialEq)]
pub struct LinearModel {
    spec: FeatureSpec,
    heads: Vec<Head>,
    /// idf of a bucket no training message had.
    unseen_idf: i16,
    /// `buckets × stride` values: idf, then one weight per head.
    rows: Vec<i16>,
}

const MAGIC: &[u8; 8] = b"HUMASLM\0";
/// A file may not make us allocate more than this (values of 2 bytes): 256 MiB. The shipped
/// tables are a tenth of it.
pub const MAX_TABLE_VALUES: usize = 128 * 1024 * 1024;
const VERSION: u32 = 1;

impl LinearModel {
    /// A model from its parts. `rows` holds, for each bucket in order, the idf then one weight
    /// per head; buckets no message had carry `unseen_idf` and zero weights.
    ///
    /// # Errors
    /// [`ModelError::Malformed`] when the sizes do not fit the spec and heads.
    pub fn new(
        spec: FeatureSpec,
        heads: Vec<Head>,
        unseen_idf: i16,
        rows: Vec<i16>,
    ) -> Result<Self, ModelError> {
        if !spec.is_valid() {
            return Err(ModelError::Malformed("feature spec out of range"));
        }
        if heads.is_empty() || heads.len() > 64 {
            return Err(ModelError::Malformed("head count"));
        }
        if rows.len() != spec.buckets() * (heads.len() + 1) {
            return Err(ModelError::Malformed(
                "table size does not match buckets × heads",
            ));
        }
        Ok(Self {
            spec,
            heads,
            unseen_idf,
            rows,
        })
    }

    /// The features this model reads.
    #[must_use]
    pub const fn spec(&self) -> &FeatureSpec {
        &self.spec
    }

    /// The model's outputs, in table order.
    #[must_use]
    pub fn heads(&self) -> &[Head] {
        &self.heads
    }

    /// Values in the table (two bytes each).
    #[must_use]
    pub fn table_values(&self) -> usize {
        self.rows.len()
    }

    /// The index of the head with this name.
    #[must_use]
    pub fn head_index(&self, name: &str) -> Option<usize> {
        self.heads.iter().position(|h| h.name == name)
    }

    /// The table row of a bucket: its idf, then one weight per head.
    pub(crate) fn row(&self, bucket: usize) -> Option<&[i16]> {
        let stride = self.stride();
        self.rows.get(bucket * stride..(bucket + 1) * stride)
    }

    fn stride(&self) -> usize {
        self.heads.len() + 1
    }

    /// Decision values of every head for a message's features, written into `out` (resized to
    /// the number of heads). An empty message gets each head's bias.
    pub fn decide(&self, features: &Features, out: &mut Vec<f32>) {
        let stride = self.stride();
        out.clear();
        out.resize(self.heads.len(), 0.0);
        let mut norm2 = 0.0f32;
        for &bucket in &features.buckets {
            let at = bucket as usize * stride;
            let Some(row) = self.rows.get(at..at + stride) else {
                continue;
            };
            let Some((&idf, weights)) = row.split_first() else {
                continue;
            };
            let x = f32::from(idf);
            norm2 += x * x;
            for (acc, &w) in out.iter_mut().zip(weights) {
                *acc += f32::from(w);
            }
        }
        let inv_norm = inverse_norm(norm2);
        for (acc, head) in out.iter_mut().zip(&self.heads) {
            *acc = *acc * head.scale * inv_norm + head.bias;
        }
    }

    /// The file bytes of this model: header, heads, then only the rows that differ from an
    /// unseen bucket (delta-coded bucket numbers), then a checksum.
    #[must_use]
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&VERSION.to_le_bytes());
        let s = &self.spec;
        out.extend_from_slice(&[
            s.bits,
            s.word_ngrams,
            s.char_min,
            s.char_max,
            s.char_mode.code(),
            u8::from(s.negation) | u8::from(s.stems) << 1,
        ]);
        out.extend_from_slice(&self.unseen_idf.to_le_bytes());
        out.push(u8::try_from(self.heads.len()).unwrap_or(u8::MAX));
        for h in &self.heads {
            let name = h.name.as_bytes();
            out.push(u8::try_from(name.len()).unwrap_or(u8::MAX));
            out.extend_from_slice(name.get(..usize::from(u8::MAX)).unwrap_or(name));
            for v in [h.bias, h.scale, h.platt_a, h.platt_b, h.threshold] {
                out.extend_from_slice(&v.to_le_bytes());
            }
        }
        let stride = self.stride();
        let stored: Vec<(usize, &[i16])> = self
            .rows
            .chunks_exact(stride)
            .enumerate()
            .filter(|(_, row)| !self.is_unseen_row(row))
            .collect();
        out.extend_from_slice(
            &u32::try_from(stored.len())
                .unwrap_or(u32::MAX)
                .to_le_bytes(),
        );
        let mut prev = 0usize;
        for (bucket, row) in stored {
            push_varint(&mut out, (bucket - prev) as u64);
            prev = bucket;
            for v in row {
                out.extend_from_slice(&v.to_le_bytes());
            }
        }
        let sum = checksum(&out);
        out.extend_from_slice(&sum.to_le_bytes());
        out
    }

    fn is_unseen_row(&self, row: &[i16]) -> bool {
        row.split_first()
            .is_some_and(|(&idf, w)| idf == self.unseen_idf && w.iter().all(|&x| x == 0))
    }

    /// Reads a model written by [`LinearModel::to_bytes`].
    ///
    /// # Errors
    /// What is wrong with the bytes, as a [`ModelError`].
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, ModelError> {
        if bytes.len() < MAGIC.len() || bytes.get(..MAGIC.len()) != Some(MAGIC.as_slice()) {
            return Err(ModelError::NotAModel);
        }
        let (body, sum) = bytes.split_at(bytes.len().saturating_sub(8));
        let sum = u64::from_le_bytes(
            sum.try_into()
                .map_err(|_| ModelError::Malformed("checksum"))?,
        );
        if checksum(body) != sum {
            return Err(ModelError::Checksum);
        }
        let mut r = Reader {
            bytes: body,
            pos: MAGIC.len(),
        };
        let version = r.u32("version")?;
        if version != VERSION {
            return Err(ModelError::UnsupportedVersion(version));
        }
        let mut spec = FeatureSpec {
            bits: r.u8("bits")?,
            word_ngrams: r.u8("word n-grams")?,
            char_min: r.u8("char min")?,
            char_max: r.u8("char max")?,
            char_mode: CharMode::from_code(r.u8("char mode")?)
                .ok_or(ModelError::Malformed("char mode"))?,
            negation: false,
            stems: false,
        };
        let flags = r.u8("feature flags")?;
        if flags & !0b11 != 0 {
            return Err(ModelError::Malformed("unknown feature flags"));
        }
        spec.negation = flags & 1 != 0;
        spec.stems = flags & 2 != 0;
        if !spec.is_valid() {
            return Err(ModelError::Malformed("feature spec out of range"));
        }
        let unseen_idf = r.i16("unseen idf")?;
        let head_count = usize::from(r.u8("head count")?);
        let mut heads = Vec::with_capacity(head_count);
        for _ in 0..head_count {
            let len = usize::from(r.u8("head name length")?);
            let name = std::str::from_utf8(r.take(len, "head name")?)
                .map_err(|_| ModelError::Malformed("head name is not UTF-8"))?
                .to_owned();
            heads.push(Head {
                name,
                bias: r.f32("bias")?,
                scale: r.f32("scale")?,
                platt_a: r.f32("platt a")?,
                platt_b: r.f32("platt b")?,
                threshold: r.f32("threshold")?,
            });
        }
        let stride = head_count + 1;
        if spec.buckets() * stride > MAX_TABLE_VALUES {
            return Err(ModelError::Malformed("table larger than 256 MiB"));
        }
        let mut rows = vec![0i16; spec.buckets() * stride];
        for row in rows.chunks_exact_mut(stride) {
            if let Some(idf) = row.first_mut() {
                *idf = unseen_idf;
            }
        }
        let stored = r.u32("row count")? as usize;
        let mut bucket = 0usize;
        for i in 0..stored {
            let delta = r.varint("bucket")?;
            if i > 0 && delta == 0 {
                return Err(ModelError::Malformed("bucket numbers must increase"));
            }
            bucket = bucket
                .checked_add(usize::try_from(delta).map_err(|_| ModelError::Malformed("bucket"))?)
                .ok_or(ModelError::Malformed("bucket"))?;
            if bucket >= spec.buckets() {
                return Err(ModelError::Malformed("bucket beyond the table"));
            }
            let row = rows
                .get_mut(bucket * stride..(bucket + 1) * stride)
                .ok_or(ModelError::Malformed("bucket beyond the table"))?;
            for v in row {
                *v = r.i16("row value")?;
            }
        }
        if r.pos != body.len() {
            return Err(ModelError::Malformed("trailing bytes"));
        }
        Self::new(spec, heads, unseen_idf, rows)
    }
}

/// `1 / sqrt(Σ idf²)` from the sum of squared fixed-point idf values (0 for no features).
#[must_use]
pub fn inverse_norm(norm2_fixed: f32) -> f32 {
    if norm2_fixed > 0.0 {
        IDF_STEPS / norm2_fixed.sqrt()
    } else {
        0.0
    }
}

fn push_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// FNV-1a over the file: catches truncation and bit rot, not tampering.
fn checksum(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize, what: &'static str) -> Result<&'a [u8], ModelError> {
        let end = self.pos.checked_add(n).ok_or(ModelError::Malformed(what))?;
        let s = self
            .bytes
            .get(self.pos..end)
            .ok_or(ModelError::Malformed(what))?;
        self.pos = end;
        Ok(s)
    }

    fn array<const N: usize>(&mut self, what: &'static str) -> Result<[u8; N], ModelError> {
        self.take(N, what)?
            .try_into()
            .map_err(|_| ModelError::Malformed(what))
    }

    fn u8(&mut self, what: &'static str) -> Result<u8, ModelError> {
        Ok(self.array::<1>(what)?[0])
    }

    fn i16(&mut self, what: &'static str) -> Result<i16, ModelError> {
        Ok(i16::from_le_bytes(self.array(what)?))
    }

    fn u32(&mut self, what: &'static str) -> Result<u32, ModelError> {
        Ok(u32::from_le_bytes(self.array(what)?))
    }

    fn f32(&mut self, what: &'static str) -> Result<f32, ModelError> {
        let v = f32::from_le_bytes(self.array(what)?);
        if v.is_finite() {
            Ok(v)
        } else {
            Err(ModelError::Malformed(what))
        }
    }

    fn varint(&mut self, what: &'static str) -> Result<u64, ModelError> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.u8(what)?;
            v |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err(ModelError::Malformed(what))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tiny() -> LinearModel {
        let spec = FeatureSpec {
            bits: 8,
            ..FeatureSpec::DEFAULT
        };
        let heads = vec![
            Head {
                name: "a".into(),
                bias: -0.5,
                scale: 0.01,
                platt_a: -2.0,
                platt_b: 0.1,
                threshold: 0.0,
            },
            Head {
                name: "b".into(),
                bias: 0.25,
                scale: 0.02,
                platt_a: -1.0,
                platt_b: 0.0,
                threshold: 0.3,
            },
        ];
        let mut rows = vec![0i16; 256 * 3];
        for row in rows.chunks_exact_mut(3) {
            row[0] = 9000;
        }
        rows[3 * 7..3 * 8].copy_from_slice(&[2048, 100, -50]);
        rows[3 * 200..3 * 201].copy_from_slice(&[4096, -7, 0]);
        LinearModel::new(spec, heads, 9000, rows).unwrap()
    }

    #[test]
    fn round_trips_through_bytes() {
        let m = tiny();
        let bytes = m.to_bytes();
        assert_eq!(LinearModel::from_bytes(&bytes).unwrap(), m);
    }

    #[test]
    fn a_file_cannot_ask_for_a_huge_table() {
        let mut m = tiny();
        m.spec.bits = 24;
        m.heads = (0..40)
            .map(|i| Head {
                name: format!("h{i}"),
                ..m.heads[0].clone()
            })
            .collect();
        m.rows = Vec::new();
        assert_eq!(
            LinearModel::from_bytes(&m.to_bytes()),
            Err(ModelError::Malformed("table larger than 256 MiB"))
        );
    }

    /// A file with the header of `tiny()` and the given delta-coded rows, checksummed.
    fn with_rows(deltas: &[u64]) -> Vec<u8> {
        let good = tiny().to_bytes();
        // tiny() stores two rows of 6 bytes after varints of 1 (7) and 2 (193) bytes.
        let header_end = good.len() - 8 - (1 + 6) - (2 + 6) - 4;
        let mut out = good[..header_end].to_vec();
        out.extend_from_slice(&(deltas.len() as u32).to_le_bytes());
        for &d in deltas {
            push_varint(&mut out, d);
            out.extend_from_slice(&[0; 6]);
        }
        let sum = checksum(&out);
        out.extend_from_slice(&sum.to_le_bytes());
        out
    }

    #[test]
    fn bucket_numbers_are_checked() {
        assert!(LinearModel::from_bytes(&with_rows(&[7, 193])).is_ok());
        let beyond = Err(ModelError::Malformed("bucket beyond the table"));
        assert_eq!(LinearModel::from_bytes(&with_rows(&[256])), beyond);
        assert_eq!(LinearModel::from_bytes(&with_rows(&[1 << 63])), beyond);
        assert_eq!(
            LinearModel::from_bytes(&with_rows(&[7, 0])),
            Err(ModelError::Malformed("bucket numbers must increase"))
        );
    }

    #[test]
    fn feature_flags_round_trip() {
        let mut m = tiny();
        m.spec.stems = true;
        m.spec.negation = false;
        assert_eq!(
            LinearModel::from_bytes(&m.to_bytes()).unwrap().spec(),
            m.spec()
        );
    }

    #[test]
    fn damaged_files_are_refused_with_a_reason() {
        let bytes = tiny().to_bytes();
        assert_eq!(
            LinearModel::from_bytes(b"hello"),
            Err(ModelError::NotAModel)
        );
        let mut flipped = bytes.clone();
        flipped[30] ^= 1;
        assert_eq!(LinearModel::from_bytes(&flipped), Err(ModelError::Checksum));
        for cut in [9, 20, bytes.len() - 9] {
            assert!(
                LinearModel::from_bytes(&bytes[..cut]).is_err(),
                "cut at {cut}"
            );
        }
    }

    #[test]
    fn scores_one_feature_by_hand() {
        let m = tiny();
        let features = Features { buckets: vec![7] };
        let mut d = Vec::new();
        m.decide(&features, &mut d);
        // x = 1 × idf 1.0, norm 1: decision = w × scale / 1 + bias.
        assert!((d[0] - (100.0 * 0.01 - 0.5)).abs() < 1e-6);
        assert!((d[1] - (-50.0 * 0.02 + 0.25)).abs() < 1e-6);
    }

    #[test]
    fn the_norm_counts_unseen_features() {
        let m = tiny();
        let seen = Features { buckets: vec![7] };
        let with_unseen = Features {
            buckets: vec![7, 8],
        };
        let (mut a, mut b) = (Vec::new(), Vec::new());
        m.decide(&seen, &mut a);
        m.decide(&with_unseen, &mut b);
        assert!(b[0] - m.heads()[0].bias < a[0] - m.heads()[0].bias);
    }

    #[test]
    fn empty_features_give_the_bias() {
        let m = tiny();
        let mut d = Vec::new();
        m.decide(&Features::default(), &mut d);
        assert_eq!(d, [-0.5, 0.25]);
    }

    #[test]
    fn platt_probability_is_monotone_and_bounded() {
        let m = tiny();
        let h = &m.heads()[0];
        assert!(h.probability(-10.0) < h.probability(0.0));
        assert!(h.probability(0.0) < h.probability(10.0));
        assert!((0.0..=1.0).contains(&h.probability(1e30)));
    }

    #[test]
    fn repeated_features_count_once_each() {
        let m = tiny();
        let (mut once, mut twice) = (Vec::new(), Vec::new());
        m.decide(
            &Features {
                buckets: vec![7, 200],
            },
            &mut once,
        );
        m.decide(
            &Features {
                buckets: vec![7, 7, 200],
            },
            &mut twice,
        );
        // Numerator 2w₇ + w₂₀₀ over sqrt(2·1² + 2²): by hand.
        let expected = (2.0 * 100.0 - 7.0) * 0.01 / (2.0f32 + 4.0).sqrt() - 0.5;
        assert!(
            (twice[0] - expected).abs() < 1e-5,
            "{} vs {expected}",
            twice[0]
        );
        assert_ne!(once[0], twice[0]);
    }
}
