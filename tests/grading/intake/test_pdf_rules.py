"""Underscores drawn as rules (pdf.rules), and margin line numbers in either alignment (pdf.layout),
on characters and shapes placed here as a PDF places them; the LaTeX twins in fixtures/pdf check
the same on real PDFs (tests/grading/test_pdf.py)."""

from __future__ import annotations

from ee449.grading.intake.pdf.layout import drop_line_numbers, group_rows, row_text
from ee449.grading.intake.pdf.rules import rule_underscores
from tests.helpers.pdf_rows import PITCH, chars_at


def rule(x0: float, width: float, y: float, thickness: float = 0.4) -> dict:
    return {"x0": x0, "x1": x0 + width, "top": y - thickness / 2, "bottom": y + thickness / 2}


def text_of(chars) -> list[str]:
    return [row_text(row, PITCH, True) for row in group_rows(chars)]


def test_a_rule_between_glyphs_on_the_baseline_reads_as_an_underscore():
    chars = chars_at("def my conv2d(x, k):", 40, 12.0)  # the gap at column 6 is where '_' was drawn
    baseline = 12.0 + 9 - 0.5
    shapes = [rule(40 + 6 * PITCH, 0.8 * PITCH, baseline)]
    assert text_of(chars + rule_underscores(shapes, chars)) == ["def my_conv2d(x, k):"]


def test_table_rules_underlines_and_strokes_away_from_text_are_not_underscores():
    chars = chars_at("hidden size", 40, 12.0)
    shapes = [
        rule(0, 400, 12.0 + 9),  # a table's \hline under the row: far wider than a glyph
        rule(40 + 6 * PITCH, 0.8 * PITCH, 12.0 + 2),  # at the glyphs' top: a strike, not an underscore
        rule(300, 0.8 * PITCH, 12.0 + 8.5),  # on the baseline but touching no character
        rule(40 + 6 * PITCH, 0.8 * PITCH, 12.0 + 8.5, thickness=3.0),  # a bar, not a hairline
    ]
    assert rule_underscores(shapes, chars) == []


def test_left_aligned_line_numbers_are_dropped_like_right_aligned_ones():
    numbered = [chars_at(str(n), 10, 12.0 * n) + chars_at(f"x{n} = {n}", 40, 12.0 * n) for n in range(7, 14)]
    kept = drop_line_numbers(numbered)
    assert ["".join(c.text for c in row) for row in kept] == [f"x{n}={n}" for n in range(7, 14)]
