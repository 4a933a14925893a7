"""Tables for people: what `cleaner explain` and `cleaner rules list|show` print.

In: a Result, or RuleSets. Out: aligned plain text that fits a terminal's width (East Asian
wide characters count as two columns). Nothing here cleans a page or loads a rule file.
"""
from __future__ import annotations

import unicodedata
from typing import Collection, Mapping, Sequence

from .model import Label, Result
from .ruleset import Category, RuleSet

REASONS_MIN_WIDTH = 16   # the reasons column shrinks to this before the text column does
TEXT_MIN_WIDTH = 20      # the text column never gets narrower than this
ELLIPSIS = "…"
SHARED_CATEGORIES = ("navigation", "search", "share", "comments", "related", "read_more", "newsletter",
                     "ads", "byline", "dates", "caption", "legal", "tags", "prev_next")
"""The category names every language file has (rules/README.md), in the README's order."""


# ---------------------------------------------------------------- fitting text to columns
def char_width(ch: str) -> int:
    """Return how many terminal columns a character takes: 0, 1 or 2."""
    if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def display_width(text: str) -> int:
    """Return how many terminal columns a text takes."""
    return sum(char_width(ch) for ch in text)


def fit(text: str, width: int) -> str:
    """Return the text cut to at most `width` columns (with "…" when cut), padded to `width`."""
    text = "".join(ch if ch.isprintable() else " " for ch in text)
    used, out = 0, []
    total = display_width(text)
    limit = width if total <= width else width - 1
    for ch in text:
        w = char_width(ch)
        if used + w > limit:
            break
        out.append(ch)
        used += w
    if total > width:
        out.append(ELLIPSIS)
        used += 1
    return "".join(out) + " " * max(0, width - used)


def render_table(header: Sequence[str], rows: Sequence[Sequence[str]], widths: Sequence[int],
                 right: Collection[int] = ()) -> str:
    """Return rows under a header, each cell fitted to its column; the last column is not padded."""
    lines = []
    for row in [header, *rows]:
        cells = []
        for k, (cell, width) in enumerate(zip(row, widths)):
            if k in right:
                cells.append(" " * max(0, width - display_width(cell)) + cell)
            elif k == len(widths) - 1:
                cells.append(fit(cell, width).rstrip())
            else:
                cells.append(fit(cell, width))
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- explain
def render_explain(result: Result, width: int, keep: Collection[Label], name: str = "") -> str:
    """Return the explain table: line, label, score, reasons, text; one row per input line."""
    header = ("line", "label", "score", "reasons", "text")
    rows = [(str(line.number), line.label.value, f"{line.score:.2f}" if line.label is not Label.BLANK else "",
             ",".join(line.reasons), line.text)
            for line in result.lines]
    number_w = max([len(header[0])] + [len(r[0]) for r in rows])
    label_w = max([len(header[1])] + [len(r[1]) for r in rows])
    score_w = len(header[2])
    fixed = number_w + label_w + score_w + 4 * 2
    reasons_full = max([len(header[3])] + [len(r[3]) for r in rows])
    reasons_w = min(reasons_full, max(REASONS_MIN_WIDTH, (width - fixed) // 2))
    text_w = max(TEXT_MIN_WIDTH, width - fixed - reasons_w)
    table = render_table(header, rows, (number_w, label_w, score_w, reasons_w, text_w), right={0, 2})
    kept = sum(1 for line in result.lines if line.label in keep)
    title = f"{name}: " if name else ""
    summary = (f"{title}language {result.language or 'unknown'}, {len(result.lines)} lines, "
               f"{kept} kept ({', '.join(sorted(label.value for label in keep))})")
    return table + fit(summary, width).rstrip() + "\n"


# ---------------------------------------------------------------- rules
def own_categories(ruleset: RuleSet, code: str | None) -> list[Category]:
    """Return the categories a rule set's own file defines (base's for None)."""
    prefix = f"{code or 'base'}."
    return [cat for cat in ruleset.categories if cat.id.startswith(prefix)]


def render_rule_ids(categories: Sequence[Category], width: int) -> str:
    """Return one row per rule id: id, label, weight, match, description."""
    header = ("id", "label", "weight", "match", "description")
    rows = [(cat.id, cat.label.value, f"{cat.weight:+.1f}", _match_of(cat), cat.description) for cat in categories]
    id_w = max([len(header[0])] + [len(r[0]) for r in rows])
    label_w = max([len(header[1])] + [len(r[1]) for r in rows])
    match_w = max([len(header[3])] + [len(r[3]) for r in rows])
    fixed = id_w + label_w + len(header[2]) + match_w + 4 * 2
    return render_table(header, rows, (id_w, label_w, len(header[2]), match_w, max(TEXT_MIN_WIDTH, width - fixed)),
                        right={2})


def _match_of(cat: Category) -> str:
    if getattr(cat, "is_html", False):
        return "html"
    return cat.match if cat.phrases else "pattern"


def render_language_matrix(present: Mapping[str, Collection[str]]) -> str:
    """Return a table of category name × language code: "x" where the language has it."""
    codes = sorted(present)
    names = [n for n in SHARED_CATEGORIES if any(n in present[c] for c in codes)]
    names += sorted({n for c in codes for n in present[c]} - set(names))
    name_w = max([len("(categories)")] + [len(n) for n in names])
    code_w = max([2] + [len(c) for c in codes])
    header = ("category", *codes)
    rows = [(name, *("x" if name in present[c] else "-" for c in codes)) for name in names]
    rows.append(("(categories)", *(str(len(present[c])) for c in codes)))
    return render_table(header, rows, (name_w, *(code_w for _ in codes)), right=set(range(1, len(codes) + 1)))


def render_ruleset(ruleset: RuleSet, code: str | None, base: RuleSet | None = None) -> str:
    """Return a language's merged rules: sources, stop words, settings it changes, every category."""
    lines = [f"# rules for {code or 'base'}: {' + '.join(ruleset.sources)}",
             f"# {len(ruleset.categories)} categories, {len(ruleset.stopwords)} stop words"]
    if base is not None:
        changed = {k: v for k, v in ruleset.settings.items() if base.settings.get(k) != v}
        for key, value in sorted(changed.items()):
            lines.append(f"# setting {key} = {value!r} (base: {base.settings.get(key)!r})")
    for cat in ruleset.categories:
        lines.append("")
        lines.append(f"[{cat.id}]  label={cat.label.value}  weight={cat.weight:+.1f}  match={_match_of(cat)}")
        lines.append(f"  {cat.description}")
        limits = []
        if cat.max_words is not None:
            limits.append(f"max_words={cat.max_words}")
        if cat.skip_sentences:
            limits.append("skip_sentences")
        if cat.section is not None:
            limits.append(f"section={cat.section.value}")
        if limits:
            lines.append("  " + "  ".join(limits))
        if cat.phrases:
            lines.append("  phrases: " + ", ".join(f'"{p}"' for p in cat.phrases))
        for pattern in cat.patterns:
            lines.append(f"  pattern: {pattern}")
        for key in ("html_tags", "html_tokens"):
            values = getattr(cat, key, ())
            if values:
                lines.append(f"  {key}: " + ", ".join(values))
        lines.append(f"  from {cat.source}")
    return "\n".join(lines) + "\n"
