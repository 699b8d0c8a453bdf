"""Line numbers at the end of rows: a two-column report's right-hand listing numbered on the left
puts its numbers in the gutter, where they join the left column's rows (`x = 1      94`).

`layout.drop_line_numbers` drops leading numbers; this drops trailing ones the same way: digits
at the end of a row, apart from its text, on five or more rows, lined up (by their left or right
edge), and mostly rising down the column.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from itertools import pairwise
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # layout calls this module: its Char is only named here, for the types
    from ee449.grading.intake.pdf.glyphs import Char

MIN_ROWS = 5  # fewer numbered rows than this could be code that ends in numbers
RISING = 0.8  # of consecutive pairs


def _trailing_digits(row: Sequence[Char]) -> int:
    """How many characters at the row's end are a number standing apart from the rest (0: none)."""
    count = 0
    for before, after in pairwise(reversed(row)):  # (last, second last), ...
        if not before.text.isdigit():
            break
        count += 1
        if after.x1 < before.x0 - 0.5 * before.size:  # the gap between a number and its line
            return count if after.text.strip() else 0
        if not after.text.isdigit():
            return 0
    return 0


def drop_trailing_numbers(rows: list[list[Char]]) -> list[list[Char]]:
    """`rows` without a column of line numbers at their ends."""
    found = {i: n for i, row in enumerate(rows) if (n := _trailing_digits(row))}
    if len(found) < MIN_ROWS:
        return rows
    right = statistics.mode(round(rows[i][-1].x1) for i in found)
    left = statistics.mode(round(rows[i][-n].x0) for i, n in found.items())
    by_right = {i: n for i, n in found.items() if abs(rows[i][-1].x1 - right) <= 1.5}
    by_left = {i: n for i, n in found.items() if abs(rows[i][-n].x0 - left) <= 1.5}
    numbered = by_left if len(by_left) > len(by_right) else by_right
    numbers = [int("".join(c.text for c in rows[i][-n:])) for i, n in sorted(numbered.items())]
    rising = sum(b > a for a, b in pairwise(numbers))
    if len(numbered) < MIN_ROWS or rising < RISING * (len(numbers) - 1):
        return rows
    return [row[: -numbered[i]] if i in numbered else row for i, row in enumerate(rows)]
