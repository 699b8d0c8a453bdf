"""What a student sees before handing in: the grader's own verdicts on the visible checks, nothing more.

`ee449 check PATH` grades the folder, notebook or PDF exactly as `ee449 grade` does (same
sandbox, same checks, same messages and diagnoses) and shows only the checks the rubric makes
visible; hidden ones (and those released after the deadline) are counted, never named, and the
operator's notes (how the sandbox isolates code) are left out.

`ee449.check("conv", my_conv2d)` / `ee449.check("cnn_3", model)` / `ee449.check("xor", MLP)` (2024 /
2025) does the same from inside a notebook for one function, model or class, for the edition
`homework=` names (else $EE449_HOMEWORK, else 2023): it runs them in the notebook's own process (the student's
code already runs there) and judges what they give with the grader's verdict functions, so the
messages are the grader's. The grader's conv reference is used for the verdict only; what is
printed is the grader's message, which names one differing entry at most, never an array.
"""

from __future__ import annotations

import ast
import inspect
import textwrap
import types
from dataclasses import replace
from functools import partial
from typing import Any, Callable

import numpy as np

from ee449.editions import edition, requested_year
from ee449.grading.discovery import static
from ee449.grading.grades import GradeResult, score_outcome
from ee449.grading.judging import judge, reference
from ee449.grading.judging.conv import CASES, conv_followups
from ee449.grading.judging.records import Context, Record
from ee449.grading.judging.review import computes_followups
from ee449.grading.output.report import summary
from ee449.grading.rubric import Rubric, load_rubric
from ee449.grading.sandbox.runner import Outcome
from ee449.grading.sandboxed.checks.manifest import Manifest, Target
from ee449.grading.sandboxed.checks.protocol import CheckId, arch_check, conv_case_check
from ee449.grading.sandboxed.checks.rules import NEEDS_LIBRARY, XOR_TARGET
from ee449.spec import ARCHITECTURES

SHOWN = "visible"


def student_view(result: GradeResult) -> str:
    """`report.summary` of the visible checks alone, and a count of the rest."""
    shown = [c for c in result.checks if c.visibility == SHOWN]
    withheld = len(result.checks) - len(shown)
    operator = {result.isolation.announcement} if result.isolation is not None else set()
    notes = [n for n in result.notes if n not in operator]
    header, _, rest = summary(replace(result, checks=shown, notes=notes)).partition("\n")
    text = (
        header.replace(f"== {result.student}:", f"== {result.student}, visible checks only:", 1) + "\n" + rest
    )
    if withheld:
        text += f"\n  {withheld} further checks are graded but not shown before the deadline."
    return text


# -- from inside a notebook -------------------------------------------------------------------


def _recorded(make: Callable[[], Record]) -> Record | str:
    """The record, or the error the student's code raised making it (the check then fails with it)."""
    try:
        return make()
    except Exception as error:  # noqa: BLE001 - the student's code failed: the check says how
        return f"{type(error).__name__}: {error}"[:500]


def _conv_records(conv: Callable[..., object]) -> dict[str, Record | str]:
    """What the sandbox's conv checks record, recorded here from `conv` (`checks.check_conv`)."""

    def out(x: np.ndarray, kernel: np.ndarray) -> Record:
        value = conv(x.copy(), kernel.copy())
        dtype = str(getattr(value, "dtype", "")) if hasattr(value, "detach") else ""
        if hasattr(value, "detach"):
            value = value.detach().cpu().numpy()
        return Record({"out": np.array(value), "tensor_dtype": dtype})

    def unmodified() -> Record:
        x_in, k_in = (a.copy() for a in CASES["uint8_input"])
        conv(x_in, k_in)
        return Record({"input_after": np.array(x_in), "kernel_after": np.array(k_in)})

    records = {"conv/output_shape": _recorded(lambda: out(*CASES["multichannel"]))}
    for case, (x, kernel) in CASES.items():
        records[conv_case_check(case)] = _recorded(partial(out, x, kernel))
    records["conv/inputs_unmodified"] = _recorded(unmodified)
    return records


def _xor_records(network: Callable[..., object]) -> dict[str, Record | str]:
    """What the sandbox's XOR checks record (`checks.check_xor`), measured here on the class `network`."""
    from ee449.grading.sandboxed.xor_behaviour import MEASURES

    def measured(measure: Callable[..., dict]) -> Record:
        return Record(measure(network))

    return {
        str(CheckId("xor", check)): _recorded(partial(measured, measure))
        for check, measure in MEASURES.items()
    }


def _arch_records(key: str, model: Any, shape: tuple[int, ...]) -> dict[str, Record | str]:
    """What the sandbox's architecture checks record (`checks.check_architectures`), from `model`."""
    import torch

    from ee449.grading.sandboxed.arch_measures import output_shapes, takes_flat_input
    from ee449.grading.sandboxed.edition_fit import fitting_editions
    from ee449.grading.sandboxed.layers import trace_layers
    from ee449.grading.sandboxed.probe import probe_record
    from ee449.models import count_parameters

    how = "as given to ee449.check"
    shapes = output_shapes(model, shape)
    flat = takes_flat_input(model, shape)
    layers: list[str] | None = None
    traced = ""
    try:
        layers = [str(e) for e in trace_layers(model, torch.zeros(50, *shape))]
    except Exception as failure:  # noqa: BLE001 - the verdict reports it
        traced = f"{type(failure).__name__}: {failure}"[:500]
    computed = Record(
        {**probe_record(model, shape, reference.probe_seed()), "how": how}
    )  # as the sandbox's check
    return {
        arch_check(key, "constructible"): Record({"how": how}),
        arch_check(key, "output_shape"): Record(
            {"shapes": shapes, "takes_flat_input": flat, "how": how, "fits_editions": fitting_editions(model)}
        ),
        arch_check(key, "parameter_count"): Record({"count": int(count_parameters(model)), "how": how}),
        arch_check(key, "layers"): Record({"layers": layers, "error": traced, "how": how}),
        arch_check(key, "computes"): computed,
    }


def _record_or_none(found: Record | str | None) -> Record | None:
    return found if isinstance(found, Record) else None


def check_one(
    part: str, target: object, rubric: Rubric | None = None, homework: int | None = None
) -> GradeResult:
    """The visible verdicts on one function (`"conv"`), model (an architecture name) or, in the editions
    whose Part 1 is the NumPy XOR network, its class (`"xor"`), run in this process, for `homework`'s
    edition (None: $EE449_HOMEWORK, else 2023)."""
    rubric = rubric or load_rubric()
    graded = edition(requested_year(homework))
    shape = graded.input_shape
    library: list[tuple[str, int, str]] = []
    if part == "conv":
        records, name = _conv_records(target), "my_conv2d"  # type: ignore[arg-type]
        library = _library_convs_of(target)
    elif part == "xor" and graded.part1 == "xor":
        records, name = _xor_records(target), XOR_TARGET  # type: ignore[arg-type]
    elif part in ARCHITECTURES or part.endswith("_sigmoid") and part[: -len("_sigmoid")] in ARCHITECTURES:
        model = target() if isinstance(target, type) else target  # a class with defaults, or a built model
        records, name = _arch_records(part, model, shape), part
    else:
        xor = ", 'xor'" if graded.part1 == "xor" else ""
        raise ValueError(
            f"ee449.check: part {part!r} is not 'conv'{xor} or one of {', '.join(ARCHITECTURES)} "
            f"(the {graded.year} edition)"
        )
    manifest = Manifest(found={name: Target(name, name)}, homework=graded.year, input_shape=tuple(shape))
    context = Context(
        manifest, lambda: reference.reference_models(shape), lambda i: _record_or_none(records.get(i))
    )
    outcomes = [
        judge.judge(check_id, name, record, context)
        if isinstance(record, Record)
        else Outcome(check_id, name, False, f"{name} raised {record}")
        for check_id, record in records.items()
    ]
    if library:  # the grading runs it where no library convolution exists: every conv check fails there
        where = ", ".join(f"{qualified} (line {line})" for _, line, qualified in library)
        said = f"{name} uses {where}, which the grading's conv checks cannot reach"
        outcomes = [Outcome(o.id, name, False, said, [["needs_library", NEEDS_LIBRARY]]) for o in outcomes]
    conv_followups(outcomes)
    computes_followups(outcomes)
    checks = [score_outcome(outcome, rubric) for outcome in outcomes]
    return GradeResult(f"ee449.check({part!r})", checks, 0.0)


def _library_convs_of(function: object) -> list[tuple[str, int, str]]:
    """The library convolutions `function`'s own source calls, its module globals (`F` for
    torch.nn.functional) resolved as imports: what the grading's conv pass would not let it reach."""
    try:
        lines, start = inspect.getsourcelines(function)  # type: ignore[arg-type]
        tree = ast.increment_lineno(ast.parse(textwrap.dedent("".join(lines))), max(start - 1, 0))
    except (OSError, TypeError, SyntaxError, ValueError):  # defined where no source is kept: run it as is
        return []
    modules = {
        alias: module.__name__
        for alias, module in getattr(function, "__globals__", {}).items()
        if isinstance(module, types.ModuleType) and alias.isidentifier()
    }
    imports = [ast.parse(f"import {full} as {alias}").body[0] for alias, full in modules.items()]
    return static.library_convs([("your code", statement) for statement in [*imports, *tree.body]])


def check_in_notebook(
    part: str, target: object, rubric: Rubric | None = None, homework: int | None = None
) -> bool:
    """Print what the grader says on `part`'s visible checks; True when every one of them passes."""
    result = check_one(part, target, rubric, homework)
    print(student_view(result))
    return all(c.passed for c in result.checks if c.visibility == SHOWN)
