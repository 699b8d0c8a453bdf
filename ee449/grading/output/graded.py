"""What one graded submission keeps (OUT/<id>/graded.json), so a class can resume and be re-scored.

graded.json holds every check's verdict as the grader decided it from the sandbox's records
(passed, message, diagnoses), the notes, how the code was isolated and where a PDF's code came
from, plus what the verdicts depended on (the submission's size and time, the check options).
Points are not trusted from it: `rescore` gives each check its points from a rubric again,
then applies a TA's overrides, so a changed rubric needs no student code to run.
"""

from __future__ import annotations

import csv
import json
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Sequence

from ee449.grading.grades import CheckResult, GradeOptions, GradeResult
from ee449.grading.intake.pdf.code import PdfCode
from ee449.grading.judging.deductions import apply_deductions, without_deductions
from ee449.grading.rubric import Rubric
from ee449.grading.sandbox.isolation import Isolation

FILE = "graded.json"
FORMAT = 1  # bump when the layout changes: an older file is then graded again, not misread


def fingerprint(path: Path, options: GradeOptions) -> dict:
    """What a stored grading depends on besides the rubric: the submission as found, and the check options."""
    stat = path.stat()
    inside = [p.stat().st_mtime_ns for p in path.rglob("*")] if path.is_dir() else []
    newest = max([stat.st_mtime_ns, *inside])
    return {
        "path": str(path.resolve()),
        "newest_mtime_ns": newest,
        "course_data": str(Path(options.course_data).resolve()) if options.course_data else None,
        "check_timeout": options.check_timeout,
        "memory_mb": options.memory_mb,
    }


def to_json(result: GradeResult, source: dict, name: str = "") -> dict:
    return {
        "format": FORMAT,
        "student": result.student,
        "name": name,
        "source": source,
        "seconds": result.seconds,
        "notes": list(result.notes),
        "isolation": asdict(result.isolation) if result.isolation is not None else None,
        "recovered": [asdict(r) for r in result.recovered],
        "checks": [asdict(c) for c in result.checks],
        "code": dict(result.code),  # what was graded, for the similarity hints
    }


def from_json(data: dict) -> GradeResult:
    """The GradeResult stored by `to_json`; raises ValueError on another layout."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ValueError(f"not a graded.json of format {FORMAT}")
    isolation = Isolation(**data["isolation"]) if data.get("isolation") else None
    recovered = [
        PdfCode(
            **{
                **r,
                "pages": tuple(r["pages"]),
                "unparsed": tuple(r["unparsed"]),
                "report_notes": tuple(r["report_notes"]),
            }
        )
        for r in data["recovered"]
    ]
    checks = [CheckResult(**c) for c in data["checks"]]
    code = {str(k): str(v) for k, v in data.get("code", {}).items()}
    return GradeResult(
        data["student"], checks, float(data["seconds"]), list(data["notes"]), isolation, recovered, code
    )


def load(folder: Path) -> tuple[GradeResult, dict] | None:
    """(result, stored data) from `folder`/graded.json, or None where there is none or it is unreadable."""
    path = folder / FILE
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return from_json(data), data
    except (ValueError, KeyError, TypeError):
        return None


@dataclass(frozen=True)
class Override:
    student: str
    check: str
    points: float
    reason: str


def read_overrides(path: Path) -> list[Override]:
    """A TA's overrides: a CSV with the columns student, check, points, reason (every one required)."""
    if not path.is_file():
        raise ValueError(f"--overrides {path} is not a file")
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        need = {"student", "check", "points", "reason"}
        if not need <= set(reader.fieldnames or []):
            raise ValueError(
                f"--overrides {path} needs the columns {sorted(need)}; it has {reader.fieldnames}"
            )
        overrides = []
        for line, row in enumerate(reader, start=2):
            try:
                points = float(row["points"])
            except (TypeError, ValueError):
                raise ValueError(
                    f"--overrides {path}, line {line}: points {row['points']!r} is not a number"
                ) from None
            if (
                not (row["student"] or "").strip()
                or not (row["check"] or "").strip()
                or not (row["reason"] or "").strip()
            ):
                raise ValueError(
                    f"--overrides {path}, line {line}: student, check and reason must not be empty"
                )
            overrides.append(
                Override(row["student"].strip(), row["check"].strip(), points, row["reason"].strip())
            )
    return overrides


def rescore(result: GradeResult, rubric: Rubric, overrides: Sequence[Override] = ()) -> GradeResult:
    """`result` with every check's points and visibility from `rubric`, then `overrides` for this student applied.

    An override names a check the student has and gives points between 0 and that check's maximum;
    its reason goes into the check's message (the student reads it) and the notes.
    """
    checks = []
    for check in result.checks:
        rule = rubric.rule_for(check.id)
        checks.append(
            replace(
                check,
                points=rule.points if check.passed else 0.0,
                max_points=rule.points,
                visibility=rule.visibility,
                message=without_deductions(check.message),
            )
        )
    checks = apply_deductions(checks, rubric)  # as grading does: a diagnosed defect costs once
    by_id = {c.id: i for i, c in enumerate(checks)}
    notes = [n for n in result.notes if not n.startswith("override ")]
    for override in overrides:
        if override.student != result.student:
            continue
        if override.check not in by_id:
            raise ValueError(
                f"override for {override.student}: no check {override.check!r} (see checks.csv for the ids)"
            )
        check = checks[by_id[override.check]]
        if not 0 <= override.points <= check.max_points:
            raise ValueError(
                f"override for {override.student}, {override.check}: points {override.points:g} "
                f"outside 0 to {check.max_points:g} (the rubric's maximum for this check)"
            )
        said = f"TA override: {override.points:g} / {check.max_points:g} points ({override.reason})"
        # graded.json keeps the grader's own message, so overrides never pile up over rescorings.
        checks[by_id[override.check]] = replace(
            check, points=override.points, message="\n".join(filter(None, [said, check.message]))
        )
        notes.append(
            f"override {override.check}: {override.points:g} / {check.max_points:g} points, {override.reason}"
        )
    return replace(result, checks=checks, notes=notes)
