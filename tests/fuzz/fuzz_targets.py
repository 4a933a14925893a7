"""Fuzz targets: the text path, the HTML path (when Cleaner.clean_html exists) and the file path
(bytes decoded, then cleaned). Each target takes one generated input and raises only on a bug.

`tests/fuzz/test_fuzz.py` runs a few examples of each in the suite; `benchmarks/fuzz.py` runs
100,000 and more. A crash found becomes a regression case in CRASHES below (and stays there).
"""
from __future__ import annotations

from pathlib import Path

from hypothesis import strategies as st

import cleaner
from cleaner.batch import Task, clean_task, file_bytes
from cleaner.files import ERRORS, InputError, Source, decode_bytes
from cleaner.model import CleanerError, Label
from cleaner.write import render_labels_jsonl, render_labels_tsv
from clisupport import raw_lines

WORDS = ("the minister said that a new law would be passed in the spring after weeks of debate over how much "
         "money the city should spend on schools roads and hospitals while critics warned of higher taxes "
         "der die und Regierung hat am Montag beschlossen le ministre a déclaré que la réforme était "
         "правительство заявило что 政府 宣布 将 投资 住房 البرلمان قانون الإسكان").split()
BOILERPLATE = ["Share", "Facebook Twitter", "Read more", "Comments (3)", "© 2024 Example News. All rights reserved.",
               "Related articles", "Subscribe to our newsletter", "Home", "Advertisement", "By John Smith",
               "Photo: Reuters", "Tags: politics, economy", "Leave a comment", "Most read", "12 July 2024",
               "Kommentar schreiben", "Lire aussi :", "Читайте также", "相关新闻", "https://example.com/a/b",
               "editor@example.com", "Caf&eacute; &amp; bar &#10; &#x85;", "CafÃ© del Mar â€™", "\u200b\u00ad\ufeff"]
SYMBOLS = "&#;x0123456789abcdefABCDEFÃÂâ€™©|»›·•/-–—.…!?:()[]<>\"'\t \r\n\u00a0\u200b\u2028\u0085\x1f\x7f"

sentence = st.lists(st.sampled_from(WORDS), min_size=1, max_size=60).map(lambda ws: " ".join(ws).capitalize() + ".")
headline = st.lists(st.sampled_from(WORDS), min_size=1, max_size=10).map(lambda ws: " ".join(w.title() for w in ws))
repeated = st.builds(lambda unit, n: unit * n, st.text(min_size=1, max_size=4), st.integers(50, 1500))
line = st.one_of(sentence, sentence, headline, st.sampled_from(BOILERPLATE), st.just(""), st.text(max_size=80),
                 st.text(alphabet=SYMBOLS, max_size=80), repeated)
page = st.builds(lambda ls, nl, bom, end: ("\ufeff" if bom else "") + nl.join(ls) + (nl if end else ""),
                 st.lists(line, max_size=50), st.sampled_from(["\n", "\r\n", "\r"]), st.booleans(), st.booleans())
texts = st.one_of(st.text(), page, page, st.text(alphabet=SYMBOLS))

ENCODINGS = ("auto", "utf-8", "cp1252", "utf-16", "shift_jis", "koi8-r", "latin-1")
file_inputs = st.tuples(st.one_of(st.binary(max_size=400), texts.map(lambda t: t.encode("utf-8", "replace")),
                                  texts.map(lambda t: t.encode("cp1252", "replace")),
                                  texts.map(lambda t: t.encode("utf-16"))),
                        st.sampled_from(ENCODINGS), st.sampled_from(ERRORS))

_tag = st.sampled_from(["p", "div", "span", "a", "h1", "h2", "nav", "footer", "header", "li", "ul", "script",
                        "style", "article", "section", "br", "img", "table", "td", "tr", "figure", "figcaption",
                        "aside", "form", "button", "noscript", "iframe", "svg", "pre", "b", "i"])
_attr = st.sampled_from(['', ' class="related-articles"', ' id="comments"', ' class="share social"',
                         ' class="article-body"', ' href="/x"', ' style="display:none"', ' class=""', " class='a b'"])
html_fragment = st.recursive(
    st.one_of(sentence, headline, st.sampled_from(BOILERPLATE), st.text(max_size=30)),
    lambda inner: st.builds(lambda tag, attr, kids: f"<{tag}{attr}>{''.join(kids)}</{tag}>", _tag, _attr,
                            st.lists(inner, max_size=5)),
    max_leaves=40)
html_pages = st.one_of(
    st.builds(lambda head, body: f"<!doctype html><html><head>{head}</head><body>{body}</body></html>",
              st.sampled_from(["", "<title>Parliament passes the law</title>", '<meta charset="windows-1252">',
                               '<script type="application/ld+json">{"headline": "X", "articleBody": "Y"}</script>',
                               '<meta charset="bogus">']),
              st.lists(html_fragment, max_size=8).map("".join)).map(lambda s: s.encode("utf-8")),
    st.binary(max_size=300),
    st.text(alphabet="<>/=\"'!-&;#abcpdivhtml \n", max_size=200).map(lambda s: s.encode("utf-8")),
)

# Crashes the fuzzer found, kept as regression cases (target, input).
CRASHES: list[tuple[str, object]] = [
    ("text", "\x1f"),                     # a lone control character: its line was lost (normalize)
    ("text", "abc\n\u200b"),              # a last line of only a zero-width space: lost too
    ("text", "a &#10; b\nc"),             # an entity decoding to a line break split its line
    ("text", "a" * 20000),                # quadratic e-mail feature (22 s)
    ("text", "." * 20000),                # quadratic shipped rule pattern (20 s)
    ("text", "R" * 142),                  # de.byline backtracked exponentially (3 s; German pages only,
                                          # see test_robustness for the German case)
]


def check_result(c: cleaner.Cleaner, result, lines: int | None) -> None:
    """Check the invariants every Result keeps, and that every output renders."""
    if lines is not None:
        assert len(result.lines) == lines, (len(result.lines), lines)
    assert [line.number for line in result.lines] == list(range(1, len(result.lines) + 1))
    for line in result.lines:
        assert isinstance(line.label, Label) and 0.0 <= line.score <= 1.0
        assert "\n" not in line.text and "\r" not in line.text
    assert result.text == "\n\n".join(line.text for line in result.lines if line.label in c.config.keep)
    render_labels_tsv(result.lines)
    render_labels_jsonl(result.lines)
    file_bytes(result)


def fuzz_text(c: cleaner.Cleaner, text: str) -> None:
    """The text path: any text is cleaned, one label per line."""
    check_result(c, c.clean(text), len(raw_lines(text)))


def fuzz_html(c: cleaner.Cleaner, data: bytes) -> None:
    """The HTML path: any bytes are cleaned as HTML or refused with a CleanerError."""
    clean_html = getattr(c, "clean_html", None)
    if clean_html is None:
        return
    try:
        result = clean_html(data)
    except CleanerError:
        return
    check_result(c, result, None)


def fuzz_file(c: cleaner.Cleaner, item: tuple[bytes, str, str]) -> None:
    """The file path: any bytes are decoded and cleaned, or refused with a one-line reason."""
    data, encoding, errors = item
    try:
        decode_bytes(data, encoding, errors)
    except InputError as exc:
        assert "\n" not in str(exc)
    outcome = clean_task(c, Task(Source("fuzz.txt", Path("fuzz.txt"), Path("fuzz.txt")), "text", encoding, errors,
                                 True, data))
    assert outcome.error is None or not outcome.error.startswith("internal error"), outcome.error
    if outcome.result is not None:
        check_result(c, outcome.result, None)


TARGETS = {"text": (texts, fuzz_text), "html": (html_pages, fuzz_html), "file": (file_inputs, fuzz_file)}
