"""Ibrohim & Budi 2019: abusive and hate-speech (HS) binary classifiers.

Split: drop duplicate texts (keep first), 80/20 stratified on the target column, seed 42.
usage: python ibrohim_experiments.py [DATA_DIR] [--quick] [--cats]
"""
import sys
import time
import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.svm import LinearSVC
from sklearn.metrics import f1_score

from common import (data_dir, load_ibrohim, ibrohim_split, normalise, make_analyzer, featurize, weight,
                    fit_idf, nb_ratio, macro_f1)


def fit_scores(model, Xtr, ytr, Xte, C, cw=None, nb_alpha=1.0):
    idf = fit_idf(Xtr)
    Wtr, Wte = weight(Xtr, idf=idf), weight(Xte, idf=idf)
    if model.startswith("nb"):
        r = nb_ratio(Xtr, ytr, nb_alpha)
        Wtr, Wte = Wtr.multiply(r).tocsr(), Wte.multiply(r).tocsr()
    if model.endswith("svm"):
        clf = LinearSVC(C=C, class_weight=cw)
    else:
        clf = LogisticRegression(C=C, solver="liblinear", class_weight=cw)
    clf.fit(Wtr, ytr)
    return clf.decision_function(Wte)


def main():
    root = data_dir()
    texts, labels = load_ibrohim(root)
    norm_cfgs = {
        "raw": dict(slang=False, negation=0, squeeze=False, emoji=False),
        "sq+slang+emoji": dict(slang=True, negation=0, squeeze=True, emoji=True),
        "sq+slang+emoji+neg2": dict(slang=True, negation=2, squeeze=True, emoji=True),
    }
    feat_cfgs = {
        "w12+c25in": dict(word_ngrams=(1, 2), char_ngrams=(2, 5), char_mode="within"),
        "w12+c25across": dict(word_ngrams=(1, 2), char_ngrams=(2, 5), char_mode="across"),
    }
    models = [("svm", 0.3, None), ("svm", 0.3, "balanced"), ("nbsvm", 0.1, None), ("nbsvm", 0.3, None),
              ("nbsvm", 0.1, "balanced"), ("nblr", 10, None), ("nblr", 30, None), ("lr", 30, None)]
    if "--quick" in sys.argv:
        models = [("svm", 0.3, None), ("nbsvm", 0.1, None), ("nbsvm", 0.3, "balanced"), ("nblr", 30, None)]
    plan = [(n, "w12+c25in") for n in norm_cfgs] + [("sq+slang+emoji", "w12+c25across")]
    for task in ("Abusive", "HS"):
        y = labels[task]
        tr, te = ibrohim_split(len(texts), y)
        for ncfg, fcfg in plan:
            t0 = time.time()
            toks = [normalise(x, **norm_cfgs[ncfg]) for x in texts]
            X = featurize(toks, make_analyzer(**feat_cfgs[fcfg]), 20)
            nf = X.nnz / X.shape[0]
            for m, C, cw in models:
                s = fit_scores(m, X[tr], y[tr], X[te], C, cw)
                p = (s > 0).astype(int)
                print(f"{task:8s} {ncfg:20s} {fcfg:14s} feats/msg={nf:5.0f} {m:6s} C={C:<4} cw={cw!s:8s} "
                      f"macroF1={macro_f1(y[te], p):.2f} posF1={100*f1_score(y[te], p):.2f}", flush=True)
            print(f"  ({time.time()-t0:.0f}s)", flush=True)


if __name__ == "__main__":
    main()
