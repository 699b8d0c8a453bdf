"""Structural diagnoses: each difference between a student's layers and the homework's, in one sentence.

The alignment and the layer names are `align`'s; here each unpaired or differing layer becomes a
`Diagnosis`: a missing, extra, misplaced or unused layer (with its attribute name and position),
a layer whose bias, kernel, stride, padding or width differs, an activation added, removed or
swapped. Pure standard library.
"""

from __future__ import annotations

from typing import Sequence

from ee449.grading.judging.align import (
    ACTIVATIONS,
    SOFTMAX,
    WEIGHTED,
    Layer,
    _after,
    _named,
    _noun,
    _nth,
    _ordinal,
    _spec_name,
    _upper,
    _yours,
    align,
    parse,
)
from ee449.grading.judging.diagnose import Diagnosis


def diagnose_structure(
    arch: str,
    student: Sequence[str],
    reference: Sequence[str],
    names: Sequence[str] = (),
    ran: int | None = None,
    key: str = "",
) -> list[Diagnosis]:
    """Every difference between the student's layer sequence and the homework's, one sentence each.

    `ran`: the forward pass failed, and only the first `ran` layers of `student` are known to run
    in this order (the rest are the modules it never reached). A homework layer the alignment
    places after the failure is then not called missing: nobody knows what would have run there.
    """
    key = key or arch  # `arch` is the student's class name, `key` the homework's architecture
    yours = [parse(text, names[i] if i < len(names) else "") for i, text in enumerate(student)]
    spec = [parse(text) for text in reference]
    found: list[Diagnosis] = []
    missing: list[int] = []  # indices into spec
    extra: list[int] = []  # indices into yours
    pairs = align(spec, yours)
    reached = len(spec)
    if ran is not None:  # the homework's layers up to the one paired with the failing layer are known
        reached = 1 + max((i for i, j in pairs if i is not None and j is not None and j < ran), default=-1)
    for i, j in pairs:
        if i is None:
            extra.append(j)  # type: ignore[arg-type]
        elif j is None:
            missing.append(i)
        elif spec[i].kind != yours[j].kind:
            found.append(_activation_differs(arch, key, spec, i, yours, j))
        else:
            found += _compare(arch, key, spec, i, yours, j)
    found += _moved_missing_extra(arch, key, spec, missing, yours, extra, reached)
    return _one_padding(arch, key, found)


PADDING = ("same_padding", "conv_padding")


def _one_padding(arch: str, key: str, found: list[Diagnosis]) -> list[Diagnosis]:
    """Several padded convolutions are one choice (padding=1 everywhere): said, and priced, once."""
    pads = [d for d in found if d.code in PADDING]
    if len(pads) < 2:
        return found
    code = "same_padding" if all(d.code == "same_padding" for d in pads) else "conv_padding"
    which = "; ".join(d.sentence.split(";")[0].removeprefix("Your ") for d in pads)
    merged = Diagnosis(
        code,
        f"{len(pads)} convolutions of your {arch} pad ({which}); the homework's {key} uses no padding "
        "(padding=0), so every convolution shrinks its input.",
    )
    first = found.index(pads[0])
    rest = [d for d in found if d.code not in PADDING]
    return rest[:first] + [merged] + rest[first:]


def _activation_differs(
    arch: str, key: str, spec: list[Layer], i: int, yours: list[Layer], j: int
) -> Diagnosis:
    return Diagnosis(
        "activation_differs",
        f"Your {arch} uses {yours[j].kind} {_after(yours, j)}, where the homework's {key} uses {spec[i].kind}.",
    )


def _compare(arch: str, key: str, spec: list[Layer], i: int, yours: list[Layer], j: int) -> list[Diagnosis]:
    """Field-by-field differences of two layers of the same kind."""
    want, got = spec[i], yours[j]
    who, theirs = _yours(yours, j), _spec_name(spec, i)
    found: list[Diagnosis] = []
    if want.bias is not None and got.bias is not None and want.bias != got.bias:
        if arch.startswith("mlp_2") and want.channels == (32, 64) and got.bias:
            found.append(
                Diagnosis(
                    "fc64_bias",
                    (
                        f"{_upper(who)} has a bias; the homework's FC-64 of mlp_2 has none: use "
                        "nn.Linear(32, 64, bias=False)."
                    ),
                )
            )
        elif got.bias:
            found.append(
                Diagnosis(
                    "extra_bias",
                    f"{_upper(who)} has a bias; {theirs} of the homework's {key} has none.",
                )
            )
        else:
            found.append(
                Diagnosis(
                    "missing_bias",
                    (
                        f"{_upper(who)} has no bias (bias=False); {theirs} of the homework's {key} has one: "
                        "drop bias=False."
                    ),
                )
            )
    if want.kind in {"Conv2d", "MaxPool2d"} and want.kernel != got.kernel and got.kernel:
        found.append(
            Diagnosis(
                "kernel_differs",
                (
                    f"{_upper(who)} uses a {got.kernel} kernel; {theirs} of the homework's {key} uses {want.kernel}."
                ),
            )
        )
    if want.kind == "Conv2d" and want.pad != got.pad and got.pad:
        found.append(_padding(arch, key, who, got))
    if want.stride != got.stride and got.stride and want.kind in {"Conv2d", "MaxPool2d"}:
        found.append(
            Diagnosis(
                "stride_differs",
                (
                    f"{_upper(who)} has stride {got.stride}; {theirs} of the homework's {key} has stride {want.stride}."
                ),
            )
        )
    if want.channels and got.channels and want.channels[1] != got.channels[1]:
        unit = "output channels" if want.kind == "Conv2d" else "outputs"
        found.append(
            Diagnosis(
                "channels_differ",
                (
                    f"{_upper(who)} has {got.channels[1]} {unit}; {theirs} of the homework's {key} has "
                    f"{want.channels[1]}."
                ),
            )
        )
    return found


def _padding(arch: str, key: str, who: str, got: Layer) -> Diagnosis:
    sides = got.pad.split("x")
    amount = sides[0] if len(set(sides)) == 1 else got.pad
    same = got.kernel and all(
        p.isdigit() and k.isdigit() and int(p) == int(k) // 2 for p, k in zip(sides, got.kernel.split("x"))
    )
    how = "'same' padding" if same or got.pad == "same" else f"padding {amount}"
    return Diagnosis(
        "same_padding" if same or got.pad == "same" else "conv_padding",
        (
            f"{_upper(who)} pads by {amount} ({how}); the homework's {key} uses no padding (padding=0), so "
            "every convolution shrinks its input."
        ),
    )


def _moved_missing_extra(
    arch: str,
    key: str,
    spec: list[Layer],
    missing: list[int],
    yours: list[Layer],
    extra: list[int],
    reached: int,
) -> list[Diagnosis]:
    """Layers only one side has: a pair of the same kind is one misplaced layer, the rest missing or extra.

    A homework layer at or after `reached` is not called missing (the forward failed before it)."""
    found: list[Diagnosis] = []
    for i in list(missing):
        same = [j for j in extra if yours[j].kind == spec[i].kind and spec[i].kind not in ACTIVATIONS]
        if same:
            j = same[0]
            missing.remove(i)
            extra.remove(j)
            found.append(
                Diagnosis(
                    "misplaced_layer",
                    (
                        f"In your {arch}, the {_ordinal(_nth(yours, j))} {_noun(yours[j].kind)}{_named(yours[j])} comes "
                        f"{_after(yours, j)}; the homework's {key} has it {_after(spec, i)}."
                    ),
                )
            )
    for i in (i for i in missing if i < reached):
        if spec[i].kind in ACTIVATIONS:
            found.append(
                Diagnosis(
                    f"missing_{spec[i].kind.lower()}",
                    (
                        f"Your {arch} is missing the {spec[i].kind} after {_spec_name(spec, i - 1)}"
                        if i > 0
                        else f"Your {arch} is missing the {spec[i].kind} at the start"
                    )
                    + ".",
                )
            )
        else:
            shown = "" if spec[i].kind in WEIGHTED else f" ({spec[i].text})"
            found.append(
                Diagnosis(
                    "missing_layer",
                    (
                        f"Your {arch} has no {_spec_name(spec, i).removeprefix('the ')}{shown}; the homework's "
                        f"{arch} has it {_after(spec, i)}."
                    ),
                )
            )
    for j in extra:
        found.append(_extra(arch, key, yours, j))
    return found


def _extra(arch: str, key: str, yours: list[Layer], j: int) -> Diagnosis:
    layer = yours[j]
    named = f" ({layer.name})" if layer.name else ""
    previous = next((k for k in range(j - 1, -1, -1) if yours[k].kind in {"Conv2d", "Linear"}), None)
    where = (
        f"after {_yours(yours, previous).replace('your ', 'your ', 1)}"
        if previous is not None
        else "at the start"
    )
    if layer.kind in SOFTMAX:
        return Diagnosis(
            "softmax_layer",
            (
                f"Your {arch} applies a {layer.kind} at the end; CrossEntropyLoss expects raw logits, so remove it."
            ),
        )
    if layer.kind in ACTIVATIONS:
        last = (
            previous is not None
            and all(y.kind != "Linear" for y in yours[previous + 1 :])
            and (yours[previous].kind == "Linear")
        )
        tail = " (the logits must be raw: CrossEntropyLoss applies the softmax)" if last else ""
        return Diagnosis(
            f"extra_{layer.kind.lower()}",
            (
                f"Your {arch} has an extra {layer.kind}{named} {where}; the homework's {key} has no activation "
                f"there{tail}."
            ),
        )
    return Diagnosis(
        "extra_layer",
        (
            f"Your {arch} has an extra {_noun(layer.kind)}{named} {where} ({layer.text}); the homework's {key} "
            "has none there."
        ),
    )


def diagnose_unused(arch: str, modules: Sequence[tuple[str, str]], called: Sequence[str]) -> list[Diagnosis]:
    """Weighted layers registered in the model but never run by its forward (they still count parameters)."""
    ran = set(called)
    found = []
    for name, text in modules:
        layer = parse(text, name)
        if name and name not in ran and layer.kind in {"Conv2d", "Linear"}:
            found.append(
                Diagnosis(
                    "unused_layer",
                    (
                        f"{name} ({text}) is defined in your {arch} but never used in forward: remove it, its "
                        "parameters are counted."
                    ),
                )
            )
    return found
