"""What the source shows without running it: library convolutions inside the student's my_conv2d.

The homework asks for the convolution "using NumPy". `library_convs` reads the statements the
extractor took for `my_conv2d` (the function and, transitively, every helper, constant and
import it references) and names each use of a library convolution: torch's `conv*` functions
and `Conv*` modules, `scipy.signal` / `scipy.ndimage` convolve and correlate, `np.convolve` /
`np.correlate`, and OpenCV's `filter2D`. Names are resolved through the imports (`import
torch.nn.functional as F` makes `F.conv2d` torch's). A use through `getattr` with a computed
string or `eval` is not seen: the check is a static reading, not a proof.
"""

from __future__ import annotations

import ast
from typing import Iterable


def _aliases(statements: Iterable[ast.stmt]) -> dict[str, str]:
    """Local name -> the dotted module path it stands for, from every import in the statements:
    top-level ones and those inside a function (`import torch as _t` in my_conv2d's body)."""
    found: dict[str, str] = {}
    for node in (inner for statement in statements for inner in ast.walk(statement)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    found[alias.asname] = alias.name
                else:
                    head = alias.name.split(".")[0]
                    found[head] = head
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            for alias in node.names:
                if alias.name != "*":
                    found[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return found


_LIBRARIES = ("torch", "scipy", "numpy", "cv2")


def _dotted(node: ast.expr) -> list[str] | None:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    return [node.id, *reversed(parts)]


def is_library_conv(name: str) -> bool:
    """Whether a fully qualified name is one of the library convolutions the homework rules out."""
    parts = name.split(".")
    top, last = parts[0], parts[-1]
    if top == "torch":
        return last.lower().startswith("conv") and last.lower() not in {"convert", "convert_sync_batchnorm"}
    if top == "scipy" and len(parts) > 2 and parts[1] in {"signal", "ndimage"}:
        return "convolve" in last or "correlate" in last
    if top == "numpy":
        return last in {"convolve", "correlate"}
    if top == "cv2":
        return last in {"filter2D", "sepFilter2D"}
    return False


def library_convs(pieces: Iterable[tuple[str, ast.stmt]]) -> list[tuple[str, int, str]]:
    """(file, line, qualified name) of each library convolution the statements use, in order."""
    pieces = list(pieces)
    aliases = _aliases(node for _, node in pieces)
    aliases.update(
        {name: name for name in _LIBRARIES if name not in aliases}
    )  # `torch.conv2d` unimported: still torch's
    found: list[tuple[str, int, str]] = []
    for rel, statement in pieces:
        if isinstance(statement, (ast.Import, ast.ImportFrom)):
            continue
        for node in ast.walk(statement):
            if isinstance(node, ast.alias) or not isinstance(node, (ast.Attribute, ast.Name)):
                continue
            parts = _dotted(node)
            if parts is None or parts[0] not in aliases:
                continue
            name = ".".join([aliases[parts[0]], *parts[1:]])
            if is_library_conv(name) and (rel, node.lineno, name) not in found:
                found.append((rel, node.lineno, name))
    # `F.conv2d` is also seen as its prefix `F`; keep only the longest name per place.
    return [f for f in found if not any(o[:2] == f[:2] and o[2].startswith(f[2] + ".") for o in found)]


def adam_learning_rates(tree: ast.Module) -> list[tuple[int, float | None]]:
    """(line, lr) of every `...Adam(params, lr=...)` call whose lr is a literal (None: the default 1e-3)."""
    found: list[tuple[int, float | None]] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        if name != "Adam":
            continue
        lr = next(
            (k.value for k in node.keywords if k.arg == "lr"), node.args[1] if len(node.args) > 1 else None
        )
        if lr is None:
            found.append((node.lineno, None))
        elif isinstance(lr, ast.Constant) and isinstance(lr.value, (int, float)):
            found.append((node.lineno, float(lr.value)))
    return found
