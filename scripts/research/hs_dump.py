"""Writes the feature dump that hs_experiments.py reads: the Rust features of every tweet of
Humas's Ibrohim split, computed by the committed `humas-nlp-id` (so Python sees exactly the
buckets the Rust trainer sees).

It snapshots the committed crates (`git archive HEAD`) into a scratch workspace, adds the small
tool below, builds it and runs it. Nothing from the data is stored in this file; the dump (data
derived) goes to OUT, which should stay under `target/`.

usage: python hs_dump.py DATA_DIR OUT          (e.g. ../shared/data target/hs-features.tsv)
"""
import os
import subprocess
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
CARGO_TOML = '[package]\nname = "hsdump"\nversion = "0.1.0"\nedition = "2024"\npublish = false\n\n[dependencies]\nhumas-nlp-id.workspace = true\nhumas-nlp-train.workspace = true\n'
MAIN_RS = '//! Dumps, for every tweet of Humas\'s Ibrohim split, the Rust feature buckets of several specs.\nuse humas_nlp_id::classify::features::{CharMode, Extractor, FeatureSpec, Features};\nuse humas_nlp_id::tokenize;\nuse std::io::Write;\n\nfn main() {\n    let args: Vec<String> = std::env::args().collect();\n    let data = std::path::PathBuf::from(&args[1]);\n    let ib = humas_nlp_train::data::load_ibrohim(&data, 42).unwrap();\n    let base = FeatureSpec::DEFAULT;\n    let w1 = FeatureSpec { word_ngrams: 1, char_mode: CharMode::None, ..base };\n    let w12 = FeatureSpec { word_ngrams: 2, char_mode: CharMode::None, ..base };\n    let w123 = FeatureSpec { word_ngrams: 3, char_mode: CharMode::None, ..base };\n    let w12nn = FeatureSpec { negation: false, ..w12 };\n    let stems = FeatureSpec { word_ngrams: 1, char_mode: CharMode::None, stems: true, ..base };\n    let in35 = FeatureSpec { word_ngrams: 1, char_mode: CharMode::InWord, ..base };\n    let ac35 = FeatureSpec { word_ngrams: 1, char_mode: CharMode::AcrossWords, ..base };\n    let in25 = FeatureSpec { char_min: 2, ..in35 };\n    let ac25 = FeatureSpec { char_min: 2, ..ac35 };\n    let ac36 = FeatureSpec { char_max: 6, ..ac35 };\n    let mut ex = Extractor::new();\n    let mut f = Features::default();\n    let out = std::io::stdout();\n    let mut out = std::io::BufWriter::new(out.lock());\n    for (split, rows) in [("train", &ib.train), ("test", &ib.test)] {\n        for t in rows {\n            let toks = tokenize(&t.text);\n            let mut get = |s: &FeatureSpec| {\n                ex.extract(s, &t.text, &toks, &mut f);\n                f.buckets.clone()\n            };\n            let a = get(&w1);\n            let n1 = a.len();\n            let mut cols: Vec<Vec<u32>> = vec![a.clone()];\n            cols.push(get(&w12)[n1..].to_vec());\n            cols.push(get(&w123)[get(&w12).len()..].to_vec());\n            cols.push(get(&w12nn));\n            cols.push(get(&stems)[..get(&stems).len() - n1].to_vec());\n            for s in [in35, ac35, in25, ac25, ac36] {\n                cols.push(get(&s)[n1..].to_vec());\n            }\n            // The same with the dataset\'s placeholder words USER, URL and RT removed.\n            let stripped: String = t\n                .text\n                .split(\' \')\n                .filter(|w| !matches!(w.trim_end_matches(\':\'), "USER" | "URL" | "RT"))\n                .collect::<Vec<_>>()\n                .join(" ");\n            let stoks = tokenize(&stripped);\n            let mut sget = |s: &FeatureSpec| {\n                ex.extract(s, &stripped, &stoks, &mut f);\n                f.buckets.clone()\n            };\n            let s1 = sget(&w1);\n            let sn1 = s1.len();\n            cols.push(s1);\n            cols.push(sget(&w12)[sn1..].to_vec());\n            cols.push(sget(&in35)[sn1..].to_vec());\n            let labels: String = t.labels.iter().map(|&b| if b { \'1\' } else { \'0\' }).collect();\n            let toks_s: Vec<String> = toks.iter().map(|k| format!("{:?}:{}", k.kind, k.norm.replace([\'\\t\', \'\\u{1}\'], " "))).collect();\n            write!(out, "{split}\\t{labels}").unwrap();\n            for c in cols {\n                let s: Vec<String> = c.iter().map(u32::to_string).collect();\n                write!(out, "\\t{}", s.join(" ")).unwrap();\n            }\n            writeln!(out, "\\t{}", toks_s.join("\\u{1}")).unwrap();\n        }\n    }\n}\n'


def main():
    data, out = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    snap = os.path.join(ROOT, "target", "hs-dump-snapshot")
    os.makedirs(os.path.join(snap, "hsdump", "src"), exist_ok=True)
    archive = subprocess.run(["git", "-C", ROOT, "archive", "HEAD", "Cargo.toml", "Cargo.lock",
                              "crates/humas-nlp-id", "crates/humas-nlp-train"],
                             check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", snap], input=archive, check=True)
    path = os.path.join(snap, "Cargo.toml")
    with open(path) as f:
        toml = f.read()
    toml = toml.replace('members = ["crates/*"]',
                        'members = ["crates/humas-nlp-id", "crates/humas-nlp-train", "hsdump"]')
    with open(path, "w") as f:
        f.write(toml)
    with open(os.path.join(snap, "hsdump", "Cargo.toml"), "w") as f:
        f.write(CARGO_TOML)
    with open(os.path.join(snap, "hsdump", "src", "main.rs"), "w") as f:
        f.write(MAIN_RS)
    subprocess.run(["cargo", "build", "--release", "-p", "hsdump"], cwd=snap, check=True)
    with open(out, "w") as f:
        subprocess.run([os.path.join(snap, "target", "release", "hsdump"), data], stdout=f, check=True)


if __name__ == "__main__":
    main()
