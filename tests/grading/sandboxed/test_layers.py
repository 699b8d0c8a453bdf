"""trace_layers lists the layers a model runs, in call order, comparable with describe_layers."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from ee449.grading.sandboxed.layers import trace_layers
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


@pytest.mark.parametrize("padding", ["valid", 0, (0, 0)])
def test_valid_padding_in_any_spelling_traces_as_the_reference(padding):
    """padding='valid' is no padding: never a difference from the homework's cnn_3."""
    model = build("cnn_3")
    spelled = nn.Sequential(
        *[
            nn.Conv2d(m.in_channels, m.out_channels, m.kernel_size, padding=padding)
            if isinstance(m, nn.Conv2d)
            else m
            for m in model.layers
        ]
    )
    x = torch.zeros(2, 1, 32, 32)
    assert trace_layers(spelled, x) == trace_layers(model, x)


@pytest.mark.parametrize("padding", ["same", 1, (1, 1)])
def test_same_padding_in_any_spelling_traces_as_padding_one(padding):
    traced = trace_layers(nn.Sequential(nn.Conv2d(1, 16, 3, padding=padding)), torch.zeros(1, 1, 8, 8))
    assert traced == ["Conv2d(1->16, k=3x3, stride=1x1, pad=1x1, bias)"]
