"""The data that flows between the stages: labels, lines, features, rule hits, results.

Everything here is a frozen value; stages build new values instead of mutating old ones.
Nothing here does any work beyond small derived properties.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import NamedTuple


class Label(StrEnum):
    """What a line of a page is (DESIGN.md's table)."""

    TITLE = "title"
    HEADING = "heading"
    BODY = "body"
    META = "meta"
    CAPTION = "caption"
    NAVIGATION = "navigation"
    SHARE = "share"
    COMMENTS = "comments"
    TEASER = "teaser"
    PROMO = "promo"
    LEGAL = "legal"
    TAGS = "tags"
    OTHER = "other"
    BLANK = "blank"


CONTENT_LABELS: frozenset[Label] = frozenset({Label.TITLE, Label.HEADING, Label.BODY})
"""The labels kept in the clean text by default."""


class CleanerError(Exception):
    """Base of every error cleaner raises on purpose; the message says what to do next."""


@dataclass(frozen=True, slots=True)
class Line:
    """One input line, as segmented: its 1-based number and its (normalised) text."""

    number: int
    text: str


class LineFeatures(NamedTuple):
    """Language-aware facts about one line; pure functions of the page's text.

    A named tuple, not a dataclass: a page's features are made a few hundred at a time, and
    read by the score stage as the rows of one matrix.
    """

    chars: int              # characters without surrounding whitespace
    words: int              # word tokens (for scripts without spaces: characters / chars_per_word)
    stopword_density: float  # share of word tokens that are stop words
    terminal_punct: bool    # ends like a sentence in its script
    ellipsis_end: bool      # ends with "…" or "..."
    digit_share: float      # digits among non-space characters
    upper_share: float      # upper-case among cased letters (0 for scripts without case)
    title_share: float      # title-cased words among cased words
    separators: int         # | » › · • and similar menu separators
    has_url: bool           # an URL or an e-mail address
    glued: bool             # inline words glued without spaces ("AzerbaijanIsrael")
    position: float         # 0 at the first non-blank line, 1 at the last
    repeats: int            # other lines of the page with the same text
    topic_overlap: float    # share of the line's content words found in the title and lead
    cased: bool             # the script distinguishes upper and lower case
    colon_end: bool         # ends with a colon, like a header or a call to action
    relative_length: float  # characters over the page's long-line length (its 90th percentile)
    starts_lower: bool      # begins with a lower-case letter (a paragraph's continuation)
    joins: int              # places where two texts were glued without a space ("AthleteA 24")
    enumerated: bool        # starts like a list item: "1) ", "2. ", "• "
    dated: bool = False     # a short line with a date, a clock time or "3 hours ago" (comment stamps)
    table_cell: bool = False  # a cell of a data table written one cell per line (tables.py)



@dataclass(frozen=True, slots=True)
class RuleHit:
    """A category of a rule set that matched a line."""

    rule_id: str        # "en.comments", "base.copyright"
    label: Label
    weight: float
    section: Label | None = None  # the label this header gives the lines after it
    captions_above: bool = False  # a credit or a speaker: the content line right above it is a caption


class LineResult(NamedTuple):
    """The decision for one line, with everything that made it (what `cleaner explain` shows).

    A named tuple, not a dataclass: the label stage makes one per line of every page (change
    one with `line._replace(label=...)`).
    """

    number: int
    text: str
    label: Label
    score: float                 # the final confidence that the line is article content, 0..1
    raw_score: float = 0.0       # the context-free score, before smoothing
    reasons: tuple[str, ...] = ()

    @property
    def kept(self) -> bool:
        """Whether the default keep set keeps this line."""
        return self.label in CONTENT_LABELS


@dataclass(frozen=True, slots=True)
class Result:
    """A cleaned page: the clean text, its language and one LineResult per input line."""

    text: str
    language: str | None
    lines: tuple[LineResult, ...] = field(default_factory=tuple)
    newline: str = "\n"      # the input's line ending, for writing the text back
    bom: bool = False        # the input began with a byte-order mark

    def labels(self) -> list[str]:
        """Return the label of every line, in order."""
        return [line.label.value for line in self.lines]


@dataclass(frozen=True, slots=True)
class DomNode:
    """An element around a line of an HTML page (HTML input only)."""

    index: int                  # its place in the page's document order (unique in a page)
    end: int                    # the index of its last descendant: it holds the elements index..end
    tag: str                    # lower-case tag name
    names: tuple[str, ...]      # its class and id names: lower case, name parts joined by "-"
    chars: int                  # non-space characters of the text inside it
    link_chars: int             # of those, the characters inside links
    hidden: bool = False        # hidden by its attributes (hidden, aria-hidden, display:none)


@dataclass(frozen=True, slots=True)
class DomEvidence:
    """What a page's HTML says about one of its lines; evidence.py turns it into hits and logits."""

    path: tuple[DomNode, ...]   # the line's ancestors, outermost (body) first, its own element last
    link_share: float           # share of the line's characters inside links
    page_chars: int             # non-space characters of the page's whole text
    title: bool                 # the line is the page's headline (<title>, og:title, JSON-LD headline, h1)
    jsonld_body: float | None   # share of the line found in the page's JSON-LD articleBody; None: there is none
    description: float | None = None  # share of the line in the page's own description (meta, og, JSON-LD); None: none
