"""The student's constants, folded from the AST (nothing runs): literals, module constants such as
`INPUT_SIZE = 32 * 32`, loop variables over literal lists, references to torch; and how a folded
value is shown (`render`). The calls made with them are `call_sites`."""

from __future__ import annotations

import ast
import math
import operator
from dataclasses import dataclass
from typing import Any, Callable, Union

Value = Union[None, bool, int, float, str, list, dict]  # JSON as the manifest carries it
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
    return _Folding(env, torch_names)(node)


@dataclass(frozen=True)
class _Folding:
    """What a fold sees: the names folded so far and the file's names for torch."""

    env: dict[str, object]
    torch_names: dict[str, str]

    def __call__(self, node: ast.expr) -> object:
        folder = _FOLDERS.get(type(node))  # two frames per level of nesting: deep ones fold as before
        return folder(node, self) if folder is not None else FOLD_FAILED


def _torch_reference(value: object) -> str | None:
    """The dotted name of a folded torch reference that is not called (`nn`, `nn.ReLU`), else None."""
    if isinstance(value, dict) and "__torch__" in value and not value["__call__"]:
        return str(value["__torch__"])
    return None


def _constant(node: ast.Constant, fold: _Folding) -> object:
    plain = isinstance(node.value, (int, float, str, bool, type(None)))
    return node.value if plain else FOLD_FAILED  # bytes, complex, Ellipsis: not JSON


def _name(node: ast.Name, fold: _Folding) -> object:
    if node.id in fold.env:
        return fold.env[node.id]
    if node.id in fold.torch_names:
        return {"__torch__": fold.torch_names[node.id], "__call__": False}
    return FOLD_FAILED


def _attribute(node: ast.Attribute, fold: _Folding) -> object:
    base = _torch_reference(fold(node.value))
    return {"__torch__": f"{base}.{node.attr}", "__call__": False} if base else FOLD_FAILED


def _call(node: ast.Call, fold: _Folding) -> object:
    if node.args or node.keywords:
        return FOLD_FAILED
    callee = _torch_reference(fold(node.func))  # nn.ReLU(): an instance of a torch class
    return {"__torch__": callee, "__call__": True} if callee else FOLD_FAILED


def _sequence(node: ast.Tuple | ast.List, fold: _Folding) -> object:
    if len(node.elts) > MAX_ITEMS:
        return FOLD_FAILED
    items = [fold(e) for e in node.elts]
    if any(i is FOLD_FAILED for i in items):
        return FOLD_FAILED
    return {"__tuple__": items} if isinstance(node, ast.Tuple) else items


def _unary(node: ast.UnaryOp, fold: _Folding) -> object:
    if not isinstance(node.op, (ast.USub, ast.UAdd)):
        return FOLD_FAILED
    value = fold(node.operand)
    if _number(value):
        return -value if isinstance(node.op, ast.USub) else value  # type: ignore[operator]
    return FOLD_FAILED


def _binary(node: ast.BinOp, fold: _Folding) -> object:
    return _binop(node.op, fold(node.left), fold(node.right)) if type(node.op) in _BINOPS else FOLD_FAILED


def _joined_string(node: ast.JoinedStr, fold: _Folding) -> object:  # f"data/{name}.pkl", every part known
    parts = [fold(v) for v in node.values]
    return "".join(parts) if all(isinstance(p, str) for p in parts) else FOLD_FAILED  # type: ignore[arg-type]


def _formatted(node: ast.FormattedValue, fold: _Folding) -> object:
    value = fold(node.value)
    plain = node.conversion == -1 and node.format_spec is None
    return str(value) if plain and (isinstance(value, str) or _number(value)) else FOLD_FAILED


def _compare(node: ast.Compare, fold: _Folding) -> object:
    if len(node.ops) != 1 or type(node.ops[0]) not in _COMPARE:
        return FOLD_FAILED
    left, right = fold(node.left), fold(node.comparators[0])
    same = (_number(left) and _number(right)) or (isinstance(left, str) and isinstance(right, str))
    return bool(_COMPARE[type(node.ops[0])](left, right)) if same else FOLD_FAILED  # type: ignore[arg-type]


# One small folder per kind of expression; any other kind is unknown.
_FOLDERS: dict[type, Callable[[Any, _Folding], object]] = {
    ast.Constant: _constant,
    ast.Name: _name,
    ast.Attribute: _attribute,
    ast.Call: _call,
    ast.Tuple: _sequence,
    ast.List: _sequence,
    ast.UnaryOp: _unary,
    ast.BinOp: _binary,
    ast.JoinedStr: _joined_string,
    ast.FormattedValue: _formatted,
    ast.Compare: _compare,
}


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
