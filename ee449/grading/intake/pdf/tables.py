"""The report's own Part 3 test accuracies, read from its table when that can be done reliably.

Informational only: a TA sees whether the numbers the student reports lie in the plausible
bands that the result-file checks use (MLPs 25-55%, CNNs 40-80%). A table is read only when a
page has a heading row naming test accuracy and at least three architecture rows that each hold
exactly one number; anything less is skipped with a note saying so, and nothing here ever costs
the student a point.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ee449.grading.intake.pdf.layout import Row
from ee449.grading.sandboxed.checks.rules import BANDS
from ee449.spec import ARCHITECTURES

ARCH_NAME = re.compile(r"\b(mlp|cnn)[\s_\-]?([1-5])\b", re.IGNORECASE)
NUMBER = re.compile(r"(?<![\w.])(\d{1,3}(?:\.\d+)?)\s*%?(?![\w.])")
HEADING = re.compile(r"test.{0,20}acc", re.IGNORECASE)
MIN_ROWS = 3  # fewer architecture rows than this is a sentence that mentions numbers, not a table


def table_on_page(rows: Sequence[Row]) -> dict[str, float] | None:
    """{architecture: test accuracy} from one page's rows, or None when no table is read reliably."""
    heading = next((i for i, row in enumerate(rows) if HEADING.search(row.text)), None)
    if heading is None:
        return None
    values: dict[str, float] = {}
    for row in rows[heading + 1 :]:
        match = ARCH_NAME.search(row.text)
        if match is None:
            if values:
                break  # the table ended
            continue
        arch = f"{match.group(1).lower()}_{match.group(2)}"
        numbers = [float(n) for n in NUMBER.findall(row.text[match.end() :])]
        if arch not in ARCHITECTURES or len(numbers) != 1 or arch in values:
            return None  # a row with several numbers, or a name twice: not a table we can read safely
        values[arch] = numbers[0]
    if len(values) < MIN_ROWS:
        return None
    if all(v <= 1.0 for v in values.values()):  # written as fractions
        values = {k: v * 100 for k, v in values.items()}
    return values


def accuracy_notes(rows: Sequence[Row]) -> list[str]:
    """One note on the report's accuracy table: what it says against the bands, or that it was skipped."""
    for page in sorted({row.page for row in rows}):
        table = table_on_page([row for row in rows if row.page == page and not row.mono])
        if table is None:
            continue
        outside = []
        for arch, value in table.items():
            low, high = BANDS["mlp" if arch.startswith("mlp") else "cnn"]
            if not low <= value <= high:
                outside.append(f"{arch} {value:g}% is outside the plausible {low:g}-{high:g}%")
        listed = ", ".join(f"{arch} {value:g}%" for arch, value in table.items())
        verdict = "; ".join(outside) if outside else "all within the plausible bands (MLP 25-55%, CNN 40-80%)"
        return [f"report table, page {page}: test accuracy {listed}: {verdict} (informational, not graded)."]
    return ["report's test-accuracy table: not found or not readable reliably, skipped (not graded)."]
