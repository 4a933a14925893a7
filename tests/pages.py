"""Sample pages for the records, parallel and engine tests: the seeds, plus a few devset pages
when ../shared/devset is present (it is not part of the repository)."""
from __future__ import annotations

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEVSET = ROOT.parent / "shared" / "devset"
DEVSET_PAGES = 6  # English pages taken from the devset when it is there


def sample_pages() -> list[tuple[str, str]]:
    """Return (id, text) of the seed pages and, if available, a few English devset pages."""
    pages = [(p.stem, p.read_text(encoding="utf-8")) for p in sorted((ROOT / "seeds").glob("*.txt"))]
    meta = DEVSET / "scrapinghub" / "meta.jsonl"
    if meta.is_file():
        rows = [json.loads(line) for line in meta.read_text().splitlines() if line.strip()]
        for row in [r for r in rows if r["lang"] == "en"][:DEVSET_PAGES]:
            pages.append((row["id"], (meta.parent / f"{row['id']}.txt").read_text(encoding="utf-8")))
    return pages


def write_jsonl(path: Path, pages: list[tuple[str, str]], extra_lines: list[str] = ()) -> Path:
    """Write pages as {"id", "text"} JSON lines, then any extra raw lines."""
    with open(path, "w", encoding="utf-8") as out:
        for page_id, text in pages:
            out.write(json.dumps({"id": page_id, "text": text}, ensure_ascii=False) + "\n")
        for line in extra_lines:
            out.write(line + "\n")
    return path
