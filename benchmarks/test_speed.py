"""pytest-benchmark timings of cleaner and its peers on devset pages (the same pages for all).

    pytest benchmarks/test_speed.py                         # timings table
    pytest benchmarks/test_speed.py --benchmark-compare     # against the last saved run

benchmarks/speed.py prints the full comparison (ratios, scaling, processes, memory).
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from speed import JUSTEXT_STOPLISTS, SHARED, load_pages

PAGES = 40  # the first pages of the devset: big enough to average, small enough to repeat


@pytest.fixture(scope="module")
def pages():
    if not (SHARED / "devset").is_dir():
        pytest.skip("no devset at ../shared/devset (it is not part of the repository)")
    return load_pages(SHARED, PAGES)


@pytest.fixture(scope="module")
def warm_cleaner(pages):
    import cleaner

    c = cleaner.Cleaner()
    for page in pages:  # load every language's rules before timing
        c.clean(page.text)
    return c


def test_cleaner_text_mode(benchmark, pages, warm_cleaner):
    benchmark(lambda: [warm_cleaner.clean(p.text) for p in pages])


def test_cleaner_html_mode(benchmark, pages, warm_cleaner):
    if not hasattr(warm_cleaner, "clean_html"):
        pytest.skip("this cleaner has no HTML mode")
    for page in pages:
        warm_cleaner.clean_html(page.html)
    benchmark(lambda: [warm_cleaner.clean_html(p.html) for p in pages])


def test_trafilatura_extract(benchmark, pages):
    trafilatura = pytest.importorskip("trafilatura")
    benchmark(lambda: [trafilatura.extract(p.html) for p in pages])


def test_justext(benchmark, pages):
    justext = pytest.importorskip("justext")
    stoplists = {code: justext.get_stoplist(name) for code, name in JUSTEXT_STOPLISTS.items()}
    benchmark(lambda: [justext.justext(p.html, stoplists.get(p.lang, frozenset())) for p in pages])


def test_jsonl_stream(benchmark, pages, warm_cleaner, tmp_path):
    from cleaner.records import run_jsonl

    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps({"id": p.id, "text": p.text}) + "\n" for p in pages), encoding="utf-8")
    benchmark(lambda: run_jsonl([str(src)], str(tmp_path / "out.jsonl"), summary=False, progress=False))
    assert len(Path(tmp_path / "out.jsonl").read_text().splitlines()) == len(pages)
