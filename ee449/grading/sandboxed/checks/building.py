"""Sandbox side of `construct`: build a student's model by the constructions the grader found.

Runs student code (the constructor, one forward pass), so only inside the sandbox. The first
construction whose model maps a [50, C, H, W] batch (the graded edition's images; 2023: 1 x 32 x 32)
to [50, 10] logits wins; when none does,
the first that builds at all (its failures are then the output checks' to report).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ee449.spec import INPUT_SHAPE

if TYPE_CHECKING:  # torch is imported where a model is built: only in the sandbox's checks
    from torch import nn


@dataclass(frozen=True)
class Built:
    model: nn.Module
    text: str  # how it was built, as shown to the student
    origin: str  # 'run', 'call', 'registry', 'defaults' or 'guess'
    where: str

    def describe(self) -> str:
        """'built as mlp_1(1024, 32, 10) (your call in train.py, line 40)' or a guess, marked as one."""
        if self.origin == "guess":
            return (
                f"built by the grader as {self.text}, a guess from its parameter names: your code "
                "never builds it with constant arguments"
            )
        if self.origin == "run":
            return f"built as {self.text}, as your code made it when it ran ({self.where})"
        if self.origin == "defaults":
            return f"built as {self.text} (its defaults)"
        what = "call" if self.origin == "call" else "registry"
        return f"built as {self.text} (your {what} in {self.where})"


def decode(value: object) -> object:
    """A construction argument from the manifest's JSON: tuples, dicts and torch references restored."""
    if isinstance(value, list):
        return [decode(v) for v in value]
    if isinstance(value, dict) and "__tuple__" in value:
        return tuple(decode(v) for v in value["__tuple__"])
    if isinstance(value, dict) and "__torch__" in value:
        return _torch_object(str(value["__torch__"]), bool(value.get("__call__")))
    if isinstance(value, dict) and "__dict__" in value:  # a config dict, as [[key, value], ...]
        return {key: decode(item) for key, item in value["__dict__"]}
    return value


def _torch_object(path: str, call: bool) -> object:
    parts = path.split(".")
    if parts[0] != "torch":
        raise ValueError(f"only torch objects are rebuilt, not {path}")
    obj: object = importlib.import_module("torch")
    for depth, part in enumerate(parts[1:], start=2):
        try:
            obj = getattr(obj, part)
        except AttributeError:
            obj = importlib.import_module(".".join(parts[:depth]))
    return obj() if call else obj  # type: ignore[operator]


def build(
    target: object, constructions: list[dict], name: str, input_shape: tuple[int, ...] = INPUT_SHAPE
) -> tuple[Built | None, list[str]]:
    """The model built by the first working construction, and one line per construction that failed.

    The grader's guesses come after the student's own constructions and are tried only when none of
    those built a model: a model the student's call made for another edition's images (an MLP of
    3 x 32 x 32 inputs in a 2023 course) is graded as the student made it, not rescued by a guess.
    """
    import torch
    from torch import nn

    built_first: Built | None = None
    tried: list[str] = []
    for construction in constructions:
        if construction["origin"] == "guess" and built_first is not None and built_first.origin == "run":
            break
        label = construction["text"] + (f" ({construction['where']})" if construction.get("where") else "")
        torch.manual_seed(0)
        try:
            args = [decode(a) for a in construction["args"]]
            kwargs = {k: decode(v) for k, v in construction["kwargs"].items()}
            model = target(*args, **kwargs)  # type: ignore[operator]
        except Exception as error:  # noqa: BLE001 - this construction fails: try the next one
            tried.append(f"{label}: {type(error).__name__}: {str(error)[:200]}")
            continue
        if not isinstance(model, nn.Module):
            tried.append(f"{label}: returned a {type(model).__name__}, not a torch.nn.Module")
            continue
        built = Built(model, construction["text"], construction["origin"], construction.get("where", ""))
        if built_first is None:
            built_first = built
        if len(constructions) == 1:
            break  # nothing to choose: building must not depend on the forward pass working
        try:
            with torch.no_grad():
                shape = tuple(model(torch.zeros(50, *input_shape)).shape)
        except Exception as error:  # noqa: BLE001 - the output checks report forward errors
            tried.append(
                f"{label}: built, but its forward pass failed: {type(error).__name__}: {str(error)[:200]}"
            )
            continue
        if shape == (50, 10):
            return built, tried
        tried.append(f"{label}: built, but a batch of 50 images gives output {list(shape)}")
    return built_first, tried
