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
from typing import Mapping, Sequence

from .model import Label, LineFeatures, RuleHit

CONTEXT_NAMES = (
    "raw", "window_1", "window_3", "in_region", "before_region", "after_region",
    "mass_before", "mass_after", "inside", "after_section", "topic_overlap_x_section",
    "short_x_window", "gap_before", "gap_after", "section_distance", "after_comments",
)


@dataclass(frozen=True, slots=True)
class Context:
    """What the page around a line says about it."""

    logit: float
    section: Label | None        # the section header this line falls under, if any
    in_region: bool
    reasons: tuple[str, ...]


def _window_means(values: Sequence[float], k: int) -> list[float]:
    """Return, for each position, the mean of the k values on each side (itself excluded)."""
    n = len(values)
    prefix = [0.0]
    for v in values:
        prefix.append(prefix[-1] + v)
    out = []
    for i in range(n):
        lo, hi = max(0, i - k), min(n, i + k + 1)
        count = hi - lo - 1
        out.append((prefix[hi] - prefix[lo] - values[i]) / count if count else 0.0)
    return out


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


def context_vector(raw, w1, w3, in_region, before, after, mass_before, mass_after, after_section,
                   topic, short, gap_before, gap_after, section_distance, after_comments) -> tuple[float, ...]:
    """Return the context features in CONTEXT_NAMES order."""
    return (raw, w1, w3, float(in_region), float(before), float(after), mass_before, mass_after,
            2.0 * min(mass_before, mass_after), float(after_section), topic * float(after_section),
            float(short) * w1, math.log1p(gap_before), math.log1p(gap_after),
            math.log1p(section_distance) if after_section else 0.0, float(after_comments))


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
    s = {key[7:]: value for key, value in settings.items() if key.startswith("smooth.")}.__getitem__
    idx = [i for i, f in enumerate(features) if f.chars]
    if not idx:
        return tuple(Context(0.0, None, False, ()) for _ in raw)
    values = [max(-s("clip_logit"), min(s("clip_logit"), raw[i])) for i in idx]
    w1 = _window_means(values, 1)
    w3 = _window_means(values, 3)
    gains = [v * (1.0 + features[i].chars / s("region_chars_unit")) for v, i in zip(values, idx)]
    start, end = find_region(gains)
    positive = [max(0.0, g) for g in gains]
    total = sum(positive) or 1.0
    mass_before, running = [], 0.0
    for g in positive:
        mass_before.append(running / total)
        running += g
    mass_after = [1.0 - b - g / total for b, g in zip(mass_before, positive)]
    gap_before, gap_after = _gaps([v >= s("strong_logit") for v in values])

    weights = [settings[f"smooth.weights.{name}"] for name in CONTEXT_NAMES]
    bias = s("bias")
    out: dict[int, Context] = {}
    section: Label | None = None
    section_start = 0
    body_chars = 0
    for j, i in enumerate(idx):
        f = features[i]
        header = next((h for h in hits[i] if h.section is not None), None)
        if header is not None and body_chars >= s("section_min_body_chars"):
            section, section_start = header.section, j
        elif section is not None and values[j] >= s("section_reset_logit") and f.topic_overlap >= s("section_reset_topic"):
            section = None
        in_region, before, after = start <= j <= end, j < start, j > end
        after_section = section is not None and header is None
        vec = context_vector(values[j], w1[j], w3[j], in_region, before, after, mass_before[j],
                             mass_after[j], after_section, f.topic_overlap,
                             f.words <= s("short_line_max_words"), gap_before[j], gap_after[j],
                             j - section_start, after_section and section is Label.COMMENTS)
        logit = bias + sum(w * x for w, x in zip(weights, vec))
        reasons = []
        if after_section:
            reasons.append(f"context.after_{section.value}_header")
        if before or after:
            reasons.append("context.outside_article")
        if abs(weights[1] * w1[j] + weights[2] * w3[j]) >= s("reason_min_shift"):
            reasons.append("context.neighbours")
        out[i] = Context(logit, section if after_section else None, in_region, tuple(reasons))
        if values[j] > 0:
            body_chars += f.chars
    return tuple(out.get(i, Context(0.0, None, False, ())) for i in range(len(raw)))
