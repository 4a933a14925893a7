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
_NOT_LAID_OUT = HIDDEN_TAGS | BREAK_TAGS
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
    """What one walk over the DOM collects: per element its parent, span and character counts, and the lines."""

    def __init__(self):
        self.elements: list = []        # the lxml elements, in document order
        self.parent: list[int] = []
        self.end: list[int] = []        # the index of the element's last descendant
        self.chars: list[int] = []      # non-space characters of the text inside the element
        self.link_chars: list[int] = []
        self.lines: list[tuple[str, int, int]] = []   # text, owner element, characters in links

    def path_of(self, index: int, paths: dict[int, tuple[DomNode, ...]]) -> tuple[DomNode, ...]:
        """Return the element's DomNode and its ancestors', outermost first (paths: those already built)."""
        chain = []
        while index >= 0 and index not in paths:
            chain.append(index)
            index = self.parent[index]
        path = paths[index] if index >= 0 else ()
        for k in reversed(chain):
            el = self.elements[k]
            names, hidden = _names_and_hidden(el.attrib)
            path = paths[k] = path + (DomNode(k, self.end[k], el.tag, names, self.chars[k], self.link_chars[k], hidden),)
        return path


def _names_and_hidden(attrib) -> tuple[tuple[str, ...], bool]:
    """Return an element's class and id names (split_names) and whether its attributes hide it."""
    if not attrib:
        return (), False
    names = ()
    if "class" in attrib:
        names = split_names(attrib["class"])
    if "id" in attrib:
        names += split_names(attrib["id"])
    style = attrib.get("style")
    return names, ("hidden" in attrib or attrib.get("aria-hidden") == "true"
                   or (style is not None and _HIDDEN_STYLE.search(style) is not None))


def visible_chars(text: str) -> int:
    """Return the number of characters of a text that are not white space (of _SPACE_CHARS)."""
    if text.isascii():
        return len(text) - sum(map(text.count, _ASCII_SPACE_CHARS))
    return len(text) - sum(map(text.count, _SPACE_CHARS))


def _walk(root) -> _Layout:
    """Lay the body's text out as lines: a block element starts and ends a line, <br> breaks one.

    iterwalk passes over comments and processing instructions, tails and all: parse_html's
    parser drops them, so the tree has none. The walk runs once per element of every page, so
    its state lives in local names rather than attributes.
    """
    layout = _Layout()
    elements, parent, end, chars, link_chars = layout.elements, layout.parent, layout.end, layout.chars, layout.link_chars
    chunks: list[str] = []      # the texts of the line being laid out
    owner = -1                  # the element of the line's first visible text; -1: none yet
    line_link_chars = 0

    def add_text(text: str, element: int, in_link: bool) -> None:
        nonlocal owner, line_link_chars
        chunks.append(text)
        if not text.isspace():
            if owner < 0:
                owner = element
            n = visible_chars(text)
            chars[element] += n
            if in_link:
                link_chars[element] += n
                line_link_chars += n

    def break_line() -> None:
        nonlocal owner, line_link_chars
        if owner >= 0:   # else the chunks are all white space, which repairs to nothing
            text = " ".join(repair_line("".join(chunks)).split())
            if text:
                layout.lines.append((text, owner, line_link_chars))
            owner, line_link_chars = -1, 0
        chunks.clear()

    def open_element(el, up: int) -> int:
        elements.append(el)
        parent.append(up)
        end.append(len(parent) - 1)
        chars.append(0)
        link_chars.append(0)
        return len(parent) - 1

    body = root.find("body")
    start = body if body is not None else root
    walker = lxml.etree.iterwalk(start, events=("start", "end"))
    next(walker)                                   # the start element's own start
    top = open_element(start, -1)
    if start.text:
        add_text(start.text, top, False)
    # Per open element: its index (-1: not laid out), whether it is in a link, whether it ends a line.
    walking = [(top, False, start.tag in BLOCK_TAGS)]
    for event, el in walker:
        if event == "end":   # the element closes: end its line if it is a block, then its tail
            index, _, block = walking.pop()
            if index >= 0:
                end[index] = len(parent) - 1
                up = parent[index]
                if up >= 0:
                    chars[up] += chars[index]
                    link_chars[up] += link_chars[index]
                if block and chunks:
                    break_line()
            tail = el.tail
            if tail and walking:
                add_text(tail, walking[-1][0], walking[-1][1])
            continue
        raw = el.tag
        tag = raw.lower() if isinstance(raw, str) else ""
        if tag in BREAK_TAGS and chunks:
            break_line()
        if not tag or tag in _NOT_LAID_OUT:
            walker.skip_subtree()
            walking.append((-1, False, False))
            continue
        up, in_link, _ = walking[-1]
        me = open_element(el, up)
        if tag in BLOCK_TAGS and chunks:
            break_line()
        in_link = in_link or tag == "a"
        text = el.text
        if text:
            add_text(text, me, in_link)
        walking.append((me, in_link, raw in BLOCK_TAGS))
    if chunks:
        break_line()
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


def folded_tokens(text: str) -> list[str]:
    """Return the text's word tokens, case-folded (an ASCII text is lower-cased first: the same tokens, at one call)."""
    if text.isascii():
        return tokenize(text.lower())
    return [t.casefold() for t in tokenize(text)]


class _BodyIndex:
    """The JSON-LD articleBody as token trigrams, to tell how much of a line lies inside it."""

    def __init__(self, body: str):
        toks = folded_tokens(body)
        self.text = " " + " ".join(toks) + " "
        self.grams = set(zip(toks, toks[1:], toks[2:]))

    def share(self, toks: list[str], min_tokens: int = 1) -> float:
        """Return the share of a line's case-folded tokens' trigrams found in the text (lines under three tokens: all or none)."""
        if len(toks) < max(1, min_tokens):
            return 0.0
        if len(toks) < 3:
            return float(" " + " ".join(toks) + " " in self.text)
        return sum(map(self.grams.__contains__, zip(toks, toks[1:], toks[2:]))) / (len(toks) - 2)


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
        tokens = folded_tokens(line) if index is not None or summary is not None else []
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
