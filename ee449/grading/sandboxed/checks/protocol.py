"""What both sides of the sandbox agree on: how a check's record file is named, what a diagnosis is.

Imported by the sandbox-side checks and by the grader's `records`; it imports nothing of ee449, so
the sandbox needs no grader module to use it (`sandbox.lib`)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass


def record_name(check_id: str) -> str:
    """The file stem a check's record has: a digest, so no check id becomes a path."""
    return hashlib.sha256(check_id.encode("utf-8")).hexdigest()[:24]


@dataclass(frozen=True)
class Diagnosis:
    """A diagnosis, on both sides of the sandbox (`diagnose.Diagnosis` is this class)."""

    code: str
    sentence: str
