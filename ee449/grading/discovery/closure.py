"""What one graded target needs from the student's files, and the module written for it.

`closure` walks from a target's definition through everything it references (module-level
constants, helpers, classes, imports; a local import of the student's own module followed to its
definition instead of importing that module, which would run its script code), and `render`
writes those statements as one small module, in file order, imports first. Nothing here imports
or runs student code (`extract` uses both).
"""

from __future__ import annotations

import ast
import builtins
from dataclasses import dataclass, field
from pathlib import Path

from ee449.grading.discovery import parsing, sources
from ee449.grading.discovery.bindings import referenced_globals, statement_source


@dataclass
class SourceFile:
    rel: str
    tree: ast.Module
    # name -> the top-level statement that (last) binds it; imports are split per alias
    table: dict[str, ast.stmt] = field(default_factory=dict)
    source: sources.Source | None = None
    raw: bytes = b""  # the text as UTF-8: the AST's column offsets count bytes
    # id(statement) -> (its source text, the globals it references), filled by `index_statements`
    index: dict[int, tuple[str, set[str]]] = field(default_factory=dict)


def index_statements(parsed: SourceFile) -> None:
    """Each statement's text and references; a RecursionError here fails the whole file (raised)."""
    for node in dict.fromkeys(parsed.table.values()):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            continue
        text = statement_source(node, parsed.raw)
        parsed.index[id(node)] = (text, referenced_globals(node, text))


def closure(
    start: tuple[str, str], files: dict[str, SourceFile], local: set[str]
) -> tuple[list[tuple[str, ast.stmt]], list[str]]:
    """The (file, statement) pairs that `start` = (file, name) needs, and the names not found."""
    order = list(files)
    chosen: dict[int, tuple[str, ast.stmt]] = {}
    missing: list[str] = []
    todo, seen = [start], set()
    while todo:
        rel, name = todo.pop()
        if (rel, name) in seen:
            continue
        seen.add((rel, name))
        node = files[rel].table.get(name)
        if node is None:
            # A helper defined in another file and imported from there, or used without import.
            other = next((r for r in order if name in files[r].table), None)
            if other is None:
                if not hasattr(builtins, name):
                    missing.append(name)
                continue
            rel, node = other, files[other].table[name]
        if isinstance(node, (ast.Import, ast.ImportFrom)) and _is_local_import(node, local):
            # `from models import cnn_3`: take the definition from the student's own file instead
            # of importing it (importing it would run that file's script code).
            alias = node.names[0]
            source_name = alias.name.split(".")[-1] if isinstance(node, ast.ImportFrom) else None
            # `import models` (no name to take) is left unresolved; it used to crash here on `.module`.
            source_file = _file_for_module(node, files) if isinstance(node, ast.ImportFrom) else None
            if source_name and source_file:
                todo.append((source_file, source_name))
                if alias.asname and alias.asname != source_name:
                    alias_node = ast.copy_location(
                        parsing.parse(f"{alias.asname} = {source_name}").body[0], node
                    )
                    alias_node.ee449_alias = True  # type: ignore[attr-defined]  # rendered after every definition it renames
                    chosen[id(alias_node)] = (source_file, alias_node)
            else:
                missing.append(name)
            continue
        chosen[id(node)] = (rel, node)
        for dependency in files[rel].index.get(id(node), ("", set()))[1]:
            todo.append((rel, dependency))
    return list(chosen.values()), sorted(set(missing))


def _is_local_import(node: ast.Import | ast.ImportFrom, local: set[str]) -> bool:
    if isinstance(node, ast.ImportFrom):
        return node.level > 0 or (node.module or "").split(".")[0] in local
    return node.names[0].name.split(".")[0] in local


def _file_for_module(node: ast.ImportFrom, files: dict[str, SourceFile]) -> str | None:
    stem = (node.module or "").split(".")[-1]
    return next((rel for rel in files if Path(rel).stem == stem), None)


def render(pieces: list[tuple[str, ast.stmt]], files: dict[str, SourceFile], target_name: str) -> str:
    order = {rel: i for i, rel in enumerate(files)}
    imports = [(r, n) for r, n in pieces if isinstance(n, (ast.Import, ast.ImportFrom))]
    body = [(r, n) for r, n in pieces if not isinstance(n, (ast.Import, ast.ImportFrom))]
    lines = ["# Extracted by ee449's grader: only the definitions the graded code needs.", ""]
    future = sorted(
        {ast.unparse(n) for _, n in imports if isinstance(n, ast.ImportFrom) and n.module == "__future__"}
    )
    lines += future
    seen = set(future)
    for _, statement in sorted(imports, key=lambda p: (order[p[0]], p[1].lineno)):
        text = ast.unparse(statement)
        if text not in seen:
            seen.add(text)
            lines.append(text)
    for rel, node in sorted(
        body, key=lambda p: (getattr(p[1], "ee449_alias", False), order[p[0]], p[1].lineno)
    ):
        text = files[rel].index[id(node)][0] if id(node) in files[rel].index else ast.unparse(node)
        lines += ["", f"# {rel}, line {node.lineno}", text]
    lines += ["", f"__ee449_target__ = {target_name}", ""]
    return "\n".join(lines)
