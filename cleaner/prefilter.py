r"""Which lines a category's patterns may match, from one hyperscan pass over a page's lines.

In: the rule patterns of each category, then a page's lines. Out: per category, the lines a
pattern of it may match: a superset, which the `regex` patterns then confirm, so answers do
not change.

hyperscan compiles the rule patterns for Unicode (UTF-8, UCP) in minutes, for bytes in a
second; so it scans the lines' shadow, in which every character outside ASCII is the byte
0x80, with each pattern rewritten to match at least wherever the pattern matches the line
(shadow_pattern): ASCII is read as regex reads it (tests/test_prefilter.py checks \w \s \d,
word boundaries and case folding on every ASCII character), and 0x80 is let through wherever
some character outside ASCII might be. Prefilter mode drops what hyperscan cannot run (such
as lookaround), which only lets more through. Optional: without the hyperscan package (or
with CLEANER_NO_HYPERSCAN set) there is no prefilter and regex scans every line.
"""
from __future__ import annotations

import hashlib
import os
import re
import threading
from functools import cache
from pathlib import Path
from typing import Sequence

import numpy
import regex

try:
    import hyperscan
except ImportError:  # an optional speed-up: the matcher then runs regex on every line
    hyperscan = None

ASCII = "".join(map(chr, range(128)))
_OUTSIDE_ASCII = re.compile("[^\x00-\x7f]")
# An escape: a Unicode class, a character by its code, or any other (one character after "\").
_ESCAPE = regex.compile(r"\\(?:(?P<cls>[pP](?:\{[^}]*\}|\w))|(?P<code>u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|x[0-9a-fA-F]{2})|.)",
                        regex.DOTALL)
# The escapes that match characters outside ASCII too (\W \S \D and "." match 0x80 as they are);
# word boundaries are dropped: in the shadow a letter outside ASCII is no word character.
_WIDENED = {"w": "[\\w\\x80]", "d": "[\\d\\x80]", "s": "[\\s\\x80]", "b": "", "B": ""}
_UNSUPPORTED_ESCAPES = frozenset("AZzGKuUNXRhHvVmM")
# A bounded repeat {m,n} is passed on as {m,}: a superset, which hyperscan compiles ten times
# faster (large bounds make large automata).
_QUANTIFIER = regex.compile(r"\{(?P<least>\d+)(?:,(?P<most>\d*))?\}")
# The group openings passed on: capturing, non-capturing, atomic, lookaround, named, case scoped.
_GROUP = regex.compile(r"\((?:\?(?::|>|=|!|<=|<!|P<\w+>|-?i:))?")
_FLAGS = 0 if hyperscan is None else (hyperscan.HS_FLAG_PREFILTER | hyperscan.HS_FLAG_CASELESS
                                      | hyperscan.HS_FLAG_SINGLEMATCH)


def available() -> bool:
    """Whether the prefilter can be used: hyperscan is installed and not switched off."""
    return hyperscan is not None and not os.environ.get("CLEANER_NO_HYPERSCAN")


class Prefilter:
    """The patterns of some categories compiled into one hyperscan database for the lines' shadow."""

    def __init__(self, patterns: Sequence[tuple[int, Sequence[str]]]):
        """Compile (category index, its patterns) pairs; `categories` are the indexes prefiltered:
        those all of whose patterns hyperscan can prefilter."""
        expressions, owners = [], []
        self.categories: set[int] = set()
        for index, category_patterns in patterns:
            compiled = [shadow_pattern(p) for p in category_patterns]
            if all(p is not None for p in compiled):
                self.categories.add(index)
                expressions += compiled
                owners += [index] * len(compiled)
        self.database = _compile(expressions)
        if self.database is None:   # some pattern does not compile: leave out its categories
            self.categories -= {owner for owner, e in zip(owners, expressions) if _compile([e], keep=False) is None}
            kept = [(owner, e) for owner, e in zip(owners, expressions) if owner in self.categories]
            owners, expressions = [owner for owner, _ in kept], [e for _, e in kept]
            self.database = _compile(expressions)
        self.owners = owners
        self._local = threading.local()   # a scratch space per thread: scans must not share one

    def candidates(self, texts: Sequence[str]) -> dict[int, set[int]]:
        """Return, per prefiltered category, the positions of the texts it may match.

        Each text's shadow is scanned on its own, and each pattern reports at most one match
        in it (SINGLEMATCH): one scan of the page joined by "\n" reports every end of every
        match, ten times more calls back into Python on the devset.
        """
        found: dict[int, set[int]] = {index: set() for index in self.categories}
        if not self.categories or not texts:
            return found
        scratch = getattr(self._local, "scratch", None)
        if scratch is None:
            scratch = self._local.scratch = hyperscan.Scratch(self.database)
        owners = self.owners

        def on_match(pattern: int, start: int, end: int, flags: int, line: int) -> None:
            found[owners[pattern]].add(line)

        scan = self.database.scan
        shadows = _OUTSIDE_ASCII.sub("\x80", "\n".join(texts)).encode("latin-1").split(b"\n")
        for k, shadow in enumerate(shadows):
            scan(shadow, match_event_handler=on_match, context=k, scratch=scratch)
        return found


def shadow_pattern(pattern: str) -> bytes | None:
    r"""Return a regex pattern rewritten for hyperscan on the shadow of lines, or None if it cannot be.

    Every class ([...], \p{..}, \P{..}) and every character outside ASCII (also written \uXXXX
    or \xHH) becomes the class of the ASCII characters regex matches with it, with the case
    folding in force there ("ı" folds to "i", "ſ" to "s"), and 0x80. An ASCII letter that a
    character outside ASCII folds to (the Kelvin sign to "k") also matches 0x80; \w \d \s
    match it too, and word boundaries are dropped. The words of other scripts collapse into a
    few states (a Persian date pattern compiles in a tenth of the time). Constructs the two
    engines read differently give None.
    """
    out: list[str] = []
    caseless = [True]   # per open group: whether case is folded in it (rule patterns are IGNORECASE)
    i, n = 0, len(pattern)
    while i < n:
        ch = pattern[i]
        flags = regex.IGNORECASE if caseless[-1] else 0
        if ch == "[":
            end = _class_end(pattern, i)
            if end is None:
                return None
            out.append(_shadow_class(pattern[i:end], flags))
            i = end
        elif ch == "\\":
            m = _ESCAPE.match(pattern, i)
            if m is None:
                return None
            i = m.end()
            escaped = m.group(0)[1]
            if m.group("cls"):
                out.append(_shadow_class(m.group(0), flags))
            elif m.group("code") or not escaped.isascii():
                code = chr(int(m.group("code")[1:], 16)) if m.group("code") else escaped
                out.append(_shadow_class(regex.escape(code), flags))
            elif escaped in _WIDENED:
                out.append(_WIDENED[escaped])
            elif escaped in _UNSUPPORTED_ESCAPES or escaped.isdigit() and escaped != "0":
                return None   # (a digit: a back reference)
            else:
                out.append(m.group(0))
        elif ch == "{":
            m = _QUANTIFIER.match(pattern, i)
            if m is None:
                return None   # regex reads "{,3}" as a quantifier, hyperscan as text
            out.append(m.group(0) if m.group("most") is None else "{%s,}" % m.group("least"))
            i = m.end()
        elif ch == "(":
            m = _GROUP.match(pattern, i)
            if m.group(0) == "(" and pattern.startswith("(?", i):
                return None   # a global flag, a conditional, a branch reset...
            out.append(m.group(0))
            caseless.append({"(?i:": True, "(?-i:": False}.get(m.group(0), caseless[-1]))
            i = m.end()
        elif ch == ")":
            if len(caseless) == 1:
                return None
            caseless.pop()
            out.append(ch)
            i += 1
        else:
            out.append(_shadow_class(regex.escape(ch), flags) if not ch.isascii() or ch in _folded_from_beyond(flags)
                       else ch if ch.isprintable() else f"\\x{ord(ch):02x}")   # (metacharacters stay)
            i += 1
    return "".join(out).encode("ascii")


def _class_end(pattern: str, start: int) -> int | None:
    """Return where the bracketed class opening at `start` ends (after its "]"); None for a
    nested set or a POSIX class, which the engines read differently."""
    i = start + 1
    if pattern.startswith("^", i):
        i += 1
    if pattern.startswith("]", i):   # a leading "]" is a literal
        i += 1
    while i < len(pattern):
        if pattern[i] == "\\":
            i += 2
        elif pattern[i] == "[":
            return None
        elif pattern[i] == "]":
            return i + 1
        else:
            i += 1
    return None


def _shadow_class(cls: str, flags: int) -> str:
    """Return a class (or one escaped character) as the ASCII characters regex matches with it, and 0x80."""
    return "[\\x80" + "".join(f"\\x{ord(ch):02x}" for ch in regex.findall(cls, ASCII, flags)) + "]"


@cache
def _folded_from_beyond(flags: int) -> frozenset[str]:
    """Return the ASCII letters that some character outside ASCII matches under these flags."""
    # Every character outside ASCII, decoded at once (a join of a million chr() takes 0.3 s).
    every = numpy.arange(128, 0x110000, dtype="<u4").tobytes().decode("utf-32-le", "surrogatepass")
    beyond = set(regex.findall("[a-zA-Z]", every, flags))
    return frozenset(ch for b in beyond for ch in regex.findall(regex.escape(b), ASCII, flags))


def _compile(expressions: list[bytes], keep: bool = True) -> "hyperscan.Database | None":
    """Return the expressions compiled into one database; None if one does not compile (a
    construct hyperscan cannot even approximate, or a pattern that matches "").

    A compiled database is kept on disk (cache_dir()) and loaded by the next process: a
    language's patterns take 0.3-1 s to compile, 1 ms to load. keep=False: a probe of one
    pattern, neither looked up nor kept.
    """
    if not expressions:
        return None
    digest = hashlib.sha256(repr((hyperscan.__version__, _FLAGS, expressions)).encode()).hexdigest()[:32]
    path = cache_dir() / f"{digest}.hsdb"
    if keep:
        try:
            return hyperscan.loadb(path.read_bytes(), hyperscan.HS_MODE_BLOCK)
        except (OSError, hyperscan.error):   # not compiled yet, or for another CPU or version
            pass
    database = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
    try:
        database.compile(expressions=expressions, ids=list(range(len(expressions))), flags=[_FLAGS] * len(expressions))
    except hyperscan.error:
        return None
    if not keep:
        return database
    try:   # written whole under another name, then renamed: a reader never sees half a file
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        partial.write_bytes(hyperscan.dumpb(database))
        partial.replace(path)
    except OSError:   # a read-only home: compile again next time
        pass
    return database


def cache_dir() -> Path:
    """Return where compiled databases are kept: $CLEANER_CACHE_DIR, else the user's cache folder."""
    override = os.environ.get("CLEANER_CACHE_DIR")
    if override:
        return Path(override)
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "cleaner"


_PREFILTERS: dict[tuple, Prefilter] = {}


def prefilter_for(patterns: Sequence[tuple[int, Sequence[str]]]) -> Prefilter:
    """Return the process's Prefilter of these patterns, built once."""
    key = tuple((index, tuple(p)) for index, p in patterns)
    found = _PREFILTERS.get(key)
    if found is None:
        if len(_PREFILTERS) >= 64:
            _PREFILTERS.clear()
        found = _PREFILTERS[key] = Prefilter(patterns)
    return found
