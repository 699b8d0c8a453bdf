"""Sandbox side of the architecture checks: build the student's models and record what they do.

Each check records the student's outputs (output shapes per batch, the parameter count, the
layer sequence) as data; the grader compares them with the reference models in its own
process (`judge`, `reference`), so nothing the student's code patches here can change a verdict.
"""

from __future__ import annotations

import pytest
import torch

from ee449.grading.checks.support import build_model, built_as, manifest, record
from ee449.grading.edition_fit import fitting_editions
from ee449.grading.layers import trace_layers
from ee449.models import count_parameters

KEYS = manifest().get("arch_keys", [])
BATCHES = (1, 7, 50)  # 50 is the homework's batch; 1 and 7 catch a hard-coded one


def _error(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"[:500]


@pytest.mark.check("arch/{key}/constructible", target="{key}")
@pytest.mark.parametrize("key", KEYS)
def test_constructible(request, key):
    build_model(key, request)
    record(request, how=built_as(key))


@pytest.mark.check("arch/{key}/output_shape", target="{key}")
@pytest.mark.parametrize("key", KEYS)
def test_output_shape(request, key):
    model = build_model(key, request)
    shapes: dict[str, object] = {}
    torch.manual_seed(1)
    for n in BATCHES:
        try:
            with torch.no_grad():
                shapes[str(n)] = [int(d) for d in model(torch.randn(n, 1, 32, 32)).shape]
        except Exception as error:  # noqa: BLE001 - the student's forward failed: the grader reports why
            shapes[str(n)] = _error(error)
    fits = fitting_editions(model)  # which year's input the model takes: its edition, told by the judge
    record(
        request,
        shapes=shapes,
        takes_flat_input=_takes_flat_input(model),
        how=built_as(key),
        fits_editions=fits,
    )


def _layers(model) -> tuple[list[str] | None, str]:
    try:
        return [str(entry) for entry in trace_layers(model, torch.zeros(50, 1, 32, 32))], ""
    except Exception as error:  # noqa: BLE001
        return None, _error(error)


@pytest.mark.check("arch/{key}/parameter_count", target="{key}")
@pytest.mark.parametrize("key", KEYS)
def test_parameter_count(request, key):
    model = build_model(
        key, request
    )  # no forward pass here: a count needs none (layers' record has the list)
    record(request, count=int(count_parameters(model)), how=built_as(key))


@pytest.mark.check("arch/{key}/layers", target="{key}")
@pytest.mark.parametrize("key", KEYS)
def test_layers(request, key):
    layers, error = _layers(build_model(key, request))
    record(request, layers=layers, error=error, how=built_as(key))


def _takes_flat_input(model) -> bool:
    try:
        with torch.no_grad():
            return tuple(model(torch.zeros(7, 1024)).shape) == (7, 10)
    except Exception:  # noqa: BLE001 - it does not
        return False
