"""What running a student's model gives, measured the same way by the sandbox's checks
(`checks.check_architectures`) and by `ee449.check` (`selfcheck`): its output shapes at a few batch
sizes and whether it takes flattened images. Plain data out; the judge decides (`judging.arch`)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from torch import nn

BATCHES = (1, 7, 50)  # 50 is the homework's batch; 1 and 7 catch a hard-coded one
MAX_ERROR = 500  # characters of a forward's error kept as the shape it did not give


def output_shapes(model: nn.Module, image: tuple[int, ...]) -> dict[str, object]:
    """{batch: the output's shape, or the error its forward raised} for each of BATCHES (seeded inputs)."""
    import torch

    shapes: dict[str, object] = {}
    torch.manual_seed(1)
    for n in BATCHES:
        try:
            with torch.no_grad():
                shapes[str(n)] = [int(d) for d in model(torch.randn(n, *image)).shape]
        except Exception as error:  # noqa: BLE001 - the student's forward failed: the grader reports why
            shapes[str(n)] = f"{type(error).__name__}: {error}"[:MAX_ERROR]
    return shapes


def takes_flat_input(model: nn.Module, image: tuple[int, ...]) -> bool:
    """Whether it maps flattened images [7, C*H*W] to [7, 10] (an MLP written for flat input)."""
    import torch

    try:
        with torch.no_grad():
            return tuple(model(torch.zeros(7, math.prod(image))).shape) == (7, 10)
    except Exception:  # noqa: BLE001 - it does not
        return False
