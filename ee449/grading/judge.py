"""The grader's side of every run check: the verdict, from the student's outputs, in the grader's process.

The sandboxed process only computes what the student's code gives (`my_conv2d`'s arrays, a
model's output shapes, parameter count and layer list, a result file's contents) and writes it
as data into its `out/records/` folder (`checks.support.record`: JSON, and .npy without pickles).
Here each record is read without following links, checked for type and shape, and compared
with references computed where no student code runs: the convolution in NumPy
(`diagnose._cross_correlate`), the models in a trusted child (`reference`). A check whose
record is missing or malformed fails. Nothing the sandbox says about passing is believed.

Here: which checks run and the dispatch. Reading records is `records`; the verdicts are
`judge_conv` (my_conv2d), `judge_arch` (the architectures), `judge_results` (result files) and
`judge_xor` (Part 1 of 2024 / 2025).
"""

from __future__ import annotations

from ee449.grading.checks.rules import KEYS
from ee449.grading.judge_arch import ARCH_VERDICTS
from ee449.grading.judge_conv import CASES, conv_verdict
from ee449.grading.judge_results import results_verdict
from ee449.grading.judge_xor import CHECKS as XOR_CHECKS
from ee449.grading.judge_xor import TARGET as XOR_TARGET
from ee449.grading.judge_xor import xor_verdict
from ee449.grading.records import Context, Malformed, Record, Verdict
from ee449.grading.runner import Outcome


def expected_checks(manifest: dict) -> list[tuple[str, str]]:
    """(id, target) of every run check, decided here from the manifest, in the order the sandbox runs them."""
    checks = [("conv/output_shape", "my_conv2d")]
    checks += [(f"conv/matches_reference[{case}]", "my_conv2d") for case in CASES]
    checks += [("conv/inputs_unmodified", "my_conv2d")]
    if manifest.get("course_data"):
        checks.append(("conv/course_samples", "my_conv2d"))
    if manifest.get("part1") == "xor":  # 2024 / 2025: the NumPy XOR network
        checks += [(f"xor/{check}", XOR_TARGET) for check in XOR_CHECKS]
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


def _verdict(check_id: str, record: Record, context: Context) -> Verdict:
    group, _, rest = check_id.partition("/")
    if group == "conv":
        return conv_verdict(rest, record, context)
    if group == "arch":
        key, _, check = rest.rpartition("/")
        return ARCH_VERDICTS[check](key, record, context)
    if group == "results":
        slot, _, check = rest.rpartition("/")
        return results_verdict(check, slot, record, context)
    if group == "xor":
        return xor_verdict(rest, record)
    raise Malformed(f"unknown check {check_id}")
