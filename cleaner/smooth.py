"""Stage 7: context and sections revise the context-free scores.

In: the raw logits, features and rule hits of a page, and the `smooth.*` settings. Out: a
revised logit per line and the context facts that moved it. Three kinds of context:
neighbours (a short line takes the colour of the lines around it, as in jusText), the
article region (the stretch of the page with the most content mass: the page's edges lean
to boilerplate), and sections (after a "Related articles" or comment header, once enough
body has been seen, what follows leans to that header's label).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Mapping, Sequence

import numpy

from .model import Label, LineFeatures, RuleHit

CONTEXT_NAMES = (
    "raw", "window_1", "window_3", "in_region", "before_region", "after_region",
    "mass_before", "mass_after", "inside", "after_section", "topic_overlap_x_section",
    "short_x_window", "gap_before", "gap_after", "section_distance", "after_comments",
    # Comment stamps, content density around the line, and how much a line's own score still
    # counts after a comments or other section header and outside the region.
    "dated", "dated_near", "dated_after", "dated_before", "density_near", "density_far",
    "raw_x_comments", "raw_x_other_section", "raw_x_before_region", "raw_x_after_region",
    "second_region",
)


@dataclass(frozen=True, slots=True)
class Context:
    """What the page around a line says about it."""

    logit: float
    section: Label | None        # the section header this line falls under, if any
    in_region: bool
    reasons: tuple[str, ...]


def _window_means(values: numpy.ndarray, k: int) -> numpy.ndarray:
    """Return, for each position, the mean of the k values on each side (itself excluded)."""
    n = len(values)
    prefix = numpy.concatenate(([0.0], numpy.cumsum(values)))
    at = numpy.arange(n)
    lo, hi = numpy.maximum(0, at - k), numpy.minimum(n, at + k + 1)
    count = hi - lo - 1
    sums = prefix[hi] - prefix[lo] - values
    return numpy.divide(sums, count, out=numpy.zeros(n), where=count > 0)


def _density(probs: Sequence[float], chars: Sequence[float], tau: float) -> numpy.ndarray:
    """Return, per position, the content share of the characters around it (itself excluded),
    each line weighted by its characters times exp(-distance / tau): two linear passes."""
    n, decay = len(probs), math.exp(-1.0 / tau)
    content = [c * p for c, p in zip(chars, probs)]
    num, den = [0.0] * n, [0.0] * n
    a = b = 0.0
    for i, (x, c) in enumerate(zip(content, chars)):   # lines before i
        num[i], den[i] = a, b
        a, b = decay * (a + x), decay * (b + c)
    a = b = 0.0
    for i in range(n - 1, -1, -1):          # lines after i
        num[i] += a
        den[i] += b
        a, b = decay * (a + content[i]), decay * (b + chars[i])
    num_, den_ = numpy.array(num), numpy.array(den)
    return numpy.divide(num_, den_, out=numpy.zeros(n), where=den_ > 0)


def find_region(gains: Sequence[float]) -> tuple[int, int]:
    """Return the [start, end] of the maximum-sum run of gains (Kadane); (0, -1) if none is positive."""
    best, best_span = 0.0, (0, -1)
    run, start = 0.0, 0
    for i, g in enumerate(gains):
        if run <= 0:
            run, start = g, i
        else:
            run += g
        if run > best:
            best, best_span = run, (start, i)
    return best_span


def _gaps(strong: Sequence[bool]) -> tuple[list[int], list[int]]:
    """Return, per position, how many lines back and ahead the nearest strong line is (capped)."""
    n, cap = len(strong), 50
    before, after = [cap] * n, [cap] * n
    last = None
    for j in range(n):
        if last is not None:
            before[j] = min(cap, j - last)
        if strong[j]:
            last = j
    last = None
    for j in range(n - 1, -1, -1):
        if last is not None:
            after[j] = min(cap, last - j)
        if strong[j]:
            last = j
    return before, after


def smooth_scores(
    raw: Sequence[float],
    features: Sequence[LineFeatures],
    hits: Sequence[Sequence[RuleHit]],
    settings: Mapping,
) -> tuple[Context, ...]:
    """Return the context-revised logit of every line."""
    def s(name: str):   # one of the smooth.* settings
        return settings["smooth." + name]

    idx = [i for i, f in enumerate(features) if f.chars]
    if not idx:
        return tuple(Context(0.0, None, False, ()) for _ in raw)
    n = len(idx)
    clip = s("clip_logit")
    values = numpy.clip(numpy.array([raw[i] for i in idx], dtype=numpy.float64), -clip, clip)
    w1 = _window_means(values, 1)
    w3 = _window_means(values, 3)
    chars = numpy.array([features[i].chars for i in idx], dtype=numpy.float64)
    gains = values * (1.0 + chars / s("region_chars_unit"))
    gain_list = gains.tolist()
    start, end = find_region(gain_list)
    # A second stretch of content mass, before or after the first (an article split by a box).
    second = numpy.zeros(n)
    best_mass = sum(gain_list[start:end + 1]) if end >= start else 0.0
    for lo, hi in ((0, start), (end + 1, n)):
        a, b = find_region(gain_list[lo:hi])
        if b >= a and best_mass > 0:
            second[lo + a:lo + b + 1] = sum(gain_list[lo + a:lo + b + 1]) / best_mass
    positive = numpy.maximum(0.0, gains)
    cumulative = numpy.cumsum(positive)
    total = float(cumulative[-1]) or 1.0
    running = numpy.concatenate(([0.0], cumulative[:-1]))
    mass_before = running / total
    mass_after = 1.0 - mass_before - positive / total
    gap_before, gap_after = _gaps((values >= s("strong_logit")).tolist())
    dated = numpy.array([features[i].dated for i in idx], dtype=numpy.float64)
    dated_near = _window_means(dated, s("dated_window"))
    dated_before = numpy.concatenate(([0.0], numpy.cumsum(dated)[:-1]))
    dated_after = dated.sum() - dated_before - dated
    probs = (1.0 / (1.0 + numpy.exp(-values))).tolist()
    char_list = chars.tolist()
    density_near = _density(probs, char_list, s("density_near_lines"))
    density_far = _density(probs, char_list, s("density_far_lines"))

    # Sections: a header switches what follows once enough body has been seen.
    reset_logit, reset_topic, min_body = s("section_reset_logit"), s("section_reset_topic"), s("section_min_body_chars")
    sections: list[Label | None] = [None] * n
    distance = numpy.zeros(n)
    section: Label | None = None
    section_start = 0
    body_chars = 0
    value_list = values.tolist()
    for j, i in enumerate(idx):
        f = features[i]
        header = next((h for h in hits[i] if h.section is not None), None) if hits[i] else None
        # A header opens a section once enough body came before it, and not before the article
        # region starts (a "Related" entry of a menu above the article is not the article's end).
        if header is not None and body_chars >= min_body and j >= start:
            section, section_start = header.section, j
        elif section is not None and value_list[j] >= reset_logit and f.topic_overlap >= reset_topic:
            section = None
        if section is not None and header is None:
            sections[j] = section
            distance[j] = j - section_start
        if value_list[j] > 0:
            body_chars += f.chars

    at = numpy.arange(n)
    in_region, before, after = (start <= at) & (at <= end), at < start, at > end
    after_section = numpy.array([sec is not None for sec in sections])
    topic = numpy.array([features[i].topic_overlap for i in idx], dtype=numpy.float64)
    short = numpy.array([features[i].words <= s("short_line_max_words") for i in idx])
    comments = numpy.array([sec is Label.COMMENTS for sec in sections])
    columns = numpy.column_stack([
        values, w1, w3, in_region, before, after, mass_before, mass_after,
        2.0 * numpy.minimum(mass_before, mass_after), after_section, topic * after_section,
        short * w1, numpy.log1p(gap_before), numpy.log1p(gap_after),
        numpy.where(after_section, numpy.log1p(distance), 0.0),
        comments,
        dated, dated_near, numpy.log1p(dated_after), numpy.log1p(dated_before), density_near, density_far,
        values * comments, values * (after_section & ~comments), values * before, values * after,
        second,
    ]).astype(numpy.float64)
    weights = numpy.array([settings[f"smooth.weights.{name}"] for name in CONTEXT_NAMES])
    # A running sum, not numpy's pairwise one: the same float as summing the parts in order.
    logits = s("bias") + numpy.cumsum(columns * weights, axis=1)[:, -1]
    shift = numpy.abs(weights[1] * w1 + weights[2] * w3) >= s("reason_min_shift")

    out: list[Context] = [_NO_CONTEXT] * len(raw)
    outside = (before | after).tolist()
    for i, logit, sec, away, moved, inside in zip(idx, logits.tolist(), sections, outside, shift.tolist(),
                                                   in_region.tolist()):
        out[i] = Context(logit, sec, inside, _reasons(sec, away, moved))
    return tuple(out)


@lru_cache(maxsize=None)
def _reasons(section: Label | None, outside: bool, neighbours: bool) -> tuple[str, ...]:
    """Return the context facts that moved a line (few combinations, so each is built once)."""
    reasons = []
    if section is not None:
        reasons.append(f"context.after_{section.value}_header")
    if outside:
        reasons.append("context.outside_article")
    if neighbours:
        reasons.append("context.neighbours")
    return tuple(reasons)


_NO_CONTEXT = Context(0.0, None, False, ())
