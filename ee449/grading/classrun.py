"""A class run that can stop and go on: who is in it, who is done, and the files each step leaves.

Each finished student's outputs go to OUT/<id>/ as soon as they are graded: results.json,
junit.xml, and graded.json (`graded`), written last, so its presence means the student is
done. Run again on the same OUT and a student whose graded.json matches the submission as it is
now (same files, same check options) is not graded again; it is re-scored with the current
rubric instead, in milliseconds. scores.csv and checks.csv are written at the end, or, when
the run is stopped, with the students graded so far and the rest marked `not graded`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Sequence

from ee449.grading.grades import GradeOptions, GradeResult, score_outcome
from ee449.grading.intake.roster import Submission, class_roster
from ee449.grading.judging import judge
from ee449.grading.output import evidence, exports, graded, report, similarity, similarity_report
from ee449.grading.rubric import Rubric
from ee449.io import atomic_write_bytes, write_json


@dataclass(frozen=True)
class ClassPlan:
    submissions: tuple[Submission, ...]
    finished: dict[str, GradeResult] = field(default_factory=dict)  # id -> result already in OUT, re-scored
    notes: tuple[str, ...] = ()

    @property
    def to_grade(self) -> list[Submission]:
        return [s for s in self.submissions if s.id not in self.finished]


def plan_class(folder: Path, out: Path, options: GradeOptions, roster: Path | None = None) -> ClassPlan:
    """Every submission in `folder` with its unique id, and those OUT already holds a current grading of."""
    if not folder.is_dir():
        raise ValueError(
            f"--class takes a folder of submissions (one subfolder, .zip or .pdf per student); "
            f"{folder} is a file: grade it without --class"
        )
    submissions, notes = class_roster(folder, roster)
    finished = {}
    for submission in submissions:
        stored = graded.load(out / submission.id)
        if stored is None:
            continue
        result, data = stored
        if data.get("source") == graded.fingerprint(submission.path, options):
            finished[submission.id] = graded.rescore(result, options.rubric)
    return ClassPlan(tuple(submissions), finished, tuple(notes))


def write_student(out: Path, submission: Submission, result: GradeResult, options: GradeOptions) -> None:
    """One student's outputs into OUT/<id>/; graded.json last, as the mark that the student is done."""
    folder = out / submission.id
    report.write_outputs(result, folder)
    if result.evidence is not None:  # for `rescore --rejudge`: what the run checks were judged from
        evidence.write(result.evidence, folder)
    write_json(
        folder / graded.FILE,
        graded.to_json(result, graded.fingerprint(submission.path, options), submission.name),
    )


def write_tables(
    out: Path, plan: ClassPlan, results: Sequence[GradeResult], partial: bool = False
) -> list[Path]:
    """scores.csv and checks.csv for every student of the plan, those not graded marked so."""
    by_id = {**plan.finished, **{r.student: r for r in results}}
    # Sorted by id, so a class graded and one re-scored (which reads OUT's folders) list alike.
    rows = [exports.Row(s.id, s.name, by_id.get(s.id)) for s in sorted(plan.submissions, key=lambda s: s.id)]
    return [
        atomic_write_bytes(out / "scores.csv", exports.scores_csv(rows, partial).encode("utf-8")),
        atomic_write_bytes(out / "checks.csv", exports.checks_csv(rows).encode("utf-8")),
    ]


def rescore_class(
    out: Path, rubric: Rubric, overrides: Sequence[graded.Override] = (), rejudge: bool = False
) -> tuple[list[GradeResult], list[Path], list[str]]:
    """Re-score every OUT/<id>/graded.json with `rubric` and `overrides`; rewrite each student's
    results.json and junit.xml and the class tables. No student code runs.

    `rejudge`: first decide each run check's verdict again with the grader's current judge, from
    the evidence the grading kept (`evidence`: its manifest, what the sandbox said, the records),
    and keep the new verdicts in graded.json; a student graded without evidence is re-scored only,
    and said so in the returned notes."""
    folders = sorted(p for p in out.iterdir() if (p / graded.FILE).is_file()) if out.is_dir() else []
    if not folders:
        raise ValueError(f"{out} holds no graded submissions (OUT/<id>/{graded.FILE}): grade the class first")
    known = {p.name for p in folders}
    unknown = sorted({o.student for o in overrides} - known)
    if unknown:
        raise ValueError(f"overrides name students not in {out}: {', '.join(unknown[:5])}")
    results, names, notes = [], {}, []
    for folder in folders:
        stored = graded.load(folder)
        if stored is None:
            raise ValueError(f"{folder / graded.FILE} cannot be read: grade that student again")
        result, data = stored
        if rejudge:
            judged = _rejudged(folder, result, rubric)
            if judged is None:
                notes.append(
                    f"{result.student}: no evidence kept (graded before it was, or too large): re-scored only"
                )
            else:
                result = judged
                write_json(
                    folder / graded.FILE, graded.to_json(result, data.get("source", {}), data.get("name", ""))
                )
        result = graded.rescore(result, rubric, overrides)
        report.write_outputs(result, folder)
        results.append(result)
        names[result.student] = str(data.get("name", ""))
    plan = ClassPlan(tuple(Submission(r.student, out / r.student, names[r.student]) for r in results))
    return results, write_tables(out, plan, results), notes


def _rejudged(folder: Path, result: GradeResult, rubric: Rubric) -> GradeResult | None:
    """`result` with its run checks judged again from the evidence in `folder`; the checks read from the
    source (static ones) are kept as they were. None when the folder holds no usable evidence."""
    kept = evidence.load(folder)
    if kept is None:
        return None
    manifest, said, records = kept
    fresh = [score_outcome(o, rubric) for o in judge.verdicts(records, manifest, said)]
    run_ids = {check_id for check_id, _ in judge.expected_checks(manifest)}
    static = [c for c in result.checks if c.id not in run_ids]
    return replace(result, checks=fresh + static)


def write_similarity(
    out: Path, results: Sequence[GradeResult], skeleton: str = ""
) -> tuple[list[similarity.Pair], list[Path]]:
    """similarity.csv (every pair, ranked) and similarity.html (the top pairs side by side) for the class."""
    code = {r.student: r.code for r in results if r.code}
    pairs = similarity.similar_pairs(code, skeleton)
    written = [
        atomic_write_bytes(out / "similarity.csv", similarity_report.pairs_csv(pairs).encode("utf-8")),
        atomic_write_bytes(
            out / "similarity.html", similarity_report.pairs_html(pairs, code).encode("utf-8")
        ),
    ]
    return pairs, written
