r"""A page's lines as bytes hyperscan can scan, and rule patterns rewritten to match them there.

In: rule patterns (for `regex`, case-folded) and, per page, its lines. Out: the shadow of the
lines (one byte per character) and, per pattern, a hyperscan pattern that matches the shadow
of the joined lines at the end of at least every line the pattern matches. It must never
miss a line: the prefilter (prefilter.py) lets regex confirm its candidates, not find more.

hyperscan compiles the rule patterns for Unicode (UTF-8, UCP) in minutes, for bytes in a
second; so it reads one byte per character. ASCII is itself. The characters outside ASCII
that the patterns name (and every character regex matches with one of them, ignoring case)
get bytes of their own from 0x81 (shared when there are more than 127: a shared byte only
lets more lines through); every other character is 0x80. A class or letter of a pattern
becomes the bytes of the characters regex matches with it, with the case folding in force
there, and 0x80 unless it can only match characters that have bytes (tests/test_prefilter.py
checks \w \s \d, word boundaries and case folding on every ASCII character). Prefilter mode
drops what hyperscan cannot run (such as lookaround), which only lets more through.
"""
from __future__ import annotations

import re
from functools import cache
from typing import Iterable, Mapping

import numpy
import regex

ASCII = "".join(map(chr, range(128)))
OTHER = 0x80                  # the byte of every character outside ASCII the alphabet does not name
_FIRST, _LAST = 0x81, 0xFF    # the bytes of named characters
# An escape: a Unicode class, a character by its code, or any other (one character after "\").
_ESCAPE = regex.compile(r"\\(?:(?P<cls>[pP](?:\{[^}]*\}|\w))|(?P<code>u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|x[0-9a-fA-F]{2})|.)",
                        regex.DOTALL)
_CODE = regex.compile(r"\\(?:u([0-9a-fA-F]{4})|U([0-9a-fA-F]{8})|x([0-9a-fA-F]{2}))")
# The class escapes that match characters outside ASCII too are spelled out as classes (\W \S
# \D and "." match every byte from 0x80 as they are); word boundaries are dropped: in the
# shadow a letter outside ASCII may be no word character. No class matches the "\n" between
# lines (a line holds none): a match never runs on into the next line.
_CLASS_ESCAPES = frozenset("wds")
_NEGATED_ESCAPES = {"W": r"[^\w\n]", "D": r"[^\d\n]"}
_DROPPED_ESCAPES = frozenset("bB")
_UNSUPPORTED_ESCAPES = frozenset("AZzGKuUNXRhHvVmM")
# A bounded repeat {m,n} is passed on as {m,}: a superset, which hyperscan compiles ten times
# faster (large bounds make large automata).
_QUANTIFIER = regex.compile(r"\{(?P<least>\d+)(?:,(?P<most>\d*))?\}")
# The group openings passed on: capturing, non-capturing, atomic, lookaround, named, case scoped.
_GROUP = regex.compile(r"\((?:\?(?::|>|=|!|<=|<!|P<\w+>|-?i:))?")


class Alphabet:
    """The bytes of the characters outside ASCII in a shadow (OTHER for those it does not name)."""

    def __init__(self, named: Mapping[str, int] | None = None):
        """`named`: character -> its byte (from _FIRST to _LAST); closed under regex's case
        folding: every character regex matches, ignoring case, with a named one is named."""
        self.named = dict(named or {})
        self.chars = "".join(self.named)
        # The named characters' codes in order, and their bytes; last, a code above every character.
        codes = sorted(map(ord, self.named))
        self._codes = numpy.array(codes + [0x110000], dtype=numpy.uint32)
        self._bytes = numpy.array([self.named[chr(c)] for c in codes] + [OTHER], dtype=numpy.uint8)
        self._classes: dict[tuple[str, int, bool], str] = {}

    @classmethod
    def of(cls, patterns: Iterable[str]) -> "Alphabet":
        """Return the alphabet naming the characters outside ASCII that the patterns name."""
        named = sorted({ch for p in patterns for ch in _named_chars(p)})
        if not named:
            return cls()
        # Named too: every character regex matches with a named one, ignoring case ("Д" with "д",
        # "ς" and "Σ" with "σ"), so that the class of a named character needs no OTHER.
        every = "[" + "".join(map(regex.escape, named)) + "]"
        chars = sorted(set(named) | set(regex.findall(every, _beyond_ascii(), regex.IGNORECASE)))
        groups: dict[str, int] = {}   # case variants share a byte where they can
        for ch in chars:
            groups.setdefault(ch.lower(), len(groups))
        return cls({ch: _FIRST + groups[ch.lower()] % (_LAST - _FIRST + 1) for ch in chars})

    def shadow(self, text: str) -> bytes:
        """Return the text with every character as its byte."""
        if text.isascii():
            return text.encode("ascii")
        codes = numpy.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype="<u4")
        out = codes.astype(numpy.uint8)
        beyond = numpy.flatnonzero(codes >= 0x80)
        high = codes[beyond]
        at = numpy.searchsorted(self._codes, high)   # the named characters' bytes, OTHER for the rest
        out[beyond] = numpy.where(self._codes[at] == high, self._bytes[at], OTHER)
        return out.tobytes()

    def shadow_class(self, cls: str, flags: int, other: bool) -> str:
        """Return a class (or one escaped character) as the bytes of the characters regex
        matches with it; with OTHER too if `other` (it may match a character not named)."""
        key = (cls, flags, other)
        found = self._classes.get(key)
        if found is None:
            codes = {ord(ch) for ch in regex.findall(cls, ASCII, flags)}
            codes.update(self.named[ch] for ch in regex.findall(cls, self.chars, flags))
            if other:
                codes.add(OTHER)
            if len(codes) > 1:   # (a class of "\n" alone stays: it may match the line break only)
                codes.discard(ord("\n"))
            found = self._classes[key] = "[" + "".join(f"\\x{c:02x}" for c in sorted(codes)) + "]"
        return found

    def plain_class(self, cls: str, flags: int) -> bool:
        """Whether a bracketed class can only match ASCII and named characters: a set of
        characters (no negation, no Unicode class, no range beyond ASCII) all named, and no
        ASCII letter some character outside ASCII folds to."""
        body, members, i = cls[1:-1], [], 0
        if body.startswith("^"):
            return False
        while i < len(body):
            if body[i] == "\\":
                m = _ESCAPE.match(body, i)
                if m is None or m.group("cls") or (not m.group("code") and m.group(0)[1].isalnum()):
                    return False   # \p{..}, \w \d \s, \n...: taken as classes
                members.append(chr(int(m.group("code")[1:], 16)) if m.group("code") else m.group(0)[1])
                i = m.end()
                continue
            if body[i] == "-" and members and i + 1 < len(body) and (body[i + 1] == "\\" or not body[i + 1].isascii()):
                return False   # a range that may reach beyond ASCII
            members.append(body[i])
            i += 1
        return all(ch in self.named for ch in members if not ch.isascii()) and \
            _folded_from_beyond(flags).isdisjoint(regex.findall(cls, ASCII, flags))


def _named_chars(pattern: str) -> set[str]:
    """Return the characters outside ASCII a pattern names, as they are or by code."""
    named = {ch for ch in pattern if not ch.isascii()}
    for m in _CODE.finditer(pattern):
        code = int(next(g for g in m.groups() if g), 16)
        if 0x80 <= code < 0x110000 and not 0xD800 <= code < 0xE000:   # (no lone surrogates)
            named.add(chr(code))
    return named


NO_ALPHABET = Alphabet()


def shadow_pattern(pattern: str, alphabet: Alphabet = NO_ALPHABET) -> bytes | None:
    r"""Return a regex pattern rewritten for hyperscan on the shadow of lines, or None if it cannot be.

    Every class ([...], \p{..}, \P{..}, \w \d \s) and every character outside ASCII (also
    written \uXXXX or \xHH) becomes the class of the bytes of the characters regex matches
    with it, with the case folding in force there ("ı" folds to "i", "ſ" to "s"). An ASCII
    letter that a character outside ASCII folds to (the Kelvin sign to "k") also matches
    0x80, and word boundaries are dropped. The words of other scripts collapse into a few
    states (a Persian date pattern compiles in a tenth of the time). Constructs the two
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
            cls = pattern[i:end]
            out.append(alphabet.shadow_class(cls, flags, not alphabet.plain_class(cls, flags)))
            i = end
        elif ch == "\\":
            m = _ESCAPE.match(pattern, i)
            if m is None:
                return None
            i = m.end()
            escaped = m.group(0)[1]
            if m.group("cls") or escaped in _CLASS_ESCAPES:
                out.append(alphabet.shadow_class(m.group(0), flags, True))
            elif m.group("code") or not escaped.isascii():
                code = chr(int(m.group("code")[1:], 16)) if m.group("code") else escaped
                out.append(_letter(code, flags, alphabet))
            elif escaped in _NEGATED_ESCAPES:
                out.append(_NEGATED_ESCAPES[escaped])
            elif escaped in _DROPPED_ESCAPES:
                pass
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
            out.append(_letter(ch, flags, alphabet) if not ch.isascii() or ch in _folded_from_beyond(flags)
                       else ch if ch.isprintable() else f"\\x{ord(ch):02x}")   # (metacharacters stay)
            i += 1
    return "".join(out).encode("ascii")


def _letter(ch: str, flags: int, alphabet: Alphabet) -> str:
    """Return the class of one character: OTHER too when a character the alphabet does not
    name may match it (it is not named itself, or it is an ASCII letter one folds to)."""
    other = ch not in alphabet.named if not ch.isascii() else ch in _folded_from_beyond(flags)
    return alphabet.shadow_class(regex.escape(ch), flags, other)


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


def _beyond_ascii() -> str:
    """Return every character outside ASCII, in code order."""
    # Decoded at once (a join of a million chr() takes 0.3 s).
    return numpy.arange(128, 0x110000, dtype="<u4").tobytes().decode("utf-32-le", "surrogatepass")


@cache
def _folded_from_beyond(flags: int) -> frozenset[str]:
    """Return the ASCII letters that some character outside ASCII matches under these flags."""
    beyond = set(regex.findall("[a-zA-Z]", _beyond_ascii(), flags))
    return frozenset(ch for b in beyond for ch in regex.findall(regex.escape(b), ASCII, flags))


# ---------------------------------------------------------------- one scan for all lines
# A shadow pattern is written out to the end of the line it matches in: a page's lines are
# scanned joined by "\n" (MULTILINE), and each pattern then reports each line once, at its end,
# however often it matches in it. A match that runs across a line break only adds a candidate.
# A token of a shadow pattern: an escape, a class (shadow classes hold only \xNN escapes), a
# group's opening, or one character.
_TOKEN = re.compile(rb"\\.|\[[^\]]*\]|\((?:\?(?::|>|=|!|<=|<!|P<\w+>|-?i:))?|.", re.DOTALL)
_OPENINGS = (b"(?:", b"(?i:", b"(?-i:", b"(")           # groups whose branches may be rewritten one by one


def line_end_pattern(shadow: bytes) -> bytes:
    r"""Return a shadow pattern (scanned with MULTILINE) that matches up to the end of the line
    wherever it matches: each branch ending in "$" as it is, any other written on to the
    end (`[^\n]*$`); a "$" that cannot stay is dropped (a superset)."""
    return b"|".join(_line_end_body(branch) + b"$" for branch in _branches(shadow))


def _line_end_body(branch: bytes) -> bytes:
    tokens = _TOKEN.findall(branch)
    if b"$" not in tokens:
        return branch + rb"[^\n]*"
    if tokens.index(b"$") == len(tokens) - 1:
        return branch[:-1]
    opening = _last_group(tokens)
    if opening is not None and b"$" not in tokens[:opening] and tokens[opening] in _OPENINGS:
        head = b"".join(tokens[:opening + 1])
        inner = b"".join(tokens[opening + 1:-1])
        return head + b"|".join(_line_end_body(b) for b in _branches(inner)) + b")"
    return b"".join(t for t in tokens if t != b"$") + rb"[^\n]*"


def _branches(expression: bytes) -> list[bytes]:
    """Return the branches of an expression: its parts between the "|" outside groups."""
    branches, current, depth = [], [], 0
    for token in _TOKEN.findall(expression):
        depth += token.startswith(b"(") - (token == b")")
        if token == b"|" and depth == 0:
            branches.append(b"".join(current))
            current = []
        else:
            current.append(token)
    return branches + [b"".join(current)]


def _last_group(tokens: list[bytes]) -> int | None:
    """Return the index of the token opening the group the tokens end with, if they end with one."""
    if not tokens or tokens[-1] != b")":
        return None
    depth = 0
    for k in range(len(tokens) - 1, -1, -1):
        depth += (tokens[k] == b")") - tokens[k].startswith(b"(")
        if depth == 0:
            return k
    return None
