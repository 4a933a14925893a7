"""cleaner on Dask: JSONL files, bags of records and DataFrames, on a LocalCluster or many nodes.

In: JSONL paths (local or any fsspec URL the workers can read), a dask.bag of dicts, or a
dask DataFrame with a text column. Out: the same with clean_text, language, spans and counts
added, partition order kept. Each worker process unpickles the Cleaner once and reuses it.
Needs `pip install 'cleaner[dask]'` (DataFrames: 'cleaner[dask-dataframe]', which adds pyarrow).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Iterable, Iterator, Sequence

import dask.bag as db
from dask import delayed

from ..config import Config
from ..pipeline import Cleaner, shared_cleaner
from ..records import clean_frame, clean_json_line, clean_records

if TYPE_CHECKING:  # pragma: no cover
    import dask.dataframe


def _clean_partition(records: Iterable, index: int, cleaner: Cleaner, text_field: str,
                     html_field: str | None) -> list[dict]:
    out = []
    for record in clean_records(records, cleaner, text_field, html_field):
        if "error" in record:  # name the partition too: record numbers restart in each one
            record["error"] = f"partition {index}, {record['error']}"
        out.append(record)
    return out


def clean_bag(bag: db.Bag, cleaner: Cleaner | None = None, text_field: str = "text",
              html_field: str | None = None) -> db.Bag:
    """Return a bag of the records cleaned (bad ones as error entries), in the same order."""
    cleaner = cleaner or shared_cleaner(Config())
    parts = [delayed(_clean_partition)(part, index, cleaner, text_field, html_field)
             for index, part in enumerate(bag.to_delayed())]
    return db.from_delayed(parts)


def _clean_lines(lines: Iterable[tuple[str, str]], cleaner: Cleaner, text_field: str,
                 html_field: str | None) -> Iterator[str]:
    for number, (line, path) in enumerate(lines, start=1):
        if line.strip():
            outcome = clean_json_line(cleaner, (f"{path}:{number}", line.encode("utf-8", "surrogateescape")),
                                      text_field, html_field)
            yield outcome.data.decode("utf-8").rstrip("\n")


def clean_jsonl(paths: str | Sequence[str], output: str, cleaner: Cleaner | None = None, text_field: str = "text",
                html_field: str | None = None, compute: bool = True):
    """Clean JSONL files into `output` ("out/*.jsonl.gz": one file per input, in input order).

    Each input file is one partition, read and written as a stream, so a worker's memory does
    not grow with the file; error entries name the input's path and line. Runs on the current
    Dask client (or the local scheduler) and returns the output paths; with compute=False,
    the delayed writes instead.
    """
    cleaner = cleaner or shared_cleaner(Config())
    lines = db.read_text(paths, blocksize=None, include_path=True, linedelimiter="\n", errors="surrogateescape")
    cleaned = lines.map_partitions(_clean_lines, cleaner, text_field, html_field)
    return cleaned.to_textfiles(output, compute=compute, last_endline=True)


def clean_dataframe(frame: "dask.dataframe.DataFrame", cleaner: Cleaner | None = None, text_field: str = "text",
                    html_field: str | None = None) -> "dask.dataframe.DataFrame":
    """Return the DataFrame with clean_text, language, spans, counts and error columns added."""
    cleaner = cleaner or shared_cleaner(Config())
    meta = clean_frame(frame._meta, cleaner, text_field, html_field)
    return frame.map_partitions(clean_frame, cleaner, text_field, html_field, meta=meta)
