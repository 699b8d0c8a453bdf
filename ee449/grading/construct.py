"""Which student definition is each architecture, and how the student's own code builds it.

Read from the AST only (nothing runs here). An architecture is claimed by
  - a definition whose name says so (`mlp_1`, `MLP1Model`, `ReLU_CNN4`, `model_mlp1`...),
  - a call with the architecture's name among its arguments (`Net("mlp_1", "relu")`,
    `get_model("cnn_3")`), of a class or of a function that looks like a model factory,
  - a dict registry (`MODELS = {"cnn_3": CNN3, "mlp_1": lambda: MLP(1024, 32, 10)}`).
When several definitions claim one architecture, the one the student's other code uses wins.

Each claim carries its constructions, tried in this order by the sandbox: the student's own
call sites (arguments folded to constants: literals, module constants such as
`INPUT_SIZE = 32 * 32`, loop variables over literal lists), the registry's, the defaults
(`()` when every parameter has one), and last the grader's guesses from the parameters' names
(input 1024, hidden 32 / 64, classes 10), marked as guesses so that no message presents them as
the student's code. Values travel as JSON: tuples as {"__tuple__": [...]}, references to
torch (`nn.ReLU`, `nn.Sigmoid()`) as {"__torch__": "torch.nn.ReLU", "__call__": bool}.
"""

from __future__ import annotations

import ast
import itertools
import operator
import re
from dataclasses import dataclass, field
from typing import Callable, Iterator, Union

from ee449.spec import ARCHITECTURES

Value = Union[None, bool, int, float, str, list, dict]  # JSON as the manifest carries it
MAX_LOOP_VALUES = 16  # `for arch in [...]` expanded per value up to this many
MAX_GUESSES = 8
HIDDEN_SIZES = (32, 64)  # mlp_1's hidden layer; mlp_2's two
_FOLD_FAILED = object()
_BINOPS: dict[type, Callable[[object, object], object]] = {
    ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.FloorDiv: operator.floordiv,
    ast.Div: operator.truediv, ast.Mod: operator.mod, ast.Pow: operator.pow}
_FACTORY_WORDS = ("model", "net", "build", "make", "create", "get", "arch", "factory", "construct",
                  "mlp", "cnn")
_NOT_FACTORY_WORDS = ("train", "test", "eval", "plot", "run", "fit", "experiment", "main", "loop", "accuracy",
                      "save", "load", "loss", "record", "step", "epoch", "predict", "conv2d")


def _norm(name: str) -> str:
    return re.sub(r"[_\-\s\[\]]", "", name.lower())


_AFFIXES = ("model", "network", "net", "relu", "class", "my", "arch", "module")


def match_target(name: str) -> str | None:
    """The target key a student's name stands for, or None.

    `mlp_1`, `MLP1Net`, `model_mlp1`, `MLP1Model`, `ReLU_CNN4`, `Cnn_4_Net` -> the architecture;
    with 'sigmoid' (or 'sig') before or after it -> its sigmoid variant; `my_conv2d` -> 'my_conv2d'.
    """
    norm = _norm(name)
    if norm == "myconv2d":
        return "my_conv2d"
    sigmoid = False
    changed = True
    while changed:  # peel affixes in any order: ReLU_CNN4_Net, model_mlp1, CNN3SigmoidNet
        changed = False
        for affix in ("sigmoid", "sig", *_AFFIXES):
            if norm.startswith(affix) and len(norm) > len(affix):
                norm, changed = norm[len(affix):], True
            elif norm.endswith(affix) and len(norm) > len(affix):
                norm, changed = norm[: -len(affix)], True
            else:
                continue
            sigmoid = sigmoid or affix in {"sigmoid", "sig"}
    for arch in ARCHITECTURES:
        if norm == _norm(arch):
            return f"{arch}_sigmoid" if sigmoid else arch
    return None


@dataclass(frozen=True)
class Construction:
    args: tuple[Value, ...]
    kwargs: tuple[tuple[str, Value], ...]
    origin: str  # 'call' (the student's call), 'registry', 'defaults' or 'guess'
    where: str  # 'train.py, line 40' for a call or a registry; '' otherwise
    text: str  # how it reads: the student's own call, or the grader's rendering of a guess

    def to_json(self) -> dict:
        return {"args": list(self.args), "kwargs": dict(self.kwargs), "origin": self.origin,
                "where": self.where, "text": self.text}


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
        elif (isinstance(node, ast.ImportFrom) and not node.level
              and (node.module or "").split(".")[0] == "torch"):
            for alias in node.names:
                if alias.name != "*":
                    aliases[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return aliases


def fold(node: ast.expr, env: dict[str, object], torch_names: dict[str, str]) -> object:
    """`node` as a JSON value when it is a constant expression, else `_FOLD_FAILED`."""
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float, str, bool, type(None))):
        return node.value
    if isinstance(node, ast.Name):
        if node.id in env:
            return env[node.id]
        if node.id in torch_names:
            return {"__torch__": torch_names[node.id], "__call__": False}
        return _FOLD_FAILED
    if isinstance(node, ast.Attribute):
        base = fold(node.value, env, torch_names)
        if isinstance(base, dict) and "__torch__" in base and not base["__call__"]:
            return {"__torch__": f"{base['__torch__']}.{node.attr}", "__call__": False}
        return _FOLD_FAILED
    if isinstance(node, ast.Call) and not node.args and not node.keywords:
        callee = fold(node.func, env, torch_names)  # nn.ReLU(): an instance of a torch class
        if isinstance(callee, dict) and "__torch__" in callee and not callee["__call__"]:
            return {"__torch__": callee["__torch__"], "__call__": True}
        return _FOLD_FAILED
    if isinstance(node, (ast.Tuple, ast.List)):
        items = [fold(e, env, torch_names) for e in node.elts]
        if any(i is _FOLD_FAILED for i in items):
            return _FOLD_FAILED
        return {"__tuple__": items} if isinstance(node, ast.Tuple) else items
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        value = fold(node.operand, env, torch_names)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return -value if isinstance(node.op, ast.USub) else value
        return _FOLD_FAILED
    if isinstance(node, ast.BinOp) and type(node.op) in _BINOPS:
        left, right = fold(node.left, env, torch_names), fold(node.right, env, torch_names)
        numbers = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (left, right))
        strings = isinstance(node.op, ast.Add) and all(isinstance(v, str) for v in (left, right))
        if not (numbers or strings):
            return _FOLD_FAILED
        too_big = abs(float(right)) > 64 or abs(float(left)) > 2 ** 20  # type: ignore[arg-type]
        if isinstance(node.op, ast.Pow) and too_big:
            return _FOLD_FAILED  # 10 ** 10 ** 10 must not hang the grader
        try:
            return _BINOPS[type(node.op)](left, right)
        except (ZeroDivisionError, OverflowError, ValueError):
            return _FOLD_FAILED
    return _FOLD_FAILED


def module_constants(tree: ast.Module, torch_names: dict[str, str]) -> dict[str, object]:
    """Top-level `NAME = <constant expression>` of one file, folded in order (later may use earlier)."""
    env: dict[str, object] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            value = fold(node.value, env, torch_names)
            if value is _FOLD_FAILED:
                env.pop(node.targets[0].id, None)
            else:
                env[node.targets[0].id] = value
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value is not None:
            value = fold(node.value, env, torch_names)
            if value is not _FOLD_FAILED:
                env[node.target.id] = value
    return env


# --- call sites -------------------------------------------------------------------------------

@dataclass(frozen=True)
class CallSite:
    file: str
    line: int
    callee: str  # the name called (`Net`, `models.Net` -> 'Net')
    module: str | None  # `models` in `models.Net(...)`, else None
    args: tuple[object, ...]  # folded values; _FOLD_FAILED where unknown
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


def _loop_envs(target: ast.expr, iterable: ast.expr, env: dict[str, object],
               torch_names: dict[str, str]) -> list[dict[str, object]]:
    values = fold(iterable, env, torch_names)
    if isinstance(values, dict) and "__tuple__" in values:
        values = values["__tuple__"]
    if not isinstance(values, list):
        return [env]
    envs = [_bind(target, v, env) for v in values[:MAX_LOOP_VALUES]]
    return [e for e in envs if e is not None] or [env]


def call_sites(rel: str, tree: ast.Module, env: dict[str, object],
               torch_names: dict[str, str]) -> list[CallSite]:
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
        args = tuple(_FOLD_FAILED if isinstance(a, ast.Starred) else fold(a, scope, torch_names)
                     for a in node.args)
        kwargs = tuple((k.arg, fold(k.value, scope, torch_names)) for k in node.keywords if k.arg)
        if any(k.arg is None for k in node.keywords):
            kwargs += (("**", _FOLD_FAILED),)
        known = all(v is not _FOLD_FAILED for v in (*args, *(v for _, v in kwargs)))
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


# --- claims -----------------------------------------------------------------------------------

def _strings(values: list[object]) -> Iterator[str]:
    for value in values:
        if isinstance(value, str):
            yield value
        elif isinstance(value, dict) and "__torch__" in value:
            yield str(value["__torch__"]).rsplit(".", 1)[-1]
        elif isinstance(value, dict) and "__tuple__" in value:
            yield from _strings(value["__tuple__"])


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
        return [word, {"__torch__": f"torch.nn.{cls}", "__call__": False},
                {"__torch__": f"torch.nn.{cls}", "__call__": True},
                {"__torch__": f"torch.{fn}", "__call__": False}]
    if "arch" in name or name in {"name", "model_name", "model", "model_type", "kind", "type", "net",
                                  "network"}:
        return [arch.replace("_sigmoid", "")]
    if "channel" in name:
        return [1]
    if "input" in name or name.startswith("in_") or name in {"n_in", "d_in", "dim", "in_dim", "size"}:
        return [1024] if arch.startswith("mlp") else [1, 32, 1024]
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


def render(value: object) -> str:
    if isinstance(value, dict) and "__torch__" in value:
        return str(value["__torch__"]) + ("()" if value["__call__"] else "")
    if isinstance(value, dict) and "__tuple__" in value:
        items = [render(v) for v in value["__tuple__"]]
        return "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")"
    if isinstance(value, list):
        return "[" + ", ".join(render(v) for v in value) + "]"
    return repr(value)


def _construction_from_call(site: CallSite, where: str, origin: str = "call") -> Construction | None:
    if any(v is _FOLD_FAILED for v in site.args) or any(v is _FOLD_FAILED for _, v in site.kwargs):
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
        claim.name, claim.key, len(required))
    claim.constructions.extend(guesses)


def positional_guesses(callable_name: str, key: str, count: int) -> list[Construction]:
    """Names that say nothing (`def __init__(self, n)`): (classes) or (input size, classes), as guesses."""
    if count == 1:
        options: list[tuple[int, ...]] = [(10,)]
    elif count == 2:
        options = [(size, 10) for size in ((1024, 1, 32) if key.startswith("mlp") else (1, 1024, 32))]
    else:
        return []
    return [Construction(args, (), "guess", "", f"{callable_name}({', '.join(map(str, args))})")
            for args in options]


def dedupe(constructions: list[Construction]) -> list[Construction]:
    seen, out = set(), []
    for c in constructions:
        signature = repr((c.args, c.kwargs))
        if signature not in seen:
            seen.add(signature)
            out.append(c)
    return out


# --- discovery --------------------------------------------------------------------------------

_EVIDENCE_RANK = {"name": 0, "registry": 1, "call": 2}


@dataclass(frozen=True)
class ParsedFile:
    """What discovery needs of one parsed file: its tree, its top-level bindings, how to name a line."""

    rel: str
    tree: ast.Module
    table: dict[str, ast.stmt]
    where: Callable[[int], str]


def _defs(parsed: ParsedFile) -> dict[str, ast.stmt]:
    return {n: s for n, s in parsed.table.items()
            if isinstance(s, (ast.ClassDef, ast.FunctionDef)) and getattr(s, "name", None) == n}


def _used_names(parsed: ParsedFile) -> set[tuple[str, int]]:
    """(name, line of the top-level statement it sits in) for every name the file reads."""
    used = set()
    for statement in parsed.tree.body:
        for node in ast.walk(statement):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
                used.add((node.id, statement.lineno))
            elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Load):
                used.add((node.attr, statement.lineno))
    return used


def find_claims(files: list[ParsedFile], module_file: Callable[[str], str | None]) -> dict[str, list[Claim]]:
    """Every architecture's claims, best first (used by the student's code, then evidence, then file order).

    `module_file` maps a module name the student imports (`models`) to their file (`Q2/models.py`).
    """
    defs = {f.rel: _defs(f) for f in files}
    by_rel = {f.rel: f for f in files}
    order = {f.rel: i for i, f in enumerate(files)}
    aliases = {f.rel: torch_aliases(f.tree) for f in files}
    shared: dict[str, object] = {}
    constants = {}
    for f in files:
        constants[f.rel] = module_constants(f.tree, aliases[f.rel])
        for name, value in constants[f.rel].items():
            shared.setdefault(name, value)  # `from config import INPUT_SIZE`: the first file defining it
    claims: dict[tuple[str, str, str], Claim] = {}

    def resolve(rel: str, name: str, module: str | None) -> tuple[str, str] | None:
        if module is not None:
            other = module_file(module)
            return (other, name) if other and name in defs[other] else None
        if name in defs[rel]:
            return rel, name
        statement = by_rel[rel].table.get(name)
        if isinstance(statement, ast.ImportFrom):
            other = module_file((statement.module or "").split(".")[-1])
            original = statement.names[0].name
            if other and original in defs[other]:
                return other, original
        other = next((r for r in defs if name in defs[r]), None)
        return (other, name) if other else None

    def claim(key: str, rel: str, name: str, evidence: str) -> Claim:
        node = defs[rel][name]
        ident = (key, rel, name)
        if ident not in claims:
            kind = "class" if isinstance(node, ast.ClassDef) else "function"
            claims[ident] = Claim(key, rel, name, node.lineno, kind, evidence)
        elif _EVIDENCE_RANK[evidence] < _EVIDENCE_RANK[claims[ident].evidence]:
            claims[ident].evidence = evidence
        return claims[ident]

    for f in files:
        for name in defs[f.rel]:
            key = match_target(name)
            if key and key != "my_conv2d":
                claim(key, f.rel, name, "name")
    for f in files:
        env = {**shared, **constants[f.rel]}
        for site in call_sites(f.rel, f.tree, env, aliases[f.rel]):
            target = resolve(f.rel, site.callee, site.module)
            if target is None or not factory_like(defs[target[0]][target[1]], defs[target[0]]):
                continue
            values = [*site.args, *(v for _, v in site.kwargs)]
            own = match_target(target[1])
            key = key_from_arguments(values, default=None if own == "my_conv2d" else own)
            if key is None:
                continue
            by_name = own is not None and own.startswith(key.replace("_sigmoid", ""))
            c = claim(key, target[0], target[1], "name" if by_name else "call")
            c.used = True
            made = _construction_from_call(site, f.where(site.line))
            if made is not None:
                c.constructions.append(made)
        _registry_claims(f, env, aliases[f.rel], resolve, claim)
    for f in files:
        used = _used_names(f)
        for c in claims.values():
            node = defs[c.file][c.name]
            if any(name == c.name and (f.rel != c.file or line != node.lineno) for name, line in used):
                c.used = True
    for c in claims.values():
        add_defaults_and_guesses(c, defs[c.file][c.name], defs[c.file])
        c.constructions = dedupe(c.constructions)
    ranked: dict[str, list[Claim]] = {}

    def rank(c: Claim) -> tuple[bool, int, int, int]:
        return not c.used, _EVIDENCE_RANK[c.evidence], order[c.file], c.line

    for c in sorted(claims.values(), key=rank):
        ranked.setdefault(c.key, []).append(c)
    return ranked


def _registry_claims(f: ParsedFile, env: dict[str, object], torch_names: dict[str, str],
                     resolve: Callable[[str, str, str | None], tuple[str, str] | None],
                     claim: Callable[[str, str, str, str], Claim]) -> None:
    """`MODELS = {"cnn_3": CNN3, "mlp_1": lambda: MLP(1024, 32, 10)}`, `mlp_2 = MLP(1024, [32, 64], 10)`."""
    pairs: list[tuple[object, ast.expr]] = []
    for node in ast.walk(f.tree):
        if isinstance(node, ast.Dict):
            pairs += [(fold(k, env, torch_names) if k is not None else _FOLD_FAILED, v)
                      for k, v in zip(node.keys, node.values)]
        elif isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.value, ast.Call):
            target = node.targets[0]
            name = target.id if isinstance(target, ast.Name) else getattr(target, "attr", None)
            pairs.append((name, node.value))
    for label, value in pairs:
        key = match_target(label) if isinstance(label, str) else None
        if key is None or key == "my_conv2d":
            continue
        call = value.body if isinstance(value, ast.Lambda) else value
        callee = call.func if isinstance(call, ast.Call) else call
        if isinstance(callee, ast.Name):
            target = resolve(f.rel, callee.id, None)
        elif isinstance(callee, ast.Attribute) and isinstance(callee.value, ast.Name):
            target = resolve(f.rel, callee.attr, callee.value.id)
        else:
            continue
        if target is None:
            continue
        c = claim(key, target[0], target[1], "registry")
        c.used = True
        if isinstance(call, ast.Call):
            sites = call_sites(f.rel, ast.Module(body=[ast.Expr(call)], type_ignores=[]), env, torch_names)
            made = _construction_from_call(sites[0], f.where(call.lineno), "registry") if sites else None
            if made is not None:
                c.constructions.append(made)
