"""The verdicts on the architectures: constructible, output shape at several batches, parameter
count and layer list, against the models built in a trusted child (`reference`)."""

from __future__ import annotations

from typing import Callable

import numpy as np

from ee449.grading.judging.align import ACTIVATIONS, SOFTMAX
from ee449.grading.judging.diagnose import Diagnosis, diagnose_batch, diagnose_layers
from ee449.grading.judging.records import MAX_ARRAY_DIMS, Context, Malformed, Record, Verdict
from ee449.grading.judging.review import REVIEW
from ee449.grading.judging.structure import diagnose_unused
from ee449.grading.sandboxed.arch_measures import BATCHES
from ee449.grading.sandboxed.batch_views import diagnose_views
from ee449.grading.sandboxed.checks.protocol import arch_check
from ee449.grading.sandboxed.edition_fit import other_edition_diagnoses
from ee449.spec import edition

SPATIAL_DEFECTS = {"kernel_differs", "stride_differs", "same_padding", "conv_padding"}


def _how(record: Record, context: Context, key: str, separator: str = "; ") -> str:
    how = record.values.get("how")
    return f"{separator}{context.name(key)} {how}" if isinstance(how, str) and how else ""


def _shape(value: object) -> tuple[int, ...]:
    if (
        not isinstance(value, list)
        or len(value) > MAX_ARRAY_DIMS
        or not all(isinstance(v, int) and not isinstance(v, bool) for v in value)
    ):
        raise Malformed("a shape is not a list of integers")
    return tuple(value)


def _constructible(key: str, record: Record, context: Context) -> Verdict:
    record.get("how", str)
    return True, "", []


def _output_shape(key: str, record: Record, context: Context) -> Verdict:
    shapes = record.get("shapes", dict)
    works, problems = {}, []
    for n in BATCHES:
        got = shapes.get(str(n))
        if isinstance(got, str):  # the forward pass failed: the student's error text
            works[n] = False
            problems.append(f"batch {n}: {got[:500]}")
            continue
        shape = _shape(got)
        works[n] = shape == (n, 10)
        if not works[n]:
            problems.append(f"batch {n}: output {list(shape)}, expected [{n}, 10]")
    diagnoses = diagnose_batch(context.name(key), works)
    if diagnoses and _views(record):  # the same defect, said with the student's own line
        diagnoses = diagnose_views(context.name(key), _views(record), str(record.values.get("file", "")))
    graded = edition(context.homework)
    other_edition = other_edition_diagnoses(
        context.name(key), record.values.get("fits_editions"), graded.year
    )
    if not any(works.values()) and key.startswith("mlp") and record.get("takes_flat_input", bool):
        diagnoses.append(
            Diagnosis(
                "flattened_input",
                (
                    f"Your {context.name(key)} only accepts inputs already flattened to [N, {graded.input_features}]; "
                    f"the homework's models take images [N, {', '.join(map(str, graded.input_shape))}]: flatten "
                    "inside forward with x.view(x.size(0), -1)."
                ),
            )
        )
    if not any(works.values()) and not diagnoses:
        diagnoses = diagnose_views(context.name(key), _views(record), str(record.values.get("file", "")))
        if not diagnoses:  # it cannot run a batch at all: why, from its layers up to the failing one
            traced = context.record(arch_check(key, "layers"))
            diagnoses = _failed_forward(key, traced, context) if traced is not None else []
    # A convolution that pads, strides or sizes its kernel differently changes the feature maps'
    # size exactly as another edition's image size would (cnn_3 padding by 1 happens to take
    # 28 x 28 images): the student's defect is then the convolution, not the edition.
    if not any(d.code in SPATIAL_DEFECTS for d in diagnoses):
        diagnoses += other_edition
    if problems:
        return False, "; ".join(problems) + _how(record, context, key), diagnoses
    return True, "", diagnoses


def _views(record: Record) -> list[tuple[int, str]]:
    views = record.values.get("views")
    if not isinstance(views, list):
        return []
    return [
        (v[0], v[1][:200])
        for v in views[:10]
        if isinstance(v, list) and len(v) == 2 and isinstance(v[0], int) and isinstance(v[1], str)
    ]


def _strings(record: Record, name: str) -> list[str]:
    value = record.values.get(name)
    return [str(v)[:200] for v in value[:200]] if isinstance(value, list) else []


def _modules(record: Record) -> list[tuple[str, str]]:
    value = record.values.get("modules")
    if not isinstance(value, list):
        return []
    return [
        (m[0][:200], m[1][:200])
        for m in value[:500]
        if isinstance(m, list) and len(m) == 2 and all(isinstance(v, str) for v in m)
    ]


def _failed_forward(key: str, record: Record, context: Context) -> list[Diagnosis]:
    """Diagnoses from the layers that ran before the forward failed, and the weighted modules it never reached."""
    partial, names = _strings(record, "partial"), _strings(record, "names")
    reached = set(names)
    rest = [(n, t) for n, t in _modules(record) if n not in reached and t.startswith(("Conv2d", "Linear"))]
    views = diagnose_views(context.name(key), _views(record), str(record.values.get("file", "")))
    return views + diagnose_layers(
        context.name(key),
        partial + [t for _, t in rest],
        context.references()[key]["layers"],
        names + [n for n, _ in rest],
        ran=len(partial),
        key=key,
    )


def _where_it_failed(record: Record) -> str:
    """'; it fails at fc (Linear(144->10, bias)), which receives [50, 256]' when a module raised."""
    failed = record.values.get("failed_at")
    if not (
        isinstance(failed, list)
        and len(failed) == 3
        and isinstance(failed[0], str)
        and isinstance(failed[1], str)
    ):
        return ""
    shape = [d for d in failed[2] if isinstance(d, int)] if isinstance(failed[2], list) else []
    name = f"{failed[0][:100]} ({failed[1][:100]})" if failed[0] else failed[1][:100]
    return f"; it fails at {name}, which receives {shape}" if shape else f"; it fails at {name}"


def _layers_of(record: Record) -> list[str] | None:
    return record.strings("layers") if isinstance(record.values.get("layers"), list) else None


def _parameter_count(key: str, record: Record, context: Context) -> Verdict:
    got = record.get("count", int)
    want = int(context.references()[key]["count"])
    if got == want:
        return True, "", []
    traced = context.record(
        arch_check(key, "layers")
    )  # the layer list, from the check that ran the forward pass
    diagnoses = _count_diagnoses(key, traced, context) if traced is not None else []
    return (
        False,
        (
            f"{context.name(key)} has {got:,} trainable parameters; the homework's {key} has "
            f"{want:,} ({got - want:+,})" + _how(record, context, key)
        ),
        diagnoses,
    )


def _activation_only(diagnosis: Diagnosis) -> bool:
    """A difference that changes no parameter: an activation or softmax added, removed or swapped."""
    kinds = {k.lower() for k in ACTIVATIONS | SOFTMAX}
    code = diagnosis.code
    return code in {"activation_differs", "softmax_layer"} or code.partition("_")[2] in kinds


def _count_diagnoses(key: str, traced: Record, context: Context) -> list[Diagnosis]:
    """Why the parameter count differs: layers that differ in weights, and weighted modules forward never uses."""
    name = context.name(key)
    layers = _layers_of(traced)
    if layers is None:
        found = _failed_forward(key, traced, context)
    else:
        found = diagnose_layers(
            name, layers, context.references()[key]["layers"], _strings(traced, "names"), key=key
        )
        found += diagnose_unused(name, _modules(traced), _strings(traced, "names"))
    return [d for d in found if not _activation_only(d)]


def _layers(key: str, record: Record, context: Context) -> Verdict:
    got = _layers_of(record)
    name = context.name(key)
    if got is None:
        error = str(record.get("error", str))[:500]
        return (
            False,
            (
                f"could not run {name} on a batch of 50 to list its layers: {error}{_where_it_failed(record)}"
                + _how(record, context, key)
            ),
            _failed_forward(key, record, context),
        )
    want = context.references()[key]["layers"]
    if got == want:
        return True, "", []
    diagnoses = diagnose_layers(name, got, want, _strings(record, "names"), key=key)
    if diagnoses:  # each difference is named in its own sentence: no need to show both sequences
        return (
            False,
            f"layer sequence differs from the homework's {key}" + _how(record, context, key),
            diagnoses,
        )
    at = next((i for i, (a, b) in enumerate(zip(got, want)) if a != b), min(len(got), len(want)))
    yours = got[at] if at < len(got) else "nothing (your model ends there)"
    theirs = want[at] if at < len(want) else "nothing (the homework's ends there)"
    return (
        False,
        (
            f"layer sequence differs from the homework's {key} from layer {at + 1} on: yours is {yours}, "
            f"the homework's is {theirs}" + _how(record, context, key)
        ),
        [],
    )


def _computes(key: str, record: Record, context: Context) -> Verdict:
    """Its outputs with the grader's weights and batch (`probe`) against the homework's model's.

    Scores nothing: it flags for a person the model whose records claim the homework's layers
    but whose computation is not theirs (records written without the model, or an equivalent
    network spelt differently, such as one that flattens channels last). Not compared when the
    layers already differ (`layers` names how) or the model could not run (the others say why).
    """
    name = context.name(key)
    traced = context.record(arch_check(key, "layers"))
    claimed = traced is not None and _layers_of(traced) == context.references()[key]["layers"]
    want = np.asarray(context.references()[key]["outputs"], dtype=np.float64)
    recorded = record.values.get("outputs")
    got = recorded if isinstance(recorded, np.ndarray) and recorded.dtype.kind in "biuf" else None
    if got is not None and got.shape == want.shape and np.allclose(got, want, rtol=1e-3, atol=1e-4):
        return True, "", []
    if not claimed:
        return True, f"not compared: {name} does not run the homework's {key} layers (arch/{key}/layers)", []
    if got is None:
        error = record.values.get("error")
        differs = f"it raised {error[:300]}" if isinstance(error, str) else "no outputs were recorded"
    elif got.shape != want.shape:
        differs = f"its outputs have shape {list(got.shape)}, the homework's {list(want.shape)}"
    else:
        differs = (
            f"its outputs differ from the homework's by up to {float(np.nanmax(np.abs(got - want))):.3g}"
        )
    sentence = (
        f"Your {name}'s recorded layers are the homework's {key}, but given the grader's weights and "
        f"images it does not compute what those layers compute ({differs}). A person should read this "
        "model: an equivalent network written another way (channels flattened last, a layer used in "
        "another order than defined) differs here too, so this scores no points."
    )
    return (
        False,
        f"review: the computation of {name} does not match its layers" + _how(record, context, key),
        [Diagnosis(REVIEW, sentence)],
    )


ARCH_VERDICTS: dict[str, Callable[[str, Record, Context], Verdict]] = {
    "constructible": _constructible,
    "output_shape": _output_shape,
    "parameter_count": _parameter_count,
    "layers": _layers,
    "computes": _computes,
}
