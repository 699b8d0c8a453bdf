"""Unpack a submitted .zip safely, with a one-line error naming the problem for every bad archive."""

from __future__ import annotations

import shutil
import zipfile
import zlib
from pathlib import Path, PurePosixPath

from ee449.errors import SubmissionError

MAX_ZIP_BYTES = 200 * 1024 * 1024  # uncompressed; a submission is code and a few result files
_SYMLINK = 0o120000


def _checked_names(archive: Path, members: list[zipfile.ZipInfo]) -> None:
    """Refuse what would unpack outside the folder, encrypted members and a file also used as a folder."""
    files: set[str] = set()
    folders: set[str] = set()
    for member in members:
        name = member.filename.replace("\\", "/")
        parts = PurePosixPath(name).parts
        if name.startswith("/") or ".." in parts or (parts and ":" in parts[0]):
            raise SubmissionError(f"{archive.name} has an unsafe path {member.filename!r}")
        if member.flag_bits & 0x1:
            raise SubmissionError(
                f"{archive.name} is password-protected ({member.filename!r}): submit a zip without a password"
            )
        folders.update("/".join(parts[:i]) for i in range(1, len(parts)))
        if not member.is_dir():
            files.add("/".join(parts))
    clash = sorted(files & folders)
    if clash:
        raise SubmissionError(
            f"{archive.name} holds {clash[0]!r} both as a file and as a folder: rename one and zip again"
        )


def safe_extract_zip(archive: Path, target: Path) -> Path:
    """Extract `archive` into `target`, refusing absolute paths, '..', links, encryption and zip bombs."""
    try:
        with zipfile.ZipFile(archive) as zf:
            members = zf.infolist()
            if sum(m.file_size for m in members) > MAX_ZIP_BYTES:
                raise SubmissionError(f"{archive.name} unpacks to more than {MAX_ZIP_BYTES // 2**20} MB")
            _checked_names(archive, members)
            root = target.resolve()
            for member in members:
                destination = (root / member.filename.replace("\\", "/")).resolve()
                if not destination.is_relative_to(root):
                    raise SubmissionError(f"{archive.name} has an unsafe path {member.filename!r}")
                if (member.external_attr >> 16) & 0o170000 == _SYMLINK:
                    continue  # a symlink: skipped, never followed
                if member.is_dir():
                    destination.mkdir(parents=True, exist_ok=True)
                    continue
                destination.parent.mkdir(parents=True, exist_ok=True)
                _copy_member(archive, zf, member, destination)
    except zipfile.BadZipFile:
        raise SubmissionError(f"{archive.name} is not a valid zip file") from None
    except (EOFError, zlib.error) as error:
        raise SubmissionError(f"{archive.name} is damaged: {error}") from None
    except OSError as error:
        raise SubmissionError(f"{archive.name} could not be unpacked: {error.strerror or error}") from None
    entries = [p for p in target.iterdir() if p.name != "__MACOSX"]
    # A zip of a folder holds one top folder: grade what is inside it.
    return entries[0] if len(entries) == 1 and entries[0].is_dir() else target


def _copy_member(archive: Path, zf: zipfile.ZipFile, member: zipfile.ZipInfo, destination: Path) -> None:
    try:
        with zf.open(member) as source, open(destination, "wb") as out:
            shutil.copyfileobj(source, out)
    except NotImplementedError:
        method = member.compress_type
        raise SubmissionError(
            f"{archive.name} uses a compression method this grader cannot read (method {method}, "
            f"{member.filename!r}): zip it again with the default (deflate) compression"
        ) from None
    except RuntimeError as error:  # zipfile's "password required" and similar
        raise SubmissionError(
            f"{archive.name} could not be unpacked ({member.filename!r}): {error}"
        ) from None
