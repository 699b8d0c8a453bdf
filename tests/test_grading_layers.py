"""trace_layers lists the layers a model runs, in call order, comparable with describe_layers."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from ee449.grading.layers import trace_layers
from ee449.models import ACTIVATIONS, ARCHITECTURES, build, describe_layers


@pytest.mark.parametrize("activation", list(ACTIVATIONS))
@pytest.mark.parametrize("arch", ARCHITECTURES)
def test_tracing_a_reference_model_gives_its_registered_layers(arch, activation):
    model = build(arch, activation)
    assert trace_layers(model, torch.zeros(3, 1, 32, 32)) == describe_layers(model)


class FunctionalCnn3(nn.Module):
    """cnn_3 as students write it: layers registered out of order, activations and pooling as functions."""

    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(144, 10)
        self.conv3 = nn.Conv2d(8, 16, 7)
        self.conv2 = nn.Conv2d(16, 8, 5)
        self.conv1 = nn.Conv2d(1, 16, 3)

    def forward(self, x):
        x = F.relu(self.conv1(x))
        x = self.conv2(x).relu()
        x = F.max_pool2d(x, 2)
        x = torch.max_pool2d(self.conv3(x), kernel_size=2, stride=2)
        return self.fc(x.view(x.size(0), -1))


def test_functional_activations_and_pooling_are_traced_in_call_order():
    x = torch.zeros(2, 1, 32, 32)
    assert describe_layers(FunctionalCnn3()) != describe_layers(build("cnn_3"))  # registration order lies
    assert trace_layers(FunctionalCnn3(), x) == describe_layers(build("cnn_3"))


def test_a_module_called_twice_is_listed_twice_and_hooks_are_removed():
    relu = nn.ReLU()
    model = nn.Sequential(nn.Flatten(), nn.Linear(1024, 32), relu, nn.Linear(32, 32), relu, nn.Linear(32, 10))
    assert trace_layers(model, torch.zeros(1, 1, 32, 32)).count("ReLU") == 2
    assert not relu._forward_hooks and not relu._forward_pre_hooks
