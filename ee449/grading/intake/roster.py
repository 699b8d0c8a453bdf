"""Who each submission in a class folder belongs to: a unique id per student, never two sharing one.

An id comes, first found first, from a roster CSV the course gives (`--roster`: columns `entry`,
the file or folder name in the class folder, and `id`, optionally `name`), from a Gradescope
`submission_metadata.json` inside the submission (the submitter's `sid`, else their email, else
the submission id), or from the entry's own name. Ids are made safe as folder names (the outputs
go to OUT/<id>/); two entries that would share one (`dup/` beside `dup.zip`, or two Gradescope
submissions of one student, or `Dup/` beside `dup/`: ids are compared without case) are told apart
by the entry's full name, then by a counter, and the notes say so: nothing is ever written over
another student's outputs, on any file system.
"""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass
from pathlib import Path

METADATA = "submission_metadata.json"  # Gradescope's, per submission
SUBMISSION_SUFFIXES = {".zip", ".pdf"}
MAX_METADATA_BYTES = 1 << 20


@dataclass(frozen=True)
class Submission:
    id: str  # unique in the class, safe as a folder name
    path: Path
    name: str = ""  # the student's name, where the roster or metadata gives one
    source: str = "path"  # where the id came from: "roster", "metadata" or "path"


def entries(folder: Path) -> list[Path]:
    """The submissions of a class folder: each subfolder, .zip or .pdf, sorted by name."""
    return [
        p
        for p in sorted(folder.iterdir())
        if not p.name.startswith((".", "__")) and (p.is_dir() or p.suffix.lower() in SUBMISSION_SUFFIXES)
    ]


def safe_id(text: str) -> str:
    """`text` as a folder name: letters, digits, `.`, `_`, `-`, `@`; never empty, never `.`/`..`."""
    cleaned = re.sub(r"[^A-Za-z0-9._@-]+", "_", text.strip()).strip("._") or "student"
    return cleaned[:80]


def read_roster(path: Path) -> dict[str, tuple[str, str]]:
    """{entry name: (id, name)} from a roster CSV with the columns `entry` and `id` (and `name`)."""
    if not path.is_file():
        raise ValueError(f"--roster {path} is not a file")
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        columns = set(reader.fieldnames or [])
        if not {"entry", "id"} <= columns:
            raise ValueError(
                f"--roster {path} needs the columns 'entry' (a file or folder name in the class folder) "
                f"and 'id'; it has {sorted(columns)}"
            )
        roster: dict[str, tuple[str, str]] = {}
        for line, row in enumerate(reader, start=2):
            entry, student = (row.get("entry") or "").strip(), (row.get("id") or "").strip()
            if not entry or not student:
                raise ValueError(f"--roster {path}, line {line}: 'entry' and 'id' must not be empty")
            if entry in roster:
                raise ValueError(f"--roster {path}, line {line}: entry {entry!r} is listed twice")
            roster[entry] = (student, (row.get("name") or "").strip())
    return roster


def metadata_identity(entry: Path) -> tuple[str, str] | None:
    """(id, name) from a Gradescope submission_metadata.json inside a submission folder, if it has one."""
    path = entry / METADATA
    if not entry.is_dir() or not path.is_file() or path.is_symlink():
        return None
    try:
        data = json.loads(path.read_bytes()[:MAX_METADATA_BYTES].decode("utf-8"))
    except (ValueError, UnicodeDecodeError, OSError):
        return None
    return identity_from_metadata(data)


def identity_from_metadata(data: object) -> tuple[str, str] | None:
    """(id, name) of the (first) submitter in Gradescope's metadata: sid, else email, else the submission id."""
    if not isinstance(data, dict):
        return None
    users = data.get("users")
    user = users[0] if isinstance(users, list) and users and isinstance(users[0], dict) else {}
    for candidate in (user.get("sid"), user.get("email"), data.get("id")):
        if isinstance(candidate, (str, int)) and not isinstance(candidate, bool) and str(candidate).strip():
            name = user.get("name")
            return str(candidate), name if isinstance(name, str) else ""
    return None


def _base(entry: Path, roster: dict[str, tuple[str, str]]) -> tuple[str, str, str]:
    if entry.name in roster:
        student, name = roster[entry.name]
        return student, name, "roster"
    found = metadata_identity(entry)
    if found is not None:
        return found[0], found[1], "metadata"
    return (entry.stem if entry.is_file() else entry.name), "", "path"


def class_roster(folder: Path, roster: Path | None = None) -> tuple[list[Submission], list[str]]:
    """Every submission in `folder` with a unique id, and a note for each id that had to be told apart."""
    listed = read_roster(roster) if roster is not None else {}
    found = entries(folder)
    unknown = sorted(set(listed) - {e.name for e in found})
    if unknown:
        raise ValueError(f"--roster {roster} names entries not in {folder}: {', '.join(unknown[:5])}")
    bases = [(entry, *_base(entry, listed)) for entry in found]
    # Ids are compared without case: OUT/Dup and OUT/dup are one folder on a case-insensitive
    # file system (macOS, Windows), where one student's outputs would overwrite the other's.
    counts: dict[str, int] = {}
    for _, student, _, _ in bases:
        key = safe_id(student).casefold()
        counts[key] = counts.get(key, 0) + 1
    taken: set[str] = set()
    submissions, notes = [], []
    for entry, student, name, source in bases:
        wanted = safe_id(student)
        if counts[wanted.casefold()] == 1:
            unique = wanted
        else:  # `dup/` and `dup.zip` become `dup` and `dup.zip`; one sid twice, `sid_<entry>`
            unique = safe_id(entry.name) if source == "path" else safe_id(f"{wanted}_{entry.name}")
        n = 2
        while unique.casefold() in taken:
            unique, n = safe_id(f"{wanted}_{entry.name}_{n}"), n + 1
        taken.add(unique.casefold())
        if unique != wanted:
            notes.append(
                f"{entry.name}: id {wanted!r} is shared with another submission; graded as {unique!r}"
            )
        submissions.append(Submission(unique, entry, name, source))
    return submissions, notes


def looks_like_a_class(folder: Path) -> str:
    """Why `folder`, given as one submission, looks like a folder of students ('' when it does not)."""
    if not folder.is_dir():
        return ""
    children = entries(folder)
    archives = [c.name for c in children if c.is_file() and c.suffix.lower() == ".zip"]
    pdfs = [c.name for c in children if c.is_file() and c.suffix.lower() == ".pdf"]
    with_metadata = [c.name for c in children if c.is_dir() and (c / METADATA).is_file()]
    with_conv = [c.name for c in children if c.is_dir() and _defines_conv(c)]
    for what, names in (
        ("zip files", archives),
        ("PDF reports", pdfs),
        ("Gradescope submissions", with_metadata),
        ("subfolders that each define my_conv2d", with_conv),
    ):
        if len(names) >= 2:
            return f"it holds {len(names)} {what} ({', '.join(names[:3])}{', ...' if len(names) > 3 else ''})"
    return ""


def _defines_conv(folder: Path, limit: int = 200) -> bool:
    """Whether some code file below `folder` (the first `limit`) defines my_conv2d, by its text."""
    files = [p for p in folder.rglob("*") if p.suffix in {".py", ".ipynb"} and p.is_file()][:limit]
    for path in files:
        try:
            if "def my_conv2d" in path.read_text(encoding="utf-8", errors="replace"):
                return True
        except OSError:
            continue
    return False
