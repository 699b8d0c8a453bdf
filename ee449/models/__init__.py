"""The five homework architectures as torch modules: `build(name, activation)` from spec's layer lists.

- `ee449.models.networks`  `build`, `HomeworkNet` and the helpers that inspect a model
- `ee449.models.part1`     Part 1's formulas checked against PyTorch's counts on the built models

The layer lists themselves are data in `ee449.spec` (re-exported here: `models.REGISTRY`,
`models.ARCHITECTURES`, ... are public names).
"""

from __future__ import annotations

from ee449.models.networks import (
    ACTIVATIONS,
    HomeworkNet,
    build,
    check_activation,
    check_input_shape,
    count_parameters,
    describe_layers,
    first_layer,
    flatten_size,
    weighted_layers,
)
from ee449.spec import (
    ACT,
    ARCHITECTURES,
    INPUT_SHAPE,
    NUM_CLASSES,
    POOL,
    REGISTRY,
    Activation,
    Conv,
    Dense,
    Layer,
    MaxPool,
    check_architecture,
)

__all__ = [
    "ACT",
    "ACTIVATIONS",
    "ARCHITECTURES",
    "INPUT_SHAPE",
    "NUM_CLASSES",
    "POOL",
    "REGISTRY",
    "Activation",
    "Conv",
    "Dense",
    "HomeworkNet",
    "Layer",
    "MaxPool",
    "build",
    "check_activation",
    "check_architecture",
    "check_input_shape",
    "count_parameters",
    "describe_layers",
    "first_layer",
    "flatten_size",
    "weighted_layers",
]
