"""The grader's side of every run check: the verdict, from the student's outputs, in the grader's process.

The sandboxed process only computes what the student's code gives (`my_conv2d`'s arrays, a
model's output shapes, parameter count and layer list, a result file's contents) and writes it
as data into its `out/records/` folder (`checks.support.record`: JSON, and .npy without pickles).
Here each record is read without following links, checked for type and shape, and compared
with references computed where no student code runs: the convolution in NumPy
(`diagnose._cross_correlate`), the models in a trusted child (`reference`). A check whose
record is missing or malformed fails. Nothing the sandbox says about passing is believed.

Here: which checks run, the dispatch, and `verdicts`, every run check's outcome from its record. Reading records is `records`; the verdicts are
`conv` (my_conv2d), `arch` (the architectures), `results` (result files) and
`xor` (Part 1 of 2024 / 2025).
"""

from __future__ import annotations

from ee449.grading.judging import reference
from ee449.grading.judging.arch import ARCH_VERDICTS
from ee449.grading.judging.conv import conv_followups, conv_verdict
from ee449.grading.judging.records import Context, Malformed, Record, Verdict, load_record
from ee449.grading.judging.results import results_verdict
from ee449.grading.judging.review import computes_followups
from ee449.grading.judging.xor import xor_verdict
from ee449.grading.sandbox.output_folder import OutputFolder
from ee449.grading.sandbox.runner import Outcome
from ee449.grading.sandboxed.checks.manifest import Manifest
from ee449.grading.sandboxed.checks.protocol import CheckId
from ee449.grading.sandboxed.checks.registry import planned
from ee449.grading.sandboxed.checks.rules import not_found as missing_result


def expected_checks(manifest: Manifest) -> list[tuple[str, str]]:
    """(id, target) of every run check, decided here from the manifest (`registry`), in the order the
    sandbox runs them."""
    return planned(manifest)


def not_found(check_id: str, manifest: Manifest) -> str:
    """For a result-file check whose slot no file fills, why it fails (decided here, not by the sandbox)."""
    parsed = CheckId.parse(check_id)
    info = manifest.slot(parsed.subject)
    if parsed.group != "results" or info is None or info.file is not None:
        return ""
    return missing_result(info.part, info.arch)


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
    parsed = CheckId.parse(check_id)
    if parsed.group == "conv":
        return conv_verdict(parsed.name, record, context)
    if parsed.group == "arch":
        return ARCH_VERDICTS[parsed.name](parsed.subject, record, context)
    if parsed.group == "results":
        return results_verdict(parsed.name, parsed.subject, record, context)
    if parsed.group == "xor":
        return xor_verdict(parsed.name, record)
    raise Malformed(f"unknown check {check_id}")


MAX_MESSAGE = 4000  # what the student's code can put into a message (its exception text) is cut here


def _probe_seed(manifest: Manifest) -> int | None:
    """The seed the grading's probe drew from (the grader's manifest; kept with the evidence for a rejudge)."""
    seed = manifest.probe_seed
    return seed if isinstance(seed, int) and not isinstance(seed, bool) and seed >= 0 else None


def verdicts(records: OutputFolder, manifest: Manifest, said: list[Outcome]) -> list[Outcome]:
    """Every run check's outcome, decided here from the records the sandbox left (`judge`).

    The list of checks comes from the manifest, not from the sandbox. What the sandbox reports
    can only fail a check (an error, a timeout, a write outside, its death): a pass needs a
    record that the grader's own comparison accepts.
    """
    reported = {o.id: o for o in said}
    shape = tuple(manifest.input_shape or reference.DEFAULT_SHAPE)
    context = Context(
        manifest,
        lambda: reference.reference_models(shape, _probe_seed(manifest)),
        lambda check_id: load_record(records, check_id),
    )
    outcomes = []
    for check_id, target in expected_checks(manifest):
        report = reported.get(check_id)
        missing = not_found(check_id, manifest)
        if missing:
            outcomes.append(Outcome(check_id, target, False, missing))
            continue
        refused = manifest.refused.get(target)
        if isinstance(refused, str):  # the grader's own reading (provenance): whatever the sandbox said
            outcomes.append(Outcome(check_id, target, False, refused, [["reference_code", refused]]))
            continue
        if report is not None and not report.passed:
            outcomes.append(
                Outcome(
                    check_id,
                    target,
                    False,
                    report.message[:MAX_MESSAGE],
                    [[str(c)[:40], str(t)[:MAX_MESSAGE]] for c, t in report.diagnoses[:5]],
                    report.seconds,
                    said_by_sandbox=bool(report.diagnoses),
                )
            )
            continue
        record = load_record(records, check_id)
        if record is None:
            why = (
                "no output"
                if report is not None
                else "not run: the grading process stopped before this check"
            )
            outcomes.append(Outcome(check_id, target, False, f"{why} (your code left no result for it)"))
            continue
        outcome = judge(check_id, target, record, context)
        outcome.seconds = report.seconds if report is not None else 0.0
        outcomes.append(outcome)
    conv_followups(outcomes)
    computes_followups(outcomes)
    return outcomes
