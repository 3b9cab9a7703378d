#!/usr/bin/env python3
"""Baselines for BENCHMARKS.md: scikit-learn TF-IDF + LinearSVC and fastText supervised.

Trains each model on three tasks, reports quality on fixed test splits, and measures how many
raw messages per second each turns into a label on ONE thread, over the corpus that
`cargo run --release -p humas-nlp-id --example corpus` writes (the same messages the Rust
benchmark reads).

Tasks and splits (the labelled data is read from --data, never copied into the repository):
  sentiment   SmSA (IndoNLU): train on train_preprocess.tsv, tune C on valid, report on test.
  abusive     Ibrohim & Budi 2019, column `Abusive`, on the 80/20 split Humas is scored on
              (`--split humas`, the default): the same 10 419 training and 2 604 test tweets as
              `humas text eval`, ported from crates/humas-nlp-train/src/data.rs (see
              `humas_split`). C tuned on a stratified 10 % of the 80 %, then refitted on all of it.
  hate_speech the same file and split, column `HS`.
  `--split sklearn` instead drops duplicates, keeps the raw texts and splits each task on its own
  with `sklearn.model_selection.train_test_split(test_size=0.2, stratify=label, seed 42)`.

Throughput counts raw text -> label, including the same light pre-processing for both models
(lower-case, URL and mention placeholders, squeezed letter runs) and the vectoriser. It is the
median of --repeat runs, in two modes: batched (lists of --batch messages, the fastest way to
call either library) and one message per call (the way a stream of comments arrives).

Usage: see run.sh next to this file, which sets the one-thread environment first.
"""

from __future__ import annotations

import argparse
import csv
import importlib.metadata
import json
import os
import platform
import random
import re
import statistics
import sys
import tempfile
import time

# One thread everywhere, before NumPy/SciPy load their BLAS.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS",
             "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import fasttext  # noqa: E402
import numpy as np  # noqa: E402
import sklearn  # noqa: E402
from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: E402
from sklearn.metrics import accuracy_score, f1_score  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402
from sklearn.pipeline import FeatureUnion, Pipeline  # noqa: E402
from sklearn.svm import LinearSVC  # noqa: E402

SEED = 42

_URL = re.compile(r"(?:https?://|www\.)\S+|\bbit\.ly/\S+")
_MENTION = re.compile(r"@\w+")
_RUN = re.compile(r"([a-z])\1{2,}")
_SPACE = re.compile(r"\s+")


def prep(text: str) -> str:
    """The light normalisation both baselines get: inside the timed path."""
    text = text.replace("\\n", " ").lower()
    text = _URL.sub(" url ", text)
    text = _MENTION.sub(" user ", text)
    text = _RUN.sub(r"\1", text)
    return _SPACE.sub(" ", text).strip()


# --------------------------------------------------------------------------------------------
# Data


def read_smsa(root: str) -> dict[str, tuple[list[str], list[str]]]:
    splits = {}
    for name, file in (("train", "train_preprocess.tsv"), ("valid", "valid_preprocess.tsv"),
                       ("test", "test_preprocess.tsv")):
        texts, labels = [], []
        with open(os.path.join(root, "smsa", file), encoding="utf-8") as f:
            for line in f:
                line = line.rstrip("\n")
                if not line:
                    continue
                text, label = line.rsplit("\t", 1)
                texts.append(text)
                labels.append(label)
        splits[name] = (texts, labels)
    return splits


class SplitMix64:
    """crates/humas-nlp-train/src/rng.rs, bit for bit."""

    MASK = (1 << 64) - 1

    def __init__(self, seed: int):
        self.state = seed & self.MASK

    def next_u64(self) -> int:
        self.state = (self.state + 0x9E3779B97F4A7C15) & self.MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & self.MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & self.MASK
        return z ^ (z >> 31)

    def below(self, n: int) -> int:
        return (self.next_u64() * n) >> 64

    def shuffle(self, items: list) -> None:
        for i in range(len(items) - 1, 0, -1):
            j = self.below(i + 1)
            items[i], items[j] = items[j], items[i]


_HEX = "0123456789abcdefABCDEF"


def decode_escapes(s: str) -> str:
    """`decode_escapes` of crates/humas-nlp-train/src/data.rs: literal `\\xHH` runs become the
    UTF-8 they spell (invalid parts -> one space each), literal `\\n`, `\\t`, `\\r` a space."""
    out, pending = [], bytearray()
    i, n = 0, len(s)
    while i < n:
        if (s[i] == "\\" and i + 3 < n and s[i + 1] == "x" and s[i + 2] in _HEX
                and s[i + 3] in _HEX):
            pending.append(int(s[i + 2:i + 4], 16))
            i += 4
            continue
        if pending:
            out.append(pending.decode("utf-8", errors="replace"))
            pending.clear()
        if s[i] == "\\" and i + 1 < n and s[i + 1] in "ntr":
            out.append(" ")
            i += 2
            continue
        out.append(s[i])
        i += 1
    if pending:
        out.append(pending.decode("utf-8", errors="replace"))
    return "".join(out).replace("\ufffd", " ")


def read_ibrohim_rows(root: str) -> list[tuple[str, int, int]]:
    """(raw Latin-1 text, HS, Abusive), duplicate raw texts dropped, the first kept."""
    path = os.path.join(root, "ibrohim2019-hs-abusive", "re_dataset.csv")
    seen, rows = set(), []
    with open(path, encoding="latin-1", newline="") as f:
        for row in csv.DictReader(f):
            text = row["Tweet"]
            if text in seen:
                continue
            seen.add(text)
            rows.append((text, int(row["HS"]), int(row["Abusive"])))
    return rows


def humas_split(rows, seed: int = SEED):
    """`split_stratified` of crates/humas-nlp-train/src/data.rs: strata k = HS*2 + Abusive in
    order, each shuffled by one shared SplitMix64 (Fisher-Yates), the first round(0.2 * len) of
    each to test. Returns (train, test) lists of (decoded text, HS, Abusive)."""
    strata = [[], [], [], []]
    for text, hs, abusive in rows:
        strata[hs * 2 + abusive].append((decode_escapes(text), hs, abusive))
    rng = SplitMix64(seed)
    train, test = [], []
    for stratum in strata:
        rng.shuffle(stratum)
        n_test = int(len(stratum) * 0.2 + 0.5)  # Rust's f64::round: half away from zero
        test.extend(stratum[:n_test])
        train.extend(stratum[n_test:])
    return train, test


def split_digest(tweets) -> str:
    """FNV-1a 64, as crates/humas-nlp-train/examples/split_digest.rs prints it."""
    h = 0xCBF29CE484222325
    for text, hs, abusive in tweets:
        for b in f"{text}\t{hs}{abusive}\n".encode("utf-8"):
            h = ((h ^ b) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return f"{h:016x}"


def ibrohim_task(train, test, column: int, inner_split) -> dict[str, tuple[list[str], list[str]]]:
    x_train = [t[0] for t in train]
    y_train = [str(t[column]) for t in train]
    x_fit, x_valid, y_fit, y_valid = inner_split(x_train, y_train)
    return {"train": (x_train, y_train), "fit": (x_fit, y_fit), "valid": (x_valid, y_valid),
            "test": ([t[0] for t in test], [str(t[column]) for t in test])}


def _inner(x, y):
    return train_test_split(x, y, test_size=0.1, stratify=y, random_state=SEED)


def read_ibrohim(root: str, split: str) -> tuple[dict, dict, dict]:
    """(abusive task, hate-speech task, split description)."""
    rows = read_ibrohim_rows(root)
    if split == "humas":
        train, test = humas_split(rows)
        info = {"split": "humas", "train": len(train), "test": len(test),
                "train_digest": split_digest(train), "test_digest": split_digest(test)}
        return ibrohim_task(train, test, 2, _inner), ibrohim_task(train, test, 1, _inner), info
    tasks = []
    for column in (2, 1):
        labels = [r[column] for r in rows]
        train, test = train_test_split(rows, test_size=0.2, stratify=labels, random_state=SEED)
        tasks.append(ibrohim_task(train, test, column, _inner))
    info = {"split": "sklearn", "train": len(rows) - len(tasks[0]["test"][0]),
            "test": len(tasks[0]["test"][0])}
    return tasks[0], tasks[1], info


def load_tasks(root: str, split: str) -> tuple[dict, dict]:
    smsa = read_smsa(root)
    smsa["fit"] = smsa["train"]
    abusive, hate_speech, info = read_ibrohim(root, split)
    return {"sentiment": smsa, "abusive": abusive, "hate_speech": hate_speech}, info


# --------------------------------------------------------------------------------------------
# Models: each is (fit(texts, labels) -> predictor), predictor(list of raw texts) -> labels.


def tfidf_svc(c: float) -> Pipeline:
    features = FeatureUnion([
        ("word", TfidfVectorizer(preprocessor=prep, analyzer="word", ngram_range=(1, 2),
                                 sublinear_tf=True, min_df=1, token_pattern=r"(?u)\b\w+\b")),
        ("char", TfidfVectorizer(preprocessor=prep, analyzer="char_wb", ngram_range=(2, 5),
                                 sublinear_tf=True, min_df=2)),
    ])
    return Pipeline([("features", features),
                     ("svc", LinearSVC(C=c, class_weight="balanced", random_state=SEED))])


def macro_f1(gold: list[str], predicted) -> float:
    return float(f1_score(gold, list(predicted), average="macro"))


class SklearnModel:
    name = "TF-IDF word 1-2 + char 2-5 + LinearSVC (scikit-learn)"
    key = "sklearn_tfidf_linearsvc"

    def __init__(self, split):
        # C tuned on the validation part, then refitted on all training data.
        best = None
        for c in (0.1, 0.3, 1.0):
            model = tfidf_svc(c).fit(*split["fit"])
            score = macro_f1(split["valid"][1], model.predict(split["valid"][0]))
            if best is None or score > best[0]:
                best = (score, c)
        self.params = {"C": best[1], "valid_macro_f1": round(best[0], 4)}
        started = time.perf_counter()
        self.model = tfidf_svc(best[1]).fit(*split["train"])
        self.train_seconds = time.perf_counter() - started

    def predict(self, texts: list[str]) -> list[str]:
        return list(self.model.predict(texts))

    def predict_one(self, text: str) -> str:
        return self.model.predict([text])[0]


FASTTEXT_PARAMS = {"epoch": 25, "lr": 0.5, "wordNgrams": 2, "dim": 50, "minn": 2, "maxn": 5,
                   "loss": "softmax", "thread": 1, "verbose": 0}


class FastTextModel:
    name = "fastText supervised (C++ through Python)"
    key = "fasttext_supervised"

    def __init__(self, split):
        self.params = dict(FASTTEXT_PARAMS)
        # fastText reads its file in order and does not shuffle; Humas's split lists the
        # training tweets stratum by stratum (i.e. sorted by label), so shuffle, with a seed.
        pairs = list(zip(*split["train"]))
        random.Random(SEED).shuffle(pairs)
        with tempfile.NamedTemporaryFile("w", suffix=".txt", encoding="utf-8",
                                         delete=False) as f:
            for text, label in pairs:
                f.write(f"__label__{label} {prep(text)}\n")
            path = f.name
        try:
            started = time.perf_counter()
            self.model = fasttext.train_supervised(input=path, **FASTTEXT_PARAMS)
            self.train_seconds = time.perf_counter() - started
        finally:
            os.unlink(path)

    def predict(self, texts: list[str]) -> list[str]:
        labels, _ = self.model.predict([prep(t) for t in texts])
        return [ls[0][len("__label__"):] for ls in labels]

    def predict_one(self, text: str) -> str:
        labels, _ = self.model.predict(prep(text))
        return labels[0][len("__label__"):]


# --------------------------------------------------------------------------------------------
# Throughput


def throughput(model, corpus: list[str], batch: int, repeat: int, single_limit: int) -> dict:
    batched, single = [], []
    one_at_a_time = corpus[:single_limit]
    for _ in range(repeat):
        started = time.perf_counter()
        for i in range(0, len(corpus), batch):
            model.predict(corpus[i:i + batch])
        batched.append(len(corpus) / (time.perf_counter() - started))
        started = time.perf_counter()
        for text in one_at_a_time:
            model.predict_one(text)
        single.append(len(one_at_a_time) / (time.perf_counter() - started))
    return {"batched_msgs_per_s": round(statistics.median(batched)),
            "single_msgs_per_s": round(statistics.median(single)),
            "batched_runs": [round(x) for x in batched],
            "single_runs": [round(x) for x in single]}


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", required=True, help="labelled data root (smsa/, ibrohim2019-hs-abusive/)")
    parser.add_argument("--corpus", help="generated corpus, one message per line")
    parser.add_argument("--json", help="write the results here as JSON")
    parser.add_argument("--limit", type=int, default=20_000,
                        help="messages of the corpus to time, batched (default 20000)")
    parser.add_argument("--single-limit", type=int, default=2_000,
                        help="messages to time one per call (default 2000)")
    parser.add_argument("--batch", type=int, default=1_000, help="batch size (default 1000)")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs, median kept (default 3)")
    parser.add_argument("--tasks", default="sentiment,abusive,hate_speech")
    parser.add_argument("--models", default="sklearn,fasttext")
    parser.add_argument("--split", choices=("humas", "sklearn"), default="humas",
                        help="Ibrohim 80/20 split: Humas's own (default) or sklearn's")
    parser.add_argument("--split-only", action="store_true",
                        help="print the Ibrohim split sizes and digests and stop")
    parser.add_argument("--cpu", type=int, default=None,
                        help="pin the process to this CPU (default: the first one allowed)")
    args = parser.parse_args()

    if hasattr(os, "sched_setaffinity"):
        allowed = sorted(os.sched_getaffinity(0))
        cpu = args.cpu if args.cpu is not None else allowed[0]
        os.sched_setaffinity(0, {cpu})
    else:
        cpu = None

    if args.split_only:
        train, test = humas_split(read_ibrohim_rows(args.data))
        print(f"train {len(train)} {split_digest(train)}")
        print(f"test {len(test)} {split_digest(test)}")
        return 0
    if not args.corpus:
        parser.error("--corpus is required")

    with open(args.corpus, encoding="utf-8") as f:
        corpus = [line.rstrip("\n") for line in f if line.strip()][: args.limit]
    if not corpus:
        print("empty corpus", file=sys.stderr)
        return 1
    mean_chars = sum(len(t) for t in corpus) / len(corpus)

    tasks, split_info = load_tasks(args.data, args.split)
    print(f"Ibrohim split: {json.dumps(split_info)}", file=sys.stderr, flush=True)
    models = {"sklearn": SklearnModel, "fasttext": FastTextModel}
    results = []
    for task in args.tasks.split(","):
        split = tasks[task]
        for key in args.models.split(","):
            model = models[key](split)
            gold = split["test"][1]
            predicted = model.predict(split["test"][0])
            row = {
                "task": task,
                "model": model.key,
                "model_name": model.name,
                "params": model.params,
                "train_rows": len(split["train"][0]),
                "test_rows": len(gold),
                "macro_f1": round(macro_f1(gold, predicted), 4),
                "accuracy": round(float(accuracy_score(gold, predicted)), 4),
                "train_seconds": round(model.train_seconds, 2),
            }
            row.update(throughput(model, corpus, args.batch, args.repeat, args.single_limit))
            results.append(row)
            print(f"{task:12} {key:9} macro-F1 {row['macro_f1'] * 100:6.2f}  "
                  f"acc {row['accuracy'] * 100:6.2f}  "
                  f"{row['batched_msgs_per_s']:>8} msg/s batched  "
                  f"{row['single_msgs_per_s']:>8} msg/s one by one", file=sys.stderr, flush=True)

    report = {
        "machine": {"cpu": cpu_model(), "load_average_1_5_15": list(os.getloadavg()), "logical_cpus": os.cpu_count(), "pinned_cpu": cpu,
                    "python": platform.python_version(), "scikit_learn": sklearn.__version__,
                    "numpy": np.__version__,
                    "fasttext_wheel": importlib.metadata.version("fasttext-wheel"),
                    "threads_env": {v: os.environ.get(v) for v in ("OMP_NUM_THREADS",
                                                                   "OPENBLAS_NUM_THREADS",
                                                                   "MKL_NUM_THREADS")}},
        "corpus": {"path": args.corpus, "messages_timed_batched": len(corpus),
                   "messages_timed_single": min(len(corpus), args.single_limit),
                   "mean_chars": round(mean_chars, 1), "batch": args.batch,
                   "repeat": args.repeat},
        "ibrohim_split": split_info,
        "results": results,
    }

    print()
    print("| task | model | macro-F1 | accuracy | msgs/s batched | msgs/s one by one |")
    print("| --- | --- | --- | --- | --- | --- |")
    for r in results:
        print(f"| {r['task']} | {r['model_name']} | {r['macro_f1'] * 100:.2f} | "
              f"{r['accuracy'] * 100:.2f} | {r['batched_msgs_per_s']:,} | "
              f"{r['single_msgs_per_s']:,} |")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(report, f, indent=2)
            f.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
