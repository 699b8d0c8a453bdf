"""Gradescope's submission_metadata.json: who submitted, when, and how late, carried into results.json.

Gradescope writes it beside the submission for every run (https://gradescope-autograders.readthedocs.io/en/latest/submission_metadata/):
`id` (the submission), `created_at`, `assignment.due_date` / `late_due_date`, and `users`
(name, email, sid). ee449 reports lateness; it never deducts for it (Gradescope's own late
policy, or the course's, does that).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

from ee449.grading.intake.roster import identity_from_metadata, safe_id
from ee449.io import write_json

MAX_BYTES = 1 << 20


@dataclass(frozen=True)
class SubmissionInfo:
    student_id: str
    name: str
    submission_id: str
    created_at: str
    due_date: str
    lateness_s: float  # seconds after the due date, 0 when on time
    late: bool


def _time(value: object) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def read_submission_metadata(path: Path) -> SubmissionInfo:
    """The submission's identity and lateness; raises ValueError naming what is wrong with the file."""
    try:
        data = json.loads(path.read_bytes()[:MAX_BYTES].decode("utf-8"))
    except (OSError, ValueError, UnicodeDecodeError) as error:
        raise ValueError(f"--submission-metadata {path} cannot be read as JSON ({error})") from None
    identity = identity_from_metadata(data)
    if identity is None:
        raise ValueError(f"--submission-metadata {path} names no submitter (users[0].sid/email) and no id")
    assignment = data.get("assignment") if isinstance(data.get("assignment"), dict) else {}
    created, due = _time(data.get("created_at")), _time(assignment.get("due_date"))
    lateness = max(0.0, (created - due).total_seconds()) if created and due else 0.0
    return SubmissionInfo(
        student_id=safe_id(identity[0]),
        name=identity[1],
        submission_id=str(data.get("id", "")),
        created_at=str(data.get("created_at", "")),
        due_date=str(assignment.get("due_date", "") or ""),
        lateness_s=lateness,
        late=lateness > 0,
    )


def add_to_results(results_json: Path, info: SubmissionInfo) -> None:
    """results.json's extra_data gets the submission's identity and lateness (Gradescope keeps extra_data)."""
    payload = json.loads(results_json.read_text(encoding="utf-8"))
    payload.setdefault("extra_data", {})["submission"] = asdict(info)
    write_json(results_json, payload)
