"""Round trip of the whole devset through every engine: the same clean_text for every record.

Writes the devset's pages as JSONL (two shards), cleans them in this process (the reference:
`Cleaner.clean_records`), then through the CLI (`--input-format jsonl --jobs 2`), the datatrove
step under LocalPipelineExecutor (2 tasks) and a Dask LocalCluster (2 worker processes), and
compares clean_text record by record. Exits 1 on any difference, 2 without the devset.

    python benchmarks/roundtrip.py [--limit N] [--lang auto|CODE]
"""
from __future__ import annotations

import argparse
import gzip
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Iterable

HERE = Path(__file__).resolve().parent
SHARED = HERE.parent.parent / "shared"


def devset_records(shared: Path, limit: int | None) -> list[dict]:
    """Return {"id", "text"} for every devset page."""
    records = []
    for meta in sorted((shared / "devset").glob("*/meta.jsonl")):
        for row in map(json.loads, meta.read_text().splitlines()):
            records.append({"id": row["id"], "text": (meta.parent / f"{row['id']}.txt").read_text(encoding="utf-8")})
    return records[:limit] if limit else records


def read_rows(paths: Iterable[Path]) -> list[dict]:
    rows = []
    for path in sorted(paths):
        opener = gzip.open if path.name.endswith(".gz") else open
        with opener(path, "rt", encoding="utf-8") as f:
            rows += [json.loads(line) for line in f if line.strip()]
    return rows


def via_cli(shards: list[Path], out: Path, lang: str) -> dict[str, str]:
    subprocess.run([sys.executable, "-m", "cleaner", "clean", "--input-format", "jsonl", "--lang", lang,
                    "--jobs", "2", "--quiet", *map(str, shards), "-o", str(out)], check=True)
    return {r["id"]: r["clean_text"] for r in read_rows([out])}


def via_datatrove(folder: Path, out: Path, lang: str) -> dict[str, str]:
    from datatrove.executor import LocalPipelineExecutor
    from datatrove.pipeline.readers import JsonlReader
    from datatrove.pipeline.writers import JsonlWriter

    from cleaner import Cleaner
    from cleaner.integrations.datatrove import CleanerStep

    LocalPipelineExecutor(
        pipeline=[JsonlReader(str(folder), glob_pattern="shard-*.jsonl"),
                  CleanerStep(Cleaner(language=lang), drop_empty=False),
                  JsonlWriter(str(out), compression="gzip")],
        tasks=2, workers=2, logging_dir=str(out.parent / "datatrove-logs")).run()
    return {r["id"]: r["text"] for r in read_rows(out.glob("*.jsonl.gz"))}


def via_dask(shards: list[Path], out: Path, lang: str) -> dict[str, str]:
    from distributed import Client, LocalCluster

    from cleaner import Cleaner
    from cleaner.integrations.dask import clean_jsonl

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            Client(cluster):
        written = clean_jsonl([str(s) for s in shards], str(out / "*.jsonl.gz"), Cleaner(language=lang))
    return {r["id"]: r["clean_text"] for r in read_rows(map(Path, written))}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", type=Path, default=SHARED)
    parser.add_argument("--limit", type=int, help="only the first N pages")
    parser.add_argument("--lang", default="auto")
    args = parser.parse_args(argv)
    if not (args.shared / "devset").is_dir():
        print(f"roundtrip.py: no devset at {args.shared / 'devset'}", file=sys.stderr)
        return 2
    from cleaner import Cleaner

    records = devset_records(args.shared, args.limit)
    reference = {r["id"]: r["clean_text"] for r in Cleaner(language=args.lang).clean_records(records)}
    failed = False
    with tempfile.TemporaryDirectory(prefix="cleaner-roundtrip-") as tmp:
        work = Path(tmp)
        half = (len(records) + 1) // 2
        shards = []
        for k, part in enumerate((records[:half], records[half:])):
            shards.append(work / f"shard-{k}.jsonl")
            shards[-1].write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in part), encoding="utf-8")
        engines = [("CLI --jobs 2", lambda: via_cli(shards, work / "cli.jsonl", args.lang)),
                   ("datatrove LocalPipelineExecutor", lambda: via_datatrove(work, work / "datatrove", args.lang)),
                   ("Dask LocalCluster", lambda: via_dask(shards, work / "dask", args.lang))]
        for name, run in engines:
            start = time.perf_counter()
            got = run()
            differ = sorted(k for k in reference if got.get(k) != reference[k])
            missing = len(set(reference) - set(got))
            status = "identical" if not differ else f"{len(differ)} differ (e.g. {differ[:3]}), {missing} missing"
            print(f"{name}: {len(got)}/{len(reference)} records, clean_text {status} "
                  f"({time.perf_counter() - start:.0f} s)")
            failed |= bool(differ)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
