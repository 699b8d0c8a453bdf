"""ee449.models: the registry builds exactly the homework's architectures.

Oracles: the spec's parameter table and PyTorch's own `sum(p.numel())`; the layer-by-layer
shape arithmetic of the spec (valid convs, 2x2 pools) recomputed here independently of the
builder; torch's own modules for behaviour.
"""

from __future__ import annotations

import pytest
import torch
from torch import nn

from ee449 import models
from ee449.models import ARCHITECTURES, build, count_parameters, describe_layers, first_layer
from tests.helpers.assertions import assert_close, assert_equal
from tests.helpers.homework import FIRST_LAYER_SHAPE as SPEC_FIRST_LAYER_SHAPE
from tests.helpers.homework import FLATTEN as SPEC_FLATTEN
from tests.helpers.homework import PARAMETERS as SPEC_PARAMETERS

ACTIVATIONS = ("relu", "sigmoid")


def test_registry_lists_exactly_the_five_homework_architectures():
    assert_equal(set(ARCHITECTURES), set(SPEC_PARAMETERS), "architectures")


@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("name", ARCHITECTURES)
@pytest.mark.parametrize("batch", [1, 7, 50, 1000])
def test_every_model_maps_any_batch_to_ten_logits(name, activation, batch):
    model = build(name, activation)
    out = model(torch.randn(batch, 1, 32, 32))
    assert_equal(tuple(out.shape), (batch, 10), f"{name}/{activation} output shape")


@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("name", ARCHITECTURES)
def test_parameter_count_matches_spec_table(name, activation):
    model = build(name, activation)
    torch_count = sum(p.numel() for p in model.parameters())
    assert_equal(torch_count, SPEC_PARAMETERS[name], f"{name} parameters (torch)")
    assert_equal(count_parameters(model), torch_count, f"{name} count_parameters")


@pytest.mark.parametrize("name", ARCHITECTURES)
def test_first_layer_is_the_input_layer_with_the_homework_weight_shape(name):
    model = build(name)
    layer = first_layer(model)
    assert_equal(tuple(layer.weight.shape), SPEC_FIRST_LAYER_SHAPE[name], f"{name} first layer")
    # It really is the layer that touches the input: perturbing its weights changes the output
    # for an input that only that layer sees first.
    x = torch.randn(2, 1, 32, 32)
    before = model(x).detach().clone()
    with torch.no_grad():
        layer.weight.add_(1.0)
    assert not torch.allclose(model(x), before)


@pytest.mark.parametrize("name", ARCHITECTURES)
def test_flatten_size_matches_spec_shape_arithmetic(name):
    # Independent recomputation from the spec's layer list: valid conv k: H -> H-k+1, pool: H -> H//2.
    size, channels = 32, 1
    for layer in models.REGISTRY[name]:
        if isinstance(layer, models.Conv):
            size, channels = size - layer.kernel + 1, layer.channels
        elif isinstance(layer, models.MaxPool):
            size //= 2
        elif isinstance(layer, models.Dense):
            break
    recomputed = channels * size * size
    assert_equal(recomputed, SPEC_FLATTEN[name], f"{name} flatten (recomputed)")
    assert_equal(models.flatten_size(name), SPEC_FLATTEN[name], f"{name} flatten_size")


@pytest.mark.parametrize("name", ARCHITECTURES)
def test_sigmoid_variant_replaces_every_relu(name):
    relu_kinds = [type(m) for m in build(name, "relu").modules()]
    sigmoid_kinds = [type(m) for m in build(name, "sigmoid").modules()]
    assert nn.ReLU not in sigmoid_kinds
    assert_equal(relu_kinds.count(nn.ReLU), sigmoid_kinds.count(nn.Sigmoid), f"{name} activation slots")
    assert_equal(len(relu_kinds), len(sigmoid_kinds), f"{name} module count")


@pytest.mark.parametrize(
    "name, expected",
    [
        # The spec's layer lists, written out as the signature describe_layers gives.
        ("mlp_1", ["Linear(1024->32, bias)", "ReLU", "Linear(32->10, bias)"]),
        ("mlp_2", ["Linear(1024->32, bias)", "ReLU", "Linear(32->64, no bias)", "Linear(64->10, bias)"]),
        (
            "cnn_3",
            [
                "Conv2d(1->16, k=3x3, stride=1x1, pad=0x0, bias)",
                "ReLU",
                "Conv2d(16->8, k=5x5, stride=1x1, pad=0x0, bias)",
                "ReLU",
                "MaxPool2d(k=2, s=2)",
                "Conv2d(8->16, k=7x7, stride=1x1, pad=0x0, bias)",
                "MaxPool2d(k=2, s=2)",
                "Linear(144->10, bias)",
            ],
        ),
    ],
)
def test_layer_sequence_is_the_spec_one(name, expected):
    assert_equal(describe_layers(build(name)), expected, f"{name} layers")


def test_describe_layers_sees_padding_bias_and_pool_differences():
    valid = nn.Sequential(nn.Conv2d(1, 4, 3), nn.MaxPool2d(2))
    same = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.MaxPool2d((2, 2)))
    no_bias = nn.Sequential(nn.Conv2d(1, 4, 3, bias=False), nn.MaxPool2d(2, 2))
    described = [describe_layers(m) for m in (valid, same, no_bias)]
    assert described[0] != described[1] and described[0] != described[2]
    assert_equal(described[0][1], described[1][1], "MaxPool2d(2) vs MaxPool2d((2, 2))")


@pytest.mark.parametrize("name", ARCHITECTURES)
def test_same_seed_builds_the_same_initial_weights(name):
    torch.manual_seed(123)
    a = build(name)
    torch.manual_seed(123)
    b = build(name)
    torch.manual_seed(124)
    c = build(name)
    for pa, pb in zip(a.parameters(), b.parameters()):
        assert_close(pa, pb, rtol=0, atol=0, what=f"{name} same-seed init")
    assert any(not torch.equal(pa, pc) for pa, pc in zip(a.parameters(), c.parameters()))


@pytest.mark.parametrize("shape", [(4, 3, 32, 32), (4, 1, 28, 28), (1, 32, 32), (4, 1024)])
def test_wrong_input_shape_is_named_in_the_error(shape):
    with pytest.raises(ValueError, match=r"\[N, 1, 32, 32\]"):
        build("cnn_4")(torch.zeros(shape))


def test_unknown_architecture_lists_the_valid_ones():
    with pytest.raises(ValueError, match="cnn_6.*mlp_1, mlp_2, cnn_3, cnn_4, cnn_5"):
        build("cnn_6")


def test_unknown_activation_lists_the_valid_ones():
    with pytest.raises(ValueError, match="tanh.*relu, sigmoid"):
        build("mlp_1", "tanh")


@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("name", ARCHITECTURES)
def test_model_repr_snapshot(name, activation, snapshot):
    assert repr(build(name, activation)) == snapshot


def test_models_learn_through_every_layer():
    # A gradient reaches every parameter: no layer is accidentally detached or frozen.
    for name in ARCHITECTURES:
        model = build(name)
        loss = nn.functional.cross_entropy(model(torch.randn(8, 1, 32, 32)), torch.arange(8) % 10)
        loss.backward()
        for param_name, param in model.named_parameters():
            assert param.grad is not None and torch.count_nonzero(param.grad) > 0, (
                f"{name}.{param_name} gets no gradient"
            )
