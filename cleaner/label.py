"""Stage 8: scores and rule hits become one label per line, with the reasons that decided it.

In: lines, features, rule hits, raw scores and contexts. Out: a LineResult per line. A line
whose revised score clears `label.content_min_score` is content (title, heading or body by
its shape and place); any other line takes the label of its strongest rule hit, of the
section it sits in, or of its shape. Revisions by structure follow the score: numbered lists
that go on, the article resuming after an inline "Read also" box, author biographies.
Nothing here changes a score.
"""
from __future__ import annotations

import re
from typing import Mapping, Sequence

from .model import Label, Line, LineFeatures, LineResult, RuleHit
from .score import sigmoid
from .smooth import Context

_ITEM_NUMBER = re.compile(r"^\s*(\d{1,3})[.)]\s")


def _continue_lists(content: list[bool], lines: Sequence[Line], hits: Sequence[Sequence[RuleHit]],
                    nonblank: Sequence[int], max_gap: int) -> set[int]:
    """Return the numbered items that continue a list whose previous item is content."""
    added: set[int] = set()
    last: tuple[int, int] | None = None      # (number, position in nonblank) of the last content item
    for pos, i in enumerate(nonblank):
        m = _ITEM_NUMBER.match(lines[i].text)
        if m is None:
            continue
        n = int(m.group(1))
        if not content[i] and last is not None and n == last[0] + 1 and pos - last[1] <= max_gap \
                and not hits[i]:
            content[i] = True
            added.add(i)
        last = (n, pos) if content[i] else None
    return added


def _headline_like(f: LineFeatures, hits: Sequence[RuleHit], s) -> bool:
    return (s("title_min_words") <= f.words <= s("title_max_words") and not f.terminal_punct
            and not f.colon_end and not f.glued and not f.has_url and not hits
            and f.digit_share < s("title_max_digit_share"))


def _dropped_label(f: LineFeatures, hits: Sequence[RuleHit], ctx: Context, s) -> tuple[Label, str]:
    """Return the label of a line that is not content, and the reason for it."""
    if hits:
        strongest = min(hits, key=lambda h: h.weight)
        return strongest.label, strongest.rule_id
    if ctx.section is not None:
        return ctx.section, f"context.after_{ctx.section.value}_header"
    if f.glued:
        return Label.TAGS, "feature.glued"
    if f.ellipsis_end:
        return Label.TEASER, "feature.ellipsis_end"
    if f.words <= s("navigation_max_words") and not f.terminal_punct:
        return Label.NAVIGATION, "feature.link_like"
    if f.words >= s("teaser_min_words"):
        return Label.TEASER, "feature.other_story"
    return Label.OTHER, "feature.low_score"


def _resume_after_inline_box(content: list[bool], features: Sequence[LineFeatures],
                             hits: Sequence[Sequence[RuleHit]], raw_probs: Sequence[float],
                             contexts: Sequence[Context], nonblank: Sequence[int], s) -> set[int]:
    """Return the teaser-section lines that are the article going on after an inline related box."""
    resumed: set[int] = set()
    last = None                                   # position in nonblank of the last content line
    for pos, i in enumerate(nonblank):
        f = features[i]
        if not content[i] and contexts[i].section is Label.TEASER and not hits[i] and last is not None \
                and pos - last <= s("resume_max_gap") and raw_probs[i] >= s("resume_min_raw_score") \
                and f.words >= s("resume_min_words") and f.terminal_punct \
                and f.topic_overlap >= s("resume_min_topic_overlap"):
            content[i] = True
            resumed.add(i)
        if content[i]:
            last = pos
    return resumed


def _drop_author_bios(content: list[bool], hits: Sequence[Sequence[RuleHit]], nonblank: Sequence[int],
                      max_lines: int) -> set[int]:
    """Return the content lines that are the biography under an author-box header."""
    dropped: set[int] = set()
    for pos, i in enumerate(nonblank):
        if any(h.section is Label.META for h in hits[i]):
            for j in nonblank[pos + 1:pos + 1 + max_lines]:
                if hits[j]:
                    break
                if content[j]:
                    content[j] = False
                    dropped.add(j)
    return dropped


def label_lines(
    lines: Sequence[Line],
    features: Sequence[LineFeatures],
    hits: Sequence[Sequence[RuleHit]],
    scored: Sequence[tuple[float, tuple[str, ...]]],
    contexts: Sequence[Context],
    settings: Mapping,
) -> tuple[LineResult, ...]:
    """Return one LineResult per line."""
    s = {key[6:]: value for key, value in settings.items() if key.startswith("label.")}.__getitem__
    threshold = s("content_min_score")
    probs = [sigmoid(c.logit) for c in contexts]
    content = [bool(f.chars) and p >= threshold for f, p in zip(features, probs)]
    # A category that is sure of itself (weight at or below rule_veto_weight) drops the line
    # unless the score is overwhelming: "Get the newsletter in your inbox:" between paragraphs.
    for i, h in enumerate(hits):
        if content[i] and h and min(x.weight for x in h) <= s("rule_veto_weight") and probs[i] < s("rule_override_score"):
            content[i] = False
    nonblank = [i for i, f in enumerate(features) if f.chars]
    raw_probs = [sigmoid(r) for r, _ in scored]
    listed = _continue_lists(content, lines, hits, nonblank, s("list_max_gap"))
    bios = _drop_author_bios(content, hits, nonblank, s("author_box_max_lines"))
    resumed = _resume_after_inline_box(content, features, hits, raw_probs, contexts, nonblank, s)

    # A short headline-like line between two content lines is a subheading (jusText's revision).
    promoted: set[int] = set()
    for a, b, c in zip(nonblank, nonblank[1:], nonblank[2:]):
        if content[a] and content[c] and not content[b] and _headline_like(features[b], hits[b], s) \
                and features[b].words <= s("heading_max_words") and contexts[b].section is None:
            promoted.add(b)
    for b in promoted:
        content[b] = True

    # The title: the most topical headline-like line just before the first content line.
    title = None
    first = next((i for i in nonblank if content[i]), None)
    if first is not None:
        before = [i for i in nonblank if i < first][-s("title_lookback_lines"):]
        candidates = [i for i in before + [first] if _headline_like(features[i], hits[i], s)
                      and features[i].topic_overlap >= s("title_min_topic_overlap")]
        if candidates:
            title = max(candidates, key=lambda i: (features[i].topic_overlap, -abs(i - first), i))
            content[title] = True

    # The standfirst: a long, on-topic line between the title and the first paragraph.
    standfirst: set[int] = set()
    if title is not None and first is not None:
        for i in nonblank:
            if title < i < first and not hits[i] and features[i].words >= s("standfirst_min_words") \
                    and features[i].topic_overlap >= s("standfirst_min_topic_overlap"):
                standfirst.add(i)
                content[i] = True

    heading_max_words = s("heading_max_words")
    out = []
    for i, line in enumerate(lines):
        f = features[i]
        if not f.chars:
            out.append(LineResult(line.number, line.text, Label.BLANK, 0.0, 0.0, ("blank",)))
            continue
        ctx = contexts[i]
        if content[i]:
            if i == title:
                label, why = Label.TITLE, "context.title"
            elif i in standfirst:
                label, why = Label.BODY, "context.standfirst"
            elif i in promoted:
                label, why = Label.HEADING, "context.between_body"
            elif i in listed:
                label, why = Label.BODY, "context.list_continues"
            elif i in resumed:
                label, why = Label.BODY, "context.resumes_after_box"
            elif f.words <= heading_max_words and not f.terminal_punct and _headline_like(f, hits[i], s):
                label, why = Label.HEADING, "feature.heading_shape"
            else:
                label, why = Label.BODY, "score.content"
        elif i in bios:
            label, why = Label.META, "context.author_box"
        else:
            label, why = _dropped_label(f, hits[i], ctx, s)
        told = [h.rule_id for h in hits[i] if h.rule_id != why] if hits[i] else []
        told += [r for r in ctx.reasons if r != why]
        reasons = (why, *told, *scored[i][1])
        out.append(LineResult(line.number, line.text, label, round(probs[i], 4), round(raw_probs[i], 4), reasons))
    return _join_meta(out, hits, features, s("meta_neighbour_max_words"))


def _join_meta(results: list[LineResult], hits, features, max_words: int) -> tuple[LineResult, ...]:
    """Relabel short dropped lines that belong to a byline as meta: the name after a bare "by",
    counters right after it, the same name repeated elsewhere on the page."""
    meta_keys = {r.text.casefold() for r in results if r.label is Label.META}
    previous: LineResult | None = None
    out = []
    for r, h, f in zip(results, hits, features):
        if r.label is Label.BLANK:
            out.append(r)
            continue
        loose = r.label in (Label.NAVIGATION, Label.OTHER) and f.words <= max_words \
            and all(hit.rule_id == "base.number_only" for hit in h)
        if loose and ((previous is not None and previous.label is Label.META) or r.text.casefold() in meta_keys):
            r = LineResult(r.number, r.text, Label.META, r.score, r.raw_score, ("context.next_to_meta",) + r.reasons)
            meta_keys.add(r.text.casefold())
        out.append(r)
        previous = r
    return tuple(out)
