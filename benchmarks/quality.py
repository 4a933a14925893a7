"""The quality benchmark: clean every devset page's text and score it with the shared scorer.

Prints mean P/R/F1 and median F1 overall, per dataset and per language next to keep-all,
writes the table into benchmarks/README.md (between markers) and fails when F1 falls below
the floors pinned in benchmarks/floors.json.

    python benchmarks/quality.py                      # run, print, check floors
    python benchmarks/quality.py --write-readme       # also write the table into README.md
    python benchmarks/quality.py --raise-floors       # pin the floors at today's numbers (only upwards)
    python benchmarks/quality.py --lower-floors       # allow floors to go down (say why in the commit)
    python benchmarks/quality.py --html               # also clean every page's HTML (Cleaner.clean_html)
    python benchmarks/quality.py --html --peers       # ... with trafilatura and readability-lxml on the same pages

With --html the text table is printed as always, then one row per dataset with cleaner's F1 on
the text and on the HTML, beside the peers' F1 and every system's pages per CPU second; its
floors live in benchmarks/floors_html.json (moved by --raise-floors/--lower-floors likewise;
written by the first --html run when it does not exist).
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
SHARED = HERE.parent.parent / "shared"
FLOORS = HERE / "floors.json"
FLOORS_HTML = HERE / "floors_html.json"
FLOOR_SLACK = 0.002  # floors are pinned this far below the measured value (float noise only)


def load_scorer(shared: Path):
    """Import the shared scorer (../shared/eval/score.py) as a module."""
    spec = importlib.util.spec_from_file_location("devset_score", shared / "eval" / "score.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def datasets(shared: Path) -> list[Path]:
    """Return the devset folders."""
    return sorted(p for p in (shared / "devset").iterdir() if (p / "meta.jsonl").is_file())


def run(shared: Path, out_root: Path, mode: str = "text") -> dict:
    """Clean every page, score it, and return rows per dataset for cleaner and keep-all."""
    import cleaner

    from cleaner.write import render_text

    scorer = load_scorer(shared)
    c = cleaner.Cleaner()
    untitled_keep = c.config.keep - {cleaner.Label.TITLE}
    report = {}
    for ds in datasets(shared):
        out, untitled = out_root / ds.name, out_root / "untitled" / ds.name
        out.mkdir(parents=True, exist_ok=True)
        untitled.mkdir(parents=True, exist_ok=True)
        meta = [json.loads(line) for line in (ds / "meta.jsonl").read_text().splitlines() if line.strip()]
        start = time.perf_counter()
        for m in meta:
            if mode == "html":
                result = c.clean_html((ds / f"{m['id']}.html").read_bytes())
            else:
                result = c.clean((ds / f"{m['id']}.txt").read_text(encoding="utf-8"))
            (out / f"{m['id']}.txt").write_text(result.text, encoding="utf-8")
            # The same lines but the headline: neither gold has it (devset README).
            (untitled / f"{m['id']}.txt").write_text(render_text(result.lines, untitled_keep), encoding="utf-8")
        seconds = time.perf_counter() - start
        report[ds.name] = {
            "cleaner": scorer.score_dataset(str(ds), str(out))[0],
            "untitled": scorer.score_dataset(str(ds), str(untitled))[0],
            "keep_all": scorer.score_dataset(str(ds), str(ds))[0],
            "seconds": seconds,
        }
    return report


def _trafilatura(html: bytes) -> str:
    import trafilatura
    return trafilatura.extract(html) or ""


def _readability(html: bytes) -> str:
    """Return readability-lxml's article as lines (its HTML laid out by cleaner's own layout)."""
    from readability import Document

    from cleaner.html import decode_html, layout_html
    text, _ = decode_html(html)
    text = "".join(ch for ch in text if ch >= " " or ch in "\n\r\t")  # lxml refuses control characters
    try:
        summary = Document(text).summary()
    except Exception:  # readability raises its own Unparseable and lxml's errors; an empty output scores 0
        return ""
    return "\n".join(line.text for line in layout_html(summary).lines)


PEERS = {"trafilatura": _trafilatura, "readability": _readability}


def run_html(shared: Path, out_root: Path, peers: bool = False) -> dict:
    """Clean every page's HTML (and run the peers on it); return score rows and CPU seconds per system."""
    import cleaner

    scorer = load_scorer(shared)
    c = cleaner.Cleaner()
    systems = {"cleaner": lambda html: c.clean_html(html).text}
    if peers:
        systems.update(PEERS)
    report = {}
    for ds in datasets(shared):
        meta = [json.loads(line) for line in (ds / "meta.jsonl").read_text().splitlines() if line.strip()]
        pages = {m["id"]: (ds / f"{m['id']}.html").read_bytes() for m in meta}
        report[ds.name] = {}
        for name, extract in systems.items():
            out = out_root / "html" / name / ds.name
            out.mkdir(parents=True, exist_ok=True)
            start = time.process_time()
            texts = {doc: extract(html) for doc, html in pages.items()}
            seconds = time.process_time() - start
            for doc, text in texts.items():
                (out / f"{doc}.txt").write_text(text, encoding="utf-8")
            report[ds.name][name] = {"rows": scorer.score_dataset(str(ds), str(out))[0], "cpu_seconds": seconds}
    return report


def html_table(text_report: dict, html_report: dict) -> tuple[str, dict]:
    """Return the HTML comparison table (mean F1, median in brackets; pages per CPU second) and its figures."""
    systems = list(next(iter(html_report.values())))
    head = "| " + " | ".join(["set", "n", "cleaner text", "cleaner HTML", *systems[1:], "keep-all"]) + " |"
    lines = [head, "|---|---:|" + "---:|" * (len(systems) + 2)]
    figures = {}
    speed = defaultdict(lambda: [0, 0.0])
    for name, rep in html_report.items():
        cells = []
        for system in systems:
            s = summarize(rep[system]["rows"])
            cells.append(f"{s['f1']:.3f} ({s['median_f1']:.3f})")
            speed[system][0] += s["n"]
            speed[system][1] += rep[system]["cpu_seconds"]
            if system == "cleaner":
                figures[name] = round(s["f1"], 4)
        text = summarize(text_report[name]["cleaner"]) if name in text_report else None
        keep = summarize(text_report[name]["keep_all"]) if name in text_report else None
        n = summarize(rep["cleaner"]["rows"])["n"]
        lines.append(f"| {name} | {n} | {text['f1']:.3f} | " if text else f"| {name} | {n} | – | ")
        lines[-1] += " | ".join(cells) + (f" | {keep['f1']:.3f} |" if keep else " | – |")
    lines.append("| pages per CPU second | | | " + " | ".join(
        f"{n / sec:.1f}" if sec else "–" for n, sec in (speed[s] for s in systems)) + " | |")
    return "\n".join(lines), figures


def summarize(rows) -> dict:
    """Return n, mean P/R/F1 and median F1 of score rows."""
    f1 = [r["f1"] for r in rows]
    return {
        "n": len(rows),
        "p": statistics.fmean(r["precision"] for r in rows),
        "r": statistics.fmean(r["recall"] for r in rows),
        "f1": statistics.fmean(f1),
        "median_f1": statistics.median(f1),
    }


def table(report: dict) -> tuple[str, dict]:
    """Return a Markdown table of the report and the F1 figures the floors apply to."""
    lines = ["| set | n | P | R | F1 | median F1 | keep-all F1 |", "|---|---:|---:|---:|---:|---:|---:|"]
    figures = {}
    every, every_keep = [], []
    by_lang, by_lang_keep = defaultdict(list), defaultdict(list)
    for name, rep in report.items():
        s, k = summarize(rep["cleaner"]), summarize(rep["keep_all"])
        lines.append(f"| {name} | {s['n']} | {s['p']:.3f} | {s['r']:.3f} | {s['f1']:.3f} | {s['median_f1']:.3f} | {k['f1']:.3f} |")
        figures[name] = round(s["f1"], 4)
        every += rep["cleaner"]
        every_keep += rep["keep_all"]
        for row, keep in zip(rep["cleaner"], rep["keep_all"]):
            by_lang[row["lang"]].append(row)
            by_lang_keep[row["lang"]].append(keep)
    s, k = summarize(every), summarize(every_keep)
    lines.append(f"| **all** | {s['n']} | {s['p']:.3f} | {s['r']:.3f} | **{s['f1']:.3f}** | {s['median_f1']:.3f} | {k['f1']:.3f} |")
    figures["all"] = round(s["f1"], 4)
    figures["all_median"] = round(s["median_f1"], 4)
    # For comparison with extractors whose text has no headline (no floor: the contract keeps the title).
    untitled = [row for rep in report.values() for row in rep.get("untitled", ())]
    if untitled:
        u = summarize(untitled)
        lines.append(f"| all, title line left out | {u['n']} | {u['p']:.3f} | {u['r']:.3f} | {u['f1']:.3f} | {u['median_f1']:.3f} | |")
    for lang in sorted(by_lang, key=lambda l: (-len(by_lang[l]), l)):
        s, k = summarize(by_lang[lang]), summarize(by_lang_keep[lang])
        lines.append(f"| lang {lang} | {s['n']} | {s['p']:.3f} | {s['r']:.3f} | {s['f1']:.3f} | {s['median_f1']:.3f} | {k['f1']:.3f} |")
    return "\n".join(lines), figures


def check_floors(figures: dict, raise_floors: bool, lower_floors: bool, path: Path = FLOORS) -> list[str]:
    """Compare figures with the pinned floors; move the floors if asked. Return the failures.

    Raising keeps every floor at least where it was; only lower_floors lets one go down. A
    missing floors file is written from this run's figures, so that a new gate (HTML) has
    floors from its first run on instead of passing silently.
    """
    if not path.is_file():
        raise_floors = True
        print(f"quality: no {path.name} yet; pinning its floors at this run's figures", file=sys.stderr)
    floors = json.loads(path.read_text()) if path.is_file() else {}
    failures = [f"{k}: F1 {figures.get(k, 0):.4f} < floor {v:.4f}" for k, v in floors.items() if figures.get(k, 0) < v]
    if raise_floors or lower_floors:
        new = {}
        for key, value in figures.items():
            pinned = round(value - FLOOR_SLACK, 4)
            old = floors.get(key)
            new[key] = pinned if lower_floors or old is None else max(old, pinned)
        path.write_text(json.dumps(new, indent=2, sort_keys=True) + "\n")
        failures = [] if lower_floors else failures
    return failures


def write_readme(text: str, marker: str = "quality") -> None:
    """Put a table between the README's markers."""
    readme = HERE / "README.md"
    start, end = f"<!-- {marker}:start -->", f"<!-- {marker}:end -->"
    body = readme.read_text() if readme.is_file() else "# Benchmarks\n"
    block = f"{start}\n{text}\n{end}"
    if start in body and end in body:
        body = body[: body.index(start)] + block + body[body.index(end) + len(end):]
    else:
        body = body.rstrip() + "\n\n" + block + "\n"
    readme.write_text(body)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shared", type=Path, default=SHARED)
    ap.add_argument("--out", type=Path, default=Path("/tmp/cleaner-quality"))
    ap.add_argument("--write-readme", action="store_true")
    ap.add_argument("--raise-floors", action="store_true")
    ap.add_argument("--lower-floors", action="store_true")
    ap.add_argument("--html", action="store_true", help="also clean every page's HTML and compare")
    ap.add_argument("--peers", action="store_true", help="with --html: run trafilatura and readability-lxml too")
    args = ap.parse_args(argv)
    if not (args.shared / "devset").is_dir():
        print(f"quality: no devset at {args.shared / 'devset'}", file=sys.stderr)
        return 2
    report = run(args.shared, args.out)
    text, figures = table(report)
    print(text)
    if args.write_readme:
        write_readme("Text input (`ID.txt`), mean token F1 by `../shared/eval/score.py`:\n\n" + text)
    failures = check_floors(figures, args.raise_floors, args.lower_floors)
    if args.html:
        html_text, html_figures = html_table(report, run_html(args.shared, args.out, peers=args.peers))
        print()
        print(html_text)
        if args.write_readme:
            write_readme("HTML input (`ID.html`), mean token F1 (median) by `../shared/eval/score.py`, every "
                         "system on the same pages in the same run:\n\n" + html_text, marker="quality-html")
        failures += [f"HTML {f}" for f in check_floors(html_figures, args.raise_floors, args.lower_floors, FLOORS_HTML)]
    for failure in failures:
        print(f"quality: below floor: {failure}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
