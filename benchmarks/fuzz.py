"""Fuzz cleaner for a long while: the text path, the HTML path and the file path.

    python benchmarks/fuzz.py                    # 100,000 inputs: text 60%, html 20%, file 20%
    python benchmarks/fuzz.py --total 20000 --lang en --targets text

The targets and strategies live in tests/fuzz/fuzz_targets.py (the suite runs a few of each).
A failure is shrunk by hypothesis, printed, and the campaign goes on with the next target;
add what it finds to CRASHES there once fixed. Prints inputs run, seconds and failures.
"""
from __future__ import annotations

import argparse
import sys
import time
import traceback
from pathlib import Path

from hypothesis import HealthCheck, given, settings

sys.path[:0] = [str(Path(__file__).resolve().parent.parent / "tests" / "fuzz"), str(Path(__file__).resolve().parent.parent / "tests")]

import cleaner  # noqa: E402
from fuzz_targets import TARGETS  # noqa: E402

SHARES = {"text": 0.6, "html": 0.2, "file": 0.2}


def run_target(name: str, c: cleaner.Cleaner, count: int) -> tuple[int, float, str | None]:
    """Run `count` inputs of one target; return inputs run, seconds and the failure (if any)."""
    strategy, target = TARGETS[name]
    ran = 0

    @settings(max_examples=count, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(strategy)
    def run(item):
        nonlocal ran
        ran += 1
        target(c, item)

    start = time.perf_counter()
    try:
        run()
        failure = None
    except Exception:  # the shrunk failing input and its traceback
        failure = traceback.format_exc()
    return ran, time.perf_counter() - start, failure


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--total", type=int, default=100_000)
    parser.add_argument("--lang", default="auto")
    parser.add_argument("--targets", default=",".join(SHARES), help="comma-separated: text,html,file")
    args = parser.parse_args()
    chosen = {name: SHARES[name] for name in args.targets.split(",")}
    scale = 1.0 / sum(chosen.values())
    c = cleaner.Cleaner(language=args.lang)
    failures = 0
    total_ran = 0
    for name, share in chosen.items():
        ran, seconds, failure = run_target(name, c, int(args.total * share * scale))
        total_ran += ran
        print(f"{name:5} {ran:7,} inputs (with shrinking) in {seconds:7.1f} s: {'FAILED' if failure else 'no failure'}",
              flush=True)
        if failure:
            failures += 1
            print(failure, flush=True)
    print(f"total {total_ran:,} inputs, {failures} failing targets")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
