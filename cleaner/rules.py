"""Stage 5: which rule categories match each line.

In: the page's lines, their features and the compiled RuleSet. Out: the RuleHits of every
line. A category's limits (max_words, skip_sentences) are applied here, so that a long
sentence that happens to contain "share" is not taken for a share button.
"""
from __future__ import annotations

from typing import Sequence

from .model import Line, LineFeatures, RuleHit
from .ruleset import RuleSet


def match_line(ruleset: RuleSet, text: str, features: LineFeatures) -> tuple[RuleHit, ...]:
    """Return the hits of the rule set's categories on one line."""
    if not text:
        return ()
    hits = []
    for index in ruleset.matcher.match(text):
        cat = ruleset.categories[index]
        if cat.max_words is not None and features.words > cat.max_words:
            continue
        if cat.skip_sentences and features.terminal_punct:
            continue
        hits.append(RuleHit(cat.id, cat.label, cat.weight, cat.section))
    return tuple(hits)


def match_lines(ruleset: RuleSet, lines: Sequence[Line], features: Sequence[LineFeatures]) -> tuple[tuple[RuleHit, ...], ...]:
    """Return the hits of every line of a page."""
    return tuple(match_line(ruleset, line.text, feats) for line, feats in zip(lines, features))
