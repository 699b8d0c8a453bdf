"""Checks of the student's result files, one fixed set per slot (`part3_<arch>`, `part4_<arch>`, `part5`).

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

from ee449.grading.checks.rules import BANDS, BATCH, EPOCHS, EVERY, KEYS, implied_images
from ee449.grading.checks.support import add_diagnosis, manifest
from ee449.grading.peek import load as peek_load
from ee449.grading.diagnose import Diagnosis, accuracy_unit, diagnose_units

SLOTS = manifest().get("result_files", [])
ALL = [s["slot"] for s in SLOTS]
BY_PART = {p: [s["slot"] for s in SLOTS if s["part"] == p] for p in (3, 4, 5)}
INFO = {s["slot"]: s for s in SLOTS}
_CACHE: dict[str, dict] = {}


def _file(slot: str) -> str:
    """The file filling `slot`, or a failed check saying no file was found for it."""
    file = INFO[slot]["file"]
    if file is None:
        part, arch = INFO[slot]["part"], INFO[slot]["arch"]
        what = f"Part {part}'s results" + (f" for {arch}" if arch else "")
        pytest.fail(f"not found: no file in the submission holds {what} (a dict with the keys "
                    f"{list(KEYS[part])})", pytrace=False)
    return file


def _plain(value):
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
        path = Path(manifest()["work"]) / file
        try:
            data = peek_load(path)[1]
        except Exception as error:  # noqa: BLE001 - an unreadable file is this check's failure
            pytest.fail(f"{file} could not be read: {type(error).__name__}: {error}", pytrace=False)
        if not isinstance(data, dict):
            pytest.fail(f"{file} holds a {type(data).__name__}, expected a dict with the homework's keys", pytrace=False)
        _CACHE[file] = {str(k): _plain(v) for k, v in data.items()}
    return _CACHE[file]


def field(slot: str, key: str):
    """One key of a result file; a missing key fails this check with its name, not a KeyError."""
    data = load(slot)
    if key not in data:
        pytest.fail(f"{_file(slot)} has no {key!r} (see results/{slot}/keys)", pytrace=False)
    return data[key]


def _curves(slot: str) -> dict[str, list]:
    data = load(slot)
    keys = KEYS[INFO[slot]["part"]]
    return {k: v for k, v in data.items() if k in keys and "curve" in k and isinstance(v, list)}


@pytest.mark.check("results/{slot}/keys", target="results")
@pytest.mark.parametrize("slot", ALL)
def test_keys(slot):
    data, want, file = load(slot), KEYS[INFO[slot]["part"]], _file(slot)
    missing = [k for k in want if k not in data]
    if missing:
        extra = sorted(set(data) - set(want))
        pytest.fail(f"{file} lacks the keys {missing}" + (f" (it has {extra} instead)" if extra else ""), pytrace=False)


@pytest.mark.check("results/{slot}/curve_lengths", target="results")
@pytest.mark.parametrize("slot", ALL)
def test_curve_lengths(request, slot):
    curves, epochs, file = _curves(slot), EPOCHS[INFO[slot]["part"]], _file(slot)
    if not curves:
        pytest.fail(f"{file} has no curves to check", pytrace=False)
    lengths = {k: len(v) for k, v in curves.items()}
    problems = []
    for key, length in lengths.items():
        if implied_images(length, epochs) is None:
            problems.append(f"{key} has {length} points: one point every {EVERY} steps for {epochs} epochs "
                            f"at batch {BATCH} gives {epochs * 800 // EVERY} to {epochs * 1000 // EVERY} "
                            f"(e.g. {epochs * 900 // EVERY} for 45,000 training images)")
    if len(set(lengths.values())) > 1 and INFO[slot]["part"] != 5:
        problems.append(f"curves of different lengths: {lengths}")
    if problems:
        pytest.fail("; ".join(problems), pytrace=False)
    length = next(iter(lengths.values()))
    images = implied_images(length, epochs)
    request.node.user_properties.append(("note", (
        f"{length} points = {epochs} epochs x {images // BATCH} steps / {EVERY}: consistent with "
        f"{images:,} training images at batch {BATCH}")))


ACC_FILES = BY_PART[3] + BY_PART[5]


@pytest.mark.check("results/{slot}/accuracy_units", target="results")
@pytest.mark.parametrize("slot", ACC_FILES)
def test_accuracy_units(request, slot):
    data, file = load(slot), _file(slot)
    keys = [k for k in data if "acc" in k and k in KEYS[INFO[slot]["part"]]]
    units = {k: accuracy_unit(np.ravel(np.asarray(data[k], dtype=np.float64))) for k in keys}
    found = diagnose_units(file, units)
    for diagnosis in found:
        add_diagnosis(request, diagnosis)
    if found:
        pytest.fail(found[0].sentence, pytrace=False)


@pytest.mark.check("results/{slot}/test_accuracy_band", target="results")
@pytest.mark.parametrize("slot", BY_PART[3])
def test_test_accuracy_band(slot):
    arch = INFO[slot]["arch"] or str(load(slot).get("name", ""))
    low, high = BANDS["mlp" if "mlp" in arch.lower() else "cnn"]
    value = float(field(slot, "test_acc"))
    percent = value * 100 if accuracy_unit([value]) == "fraction" else value
    if not low <= percent <= high:
        pytest.fail(f"test_acc {value} ({percent:.1f}%) is outside the plausible band {low:.0f}-{high:.0f}% "
                    f"for {arch or 'this architecture'}", pytrace=False)


@pytest.mark.check("results/{slot}/weights_shape", target="results")
@pytest.mark.parametrize("slot", [s for s in BY_PART[3] if INFO[s]["arch"]])
def test_weights_shape(slot):
    from ee449.models import build, first_layer

    got = np.shape(field(slot, "weights"))
    want = tuple(first_layer(build(INFO[slot]["arch"])).weight.shape)  # the reference's, PyTorch layout
    if tuple(got) != want:
        pytest.fail(f"weights has shape {tuple(got)}; the first layer of {INFO[slot]['arch']} in "
                    f"PyTorch layout is {want}", pytrace=False)


@pytest.mark.check("results/{slot}/gradients_nonnegative", target="results")
@pytest.mark.parametrize("slot", BY_PART[4])
def test_gradients_nonnegative(request, slot):
    file = _file(slot)
    for key in ("relu_grad_curve", "sigmoid_grad_curve"):
        raw = np.ravel(np.asarray(field(slot, key), dtype=object))
        values = np.asarray([v for v in raw if v is not None], dtype=np.float64)
        if values.size and (np.any(values < 0) or not np.all(np.isfinite(values))):
            add_diagnosis(request, Diagnosis("negative_gradient", (
                f"{key} in {file} has negative or non-finite values; a gradient magnitude is a norm, "
                "||(W_before - W_after) / lr||, which is never negative.")))
            pytest.fail(f"{key} has {int(np.sum(values < 0))} negative and "
                        f"{int(np.sum(~np.isfinite(values)))} non-finite values", pytrace=False)
