"""A class's scores as a TA imports them: one row per student with per-part subtotals, and every check in long form.

scores.csv: `id, name, status, score, max_score`, then one `<part>` column per part the rubric
scores (`conv`, each architecture, `results`, ...), holding that part's points; the maximum of
each part is in the row whose status is `max` (the same for every student under one rubric).
A class stopped half way lists every student, the missing ones with status `not graded`, so
a partial file cannot pass for a complete one.

checks.csv: one row per (student, check): id, check, part, passed, points, max_points,
visibility, diagnosis codes, and the first line of the message (overrides included).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Sequence

from ee449.grading.grades import CheckResult, GradeResult
from ee449.grading.sandboxed.checks.protocol import CheckId

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # a spreadsheet would run such a cell as a formula


@dataclass(frozen=True)
class Row:
    """One student of the class: graded (result) or not (yet)."""

    id: str
    name: str
    result: GradeResult | None


def part(check_id: str) -> str:
    """The subtotal a check counts in: `arch/cnn_3/layers` -> `cnn_3`, `conv/...` -> `conv`."""
    parsed = CheckId.parse(check_id)
    return parsed.subject if parsed.group == "arch" else parsed.group


def _cell(value: object) -> object:
    """A text cell a spreadsheet shows as text, never runs (student ids and messages come from students)."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _number(value: float) -> float | int:
    return int(value) if float(value).is_integer() else round(value, 4)


def _parts(results: Sequence[GradeResult]) -> list[str]:
    """Parts worth points for some student, in check order."""
    found: dict[str, None] = {}
    for result in results:
        for check in result.checks:
            if check.max_points > 0:
                found.setdefault(part(check.id), None)
    return list(found)


def _subtotals(checks: Sequence[CheckResult], parts: list[str], field: str) -> list[float | int]:
    sums = dict.fromkeys(parts, 0.0)
    for check in checks:
        if part(check.id) in sums:
            sums[part(check.id)] += getattr(check, field)
    return [_number(sums[p]) for p in parts]


def scores_csv(rows: Sequence[Row], partial: bool = False) -> str:
    """The wide table: a `max` row, then one row per student (status `graded`, or `not graded`)."""
    graded = [r.result for r in rows if r.result is not None]
    parts = _parts(graded)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["id", "name", "status", "score", "max_score", *parts])
    if graded:
        top = max(graded, key=lambda r: r.max_score)  # a submission that could not be unpacked has no checks
        writer.writerow(
            ["", "", "max", _number(top.max_score), _number(top.max_score)]
            + _subtotals(top.checks, parts, "max_points")
        )
    for row in rows:
        if row.result is None:
            status = "not graded (the run was stopped)" if partial else "not graded"
            writer.writerow([_cell(row.id), _cell(row.name), status, "", "", *([""] * len(parts))])
            continue
        result = row.result
        writer.writerow(
            [_cell(row.id), _cell(row.name), "graded", _number(result.score), _number(result.max_score)]
            + _subtotals(result.checks, parts, "points")
        )
    return buffer.getvalue()


def checks_csv(rows: Sequence[Row]) -> str:
    """The long table: one row per student and check."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(
        ["id", "check", "part", "passed", "points", "max_points", "visibility", "diagnoses", "message"]
    )
    for row in rows:
        if row.result is None:
            continue
        for check in row.result.checks:
            message = (check.message.splitlines() or [""])[0][:300]
            writer.writerow(
                [
                    _cell(row.id),
                    check.id,
                    part(check.id),
                    int(check.passed),
                    _number(check.points),
                    _number(check.max_points),
                    check.visibility,
                    " ".join(sorted({code for code, _ in check.diagnoses})),
                    _cell(message),
                ]
            )
    return buffer.getvalue()
