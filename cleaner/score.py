"""Stage 6: a context-free content score for every line, from its features and rule hits.

In: LineFeatures and RuleHits per line, and the `score.*` settings. Out: a logit per line
(positive: article content) and the names of the features that pushed it most. A linear
model: every weight lives in rules/base.toml under [settings.score], tuned by
benchmarks/tune.py. No context here: that is the next stage's work.
"""
from __future__ import annotations

import math
from bisect import bisect_right
from typing import Mapping, Sequence

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


def _one_hot(value: float, edges: Sequence[float]) -> list[float]:
    vec = [0.0] * (len(edges) + 1)
    vec[bisect_right(edges, value)] = 1.0
    return vec


def feature_vector(f: LineFeatures, hits: Sequence[RuleHit]) -> tuple[float, ...]:
    """Return the line's numeric features, in FEATURE_NAMES order."""
    return (
        math.log1p(f.chars),
        math.log1p(f.words),
        float(f.words <= 3),
        f.stopword_density,
        float(f.stopword_density == 0.0 and f.words >= 3),
        float(f.terminal_punct),
        float(f.ellipsis_end),
        float(f.colon_end),
        f.digit_share,
        f.upper_share,
        f.title_share,
        float(min(f.separators, 3)),
        float(f.has_url),
        float(f.glued),
        f.position,
        f.position * f.position,
        float(f.repeats > 0),
        f.topic_overlap,
        float(f.terminal_punct and f.words >= 8),
        f.relative_length,
        float(f.starts_lower),
        float(min(f.joins, 3)),
        float(f.enumerated),
        *_one_hot(f.words, WORD_BINS),
        *_one_hot(f.stopword_density if f.words >= 3 else -1.0, STOPWORD_BINS),
        sum(hit.weight for hit in hits),
    )


def score_lines(
    features: Sequence[LineFeatures], hits: Sequence[Sequence[RuleHit]], settings: Mapping
) -> tuple[tuple[float, tuple[str, ...]], ...]:
    """Return each line's content logit before context and the features that pushed it most."""
    bias = settings["score.bias"]
    weights = [settings[f"score.weights.{name}"] for name in FEATURE_NAMES]
    top = settings["score.reason_features"]
    out = []
    for f, h in zip(features, hits):
        if f.chars == 0:
            out.append((0.0, ()))
            continue
        parts = [w * x for w, x in zip(weights, feature_vector(f, h))]
        logit = bias + sum(parts)
        sign = 1.0 if logit >= 0 else -1.0
        pull = [-sign * part for part in parts]
        ranked = sorted(range(len(parts) - 1), key=pull.__getitem__)  # rule_weight is told by rule ids
        out.append((logit, tuple(f"feature.{FEATURE_NAMES[k]}" for k in ranked[:top] if sign * parts[k] > 0)))
    return tuple(out)


def sigmoid(x: float) -> float:
    """Return the logistic function of x, safe for large |x|."""
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)
