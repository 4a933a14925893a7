"""Stage 8: scores and rule hits become one label per line, with the reasons that decided it.

In: lines, features, rule hits, raw scores and contexts. Out: a LineResult per line. A line
whose revised score clears `label.content_min_score` is content (title, heading or body by
its shape and place); any other line takes the label of its strongest rule hit, of the
section it sits in, or of its shape. Revisions by structure follow the score: numbered lists
that go on, lists of lines that begin alike right after content, data tables in or next to the
article, the article resuming after an inline "Read also" box, separators, the credits of
embedded social posts, author biographies, captions and pull quotes over their credit or
speaker, lines the page shows twice.
Nothing here changes a score.
"""
from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from functools import lru_cache, partial
from itertools import accumulate, compress
from operator import attrgetter
from typing import Collection, Mapping, Sequence

import numpy

from .caches import register
from .columns import feature_columns
from .features import tokenize, vocabulary
from .fold import fold_key
from .model import Label, Line, LineFeatures, LineResult, RuleHit
from .score import sigmoids
from .smooth import SECTIONS, Context
from .tables import runs

# A headline may end in a question or an exclamation mark (not in a full stop).
_ASKS = re.compile(r"[?!？！؟][\"'”’»)]*\s*$")
_ITEM_NUMBER = re.compile(r"^\s*(\d{1,3})[.)]\s")
_ITEM_START = re.compile(r"\n\s*\d{1,3}[.)](?=\s)")
_SKELETON_TOKEN = re.compile(r"\d+|\w+|[^\w\s]")
# A rule across the column: a line of nothing but three or more underscores, asterisks, dashes or the like.
_SEPARATOR_LINE = re.compile(r"\s*(?:[_*=~#•·—–-]\s*){3,}")
# An embedded social post's credit under its text: "— Jane Doe (@janedoe) November 18, 2019".
_POST_CREDIT_LINE = re.compile(r"\s*[—–-]\s*[^()\n]{1,80}\(@\w{1,30}\)\s*\S.{0,40}")
# Labels read in per-line loops, bound once: looking up an Enum member (Label.META) runs a
# Python-level descriptor each time.
_META = Label.META
_LOOSE = frozenset({Label.NAVIGATION, Label.OTHER})
_WEIGHT, _RULE_ID, _SECTION = attrgetter("weight"), attrgetter("rule_id"), attrgetter("section")
_CAPTIONS_ABOVE = attrgetter("captions_above")
_NUMBER, _TEXT = attrgetter("number"), attrgetter("text")

# What decides a line when no rule hit does: (label, reason), by a code per line.
_DECISIONS: tuple[tuple[Label, str], ...] = (
    (Label.BLANK, "blank"),
    (Label.BODY, "score.content"),
    (Label.HEADING, "feature.heading_shape"),
    (Label.TITLE, "context.title"),
    (Label.BODY, "context.standfirst"),
    (Label.HEADING, "context.between_body"),
    (Label.BODY, "context.list_continues"),
    (Label.BODY, "context.table"),
    (Label.BODY, "context.resumes_after_box"),
    (Label.META, "context.author_box"),
    (Label.TAGS, "feature.glued"),
    (Label.TEASER, "feature.ellipsis_end"),
    (Label.NAVIGATION, "feature.link_like"),
    (Label.TEASER, "feature.other_story"),
    (Label.OTHER, "feature.low_score"),
    (Label.OTHER, "context.second_copy"),
    (Label.OTHER, "context.shown_twice"),
    (Label.OTHER, "context.heads_nothing"),
    (Label.BODY, "context.separator"),
    (Label.BODY, "context.post_credit"),
    (Label.CAPTION, "context.above_credit"),
    # Then one per section (smooth.SECTIONS): a dropped line under that section's header.
    *((section, f"context.after_{section.value}_header") for section in SECTIONS),
)
(_BLANK, _BODY, _HEADING_SHAPE, _TITLE, _STANDFIRST, _BETWEEN_BODY, _LIST, _TABLE, _RESUMED, _AUTHOR_BOX,
 _GLUED, _ELLIPSIS, _LINK_LIKE, _OTHER_STORY, _LOW_SCORE, _SECOND_COPY, _SHOWN_TWICE, _HEADS_NOTHING,
 _SEPARATOR, _POST_CREDIT, _CAPTIONED, _AFTER_SECTION) = range(22)
_LABEL_OF = numpy.array([label for label, _ in _DECISIONS], dtype=object)
_IS_LOOSE = numpy.array([label in _LOOSE for label, _ in _DECISIONS])
_WHY_OF = numpy.array([why for _, why in _DECISIONS], dtype=object)
_SECTION_CODE = {None: -1, **{section: k for k, section in enumerate(SECTIONS)}}
_TEASER_SECTION = SECTIONS.index(Label.TEASER)
_SUBHEADINGS = (_HEADING_SHAPE, _BETWEEN_BODY)
# Builds a LineResult from a tuple of its fields without a Python-level __new__ per line.
_make_result = partial(tuple.__new__, LineResult)


def round_scores(values: numpy.ndarray) -> list[float]:
    """Return round(v, 4) of every value: the same floats as Python's round.

    round() rounds v's exact decimal value; numpy's rint(v * 10**4) / 10**4 does too unless the
    product, itself rounded, sits so close to a half that it may have crossed it (or is huge):
    those few take Python's round.
    """
    scaled = values * 1e4
    out = (numpy.rint(scaled) / 1e4).tolist()
    unsure = ~((numpy.abs(scaled - numpy.floor(scaled) - 0.5) > 1e-6) & (numpy.abs(scaled) < 2.0 ** 33))
    for i in numpy.flatnonzero(unsure).tolist():
        out[i] = round(float(values[i]), 4)
    return out


def _numbered_items(texts: Sequence[str]) -> list[int]:
    """Return the lines that may start with an item number, in order.

    One search of the page's lines joined by newlines (a newline, spaces, an item number) instead
    of a match per line: the number found tells the line. The spaces may span lines and the
    newline after a line may pass for the space after its number, so this may name a line that
    does not start so; it names every line that does. Callers check each with _ITEM_NUMBER.
    """
    joined = "\n" + "\n".join(texts)
    found = [m.end() - 1 for m in _ITEM_START.finditer(joined)]     # where each number's "." or ")" is
    if not found:
        return []
    ends = list(accumulate(len(text) + 1 for text in texts))        # where each line's newline is
    return sorted({bisect_right(ends, at) for at in found})


def _continue_lists(content: list[bool], texts: Sequence[str], hits: Sequence[Sequence[RuleHit]],
                    nonblank: Sequence[int], max_gap: int) -> set[int]:
    """Return the numbered items that continue a list whose previous item is content."""
    added: set[int] = set()
    last: tuple[int, int] | None = None      # (number, position in nonblank) of the last content item
    for i in _numbered_items(texts):
        pos = bisect_left(nonblank, i)
        m = _ITEM_NUMBER.match(texts[i])
        if m is None or pos == len(nonblank) or nonblank[pos] != i:
            continue
        n = int(m.group(1))
        if not content[i] and last is not None and n == last[0] + 1 and pos - last[1] <= max_gap \
                and not hits[i]:
            content[i] = True
            added.add(i)
        last = (n, pos) if content[i] else None
    return added


def _skeleton(text: str, tokens: int) -> tuple[str, ...]:
    """Return the shape of a line's first tokens: a number as "9", a word as "a", a mark as itself
    ("June 9 – Tampa, FL" and "June 10 – Nashville, TN" are ("a", "9", "–", "a"))."""
    return tuple("9" if t.isdigit() else "a" if t[0].isalnum() or t[0] == "_" else t
                 for t in _SKELETON_TOKEN.findall(text, 0, 200)[:tokens])


def _continue_parallel_lists(content: list[bool], texts: Sequence[str], hits: Sequence[Sequence[RuleHit]],
                             nonblank: Sequence[int], min_items: int, tokens: int) -> set[int]:
    """Return the items of the lists that go on right after a content line: at least min_items
    lines in a row that no rule hits and that begin alike, with a number or a mark among their
    first tokens (tour dates "June 9 – …", "Q: …" and "A: …", "Spain (Group F): …"); the list's
    first items may be content lines themselves.

    Lines of words alone ("a", "a", "a") begin alike in any prose, so they make no list.
    """
    added: set[int] = set()
    k, n = 0, len(nonblank)
    while k < n - 1:
        if not content[nonblank[k]] or content[nonblank[k + 1]] or hits[nonblank[k + 1]]:
            k += 1
            continue
        shape = _skeleton(texts[nonblank[k + 1]], tokens)
        end, start = k + 1, k + 1
        if any(part != "a" for part in shape):
            while end < n and not hits[nonblank[end]] and _skeleton(texts[nonblank[end]], tokens) == shape:
                end += 1
            # The list's first items may be content already: they count towards min_items.
            while start > 0 and content[nonblank[start - 1]] and start > k + 1 - min_items \
                    and _skeleton(texts[nonblank[start - 1]], tokens) == shape:
                start -= 1
        if end - start >= min_items:
            for i in nonblank[k + 1:end]:
                if not content[i]:
                    content[i] = True
                    added.add(i)
        k = max(end, k + 1)
    return added


def _keep_tables(content: list[bool], cells: numpy.ndarray, in_region: Sequence[bool], rows: numpy.ndarray) -> set[int]:
    """Return the cells of the data tables that belong to the article: a table (a run of cells,
    features.table_cell) that reaches into the article region or touches a content line.

    rows: the non-blank lines. A table's cells are short lines, numbers and names, that score as
    menus one by one; the table is the article's when it stands in it or next to it.
    """
    kept: set[int] = set()
    at = cells[rows]
    if not at.any():
        return kept
    for start, stop in runs(at):
        table = rows[start:stop].tolist()
        near = rows[max(0, start - 1):stop + 1].tolist()
        if any(in_region[i] for i in table) or any(content[i] for i in near if not cells[i]):
            kept.update(i for i in table if not content[i])
            for i in table:
                content[i] = True
    return kept


def _keep_separators(content: list[bool], texts: Sequence[str], hits: Sequence[Sequence[RuleHit]],
                     nonblank: Sequence[int], max_gap: int) -> set[int]:
    """Return the separator lines ("___", "* * *") that divide the article's sections: right after
    a content line, with a content line again at most max_gap non-blank lines further."""
    kept: set[int] = set()
    for pos, i in enumerate(nonblank):
        if pos and not content[i] and not hits[i] and content[nonblank[pos - 1]] \
                and _SEPARATOR_LINE.fullmatch(texts[i]) \
                and any(content[j] for j in nonblank[pos + 1:pos + 1 + max_gap]):
            content[i] = True
            kept.add(i)
    return kept


def _keep_post_credits(content: list[bool], texts: Sequence[str], nonblank: Sequence[int]) -> set[int]:
    """Return the credit lines of embedded social posts ("— Jane Doe (@janedoe) November 18, 2019")
    right under a content line: the post the article quotes, and its credit with it (kept, and not
    taken for a heading: the last line of a page may be one)."""
    kept: set[int] = set()
    for pos, i in enumerate(nonblank):
        if pos and content[nonblank[pos - 1]] and _POST_CREDIT_LINE.fullmatch(texts[i]):
            content[i] = True
            kept.add(i)
    return kept


def _drop_author_bios(content: list[bool], hits: Sequence[Sequence[RuleHit]], nonblank: Sequence[int],
                      max_lines: int) -> set[int]:
    """Return the content lines that are the biography under an author-box header."""
    dropped: set[int] = set()
    for pos in compress(range(len(nonblank)), map(hits.__getitem__, nonblank)):   # the lines with hits
        if _META in map(_SECTION, hits[nonblank[pos]]):
            for j in nonblank[pos + 1:pos + 1 + max_lines]:
                if hits[j]:
                    break
                if content[j]:
                    content[j] = False
                    dropped.add(j)
    return dropped


def _drop_captions_above(content: list[bool], hits: Sequence[Sequence[RuleHit]], words: numpy.ndarray,
                         nonblank: Sequence[int], min_words: int, max_words: int) -> set[int]:
    """Return the content lines right above a credit or a speaker (a captions_above category:
    "Photo: Jane Doe", "Jane Doe, Minister of Finance"): a photo's caption, or a pull quote (the
    article's own words shown again in large type, or a quote from its video); the credit goes
    with it. Only a line of min_words to max_words words: a shorter one is a heading, a longer
    one a paragraph over the credit of the picture below it."""
    dropped: set[int] = set()
    for pos in compress(range(1, len(nonblank)), map(hits.__getitem__, nonblank[1:])):   # the lines with hits
        above, credit = nonblank[pos - 1], nonblank[pos]
        if content[above] and min_words <= words[above] <= max_words and any(map(_CAPTIONS_ABOVE, hits[credit])):
            content[above] = content[credit] = False
            dropped.add(above)
    return dropped


def _resume_after_inline_box(content: list[bool], features: Sequence[LineFeatures],
                             hits: Sequence[Sequence[RuleHit]], raw_probs: Sequence[float],
                             teaser: Sequence[int], nonblank: Sequence[int], s) -> set[int]:
    """Return the teaser-section lines that are the article going on after an inline related box.

    teaser: the positions in nonblank of the lines under a teaser section's header.
    """
    resumed: set[int] = set()
    gap = s("resume_max_gap")
    for pos in teaser:
        i = nonblank[pos]
        if not content[i] and not hits[i] and any(map(content.__getitem__, nonblank[max(0, pos - gap):pos])) \
                and raw_probs[i] >= s("resume_min_raw_score") and features[i].words >= s("resume_min_words") \
                and features[i].terminal_punct and features[i].topic_overlap >= s("resume_min_topic_overlap"):
            content[i] = True
            resumed.add(i)
    return resumed


def _drop_second_copies(content: list[bool], texts: Sequence[str], repeats: numpy.ndarray, words: numpy.ndarray,
                        min_words: int, keep: Collection[int] = frozenset()) -> set[int]:
    """Return the content lines that repeat an earlier content line word for word: a paragraph
    the page shows twice (a caption over and under its photo, a lead repeated as the summary).

    Only lines of at least min_words words that the page has exactly twice: a question asked
    of every guest of an interview is the article's own repetition. The lines in keep may
    repeat (one account's two posts of a day share their credit line).
    """
    seen: set[str] = set()
    dropped: set[int] = set()
    for i in numpy.flatnonzero((repeats == 1) & (words >= min_words)).tolist():
        if content[i]:
            key = fold_key(texts[i])
            if key in seen and i not in keep:
                content[i] = False
                dropped.add(i)
            seen.add(key)
    return dropped


def _drop_doubled_lines(content: list[bool], texts: Sequence[str], repeats: numpy.ndarray, words: numpy.ndarray,
                        rows: numpy.ndarray, title: int | None, min_words: int) -> set[int]:
    """Return the content lines that the page shows twice in a row, both copies: an image's
    description over its caption, a card's label over its link. The article does not say a
    thing twice in a row (on the devset no such pair is in the gold); the title may stand over
    a copy of itself and stays.

    Only lines of at least min_words words that the page has exactly twice, as _drop_second_copies.
    """
    dropped: set[int] = set()
    nonblank = rows.tolist()
    for a, b in zip(nonblank, nonblank[1:]):
        if repeats[b] == 1 and words[b] >= min_words and fold_key(texts[a]) == fold_key(texts[b]):
            for i in (a, b):
                if content[i] and i != title:
                    content[i] = False
                    dropped.add(i)
    return dropped


def _promote_subheadings(content: list[bool], headline: numpy.ndarray, rows: numpy.ndarray) -> set[int]:
    """Return the short headline-like lines between two content lines: subheadings (jusText's revision).

    headline: per line, whether it is headline-like, short enough for a heading and under no
    section; rows: the non-blank lines.
    """
    kept = numpy.fromiter(content, bool, len(content))[rows]
    middle = rows[1:-1]
    promoted = set(middle[kept[:-2] & kept[2:] & ~kept[1:-1] & headline[middle]].tolist())
    for i in promoted:
        content[i] = True
    return promoted


def _drop_heading_at_end(content: list[bool], code: numpy.ndarray, kept: numpy.ndarray) -> list[int]:
    """Return the last content line (kept: the content lines, in order) when it is a lone heading
    under a paragraph, and drop it; else [].

    A heading introduces the text under it; one with no text under it heads nothing (a tag line,
    "Weitere Informationen", "How to listen to the podcast"). A run of headings at the end is
    a list of them (tour dates) and stays.
    """
    if len(kept) < 2 or code[kept[-1]] not in _SUBHEADINGS or code[kept[-2]] in (*_SUBHEADINGS, _TITLE):
        return []
    last = int(kept[-1])
    content[last] = False
    return [last]


def _find_title(content: list[bool], headline: numpy.ndarray, words_of, nonblank: Sequence[int],
                s) -> tuple[int | None, int | None]:
    """Return the title, the headline-like line just before the first content line that is most
    about the article (_most_topical_headline), and that first content line (None, None: no content)."""
    first = next((i for i in nonblank if content[i]), None)
    if first is None:
        return None, None
    before = nonblank[:nonblank.index(first)][-s("title_lookback_lines"):]
    title = _most_topical_headline(before + [first], headline, words_of, content, nonblank, first, s)
    if title is not None:
        content[title] = True
    return title, first


def _find_title_over_chrome(content: list[bool], headline: numpy.ndarray, words_of, topic: numpy.ndarray,
                            hits: Sequence[Sequence[RuleHit]], words: numpy.ndarray, nonblank: list[int],
                            first: int, s) -> tuple[int | None, set[int]]:
    """Return a title further up than title_lookback_lines when rule-hit lines fill the gap, and
    its standfirst; (None, set()) unless both are there."""
    before = [i for i in nonblank[:nonblank.index(first)] if not hits[i]][-s("title_lookback_lines"):]
    title = _most_topical_headline(before, headline, words_of, content, nonblank, first, s)
    if title is None:
        return None, set()
    standfirst = _find_standfirst(content, title, first, hits, words, topic, nonblank, s)
    if not standfirst:
        return None, set()
    content[title] = True
    return title, standfirst


def _most_topical_headline(lines: Sequence[int], headline: numpy.ndarray, words_of, content: Sequence[bool],
                           nonblank: list[int], first: int, s) -> int | None:
    """Return the headline: of the headline-like lines among lines that share content words with
    the article's lead (its first title_lead_lines content lines, the candidates left out), the
    one most about it, or None.

    A candidate needs at least title_min_shared_words such words, and at least
    title_min_topic_overlap of its own; of those sharing at least title_min_shared_of_best of
    the best count, the one sharing the largest part of its words wins (then the first).
    Counting words tells the headline from a section name ("Health News" shares both of its
    words with an article on a plague case, its headline six of eight); the largest part among
    the near-best is the headline, not its longer standfirst or a breadcrumb line repeating it.
    """
    candidates = [i for i in lines if headline[i]]
    if not candidates:
        return None
    skip = set(candidates)
    lead = [i for i in nonblank[nonblank.index(first):] if content[i] and i not in skip][:s("title_lead_lines")]
    article = set().union(*map(words_of, lead)) if lead else set()
    scored = []
    for i in candidates:
        own = words_of(i)
        shared = len(own & article)
        if shared >= s("title_min_shared_words") and shared >= s("title_min_topic_overlap") * len(own):
            scored.append((i, shared, shared / len(own)))
    if not scored:
        return None
    enough = max(s("title_min_shared_words"), max(shared for _, shared, _ in scored) * s("title_min_shared_of_best"))
    return max((share, -i, i) for i, shared, share in scored if shared >= enough)[2]


def _find_standfirst(content: list[bool], title: int, first: int, hits: Sequence[Sequence[RuleHit]],
                     words: numpy.ndarray, topic: numpy.ndarray, nonblank: list[int], s) -> set[int]:
    """Return the standfirst: of the lines between the title and the first paragraph that no rule
    hits, the last (the lede right above the article, under the byline, share bar and ads), when
    it is long and on-topic. (Every such line also took captions, datelines and other stories'
    headlines: devset F1 -0.0007; the line right after the title: -0.0004, fundus -0.0005.)"""
    last = [i for i in nonblank[nonblank.index(title) + 1:nonblank.index(first)] if not hits[i]][-1:]
    standfirst = {i for i in last if words[i] >= s("standfirst_min_words")
                  and topic[i] >= s("standfirst_min_topic_overlap")}
    for i in standfirst:
        content[i] = True
    return standfirst


def _headline_like(columns: LineFeatures, has_hits: numpy.ndarray, texts: Sequence[str], s) -> numpy.ndarray:
    """Return, per line, whether it is shaped like a headline: a few words, no sentence end but a
    question or exclamation mark, no colon at the end, glued words, URL, rule hit or many digits."""
    words = columns.words
    shaped = ((s("title_min_words") <= words) & (words <= s("title_max_words")) & (columns.colon_end == 0)
              & (columns.glued == 0) & (columns.has_url == 0) & ~has_hits
              & (columns.digit_share < s("title_max_digit_share")))
    ends = shaped & (columns.terminal_punct != 0)       # only these few lines need their text read
    for i in numpy.flatnonzero(ends).tolist():
        ends[i] = _ASKS.search(texts[i]) is not None
    return shaped & (columns.terminal_punct == 0) | ends


def _shape_codes(columns: LineFeatures, s) -> numpy.ndarray:
    """Return, per line, the decision for a dropped line that no rule hit and no section decides: by its shape."""
    words = columns.words
    code = numpy.full(len(words), _LOW_SCORE)
    code[words >= s("teaser_min_words")] = _OTHER_STORY        # the first that holds wins: set it last
    code[(words <= s("navigation_max_words")) & (columns.terminal_punct == 0)] = _LINK_LIKE
    code[columns.ellipsis_end != 0] = _ELLIPSIS
    code[columns.glued != 0] = _GLUED
    return code


@lru_cache(maxsize=4096)
def _leading_reasons(why: str, context: tuple[str, ...]) -> tuple[str, ...]:
    """Return why a line got its label, then the context facts that moved it (none twice)."""
    return (why, *[r for r in context if r != why])


register(_leading_reasons.cache_clear)


def _join_meta(labels: list[Label], reasons: list[tuple[str, ...]], texts: Sequence[str],
               hits: Sequence[Sequence[RuleHit]], loose: Sequence[int], nonblank: Sequence[int]) -> None:
    """Relabel short dropped lines that belong to a byline as meta: the name after a bare "by",
    counters right after it, the same name repeated elsewhere on the page.

    loose: the positions in nonblank of the short navigation and other lines, the ones that may join.
    """
    if _META not in labels:         # nothing to join
        return
    meta_keys = {text.casefold() for text, label in zip(texts, labels) if label is _META}
    for pos in loose:
        i = nonblank[pos]
        if (not hits[i] or all(hit.rule_id == "base.number_only" for hit in hits[i])) \
                and ((pos and labels[nonblank[pos - 1]] is _META) or texts[i].casefold() in meta_keys):
            labels[i] = _META
            reasons[i] = ("context.next_to_meta",) + reasons[i]
            meta_keys.add(texts[i].casefold())


def label_lines(
    lines: Sequence[Line],
    features: Sequence[LineFeatures],
    hits: Sequence[Sequence[RuleHit]],
    scored: Sequence[tuple[float, tuple[str, ...]]],
    contexts: Sequence[Context],
    settings: Mapping,
    stopwords: Collection[str] = frozenset(),
) -> tuple[LineResult, ...]:
    """Return one LineResult per line (stopwords: the page's language's, to find its title)."""
    def s(name: str):   # one of the label.* settings
        return settings["label." + name]

    n = len(lines)
    if not n:
        return ()
    columns = feature_columns(features)
    words, topic = columns.words, columns.topic_overlap
    filled = columns.chars > 0
    rows = numpy.flatnonzero(filled)
    nonblank = rows.tolist()
    has_hits = numpy.fromiter(map(bool, hits), bool, n)
    hit_lines = numpy.flatnonzero(has_hits).tolist()
    texts = list(map(_TEXT, lines))
    logits, sections, in_region, context_reasons = zip(*contexts)
    raw_logits, score_reasons = zip(*scored)
    both = sigmoids(logits + raw_logits)
    probs, raw_probs = both[:n], both[n:]
    content = (filled & (probs >= s("content_min_score"))).tolist()
    # A category that is sure of itself (weight at or below rule_veto_weight) drops the line
    # unless the score is overwhelming: "Get the newsletter in your inbox:" between paragraphs.
    veto, override = s("rule_veto_weight"), s("rule_override_score")
    for i in hit_lines:
        if content[i] and min(map(_WEIGHT, hits[i])) <= veto and probs[i] < override:
            content[i] = False

    listed = _continue_lists(content, texts, hits, nonblank, s("list_max_gap"))
    listed |= _continue_parallel_lists(content, texts, hits, nonblank, s("parallel_list_min_items"),
                                       s("parallel_list_tokens"))
    tabled = _keep_tables(content, columns.table_cell != 0, in_region, rows)
    separators = _keep_separators(content, texts, hits, nonblank, s("separator_max_gap"))
    post_credits = _keep_post_credits(content, texts, nonblank)
    bios = _drop_author_bios(content, hits, nonblank, s("author_box_max_lines"))
    captioned = _drop_captions_above(content, hits, words, nonblank, s("caption_above_min_words"),
                                     s("caption_above_max_words"))
    section = numpy.fromiter(map(_SECTION_CODE.__getitem__, sections), numpy.intp, n)
    teaser = numpy.flatnonzero(section[rows] == _TEASER_SECTION).tolist()
    resumed = _resume_after_inline_box(content, features, hits, raw_probs, teaser, nonblank, s)
    headline = _headline_like(columns, has_hits, texts, s)
    # Under no section, or under a teaser section's header that the article went on after (an inline
    # "Read also" box): between two content lines, such a line is the article's subheading.
    # (Devset: one page crosses 0.98, one loses 0.001.)
    open_section = (section < 0) | (section == _TEASER_SECTION)
    promoted = _promote_subheadings(content, headline & (words <= s("heading_max_words")) & open_section, rows)
    vocab = vocabulary(stopwords, settings)
    words_of = lru_cache(maxsize=None)(lambda i: {w for w in vocab.lookup(tokenize(texts[i])).tolist() if w >= 0})
    titled = headline & (words >= s("title_candidate_min_words"))       # the title's candidates
    title, first = _find_title(content, titled, words_of, nonblank, s)
    standfirst = _find_standfirst(content, title, first, hits, words, topic, nonblank, s) \
        if title is not None else set()
    if title is None and first is not None:
        # A headline and its standfirst above a byline, a date and a share bar: counted back over
        # the lines no rule hits, and taken only with the standfirst under it.
        title, standfirst = _find_title_over_chrome(content, titled, words_of, topic, hits, words, nonblank,
                                                    first, s)

    doubled = _drop_doubled_lines(content, texts, columns.repeats, words, rows, title, s("copy_min_words"))
    copies = _drop_second_copies(content, texts, columns.repeats, words, s("copy_min_words"), keep=post_credits)

    # Each line's decision, by code: content lines by their revision or shape, dropped lines by
    # their section or shape; then the dropped lines that a rule hit decides.
    kept = numpy.fromiter(content, bool, n)
    heading = (words <= s("heading_max_words")) & (columns.terminal_punct == 0) & headline
    dropped = numpy.where(section >= 0, _AFTER_SECTION + section, _shape_codes(columns, s))
    code = numpy.where(kept, numpy.where(heading, _HEADING_SHAPE, _BODY), dropped)
    for revised, decision in ((resumed, _RESUMED), (listed, _LIST), (tabled, _TABLE), (separators, _SEPARATOR),
                              (post_credits, _POST_CREDIT),
                              (promoted, _BETWEEN_BODY), (standfirst, _STANDFIRST),
                              ({title} - {None}, _TITLE)):   # the last one wins
        code[[i for i in revised if content[i]]] = decision
    code[_drop_heading_at_end(content, code, rows[kept[rows]])] = _HEADS_NOTHING
    code[[i for i in bios if not content[i]]] = _AUTHOR_BOX
    code[[i for i in captioned if not content[i]]] = _CAPTIONED
    code[list(doubled)] = _SHOWN_TWICE
    code[list(copies)] = _SECOND_COPY
    code[~filled] = _BLANK
    labels, whys = _LABEL_OF[code].tolist(), _WHY_OF[code].tolist()
    told = numpy.flatnonzero(has_hits & filled).tolist()
    for i in told:
        if not content[i] and i not in bios:       # a dropped line takes its strongest hit's label
            strongest = min(hits[i], key=_WEIGHT)  # (the first of equally strong hits)
            labels[i], whys[i] = strongest.label, strongest.rule_id
    reasons = list(map(tuple.__add__, map(_leading_reasons, whys, context_reasons), score_reasons))
    for i in told:                                 # the hits' ids come right after why
        why = whys[i]
        reasons[i] = (why, *filter(why.__ne__, map(_RULE_ID, hits[i])), *reasons[i][1:])
    loose = _IS_LOOSE[code]
    loose[told] = [label in _LOOSE for label in map(labels.__getitem__, told)]
    loose &= filled & (words <= s("meta_neighbour_max_words"))
    _join_meta(labels, reasons, texts, hits, numpy.flatnonzero(loose[rows]).tolist(), nonblank)

    rounded = round_scores(both)
    scores, raw_scores = rounded[:n], rounded[n:]
    for i in numpy.flatnonzero(~filled).tolist():
        scores[i] = raw_scores[i] = 0.0
        reasons[i] = ("blank",)
    return tuple(map(_make_result, zip(map(_NUMBER, lines), texts, labels, scores, raw_scores, reasons)))
