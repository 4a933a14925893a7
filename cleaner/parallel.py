"""Run cleaner over many inputs in worker processes: results in input order, memory bounded.

In: work items, a Config and a module-level function `work(cleaner, item)`. Out: its
results, in input order. Each process builds its Cleaner once (rules compiled once per
worker) and at most `window` chunks are in flight, so memory does not grow with the input.
Nothing here reads or writes files; that is the caller's work (records.py, cli.py).
"""
from __future__ import annotations

import multiprocessing
import os
from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor
from itertools import islice
from typing import Callable, Iterable, Iterator, TypeVar

from .config import Config
from .langprob import load_profiles
from .model import CleanerError, Result
from .pipeline import Cleaner, shared_cleaner

T = TypeVar("T")
R = TypeVar("R")

CHUNKS_IN_FLIGHT_PER_JOB = 4   # enough queued work that no worker waits on the reader


def resolve_jobs(jobs: int | None) -> int:
    """Return the number of processes to use: `jobs`, or one per core for 0 or None."""
    if jobs is None or jobs == 0:
        return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    if jobs < 0:
        raise CleanerError(f"--jobs must be 0 (one per core) or more, got {jobs}")
    return jobs


def _start_worker(config: Config) -> None:
    shared_cleaner(config)  # compile the base rules before the first chunk arrives


def _run_chunk(work: Callable[[Cleaner, T], R], config: Config, chunk: list[T]) -> list[R]:
    cleaner = shared_cleaner(config)
    return [work(cleaner, item) for item in chunk]


def _chunks(items: Iterable[T], size: int) -> Iterator[list[T]]:
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


def imap_ordered(
    work: Callable[[Cleaner, T], R],
    items: Iterable[T],
    config: Config | None = None,
    jobs: int | None = 1,
    *,
    chunk_size: int = 8,
    window: int | None = None,
    mp_context: str | None = None,
) -> Iterator[R]:
    """Yield `work(cleaner, item)` for every item, in input order, using `jobs` processes.

    `work` must be a module-level function (it is sent to the workers by name) and should
    catch its own per-item errors: an exception it raises stops the run at that item.
    With one job everything runs in this process, with no pickling. `items` is read lazily:
    at most `window` chunks (default 4 per job) of `chunk_size` items are pending at once.
    """
    config = config or Config()
    jobs = resolve_jobs(jobs)
    if jobs == 1:
        cleaner = shared_cleaner(config)
        for item in items:
            yield work(cleaner, item)
        return
    window = window or CHUNKS_IN_FLIGHT_PER_JOB * jobs
    context = multiprocessing.get_context(mp_context)
    if context.get_start_method() == "fork":  # what the workers load before the fork, they share
        shared_cleaner(config)
        if config.language == "auto":
            load_profiles()
    pool = ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=_start_worker, initargs=(config,))
    pending: deque[Future] = deque()
    try:
        for chunk in _chunks(items, chunk_size):
            pending.append(pool.submit(_run_chunk, work, config, chunk))
            if len(pending) >= window:
                yield from pending.popleft().result()
        while pending:
            yield from pending.popleft().result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _clean_text(cleaner: Cleaner, text: str) -> Result:
    return cleaner.clean(text)


def clean_texts(texts: Iterable[str], config: Config | None = None, jobs: int | None = 1,
                chunk_size: int = 8) -> Iterator[Result]:
    """Yield the Result of every text, in input order, cleaned by `jobs` processes."""
    return imap_ordered(_clean_text, texts, config, jobs, chunk_size=chunk_size)
