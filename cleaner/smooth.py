"""Stage 7: context and sections revise the context-free scores.

In: the raw logits, features and rule hits of a page, and the `smooth.*` settings. Out: a
revised logit per line and the context facts that moved it. Three kinds of context:
neighbours (a short line takes the colour of the lines around it, as in jusText), the
article region (the stretch of the page with the most content mass: the page's edges lean
to boilerplate), and sections (after a "Related articles" or comment header, once enough
body has been seen, what follows leans to that header's label). A caption line counts as neutral
in the region search: a photo's caption interrupts the article, it does not end it. Past the
region's ends, a line with no boundary line (menus, share bars, teasers, footers) between it and
the region is often the article going on through a list, a table or embedded posts.
"""
from __future__ import annotations

import math
from functools import lru_cache, partial
from operator import attrgetter
from typing import Mapping, NamedTuple, Sequence

import numpy

from .caches import register
from .columns import feature_columns
from .model import Label, LineFeatures, RuleHit
from .score import running_sum, setting_vector

CONTEXT_NAMES = (
    "raw", "window_1", "window_3", "in_region", "before_region", "after_region",
    "mass_before", "mass_after", "inside", "after_section", "topic_overlap_x_section",
    "short_x_window", "gap_before", "gap_after", "section_distance", "after_comments",
    # Comment stamps, content density around the line, and how much a line's own score still
    # counts after a comments or other section header and outside the region.
    "dated", "dated_near", "dated_after", "dated_before", "density_near", "density_far",
    "raw_x_comments", "raw_x_other_section", "raw_x_before_region", "raw_x_after_region",
    "second_region",
    # Lines after (before) the article region with no boundary line (a hit of a boundary label:
    # navigation, share, comments, teaser, promo, legal, tags) between them and the region.
    "unbroken_after", "unbroken_before", "boundaries_between",
)
_WEIGHT_KEYS = tuple(f"smooth.weights.{name}" for name in CONTEXT_NAMES)


class Context(NamedTuple):
    """What the page around a line says about it (a named tuple: a page makes one per line)."""

    logit: float
    section: Label | None        # the section header this line falls under, if any
    in_region: bool
    reasons: tuple[str, ...]


# Builds a Context from a tuple of its fields without a Python-level __new__ per line.
_make_context = partial(tuple.__new__, Context)


def _window_means(values: numpy.ndarray, k: int) -> numpy.ndarray:
    """Return, for each position, the mean of the k values on each side (itself excluded)."""
    lo, hi, count, counted = _window(len(values), k)
    prefix = numpy.concatenate(([0.0], numpy.cumsum(values)))
    sums = prefix[hi] - prefix[lo] - values
    return numpy.divide(sums, count, out=numpy.zeros(len(values)), where=counted)


@lru_cache(maxsize=256)
def _window(n: int, k: int) -> tuple[numpy.ndarray, ...]:
    """Return, per position of n, where the k positions on each side start and end, how many
    they are (itself excluded) and whether there are any: the same for every page of n lines."""
    at = numpy.arange(n)
    lo, hi = numpy.maximum(0, at - k), numpy.minimum(n, at + k + 1)
    count = hi - lo - 1
    arrays = (lo, hi, count, count > 0)
    for array in arrays:
        array.flags.writeable = False
    return arrays


register(_window.cache_clear)


def _density(probs: Sequence[float], chars: Sequence[float], tau: float) -> numpy.ndarray:
    """Return, per position, the content share of the characters around it (itself excluded),
    each line weighted by its characters times exp(-distance / tau): two linear passes.

    The weighted sums run as s <- decay * (s + x) in Python floats: each step rounds, and a
    vectorised form (a scan, a filter) would round differently; the densities feed the logits.
    """
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


def _gaps(strong: numpy.ndarray, cap: int = 50) -> tuple[numpy.ndarray, numpy.ndarray]:
    """Return, per position, how many lines back and ahead the nearest strong line is (capped)."""
    n = len(strong)
    at = numpy.arange(n)
    # The nearest strong line before and after each position; where there is none, one far
    # enough away that the cap applies.
    last = numpy.maximum.accumulate(numpy.where(strong, at, -cap))
    following = numpy.minimum.accumulate(numpy.where(strong, at, n + cap)[::-1])[::-1]
    before = numpy.minimum(cap, at - numpy.concatenate(([-cap], last[:-1])))
    after = numpy.minimum(cap, numpy.concatenate((following[1:], [n + cap])) - at)
    return before, after


def find_sections(headers: Mapping[int, Label], values: numpy.ndarray, chars: numpy.ndarray,
                  topic: numpy.ndarray, start: int, settings: Mapping) -> tuple[numpy.ndarray, numpy.ndarray]:
    """Return, per position, the index in SECTIONS of the section it falls under (-1: none) and
    how many lines after its header it is.

    A header (headers: position -> its section) opens a section once section_min_body_chars of
    positive-logit lines came before it, and not before the article region starts (a "Related"
    entry of a menu above the article is not the article's end) unless it is a comments header
    with smooth.thread_min_comment_lines more comment lines after it, the last at most
    smooth.thread_max_gap_lines above the region; a line at or above section_reset_logit and
    section_reset_topic that opens none ends it. A header line itself falls under no section.
    """
    n = len(values)
    section, distance = numpy.full(n, -1), numpy.zeros(n)
    if not headers:
        return section, distance
    body = numpy.where(values > 0, chars, 0.0)
    body_before = (numpy.cumsum(body) - body)[list(headers)].tolist()    # whole characters: exact sums
    min_body = settings["smooth.section_min_body_chars"]
    # A comments header above the region opens its section too when more comment lines follow
    # it before the region starts, the last of them right above it: the region search took the
    # thread for the article. (A "12 comments" link by the byline has the article, not comment
    # lines, after it; a "most commented" box has other stories between it and the article.)
    threads = [j for j, label in headers.items() if label is Label.COMMENTS and j < start]   # in order
    early = set()
    if threads and start - threads[-1] <= settings["smooth.thread_max_gap_lines"]:
        early = set(threads[:len(threads) - settings["smooth.thread_min_comment_lines"]])
    opens = [j for j, chars_before in zip(headers, body_before) if chars_before >= min_body
             and (j >= start or j in early)]
    if not opens:
        return section, distance
    ends = (values >= settings["smooth.section_reset_logit"]) & (topic >= settings["smooth.section_reset_topic"])
    opened = set(opens)
    events = sorted(opened.union(numpy.flatnonzero(ends).tolist()))   # an opener does not end its own
    for j, following in zip(events, events[1:] + [n]):
        if j in opened:
            section[j + 1:following] = SECTIONS.index(headers[j])
            distance[j + 1:following] = numpy.arange(1, following - j)
    headed = list(headers)
    section[headed], distance[headed] = -1, 0.0
    return section, distance


def smooth_scores(
    raw: Sequence[float],
    features: Sequence[LineFeatures],
    hits: Sequence[Sequence[RuleHit]],
    settings: Mapping,
) -> tuple[Context, ...]:
    """Return the context-revised logit of every line."""
    def s(name: str):   # one of the smooth.* settings
        return settings["smooth." + name]

    columns = feature_columns(features)
    idx = numpy.flatnonzero(columns.chars)       # the non-blank lines: context counts only them
    if not len(idx):
        return tuple(_NO_CONTEXT for _ in raw)
    n = len(idx)

    def nonblank(values: numpy.ndarray) -> numpy.ndarray:   # a row, on the non-blank lines
        return values if n == len(features) else values[idx]

    clip = s("clip_logit")
    values = numpy.clip(nonblank(numpy.fromiter(raw, numpy.float64, len(raw))), -clip, clip)
    w1 = _window_means(values, 1)
    w3 = _window_means(values, 3)
    chars = nonblank(columns.chars)
    at_nonblank = hits if n == len(features) else [hits[i] for i in idx.tolist()]
    gains = (values + s("region_shift")) * (1.0 + chars / s("region_chars_unit"))
    # A caption sits inside the article it illustrates: it neither adds to the region nor breaks it.
    captions = [j for j, hs in enumerate(at_nonblank) if hs and any(h.label is Label.CAPTION for h in hs)]
    gains[captions] = numpy.maximum(gains[captions], s("caption_min_gain"))
    # So does a data table: its cells are short lines that one by one look like a menu.
    cells = nonblank(columns.table_cell) != 0
    gains[cells] = numpy.maximum(gains[cells], s("table_min_gain"))
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
    gap_before, gap_after = _gaps(values >= s("strong_logit"))
    dated = nonblank(columns.dated)
    dated_near = _window_means(dated, s("dated_window"))
    dated_before = numpy.concatenate(([0.0], numpy.cumsum(dated)[:-1]))
    dated_after = dated.sum() - dated_before - dated
    probs = (1.0 / (1.0 + numpy.exp(-values))).tolist()
    char_list = chars.tolist()
    density_near = _density(probs, char_list, s("density_near_lines"))
    density_far = _density(probs, char_list, s("density_far_lines"))

    # Sections: a header switches what follows once enough body has been seen.
    topic = nonblank(columns.topic_overlap)
    headers = {j: header for j, h in enumerate(at_nonblank) if h and (header := _header(h)) is not None}
    section, distance = find_sections(headers, values, chars, topic, start, settings)

    at = numpy.arange(n)
    # Boundary lines: a hit of a boundary label, or a logit at most boundary_logit.
    boundary = values <= s("boundary_logit")
    boundary[[j for j, hs in enumerate(at_nonblank) if hs and any(h.label in _BOUNDARY for h in hs)]] = True
    in_region, before, after = (start <= at) & (at <= end), at < start, at > end
    # How many boundary lines lie between a line outside the region and the region (itself counted).
    between = numpy.zeros(n)
    if end >= start:
        crossed = numpy.cumsum(boundary)
        between = numpy.where(after, crossed - crossed[end], 0) + \
            numpy.where(before, crossed[start] - boundary[start] - crossed + boundary, 0)
    unbroken = between == 0
    after_section = section >= 0
    short = nonblank(columns.words) <= s("short_line_max_words")
    comments = section == _COMMENTS
    rows = numpy.array([
        values, w1, w3, in_region, before, after, mass_before, mass_after,
        2.0 * numpy.minimum(mass_before, mass_after), after_section, topic * after_section,
        short * w1, numpy.log1p(gap_before), numpy.log1p(gap_after),
        numpy.where(after_section, numpy.log1p(distance), 0.0),
        comments,
        dated, dated_near, numpy.log1p(dated_after), numpy.log1p(dated_before), density_near, density_far,
        values * comments, values * (after_section & ~comments), values * before, values * after,
        second, after & unbroken, before & unbroken, numpy.log1p(between),
    ], dtype=numpy.float64)
    weights = setting_vector(settings, _WEIGHT_KEYS)
    logits = s("bias") + running_sum(rows * weights[:, None])
    shift = numpy.abs(weights[1] * w1 + weights[2] * w3) >= s("reason_min_shift")

    # 0: in the region; 1: outside it, past a boundary line; 2: outside it, none between.
    outside = (before | after).astype(numpy.intp) * numpy.where(unbroken & (end >= start), 2, 1)
    reasons = _REASONS[section, outside, shift.astype(numpy.intp)]
    contexts = list(map(_make_context, zip(logits.tolist(), _SECTION_OF[section].tolist(), in_region.tolist(),
                                           reasons.tolist())))
    if n == len(raw):
        return tuple(contexts)
    out: list[Context] = [_NO_CONTEXT] * len(raw)
    for i, context in zip(idx.tolist(), contexts):
        out[i] = context
    return tuple(out)


def _header(hits: Sequence[RuleHit]) -> Label | None:
    """Return the section a line's hits open, if one of them is a section header."""
    return next(filter(None, map(_SECTION, hits)), None)    # a Label is a non-empty string


def _reasons(section: Label | None, outside: int, neighbours: bool) -> tuple[str, ...]:
    """Return the context facts that moved a line (outside: 0 in the article region, 1 outside
    it past a boundary line, 2 outside it with none between: the article may go on there)."""
    reasons = []
    if section is not None:
        reasons.append(f"context.after_{section.value}_header")
    if outside:
        reasons.append("context.outside_article" if outside == 1 else "context.unbroken_from_article")
    if neighbours:
        reasons.append("context.neighbours")
    return tuple(reasons)


_SECTION = attrgetter("section")
# The labels of boundary lines: what lies between an article and the rest of the page.
_BOUNDARY = frozenset({Label.NAVIGATION, Label.SHARE, Label.COMMENTS, Label.TEASER, Label.PROMO, Label.LEGAL,
                       Label.TAGS})
# A section by its index in SECTIONS; index -1 (no section) is the None at the end of _SECTION_OF.
SECTIONS: tuple[Label, ...] = tuple(Label)
_COMMENTS = SECTIONS.index(Label.COMMENTS)
_SECTION_OF = numpy.array([*SECTIONS, None], dtype=object)
# Every combination's reasons, built once: _REASONS[section index, outside (0-2), neighbours].
_REASONS = numpy.empty((len(SECTIONS) + 1, 3, 2), dtype=object)
for _k, _section in enumerate(_SECTION_OF.tolist()):
    for _outside in (0, 1, 2):
        for _neighbours in (0, 1):
            _REASONS[_k, _outside, _neighbours] = _reasons(_section, _outside, bool(_neighbours))
_NO_CONTEXT = Context(0.0, None, False, ())
