"""Which recorded model is which architecture, and how it becomes the first claim graded."""

from __future__ import annotations

import ast
import dataclasses
import textwrap

import pytest

from ee449.grading.discovery.bindings import top_level_bindings
from ee449.grading.discovery.constructions import Claim, Construction
from ee449.grading.discovery.run_matching import match, name_key, promote, spec_parameters, structure_key
from ee449.grading.sandbox.running import Layer, RecordedModel
from ee449.models import build, count_parameters
from ee449.spec import ARCHITECTURES

RELU = {"__torch__": "torch.nn.ReLU", "__call__": False}
SIGMOID = {"__torch__": "torch.nn.Sigmoid", "__call__": False}


def conv(channels_in: int, channels_out: int, kernel: int) -> Layer:
    return Layer("Conv2d", True, channels_in, channels_out, (kernel, kernel), "(0, 0)", True)


def dense(features_in: int, features_out: int, bias: bool = True) -> Layer:
    return Layer("Linear", True, features_in, features_out, None, "", bias)


MLP_1_LAYERS = (Layer("Net", False), dense(1024, 32), Layer("ReLU", True), dense(32, 10))
CNN_3_LAYERS = (
    Layer("Net", False),
    conv(1, 16, 3),
    conv(16, 8, 5),
    conv(8, 16, 7),
    Layer("MaxPool2d", True),
    dense(144, 10),
)


def recorded(**changes: object) -> RecordedModel:
    base = RecordedModel(
        class_name="Net",
        defined_file="hw1.py",
        defined_line=3,
        args=(),
        kwargs=(),
        arguments_repr="",
        program="hw1.py",
        file="hw1.py",
        line=20,
        text="model = Net()",
        function="<module>",
        nested=False,
        parameters=0,
        layers=(),
        output=(50, 10),
        error="",
        order=0,
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


@pytest.mark.parametrize("arch", ARCHITECTURES)
def test_spec_parameters_equal_torchs_count_of_the_reference_model(arch):
    assert spec_parameters(arch) == count_parameters(build(arch))


@pytest.mark.parametrize(
    ("changes", "key"),
    [
        ({"args": ("cnn_4", RELU)}, "cnn_4"),
        ({"args": ("cnn_4", SIGMOID)}, "cnn_4_sigmoid"),
        ({"class_name": "CNN_3"}, "cnn_3"),
        ({"class_name": "CNN_3", "args": ("mlp_2",)}, "mlp_2"),
        ({"args": None, "arguments_repr": "'mlp_1', <function act>"}, "mlp_1"),
        ({"text": "cnn5 = ConvNet(plan, 128)"}, "cnn_5"),
        ({"text": 'models["mlp_2"] = Net(sizes)'}, "mlp_2"),
        ({"function": "build_cnn4"}, "cnn_4"),
    ],
)
def test_name_key_reads_arguments_class_variable_and_function(changes, key):
    found = name_key(recorded(**changes))
    assert found is not None and found[0] == key


def test_a_model_no_name_tells_has_no_name_key():
    assert name_key(recorded(text="small = MLP([1024, 32, 10])")) is None


def test_structure_key_finds_the_spec_layers_and_the_closest_near_miss():
    assert structure_key(recorded(layers=CNN_3_LAYERS)) == ("cnn_3", 2)
    assert structure_key(recorded(layers=MLP_1_LAYERS, parameters=spec_parameters("mlp_1"))) == ("mlp_1", 2)
    near = CNN_3_LAYERS[:3] + (conv(8, 16, 5),) + CNN_3_LAYERS[4:]  # the third kernel 5, not 7
    assert structure_key(recorded(layers=near)) == ("cnn_3", 3)
    assert structure_key(recorded(layers=(Layer("Net", False), dense(3, 4)))) is None


def test_match_prefers_names_then_a_model_that_runs_then_the_first_made():
    broken = recorded(class_name="CNN_3", args=(), output=None, error="TypeError", order=0)
    working = recorded(class_name="CNN_3", args=(1, 50, 10), order=1)
    later = recorded(class_name="CNN_3", args=(1, 50, 10), order=2)
    by_structure = recorded(layers=CNN_3_LAYERS, order=3)
    found = match((broken, working, later, by_structure))
    assert found["cnn_3"].model is working
    assert found["cnn_3"].construction == Construction(
        (1, 50, 10), (), "run", "hw1.py, line 20", "CNN_3(1, 50, 10)"
    )


def test_a_block_made_inside_another_model_is_never_matched_by_structure():
    assert match((recorded(layers=CNN_3_LAYERS, nested=True),)) == {}


def test_a_sigmoid_model_found_by_structure_is_the_sigmoid_variant():
    layers = tuple(Layer("Sigmoid", True) if layer.type == "ReLU" else layer for layer in MLP_1_LAYERS)
    assert set(match((recorded(layers=layers),))) == {"mlp_1_sigmoid"}


def _definitions(source: str):
    tree = ast.parse(textwrap.dedent(source))
    table = top_level_bindings(tree)
    return lambda rel: {n: s for n, s in table.items() if isinstance(s, ast.ClassDef) and rel == "hw1.py"}


def test_promote_puts_the_recorded_class_and_its_construction_first():
    definitions = _definitions("class Net:\n    def __init__(self, network, act):\n        pass\n")
    stale = Claim("cnn_3", "hw1.py", "Stale", 9, "class", "name", used=True)
    claims = {"cnn_3": [stale]}
    found = match((recorded(args=("cnn_3", RELU), text="learner = Net(name, nn.ReLU)"),))
    notes = promote(claims, found, definitions, lambda rel, line: f"{rel}, line {line}")
    first = claims["cnn_3"][0]
    assert (first.name, first.evidence, claims["cnn_3"][1]) == ("Net", "run", stale)
    assert first.constructions[0].origin == "run" and first.constructions[0].args == ("cnn_3", RELU)
    assert notes["cnn_3"].startswith(
        "found by running hw1.py: Net('cnn_3', torch.nn.ReLU) at hw1.py, line 20"
    )


def test_promote_leaves_a_class_that_is_not_a_top_level_definition_to_the_code_reading():
    claims: dict[str, list[Claim]] = {}
    found = match((recorded(class_name="main.<locals>.CNN_3"),))
    assert promote(claims, found, _definitions("x = 1\n"), lambda rel, line: rel) == {}
    assert claims == {}
