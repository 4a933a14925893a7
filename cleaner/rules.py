"""Stage 5: which rule categories match each line.

In: the page's lines, their features and the compiled RuleSet. Out: the RuleHits of every
line. A category's limits (max_words, skip_sentences) are applied by the matcher, so that
a long sentence that happens to contain "share" is not taken for a share button (nor
scanned for it).
"""
from __future__ import annotations

from operator import attrgetter
from typing import Sequence

from .model import Line, LineFeatures, RuleHit
from .ruleset import RuleSet


def match_line(ruleset: RuleSet, text: str, features: LineFeatures) -> tuple[RuleHit, ...]:
    """Return the hits of the rule set's categories on one line."""
    if not text:
        return ()
    found = ruleset.matcher.match(text, features.words, features.terminal_punct)
    if not found:
        return ()
    return tuple(ruleset.matcher.hits[index] for index in found)


def match_lines(ruleset: RuleSet, lines: Sequence[Line], features: Sequence[LineFeatures]) -> tuple[tuple[RuleHit, ...], ...]:
    """Return the hits of every line of a page."""
    found = ruleset.matcher.match_page(list(map(attrgetter("text"), lines)), list(map(attrgetter("words"), features)),
                                       list(map(attrgetter("terminal_punct"), features)))
    hit = ruleset.matcher.hits.__getitem__
    return tuple([tuple(map(hit, indexes)) if indexes else () for indexes in found])
