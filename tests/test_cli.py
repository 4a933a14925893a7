"""The command line: `cleaner clean | explain | rules`, its outputs, options and exit statuses."""
from __future__ import annotations

import codecs
import json
import os
import pty
import stat
import subprocess
import sys
from pathlib import Path

import pytest

import cleaner
from clisupport import ENGLISH_PAGE, rules_env, run_cli, run_subprocess  # noqa: F401 (rules_env: autouse)

SLOW_RULE = """
[settings.rules]
pattern_timeout_seconds = 0.2

[category.slow]
label = "promo"
description = "A pattern with nested repeats: catastrophic backtracking."
weight = -5.0
patterns = ['(a+)+$']
examples.match = ["aaa"]
examples.no_match = ["The minister said so."]
"""



@pytest.fixture(scope="module")
def english():
    return cleaner.Cleaner(language="en")


def page(tmp_path: Path, name: str = "page.txt", text: str = ENGLISH_PAGE, newline: str = "\n", bom: bool = False) -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    data = text.replace("\n", newline).encode("utf-8")
    path.write_bytes((codecs.BOM_UTF8 if bom else b"") + data)
    return path


def expected_text(english, text: str = ENGLISH_PAGE) -> str:
    return english.clean(text).text + "\n"


# ---------------------------------------------------------------- python -m and the basics
def test_python_m_cleaner_is_the_cleaner_command():
    done = run_subprocess(["--version"])
    assert done.returncode == 0 and done.stdout.decode().startswith("cleaner ")


def test_clean_reads_stdin_by_default_and_writes_the_clean_text(english):
    run = run_cli(["clean", "--lang", "en"], stdin=ENGLISH_PAGE.encode())
    assert run.code == 0
    assert run.text == expected_text(english)
    assert "Parliament passes the new housing law" in run.text and "Share this article" not in run.text


def test_the_clean_text_ends_with_a_single_newline(tmp_path, english):
    out = tmp_path / "out.txt"
    assert run_cli(["clean", "--lang", "en", page(tmp_path), "-o", out]).code == 0
    data = out.read_text(encoding="utf-8")
    assert data.endswith(".\n") and not data.endswith("\n\n")


def test_crlf_line_endings_are_kept_in_the_output(tmp_path, english):
    out = tmp_path / "out.txt"
    run_cli(["clean", "--lang", "en", page(tmp_path, newline="\r\n"), "-o", out])
    data = out.read_bytes()
    assert data == expected_text(english).replace("\n", "\r\n").encode()
    assert b"\n" not in data.replace(b"\r\n", b"")


def test_a_byte_order_mark_is_kept_in_the_output(tmp_path, english):
    out = tmp_path / "out.txt"
    run_cli(["clean", "--lang", "en", page(tmp_path, bom=True), "-o", out])
    assert out.read_bytes() == codecs.BOM_UTF8 + expected_text(english).encode()


@pytest.mark.parametrize("content", [b"", b"   \n\t\n  \n"])
def test_an_empty_or_whitespace_only_input_gives_an_empty_output(tmp_path, content):
    source = tmp_path / "empty.txt"
    source.write_bytes(content)
    run = run_cli(["clean", "--lang", "en", source])
    assert (run.code, run.out) == (0, b"")


def test_format_labels_prints_the_labels_tsv(english):
    run = run_cli(["clean", "--lang", "en", "--format", "labels"], stdin=ENGLISH_PAGE.encode())
    rows = run.text.splitlines()
    assert rows[0] == "line\tlabel\tscore\treasons\ttext"
    assert len(rows) == 1 + len(ENGLISH_PAGE.splitlines())
    assert rows[5].split("\t")[:2] == ["5", english.clean(ENGLISH_PAGE).lines[4].label.value]


def test_format_jsonl_prints_one_object_per_line():
    run = run_cli(["clean", "--lang", "en", "--format", "jsonl"], stdin=ENGLISH_PAGE.encode())
    objects = [json.loads(line) for line in run.text.splitlines()]
    assert [o["line"] for o in objects] == list(range(1, len(ENGLISH_PAGE.splitlines()) + 1))
    assert set(objects[0]) == {"line", "label", "score", "reasons", "text"}


def test_labels_of_many_inputs_on_stdout_name_their_input(tmp_path):
    a, b = page(tmp_path, "a.txt"), page(tmp_path, "b.txt")
    run = run_cli(["clean", "--lang", "en", "--format", "labels", a, b])
    rows = run.text.splitlines()
    assert rows[0] == "path\tline\tlabel\tscore\treasons\ttext"
    assert {row.split("\t")[0] for row in rows[1:]} == {str(a), str(b)}


# ---------------------------------------------------------------- files and folders
def test_a_folder_is_walked_and_output_mirrors_its_relative_paths(tmp_path, english):
    page(tmp_path / "in", "a.txt")
    page(tmp_path / "in", "sub/b.txt")
    (tmp_path / "in" / "notes.md").write_text("not cleaned")
    run = run_cli(["clean", "--lang", "en", tmp_path / "in", "-o", tmp_path / "out"])
    assert run.code == 0, run.err
    written = sorted(p.relative_to(tmp_path / "out").as_posix() for p in (tmp_path / "out").rglob("*") if p.is_file())
    assert written == ["a.txt", "sub/b.txt"]
    assert (tmp_path / "out" / "sub" / "b.txt").read_text() == expected_text(english)


@pytest.mark.parametrize("suffix", [".tsv", ".jsonl"])
def test_the_labels_file_format_follows_its_extension(tmp_path, suffix):
    labels = tmp_path / f"labels{suffix}"
    run = run_cli(["clean", "--lang", "en", page(tmp_path), "--labels", labels, "-o", tmp_path / "out.txt"])
    assert run.code == 0
    first = labels.read_text().splitlines()[0]
    if suffix == ".tsv":
        assert first == "line\tlabel\tscore\treasons\ttext"
    else:
        assert json.loads(first)["line"] == 1


def test_labels_of_many_inputs_go_into_a_folder(tmp_path):
    page(tmp_path / "in", "a.txt")
    page(tmp_path / "in", "sub/b.txt")
    run = run_cli(["clean", "--lang", "en", tmp_path / "in", "--labels", tmp_path / "labels", "-o", tmp_path / "out"])
    assert run.code == 0
    assert (tmp_path / "labels" / "a.labels.tsv").is_file()
    assert (tmp_path / "labels" / "sub" / "b.labels.tsv").is_file()


def test_an_unreadable_input_is_named_and_the_others_are_still_cleaned(tmp_path, english):
    good = page(tmp_path, "good.txt")
    run = run_cli(["clean", "--lang", "en", tmp_path / "missing.txt", good, "-o", tmp_path / "out"])
    assert run.code == 2
    assert f"{tmp_path / 'missing.txt'}: no such file or folder" in run.err
    assert (tmp_path / "out" / "good.txt").read_text() == expected_text(english)


def test_a_binary_input_is_refused_in_one_line_naming_it(tmp_path):
    binary = tmp_path / "image.txt"
    binary.write_bytes(b"GIF89a\x00\x01\x02")
    run = run_cli(["clean", "--lang", "en", binary])
    assert run.code == 2 and run.out == b""
    assert run.err.strip() == f"cleaner: {binary}: binary file (a GIF image); not cleaned"


def test_invalid_utf8_is_refused_with_the_byte_offset_under_errors_strict(tmp_path):
    source = tmp_path / "latin.txt"
    source.write_bytes("Le café est très bon.\n".encode("cp1252"))
    run = run_cli(["clean", "--lang", "en", "--errors", "strict", source])
    assert run.code == 2
    assert "not valid utf-8 at byte 6 (0xe9)" in run.err


def test_invalid_utf8_is_decoded_by_detection_and_said_on_stderr(tmp_path):
    source = tmp_path / "latin.txt"
    source.write_bytes(("Die Regierung hat am Montag beschlossen, dass die Förderung für Elektroautos über das "
                        "Jahr hinaus verlängert wird. Künftig sollen auch gebrauchte Fahrzeuge gefördert werden.\n")
                       .encode("cp1252"))
    run = run_cli(["clean", "--lang", "de", "--format", "labels", source])
    assert run.code == 0
    assert "Förderung für Elektroautos über" in run.text
    assert f"{source}: decoded as cp1252 (not valid utf-8 at byte" in run.err


def test_the_same_file_named_twice_is_cleaned_once_with_a_warning(tmp_path, english):
    source = page(tmp_path)
    run = run_cli(["clean", "--lang", "en", source, source])
    assert run.code == 0
    assert run.text == expected_text(english)
    assert "the same file as" in run.err


def test_two_inputs_for_one_output_file_is_refused_for_the_second(tmp_path):
    page(tmp_path / "in", "a.txt")
    page(tmp_path / "in", "a.html", "<p>x</p>")
    run = run_cli(["clean", "--lang", "en", "--input-format", "text", tmp_path / "in", "-o", tmp_path / "out"])
    assert run.code == 2
    assert f"{tmp_path / 'in' / 'a.txt'}: -o {tmp_path / 'out' / 'a.txt'} is already the output of" in run.err
    assert (tmp_path / "out" / "a.txt").is_file()


def test_a_read_only_output_file_is_not_overwritten(tmp_path):
    out = tmp_path / "out.txt"
    out.write_text("keep me")
    out.chmod(0o444)
    run = run_cli(["clean", "--lang", "en", page(tmp_path), "-o", out])
    assert run.code == 2 and "is read-only; not overwritten" in run.err
    assert out.read_text() == "keep me"


# ---------------------------------------------------------------- in place
def test_in_place_rewrites_each_file_with_its_clean_text(tmp_path, english):
    source = page(tmp_path)
    run = run_cli(["clean", "--lang", "en", "-i", source])
    assert (run.code, run.out) == (0, b"")
    assert source.read_text() == expected_text(english)


def test_in_place_with_backup_keeps_the_original(tmp_path, english):
    source = page(tmp_path)
    run_cli(["clean", "--lang", "en", "-i", "--backup", ".orig", source])
    assert (tmp_path / "page.txt.orig").read_text() == ENGLISH_PAGE
    assert source.read_text() == expected_text(english)


def test_in_place_keeps_the_file_mode(tmp_path):
    source = page(tmp_path)
    source.chmod(0o604)
    run_cli(["clean", "--lang", "en", "-i", source])
    assert stat.S_IMODE(source.stat().st_mode) == 0o604


def test_in_place_through_a_symlink_rewrites_the_target_and_says_so(tmp_path, english):
    target = page(tmp_path, "real.txt")
    link = tmp_path / "link.txt"
    link.symlink_to(target)
    run = run_cli(["clean", "--lang", "en", "-i", link])
    assert run.code == 0
    assert link.is_symlink() and target.read_text() == expected_text(english)
    assert f"{link}: a symbolic link; rewriting its target {target}" in run.err


def test_in_place_leaves_a_read_only_file_alone_and_says_so(tmp_path):
    source = page(tmp_path)
    source.chmod(0o444)
    run = run_cli(["clean", "--lang", "en", "-i", source])
    assert run.code == 2 and "read-only file; left unchanged" in run.err
    assert source.read_text() == ENGLISH_PAGE


def test_in_place_leaves_files_in_a_read_only_folder_alone(tmp_path):
    folder = tmp_path / "ro"
    source = page(folder)
    folder.chmod(0o555)
    try:
        run = run_cli(["clean", "--lang", "en", "-i", source])
    finally:
        folder.chmod(0o755)
    assert run.code == 2 and "read-only folder" in run.err
    assert source.read_text() == ENGLISH_PAGE


def test_in_place_does_not_touch_a_file_that_would_not_change(tmp_path, english):
    source = page(tmp_path, text=expected_text(english))
    os.utime(source, (1_000_000, 1_000_000))
    run_cli(["clean", "--lang", "en", "-i", source])
    assert source.stat().st_mtime == 1_000_000 or source.read_text() != expected_text(english)


def test_in_place_refuses_standard_input():
    run = run_cli(["clean", "-i"])
    assert run.code == 2 and "cannot rewrite standard input" in run.err


def test_backup_without_in_place_is_a_usage_error(tmp_path):
    run = run_cli(["clean", "--backup", ".orig", page(tmp_path)])
    assert run.code == 2 and "add -i" in run.err


# ---------------------------------------------------------------- check and diff
def test_check_exits_1_and_writes_nothing_when_files_would_change(tmp_path):
    source = page(tmp_path)
    run = run_cli(["clean", "--lang", "en", "--check", source])
    assert (run.code, run.out) == (1, b"")
    assert f"would change {source}" in run.err
    assert source.read_text() == ENGLISH_PAGE


def test_check_exits_0_when_nothing_would_change(tmp_path):
    source = page(tmp_path)
    assert run_cli(["clean", "--lang", "en", "-i", source]).code == 0
    assert run_cli(["clean", "--lang", "en", "--check", "--stable", source]).code == 0


def test_a_second_in_place_run_over_the_seeds_changes_nothing(tmp_path):
    seeds = Path(__file__).resolve().parent.parent / "seeds"
    copies = [tmp_path / p.name for p in sorted(seeds.glob("*.txt"))]
    for source, copy in zip(sorted(seeds.glob("*.txt")), copies):
        copy.write_bytes(source.read_bytes())
    assert run_cli(["clean", "-i", *copies]).code == 0
    once = [c.read_bytes() for c in copies]
    assert once != [s.read_bytes() for s in sorted(seeds.glob("*.txt"))]
    assert run_cli(["clean", "-i", *copies]).code == 0
    assert [c.read_bytes() for c in copies] == once


def test_diff_prints_a_unified_diff_and_writes_nothing(tmp_path):
    source = page(tmp_path)
    run = run_cli(["clean", "--lang", "en", "--diff", "-i", source])
    assert run.code == 0
    name = str(source).lstrip("/")
    assert run.text.startswith(f"--- a/{name}\n+++ b/{name}\n@@")
    assert "\n-Share this article\n" in run.text
    assert source.read_text() == ENGLISH_PAGE


def test_check_with_an_output_is_a_usage_error(tmp_path):
    run = run_cli(["clean", "--check", page(tmp_path), "-o", tmp_path / "out.txt"])
    assert run.code == 2 and "write nothing" in run.err


# ---------------------------------------------------------------- options
def test_keep_chooses_the_labels_that_make_the_clean_text(english):
    run = run_cli(["clean", "--lang", "en", "--keep", "legal"], stdin=ENGLISH_PAGE.encode())
    assert run.text == "© 2024 Example News. All rights reserved.\n"


def test_an_unknown_keep_label_is_a_usage_error():
    run = run_cli(["clean", "--keep", "bodyy"])
    assert run.code == 2 and "unknown label 'bodyy'" in run.err


def test_a_language_that_is_not_a_code_is_a_usage_error():
    run = run_cli(["clean", "--lang", "english"])
    assert run.code == 2 and "not an ISO 639-1 code" in run.err


def test_a_language_without_a_rule_file_gets_the_base_rules(tmp_path):
    run = run_cli(["clean", "--lang", "sw", page(tmp_path)])
    assert run.code == 0 and run.out


def test_an_unknown_option_is_a_usage_error():
    assert run_cli(["clean", "--frobnicate"]).code == 2


def test_a_user_rule_file_applies(tmp_path):
    rules = tmp_path / "site.toml"
    rules.write_text('[extend."en.comments"]\nphrases = ["the minister said that the first new homes"]\n')
    keep = run_cli(["clean", "--lang", "en", "--rules", rules, "--keep", "comments"], stdin=ENGLISH_PAGE.encode())
    assert keep.code == 0, keep.err
    assert "Leave a comment" in keep.text


def test_a_malformed_rule_file_is_a_usage_error_naming_file_line_and_key(tmp_path):
    rules = tmp_path / "bad.toml"
    rules.write_text('[category.x]\nlabel = "promo"\nweight = \n')
    run = run_cli(["clean", "--rules", rules])
    assert run.code == 2
    assert f"{rules}:3: category.x.weight: malformed TOML" in run.err


def test_a_catastrophic_user_pattern_fails_that_input_naming_the_rule(tmp_path, english, monkeypatch):
    # Regex alone: the prefilter, which cannot backtrack, rules out the line before regex runs.
    monkeypatch.setenv("CLEANER_NO_HYPERSCAN", "1")
    rules = tmp_path / "slow.toml"
    rules.write_text(SLOW_RULE)
    bad = page(tmp_path, "bad.txt", "a" * 990 + "!\n" + ENGLISH_PAGE)
    good = page(tmp_path, "good.txt")
    run = run_cli(["clean", "--lang", "en", "--rules", rules, bad, good, "-o", tmp_path / "out"])
    assert run.code == 2
    assert f"{bad}: rule slow.slow" in run.err and "(a+)+$" in run.err
    assert (tmp_path / "out" / "good.txt").is_file() and not (tmp_path / "out" / "bad.txt").exists()


def test_jobs_are_accepted_and_output_keeps_input_order(tmp_path):
    names = [f"p{i}.txt" for i in range(4)]
    for i, name in enumerate(names):
        page(tmp_path, name, ENGLISH_PAGE.replace("housing law", f"housing law number {i}"))
    run = run_cli(["clean", "--lang", "en", "--jobs", "2", "--format", "jsonl", *[tmp_path / n for n in names]])
    assert run.code == 0, run.err
    paths = [json.loads(line)["path"] for line in run.text.splitlines()]
    assert list(dict.fromkeys(paths)) == [str(tmp_path / n) for n in names]


def test_negative_jobs_is_a_usage_error():
    assert run_cli(["clean", "--jobs", "-1"]).code == 2


def test_quiet_silences_warnings(tmp_path):
    source = page(tmp_path)
    run = run_cli(["clean", "--lang", "en", "--quiet", source, source])
    assert run.code == 0 and run.err == ""


def test_html_input_uses_clean_html_when_there_is_one(tmp_path):
    source = tmp_path / "page.html"
    source.write_text("<html><body><nav>Home</nav><h1>Parliament passes the housing law</h1>"
                      "<p>The parliament passed the housing law on Tuesday after a debate that lasted for "
                      "more than three weeks, and the minister said the homes would come soon.</p></body></html>")
    run = run_cli(["clean", "--lang", "en", "--format", "labels", source])
    if hasattr(cleaner.Cleaner, "clean_html"):
        assert run.code == 0, run.err
        texts = [row.split("\t")[-1] for row in run.text.splitlines()[1:]]
        assert "Parliament passes the housing law" in texts and not any("<" in t for t in texts)
    else:
        assert run.code == 2 and "clean_html" in run.err


def test_html_is_not_rewritten_in_place(tmp_path):
    source = tmp_path / "page.html"
    source.write_text("<html><body><p>The parliament passed the housing law on Tuesday.</p></body></html>")
    before = source.read_text()
    run = run_cli(["clean", "--lang", "en", "-i", source])
    assert run.code == 2 and source.read_text() == before


def test_input_format_jsonl_runs_record_mode(tmp_path):
    records = tmp_path / "pages.jsonl"
    records.write_text(json.dumps({"id": 1, "body": ENGLISH_PAGE}) + "\n")
    run = run_cli(["clean", "--lang", "en", "--input-format", "jsonl", "--text-field", "body", "-q", records])
    try:
        import cleaner.records  # noqa: F401
    except ImportError:
        assert run.code == 2 and "not available" in run.err
        return
    assert run.code == 0, run.err
    record = json.loads(run.text)
    assert record["id"] == 1 and "housing law" in record["clean_text"]


def test_text_field_without_jsonl_is_a_usage_error():
    run = run_cli(["clean", "--text-field", "body"])
    assert run.code == 2 and "--input-format jsonl" in run.err


# ---------------------------------------------------------------- progress
def test_no_progress_on_stderr_when_it_is_not_a_terminal(tmp_path, rules_env):
    sources = [page(tmp_path, f"p{i}.txt") for i in range(3)]
    done = run_subprocess(["clean", "--lang", "en", *sources, "-o", tmp_path / "out"],
                          env={"CLEANER_RULES_DIR": str(rules_env)})
    assert done.returncode == 0 and done.stderr == b""


def test_progress_goes_to_stderr_when_it_is_a_terminal(tmp_path, rules_env):
    sources = [page(tmp_path, f"p{i}.txt") for i in range(3)]
    parent, child = pty.openpty()
    try:
        proc = subprocess.Popen([sys.executable, "-m", "cleaner", "clean", "--lang", "en", *map(str, sources),
                                 "-o", str(tmp_path / "out")], stdout=subprocess.DEVNULL, stderr=child,
                                env={**os.environ, "CLEANER_RULES_DIR": str(rules_env)})
        os.close(child)
        chunks = []
        while True:
            try:
                chunk = os.read(parent, 4096)
            except OSError:
                break
            if not chunk:
                break
            chunks.append(chunk)
        assert proc.wait(timeout=60) == 0
    finally:
        os.close(parent)
    assert b"cleaner: 3/3" in b"".join(chunks)


# ---------------------------------------------------------------- explain
def test_explain_prints_an_aligned_table_of_every_line(tmp_path, english, monkeypatch):
    monkeypatch.setenv("COLUMNS", "100")
    run = run_cli(["explain", "--lang", "en", page(tmp_path)])
    assert run.code == 0
    rows = run.text.splitlines()
    assert rows[0].split() == ["line", "label", "score", "reasons", "text"]
    table = rows[1:-1]
    assert len(table) == len(ENGLISH_PAGE.splitlines())
    assert all(len(row) <= 100 for row in rows)
    label_column = rows[0].index("label")
    assert {row[label_column - 2:label_column] for row in table} == {"  "}
    first = english.clean(ENGLISH_PAGE).lines[0]
    assert table[0].split()[:2] == ["1", first.label.value]
    assert rows[-1].startswith(f"{tmp_path / 'page.txt'}: language en")


def test_explain_fits_wide_characters_to_the_terminal_width(tmp_path, monkeypatch):
    from cleaner.show import display_width
    monkeypatch.setenv("COLUMNS", "80")
    source = page(tmp_path, text="北京市政府周二宣布，将在未来三年内投资建设更多的公共住房，以满足城市居民日益增长的需求。" * 3 + "\n")
    run = run_cli(["explain", "--lang", "en", source])
    assert run.code == 0
    assert all(display_width(row) <= 80 for row in run.text.splitlines())
    assert "…" in run.text.splitlines()[1]


def test_explain_of_a_missing_file_exits_2():
    run = run_cli(["explain", "/nonexistent/page.txt"])
    assert run.code == 2 and "no such file" in run.err


# ---------------------------------------------------------------- rules
def test_rules_list_shows_every_rule_id_and_the_language_matrix():
    run = run_cli(["rules", "list"])
    assert run.code == 0, run.err
    text = run.text
    assert text.splitlines()[0].split()[:4] == ["id", "label", "weight", "match"]
    assert "\nen.comments " in text and "\nde.comments " in text and "\nbase.copyright " in text
    matrix = text[text.index("\ncategory "):].splitlines()[1:]
    assert matrix[0].split()[0:1] == ["de"] or matrix[0].split() == ["category", "de", "en"]
    assert any(row.split() == ["comments", "x", "x"] for row in matrix)


def test_rules_show_prints_the_merged_categories_of_a_language():
    run = run_cli(["rules", "show", "en"])
    assert run.code == 0
    assert "[en.comments]  label=comments" in run.text and "[base.copyright]" in run.text


def test_rules_show_of_an_unknown_language_is_a_usage_error():
    run = run_cli(["rules", "show", "xx"])
    assert run.code == 2 and "no rules for 'xx'" in run.err


def test_rules_check_accepts_a_good_file_and_runs_its_examples(tmp_path):
    rules = tmp_path / "site.toml"
    rules.write_text("""disable = ["en.prev_next"]

[extend."en.comments"]
phrases = ["leave your thoughts"]

[category.paywall]
label = "promo"
description = "This site's paywall banner."
weight = -5.0
match = "contains"
phrases = ["subscribe to keep reading"]
examples.match = ["Subscribe to keep reading"]
examples.no_match = ["Readers subscribe to newsletters."]
""")
    run = run_cli(["rules", "check", rules])
    assert run.code == 0, run.err
    assert run.text.startswith(f"{rules}: ok: 1 categories, 1 extended")
    assert "against base + en rules" in run.text


def test_rules_check_reports_a_failing_example_and_exits_2(tmp_path):
    rules = tmp_path / "site.toml"
    rules.write_text("""[category.paywall]
label = "promo"
description = "d"
weight = -5.0
match = "line"
phrases = ["subscribe"]
examples.match = ["Subscribe to keep reading"]
examples.no_match = ["x"]
""")
    run = run_cli(["rules", "check", rules])
    assert run.code == 2
    assert f"{rules}:7: category.paywall: example 'Subscribe to keep reading' should match but does not" in run.err


def test_rules_check_names_file_line_and_key_of_malformed_toml(tmp_path):
    rules = tmp_path / "bad.toml"
    rules.write_text('[category.paywall]\nlabel = "promo"\nphrases = ["a", "b"\n')
    run = run_cli(["rules", "check", rules])
    assert run.code == 2
    assert f"cleaner: {rules}:3: category.paywall.phrases: malformed TOML" in run.err


def test_rules_check_reports_an_unknown_key_with_its_line(tmp_path):
    rules = tmp_path / "bad.toml"
    rules.write_text('[category.paywall]\nlabel = "promo"\ndescription = "d"\nweight = -1.0\nphrase = ["a"]\n')
    run = run_cli(["rules", "check", rules])
    assert run.code == 2 and f"{rules}:5: category.paywall.phrase: unknown key" in run.err


def test_rules_check_reports_a_catastrophically_slow_pattern(tmp_path):
    rules = tmp_path / "slow.toml"
    rules.write_text(SLOW_RULE)
    run = run_cli(["rules", "check", rules])
    assert run.code == 2
    assert "pattern '(a+)+$' of slow.slow takes over" in run.err


def test_in_place_removes_a_killed_runs_temporary_file_even_when_nothing_changes(tmp_path, english):
    source = page(tmp_path, text=expected_text(english))
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    stale = tmp_path / f".page.txt.cleaner-tmp-{int(dead.stdout)}-0badf00d"
    stale.write_text("half")
    run_cli(["clean", "--lang", "en", "-i", source])
    assert not stale.exists()


def test_rules_check_takes_a_language_file_being_written(tmp_path):
    draft = tmp_path / "fi.toml"
    text = (Path(__file__).parent.parent / "rules" / "fi.toml").read_text(encoding="utf-8")
    draft.write_text(text, encoding="utf-8")
    run = run_cli(["rules", "check", draft])
    assert run.code == 0 and f"ok: {text.count('[category.')} categories".encode() in run.out
    first = text.index("examples.match = [") + len("examples.match = [")
    draft.write_text(text[:first] + '"Ei mitään tekemistä tämän kanssa", ' + text[first:], encoding="utf-8")
    run = run_cli(["rules", "check", draft])
    assert run.code == 2 and "Ei mitään tekemistä tämän kanssa" in run.err
