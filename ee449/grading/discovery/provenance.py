"""Whether a graded definition is ee449's own code rather than the student's.

Students install ee449 (the README shows its course plot helpers), so `from ee449.conv import
my_conv2d` or `ee449.models.build("cnn_3")` inside a graded definition would hand the grader its
own reference. Read from the statements the extractor took for a target (the definition and,
transitively, everything it references), in order:
  - an import of ee449 anywhere in them, inside a function too, or `importlib.import_module("ee449...")`;
  - a definition taken from a folder named `ee449` in the submission (a copy of the package);
  - a function or class whose body is one of ee449's reference definitions (the convolution, the
    architectures), whatever it is named: a copy pasted into the student's file.
The sandbox separately makes ee449 unimportable; this reading gives the plain sentence.
"""

from __future__ import annotations

import ast
import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from ee449.grading.discovery import parsing

PACKAGE = "ee449"
# The modules whose definitions are the homework's answers (relative to the package folder).
REFERENCE_MODULES = ("basics/conv.py", "basics/xor.py", "models/networks.py", "models/stacked.py")
MIN_STATEMENTS = 3  # a body shorter than this (`return x`) says nothing about where it came from


@dataclass(frozen=True)
class ReferenceUse:
    file: str
    line: int
    what: str  # 'imports ee449.conv', 'is a copy of ee449's reference (basics/conv.py: my_conv2d)'

    def sentence(self, name: str) -> str:
        return (
            f"your {name} {self.what} ({self.file}, line {self.line}): ee449 is the grader's reference "
            "implementation, not your work, so the checks of this part get no points; write it yourself"
        )


def _imported_module(node: ast.AST) -> str | None:
    if isinstance(node, ast.Import):
        return next((a.name for a in node.names if a.name.split(".")[0] == PACKAGE), None)
    if isinstance(node, ast.ImportFrom) and not node.level and (node.module or "").split(".")[0] == PACKAGE:
        return node.module
    if isinstance(node, ast.Call) and node.args:  # importlib.import_module("ee449.conv"), __import__("ee449")
        name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        first = node.args[0]
        if name in {"import_module", "__import__"} and isinstance(first, ast.Constant):
            text = first.value
            if isinstance(text, str) and text.split(".")[0] == PACKAGE:
                return text
    return None


def _fingerprint(node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> str | None:
    """The definition's body as a string, its name and docstring left out; None for a short body."""
    body = list(node.body)
    if body and isinstance(body[0], ast.Expr) and isinstance(getattr(body[0], "value", None), ast.Constant):
        body = body[1:]
    if len(body) < (2 if isinstance(node, ast.ClassDef) else MIN_STATEMENTS):
        return None
    return "\n".join(ast.dump(statement) for statement in body) or None


@functools.lru_cache(maxsize=1)
def reference_fingerprints() -> dict[str, str]:
    """Fingerprint -> 'basics/conv.py: my_conv2d' for every definition of ee449's reference modules."""
    root = Path(__file__).resolve().parents[2]  # ee449/
    prints: dict[str, str] = {}
    for rel in REFERENCE_MODULES:
        tree = parsing.parse((root / rel).read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                found = _fingerprint(node)
                if found is not None:
                    prints.setdefault(found, f"{rel}: {node.name}")
    return prints


def reference_uses(pieces: Iterable[tuple[str, ast.stmt]]) -> list[ReferenceUse]:
    """Where the statements of one graded target import or copy ee449, in order (empty: none)."""
    uses: list[ReferenceUse] = []
    prints = reference_fingerprints()
    for rel, statement in pieces:
        if Path(rel).parts[:1] == (PACKAGE,):
            uses.append(ReferenceUse(rel, statement.lineno, f"is taken from a copy of the {PACKAGE} package"))
            continue
        for node in ast.walk(statement):
            module = _imported_module(node)
            if module is not None:
                uses.append(ReferenceUse(rel, getattr(node, "lineno", statement.lineno), f"imports {module}"))
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                origin = prints.get(_fingerprint(node) or "")
                if origin is not None:
                    uses.append(
                        ReferenceUse(rel, node.lineno, f"is a copy of {PACKAGE}'s reference ({origin})")
                    )
    return uses


def refusal(sentence: str) -> str:
    """The module written for a target that is ee449's own code: loading it fails with the sentence."""
    return f"# Not graded: the definition uses ee449's reference code.\nraise ImportError({sentence!r})\n"
