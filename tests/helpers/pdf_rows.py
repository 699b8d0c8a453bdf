"""PDF rows and characters laid out from a known source, for the tests of reading code out of PDFs.

Shared by tests/grading/test_pdf_code.py, test_pdf_repair.py and test_pdf_rules.py: the oracle is
the source text, laid out here as a PDF shows it (indentation as x positions, lines wrapped at a
margin), so each step of the reading is tested without a PDF.
"""

from __future__ import annotations

import ast
from pathlib import Path

from ee449.grading.intake.pdf.glyphs import Char
from ee449.grading.intake.pdf.layout import Row

ROOT = Path(__file__).resolve().parents[2]
CORRECT = (ROOT / "fixtures" / "submissions" / "correct" / "hw1.py").read_text()
PITCH = 6.0


class _Flatten(ast.NodeTransformer):
    """Strings compared without their whitespace: a docstring wrapped in a PDF keeps its characters,
    not its line breaks (a printer cuts it mid-word; no one can tell that from a space)."""

    def visit_Constant(self, node: ast.Constant) -> ast.Constant:
        if isinstance(node.value, str):
            node.value = "".join(node.value.split())
        return node


def same_program(a: str, b: str) -> bool:
    return ast.dump(_Flatten().visit(ast.parse(a))) == ast.dump(_Flatten().visit(ast.parse(b)))


def rows_from(
    source: str,
    *,
    mono: bool = True,
    x_step: float = PITCH,
    wrap_at: int | None = None,
    mark: str = "",
    prose: tuple[str, ...] = (),
) -> list[Row]:
    """`source` laid out as a PDF shows it: one row per line, indentation as x, long lines wrapped.

    `wrap_at` columns: a word processor wraps at the last space that fits, the rest at the left
    margin; with `mark` (listings' postbreak), the rest is indented four columns past the line
    and starts with the mark. `prose` lines come first, in a proportional font.
    """
    rows: list[Row] = []
    top = 0.0

    def add(text: str, x0: float, is_mono: bool) -> None:
        nonlocal top
        top += 12.0
        rows.append(
            Row(1 + int(top // 700), 0, 1, top % 700, x0, x0 + len(text) * PITCH, text, is_mono, PITCH)
        )

    for sentence in prose:
        add(sentence, 0.0, False)
    columns = wrap_at or 120
    width = columns * PITCH
    for _ in range(3):
        add("x" * columns, 0.0, False)  # justified prose: where the right margin is
    for line in source.splitlines():
        if not line.strip():
            continue
        indent = len(line) - len(line.lstrip())
        text, x0 = line.strip(), indent * x_step
        while wrap_at and x0 + len(text) * PITCH > width and " " in text[: int((width - x0) / PITCH)]:
            cut = text[: int((width - x0) / PITCH)].rindex(" ")
            add(text[:cut], x0, mono)
            text = mark + " " + text[cut + 1 :] if mark else text[cut + 1 :]
            x0 = x0 + 4 * PITCH if mark else 0.0
        add(text, x0, mono)
    return rows


def chars_at(text: str, x: float, top: float) -> list[Char]:
    return [
        Char(ch, x + i * PITCH, x + (i + 0.8) * PITCH, top, top + 9, 9.0, True)
        for i, ch in enumerate(text)
        if ch != " "
    ]
