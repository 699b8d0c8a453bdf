"""A PDF's text as rows of characters placed by position: the layout half of reading code from a report.

Students append their code to the report as text, but a PDF stores glyphs at positions, not
lines: LaTeX `listings` places each character in a fixed grid and stores no spaces at all, line
numbers sit in the margin in another font, page numbers and running heads interleave with the
code, a two-column report puts two lines at the same height. This module turns pdfplumber's
characters into `Row`s in reading order: spaces rebuilt from x positions (a gap of n character
pitches is n - 1 spaces), margin line numbers and page headers / footers dropped, the two
columns of a two-column page read one after the other, and each row's left edge kept (relative
to its column's margin) so that `code` can rebuild indentation. Nothing in a PDF is run.
The characters and what makes a row monospace are `glyphs`; heads, footers and margins are
`furniture`.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

import pdfplumber

from ee449.grading.intake.pdf.furniture import column_margins, drop_furniture, outer_rows
from ee449.grading.intake.pdf.glyphs import (
    Char,
    Raw,
    guess_monospace,
    is_mono_font,
    is_mono_row,
    pitch_of,
)
from ee449.grading.intake.pdf.numbers import drop_trailing_numbers
from ee449.grading.intake.pdf.rules import rule_underscores

MAX_PAGES = 200  # a report longer than this is not a homework report; the rest is not read


@dataclass(frozen=True)
class Row:
    """One line of text as the PDF shows it."""

    page: int  # 1-based
    column: int  # 0: the page's only or left column, 1: the right column
    columns: int  # how many columns the page has
    top: float
    x0: float  # left edge of the first character, in points from the column's margin
    x1: float  # right edge of the last character, from the same margin
    text: str  # spaces rebuilt from positions; no leading indentation
    mono: bool  # most of its characters are in a monospace font
    pitch: float
    outer: bool = False  # on the first or last line of its page: a running head, perhaps, even if seen once  # width of one character column (monospace) or a typical character


def page_chars(page: pdfplumber.page.Page) -> list[Char]:
    """The page's visible, upright characters; stored spaces are dropped (positions say where they were)."""
    chars = []
    for c in page.chars:
        if not c.get("upright", True) or not str(c["text"]).strip():
            continue
        chars.append(
            Char(
                str(c["text"]),
                float(c["x0"]),
                float(c["x1"]),
                float(c["top"]),
                float(c["bottom"]),
                float(c.get("size") or (c["bottom"] - c["top"])),
                is_mono_font(str(c.get("fontname", ""))),
            )
        )
    return chars


def gutter(chars: Sequence[Char], width: float) -> float | None:
    """The x of a two-column page's gutter: a strip near the middle that no character crosses, or None."""
    if len(chars) < 40:
        return None
    covered = [0] * (int(width) + 2)
    for c in chars:
        for x in range(max(int(c.x0) - 1, 0), min(int(c.x1) + 2, len(covered))):
            covered[x] += 1
    # A title or a wide table may cross the gutter: a handful of characters, not whole lines.
    allowed = max(3, len(chars) // 200)
    middle = [x for x in range(int(width * 0.35), int(width * 0.65)) if covered[x] <= allowed]
    if not middle:
        return None
    least = min(covered[x] for x in middle)
    split = statistics.median([x for x in middle if covered[x] == least])
    left = [c for c in chars if c.x1 <= split]
    # Both columns hold text, and the left one is filled up to the gutter (justified prose, not
    # a page of short code lines whose right half happens to be empty).
    if (
        min(len(left), len(chars) - len(left)) < 0.15 * len(chars)
        or split - max(c.x1 for c in left) > 0.06 * width
    ):
        return None
    return float(split)


def group_rows(chars: Sequence[Char]) -> list[list[Char]]:
    """Characters grouped into lines by vertical overlap, each sorted left to right, lines top to bottom."""
    rows: list[tuple[float, float, list[Char]]] = []
    for c in sorted(chars, key=lambda c: ((c.top + c.bottom) / 2, c.x0)):
        for top, bottom, members in reversed(rows[-3:]):
            overlap = min(bottom, c.bottom) - max(top, c.top)
            if overlap >= 0.4 * min(bottom - top, c.bottom - c.top):
                members.append(c)
                break
        else:
            rows.append((c.top, c.bottom, [c]))
    return [sorted(members, key=lambda c: c.x0) for _, _, members in rows]


def row_text(chars: Sequence[Char], pitch: float, mono: bool) -> str:
    """The characters with spaces where the positions leave room for them."""
    parts = [chars[0].text]
    for before, after in pairwise(chars):
        if mono:  # a monospace grid: a step of n pitches is n - 1 spaces
            spaces = max(round((after.x0 - before.x0) / pitch) - 1, 0)
        else:
            spaces = 1 if after.x0 - before.x1 > 0.2 * after.size else 0
        parts.append(" " * spaces + after.text)
    return "".join(parts)


def drop_line_numbers(rows: list[list[Char]]) -> list[list[Char]]:
    """Rows without the margin's line numbers: leading digits right-aligned in a column of their own."""
    leading: dict[int, list[Char]] = {}
    for index, row in enumerate(rows):
        digits: list[Char] = []
        for c in row:
            if not c.text.isdigit() or (digits and c.x0 - digits[-1].x1 > 0.5 * c.size):
                break
            digits.append(c)
        rest = row[len(digits) :]
        if digits and (not rest or rest[0].x0 - digits[-1].x1 > 0.3 * digits[-1].size):
            leading[index] = digits
    if len(leading) < 5:
        return rows
    # Right-aligned (listings, most editors) or left-aligned (some exports): the column that lines up more.
    right_edge = statistics.mode([round(d[-1].x1) for d in leading.values()])
    left_edge = statistics.mode([round(d[0].x0) for d in leading.values()])
    numbered = {i: d for i, d in leading.items() if abs(d[-1].x1 - right_edge) <= 1.5}
    by_left = {i: d for i, d in leading.items() if abs(d[0].x0 - left_edge) <= 1.5}
    if len(by_left) > len(numbered):
        numbered = by_left
    edge = max((d[-1].x1 for d in numbered.values()), default=right_edge)
    numbers = [int("".join(c.text for c in d)) for _, d in sorted(numbered.items())]
    rising = sum(b > a for a, b in pairwise(numbers))
    content_left = min(
        (rows[i][len(d)].x0 for i, d in numbered.items() if len(rows[i]) > len(d)), default=edge
    )
    if len(numbered) < 5 or rising < 0.8 * (len(numbers) - 1) or content_left < edge:
        return rows  # digits that start lines of text, not a column of line numbers
    return [row[len(numbered[i]) :] if i in numbered else row for i, row in enumerate(rows)]


def read_rows(pdf_path: str | Path) -> tuple[list[Row], int]:
    """Every text row of the PDF in reading order, and the number of pages read."""
    raw: list[Raw] = []
    with pdfplumber.open(str(pdf_path)) as pdf:
        pages = pdf.pages[:MAX_PAGES]
        for number, page in enumerate(pages, start=1):
            chars = page_chars(page)
            chars += rule_underscores([*page.rects, *page.lines], chars)  # `_` drawn as a rule
            split = gutter(chars, float(page.width))
            halves = (
                [chars]
                if split is None
                else [[c for c in chars if c.x1 <= split], [c for c in chars if c.x1 > split]]
            )
            for column, half in enumerate(halves):
                for row in drop_trailing_numbers(drop_line_numbers(group_rows(half))):
                    if row:
                        raw.append((number, column, float(page.height), split or 0.0, float(page.width), row))
        page_count = len(pages)
    kept = drop_furniture(raw)
    if not any(c.mono for entry in kept for c in entry[5]):  # no font names (Type 3): tell monospace by shape
        kept = guess_monospace(kept)
    margins = column_margins(kept)
    outer = outer_rows(kept)
    rows = []
    for entry in kept:
        number, column, _, split, _, chars = entry
        mono = is_mono_row(chars)
        pitch = pitch_of([c for c in chars if c.mono] if mono else chars)
        margin = margins[(1 if split == 0.0 else 2, column, number % 2)]
        rows.append(
            Row(
                number,
                column,
                1 if split == 0.0 else 2,
                chars[0].top,
                chars[0].x0 - margin,
                chars[-1].x1 - margin,
                normalize(row_text(chars, pitch, mono)),
                mono,
                pitch,
                id(entry) in outer,
            )
        )
    return rows, page_count


def normalize(text: str) -> str:
    """ASCII for the typographic stand-ins of code characters; TeX's hook arrow (a comma and an arrow) as one mark."""
    text = text.translate(_ASCII)
    return "\u21aa" + text[2:] if text.startswith(",\u2192") else text


# Typographic stand-ins that LaTeX and word processors print for ASCII code characters.
_ASCII = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2212": "-",
        "\u2013": "-",
        "\u2217": "*",
        "\u00a0": " ",
        "\u02dc": "~",
        "\u02c6": "^",
        "\ufb01": "fi",
        "\ufb02": "fl",
        "\ufb00": "ff",
        "\ufb03": "ffi",
        "\ufb04": "ffl",
        "\u2032": "'",
        "\u00b4": "'",
    }
)
