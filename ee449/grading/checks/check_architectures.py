"""Checks of the student's architecture classes against the reference models of `ee449.models`."""

from __future__ import annotations

import pytest
import torch

from ee449.grading.checks.support import add_diagnosis, build_model, built_as, manifest
from ee449.grading.diagnose import Diagnosis, diagnose_batch, diagnose_layers
from ee449.grading.layers import trace_layers
from ee449.models import build, count_parameters

KEYS = manifest().get("arch_keys", [])
BATCHES = (1, 7, 50)  # 50 is the homework's batch; 1 and 7 catch a hard-coded one


def _reference(key: str):
    return build(key.replace("_sigmoid", ""), "sigmoid" if key.endswith("_sigmoid") else "relu")


def _name(key: str) -> str:
    return manifest()["found"].get(key, {}).get("name", key)


@pytest.mark.check("arch/{key}/constructible", target="{key}")
@pytest.mark.parametrize("key", KEYS)
def test_constructible(request, key):
    build_model(key, request)


@pytest.mark.check("arch/{key}/output_shape", target="{key}")
@pytest.mark.parametrize("key", KEYS)
def test_output_shape(request, key):
    model = build_model(key, request)
    works, problems = {}, []
    torch.manual_seed(1)
    for n in BATCHES:
        try:
            with torch.no_grad():
                shape = tuple(model(torch.randn(n, 1, 32, 32)).shape)
            works[n] = shape == (n, 10)
            if not works[n]:
                problems.append(f"batch {n}: output {list(shape)}, expected [{n}, 10]")
        except Exception as error:  # noqa: BLE001 - the student's forward failed: report why
            works[n] = False
            problems.append(f"batch {n}: {type(error).__name__}: {error}")
    for diagnosis in diagnose_batch(_name(key), works):
        add_diagnosis(request, diagnosis)
    if not any(works.values()) and key.startswith("mlp") and _takes_flat_input(model):
        add_diagnosis(request, Diagnosis("flattened_input", (
            f"Your {_name(key)} only accepts inputs already flattened to [N, 1024]; the homework's models "
            "take images [N, 1, 32, 32]: flatten inside forward with x.view(x.size(0), -1).")))
    if problems:
        pytest.fail("; ".join(problems) + _how(key), pytrace=False)


@pytest.mark.check("arch/{key}/parameter_count", target="{key}")
@pytest.mark.parametrize("key", KEYS)
def test_parameter_count(request, key):
    model = build_model(key, request)
    got, want = count_parameters(model), count_parameters(_reference(key))
    if got != want:
        _diagnose_layers(request, key, model)
        pytest.fail(f"{_name(key)} has {got:,} trainable parameters; the homework's {key} has "
                    f"{want:,} ({got - want:+,})" + _how(key), pytrace=False)


@pytest.mark.check("arch/{key}/layers", target="{key}")
@pytest.mark.parametrize("key", KEYS)
def test_layers(request, key):
    model = build_model(key, request)
    x = torch.zeros(50, 1, 32, 32)
    try:
        got = trace_layers(model, x)
    except Exception as error:  # noqa: BLE001
        pytest.fail(f"could not run {_name(key)} on a batch of 50 to list its layers: "
                    f"{type(error).__name__}: {error}" + _how(key), pytrace=False)
    want = trace_layers(_reference(key), x)
    if got != want:
        _diagnose_layers(request, key, model, got, want)
        pytest.fail(f"layer sequence differs from the homework's {key}:\n  yours:    "
                    + " -> ".join(got) + "\n  expected: " + " -> ".join(want) + _how(key, "\n  "),
                    pytrace=False)


def _how(key: str, separator: str = "; ") -> str:
    """How the checked model was built: the student's call, its defaults, or a guess said to be one."""
    text = built_as(key)
    return f"{separator}{_name(key)} {text}" if text else ""


def _takes_flat_input(model) -> bool:
    try:
        with torch.no_grad():
            return tuple(model(torch.zeros(7, 1024)).shape) == (7, 10)
    except Exception:  # noqa: BLE001 - it does not: no diagnosis
        return False


def _diagnose_layers(request, key, model, got=None, want=None) -> None:
    x = torch.zeros(50, 1, 32, 32)
    try:
        got = got if got is not None else trace_layers(model, x)
    except Exception:  # noqa: BLE001 - no trace, no diagnosis
        return
    want = want if want is not None else trace_layers(_reference(key), x)
    for diagnosis in diagnose_layers(_name(key), got, want):
        add_diagnosis(request, diagnosis)
