"""Hard-coded batch sizes in a model's source: `x.view(50, -1)`, `x.reshape(BATCH_SIZE, 256)`.

Read from the source with `ast` (nothing runs), so it is said even when the model cannot be
built or run a batch. A first size that is an integer literal above 1, or a name that says
"batch" (`BATCH_SIZE`, `self.batch_size`), is hard-coded; `x.size(0)`, `x.shape[0]`, `len(x)`
and `-1` are not.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from ee449.grading.sandboxed.checks.protocol import (
    Diagnosis,  # the sandbox imports this module: no grader code
)

_RESHAPES = {"view", "reshape"}


@dataclass(frozen=True)
class HardcodedView:
    line: int
    text: str  # the call as written, e.g. 'x.view(BATCH_SIZE, -1)'


def _first_size(call: ast.Call) -> ast.expr | None:
    func = call.func
    if not isinstance(func, ast.Attribute) or func.attr not in _RESHAPES:
        return None
    args = list(call.args)
    if isinstance(func.value, ast.Name) and func.value.id == "torch" and args:
        args = args[1:]  # torch.reshape(x, shape)
    if len(args) == 1 and isinstance(args[0], (ast.Tuple, ast.List)):
        args = list(args[0].elts)
    return args[0] if len(args) > 1 else None


def _says_batch(node: ast.expr) -> bool:
    if isinstance(node, ast.Constant):
        return isinstance(node.value, int) and not isinstance(node.value, bool) and node.value > 1
    name = node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else ""
    return "batch" in name.lower() or name.lower() == "bs"


def hardcoded_views(source: str, name: str) -> list[HardcodedView]:
    """The reshapes with a hard-coded batch in the class or function `name` (the whole file if absent)."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return []
    scopes: list[ast.AST] = [
        node
        for node in ast.walk(tree)
        if isinstance(node, (ast.ClassDef, ast.FunctionDef)) and node.name == name
    ] or [tree]
    found: dict[int, HardcodedView] = {}
    for scope in scopes:
        for node in ast.walk(scope):
            if isinstance(node, ast.Call):
                size = _first_size(node)
                if size is not None and _says_batch(size):
                    text = ast.get_source_segment(source, node) or ast.unparse(node)
                    found.setdefault(node.lineno, HardcodedView(node.lineno, text[:120]))
    return [found[line] for line in sorted(found)]


def diagnose_views(arch: str, views: list[tuple[int, str]], where: str = "") -> list[Diagnosis]:
    """One sentence naming the hard-coded reshape(s) of `arch`."""
    if not views:
        return []
    calls = ", ".join(f"{text} ({where + ', ' if where else ''}line {line})" for line, text in views[:3])
    return [
        Diagnosis(
            "hardcoded_batch",
            (
                f"Your {arch} reshapes with a hard-coded batch size: {calls}; use x.view(x.size(0), -1) "
                "or nn.Flatten() so any batch works (the last batch of an epoch, or a test batch, is smaller)."
            ),
        )
    ]
