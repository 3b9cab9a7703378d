"""Shared helpers for the classical text-classifier experiments.

Data is read from a directory given on the command line (default ../shared/data);
nothing from the data sets is stored in this file. The slang map below is hand-written.
"""
import csv
import os
import re
import sys

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import HashingVectorizer
from sklearn.preprocessing import normalize

DEFAULT_DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "shared", "data")


def data_dir():
    return sys.argv[1] if len(sys.argv) > 1 else DEFAULT_DATA


# ---------------------------------------------------------------- loading
def load_smsa(root, split):
    xs, ys = [], []
    with open(os.path.join(root, "smsa", f"{split}_preprocess.tsv"), encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line:
                continue
            t, l = line.rsplit("\t", 1)
            xs.append(t)
            ys.append(l)
    return xs, ys


def load_nusax(root, lang, split):
    with open(os.path.join(root, "nusax", "sentiment", lang, f"{split}.csv"), encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    return [r["text"] for r in rows], [r["label"] for r in rows]


def load_ibrohim(root):
    """Returns (texts, label dict) after dropping duplicate texts (keep first)."""
    with open(os.path.join(root, "ibrohim2019-hs-abusive", "re_dataset.csv"), encoding="latin-1") as f:
        rows = list(csv.DictReader(f))
    seen, out = set(), []
    for r in rows:
        if r["Tweet"] in seen:
            continue
        seen.add(r["Tweet"])
        out.append(r)
    cols = [c for c in rows[0].keys() if c != "Tweet"]
    return [r["Tweet"] for r in out], {c: np.array([int(r[c]) for r in out]) for c in cols}


def ibrohim_split(n, y, seed=42):
    from sklearn.model_selection import train_test_split
    idx = np.arange(n)
    return train_test_split(idx, test_size=0.2, stratify=y, random_state=seed)


# ---------------------------------------------------------------- normalisation
SLANG = {
    # negation
    "gk": "tidak", "ga": "tidak", "gak": "tidak", "nggak": "tidak", "ngga": "tidak", "enggak": "tidak",
    "engga": "tidak", "tdk": "tidak", "tak": "tidak", "g": "tidak", "kagak": "tidak", "ndak": "tidak",
    "nda": "tidak", "gag": "tidak", "gaa": "tidak", "kaga": "tidak", "tida": "tidak", "ngak": "tidak",
    "jgn": "jangan", "jngn": "jangan", "jangn": "jangan", "blm": "belum", "blom": "belum", "belom": "belum",
    "bkn": "bukan", "krg": "kurang",
    # function words
    "yg": "yang", "dgn": "dengan", "dg": "dengan", "krn": "karena", "karna": "karena", "krna": "karena",
    "utk": "untuk", "untk": "untuk", "buat": "untuk", "dr": "dari", "dri": "dari", "dlm": "dalam",
    "pd": "pada", "sm": "sama", "ama": "sama", "sma": "sama", "tp": "tapi", "tpi": "tapi", "tetapi": "tapi",
    "jg": "juga", "jga": "juga", "lg": "lagi", "lgi": "lagi", "aja": "saja", "aj": "saja", "ajah": "saja",
    "sj": "saja", "udh": "sudah", "udah": "sudah", "sdh": "sudah", "dah": "sudah", "uda": "sudah",
    "bs": "bisa", "bsa": "bisa", "sy": "saya", "gw": "saya", "gue": "saya", "gua": "saya", "aku": "saya",
    "ak": "saya", "q": "saya", "km": "kamu", "lu": "kamu", "lo": "kamu", "loe": "kamu", "elo": "kamu",
    "kalo": "kalau", "klo": "kalau", "kl": "kalau", "kalu": "kalau", "bgt": "banget", "bngt": "banget",
    "bget": "banget", "bngat": "banget", "sgt": "sangat", "bnyk": "banyak", "byk": "banyak",
    "gmn": "bagaimana", "gimana": "bagaimana", "gmna": "bagaimana", "knp": "kenapa", "napa": "kenapa",
    "emg": "memang", "emang": "memang", "mmg": "memang", "trs": "terus", "trus": "terus", "org": "orang",
    "orng": "orang", "skrg": "sekarang", "skrng": "sekarang", "sekarng": "sekarang", "tau": "tahu",
    "tw": "tahu", "liat": "lihat", "ngliat": "melihat", "bener": "benar", "bnr": "benar", "dpt": "dapat",
    "dapet": "dapat", "msh": "masih", "msih": "masih", "hrs": "harus", "mau": "mau", "mo": "mau",
    "pengen": "ingin", "pgn": "ingin", "pingin": "ingin", "kyk": "seperti", "kayak": "seperti",
    "kaya": "seperti", "kek": "seperti", "spt": "seperti", "sperti": "seperti", "bikin": "membuat",
    "bkin": "membuat", "dll": "dan lain lain", "dsb": "dan sebagainya", "jd": "jadi", "jdi": "jadi",
    "sbg": "sebagai", "kmrn": "kemarin", "kemaren": "kemarin", "ntar": "nanti", "nti": "nanti",
    "smua": "semua", "smw": "semua", "sm": "sama", "cm": "cuma", "cuman": "cuma", "doang": "saja",
    "gitu": "begitu", "gt": "begitu", "gini": "begini", "bgs": "bagus", "mantab": "mantap", "mantep": "mantap",
    "mntap": "mantap", "enak": "enak", "enk": "enak", "bnget": "banget", "ok": "oke", "okey": "oke",
    "okay": "oke", "thx": "terima kasih", "makasih": "terima kasih", "mksh": "terima kasih",
    "trims": "terima kasih", "tks": "terima kasih", "tq": "terima kasih", "mkn": "makan", "mkan": "makan",
    "pas": "pas", "bnr2": "benar benar", "kpd": "kepada", "tsb": "tersebut", "ttg": "tentang",
    "sblm": "sebelum", "stlh": "setelah", "ssdh": "sesudah", "lbh": "lebih", "lbih": "lebih",
    "mlh": "malah", "malahan": "malah", "sbnrnya": "sebenarnya", "sebenernya": "sebenarnya",
    "ngerti": "mengerti", "ngomong": "bicara", "bilang": "bilang", "nih": "ini", "ni": "ini", "tu": "itu",
    "tuh": "itu", "gan": "gan", "sampe": "sampai", "smp": "sampai", "ampe": "sampai", "dmn": "di mana",
    "pny": "punya", "pnya": "punya", "kok": "kok", "yah": "ya", "iya": "ya", "iy": "ya", "y": "ya",
    "yaa": "ya", "pake": "pakai", "pk": "pakai", "make": "memakai", "beli": "beli", "sll": "selalu",
    "slalu": "selalu", "bbrp": "beberapa", "ortu": "orang tua", "sdikit": "sedikit", "dikit": "sedikit",
    "tmn": "teman", "temen": "teman", "pelayananya": "pelayanannya", "rmh": "rumah", "tmpt": "tempat",
    "tempatnya": "tempat nya", "bangsat": "bangsat", "anjir": "anjing", "anjg": "anjing", "anjrit": "anjing",
    "njing": "anjing", "ajg": "anjing", "bgst": "bangsat", "bngst": "bangsat", "kntl": "kontol",
    "tolol": "tolol", "goblog": "goblok", "gblk": "goblok", "bego": "bodoh", "bodo": "bodoh",
}
NEGATORS = {"tidak", "bukan", "jangan", "belum", "kurang", "tanpa"}

_URL = re.compile(r"(https?://\S+|www\.\S+)")
_MENTION = re.compile(r"@\w+")
_BYTE_RUN = re.compile(r"(?:\\x[0-9a-fA-F]{2})+")
_TOKEN = re.compile(r"[a-z0-9]+|[^\sa-z0-9]")
_REPEAT = re.compile(r"(.)\1{2,}")
_WIDE = re.compile("[\u2000-\U0010ffff]")
_REPEAT1 = re.compile(r"(.)\1+")
_EMOTICONS = {":)": " EMO_POS ", ":-)": " EMO_POS ", ":D": " EMO_POS ", ":(": " EMO_NEG ", ":-(": " EMO_NEG ",
              ";)": " EMO_POS ", ":'(": " EMO_NEG ", "<3": " EMO_LOVE "}


def _bytes_to_token(m):
    # literal "\xf0\x9f\x98\x82" escapes -> one token per escape run ("emo_f09f9882")
    return " emo" + m.group(0).replace("\\x", "").lower() + " "


def normalise(text, slang=True, negation=2, squeeze=True, emoji=True):
    t = text
    t = t.replace("\\n", " ").replace("\\t", " ")
    if emoji:
        t = _BYTE_RUN.sub(_bytes_to_token, t)
        for k, v in _EMOTICONS.items():
            t = t.replace(k, v)
    t = _URL.sub(" url ", t)
    t = _MENTION.sub(" user ", t)
    t = t.lower()
    if emoji:
        # real (UTF-8) emoji / symbols outside BMP-latin -> token
        if not t.isascii():
            t = _WIDE.sub(lambda m: f" emo{ord(m.group(0)):x} ", t)
    toks = _TOKEN.findall(t)
    out = []
    for w in toks:
        if squeeze:
            w2 = _REPEAT.sub(r"\1\1", w)
            if slang and w2 not in SLANG:
                w1 = _REPEAT1.sub(r"\1", w2)
                if w1 in SLANG:
                    w2 = w1
            w = w2
        if slang and w in SLANG:
            out.extend(SLANG[w].split())
        else:
            out.append(w)
    if negation:
        res, left = [], 0
        for w in out:
            if w in NEGATORS:
                res.append(w)
                left = negation
                continue
            if left > 0 and w.isalnum():
                res.append("NEG_" + w)
                left -= 1
            else:
                if not w.isalnum():
                    left = 0
                res.append(w)
        out = res
    return out


# ---------------------------------------------------------------- features
def make_analyzer(word_ngrams=(1, 2), char_ngrams=(2, 5), char_mode="within", neg_in_char=False):
    """Feature strings for one token list. char_mode: 'within' words (with < > boundaries) or 'across'."""
    def analyzer(tokens):
        feats = []
        lo, hi = word_ngrams
        if hi > 0:
            for n in range(lo, hi + 1):
                for i in range(len(tokens) - n + 1):
                    feats.append("w" + str(n) + ":" + " ".join(tokens[i:i + n]))
        clo, chi = char_ngrams
        if chi > 0:
            if char_mode == "within":
                for tok in tokens:
                    if not neg_in_char and tok.startswith("NEG_"):
                        tok = tok[4:]
                    s = "<" + tok + ">"
                    for n in range(clo, chi + 1):
                        for i in range(len(s) - n + 1):
                            feats.append("c:" + s[i:i + n])
            else:
                s = " " + " ".join(x[4:] if x.startswith("NEG_") and not neg_in_char else x for x in tokens) + " "
                for n in range(clo, chi + 1):
                    for i in range(len(s) - n + 1):
                        feats.append("c:" + s[i:i + n])
        return feats
    return analyzer


def featurize(token_lists, analyzer, bits=20):
    hv = HashingVectorizer(analyzer=analyzer, n_features=2 ** bits, alternate_sign=False, norm=None)
    return hv.transform(token_lists).tocsr().astype(np.float32)


def weight(X, sublinear=True, idf=None, norm=True, binary=False):
    X = X.copy()
    if binary:
        X.data[:] = 1.0
    elif sublinear:
        X.data = 1.0 + np.log(X.data)
    if idf is not None:
        X = X @ sp.diags(idf.astype(np.float32))
    if norm:
        X = normalize(X)
    return X.tocsr()


def fit_idf(X):
    df = np.asarray((X > 0).sum(0)).ravel()
    n = X.shape[0]
    return np.log((1 + n) / (1 + df)) + 1.0


def nb_ratio(X, y_bin, alpha=1.0):
    """NB log-count ratio r = log((p/|p|_1)/(q/|q|_1)) on binarised features."""
    Xb = X.copy()
    Xb.data[:] = 1.0
    p = np.asarray(Xb[y_bin == 1].sum(0)).ravel() + alpha
    q = np.asarray(Xb[y_bin == 0].sum(0)).ravel() + alpha
    return np.log((p / p.sum()) / (q / q.sum())).astype(np.float32)


def macro_f1(y, p):
    from sklearn.metrics import f1_score
    return 100 * f1_score(y, p, average="macro")
