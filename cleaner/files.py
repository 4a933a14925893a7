"""Files for the command line: find the inputs, read and decode them, replace files whole.

In: the paths a user named. Out: Sources in a stable order, their decoded text, and files
written through a temporary file in the same folder that is fsynced and renamed over the
target, so a reader (or a crash) only ever sees the old file or the new one. Nothing here
cleans text or parses arguments.
"""
from __future__ import annotations

import codecs
import os
import secrets
import shutil
import stat
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Sequence

import regex

from .model import CleanerError

TEXT_SUFFIXES = frozenset({".txt", ".text"})
HTML_SUFFIXES = frozenset({".html", ".htm"})
WALKED_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES
"""The files a folder contributes (case-insensitive); hidden files and folders are skipped."""
JSONL_SUFFIXES = (".jsonl", ".ndjson", ".jsonl.gz", ".jsonl.zst", ".jsonl.zstd", ".ndjson.gz")
STDIN = "-"

TMP_MARK = ".cleaner-tmp-"
"""Temporary files are named `.NAME.cleaner-tmp-PID-XXXXXXXX` beside their target."""
_TMP_NAME = regex.compile(r"^\..+\.cleaner-tmp-(\d+)-[0-9a-f]{8}$")

# Detection on a short text often ties between encodings that read it alike (or almost):
# then the one most used on the web wins (W3Techs' ranking of legacy encodings).
WEB_ENCODINGS = ("cp1252", "cp1251", "cp932", "shift_jis", "euc_jp", "gb18030", "gbk", "euc_kr", "cp949",
                 "cp1250", "cp1256", "cp1254", "cp1253", "cp1255", "cp874", "big5", "koi8-r", "iso8859-15",
                 "iso8859-2", "cp1257", "cp1258")
DETECT_CHAOS_TIE = 0.02
ENCODINGS_HELP = "auto (UTF-8, or UTF-16/32 by byte-order mark), utf-8, or any Python codec name"
ERRORS = ("detect", "strict", "replace")
"""What to do with bytes that are not valid in the expected encoding: guess the encoding
(charset_normalizer), refuse the file naming the byte offset, or put U+FFFD in their place."""

# Byte signatures of common binary formats, refused before any decoding is tried.
_MAGIC = ((b"%PDF-", "a PDF document"), (b"PK\x03\x04", "a ZIP archive (or an Office document)"),
          (b"\x1f\x8b", "a gzip archive"), (b"\x28\xb5\x2f\xfd", "a zstd archive"),
          (b"\x89PNG", "a PNG image"), (b"GIF8", "a GIF image"), (b"\xff\xd8\xff", "a JPEG image"),
          (b"\x7fELF", "an executable"), (b"BZh", "a bzip2 archive"), (b"\xfd7zXZ", "an xz archive"))
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"),
         (codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))
# A text has few control characters; a file with more than this share of them (among the
# first BINARY_SAMPLE_CHARS characters), and at least BINARY_MIN_CONTROLS, is taken for binary
# data and refused (the minimum keeps a short text with one stray control character).
BINARY_MAX_CONTROL_SHARE = 0.05
BINARY_MIN_CONTROLS = 16
BINARY_SAMPLE_CHARS = 65536
_BINARY_CONTROL = regex.compile(r"[\x00-\x08\x0e-\x1a\x1c-\x1f\x7f-\x9f]")  # not \t \n \v \f \r ESC


class InputError(CleanerError):
    """An input cannot be read or is not text; the message is one line, without the name."""


@dataclass(frozen=True, slots=True)
class Source:
    """One input: where it is read from and where its outputs go under an output folder."""

    name: str                  # as shown to the user: the path as named or found, or "<stdin>"
    path: Path | None          # None: standard input
    relative: Path             # its place under an output folder (mirrors the walked folder)
    real: Path | None = None   # the file behind it: a symlink's target, else the path itself

    @property
    def is_stdin(self) -> bool:
        """Whether the input is standard input."""
        return self.path is None

    @property
    def is_symlink(self) -> bool:
        """Whether the path as named is a symbolic link."""
        return self.path is not None and self.path.is_symlink()


@dataclass
class Found:
    """The inputs found for the paths named, and what was wrong or worth saying on the way."""

    sources: list[Source] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)     # "NAME: reason", each makes the exit status 2
    warnings: list[str] = field(default_factory=list)   # "NAME: note"


# ---------------------------------------------------------------- finding inputs
def find_sources(paths: Sequence[str]) -> Found:
    """Return the inputs of the paths: files as named, folders walked, `-` for stdin.

    A folder is walked recursively, in name order, for files ending in .txt, .text, .html or
    .htm; hidden files and folders are skipped and symlinked folders are not followed. A file
    named explicitly is taken whatever its name. The same file named twice is taken once.
    """
    found = Found()
    seen: dict[str, str] = {}
    for given in paths or [STDIN]:
        for source in _expand(given, found):
            key = "<stdin>" if source.is_stdin else os.path.realpath(source.path)
            if key in seen:
                found.warnings.append(f"{source.name}: the same file as {seen[key]}; cleaned once")
                continue
            seen[key] = source.name
            found.sources.append(source)
    return found


def _expand(given: str, found: Found) -> Iterable[Source]:
    if given == STDIN:
        yield Source("<stdin>", None, Path("stdin.txt"))
        return
    path = Path(given)
    if path.is_dir():
        yield from _walk(path, found)
        return
    if not path.exists():
        reason = "a broken symbolic link" if path.is_symlink() else "no such file or folder"
        found.errors.append(f"{given}: {reason}")
        return
    mode = path.stat().st_mode
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) or stat.S_ISSOCK(mode):
        found.errors.append(f"{given}: a device or socket, not a file")
        return
    yield Source(given, path, Path(path.name), Path(os.path.realpath(path)))


def _walk(folder: Path, found: Found) -> Iterable[Source]:
    def complain(exc: OSError) -> None:
        found.errors.append(f"{exc.filename}: cannot read the folder ({exc.strerror})")

    for top, dirs, files in os.walk(folder, onerror=complain):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if name.startswith(".") or not _has_suffix(name, WALKED_SUFFIXES):
                continue
            path = Path(top) / name
            yield Source(str(path), path, path.relative_to(folder), Path(os.path.realpath(path)))


def _has_suffix(name: str, suffixes: Iterable[str]) -> bool:
    lower = name.lower()
    return any(lower.endswith(suffix) for suffix in suffixes)


def is_html_name(name: str) -> bool:
    """Whether a file name says HTML (.html, .htm)."""
    return _has_suffix(name, HTML_SUFFIXES)


def is_jsonl_name(name: str) -> bool:
    """Whether a file name says JSON lines (.jsonl, .ndjson, possibly compressed)."""
    return _has_suffix(name, JSONL_SUFFIXES)


def looks_like_html(data: bytes) -> bool:
    """Whether a text's first bytes are an HTML document's (a doctype or an <html> tag)."""
    head = data[:1024].lstrip(codecs.BOM_UTF8).lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html"))


# ---------------------------------------------------------------- reading and decoding
def read_bytes(source: Source) -> bytes:
    """Return an input's bytes; raise InputError with the reason when it cannot be read."""
    if source.is_stdin:
        return sys.stdin.buffer.read()
    try:
        with open(source.path, "rb") as stream:
            return stream.read()
    except IsADirectoryError:
        raise InputError("a folder where a file was expected") from None
    except OSError as exc:
        raise InputError(f"cannot read ({exc.strerror or exc})") from None
    except MemoryError:
        raise InputError("too large to read into memory") from None


@dataclass(frozen=True, slots=True)
class Decoded:
    """An input's text and the encoding it was read in."""

    text: str         # starts with U+FEFF when the input had a byte-order mark
    encoding: str     # the codec used
    note: str | None = None   # what the user should know ("decoded as cp1252: not valid UTF-8 at byte 12")


def check_encoding(name: str) -> str:
    """Return a codec's canonical name ('auto' stays); raise CleanerError for an unknown one."""
    if name == "auto":
        return name
    try:
        return codecs.lookup(name).name
    except LookupError:
        raise CleanerError(f"--encoding: unknown encoding {name!r}; use {ENCODINGS_HELP}") from None


def refuse_binary(data: bytes, codec: str | None = None) -> None:
    """Raise InputError if the bytes are a known binary format or hold NUL bytes."""
    for magic, what in _MAGIC:
        if data.startswith(magic):
            raise InputError(f"binary file ({what}); not cleaned")
    wide = codec is not None and codec.replace("_", "-").startswith(("utf-16", "utf-32"))
    if not wide:
        nul = data.find(b"\x00")
        if nul >= 0:
            raise InputError(f"binary file (NUL byte at offset {nul}); not cleaned")


def decode_bytes(data: bytes, encoding: str = "auto", errors: str = "detect") -> Decoded:
    """Return the text of an input's bytes, or raise InputError naming the first bad byte.

    `encoding`: "auto" reads UTF-8 (UTF-16/32 when a byte-order mark says so), else the codec
    named. `errors`: what to do when the bytes are not valid in it (see ERRORS). Binary data
    (a known signature, NUL bytes, many control characters) is refused whatever the choice.
    """
    bom, codec = _bom(data)
    if encoding != "auto":
        named = check_encoding(encoding)
        if not (bom and _same_codec(named, codec)):  # a BOM of the named codec says its byte order
            bom, codec = b"", named
    refuse_binary(data, codec)
    body = data[len(bom):] if codec != "utf-8" else data  # UTF-8 keeps its BOM as U+FEFF
    mark = "\ufeff" if bom and codec != "utf-8" else ""
    try:
        decoded = Decoded(mark + body.decode(codec), codec)
    except UnicodeDecodeError as exc:
        decoded = _recover(data, body, mark, codec, exc, errors)
    _refuse_control(decoded.text)
    return decoded


def _bom(data: bytes) -> tuple[bytes, str]:
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return bom, codec
    return b"", "utf-8"


def _same_codec(a: str, b: str) -> bool:
    norm = lambda name: codecs.lookup(name).name.replace("-le", "").replace("-be", "")  # noqa: E731
    return norm(a) == norm(b)


def _recover(data: bytes, body: bytes, mark: str, codec: str, exc: UnicodeDecodeError, errors: str) -> Decoded:
    offset = exc.start + (len(data) - len(body))
    where = f"not valid {codec} at byte {offset} ({data[offset]:#04x})"
    if errors == "replace":
        return Decoded(mark + body.decode(codec, "replace"), codec, f"{where}; bad bytes replaced by U+FFFD")
    if errors == "strict":
        raise InputError(f"{where}; use --errors detect to guess its encoding or --errors replace") from None
    guess = _detect_encoding(data)
    if guess is None:
        raise InputError(f"{where}, and its encoding could not be detected; name it with --encoding "
                         f"or use --errors replace") from None
    try:
        return Decoded(data.decode(guess), guess, f"decoded as {guess} ({where})")
    except (UnicodeDecodeError, LookupError):
        raise InputError(f"{where}; it is not valid {guess} either; name its encoding with --encoding") from None


def _detect_encoding(data: bytes) -> str | None:
    """Return the likeliest encoding by charset_normalizer, the web's common ones first on a tie."""
    try:
        from charset_normalizer import from_bytes
    except ImportError:  # pragma: no cover - installed with trafilatura
        return None
    matches = list(from_bytes(data))
    if not matches:
        return None
    least = min(m.chaos for m in matches)
    candidates = []
    for order, match in enumerate(matches):
        if match.chaos > least + DETECT_CHAOS_TIE:
            continue
        for name in [match.encoding, *match.could_be_from_charset]:
            codec = _codec_name(name)
            if codec is not None:
                rank = WEB_ENCODINGS.index(codec) if codec in WEB_ENCODINGS else len(WEB_ENCODINGS)
                candidates.append((rank, order, codec))
    for _, _, codec in sorted(candidates):
        try:
            data.decode(codec)
        except (UnicodeDecodeError, LookupError):
            continue
        return codec
    return None


def _codec_name(name: str) -> str | None:
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def _refuse_control(text: str) -> None:
    sample = text[:BINARY_SAMPLE_CHARS]
    if not sample:
        return
    controls = len(_BINARY_CONTROL.findall(sample))
    if controls >= BINARY_MIN_CONTROLS and controls > BINARY_MAX_CONTROL_SHARE * len(sample):
        raise InputError(f"binary file ({controls / len(sample):.0%} control characters); not cleaned")


# ---------------------------------------------------------------- writing whole files
def is_read_only(path: Path) -> bool:
    """Whether a file or folder may not be written: no write permission bit, or no access."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return False
    needed = os.W_OK | (os.X_OK if stat.S_ISDIR(mode) else 0)
    return not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH) or not os.access(path, needed)


class Writer:
    """Replace files whole: a temporary file beside the target, fsynced, renamed over it.

    Before its first write into a folder, the Writer removes the temporary files that earlier
    cleaner runs left there when they were killed (recognised by name and a dead process id).
    """

    def __init__(self) -> None:
        self._swept: set[Path] = set()

    def write(self, target: Path, data: bytes, *, backup_suffix: str | None = None) -> None:
        """Put `data` at `target` atomically, keeping an existing file's mode (and a backup)."""
        folder = target.parent
        self.sweep(folder)
        try:
            old_mode = stat.S_IMODE(target.stat().st_mode)
        except FileNotFoundError:
            old_mode = None
        tmp = _create_temp(folder, target.name)
        try:
            with open(tmp, "wb") as stream:
                stream.write(data)
                stream.flush()
                os.fsync(stream.fileno())
            if old_mode is not None:
                os.chmod(tmp, old_mode)
            if backup_suffix and old_mode is not None:
                _keep_backup(target, target.with_name(target.name + backup_suffix))
            os.replace(tmp, target)
        except BaseException:
            _unlink_quietly(tmp)
            raise
        _fsync_folder(folder)

    def sweep(self, folder: Path) -> None:
        """Remove stale temporary files of cleaner's own pattern from a folder (once per run)."""
        folder = folder.resolve()
        if folder in self._swept:
            return
        self._swept.add(folder)
        try:
            names = os.listdir(folder)
        except OSError:
            return
        for name in names:
            m = _TMP_NAME.match(name)
            if m and not _process_alive(int(m.group(1))):
                _unlink_quietly(folder / name)


def temp_name(name: str) -> str:
    """Return a fresh temporary name for a file called `name`."""
    return f".{name}{TMP_MARK}{os.getpid()}-{secrets.token_hex(4)}"


def _create_temp(folder: Path, name: str) -> Path:
    while True:
        tmp = folder / temp_name(name)
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)  # the umask applies
        except FileExistsError:
            continue
        os.close(fd)
        return tmp


def _keep_backup(target: Path, backup: Path) -> None:
    """Make `backup` a copy of `target` (a hard link where possible), replacing it whole."""
    tmp = backup.parent / temp_name(backup.name)
    try:
        try:
            os.link(target, tmp)
        except OSError:
            shutil.copy2(target, tmp)
        os.replace(tmp, backup)
    except BaseException:
        _unlink_quietly(tmp)
        raise


def _fsync_folder(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _process_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True
    return True


def _unlink_quietly(path: Path) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass
