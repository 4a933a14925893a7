"""HTML input: decode a page's bytes, parse its DOM and lay its text out as lines, with evidence.

In: HTML as bytes (any declared or detectable encoding) or str. Out: the lines a browser
shows (one per block element, inline text glued, <br> breaks a line, script/style dropped)
and one DomEvidence per line. Nothing here scores or labels: evidence.py interprets.
"""
from __future__ import annotations

import codecs
from functools import lru_cache
import json
import re
from dataclasses import dataclass
from typing import Any, Iterator

import lxml.etree
import lxml.html

from .fold import fold_key
from .features import tokenize
from .model import CleanerError, DomEvidence, DomNode, Line
from .normalize import repair_line

# Elements a browser lays out as blocks (their own lines), and those whose text is never shown.
BLOCK_TAGS = frozenset("""
address article aside blockquote body caption center dd details dialog dir div dl dt fieldset
figcaption figure footer form frameset h1 h2 h3 h4 h5 h6 header hgroup hr html legend li listing
main menu nav ol p plaintext pre section summary table tbody td tfoot th thead tr ul xmp
option select textarea iframe video audio canvas object map
""".split())
HIDDEN_TAGS = frozenset("script style template noscript head title svg math iframe object embed".split())
BREAK_TAGS = frozenset({"br", "hr"})
# A line shorter than this many tokens is never taken for the page's description (a section name
# or a name in it would be).
DESCRIPTION_MIN_TOKENS = 6
MAX_DEPTH = 2048  # libxml2's limit on nested elements (with huge_tree)
_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"),
         (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))
_META_CHARSET = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_:.\-]+)""", re.I)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9_:.\-]+)""", re.I)
_SPACE = re.compile(r"\s+")
_SPACE_CHARS = (" ", "\n", "\t", "\r", "\xa0", "\u2009", "\u200a", "\u202f", "\u3000", "\f", "\v")
_ASCII_SPACE_CHARS = tuple(c for c in _SPACE_CHARS if c.isascii())
_NAME_SPLIT = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|[^A-Za-z0-9]+")
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)


@dataclass(frozen=True, slots=True)
class HtmlPage:
    """A page laid out as lines, with the evidence of each line and what the page says of itself."""

    lines: tuple[Line, ...]
    evidence: tuple[DomEvidence, ...]
    titles: tuple[str, ...]          # <title>, og:title, JSON-LD headline, h1 texts
    encoding: str


# ---------------------------------------------------------------- decoding
def _codec(name: bytes | str) -> str | None:
    name = name.decode("ascii", "ignore") if isinstance(name, bytes) else name
    try:
        codec = codecs.lookup(name.strip().lower()).name
    except LookupError:
        return None
    # As browsers do: a page declared Latin-1 or ASCII is read as Windows-1252, and one declared
    # UTF-16 or UTF-32 without a byte-order mark (the declaration is ASCII, so it cannot be) as UTF-8.
    if codec.startswith(("utf-16", "utf-32")):
        return "utf-8"
    return "cp1252" if codec in ("latin-1", "iso8859-1", "ascii") else codec


def decode_html(data: bytes | str) -> tuple[str, str]:
    """Return the page as text and the encoding it was read in (BOM, declaration, else detected)."""
    if isinstance(data, str):
        return data, "str"
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise CleanerError(f"clean_html takes bytes or str, not {type(data).__name__}")
    data = bytes(data)
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data[len(bom):].decode(encoding, errors="replace"), encoding
    head = data[:8192]
    m = _XML_ENCODING.search(head) or _META_CHARSET.search(head)
    declared = _codec(m.group(1)) if m else None
    for encoding in filter(None, (declared, "utf-8")):
        try:
            return data.decode(encoding), encoding
        except (UnicodeDecodeError, LookupError):
            continue
    import charset_normalizer  # only for pages that are neither declared right nor UTF-8
    best = charset_normalizer.from_bytes(data[:200_000]).best()
    encoding = _codec(best.encoding) if best is not None else None
    return data.decode(encoding or declared or "cp1252", errors="replace"), encoding or declared or "cp1252"


def parse_html(text: str) -> lxml.etree._Element | None:
    """Return the page's DOM root, or None for a page with no markup or text at all.

    A plain lxml.etree parser: lxml.html's element classes would cost a Python call for every
    element the walk touches, and nothing here uses their methods.
    """
    if not text.strip():
        return None
    parser = lxml.etree.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True,
                                   recover=True, no_network=True, huge_tree=True)
    try:
        root = lxml.etree.fromstring(text.encode("utf-8", "replace"), parser=parser)
    except ValueError:
        return None
    if root is None:
        return None
    if any("depth" in error.message.lower() for error in parser.error_log):
        raise CleanerError(f"the page nests its elements more than {MAX_DEPTH} deep, which the HTML parser "
                           "(libxml2) cannot read; clean its text instead (--input-format text)")
    return root


# ---------------------------------------------------------------- layout
@lru_cache(maxsize=65536)
def split_names(value: str) -> tuple[str, ...]:
    """Return class or id names normalised for matching: lower case, parts joined by '-'."""
    out = []
    for name in value.split():
        parts = [p.lower() for p in _NAME_SPLIT.split(name) if p]
        if parts:
            out.append("-".join(parts))
    return tuple(out)


class _Layout:
    """One walk over the DOM that collects lines, their owners and character counts."""

    def __init__(self):
        self.tags: list[str] = []
        self.names: list[tuple[str, ...]] = []
        self.hidden: list[bool] = []
        self.parent: list[int] = []
        self.end: list[int] = []        # the index of the element's last descendant
        self.chars: list[int] = []      # of the element's own text until it closes, then of all inside it
        self.link_chars: list[int] = []
        self.lines: list[tuple[str, int, int]] = []   # text, owner element, characters in links
        self._chunks: list[str] = []
        self._owner = -1                # the element of the line's first visible text; -1: none yet
        self._in_link_chars = 0

    def add_element(self, el, parent: int) -> int:
        self.tags.append(el.tag)
        attrib = el.attrib
        names = ()
        hidden = False
        if attrib:
            if "class" in attrib:
                names = split_names(attrib["class"])
            if "id" in attrib:
                names += split_names(attrib["id"])
            style = attrib.get("style")
            hidden = ("hidden" in attrib or attrib.get("aria-hidden") == "true"
                      or (style is not None and _HIDDEN_STYLE.search(style) is not None))
        self.names.append(names)
        self.hidden.append(hidden)
        self.parent.append(parent)
        self.end.append(len(self.tags) - 1)
        self.chars.append(0)
        self.link_chars.append(0)
        return len(self.tags) - 1

    def close_element(self, index: int) -> None:
        """Record where the element ends and pass its character counts on to its parent."""
        self.end[index] = len(self.tags) - 1
        parent = self.parent[index]
        if parent >= 0:
            self.chars[parent] += self.chars[index]
            self.link_chars[parent] += self.link_chars[index]

    def add_text(self, text: str | None, owner: int, in_link: bool) -> None:
        if not text:
            return
        self._chunks.append(text)
        if text.isspace():
            return
        if self._owner < 0:
            self._owner = owner
        n = visible_chars(text)
        self.chars[owner] += n
        if in_link:
            self.link_chars[owner] += n
            self._in_link_chars += n

    def break_line(self) -> None:
        if self._owner >= 0:   # else the chunks are all white space, which repairs to nothing
            text = " ".join(repair_line("".join(self._chunks)).split())
            if text:
                self.lines.append((text, self._owner, self._in_link_chars))
            self._owner = -1
            self._in_link_chars = 0
        self._chunks.clear()

    def path_of(self, index: int, paths: dict[int, tuple[DomNode, ...]]) -> tuple[DomNode, ...]:
        """Return the element's DomNode and its ancestors', outermost first (paths: those already built)."""
        chain = []
        while index >= 0 and index not in paths:
            chain.append(index)
            index = self.parent[index]
        path = paths[index] if index >= 0 else ()
        for k in reversed(chain):
            path = paths[k] = path + (DomNode(k, self.end[k], self.tags[k], self.names[k], self.chars[k],
                                              self.link_chars[k], self.hidden[k]),)
        return path


def visible_chars(text: str) -> int:
    """Return the number of characters of a text that are not white space (of _SPACE_CHARS)."""
    if text.isascii():
        return len(text) - sum(map(text.count, _ASCII_SPACE_CHARS))
    return len(text) - sum(map(text.count, _SPACE_CHARS))


def _walk(root) -> _Layout:
    """Lay the body's text out as lines: a block element starts and ends a line, <br> breaks one.

    iterwalk passes over comments and processing instructions, tails and all: parse_html's
    parser drops them, so the tree has none.
    """
    layout = _Layout()
    body = root.find("body")
    start = body if body is not None else root
    walker = lxml.etree.iterwalk(start, events=("start", "end"))
    next(walker)                                   # the start element's own start
    top = layout.add_element(start, -1)
    layout.add_text(start.text, top, False)
    walking = [(top, False)]   # per open element: its index (-1: not laid out) and whether it is in a link
    for event, el in walker:
        if event == "end":   # the element closes: end its line if it is a block, then its tail
            index, _ = walking.pop()
            if index >= 0:
                layout.close_element(index)
                if layout.tags[index] in BLOCK_TAGS:
                    layout.break_line()
            if walking:
                layout.add_text(el.tail, *walking[-1])
            continue
        tag = el.tag.lower() if isinstance(el.tag, str) else ""
        if tag in BREAK_TAGS:
            layout.break_line()
        if not tag or tag in HIDDEN_TAGS or tag in BREAK_TAGS:
            walker.skip_subtree()
            walking.append((-1, False))
            continue
        me = layout.add_element(el, walking[-1][0])
        if tag in BLOCK_TAGS:
            layout.break_line()
        in_link = walking[-1][1] or tag == "a"
        layout.add_text(el.text, me, in_link)
        walking.append((me, in_link))
    layout.break_line()
    return layout


# ---------------------------------------------------------------- what the page says of itself
def _jsonld_objects(root) -> Iterator[dict]:
    for script in root.iter("script"):
        if "ld+json" not in (script.get("type") or "").lower() or not script.text:
            continue
        try:
            data = json.loads(script.text.strip().rstrip(";"), strict=False)
        except (ValueError, RecursionError):   # broken, or nested deeper than Python's decoder goes
            continue
        todo = [data]
        while todo:
            item = todo.pop()
            if isinstance(item, list):
                todo.extend(item)
            elif isinstance(item, dict):
                yield item
                todo.extend(v for v in item.values() if isinstance(v, (dict, list)))


def _plain(value: Any) -> str:
    """Return a JSON-LD string value as plain text (some sites put HTML in it)."""
    if isinstance(value, list):
        value = " ".join(v for v in value if isinstance(v, str))
    if not isinstance(value, str) or not value.strip():
        return ""
    if "<" in value and ">" in value:
        try:
            value = lxml.html.fromstring(value).text_content()
        except (lxml.etree.ParserError, ValueError):
            pass
    import html as _html
    return _SPACE.sub(" ", _html.unescape(value)).strip()


_TITLE_META = frozenset({"og:title", "twitter:title"})
_DESCRIPTION_META = frozenset({"description", "og:description", "twitter:description"})


def read_page_facts(root) -> tuple[list[str], str, list[str]]:
    """Return the page's title candidates (<title>, og:/twitter:title, JSON-LD headline), its JSON-LD
    articleBody and its descriptions (meta description, og:/twitter:description, JSON-LD description)."""
    titles, descriptions = [], []
    title = root.find(".//title")
    if title is not None and title.text:
        titles.append(title.text)
    for meta in root.iter("meta"):
        key = (meta.get("property") or meta.get("name") or "").lower()
        if key in _TITLE_META:
            titles.append(meta.get("content") or "")
        elif key in _DESCRIPTION_META:
            descriptions.append(meta.get("content") or "")
    bodies = []
    for obj in _jsonld_objects(root):
        for key in ("headline", "alternativeHeadline"):
            if isinstance(obj.get(key), str):
                titles.append(obj[key])
        if "headline" in obj and isinstance(obj.get("description"), str):   # the article's, not a video's
            descriptions.append(obj["description"])
        body = _plain(obj.get("articleBody"))
        if body:
            bodies.append(body)
    descriptions = list(dict.fromkeys(d for d in map(_plain, descriptions) if d))
    return [t for t in (_plain(t) for t in titles) if t], max(bodies, key=len, default=""), descriptions


_TITLE_PARTS = re.compile(r"\s+[|\-–—:·•»/]+\s+")


def _title_keys(titles: list[str]) -> set[str]:
    keys = set()
    for t in titles:
        keys.add(fold_key(t))
        keys.update(fold_key(part) for part in _TITLE_PARTS.split(t) if len(part) >= 12)
    keys.discard("")
    return keys


class _BodyIndex:
    """The JSON-LD articleBody as token trigrams, to tell how much of a line lies inside it."""

    def __init__(self, body: str):
        toks = [t.casefold() for t in tokenize(body)]
        self.text = " " + " ".join(toks) + " "
        self.grams = {tuple(toks[i:i + 3]) for i in range(len(toks) - 2)}

    def share(self, toks: list[str], min_tokens: int = 1) -> float:
        """Return the share of a line's case-folded tokens' trigrams found in the text (lines under three tokens: all or none)."""
        if len(toks) < max(1, min_tokens):
            return 0.0
        if len(toks) < 3:
            return float(" " + " ".join(toks) + " " in self.text)
        grams = [tuple(toks[i:i + 3]) for i in range(len(toks) - 2)]
        return sum(g in self.grams for g in grams) / len(grams)


# ---------------------------------------------------------------- the whole page
def layout_html(data: bytes | str) -> HtmlPage:
    """Return a page's lines as a browser lays them out, with the DOM evidence of each."""
    text, encoding = decode_html(data)
    root = parse_html(text)
    if root is None:
        return HtmlPage((), (), (), encoding)
    layout = _walk(root)
    titles, body, descriptions = read_page_facts(root)
    title_keys = _title_keys(titles)
    index = _BodyIndex(body) if body else None
    descriptions = [d for d in descriptions if fold_key(d) not in title_keys]   # some pages repeat the headline
    summary = _BodyIndex("\n".join(descriptions)) if descriptions else None
    paths: dict[int, tuple[DomNode, ...]] = {}
    page_chars = layout.chars[0] if layout.chars else 0
    lines, evidence = [], []
    for number, (line, owner, link_chars) in enumerate(layout.lines, start=1):
        chars = len(line) - line.count(" ") or 1    # break_line left single spaces only
        tokens = [t.casefold() for t in tokenize(line)] if index is not None or summary is not None else []
        lines.append(Line(number, line))
        evidence.append(DomEvidence(
            path=layout.path_of(owner, paths),
            link_share=min(1.0, link_chars / chars),
            page_chars=page_chars,
            title=fold_key(line) in title_keys,
            jsonld_body=index.share(tokens) if index is not None else None,
            description=summary.share(tokens, DESCRIPTION_MIN_TOKENS) if summary is not None else None,
        ))
    return HtmlPage(tuple(lines), tuple(evidence), tuple(titles), encoding)
