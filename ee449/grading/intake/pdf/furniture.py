"""Page furniture: running heads, footers and page numbers, and where each column's margin is.

A report's code interleaves with its page furniture; `drop_furniture` removes it (a page number
on a page's first or last line, text seen there on two or more pages) and `column_margins` finds
the left margin that indentation is measured from (`layout.read_rows`).
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Sequence

from ee449.grading.intake.pdf.glyphs import Char, Raw, is_mono_row

PAGE_NUMBER = re.compile(r"^(?:page\s*)?\d{1,4}(?:\s*(?:/|of)\s*\d{1,4})?$", re.IGNORECASE)
MARGIN = 0.08  # running heads and page numbers live in the top and bottom 8% of a page


def _furniture_key(text: str) -> str:
    return re.sub(r"\d+", "#", text.strip().lower())


def outer_rows(raw: list[Raw]) -> set[int]:
    """ids of the rows on the first or last line of their page (both parts of a two-column page's head)."""
    by_page: dict[int, list[Raw]] = {}
    for entry in raw:
        by_page.setdefault(entry[0], []).append(entry)
    outer = set()
    for entries in by_page.values():
        first, last = min(e[5][0].top for e in entries), max(e[5][0].top for e in entries)
        outer |= {id(e) for e in entries if e[5][0].top < first + 2 or e[5][0].top > last - 2}
    return outer


def drop_furniture(raw: list[Raw]) -> list[Raw]:
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

    def furniture(entry: Raw) -> bool:
        edge, key = _at_edge(entry[5], entry[2]), _furniture_key(text[id(entry)])
        if not (edge or id(entry) in outer):
            return False
        return bool(PAGE_NUMBER.match(text[id(entry)])) or (
            len(seen[key]) >= 2 and (edge or not is_mono_row(entry[5]))
        )

    return [entry for entry in raw if not furniture(entry)]


def column_margins(kept: list[Raw]) -> dict[tuple[int, int, int], float]:
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


def _at_edge(chars: Sequence[Char], height: float) -> bool:
    return chars[0].bottom < MARGIN * height or chars[0].top > (1 - MARGIN) * height
