"""Characters as a PDF places them, and how to tell a monospace (code) row from prose.

The vocabulary of `layout` (which turns a page's characters into rows) and `furniture` (which
drops running heads and page numbers): a `Char`, a row's pitch, whether its font is a
typewriter's (by name, or by shape where a Type 3 font names none).
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, replace
from itertools import pairwise

# Monospace font families students' tools use: LaTeX (Computer Modern's cmtt / cmitt / cmsltt, the
# EC and cm-super ectt / ecit / sftt / sfit, Latin Modern Mono), Word and Google Docs (Courier,
# Consolas), Jupyter / VS Code / browsers (DejaVu Sans Mono, Menlo, ...).
MONO_FONT = re.compile(
    r"mono|courier|consol|menlo|typewriter|inconsolata|sourcecode|firacode|jetbrains|cousine|"
    r"(?:^|\+)(?:cm|ec|sf|tc)(?:tt|itt|sltt|it|st|bt)\d",
    re.IGNORECASE,
)
WRAP_MARKS = "\u21aa\u21b3\u2192\u2937\u00bb"  # ↪ ↳ → ⤷ »: what listings' postbreak and editors print


@dataclass(frozen=True)
class Char:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    mono: bool


def is_mono_font(fontname: str) -> bool:
    return bool(MONO_FONT.search(fontname or ""))


def pitch_of(chars: Sequence[Char]) -> float:
    """The distance between neighbouring characters' left edges: the grid of a monospace listing."""
    widths = [c.x1 - c.x0 for c in chars if c.x1 > c.x0]
    glyph = statistics.median(widths) if widths else 5.0
    steps = [b.x0 - a.x0 for a, b in pairwise(chars) if 0.5 * glyph < b.x0 - a.x0 < 1.6 * glyph]
    return statistics.median(steps) if steps else glyph


Raw = tuple[
    int, int, float, float, float, list[Char]
]  # page, column, page height, gutter x, page width, chars


def on_a_grid(chars: Sequence[Char]) -> bool:
    """Characters on a fixed pitch: a monospace row even where the PDF does not name its fonts (Type 3)."""
    if len(chars) < 6:
        return False
    pitch = pitch_of(chars)
    offsets = [(c.x0 - chars[0].x0) / pitch for c in chars]
    return sum(abs(k - round(k)) < 0.2 for k in offsets) >= 0.95 * len(chars)


def guess_monospace(kept: list[Raw]) -> list[Raw]:
    """Rows whose every character has the width of the characters of rows laid on a fixed pitch,
    marked monospace: a typewriter font has one width for all its glyphs, a text font has many."""
    widths = sorted(c.x1 - c.x0 for entry in kept if on_a_grid(entry[5]) for c in entry[5])
    if not widths:
        return kept
    glyph = widths[len(widths) // 2]
    return [
        (*entry[:5], [replace(c, mono=True) for c in entry[5]])
        if all(abs((c.x1 - c.x0) - glyph) <= 0.03 * glyph for c in entry[5] if c.text not in WRAP_MARKS)
        else entry
        for entry in kept
    ]


def is_mono_row(chars: Sequence[Char]) -> bool:
    """Most characters in a monospace font, not counting a wrapped line's continuation mark."""
    counted = [
        c
        for c, after in zip(chars, [*chars[1:], None])
        if c.text not in WRAP_MARKS and not (c.text == "," and after is not None and after.text in WRAP_MARKS)
    ]  # TeX's hook: "," + "→"
    return bool(counted) and sum(c.mono for c in counted) >= 0.8 * len(counted)
