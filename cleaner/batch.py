"""The `clean` command's work over many inputs: read, clean, then write or report, in input order.

In: the Sources found, a Config and the run's Options (cli.py builds both). Out: outputs on
stdout, in files under -o, or files replaced in place; every problem named on stderr; the
exit status. One bad input never stops the others. Cleaning is the Cleaner's work; reading
and writing files is files.py's.
"""
from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Collection, Iterable, Iterator

from .config import Config
from .diff import unified_diff
from .files import Found, InputError, Source, Writer, decode_bytes, is_html_name, is_read_only, \
    looks_like_html, read_bytes, refuse_binary
from .model import CleanerError, Label, Result
from .pipeline import Cleaner
from .write import TSV_HEADER, label_record, render_labels_jsonl, render_labels_tsv, restore_line_ends

EXIT_OK, EXIT_CHANGED, EXIT_TROUBLE = 0, 1, 2
FORMATS = ("text", "labels", "jsonl")
LABEL_SUFFIXES = {"labels": ".labels.tsv", "jsonl": ".labels.jsonl"}


@dataclass(frozen=True)
class Options:
    """How the clean command runs: what it reads, where results go, what it reports."""

    output: str | None = None        # a file or folder; None: stdout
    in_place: bool = False
    backup: str | None = None        # with in_place: keep the original as NAME + backup
    labels: str | None = None        # per-line labels: a .tsv/.jsonl file, or a folder of .labels.tsv
    format: str = "text"             # what goes to stdout (or -o): text, labels (TSV) or jsonl
    input_format: str = "auto"       # auto (by name and content), text or html
    encoding: str = "auto"
    errors: str = "detect"
    check: bool = False              # report the files that would change; write nothing
    diff: bool = False               # show what would change as a unified diff; write nothing
    jobs: int = 1
    quiet: bool = False
    progress: bool = False           # a running count on stderr (the CLI's choice: stderr is a terminal)
    many: bool = False               # several inputs (or a folder): -o and --labels are folders

    @property
    def writes_nothing(self) -> bool:
        """Whether the run only reports (--check, --diff)."""
        return self.check or self.diff


@dataclass(frozen=True)
class Task:
    """One input to clean, as sent to a worker (stdin's bytes are read by the main process)."""

    source: Source
    input_format: str
    encoding: str
    errors: str
    keep_before: bool                # return the decoded input too (for --diff)
    data: bytes | None = None


@dataclass(frozen=True)
class Outcome:
    """What cleaning one input gave: its Result and file bytes, or the reason it failed."""

    source: Source
    result: Result | None = None
    data: bytes = b""                # the clean text as a file holds it
    changed: bool = False            # data differs from the input's bytes
    html: bool = False
    before: str | None = None        # the decoded input (for --diff)
    note: str | None = None          # e.g. the encoding it was decoded as
    error: str | None = None


# ---------------------------------------------------------------- one input
def file_bytes(result: Result) -> bytes:
    """Return the clean text as a file holds it: a final newline, the input's line ends and BOM."""
    if not result.text:
        return b""
    return restore_line_ends(result.text + "\n", result.newline, result.bom).encode("utf-8")


def clean_task(cleaner: Cleaner, task: Task) -> Outcome:
    """Read, decode and clean one input; never raise (a failure is the Outcome's error)."""
    source = task.source
    try:
        raw = task.data if task.data is not None else read_bytes(source)
        if _is_html(task, raw):
            refuse_binary(raw)
            result = _clean_html(cleaner, raw)
            before = raw.decode("utf-8", "replace") if task.keep_before else None
            data = file_bytes(result)
            return Outcome(source, result, data, data != raw, True, before)
        decoded = decode_bytes(raw, task.encoding, task.errors)
        result = cleaner.clean(decoded.text)
        data = file_bytes(result)
        return Outcome(source, result, data, data != raw, False,
                       decoded.text if task.keep_before else None, decoded.note)
    except CleanerError as exc:
        return Outcome(source, error=str(exc))
    except RecursionError:
        return Outcome(source, error="internal error: too deeply nested to process")
    except MemoryError:
        return Outcome(source, error="too large to clean in the memory available")
    except Exception as exc:  # a bug must not end the run: name it and go on with the others
        return Outcome(source, error=f"internal error ({type(exc).__name__}: {exc}); please report it")


def _is_html(task: Task, raw: bytes) -> bool:
    if task.input_format != "auto":
        return task.input_format == "html"
    if is_html_name(task.source.name):
        return True
    return hasattr(Cleaner, "clean_html") and looks_like_html(raw)


def _clean_html(cleaner: Cleaner, raw: bytes) -> Result:
    clean_html = getattr(cleaner, "clean_html", None)
    if clean_html is None:
        raise InputError("HTML input needs Cleaner.clean_html, which this version of cleaner lacks; "
                         "use --input-format text to clean the file as plain text")
    return clean_html(raw)


# ---------------------------------------------------------------- many inputs
def run_clean(found: Found, config: Config, options: Options, stderr: IO[str] | None = None,
              stdout: IO[bytes] | None = None) -> int:
    """Clean every input found and write or report its results; return the exit status."""
    report = Reporter(stderr or sys.stderr, options.quiet, options.progress)
    out = Emitter(options, report, stdout or sys.stdout.buffer, config.keep)
    for message in found.warnings:
        report.warn(message)
    for message in found.errors:
        report.fail(message)
    sources = [s for s in found.sources if out.plan(s)]
    tasks = (_task(s, options) for s in sources)
    for done, outcome in enumerate(_outcomes(tasks, config, options.jobs), start=1):
        report.tick(done, len(sources), outcome.source.name)
        out.emit(outcome)
    report.finish()
    out.summarise()
    return report.status


def _task(source: Source, options: Options) -> Task:
    data = None
    if source.is_stdin:
        data = sys.stdin.buffer.read()
    return Task(source, options.input_format, options.encoding, options.errors, options.diff, data)


def _outcomes(tasks: Iterable[Task], config: Config, jobs: int) -> Iterator[Outcome]:
    """Yield every task's Outcome in input order: in worker processes when parallel.py is there."""
    try:
        from .parallel import imap_ordered
    except ImportError:  # parallelism arrives with cleaner/parallel.py; until then, one process
        imap_ordered = None
    if imap_ordered is None or jobs == 1:
        cleaner = Cleaner(config=config)
        for task in tasks:
            yield clean_task(cleaner, task)
        return
    yield from imap_ordered(clean_task, tasks, config, jobs, chunk_size=1)


class Reporter:
    """stderr: errors (always), warnings and notes (unless quiet), a progress line (if asked)."""

    def __init__(self, stream: IO[str], quiet: bool, progress: bool):
        self.stream = stream
        self.quiet = quiet
        self.progress = progress and not quiet
        self.status = EXIT_OK
        self._line = False

    def fail(self, message: str) -> None:
        """Name an input that could not be processed; the exit status becomes 2."""
        self.status = EXIT_TROUBLE
        self._say(f"cleaner: {message}")

    def changed(self) -> None:
        """Record that --check found a file that would change."""
        self.status = max(self.status, EXIT_CHANGED)

    def warn(self, message: str) -> None:
        """Say something worth knowing that does not change the exit status."""
        if not self.quiet:
            self._say(f"cleaner: {message}")

    def tick(self, done: int, total: int, name: str) -> None:
        """Show how far the run is (a single line rewritten in place)."""
        if self.progress and total > 1:
            self.stream.write(f"\r\x1b[Kcleaner: {done}/{total} {name[-60:]}")
            self.stream.flush()
            self._line = True

    def finish(self) -> None:
        """Clear the progress line."""
        if self._line:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self._line = False

    def _say(self, message: str) -> None:
        self.finish()
        print(message, file=self.stream, flush=True)


class Emitter:
    """Where each input's results go: stdout, files under -o, the input itself, or a report."""

    def __init__(self, options: Options, report: Reporter, stdout: IO[bytes], keep: Collection[Label]):
        self.options = options
        self.keep = keep
        self.report = report
        self.stdout = stdout
        self.writer = Writer()
        self.targets: dict[Source, tuple[Path | None, Path | None]] = {}
        self._claimed: dict[Path, str] = {}
        self._inputs: set[Path] = set()
        self.checked = self.would_change = 0
        self._header_done = False

    # -------------------------------------------------------- where things go
    def plan(self, source: Source) -> bool:
        """Decide the output and labels files of an input; False (and an error) if it has none."""
        o = self.options
        if source.real is not None:
            self._inputs.add(source.real)
        if o.in_place and source.is_stdin:
            self.report.fail("<stdin>: --in-place needs files, not standard input")
            return False
        output = labels = None
        if o.output not in (None, "-") and not o.writes_nothing and not o.in_place:
            output = self._target(source, o.output, _output_suffix(source, o.format), "-o")
            if output is False:
                return False
        if o.labels is not None and not o.writes_nothing:
            labels = self._target(source, o.labels, LABEL_SUFFIXES["labels"], "--labels")
            if labels is False:
                return False
        self.targets[source] = (output, labels)
        return True

    def _target(self, source: Source, given: str, suffix: str | None, option: str) -> Path | bool:
        where = Path(given)
        if self.options.many or where.is_dir() or given.endswith(("/", os.sep)):
            if source.is_stdin:
                self.report.fail(f"<stdin>: {option} {where} is a folder; name a file for standard input")
                return False
            relative = source.relative if suffix is None else _with_suffix(source.relative, suffix)
            target = where / relative
        else:
            target = where
        key = Path(_realish(target))
        if key in self._claimed:
            self.report.fail(f"{source.name}: {option} {target} is already the output of {self._claimed[key]}; "
                             f"not written")
            return False
        self._claimed[key] = source.name
        return target

    # -------------------------------------------------------- one outcome
    def emit(self, outcome: Outcome) -> None:
        """Write or report one input's results (or name why it failed)."""
        source, o = outcome.source, self.options
        if outcome.error is not None:
            self.report.fail(f"{source.name}: {outcome.error}")
            return
        if outcome.note:
            self.report.warn(f"{source.name}: {outcome.note}")
        if o.writes_nothing:
            self._report_change(outcome)
            return
        output, labels = self.targets.get(source, (None, None))
        try:
            if o.in_place:
                self._rewrite(outcome)
            elif output is not None:
                self._write_file(source, output, self._render(outcome, o.format))
            else:
                self._write_stdout(outcome)
            if labels is not None:
                fmt = "jsonl" if labels.suffix.lower() == ".jsonl" else "labels"
                self._write_file(source, labels, self._render(outcome, fmt))
        except OSError as exc:
            where = exc.filename or source.name
            self.report.fail(f"{source.name}: cannot write {where} ({exc.strerror or exc})")

    def _rewrite(self, outcome: Outcome) -> None:
        source = outcome.source
        if outcome.html:
            self.report.fail(f"{source.name}: not rewritten in place: it is HTML and would lose its markup; "
                             f"write the clean text elsewhere with -o")
            return
        target = source.real or source.path
        self.writer.sweep(target.parent)  # a killed run's leftovers go even if nothing is written
        if not outcome.changed:
            return
        if is_read_only(target):
            self.report.fail(f"{source.name}: read-only file; left unchanged")
            return
        if is_read_only(target.parent):
            self.report.fail(f"{source.name}: in a read-only folder ({target.parent}); left unchanged")
            return
        if source.is_symlink:
            self.report.warn(f"{source.name}: a symbolic link; rewriting its target {target}")
        self.writer.write(target, outcome.data, backup_suffix=self.options.backup)

    def _write_file(self, source: Source, target: Path, data: bytes) -> None:
        real = Path(_realish(target))
        if real in self._inputs and real != source.real:
            self.report.fail(f"{source.name}: {target} is one of the inputs; not overwritten")
            return
        folder = target.parent
        folder.mkdir(parents=True, exist_ok=True)
        if target.is_dir():
            self.report.fail(f"{source.name}: {target} is a folder; not overwritten")
            return
        if target.exists() and is_read_only(target):
            self.report.fail(f"{source.name}: {target} is read-only; not overwritten")
            return
        if is_read_only(folder):
            self.report.fail(f"{source.name}: cannot write {target}: read-only folder")
            return
        self.writer.write(target, data)

    def _write_stdout(self, outcome: Outcome) -> None:
        fmt = self.options.format
        if fmt == "text" or not self.options.many:
            self.stdout.write(self._render(outcome, fmt))
        else:
            self.stdout.write(self._render_with_path(outcome, fmt))
        self.stdout.flush()

    def _render(self, outcome: Outcome, fmt: str) -> bytes:
        if fmt == "text":
            return outcome.data
        if fmt == "labels":
            return render_labels_tsv(outcome.result.lines).encode("utf-8")
        return render_labels_jsonl(outcome.result.lines).encode("utf-8")

    def _render_with_path(self, outcome: Outcome, fmt: str) -> bytes:
        """Labels of one of many inputs on stdout: each row or object names its input first."""
        name = outcome.source.name
        if fmt == "jsonl":
            return "".join(json.dumps({"path": name, **label_record(line)}, ensure_ascii=False) + "\n"
                           for line in outcome.result.lines).encode("utf-8")
        rows = render_labels_tsv(outcome.result.lines).split("\n")[1:-1]
        header = "" if self._header_done else f"path\t{TSV_HEADER}\n"
        self._header_done = True
        column = name.replace("\t", " ")
        return (header + "".join(f"{column}\t{row}\n" for row in rows)).encode("utf-8")

    def _report_change(self, outcome: Outcome) -> None:
        self.checked += 1
        if not outcome.changed:
            return
        self.would_change += 1
        if self.options.diff:
            lines = unified_diff(outcome.before or "", outcome.result, self.keep, outcome.source.name)
            self.stdout.write("".join(line + "\n" for line in lines).encode("utf-8"))
            self.stdout.flush()
        if self.options.check:
            self.report.changed()
            kept = sum(1 for line in outcome.result.lines if line.label in self.keep)
            self.report.warn(f"would change {outcome.source.name} (keeps {kept} of {len(outcome.result.lines)} lines)")

    def summarise(self) -> None:
        """Say how many inputs --check found that would change."""
        if self.options.check:
            self.report.warn(f"{self.would_change} of {self.checked} inputs would change")


def _output_suffix(source: Source, fmt: str) -> str | None:
    if fmt in LABEL_SUFFIXES:
        return LABEL_SUFFIXES[fmt]
    return ".txt" if is_html_name(source.name) else None


def _with_suffix(relative: Path, suffix: str) -> Path:
    return relative.with_name(relative.stem + suffix) if relative.suffix else relative.with_name(relative.name + suffix)


def _realish(path: Path) -> str:
    return os.path.realpath(path)
