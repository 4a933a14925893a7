"""HTML input: layout (html.py), DOM evidence (evidence.py, container.py) and Cleaner.clean_html."""
from __future__ import annotations

import re
import sys

import pytest
from hypothesis import given, settings, strategies as st

import cleaner
from cleaner.evidence import NameMatcher, match_dom
from cleaner.features import tokenize
from cleaner.html import _SPACE_CHARS, decode_html, folded_tokens, layout_html, split_names, visible_chars
from cleaner.model import CleanerError, Label
from cleaner.ruleset import load_ruleset
from cleaner.rulecheck import EXAMPLE_PARAGRAPHS, html_example_hits

PARAGRAPHS = list(EXAMPLE_PARAGRAPHS)   # the article that rules check also sets HTML examples in


def page(body: str, head: str = "") -> str:
    return f"<!DOCTYPE html><html><head><title>News</title>{head}</head><body>{body}</body></html>"


def article_page() -> str:
    nav = "<nav><ul>" + "".join(f'<li><a href="/{w}">{w}</a></li>' for w in ["Home", "World", "Sport", "Culture"]) + "</ul></nav>"
    body = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    footer = '<footer><a href="/imprint">Imprint</a> <a href="/privacy">Privacy</a></footer>'
    return page(f'{nav}<main><article><h1>Council approves homes on the old depot site</h1>{body}</article></main>{footer}')


@pytest.fixture(scope="module")
def english():
    return cleaner.Cleaner(language="en")


def texts(html) -> list[str]:
    return [line.text for line in layout_html(html).lines]


# ---------------------------------------------------------------- layout
def test_each_block_element_is_a_line_of_its_own():
    assert texts(page("<div>One</div><p>Two</p><ul><li>Three</li><li>Four</li></ul>")) == ["One", "Two", "Three", "Four"]


def test_inline_elements_are_glued_without_added_spaces():
    assert texts(page('<p><a href="/a">Azerbaijan</a><a href="/b">Israel</a></p>')) == ["AzerbaijanIsrael"]


def test_inline_text_keeps_the_spaces_of_the_source():
    assert texts(page("<p>The <b>new</b> homes</p>")) == ["The new homes"]


def test_a_br_breaks_the_line():
    assert texts(page("<p>First line<br>second line</p>")) == ["First line", "second line"]


def test_script_style_template_and_noscript_text_is_not_shown():
    html = page("<script>var a = 1;</script><style>p {}</style><template>Hidden</template>"
                "<noscript>Enable JavaScript</noscript><p>Shown</p>")
    assert texts(html) == ["Shown"]


def test_text_around_a_nested_block_makes_lines_of_its_own():
    assert texts(page("<div>before<p>inside</p>after</div>")) == ["before", "inside", "after"]


def test_whitespace_is_collapsed_and_empty_blocks_make_no_line():
    assert texts(page("<p>  two\n\t words </p><div> </div><p></p>")) == ["two words"]


UNICODE_SPACES = [chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace() or re.fullmatch(r"\s", chr(c))]


def test_every_kind_of_white_space_collapses_as_a_regex_would():
    # The layout collapses white space with str.split(); it must agree with \s+ -> " ", then strip().
    for space in UNICODE_SPACES:
        text = f"{space}a{space}{space}b{space}"
        assert " ".join(text.split()) == re.sub(r"\s+", " ", text).strip(), repr(space)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list(_SPACE_CHARS) + UNICODE_SPACES + list("ab\u00e9\u4e2d\u200b"))))
def test_visible_chars_counts_the_characters_that_are_not_layout_spaces(text):
    assert visible_chars(text) == sum(c not in _SPACE_CHARS for c in text)


def test_comments_and_processing_instructions_keep_the_text_around_them():
    assert texts(page("<p>one <!-- a comment -->two<?pi x?> three</p>")) == ["one two three"]


def test_deeply_nested_elements_are_laid_out():
    depth = 1500
    (ev,) = layout_html(page("<div>" * depth + "deep" + "</div>" * depth)).evidence
    assert [n.tag for n in ev.path] == ["body"] + ["div"] * depth


def test_entities_are_decoded():
    assert texts(page("<p>Fish &amp; chips &eacute;t&eacute;</p>")) == ["Fish & chips été"]


# ---------------------------------------------------------------- decoding
def test_bytes_are_read_in_their_declared_charset():
    html = page("<p>Новости дня</p>", '<meta charset="windows-1251">').encode("cp1251")
    assert decode_html(html)[1] == "cp1251" and texts(html) == ["Новости дня"]


def test_a_byte_order_mark_decides_the_encoding():
    html = page("<p>Grüße aus Köln</p>").encode("utf-16")
    assert texts(html) == ["Grüße aus Köln"]


def test_a_latin1_declaration_is_read_as_windows_1252():
    html = page("<p>\u201cQuoted\u201d</p>", '<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1">')
    assert texts(html.encode("cp1252")) == ["\u201cQuoted\u201d"]


def test_undeclared_bytes_that_are_not_utf8_are_detected():
    text = "Le conseil municipal a voté mardi la construction de logements près de la gare. " * 3
    assert texts(page(f"<p>{text.strip()}</p>").encode("cp1252")) == [text.strip()]


def test_anything_but_bytes_or_str_is_a_clear_error():
    with pytest.raises(CleanerError, match="bytes or str"):
        decode_html(123)


# ---------------------------------------------------------------- evidence
def test_class_and_id_names_are_split_at_camel_case_and_underscores():
    assert split_names("relatedArticles social_share c-Nav--main") == ("related-articles", "social-share", "c-nav-main")


def test_link_share_counts_the_characters_inside_links():
    (ev,) = layout_html(page('<p>Read <a href="/x">more</a></p>')).evidence
    assert ev.link_share == pytest.approx(4 / 8)


def test_a_line_equal_to_the_og_title_is_the_title():
    html = page("<p>Menu</p><h2>Council approves homes</h2>", '<meta property="og:title" content="Council approves homes">')
    assert [ev.title for ev in layout_html(html).evidence] == [False, True]


def test_a_line_inside_the_jsonld_article_body_is_marked_as_inside_it():
    jsonld = ('<script type="application/ld+json">{"@type": "NewsArticle", "articleBody": '
              f'"{PARAGRAPHS[0]} {PARAGRAPHS[1]}"}}</script>')
    layout = layout_html(page(f"<p>{PARAGRAPHS[1]}</p><p>{PARAGRAPHS[2]}</p>", jsonld))
    assert [ev.jsonld_body for ev in layout.evidence] == [1.0, 0.0]


def test_a_page_without_jsonld_has_no_jsonld_evidence():
    assert layout_html(page("<p>Text</p>")).evidence[0].jsonld_body is None


LEDE = "Residents had asked for a park, but the council chose homes after three years of debate."


def test_a_line_found_in_the_page_description_is_marked_as_found():
    html = page(f"<p>{LEDE}</p><p>{PARAGRAPHS[0]}</p>", f'<meta name="description" content="{LEDE}">')
    assert [ev.description for ev in layout_html(html).evidence] == [1.0, 0.0]


def test_a_page_without_a_description_has_no_description_evidence():
    assert layout_html(page(f"<p>{LEDE}</p>")).evidence[0].description is None


def test_a_description_that_repeats_the_headline_is_no_evidence():
    html = page("<h1>Council approves four hundred homes on the depot site</h1>",
                '<meta property="og:title" content="Council approves four hundred homes on the depot site">'
                '<meta name="description" content="Council approves four hundred homes on the depot site">')
    assert layout_html(html).evidence[0].description is None


def test_the_description_of_a_video_in_jsonld_is_not_the_page_description():
    jsonld = ('<script type="application/ld+json">{"@type": "VideoObject", "name": "Depot", '
              f'"description": "{LEDE}"}}</script>')
    assert layout_html(page(f"<p>{LEDE}</p>", jsonld)).evidence[0].description is None


def test_the_lede_outside_the_article_element_is_kept_when_the_page_describes_itself_with_it(english):
    body = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    html = page(f'<div class="top"><h1>Council approves homes on the old depot site</h1><div class="intro">{LEDE}</div></div>'
                f'<article>{body}</article><div class="more"><a href="/a">More from the council</a></div>',
                f'<meta name="description" content="{LEDE}">')
    kept = [line.text for line in english.clean_html(html).lines if line.kept]
    assert LEDE in kept


def test_a_nav_element_makes_its_lines_hit_the_navigation_category():
    rules = load_ruleset(None)
    layout = layout_html(page('<nav><a href="/">Home</a></nav><p>Body text of the article.</p>'))
    hits = match_dom(rules, layout.evidence, rules.settings)
    assert [[h.rule_id for h in line] for line in hits] == [["base.html_nav"], []]


def test_an_element_holding_the_article_never_matches_a_category():
    rules = load_ruleset(None)
    layout = layout_html(page('<div class="tag-politics"><p>Body text.</p></div><ul class="tags"><li>Politics</li></ul>'))
    holding = [layout.evidence[0].path[-2].index]
    hits = match_dom(rules, layout.evidence, rules.settings, exempt=holding)
    assert [[h.rule_id for h in line] for line in hits] == [[], ["base.html_tags"]]


HTML_CATEGORY_CASES = [
    pytest.param(cat.id, example, should, id=f"{cat.id}{'+' if should else '-'}{example[:30]}")
    for cat in load_ruleset(None).categories if cat.is_html
    for should, examples in ((True, cat.examples_match), (False, cat.examples_no_match))
    for example in examples
]


@pytest.mark.parametrize("rule_id, snippet, should_match", HTML_CATEGORY_CASES)
def test_html_category_example(rule_id, snippet, should_match):
    matched = html_example_hits(load_ruleset(None), rule_id, snippet)
    assert matched and all(m == should_match for m in matched), f"{rule_id} on {snippet!r}: {matched}"


def test_rules_check_runs_the_html_examples_of_base_as_html():
    from cleaner.rulecheck import check_rule_file
    from cleaner.ruleset import rules_dir

    check = check_rule_file(rules_dir() / "base.toml")
    assert not [p for p in check.problems if "html_" in p], check.problems


def test_every_html_category_has_examples():
    for cat in load_ruleset(None).categories:
        if cat.is_html:
            assert len(cat.examples_match) >= 2 and cat.examples_no_match, cat.id


def test_html_categories_never_match_a_line_of_text(english):
    result = english.clean("Home\nNavigation\nComments\nRelated articles\nShare\n")
    assert not any("html_" in reason for line in result.lines for reason in line.reasons)


# ---------------------------------------------------------------- the whole page
def test_the_article_is_kept_and_the_menu_and_footer_are_dropped(english):
    result = english.clean_html(article_page())
    kept = [line.text for line in result.lines if line.kept and line.label is not Label.TITLE]
    assert kept == PARAGRAPHS


def test_the_menu_lines_are_labelled_with_the_dom_evidence_among_the_reasons(english):
    result = english.clean_html(article_page())
    home = next(line for line in result.lines if line.text == "Home")
    assert home.label is Label.NAVIGATION and "base.html_nav" in home.reasons


def test_bytes_and_str_of_the_same_page_clean_alike(english):
    html = article_page()
    assert english.clean_html(html.encode("utf-8")).text == english.clean_html(html).text


@pytest.mark.parametrize("html", [b"", "   \n", "<html></html>", "<!-- only a comment -->", "<script>x()</script>"])
def test_an_empty_document_gives_an_empty_result(english, html):
    result = english.clean_html(html)
    assert result.text == "" and result.lines == ()


@pytest.mark.parametrize("html", [
    "<html><body><div><p>Unclosed paragraph <b>bold <i>both</div></table></body>",
    "</p></div><p>Stray end tags first, then a sentence of text.</p>",
    b"<p>\xff\xfe\x00 bytes \x80\x81 that are not UTF-8</p>",
    "<p>" + "<span>" * 500 + "deep" + "</span>" * 500 + "</p>",
    "<html><body><p>Control \x00\x01\x08 characters</p></body></html>",
    "<html><body><p>A document cut off in the middle of a ta",
    '<script type="application/ld+json">{"headline": 5, "articleBody": {"a": 1}, "description": [1]}</script><p>Text</p>',
    '<script type="application/ld+json">' + "[" * 5000 + "]" * 5000 + "</script><p>JSON-LD deeper than Python decodes</p>",
    '<script type="application/ld+json">{"headline": "H", "description": "<p>unclosed <b>markup"}</script><p>Text</p>',
    "<?php echo 1; ?>",
])
def test_malformed_html_gives_a_clean_result(english, html):
    result = english.clean_html(html)
    assert isinstance(result.text, str) and all(line.text for line in result.lines)


def test_a_page_with_no_article_gives_a_result_without_body(english):
    links = "".join(f'<li><a href="/{i}">Section {i}</a></li>' for i in range(30))
    result = english.clean_html(page(f"<nav><ul>{links}</ul></nav><footer>© 2024 Example</footer>"))
    assert len(result.lines) == 31 and not any(line.label is Label.BODY for line in result.lines)


@pytest.mark.parametrize("value", [None, 12, ["<p>Text</p>"]])
def test_input_that_is_neither_bytes_nor_str_is_a_clear_error(english, value):
    with pytest.raises(CleanerError, match="bytes or str"):
        english.clean_html(value)


def test_a_page_declared_utf16_without_a_byte_order_mark_is_read_as_utf8():
    text, encoding = decode_html('<meta charset="utf-16"><p>Grüße</p>'.encode("utf-8"))
    assert encoding == "utf-8" and "Grüße" in text


def test_a_page_nested_deeper_than_the_parser_can_read_is_a_clear_error(english):
    with pytest.raises(CleanerError, match="deep"):
        english.clean_html("<div>" * 3000 + "text" + "</div>" * 3000)


TOKEN_LISTS = (("nav", "sub-menu", "menu"), ("share", "social-share"), ("a-b-c",), ("x_y", "-odd-", ""))
# Names joined from whole tokens, parts of tokens and other parts, and names split_names would never make.
NAME_PARTS = st.sampled_from(["nav", "sub-menu", "share", "social-share", "a-b-c", "sub", "menu", "social", "a", "b-c",
                              "x", "odd", "2", "Nav", "y"])


@settings(max_examples=500, deadline=None)
@given(st.one_of(st.lists(NAME_PARTS, min_size=1, max_size=6).map("-".join),
                 st.text(alphabet=st.sampled_from(list("abcnav-_ \n")), max_size=12)))
def test_a_name_looked_up_by_its_parts_matches_as_the_token_patterns_would(name):
    matcher = NameMatcher(TOKEN_LISTS)
    assert matcher.match(name) == frozenset(k for k, rx in matcher.patterns if rx.search(name))


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(max_codepoint=127)))
def test_ascii_text_lower_cased_first_gives_the_case_folded_tokens(text):
    assert folded_tokens(text) == [token.casefold() for token in tokenize(text)]
