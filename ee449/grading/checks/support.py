"""Sandbox-side helpers shared by the checks: the manifest, loading a target, building a model.

Imported only inside the sandbox's pytest process (`EE449_GRADING_MANIFEST` names the manifest
the grader wrote). Loading a target executes the student's extracted definitions.
"""

from __future__ import annotations

import importlib.util
import inspect
import json
import os
import sys
from pathlib import Path

import pytest

from ee449.grading.diagnose import Diagnosis

_MANIFEST: dict | None = None
_LOADED: dict[str, tuple[object, str | None]] = {}
_MODELS: dict[str, object] = {}
HUNG: set[str] = set()  # targets that ran out of time in this process


class CheckTimeout(BaseException):
    """Raised by the per-check alarm; a BaseException so `except Exception` in student code cannot swallow it."""


def manifest() -> dict:
    global _MANIFEST
    if _MANIFEST is None:
        path = os.environ.get("EE449_GRADING_MANIFEST")
        _MANIFEST = json.loads(Path(path).read_text()) if path else {
            "found": {}, "parse_errors": {}, "arch_keys": [], "result_files": [], "files": [],
            "unresolved": {}, "hung_targets": [], "course_data": None, "skip": []}
    return _MANIFEST


def add_diagnosis(request: pytest.FixtureRequest, diagnosis: Diagnosis) -> None:
    request.node.user_properties.append(("diagnosis", [diagnosis.code, diagnosis.sentence]))


def _missing_message(key: str) -> str:
    files = ", ".join(manifest()["files"]) or "no .py files"
    return f"no definition of {key} found in your files ({files})"


def load_target(key: str, request: pytest.FixtureRequest | None = None) -> object:
    """The student's definition for `key`, or a failed check with a reason the student can act on."""
    m = manifest()
    found = m["found"].get(key)
    if found is None:
        if m["parse_errors"] and request is not None:
            broken = "; ".join(f"{f} ({e})" for f, e in m["parse_errors"].items())
            add_diagnosis(request, Diagnosis("syntax_error", (
                f"Files with syntax errors could not be graded: {broken}; make sure every file "
                "runs with python before submitting.")))
        pytest.fail(_missing_message(key), pytrace=False)
    if key in HUNG or key in m.get("hung_targets", []):
        pytest.fail(f"not run: your {found['name']} already ran out of time in an earlier check", pytrace=False)
    if key not in _LOADED:
        path = Path(m["extracted"]) / found["module"]
        spec = importlib.util.spec_from_file_location(f"ee449_student_{key}", path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module
        try:
            spec.loader.exec_module(module)
            _LOADED[key] = (module.__ee449_target__, None)
        except CheckTimeout:
            HUNG.add(key)
            raise
        except BaseException as error:  # noqa: BLE001 - SystemExit too: a student's exit costs only this check
            if isinstance(error, KeyboardInterrupt):
                raise
            missing = m["unresolved"].get(key)
            hint = f" (names not defined in your files: {', '.join(missing)})" if missing else ""
            _LOADED[key] = (None, (f"your {found['name']} ({found['file']}, line {found['line']}) could not "
                                   f"be loaded: {type(error).__name__}: {error}{hint}"))
    target, error = _LOADED[key]
    if error:
        pytest.fail(error, pytrace=False)
    return target


def _arguments(arch: str, target: object) -> list[tuple]:
    """Constructor arguments to try: (), (num_classes) or (input_size, num_classes)."""
    try:
        params = [p for p in inspect.signature(target).parameters.values()
                  if p.default is p.empty and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    except (TypeError, ValueError):
        params = []
    sizes = (1024, 1, 32) if arch.startswith("mlp") else (1, 1024, 32)
    if len(params) == 0:
        return [()]
    if len(params) == 1:
        return [(10,)]
    if len(params) == 2:
        return [(size, 10) for size in sizes]
    return [tuple([1] * (len(params) - 1) + [10])]


def build_model(key: str, request: pytest.FixtureRequest | None = None):
    """The student's model for `key`, built with the first constructor arguments that give [50, 10] logits."""
    import torch
    from torch import nn

    if key in _MODELS:
        return _MODELS[key]
    target = load_target(key, request)
    arch = key.replace("_sigmoid", "")
    first, last_error = None, None
    candidates = _arguments(arch, target)
    for args in candidates:
        torch.manual_seed(0)
        try:
            model = target(*args)
        except Exception as error:  # noqa: BLE001 - a failing signature: try the next one
            last_error = error
            continue
        if not isinstance(model, nn.Module):
            last_error = TypeError(f"{type(model).__name__} is not a torch.nn.Module")
            continue
        if first is None:
            first = model
        if len(candidates) == 1:
            break  # nothing to choose: building must not depend on the forward pass working
        try:
            with torch.no_grad():
                if tuple(model(torch.zeros(50, 1, 32, 32)).shape) == (50, 10):
                    first = model
                    break
        except Exception:  # noqa: BLE001 - the output checks report forward errors
            continue
    if first is None:
        name = manifest()["found"][key]["name"]
        pytest.fail(f"could not construct {name} with (), (10) or (input_size, 10): "
                    f"{type(last_error).__name__}: {last_error}", pytrace=False)
    first.eval()
    _MODELS[key] = first
    return first
