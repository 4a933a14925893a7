"""How much the article region is worth: the devset F1 with the gold region beside the found one.

The context stage (cleaner/smooth.py) finds the article region as the run of lines with the most
content mass (`find_region` over the raw logits). This experiment replaces it, page by page, by
the span from the first to the last line of the page's gold article (tune.py's line targets),
refits the score and context weights on every page as `tune.py --write` does, and prints the
mean and median F1 of both, then the pages that gain most. An upper bound on what a better
region search could give, measured in-sample (both fits see every page).

    python benchmarks/region_headroom.py [--top 25]

Session 5: gold region 0.9585 mean / 0.9785 median against 0.9277 / 0.9700 found; most of
the gap is in a few pages whose region is wrong altogether (a comment thread, a quote among
many, a results table, a recipe list).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import tune  # noqa: E402

import cleaner.smooth as smooth  # noqa: E402

_FIND_REGION = smooth.find_region
_GOLD: dict[str, object] = {}      # the current page's gold span and its number of non-blank lines


def _gold_or_found(gains):
    """find_region, except on the current page's whole gain list: its gold span."""
    if _GOLD and len(gains) == _GOLD["lines"]:
        return _GOLD["span"]
    return _FIND_REGION(gains)


def _use_gold(p) -> None:
    nonblank = [i for i, f in enumerate(p.features) if f.chars]
    gold = [k for k, i in enumerate(nonblank) if p.target[i]]
    _GOLD.update(lines=len(nonblank), span=(gold[0], gold[-1]) if gold else (0, -1))


def _fit_and_score(pages, devset):
    base = pages[0].rules
    beta1, beta2 = tune.fit(pages, 0.01, 0.01, base.settings)
    settings = tune.settings_with(base, beta1, beta2, {})
    return [tune.page_f1(p, settings) for p in devset]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--top", type=int, default=25, help="list the pages that gain most")
    args = ap.parse_args(argv)
    pages = tune.load_pages()
    devset = [p for p in pages if not p.group.startswith("seed:")]
    found = _fit_and_score(pages, devset)

    context_vectors, page_f1 = tune.context_vectors, tune.page_f1
    smooth.find_region = _gold_or_found
    tune.context_vectors = lambda raw, p, settings: (_use_gold(p), context_vectors(raw, p, settings))[1]
    tune.page_f1 = lambda p, settings: (_use_gold(p), page_f1(p, settings))[1]
    try:
        gold = _fit_and_score(pages, devset)
    finally:
        smooth.find_region, tune.context_vectors, tune.page_f1 = _FIND_REGION, context_vectors, page_f1
        _GOLD.clear()

    print(f"found region: mean F1 {np.mean(found):.4f} median {np.median(found):.4f}")
    print(f"gold region:  mean F1 {np.mean(gold):.4f} median {np.median(gold):.4f}")
    gains = sorted(zip(np.subtract(gold, found), found, gold, (p.group for p in devset)), reverse=True)
    for gain, a, b, group in gains[:args.top]:
        print(f"  {gain:+.3f}  {a:.3f} -> {b:.3f}  {group}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
