"""The layer sequence a model really runs, in forward order, for any hand-written nn.Module.

`ee449.models.describe_layers` lists registered modules in registration order. A student's
class often registers layers in one order and calls them in another, and applies ReLU as a
function (`F.relu(self.conv1(x))`), which registers nothing. `trace_layers` runs one forward
pass and records, in call order, each leaf module (described by `describe_layers`, so the
strings compare with the reference's) and each functional activation or pooling called
outside a leaf module. Runs inside the sandbox: it calls student code.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn
from torch.overrides import TorchFunctionMode

from ee449.models import describe_layers

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
    def __init__(self) -> None:
        super().__init__()
        self.entries: list[str] = []
        self.depth = 0  # > 0 while inside a leaf module's forward

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        if self.depth == 0:
            name = getattr(func, "__name__", "")
            if name in _ACTIVATIONS:
                self.entries.append(_ACTIVATIONS[name])
            elif name in {"max_pool2d", "max_pool2d_with_indices"} or func is F.max_pool2d:
                self.entries.append(_pool_entry(args, kwargs))
            elif name in {"conv2d", "linear"} and len(args) > 1:
                self.entries.append(f"functional {name} with weight {tuple(args[1].shape)}")
        return func(*args, **kwargs)


def trace_layers(model: nn.Module, x: torch.Tensor) -> list[str]:
    """Run `model(x)` once without gradients and return its layers in the order they ran."""
    recorder = _Recorder()
    handles = []

    def before(module, _inputs):
        if recorder.depth == 0:
            recorder.entries.extend(describe(module))
        recorder.depth += 1

    def after(module, _inputs, _output):
        recorder.depth -= 1

    for module in model.modules():
        if not list(module.children()):
            handles.append(module.register_forward_pre_hook(before))
            handles.append(module.register_forward_hook(after))
    try:
        with torch.no_grad(), recorder:
            model(x)
    finally:
        for handle in handles:
            handle.remove()
    return recorder.entries
