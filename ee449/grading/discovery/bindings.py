"""A file's top-level bindings and what each statement references, from `ast` and `symtable`.

`symtable` tells a global from a local, so a local variable that happens to share a name with a
top-level training variable does not drag that training code into an extracted module."""

from __future__ import annotations

import ast
import symtable


def top_level_bindings(tree: ast.Module) -> dict[str, ast.stmt]:
    table: dict[str, ast.stmt] = {}

    def visit(statements: list[ast.stmt]) -> None:
        for node in statements:
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                for alias in node.names:
                    if alias.name == "*":
                        continue
                    single = (
                        ast.Import(names=[alias])
                        if isinstance(node, ast.Import)
                        else ast.ImportFrom(module=node.module, names=[alias], level=node.level)
                    )
                    ast.copy_location(single, node)
                    bound = alias.asname or alias.name.split(".")[0]
                    table[bound] = single
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                table[node.name] = node
            elif isinstance(node, ast.Assign) and all(_simple_target(t) for t in node.targets):
                for target in node.targets:
                    for name in _target_names(target):
                        table[name] = node
            elif (
                isinstance(node, ast.AnnAssign)
                and node.value is not None
                and isinstance(node.target, ast.Name)
            ):
                table[node.target.id] = node
            elif isinstance(node, ast.Try):
                # try: import x / except ImportError: ... is how scripts pick optional imports
                visit([n for n in node.body if isinstance(n, (ast.Import, ast.ImportFrom))])
            # Everything else (loops, calls, `if __name__ == "__main__":`) is script code: skipped.

    visit(tree.body)
    return table


def _simple_target(target: ast.expr) -> bool:
    return isinstance(target, ast.Name) or (
        isinstance(target, ast.Tuple) and all(isinstance(e, ast.Name) for e in target.elts)
    )


def _target_names(target: ast.expr) -> list[str]:
    if isinstance(target, ast.Name):
        return [target.id]
    assert isinstance(target, ast.Tuple)  # `_simple_target`: a name or a tuple of names
    return [e.id for e in target.elts if isinstance(e, ast.Name)]


def statement_source(node: ast.stmt, source: bytes) -> str:
    """The text of a top-level statement as the student wrote it, decorators included.

    Cut from the source by position rather than re-printed with `ast.unparse`, which recurses once
    per nesting level and fails on long but valid expressions (`1 + 1 + ... + 1`, 800 terms).
    """
    first = min([node, *getattr(node, "decorator_list", [])], key=lambda n: (n.lineno, n.col_offset))
    lines = source.splitlines(keepends=True)
    end_line, end_col = node.end_lineno or node.lineno, node.end_col_offset or 0
    chunk = lines[first.lineno - 1 : end_line]
    start_col = first.col_offset
    if first is not node and chunk:  # a decorator's '@' precedes it, maybe with '(' between: `@(lambda c: c)`
        start_col = max(chunk[0].rfind(b"@", 0, first.col_offset), 0)
    if not chunk:
        return ast.unparse(node)
    if len(chunk) == 1:
        return chunk[0][start_col:end_col].decode("utf-8", errors="replace")
    chunk[0], chunk[-1] = chunk[0][start_col:], chunk[-1][:end_col]
    return b"".join(chunk).decode("utf-8", errors="replace")


def referenced_globals(node: ast.stmt, text: str | None = None) -> set[str]:
    """Global names a top-level statement (whose source is `text`) needs when it runs or is called."""
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return set()
    names: set[str] = set()

    def walk(scope: symtable.SymbolTable) -> None:
        for symbol in scope.get_symbols():
            if symbol.is_referenced() and symbol.is_global():
                names.add(symbol.get_name())
        for child in scope.get_children():
            walk(child)

    walk(symtable.symtable(ast.unparse(node) if text is None else text, "<extract>", "exec"))
    return names
