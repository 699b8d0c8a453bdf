"""A check's record written as the sandbox writes it (`checks.support.record`), for the judge's tests."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from ee449.grading.judging.records import record_name


def write_record(folder: Path, check_id: str, values: dict, arrays: dict | None = None) -> None:
    """`values` as the record's JSON, `arrays` as .npy beside it (pickles allowed: a forger's may hold them)."""
    stem = record_name(check_id)
    for name, array in (arrays or {}).items():
        np.save(folder / f"{stem}.{name}.npy", array, allow_pickle=True)
        values[name] = {"__npy__": True}
    (folder / f"{stem}.json").write_text(json.dumps({"id": check_id, "values": values}))
