"""Which recorded model is which architecture, and how it becomes the first claim that gets graded.

A model the student's code made while it ran (`running`) stands for an architecture
  - by the student's names: a constructor argument (`Learner("cnn_3", nn.ReLU)`), its class
    (`CNN_3`), the variable or key it was assigned to (`cnn3 = ConvNet(...)`), the function
    that made it (`def build_mlp1()`);
  - else by its structure: the sequence of its convolutions and linear layers, or its parameter
    count, equal to the spec's (`ee449.spec.REGISTRY`), or close to one architecture's and to no other's.
The chosen model's class, with the arguments it was made with, becomes the first claim of its
architecture, its construction tried before every construction read from the code (`promote`).
"""

from __future__ import annotations

import ast
import difflib
import re
from dataclasses import dataclass, replace
from typing import Callable

from ee449.grading.discovery.constructions import (
    Claim,
    Construction,
    add_defaults_and_guesses,
    dedupe,
    key_from_arguments,
)
from ee449.grading.discovery.folding import render
from ee449.grading.discovery.naming import match_target
from ee449.grading.run_records import RecordedModel
from ee449.spec import ARCHITECTURES, INPUT_SHAPE, NUM_CLASSES, REGISTRY, Conv, Dense, MaxPool

NEAR = 0.7  # similarity of the layer sequences above which a structure counts as "close"
_ASSIGNED = re.compile(r"^\s*(?:self\.)?([A-Za-z_]\w*)\s*(?::[^=]*)?=(?!=)")
_SUBSCRIPT = re.compile(r"\[\s*['\"]([^'\"]{1,60})['\"]\s*\]\s*=(?!=)")
_FACTORY_VERB = re.compile(r"^(build|make|create|get|new|init)_?", re.IGNORECASE)  # build_cnn4 -> cnn4
_QUOTED = re.compile(r"['\"]([^'\"]{1,60})['\"]")
EVIDENCE = ("argument or class name", "variable or function name", "structure", "close structure")


@dataclass(frozen=True)
class RunMatch:
    key: str
    model: RecordedModel
    evidence: int  # index into EVIDENCE: lower is stronger
    construction: Construction | None  # None: its arguments cannot be rebuilt (a lambda, an object)

    def note(self, where: Callable[[str, int], str]) -> str:
        """'found by running hw1.py: CNN_3(1, 50, 10) at hw1.py, line 88 (its class name)'."""
        m = self.model
        made = self.construction.text if self.construction else f"{_short(m.class_name)}({m.arguments_repr})"
        rebuilt = (
            "" if self.construction else "; its arguments cannot be rebuilt, so it is built as the code reads"
        )
        return (
            f"found by running {m.program}: {made} at {where(m.file, m.line)} "
            f"(matched by {EVIDENCE[self.evidence]}){rebuilt}"
        )


def _short(qualname: str) -> str:
    return qualname.rsplit(".", 1)[-1]


# --- the spec's structure --------------------------------------------------------------------------


def spec_weights(arch: str) -> tuple[tuple[str, int], ...]:
    """('conv', kernel) / ('conv', channels)... and ('dense', features) of each weight layer, FC10 last."""
    out: list[tuple[str, int]] = []
    for layer in REGISTRY[arch]:
        if isinstance(layer, Conv):
            out += [("conv", layer.kernel), ("channels", layer.channels)]
        elif isinstance(layer, Dense):
            out.append(("dense", layer.features))
    return (*out, ("dense", NUM_CLASSES))


def spec_parameters(arch: str) -> int:
    """The parameter count of `arch` with valid convolutions and 2x2 pooling (recomputed here, no torch)."""
    channels, size = INPUT_SHAPE[0], INPUT_SHAPE[1]
    features, total = 0, 0
    for layer in REGISTRY[arch]:
        if isinstance(layer, Conv):
            total += layer.kernel**2 * channels * layer.channels + layer.channels
            channels, size = layer.channels, size - layer.kernel + 1
        elif isinstance(layer, MaxPool):
            size //= 2
        elif isinstance(layer, Dense):
            inputs = features or channels * size * size
            total += inputs * layer.features + (layer.features if layer.bias else 0)
            features = layer.features
    inputs = features or channels * size * size
    return total + inputs * NUM_CLASSES + NUM_CLASSES


def recorded_weights(model: RecordedModel) -> tuple[tuple[str, int], ...]:
    out: list[tuple[str, int]] = []
    for layer in model.layers:
        if not layer.torch:
            continue
        if layer.type == "Conv2d" and layer.kernel and layer.out_size is not None:
            out += [("conv", layer.kernel[0]), ("channels", layer.out_size)]
        elif layer.type == "Linear" and layer.out_size is not None:
            out.append(("dense", layer.out_size))
    return tuple(out)


def structure_key(model: RecordedModel) -> tuple[str, int] | None:
    """(architecture, evidence) by structure alone: equal to one, or close to one and to no other."""
    weights = recorded_weights(model)
    if not weights:
        return None
    exact = [a for a in ARCHITECTURES if spec_weights(a) == weights or spec_parameters(a) == model.parameters]
    if len(exact) == 1:
        return exact[0], 2
    scores = sorted(
        ((difflib.SequenceMatcher(None, spec_weights(a), weights).ratio(), a) for a in ARCHITECTURES),
        reverse=True,
    )
    if scores[0][0] >= NEAR and scores[0][0] - scores[1][0] > 0.1:
        return scores[0][1], 3
    return None


# --- the student's names ---------------------------------------------------------------------------


def name_key(model: RecordedModel) -> tuple[str, int] | None:
    """(target key, evidence) from the arguments and the class name, else the variable or function."""
    values: list[object] = [*(model.args or ()), *(v for _, v in model.kwargs)]
    if model.args is None:
        values = _QUOTED.findall(model.arguments_repr)
    key = key_from_arguments(values, default=match_target(_short(model.class_name)))
    if key is not None and key != "my_conv2d":
        return key, 0
    assigned = _SUBSCRIPT.search(model.text) or _ASSIGNED.match(model.text)
    for name in (assigned.group(1) if assigned else "", _FACTORY_VERB.sub("", model.function)):
        key = match_target(name) if name else None
        if key is not None and key != "my_conv2d":
            return key_from_arguments(values, default=key) or key, 1
    return None


def _with_activation(key: str, model: RecordedModel) -> str:
    types = {layer.type for layer in model.layers}
    return f"{key}_sigmoid" if "Sigmoid" in types and "ReLU" not in types else key


def match(models: tuple[RecordedModel, ...]) -> dict[str, RunMatch]:
    """The model graded for each architecture the run shows: strongest evidence, then one that runs."""
    candidates: dict[str, list[tuple[int, RecordedModel]]] = {}
    unnamed = []
    for model in models:
        named = name_key(model)
        if named is not None:
            candidates.setdefault(named[0], []).append((named[1], model))
        elif not model.nested:
            unnamed.append(model)
    for model in unnamed:
        by_structure = structure_key(model)
        if by_structure is not None:
            key = _with_activation(by_structure[0], model)
            candidates.setdefault(key, []).append((by_structure[1], model))

    def rank(item: tuple[int, RecordedModel]) -> tuple[int, bool, bool, bool, int]:
        evidence, model = item
        runs = model.output == (50, NUM_CLASSES)
        return evidence, model.nested, not runs, model.args is None, model.order

    matches = {}
    for key, found in candidates.items():
        evidence, model = min(found, key=rank)
        matches[key] = RunMatch(key, model, evidence, construction(model))
    return matches


def construction(model: RecordedModel) -> Construction | None:
    if model.args is None:
        return None
    shown = [render(v) for v in model.args] + [f"{k}={render(v)}" for k, v in model.kwargs]
    text = f"{_short(model.class_name)}({', '.join(shown)})"
    where = f"{model.file}, line {model.line}"
    return Construction(model.args, model.kwargs, "run", where, text)  # type: ignore[arg-type]


# --- into the claims ---------------------------------------------------------------------------------


def promote(
    claims: dict[str, list[Claim]],
    matches: dict[str, RunMatch],
    bindings: Callable[[str], dict[str, ast.stmt]],
    where: Callable[[str, int], str],
) -> dict[str, str]:
    """Put each matched model's class first among its architecture's claims (in place), its recorded
    construction first among the class's constructions; returns key -> the note saying so.

    `bindings(rel)`: the top-level statement binding each name of that file ({} for a file the
    grader does not read). A model whose class is not a top-level definition of such a file (a
    class made inside a function) is left to the claims read from the code. Never raises: the
    claims read from the code stand whatever happens here.
    """
    try:
        return _promote(claims, matches, bindings, where)
    except (Exception, RecursionError):  # noqa: BLE001 - a claim half-promoted is still a valid claim
        return {}


def _promote(
    claims: dict[str, list[Claim]],
    matches: dict[str, RunMatch],
    bindings: Callable[[str], dict[str, ast.stmt]],
    where: Callable[[str, int], str],
) -> dict[str, str]:

    def safe_where(rel: str, line: int) -> str:
        try:
            return where(rel, line)
        except (KeyError, ValueError):  # a file the grader does not read (it did not parse)
            return f"{rel}, line {line}"

    notes = {}
    for key, found in matches.items():
        rel, name = found.model.defined_file, found.model.class_name
        defs: dict[str, ast.stmt] = {
            n: b
            for n, b in bindings(rel).items()
            if isinstance(b, (ast.ClassDef, ast.FunctionDef)) and b.name == n
        }
        node = defs.get(name)
        if not isinstance(node, ast.ClassDef):
            continue
        existing = claims.get(key, [])
        claim = next((c for c in existing if (c.file, c.name) == (rel, name)), None)
        if claim is None:
            claim = Claim(key, rel, name, node.lineno, "class", "run", used=True)
            add_defaults_and_guesses(claim, node, defs)
        claim.evidence, claim.used = "run", True
        if found.construction is not None:
            made = replace(found.construction, where=safe_where(found.model.file, found.model.line))
            claim.constructions = dedupe([made, *claim.constructions])
        claims[key] = [claim, *(c for c in existing if c is not claim)]
        notes[key] = found.note(safe_where)
    return notes
