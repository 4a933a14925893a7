"""Helpers for the CLI, files and robustness tests: run the CLI in-process or as a subprocess,
and a stable copy of the rule files (others edit rules/ while tests run)."""
from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import sys
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SNAPSHOT_LANGUAGES = ("base", "en", "de")

ENGLISH_PAGE = """Skip to main content
Home
News
Sport
Parliament passes the new housing law after a long debate
By Jane Smith
12 March 2024
The parliament passed the housing law on Tuesday after a debate that lasted for more than three weeks.
The law will allow cities to build more homes on land that is now used for parking, and it sets aside money for repairs.
Critics said that the plan does not do enough for renters, who have seen their costs rise sharply in the last two years.
The minister said that the first new homes could be ready by the end of next year, if the councils act quickly.
Share this article
Facebook Twitter
Related articles
Leave a comment
© 2024 Example News. All rights reserved.
"""


@dataclass
class Run:
    """What a CLI run gave."""

    code: int
    out: bytes
    err: str

    @property
    def text(self) -> str:
        return self.out.decode("utf-8")


def run_cli(args, stdin: bytes = b"", monkeypatch=None) -> Run:
    """Run `cleaner ARGS` in this process, with stdin given and stdout/stderr captured."""
    from cleaner.cli import main

    stdin_stream = io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8")
    out_stream = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    err_stream = io.StringIO()
    saved = sys.stdin, sys.stdout, sys.stderr
    sys.stdin, sys.stdout, sys.stderr = stdin_stream, out_stream, err_stream
    try:
        try:
            code = main([str(a) for a in args])
        except SystemExit as exc:  # argparse
            code = exc.code
        sys.stdout.flush()
    finally:
        sys.stdin, sys.stdout, sys.stderr = saved
    return Run(code, out_stream.buffer.getvalue(), err_stream.getvalue())


def run_subprocess(args, stdin: bytes = b"", env: dict | None = None, timeout: float = 120, **kwargs):
    """Run `python -m cleaner ARGS` in a new process; return the CompletedProcess (bytes)."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, "-m", "cleaner", *map(str, args)], input=stdin, capture_output=True,
                          env=full_env, timeout=timeout, **kwargs)


def snapshot_rules(target: Path, languages=SNAPSHOT_LANGUAGES, attempts: int = 20) -> Path:
    """Copy rule files that parse into `target` (retrying while someone is mid-edit); return it."""
    from cleaner.ruleset import load_ruleset

    target.mkdir(parents=True, exist_ok=True)
    for attempt in range(attempts):
        try:
            for code in languages:
                data = (ROOT / "rules" / f"{code}.toml").read_bytes()
                tomllib.loads(data.decode("utf-8"))
                (target / f"{code}.toml").write_bytes(data)
            old = os.environ.get("CLEANER_RULES_DIR")
            os.environ["CLEANER_RULES_DIR"] = str(target)
            try:
                for code in languages:
                    load_ruleset(None if code == "base" else code)
            finally:
                if old is None:
                    del os.environ["CLEANER_RULES_DIR"]
                else:
                    os.environ["CLEANER_RULES_DIR"] = old
            return target
        except Exception:
            if attempt == attempts - 1:
                raise
            time.sleep(0.5)
    return target


def copy_tree(source: Path, target: Path) -> None:
    """Copy a folder's files (modes kept)."""
    shutil.copytree(source, target, dirs_exist_ok=True)


@pytest.fixture(scope="module", autouse=True)
def rules_env(tmp_path_factory):
    """Run every test of a module that imports this on a stable copy of base, en and de rules."""
    folder = snapshot_rules(tmp_path_factory.mktemp("rules"))
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CLEANER_RULES_DIR", str(folder))
        yield folder


LINE_BREAK = re.compile(r"\r\n|\r|\n")


def raw_lines(text: str) -> list[str]:
    """Return the input's lines as the contract counts them: \\r\\n, \\r or \\n end a line."""
    body = text[1:] if text.startswith("\ufeff") else text
    if not body:
        return []
    parts = LINE_BREAK.split(body)
    if parts[-1] == "":
        parts.pop()
    return parts
