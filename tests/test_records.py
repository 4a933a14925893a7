"""JSONL records: added fields, spans over the original text, error entries, streams, batches."""
from __future__ import annotations

import gzip
import io
import json
import sys

import pytest

from cleaner import Cleaner
from cleaner.config import Config
from cleaner.records import (TABLE_COLUMNS, Summary, clean_batch, clean_json_line, clean_records, line_offsets,
                             run_jsonl)

PAGE = ("Government unveils plan to cut energy bills\n"
        "The government has announced a plan that it says will cut the energy bills of millions of "
        "households by up to a fifth over the next two years, ministers said on Tuesday.\n"
        "\n"
        "Share on Facebook\r\n"
        "Copyright © 2024 Example News. All rights reserved.\n")
EN = Config(language="en")


def jsonl_lines(path) -> list[dict]:
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def test_line_offsets_number_lines_as_the_segmenter_does():
    assert line_offsets("\ufeffa\r\nb\rc\n\nd") == [(1, 2), (4, 5), (6, 7), (8, 8), (9, 10)]
    assert line_offsets("a\n") == [(0, 1)] and line_offsets("") == [] and line_offsets("\n") == [(0, 0)]


def test_spans_point_at_each_non_blank_line_of_the_original_text(english_cleaner):
    record = next(english_cleaner.clean_records([{"text": PAGE}]))
    result = english_cleaner.clean(PAGE)
    nonblank = [line for line in result.lines if line.text]
    assert [PAGE[start:end].strip() for start, end, _, _ in record["spans"]] == [line.text for line in nonblank]
    assert [(label, score) for _, _, label, score in record["spans"]] == [(l.label.value, l.score) for l in nonblank]


def test_a_record_keeps_its_fields_and_gains_clean_text_language_and_counts(english_cleaner):
    record = next(english_cleaner.clean_records([{"id": 7, "text": PAGE, "url": "u"}]))
    assert record["id"] == 7 and record["url"] == "u" and record["text"] == PAGE
    assert record["clean_text"] == english_cleaner.clean(PAGE).text and record["language"] == "en"
    assert record["lines"] == 5 and record["chars"] == len(PAGE)
    assert record["kept_chars"] == len(record["clean_text"]) and 0 < record["kept_lines"] < 5


def test_a_record_without_the_text_field_becomes_an_error_entry_in_its_place(english_cleaner):
    out = list(english_cleaner.clean_records([{"text": "a"}, {"id": 2}, {"text": "b"}]))
    assert out[1] == {"id": 2, "error": "record 2: no field 'text' (fields: id)"}
    assert "error" not in out[0] and "error" not in out[2]


def test_a_text_that_is_not_a_string_becomes_an_error_entry(english_cleaner):
    out = list(clean_records([{"text": None}, {"text": 5}, ["x"]], english_cleaner))
    assert out[0]["error"] == "record 1: the text is missing (null)"
    assert out[1]["error"] == "record 2: the text is a number, not a string"
    assert out[2] == {"error": "record 3: not a JSON object but an array", "raw": ["x"]}


def test_a_line_that_is_not_json_becomes_an_error_entry_naming_its_line(english_cleaner):
    outcome = clean_json_line(english_cleaner, ("in.jsonl:3", b'{"text": "a",\n'))
    assert outcome.error == "in.jsonl:3: not JSON: Expecting property name enclosed in double quotes at column 14"
    assert json.loads(outcome.data) == {"raw": '{"text": "a",', "error": outcome.error}


def test_a_line_that_is_not_utf8_becomes_an_error_entry(english_cleaner):
    outcome = clean_json_line(english_cleaner, ("in.jsonl:9", b'{"text": "caf\xe9"}\n'))
    assert outcome.error == "in.jsonl:9: not UTF-8 (byte 13 is 0xe9)"
    assert json.loads(outcome.data)["raw"] == '{"text": "caf\ufffd"}'


def test_run_jsonl_keeps_input_order_and_counts_bad_records(tmp_path, capsys):
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join([json.dumps({"n": 1, "text": PAGE}), "oops", "", json.dumps({"n": 3, "text": "x"})]) + "\n")
    summary = run_jsonl([str(src)], str(tmp_path / "out.jsonl"), EN)
    rows = jsonl_lines(tmp_path / "out.jsonl")
    assert [r.get("n") for r in rows] == [1, None, 3]
    assert rows[1]["error"].startswith(f"{src}:2: not JSON")
    assert (summary.documents, summary.errors) == (3, 1)
    err = capsys.readouterr().err
    assert f"{src}:2: not JSON" in err and "3 documents" in err and "1 errors" in err


def test_compression_follows_the_file_extension(tmp_path):
    pytest.importorskip("zstandard")
    src = tmp_path / "in.jsonl.gz"
    with gzip.open(src, "wt", encoding="utf-8") as f:
        f.write(json.dumps({"text": PAGE}) + "\n")
    run_jsonl([str(src)], str(tmp_path / "mid.jsonl.zst"), EN, summary=False)
    run_jsonl([str(tmp_path / "mid.jsonl.zst")], str(tmp_path / "out.jsonl.gz"), EN, summary=False)
    (row,) = jsonl_lines(tmp_path / "out.jsonl.gz")
    assert row["clean_text"] == Cleaner(language="en").clean(PAGE).text


def test_dash_reads_stdin_and_writes_stdout(monkeypatch, capsys):
    stdin = io.TextIOWrapper(io.BufferedReader(io.BytesIO((json.dumps({"text": PAGE}) + "\n").encode())))
    monkeypatch.setattr(sys, "stdin", stdin)
    run_jsonl(["-"], "-", EN, summary=False)
    assert json.loads(capsys.readouterr().out)["language"] == "en"


def test_an_unreadable_input_is_named_and_the_others_still_cleaned(tmp_path, capsys):
    good = tmp_path / "good.jsonl"
    good.write_text(json.dumps({"text": PAGE}) + "\n")
    summary = run_jsonl([str(tmp_path / "missing.jsonl"), str(good)], str(tmp_path / "out.jsonl"), EN)
    assert summary.unreadable == [f"{tmp_path / 'missing.jsonl'}: No such file or directory"]
    assert len(jsonl_lines(tmp_path / "out.jsonl")) == 1
    assert "missing.jsonl: cannot read" in capsys.readouterr().err


def test_a_folder_output_receives_one_file_per_input(tmp_path):
    (tmp_path / "in").mkdir()
    for name in ("a.jsonl", "b.jsonl", "c.jsonl"):
        (tmp_path / "in" / name).write_text(json.dumps({"text": name}) + "\n" if name != "b.jsonl" else "")
    run_jsonl([str(tmp_path / "in" / n) for n in ("a.jsonl", "b.jsonl", "c.jsonl")], str(tmp_path / "out") + "/",
              EN, summary=False)
    assert jsonl_lines(tmp_path / "out" / "c.jsonl")[0]["text"] == "c.jsonl"
    assert (tmp_path / "out" / "b.jsonl").read_text() == ""


def test_the_summary_line_names_documents_lines_kept_share_errors_and_seconds():
    line = Summary(documents=2, lines=10, kept_lines=4, chars=100, kept_chars=50, errors=1, seconds=2.0).line()
    assert line == ("cleaner: 2 documents, 10 lines, kept 40.0% of lines (50.0% of characters), 1 errors, "
                    "2.0 s, 1 documents/s")


def test_clean_batch_returns_columns_with_spans_as_structs(english_cleaner):
    columns = clean_batch({"text": [PAGE, None], "id": [1, 2]}, cleaner=english_cleaner)
    assert list(columns) == list(TABLE_COLUMNS)
    assert columns["clean_text"][0] == english_cleaner.clean(PAGE).text and columns["error"][0] is None
    assert set(columns["spans"][0][0]) == {"start", "end", "label", "score"}
    assert columns["error"][1] == "row 2: the text is missing (null)" and columns["spans"][1] == []


def test_clean_series_keeps_the_index_and_gives_one_row_per_text(english_cleaner):
    pd = pytest.importorskip("pandas")
    from cleaner.records import clean_frame
    frame = pd.DataFrame({"text": [PAGE, "Short line"]}, index=[10, 20])
    out = clean_frame(frame, english_cleaner)
    assert list(out.index) == [10, 20] and list(out.columns) == ["text", *TABLE_COLUMNS]
    assert out.loc[10, "clean_text"] == english_cleaner.clean(PAGE).text and out["lines"].dtype == "int64"


def test_clean_batch_names_dataset_rows_when_given_indices(english_cleaner):
    columns = clean_batch({"text": ["x", 3]}, [40, 41], cleaner=english_cleaner)
    assert columns["error"] == [None, "row 41: the text is a number, not a string"]


def test_clean_batch_runs_under_datasets_map(english_cleaner):
    datasets = pytest.importorskip("datasets")
    ds = datasets.Dataset.from_dict({"text": [PAGE, "Short line"]})
    out = ds.map(clean_batch, batched=True, with_indices=True, fn_kwargs={"cleaner": english_cleaner})
    assert out[0]["clean_text"] == english_cleaner.clean(PAGE).text and out[0]["spans"][0]["start"] == 0


def test_an_html_record_gains_its_page_text_with_spans_pointing_into_it(english_cleaner):
    if not hasattr(english_cleaner, "clean_html"):
        pytest.skip("this cleaner has no HTML mode")
    html = ("<html><body><h1>Big news today</h1><p>The minister said on Tuesday that the budget would be cut "
            "by ten percent next year.</p><footer>Copyright 2024 Example</footer></body></html>")
    (record,) = english_cleaner.clean_records([{"id": 1, "html": html}], html_field="html")
    assert record["html"] == html and record["text"].startswith("Big news today\n")
    assert [record["text"][start:end] for start, end, _, _ in record["spans"]] == record["text"].split("\n")
    assert record["clean_text"] == english_cleaner.clean_html(html).text


def test_a_folder_output_refuses_two_inputs_of_the_same_name(tmp_path):
    from cleaner import CleanerError
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "x.jsonl").write_text("{}\n")
    with pytest.raises(CleanerError, match="would both be written"):
        run_jsonl([str(tmp_path / "a" / "x.jsonl"), str(tmp_path / "b" / "x.jsonl")], str(tmp_path / "out") + "/", EN)
