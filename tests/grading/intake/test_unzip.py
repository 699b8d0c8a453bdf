"""Every bad archive gets a one-line error naming it and what is wrong (`ee449.grading.intake.unzip`)."""

from __future__ import annotations

import struct
import zipfile

import pytest

from ee449.errors import SubmissionError
from ee449.grading.intake.unzip import safe_extract_zip


def _zip(path, **members: str):
    with zipfile.ZipFile(path, "w") as zf:
        for name, text in members.items():
            zf.writestr(name.replace("__", "/"), text)
    return path


def _set_method(path, method: int) -> None:
    """Rewrite every member's compression method in the local and central headers."""
    data = bytearray(path.read_bytes())
    for signature, offset in ((b"PK\x03\x04", 8), (b"PK\x01\x02", 10)):
        start = data.find(signature)
        while start != -1:
            struct.pack_into("<H", data, start + offset, method)
            start = data.find(signature, start + 4)
    path.write_bytes(bytes(data))


def _set_encrypted(path) -> None:
    data = bytearray(path.read_bytes())
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        start = data.find(signature)
        while start != -1:
            flags = struct.unpack_from("<H", data, start + offset)[0]
            struct.pack_into("<H", data, start + offset, flags | 0x1)
            start = data.find(signature, start + 4)
    path.write_bytes(bytes(data))


def test_a_password_protected_zip_is_named_as_such(tmp_path):
    archive = _zip(tmp_path / "locked.zip", hw1__py="x = 1\n")
    _set_encrypted(archive)
    with pytest.raises(SubmissionError, match="password-protected"):
        safe_extract_zip(archive, tmp_path / "out")


def test_an_unsupported_compression_method_is_named_with_the_fix(tmp_path):
    archive = _zip(tmp_path / "odd.zip", **{"hw1.py": "x = 1\n"})
    _set_method(archive, 99)  # AES, which zipfile cannot read
    with pytest.raises(SubmissionError, match=r"compression method .*\(method 99"):
        safe_extract_zip(archive, tmp_path / "out")


def test_a_name_used_as_file_and_folder_is_named_without_a_grader_path(tmp_path):
    archive = _zip(tmp_path / "clash.zip", x="1", x__y__py="2")
    (tmp_path / "out").mkdir()
    with pytest.raises(SubmissionError) as raised:
        safe_extract_zip(archive, tmp_path / "out")
    assert "'x' both as a file and as a folder" in str(raised.value)
    assert str(tmp_path) not in str(raised.value)


def test_a_corrupt_zip_is_named(tmp_path):
    archive = tmp_path / "broken.zip"
    archive.write_bytes(b"PK\x03\x04 not really")
    with pytest.raises(SubmissionError, match="broken.zip is not a valid zip file"):
        safe_extract_zip(archive, tmp_path / "out")
