"""Stage 1: repair the text of a page without ever adding or removing a line.

In: the raw text (str). Out: the repaired text with "\n" line ends and a record of the line
ending and BOM the input had. Mojibake, HTML entities, odd spaces and zero-width characters
are mended line by line, and only on lines that show signs of damage (ftfy is slow).
"""
from __future__ import annotations

from dataclasses import dataclass

import ftfy
import regex

_FTFY = ftfy.TextFixerConfig(
    unescape_html=True, uncurl_quotes=False, fix_line_breaks=False, normalization="NFC",
    explain=False, fix_latin_ligatures=False, fix_character_width=False,
)
# Characters that hint at mojibake or leftover entities: only such lines go through ftfy.
_SUSPECT = regex.compile(r"[ÃÂâÐÑØÙ\u0080-\u009f\ufffd]|&(?:#\d+|#x[0-9a-fA-F]+|[a-zA-Z]{2,8});")
_ODD_SPACE = regex.compile(r"[\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]")
_ZERO_WIDTH = regex.compile(r"[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_CONTROL = regex.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# A line break that an entity decodes to ("&#10;", "&#13;") would split the line: a space instead.
_LINE_BREAK = regex.compile(r"[\r\n]")


@dataclass(frozen=True, slots=True)
class Normalized:
    """The repaired text and how the input ended its lines."""

    text: str
    newline: str      # "\n", "\r\n" or "\r": what the input used (for writing it back)
    bom: bool         # the input began with a byte-order mark


def detect_newline(text: str) -> str:
    """Return the line ending the text uses most."""
    crlf = text.count("\r\n")
    cr = text.count("\r") - crlf
    lf = text.count("\n") - crlf
    if crlf and crlf >= lf and crlf >= cr:
        return "\r\n"
    if cr > lf:
        return "\r"
    return "\n"


def repair_line(line: str) -> str:
    """Return one line with mojibake, entities, odd spaces and zero-width characters mended.

    Most lines need nothing, and two cheap checks say so: every suspect is an "&" or not ASCII,
    and no odd space, zero-width or control character is printable.
    """
    if ("&" in line or not line.isascii()) and _SUSPECT.search(line):
        line = _LINE_BREAK.sub(" ", ftfy.fix_text(line, _FTFY))
    if line.isprintable():
        return line
    line = _ZERO_WIDTH.sub("", line)
    line = _ODD_SPACE.sub(" ", line)
    return _CONTROL.sub("", line)


def normalize_text(text: str) -> Normalized:
    """Repair a page's text line by line; the number of lines never changes."""
    bom = text.startswith("\ufeff")
    if bom:
        text = text[1:]
    newline = detect_newline(text)
    unified = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = unified.split("\n")
    repaired = [repair_line(line) for line in lines]
    if lines[-1] and not repaired[-1]:
        # A last line that repairs to nothing ("\x1f", a zero-width space) is still a line; a
        # final empty part would read as a mere final line break, so one more keeps it.
        repaired.append("")
    return Normalized("\n".join(repaired), newline, bom)
