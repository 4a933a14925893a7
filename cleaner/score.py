"""Stage 6: a context-free content score for every line, from its features and rule hits.

In: LineFeatures and RuleHits per line, and the `score.*` settings. Out: a logit per line
(positive: article content) and the names of the features that pushed it most. A linear
model: every weight lives in rules/base.toml under [settings.score], tuned by
benchmarks/tune.py. No context here: that is the next stage's work.
"""
from __future__ import annotations

import math
from operator import attrgetter
from typing import Mapping, Sequence

import numpy

from .model import LineFeatures, RuleHit

BASE_FEATURES = (
    "log_chars", "log_words", "short", "stopword_density", "no_stopwords", "terminal_punct",
    "ellipsis_end", "colon_end", "digit_share", "upper_share", "title_share", "separators",
    "has_url", "glued", "position", "position_sq", "repeated", "topic_overlap",
    "terminal_x_long", "relative_length", "starts_lower", "joins", "enumerated",
)
# Piecewise features: one indicator per bin of a line's length in words and of its stop-word
# density, so that the linear model can bend where length and density matter most.
WORD_BINS = (2, 3, 5, 8, 12, 20, 35, 60)
STOPWORD_BINS = (0.05, 0.15, 0.25, 0.35, 0.45)
FEATURE_NAMES = (
    BASE_FEATURES
    + tuple(f"words_bin_{k}" for k in range(len(WORD_BINS) + 1))
    + tuple(f"stopword_bin_{k}" for k in range(len(STOPWORD_BINS) + 1))
    + ("rule_weight",)
)


# The LineFeatures fields the matrix is built from, read for all lines at once (flags as 0/1).
_FIELD_NAMES = ("chars", "words", "stopword_density", "digit_share", "upper_share", "title_share",
                "separators", "position", "repeats", "topic_overlap", "relative_length", "joins",
                "terminal_punct", "ellipsis_end", "colon_end", "has_url", "glued", "starts_lower", "enumerated")
_FIELDS = attrgetter(*_FIELD_NAMES)


def feature_matrix(features: Sequence[LineFeatures], hits: Sequence[Sequence[RuleHit]]) -> numpy.ndarray:
    """Return every line's numeric features as the rows of a matrix, in FEATURE_NAMES order."""
    n = len(features)
    table = numpy.array(list(map(_FIELDS, features)), dtype=numpy.float64).reshape(n, len(_FIELD_NAMES))
    col = {name: table[:, k] for k, name in enumerate(_FIELD_NAMES)}
    words, density, position = col["words"], col["stopword_density"], col["position"]
    columns = [
        numpy.log1p(col["chars"]),
        numpy.log1p(words),
        words <= 3,
        density,
        (density == 0.0) & (words >= 3),
        col["terminal_punct"],
        col["ellipsis_end"],
        col["colon_end"],
        col["digit_share"],
        col["upper_share"],
        col["title_share"],
        numpy.minimum(col["separators"], 3),
        col["has_url"],
        col["glued"],
        position,
        position * position,
        col["repeats"] > 0,
        col["topic_overlap"],
        (col["terminal_punct"] > 0) & (words >= 8),
        col["relative_length"],
        col["starts_lower"],
        numpy.minimum(col["joins"], 3),
        col["enumerated"],
    ]
    matrix = numpy.zeros((n, len(FEATURE_NAMES)))
    matrix[:, :len(columns)] = numpy.column_stack(columns) if n else numpy.zeros((0, len(columns)))
    # One indicator per bin: bisect_right(edges, value) is searchsorted(..., side="right").
    offset = len(columns)
    rows = numpy.arange(n)
    matrix[rows, offset + numpy.searchsorted(WORD_BINS, words, side="right")] = 1.0
    offset += len(WORD_BINS) + 1
    matrix[rows, offset + numpy.searchsorted(STOPWORD_BINS, numpy.where(words >= 3, density, -1.0), side="right")] = 1.0
    matrix[:, -1] = [sum(hit.weight for hit in h) if h else 0.0 for h in hits]
    return matrix


def feature_vector(f: LineFeatures, hits: Sequence[RuleHit]) -> tuple[float, ...]:
    """Return one line's numeric features, in FEATURE_NAMES order."""
    return tuple(feature_matrix([f], [hits])[0].tolist())


def score_lines(
    features: Sequence[LineFeatures], hits: Sequence[Sequence[RuleHit]], settings: Mapping
) -> tuple[tuple[float, tuple[str, ...]], ...]:
    """Return each line's content logit before context and the features that pushed it most."""
    if not features:
        return ()
    bias = settings["score.bias"]
    weights = numpy.array([settings[f"score.weights.{name}"] for name in FEATURE_NAMES])
    top = settings["score.reason_features"]
    parts = feature_matrix(features, hits) * weights
    # A running sum, not numpy's pairwise one: the same float as summing the parts in order.
    logits = bias + numpy.cumsum(parts, axis=1)[:, -1]
    # rule_weight is told by rule ids, not as a feature.
    name = _REASON_NAMES.__getitem__
    out = []
    for f, logit, order in zip(features, logits.tolist(), pushed_most(parts[:, :-1], logits, top)):
        if f.chars == 0:
            out.append((0.0, ()))
        else:
            out.append((logit, tuple(map(name, order))))
    return tuple(out)


def pushed_most(parts: numpy.ndarray, totals: numpy.ndarray, top: int) -> list[list[int]]:
    """Return, per row, the columns whose part pushed the row's total its way, most first (at most top)."""
    pushed = numpy.where(totals >= 0, 1.0, -1.0)[:, None] * parts
    ranked = numpy.argsort(-pushed, axis=1, kind="stable")[:, :top]
    # Ranked from the most pushing down, so the columns that pushed at all come first.
    told = numpy.minimum((pushed > 0).sum(axis=1), top)
    return [order[:count] for order, count in zip(ranked.tolist(), told.tolist())]


_REASON_NAMES = tuple(f"feature.{name}" for name in FEATURE_NAMES)


def sigmoid(x: float) -> float:
    """Return the logistic function of x, safe for large |x|."""
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)
