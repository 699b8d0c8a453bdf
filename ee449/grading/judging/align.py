"""Align a student's layer sequence with the homework's, and name layers as a TA does.

The sequences are `describe_layers` strings ('Conv2d(8->16, k=7x7, stride=1x1, pad=0x0, bias)',
'ReLU', 'MaxPool2d(k=2, s=2)', 'Linear(32->64, no bias)'), optionally with the student's attribute
names. The alignment is an edit distance on the layers (weighted layers pair in order, a layer only
one side has costs more when it has weights); paired layers are then compared field by field by `structure`, which says each difference in one sentence naming the
layer as the student wrote it (its position and attribute name) and the homework's layer. Pure
standard library, run in the grader's process on the layer lists the sandbox recorded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

ACTIVATIONS = {"ReLU", "Sigmoid", "Tanh", "LeakyReLU", "ELU", "GELU"}
SOFTMAX = {"Softmax", "LogSoftmax"}
_PATTERN = re.compile(r"^(?P<kind>\w+)(?:\((?P<args>.*)\))?$")
_ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth")


@dataclass(frozen=True)
class Layer:
    """One layer of a sequence, parsed from its description."""

    text: str
    kind: str
    name: str = ""  # the student's attribute path, '' for the spec's layers and functional calls
    channels: tuple[int, int] | None = None  # (in, out) for Conv2d and Linear
    kernel: str = ""
    stride: str = ""
    pad: str = ""
    bias: bool | None = None


def parse(text: str, name: str = "") -> Layer:
    """A `describe_layers` string as a Layer; an unknown form keeps its text as its kind."""
    match = _PATTERN.match(text.strip())
    if match is None:
        return Layer(text, text, name)
    kind, args = match["kind"], match["args"] or ""
    fields = dict(part.split("=", 1) for part in args.split(", ") if "=" in part)
    sizes = re.match(r"^(\d+)->(\d+)", args)
    channels = (int(sizes[1]), int(sizes[2])) if sizes else None
    bias = None if kind not in {"Conv2d", "Linear"} else not args.endswith("no bias")
    return Layer(
        text,
        kind,
        name,
        channels,
        fields.get("k", ""),
        fields.get("stride", fields.get("s", "")),
        fields.get("pad", ""),
        bias,
    )


def _ordinal(n: int) -> str:
    return _ORDINALS[n - 1] if 0 < n <= len(_ORDINALS) else f"{n}th"


def _nth(layers: Sequence[Layer], index: int) -> int:
    """How many layers of this kind come up to and including `index` (1 for the first)."""
    return sum(1 for layer in layers[: index + 1] if layer.kind == layers[index].kind)


def _noun(kind: str) -> str:
    return {"Conv2d": "convolution", "Linear": "fully connected layer", "MaxPool2d": "MaxPool"}.get(
        kind, kind
    )


def _spec_name(layers: Sequence[Layer], index: int) -> str:
    """How the homework's figures name a layer: 'Conv 7x7 (8->16)', 'FC-64', 'the prediction layer'."""
    layer = layers[index]
    if layer.kind == "Linear" and layer.channels:
        last = all(other.kind != "Linear" for other in layers[index + 1 :])
        return "the prediction layer" if last else f"FC-{layer.channels[1]}"
    if layer.kind == "Conv2d" and layer.channels:
        return f"the {_ordinal(_nth(layers, index))} convolution ({layer.channels[0]}->{layer.channels[1]}, {layer.kernel})"
    if layer.kind == "MaxPool2d":
        return f"the {_ordinal(_nth(layers, index))} MaxPool"
    return f"the {layer.kind}"


def _yours(layers: Sequence[Layer], index: int) -> str:
    """A student's layer by position and attribute name: 'your third convolution (conv3)'."""
    layer = layers[index]
    named = f" ({layer.name})" if layer.name else ""
    if layer.kind == "Linear" and layer.channels:
        last = all(other.kind != "Linear" for other in layers[index + 1 :])
        return f"your prediction layer{named}" if last else f"your FC-{layer.channels[1]}{named}"
    if layer.kind == "Conv2d" and layer.kernel:
        named = f" ({layer.name}, {layer.kernel})" if layer.name else f" ({layer.kernel})"
    return f"your {_ordinal(_nth(layers, index))} {_noun(layer.kind)}{named}"


def _upper(text: str) -> str:
    """The first letter upper case, the rest as written (str.capitalize would lower 'FC-64')."""
    return text[:1].upper() + text[1:]


def _named(layer: Layer) -> str:
    return f" ({layer.name})" if layer.name else ""


def _after(layers: Sequence[Layer], index: int) -> str:
    """Where position `index` sits: 'after the 3rd convolution', counting only weighted layers."""
    for i in range(index - 1, -1, -1):
        if layers[i].kind in {"Conv2d", "Linear"}:
            return f"after the {_ordinal(_nth(layers, i))} {_noun(layers[i].kind)}"
    return "at the start"


WEIGHTED = {"Conv2d", "Linear"}


def _cost(a: Layer, b: Layer) -> float | None:
    """Cost of pairing two layers (None: never paired): the same kind, cheaper with fewer differing fields."""
    if a.kind == b.kind:
        fields = ("channels", "kernel", "stride", "pad", "bias")
        return 0.25 * sum(getattr(a, f) != getattr(b, f) for f in fields)
    if a.kind in ACTIVATIONS and b.kind in ACTIVATIONS:
        return 1.0
    return None


def _gap(layer: Layer) -> float:
    """Cost of a layer only one side has: a weighted layer is dearer, so convolutions pair in order."""
    return 3.0 if layer.kind in WEIGHTED else 1.0


def align(spec: Sequence[Layer], yours: Sequence[Layer]) -> list[tuple[int | None, int | None]]:
    """The cheapest alignment (edit distance with the costs above): pairs of (spec index, your index)."""
    n, m = len(spec), len(yours)
    inf = float("inf")
    cost = [[inf] * (m + 1) for _ in range(n + 1)]
    cost[0][0] = 0.0
    for i in range(n + 1):
        for j in range(m + 1):
            here = cost[i][j]
            if i < n:
                cost[i + 1][j] = min(cost[i + 1][j], here + _gap(spec[i]))
            if j < m:
                cost[i][j + 1] = min(cost[i][j + 1], here + _gap(yours[j]))
            if i < n and j < m:
                pair = _cost(spec[i], yours[j])
                if pair is not None:
                    cost[i + 1][j + 1] = min(cost[i + 1][j + 1], here + pair)
    pairs: list[tuple[int | None, int | None]] = []
    i, j = n, m
    while i or j:  # walk back along one cheapest path
        pair = _cost(spec[i - 1], yours[j - 1]) if i and j else None
        if pair is not None and abs(cost[i][j] - (cost[i - 1][j - 1] + pair)) < 1e-9:
            pairs.append((i - 1, j - 1))
            i, j = i - 1, j - 1
        elif i and abs(cost[i][j] - (cost[i - 1][j] + _gap(spec[i - 1]))) < 1e-9:
            pairs.append((i - 1, None))
            i -= 1
        else:
            pairs.append((None, j - 1))
            j -= 1
    return pairs[::-1]
