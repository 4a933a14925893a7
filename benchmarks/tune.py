"""Fit the weights of the line score and the context stage, and write them into rules/base.toml.

How the numbers in [settings.score] and [settings.smooth] were tuned:
1. Every devset page (`../shared/devset/*/ID.txt`) and every seed is run through cleaner's
   stages up to the features and rule hits, with the language detected as in production.
2. Each line gets a target: 1 when it is article text by the page's gold (its folded text
   lies inside the gold article and, for lines of one or two words, is a whole gold
   paragraph; for seeds, the hand labels), else 0.
3. A logistic regression (L2, each line weighted by its share of the page's tokens, so that
   each page counts alike, as in the mean F1 we report) fits the score weights; a second one,
   on the context features computed from those scores, fits the context weights.
4. Cross-validation holds out whole site groups (fundus' `site_group`; the URL's host for
   scrapinghub) and prints the held-out F1, so that numbers that only memorise sites show.

    python benchmarks/tune.py            # cross-validate and print
    python benchmarks/tune.py --write    # fit on everything and write rules/base.toml
    python benchmarks/tune.py --by-language   # held-out F1 per detected language too
Needs numpy (`pip install numpy`), which cleaner itself does not.
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import math
import random
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path
from urllib.parse import urlparse

import numpy as np

import cleaner
from cleaner.features import measure_lines
from cleaner.fold import fold_key
from cleaner.label import label_lines
from cleaner.normalize import normalize_text
from cleaner.rules import match_lines
from cleaner.score import FEATURE_NAMES, feature_matrix, score_lines
from cleaner.segment import split_lines
from cleaner.smooth import CONTEXT_NAMES, smooth_scores

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SHARED = ROOT.parent / "shared"
BASE = ROOT / "rules" / "base.toml"


def require(path: Path) -> Path:
    """Return path, or exit 2 naming it: the development pages and scorer are not shipped."""
    if not path.exists():
        print(f"{Path(sys.argv[0]).name}: {path}: no such file or folder (the development pages and "
              "their scorer are not shipped with cleaner)", file=sys.stderr)
        sys.exit(2)
    return path


def load_scorer():
    spec = importlib.util.spec_from_file_location("devset_score", require(SHARED / "eval" / "score.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


SCORER = load_scorer()


def squash(text: str) -> str:
    return " ".join(SCORER.tokenize(text))


class Page:
    """One page's lines with everything the fit needs."""

    def __init__(self, c: cleaner.Cleaner, text: str, group: str, gold: str | None = None, labels=None, name: str = ""):
        self.name = name
        norm = normalize_text(text)
        self.lines = split_lines(norm.text)
        self.language = c.detect(self.lines)
        self.rules = c.ruleset(self.language)
        self.features = measure_lines(self.lines, self.rules.stopwords, self.rules.settings)
        self.hits = match_lines(self.rules, self.lines, self.features)
        self.group = group
        self.tokens = [SCORER.tokenize(line.text) for line in self.lines]
        if labels is not None:
            self.target = [1 if lab in ("title", "heading", "body") else 0 for lab in labels]
        else:
            self.target = self._oracle(gold)
        self.gold_tokens = Counter(SCORER.tokenize(gold)) if gold is not None else \
            Counter(t for toks, y in zip(self.tokens, self.target) if y for t in toks)
        # Each page counts alike (as in the mean F1), each line by its share of the page's tokens.
        # (Weighing by the page's gold tokens instead, closer to F1's cost, held out worse: 0.880.)
        total = sum(len(t) for t in self.tokens) or 1
        self.weight = [len(t) / total for t in self.tokens]

    def _oracle(self, gold: str) -> list[int]:
        gold_lines = {squash(g) for g in gold.split("\n") if g.strip()}
        gold_all = " " + " ".join(squash(g) for g in gold.split("\n") if g.strip()) + " "
        out = []
        for toks in self.tokens:
            if not toks:
                out.append(0)
                continue
            s = " ".join(toks)
            if len(toks) <= 2:
                out.append(int(s in gold_lines))
            else:
                out.append(int((" " + s + " ") in gold_all))
        return out


def devset_pages():
    """Yield (dataset folder, page meta, site group) of every devset page, in a fixed order."""
    for ds in sorted(require(SHARED / "devset").iterdir()):
        if not (ds / "meta.jsonl").is_file():
            continue
        for line in (ds / "meta.jsonl").read_text().splitlines():
            m = json.loads(line)
            yield ds, m, m.get("site_group") or urlparse(m.get("url", "")).netloc or m["id"]


def load_pages() -> list[Page]:
    c = cleaner.Cleaner()
    pages = []
    for ds, m, group in devset_pages():
        text = (ds / f"{m['id']}.txt").read_text(encoding="utf-8")
        gold = (ds / f"{m['id']}.gold.txt").read_text(encoding="utf-8")
        pages.append(Page(c, text, f"{ds.name}:{group}", gold=gold, name=m["id"]))
    for seed in sorted((ROOT / "seeds").glob("*.txt")):
        rows = (seed.with_suffix("").with_suffix(".labels.tsv")).read_text(encoding="utf-8").splitlines()[1:]
        labels = [row.split("\t")[1] for row in rows]
        pages.append(Page(c, seed.read_text(encoding="utf-8"), f"seed:{seed.name}", labels=labels, name=seed.stem))
    return pages


def fit_logistic(X: np.ndarray, y: np.ndarray, w: np.ndarray, l2: float, iters: int = 50) -> np.ndarray:
    """Newton's method for weighted L2 logistic regression; the last column of X is the bias."""
    beta = np.zeros(X.shape[1])
    reg = np.full(X.shape[1], l2)
    reg[-1] = 0.0
    for _ in range(iters):
        z = X @ beta
        p = 1 / (1 + np.exp(-np.clip(z, -30, 30)))
        g = X.T @ (w * (p - y)) + reg * beta
        H = (X * (w * p * (1 - p))[:, None]).T @ X + np.diag(reg) + 1e-9 * np.eye(X.shape[1])
        step = np.linalg.solve(H, g)
        beta -= step
        if np.abs(step).max() < 1e-7:
            break
    return beta


def settings_with(pages_rules, score_beta, smooth_beta, extra) -> dict:
    s = dict(pages_rules.settings)
    s.update(extra)
    for name, b in zip(FEATURE_NAMES, score_beta[:-1]):
        s[f"score.weights.{name}"] = float(b)
    s["score.bias"] = float(score_beta[-1])
    if smooth_beta is not None:
        for name, b in zip(CONTEXT_NAMES, smooth_beta[:-1]):
            s[f"smooth.weights.{name}"] = float(b)
        s["smooth.bias"] = float(smooth_beta[-1])
    return s


def stage1_data(pages):
    X, y, w = [], [], []
    for p in pages:
        for f, row, t, wt in zip(p.features, feature_matrix(p.features, p.hits).tolist(), p.target, p.weight):
            if f.chars:
                X.append(tuple(row) + (1.0,))
                y.append(t)
                w.append(wt)
    return np.array(X), np.array(y, float), np.array(w)


def raw_logits(p, beta):
    logits = feature_matrix(p.features, p.hits) @ beta[:-1] + beta[-1]
    return [float(z) if f.chars else 0.0 for f, z in zip(p.features, logits)]


def stage2_data(pages, beta1, settings):
    """Context vectors: run smooth_scores with identity weights to read the context features."""
    X, y, w = [], [], []
    for p in pages:
        raw = raw_logits(p, beta1)
        for vec, f, t, wt in zip(context_vectors(raw, p, settings), p.features, p.target, p.weight):
            if f.chars:
                X.append(vec + (1.0,))
                y.append(t)
                w.append(wt)
    return np.array(X), np.array(y, float), np.array(w)


def context_vectors(raw, p, settings):
    """Return each line's context vector by probing smooth_scores one weight at a time."""
    probe = dict(settings)
    probe["smooth.bias"] = 0.0
    columns = []
    for k, name in enumerate(CONTEXT_NAMES):
        for other in CONTEXT_NAMES:
            probe[f"smooth.weights.{other}"] = 1.0 if other == name else 0.0
        columns.append([c.logit for c in smooth_scores(raw, p.features, p.hits, probe)])
    return [tuple(col[i] for col in columns) for i in range(len(raw))]


def page_f1(p, settings) -> float:
    scored_raw = [(z, ()) for z, _ in score_lines(p.features, p.hits, settings)]
    contexts = smooth_scores([z for z, _ in scored_raw], p.features, p.hits, settings)
    results = label_lines(p.lines, p.features, p.hits, scored_raw, contexts, settings, p.rules.stopwords)
    pred = Counter(t for r, toks in zip(results, p.tokens) if r.kept for t in toks)
    overlap = sum((pred & p.gold_tokens).values())
    if not pred or not p.gold_tokens:
        return 0.0
    prec, rec = overlap / sum(pred.values()), overlap / sum(p.gold_tokens.values())
    return 0.0 if overlap == 0 else 2 * prec * rec / (prec + rec)


def fit(pages, l2_1, l2_2, base_settings):
    X, y, w = stage1_data(pages)
    beta1 = fit_logistic(X, y, w, l2_1)
    X2, y2, w2 = stage2_data(pages, beta1, base_settings)
    beta2 = fit_logistic(X2, y2, w2, l2_2)
    return beta1, beta2


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--write", action="store_true")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--l2", type=float, default=0.01)
    ap.add_argument("--seed", type=int, default=0, help="shuffle of the site groups into folds")
    ap.add_argument("--by-language", action="store_true", help="also print held-out F1 per detected language")
    ap.add_argument("--per-page", metavar="FILE", help="write each page's held-out F1 there (TSV: site group, page, F1)")
    args = ap.parse_args(argv)
    pages = load_pages()
    base = pages[0].rules
    print(f"{len(pages)} pages, {sum(len(p.lines) for p in pages)} lines", file=sys.stderr)
    groups = sorted({p.group for p in pages})
    random.Random(args.seed).shuffle(groups)
    fold_of = {g: i % args.folds for i, g in enumerate(groups)}
    scores = defaultdict(list)
    by_language = defaultdict(list)
    per_page = []
    for k in range(args.folds):
        train = [p for p in pages if fold_of[p.group] != k]
        test = [p for p in pages if fold_of[p.group] == k]
        b1, b2 = fit(train, args.l2, args.l2, base.settings)
        s = settings_with(base, b1, b2, {})
        for p in test:
            f1 = page_f1(p, s)
            scores[p.group.split(":")[0]].append(f1)
            by_language[p.language or "-"].append(f1)
            per_page.append((p.group, p.name, f1))
    for name, vals in sorted(scores.items()):
        print(f"held-out {name}: n={len(vals)} mean F1 {np.mean(vals):.4f} median {np.median(vals):.4f}")
    if args.by_language:    # by the detected language ("-": none sure enough), languages of 3+ pages
        for code, vals in sorted(by_language.items(), key=lambda kv: (-len(kv[1]), kv[0])):
            if len(vals) >= 3:
                print(f"held-out lang {code}: n={len(vals)} mean F1 {np.mean(vals):.4f}")
    if args.per_page:
        Path(args.per_page).write_text("".join(f"{group}\t{name}\t{f1:.4f}\n" for group, name, f1 in sorted(per_page)))
    allv = [v for vals in scores.values() for v in vals]
    print(f"held-out all: n={len(allv)} mean F1 {np.mean(allv):.4f}")
    if args.write:
        b1, b2 = fit(pages, args.l2, args.l2, base.settings)
        write_weights(b1, b2)
        print("wrote", BASE)
    return 0


def write_weights(beta1, beta2) -> None:
    text = BASE.read_text()
    def put(table: str, key: str, value: float) -> None:
        nonlocal text
        start = text.index(f"[{table}]")
        end = text.find("\n[", start + 1)
        end = len(text) if end < 0 else end
        block = text[start:end]
        new, n = re.subn(rf"(?m)^{re.escape(key)} = .*$", f"{key} = {value:.4f}", block)
        if n == 0:
            new = block.rstrip("\n") + f"\n{key} = {value:.4f}\n" + ("\n" if block.endswith("\n\n") else "")
        elif n > 1:
            raise SystemExit(f"tune: {table}.{key} found twice in {BASE}")
        text = text[:start] + new + text[end:]
    for name, b in zip(FEATURE_NAMES, beta1[:-1]):
        put("settings.score.weights", name, float(b))
    put("settings.score", "bias", float(beta1[-1]))
    for name, b in zip(CONTEXT_NAMES, beta2[:-1]):
        put("settings.smooth.weights", name, float(b))
    put("settings.smooth", "bias", float(beta2[-1]))
    BASE.write_text(text)


if __name__ == "__main__":
    sys.exit(main())
