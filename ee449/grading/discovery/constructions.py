"""How a claimed definition is built: the student's own calls, the defaults, the grader's guesses.

A claim's constructions are tried in order by the sandbox; guesses come from the parameters' names
(input 1024, hidden 32 / 64, classes 10) and are marked as guesses so that no message presents them
as the student's code."""

from __future__ import annotations

import ast
import contextlib
import contextvars
import itertools
import math
from dataclasses import dataclass, field
from typing import Iterator

from ee449.grading.discovery.call_sites import CallSite
from ee449.grading.discovery.folding import FOLD_FAILED, Value, render
from ee449.grading.discovery.naming import match_target
from ee449.spec import INPUT_SHAPE

MAX_GUESSES = 8
HIDDEN_SIZES = (32, 64)  # mlp_1's hidden layer; mlp_2's two
# The graded edition's image (C, H, W) that the guesses size models for: set per grading (each
# grading of a class runs in its own thread, and a context variable is per thread).
_IMAGE: contextvars.ContextVar[tuple[int, int, int]] = contextvars.ContextVar(
    "graded_image", default=INPUT_SHAPE
)


@contextlib.contextmanager
def graded_image(shape: tuple[int, int, int]) -> Iterator[None]:
    """Guesses inside this block size models for `shape` (2024: 1 x 28 x 28 -> an MLP input of 784)."""
    token = _IMAGE.set(shape)
    try:
        yield
    finally:
        _IMAGE.reset(token)


def _sizes() -> tuple[int, int, int]:
    """(features, channels, side) of the graded image: (1024, 1, 32) for 2023."""
    image = _IMAGE.get()
    return math.prod(image), image[0], image[1]


_FACTORY_WORDS = (
    "model",
    "net",
    "build",
    "make",
    "create",
    "get",
    "arch",
    "factory",
    "construct",
    "mlp",
    "cnn",
)
_NOT_FACTORY_WORDS = (
    "train",
    "test",
    "eval",
    "plot",
    "run",
    "fit",
    "experiment",
    "main",
    "loop",
    "accuracy",
    "save",
    "load",
    "loss",
    "record",
    "step",
    "epoch",
    "predict",
    "conv2d",
)


@dataclass(frozen=True)
class Construction:
    args: tuple[Value, ...]
    kwargs: tuple[tuple[str, Value], ...]
    origin: str  # 'call' (the student's call), 'registry', 'defaults' or 'guess'
    where: str  # 'train.py, line 40' for a call or a registry; '' otherwise
    text: str  # how it reads: the student's own call, or the grader's rendering of a guess

    def to_json(self) -> dict:
        return {
            "args": list(self.args),
            "kwargs": dict(self.kwargs),
            "origin": self.origin,
            "where": self.where,
            "text": self.text,
        }


@dataclass
class Claim:
    """One definition claiming one target, with the evidence and its constructions."""

    key: str
    file: str
    name: str
    line: int
    kind: str  # 'class' or 'function'
    evidence: str  # 'name', 'call' or 'registry'
    used: bool = False  # referenced by the student's other code (training, registries)
    constructions: list[Construction] = field(default_factory=list)


# --- claims -----------------------------------------------------------------------------------


def _strings(values: list[object]) -> Iterator[str]:
    for value in values:
        if isinstance(value, str):
            yield value
        elif isinstance(value, dict) and "__torch__" in value:
            yield str(value["__torch__"]).rsplit(".", 1)[-1]
        elif isinstance(value, dict) and "__tuple__" in value:
            yield from _strings(value["__tuple__"])
        elif isinstance(value, dict) and "__dict__" in value:  # a config dict's values
            yield from _strings([item for _, item in value["__dict__"]])


def key_from_arguments(values: list[object], default: str | None = None) -> str | None:
    """The architecture a call's arguments name (`"mlp_1"`), made `_sigmoid` by a sigmoid among them."""
    strings = list(_strings(values))
    key = next((k for k in (match_target(s) for s in strings) if k and k != "my_conv2d"), default)
    if key is None:
        return None
    if not key.endswith("_sigmoid") and any("sigmoid" in s.lower() for s in strings):
        key += "_sigmoid"
    return key


_MODULE_BASES = ("Module", "Sequential", "Net", "Model")


def factory_like(node: ast.stmt, defs: dict[str, ast.stmt] | None = None) -> bool:
    """A class derived from a module (or from another of the student's classes), or a function that
    returns something and is named like a model factory: `Logger("cnn_3")` claims nothing."""
    if isinstance(node, ast.ClassDef):
        bases = [ast.unparse(b) for b in node.bases]
        return any(b.endswith(_MODULE_BASES) or b in (defs or {}) for b in bases)
    if not isinstance(node, ast.FunctionDef):
        return False
    name = node.name.lower()
    if any(word in name for word in _NOT_FACTORY_WORDS) or not any(word in name for word in _FACTORY_WORDS):
        return False
    return any(isinstance(n, ast.Return) and n.value is not None for n in ast.walk(node))


def parameters(node: ast.stmt, defs: dict[str, ast.stmt]) -> tuple[list[str], bool] | None:
    """(required parameter names, whether it takes any parameter) of a class's __init__ or a function."""
    if isinstance(node, ast.FunctionDef):
        args = node.args
        positional = [a.arg for a in args.posonlyargs + args.args]
        if positional and positional[0] in {"self", "cls"}:
            positional = positional[1:]
        required = positional[: len(positional) - len(args.defaults)] if args.defaults else positional
        required += [a.arg for a, d in zip(args.kwonlyargs, args.kw_defaults) if d is None]
        return required, bool(positional or args.kwonlyargs or args.vararg or args.kwarg)
    if isinstance(node, ast.ClassDef):
        init = next((n for n in node.body if isinstance(n, ast.FunctionDef) and n.name == "__init__"), None)
        if init is not None:
            return parameters(init, defs)
        for base in node.bases:  # cnn_3_sigmoid(cnn_3): the parent's __init__
            if isinstance(base, ast.Name) and base.id in defs and base.id != node.name:
                return parameters(defs[base.id], {k: v for k, v in defs.items() if k != node.name})
        return [], False
    return None


def _guess_values(param: str, arch: str, hidden: Iterator[int]) -> list[Value] | None:
    name = param.lower()
    relu = not arch.endswith("_sigmoid")
    if any(w in name for w in ("class", "output", "out_dim", "out_features", "n_out", "num_out", "label")):
        return [10]
    if "hidden" in name or name in {"h", "hid", "width", "units"}:
        return [next(hidden, 32)]
    if "activ" in name or name in {"act", "act_fn", "nonlinearity", "non_linearity", "act_func"}:
        word, cls, fn = ("relu", "ReLU", "relu") if relu else ("sigmoid", "Sigmoid", "sigmoid")
        return [
            word,
            {"__torch__": f"torch.nn.{cls}", "__call__": False},
            {"__torch__": f"torch.nn.{cls}", "__call__": True},
            {"__torch__": f"torch.{fn}", "__call__": False},
        ]
    if "arch" in name or name in {
        "name",
        "model_name",
        "model",
        "model_type",
        "kind",
        "type",
        "net",
        "network",
    }:
        return [arch.replace("_sigmoid", "")]
    features, channels, side = _sizes()
    if "channel" in name:
        return [channels]
    if "input" in name or name.startswith("in_") or name in {"n_in", "d_in", "dim", "in_dim", "size"}:
        return [features] if arch.startswith("mlp") else [channels, side, features]
    return None


def guessed_constructions(callable_name: str, key: str, required: list[str]) -> list[Construction]:
    """Arguments matched by name to the homework's sizes; none when some parameter's name says nothing."""
    hidden = iter(HIDDEN_SIZES)
    options = []
    for param in required:
        values = _guess_values(param, key, hidden)
        if values is None:
            return []
        options.append(values)
    out = []
    for combo in itertools.islice(itertools.product(*options), MAX_GUESSES):
        kwargs = tuple(zip(required, combo))
        shown = ", ".join(f"{k}={render(v)}" for k, v in kwargs)
        out.append(Construction((), kwargs, "guess", "", f"{callable_name}({shown})"))
    return out


def construction_from_call(site: CallSite, where: str, origin: str = "call") -> Construction | None:
    if any(v is FOLD_FAILED for v in site.args) or any(v is FOLD_FAILED for _, v in site.kwargs):
        return None  # an argument only the running script knows: not reproducible here
    args, kwargs = tuple(site.args), tuple(site.kwargs)
    return Construction(args, kwargs, origin, where, site.text)  # type: ignore[arg-type]


def add_defaults_and_guesses(claim: Claim, node: ast.stmt, defs: dict[str, ast.stmt]) -> None:
    signature = parameters(node, defs)
    if signature is None:
        return
    required, _ = signature
    if not required:
        claim.constructions.append(Construction((), (), "defaults", "", f"{claim.name}()"))
        return
    guesses = guessed_constructions(claim.name, claim.key, required) or positional_guesses(
        claim.name, claim.key, len(required)
    )
    claim.constructions.extend(guesses)


def positional_guesses(callable_name: str, key: str, count: int) -> list[Construction]:
    """Names that say nothing (`def __init__(self, n)`): (classes) or (input size, classes), as guesses."""
    if count == 1:
        options: list[tuple[int, ...]] = [(10,)]
    elif count == 2:
        features, channels, side = _sizes()
        sizes = (features, channels, side) if key.startswith("mlp") else (channels, features, side)
        options = [(size, 10) for size in sizes]
    else:
        return []
    return [
        Construction(args, (), "guess", "", f"{callable_name}({', '.join(map(str, args))})")
        for args in options
    ]


def dedupe(constructions: list[Construction]) -> list[Construction]:
    seen, out = set(), []
    for c in constructions:
        signature = repr((c.args, c.kwargs))
        if signature not in seen:
            seen.add(signature)
            out.append(c)
    return out
