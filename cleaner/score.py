"""Stage 6: a context-free content score for every line, from its features and rule hits.

In: LineFeatures and RuleHits per line, and the `score.*` settings. Out: a logit per line
(positive: article content) and the names of the features that pushed it most. A linear
model: every weight lives in rules/base.toml under [settings.score], tuned by
benchmarks/tune.py. No context here: that is the next stage's work.
"""
from __future__ import annotations

import math
from itertools import compress
from operator import attrgetter
from types import MappingProxyType
from typing import Mapping, Sequence

import numpy

from .caches import register
from .columns import FIELD, feature_table
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
_WEIGHT_KEYS = tuple(f"score.weights.{name}" for name in FEATURE_NAMES)
_REASON_NAMES = tuple(f"feature.{name}" for name in FEATURE_NAMES)

# The features that are LineFeatures fields as they are (flags as 0/1).
_COPIED = ("stopword_density", "terminal_punct", "ellipsis_end", "colon_end", "digit_share", "upper_share",
           "title_share", "has_url", "glued", "position", "topic_overlap", "relative_length", "starts_lower",
           "enumerated")
_COPIED_FROM = [FIELD[name] for name in _COPIED]
_COPIED_TO = [FEATURE_NAMES.index(name) for name in _COPIED]
_WEIGHT = attrgetter("weight")
_WORD_EDGES, _STOPWORD_EDGES = numpy.array(WORD_BINS), numpy.array(STOPWORD_BINS)
_WORD_BIN_IDS = numpy.arange(len(WORD_BINS) + 1)[:, None]
_STOPWORD_BIN_IDS = numpy.arange(len(STOPWORD_BINS) + 1)[:, None]


def feature_rows(table: numpy.ndarray, hits: Sequence[Sequence[RuleHit]]) -> numpy.ndarray:
    """Return the numeric features of every line from its feature_table: a row per feature, in
    FEATURE_NAMES order, and a column per line."""
    field = LineFeatures._make(table)
    words, density, position = field.words, field.stopword_density, field.position
    n = table.shape[1]
    rows = numpy.zeros((len(FEATURE_NAMES), n))
    rows[_COPIED_TO] = table[_COPIED_FROM]
    at = FEATURE_NAMES.index
    rows[at("log_chars")] = numpy.log1p(field.chars)
    rows[at("log_words")] = numpy.log1p(words)
    rows[at("short")] = words <= 3
    rows[at("no_stopwords")] = (density == 0.0) & (words >= 3)
    rows[at("separators")] = numpy.minimum(field.separators, 3)
    rows[at("position_sq")] = position * position
    rows[at("repeated")] = field.repeats > 0
    rows[at("terminal_x_long")] = (field.terminal_punct > 0) & (words >= 8)
    rows[at("joins")] = numpy.minimum(field.joins, 3)
    # One indicator per bin: bisect_right(edges, value) is searchsorted(..., side="right").
    words_bin = numpy.searchsorted(_WORD_EDGES, words, side="right")
    rows[at("words_bin_0"):at("words_bin_0") + len(WORD_BINS) + 1] = words_bin == _WORD_BIN_IDS
    stopword_bin = numpy.searchsorted(_STOPWORD_EDGES, numpy.where(words >= 3, density, -1.0), side="right")
    rows[at("stopword_bin_0"):at("stopword_bin_0") + len(STOPWORD_BINS) + 1] = stopword_bin == _STOPWORD_BIN_IDS
    hit = list(compress(range(n), hits))     # the lines with rule hits
    rows[-1, hit] = [sum(map(_WEIGHT, hits[i])) for i in hit]
    return rows


def feature_matrix(features: Sequence[LineFeatures], hits: Sequence[Sequence[RuleHit]]) -> numpy.ndarray:
    """Return every line's numeric features as the rows of a matrix, in FEATURE_NAMES order."""
    return feature_rows(feature_table(features), hits).T


def feature_vector(f: LineFeatures, hits: Sequence[RuleHit]) -> tuple[float, ...]:
    """Return one line's numeric features, in FEATURE_NAMES order."""
    return tuple(feature_matrix([f], [hits])[0].tolist())


def score_lines(
    features: Sequence[LineFeatures], hits: Sequence[Sequence[RuleHit]], settings: Mapping
) -> tuple[tuple[float, tuple[str, ...]], ...]:
    """Return each line's content logit before context and the features that pushed it most."""
    if not features:
        return ()
    weights = setting_vector(settings, _WEIGHT_KEYS)
    table = feature_table(features)
    parts = feature_rows(table, hits) * weights[:, None]
    logits = settings["score.bias"] + running_sum(parts)
    # rule_weight is told by rule ids, not as a feature.
    reasons = pushed_most(parts[:-1].T, logits, settings["score.reason_features"], _REASON_NAMES)
    blank = numpy.flatnonzero(table[FIELD["chars"]] == 0)
    logits[blank] = 0.0
    for i in blank.tolist():
        reasons[i] = ()
    return tuple(zip(logits.tolist(), reasons))


def setting_vector(settings: Mapping, keys: tuple[str, ...]) -> numpy.ndarray:
    """Return the settings under keys as a read-only float vector, made once per rule set's settings.

    Only read-only settings (a rule set's MappingProxyType) are remembered: a plain dict may be
    changed between calls (the tuner probes one weight at a time) and is read afresh each time.
    """
    remembered = isinstance(settings, MappingProxyType)
    found = _VECTORS.get((id(settings), keys)) if remembered else None
    if found is not None and found[0] is settings:
        return found[1]
    vector = numpy.array([settings[key] for key in keys], dtype=numpy.float64)
    vector.flags.writeable = False
    if remembered:
        if len(_VECTORS) >= 64:       # bounded: a process holds a few rule sets
            _VECTORS.clear()
        _VECTORS[id(settings), keys] = (settings, vector)
    return vector


# Each settings' vectors, by id(settings) and keys; the settings themselves are kept, so that
# their id stays theirs.
_VECTORS: dict[tuple[int, tuple[str, ...]], tuple[Mapping, numpy.ndarray]] = {}
register(_VECTORS.clear)


def running_sum(rows: numpy.ndarray) -> numpy.ndarray:
    """Return the sum of the rows, added one after the other: per column, the same float as
    summing its values in order (numpy's sum may pair them up; its cumsum is slower)."""
    total = rows[0].copy()
    for row in rows[1:]:
        total += row
    return total


def pushed_most(parts: numpy.ndarray, totals: numpy.ndarray, top: int,
                names: Sequence[str]) -> list[tuple[str, ...]]:
    """Return, per row, the names of the columns whose part pushed the row's total its way, most first (at most top)."""
    n, width = parts.shape
    pushed = numpy.multiply(numpy.where(totals >= 0, 1.0, -1.0)[:, None], parts, order="C")   # rows: argmax
    rows = numpy.arange(n)
    picks, told = [], numpy.zeros(n, dtype=numpy.intp)
    # The largest push, then the next largest, ...: argmax takes the first of equal pushes, so
    # the order is a stable sort's.
    for _ in range(min(top, width)):
        column = pushed.argmax(axis=1)
        told += pushed[rows, column] > 0
        pushed[rows, column] = -numpy.inf
        picks.append(column)
    if not picks:
        return [()] * n
    named = numpy.array(names, dtype=object)
    out = list(zip(*(named[column].tolist() for column in picks)))
    for row in numpy.flatnonzero(told < len(picks)).tolist():   # fewer columns pushed its way
        out[row] = out[row][:told[row]]
    return out


def sigmoids(logits: Sequence[float]) -> numpy.ndarray:
    """Return sigmoid() of every logit, the same floats.

    exp runs per logit in Python's math (numpy's exp may differ in the last bit); the rest in
    numpy, whose float division and addition round as Python's do.
    """
    x = numpy.fromiter(logits, numpy.float64, len(logits))
    e = numpy.fromiter(map(math.exp, (-numpy.abs(x)).tolist()), numpy.float64, len(x))   # exp(-|x|)
    return numpy.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def sigmoid(x: float) -> float:
    """Return the logistic function of x, safe for large |x|."""
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)
