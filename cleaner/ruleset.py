"""Load, validate and merge rule files (rules/*.toml) into one compiled, immutable RuleSet.

In: the shipped base file, a language file and any user files. Out: a RuleSet whose
categories are compiled into a few matchers. Every problem is a RuleError that names the
file, the key and the line; nothing here looks at a page.
"""
from __future__ import annotations

import importlib.util
import os
import tomllib
import weakref
from bisect import bisect_right
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any, Iterable, Iterator, Mapping, Sequence

import regex

from .caches import register
from .fold import fold_key, fold_word
from .model import CleanerError, Label, RuleHit
from .prefilter import available as prefilter_available, phrase_screen_for, prefilter_for

MATCH_MODES = ("line", "start", "contains")
CATEGORY_KEYS = {
    "label": str, "description": str, "weight": (int, float), "match": str,
    "phrases": list, "patterns": list, "max_words": int, "section": str,
    "examples": dict, "enabled": bool, "skip_sentences": bool, "captions_above": bool,
    "html_tags": list, "html_tokens": list,
}
# An HTML category matches a line of an HTML page by its place in the DOM, not by its text:
# html_tags are element names, html_tokens are class or id names or their "-"-joined parts.
_HTML_TAG = regex.compile(r"^[a-z][a-z0-9]*$")
_HTML_TOKEN = regex.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# Rule patterns are tried only on lines up to this long: no devset line over 1,000 characters
# is matched by any pattern, and the bound keeps a slow pattern's cost per line bounded.
PATTERN_MAX_CHARS = 1000
# A key can start with a phrase only if its first characters are those of one: a set lookup
# of this many, where a regex match per line would cost ten times more.
_HEAD_CHARS = 4
LANGUAGE_KEYS = {"code": str, "name": str, "stopwords": list}
TOP_KEYS = {
    "base": {"ruleset", "settings", "category"},
    "interface": {"ruleset", "language", "settings", "category"},
    "language": {"ruleset", "language", "settings", "category"},
    "user": {"ruleset", "settings", "category", "extend", "disable"},
}


class RuleError(CleanerError):
    """A rule file is malformed: the message names the file, the key and the line."""


def rules_dir() -> Path:
    """Return the folder of the rule files: $CLEANER_RULES_DIR, else the shipped one."""
    override = os.environ.get("CLEANER_RULES_DIR")
    if override:
        return Path(override)
    packaged = Path(__file__).resolve().parent / "rules"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "rules"


def available_languages() -> list[str]:
    """Return the codes of the shipped language rule files, sorted."""
    return sorted(p.stem for p in rules_dir().glob("*.toml") if p.stem != "base")


@dataclass(frozen=True, slots=True)
class Category:
    """One named kind of boilerplate (or content) with the phrases and patterns that find it."""

    id: str                      # "<file id>.<name>", e.g. "en.comments"
    label: Label
    description: str
    weight: float                # added to a line's content logit when it matches
    match: str                   # how phrases match: the whole line, its start, or anywhere
    phrases: tuple[str, ...]
    patterns: tuple[str, ...]
    max_words: int | None        # only lines of at most this many words; None: any line
    section: Label | None        # a header: the lines after it lean to this label
    skip_sentences: bool         # never match a line that ends like a sentence
    examples_match: tuple[str, ...]
    examples_no_match: tuple[str, ...]
    source: str                  # the file it came from
    html_tags: tuple[str, ...] = ()    # HTML input: lines inside these elements match
    html_tokens: tuple[str, ...] = ()  # HTML input: lines inside elements with these class/id names match
    captions_above: bool = False  # a credit ("Photo: Jane Doe") or a speaker ("Jane Doe, Minister"): the line above is a caption

    @property
    def is_html(self) -> bool:
        """Whether the category matches lines by their place in a page's HTML (not by text)."""
        return bool(self.html_tags or self.html_tokens)


@dataclass(frozen=True)
class RuleSet:
    """Everything cleaner believes about one language: categories, stop words, numbers."""

    language: str | None
    categories: tuple[Category, ...]
    stopwords: frozenset[str]
    settings: Mapping[str, Any]
    sources: tuple[str, ...]
    matcher: "Matcher"
    load_args: tuple = ()        # (language, user files, base file): how to load it again

    @property
    def distinctive_letters(self) -> dict[str, str]:
        """Return [settings.language.distinctive_letters]: per language, letters only its alphabet has."""
        prefix = "language.distinctive_letters."
        return {key[len(prefix):]: value for key, value in self.settings.items() if key.startswith(prefix)}

    def setting(self, key: str) -> Any:
        """Return the tuned number (or flag) stored under a dotted key such as 'score.bias'."""
        try:
            return self.settings[key]
        except KeyError:
            raise CleanerError(f"no setting {key!r} in the rule files {', '.join(self.sources)}") from None

    def category(self, rule_id: str) -> Category:
        """Return the category with this id."""
        for cat in self.categories:
            if cat.id == rule_id:
                return cat
        raise KeyError(rule_id)

    def __reduce__(self):
        language, users, base_file = self.load_args
        return (_rebuild, (language, users, base_file))


def _rebuild(language: str | None, users: tuple[str, ...], base_file: str | None) -> "RuleSet":
    return load_ruleset(language, users, base_file=base_file)


# ---------------------------------------------------------------- locating keys in a file
def _find_line(text: str, table: str, key: str | None = None) -> int:
    """Return the 1-based line of `key` inside `[table]` (or of the table header), or 1."""
    lines = text.splitlines()
    header = regex.compile(r"^\s*\[+\s*" + regex.escape(table).replace(r"\.", r"\s*\.\s*") + r"\s*\]+")
    start = None
    for i, line in enumerate(lines):
        if header.match(line):
            start = i
            break
    dotted_prefix = table.rsplit(".", 1)[-1] + "."
    if start is None:  # a dotted or inline key: search for the key anywhere
        for i, line in enumerate(lines):
            if key and regex.match(r"^\s*(?:" + regex.escape(dotted_prefix) + r")?" + regex.escape(key) + r"\s*=", line):
                return i + 1
        return 1
    if key is None:
        return start + 1
    for i in range(start + 1, len(lines)):
        if regex.match(r"^\s*\[", lines[i]):
            break
        if regex.match(r"^\s*\"?" + regex.escape(key.split(".")[0]) + r"\"?\s*[=.]", lines[i]):
            return i + 1
    return start + 1


def describe_toml_error(path: Path, raw: str, exc: tomllib.TOMLDecodeError) -> str:
    """Return a malformed-TOML message that names the file, the line, its table and key."""
    lines = raw.splitlines()
    found = regex.search(r"at line (\d+)", str(exc))
    if found:
        number = int(found.group(1))
    else:  # "at end of document": an array, table or string left open; blame the last key
        number = next((i for i in range(len(lines), 0, -1) if regex.match(r"""\s*[\w."'-]+\s*=""", lines[i - 1])), 0)
        if not number:
            return f"{path}: malformed TOML: {exc}"
    text = lines[number - 1] if 0 < number <= len(lines) else ""
    header = next((regex.sub(r"^\s*\[+\s*|\s*\]+.*$", "", line) for line in reversed(lines[:number - 1])
                   if regex.match(r"\s*\[", line)), "")
    key = regex.match(r"""\s*([\w."'-]+)\s*=""", text)
    where = ".".join(part for part in (header, key.group(1) if key else "") if part)
    return f"{path}:{number}: {where + ': ' if where else ''}malformed TOML: {exc}: {text.strip()!r}"


class _Source:
    """One parsed rule file with a way to raise errors that point into it."""

    def __init__(self, path: Path, kind: str):
        self.path = path
        self.kind = kind
        try:
            self.raw = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise RuleError(f"{path}: cannot read the rule file ({exc.strerror or exc})") from None
        except UnicodeDecodeError as exc:
            raise RuleError(f"{path}: not UTF-8 at byte {exc.start}; save the rule file as UTF-8") from None
        try:
            self.data = tomllib.loads(self.raw)
        except tomllib.TOMLDecodeError as exc:
            raise RuleError(describe_toml_error(path, self.raw, exc)) from None
        self.id = path.stem

    def error(self, table: str, key: str | None, problem: str) -> RuleError:
        """Build an error naming this file, the key and its line."""
        line = _find_line(self.raw, table, key)
        where = f"{table}.{key}" if key else table
        return RuleError(f"{self.path}:{line}: {where}: {problem}")


# ---------------------------------------------------------------- validation
def _check_type(src: _Source, table: str, key: str, value: Any, want: Any) -> None:
    if want in (int, (int, float)) and isinstance(value, bool):
        raise src.error(table, key, f"expected a number, got {value!r}")
    if not isinstance(value, want):
        names = "/".join(t.__name__ for t in (want if isinstance(want, tuple) else (want,)))
        raise src.error(table, key, f"expected {names}, got {type(value).__name__} {value!r}")


def _string_list(src: _Source, table: str, key: str, value: Any) -> tuple[str, ...]:
    _check_type(src, table, key, value, list)
    for item in value:
        if not isinstance(item, str) or not item.strip():
            raise src.error(table, key, f"expected a list of non-empty strings, found {item!r}")
    return tuple(value)


def _parse_label(src: _Source, table: str, key: str, value: str) -> Label:
    try:
        label = Label(value)
    except ValueError:
        allowed = ", ".join(l.value for l in Label if l is not Label.BLANK)
        raise src.error(table, key, f"unknown label {value!r}; use one of {allowed}") from None
    if label is Label.BLANK:
        raise src.error(table, key, "'blank' is given by the segmenter, not by rules")
    return label


def _parse_category(src: _Source, name: str, body: Any) -> Category | None:
    table = f"category.{name}"
    if not isinstance(body, dict):
        raise src.error("category", name, "a category must be a table")
    for key in body:
        if key not in CATEGORY_KEYS:
            raise src.error(table, key, f"unknown key; allowed: {', '.join(sorted(CATEGORY_KEYS))}")
        _check_type(src, table, key, body[key], CATEGORY_KEYS[key])
    for key in ("label", "description", "weight"):
        if key not in body:
            raise src.error(table, None, f"missing required key {key!r}")
    if not body.get("enabled", True):
        return None
    match = body.get("match", "line")
    if match not in MATCH_MODES:
        raise src.error(table, "match", f"unknown match mode {match!r}; use one of {', '.join(MATCH_MODES)}")
    phrases = _string_list(src, table, "phrases", body.get("phrases", []))
    patterns = _string_list(src, table, "patterns", body.get("patterns", []))
    html_tags = _html_names(src, table, "html_tags", body.get("html_tags", []), _HTML_TAG)
    html_tokens = _html_names(src, table, "html_tokens", body.get("html_tokens", []), _HTML_TOKEN)
    if not phrases and not patterns and not html_tags and not html_tokens:
        raise src.error(table, None, "a category needs phrases or patterns (or, for HTML input, html_tags or html_tokens)")
    if (phrases or patterns) and (html_tags or html_tokens):
        raise src.error(table, "html_tokens" if html_tokens else "html_tags",
                        "a category matches either text (phrases, patterns) or HTML (html_tags, html_tokens); "
                        "make two categories")
    for pattern in patterns:
        try:
            regex.compile(pattern, regex.IGNORECASE)
        except regex.error as exc:
            raise src.error(table, "patterns", f"bad pattern {pattern!r}: {exc}") from None
    examples = body.get("examples", {})
    for key in examples:
        if key not in ("match", "no_match"):
            raise src.error(table, f"examples.{key}", "unknown key; allowed: match, no_match")
    max_words = body.get("max_words")
    if max_words is not None and max_words < 1:
        raise src.error(table, "max_words", "must be at least 1 (leave it out for no limit)")
    section = body.get("section")
    return Category(
        id=f"{src.id}.{name}",
        label=_parse_label(src, table, "label", body["label"]),
        description=body["description"],
        weight=float(body["weight"]),
        match=match,
        phrases=phrases,
        patterns=patterns,
        max_words=max_words,
        section=_parse_label(src, table, "section", section) if section else None,
        skip_sentences=body.get("skip_sentences", False),
        examples_match=_string_list(src, table, "examples", examples.get("match", [])),
        examples_no_match=_string_list(src, table, "examples", examples.get("no_match", [])),
        source=str(src.path),
        html_tags=html_tags,
        html_tokens=html_tokens,
        captions_above=body.get("captions_above", False),
    )


def _html_names(src: _Source, table: str, key: str, value: Any, shape: regex.Pattern) -> tuple[str, ...]:
    names = _string_list(src, table, key, value)
    for name in names:
        if not shape.match(name):
            what = "a lower-case element name such as 'nav'" if key == "html_tags" else \
                "a lower-case class or id name, parts joined by '-', such as 'related-articles'"
            raise src.error(table, key, f"{name!r} is not {what}")
    return names


def _flatten(prefix: str, table: Mapping[str, Any]) -> Iterable[tuple[str, Any]]:
    for key, value in table.items():
        dotted = f"{prefix}.{key}" if prefix else key
        if isinstance(value, dict):
            yield from _flatten(dotted, value)
        else:
            yield dotted, value


def _merge_settings(src: _Source, settings: dict[str, Any], new: Any, define: bool) -> None:
    if not isinstance(new, dict):
        raise src.error("settings", None, "settings must be a table")
    for key, value in _flatten("", new):
        table, _, leaf = ("settings." + key).rpartition(".")
        if isinstance(value, bool) or not isinstance(value, (int, float, str, list)):
            raise src.error(table, leaf, f"a setting is a number, string or list, got {value!r}")
        if define:
            settings[key] = value
            continue
        if key not in settings:
            raise src.error(table, leaf, "unknown setting; only numbers defined in base.toml can be overridden")
        old = settings[key]
        if isinstance(old, (int, float)) != isinstance(value, (int, float)):
            raise src.error(table, leaf, f"expected {type(old).__name__}, got {type(value).__name__}")
        settings[key] = value


# ---------------------------------------------------------------- loading
def load_ruleset(
    language: str | None,
    user_files: Iterable[str | Path] = (),
    *,
    base_file: str | Path | None = None,
    language_file: str | Path | None = None,
) -> RuleSet:
    """Load base.toml, the language's file (if there is one) and the user files, in that order.

    `language_file` reads the language's rules from that file instead of the rules folder's
    (`cleaner rules check` on a language file being written).
    """
    base = _Source(Path(base_file) if base_file else rules_dir() / "base.toml", "base")
    sources = [base]
    # Interface languages (English by default): many pages in other languages keep their
    # buttons and menus in English ("Share", "Add Comment"), so their categories apply too.
    for code in base.data.get("settings", {}).get("language", {}).get("interface_languages", []):
        path = rules_dir() / f"{code}.toml"
        if code != language and path.is_file():
            sources.append(_Source(path, "interface"))
    has_file = False
    if language:
        lang_path = Path(language_file) if language_file else rules_dir() / f"{language}.toml"
        if lang_path.is_file():
            sources.append(_Source(lang_path, "language"))
            has_file = True
    user_files = tuple(user_files)
    sources += [_Source(Path(p), "user") for p in user_files]

    settings: dict[str, Any] = {}
    categories: dict[str, Category] = {}
    stopwords: set[str] = set()
    for src in sources:
        for key in src.data:
            if key not in TOP_KEYS[src.kind]:
                raise src.error(key, None, f"unknown table; a {src.kind} file may hold {', '.join(sorted(TOP_KEYS[src.kind]))}")
        if src.kind != "interface":
            _merge_settings(src, settings, src.data.get("settings", {}), define=src.kind == "base")
        if "language" in src.data and src.kind != "interface":
            lang = src.data["language"]
            for key in lang:
                if key not in LANGUAGE_KEYS:
                    raise src.error("language", key, f"unknown key; allowed: {', '.join(sorted(LANGUAGE_KEYS))}")
                _check_type(src, "language", key, lang[key], LANGUAGE_KEYS[key])
            if lang.get("code") != src.id:
                raise src.error("language", "code", f"must be {src.id!r}, the file's name")
            stopwords |= {fold_word(w) for w in _string_list(src, "language", "stopwords", lang.get("stopwords", []))}
        cats = src.data.get("category", {})
        if not isinstance(cats, dict):
            raise src.error("category", None, "must be a table of categories")
        for name, body in cats.items():
            cat = _parse_category(src, name, body)
            if cat is not None:
                categories[cat.id] = cat
        for rule_id, body in src.data.get("extend", {}).items():
            _extend(src, categories, rule_id, body)
        for rule_id in _string_list(src, "ruleset", "disable", src.data.get("disable", [])):
            if categories.pop(rule_id, None) is None:
                raise src.error("disable", None, f"no category {rule_id!r} to disable")
    for table in REQUIRED_SETTINGS:
        if not any(key.startswith(table + ".") for key in settings):
            raise base.error(f"settings.{table}", None, "missing: the stages read their tuned numbers from this table")
    if language and not has_file:
        stopwords = fallback_stopwords(language)
    ordered = tuple(categories[k] for k in sorted(categories))
    return RuleSet(
        language=language if has_file else None,
        categories=ordered,
        stopwords=frozenset(stopwords),
        settings=MappingProxyType(settings),
        sources=tuple(str(s.path) for s in sources),
        matcher=Matcher(ordered, float(settings.get("rules.pattern_timeout_seconds", 1.0)),
                        int(settings.get("rules.pattern_max_chars", PATTERN_MAX_CHARS))),
        load_args=(language, tuple(str(p) for p in user_files), str(base_file) if base_file else None),
    )


# The settings tables the base file must hold: every stage reads its numbers from them.
REQUIRED_SETTINGS = ("language", "features", "score", "score.weights", "smooth", "smooth.weights", "label")


# ISO 639-1 codes of languages without a rule file whose stop list jusText ships.
JUSTEXT_NAMES = {
    "af": "Afrikaans", "sq": "Albanian", "hy": "Armenian", "az": "Azerbaijani", "eu": "Basque",
    "be": "Belarusian", "bn": "Bengali", "bs": "Bosnian", "br": "Breton", "bg": "Bulgarian",
    "ca": "Catalan", "hr": "Croatian", "eo": "Esperanto", "et": "Estonian", "gl": "Galician",
    "ka": "Georgian", "gu": "Gujarati", "ht": "Haitian", "is": "Icelandic", "ga": "Irish",
    "jv": "Javanese", "kn": "Kannada", "kk": "Kazakh", "ku": "Kurdish", "ky": "Kyrgyz",
    "la": "Latin", "lv": "Latvian", "lt": "Lithuanian", "lb": "Luxembourgish", "mk": "Macedonian",
    "ms": "Malay", "ml": "Malayalam", "mt": "Maltese", "mr": "Marathi", "ne": "Nepali",
    "oc": "Occitan", "sr": "Serbian", "sk": "Slovak", "sl": "Slovenian", "su": "Sundanese",
    "sw": "Swahili", "tl": "Tagalog", "ta": "Tamil", "te": "Telugu", "tk": "Turkmen",
    "ur": "Urdu", "uz": "Uzbek", "cy": "Welsh", "fy": "West_Frisian", "yo": "Yoruba",
}


def fallback_stopwords(language: str) -> set[str]:
    """Return jusText's stop list for a language that has no rule file (empty if none).

    The list is read from the installed justext package's data without importing it (its
    import needs lxml's html_clean, which cleaner does not).
    """
    name = JUSTEXT_NAMES.get(language)
    spec = importlib.util.find_spec("justext") if name else None
    if spec is None or not spec.submodule_search_locations:
        return set()
    path = Path(next(iter(spec.submodule_search_locations))) / "stoplists" / f"{name}.txt"
    try:
        words = [w.strip() for w in path.read_text(encoding="utf-8").splitlines()]
    except OSError:
        return set()
    return {fold_word(w) for w in words if fold_word(w)}


def _extend(src: _Source, categories: dict[str, Category], rule_id: str, body: Any) -> None:
    table = f'extend."{rule_id}"'
    if rule_id not in categories:
        raise src.error(table, None, f"no category {rule_id!r} to extend; `cleaner rules list` shows the ids")
    if not isinstance(body, dict):
        raise src.error(table, None, "must be a table")
    old = categories[rule_id]
    changes: dict[str, Any] = {}
    for key, value in body.items():
        if key in ("html_tags", "html_tokens"):
            if not old.is_html:
                raise src.error(table, key, f"{rule_id} matches text; add HTML names to an HTML category")
            shape = _HTML_TAG if key == "html_tags" else _HTML_TOKEN
            changes[key] = getattr(old, key) + _html_names(src, table, key, value, shape)
        elif key in ("phrases", "patterns"):
            if old.is_html:
                raise src.error(table, key, f"{rule_id} matches HTML; add phrases to a text category")
            extra = _string_list(src, table, key, value)
            if key == "patterns":
                for pattern in extra:
                    try:
                        regex.compile(pattern, regex.IGNORECASE)
                    except regex.error as exc:
                        raise src.error(table, key, f"bad pattern {pattern!r}: {exc}") from None
            changes[key] = getattr(old, key) + extra
        elif key == "weight":
            _check_type(src, table, key, value, (int, float))
            changes[key] = float(value)
        else:
            raise src.error(table, key, "unknown key; an extension may add phrases, patterns, html_tags or html_tokens, or set weight")
    categories[rule_id] = _replace(old, **changes)


def _replace(cat: Category, **changes: Any) -> Category:
    from dataclasses import replace
    return replace(cat, **changes)


# ---------------------------------------------------------------- compiled matching
class Matcher:
    """All categories' phrases and patterns compiled into a handful of lookups.

    Per line the work is one dict lookup (whole-line phrases); the start and contains phrase
    regexes, and one regex per category with patterns (one regex of all the patterns scans
    2-4 times slower, as its alternation defeats the regex module's literal prefilters), run
    only on the lines a page's screens let through. With hyperscan installed (prefilter.py),
    one scan of the page's keys names the lines that may hold a phrase, and one scan of its
    shadow the lines each category's patterns may match; without it, a key's first characters
    and a substring search per phrase screen the phrases, and the patterns scan the lines
    joined (see match_page). Patterns run
    only on lines of at most `max_chars` characters (boilerplate is short; a pattern with
    nested or overlapping repeats can take quadratic or worse time on a long line), and each
    search gives up after `timeout` seconds. Answers for short lines are remembered: menus
    and footers repeat within and across pages.

    A category's limits (max_words, skip_sentences) are applied here, before any work: a
    line too long for every category that starts or contains phrases is not scanned for
    them, and a category's patterns run only on lines within its limits.
    """

    CACHE_MAX_ENTRIES = 1 << 14      # remembered answers per rule set; emptied when full
    CACHE_MAX_LINE_CHARS = 256       # longer lines rarely repeat and are not remembered

    def __init__(self, categories: tuple[Category, ...], timeout: float, max_chars: int = PATTERN_MAX_CHARS):
        self.categories = categories
        self.timeout = timeout
        self.max_chars = max_chars
        self.hits = tuple(RuleHit(cat.id, cat.label, cat.weight, cat.section, cat.captions_above)
                          for cat in categories)
        self._answers: dict[str, tuple[int, ...]] = {}
        self._built = False
        _MATCHERS.add(self)

    def _build(self) -> None:
        """Compile the phrase tables and patterns: on first use, so that listing or checking
        rule files does not compile every language's patterns."""
        categories = self.categories
        self.whole: dict[str, list[int]] = {}
        start: dict[str, list[int]] = {}
        contains: dict[str, list[int]] = {}
        for index, cat in enumerate(categories):
            table = {"line": self.whole, "start": start, "contains": contains}[cat.match]
            for phrase in cat.phrases:
                key = fold_key(phrase)
                if key:
                    table.setdefault(key, []).append(index)
        self.start = start
        self.contains = contains
        self.start_re = _phrase_regex(start, anchored=True)
        self.start_heads = frozenset(p[:_HEAD_CHARS] for p in start if len(p) >= _HEAD_CHARS)
        self.start_short = tuple(p for p in start if len(p) < _HEAD_CHARS)
        self.contains_re = _phrase_regex(contains, anchored=False)
        self.category_patterns = tuple(
            (index, regex.compile("|".join(f"(?:{p})" for p in cat.patterns), regex.IGNORECASE))
            for index, cat in enumerate(categories) if cat.patterns
        )
        # The most words a line may have for some category of each phrase table to apply.
        unlimited = 1 << 30
        self.start_max_words = max((unlimited if cat.max_words is None else cat.max_words
                                    for cat in categories if cat.match == "start" and cat.phrases), default=-1)
        self.contains_max_words = max((unlimited if cat.max_words is None else cat.max_words
                                       for cat in categories if cat.match == "contains" and cat.phrases), default=-1)

        # Patterns that read nothing beyond their own match (no lookaround, no \A \Z \G, no
        # global inline flag) can scan many lines joined by "\n" at once (see match_page).
        self.joinable = {index: regex.compile(pattern.pattern, regex.IGNORECASE | regex.MULTILINE)
                         for index, pattern in self.category_patterns
                         if all(_reads_only_its_match(p) for p in categories[index].patterns)}
        self.prefilter = self.phrase_screen = None
        if prefilter_available():
            self.prefilter = prefilter_for([(index, categories[index].patterns) for index, _ in self.category_patterns])
            screen = phrase_screen_for(list(start), list(contains))
            self.phrase_screen = screen if screen.database is not None else None
        self._built = True

    def match_page(self, texts: Sequence[str], words: Sequence[int], sentences: Sequence[bool]) -> list[tuple[int, ...]]:
        """Return match() of every line of a page (texts, word counts and sentence flags by line).

        The lines not answered before are matched together: phrases by their keys, and the
        patterns by the prefilter (prefilter.py: one hyperscan scan of the lines names the
        few lines each category may match, which its regex then confirms) or, without it, each
        category's patterns in one scan over the lines joined by "\n" (MULTILINE: ^ and $
        hold at every line's edges). A match inside one line is that line's match; a match
        that runs across a line break is checked again on each line it touches; a line no
        match touches has none, since a pattern that reads only its own match finds in the
        joined text every match it finds in the line alone.
        """
        if not self._built:
            self._build()
        answers: list[tuple[int, ...] | None] = list(map(self._answers.get, texts))
        todo: dict[str, int] = {}   # each new text, and its first line
        for k in [k for k, answer in enumerate(answers) if answer is None]:
            if texts[k]:
                todo.setdefault(texts[k], k)
            else:
                answers[k] = ()   # a blank line matches nothing
        if todo:
            fresh = self._match_many(list(todo), [words[k] for k in todo.values()], [sentences[k] for k in todo.values()])
            for text, answer in fresh.items():
                if len(text) <= self.CACHE_MAX_LINE_CHARS:
                    if len(self._answers) >= self.CACHE_MAX_ENTRIES:
                        self._answers.clear()
                    self._answers[text] = answer
            answers = [fresh[t] if a is None else a for t, a in zip(texts, answers)]
        return answers  # type: ignore[return-value]

    def _match_many(self, texts: list[str], words: list[int], sentences: list[bool]) -> dict[str, tuple[int, ...]]:
        """Return the answers of distinct texts: most have none, so hits are gathered by line."""
        found = self._match_phrases(texts, words)
        for index, lines in self._match_patterns(texts, words, sentences):
            for k in lines:
                found.setdefault(k, []).append(index)
        answers = dict.fromkeys(texts, ())
        cats = self.categories
        for k, indexes in found.items():
            answers[texts[k]] = tuple(i for i in sorted(set(indexes)) if self._within(cats[i], words[k], sentences[k]))
        return answers

    def _match_patterns(self, texts: list[str], words: list[int], sentences: list[bool]) -> Iterator[tuple[int, list[int]]]:
        """Yield each category with patterns and the lines within its limits that they match."""
        cats = self.categories
        short: Sequence[int] = range(len(texts)) if max(map(len, texts)) <= self.max_chars else \
            [k for k, t in enumerate(texts) if len(t) <= self.max_chars]
        candidates = self._screen(texts, short)
        groups: dict[tuple, list[int]] = {}      # lines within the same limits are joined once
        for index, pattern in self.category_patterns:
            cat = cats[index]
            may = candidates.get(index)
            if may is not None:   # the prefilter has screened every line: regex confirms its candidates
                yield index, [k for k in may if self._within(cat, words[k], sentences[k]) and self._search(pattern, texts[k])]
                continue
            limits = (cat.max_words, cat.skip_sentences)
            members = groups.get(limits)
            if members is None:
                members = groups[limits] = [k for k in short if self._within(cat, words[k], sentences[k])]
            joined = self.joinable.get(index)
            if joined is None or len(members) == 1:
                yield index, [k for k in members if self._search(pattern, texts[k])]
            elif members:
                yield index, [members[k] for k in self._scan_joined(joined, pattern, [texts[k] for k in members])]

    def _screen(self, texts: list[str], short: Sequence[int]) -> dict[int, set[int]]:
        """Return, per category the prefilter covers, the short lines its patterns may match
        (none without a prefilter)."""
        if self.prefilter is None:
            return {}
        if len(short) == len(texts):
            return self.prefilter.candidates(texts)
        found = self.prefilter.candidates([texts[k] for k in short])
        return {index: {short[k] for k in lines} for index, lines in found.items()}

    def _scan_joined(self, joined: regex.Pattern, pattern: regex.Pattern, texts: list[str]) -> list[int]:
        """Return the positions in texts of the lines the pattern matches (one scan, see match_page)."""
        text, starts = _join_lines(texts)
        hit: set[int] = set()
        check: set[int] = set()
        try:
            for m in joined.finditer(text, timeout=self.timeout):
                first = bisect_right(starts, m.start()) - 1
                last = bisect_right(starts, max(m.start(), m.end() - 1)) - 1
                if first == last and m.end() <= starts[first] + len(texts[first]):
                    hit.add(first)
                else:
                    check.update(range(first, last + 1))
        except TimeoutError:   # line by line: a slow pattern is then blamed by name
            check = set(range(len(texts)))
        hit.update(k for k in check - hit if self._search(pattern, texts[k]))
        return sorted(hit)

    def _search(self, pattern: regex.Pattern, text: str) -> bool:
        try:
            return pattern.search(text, timeout=self.timeout) is not None
        except TimeoutError:
            raise CleanerError(self._blame_slow_pattern(text)) from None

    def _match_phrases(self, texts: list[str], words: list[int]) -> dict[int, list[int]]:
        """Return the categories whose phrases match each line that some match (before the
        categories' limits)."""
        keys = list(map(fold_key, texts))
        whole = self.whole
        found = {k: list(whole[key]) for k, key in enumerate(keys) if key in whole}
        # The phrase regexes run only on the keys that may start with or hold some phrase.
        if self.phrase_screen is not None:
            starting, holding = self.phrase_screen.lines(keys)
        else:
            heads, short = self.start_heads, self.start_short
            starting = [k for k, key in enumerate(keys) if key[:_HEAD_CHARS] in heads or key.startswith(short)]
            holding = self._holding_phrases(keys, [k for k, n in enumerate(words) if n <= self.contains_max_words])
        if self.start_re is not None:
            for k in starting:
                if words[k] <= self.start_max_words:
                    m = self.start_re.match(keys[k])
                    if m:
                        found.setdefault(k, []).extend(self.start[m.group(0)])
        if self.contains_re is not None:
            for k in holding:
                if words[k] <= self.contains_max_words:
                    for m in self.contains_re.finditer(keys[k], overlapped=True):
                        found.setdefault(k, []).extend(self.contains[m.group(0)])
        return found

    def _holding_phrases(self, keys: list[str], members: list[int]) -> set[int]:
        """Return the members whose key holds some contains phrase: the only keys its regex can match.

        One substring test per phrase over the members' keys joined by "\n" (no phrase holds
        one) costs a tenth of running the phrase regex over every key (devset, 50-174 phrases).
        """
        text, starts = _join_lines([keys[k] for k in members])
        holding: set[int] = set()
        for phrase in self.contains:
            at = text.find(phrase)
            while at >= 0:
                line = bisect_right(starts, at) - 1
                holding.add(members[line])
                at = text.find(phrase, starts[line + 1]) if line + 1 < len(starts) else -1
        return holding

    def match(self, text: str, words: int, sentence: bool) -> tuple[int, ...]:
        """Return the indexes of the categories that match a line of `words` words (`sentence`:
        it ends like a sentence), within each category's limits."""
        return self.match_page([text], [words], [sentence])[0]

    @staticmethod
    def _within(cat: Category, words: int, sentence: bool) -> bool:
        return (cat.max_words is None or words <= cat.max_words) and not (cat.skip_sentences and sentence)

    def _blame_slow_pattern(self, text: str) -> str:
        for cat in self.categories:
            for pattern in cat.patterns:
                try:
                    regex.search(pattern, text, regex.IGNORECASE, timeout=self.timeout)
                except TimeoutError:
                    return (f"rule {cat.id} ({cat.source}): pattern {pattern!r} took longer than "
                            f"{self.timeout} s on a {len(text)}-character line; rewrite it without nested repeats")
        return f"the rule patterns took longer than {self.timeout} s on a {len(text)}-character line"


_MATCHERS: "weakref.WeakSet[Matcher]" = weakref.WeakSet()
# What may make a pattern read beyond its own match: lookaround, \A \Z \z \G \K, inline
# flags for the whole pattern. Scoped flags "(?-i:...)" and groups "(?:" "(?P<" "(?>" are fine.
_READS_AROUND = regex.compile(r"\\[AZzGK]|(?<!\\)\(\?(?![:>]|P<|[a-zA-Z-]+:)")


def _reads_only_its_match(pattern: str) -> bool:
    return _READS_AROUND.search(pattern.replace("\\\\", "")) is None


@register
def _forget_answers() -> None:
    for matcher in list(_MATCHERS):
        matcher._answers.clear()


def _join_lines(texts: list[str]) -> tuple[str, list[int]]:
    """Return the texts joined by "\n" and where each starts in the joined text."""
    starts, at = [], 0
    for t in texts:
        starts.append(at)
        at += len(t) + 1
    return "\n".join(texts), starts


def _phrase_regex(table: Mapping[str, list[int]], anchored: bool) -> regex.Pattern | None:
    if not table:
        return None
    parts = []
    for phrase in sorted(table, key=lambda p: (-len(p), p)):
        left = "" if anchored or not _is_wordish(phrase[0]) else r"(?<!\w)"
        right = r"(?!\w)" if _is_wordish(phrase[-1]) and not _no_space_script(phrase[-1]) else ""
        if _no_space_script(phrase[0]):
            left = ""
        parts.append(left + regex.escape(phrase) + right)
    return regex.compile("|".join(parts))


def _is_wordish(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


def _no_space_script(ch: str) -> bool:
    return bool(regex.match(r"[\p{Han}\p{Hiragana}\p{Katakana}\p{Thai}\p{Lao}\p{Khmer}\p{Myanmar}]", ch))
