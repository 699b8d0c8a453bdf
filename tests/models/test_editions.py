"""The architectures at each edition's input shape: sizes from HOMEWORK-YEARS.md, stacked replicas equal plain models."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from ee449.editions import edition
from ee449.models import ARCHITECTURES, build, count_parameters, flatten_size
from ee449.models.part1 import architecture_counts
from ee449.models.stacked import StackedNet

# HOMEWORK-YEARS.md's numbers (the oracle): first-layer inputs per edition and the 28 x 28 flatten sizes.
FLATTEN = {
    2023: {"mlp_1": 1024, "mlp_2": 1024, "cnn_3": 144, "cnn_4": 256, "cnn_5": 128},
    2024: {"mlp_1": 784, "mlp_2": 784, "cnn_3": 64, "cnn_4": 144, "cnn_5": 72},
    2025: {"mlp_1": 3072, "mlp_2": 3072, "cnn_3": 144, "cnn_4": 256, "cnn_5": 128},
}


@pytest.mark.parametrize("year", list(FLATTEN))
@pytest.mark.parametrize("arch", ARCHITECTURES)
def test_each_model_takes_its_editions_input_and_flattens_as_the_text_says(year, arch):
    shape = edition(year).input_shape
    model = build(arch, input_shape=shape)
    assert flatten_size(arch, shape) == FLATTEN[year][arch]
    first = next(m for m in model.modules() if isinstance(m, (nn.Conv2d, nn.Linear)))
    assert (first.in_channels if isinstance(first, nn.Conv2d) else first.in_features) == (
        shape[0] if arch.startswith("cnn") else FLATTEN[year][arch]
    )
    assert model(torch.zeros(7, *shape)).shape == (7, 10)
    counts = architecture_counts(arch, shape)  # formulas from the layer list, independent of build()
    assert counts["params_formula"] == count_parameters(model) == counts["params_pytorch"]


def test_a_model_refuses_another_editions_input_naming_both_shapes():
    with pytest.raises(
        ValueError, match=r"cnn_4 expects input of shape \[N, 3, 32, 32\], got \[2, 1, 32, 32\]"
    ):
        build("cnn_4", input_shape=(3, 32, 32))(torch.zeros(2, 1, 32, 32))


@pytest.mark.parametrize("arch", ["mlp_2", "cnn_3"])
@pytest.mark.parametrize("shape", [(3, 32, 32), (1, 28, 28)])
def test_a_stack_of_replicas_at_any_input_shape_equals_each_plain_model(arch, shape):
    seeds = [11, 12, 13]
    net = StackedNet(arch, "relu", seeds, torch.device("cpu"), input_shape=shape)
    images = torch.randn(len(seeds), 5, *shape, generator=torch.Generator().manual_seed(0))
    stacked = net.forward(images)  # (R, B, 10)
    for r, seed in enumerate(seeds):
        torch.manual_seed(seed)
        plain = build(arch, input_shape=shape)
        torch.testing.assert_close(stacked[r], plain(images[r]), rtol=1e-5, atol=1e-5)
        torch.testing.assert_close(net.replica(r)(images[r]), plain(images[r]), rtol=1e-5, atol=1e-5)
