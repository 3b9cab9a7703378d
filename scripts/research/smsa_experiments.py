"""SmSA sentiment: tune feature/model variants on the VALID split.

usage: python smsa_experiments.py [DATA_DIR] [--test]
  --test: additionally report the test split for the final configurations (train on train+valid).
"""
import sys
import time
import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.svm import LinearSVC
from sklearn.naive_bayes import ComplementNB
from sklearn.metrics import accuracy_score

from common import (data_dir, load_smsa, load_nusax, normalise, make_analyzer, featurize, weight,
                    fit_idf, nb_ratio, macro_f1)

CLASSES = ["negative", "neutral", "positive"]


def fit_predict(model, Xtr, ytr, Xte, C, class_weight=None, idf=True, nb_alpha=1.0, nb_beta=1.0):
    ytr = np.asarray(ytr)
    if model == "cnb":
        clf = ComplementNB(alpha=C).fit(Xtr, ytr)
        return clf.predict(Xte), None
    idfv = fit_idf(Xtr) if idf else None
    Wtr, Wte = weight(Xtr, idf=idfv), weight(Xte, idf=idfv)
    if model in ("lr", "svm"):
        if model == "lr":
            clf = LogisticRegression(C=C, max_iter=2000, class_weight=class_weight)
        else:
            clf = LinearSVC(C=C, class_weight=class_weight)
        clf.fit(Wtr, ytr)
        return clf.predict(Wte), clf.decision_function(Wte)
    # NB-SVM / NB-LR, one-vs-rest, ratio computed on binarised counts, applied to weighted features
    scores = np.zeros((Wte.shape[0], len(CLASSES)))
    for k, c in enumerate(CLASSES):
        yb = (ytr == c).astype(int)
        r = nb_ratio(Xtr, yb, nb_alpha)
        Rtr = Wtr.multiply(r).tocsr()
        Rte = Wte.multiply(r).tocsr()
        cw = "balanced" if class_weight == "balanced" else None
        if model == "nbsvm":
            clf = LinearSVC(C=C, class_weight=cw)
        else:
            clf = LogisticRegression(C=C, solver="liblinear", class_weight=cw)
        clf.fit(Rtr, yb)
        scores[:, k] = clf.decision_function(Rte)
    return np.array(CLASSES)[scores.argmax(1)], scores


def main():
    root = data_dir()
    test_mode = "--test" in sys.argv
    xtr, ytr = load_smsa(root, "train")
    xva, yva = load_smsa(root, "valid")
    xte, yte = load_smsa(root, "test")

    norm_cfgs = {
        "raw": dict(slang=False, negation=0, squeeze=False, emoji=False),
        "sq": dict(slang=False, negation=0, squeeze=True, emoji=True),
        "sq+slang": dict(slang=True, negation=0, squeeze=True, emoji=True),
        "sq+slang+neg1": dict(slang=True, negation=1, squeeze=True, emoji=True),
        "sq+slang+neg2": dict(slang=True, negation=2, squeeze=True, emoji=True),
    }
    feat_cfgs = {
        "w12+c25in": dict(word_ngrams=(1, 2), char_ngrams=(2, 5), char_mode="within"),
        "w12+c25across": dict(word_ngrams=(1, 2), char_ngrams=(2, 5), char_mode="across"),
        "w12": dict(word_ngrams=(1, 2), char_ngrams=(0, 0)),
        "w13": dict(word_ngrams=(1, 3), char_ngrams=(0, 0)),
        "c25in": dict(word_ngrams=(0, 0), char_ngrams=(2, 5), char_mode="within"),
        "w12+c36in": dict(word_ngrams=(1, 2), char_ngrams=(3, 6), char_mode="within"),
        "w13+c15across": dict(word_ngrams=(1, 3), char_ngrams=(1, 5), char_mode="across"),
    }
    experiments = [a for a in sys.argv[2:] if not a.startswith("--")]
    plan = []
    if not experiments or "norm" in experiments:
        for n in norm_cfgs:
            plan.append((n, "w12+c25in", 20))
    if "feat" in experiments:
        for f in feat_cfgs:
            plan.append(("sq+slang+neg2", f, 20))
    if "bits" in experiments:
        for b in (18, 19, 20, 21):
            plan.append(("sq+slang+neg2", "w12+c25in", b))

    models = [("lr", C, None) for C in (10, 30, 100)] + [("svm", C, None) for C in (0.3, 1)] + \
             [("svm", 0.3, "balanced"), ("lr", 30, "balanced")] + \
             [("nbsvm", C, None) for C in (0.1, 0.3, 1)] + [("nblr", C, None) for C in (10, 30, 100)] + \
             [("cnb", a, None) for a in (0.1, 0.3)]
    if "--quick" in sys.argv:
        models = [("svm", 0.3, None), ("nbsvm", 0.1, None), ("nbsvm", 0.3, None), ("nblr", 30, None)]
    for ncfg, fcfg, bits in plan:
        t0 = time.time()
        an = make_analyzer(**feat_cfgs[fcfg])
        ttr = [normalise(x, **norm_cfgs[ncfg]) for x in xtr]
        tva = [normalise(x, **norm_cfgs[ncfg]) for x in xva]
        Xtr, Xva = featurize(ttr, an, bits), featurize(tva, an, bits)
        nf = Xtr.nnz / Xtr.shape[0]
        for m, C, cw in models:
            p, _ = fit_predict(m, Xtr, ytr, Xva, C, cw)
            print(f"{ncfg:16s} {fcfg:16s} 2^{bits} feats/msg={nf:6.0f} {m:6s} C={C:<5} cw={cw!s:8s} "
                  f"valid F1={macro_f1(yva, p):.2f} acc={100*accuracy_score(yva, p):.2f}", flush=True)
        print(f"  ({time.time()-t0:.0f}s)", flush=True)


if __name__ == "__main__":
    main()
