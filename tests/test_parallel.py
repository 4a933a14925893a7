"""The ordered process map: input order, lazy reading, one Cleaner per worker, pickling."""
from __future__ import annotations

import json
import os
import pickle

import pytest

from cleaner import Cleaner, CleanerError
from cleaner.config import Config
from cleaner.parallel import clean_texts, imap_ordered, resolve_jobs
from cleaner.pipeline import shared_cleaner
from cleaner.records import run_jsonl
from pages import sample_pages, write_jsonl

EN = Config(language="en")


def _square(cleaner, n):
    return n * n


def _whoami(cleaner, n):
    return os.getpid(), id(cleaner)


def test_results_come_back_in_input_order_with_two_jobs():
    assert list(imap_ordered(_square, range(50), EN, jobs=2, chunk_size=3)) == [n * n for n in range(50)]


def test_one_job_runs_in_this_process_with_the_shared_cleaner():
    assert set(imap_ordered(_whoami, range(3), EN, jobs=1)) == {(os.getpid(), id(shared_cleaner(EN)))}


def test_each_worker_builds_its_cleaner_once():
    seen = list(imap_ordered(_whoami, range(40), EN, jobs=2, chunk_size=2))
    cleaners_per_worker = {}
    for pid, cleaner_id in seen:
        cleaners_per_worker.setdefault(pid, set()).add(cleaner_id)
    assert all(len(ids) == 1 for ids in cleaners_per_worker.values())


def test_the_input_is_read_lazily_within_a_bounded_window():
    consumed = []

    def numbers():
        for n in range(10_000):
            consumed.append(n)
            yield n

    results = imap_ordered(_square, numbers(), EN, jobs=2, chunk_size=4, window=3)
    assert next(results) == 0
    assert len(consumed) <= 4 * 3 + 4
    results.close()


def test_jobs_zero_means_one_per_core_and_negative_is_refused():
    assert resolve_jobs(0) >= 1 and resolve_jobs(3) == 3
    with pytest.raises(CleanerError, match="--jobs"):
        resolve_jobs(-1)


def test_a_cleaner_unpickles_as_the_shared_cleaner_of_its_config():
    cleaner = Cleaner(language="en")
    assert pickle.loads(pickle.dumps(cleaner)) is shared_cleaner(cleaner.config)


def test_clean_texts_gives_the_same_results_as_clean():
    texts = [text for _, text in sample_pages()[:4]]
    cleaner = Cleaner(language="en")
    assert [r.text for r in clean_texts(texts, EN, jobs=2)] == [cleaner.clean(t).text for t in texts]


def test_two_jobs_write_the_same_jsonl_as_one(tmp_path):
    src = write_jsonl(tmp_path / "in.jsonl", sample_pages(), ["not json"])
    run_jsonl([str(src)], str(tmp_path / "one.jsonl"), EN, jobs=1, summary=False)
    run_jsonl([str(src)], str(tmp_path / "two.jsonl"), EN, jobs=2, summary=False)
    assert (tmp_path / "one.jsonl").read_bytes() == (tmp_path / "two.jsonl").read_bytes()
    assert json.loads((tmp_path / "two.jsonl").read_text().splitlines()[-1])["error"].endswith("not JSON: "
                                                                                           "Expecting value at column 1")
