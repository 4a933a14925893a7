"""files.py: finding inputs, decoding bytes, and replacing files whole."""
from __future__ import annotations

import codecs
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from cleaner import files
from cleaner.files import InputError, Writer, decode_bytes, find_sources


def write(path: Path, data: bytes | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


# ---------------------------------------------------------------- finding inputs
def test_a_folder_is_walked_for_text_and_html_files_in_name_order(tmp_path):
    for name in ["b.txt", "a.html", "sub/c.text", "sub/d.htm", "e.md", "f.json", "G.TXT"]:
        write(tmp_path / name, "x")
    found = find_sources([str(tmp_path)])
    assert [s.relative.as_posix() for s in found.sources] == ["G.TXT", "a.html", "b.txt", "sub/c.text", "sub/d.htm"]
    assert not found.errors


def test_hidden_files_and_folders_are_skipped_when_walking(tmp_path):
    write(tmp_path / ".hidden.txt", "x")
    write(tmp_path / ".git" / "a.txt", "x")
    write(tmp_path / "seen.txt", "x")
    assert [s.relative.name for s in find_sources([str(tmp_path)]).sources] == ["seen.txt"]


def test_a_file_named_explicitly_is_taken_whatever_its_name(tmp_path):
    path = write(tmp_path / ".notes.md", "x")
    assert [s.path for s in find_sources([str(path)]).sources] == [path]


def test_a_missing_path_is_an_error_naming_it(tmp_path):
    found = find_sources([str(tmp_path / "nope.txt")])
    assert found.sources == []
    assert found.errors == [f"{tmp_path / 'nope.txt'}: no such file or folder"]


def test_a_broken_symlink_is_named_as_such(tmp_path):
    (tmp_path / "dangling.txt").symlink_to(tmp_path / "gone.txt")
    assert "broken symbolic link" in find_sources([str(tmp_path / "dangling.txt")]).errors[0]


def test_the_same_file_named_twice_is_taken_once_with_a_warning(tmp_path):
    path = write(tmp_path / "a.txt", "x")
    found = find_sources([str(path), str(tmp_path / "." / "a.txt"), str(tmp_path)])
    assert len(found.sources) == 1
    assert len(found.warnings) == 2 and "cleaned once" in found.warnings[0]


def test_a_symlink_and_its_target_count_as_the_same_file(tmp_path):
    target = write(tmp_path / "real.txt", "x")
    (tmp_path / "link.txt").symlink_to(target)
    found = find_sources([str(tmp_path / "link.txt"), str(target)])
    assert len(found.sources) == 1
    assert found.sources[0].is_symlink and found.sources[0].real == target.resolve()


def test_no_path_means_standard_input():
    found = find_sources([])
    assert [s.is_stdin for s in found.sources] == [True]


# ---------------------------------------------------------------- decoding
def test_nul_bytes_are_refused_as_binary_naming_the_offset():
    with pytest.raises(InputError, match=r"binary file \(NUL byte at offset 5\)"):
        decode_bytes(b"hello\x00world")


def test_a_known_binary_signature_is_refused():
    with pytest.raises(InputError, match="PNG image"):
        decode_bytes(b"\x89PNG\r\n\x1a\n" + b"rest")


def test_text_full_of_control_characters_is_refused_as_binary():
    with pytest.raises(InputError, match="control characters"):
        decode_bytes(bytes(range(1, 9)) * 50 + b"some text")


def test_invalid_utf8_is_refused_with_its_byte_offset_under_strict():
    with pytest.raises(InputError, match=r"not valid utf-8 at byte 3 \(0xe9\)"):
        decode_bytes(b"Caf\xe9 au lait", errors="strict")


def test_invalid_utf8_is_replaced_under_replace():
    decoded = decode_bytes(b"Caf\xe9 au lait", errors="replace")
    assert decoded.text == "Caf\ufffd au lait"
    assert "replaced" in decoded.note


def test_invalid_utf8_is_decoded_by_detection_by_default():
    data = "Le café était très bon, déjà vu à Paris.\n".encode("cp1252")
    decoded = decode_bytes(data)
    assert decoded.text == "Le café était très bon, déjà vu à Paris.\n"
    assert decoded.encoding == "cp1252" and "decoded as cp1252" in decoded.note


def test_a_named_encoding_is_used():
    assert decode_bytes("Привет".encode("koi8-r"), encoding="koi8-r").text == "Привет"


def test_an_unknown_encoding_name_is_a_clear_error():
    with pytest.raises(Exception, match="unknown encoding 'nope'"):
        decode_bytes(b"x", encoding="nope")


def test_a_utf8_bom_is_kept_as_a_leading_feff():
    assert decode_bytes(codecs.BOM_UTF8 + b"hi").text == "\ufeffhi"


def test_utf16_with_a_bom_is_decoded_despite_its_nul_bytes():
    decoded = decode_bytes(codecs.BOM_UTF16_BE + "Grüße\n".encode("utf-16-be"))
    assert decoded.text == "\ufeffGrüße\n"


def test_an_empty_file_decodes_to_empty_text():
    assert decode_bytes(b"").text == ""


# ---------------------------------------------------------------- writing whole files
def test_a_write_replaces_the_file_and_leaves_no_temporary_file(tmp_path):
    target = write(tmp_path / "a.txt", "old")
    Writer().write(target, b"new")
    assert target.read_bytes() == b"new"
    assert os.listdir(tmp_path) == ["a.txt"]


def test_a_write_keeps_the_file_mode(tmp_path):
    target = write(tmp_path / "a.txt", "old")
    target.chmod(0o640)
    Writer().write(target, b"new")
    assert stat.S_IMODE(target.stat().st_mode) == 0o640


def test_a_new_file_gets_the_usual_mode_not_a_private_one(tmp_path):
    umask = os.umask(0o022)
    os.umask(umask)
    Writer().write(tmp_path / "new.txt", b"x")
    assert stat.S_IMODE((tmp_path / "new.txt").stat().st_mode) == 0o666 & ~umask


def test_a_backup_keeps_the_original_bytes_and_mode(tmp_path):
    target = write(tmp_path / "a.txt", "original")
    target.chmod(0o600)
    Writer().write(target, b"cleaned", backup_suffix=".orig")
    assert target.read_bytes() == b"cleaned"
    assert (tmp_path / "a.txt.orig").read_bytes() == b"original"
    assert stat.S_IMODE((tmp_path / "a.txt.orig").stat().st_mode) == 0o600


def test_a_failed_rename_keeps_the_original_and_removes_the_temporary_file(tmp_path, monkeypatch):
    target = write(tmp_path / "a.txt", "original")

    def refuse(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files.os, "replace", refuse)
    with pytest.raises(OSError):
        Writer().write(target, b"cleaned")
    assert target.read_bytes() == b"original"
    assert os.listdir(tmp_path) == ["a.txt"]


def test_temporary_files_are_named_recognisably_beside_their_target():
    name = files.temp_name("page.txt")
    assert name.startswith(".page.txt.cleaner-tmp-") and files._TMP_NAME.match(name)


def test_stale_temporary_files_of_dead_processes_are_removed_before_writing(tmp_path):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    stale = write(tmp_path / f".a.txt.cleaner-tmp-{int(dead.stdout)}-0123abcd", "half")
    other = write(tmp_path / ".a.txt.somebody-elses-tmp", "keep")
    Writer().write(tmp_path / "b.txt", b"x")
    assert not stale.exists()
    assert other.exists()


def test_temporary_files_of_live_processes_are_left_alone(tmp_path):
    live = write(tmp_path / f".a.txt.cleaner-tmp-{os.getppid()}-0123abcd", "in progress")
    Writer().write(tmp_path / "b.txt", b"x")
    assert live.exists()


def test_a_file_without_write_permission_counts_as_read_only_even_for_root(tmp_path):
    target = write(tmp_path / "a.txt", "x")
    target.chmod(0o444)
    assert files.is_read_only(target)
    target.chmod(0o644)
    assert not files.is_read_only(target)


def test_a_folder_without_write_permission_counts_as_read_only(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        assert files.is_read_only(folder)
    finally:
        folder.chmod(0o755)


def test_a_device_is_refused_as_not_a_file():
    found = find_sources(["/dev/null"])
    assert found.sources == [] and found.errors == ["/dev/null: a device or socket, not a file"]
