"""An optional part the student did not hand in, said once: "not submitted", not one failure per check.

A result slot no file fills fails each of its checks "not found" (`judge.not_found`), so a
report-only submission would show some thirty failures for one fact. What the student and the
TA read (results.json's tests, the terminal summary) folds those into one entry per
visibility; the GradeResult keeps every check, so scores, exports and re-scoring are unchanged.
"""

from __future__ import annotations

from typing import Sequence

from ee449.grading.grades import CheckResult
from ee449.grading.sandboxed.checks.protocol import CheckId

NOT_SUBMITTED = "results/not_submitted"
NOT_FOUND_PREFIX = "not found:"  # how judge.not_found starts every such message


def is_not_submitted(check: CheckResult) -> bool:
    return check.id.startswith("results/") and not check.passed and check.message.startswith(NOT_FOUND_PREFIX)


def _slot(check: CheckResult) -> str:
    return CheckId.parse(check.id).subject


def _folded(missing: list[CheckResult], visibility: str) -> CheckResult:
    slots = list(dict.fromkeys(_slot(c) for c in missing))
    most = sum(c.max_points for c in missing)
    scored = f"{len(missing)} checks" if most else f"{len(missing)} checks, not scored under this rubric"
    message = (
        f"not submitted: no file in the submission holds the results for {', '.join(slots)} ({scored}); "
        "result files are found by content, whatever their names: a dict with Part 3, 4 or 5's keys"
    )
    return CheckResult(NOT_SUBMITTED, False, 0.0, most, visibility, message)


def fold_not_submitted(checks: Sequence[CheckResult]) -> list[CheckResult]:
    """`checks` with every not-found result check replaced by one entry per visibility, where the first was."""
    missing: dict[str, list[CheckResult]] = {}
    for check in checks:
        if is_not_submitted(check):
            missing.setdefault(check.visibility, []).append(check)
    folded: list[CheckResult] = []
    for check in checks:
        if not is_not_submitted(check):
            folded.append(check)
        elif check is missing[check.visibility][0]:
            folded.append(_folded(missing[check.visibility], check.visibility))
    return folded
