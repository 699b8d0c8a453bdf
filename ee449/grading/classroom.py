"""Grade a class folder: one submission per subfolder, .zip or .pdf, several at a time, each in its own
sandbox; one student's broken submission never stops the class."""

from __future__ import annotations

import os
import tempfile
import threading
import traceback
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import Callable, Sequence

from ee449.errors import SubmissionError
from ee449.grading import sandbox
from ee449.grading.grade import grade_submission
from ee449.grading.grades import CheckResult, GradeOptions, GradeResult
from ee449.grading.output.text import clean_line
from ee449.grading.sandbox import signals
from ee449.grading.sandbox.isolation import ISOLATION_ENV, isolation


def find_submissions(folder: Path) -> list[tuple[str, Path]]:
    """(student, path) for each subfolder, .zip or .pdf of a class folder, sorted by name."""
    entries = [
        p
        for p in sorted(folder.iterdir())
        if not p.name.startswith((".", "__")) and (p.is_dir() or p.suffix.lower() in {".zip", ".pdf"})
    ]
    return [(p.stem if p.is_file() else p.name, p) for p in entries]


def require_isolation() -> None:
    """A class run under the fence only when asked for (`EE449_SANDBOX=fence`), never silently:
    without bubblewrap one student's code can read the others' files and the TA's."""
    mode = isolation()
    if mode.mode != "bwrap" and os.environ.get(ISOLATION_ENV, "").strip().lower() != "fence":
        raise ValueError(
            f"a class run needs bubblewrap, and {mode.reason}: install bubblewrap, or set "
            f"{ISOLATION_ENV}=fence to grade the class without isolation (students' code can then "
            "read your files and reach the network)"
        )


def grade_class(
    folder: str | Path,
    options: GradeOptions | None = None,
    jobs: int = 1,
    on_result: Callable[[GradeResult], None] | None = None,
    submissions: Sequence[tuple[str, Path]] | None = None,
) -> list[GradeResult]:
    """Grade every submission in `folder`, `jobs` at a time (each grading is its own sandbox).

    Every student gets a GradeResult whatever another submission does (an exception grading or
    reporting one student becomes that student's internal-error result); `on_result` is called
    with each as it is ready (so a class run stopped half way keeps what it finished);
    `submissions`, when given, are the (student, path) pairs to grade instead of every entry. Ctrl-C
    kills every sandboxed child before the KeyboardInterrupt propagates.
    """
    if jobs < 1:
        raise ValueError(f"-j must be at least 1, got {jobs}")
    options = options or GradeOptions()
    # Else the caller chose the (id, path) pairs: unique ids (`roster`), finished ones left out.
    if submissions is None:
        submissions = find_submissions(Path(folder))
    isolation()  # probe once here, not in every thread; an impossible EE449_SANDBOX fails now
    sandbox.resume()  # a class started after an interrupted one in this process runs again

    blank = _Blank(options)

    def one(student: str, path: Path) -> GradeResult:
        result = _grade_one(student, path, options, blank)
        if on_result is None:
            return result
        try:
            on_result(result)
        except OSError:
            raise  # the operator's disk, not the student: the CLI says what was kept
        except Exception as error:  # noqa: BLE001 - reporting one student must not stop the class
            result = _internal_error(student, error, "reported")
            on_result(result)
        return result

    # The work happens in child processes; Ctrl-C goes to the main thread (`signals`).
    pool = ThreadPoolExecutor(max_workers=jobs, initializer=signals.to_the_main_thread)
    try:
        return list(pool.map(lambda s: one(*s), submissions))
    except BaseException:  # Ctrl-C in the main thread: stop every child, then the threads end
        sandbox.stop_all()
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


class _Blank:
    """Every check of an empty submission (graded once, when first needed): a student whose
    submission could not be read still gets the class's checks and maximum, each failed saying why,
    so the scores and exports compare like with like."""

    def __init__(self, options: GradeOptions):
        self.options, self.lock = options, threading.Lock()
        self.checks: list[CheckResult] | None = None

    def failed(self, student: str, first: CheckResult, notes: list[str]) -> GradeResult:
        with self.lock:
            if self.checks is None:
                with tempfile.TemporaryDirectory(prefix="ee449-blank-") as empty:
                    folder = Path(empty) / "blank"
                    folder.mkdir()
                    self.checks = grade_submission(folder, self.options, "blank").checks
        why = f"not graded: {first.message}"
        others = [
            replace(
                c, passed=False, points=0.0, message=why, diagnoses=[], seconds=0.0, said_by_sandbox=False
            )
            for c in self.checks
        ]
        return GradeResult(student, [first, *others], 0.0, notes)


def _grade_one(student: str, path: Path, options: GradeOptions, blank: _Blank | None = None) -> GradeResult:
    try:
        return grade_submission(path, options, student)
    except SubmissionError as error:  # a corrupt or unsafe zip: this student gets a note, the class goes on
        alone = GradeResult(
            student, [CheckResult("submission/unpack", False, 0.0, 0.0, "visible", str(error))], 0.0
        )
    except Exception as error:  # noqa: BLE001 - one submission must not stop the class
        alone = _internal_error(student, error, "graded")
    if blank is None:
        return alone
    try:
        return blank.failed(student, alone.checks[0], alone.notes)
    except Exception:  # noqa: BLE001 - the blank grading failed too: the reason alone, maximum 0
        return alone


def _internal_error(student: str, error: BaseException, what: str) -> GradeResult:
    detail = clean_line("".join(traceback.format_exception_only(type(error), error)).strip())[:2000]
    return GradeResult(
        student,
        [
            CheckResult(
                f"submission/{what}",
                False,
                0.0,
                0.0,
                "visible",
                f"the grader could not {'grade' if what == 'graded' else 'report'} this submission: {detail}",
            )
        ],
        0.0,
        [f"internal grading error: {detail}"],
    )
