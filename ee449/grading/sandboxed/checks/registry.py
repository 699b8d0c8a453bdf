"""The one list of run checks: what each is, which subjects of a grading it runs for, its budget.

Both sides of the sandbox read it. The sandbox's check functions take their id, target, budget and
parameters from it (`support.registered`); the grader lists the checks a grading must have a verdict
for from it (`planned`, `judge.expected_checks`), in the order the sandbox runs them. A check function
whose entry is missing, or an entry without its function, fails the tests
(tests/grading/sandboxed/checks/test_registry.py collects the real check modules).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

from ee449.grading.sandboxed.checks.cases import CASES
from ee449.grading.sandboxed.checks.manifest import Manifest
from ee449.grading.sandboxed.checks.protocol import SUBJECT_GROUPS, CheckId
from ee449.grading.sandboxed.checks.rules import XOR_TARGET

CONV_TARGET = "my_conv2d"


def _once(manifest: Manifest) -> Sequence[str]:
    return ("",)


def _with_course_data(manifest: Manifest) -> Sequence[str]:
    return ("",) if manifest.course_data else ()


def _xor_edition(manifest: Manifest) -> Sequence[str]:
    return ("",) if manifest.part1 == "xor" else ()


def _cases(manifest: Manifest) -> Sequence[str]:
    return tuple(CASES)


def _architectures(manifest: Manifest) -> Sequence[str]:
    return manifest.arch_keys


def _probed(manifest: Manifest) -> Sequence[str]:
    # A grading kept from before the probe existed has no seed, and no probe to rejudge.
    return manifest.arch_keys if manifest.probe_seed is not None else ()


def _slots(*parts: int, with_arch: bool = False) -> Callable[[Manifest], Sequence[str]]:
    def chosen(manifest: Manifest) -> Sequence[str]:
        return tuple(s.slot for s in manifest.result_files if s.part in parts and (s.arch or not with_arch))

    return chosen


@dataclass(frozen=True)
class Check:
    """One kind of check: `group/name`, run once per subject the grading has (none: not run)."""

    group: str
    name: str
    subjects: Callable[[Manifest], Sequence[str]]
    target: str  # the target it runs, a template over `param` where the subject is the target
    param: str = ""  # the check function's parameter that takes the subject ("" : it takes none)
    calls: int = 1  # calls of student code it makes: its budget is --timeout x calls

    @property
    def template(self) -> str:
        """The id as the sandbox's marker spells it: `arch/{key}/layers`, `conv/matches_reference[{case}]`."""
        if self.group in SUBJECT_GROUPS:
            return f"{self.group}/{{{self.param}}}/{self.name}"
        return f"{self.group}/{self.name}" + (f"[{{{self.param}}}]" if self.param else "")

    def ids(self, manifest: Manifest) -> list[tuple[str, str]]:
        """(id, target) of each of this check's runs in a grading."""
        return [
            (self.template.format(**{self.param: s}), self.target.format(**{self.param: s}))
            for s in self.subjects(manifest)
        ]


def _arch(name: str, subjects: Callable[[Manifest], Sequence[str]] = _architectures) -> Check:
    return Check("arch", name, subjects, target="{key}", param="key")


def _results(name: str, subjects: Callable[[Manifest], Sequence[str]]) -> Check:
    return Check("results", name, subjects, target="results", param="slot")


CHECKS = (
    Check("conv", "output_shape", _once, CONV_TARGET),
    Check("conv", "matches_reference", _cases, CONV_TARGET, param="case"),
    Check("conv", "inputs_unmodified", _once, CONV_TARGET),
    Check("conv", "course_samples", _with_course_data, CONV_TARGET, calls=10),  # ten sample files
    Check("xor", "forward", _xor_edition, XOR_TARGET),
    Check("xor", "descent", _xor_edition, XOR_TARGET),
    Check("xor", "derivatives", _xor_edition, XOR_TARGET),
    # Up to three trainings of 10,000 epochs (the homework's rate and two rescaled ones).
    Check("xor", "training", _xor_edition, XOR_TARGET, calls=3),
    _arch("constructible"),
    _arch("output_shape"),
    _arch("parameter_count"),
    _arch("layers"),
    _arch("computes", _probed),
    _results("keys", _slots(3, 4, 5)),
    _results("curve_lengths", _slots(3, 4, 5)),
    _results("accuracy_units", _slots(3, 5)),
    _results("test_accuracy_band", _slots(3)),
    _results("weights_shape", _slots(3, with_arch=True)),
    _results("gradients_nonnegative", _slots(4)),
)
BY_NAME = {(c.group, c.name): c for c in CHECKS}


def planned(manifest: Manifest) -> list[tuple[str, str]]:
    """(id, target) of every run check of a grading, in the order the sandbox runs them."""
    return [pair for check in CHECKS for pair in check.ids(manifest)]


def calls(check_id: str) -> int:
    """The calls of student code a check makes (1 for an id not here): its budget is --timeout x calls."""
    parsed = CheckId.parse(check_id)
    entry = BY_NAME.get((parsed.group, parsed.name.partition("[")[0]))
    return entry.calls if entry is not None else 1
