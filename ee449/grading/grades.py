"""What a grading gives: the options it ran with, each check's result, the submission's result.

Below the pipeline (`judging`, `output`, `grade`, `classroom` all speak it); it imports only what its
fields are made of.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ee449.grading import sandbox
from ee449.grading.intake.pdf.code import PdfCode
from ee449.grading.rubric import Rubric, load_rubric
from ee449.grading.sandbox.isolation import Isolation
from ee449.grading.sandbox.progress_log import Outcome
from ee449.spec import DEFAULT_HOMEWORK, edition

if TYPE_CHECKING:  # kept by a class run: only its type here (output imports this module)
    from ee449.grading.output.evidence import Evidence


@dataclass(frozen=True)
class GradeOptions:
    rubric: Rubric = field(default_factory=load_rubric)
    check_timeout: float = 20.0  # seconds per check; a plain-loop conv needs well under 1 s
    memory_mb: int = sandbox.MEMORY_MB_DEFAULT
    course_data: Path | None = None
    process_timeout: float = 600.0  # backstop for one sandboxed pytest run
    run_code: bool = True  # find the models by running the student's scripts (stubbed data); else read only
    homework: int = DEFAULT_HOMEWORK  # the edition graded: its image shape, training set, Part 1

    @property
    def input_shape(self) -> tuple[int, int, int]:
        return edition(self.homework).input_shape

    def __post_init__(self) -> None:
        edition(self.homework)  # an unknown year is refused here, naming the ones there are
        sandbox.check_seconds("--timeout", self.check_timeout)
        sandbox.check_seconds("the process timeout", self.process_timeout)
        sandbox.check_memory_mb(self.memory_mb)
        if self.course_data is not None and not (Path(self.course_data) / "kernel.npy").is_file():
            raise ValueError(f"--course-data {self.course_data} has no kernel.npy")


@dataclass
class CheckResult:
    id: str
    passed: bool
    points: float
    max_points: float
    visibility: str
    message: str = ""
    diagnoses: list[list[str]] = field(default_factory=list)
    seconds: float = 0.0
    said_by_sandbox: bool = False  # the diagnoses came from the sandbox: shown, never priced (deductions)


@dataclass
class GradeResult:
    student: str
    checks: list[CheckResult]
    seconds: float
    notes: list[str] = field(default_factory=list)
    isolation: Isolation | None = None  # how the student's code was isolated (None: never run)
    recovered: list[PdfCode] = field(default_factory=list)  # code read out of PDF reports
    code: dict[str, str] = field(default_factory=dict)  # target -> the module graded (similarity hints)
    # What the run checks' verdicts were decided from (a class run keeps it: `rescore --rejudge`).
    evidence: Evidence | None = field(default=None, repr=False, compare=False)

    @property
    def score(self) -> float:
        return sum(c.points for c in self.checks)

    @property
    def max_score(self) -> float:
        return sum(c.max_points for c in self.checks)


def score_outcome(outcome: Outcome, rubric: Rubric) -> CheckResult:
    """A run check's outcome with its points, maximum and visibility from `rubric` (before deductions)."""
    rule = rubric.rule_for(outcome.id)
    return CheckResult(
        outcome.id,
        outcome.passed,
        rule.points if outcome.passed else 0.0,
        rule.points,
        rule.visibility,
        outcome.message,
        outcome.diagnoses,
        outcome.seconds,
        outcome.said_by_sandbox,
    )
