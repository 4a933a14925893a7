r"""Which lines a category's patterns may match, and which may hold a phrase, from one hyperscan
scan of a page's lines and one of their keys.

In: the rule patterns of each category (or the start and contains phrases), then a page's
lines (or their keys). Out: per category, the lines a pattern of it may match (the lines
that may start with or hold a phrase): a superset, which the `regex` patterns (the phrase
regexes) then confirm, so answers do not change. hyperscan reads the lines' shadow, one byte
per character, with the patterns rewritten for it (shadow.py), and the keys in UTF-8.
Optional: without the hyperscan package (or with CLEANER_NO_HYPERSCAN set) there is no
prefilter and regex scans every line.
"""
from __future__ import annotations

import hashlib
import json
import os
import threading
from functools import cache
from pathlib import Path
from typing import Callable, Sequence

import numpy
import regex

from .shadow import Alphabet, line_end_pattern, shadow_pattern

try:
    import hyperscan
except ImportError:  # an optional speed-up: the matcher then runs regex on every line
    hyperscan = None

# One scan over the lines joined by "\n": "^" and "$" hold at every line's edges. No
# SINGLEMATCH: a pattern reports every line it matches, once each (line_end_pattern).
_FLAGS = 0 if hyperscan is None else (hyperscan.HS_FLAG_PREFILTER | hyperscan.HS_FLAG_CASELESS
                                      | hyperscan.HS_FLAG_MULTILINE)


def available() -> bool:
    """Whether the prefilter can be used: hyperscan is installed and not switched off."""
    return hyperscan is not None and not os.environ.get("CLEANER_NO_HYPERSCAN")


class Prefilter:
    """The patterns of some categories compiled into one hyperscan database for the lines' shadow."""

    def __init__(self, patterns: Sequence[tuple[int, Sequence[str]]]):
        """Compile (category index, its patterns) pairs; `categories` are the indexes prefiltered:
        those all of whose patterns hyperscan can prefilter."""
        head, self.database = _kept(("patterns", [(index, list(p)) for index, p in patterns]), lambda: _build(patterns))
        self.alphabet, self.categories = Alphabet(head["alphabet"]), set(head["categories"])
        self._local = threading.local()   # a scratch space per thread: scans must not share one

    def candidates(self, texts: Sequence[str]) -> dict[int, set[int]]:
        """Return, per prefiltered category, the positions of the texts it may match."""
        found: dict[int, set[int]] = {index: set() for index in self.categories}
        if self.database is None or not texts:
            return found
        reports: list[tuple[int, int]] = []
        report = reports.append

        def on_match(category: int, start: int, end: int, flags: int, context: object) -> None:
            report((category, end))

        shadow = self.alphabet.shadow("\n".join(texts))
        self.database.scan(shadow, match_event_handler=on_match, scratch=_scratch(self._local, self.database))
        if reports:   # a report is at the end of a line (one byte per character)
            ends = numpy.cumsum(numpy.fromiter(map(len, texts), dtype=numpy.int64, count=len(texts)) + 1) - 1
            lines = numpy.searchsorted(ends, [end for _, end in reports]).tolist()
            for (category, _), line in zip(reports, lines):
                found[category].add(line)
        return found


class PhraseScreen:
    """Which keys (folded lines) start with a phrase of one table or hold one of another, from
    one hyperscan scan of a page's keys: a superset of the lines the phrase regexes match."""

    START, CONTAINS = 0, 1   # the expressions' ids

    def __init__(self, start: Sequence[str], contains: Sequence[str]):
        _, self.database = _kept(("phrases", list(start), list(contains)),
                                 lambda: ({}, _compile_phrases(start, contains)))
        self._local = threading.local()

    def lines(self, keys: Sequence[str]) -> tuple[set[int], set[int]]:
        """Return the positions of the keys that start with a start phrase, and of those that
        hold a contains phrase."""
        found: tuple[set[int], set[int]] = (set(), set())
        if self.database is None or not keys:
            return found
        # Every key follows a "\n" (a start phrase is written "\n" + the phrase); no key holds one.
        data = ("\n" + "\n".join(keys)).encode("utf-8", "surrogatepass")
        reports: list[tuple[int, int]] = []
        report = reports.append

        def on_match(kind: int, start: int, end: int, flags: int, context: object) -> None:
            report((kind, end))

        self.database.scan(data, match_event_handler=on_match, scratch=_scratch(self._local, self.database))
        if reports:
            breaks = numpy.flatnonzero(numpy.frombuffer(data, dtype=numpy.uint8) == 10)
            lines = numpy.searchsorted(breaks, [end - 1 for _, end in reports], side="right") - 1
            for (kind, _), line in zip(reports, lines.tolist()):
                found[kind].add(line)
        return found


def _compile_phrases(start: Sequence[str], contains: Sequence[str]) -> "hyperscan.Database | None":
    """Return the phrases compiled as literals (a start phrase after a "\n"), ids by table."""
    if not start and not contains:
        return None
    database = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
    try:
        database.compile(expressions=[b"\n" + p.encode("utf-8", "surrogatepass") for p in start]
                         + [p.encode("utf-8", "surrogatepass") for p in contains],
                         ids=[PhraseScreen.START] * len(start) + [PhraseScreen.CONTAINS] * len(contains),
                         flags=0, literal=True)
    except hyperscan.error:
        return None
    return database


def _scratch(local: threading.local, database: "hyperscan.Database") -> "hyperscan.Scratch":
    """Return this thread's scratch space for the database: scans must not share one."""
    scratch = getattr(local, "scratch", None)
    if scratch is None:
        scratch = local.scratch = hyperscan.Scratch(database)
    return scratch


def _build(patterns: Sequence[tuple[int, Sequence[str]]]) -> tuple[dict, "hyperscan.Database | None"]:
    """Return the alphabet of the patterns and the categories prefiltered (as JSON), and their
    database: one expression per category, its id the category's index."""
    alphabet = Alphabet.of(p for _, category_patterns in patterns for p in category_patterns)
    expressions: dict[int, bytes] = {}
    for index, category_patterns in patterns:
        shadows = [shadow_pattern(p, alphabet) for p in category_patterns]
        if all(s is not None for s in shadows):
            expressions[index] = b"|".join(line_end_pattern(s) for s in shadows)
    database = _compile(expressions)
    if database is None:   # some expression does not compile: leave out its categories
        expressions = {index: e for index, e in expressions.items() if _compile({index: e}) is not None}
        database = _compile(expressions)
    return {"alphabet": alphabet.named, "categories": sorted(expressions)}, database


def _compile(expressions: dict[int, bytes]) -> "hyperscan.Database | None":
    """Return the expressions compiled into one database; None if there are none or one does not
    compile (a construct hyperscan cannot even approximate, or a pattern that matches "")."""
    if not expressions:
        return None
    database = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
    try:
        database.compile(expressions=list(expressions.values()), ids=list(expressions),
                         flags=[_FLAGS] * len(expressions))
    except hyperscan.error:
        return None
    return database


def _kept(key: object, build: Callable[[], tuple[dict, "hyperscan.Database | None"]]) -> tuple[dict, "hyperscan.Database | None"]:
    """Return what build() returns (a JSON object and a database), kept on disk (cache_dir()):
    a language's patterns take 0.3-2 s to compile, 1 ms to load."""
    path = cache_dir() / f"{_digest(key)}.hsdb"
    kept = _load(path)
    if kept is None:
        kept = build()
        _save(path, *kept)
    return kept


def _digest(key: object) -> str:
    """Return the file name of what `key` compiles to: a hash of it, of this code and of the
    versions of hyperscan and regex (which decides what a class matches)."""
    return hashlib.sha256(_code() + repr((hyperscan.__version__, regex.__version__, _FLAGS, key)).encode()).hexdigest()[:32]


@cache
def _code() -> bytes:
    """Return the code that compiles the databases: a change to it compiles them again."""
    return b"".join((Path(__file__).parent / name).read_bytes() for name in ("prefilter.py", "shadow.py"))


def _load(path: Path) -> tuple[dict, "hyperscan.Database | None"] | None:
    """Return what _save kept in the file; None if there is none or it cannot be read."""
    try:
        head, _, body = path.read_bytes().partition(b"\n")
        return json.loads(head), hyperscan.loadb(body, hyperscan.HS_MODE_BLOCK) if body else None
    except (OSError, ValueError, hyperscan.error):   # not built yet, or for another CPU
        return None


def _save(path: Path, head: dict, database: "hyperscan.Database | None") -> None:
    """Keep a JSON object and a database: a line of JSON, then the database as hyperscan serialises it."""
    try:   # written whole under another name, then renamed: a reader never sees half a file
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        partial.write_bytes(json.dumps(head).encode() + b"\n" + (hyperscan.dumpb(database) if database is not None else b""))
        partial.replace(path)
    except OSError:   # a read-only home: compile again next time
        pass


def cache_dir() -> Path:
    """Return where compiled databases are kept: $CLEANER_CACHE_DIR, else the user's cache folder."""
    override = os.environ.get("CLEANER_CACHE_DIR")
    if override:
        return Path(override)
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "cleaner"


_BUILT: dict[tuple, "Prefilter | PhraseScreen"] = {}


def prefilter_for(patterns: Sequence[tuple[int, Sequence[str]]]) -> Prefilter:
    """Return the process's Prefilter of these patterns, built once."""
    return _built_once(("patterns", tuple((index, tuple(p)) for index, p in patterns)), lambda: Prefilter(patterns))


def phrase_screen_for(start: Sequence[str], contains: Sequence[str]) -> PhraseScreen:
    """Return the process's PhraseScreen of these phrase tables, built once (its database is
    None when there are no phrases, or they do not compile)."""
    return _built_once(("phrases", tuple(start), tuple(contains)), lambda: PhraseScreen(start, contains))


def _built_once(key: tuple, build: Callable):
    found = _BUILT.get(key)
    if found is None:
        if len(_BUILT) >= 64:
            _BUILT.clear()
        found = _BUILT[key] = build()
    return found
