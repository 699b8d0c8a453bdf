"""What a grading's verdicts were decided from, kept so one check can be judged again without its code.

A grading's verdicts come from three things (`judge.verdicts`): the grader's own manifest (what
was found, the edition, the result slots), what the sandbox reported per check (which can only
fail a check: an error, a timeout, a death) and the records the sandboxed checks wrote. Kept as
`OUT/<id>/evidence/` by a class run, they let `ee449 rescore --rejudge` run the current judge
over them: a fixed verdict reaches a whole class in seconds, no student code runs again.

The records stay what they were: bytes a student's process wrote. They are copied here only as
regular files read without following links and within a size cap, and judged again through the
same validating reader (`records.load_record`) as when they were made.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ee449.grading.judging.records import MAX_RECORD_BYTES
from ee449.grading.sandbox.output_folder import OutputFolder
from ee449.grading.sandbox.progress_log import Outcome
from ee449.grading.sandboxed.checks.manifest import Manifest
from ee449.io import atomic_write_bytes, write_json

FOLDER = "evidence"
RECORDS = "records"
MAX_FILES = 4000  # a record per check, and its arrays: a few hundred in a grading
MAX_BYTES = (
    64 * 2**20
)  # all records together (one record's own cap); a grading whose records are larger keeps none
_RECORD_FILE = re.compile(
    r"^[0-9a-f]{24}(\.json|\.[a-z][a-z0-9_]{0,40}\.npy)$"
)  # `records` names, nothing else


@dataclass(frozen=True)
class Evidence:
    manifest: Manifest  # the grader's manifest of the grading (its own, never the sandbox's copy)
    said: list[Outcome]  # what the sandbox reported per check
    records: dict[str, bytes] = field(default_factory=dict)  # file name -> bytes, as the sandbox left them
    complete: bool = True  # False: the records were over MAX_BYTES and are not kept


def collect(records: OutputFolder, manifest: Manifest, said: list[Outcome]) -> Evidence:
    """The evidence of one grading, read from its sandbox's records folder before the sandbox goes."""
    kept: dict[str, bytes] = {}
    total = 0
    for name in records.names(MAX_FILES):
        data = records.read(name, MAX_RECORD_BYTES) if _RECORD_FILE.match(name) else None
        if data is None:  # not a record's name, or too large to be read as one: judging ignores it too
            continue
        total += len(data)
        if total > MAX_BYTES:
            return Evidence(manifest, list(said), {}, complete=False)
        kept[name] = data
    return Evidence(manifest, list(said), kept)


def write(evidence: Evidence, folder: Path) -> None:
    """`folder`/evidence/: manifest.json, said.json and records/ (the grader writes every file)."""
    target = folder / FOLDER
    (target / RECORDS).mkdir(parents=True, exist_ok=True)
    for name, data in evidence.records.items():
        atomic_write_bytes(target / RECORDS / name, data)
    write_json(target / "said.json", [asdict(o) for o in evidence.said])
    write_json(
        target / "manifest.json", {"manifest": evidence.manifest.to_json(), "complete": evidence.complete}
    )


def load(folder: Path) -> tuple[Manifest, list[Outcome], OutputFolder] | None:
    """(manifest, what the sandbox said, the records folder) kept in `folder`, or None when there are none."""
    target = folder / FOLDER
    try:
        kept = json.loads((target / "manifest.json").read_text(encoding="utf-8"))
        said = [Outcome(**o) for o in json.loads((target / "said.json").read_text(encoding="utf-8"))]
    except (OSError, ValueError, TypeError):
        return None
    if not isinstance(kept, dict) or not kept.get("complete") or not isinstance(kept.get("manifest"), dict):
        return None
    try:
        manifest = Manifest.from_json(kept["manifest"])
    except (KeyError, TypeError, ValueError):  # not a manifest this version can read: judged afresh
        return None
    return manifest, said, OutputFolder(target, RECORDS)
