"""Sandbox-side helpers shared by the checks: the manifest, loading a target, building a model, records.

Imported only inside the sandbox's pytest process (`EE449_GRADING_MANIFEST` names the manifest
the grader wrote). Loading a target executes the student's extracted definitions. A check's
only product is its `record`: the student's outputs as data, which the grader judges in its
own process (`ee449.grading.judging.judge`); nothing here decides a pass.
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable

import numpy as np
import pytest

from ee449.grading.sandboxed.checks.building import build
from ee449.grading.sandboxed.checks.manifest import Manifest
from ee449.grading.sandboxed.checks.protocol import Diagnosis, record_name
from ee449.grading.sandboxed.checks.registry import BY_NAME
from ee449.grading.sandboxed.checks.rules import XOR_TARGET
from ee449.spec import INPUT_SHAPE

if TYPE_CHECKING:  # torch is imported where a model is built: only in the sandbox's checks
    from torch import nn

_MANIFEST: Manifest | None = None  # the grader's, read once: it is this process's configuration


@dataclass
class Targets:
    """What this pytest session has learned of the student's targets: one per session, kept in its
    `config.stash` (`targets`), so nothing of one session's reaches another."""

    loaded: dict[str, tuple[Callable[..., object] | None, str | None]] = field(default_factory=dict)
    blocked: set[str] = field(default_factory=set)  # whose definition tried to write outside (refused)
    hung: set[str] = field(default_factory=set)  # ran out of time in this process
    models: dict[str, nn.Module] = field(default_factory=dict)
    built: dict[str, str] = field(default_factory=dict)  # key -> how its model was built (`Built.describe`)
    unbuilt: dict[str, str] = field(default_factory=dict)  # key -> why no construction worked, said once


_TARGETS = pytest.StashKey[Targets]()


def targets(config: pytest.Config | None) -> Targets:
    """The session's `Targets` (a fresh one outside a session: a unit test of a message)."""
    return Targets() if config is None else config.stash.setdefault(_TARGETS, Targets())


class CheckTimeout(BaseException):
    """Raised by the per-check alarm; a BaseException so `except Exception` in student code cannot swallow it."""


def manifest() -> Manifest:
    """The grader's manifest of this grading (read once; an empty one outside a grading)."""
    global _MANIFEST
    if _MANIFEST is None:
        path = os.environ.get("EE449_GRADING_MANIFEST")
        _MANIFEST = Manifest.from_json(json.loads(Path(path).read_text())) if path else Manifest()
    return _MANIFEST


def registered(group: str, name: str) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """A check function's id, target, budget and parameters, from the registry (`registry.CHECKS`).

    A check this grading does not have is collected and then dropped by the plugin, unreported."""
    entry = BY_NAME[(group, name)]

    def decorate(function: Callable[..., None]) -> Callable[..., None]:
        marked = pytest.mark.check(entry.template, target=entry.target, calls=entry.calls)(function)
        if entry.param:
            return pytest.mark.parametrize(entry.param, list(entry.subjects(manifest())))(marked)
        return marked

    return decorate


def record(request: pytest.FixtureRequest, **values: object) -> None:
    """Hand this check's outputs to the grader: arrays as .npy (no pickles), the rest as JSON."""
    check_id = request.node.stash_check[0]
    folder = Path(manifest().records)
    stem = record_name(check_id)
    plain: dict[str, object] = {}
    for name, value in values.items():
        if isinstance(value, np.ndarray):
            np.save(folder / f"{stem}.{name}.npy", value, allow_pickle=False)
            plain[name] = {"__npy__": True}
        else:
            plain[name] = value
    (folder / f"{stem}.json").write_text(json.dumps({"id": check_id, "values": plain}), encoding="utf-8")


def blocked_write(error: BaseException) -> bool:
    """Whether an error is a write the sandbox refused (bwrap shows the system read-only)."""
    import errno

    return isinstance(error, OSError) and error.errno in {errno.EROFS, errno.EACCES, errno.EPERM}


WROTE_OUTSIDE = (
    "wrote_outside",
    "Your code wrote (or tried to write) files outside its own folder: only "
    "write into the current working folder.",
)


def add_diagnosis(request: pytest.FixtureRequest, diagnosis: Diagnosis) -> None:
    request.node.user_properties.append(("diagnosis", [diagnosis.code, diagnosis.sentence]))


def _missing_message(key: str) -> str:
    files = ", ".join(manifest().files) or "no .py files"
    # The XOR class has no name of its own in the homework: it is found by what it defines.
    what = (
        "class with forward and backward methods (the course's MLP skeleton)"
        if key == XOR_TARGET
        else f"definition of {key}"
    )
    return f"no {what} found in your files ({files})"


def load_target(key: str, request: pytest.FixtureRequest | None = None) -> Callable[..., object]:
    """The student's definition for `key`, or a failed check with a reason the student can act on."""
    m = manifest()
    found = m.found.get(key)
    if found is None:
        if m.parse_errors and request is not None:
            broken = "; ".join(f"{f} ({e})" for f, e in m.parse_errors.items())
            add_diagnosis(
                request,
                Diagnosis(
                    "syntax_error",
                    (
                        f"Files with syntax errors could not be graded: {broken}; make sure every file "
                        "runs with python before submitting."
                    ),
                ),
            )
        pytest.fail(_missing_message(key), pytrace=False)
    known = targets(request.config if request is not None else None)
    if key in known.hung or key in m.hung_targets:
        pytest.fail(f"not run: your {found.name} already ran out of time in an earlier check", pytrace=False)
    if key not in known.loaded:
        path = Path(m.extracted) / found.module
        spec = importlib.util.spec_from_file_location(f"ee449_student_{key}", path)
        if spec is None or spec.loader is None:  # extract writes a .py file: a loader always exists
            raise ImportError(f"cannot load {path}")
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module
        try:
            spec.loader.exec_module(module)
            known.loaded[key] = (module.__ee449_target__, None)
        except CheckTimeout:
            known.hung.add(key)
            raise
        except BaseException as failure:  # noqa: BLE001 - SystemExit too: a student's exit costs only this check
            if isinstance(failure, KeyboardInterrupt):
                raise
            if blocked_write(failure):
                known.blocked.add(key)
            missing = m.unresolved.get(key)
            hint = f" (names not defined in your files: {', '.join(missing)})" if missing else ""
            known.loaded[key] = (
                None,
                (
                    f"your {found.name} ({found.file}, line {found.line}) could not "
                    f"be loaded: {type(failure).__name__}: {failure}{hint}"
                ),
            )
    target, error = known.loaded[key]
    if key in known.blocked and request is not None:
        request.node.user_properties.append(("diagnosis", list(WROTE_OUTSIDE)))
    if error or target is None:
        pytest.fail(error or f"your {found.name} could not be loaded", pytrace=False)
    return target


def built_as(key: str, request: pytest.FixtureRequest) -> str:
    """How the model of `key` was built, for messages: never a guess presented as the student's call."""
    return targets(request.config).built.get(key, "")


def input_shape() -> tuple[int, int, int]:
    """The graded edition's image (C, H, W) that the homework's models take (2023: 1 x 32 x 32)."""
    shape = manifest().input_shape or INPUT_SHAPE
    return (int(shape[0]), int(shape[1]), int(shape[2]))


def build_model(key: str, request: pytest.FixtureRequest) -> nn.Module:
    """The student's model for `key`, built by the constructions the grader found (see `construct`)."""
    known = targets(request.config)
    if key in known.models:
        return known.models[key]
    if key in known.unbuilt:
        pytest.fail(known.unbuilt[key], pytrace=False)
    target = load_target(key, request)
    found = manifest().found[key]
    constructions = found.constructions or [
        {"args": [], "kwargs": {}, "origin": "defaults", "where": "", "text": f"{found.name}()"}
    ]
    built, tried = build(target, constructions, found.name, input_shape())
    if built is None:
        where = found.where or found.file
        known.unbuilt[key] = f"could not construct {found.name} ({where}); tried:\n  " + "\n  ".join(tried)
        pytest.fail(known.unbuilt[key], pytrace=False)
    built.model.eval()
    known.models[key] = built.model
    known.built[key] = built.describe()
    return built.model
