"""A PDF's text as rows of characters placed by position: the layout half of reading code from a report.

Students append their code to the report as text, but a PDF stores glyphs at positions, not
lines: LaTeX `listings` places each character in a fixed grid and stores no spaces at all, line
numbers sit in the margin in another font, page numbers and running heads interleave with the
code, a two-column report puts two lines at the same height. This module turns pdfplumber's
characters into `Row`s in reading order: spaces rebuilt from x positions (a gap of n character
pitches is n - 1 spaces), margin line numbers and page headers / footers dropped, the two
columns of a two-column page read one after the other, and each row's left edge kept (relative
to its column's margin) so that `code` can rebuild indentation. Nothing in a PDF is run.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, replace
from itertools import pairwise
from pathlib import Path

import pdfplumber

from ee449.grading.pdf.numbers import drop_trailing_numbers
from ee449.grading.pdf.rules import rule_underscores

# Monospace font families students' tools use: LaTeX (Computer Modern's cmtt / cmitt / cmsltt, the
# EC and cm-super ectt / ecit / sftt / sfit, Latin Modern Mono), Word and Google Docs (Courier,
# Consolas), Jupyter / VS Code / browsers (DejaVu Sans Mono, Menlo, ...).
MONO_FONT = re.compile(
    r"mono|courier|consol|menlo|typewriter|inconsolata|sourcecode|firacode|jetbrains|cousine|"
    r"(?:^|\+)(?:cm|ec|sf|tc)(?:tt|itt|sltt|it|st|bt)\d",
    re.IGNORECASE,
)
PAGE_NUMBER = re.compile(r"^(?:page\s*)?\d{1,4}(?:\s*(?:/|of)\s*\d{1,4})?$", re.IGNORECASE)
MARGIN = 0.08  # running heads and page numbers live in the top and bottom 8% of a page
WRAP_MARKS = "\u21aa\u21b3\u2192\u2937\u00bb"  # ↪ ↳ → ⤷ »: what listings' postbreak and editors print
MAX_PAGES = 200  # a report longer than this is not a homework report; the rest is not read


@dataclass(frozen=True)
class Char:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    mono: bool


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


def is_mono_font(fontname: str) -> bool:
    return bool(MONO_FONT.search(fontname or ""))


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


def pitch_of(chars: Sequence[Char]) -> float:
    """The distance between neighbouring characters' left edges: the grid of a monospace listing."""
    widths = [c.x1 - c.x0 for c in chars if c.x1 > c.x0]
    glyph = statistics.median(widths) if widths else 5.0
    steps = [b.x0 - a.x0 for a, b in pairwise(chars) if 0.5 * glyph < b.x0 - a.x0 < 1.6 * glyph]
    return statistics.median(steps) if steps else glyph


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


def _furniture_key(text: str) -> str:
    return re.sub(r"\d+", "#", text.strip().lower())


_Raw = tuple[
    int, int, float, float, float, list[Char]
]  # page, column, page height, gutter x, page width, chars


def read_rows(pdf_path: str | Path) -> tuple[list[Row], int]:
    """Every text row of the PDF in reading order, and the number of pages read."""
    raw: list[_Raw] = []
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


def outer_rows(raw: list[_Raw]) -> set[int]:
    """ids of the rows on the first or last line of their page (both parts of a two-column page's head)."""
    by_page: dict[int, list[_Raw]] = {}
    for entry in raw:
        by_page.setdefault(entry[0], []).append(entry)
    outer = set()
    for entries in by_page.values():
        first, last = min(e[5][0].top for e in entries), max(e[5][0].top for e in entries)
        outer |= {id(e) for e in entries if e[5][0].top < first + 2 or e[5][0].top > last - 2}
    return outer


def drop_furniture(raw: list[_Raw]) -> list[_Raw]:
    """Rows without running heads, footers and page numbers.

    A page number is on the first or last line of its page (or in the page's top or bottom 8%);
    a running head or footer is text (digits aside) seen on the first or last line of two or more
    pages, in a proportional font or in the page's top or bottom 8%.
    """
    text = {id(entry): "".join(c.text for c in entry[5]) for entry in raw}
    outer = outer_rows(raw)
    seen: dict[str, set[int]] = {}
    for entry in raw:
        if id(entry) in outer or _at_edge(entry[5], entry[2]):
            seen.setdefault(_furniture_key(text[id(entry)]), set()).add(entry[0])

    def furniture(entry: _Raw) -> bool:
        edge, key = _at_edge(entry[5], entry[2]), _furniture_key(text[id(entry)])
        if not (edge or id(entry) in outer):
            return False
        return bool(PAGE_NUMBER.match(text[id(entry)])) or (
            len(seen[key]) >= 2 and (edge or not is_mono_row(entry[5]))
        )

    return [entry for entry in raw if not furniture(entry)]


def column_margins(kept: list[_Raw]) -> dict[tuple[int, int, int], float]:
    """The left margin of each (columns on the page, column, page parity).

    Prose starts at the margin; a page of code alone may not (a listing indented from the
    margin, or a page where every line is inside a function). So the margin is where the prose
    of pages of the same parity starts (two-sided documents shift odd and even pages), or of any
    page, and only in a PDF without prose where its leftmost character is.
    """
    starts: dict[tuple[int, int, int], list[float]] = {}
    anything: dict[tuple[int, int], float] = {}
    outer = {id(entry[5]) for entry in kept if id(entry) in outer_rows(kept)}
    for number, column, _, split, _, chars in kept:
        frame = (1 if split == 0.0 else 2, column)
        anything[frame] = min(anything.get(frame, chars[0].x0), chars[0].x0)
        if not is_mono_row(chars) and id(chars) not in outer:
            starts.setdefault((*frame, number % 2), []).append(round(chars[0].x0))
    # Most lines of a paragraph start at the margin; a centred title or a caption does not.
    prose = {
        key: float(statistics.multimode(sorted(values))[0])
        for key, values in starts.items()
        if len(values) >= 3
    }
    margins = {}
    for frame, leftmost in anything.items():
        for parity in (0, 1):
            this, other = (*frame, parity), prose.get((*frame, 1 - parity))
            margins[this] = prose.get(this, other if other is not None else leftmost)
    return margins


def on_a_grid(chars: Sequence[Char]) -> bool:
    """Characters on a fixed pitch: a monospace row even where the PDF does not name its fonts (Type 3)."""
    if len(chars) < 6:
        return False
    pitch = pitch_of(chars)
    offsets = [(c.x0 - chars[0].x0) / pitch for c in chars]
    return sum(abs(k - round(k)) < 0.2 for k in offsets) >= 0.95 * len(chars)


def guess_monospace(kept: list[_Raw]) -> list[_Raw]:
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


def _at_edge(chars: Sequence[Char], height: float) -> bool:
    return chars[0].bottom < MARGIN * height or chars[0].top > (1 - MARGIN) * height


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
