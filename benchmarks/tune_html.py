"""Fit the weights of the HTML evidence and write them into rules/base.toml ([settings.html]).

How the numbers in [settings.html] and the weights of the `base.html_*` categories were tuned:
1. Every devset page's HTML (`../shared/devset/*/ID.html`) is laid out as lines by
   cleaner/html.py and run through the text stages up to the raw logits (score.py, with the
   weights rules/base.toml holds today), with the language detected as in production.
2. Each line gets a target: 1 when it is article text by the page's gold (its tokens lie inside
   the gold article and, for lines of one or two words, make a whole gold paragraph), else 0.
3. A logistic regression with the text score's raw logit as a fixed offset (L2; each line
   weighted by its share of the page's tokens, so that each page counts alike, as in the mean
   F1 we report) fits the evidence weights of cleaner/evidence.py (EVIDENCE_NAMES), the bias
   and one weight per HTML category. A second one, with the first's logits as the offset, fits
   the weights of the article container found from them (CONTAINER_NAMES).
   Evidence named in HAND_SET is not fitted: its weight in rules/base.toml stays and is part of
   the offset (the logistic loss disagrees with the F1 on it; see base.toml).
4. Cross-validation holds out whole site groups (fundus' `site_group`; the URL's host for
   scrapinghub) and prints the held-out mean F1 of the whole pipeline (smoothing and labels
   included), so that numbers that only memorise sites show.

    python benchmarks/tune_html.py            # cross-validate and print
    python benchmarks/tune_html.py --write    # fit on every page and write rules/base.toml
Needs numpy (`pip install numpy`), which cleaner itself does not.
"""
from __future__ import annotations

import argparse
import pickle
import random
import re
import sys
import time
from collections import Counter, defaultdict
from dataclasses import replace
from pathlib import Path

import numpy as np

import cleaner
from cleaner.container import DomTree, container_names, container_vectors
from cleaner.evidence import (EVIDENCE_NAMES, add_hit_weights, evidence_vectors, holding_elements, match_dom,
                              shift_by_evidence, weigh_evidence)
from cleaner.features import measure_lines
from cleaner.html import layout_html
from cleaner.label import label_lines
from cleaner.rules import match_lines
from cleaner.score import score_lines
from cleaner.smooth import smooth_scores
from tune import BASE, SCORER, devset_pages, squash  # the devset, its scorer and the rule file, as tune.py finds them

CONTAINER_NAMES = container_names(EVIDENCE_NAMES)

# Evidence whose weight is chosen by the mean F1, not by the fit (rules/base.toml says why).
HAND_SET = ("description",)
FITTED = tuple(name for name in EVIDENCE_NAMES if name not in HAND_SET)


def oracle(tokens: list[list[str]], gold: str) -> list[int]:
    """Return 1 for each line that is article text by the gold, else 0."""
    paragraphs = [squash(g) for g in gold.split("\n") if g.strip()]
    whole, inside = set(paragraphs), " " + " ".join(paragraphs) + " "
    out = []
    for toks in tokens:
        s = " ".join(toks)
        if not toks:
            out.append(0)
        elif len(toks) <= 2:
            out.append(int(s in whole))
        else:
            out.append(int(f" {s} " in inside))
    return out


class Page:
    """One HTML page's lines with everything the fit needs."""

    def __init__(self, c: cleaner.Cleaner, page, group: str, dataset: str, gold: str):
        self.page = page
        self.lines = page.lines
        self.evidence = page.evidence
        self.group = group
        self.dataset = dataset
        self.language = c.detect(self.lines)
        self.rules = c.ruleset(self.language)
        self.features = measure_lines(self.lines, self.rules.stopwords, self.rules.settings)
        self.text_hits = match_lines(self.rules, self.lines, self.features)
        self.scored = score_lines(self.features, self.text_hits, self.rules.settings)
        self.tokens = [SCORER.tokenize(line.text) for line in self.lines]
        self.target = oracle(self.tokens, gold)
        self.gold_tokens = Counter(SCORER.tokenize(gold))
        total = sum(len(t) for t in self.tokens) or 1
        self.weight = [len(t) / total for t in self.tokens]
        self.keep = np.array([bool(f.chars) for f in self.features], bool)
        self.tree = DomTree(self.evidence)


def load_pages(cache: Path | None) -> list[Page]:
    c = cleaner.Cleaner()
    layouts = {}
    if cache and cache.is_file():
        layouts = pickle.loads(cache.read_bytes())
    pages = []
    for ds, m, group in devset_pages():
        key = f"{ds.name}/{m['id']}"
        if key not in layouts:
            layouts[key] = layout_html((ds / f"{m['id']}.html").read_bytes())
        gold = (ds / f"{m['id']}.gold.txt").read_text(encoding="utf-8")
        pages.append(Page(c, layouts[key], f"{ds.name}:{group}", ds.name, gold))
    if cache and not cache.is_file():
        cache.write_bytes(pickle.dumps(layouts))
    return pages


def fit_logistic(X, y, w, offset, l2: float, iters: int = 100) -> np.ndarray:
    """Weighted L2 logistic regression with a fixed offset (Newton's method, steps halved until the loss falls).

    The last column of X is the bias, which is not penalised.
    """
    reg = np.full(X.shape[1], l2)
    reg[-1] = 0.0

    def loss(beta):
        z = offset + X @ beta
        return float(np.sum(w * (np.logaddexp(0, z) - y * z)) + 0.5 * np.sum(reg * beta * beta))

    beta = np.zeros(X.shape[1])
    current = loss(beta)
    for _ in range(iters):
        z = offset + X @ beta
        p = 1 / (1 + np.exp(-np.clip(z, -30, 30)))
        g = X.T @ (w * (p - y)) + reg * beta
        H = (X * (w * p * (1 - p))[:, None]).T @ X + np.diag(reg) + 1e-9 * np.eye(X.shape[1])
        step = np.linalg.solve(H, g)
        scale = 1.0
        while scale > 1e-4 and loss(beta - scale * step) > current:
            scale /= 2
        beta = beta - scale * step
        new = loss(beta)
        if current - new < 1e-10:
            break
        current = new
    return beta


class Model:
    """Candidate numbers: settings (evidence and container weights) and the HTML category weights."""

    def __init__(self, settings, weights: dict[str, float]):
        self.settings = dict(settings)
        self.weights = dict(weights)

    def ruleset(self, rules):
        """Return the page's rule set with this model's HTML category weights."""
        cats = tuple(replace(c, weight=self.weights[c.id]) if c.is_html else c for c in rules.categories)
        return replace(rules, categories=cats)

    def numeric(self, p: Page):
        return shift_by_evidence(p.scored, p.features, self.vectors(p), self.settings)

    def vectors(self, p: Page):
        return evidence_vectors(p.evidence, p.features, self.settings, p.tree)

    def stage1(self, p: Page):
        """Return the logits after the line's own evidence and the HTML categories, and the hits."""
        shifted = self.numeric(p)
        holding = holding_elements(p.tree, [z for z, _ in shifted], p.features, p.evidence, self.settings)
        hits = match_dom(self.ruleset(p.rules), p.evidence, self.settings, exempt=holding, tree=p.tree)
        return add_hit_weights(shifted, hits), hits

    def output(self, p: Page):
        """Return the page's labelled lines under this model, as clean_html would."""
        scored, dom_hits = weigh_evidence(p.scored, p.features, p.evidence, self.ruleset(p.rules), self.settings)
        hits = tuple(t + d for t, d in zip(p.text_hits, dom_hits))
        contexts = smooth_scores([z for z, _ in scored], p.features, hits, self.settings)
        return label_lines(p.lines, p.features, hits, scored, contexts, self.settings, p.rules.stopwords)


def html_ids(pages) -> list[str]:
    return [c.id for c in pages[0].rules.categories if c.is_html]


def stage1_data(pages, model: Model, ids):
    """Rows: evidence vector, one indicator per HTML category, bias; offset: the text raw logit."""
    fitted = [k for k, name in enumerate(EVIDENCE_NAMES) if name in FITTED]
    hand = [(k, model.settings[f"html.weights.{name}"]) for k, name in enumerate(EVIDENCE_NAMES) if name in HAND_SET]
    Xs, ys, ws, offs = [], [], [], []
    for p in pages:
        shifted = model.numeric(p)
        holding = holding_elements(p.tree, [z for z, _ in shifted], p.features, p.evidence, model.settings)
        hits = match_dom(p.rules, p.evidence, model.settings, exempt=holding, tree=p.tree)
        vectors = model.vectors(p)
        rows = [tuple(vec[k] for k in fitted) + tuple(float(any(h.rule_id == i for h in hs)) for i in ids) + (1.0,)
                for vec, hs in zip(vectors, hits)]
        if not rows:
            continue
        Xs.append(np.array(rows)[p.keep])
        ys.append(np.array(p.target, float)[p.keep])
        ws.append(np.array(p.weight)[p.keep])
        offs.append(np.array([z + sum(w * vec[k] for k, w in hand) for (z, _), vec in zip(p.scored, vectors)])[p.keep])
    return np.vstack(Xs), np.concatenate(ys), np.concatenate(ws), np.concatenate(offs)


def stage2_data(pages, model: Model):
    """Rows: the container vector and bias; offset: the stage-1 logit."""
    Xs, ys, ws, offs = [], [], [], []
    for p in pages:
        scored, _ = model.stage1(p)
        if not scored:
            continue
        z = [v for v, _ in scored]
        where = container_vectors(p.tree, z, p.features, model.vectors(p), EVIDENCE_NAMES, model.settings)
        rows = [vec + (1.0,) for vec in where]
        Xs.append(np.array(rows)[p.keep])
        ys.append(np.array(p.target, float)[p.keep])
        ws.append(np.array(p.weight)[p.keep])
        offs.append(np.array(z)[p.keep])
    return np.vstack(Xs), np.concatenate(ys), np.concatenate(ws), np.concatenate(offs)


def fit(pages, model: Model, l2: float, rounds: int = 2) -> Model:
    """Fit stage 1 (twice: the exempt container depends on its weights), then the container."""
    ids = html_ids(pages)
    for _ in range(rounds):
        X, y, w, off = stage1_data(pages, model, ids)
        beta = fit_logistic(X, y, w, off, l2)
        k = len(FITTED)
        for name, b in zip(FITTED, beta[:k]):
            model.settings[f"html.weights.{name}"] = float(b)
        for rule_id, b in zip(ids, beta[k:-1]):
            model.weights[rule_id] = float(b)
        model.settings["html.bias"] = float(beta[-1])
    X, y, w, off = stage2_data(pages, model)
    beta = fit_logistic(X, y, w, off, l2)
    for name, b in zip(CONTAINER_NAMES, beta[:-1]):
        model.settings[f"html.container.weights.{name}"] = float(b)
    model.settings["html.container.bias"] = float(beta[-1])
    return model


def page_f1(p: Page, model: Model) -> float:
    results = model.output(p)
    pred = Counter(t for r, toks in zip(results, p.tokens) if r.kept for t in toks)
    overlap = sum((pred & p.gold_tokens).values())
    if not pred or not p.gold_tokens or not overlap:
        return 0.0
    prec, rec = overlap / sum(pred.values()), overlap / sum(p.gold_tokens.values())
    return 2 * prec * rec / (prec + rec)


def current_model(pages) -> Model:
    """Return the numbers rules/base.toml holds today."""
    rules = pages[0].rules
    return Model(rules.settings, {c.id: c.weight for c in rules.categories if c.is_html})


def zero_model(pages) -> Model:
    """Return a model whose evidence weighs nothing (the start of a fit), but for the HAND_SET weights."""
    model = current_model(pages)
    hand = {f"html.weights.{name}" for name in HAND_SET}
    for key in list(model.settings):
        if key in hand:
            continue
        if key.startswith(("html.weights.", "html.container.weights.")) or key in ("html.bias", "html.container.bias"):
            model.settings[key] = 0.0
    model.weights = {k: 0.0 for k in model.weights}
    return model


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--write", action="store_true")
    ap.add_argument("--folds", type=int, default=5, help="site-group folds to cross-validate (0: none)")
    ap.add_argument("--l2", type=float, default=0.01)
    ap.add_argument("--cache", type=Path, default=None, help="pickle the page layouts here (for repeated runs)")
    args = ap.parse_args(argv)
    start = time.time()
    pages = load_pages(args.cache)
    print(f"{len(pages)} pages, {sum(len(p.lines) for p in pages)} lines ({time.time() - start:.0f} s)", file=sys.stderr)
    scores = defaultdict(list)
    now = current_model(pages)
    for p in pages:
        scores[p.dataset].append(page_f1(p, now))
    for name, vals in sorted(scores.items()):
        print(f"current weights {name}: n={len(vals)} mean F1 {np.mean(vals):.4f}")
    groups = sorted({p.group for p in pages})
    random.Random(0).shuffle(groups)
    fold_of = {g: i % max(1, args.folds) for i, g in enumerate(groups)}
    scores = defaultdict(list)
    for k in range(args.folds):
        train = [p for p in pages if fold_of[p.group] != k]
        model = fit(train, zero_model(pages), args.l2)
        for p in pages:
            if fold_of[p.group] == k:
                scores[p.dataset].append(page_f1(p, model))
    for name, vals in sorted(scores.items()):
        print(f"held-out {name}: n={len(vals)} mean F1 {np.mean(vals):.4f} median {np.median(vals):.4f}")
    if args.write:
        model = fit(pages, zero_model(pages), args.l2)
        write_model(model)
        print("wrote", BASE)
    return 0


def write_model(model: Model) -> None:
    text = BASE.read_text()

    def put(table: str, key: str, value: float) -> None:
        nonlocal text
        header = re.search(rf"(?m)^\[{re.escape(table)}\]$", text)   # the table itself, not a comment naming it
        if header is None:
            raise SystemExit(f"tune_html: no [{table}] in {BASE}")
        start = header.start()
        end = text.find("\n[", start + 1)
        end = len(text) if end < 0 else end
        block = text[start:end]
        new, n = re.subn(rf"(?m)^{re.escape(key)} = .*$", f"{key} = {value:.4f}", block)
        if n != 1:
            raise SystemExit(f"tune_html: {table}.{key} found {n} times in {BASE}")
        text = text[:start] + new + text[end:]

    for name in FITTED:
        put("settings.html.weights", name, model.settings[f"html.weights.{name}"])
    put("settings.html", "bias", model.settings["html.bias"])
    for name in CONTAINER_NAMES:
        put("settings.html.container.weights", name, model.settings[f"html.container.weights.{name}"])
    put("settings.html.container", "bias", model.settings["html.container.bias"])
    for rule_id, weight in model.weights.items():
        put(f"category.{rule_id.split('.', 1)[1]}", "weight", weight)
    BASE.write_text(text)


if __name__ == "__main__":
    sys.exit(main())
