"""A check's record: what the sandboxed process wrote for it, read back without trusting it.

Records are JSON and .npy files (no pickles) under the sandbox's `out/records/`, named by a digest
of the check id; each is read without following links, checked for type and shape, and bounded in
size. `Context` is what a verdict needs besides its record."""

from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass
from typing import Callable, TypeVar

import numpy as np

from ee449.editions import available
from ee449.grading.judging.diagnose import Diagnosis
from ee449.grading.sandbox.output_folder import OutputFolder
from ee449.grading.sandboxed.checks.manifest import Manifest, Slot
from ee449.grading.sandboxed.checks.protocol import record_name
from ee449.spec import DEFAULT_HOMEWORK

MAX_RECORD_BYTES = 64 * 2**20  # a record is a few arrays of a few hundred numbers, or one result file
MAX_ARRAY_DIMS = 8

T = TypeVar("T")  # the type a record value is checked to have


_NAME = re.compile(r"^[a-z][a-z0-9_]{0,40}$")


class Malformed(ValueError):
    """A record that is not what the sandbox-side check writes: the check fails."""


@dataclass(frozen=True)
class Record:
    values: dict[str, object]

    def array(self, name: str) -> np.ndarray:
        value = self.values.get(name)
        if not isinstance(value, np.ndarray):
            raise Malformed(f"no array {name!r}")
        return value

    def get(self, name: str, kind: type[T]) -> T:
        value = self.values.get(name)
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise Malformed(f"{name!r} is not a {kind.__name__}")
        return value

    def strings(self, name: str) -> list[str]:
        value = self.values.get(name)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise Malformed(f"{name!r} is not a list of strings")
        return value


def _array(raw: bytes) -> np.ndarray:
    try:
        array = np.load(io.BytesIO(raw), allow_pickle=False)
    except (ValueError, OSError, EOFError) as error:
        raise Malformed(f"not a plain .npy array ({error})") from None
    if not isinstance(array, np.ndarray) or array.dtype.kind not in "biuf" or array.ndim > MAX_ARRAY_DIMS:
        raise Malformed("not an array of numbers")
    return array


def load_record(records: OutputFolder, check_id: str) -> Record | None:
    """The record the sandbox wrote for `check_id`, validated; None when there is none or it is malformed."""
    stem = record_name(check_id)
    raw = records.read(f"{stem}.json", MAX_RECORD_BYTES)
    if raw is None:
        return None
    try:
        data = json.loads(raw.decode("utf-8"))
        if (
            not isinstance(data, dict)
            or data.get("id") != check_id
            or not isinstance(data.get("values"), dict)
        ):
            return None
        values: dict[str, object] = {}
        for name, value in data["values"].items():
            if not isinstance(name, str) or not _NAME.match(name):
                return None
            if isinstance(value, dict) and set(value) == {"__npy__"}:
                array = records.read(f"{stem}.{name}.npy", MAX_RECORD_BYTES)
                if array is None:
                    return None
                value = _array(array)
            values[name] = value
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None
    return Record(values)


@dataclass(frozen=True)
class Context:
    """What the verdicts need besides the record: the manifest and the trusted references."""

    manifest: Manifest
    references: Callable[[], dict[str, dict]]
    record: Callable[[str], Record | None] = lambda check_id: None  # another check's record

    def name(self, key: str) -> str:
        return self.manifest.name(key)

    @property
    def homework(self) -> int:
        """The graded edition's year: the manifest's, 2023 when it says none or nonsense."""
        year = self.manifest.homework
        return (
            year
            if isinstance(year, int) and not isinstance(year, bool) and year in available()
            else DEFAULT_HOMEWORK
        )

    def slot(self, slot: str) -> Slot:
        found = self.manifest.slot(slot)
        if found is None:
            raise Malformed(f"no result slot {slot} in the grading's manifest")
        return found


Verdict = tuple[bool, str, list[Diagnosis]]
