//! The labelled datasets, read from the data folder (`../shared/data` layout: see its
//! README), and the deterministic splits we evaluate on. Nothing here is committed data: the
//! folder is passed in by whoever runs training or evaluation.

use std::path::{Path, PathBuf};

use crate::rng::Rng;

/// Why a dataset could not be read.
#[derive(Debug, thiserror::Error)]
pub enum DataError {
    /// The file is missing or unreadable.
    #[error(
        "cannot read {path}: {source} (is --data the folder that holds smsa/, ibrohim2019-hs-abusive/, nusax/ and sastrawi-kata-dasar/?)"
    )]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A line does not have the expected shape.
    #[error("{path}, line {line}: {what}")]
    Format {
        /// The file.
        path: PathBuf,
        /// 1-based line (or record) number.
        line: usize,
        /// What is wrong.
        what: String,
    },
}

fn read(path: &Path) -> Result<Vec<u8>, DataError> {
    std::fs::read(path).map_err(|source| DataError::Io {
        path: path.to_owned(),
        source,
    })
}

/// Sentiment classes in model head order.
pub const SENTIMENT_CLASSES: [&str; 3] = ["negative", "neutral", "positive"];

/// A text with a class index.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Classed {
    /// The message.
    pub text: String,
    /// Index into the class list.
    pub class: usize,
}

/// SmSA (IndoNLU): train, valid and test.
#[derive(Clone, Debug)]
pub struct Smsa {
    /// Training split.
    pub train: Vec<Classed>,
    /// Validation split.
    pub valid: Vec<Classed>,
    /// Test split: report on this.
    pub test: Vec<Classed>,
}

fn sentiment_class(label: &str) -> Option<usize> {
    SENTIMENT_CLASSES.iter().position(|c| *c == label.trim())
}

/// Reads `smsa/{train,valid,test}_preprocess.tsv` (`text<TAB>label`).
///
/// # Errors
/// A missing file or a malformed line.
pub fn load_smsa(data: &Path) -> Result<Smsa, DataError> {
    let split = |name: &str| -> Result<Vec<Classed>, DataError> {
        let path = data.join("smsa").join(format!("{name}_preprocess.tsv"));
        let bytes = read(&path)?;
        let text = String::from_utf8_lossy(&bytes);
        let mut out = Vec::new();
        for (i, line) in text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
        {
            let (t, label) = line.rsplit_once('\t').ok_or_else(|| DataError::Format {
                path: path.clone(),
                line: i + 1,
                what: "expected `text<TAB>label`".into(),
            })?;
            let class = sentiment_class(label).ok_or_else(|| DataError::Format {
                path: path.clone(),
                line: i + 1,
                what: format!("unknown label `{label}`"),
            })?;
            out.push(Classed {
                text: t.to_owned(),
                class,
            });
        }
        Ok(out)
    };
    Ok(Smsa {
        train: split("train")?,
        valid: split("valid")?,
        test: split("test")?,
    })
}

/// NusaX sentiment test split of one language (`nusax/sentiment/<lang>/test.csv`).
///
/// # Errors
/// A missing file or a malformed record.
pub fn load_nusax_test(data: &Path, language: &str) -> Result<Vec<Classed>, DataError> {
    let path = data
        .join("nusax")
        .join("sentiment")
        .join(language)
        .join("test.csv");
    let bytes = read(&path)?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(bytes.as_slice());
    let mut out = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let record = record.map_err(|e| DataError::Format {
            path: path.clone(),
            line: i + 2,
            what: e.to_string(),
        })?;
        let (Some(text), Some(label)) = (record.get(1), record.get(2)) else {
            return Err(DataError::Format {
                path,
                line: i + 2,
                what: "expected id,text,label".into(),
            });
        };
        let class = sentiment_class(label).ok_or_else(|| DataError::Format {
            path: path.clone(),
            line: i + 2,
            what: format!("unknown label `{label}`"),
        })?;
        out.push(Classed {
            text: text.to_owned(),
            class,
        });
    }
    Ok(out)
}

/// The label columns of Ibrohim & Budi (2019), in file order.
pub const IBROHIM_COLUMNS: [&str; 12] = [
    "HS",
    "Abusive",
    "HS_Individual",
    "HS_Group",
    "HS_Religion",
    "HS_Race",
    "HS_Physical",
    "HS_Gender",
    "HS_Other",
    "HS_Weak",
    "HS_Moderate",
    "HS_Strong",
];

/// A tweet with its twelve 0/1 labels in [`IBROHIM_COLUMNS`] order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tweet {
    /// The tweet, with the file's literal escapes decoded.
    pub text: String,
    /// Labels.
    pub labels: [bool; 12],
}

/// Ibrohim 2019 after dropping duplicate texts, split 80/20.
#[derive(Clone, Debug)]
pub struct Ibrohim {
    /// 80 %.
    pub train: Vec<Tweet>,
    /// 20 %: report on this.
    pub test: Vec<Tweet>,
}

/// Reads `ibrohim2019-hs-abusive/re_dataset.csv` (Latin-1), drops duplicate texts (first one
/// kept) and splits 80/20, stratified by the (hate speech, abusive) pair, shuffled with `seed`.
///
/// # Errors
/// A missing file or a malformed record.
pub fn load_ibrohim(data: &Path, seed: u64) -> Result<Ibrohim, DataError> {
    let path = data.join("ibrohim2019-hs-abusive").join("re_dataset.csv");
    let bytes = read(&path)?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(bytes.as_slice());
    // Labels are read by position: a file with other columns must not train heads on the
    // wrong labels.
    let header = reader.byte_headers().map_err(|e| DataError::Format {
        path: path.clone(),
        line: 1,
        what: e.to_string(),
    })?;
    let names: Vec<&[u8]> = header.iter().collect();
    let expected: Vec<&[u8]> = std::iter::once("Tweet".as_bytes())
        .chain(IBROHIM_COLUMNS.iter().map(|c| c.as_bytes()))
        .collect();
    if names.get(..expected.len()) != Some(expected.as_slice()) {
        return Err(DataError::Format {
            path,
            line: 1,
            what: format!("expected the columns Tweet,{}", IBROHIM_COLUMNS.join(",")),
        });
    }
    let mut seen = std::collections::HashSet::new();
    let mut tweets = Vec::new();
    for (i, record) in reader.byte_records().enumerate() {
        let record = record.map_err(|e| DataError::Format {
            path: path.clone(),
            line: i + 2,
            what: e.to_string(),
        })?;
        let bad = |what: &str| DataError::Format {
            path: path.clone(),
            line: i + 2,
            what: what.into(),
        };
        let raw = record.get(0).ok_or_else(|| bad("no Tweet column"))?;
        let mut labels = [false; 12];
        for (k, slot) in labels.iter_mut().enumerate() {
            *slot = match record.get(k + 1) {
                Some(b"1") => true,
                Some(b"0") => false,
                _ => return Err(bad("label columns must be 0 or 1")),
            };
        }
        let latin1: String = raw.iter().map(|&b| char::from(b)).collect();
        if seen.insert(latin1.clone()) {
            tweets.push(Tweet {
                text: decode_escapes(&latin1),
                labels,
            });
        }
    }
    Ok(split_stratified(tweets, seed))
}

/// The file keeps emoji as literal `\xf0\x9f\x98\x82` and line breaks as literal `\n`. Turn
/// them back into what was typed, so the model learns the emoji people really send.
#[must_use]
pub fn decode_escapes(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pending: Vec<u8> = Vec::new();
    let bytes = s.as_bytes();
    let mut i = 0;
    let flush = |pending: &mut Vec<u8>, out: &mut String| {
        if !pending.is_empty() {
            out.push_str(&String::from_utf8_lossy(pending));
            pending.clear();
        }
    };
    while i < bytes.len() {
        let rest = bytes.get(i..).unwrap_or_default();
        if let [b'\\', b'x', h, l, ..] = rest
            && let (Some(h), Some(l)) = (hex(*h), hex(*l))
        {
            pending.push(h << 4 | l);
            i += 4;
            continue;
        }
        flush(&mut pending, &mut out);
        if let [b'\\', b'n' | b't' | b'r', ..] = rest {
            out.push(' ');
            i += 2;
            continue;
        }
        // Copy one whole character.
        let ch_len = s
            .get(i..)
            .and_then(|r| r.chars().next())
            .map_or(1, char::len_utf8);
        out.push_str(s.get(i..i + ch_len).unwrap_or_default());
        i += ch_len;
    }
    flush(&mut pending, &mut out);
    out.replace('\u{FFFD}', " ")
}

const fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

fn split_stratified(tweets: Vec<Tweet>, seed: u64) -> Ibrohim {
    let mut strata: [Vec<Tweet>; 4] = Default::default();
    for t in tweets {
        let k = usize::from(t.labels[0]) * 2 + usize::from(t.labels[1]);
        if let Some(s) = strata.get_mut(k) {
            s.push(t);
        }
    }
    let mut rng = Rng::new(seed);
    let (mut train, mut test) = (Vec::new(), Vec::new());
    for mut s in strata {
        rng.shuffle(&mut s);
        let n_test = (s.len() as f64 * 0.2).round() as usize;
        let rest = s.split_off(n_test);
        test.extend(s);
        train.extend(rest);
    }
    Ibrohim { train, test }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_become_what_was_typed() {
        assert_eq!(
            decode_escapes(r"lucu \xf0\x9f\x98\x82\xf0\x9f\x98\x82 banget"),
            "lucu 😂😂 banget"
        );
        assert_eq!(decode_escapes(r"satu\ndua"), "satu dua");
        assert_eq!(decode_escapes(r"rusak \xf0\x9f"), "rusak  ");
        assert_eq!(decode_escapes(r"\x zz \"), r"\x zz \");
        assert_eq!(decode_escapes("café"), "café");
    }

    #[test]
    fn the_split_is_stratified_and_deterministic() {
        let tweets: Vec<Tweet> = (0..1000)
            .map(|i| {
                let mut labels = [false; 12];
                labels[0] = i % 3 == 0;
                labels[1] = i % 5 == 0;
                Tweet {
                    text: i.to_string(),
                    labels,
                }
            })
            .collect();
        let a = split_stratified(tweets.clone(), 42);
        let b = split_stratified(tweets, 42);
        assert_eq!(a.test, b.test);
        assert_eq!(a.train.len() + a.test.len(), 1000);
        assert_eq!(a.test.len(), 200);
        let hs_share =
            |s: &[Tweet]| s.iter().filter(|t| t.labels[0]).count() as f64 / s.len() as f64;
        assert!((hs_share(&a.test) - hs_share(&a.train)).abs() < 0.01);
    }
}
