"""Big and odd inputs through the CLI: time and peak memory against input size.

    python benchmarks/robustness.py              # a 100 MB line, a million lines, 20 MB of mixed scripts...
    python benchmarks/robustness.py --scale 0.1  # the same at a tenth of the size

Each input is generated into a temporary folder and cleaned by `cleaner clean --lang en` in
a child process that reports its own time and peak RSS. Prints one row per input. The suite
(tests/test_robustness.py) runs the small versions: a 5 MB line and 50,000 lines.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Iterator

MEASURE = """import resource, sys, time
from cleaner.cli import main
start = time.perf_counter()
code = main(sys.argv[1:])
print(f"{code} {time.perf_counter() - start:.2f} {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}", file=sys.stderr)
"""
SENTENCE = "The parliament passed the housing law on Tuesday after a debate that lasted three weeks. "
MIXED = ["Parliament passed the housing law on Tuesday after a long debate in the chamber.",
         "Парламент принял закон о жилье во вторник после долгих дебатов.",
         "议会周二在长时间辩论后通过了住房法。", "صوّت البرلمان على قانون الإسكان يوم الثلاثاء.",
         "הכנסת אישרה את חוק הדיור ביום שלישי.", "संसद ने मंगलवार को आवास कानून पारित किया।",
         "Share", "Related articles", "© 2024 Example News", ""]


def generate(folder: Path, scale: float, only: set[str] | None = None) -> Iterator[Path]:
    """Write the inputs (those named in `only`, if given), one at a time; yield their paths."""
    def write(name: str, chunks) -> Path | None:
        path = folder / name
        if only is not None and name not in only:
            return None
        with open(path, "w", encoding="utf-8") as out:
            for chunk in chunks:
                out.write(chunk)
        return path

    n_line = int(100_000_000 * scale)
    n_lines = int(1_000_000 * scale)
    inputs = [
        ("empty.txt", lambda: []),
        ("whitespace.txt", lambda: (" \t \n" for _ in range(int(250_000 * scale)))),
        ("line-prose.txt", lambda: (SENTENCE * 1000 for _ in range(n_line // (len(SENTENCE) * 1000)))),
        ("line-cjk.txt", lambda: ("议会周二在长时间辩论后通过了住房法。" * 1000 for _ in range(n_line // 54_000))),
        ("lines-short.txt", lambda: (f"Item {i}: hello world.\n" for i in range(n_lines))),
        ("mixed-scripts.txt", lambda: (MIXED[i % len(MIXED)] + "\n" for i in range(int(300_000 * scale)))),
    ]
    for name, chunks in inputs:
        path = write(name, chunks())
        if path is not None:
            yield path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--keep", help="generate into this folder and keep it")
    parser.add_argument("--only", help="comma-separated input names (e.g. lines-short.txt)")
    args = parser.parse_args()
    folder = Path(args.keep or tempfile.mkdtemp(prefix="cleaner-robustness-"))
    folder.mkdir(parents=True, exist_ok=True)
    print(f"{'input':18} {'MB':>8} {'exit':>4} {'seconds':>8} {'MB/s':>6} {'peak MB':>8} {'peak/size':>9}", flush=True)
    only = set(args.only.split(",")) if args.only else None
    for path in generate(folder, args.scale, only):
        size = path.stat().st_size
        done = subprocess.run([sys.executable, "-c", MEASURE, "clean", "--lang", "en", str(path), "-o",
                               str(path.with_suffix(".out"))], capture_output=True, text=True)
        *messages, last = done.stderr.strip().splitlines()
        code, seconds, rss_kb = last.split()
        mb, peak = size / 1e6, int(rss_kb) / 1e3
        rate = mb / float(seconds) if float(seconds) > 0 else 0.0
        ratio = f"{peak / mb:9.1f}" if mb >= 1 else f"{'-':>9}"
        print(f"{path.name:18} {mb:8.1f} {code:>4} {float(seconds):8.1f} {rate:6.2f} {peak:8.0f} {ratio}", flush=True)
        for message in messages[:3]:
            print(f"    {message}", flush=True)
        os.unlink(path.with_suffix(".out")) if path.with_suffix(".out").exists() else None
        if not args.keep:
            path.unlink()
    return 0


if __name__ == "__main__":
    sys.exit(main())
