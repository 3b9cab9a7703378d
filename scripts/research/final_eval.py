"""Final numbers for the chosen configurations (run once; no tuning here).

SmSA: train on train+valid, report TEST macro-F1 / accuracy.
Ibrohim 2019: 80/20 stratified split (seed 42) after dropping duplicate texts; Abusive and HS.
usage: python final_eval.py [DATA_DIR] [smsa|ibrohim]
"""
import sys
import time
import numpy as np
from sklearn.metrics import accuracy_score, f1_score

from common import data_dir, load_smsa, load_ibrohim, ibrohim_split, normalise, make_analyzer, featurize, macro_f1
from smsa_experiments import fit_predict
from ibrohim_experiments import fit_scores

NORMS = {
    "raw": dict(slang=False, negation=0, squeeze=False, emoji=False),
    "full": dict(slang=True, negation=2, squeeze=True, emoji=True),
}


def main():
    root = data_dir()
    what = sys.argv[2] if len(sys.argv) > 2 else "smsa"
    an = make_analyzer(word_ngrams=(1, 2), char_ngrams=(2, 5), char_mode="within")
    if what == "smsa":
        xtr, ytr = load_smsa(root, "train")
        xva, yva = load_smsa(root, "valid")
        xte, yte = load_smsa(root, "test")
        for nname in ("full", "raw"):
            n = NORMS[nname]
            Xall = featurize([normalise(x, **n) for x in xtr + xva], an, 20)
            Xte = featurize([normalise(x, **n) for x in xte], an, 20)
            yall = ytr + yva
            for m, C, cw in [("nbsvm", 0.3, None), ("svm", 0.3, None)]:
                t0 = time.time()
                p, _ = fit_predict(m, Xall, yall, Xte, C, cw)
                print(f"SmSA TEST norm={nname} {m} C={C} cw={cw}: macroF1={macro_f1(yte, p):.2f} "
                      f"acc={100*accuracy_score(yte, p):.2f} ({time.time()-t0:.0f}s)", flush=True)
    else:
        texts, labels = load_ibrohim(root)
        X = featurize([normalise(x, **NORMS["full"]) for x in texts], an, 20)
        for task in ("Abusive", "HS"):
            y = labels[task]
            tr, te = ibrohim_split(len(texts), y)
            s = fit_scores("nbsvm", X[tr], y[tr], X[te], 0.3, "balanced")
            p = (s > 0).astype(int)
            print(f"{task} nbsvm C=0.3 balanced full-norm: macroF1={macro_f1(y[te], p):.2f} "
                  f"posF1={100*f1_score(y[te], p):.2f} acc={100*accuracy_score(y[te], p):.2f}", flush=True)
        # HS category heads, trained/evaluated on the HS split, one binary NB-SVM per column
        y = labels["HS"]
        tr, te = ibrohim_split(len(texts), y)
        for c in ("HS_Individual", "HS_Group", "HS_Religion", "HS_Race", "HS_Physical", "HS_Gender", "HS_Other"):
            yc = labels[c]
            s = fit_scores("nbsvm", X[tr], yc[tr], X[te], 0.3, "balanced")
            p = (s > 0).astype(int)
            print(f"  {c:14s} posF1={100*f1_score(yc[te], p):.2f} macroF1={macro_f1(yc[te], p):.2f} "
                  f"(test positives {yc[te].sum()})", flush=True)


if __name__ == "__main__":
    main()
