"""The student's constants and call sites, folded from the AST (nothing runs): literals, module
constants such as `INPUT_SIZE = 32 * 32`, loop variables over literal lists, references to torch."""

from __future__ import annotations

import ast
import math
import operator
from dataclasses import dataclass
from typing import Callable, Union

Value = Union[None, bool, int, float, str, list, dict]  # JSON as the manifest carries it
MAX_LOOP_VALUES = 16  # `for arch in [...]` expanded per value up to this many
MAX_VISITS = 100_000  # nodes one file's call walk visits; past it loops are walked once, not per value
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

MAX_STRING = 4096  # a folded string longer than this is unknown: `'a' * 10**9` must not fill memory
MAX_INT_BITS = 256  # likewise for integers squared in a chain of module constants
MAX_ITEMS = 256  # a folded list or tuple longer than this is unknown
_COMPARE = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
}


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
    """`node` as a JSON value when it is a constant expression, else `FOLD_FAILED`; never raises.

    Whatever the student wrote (bytes, f-strings, `'data/' + name + '.pkl'`, `%`, a comparison,
    a call, an expression nested past the interpreter's recursion limit), the answer is a value
    or "unknown": a strange expression costs at most the construction it sits in.
    """
    try:
        value = _fold(node, env, torch_names)
    except Exception:  # noqa: BLE001 - any failure to fold is "unknown", by design (see docstring)
        return FOLD_FAILED
    return value if _bounded(value) else FOLD_FAILED


def _bounded(value: object) -> bool:
    if isinstance(value, bool) or value is None or value is FOLD_FAILED:
        return True
    if isinstance(value, int):
        return value.bit_length() <= MAX_INT_BITS
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, str):
        return len(value) <= MAX_STRING
    return isinstance(value, (list, dict)) and _weight(value, MAX_ITEMS) <= MAX_ITEMS


def _weight(value: object, cap: int) -> int:
    """How many values a folded list or tuple holds, nested ones included, counted up to `cap` + 1:
    `B = [A, A, A]` over a long `A` must not multiply into millions."""
    if isinstance(value, dict) and "__tuple__" in value:
        value = value["__tuple__"]
    if not isinstance(value, list):
        return 1
    total = 0
    for item in value:
        total += _weight(item, cap - total)
        if total > cap:
            break
    return total


def _number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _fold(node: ast.expr, env: dict[str, object], torch_names: dict[str, str]) -> object:
    if isinstance(node, ast.Constant):
        plain = isinstance(node.value, (int, float, str, bool, type(None)))
        return node.value if plain else FOLD_FAILED  # bytes, complex, Ellipsis: not JSON
    if isinstance(node, ast.Name):
        if node.id in env:
            return env[node.id]
        if node.id in torch_names:
            return {"__torch__": torch_names[node.id], "__call__": False}
        return FOLD_FAILED
    if isinstance(node, ast.Attribute):
        base = _fold(node.value, env, torch_names)
        if isinstance(base, dict) and "__torch__" in base and not base["__call__"]:
            return {"__torch__": f"{base['__torch__']}.{node.attr}", "__call__": False}
        return FOLD_FAILED
    if isinstance(node, ast.Call) and not node.args and not node.keywords:
        callee = _fold(node.func, env, torch_names)  # nn.ReLU(): an instance of a torch class
        if isinstance(callee, dict) and "__torch__" in callee and not callee["__call__"]:
            return {"__torch__": callee["__torch__"], "__call__": True}
        return FOLD_FAILED
    if isinstance(node, (ast.Tuple, ast.List)):
        if len(node.elts) > MAX_ITEMS:
            return FOLD_FAILED
        items = [_fold(e, env, torch_names) for e in node.elts]
        if any(i is FOLD_FAILED for i in items):
            return FOLD_FAILED
        return {"__tuple__": items} if isinstance(node, ast.Tuple) else items
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        value = _fold(node.operand, env, torch_names)
        if _number(value):
            return -value if isinstance(node.op, ast.USub) else value  # type: ignore[operator]
        return FOLD_FAILED
    if isinstance(node, ast.BinOp) and type(node.op) in _BINOPS:
        return _binop(node.op, _fold(node.left, env, torch_names), _fold(node.right, env, torch_names))
    if isinstance(node, ast.JoinedStr):  # f"data/{name}.pkl" with every part known
        parts = [_fold(v, env, torch_names) for v in node.values]
        return "".join(parts) if all(isinstance(p, str) for p in parts) else FOLD_FAILED  # type: ignore[arg-type]
    if isinstance(node, ast.FormattedValue):
        value = _fold(node.value, env, torch_names)
        plain = node.conversion == -1 and node.format_spec is None
        return str(value) if plain and (isinstance(value, str) or _number(value)) else FOLD_FAILED
    if isinstance(node, ast.Compare) and len(node.ops) == 1 and type(node.ops[0]) in _COMPARE:
        left, right = _fold(node.left, env, torch_names), _fold(node.comparators[0], env, torch_names)
        same = (_number(left) and _number(right)) or (isinstance(left, str) and isinstance(right, str))
        return bool(_COMPARE[type(node.ops[0])](left, right)) if same else FOLD_FAILED  # type: ignore[arg-type]
    return FOLD_FAILED


def _binop(op: ast.operator, left: object, right: object) -> object:
    """Numbers with numbers, `str + str`, `str * int` within the size caps; anything else unknown."""
    if isinstance(op, ast.Add) and isinstance(left, str) and isinstance(right, str):
        return left + right
    if (
        isinstance(op, ast.Mult)
        and isinstance(left, str)
        and isinstance(right, int)
        and not isinstance(right, bool)
    ):
        return left * right if len(left) * max(right, 0) <= MAX_STRING else FOLD_FAILED
    if not (_number(left) and _number(right)):
        return FOLD_FAILED  # `'%d' % 3`, lists, torch references: not folded
    if isinstance(op, ast.Pow) and (abs(right) > 64 or abs(left) > 2**20):  # type: ignore[arg-type]
        return FOLD_FAILED  # 10 ** 10 ** 10 must not hang the grader
    try:
        return _BINOPS[type(op)](left, right)
    except (ZeroDivisionError, OverflowError, ValueError):
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


def render(value: object) -> str:
    if isinstance(value, dict) and "__torch__" in value:
        return str(value["__torch__"]) + ("()" if value["__call__"] else "")
    if isinstance(value, dict) and "__tuple__" in value:
        items = [render(v) for v in value["__tuple__"]]
        return "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")"
    if isinstance(value, dict) and "__dict__" in value:
        return "{" + ", ".join(f"{render(k)}: {render(v)}" for k, v in value["__dict__"]) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(render(v) for v in value) + "]"
    return repr(value)
