"""What grading writes: Gradescope's results.json, JUnit XML, a class CSV and a terminal summary.

results.json follows Gradescope's autograder specification
(https://gradescope-autograders.readthedocs.io/en/latest/specs/): top-level `score`,
`execution_time`, `output`, `tests`; each test has `name`, `score`, `max_score`, `status`
("passed"/"failed"), `output` and `visibility` ("visible", "hidden", "after_due_date",
"after_published").
"""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Sequence

from ee449.grading.grades import CheckResult, GradeResult
from ee449.grading.output.missing import fold_not_submitted
from ee449.grading.output.text import clean_line, clean_result
from ee449.grading.sandboxed.checks.protocol import CheckId
from ee449.io import atomic_write_bytes, write_json


def _number(value: float) -> float | int:
    return int(value) if float(value).is_integer() else round(value, 4)


def check_output(check: CheckResult) -> str:
    """What the student reads for one check: the diagnosis first, then the detail."""
    lines = [sentence for _code, sentence in check.diagnoses]
    if check.message:  # the failure's detail, or a passed check's note (e.g. the implied training-set size)
        lines.append(check.message)
    return "\n".join(dict.fromkeys(lines))  # in order, without repeats


PARTS = {"conv": "my_conv2d", "arch": "architectures", "results": "result files", "static": "source checks"}


def visible_output(result: GradeResult) -> str:
    """The top-level text every student sees: one line per part, counting visible checks only.

    Hidden (and not yet released) checks are left out of every count, so the text cannot reveal
    what they are worth or whether they passed.
    """
    lines = []
    groups: dict[str, list[CheckResult]] = {}
    for check in fold_not_submitted(result.checks):  # counted as the tests list shows them
        if check.visibility == "visible":
            groups.setdefault(check.id.split("/", 1)[0], []).append(check)
    for group, checks in groups.items():
        passed = sum(c.passed for c in checks)
        got, most = _number(sum(c.points for c in checks)), _number(sum(c.max_points for c in checks))
        name = PARTS.get(group, group)
        lines.append(f"{name}: {got} / {most} points ({passed} of {len(checks)} checks passed)")
    # How the sandbox isolates code is the operator's to read (stderr, extra_data), not the student's.
    operator = result.isolation.announcement if result.isolation is not None else None
    lines += [n for n in result.notes[:40] if n != operator]
    return "\n".join(lines)


def gradescope_results(result: GradeResult) -> dict:
    result = clean_result(result)  # student text is data: escaped before any output (`text`)
    tests = [
        {
            "name": check.id,
            "score": _number(check.points),
            "max_score": _number(check.max_points),
            "status": "passed" if check.passed else "failed",
            "output": check_output(check),
            "visibility": check.visibility,
            "tags": sorted({code for code, _ in check.diagnoses}),
        }
        for check in fold_not_submitted(result.checks)  # a part not handed in: one entry, not thirty
    ]
    return {
        "score": _number(result.score),
        "execution_time": round(result.seconds, 1),
        "output": visible_output(result),
        "output_format": "text",
        "test_output_format": "text",
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": tests,
        "extra_data": sandbox_data(result),
    }


def sandbox_data(result: GradeResult) -> dict:
    """How the student's code was isolated, for whoever reads results.json (a fence is flagged)."""
    if result.isolation is None:
        return {"sandbox": "none: no student code ran"}
    data = {"sandbox": result.isolation.mode}
    if result.isolation.mode != "bwrap":
        data["sandbox_warning"] = result.isolation.announcement
    return data


def junit_xml(result: GradeResult) -> bytes:
    result = clean_result(result)
    failures = sum(not c.passed for c in result.checks)
    suite = ET.Element(
        "testsuite",
        name=f"ee449-grade.{result.student}",
        tests=str(len(result.checks)),
        failures=str(failures),
        errors="0",
        time=f"{result.seconds:.3f}",
    )
    for check in result.checks:
        group = CheckId.parse(check.id).group
        name = check.id.removeprefix(f"{group}/")  # a test case per check, in a class per group
        case = ET.SubElement(
            suite,
            "testcase",
            classname=f"{result.student}.{group}",
            name=name or group,
            time=f"{check.seconds:.3f}",
        )
        if not check.passed:
            failure = ET.SubElement(case, "failure", message=(check.message.splitlines() or [""])[0][:500])
            failure.text = check_output(check)
    return ET.tostring(suite, encoding="utf-8", xml_declaration=True)


def write_outputs(result: GradeResult, out: Path) -> list[Path]:
    """results.json and junit.xml for one submission into `out`, and the code recovered from its PDFs."""
    out.mkdir(parents=True, exist_ok=True)
    code = [
        atomic_write_bytes(out / Path(r.file).name, r.code.encode("utf-8"))
        for r in result.recovered
        if r.file
    ]
    return [
        write_json(out / "results.json", gradescope_results(result)),
        atomic_write_bytes(out / "junit.xml", junit_xml(result)),
        *code,
    ]


def scores_csv(results: Sequence[GradeResult]) -> str:
    """One row per student: student, score, max_score, then each check's points (blank when absent)."""
    results = [clean_result(r) for r in results]
    ids: list[str] = []
    for result in results:
        ids += [c.id for c in result.checks if c.id not in ids]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["student", "score", "max_score", *ids])
    for result in results:
        points = {c.id: _number(c.points) for c in result.checks}
        writer.writerow(
            [
                result.student,
                _number(result.score),
                _number(result.max_score),
                *(points.get(i, "") for i in ids),
            ]
        )
    return buffer.getvalue()


def asks_for_a_person(check: CheckResult) -> bool:
    """A check with a `review_*` diagnosis: a TA should read the code (it scores nothing by itself)."""
    return any(code.startswith("review_") for code, _ in check.diagnoses)


def summary(result: GradeResult) -> str:
    """A readable report for the terminal: one line per failed check with its diagnosis, then totals."""
    result = clean_result(result)
    scored = [c for c in result.checks if c.max_points > 0]
    unscored = len(result.checks) - len(scored)
    lines = [
        f"== {result.student}: {_number(result.score)} / {_number(result.max_score)} points "
        f"({sum(c.passed for c in scored)} of {len(scored)} scored checks passed"
        + (f", {unscored} reported only" if unscored else "")
        + f", {result.seconds:.1f} s)"
    ]
    lines += [f"  {clean_line(r.summary())}" for r in result.recovered]  # where the graded code came from
    groups: dict[str, list[CheckResult]] = {}
    for check in fold_not_submitted(result.checks):
        if not check.passed:
            # Twenty checks failing for one reason (a syntax error, a hung conv) read better once.
            groups.setdefault(check_output(check), []).append(check)
    for output, checks in groups.items():
        lost = _number(sum(c.max_points for c in checks))
        got = _number(sum(c.points for c in checks))  # a deducted share or a TA's override, else 0
        # A failed check the rubric gives no points is reported, not scored; one that asks a person
        # to read the code (`review_*`, e.g. a computation that is not its layers') says so.
        review = any(asks_for_a_person(c) for c in checks)
        label = "FAIL" if lost else "REVIEW" if review else "INFO"
        lines.append(f"  {label} {', '.join(c.id for c in checks)} ({got} / {lost})")
        lines += [f"       {text}" for text in output.splitlines()]
    shown = {clean_line(r.summary()) for r in result.recovered}  # already on the second line
    lines += [f"  note: {note}" for note in result.notes if note not in shown]
    return "\n".join(lines)


def to_read(results: Sequence[GradeResult]) -> list[str]:
    """One line per student with a check that asks for a person (`review_*`, e.g. a model whose
    records claim the homework's layers but compute otherwise), for the end of a class run."""
    lines = []
    for result in results:
        asking = [c.id for c in result.checks if asks_for_a_person(c)]
        if asking:
            lines.append(f"{clean_line(result.student)}: {', '.join(asking)}")
    return lines
