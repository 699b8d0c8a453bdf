"""`ast.parse` behind one lock: the grader parses students' files from several threads.

CPython 3.11's `ast` module keeps the depth counter of its tree constructor in module state
shared by every thread. When a garbage collection inside `ast.parse` runs a finaliser, the
interpreter can switch threads mid-construction, and the other thread's parse then fails with
`SystemError: AST constructor recursion depth mismatch` (seen under `ee449 grade --class -j 2`).
Parsing is fast next to the sandboxed runs, so one lock costs nothing measurable.
"""

from __future__ import annotations

import ast
import threading

_PARSE = threading.Lock()


def parse(source: str, filename: str = "<unknown>") -> ast.Module:
    """`ast.parse(source, filename)`, one thread at a time; raises `SyntaxError` as it does."""
    with _PARSE:
        return ast.parse(source, filename=filename)
