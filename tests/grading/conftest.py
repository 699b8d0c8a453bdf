"""Fixtures of the grading tests.

`graded_class`: the one way a test module grades a whole class folder with the real grader
(sandboxed children, two at a time): once per session and worker for each name, so a module
fixture, however often pytest sets it up, grades its class once. `make test` runs with
`--dist loadscope` (each module on one worker), so no class is graded on two workers.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import pytest

from ee449.grading.classroom import grade_class
from ee449.grading.grades import GradeOptions, GradeResult

GradedClass = tuple[dict[str, GradeResult], Path]  # {student: result}, the class folder


@pytest.fixture(scope="session")
def graded_class(tmp_path_factory: pytest.TempPathFactory) -> Callable[..., GradedClass]:
    """`graded_class(name, build, options, jobs=2)`: `build(folder)` fills an empty class folder, which is
    then graded with `options`; the same name again returns the first grading."""
    done: dict[str, GradedClass] = {}

    def grade(name: str, build: Callable[[Path], None], options: GradeOptions, jobs: int = 2) -> GradedClass:
        if name not in done:
            folder = tmp_path_factory.mktemp(name) / "class"
            folder.mkdir()
            build(folder)
            done[name] = ({r.student: r for r in grade_class(folder, options, jobs=jobs)}, folder)
        return done[name]

    return grade
