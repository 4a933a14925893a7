"""The engines: datatrove's LocalPipelineExecutor and a Dask LocalCluster give the same clean text
as the JSONL mode (and the CLI), record for record. Each engine is an optional extra."""
from __future__ import annotations

import gzip
import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

from cleaner import Cleaner
from cleaner.config import Config
from cleaner.records import run_jsonl
from pages import sample_pages, write_jsonl

EN = Config(language="en")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """The sample pages as JSONL, one record per page."""
    return write_jsonl(tmp_path_factory.mktemp("corpus") / "pages.jsonl", sample_pages())


@pytest.fixture(scope="module")
def expected(corpus) -> dict[str, str]:
    """clean_text per id, from the JSONL mode in this process."""
    out = corpus.with_name("expected.jsonl")
    run_jsonl([str(corpus)], str(out), EN, summary=False)
    return {r["id"]: r["clean_text"] for r in map(json.loads, out.read_text(encoding="utf-8").splitlines())}


def read_rows(paths) -> list[dict]:
    rows = []
    for path in sorted(map(str, paths)):
        opener = gzip.open if path.endswith(".gz") else open
        with opener(path, "rt", encoding="utf-8") as f:
            rows += [json.loads(line) for line in f if line.strip()]
    return rows


def test_the_cli_jsonl_mode_gives_the_same_clean_text(corpus, expected, tmp_path):
    if importlib.util.find_spec("cleaner.cli") is None:
        pytest.skip("the CLI (cleaner/cli.py) is not there yet")
    out = tmp_path / "cli.jsonl"
    proc = subprocess.run([sys.executable, "-m", "cleaner", "clean", "--input-format", "jsonl", "--text-field", "text",
                           "--lang", "en", "--jobs", "2", str(corpus), "-o", str(out)], capture_output=True, text=True)
    if proc.returncode == 2 and "jsonl" in proc.stderr and not out.exists():
        pytest.skip(f"this CLI has no JSONL mode yet: {proc.stderr.strip()[:200]}")
    assert proc.returncode == 0, proc.stderr
    assert {r["id"]: r["clean_text"] for r in read_rows([out])} == expected


def test_the_datatrove_step_under_the_local_executor_gives_the_same_clean_text(corpus, expected, tmp_path):
    pytest.importorskip("datatrove")
    pytest.importorskip("orjson")
    from datatrove.executor import LocalPipelineExecutor
    from datatrove.pipeline.readers import JsonlReader
    from datatrove.pipeline.writers import JsonlWriter

    from cleaner.integrations.datatrove import CleanerStep

    lines = corpus.read_text(encoding="utf-8").splitlines(keepends=True)
    (tmp_path / "in").mkdir()
    for k in range(2):  # two shards, two tasks in two worker processes: the step is pickled to them
        (tmp_path / "in" / f"shard-{k}.jsonl").write_text("".join(lines[k::2]), encoding="utf-8")
    executor = LocalPipelineExecutor(
        pipeline=[JsonlReader(str(tmp_path / "in")),
                  CleanerStep(Cleaner(language="en"), drop_empty=False),
                  JsonlWriter(str(tmp_path / "out"), compression=None)],
        tasks=2, workers=2, logging_dir=str(tmp_path / "logs"))
    executor.run()
    rows = read_rows((tmp_path / "out").glob("*.jsonl"))
    assert {r["id"]: r["text"] for r in rows} == expected
    assert all(r["metadata"]["cleaner"]["language"] == "en" for r in rows)


def test_the_datatrove_step_in_annotate_mode_keeps_the_text_and_adds_spans():
    pytest.importorskip("datatrove")
    from datatrove.data import Document

    from cleaner.integrations.datatrove import CleanerStep

    page_id, text = sample_pages()[0]
    (doc,) = CleanerStep(Cleaner(language="en"), annotate=True).run(iter([Document(text=text, id=page_id)]))
    assert doc.text == text
    assert doc.metadata["cleaner"]["clean_text"] == Cleaner(language="en").clean(text).text
    assert doc.metadata["cleaner"]["spans"][0][:2] == [0, len(text.splitlines()[0])]


def test_a_dask_local_cluster_gives_the_same_clean_text(corpus, expected, tmp_path):
    pytest.importorskip("dask")
    distributed = pytest.importorskip("distributed")
    from cleaner.integrations.dask import clean_jsonl

    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            distributed.Client(cluster):
        written = clean_jsonl([str(corpus), str(corpus)], str(tmp_path / "out" / "*.jsonl.gz"), Cleaner(language="en"))
    assert len(written) == 2
    rows = read_rows(written)
    assert len(rows) == 2 * len(expected)
    assert {r["id"]: r["clean_text"] for r in rows} == expected


def test_a_dask_bag_turns_bad_records_into_error_entries_in_place():
    pytest.importorskip("dask")
    import dask.bag as db

    from cleaner.integrations.dask import clean_bag

    bag = db.from_sequence([{"text": "A line"}, {"id": 2}, {"text": "Another"}], npartitions=2)
    rows = clean_bag(bag, Cleaner(language="en")).compute(scheduler="sync")
    assert [("error" in r) for r in rows] == [False, True, False]
    assert rows[1]["error"] == "partition 0, record 2: no field 'text' (fields: id)"


def test_a_dask_dataframe_gains_the_clean_text_columns(expected):
    pytest.importorskip("dask.dataframe")  # needs pyarrow: the 'dask-dataframe' extra
    import dask.dataframe as dd
    import pandas as pd

    from cleaner.integrations.dask import clean_dataframe

    pages = sample_pages()
    frame = dd.from_pandas(pd.DataFrame({"id": [p for p, _ in pages], "text": [t for _, t in pages]}), npartitions=2)
    out = clean_dataframe(frame, Cleaner(language="en")).compute(scheduler="sync")
    assert dict(zip(out["id"], out["clean_text"])) == expected
