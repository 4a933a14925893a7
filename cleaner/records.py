"""Records in, records with clean text and line labels out: JSONL streams, batches, frames.

In: JSON lines, dicts, column batches or pandas Series holding a page's text (or HTML).
Out: the same records with `clean_text`, `language`, `spans` and counts added. A bad record
becomes an error entry in its place: never a silent drop, never an aborted run. Streams are
read line by line, so memory stays flat whatever the input size; output order is input order.
"""
from __future__ import annotations

import gzip
import json
import os
import re
import sys
import time
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Iterable, Iterator, Sequence

from .config import Config
from .model import CleanerError, Label, Result
from .parallel import imap_ordered
from .pipeline import Cleaner, shared_cleaner

if TYPE_CHECKING:  # pragma: no cover
    import pandas

ADDED_FIELDS = ("clean_text", "language", "spans", "lines", "kept_lines", "chars", "kept_chars")
"""The fields a cleaned record gains. `spans` holds [start, end, label, score] per non-blank
line: character offsets into the record's text (blank lines are left out, as dolma leaves out
untagged text). With an HTML field, the page's text as cleaner laid it out goes into the
text field and the spans point into it."""
TABLE_COLUMNS = ADDED_FIELDS + ("error",)
"""The columns of a batch or frame: the same, with spans as {start, end, label, score}
structs (Arrow and Spark need one type per list) and `error` (None for a good row)."""
ERROR_FIELD = "error"        # a bad record gains this: "<where>: <what is wrong>"
RAW_FIELD = "raw"            # a line that is not a JSON object is kept here, verbatim
SPARK_SCHEMA = ("clean_text string, language string, "
                "spans array<struct<start:bigint,end:bigint,label:string,score:double>>, "
                "lines bigint, kept_lines bigint, chars bigint, kept_chars bigint, error string")
"""The DDL of the columns clean_frames adds, to append to a Spark DataFrame's schema."""
LINES_PER_CHUNK = 16         # JSON lines sent to a worker at a time
ERRORS_SHOWN = 20            # bad records named on stderr one by one; the rest are counted
GZIP_LEVEL = 6               # gzip's default 9 is several times slower for ~1% smaller files
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_GZIP_MAGIC, _ZSTD_MAGIC = b"\x1f\x8b", b"\x28\xb5\x2f\xfd"


class RecordError(CleanerError):
    """A record cannot be cleaned: not a JSON object, no such field, not a string."""


# ---------------------------------------------------------------- one record
def line_offsets(text: str) -> list[tuple[int, int]]:
    """Return the [start, end) character offsets of every line, numbered as the segmenter does."""
    start = 1 if text.startswith("\ufeff") else 0
    offsets = []
    for m in _LINE_BREAK.finditer(text, start):
        offsets.append((start, m.start()))
        start = m.end()
    if start < len(text):
        offsets.append((start, len(text)))
    return offsets


def clean_value(cleaner: Cleaner, value: Any, html: bool = False) -> tuple[Result, str, list[tuple[int, int]]]:
    """Clean one text (or HTML page); return the Result, the text the spans point into, the offsets."""
    if not isinstance(value, str if not html else (str, bytes)):
        what = "missing (null)" if value is None else f"{_json_kind(value)}, not a string"
        raise RecordError(f"the {'HTML' if html else 'text'} is {what}")
    if not html:
        result = cleaner.clean(value)
        offsets = line_offsets(value)
        if len(offsets) != len(result.lines):
            raise CleanerError(f"internal: {len(result.lines)} labelled lines for {len(offsets)} input lines")
        return result, value, offsets
    clean_html = getattr(cleaner, "clean_html", None)
    if clean_html is None:
        raise CleanerError("HTML records need Cleaner.clean_html, which this version of cleaner lacks")
    result = clean_html(value)
    offsets, start = [], 0
    for line in result.lines:
        offsets.append((start, start + len(line.text)))
        start += len(line.text) + 1
    return result, "\n".join(line.text for line in result.lines), offsets


def added_fields(result: Result, text: str, offsets: Sequence[tuple[int, int]], keep: frozenset[Label]) -> dict[str, Any]:
    """Return what a record gains: clean text, language, spans over `text` and counts."""
    spans = [[start, end, line.label.value, line.score]
             for (start, end), line in zip(offsets, result.lines) if line.label is not Label.BLANK]
    return {
        "clean_text": result.text,
        "language": result.language,
        "spans": spans,
        "lines": len(result.lines),
        "kept_lines": sum(1 for line in result.lines if line.label in keep),
        "chars": len(text),
        "kept_chars": len(result.text),
    }


def clean_record(record: Any, cleaner: Cleaner, text_field: str = "text", html_field: str | None = None) -> dict:
    """Return a copy of a record with the added fields; raise RecordError if it cannot be cleaned."""
    if not isinstance(record, dict):
        raise RecordError(f"not a JSON object but {_json_kind(record)}")
    source = html_field or text_field
    if source not in record:
        raise RecordError(f"no field {source!r} (fields: {', '.join(map(str, list(record)[:10])) or 'none'})")
    result, text, offsets = clean_value(cleaner, record[source], html=html_field is not None)
    out = dict(record)
    if html_field is not None:
        out[text_field] = text
    out.update(added_fields(result, text, offsets, cleaner.config.keep))
    return out


def error_record(record: Any, message: str) -> dict:
    """Return the entry that stands in for a bad record: its fields (if any) and the error."""
    if isinstance(record, dict):
        return {**record, ERROR_FIELD: message}
    return {ERROR_FIELD: message, RAW_FIELD: record}


def clean_records(records: Iterable[Any], cleaner: Cleaner | None = None, text_field: str = "text",
                  html_field: str | None = None) -> Iterator[dict]:
    """Yield every record cleaned, in order; a bad one yields an error entry naming its number."""
    cleaner = cleaner or shared_cleaner(Config())
    for number, record in enumerate(records, start=1):
        try:
            yield clean_record(record, cleaner, text_field, html_field)
        except Exception as exc:  # one bad record must not end the run
            yield error_record(record, f"record {number}: {_describe(exc)}")


def _describe(exc: Exception) -> str:
    if isinstance(exc, CleanerError):
        return str(exc)
    return f"cleaning failed: {type(exc).__name__}: {exc}"


def _json_kind(value: Any) -> str:
    return {list: "an array", str: "a string", bool: "a boolean", type(None): "null",
            int: "a number", float: "a number"}.get(type(value), f"a {type(value).__name__}")


# ---------------------------------------------------------------- one JSON line
@dataclass(frozen=True, slots=True)
class LineOutcome:
    """What cleaning one JSON line gave: the output line (bytes, with its newline) and counts."""

    data: bytes
    lines: int = 0
    kept_lines: int = 0
    chars: int = 0
    kept_chars: int = 0
    error: str | None = None


def clean_json_line(cleaner: Cleaner, item: tuple[str, bytes], text_field: str = "text",
                    html_field: str | None = None) -> LineOutcome:
    """Clean one JSON line, `item` = (where, raw bytes); a bad one gives an error entry."""
    where, raw = item
    raw = raw.rstrip(b"\r\n")
    record: Any = None
    try:
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            record = {RAW_FIELD: raw.decode("utf-8", "replace")}
            raise RecordError(f"not UTF-8 (byte {exc.start} is {raw[exc.start]:#04x})") from None
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            record = {RAW_FIELD: line}
            raise RecordError(f"not JSON: {exc.msg} at column {exc.colno}") from None
        out = clean_record(record, cleaner, text_field, html_field)
    except Exception as exc:  # one bad record must not end the run
        message = f"{where}: {_describe(exc)}"
        return LineOutcome(_dump(error_record(record, message)), error=message)
    return LineOutcome(_dump(out), out["lines"], out["kept_lines"], out["chars"], out["kept_chars"])


def _dump(obj: dict) -> bytes:
    try:
        return (json.dumps(obj, ensure_ascii=False) + "\n").encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate from a \ud800 escape: keep it escaped
        return (json.dumps(obj, ensure_ascii=True) + "\n").encode("ascii")


# ---------------------------------------------------------------- files and streams
def open_input(path: str) -> IO[bytes]:
    """Open a JSONL input for reading bytes: `-` is stdin; .gz and .zst are decompressed."""
    if path == "-":
        stream = sys.stdin.buffer
        head = stream.peek(4)[:4] if hasattr(stream, "peek") else b""
        if head.startswith(_GZIP_MAGIC):
            return gzip.GzipFile(fileobj=stream, mode="rb")
        if head.startswith(_ZSTD_MAGIC):
            return _zstd_reader(stream)
        return stream
    suffix = Path(path).suffix.lower()
    if suffix == ".gz":
        return gzip.open(path, "rb")
    if suffix in (".zst", ".zstd"):
        return _zstd_reader(open(path, "rb"))
    return open(path, "rb")


def _zstandard():
    try:
        import zstandard
    except ImportError:
        raise CleanerError("zstd files need the zstandard package: pip install 'cleaner[zstd]'") from None
    return zstandard


def _zstd_reader(raw: IO[bytes]) -> IO[bytes]:
    import io
    reader = _zstandard().ZstdDecompressor().stream_reader(raw, read_across_frames=True, closefd=raw is not sys.stdin.buffer)
    return io.BufferedReader(reader)


class _Output:
    """A JSONL output: stdout, or a file written beside its target and renamed when complete."""

    def __init__(self, path: str):
        self.path = path
        if path == "-":
            self.stream, self.tmp = sys.stdout.buffer, None
            return
        target = Path(path)
        self.tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        suffix = target.suffix.lower()
        if suffix == ".gz":
            self.stream = gzip.open(self.tmp, "wb", compresslevel=GZIP_LEVEL)
        elif suffix in (".zst", ".zstd"):
            self.stream = _zstandard().ZstdCompressor().stream_writer(open(self.tmp, "wb"))
        else:
            self.stream = open(self.tmp, "wb")

    def write(self, data: bytes) -> None:
        self.stream.write(data)

    def close(self, complete: bool = True) -> None:
        """Flush; put a file in place only when it is complete (else remove the partial one)."""
        if self.tmp is None:
            self.stream.flush()
            return
        self.stream.close()
        if complete:
            os.replace(self.tmp, self.path)
        else:
            self.tmp.unlink(missing_ok=True)


@dataclass
class Summary:
    """The counts of a JSONL run, and the line printed at its end."""

    documents: int = 0
    lines: int = 0
    kept_lines: int = 0
    chars: int = 0
    kept_chars: int = 0
    errors: int = 0
    unreadable: list[str] = field(default_factory=list)   # inputs that could not be read, with why
    seconds: float = 0.0

    def add(self, outcome: LineOutcome) -> None:
        """Count one record."""
        self.documents += 1
        self.lines += outcome.lines
        self.kept_lines += outcome.kept_lines
        self.chars += outcome.chars
        self.kept_chars += outcome.kept_chars
        self.errors += outcome.error is not None

    def line(self) -> str:
        """Return the one-line summary: documents, lines, kept share, errors, seconds."""
        lines_kept = self.kept_lines / self.lines if self.lines else 0.0
        chars_kept = self.kept_chars / self.chars if self.chars else 0.0
        rate = f", {self.documents / self.seconds:,.0f} documents/s" if self.seconds > 0 else ""
        unreadable = f", {len(self.unreadable)} unreadable inputs" if self.unreadable else ""
        return (f"cleaner: {self.documents:,} documents, {self.lines:,} lines, kept {lines_kept:.1%} of lines "
                f"({chars_kept:.1%} of characters), {self.errors:,} errors{unreadable}, "
                f"{self.seconds:.1f} s{rate}")


def _read_lines(inputs: Sequence[str], summary: Summary, unopened: set[int],
                say) -> Iterator[tuple[int, tuple[str, bytes]]]:
    """Yield (input index, (where, raw line)) for every non-blank line of every readable input."""
    for index, path in enumerate(inputs):
        name = "<stdin>" if path == "-" else path
        try:
            stream = open_input(path)
        except (OSError, CleanerError) as exc:
            unopened.add(index)
            summary.unreadable.append(f"{name}: {_os_reason(exc)}")
            say(f"cleaner: {name}: cannot read: {_os_reason(exc)}")
            continue
        number = 0
        try:
            for number, raw in enumerate(stream, start=1):
                if raw.strip():
                    yield index, (f"{name}:{number}", raw)
        except (OSError, EOFError, ValueError) as exc:  # truncated or corrupt compressed input
            summary.unreadable.append(f"{name}: {_os_reason(exc)} after line {number}")
            say(f"cleaner: {name}: stopped reading after line {number}: {_os_reason(exc)}")
        except Exception as exc:  # e.g. zstandard.ZstdError
            summary.unreadable.append(f"{name}: {exc} after line {number}")
            say(f"cleaner: {name}: stopped reading after line {number}: {exc}")
        finally:
            if stream is not sys.stdin.buffer:
                stream.close()


def _os_reason(exc: Exception) -> str:
    return getattr(exc, "strerror", None) or str(exc) or type(exc).__name__


def _work(cleaner: Cleaner, item: tuple[int, tuple[str, bytes]], text_field: str,
          html_field: str | None) -> tuple[int, LineOutcome]:
    index, line = item
    return index, clean_json_line(cleaner, line, text_field, html_field)


def _folder_targets(inputs: Sequence[str], output: str) -> list[str]:
    """Return one output path per input when `output` is a folder (existing, or ending in /), else []."""
    if output == "-" or not (Path(output).is_dir() or output.endswith(("/", os.sep))):
        return []
    if "-" in inputs:
        raise CleanerError("-o: a folder output needs named inputs, not stdin; give a file name instead")
    targets = [str(Path(output) / Path(path).name) for path in inputs]
    seen: dict[str, str] = {}
    for path, target in zip(inputs, targets):
        if target in seen:
            raise CleanerError(f"-o {output}: {seen[target]} and {path} would both be written to {target}; "
                               "rename one or clean them in two runs")
        seen[target] = path
    Path(output).mkdir(parents=True, exist_ok=True)
    return targets


def _progress_bar(enabled: bool, stderr: IO[str]):
    if not enabled:
        return None
    try:
        from tqdm import tqdm
    except ImportError:
        return None
    return tqdm(unit=" docs", file=stderr, dynamic_ncols=True, mininterval=0.5, leave=False)


def run_jsonl(
    inputs: Sequence[str] = ("-",),
    output: str = "-",
    config: Config | None = None,
    *,
    text_field: str = "text",
    html_field: str | None = None,
    jobs: int | None = 1,
    progress: bool | None = None,
    summary: bool = True,
    stderr: IO[str] | None = None,
) -> Summary:
    """Clean JSONL inputs into `output`, in input order; return the counts (what the CLI calls).

    `inputs`: paths or `-` (stdin); .gz/.zst are decompressed. `output`: a path (compressed
    by its extension), `-` (stdout) or an existing folder, which receives one file per input
    under the input's name. A bad record becomes an error entry naming `path:line`, counted
    in Summary.errors and, for the first few, named on stderr; an input that cannot be read
    is named on stderr and listed in Summary.unreadable while the others go on. `progress`:
    a tqdm bar on stderr (default: when stderr is a terminal). `summary`: print its line.
    """
    stderr = stderr or sys.stderr
    config = config or Config()
    inputs = list(inputs) or ["-"]
    if html_field is not None and not hasattr(Cleaner, "clean_html"):
        raise CleanerError("--html-field needs Cleaner.clean_html, which this version of cleaner lacks")
    targets = _folder_targets(inputs, output)
    bar = _progress_bar(progress if progress is not None else stderr.isatty(), stderr)
    say = (lambda message: bar.write(message, file=stderr)) if bar is not None else \
        (lambda message: print(message, file=stderr))
    counts = Summary()
    started = time.perf_counter()
    work = partial(_work, text_field=text_field, html_field=html_field)
    unopened: set[int] = set()
    done: set[int] = set()           # inputs whose output is written and closed (folder output)
    current: _Output | None = None if targets else _Output(output)
    current_index = None
    complete = False
    try:
        lines = _read_lines(inputs, counts, unopened, say)
        for index, outcome in imap_ordered(work, lines, config, jobs, chunk_size=LINES_PER_CHUNK):
            if targets and index != current_index:  # inputs come in order: the previous one is complete
                if current is not None:
                    current.close()
                    done.add(current_index)
                current, current_index = _Output(targets[index]), index
            current.write(outcome.data)
            counts.add(outcome)
            if outcome.error is not None and counts.errors <= ERRORS_SHOWN:
                say(f"cleaner: {outcome.error}")
            if bar is not None:
                bar.update()
        complete = True
    finally:
        if current is not None:
            current.close(complete)
            done.add(current_index)
        if bar is not None:
            bar.close()
    for index, target in enumerate(targets):  # a readable input without records: an empty output
        if index not in done and index not in unopened:
            _Output(target).close()
    counts.seconds = time.perf_counter() - started
    if counts.errors > ERRORS_SHOWN:
        print(f"cleaner: {counts.errors - ERRORS_SHOWN:,} more bad records not named here", file=stderr)
    if summary:
        print(counts.line(), file=stderr)
    return counts


# ---------------------------------------------------------------- batches and frames
def _table_row(cleaner: Cleaner, value: Any, html: bool) -> tuple[dict[str, Any], str | None]:
    """Return one row's columns (spans as structs) and the page text (HTML mode)."""
    result, text, offsets = clean_value(cleaner, value, html)
    fields = added_fields(result, text, offsets, cleaner.config.keep)
    fields["spans"] = [{"start": s, "end": e, "label": label, "score": score} for s, e, label, score in fields["spans"]]
    fields["error"] = None
    return fields, text if html else None


_EMPTY_ROW = {"clean_text": None, "language": None, "spans": [], "lines": 0, "kept_lines": 0,
              "chars": 0, "kept_chars": 0}


def _table_columns(values: Iterable[Any], names: Iterable[Any], cleaner: Cleaner, html: bool) -> dict[str, list]:
    columns: dict[str, list] = {name: [] for name in TABLE_COLUMNS}
    texts: list[str | None] = []
    for value, name in zip(values, names):
        try:
            row, text = _table_row(cleaner, value, html)
        except Exception as exc:  # one bad row must not end the run
            row, text = {**_EMPTY_ROW, "spans": [], "error": f"{name}: {_describe(exc)}"}, None
        for key in TABLE_COLUMNS:
            columns[key].append(row[key])
        texts.append(text)
    if html:
        columns["text"] = texts
    return columns


def clean_batch(batch: dict[str, list], indices: list[int] | None = None, cleaner: Cleaner | None = None,
                text_field: str = "text", html_field: str | None = None) -> dict[str, list]:
    """Return the new columns of a batch of rows: for `datasets.Dataset.map(batched=True)`.

    `ds.map(clean_batch, batched=True, with_indices=True, fn_kwargs={"cleaner": cleaner})` adds
    TABLE_COLUMNS to every row (and, with `html_field`, the page text as `text_field`); with
    indices, an error names the dataset's row number, else the row within its batch.
    """
    cleaner = cleaner or shared_cleaner(Config())
    source = html_field or text_field
    if source not in batch:
        raise CleanerError(f"the batch has no column {source!r} (columns: {', '.join(batch)}); "
                           f"name the text column with text_field=")
    values = batch[source]
    rows = indices if indices is not None else range(1, len(values) + 1)
    columns = _table_columns(values, (f"row {i}" for i in rows), cleaner, html_field is not None)
    if html_field is not None:
        columns[text_field] = columns.pop("text")
    return columns


def clean_series(texts: "pandas.Series", cleaner: Cleaner | None = None, html: bool = False) -> "pandas.DataFrame":
    """Return a DataFrame of TABLE_COLUMNS (plus `text` for HTML) with the Series' index."""
    import pandas as pd

    cleaner = cleaner or shared_cleaner(Config())
    columns = _table_columns(texts.tolist(), (f"index {label}" for label in texts.index), cleaner, html)
    frame = pd.DataFrame(columns, index=texts.index, columns=list(columns))
    counts = ["lines", "kept_lines", "chars", "kept_chars"]
    return frame.astype({name: "int64" for name in counts} | {"clean_text": object, "language": object,
                                                             "spans": object, "error": object})


def clean_frame(frame: "pandas.DataFrame", cleaner: Cleaner | None = None, text_field: str = "text",
                html_field: str | None = None) -> "pandas.DataFrame":
    """Return the frame with TABLE_COLUMNS added (Dask's map_partitions, Spark's mapInPandas)."""
    source = html_field or text_field
    if source not in frame.columns:
        raise CleanerError(f"the frame has no column {source!r} (columns: {', '.join(map(str, frame.columns))})")
    added = clean_series(frame[source], cleaner, html=html_field is not None)
    if html_field is not None:
        added = added.rename(columns={"text": text_field})
    return frame.drop(columns=[c for c in added.columns if c in frame.columns]).join(added)


def clean_frames(frames: Iterable["pandas.DataFrame"], cleaner: Cleaner | None = None, text_field: str = "text",
                 html_field: str | None = None) -> Iterator["pandas.DataFrame"]:
    """Yield every frame cleaned: the function Spark's `mapInPandas` takes (schema: + SPARK_SCHEMA)."""
    for frame in frames:
        yield clean_frame(frame, cleaner, text_field, html_field)
