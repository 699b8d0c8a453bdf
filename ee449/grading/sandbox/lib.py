"""The only part of ee449 a sandboxed child can import: the checks and what they need, no reference.

A child that could import `ee449.conv`, `ee449.models.build` or `ee449.grading.judging.diagnose` could hand
the grader the reference's own outputs as its own (every code point with nothing implemented).
So the sandbox never sees the package: `build_lib` copies the sandbox-side modules (the checks,
the result-file peek, the homework's data in `spec`) into a folder of the grader's, shown
read-only, with an `ee449.models` reduced to the two inspection helpers the checks use.
"""

from __future__ import annotations

import ast
import functools
import shutil
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2]  # this ee449
SANDBOX_MODULES = (
    "__init__.py",
    "errors.py",
    "spec.py",
    "editions/__init__.py",  # spec reads the homework's numbers from the editions' files
    "editions/load.py",
    *(f"editions/{path.name}" for path in sorted((PACKAGE / "editions").glob("*.toml"))),
    "grading/__init__.py",
    "grading/sandboxed/__init__.py",
    "grading/sandboxed/layers.py",
    "grading/sandboxed/arch_measures.py",  # output shapes and flat input, as selfcheck measures them
    "grading/sandboxed/probe.py",  # arch/*/computes: the grader's weights in the student's model
    "grading/sandboxed/batch_views.py",
    "grading/sandboxed/edition_fit.py",  # which edition's input a student's model takes
    "grading/sandboxed/peek.py",
    "basics/xor_data.py",  # Part 1 of 2024 / 2025: the course's XOR data helper (not the reference MLP)
    "grading/sandboxed/xor_behaviour.py",
    "grading/sandboxed/xor_defects.py",
    *(
        f"grading/sandboxed/checks/{path.name}"
        for path in sorted((PACKAGE / "grading" / "sandboxed" / "checks").glob("*.py"))
    ),
)
# From ee449/models/networks.py, only these (no `build`, no `HomeworkNet`: the reference models).
MODEL_HELPERS = ("count_parameters", "describe_layers", "_square")


@functools.lru_cache(maxsize=1)
def models_helpers_source() -> str:
    """Source of an `ee449.models` holding MODEL_HELPERS only (taken from networks.py by its syntax tree)."""
    source = (PACKAGE / "models" / "networks.py").read_text(encoding="utf-8")
    tree = ast.parse(source)
    found = {
        node.name: ast.get_source_segment(source, node)
        for node in tree.body
        if isinstance(node, ast.FunctionDef) and node.name in MODEL_HELPERS
    }
    missing = [name for name in MODEL_HELPERS if name not in found]
    if missing:
        raise RuntimeError(f"ee449/models/networks.py no longer defines {', '.join(missing)}")
    header = (
        '"""The sandbox\'s ee449.models: inspection helpers only (see ee449.grading.sandbox.lib)."""\n\n'
        "from __future__ import annotations\n\nfrom torch import nn\n\n\n"
    )
    return header + "\n\n\n".join(found[name] or "" for name in MODEL_HELPERS) + "\n"


def build_lib(folder: Path) -> Path:
    """`folder` holding a sandbox-only `ee449` package; returns `folder`, to go first on the child's path."""
    for relative in SANDBOX_MODULES:
        destination = folder / "ee449" / relative
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(PACKAGE / relative, destination)
    # basics' own __init__ only documents; an empty one keeps the reference conv and MLP out of reach.
    (folder / "ee449" / "basics" / "__init__.py").write_text(
        '"""The sandbox\'s ee449.basics: xor_data only."""\n'
    )
    models = folder / "ee449" / "models" / "__init__.py"
    models.parent.mkdir(parents=True, exist_ok=True)
    models.write_text(models_helpers_source(), encoding="utf-8")
    return folder
