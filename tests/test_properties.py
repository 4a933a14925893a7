"""Properties that hold for any text: one label per line, output lines are input lines in order,
the same result in every process, and (a known miss) cleaning the clean text changes nothing."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, Phase, given, settings, strategies as st

import cleaner
from cleaner.batch import file_bytes
from cleaner.files import InputError, decode_bytes
from cleaner.model import Label
from cleaner.normalize import normalize_text, repair_line
from cleaner.segment import split_lines
from cleaner.write import render_labels_tsv
from clisupport import raw_lines, rules_env  # noqa: F401 (rules_env: autouse)

WORDS = ("the minister said that a new law would be passed in the spring after weeks of debate over how "
         "much money the city should spend on schools roads and hospitals while critics warned of higher "
         "taxes").split()
BOILERPLATE = ["Share", "Facebook Twitter", "Read more", "Comments (3)", "© 2024 Example News. All rights reserved.",
               "Related articles", "Subscribe to our newsletter", "Home", "Advertisement", "By John Smith",
               "Photo: Reuters", "Tags: politics, economy", "Leave a comment", "Most read", "12 July 2024",
               "Caf&eacute; &amp; bar", "a &#10; b", "CafÃ© del Mar", "\u200bzero\u00a0width"]

sentences = st.lists(st.sampled_from(WORDS), min_size=3, max_size=40).map(lambda ws: " ".join(ws).capitalize() + ".")
headlines = st.lists(st.sampled_from(WORDS), min_size=2, max_size=9).map(lambda ws: " ".join(w.capitalize() for w in ws))
lines = st.one_of(sentences, sentences, headlines, st.sampled_from(BOILERPLATE), st.just(""), st.just("  \t"),
                  st.text(max_size=40))
pages = st.builds(lambda ls, nl, bom, end: ("\ufeff" if bom else "") + nl.join(ls) + (nl if end and ls else ""),
                  st.lists(lines, max_size=40), st.sampled_from(["\n", "\r\n", "\r"]), st.booleans(), st.booleans())
any_text = st.one_of(st.text(), pages)

PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))



@pytest.fixture(scope="module")
def english(rules_env):
    return cleaner.Cleaner(language="en")


@PROPERTY
@given(text=any_text)
def test_every_input_line_gets_exactly_one_label(english, text):
    result = english.clean(text)
    assert [line.number for line in result.lines] == list(range(1, len(raw_lines(text)) + 1))
    for line in result.lines:
        assert isinstance(line.label, Label)
        assert (line.label is Label.BLANK) == (line.text == "")
        assert 0.0 <= line.score <= 1.0


@PROPERTY
@given(text=any_text)
def test_output_lines_are_normalised_input_lines_in_order(english, text):
    result = english.clean(text)
    normalised = [repair_line(raw).strip() for raw in raw_lines(text)]
    assert [line.text for line in result.lines] == normalised
    kept = [line.text for line in result.lines if line.label in english.config.keep]
    assert result.text == "\n\n".join(kept)
    assert [part for part in result.text.split("\n") if part] == kept


@PROPERTY
@given(text=st.text(alphabet=st.sampled_from("ab &#;x0123456789AD\r\n\u0085\u2028Ã©"), max_size=60) | any_text)
def test_normalisation_never_adds_or_removes_a_line(text):
    assert len(split_lines(normalize_text(text).text)) == len(raw_lines(text))


@PROPERTY
@given(text=pages, newline=st.sampled_from(["\r\n", "\r"]))
def test_a_written_file_keeps_the_input_line_ending_and_bom(english, text, newline):
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", newline) + newline
    result = english.clean(text)
    written = file_bytes(result).decode("utf-8")
    if not result.text:
        assert written == ""
        return
    assert written.startswith("\ufeff") == text.startswith("\ufeff")
    assert written.endswith(newline)
    others = written.replace(newline, "")
    assert "\n" not in others and "\r" not in others


# One pass is not idempotent: the scores use page context (neighbours, the article region,
# topic overlap, relative length, position), and the clean text is a different page, so a
# second pass can drop lines the first kept (on the devset about a third of the pages lose
# lines). `stable=True` (the CLI's default with -i) cleans the clean text again until it
# stays the same, which makes cleaning idempotent by construction. The examples are found
# among small pages drawn from a few words, the same draw every run.
def _pages_changed_by_a_second_pass(cleaner_, wanted: int = 3, tries: int = 5000) -> list[str]:
    import random
    words = ["The", "the", "minister", "said", "Share", "Home", "news"]
    draw, found = random.Random(0), []
    for _ in range(tries):
        page = "\n".join(" ".join(draw.choice(words) for _ in range(draw.randint(1, 10))) + draw.choice([".", "", "?"])
                         for _ in range(draw.randint(2, 4)))
        once = cleaner_.clean(page).text
        if once and cleaner_.clean(once).text != once:
            found.append(page)
            if len(found) == wanted:
                break
    return found


@pytest.fixture(scope="module")
def stable_english(rules_env):
    return cleaner.Cleaner(language="en", stable=True)


@settings(max_examples=300, deadline=None, derandomize=True, phases=[Phase.generate], suppress_health_check=list(HealthCheck))
@given(text=pages)
def test_cleaning_the_clean_text_changes_nothing(stable_english, text):
    once = stable_english.clean(text).text
    assert stable_english.clean(once).text == once


def test_one_pass_alone_is_not_idempotent(english):
    assert _pages_changed_by_a_second_pass(english)


def test_a_stable_cleaner_labels_what_a_later_pass_dropped(english, stable_english):
    for page in _pages_changed_by_a_second_pass(english):
        result = stable_english.clean(page)
        assert stable_english.clean(result.text).text == result.text
        assert any("context.second_pass" in line.reasons for line in result.lines)


@settings(max_examples=3, deadline=None, phases=[Phase.generate], suppress_health_check=list(HealthCheck))
@given(batch=st.lists(pages, min_size=8, max_size=8))
def test_results_are_identical_across_processes_and_hash_seeds(tmp_path_factory, rules_env, batch):
    folder = tmp_path_factory.mktemp("pages")
    auto = cleaner.Cleaner()
    names, here = [], []
    for i, text in enumerate(batch):
        try:
            decoded = decode_bytes(text.encode("utf-8"))
        except InputError:  # refused as binary: the CLI refuses it too (test_cli)
            continue
        names.append(f"p{i}")
        (folder / f"p{i}.txt").write_bytes(text.encode("utf-8"))
        here.append(render_labels_tsv(auto.clean(decoded.text).lines).encode("utf-8"))
    for seed in ("1", "4242"):
        out = tmp_path_factory.mktemp(f"labels{seed}")
        env = {**os.environ, "PYTHONHASHSEED": seed, "CLEANER_RULES_DIR": str(rules_env)}
        done = subprocess.run([sys.executable, "-m", "cleaner", "clean", "--format", "labels", "-o", str(out),
                               *(str(folder / f"{name}.txt") for name in names)], capture_output=True, env=env,
                              timeout=300)
        assert done.returncode == 0, done.stderr
        assert [(out / f"{name}.labels.tsv").read_bytes() for name in names] == here


@PROPERTY
@given(text=st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from("\t\r\n")))
def test_valid_utf8_text_decodes_to_itself(text):
    assert decode_bytes(text.encode("utf-8")).text == text


@PROPERTY
@given(data=st.binary(max_size=300))
def test_any_bytes_are_decoded_or_refused_with_an_input_error(data):
    try:
        decoded = decode_bytes(data)
    except InputError as exc:
        assert "\n" not in str(exc)
        return
    assert isinstance(decoded.text, str)


def apply_unified_diff(old: list[str], diff: list[str]) -> list[str]:
    """Return `old` with a unified diff applied (a small patch, enough for the test)."""
    out, i = [], 0
    for line in diff[2:]:
        if line.startswith("@@"):
            start = int(line.split()[1][1:].split(",")[0])
            length = line.split()[1].split(",")
            start = start - 1 if len(length) == 1 or int(length[1]) else start
            out += old[i:start]
            i = start
        elif line.startswith(" "):
            assert old[i] == line[1:]
            out.append(old[i])
            i += 1
        elif line.startswith("-"):
            assert old[i] == line[1:]
            i += 1
        else:
            out.append(line[1:])
    return out + old[i:]


@PROPERTY
@given(text=pages)
def test_the_diff_turns_the_input_into_the_clean_text(english, text):
    from cleaner.diff import split_input_lines, unified_diff
    result = english.clean(text)
    diff = list(unified_diff(text, result, english.config.keep, "page.txt"))
    new = result.text.split("\n") if result.text else []
    old = split_input_lines(text)
    if not diff:
        assert old == new
        return
    assert diff[:2] == ["--- a/page.txt", "+++ b/page.txt"]
    assert apply_unified_diff(old, diff) == new
