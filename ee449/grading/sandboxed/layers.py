"""The layer sequence a model really runs, in forward order, for any hand-written nn.Module.

`ee449.models.describe_layers` lists registered modules in registration order. A student's
class often registers layers in one order and calls them in another, and applies ReLU as a
function (`F.relu(self.conv1(x))`), which registers nothing. `trace_layers` runs one forward
pass and records, in call order, each leaf module (described by `describe_layers`, so the
strings compare with the reference's) and each functional activation or pooling called
outside a leaf module. Runs inside the sandbox: it calls student code.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import torch
import torch.nn.functional as F
from torch import nn
from torch.overrides import TorchFunctionMode

from ee449.models import describe_layers

if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

# Functional calls that are layers of the homework's figures, by the name torch gives them.
_ACTIVATIONS = {
    "relu": "ReLU",
    "relu_": "ReLU",
    "sigmoid": "Sigmoid",
    "sigmoid_": "Sigmoid",
    "tanh": "Tanh",
    "softmax": "Softmax",
    "log_softmax": "LogSoftmax",
    "leaky_relu": "LeakyReLU",
    "elu": "ELU",
    "gelu": "GELU",
}


def effective_padding(conv: nn.Conv2d) -> tuple[int, ...] | str:
    """The padding a conv applies, whatever its spelling: 'valid' is (0, 0); 'same' is what it adds per side.

    'same' with an even kernel pads unevenly (torch adds the extra row at the bottom): kept as 'same'.
    """
    if not isinstance(conv.padding, str):
        return tuple(conv.padding)
    if conv.padding == "valid":
        return (0,) * len(conv.kernel_size)
    totals = [d * (k - 1) for d, k in zip(conv.dilation, conv.kernel_size)]
    return tuple(t // 2 for t in totals) if all(t % 2 == 0 for t in totals) else conv.padding


def describe(module: nn.Module) -> list[str]:
    """`describe_layers(module)`, with a conv's padding written as its effect (padding='valid' is pad=0x0)."""
    entries = describe_layers(module)
    if isinstance(module, nn.Conv2d) and isinstance(module.padding, str):
        padding = effective_padding(module)
        shown = "x".join(map(str, padding)) if isinstance(padding, tuple) else padding
        entries = [e.replace(f"pad={module.padding}", f"pad={shown}") for e in entries]
    return entries


def _pool_entry(args: tuple, kwargs: dict) -> str:
    kernel = kwargs.get("kernel_size", args[1] if len(args) > 1 else None)
    stride = kwargs.get("stride", args[2] if len(args) > 2 else None)
    # No kernel_size: the call itself fails in torch next; the entry shows it as the student wrote it.
    pool = nn.MaxPool2d(kernel_size=kernel, stride=stride or None)  # type: ignore[arg-type]
    return describe_layers(pool)[0]


class _Recorder(TorchFunctionMode):
    """Functional layers called outside a leaf module; `names` and `shapes` run parallel to `entries`."""

    def __init__(self) -> None:
        super().__init__()
        self.entries: list[str] = []
        self.names: list[str] = []  # the module's attribute path, '' for a functional call
        self.shapes: list[list[int]] = []  # the output shape after each entry ([] until known)
        self.depth = 0  # > 0 while inside a leaf module's forward

    def add(self, entries: list[str], name: str) -> None:
        self.entries += entries
        self.names += [name] * len(entries)
        self.shapes += [[] for _ in entries]

    def __torch_function__(
        self,
        func: Callable[..., Any],
        types: tuple[type, ...],
        args: tuple = (),
        kwargs: dict | None = None,
    ) -> Any:
        kwargs = kwargs or {}
        before = len(self.entries)
        if self.depth == 0:
            name = getattr(func, "__name__", "")
            if name in _ACTIVATIONS:
                self.add([_ACTIVATIONS[name]], "")
            elif name in {"max_pool2d", "max_pool2d_with_indices"} or func is F.max_pool2d:
                self.add([_pool_entry(args, kwargs)], "")
            elif name in {"conv2d", "linear"} and len(args) > 1:
                self.add([f"functional {name} with weight {tuple(args[1].shape)}"], "")
        result = func(*args, **kwargs)
        if len(self.entries) > before:
            self.shapes[-1] = _shape(result[0] if isinstance(result, tuple) else result)
        return result


def _shape(value: object) -> list[int]:
    return [int(d) for d in value.shape] if isinstance(value, torch.Tensor) else []


@dataclass(frozen=True)
class Trace:
    """One forward pass, as far as it got: the layers in call order, with the student's names and shapes.

    `names[i]` is the attribute path of the module that gave `entries[i]` ('features.3', 'conv6'),
    '' for a functional call; `shapes[i]` the output shape after it ([] when unknown). `error` is
    the forward's exception ('' when it ran); `failed_at` the (name, layer, input shape) of the leaf
    module that raised, when one did. `modules`: every leaf module, (name, layer), in registration order.
    """

    entries: list[str]
    names: list[str]
    shapes: list[list[int]]
    modules: list[tuple[str, str]]
    error: str = ""
    failed_at: tuple[str, str, list[int]] | None = None


def _leaf_text(module: nn.Module) -> str:
    return (describe(module) or [type(module).__name__])[0]


def trace(model: nn.Module, x: torch.Tensor) -> Trace:
    """Run `model(x)` once without gradients and record what ran; the forward's own error is kept, not raised."""
    recorder = _Recorder()
    leaves = [(name, m) for name, m in model.named_modules() if not list(m.children())]
    names = {id(m): name for name, m in leaves}
    entered: list[
        tuple[str, str, list[int], int]
    ] = []  # leaf modules running now, and where their entries start
    handles = []

    def before(module: nn.Module, inputs: tuple[Any, ...]) -> None:
        if recorder.depth == 0:
            name = names.get(id(module), "")
            entered.append(
                (name, _leaf_text(module), _shape(inputs[0]) if inputs else [], len(recorder.entries))
            )
            recorder.add(describe(module), name)
        recorder.depth += 1

    def after(module: nn.Module, _inputs: tuple[Any, ...], output: object) -> None:
        recorder.depth -= 1
        if recorder.depth == 0 and entered:
            start = entered.pop()[3]
            for i in range(start, len(recorder.entries)):
                recorder.shapes[i] = _shape(output)

    for _, module in leaves:
        handles.append(module.register_forward_pre_hook(before))
        handles.append(module.register_forward_hook(after))
    error = ""
    try:
        with torch.no_grad(), recorder:
            model(x)
    except Exception as failure:  # noqa: BLE001 - the student's forward failed: what ran so far is the evidence
        error = f"{type(failure).__name__}: {failure}"[:500]
    finally:
        for handle in handles:
            handle.remove()
    failed_at = entered[-1][:3] if error and entered else None
    modules = [(name, _leaf_text(m)) for name, m in leaves]
    return Trace(recorder.entries, recorder.names, recorder.shapes, modules, error, failed_at)


def trace_layers(model: nn.Module, x: torch.Tensor) -> list[str]:
    """Run `model(x)` once without gradients and return its layers in the order they ran (raises the forward's error)."""
    traced = trace(model, x)
    if traced.error:
        raise RuntimeError(traced.error)
    return traced.entries
