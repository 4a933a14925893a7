"""The speed benchmark: cleaner's text and HTML modes beside trafilatura and jusText, on the devset.

Measures, in one run on this machine: documents/s and MB/s of every extractor on the same
pages (CPU time of this process, best of --repeat, after a warm-up pass that loads rules,
language profiles and imports), as ratios to trafilatura; the time of a JSONL stream at 1x,
4x and 16x the devset (it must grow linearly); the wall-clock speed-up of `--jobs 2`; and
the peak memory of that stream at its smallest and largest size (it must not grow).

    python benchmarks/speed.py                   # run and print the tables
    python benchmarks/speed.py --write-readme    # also write them into benchmarks/README.md
    python benchmarks/speed.py --quick           # 60 pages, 1 repeat, scales 1,4: a smoke run
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

HERE = Path(__file__).resolve().parent
SHARED = HERE.parent.parent / "shared"
MARKERS = ("<!-- speed:start -->", "<!-- speed:end -->")
# jusText's stop lists by the devset's language codes; pages without one get an empty list
# (jusText then finds little content, but it still does all the work we time).
JUSTEXT_STOPLISTS = {
    "cs": "Czech", "da": "Danish", "de": "German", "en": "English", "es": "Spanish", "fi": "Finnish",
    "fr": "French", "hu": "Hungarian", "id": "Indonesian", "it": "Italian", "lt": "Lithuanian",
    "nl": "Dutch", "no": "Norwegian_Bokmal", "pl": "Polish", "pt": "Portuguese", "ru": "Russian",
    "sv": "Swedish", "sw": "Swahili", "tr": "Turkish", "uk": "Ukrainian",
}


@dataclass(frozen=True)
class Page:
    """One devset page: its id, language, naive text and raw HTML."""

    id: str
    lang: str
    text: str
    html: bytes


def load_pages(shared: Path, limit: int | None = None) -> list[Page]:
    """Return the devset pages (text and HTML), in a fixed order."""
    pages = []
    for meta in sorted((shared / "devset").glob("*/meta.jsonl")):
        for row in map(json.loads, meta.read_text().splitlines()):
            folder = meta.parent
            pages.append(Page(row["id"], row.get("lang", ""), (folder / f"{row['id']}.txt").read_text(encoding="utf-8"),
                              (folder / f"{row['id']}.html").read_bytes()))
    return pages[:limit] if limit else pages


def cpu_seconds(work: Callable[[], object], repeat: int) -> float:
    """Return the best CPU time of `repeat` runs of work (this process only)."""
    best = float("inf")
    for _ in range(repeat):
        start = time.process_time()
        work()
        best = min(best, time.process_time() - start)
    return best


# ---------------------------------------------------------------- throughput
@dataclass
class Throughput:
    """An extractor's speed on the pages."""

    name: str
    input: str           # "text" or "HTML": what it reads
    docs: int
    megabytes: float
    seconds: float

    @property
    def docs_per_s(self) -> float:
        return self.docs / self.seconds

    @property
    def mb_per_s(self) -> float:
        return self.megabytes / self.seconds


def extractors(pages: Sequence[Page]) -> list[tuple[str, str, Callable[[Page], object]]]:
    """Return (name, input, function of a page) for every extractor installed here."""
    import justext
    import trafilatura

    import cleaner
    from cleaner.ruleset import available_languages

    text_cleaner = cleaner.Cleaner()
    languages = set(available_languages())
    by_language = {code: cleaner.Cleaner(language=code) for code in {p.lang for p in pages} & languages}
    found = [("cleaner, text mode", "text", lambda p: text_cleaner.clean(p.text)),
             ("cleaner, text mode, language given", "text",
              lambda p: by_language.get(p.lang, text_cleaner).clean(p.text))]
    if hasattr(cleaner.Cleaner, "clean_html"):
        found.append(("cleaner, HTML mode", "HTML", lambda p: text_cleaner.clean_html(p.html)))
    stoplists = {code: justext.get_stoplist(name) for code, name in JUSTEXT_STOPLISTS.items()}
    found.append(("trafilatura.extract", "HTML", lambda p: trafilatura.extract(p.html)))
    found.append(("jusText", "HTML", lambda p: justext.justext(p.html, stoplists.get(p.lang, frozenset()))))
    return found


def measure_throughput(pages: Sequence[Page], repeat: int) -> list[Throughput]:
    """Time every extractor on the same pages, after one warm-up pass each."""
    text_mb = sum(len(p.text.encode("utf-8")) for p in pages) / 1e6
    html_mb = sum(len(p.html) for p in pages) / 1e6
    rows = []
    from cleaner import clear_caches

    for name, kind, fn in extractors(pages):
        for page in pages:  # warm-up: rules, language profiles, lazy imports
            fn(page)
        # Every timed pass starts cold: cleaner forgets the lines it remembers from earlier
        # passes (within a pass, lines repeated across pages are remembered, as in real use).
        seconds = cpu_seconds(lambda: (clear_caches(), [fn(page) for page in pages]), repeat)
        rows.append(Throughput(name, kind, len(pages), text_mb if kind == "text" else html_mb, seconds))
        print(f"  {name}: {len(pages) / seconds:,.1f} documents/s", file=sys.stderr)
    return rows


def stage_times(pages: Sequence[Page], repeat: int) -> dict[str, float]:
    """Return CPU seconds per stage of text mode over the pages, each stage fed precomputed inputs."""
    from cleaner import Cleaner
    from cleaner.features import measure_lines
    from cleaner.label import label_lines
    from cleaner.normalize import normalize_text
    from cleaner.rules import match_lines
    from cleaner.score import score_lines
    from cleaner.segment import split_lines
    from cleaner.smooth import smooth_scores

    c = Cleaner()
    state = []
    for page in pages:
        lines = split_lines(normalize_text(page.text).text)
        rules = c.ruleset(c.detect(lines))
        features = measure_lines(lines, rules.stopwords, rules.settings)
        hits = match_lines(rules, lines, features)
        scored = score_lines(features, hits, rules.settings)
        contexts = smooth_scores([logit for logit, _ in scored], features, hits, rules.settings)
        state.append((page.text, lines, rules, features, hits, scored, contexts))
    stages = {  # the pipeline's stages in order; "smooth" is timed once (clean may run it more often)
        "normalize + segment": lambda t, l, r, f, h, s, x: split_lines(normalize_text(t).text),
        "language": lambda t, l, r, f, h, s, x: c.detect(l),
        "features": lambda t, l, r, f, h, s, x: measure_lines(l, r.stopwords, r.settings),
        "rules": lambda t, l, r, f, h, s, x: match_lines(r, l, f),
        "score": lambda t, l, r, f, h, s, x: score_lines(f, h, r.settings),
        "smooth": lambda t, l, r, f, h, s, x: smooth_scores([logit for logit, _ in s], f, h, r.settings),
        "label": lambda t, l, r, f, h, s, x: label_lines(l, f, h, s, x, r.settings, r.stopwords),
        "whole clean()": lambda t, l, r, f, h, s, x: c.clean(t),
    }
    from cleaner import clear_caches

    return {name: cpu_seconds(lambda: (clear_caches(), [fn(*args) for args in state]), repeat)
            for name, fn in stages.items()}


# ---------------------------------------------------------------- JSONL streams
def write_jsonl(pages: Sequence[Page], times: int, path: Path) -> Path:
    """Write the pages' text as JSONL records, the whole set `times` over."""
    with open(path, "w", encoding="utf-8") as out:
        for k in range(times):
            for page in pages:
                out.write(json.dumps({"id": f"{page.id}-{k}", "text": page.text}, ensure_ascii=False) + "\n")
    return path


_CHILD = """
import resource, sys, time
start, cpu = time.perf_counter(), time.process_time()
from cleaner.config import Config
from cleaner.langprob import load_profiles
from cleaner.pipeline import shared_cleaner
from cleaner.records import run_jsonl
from cleaner.ruleset import available_languages
if sys.argv[4] == "warm":  # leave start-up out: every language's rules and profiles loaded first
    cleaner = shared_cleaner(Config())
    for code in available_languages():
        cleaner.ruleset(code)
    load_profiles()
    startup = time.perf_counter() - start
    start, cpu = time.perf_counter(), time.process_time()
else:
    startup = 0.0
summary = run_jsonl([sys.argv[1]], sys.argv[2], jobs=int(sys.argv[3]), summary=False, progress=False)
print(time.perf_counter() - start, time.process_time() - cpu, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
      summary.documents, summary.errors, startup)
"""


@dataclass
class StreamRun:
    """One `run_jsonl` in a fresh process: sizes, times and peak memory."""

    times: int
    jobs: int
    docs: int
    megabytes: float
    wall: float
    cpu: float          # this process only (with jobs > 1 the workers' time is not in it)
    peak_rss_mb: float  # this process only
    startup: float      # seconds to import cleaner and load every language's rules (warm runs only)


def run_stream(path: Path, times: int, jobs: int, workdir: Path, warm: bool) -> StreamRun:
    """Clean a JSONL file with run_jsonl in a child process; return its times and peak RSS.

    warm: load every language's rules first and leave that out of the times (steady state);
    else the times include start-up, as a user's run does.
    """
    out = workdir / f"out-{times}-{jobs}.jsonl"
    proc = subprocess.run([sys.executable, "-c", _CHILD, str(path), str(out), str(jobs), "warm" if warm else "cold"],
                          capture_output=True, text=True, check=True)
    wall, cpu, rss_kb, docs, errors, startup = proc.stdout.split()
    if int(errors):
        raise SystemExit(f"speed.py: {errors} records failed in {path}")
    out.unlink()
    return StreamRun(times, jobs, int(docs), path.stat().st_size / 1e6, float(wall), float(cpu), int(rss_kb) / 1024,
                     float(startup))


def best_stream(path: Path, times: int, jobs: int, workdir: Path, repeat: int, warm: bool) -> StreamRun:
    """Return the fastest (by wall time) of `repeat` stream runs."""
    return min((run_stream(path, times, jobs, workdir, warm) for _ in range(repeat)), key=lambda r: r.wall)


def _spin(n: int) -> int:
    total = 0
    for i in range(n):
        total += i * i
    return total


def parallel_ceiling(n: int = 3_000_000) -> float:
    """Return how much faster two processes do two equal CPU-bound tasks than one process, right now.

    On a machine shared with other work this is well under 2: it is the most `--jobs 2` can gain.
    """
    import multiprocessing

    start = time.perf_counter()
    _spin(n), _spin(n)
    serial = time.perf_counter() - start
    with multiprocessing.get_context("fork").Pool(2) as pool:
        pool.map(_spin, [1, 1])  # the workers are up before the clock starts
        start = time.perf_counter()
        pool.map(_spin, [n, n], chunksize=1)
        parallel = time.perf_counter() - start
    return serial / parallel


# ---------------------------------------------------------------- report
def machine() -> str:
    """Describe this machine: CPU, cores, memory, OS, Python, load."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    try:
        mem_kb = int(next(l for l in Path("/proc/meminfo").read_text().splitlines() if l.startswith("MemTotal")).split()[1])
        memory = f"{mem_kb / 1024 / 1024:.0f} GB RAM"
    except (OSError, StopIteration):
        memory = "RAM unknown"
    load = "/".join(f"{x:.1f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "?"
    return (f"{cpu}, {cores} cores, {memory}; {platform.system()} {platform.release()}, "
            f"Python {platform.python_version()}; load average at the end {load}")


def versions() -> str:
    """Return the versions of the extractors compared."""
    from importlib.metadata import PackageNotFoundError, version
    parts = []
    for name in ("cleaner", "trafilatura", "jusText"):
        try:
            parts.append(f"{name} {version(name)}")
        except PackageNotFoundError:
            parts.append(f"{name} ?")
    return ", ".join(parts)


def checkout_commit() -> str:
    """Return the short commit of this checkout, or "?"."""
    proc = subprocess.run(["git", "-C", str(HERE), "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    return proc.stdout.strip() or "?"


def render(pages: Sequence[Page], rows: list[Throughput], scaling: list[StreamRun], jobs: tuple[StreamRun, StreamRun],
           memory: list[StreamRun], repeat: int, commit: str, ceiling: float, stages: dict[str, float]) -> str:
    """Return the Markdown tables of the results."""
    from cleaner.ruleset import available_languages

    base = next(r for r in rows if r.name == "trafilatura.extract")
    out = [f"Measured {time.strftime('%Y-%m-%d')} at commit {commit} on {machine()}. {versions()}.", "",
           f"**Throughput** on the {len(pages)} devset pages, each extractor on the same pages in the same run "
           f"(CPU seconds of one process, best of {repeat}, after a warm-up pass). \"Language given\" passes "
           f"each page's language (as `--lang` does) where cleaner has rules for it, so no detection runs:", "",
           "| extractor | reads | documents/s | MB/s | × trafilatura (documents/s) |",
           "|---|---|---:|---:|---:|"]
    for r in rows:
        out.append(f"| {r.name} | {r.input} ({r.megabytes:.1f} MB) | {r.docs_per_s:,.1f} | {r.mb_per_s:.2f} | "
                   f"**{r.docs_per_s / base.docs_per_s:.2f}×** |")
    one = scaling[0]
    out += ["", "**Scaling**: `run_jsonl` (the CLI's `--input-format jsonl`) over the devset text repeated k times, "
            "one process, a fresh process per run, timed after start-up (importing cleaner and loading the rules of "
            f"all {len(available_languages())} languages and langdetect's profiles took {one.startup:.1f} s; a run "
            "loads only the languages it meets). Repeated pages partly hit cleaner's per-line caches, as a crawl's "
            "repeated menus and footers do:", "",
            "| input | documents | MB | seconds (CPU) | ms/document | time ÷ time at 1× |", "|---|---:|---:|---:|---:|---:|"]
    for r in scaling:
        out.append(f"| {r.times}× | {r.docs:,} | {r.megabytes:.1f} | {r.cpu:.1f} | {1000 * r.cpu / r.docs:.1f} | "
                   f"{r.cpu / one.cpu:.2f} (k = {r.times}) |")
    serial, parallel = jobs
    out += ["", f"**Processes**: the same stream ({serial.docs:,} documents) with `--jobs 1` and `--jobs 2`, "
            f"wall-clock seconds including start-up (each worker loads the rules of the languages it meets), "
            f"best of {min(2, repeat)}:", "",
            "| jobs | seconds | documents/s | speed-up |", "|---:|---:|---:|---:|",
            f"| 1 | {serial.wall:.1f} | {serial.docs / serial.wall:,.1f} | 1.00× |",
            f"| 2 | {parallel.wall:.1f} | {parallel.docs / parallel.wall:,.1f} | **{serial.wall / parallel.wall:.2f}×** |",
            "", f"The machine's own ceiling at the time: two processes did two equal pure-Python loops "
            f"{ceiling:.2f}× as fast as one (2.00× on an idle two-core machine; other work shares these cores).",
            "", "**Memory**: peak resident memory of the streaming process (`--jobs 1`, every language's rules "
            "loaded) at its smallest and largest input:", "",
            "| input | documents | MB in | peak RSS, MB |", "|---|---:|---:|---:|"]
    for r in memory:
        out.append(f"| {r.times}× | {r.docs:,} | {r.megabytes:.1f} | {r.peak_rss_mb:.0f} |")
    whole = stages["whole clean()"]
    out += ["", f"**Where text mode's time goes** (CPU ms per page, best of {repeat}; the stages need not add up "
            "to the whole, which may run some of them again):", "",
            "| stage | ms/page | share of clean() |", "|---|---:|---:|"]
    for name, seconds in stages.items():
        out.append(f"| {name} | {1000 * seconds / len(pages):.1f} | {seconds / whole:.0%} |")
    return "\n".join(out)


def write_readme(text: str) -> None:
    """Put the tables between the speed markers of benchmarks/README.md (nothing else changes)."""
    readme = HERE / "README.md"
    start, end = MARKERS
    body = readme.read_text() if readme.is_file() else "# Benchmarks\n"
    block = f"{start}\n{text}\n{end}"
    if start in body and end in body:
        body = body[: body.index(start)] + block + body[body.index(end) + len(end):]
    else:
        body = body.rstrip() + "\n\n## Speed\n\n`python benchmarks/speed.py --write-readme` refreshes this section.\n\n" + block + "\n"
    readme.write_text(body)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", type=Path, default=SHARED, help="the folder holding devset/ (default: ../shared)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement; the best counts (default 3)")
    parser.add_argument("--limit", type=int, help="only the first N pages")
    parser.add_argument("--scales", default="1,4,16", help="input sizes for the scaling table (default 1,4,16)")
    parser.add_argument("--jobs-scale", type=int, default=4, help="input size for the --jobs table (default 4)")
    parser.add_argument("--quick", action="store_true", help="60 pages, 1 repeat, scales 1,4: a smoke run")
    parser.add_argument("--write-readme", action="store_true", help="write the tables into benchmarks/README.md")
    parser.add_argument("--commit", help="the cleaner commit measured, for the report (default: this checkout's)")
    args = parser.parse_args(argv)
    if args.quick:
        args.limit, args.repeat, args.scales, args.jobs_scale = args.limit or 60, 1, "1,4", 2
    if not (args.shared / "devset").is_dir():
        print(f"speed.py: no devset at {args.shared / 'devset'} (it is not part of the repository)", file=sys.stderr)
        return 2
    pages = load_pages(args.shared, args.limit)
    print(f"speed.py: {len(pages)} pages; throughput", file=sys.stderr)
    rows = measure_throughput(pages, args.repeat)
    print("speed.py: stages", file=sys.stderr)
    stages = stage_times(pages, args.repeat)
    scales = [int(k) for k in args.scales.split(",")]
    with tempfile.TemporaryDirectory(prefix="cleaner-speed-") as tmp:
        work = Path(tmp)
        files = {k: write_jsonl(pages, k, work / f"in-{k}.jsonl")
                 for k in sorted(set(scales + [args.jobs_scale]))}
        print("speed.py: scaling", file=sys.stderr)
        scaling = [best_stream(files[k], k, 1, work, 1 if k > 4 else min(2, args.repeat), warm=True) for k in scales]
        print("speed.py: jobs", file=sys.stderr)
        ceiling = [parallel_ceiling()]
        jobs = (best_stream(files[args.jobs_scale], args.jobs_scale, 1, work, min(2, args.repeat), warm=False),
                best_stream(files[args.jobs_scale], args.jobs_scale, 2, work, min(2, args.repeat), warm=False))
        ceiling.append(parallel_ceiling())
        memory = [scaling[0], scaling[-1]]  # the scaling runs' peak memory, smallest and largest input
    table = render(pages, rows, scaling, jobs, memory, args.repeat, args.commit or checkout_commit(),
                   sum(ceiling) / len(ceiling), stages)
    print(table)
    if args.write_readme:
        write_readme(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
