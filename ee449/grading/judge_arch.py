"""The verdicts on the architectures: constructible, output shape at several batches, parameter
count and layer list, against the models built in a trusted child (`reference`)."""

from __future__ import annotations

from typing import Callable

from ee449.grading.diagnose import Diagnosis, diagnose_batch, diagnose_layers
from ee449.grading.edition_fit import other_edition_diagnoses
from ee449.grading.records import MAX_ARRAY_DIMS, Context, Malformed, Record, Verdict

BATCHES = (1, 7, 50)  # 50 is the homework's batch; 1 and 7 catch a hard-coded one


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
    diagnoses += other_edition_diagnoses(context.name(key), record.values.get("fits_editions"))
    if not any(works.values()) and key.startswith("mlp") and record.get("takes_flat_input", bool):
        diagnoses.append(
            Diagnosis(
                "flattened_input",
                (
                    f"Your {context.name(key)} only accepts inputs already flattened to [N, 1024]; the homework's models "
                    "take images [N, 1, 32, 32]: flatten inside forward with x.view(x.size(0), -1)."
                ),
            )
        )
    if problems:
        return False, "; ".join(problems) + _how(record, context, key), diagnoses
    return True, "", diagnoses


def _layers_of(record: Record) -> list[str] | None:
    return record.strings("layers") if isinstance(record.values.get("layers"), list) else None


def _parameter_count(key: str, record: Record, context: Context) -> Verdict:
    got = record.get("count", int)
    want = int(context.references()[key]["count"])
    if got == want:
        return True, "", []
    traced = context.record(f"arch/{key}/layers")  # the layer list, from the check that ran the forward pass
    layers = _layers_of(traced) if traced is not None else None
    diagnoses = (
        diagnose_layers(context.name(key), layers, context.references()[key]["layers"]) if layers else []
    )
    return (
        False,
        (
            f"{context.name(key)} has {got:,} trainable parameters; the homework's {key} has "
            f"{want:,} ({got - want:+,})" + _how(record, context, key)
        ),
        diagnoses,
    )


def _layers(key: str, record: Record, context: Context) -> Verdict:
    got = _layers_of(record)
    if got is None:
        error = str(record.get("error", str))[:500]
        return (
            False,
            (
                f"could not run {context.name(key)} on a batch of 50 to list its layers: {error}"
                + _how(record, context, key)
            ),
            [],
        )
    want = context.references()[key]["layers"]
    if got == want:
        return True, "", []
    return (
        False,
        (
            f"layer sequence differs from the homework's {key}:\n  yours:    "
            + " -> ".join(got)
            + "\n  expected: "
            + " -> ".join(want)
            + _how(record, context, key, "\n  ")
        ),
        diagnose_layers(context.name(key), got, want),
    )


ARCH_VERDICTS: dict[str, Callable[[str, Record, Context], Verdict]] = {
    "constructible": _constructible,
    "output_shape": _output_shape,
    "parameter_count": _parameter_count,
    "layers": _layers,
}
