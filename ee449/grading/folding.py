"""The student's constants and call sites, folded from the AST (nothing runs): literals, module
constants such as `INPUT_SIZE = 32 * 32`, loop variables over literal lists, references to torch."""

from __future__ import annotations

import ast
import operator
from dataclasses import dataclass
from typing import Callable, Union

Value = Union[None, bool, int, float, str, list, dict]  # JSON as the manifest carries it
MAX_LOOP_VALUES = 16  # `for arch in [...]` expanded per value up to this many
FOLD_FAILED = object()
_BINOPS: dict[type, Callable[[object, object], object]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.FloorDiv: operator.floordiv,
    ast.Div: operator.truediv,
    ast.Mod: operator.mod,
    ast.Pow: operator.pow,
}


# --- constant folding -------------------------------------------------------------------------


def torch_aliases(tree: ast.Module) -> dict[str, str]:
    """Local names bound to torch objects by the file's imports: {'nn': 'torch.nn', 'ReLU': ...}."""
    aliases: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "torch":
                    bound = alias.asname or alias.name.split(".")[0]
                    aliases[bound] = alias.name if alias.asname else "torch"
        elif (
            isinstance(node, ast.ImportFrom)
            and not node.level
            and (node.module or "").split(".")[0] == "torch"
        ):
            for alias in node.names:
                if alias.name != "*":
                    aliases[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return aliases


def fold(node: ast.expr, env: dict[str, object], torch_names: dict[str, str]) -> object:
    """`node` as a JSON value when it is a constant expression, else `FOLD_FAILED`."""
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float, str, bool, type(None))):
        return node.value
    if isinstance(node, ast.Name):
        if node.id in env:
            return env[node.id]
        if node.id in torch_names:
            return {"__torch__": torch_names[node.id], "__call__": False}
        return FOLD_FAILED
    if isinstance(node, ast.Attribute):
        base = fold(node.value, env, torch_names)
        if isinstance(base, dict) and "__torch__" in base and not base["__call__"]:
            return {"__torch__": f"{base['__torch__']}.{node.attr}", "__call__": False}
        return FOLD_FAILED
    if isinstance(node, ast.Call) and not node.args and not node.keywords:
        callee = fold(node.func, env, torch_names)  # nn.ReLU(): an instance of a torch class
        if isinstance(callee, dict) and "__torch__" in callee and not callee["__call__"]:
            return {"__torch__": callee["__torch__"], "__call__": True}
        return FOLD_FAILED
    if isinstance(node, (ast.Tuple, ast.List)):
        items = [fold(e, env, torch_names) for e in node.elts]
        if any(i is FOLD_FAILED for i in items):
            return FOLD_FAILED
        return {"__tuple__": items} if isinstance(node, ast.Tuple) else items
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        value = fold(node.operand, env, torch_names)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return -value if isinstance(node.op, ast.USub) else value
        return FOLD_FAILED
    if isinstance(node, ast.BinOp) and type(node.op) in _BINOPS:
        left, right = fold(node.left, env, torch_names), fold(node.right, env, torch_names)
        numbers = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (left, right))
        strings = isinstance(node.op, ast.Add) and all(isinstance(v, str) for v in (left, right))
        if not (numbers or strings):
            return FOLD_FAILED
        too_big = abs(float(right)) > 64 or abs(float(left)) > 2**20  # type: ignore[arg-type]
        if isinstance(node.op, ast.Pow) and too_big:
            return FOLD_FAILED  # 10 ** 10 ** 10 must not hang the grader
        try:
            return _BINOPS[type(node.op)](left, right)
        except (ZeroDivisionError, OverflowError, ValueError):
            return FOLD_FAILED
    return FOLD_FAILED


def module_constants(tree: ast.Module, torch_names: dict[str, str]) -> dict[str, object]:
    """Top-level `NAME = <constant expression>` of one file, folded in order (later may use earlier)."""
    env: dict[str, object] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            value = fold(node.value, env, torch_names)
            if value is FOLD_FAILED:
                env.pop(node.targets[0].id, None)
            else:
                env[node.targets[0].id] = value
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value is not None:
            value = fold(node.value, env, torch_names)
            if value is not FOLD_FAILED:
                env[node.target.id] = value
    return env


# --- call sites -------------------------------------------------------------------------------


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

    def record(node: ast.Call, scope: dict[str, object]) -> None:
        func = node.func
        if isinstance(func, ast.Name):
            callee, module = func.id, None
        elif isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
            callee, module = func.attr, func.value.id
        else:
            return
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
        found.append(CallSite(rel, node.lineno, callee, module, args, kwargs, text[:200]))

    def visit(node: ast.AST, scope: dict[str, object]) -> None:
        if isinstance(node, (ast.For, ast.AsyncFor)):
            visit(node.iter, scope)
            for inner in _loop_envs(node.target, node.iter, scope, torch_names):
                for statement in node.body:
                    visit(statement, inner)
            for statement in node.orelse:
                visit(statement, scope)
            return
        if isinstance(node, (ast.ListComp, ast.GeneratorExp, ast.SetComp)) and len(node.generators) == 1:
            generator = node.generators[0]
            visit(generator.iter, scope)
            for inner in _loop_envs(generator.target, generator.iter, scope, torch_names):
                visit(node.elt, inner)
            return
        if isinstance(node, ast.Call):
            record(node, scope)
        for child in ast.iter_child_nodes(node):
            visit(child, scope)

    visit(tree, env)
    return found


def render(value: object) -> str:
    if isinstance(value, dict) and "__torch__" in value:
        return str(value["__torch__"]) + ("()" if value["__call__"] else "")
    if isinstance(value, dict) and "__tuple__" in value:
        items = [render(v) for v in value["__tuple__"]]
        return "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")"
    if isinstance(value, list):
        return "[" + ", ".join(render(v) for v in value) + "]"
    return repr(value)
