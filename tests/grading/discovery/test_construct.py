"""Claims and constructions read from the student's code (no student code runs), and building by them."""

from __future__ import annotations

import ast
import textwrap

import pytest
import torch
from torch import nn

from ee449.grading.discovery.bindings import top_level_bindings
from ee449.grading.discovery.construct import ParsedFile, find_claims
from ee449.grading.discovery.folding import fold, module_constants, torch_aliases
from ee449.grading.discovery.naming import match_target
from ee449.grading.sandboxed.checks.building import build, decode


def claims_of(files: dict[str, str]):
    parsed = []
    for rel, text in files.items():
        tree = ast.parse(textwrap.dedent(text))
        parsed.append(
            ParsedFile(rel, tree, top_level_bindings(tree), lambda line, rel=rel: f"{rel}, line {line}")
        )
    stems = {rel.rsplit("/", 1)[-1][:-3]: rel for rel in files}
    return find_claims(parsed, stems.get)


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("model_mlp1", "mlp_1"),
        ("MLP1Model", "mlp_1"),
        ("ReLU_CNN4", "cnn_4"),
        ("Cnn_4_Net", "cnn_4"),
        ("Cnn5_Network", "cnn_5"),
        ("CNN3SigmoidNet", "cnn_3_sigmoid"),
        ("sigmoid_mlp_2", "mlp_2_sigmoid"),
        ("model", None),
        ("net", None),
        ("Net", None),
        ("get_model", None),
        ("cnn_6", None),
    ],
)
def test_odd_names_are_matched_and_generic_ones_are_not(name, key):
    assert match_target(name) == key


def test_constants_fold_without_running_anything():
    tree = ast.parse(
        "import torch.nn as nn\nINPUT = 32 * 32\nHID = [INPUT // 32, 2 ** 6]\nACT = nn.ReLU\n"
        "BIG = 10 ** 10 ** 10\nPATH = open('x')\n"
    )
    env = module_constants(tree, torch_aliases(tree))
    assert env == {"INPUT": 1024, "HID": [32, 64], "ACT": {"__torch__": "torch.nn.ReLU", "__call__": False}}
    assert fold(ast.parse("nn.Sigmoid()", mode="eval").body, env, {"nn": "torch.nn"}) == {
        "__torch__": "torch.nn.Sigmoid",
        "__call__": True,
    }


def test_a_constructor_with_sizes_is_built_as_the_students_script_builds_it():
    claims = claims_of(
        {
            "models.py": """
            class mlp_1(nn.Module):
                def __init__(self, input_size, hidden_size, num_classes):
                    pass
        """,
            "train.py": """
            from models import mlp_1
            INPUT_SIZE = 32 * 32
            model = mlp_1(INPUT_SIZE, 32, 10)
        """,
        }
    )
    (best,) = claims["mlp_1"]
    first, guess = best.constructions
    assert (first.args, first.origin, first.where, first.text) == (
        (1024, 32, 10),
        "call",
        "train.py, line 4",
        "mlp_1(1024, 32, 10)",
    )
    assert guess.origin == "guess"
    assert dict(guess.kwargs) == {"input_size": 1024, "hidden_size": 32, "num_classes": 10}


def test_parameters_whose_names_say_nothing_get_the_usual_positional_guesses():
    claims = claims_of(
        {
            "m.py": """
        class CNN3(nn.Module):
            def __init__(self, n):
                pass
        class MLP1(nn.Module):
            def __init__(self, a, b):
                pass
    """
        }
    )
    assert [c.args for c in claims["cnn_3"][0].constructions] == [(10,)]
    assert [c.args for c in claims["mlp_1"][0].constructions] == [(1024, 10), (1, 10), (32, 10)]
    assert {c.origin for c in claims["mlp_1"][0].constructions} == {"guess"}


def test_a_generic_class_is_claimed_per_architecture_and_activation_from_loops():
    claims = claims_of(
        {
            "nets.py": """
        ARCHS = ("mlp_1", "cnn_3")
        class Net(nn.Module):
            def __init__(self, arch, activation):
                pass
        def train(model):
            pass
        for arch in ARCHS:
            for act in ["relu", "sigmoid"]:
                train(Net(arch, act))
        train("cnn_4")
    """
        }
    )
    assert sorted(claims) == ["cnn_3", "cnn_3_sigmoid", "mlp_1", "mlp_1_sigmoid"]  # not train("cnn_4")
    assert claims["cnn_3_sigmoid"][0].constructions[0].args == ("cnn_3", "sigmoid")


def test_a_call_to_a_class_that_is_no_model_claims_nothing():
    claims = claims_of(
        {
            "log.py": """
        class Logger:
            def __init__(self, name):
                pass
        class cnn_3(nn.Module):
            pass
        log = Logger("cnn_3")
    """
        }
    )
    assert [c.name for c in claims["cnn_3"]] == ["cnn_3"]


def test_registries_and_factories_are_claimed_and_the_used_definition_wins():
    claims = claims_of(
        {
            "zoo.py": """
        class CNN3(nn.Module):
            pass
        class Three(nn.Module):
            def __init__(self, width):
                pass
        def get_model(name):
            return MODELS[name]()
        MODELS = {"cnn_3": lambda: Three(16), "cnn_4": Four}
        class Four(nn.Module):
            pass
        model = get_model("cnn_4")
    """
        }
    )
    assert [c.name for c in claims["cnn_3"]] == ["Three", "CNN3"]  # the registry's class is used, CNN3 is not
    assert claims["cnn_3"][0].constructions[0].args == (16,)
    assert [c.name for c in claims["cnn_4"]] == ["Four", "get_model"]


class _Sized(nn.Module):
    def __init__(self, input_size, num_classes):
        super().__init__()
        self.fc = nn.Linear(input_size, num_classes)

    def forward(self, x):
        return self.fc(x.flatten(1))


def test_building_takes_the_first_construction_whose_model_gives_logits_and_says_how():
    constructions = [
        {"args": [1, 10], "kwargs": {}, "origin": "guess", "where": "", "text": "_Sized(1, 10)"},
        {
            "args": [1024, 10],
            "kwargs": {},
            "origin": "call",
            "where": "t.py, line 3",
            "text": "_Sized(1024, 10)",
        },
    ]
    built, tried = build(_Sized, constructions, "_Sized")
    assert built.text == "_Sized(1024, 10)" and "your call in t.py, line 3" in built.describe()
    assert len(tried) == 1 and tried[0].startswith("_Sized(1, 10): built, but its forward pass failed")


def test_when_nothing_builds_every_construction_tried_is_listed():
    constructions = [
        {"args": [], "kwargs": {}, "origin": "defaults", "where": "", "text": "_Sized()"},
        {"args": ["x"], "kwargs": {}, "origin": "guess", "where": "", "text": "_Sized('x')"},
    ]
    built, tried = build(_Sized, constructions, "_Sized")
    assert built is None and [t.split(":")[0] for t in tried] == ["_Sized()", "_Sized('x')"]


def test_a_guess_is_never_described_as_the_students_code():
    guess = {
        "args": [],
        "kwargs": {"input_size": 1024, "num_classes": 10},
        "origin": "guess",
        "where": "",
        "text": "_Sized(input_size=1024, num_classes=10)",
    }
    built, _ = build(_Sized, [guess], "_Sized")
    assert "a guess" in built.describe() and "your call" not in built.describe()


def test_torch_references_are_rebuilt_in_the_sandbox():
    assert decode({"__torch__": "torch.nn.ReLU", "__call__": False}) is nn.ReLU
    assert isinstance(decode({"__torch__": "torch.nn.Sigmoid", "__call__": True}), nn.Sigmoid)
    assert decode({"__torch__": "torch.sigmoid", "__call__": False}) is torch.sigmoid
    assert decode({"__tuple__": [1, [2]]}) == (1, [2])
    with pytest.raises(ValueError, match="only torch"):
        decode({"__torch__": "os.system", "__call__": False})
