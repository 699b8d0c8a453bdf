"""What a model computes with the grader's weights: the check that architecture records were not forged.

The architecture records (output shapes, parameter count, layer list) describe a model, and every
number in them is in the homework's text: code that replaced the sandbox's `record` could write
them for a model it never built. What it cannot write without computing the model is its output
on inputs and weights drawn by the grader at run time. So each weighted module (one with its own
parameters), in the order the forward pass first calls it, gets values drawn from the grader's
seed, its position in that order and its parameter's name and shape; the model then runs on a
batch drawn from the same seed. The trusted reference child does the same to the homework's
model (`judging.reference`), and the judge compares (`judging.arch`).

Call order, not registration order: a class that defines `fc` before `conv1` is the same network.
Runs in the sandbox on the student's model, and in the reference child on ours.
"""

from __future__ import annotations

import copy
import math

import numpy as np
import torch
from torch import nn

# The homework's batch: a model that hard-codes it (`x.view(50, -1)`) runs as in the other checks.
PROBE_BATCH = 50
RECORDED_ROWS = 4  # of its outputs, enough to tell a model; a forger would still need all of its computation
MAX_OUTPUTS = 64  # per row: the homework's models give 10


def _values(seed: int, position: int, name: str, shape: tuple[int, ...], fan_in: int) -> torch.Tensor:
    """The grader's values for parameter `name` of the `position`-th weighted module called."""
    stream = [seed, position, sum(ord(c) * 31**i for i, c in enumerate(name)) % 2**32, *shape]
    bound = 1 / math.sqrt(max(fan_in, 1))  # torch's default initialisation's scale: activations stay in range
    drawn = np.random.default_rng(stream).uniform(-bound, bound, size=shape)
    return torch.from_numpy(drawn)


def _called_in_order(model: nn.Module, batch: torch.Tensor) -> list[nn.Module]:
    """The modules with parameters of their own, in the order a forward pass first calls them."""
    called: list[nn.Module] = []
    owners = [m for m in model.modules() if any(True for _ in m.parameters(recurse=False))]

    def hook(module: nn.Module, _inputs: object, _output: object) -> None:
        if not any(module is seen for seen in called):
            called.append(module)

    handles = [m.register_forward_hook(hook) for m in owners]
    try:
        with torch.no_grad():
            model(batch)
    finally:
        for handle in handles:
            handle.remove()
    return called


def probe_input(seed: int, input_shape: tuple[int, ...]) -> torch.Tensor:
    """The grader's batch: PROBE_BATCH images drawn from its seed."""
    drawn = np.random.default_rng([seed, 2**31 - 1]).standard_normal((PROBE_BATCH, *input_shape))
    return torch.from_numpy(drawn).float()


def computes(model: nn.Module, input_shape: tuple[int, ...], seed: int) -> list[list[float]]:
    """The outputs of `model` with the grader's weights on the grader's batch, as plain lists.

    The model the other checks use is left as it was: a copy is probed, or, for a model that cannot
    be copied (it holds a tensor that is not a leaf, say), its own parameters are put back after.
    Raises what the model raises.
    """
    try:
        probed = copy.deepcopy(model)
    except Exception:  # noqa: BLE001 - whatever the student's object refuses: probe it in place
        probed = model
    kept = {name: p.detach().clone() for name, p in probed.named_parameters()} if probed is model else {}
    training = probed.training
    try:
        return _outputs(probed.eval(), input_shape, seed)
    finally:
        probed.train(training)
        with torch.no_grad():
            for name, parameter in probed.named_parameters():
                if name in kept:
                    parameter.copy_(kept[name])


def _outputs(probed: nn.Module, input_shape: tuple[int, ...], seed: int) -> list[list[float]]:
    batch = probe_input(seed, input_shape)
    batch = batch.to(next(probed.parameters(), batch).dtype)  # a model in double precision gets doubles
    for position, module in enumerate(_called_in_order(probed, batch)):
        own = dict(module.named_parameters(recurse=False))
        weight = own.get("weight")
        fan_in = math.prod(weight.shape[1:]) if weight is not None and weight.dim() > 1 else 1
        with torch.no_grad():
            for name, parameter in own.items():
                values = _values(seed, position, name, tuple(parameter.shape), fan_in)
                parameter.copy_(values.to(parameter.dtype))
    with torch.no_grad():
        output = probed(batch)
    rows = (
        output.detach().double().reshape(len(batch), -1)[:RECORDED_ROWS, :MAX_OUTPUTS]
    )  # a wrong model's can be huge
    return [[float(v) for v in row] for row in rows.tolist()]


def probe_record(model: nn.Module, input_shape: tuple[int, ...], seed: int) -> dict[str, object]:
    """What arch/*/computes records: {"outputs": the probe's rows} or, when the forward raised,
    {"error": its type and message} (the judge then compares nothing). Shared by the sandbox's
    check and `ee449.check`, so both say the same."""
    try:
        return {"outputs": np.asarray(computes(model, input_shape, seed), dtype=np.float64)}
    except Exception as error:  # noqa: BLE001 - the student's forward failed
        return {"error": f"{type(error).__name__}: {error}"[:500]}
