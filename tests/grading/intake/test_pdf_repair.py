"""Code lines the geometry cannot repair, repaired by parsing: a word processor's wrap at its own
width, a line that cannot be placed, listings' spaces inside names. The oracle is the source the
rows were laid out from (`tests.grading.test_pdf_code.rows_from`)."""

from __future__ import annotations

from dataclasses import replace

from ee449.grading.intake.pdf.code import PdfCode, recover_rows
from ee449.grading.intake.pdf.repair import despaced
from tests.helpers.pdf_rows import CORRECT, PITCH, rows_from, same_program

WORD_PROCESSOR_WIDTH = 70  # columns: where a word processor wraps a report's code
PAGE_WIDTH = 120  # columns: where the report's prose ends, far past the wraps

LONG_LINES = CORRECT.replace(
    "    out = np.zeros((batch, out_ch, height - kh + 1, width - kw + 1))\n",
    "    # the output keeps one row for each position where the kernel fits entirely inside the image\n"
    "    out = np.zeros((batch, out_ch, height - kh + 1, width - kw + 1))\n"
    "    scale = 1.0 + 0.0 * height + 0.0 * width + 0.0 * kh + 0.0 * kw + 0.0 * batch + 0.0 *\\\n"
    "        out_ch\n",
).replace("    return out\n", "    return out * scale\n", 1)


def wrapped_narrower_than_the_page(source: str) -> list:
    """`source` wrapped at 70 columns under prose that reaches 120: the geometry shows no wrap."""
    rows = rows_from(source, wrap_at=WORD_PROCESSOR_WIDTH)
    prose = [replace(r, text="x" * PAGE_WIDTH, x1=r.x0 + PAGE_WIDTH * PITCH) for r in rows[:3]]
    return prose + rows[3:]


def test_a_word_processors_wraps_inside_the_page_are_joined_by_parsing():
    code, _, unparsed = recover_rows(wrapped_narrower_than_the_page(LONG_LINES))
    assert same_program(code, LONG_LINES), code
    assert "fits entirely inside the image" in code and unparsed == []


def test_a_line_that_cannot_be_placed_costs_only_that_line():
    broken = LONG_LINES.replace(
        "    return out * scale\n", "    this line is not python\n    return out * scale\n"
    )
    code, _, unparsed = recover_rows(rows_from(broken))
    assert [line.text for line in unparsed] == ["this line is not python"]
    assert same_program(code, LONG_LINES)  # my_conv2d whole, and every class after it


def test_listings_spaces_inside_names_numbers_and_operators_are_undone():
    spaced = (
        CORRECT.replace("def my_conv2d(", "def my _conv2d(")
        .replace("lr=0.001", "lr=0 . 001")
        .replace("x = x.view(x.size(0), -1)", "x = x . view(x . size(0), -1)")
    )
    code, _, unparsed = recover_rows(rows_from(spaced))
    assert same_program(code, CORRECT) and unparsed == []


def test_despacing_leaves_strings_and_valid_spacing_alone():
    assert despaced("if a = = b and c ! = 'x _ y': d * * 2") == "if a == b and c != 'x _ y': d ** 2"
    assert despaced("torch . optim .SGD(net . parameters(), lr = 0 . 01)") == (
        "torch.optim.SGD(net.parameters(), lr = 0.01)"
    )
    assert despaced("from . import models") == "from . import models"


def test_code_that_is_found_but_does_not_parse_is_reported_with_its_pages():
    found = PdfCode("report.pdf", None, "", (), 0, ("page 17: def my conv2d(x k)", "page 18: retur n out"))
    assert found.summary().startswith("report.pdf: code found on pages 17-18, 2 lines could not be parsed")
