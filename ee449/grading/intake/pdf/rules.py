"""Underscores that a PDF draws as rules, read back as `_`.

Some fonts have no underscore glyph, and a `listings` setup often replaces `_` with a rule
(`literate={\\_}{{\\rule{0.5em}{0.4pt}}}1`): the PDF then holds a thin filled rectangle (pdfplumber
reports it as a rect or as a line) on the baseline between two glyphs, and no character at all,
so `my_conv2d` reads as `my conv2d`. A rule counts as an underscore when it is flat, about one
glyph wide, lies between the middle and a little below the bottom of a row's characters, and
touches a character of that row on its left or its right. Table rules and underlines are far
wider than a glyph; a figure's strokes lie nowhere near a row of text.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # layout calls this module: its Char is only named here, for the types
    from ee449.grading.intake.pdf.glyphs import Char

MAX_THICKNESS = 1.5  # points: a rule drawn for an underscore is a hairline (0.4 pt in listings)
WIDTH_RANGE = (0.2, 1.0)  # times the neighbouring glyph's font size (an em): narrow glyphs have wide rules
REACH = 0.6  # a neighbour's edge within this many glyph widths of the rule's end,
GAP = 0.3  # or within this many ems


def _touches(rule_x0: float, rule_x1: float, char: Char) -> bool:
    reach = max(REACH * (char.x1 - char.x0), GAP * char.size)  # an `i` centred in its column stands off
    return abs(char.x1 - rule_x0) <= reach or abs(char.x0 - rule_x1) <= reach


def _on_the_baseline(y: float, char: Char) -> bool:
    height = char.bottom - char.top
    return char.top + 0.5 * height <= y <= char.bottom + 0.35 * height


def rule_underscores(shapes: Iterable[Mapping[str, object]], chars: Sequence[Char]) -> list[Char]:
    """An `_` character for each rule among `shapes` (pdfplumber rects and lines) that sits
    between the glyphs of a row of `chars`, placed and sized like its neighbour. A rule that
    touches only another such rule (`__init__`: two rules, then a glyph) is found in a later pass."""
    rules = [r for r in (_flat(shape) for shape in shapes) if r is not None]
    pool, found = list(chars), []
    for _ in range(MAX_RUN):
        new = _next_to(rules, pool)
        if not new:
            break
        found += [char for _, char in new]
        pool += [char for _, char in new]
        taken = {index for index, _ in new}
        rules = [r for index, r in enumerate(rules) if index not in taken]
    return found


MAX_RUN = 4  # underscores in a row drawn as rules: `__init__` needs two passes


def _flat(shape: Mapping[str, object]) -> tuple[float, float, float] | None:
    """(x0, x1, y) of a hairline shape, None for anything else."""
    try:
        x0, x1 = float(shape["x0"]), float(shape["x1"])  # type: ignore[arg-type]
        top, bottom = float(shape["top"]), float(shape["bottom"])  # type: ignore[arg-type]
    except (KeyError, TypeError, ValueError):
        return None
    return (x0, x1, (top + bottom) / 2) if bottom - top <= MAX_THICKNESS and x1 > x0 else None


def _next_to(rules: list[tuple[float, float, float]], chars: Sequence[Char]) -> list[tuple[int, Char]]:
    by_line: dict[int, list[Char]] = {}
    for char in chars:
        by_line.setdefault(int(char.bottom), []).append(char)
    found = []
    for index, (x0, x1, y) in enumerate(rules):
        near = [c for key in range(int(y) - 6, int(y) + 12) for c in by_line.get(key, ())]
        for char in near:
            wide_enough = WIDTH_RANGE[0] * char.size <= x1 - x0 <= WIDTH_RANGE[1] * char.size
            if wide_enough and _on_the_baseline(y, char) and _touches(x0, x1, char):
                found.append((index, replace(char, text="_", x0=x0, x1=x1)))
                break
    return found
