"""The sandboxed run's records read back as untrusted data: kept whole when valid, dropped when forged."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ee449.grading.run_records import parse_records
from tests.helpers.strategies import json_values

GOOD = {
    "class": "CNN_3",
    "defined_file": "hw1.py",
    "defined_line": 3,
    "arguments": {
        "args": [1, {"__tuple__": [2, 3]}],
        "kwargs": {"act": {"__torch__": "torch.nn.ReLU", "__call__": True}},
    },
    "arguments_repr": "1, (2, 3), act=ReLU()",
    "program": "hw1.py",
    "file": "hw1.py",
    "line": 9,
    "text": "m = CNN_3(1, (2, 3), act=nn.ReLU())",
    "function": "<module>",
    "nested": False,
    "parameters": 11106,
    "tree": [
        {"name": "", "type": "CNN_3", "torch": False},
        {
            "name": "c",
            "type": "Conv2d",
            "torch": True,
            "in_channels": 1,
            "out_channels": 16,
            "kernel_size": [3, 3],
            "padding": [0, 0],
            "bias": True,
        },
    ],
    "output": [50, 10],
}


def test_a_valid_record_is_read_back_whole():
    (model,) = parse_records(json.dumps(GOOD).encode()).models
    assert model.args == (1, {"__tuple__": [2, 3]})
    assert model.kwargs == (("act", {"__torch__": "torch.nn.ReLU", "__call__": True}),)
    assert model.layers[1].kernel == (3, 3) and model.output == (50, 10)


@pytest.mark.parametrize(
    "forged",
    [
        {"class": "os.system('x'); CNN"},
        {"defined_file": "../../etc/passwd"},
        {"parameters": -1},
        {"parameters": True},
        {"tree": "Conv2d"},
        {"output": [50, "10"]},
        {"nested": "no"},
    ],
)
def test_a_forged_field_drops_its_record(forged):
    assert parse_records(json.dumps({**GOOD, **forged}).encode()).models == ()


@pytest.mark.parametrize(
    "arguments",
    [
        {"args": [{"__torch__": "os.system", "__call__": True}], "kwargs": {}},
        {"args": [{"__torch__": "torch.nn.ReLU", "__call__": "yes"}], "kwargs": {}},
        {"args": [], "kwargs": {"not an identifier": 1}},
        {"args": [[[[[[[1]]]]]]], "kwargs": {}},
        {"args": [{"__dict__": "input"}], "kwargs": {}},
        {"args": [{"__dict__": [[1.5, 2]]}], "kwargs": {}},  # a key that is neither text nor an integer
        {"args": [{"__dict__": [["input"]]}], "kwargs": {}},
        {"args": [{"__dict__": [["act", {"__torch__": "os.system", "__call__": True}]]}], "kwargs": {}},
        {"args": [{"__dict__": [], "__torch__": "torch.nn.ReLU"}], "kwargs": {}},
    ],
)
def test_arguments_the_sandbox_could_not_rebuild_safely_are_dropped_not_the_model(arguments):
    (model,) = parse_records(json.dumps({**GOOD, "arguments": arguments}).encode()).models
    assert model.args is None


def test_a_config_dict_travels_from_the_run_to_the_checks_as_the_students_code_made_it():
    """The recorder's JSON for `mlp_1(CONFIG)` is read back by the grader and rebuilt in the checks."""
    import torch

    from ee449.grading.discovery.folding import render
    from ee449.grading.sandboxed.checks.building import decode
    from ee449.grading.sandboxed.sandboxed_run_values import NotJson, to_json

    for unrebuildable in ({(1, 2): 3}, {True: 1}, {"x": object()}):
        with pytest.raises(NotJson):
            to_json(unrebuildable)
    config = {"input": 1024, "hidden": (32, 64), 3: [torch.nn.ReLU, None]}
    arguments = {"args": [to_json(config)], "kwargs": {}}
    (model,) = parse_records(json.dumps({**GOOD, "arguments": arguments}).encode()).models
    assert model.args is not None and decode(model.args[0]) == config
    assert render(model.args[0]) == "{'input': 1024, 'hidden': (32, 64), 3: [torch.nn.ReLU, None]}"


@given(st.lists(json_values(), max_size=4), st.binary(max_size=64))
def test_any_json_or_bytes_in_the_record_file_reads_without_an_error(lines, noise):
    data = b"\n".join([*(json.dumps(line).encode() for line in lines), noise])
    for model in parse_records(data).models:
        assert isinstance(model.class_name, str) and isinstance(model.parameters, int)
