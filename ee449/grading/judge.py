"""The grader's side of every run check: the verdict, from the student's outputs, in the grader's process.

The sandboxed process only computes what the student's code gives (`my_conv2d`'s arrays, a
model's output shapes, parameter count and layer list, a result file's contents) and writes it
as data into its `out/records/` folder (`checks.support.record`: JSON, and .npy without pickles).
Here each record is read without following links, checked for type and shape, and compared
with references computed where no student code runs: the convolution in NumPy
(`diagnose._cross_correlate`), the models in a trusted child (`reference`). A check whose
record is missing or malformed fails. Nothing the sandbox says about passing is believed.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from ee449.grading import sandbox
from ee449.grading.checks.rules import KEYS
from ee449.grading.diagnose import Diagnosis, _cross_correlate, diagnose_batch, diagnose_conv, diagnose_layers
from ee449.grading.runner import Outcome

MAX_RECORD_BYTES = 64 * 2**20  # a record is a few arrays of a few hundred numbers, or one result file
MAX_ARRAY_DIMS = 8
BATCHES = (1, 7, 50)  # 50 is the homework's batch; 1 and 7 catch a hard-coded one
_NAME = re.compile(r"^[a-z][a-z0-9_]{0,40}$")


def draw_cases() -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """A fixed set of drawn conv cases (seeded): each exercises one thing students get wrong."""
    rng = np.random.default_rng(449)
    return {
        "multichannel": (rng.normal(size=(2, 3, 9, 8)), rng.normal(size=(4, 3, 3, 3))),
        "nonsquare_kernel": (rng.normal(size=(2, 2, 10, 9)), rng.normal(size=(3, 2, 2, 4))),
        # Like the course's digits: uint8 pixels, float64 kernel.
        "uint8_input": (
            rng.integers(0, 256, size=(2, 1, 12, 11), dtype=np.uint8),
            rng.normal(size=(3, 1, 4, 4)),
        ),
        "batch_of_one": (rng.normal(size=(1, 1, 7, 6)), rng.normal(size=(2, 1, 3, 3))),
    }


CASES = draw_cases()


def record_name(check_id: str) -> str:
    """The file stem a check's record has: a digest, so no check id becomes a path."""
    return hashlib.sha256(check_id.encode("utf-8")).hexdigest()[:24]


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

    def get(self, name: str, kind: type) -> object:
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


def load_record(records: sandbox.OutputFolder, check_id: str) -> Record | None:
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

    manifest: dict
    references: Callable[[], dict[str, dict]]
    record: Callable[[str], Record | None] = lambda check_id: None  # another check's record

    def name(self, key: str) -> str:
        return str(self.manifest.get("found", {}).get(key, {}).get("name", key))

    def slot(self, slot: str) -> dict:
        return next(s for s in self.manifest.get("result_files", []) if s["slot"] == slot)


def expected_checks(manifest: dict) -> list[tuple[str, str]]:
    """(id, target) of every run check, decided here from the manifest, in the order the sandbox runs them."""
    checks = [("conv/output_shape", "my_conv2d")]
    checks += [(f"conv/matches_reference[{case}]", "my_conv2d") for case in CASES]
    checks += [("conv/inputs_unmodified", "my_conv2d")]
    if manifest.get("course_data"):
        checks.append(("conv/course_samples", "my_conv2d"))
    keys = manifest.get("arch_keys", [])
    for check in ("constructible", "output_shape", "parameter_count", "layers"):
        checks += [(f"arch/{key}/{check}", key) for key in keys]
    slots = manifest.get("result_files", [])
    by_part = {p: [s["slot"] for s in slots if s["part"] == p] for p in (3, 4, 5)}
    every = [s["slot"] for s in slots]
    for check, chosen in (
        ("keys", every),
        ("curve_lengths", every),
        ("accuracy_units", by_part[3] + by_part[5]),
        ("test_accuracy_band", by_part[3]),
        ("weights_shape", [s["slot"] for s in slots if s["part"] == 3 and s.get("arch")]),
        ("gradients_nonnegative", by_part[4]),
    ):
        checks += [(f"results/{slot}/{check}", "results") for slot in chosen]
    return checks


def not_found(check_id: str, manifest: dict) -> str:
    """For a result-file check whose slot no file fills, why it fails (decided here, not by the sandbox)."""
    group, _, rest = check_id.partition("/")
    slot = rest.rpartition("/")[0]
    info = next((s for s in manifest.get("result_files", []) if s.get("slot") == slot), None)
    if group != "results" or info is None or info.get("file") is not None:
        return ""
    what = f"Part {info['part']}'s results" + (f" for {info['arch']}" if info.get("arch") else "")
    return f"not found: no file in the submission holds {what} (a dict with the keys {list(KEYS[int(info['part'])])})"


def judge(check_id: str, target: str, record: Record, context: Context) -> Outcome:
    """The verdict on one check from its record; a malformed record fails it."""
    try:
        passed, message, diagnoses = _verdict(check_id, record, context)
    except (Malformed, KeyError, TypeError, ValueError, IndexError, OverflowError) as error:
        passed, message, diagnoses = (
            False,
            f"the output your code produced for this check is malformed ({error})",
            [],
        )
    return Outcome(check_id, target, passed, message, [[d.code, d.sentence] for d in diagnoses])


Verdict = tuple[bool, str, list[Diagnosis]]


def _verdict(check_id: str, record: Record, context: Context) -> Verdict:
    group, _, rest = check_id.partition("/")
    if group == "conv":
        return _conv(rest, record, context)
    if group == "arch":
        key, _, check = rest.rpartition("/")
        return _ARCH[check](key, record, context)
    if group == "results":
        from ee449.grading.judge_results import results_verdict

        slot, _, check = rest.rpartition("/")
        return results_verdict(check, slot, record, context)
    raise Malformed(f"unknown check {check_id}")


# --- conv -------------------------------------------------------------------------------------


def conv_matches(got: np.ndarray, x: np.ndarray, kernel: np.ndarray) -> bool:
    """Whether an output equals the NumPy reference (float64, relative tolerance 1e-5)."""
    want = _cross_correlate(x, kernel)
    if got.shape != want.shape:
        return False
    with np.errstate(invalid="ignore", over="ignore"):
        err = np.abs(got.astype(np.float64) - want)
    return bool(np.all(err <= 1e-5 * max(1.0, float(np.abs(want).max()))))


def _tensor_dtype(record: Record) -> list[Diagnosis]:
    dtype = record.values.get("tensor_dtype")
    if isinstance(dtype, str) and dtype and "float" not in dtype and "complex" not in dtype:
        return [
            Diagnosis(
                "tensor_dtype",
                (
                    f"Your my_conv2d returns a torch tensor of dtype {dtype}: returning a tensor is fine, but an integer "
                    "dtype truncates the sums; compute and return floating-point values (float64)."
                ),
            )
        ]
    return []


def compare_conv(
    got: np.ndarray, x: np.ndarray, kernel: np.ndarray, what: str, others_pass: bool = False
) -> Verdict:
    """The student's output against the NumPy reference (float64, relative tolerance 1e-5)."""
    want = _cross_correlate(x, kernel)
    if got.shape == want.shape:
        with np.errstate(invalid="ignore", over="ignore"):
            err = np.abs(got.astype(np.float64) - want)
        if conv_matches(got, x, kernel):
            return True, "", []
        worst = np.where(np.isnan(err), np.inf, err)
        where = tuple(int(i) for i in np.unravel_index(int(np.argmax(worst)), err.shape))
        detail = f"at {where}: yours {got[where].item()!r}, expected {want[where].item()!r}"
    else:
        detail = f"output shape {tuple(got.shape)}, expected {tuple(want.shape)}"
    return (
        False,
        f"my_conv2d differs from the reference on {what}: {detail}",
        diagnose_conv(got, x, kernel, others_pass=others_pass),
    )


def _case_passes(case: str, context: Context) -> bool:
    record = context.record(f"conv/matches_reference[{case}]")
    try:
        return record is not None and conv_matches(record.array("out"), *CASES[case])
    except Malformed:
        return False


def conv_computes(record: Callable[[str], Record | None]) -> bool:
    """Whether my_conv2d computed anything from its input on some drawn case.

    An output of finite numbers that is not constant: a wrong convolution (a flipped kernel,
    'same' padding) computes, and counts as written; a function that returns zeros, or a
    constant, whatever it calls, implements nothing (a forgery or a stub).
    """
    for case in CASES:
        found = record(f"conv/matches_reference[{case}]")
        try:
            out = found.array("out").astype(np.float64) if found is not None else None
        except Malformed:
            continue
        if out is not None and out.size > 1 and np.all(np.isfinite(out)) and float(np.ptp(out)) > 0.0:
            return True
    return False


def conv_followups(outcomes: list[Outcome]) -> None:
    """A conv that failed with an error on several channels while the one-channel case passes: say so."""
    passed = {o.id: o.passed for o in outcomes}
    if not passed.get("conv/matches_reference[batch_of_one]"):
        return
    for outcome in outcomes:
        case = (
            "multichannel"
            if outcome.id == "conv/output_shape"
            else outcome.id[len("conv/matches_reference[") : -1]
        )
        if (
            outcome.passed
            or outcome.diagnoses
            or case not in CASES
            or CASES[case][0].shape[1] == 1
            or not (outcome.id == "conv/output_shape" or outcome.id.startswith("conv/matches_reference["))
        ):
            continue
        outcome.diagnoses.append(
            [
                "one_channel_only",
                (
                    f"Your my_conv2d fails with {CASES[case][0].shape[1]} input channels but works with one: it handles a "
                    "single input channel only (a reshape or a loop that assumes C = 1); sum over every input channel."
                ),
            ]
        )


def _conv(check: str, record: Record, context: Context) -> Verdict:
    if check == "output_shape":
        x, kernel = CASES["multichannel"]
        got = record.array("out")
        want = (
            x.shape[0],
            kernel.shape[0],
            x.shape[2] - kernel.shape[2] + 1,
            x.shape[3] - kernel.shape[3] + 1,
        )
        if tuple(got.shape) == want:
            return True, "", []
        return (
            False,
            (
                f"output shape {tuple(got.shape)} for input {x.shape} and kernel {kernel.shape}; "
                f"expected {want} = [batch, out_ch, H - kh + 1, W - kw + 1]"
            ),
            diagnose_conv(got, x, kernel),
        )
    if check.startswith("matches_reference["):
        case = check[len("matches_reference[") : -1]
        x, kernel = CASES[case]
        others_pass = all(_case_passes(c, context) for c in CASES if c != case)
        passed, message, diagnoses = compare_conv(
            record.array("out"),
            x,
            kernel,
            f"the {case.replace('_', ' ')} case (input {x.shape} {x.dtype}, kernel {kernel.shape})",
            others_pass,
        )
        return passed, message, diagnoses + ([] if passed else _tensor_dtype(record))
    if check == "inputs_unmodified":
        x, kernel = CASES["uint8_input"]
        for name, before, after in (
            ("input", x, record.array("input_after")),
            ("kernel", kernel, record.array("kernel_after")),
        ):
            if after.dtype != before.dtype or not np.array_equal(before, after):
                return (
                    False,
                    f"my_conv2d modified its {name} argument",
                    [
                        Diagnosis(
                            "input_modified",
                            (
                                f"Your my_conv2d changes its {name} array in place; work on a copy "
                                "(e.g. input.astype(np.float64)) so the caller's data stays as it was."
                            ),
                        )
                    ],
                )
        return True, "", []
    if check == "course_samples":
        folder = Path(context.manifest["course_data"])
        kernel = np.load(folder / "kernel.npy", allow_pickle=False)
        samples = sorted(folder.glob("samples_*.npy"))
        if not samples:
            return False, f"no samples_*.npy in {folder}", []
        for index, path in enumerate(samples):
            verdict = compare_conv(
                record.array(f"out_{index}"),
                np.load(path, allow_pickle=False),
                kernel,
                f"the course's {path.name}",
            )
            if not verdict[0]:
                return verdict
        return True, "", []
    raise Malformed(f"unknown conv check {check}")


# --- architectures ----------------------------------------------------------------------------


def _how(record: Record, context: Context, key: str, separator: str = "; ") -> str:
    how = record.values.get("how")
    return f"{separator}{context.name(key)} {how}" if isinstance(how, str) and how else ""


def _shape(value: object) -> tuple[int, ...]:
    if (
        not isinstance(value, list)
        or len(value) > MAX_ARRAY_DIMS
        or not all(isinstance(v, int) and not isinstance(v, bool) for v in value)
    ):
        raise Malformed("a shape is not a list of integers")
    return tuple(value)


def _constructible(key: str, record: Record, context: Context) -> Verdict:
    record.get("how", str)
    return True, "", []


def _output_shape(key: str, record: Record, context: Context) -> Verdict:
    shapes = record.get("shapes", dict)
    works, problems = {}, []
    for n in BATCHES:
        got = shapes.get(str(n))
        if isinstance(got, str):  # the forward pass failed: the student's error text
            works[n] = False
            problems.append(f"batch {n}: {got[:500]}")
            continue
        shape = _shape(got)
        works[n] = shape == (n, 10)
        if not works[n]:
            problems.append(f"batch {n}: output {list(shape)}, expected [{n}, 10]")
    diagnoses = diagnose_batch(context.name(key), works)
    if not any(works.values()) and key.startswith("mlp") and record.get("takes_flat_input", bool):
        diagnoses.append(
            Diagnosis(
                "flattened_input",
                (
                    f"Your {context.name(key)} only accepts inputs already flattened to [N, 1024]; the homework's models "
                    "take images [N, 1, 32, 32]: flatten inside forward with x.view(x.size(0), -1)."
                ),
            )
        )
    if problems:
        return False, "; ".join(problems) + _how(record, context, key), diagnoses
    return True, "", diagnoses


def _layers_of(record: Record) -> list[str] | None:
    return record.strings("layers") if isinstance(record.values.get("layers"), list) else None


def _parameter_count(key: str, record: Record, context: Context) -> Verdict:
    got = record.get("count", int)
    want = int(context.references()[key]["count"])
    if got == want:
        return True, "", []
    traced = context.record(f"arch/{key}/layers")  # the layer list, from the check that ran the forward pass
    layers = _layers_of(traced) if traced is not None else None
    diagnoses = (
        diagnose_layers(context.name(key), layers, context.references()[key]["layers"]) if layers else []
    )
    return (
        False,
        (
            f"{context.name(key)} has {got:,} trainable parameters; the homework's {key} has "
            f"{want:,} ({got - want:+,})" + _how(record, context, key)
        ),
        diagnoses,
    )


def _layers(key: str, record: Record, context: Context) -> Verdict:
    got = _layers_of(record)
    if got is None:
        error = str(record.get("error", str))[:500]
        return (
            False,
            (
                f"could not run {context.name(key)} on a batch of 50 to list its layers: {error}"
                + _how(record, context, key)
            ),
            [],
        )
    want = context.references()[key]["layers"]
    if got == want:
        return True, "", []
    return (
        False,
        (
            f"layer sequence differs from the homework's {key}:\n  yours:    "
            + " -> ".join(got)
            + "\n  expected: "
            + " -> ".join(want)
            + _how(record, context, key, "\n  ")
        ),
        diagnose_layers(context.name(key), got, want),
    )


_ARCH: dict[str, Callable[[str, Record, Context], Verdict]] = {
    "constructible": _constructible,
    "output_shape": _output_shape,
    "parameter_count": _parameter_count,
    "layers": _layers,
}
