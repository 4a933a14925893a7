"""The command line: parse the arguments, build a Config, run the subcommand, return its exit status.

`cleaner clean | explain | rules list|show|check`, as DESIGN.md's CLI section promises. argparse
lives here and nowhere else: finding, reading and writing files is files.py's, the clean run
batch.py's, the tables show.py's. One function per subcommand.
"""
from __future__ import annotations

import argparse
import re
import os
import shutil
import sys
from pathlib import Path
from typing import Sequence

from . import __version__
from .batch import EXIT_OK, EXIT_TROUBLE, FORMATS, Options, Task, clean_task, run_clean
from .config import Config, parse_keep
from .files import ENCODINGS_HELP, ERRORS, STDIN, check_encoding, find_sources, is_jsonl_name
from .model import CleanerError
from .pipeline import Cleaner
from .ruleset import RuleError, available_languages, load_ruleset

INPUT_FORMATS = ("auto", "text", "html", "jsonl")
DEFAULT_WIDTH = 120      # explain's and rules list's width when stdout is not a terminal


class UsageError(CleanerError):
    """The command line asks for something that cannot be done; exit status 2."""


# ---------------------------------------------------------------- arguments
def build_parser() -> argparse.ArgumentParser:
    """Return the parser of every subcommand."""
    parser = argparse.ArgumentParser(
        prog="cleaner", description="Remove boilerplate from scraped web pages: a label, score and reasons per line.",
        epilog="Exit status: 0 done; 1 --check found files that would change; 2 bad usage or an input "
               "could not be read (each named on stderr).")
    parser.add_argument("--version", action="version", version=f"cleaner {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    clean = commands.add_parser("clean", help="clean files, folders or stdin",
                                description="Clean pages: a folder is walked for .txt, .text, .html and .htm files "
                                            "(hidden ones skipped); - is stdin, the default.")
    clean.add_argument("paths", nargs="*", metavar="PATH", help="a file, a folder (walked) or - for stdin")
    where = clean.add_mutually_exclusive_group()
    where.add_argument("-o", "--output", metavar="PATH", help="a file, or a folder for many inputs (mirrors their paths)")
    where.add_argument("-i", "--in-place", action="store_true", help="rewrite each file with its clean text, atomically")
    clean.add_argument("--backup", metavar="SUFFIX", help="with -i: keep each original as NAME+SUFFIX")
    clean.add_argument("--labels", metavar="PATH",
                       help="also write per-line labels: a .tsv or .jsonl file, or a folder of NAME.labels.tsv files")
    clean.add_argument("--format", choices=FORMATS, default="text",
                       help="what goes to stdout (or -o): the clean text, the labels TSV or labels JSONL")
    _add_cleaning_options(clean)
    clean.add_argument("--input-format", choices=INPUT_FORMATS, default="auto",
                       help="auto: HTML by .html/.htm or a doctype, JSONL by .jsonl, else text")
    clean.add_argument("--text-field", metavar="NAME", help="JSONL records: the field holding the text (default: text)")
    clean.add_argument("--html-field", metavar="NAME",
                       help="JSONL records holding HTML: the field with the page; its text goes into --text-field")
    _add_decoding_options(clean)
    clean.add_argument("--check", action="store_true", help="report the inputs that would change; write nothing; exit 1 if any")
    clean.add_argument("--diff", action="store_true", help="print what would change as a unified diff; write nothing")
    clean.add_argument("-j", "--jobs", type=_jobs, default=1, metavar="N",
                       help="worker processes (0: one per core); output order is input order")
    clean.add_argument("-q", "--quiet", action="store_true", help="no notes, warnings or progress; errors only")

    explain = commands.add_parser("explain", help="a table of every line: label, score, reasons, text")
    explain.add_argument("path", metavar="PATH", help="a file, or - for stdin")
    _add_cleaning_options(explain)
    explain.add_argument("--input-format", choices=("auto", "text", "html"), default="auto")
    _add_decoding_options(explain)

    rules = commands.add_parser("rules", help="list, show or check rule files")
    actions = rules.add_subparsers(dest="action", metavar="ACTION", required=True)
    actions.add_parser("list", help="every rule id, and which categories each language has")
    show = actions.add_parser("show", help="the merged categories of a language (or base)")
    show.add_argument("code", metavar="CODE", help="a language code, or base")
    show.add_argument("--rules", action="append", default=[], metavar="FILE", help="merge a user rule file too")
    check = actions.add_parser("check", help="validate a user rule file and run its examples")
    check.add_argument("file", metavar="FILE")
    check.add_argument("--lang", metavar="CODE", help="the language the file is for (default: the one it extends)")
    return parser


def _add_cleaning_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--lang", default="auto", metavar="auto|CODE", help="the pages' language (default: detect per page)")
    parser.add_argument("--rules", action="append", default=[], metavar="FILE", help="a user rule file (repeatable)")
    parser.add_argument("--stable", action=argparse.BooleanOptionalAction, default=None,
                        help="clean the clean text again until it stays the same, so that a second run "
                             "changes nothing (default: on with -i, off otherwise)")
    parser.add_argument("--keep", metavar="LABEL,...", help="the labels whose lines make the clean text "
                                                           "(default: title,heading,body)")


def _add_decoding_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--encoding", default="auto", metavar="auto|utf-8|NAME", help=f"the inputs' encoding: {ENCODINGS_HELP}")
    parser.add_argument("--errors", choices=ERRORS, default="detect",
                        help="bytes invalid in that encoding: detect the encoding (default), strict: refuse the "
                             "file naming the byte, replace: U+FFFD")


def _jobs(value: str) -> int:
    try:
        jobs = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {value!r}") from None
    if jobs < 0:
        raise argparse.ArgumentTypeError("expected 0 (one per core) or more")
    return jobs


def build_config(args: argparse.Namespace) -> Config:
    """Return the Config of the cleaning options; raise CleanerError for a bad one."""
    language = args.lang
    if language != "auto" and not re.fullmatch(r"[a-z]{2,3}", language):
        raise UsageError(f"--lang: {language!r} is not an ISO 639-1 code; use auto or a code such as "
                         f"{', '.join(available_languages()[:6])} (a code without a rule file gets the base rules)")
    for path in args.rules:
        if not Path(path).is_file():
            raise UsageError(f"--rules: {path}: no such file")
    keep = parse_keep(args.keep) if args.keep is not None else None
    stable = getattr(args, "stable", None)
    stable = getattr(args, "in_place", False) if stable is None else stable
    config = Config(language=language, rules=tuple(args.rules), stable=stable, **({"keep": keep} if keep else {}))
    Cleaner(config=config)  # load and check the rule files now, before any input is read
    return config


# ---------------------------------------------------------------- subcommands
def cmd_clean(args: argparse.Namespace) -> int:
    """Clean files, folders or stdin; write, rewrite or report."""
    check_encoding(args.encoding)
    paths = args.paths or [STDIN]
    if args.input_format == "jsonl" or (args.input_format == "auto" and all(is_jsonl_name(p) for p in paths)
                                        and paths != [STDIN]):
        return cmd_clean_records(args, paths)
    for flag, used in (("--text-field", args.text_field), ("--html-field", args.html_field)):
        if used is not None:
            raise UsageError(f"{flag} is for JSONL records: add --input-format jsonl")
    if args.backup is not None and not args.in_place:
        raise UsageError("--backup keeps originals of files rewritten with -i/--in-place; add -i")
    if args.backup is not None and (not args.backup or "/" in args.backup or os.sep in args.backup):
        raise UsageError("--backup: give a suffix such as .orig (no folder separators)")
    if args.in_place and STDIN in paths:
        raise UsageError("--in-place rewrites files; it cannot rewrite standard input (name the files)")
    if args.in_place and args.format != "text":
        raise UsageError("--in-place writes the clean text into each file; --format is for stdout or -o")
    if (args.check or args.diff) and (args.output or args.labels):
        raise UsageError("--check and --diff write nothing; drop -o/--labels")
    config = build_config(args)
    found = find_sources(paths)
    many = len(paths) > 1 or any(p != STDIN and Path(p).is_dir() for p in paths)
    options = Options(
        output=args.output, in_place=args.in_place, backup=args.backup, labels=args.labels, format=args.format,
        input_format=args.input_format, encoding=args.encoding, errors=args.errors, check=args.check,
        diff=args.diff, jobs=args.jobs, quiet=args.quiet, progress=sys.stderr.isatty(), many=many)
    return run_clean(found, config, options)


def cmd_clean_records(args: argparse.Namespace, paths: list[str]) -> int:
    """Clean JSONL records (records.py): each gains its clean text and labels."""
    try:
        from .records import run_jsonl
    except ImportError:
        raise UsageError("--input-format jsonl: JSONL record mode is not available in this version of cleaner") from None
    for flag, used in (("-i", args.in_place), ("--labels", args.labels), ("--check", args.check),
                       ("--diff", args.diff), ("--backup", args.backup), ("--format", args.format != "text")):
        if used:
            raise UsageError(f"{flag} is not for JSONL records; each record gains its clean text and labels")
    config = build_config(args)
    summary = run_jsonl(paths, args.output or "-", config, text_field=args.text_field or "text",
                        html_field=args.html_field, jobs=args.jobs,
                        progress=sys.stderr.isatty() and not args.quiet, summary=not args.quiet)
    return EXIT_TROUBLE if summary.unreadable else EXIT_OK


def cmd_explain(args: argparse.Namespace) -> int:
    """Print a readable table of one page's lines: line, label, score, reasons, text."""
    check_encoding(args.encoding)
    config = build_config(args)
    found = find_sources([args.path])
    for message in found.errors:
        print(f"cleaner: {message}", file=sys.stderr)
    if found.errors:
        return EXIT_TROUBLE
    if len(found.sources) != 1:
        raise UsageError(f"explain takes one file; {args.path} holds {len(found.sources)}")
    source = found.sources[0]
    data = sys.stdin.buffer.read() if source.is_stdin else None
    outcome = clean_task(Cleaner(config=config), Task(source, args.input_format, args.encoding, args.errors, False, data))
    if outcome.error is not None:
        print(f"cleaner: {source.name}: {outcome.error}", file=sys.stderr)
        return EXIT_TROUBLE
    from .show import render_explain
    width = shutil.get_terminal_size((DEFAULT_WIDTH, 24)).columns
    sys.stdout.write(render_explain(outcome.result, width, config.keep, source.name))
    return EXIT_OK


def cmd_rules_list(args: argparse.Namespace) -> int:
    """Print every rule id with its label and weight, then which categories each language has."""
    from .show import own_categories, render_language_matrix, render_rule_ids
    status, categories, present = EXIT_OK, [], {}
    for code in [None, *available_languages()]:
        try:
            ruleset = load_ruleset(code)
        except RuleError as exc:
            print(f"cleaner: {exc}", file=sys.stderr)
            status = EXIT_TROUBLE
            continue
        own = own_categories(ruleset, code)
        categories += own
        if code is not None:
            present[code] = {cat.id.split(".", 1)[1] for cat in own}
    width = shutil.get_terminal_size((DEFAULT_WIDTH, 24)).columns
    sys.stdout.write(render_rule_ids(categories, width))
    sys.stdout.write("\n" + render_language_matrix(present))
    return status


def cmd_rules_show(args: argparse.Namespace) -> int:
    """Print the merged categories of a language (base and the language's file, and user files)."""
    from .show import render_ruleset
    code = None if args.code == "base" else args.code
    if code is not None and code not in available_languages():
        raise UsageError(f"rules show: no rules for {args.code!r}; use base or one of {', '.join(available_languages())}")
    ruleset = load_ruleset(code, args.rules)
    sys.stdout.write(render_ruleset(ruleset, code, load_ruleset(None) if code else None))
    return EXIT_OK


def cmd_rules_check(args: argparse.Namespace) -> int:
    """Validate a user rule file against the shipped rules and run its examples."""
    from .rulecheck import check_rule_file
    if args.lang is not None and args.lang not in available_languages():
        raise UsageError(f"--lang: no rules for {args.lang!r}; use one of {', '.join(available_languages())}")
    check = check_rule_file(args.file, args.lang)
    for problem in check.problems:
        print(f"cleaner: {problem}", file=sys.stderr)
    print(check.summary())
    return EXIT_OK if check.ok else EXIT_TROUBLE


COMMANDS = {("clean", None): cmd_clean, ("explain", None): cmd_explain, ("rules", "list"): cmd_rules_list,
            ("rules", "show"): cmd_rules_show, ("rules", "check"): cmd_rules_check}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status (0 done, 1 --check found changes, 2 trouble)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    command = COMMANDS[(args.command, getattr(args, "action", None))]
    try:
        return command(args)
    except CleanerError as exc:
        print(f"cleaner: {exc}", file=sys.stderr)
        return EXIT_TROUBLE
    except KeyboardInterrupt:
        print("cleaner: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader went away (`cleaner clean ... | head`): stop quietly
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_TROUBLE


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
