"""Sandbox side of the architecture checks: build the student's models and record what they do.

Each check records the student's outputs (output shapes per batch, the parameter count, the
layer sequence) as data; the grader compares them with the reference models in its own
process (`judge`, `reference`), so nothing the student's code patches here can change a verdict.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from ee449.grading.sandboxed.arch_measures import output_shapes, takes_flat_input
from ee449.grading.sandboxed.batch_views import diagnose_views, hardcoded_views
from ee449.grading.sandboxed.checks.support import (
    add_diagnosis,
    build_model,
    built_as,
    input_shape,
    manifest,
    record,
    registered,
)
from ee449.grading.sandboxed.edition_fit import fitting_editions
from ee449.grading.sandboxed.layers import trace
from ee449.grading.sandboxed.probe import probe_record
from ee449.models import count_parameters


@registered("arch", "constructible")
def test_constructible(request: pytest.FixtureRequest, key: str) -> None:
    try:
        build_model(key, request)
    except BaseException:  # pytest's failure: a hard-coded batch is still worth saying, from the source
        for diagnosis in diagnose_views(key, _views(key), _file(key)):
            add_diagnosis(request, diagnosis)
        raise
    record(request, how=built_as(key, request))


def _file(key: str) -> str:
    found = manifest().found.get(key)
    return found.file if found is not None else ""


def _views(key: str) -> list[tuple[int, str]]:
    """(line, call) of each reshape with a hard-coded batch in the student's definition of `key`."""
    found = manifest().found.get(key)
    if found is None or not found.file.endswith(".py"):
        return []
    try:
        source = (Path(manifest().work) / found.file).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return []
    return [(view.line, view.text) for view in hardcoded_views(source, found.name)]


@registered("arch", "output_shape")
def test_output_shape(request: pytest.FixtureRequest, key: str) -> None:
    model = build_model(key, request)
    shapes = output_shapes(model, input_shape())
    fits = fitting_editions(model)  # which year's input the model takes: its edition, told by the judge
    record(
        request,
        shapes=shapes,
        takes_flat_input=takes_flat_input(model, input_shape()),
        how=built_as(key, request),
        views=[[line, text] for line, text in _views(key)],
        file=_file(key),
        fits_editions=fits,
    )


@registered("arch", "parameter_count")
def test_parameter_count(request: pytest.FixtureRequest, key: str) -> None:
    model = build_model(
        key, request
    )  # no forward pass here: a count needs none (layers' record has the list)
    record(request, count=int(count_parameters(model)), how=built_as(key, request))


@registered("arch", "layers")
def test_layers(request: pytest.FixtureRequest, key: str) -> None:
    traced = trace(build_model(key, request), torch.zeros(50, *input_shape()))
    # What ran (all of it, or up to the failing layer), with the student's names and shapes, and every
    # leaf module the model registers: the grader names unused, misplaced and misconfigured layers from these.
    record(
        request,
        layers=None if traced.error else traced.entries,
        error=traced.error,
        how=built_as(key, request),
        names=traced.names,
        partial=traced.entries,
        shapes=traced.shapes,
        modules=[list(m) for m in traced.modules],
        failed_at=list(traced.failed_at) if traced.failed_at else None,
        views=[[line, text] for line, text in _views(key)] if traced.error else [],
        file=_file(key),
    )


@registered("arch", "computes")
def test_computes(request: pytest.FixtureRequest, key: str) -> None:
    # The one record here that only running the model can give: its outputs with the grader's
    # weights on the grader's batch, drawn from the seed of this grading (`probe`). A model that
    # cannot be built fails here as in every check of it; one whose forward fails records why
    # (the judge compares nothing then: the layers check already scores it).
    model = build_model(key, request)
    seed = int(manifest().probe_seed or 0)
    record(request, **probe_record(model, input_shape(), seed), how=built_as(key, request))
