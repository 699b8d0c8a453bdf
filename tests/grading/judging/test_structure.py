"""Structural diagnoses: each difference between a model's layers and the homework's, named once.

The mutants are built as torch models (the oracle for each layer string is `describe_layers` on
a real module), traced like the sandbox traces a student's model, and compared with the reference.
"""

from __future__ import annotations

import pytest
import torch
from torch import nn

from ee449.grading.judging.align import align, parse
from ee449.grading.judging.structure import diagnose_structure, diagnose_unused
from ee449.grading.sandboxed.layers import trace
from ee449.models import build, describe_layers

ARCHS = ("mlp_1", "mlp_2", "cnn_3", "cnn_4", "cnn_5")
X = torch.zeros(50, 1, 32, 32)


def layers_of(arch: str) -> list[nn.Module]:
    return [m for m in build(arch).modules() if not list(m.children())]


def mutant(arch: str, change) -> nn.Sequential:
    layers = layers_of(arch)
    change(layers)
    if not any(isinstance(m, nn.Flatten) for m in layers):
        last = max(i for i, m in enumerate(layers) if isinstance(m, nn.Linear))
        layers.insert(last, nn.Flatten())
    return nn.Sequential(*layers)


def diagnose(arch: str, model: nn.Module) -> list:
    traced = trace(model, X)
    ran = len(traced.entries) if traced.error else None
    return diagnose_structure(arch, traced.entries, describe_layers(build(arch)), traced.names, ran)


def codes(found) -> list[str]:
    return [d.code for d in found]


@pytest.mark.parametrize("arch", ARCHS)
def test_the_reference_models_have_no_difference(arch):
    assert diagnose(arch, build(arch)) == []


def swap(index: int, module: nn.Module):
    def change(layers):
        layers[index] = module

    return change


MUTANTS = [
    # (arch, change, code, words in the sentence)
    ("mlp_1", swap(3, nn.Linear(32, 10, bias=False)), "missing_bias", "prediction layer (3)"),
    ("mlp_2", swap(3, nn.Linear(32, 64)), "fc64_bias", "FC-64 (3)"),
    ("mlp_2", lambda ls: ls.insert(4, nn.ReLU()), "extra_relu", "after your FC-64 (3)"),
    ("mlp_1", lambda ls: ls.append(nn.Softmax(dim=1)), "softmax_layer", "raw logits"),
    ("cnn_3", lambda ls: ls.insert(6, nn.ReLU()), "extra_relu", "third convolution (5, 7x7)"),
    ("cnn_4", lambda ls: ls.pop(3), "missing_relu", "after the second convolution (16->8, 3x3)"),
    (
        "cnn_3",
        swap(5, nn.Conv2d(8, 16, 7, padding=1)),
        "conv_padding",
        "third convolution (5, 7x7) pads by 1",
    ),
    ("cnn_3", swap(2, nn.Conv2d(16, 8, 3)), "kernel_differs", "uses a 3x3 kernel"),
    (
        "cnn_4",
        lambda ls: ls.insert(4, ls.pop(6)),
        "misplaced_layer",
        "first MaxPool (4) comes after the second",
    ),
    ("cnn_5", lambda ls: ls.pop(13), "missing_layer", "second MaxPool"),
    ("cnn_5", swap(0, nn.Conv2d(1, 8, 3, stride=2)), "stride_differs", "stride 2x2"),
    ("cnn_3", swap(1, nn.Sigmoid()), "activation_differs", "uses Sigmoid after the first convolution"),
]


@pytest.mark.parametrize(
    ("arch", "change", "code", "words"), MUTANTS, ids=[m[2] + "-" + m[0] for m in MUTANTS]
)
def test_each_structural_mutant_gets_one_specific_sentence(arch, change, code, words):
    found = diagnose(arch, mutant(arch, change))
    assert code in codes(found), found
    sentence = next(d.sentence for d in found if d.code == code)
    assert words in sentence, sentence
    assert "yours:" not in sentence and "mat1" not in sentence


def test_padding_on_every_convolution_is_one_defect():
    def pad_all(layers):
        for i, m in enumerate(layers):
            if isinstance(m, nn.Conv2d):
                layers[i] = nn.Conv2d(m.in_channels, m.out_channels, m.kernel_size, padding=1)

    found = diagnose("cnn_5", mutant("cnn_5", pad_all))
    assert codes(found).count("same_padding") == 1 and "6 convolutions" in found[0].sentence


def test_after_a_failed_forward_only_what_ran_is_called_missing():
    """cnn_3 whose 7x7 conv pads by 1: the classifier's input no longer fits; the pool after it never ran."""
    model = mutant("cnn_3", swap(5, nn.Conv2d(8, 16, 7, padding=1)))
    traced = trace(model, X)
    assert traced.error and traced.failed_at is not None and traced.failed_at[2] == [50, 256]
    assert codes(diagnose("cnn_3", model)) == ["conv_padding"]


def test_a_weighted_module_that_forward_never_calls_is_unused():
    class Leftover(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1, self.fc2, self.fc9 = nn.Linear(1024, 32), nn.Linear(32, 10), nn.Linear(32, 32)
            self.relu = nn.ReLU()  # registered but applied as F.relu: harmless, never reported

        def forward(self, x):
            return self.fc2(torch.relu(self.fc1(x.flatten(1))))

    traced = trace(Leftover(), X)
    found = diagnose_unused("Leftover", traced.modules, traced.names)
    assert codes(found) == ["unused_layer"] and found[0].sentence.startswith("fc9 (Linear(32->32, bias))")


def test_weighted_layers_pair_in_order_so_a_moved_pool_is_one_misplaced_layer():
    spec = [parse(t) for t in describe_layers(build("cnn_4"))]
    moved = spec[:4] + [spec[6]] + spec[4:6] + spec[7:]
    pairs = align(spec, moved)
    assert [(i, j) for i, j in pairs if i is None or j is None] in (
        [(None, 4), (6, None)],
        [(6, None), (None, 4)],
    )
