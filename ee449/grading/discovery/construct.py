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
from dataclasses import dataclass
from typing import Callable

from ee449.grading.discovery.call_sites import call_sites
from ee449.grading.discovery.constructions import (
    Claim,
    add_defaults_and_guesses,
    construction_from_call,
    dedupe,
    factory_like,
    key_from_arguments,
)
from ee449.grading.discovery.folding import FOLD_FAILED, fold, module_constants, torch_aliases
from ee449.grading.discovery.naming import match_target

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
    return {
        n: s
        for n, s in parsed.table.items()
        if isinstance(s, (ast.ClassDef, ast.FunctionDef)) and getattr(s, "name", None) == n
    }


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


class _ClaimBook:
    """The files' definitions and the claims made on them so far (one `find_claims`)."""

    def __init__(self, files: list[ParsedFile], module_file: Callable[[str], str | None]):
        self.files = files
        self.module_file = module_file  # `models` -> `Q2/models.py`
        self.defs = {f.rel: _defs(f) for f in files}
        self.by_rel = {f.rel: f for f in files}
        self.claims: dict[tuple[str, str, str], Claim] = {}

    def resolve(self, rel: str, name: str, module: str | None) -> tuple[str, str] | None:
        """(file, name) of the definition `name` means in file `rel` (`module.name` with a module)."""
        if module is not None:
            other = self.module_file(module)
            return (other, name) if other and name in self.defs[other] else None
        if name in self.defs[rel]:
            return rel, name
        statement = self.by_rel[rel].table.get(name)
        if isinstance(statement, ast.ImportFrom):
            other = self.module_file((statement.module or "").split(".")[-1])
            original = statement.names[0].name
            if other and original in self.defs[other]:
                return other, original
        other = next((r for r in self.defs if name in self.defs[r]), None)
        return (other, name) if other else None

    def claim(self, key: str, rel: str, name: str, evidence: str) -> Claim:
        """The claim of `key` on definition `name` of `rel`, made once; stronger evidence replaces weaker."""
        ident = (key, rel, name)
        if ident not in self.claims:
            node = self.defs[rel][name]
            kind = "class" if isinstance(node, ast.ClassDef) else "function"
            self.claims[ident] = Claim(key, rel, name, node.lineno, kind, evidence)
        elif _EVIDENCE_RANK[evidence] < _EVIDENCE_RANK[self.claims[ident].evidence]:
            self.claims[ident].evidence = evidence
        return self.claims[ident]

    def ranked(self) -> dict[str, list[Claim]]:
        """Each architecture's claims, best first: used by the student's code, then evidence, then place."""
        order = {f.rel: i for i, f in enumerate(self.files)}

        def rank(c: Claim) -> tuple[bool, int, int, int]:
            return not c.used, _EVIDENCE_RANK[c.evidence], order[c.file], c.line

        ranked: dict[str, list[Claim]] = {}
        for c in sorted(self.claims.values(), key=rank):
            ranked.setdefault(c.key, []).append(c)
        return ranked


def find_claims(files: list[ParsedFile], module_file: Callable[[str], str | None]) -> dict[str, list[Claim]]:
    """Every architecture's claims, best first (used by the student's code, then evidence, then file order).

    `module_file` maps a module name the student imports (`models`) to their file (`Q2/models.py`).
    """
    book = _ClaimBook(files, module_file)
    for f in files:
        for name in book.defs[f.rel]:
            key = match_target(name)
            if key and key != "my_conv2d":
                book.claim(key, f.rel, name, "name")
    aliases = {f.rel: torch_aliases(f.tree) for f in files}
    constants = {f.rel: module_constants(f.tree, aliases[f.rel]) for f in files}
    shared: dict[str, object] = {}
    for f in files:  # `from config import INPUT_SIZE`: the first file defining it
        for name, value in constants[f.rel].items():
            shared.setdefault(name, value)
    for f in files:
        env = {**shared, **constants[f.rel]}
        _call_claims(book, f, env, aliases[f.rel])
        _registry_claims(f, env, aliases[f.rel], book.resolve, book.claim)
    for f in files:
        _mark_used(book, f)
    for c in book.claims.values():
        add_defaults_and_guesses(c, book.defs[c.file][c.name], book.defs[c.file])
        c.constructions = dedupe(c.constructions)
    return book.ranked()


def _call_claims(
    book: _ClaimBook, f: ParsedFile, env: dict[str, object], torch_names: dict[str, str]
) -> None:
    """`Net("mlp_1", "relu")`, `get_model("cnn_3")`: a call naming an architecture claims what it calls."""
    for site in call_sites(f.rel, f.tree, env, torch_names):
        target = book.resolve(f.rel, site.callee, site.module)
        if target is None or not factory_like(book.defs[target[0]][target[1]], book.defs[target[0]]):
            continue
        values = [*site.args, *(v for _, v in site.kwargs)]
        own = match_target(target[1])
        key = key_from_arguments(values, default=None if own == "my_conv2d" else own)
        if key is None:
            continue
        by_name = own is not None and own.startswith(key.replace("_sigmoid", ""))
        c = book.claim(key, target[0], target[1], "name" if by_name else "call")
        c.used = True
        made = construction_from_call(site, f.where(site.line))
        if made is not None:
            c.constructions.append(made)


def _mark_used(book: _ClaimBook, f: ParsedFile) -> None:
    """A claimed definition that file `f` reads anywhere but at its own definition is used."""
    used = _used_names(f)
    for c in book.claims.values():
        node = book.defs[c.file][c.name]
        if any(name == c.name and (f.rel != c.file or line != node.lineno) for name, line in used):
            c.used = True


def _registry_claims(
    f: ParsedFile,
    env: dict[str, object],
    torch_names: dict[str, str],
    resolve: Callable[[str, str, str | None], tuple[str, str] | None],
    claim: Callable[[str, str, str, str], Claim],
) -> None:
    """`MODELS = {"cnn_3": CNN3, "mlp_1": lambda: MLP(1024, 32, 10)}`, `mlp_2 = MLP(1024, [32, 64], 10)`."""
    pairs: list[tuple[object, ast.expr]] = []
    for node in ast.walk(f.tree):
        if isinstance(node, ast.Dict):
            pairs += [
                (fold(k, env, torch_names) if k is not None else FOLD_FAILED, v)
                for k, v in zip(node.keys, node.values)
            ]
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
            definition = resolve(f.rel, callee.id, None)
        elif isinstance(callee, ast.Attribute) and isinstance(callee.value, ast.Name):
            definition = resolve(f.rel, callee.attr, callee.value.id)
        else:
            continue
        if definition is None:
            continue
        c = claim(key, definition[0], definition[1], "registry")
        c.used = True
        if isinstance(call, ast.Call):
            sites = call_sites(f.rel, ast.Module(body=[ast.Expr(call)], type_ignores=[]), env, torch_names)
            made = construction_from_call(sites[0], f.where(call.lineno), "registry") if sites else None
            if made is not None:
                c.constructions.append(made)


def find_claims_per_file(
    files: list[ParsedFile], module_file: Callable[[str], str | None]
) -> tuple[dict[str, list[Claim]], dict[str, Exception]]:
    """`find_claims` over every file; if the grader fails on that, file by file, so that the one
    file it cannot read costs only the architectures defined there. Returns the claims and, per
    file given up, the error."""
    try:
        return find_claims(files, module_file), {}
    except Exception:  # noqa: BLE001 - retried per file below, where the failure is named
        pass
    merged: dict[str, list[Claim]] = {}
    failed: dict[str, Exception] = {}
    for parsed in files:
        try:
            claims = find_claims([parsed], module_file)
        except Exception as error:  # noqa: BLE001 - this file's architectures are not graded, the others are
            failed[parsed.rel] = error
            continue
        for key, found in claims.items():
            merged.setdefault(key, []).extend(found)
    return merged, failed
