"""Score an architecture by its diagnosed defects, as a TA does, instead of by the checks they fail.

One defect often fails several checks: a prediction layer built with `bias=False` fails both
`parameter_count` and `layers`, 6 of 10 points, where a TA takes about 1. When every failed
check of an architecture carries at least one diagnosis the rubric prices (`Rubric.deductions`),
the architecture scores its maximum less the price of each distinct defect, counted once
whichever checks name it (floored at 0). A model that could not be built, or a failed check
no priced diagnosis explains, keeps the per-check points. Only the grader's own diagnoses are
priced: those a failed check's sandbox reported (which the student's code could forge) are shown.

The per-check results stay consistent with the total: the failed checks share the adjusted
score (in proportion to their points), they stay "failed", their text lists the deductions,
and no maximum changes.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Sequence

from ee449.grading.rubric import Rubric
from ee449.grading.sandboxed.checks.protocol import CheckId, arch_check

if TYPE_CHECKING:  # grade imports this module: the type only, to avoid a cycle
    from ee449.grading.grades import CheckResult


@dataclass(frozen=True)
class Priced:
    code: str
    sentence: str
    points: float


def _number(value: float) -> str:
    return f"{value:g}"


def priced_defects(failed: Sequence[CheckResult], rubric: Rubric) -> list[Priced] | None:
    """The distinct priced defects that explain every failed check, or None when one is unexplained."""
    defects: dict[tuple[str, str], Priced] = {}
    for check in failed:
        if check.said_by_sandbox:  # the student's code could have written these: never a price
            return None
        priced = [(c, s) for c, s in check.diagnoses if rubric.deduction_for(c) is not None]
        if not priced:
            return None
        for code, sentence in priced:
            deduction = rubric.deduction_for(code)
            assert deduction is not None  # filtered just above
            defects.setdefault((code, sentence), Priced(code, sentence, deduction.points))
    return list(defects.values())


def _share(checks: list[CheckResult], total: float) -> list[float]:
    """`total` points split over `checks` in proportion to their maxima (the last takes the rounding)."""
    most = sum(c.max_points for c in checks)
    if most <= 0:
        return [0.0 for _ in checks]
    shares = [round(total * c.max_points / most, 4) for c in checks]
    if shares:
        shares[-1] = round(total - sum(shares[:-1]), 4)
    return shares


def _architecture(checks: list[CheckResult], key: str, rubric: Rubric) -> list[CheckResult]:
    most = sum(c.max_points for c in checks)
    failed = [c for c in checks if not c.passed and c.max_points > 0]  # a check scoring nothing costs nothing
    built = all(c.passed for c in checks if c.id == arch_check(key, "constructible"))
    if most <= 0 or not failed or not built:
        return checks
    defects = priced_defects(failed, rubric)
    if defects is None:
        return checks
    lost = min(most, sum(d.points for d in defects))
    score = most - lost
    passed = [c for c in checks if c.passed]
    kept = min(score, sum(c.max_points for c in passed))  # passed checks keep their points when they can
    points = dict(zip([c.id for c in failed], _share(failed, score - kept)))
    points.update(zip([c.id for c in passed], _share(passed, kept)))
    listed = "; ".join(f"-{_number(d.points)} {d.code}" for d in defects)
    note = (
        f"{key} scores {_number(score)} / {_number(most)} {DEDUCTED} ({listed}): each "
        "diagnosed defect costs once, whichever checks it fails."
    )
    return [
        replace(c, points=points[c.id], message=(c.message + "\n" if c.message else "") + note)
        if points.get(c.id, c.points) != c.points  # a failed check worth nothing keeps its 0
        else c
        for c in checks
    ]


DEDUCTED = "by the rubric's deductions"  # every note of the table says it: how a rescoring finds them


def without_deductions(message: str) -> str:
    """`message` without the deduction notes `apply_deductions` added (a rescoring adds its own)."""
    return "\n".join(line for line in message.splitlines() if DEDUCTED not in line)


def apply_deductions(checks: list[CheckResult], rubric: Rubric) -> list[CheckResult]:
    """`checks` with each architecture whose failures are all diagnosed scored by the deduction table."""
    if not rubric.deductions:
        return checks
    ids = [CheckId.parse(c.id) for c in checks]
    keys = list(dict.fromkeys(i.subject for i in ids if i.group == "arch"))
    adjusted = {}
    for key in keys:
        group = [c for c, i in zip(checks, ids) if i.group == "arch" and i.subject == key]
        adjusted.update({c.id: c for c in _architecture(group, key, rubric)})
    return [adjusted.get(c.id, c) for c in checks]
