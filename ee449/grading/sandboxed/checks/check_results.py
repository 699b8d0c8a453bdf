"""Sandbox side of the result-file checks, one fixed set per slot (`part3_<arch>`, `part4_<arch>`, `part5`).

Each check loads its slot's file (unpickling runs code: only here) and records its contents as
plain data; the grader judges them in its own process (`judge`).

The grader fills the slots by content (`resultfiles`); a slot no file fills fails its checks
with "not found", so every submission has the same checks. Pickles are loaded here, in the
sandbox: unpickling runs code. Curve lengths are checked
against the recording rule (one point every 10 steps, batch 50) for the part's epochs (15 for
Parts 3 and 4, 20 for Part 5) and any training-set size from 40,000 to 50,000 images.
Accuracy bands for Part 3's test accuracy (percent): MLPs 25-55, CNNs 40-80, wide enough for
every run peers reported (MLPs about 40, CNNs 58-66) and narrow enough to catch a model that
never trained (10) or a fraction written as a percent.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ee449.grading.sandboxed.checks.rules import not_found
from ee449.grading.sandboxed.checks.support import manifest, record, registered
from ee449.grading.sandboxed.peek import load as peek_load

INFO = {s.slot: s for s in manifest().result_files}
_CACHE: dict[str, dict] = {}


def _file(slot: str) -> str:
    """The file filling `slot`, or a failed check saying no file was found for it."""
    file = INFO[slot].file
    if file is None:
        pytest.fail(not_found(INFO[slot].part, INFO[slot].arch), pytrace=False)
    return file


def _plain(value: object) -> object:
    if hasattr(value, "detach"):
        value = value.detach().cpu().numpy()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


def load(slot: str) -> dict:
    file = _file(slot)
    if file not in _CACHE:
        path = Path(manifest().work) / file
        try:
            data = peek_load(path)[1]
        except Exception as error:  # noqa: BLE001 - an unreadable file is this check's failure
            pytest.fail(f"{file} could not be read: {type(error).__name__}: {error}", pytrace=False)
        if not isinstance(data, dict):
            pytest.fail(
                f"{file} holds a {type(data).__name__}, expected a dict with the homework's keys",
                pytrace=False,
            )
        _CACHE[file] = {str(k): _plain(v) for k, v in data.items()}
    return _CACHE[file]


def _plain_json(value: object) -> object:
    """`value` as JSON data: numbers, strings, None, lists and string-keyed dicts, nothing else."""
    if isinstance(value, dict):
        return {str(k): _plain_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain_json(v) for v in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return repr(value)[:200]  # an object the grader cannot judge: kept as text, never as itself


def _check(request: pytest.FixtureRequest, slot: str) -> None:
    record(request, file=_file(slot), data=_plain_json(load(slot)))


@registered("results", "keys")
def test_keys(request: pytest.FixtureRequest, slot: str) -> None:
    _check(request, slot)


@registered("results", "curve_lengths")
def test_curve_lengths(request: pytest.FixtureRequest, slot: str) -> None:
    _check(request, slot)


@registered("results", "accuracy_units")
def test_accuracy_units(request: pytest.FixtureRequest, slot: str) -> None:
    _check(request, slot)


@registered("results", "test_accuracy_band")
def test_test_accuracy_band(request: pytest.FixtureRequest, slot: str) -> None:
    _check(request, slot)


@registered("results", "weights_shape")
def test_weights_shape(request: pytest.FixtureRequest, slot: str) -> None:
    _check(request, slot)


@registered("results", "gradients_nonnegative")
def test_gradients_nonnegative(request: pytest.FixtureRequest, slot: str) -> None:
    _check(request, slot)
