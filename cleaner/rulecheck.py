"""Check a user's rule file: it merges onto the shipped rules, its examples pass, its patterns are fast.

In: the file's path (and the language it is meant for, if the user says). Out: a RuleCheck
listing every problem as "FILE:LINE: where: what", or raising the RuleError that loading
gives. Nothing here changes a rule or looks at a page.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import regex

from .features import measure_lines
from .model import CleanerError, Line
from .rules import match_line
from .ruleset import PATTERN_MAX_CHARS, Category, RuleError, RuleSet, _find_line, available_languages, load_ruleset

# A pattern is tried on these lines, each as long as the longest line patterns run on, and
# must finish each within PROBE_TIMEOUT_SECONDS: nested repeats such as (a+)+ do not.
PROBE_TIMEOUT_SECONDS = 0.25
PROBE_UNITS = ("a", "A", "1", " ", ".", "a ", "a.", "a-", "_")


@dataclass
class RuleCheck:
    """What checking a rule file found."""

    path: str
    language: str | None
    categories: int = 0          # the file's own categories
    extended: int = 0            # shipped categories it extends
    examples: int = 0            # examples run
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Whether the file passed every check."""
        return not self.problems

    def summary(self) -> str:
        """Return the one-line verdict."""
        against = f"base + {self.language}" if self.language else "base"
        verdict = "ok" if self.ok else f"{len(self.problems)} problems"
        return (f"{self.path}: {verdict}: {self.categories} categories, {self.extended} extended, "
                f"{self.examples} examples run (against {against} rules)")


def check_rule_file(path: str | Path, language: str | None = None) -> RuleCheck:
    """Load a rule file onto base (a user file also onto its language), run its examples, probe its patterns.

    The language is the one given, else the one whose categories the file extends or
    disables; a malformed file raises the RuleError naming its file, line and key.
    """
    path = Path(path)
    raw = _read(path)
    data = _parse(path, raw)
    if isinstance(data.get("language"), dict):   # a language file: loaded as the language's rules
        language = str(data["language"].get("code", path.stem))
        ruleset = load_ruleset(language, language_file=path)
    else:
        language = language or _language_of(path, data)
        ruleset = load_ruleset(language, [path])
    check = RuleCheck(str(path), language)
    own = [cat for cat in ruleset.categories if Path(cat.source) == path]
    extended_ids = [rule_id for rule_id in data.get("extend", {}) if isinstance(rule_id, str)]
    extended = [cat for cat in ruleset.categories if cat.id in extended_ids]
    check.categories, check.extended = len(own), len(extended)
    for cat in own:
        _run_examples(check, ruleset, cat, raw, f"category.{cat.id.split('.', 1)[1]}")
        _probe_patterns(check, cat.id, cat.patterns, raw, f"category.{cat.id.split('.', 1)[1]}")
    for cat in extended:
        table = f'extend."{cat.id}"'
        _run_examples(check, ruleset, cat, raw, table)
        added = data["extend"][cat.id].get("patterns", []) if isinstance(data["extend"][cat.id], dict) else []
        _probe_patterns(check, cat.id, tuple(p for p in added if isinstance(p, str)), raw, table)
    return check


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise RuleError(f"{path}: cannot read the rule file ({exc.strerror or exc})") from None
    except UnicodeDecodeError as exc:
        raise RuleError(f"{path}: not UTF-8 at byte {exc.start}; save the rule file as UTF-8") from None


def _parse(path: Path, raw: str) -> dict:
    try:
        return tomllib.loads(raw)
    except tomllib.TOMLDecodeError:
        load_ruleset(None, [path])  # raises the RuleError that names the file, line and key
        raise


def _language_of(path: Path, data: dict) -> str | None:
    """Return the language whose categories the file extends or disables (None: base only)."""
    ids = list(data.get("extend", {})) if isinstance(data.get("extend"), dict) else []
    disabled = data.get("disable", [])
    ids += [d for d in disabled if isinstance(d, str)] if isinstance(disabled, list) else []
    known = set(available_languages())
    codes = sorted({rule_id.split(".", 1)[0] for rule_id in ids if isinstance(rule_id, str)} & known)
    if len(codes) > 1:
        raise RuleError(f"{path}: extends or disables categories of several languages ({', '.join(codes)}); "
                        f"a rule file applies to one language at a time: split it, one file per language")
    return codes[0] if codes else None


# An HTML category's examples are snippets of a page. Each is laid out after a few paragraphs of
# article, so that it is not most of the page; every line it lays out must match (or none may).
EXAMPLE_PARAGRAPHS = (
    "The city council voted on Tuesday to build four hundred new homes on the site of the old bus depot.",
    "The plan had been debated for more than three years, and residents had asked for a park as well.",
    "Construction is expected to begin next spring and to take about two years, the mayor said.",
    "Opponents said the council had not consulted the people who live next to the depot.",
)


def html_example_hits(ruleset: RuleSet, rule_id: str, snippet: str) -> list[bool]:
    """Return, for each line an HTML snippet lays out on an example page, whether the category hits it."""
    from .evidence import match_dom
    from .html import layout_html

    article = "".join(f"<p>{p}</p>" for p in EXAMPLE_PARAGRAPHS)
    layout = layout_html(f"<!DOCTYPE html><html><head><title>News</title></head><body>{article}{snippet}</body></html>")
    hits = match_dom(ruleset, layout.evidence, ruleset.settings)
    return [any(h.rule_id == rule_id for h in line_hits) for line, line_hits in zip(layout.lines, hits)
            if line.text not in EXAMPLE_PARAGRAPHS]


def _run_examples(check: RuleCheck, ruleset: RuleSet, cat: Category, raw: str, table: str) -> None:
    for example, should_match in [(e, True) for e in cat.examples_match] + [(e, False) for e in cat.examples_no_match]:
        check.examples += 1
        wanted = "should match but does not" if should_match else "should not match but does"
        if cat.is_html:
            matched = html_example_hits(ruleset, cat.id, example)
            if not matched or any(m != should_match for m in matched):
                check.problems.append(f"{check.path}:{_find_line(raw, table, 'examples')}: {table}: "
                                      f"HTML example {example!r} {wanted}")
            continue
        features = measure_lines([Line(1, example)], ruleset.stopwords, ruleset.settings)[0]
        try:
            hits = {hit.rule_id for hit in match_line(ruleset, example, features)}
        except CleanerError as exc:
            check.problems.append(f"{check.path}:{_find_line(raw, table, 'examples')}: {table}: {exc}")
            continue
        if (cat.id in hits) != should_match:
            others = f" (it hits {', '.join(sorted(hits))})" if hits else ""
            check.problems.append(f"{check.path}:{_find_line(raw, table, 'examples')}: {table}: "
                                  f"example {example!r} {wanted}{others}")


def _probe_patterns(check: RuleCheck, rule_id: str, patterns: tuple[str, ...], raw: str, table: str) -> None:
    for pattern in patterns:
        compiled = regex.compile(pattern, regex.IGNORECASE)
        for unit in PROBE_UNITS:
            probe = (unit * PATTERN_MAX_CHARS)[:PATTERN_MAX_CHARS - 1] + "!"
            try:
                compiled.search(probe, timeout=PROBE_TIMEOUT_SECONDS)
            except TimeoutError:
                check.problems.append(
                    f"{check.path}:{_find_line(raw, table, 'patterns')}: {table}: pattern {pattern!r} of {rule_id} "
                    f"takes over {PROBE_TIMEOUT_SECONDS} s on a {len(probe)}-character line of {unit.strip() or 'spaces'!r}"
                    f"; rewrite it without nested or overlapping repeats such as (a+)+")
                break
