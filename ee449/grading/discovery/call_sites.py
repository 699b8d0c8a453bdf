"""Every call in a student's file, its arguments folded under the module's constants and the
values of literal loops (`for arch in ["mlp_1", "cnn_3"]: Net(arch)` is two calls): how the grader
learns which constructor calls make which architecture (`construct`), reading only (nothing runs).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from ee449.grading.discovery.folding import FOLD_FAILED, fold, render

MAX_LOOP_VALUES = 16  # `for arch in [...]` expanded per value up to this many
MAX_VISITS = 100_000  # nodes one file's call walk visits; past it loops are walked once, not per value


@dataclass(frozen=True)
class CallSite:
    file: str
    line: int
    callee: str  # the name called (`Net`, `models.Net` -> 'Net')
    module: str | None  # `models` in `models.Net(...)`, else None
    args: tuple[object, ...]  # folded values; FOLD_FAILED where unknown
    kwargs: tuple[tuple[str, object], ...]
    text: str


def _bind(target: ast.expr, value: object, env: dict[str, object]) -> dict[str, object] | None:
    if isinstance(target, ast.Name):
        return {**env, target.id: value}
    if isinstance(target, (ast.Tuple, ast.List)):
        items = value.get("__tuple__") if isinstance(value, dict) else value
        if isinstance(items, list) and len(items) == len(target.elts):
            for t, v in zip(target.elts, items):
                bound = _bind(t, v, env)
                if bound is None:
                    return None
                env = bound
            return env
    return None


def _loop_envs(
    target: ast.expr, iterable: ast.expr, env: dict[str, object], torch_names: dict[str, str]
) -> list[dict[str, object]]:
    values = fold(iterable, env, torch_names)
    if isinstance(values, dict) and "__tuple__" in values:
        values = values["__tuple__"]
    if not isinstance(values, list):
        return [env]
    envs = [_bind(target, v, env) for v in values[:MAX_LOOP_VALUES]]
    return [e for e in envs if e is not None] or [env]


def call_sites(
    rel: str, tree: ast.Module, env: dict[str, object], torch_names: dict[str, str]
) -> list[CallSite]:
    """Every call in the file, its arguments folded under the constants and literal loop variables."""
    found: list[CallSite] = []
    visits = [0]  # nested literal loops multiply the walk (16 ** depth): counted, then no longer expanded

    def expand(target: ast.expr, iterable: ast.expr, scope: dict[str, object]) -> list[dict[str, object]]:
        return _loop_envs(target, iterable, scope, torch_names) if visits[0] < MAX_VISITS else [scope]

    def record(node: ast.Call, scope: dict[str, object]) -> None:
        try:
            site = _site(node, scope)
        except Exception:  # noqa: BLE001 - a call the grader cannot render is one call less, not a crash
            return
        if site is not None:
            found.append(site)

    def _site(node: ast.Call, scope: dict[str, object]) -> CallSite | None:
        func = node.func
        if isinstance(func, ast.Name):
            callee, module = func.id, None
        elif isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
            callee, module = func.attr, func.value.id
        else:
            return None
        args = tuple(
            FOLD_FAILED if isinstance(a, ast.Starred) else fold(a, scope, torch_names) for a in node.args
        )
        kwargs = tuple((k.arg, fold(k.value, scope, torch_names)) for k in node.keywords if k.arg)
        if any(k.arg is None for k in node.keywords):
            kwargs += (("**", FOLD_FAILED),)
        known = all(v is not FOLD_FAILED for v in (*args, *(v for _, v in kwargs)))
        # Shown with the values the student's constants and loop variables hold: Net('mlp_1', 'relu').
        shown = [*(render(a) for a in args), *(f"{k}={render(v)}" for k, v in kwargs)]
        text = f"{ast.unparse(func)}({', '.join(shown)})" if known else ast.unparse(node)
        return CallSite(rel, node.lineno, callee, module, args, kwargs, text[:200])

    def visit(node: ast.AST, scope: dict[str, object]) -> None:
        visits[0] += 1
        if isinstance(node, (ast.For, ast.AsyncFor)):
            visit(node.iter, scope)
            for inner in expand(node.target, node.iter, scope):
                for statement in node.body:
                    visit(statement, inner)
            for statement in node.orelse:
                visit(statement, scope)
            return
        if isinstance(node, (ast.ListComp, ast.GeneratorExp, ast.SetComp)) and len(node.generators) == 1:
            generator = node.generators[0]
            visit(generator.iter, scope)
            for inner in expand(generator.target, generator.iter, scope):
                visit(node.elt, inner)
            return
        if isinstance(node, ast.Call):
            record(node, scope)
        for child in ast.iter_child_nodes(node):
            visit(child, scope)

    try:
        visit(tree, env)
    except RecursionError:  # nesting deeper than this walk can follow: the calls found so far
        pass
    return found
