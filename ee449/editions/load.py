"""One edition of the homework from its spec file `ee449/editions/<year>.toml`, validated on load.

An edition is data: what changes from one year's Homework 1 to the next (the data set, the
input shape, the transform, runs and epochs, Part 1's kind, the plot helpers' shapes, the
result keys). Everything that is the same in every year (batch 50, a point every 10 steps,
the layer lists, the learning rates) stays in `ee449.spec`.

A file that does not fit raises `EditionError` naming the file, the key, the bad value and
what was expected: adding next year's edition is writing one file, and a typo must fail at
once, not mid-experiment.
"""

from __future__ import annotations

import functools
import math
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ee449.errors import EditionError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10: the same parser, packaged
    import tomli as tomllib

FOLDER = Path(__file__).resolve().parent  # the spec files live beside this module
DEFAULT_HOMEWORK = 2023  # the edition SPEC.md describes; every command's default
ENV_VAR = "EE449_HOMEWORK"  # the edition when no --homework is given
# The data sets ee449.data can load, and the (C, H, W) of their raw images.
RAW_SHAPES = {"cifar10": (3, 32, 32), "fashion-mnist": (1, 28, 28)}
DATASETS = tuple(RAW_SHAPES)
DATASET_NAMES = {"cifar10": "CIFAR-10", "fashion-mnist": "Fashion-MNIST"}
PART1_KINDS = ("formulas", "xor")  # questions on paper (2023) | a NumPy MLP for XOR (2024, 2025)
RESULT_PARTS = ("part3", "part4", "part5", "schedule")

# The keys of each table, and what each holds: the validator's one source.
SCHEMA: dict[str, dict[str, str]] = {
    "": {"year": "int", "summary": "str"},
    "data": {
        "dataset": "str",
        "classes": "strs",
        "input_shape": "ints",
        "train_images": "int",
        "test_images": "int",
        "val_fraction": "float",
    },
    "data.transform": {"mean": "floats", "std": "floats", "grayscale": "bool"},
    "training": {
        "part3_runs": "int",
        "part3_epochs": "int",
        "part4_epochs": "int",
        "part5_epochs": "int",
        "schedule_epochs": "int",
    },
    "part1": {"kind": "str"},
    "plots": {"weights_image": "ints", "helpers": "strs"},
    "results": {part: "strs" for part in RESULT_PARTS},
}


@dataclass(frozen=True)
class Transform:
    """ToTensor, then Normalize(mean, std) when `mean` is not empty, then Grayscale when asked."""

    mean: tuple[float, ...]  # per input channel of the raw image; () = no Normalize
    std: tuple[float, ...]
    grayscale: bool  # torchvision's Grayscale (0.2989 R + 0.587 G + 0.114 B) as the last step


@dataclass(frozen=True)
class Edition:
    """One year's Homework 1: what ee449 reads wherever the year makes a difference."""

    year: int
    summary: str
    dataset: str  # one of DATASETS
    classes: tuple[str, ...]  # labels 0..N-1
    input_shape: tuple[int, int, int]  # (C, H, W) of the tensor a model receives
    train_images: int
    test_images: int
    val_fraction: float
    transform: Transform
    part3_runs: int
    part3_epochs: int
    part4_epochs: int
    part5_epochs: int
    schedule_epochs: int
    part1: str  # one of PART1_KINDS
    weights_image: tuple[int, ...]  # visualizeWeights' shape of one first-layer MLP unit
    helpers: tuple[str, ...]  # the course's plot helpers this year's utils.py has
    result_keys: tuple[tuple[str, tuple[str, ...]], ...]  # (part, keys) for RESULT_PARTS

    @property
    def dataset_name(self) -> str:
        """'CIFAR-10' or 'Fashion-MNIST': the data set as people write it."""
        return DATASET_NAMES[self.dataset]

    @property
    def input_text(self) -> str:
        """'3 x 32 x 32': the input shape as messages write it."""
        return " x ".join(map(str, self.input_shape))

    @property
    def input_features(self) -> int:
        """C * H * W: what the first fully connected layer of an MLP takes (1024, 784, 3072)."""
        return math.prod(self.input_shape)

    def keys(self, part: str) -> tuple[str, ...]:
        """The keys of `part`'s result file ('part3', 'part4', 'part5', 'schedule')."""
        found = dict(self.result_keys)
        if part not in found:
            raise ValueError(f"unknown result part {part!r}; valid: {', '.join(RESULT_PARTS)}")
        return found[part]


def available() -> tuple[int, ...]:
    """The years that have a spec file, in order."""
    return tuple(sorted(int(p.stem) for p in FOLDER.glob("*.toml") if p.stem.isdigit()))


def parse_year(value: int | str) -> int:
    """`value` as an edition's year, checked against the spec files there are."""
    years = available()
    text = str(value).strip()
    if not text.isdigit() or int(text) not in years:
        raise EditionError(
            f"unknown homework edition {value!r}; valid: {', '.join(map(str, years))} "
            f"(one spec file each in {FOLDER})"
        )
    return int(text)


def requested_year(given: int | str | None = None) -> int:
    """The edition asked for: `given` (a --homework option), else $EE449_HOMEWORK, else 2023."""
    if given is not None:
        return parse_year(given)
    from_env = os.environ.get(ENV_VAR, "").strip()
    if from_env:
        try:
            return parse_year(from_env)
        except EditionError as error:
            raise EditionError(f"${ENV_VAR}: {error}") from None
    return DEFAULT_HOMEWORK


@functools.cache
def edition(year: int | str = DEFAULT_HOMEWORK) -> Edition:
    """The edition of `year`, read from its spec file and validated (cached: files are package data)."""
    return load_file(FOLDER / f"{parse_year(year)}.toml")


def load_file(path: str | os.PathLike) -> Edition:
    """Read and validate one spec file (any path: tests and new editions check theirs with this)."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise EditionError(f"cannot read edition spec {path}: {error.strerror or error}") from None
    except tomllib.TOMLDecodeError as error:
        raise EditionError(f"edition spec {path} is not valid TOML: {error}") from None
    tables = {name: _table(data, name, path) for name in SCHEMA}
    return _validated(_build(tables), path)


def _table(data: dict[str, Any], name: str, path: Path) -> dict[str, Any]:
    """The table `name` ('' = the top level) with every key present, typed, and none unknown."""
    table: Any = data
    for part in filter(None, name.split(".")):
        table = table.get(part) if isinstance(table, dict) else None
    where = f"[{name}]" if name else "the top level"
    if not isinstance(table, dict):
        raise EditionError(f"edition spec {path} has no table [{name}]")
    expected = SCHEMA[name]
    subtables = {
        k.split(".")[-1] for k in SCHEMA if k.startswith(f"{name}.") and k.count(".") == name.count(".") + 1
    }
    if not name:
        subtables = {k.split(".")[0] for k in SCHEMA if k}
    unknown = sorted(set(table) - set(expected) - subtables)
    if unknown:
        raise EditionError(
            f"edition spec {path}: unknown key(s) {', '.join(unknown)} in {where}; "
            f"expected {', '.join(expected)}"
        )
    for key, kind in expected.items():
        if key not in table:
            raise EditionError(f"edition spec {path}: {where} is missing {key!r} ({_KIND_TEXT[kind]})")
        if not _CHECK[kind](table[key]):
            raise EditionError(
                f"edition spec {path}: {where} {key} = {table[key]!r}, expected {_KIND_TEXT[kind]}"
            )
    return table


_CHECK = {
    "int": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "float": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "bool": lambda v: isinstance(v, bool),
    "str": lambda v: isinstance(v, str) and bool(v.strip()),
    "strs": lambda v: isinstance(v, list) and all(isinstance(x, str) and x for x in v),
    "ints": lambda v: isinstance(v, list) and all(isinstance(x, int) and not isinstance(x, bool) for x in v),
    "floats": lambda v: isinstance(v, list) and all(isinstance(x, (int, float)) for x in v),
}
_KIND_TEXT = {
    "int": "an integer",
    "float": "a number",
    "bool": "true or false",
    "str": "a non-empty string",
    "strs": "a list of strings",
    "ints": "a list of integers",
    "floats": "a list of numbers",
}


def _build(t: dict[str, dict[str, Any]]) -> Edition:
    data, transform, training = t["data"], t["data.transform"], t["training"]
    return Edition(
        year=t[""]["year"],
        summary=t[""]["summary"],
        dataset=data["dataset"],
        classes=tuple(data["classes"]),
        input_shape=tuple(data["input_shape"]),  # length checked in _validated
        train_images=data["train_images"],
        test_images=data["test_images"],
        val_fraction=float(data["val_fraction"]),
        transform=Transform(
            tuple(float(m) for m in transform["mean"]),
            tuple(float(s) for s in transform["std"]),
            transform["grayscale"],
        ),
        part3_runs=training["part3_runs"],
        part3_epochs=training["part3_epochs"],
        part4_epochs=training["part4_epochs"],
        part5_epochs=training["part5_epochs"],
        schedule_epochs=training["schedule_epochs"],
        part1=t["part1"]["kind"],
        weights_image=tuple(t["plots"]["weights_image"]),
        helpers=tuple(t["plots"]["helpers"]),
        result_keys=tuple((part, tuple(t["results"][part])) for part in RESULT_PARTS),
    )


def _validated(e: Edition, path: Path) -> Edition:
    """`e` when its values agree with each other and with the file's name; else EditionError."""
    problems = []
    if path.stem.isdigit() and int(path.stem) != e.year:
        problems.append(f"year = {e.year} but the file is named {path.name} (expected {e.year}.toml)")
    if e.dataset not in DATASETS:
        problems.append(f"dataset {e.dataset!r} is not one ee449.data loads ({', '.join(DATASETS)})")
    if e.part1 not in PART1_KINDS:
        problems.append(f"part1 kind {e.part1!r}; valid: {', '.join(PART1_KINDS)}")
    raw = RAW_SHAPES.get(e.dataset)
    if raw is not None:
        made = (1 if e.transform.grayscale else raw[0], raw[1], raw[2])
        if e.input_shape != made:
            problems.append(
                f"input_shape {list(e.input_shape)}, but {e.dataset}'s {raw[0]} x {raw[1]} x {raw[2]} images "
                f"{'with' if e.transform.grayscale else 'without'} the Grayscale step make {list(made)}"
            )
        if e.transform.mean and len(e.transform.mean) != raw[0]:
            problems.append(
                f"transform mean has {len(e.transform.mean)} entries; {e.dataset} has {raw[0]} channels"
            )
    if len(e.classes) < 2 or len(set(e.classes)) != len(e.classes):
        problems.append(f"classes must be at least two distinct names, got {list(e.classes)}")
    if len(e.transform.mean) != len(e.transform.std) or any(s <= 0 for s in e.transform.std):
        problems.append(
            f"transform mean {list(e.transform.mean)} and std {list(e.transform.std)} must be equally long "
            "(std > 0), or both empty (no Normalize)"
        )
    if not 0.0 < e.val_fraction < 1.0:
        problems.append(f"val_fraction {e.val_fraction} must be in (0, 1)")
    counts = {
        "train_images": e.train_images,
        "test_images": e.test_images,
        "part3_runs": e.part3_runs,
        "part3_epochs": e.part3_epochs,
        "part4_epochs": e.part4_epochs,
        "part5_epochs": e.part5_epochs,
        "schedule_epochs": e.schedule_epochs,
    }
    problems += [f"{name} = {value} must be positive" for name, value in counts.items() if value < 1]
    if e.schedule_epochs < e.part5_epochs:
        problems.append(f"schedule_epochs {e.schedule_epochs} < part5_epochs {e.part5_epochs}")
    if math.prod(e.weights_image) != e.input_features:
        problems.append(
            f"weights_image {list(e.weights_image)} holds {math.prod(e.weights_image)} values, but an MLP's "
            f"first layer takes {e.input_features} (input_shape {list(e.input_shape)})"
        )
    for part, keys in e.result_keys:
        if not keys or keys[0] != "name" or len(set(keys)) != len(keys):
            problems.append(f"results.{part} must start with 'name' and hold distinct keys, got {list(keys)}")
    if problems:
        raise EditionError(f"edition spec {path}: " + "; ".join(problems))
    return e
