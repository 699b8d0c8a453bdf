"""Recovering code from a PDF report, checked against the source text the PDF was made from.

Two kinds of input: the committed fixture PDFs (`fixtures/pdf/`, built by `make_pdfs.py` from
our own submission fixtures with LaTeX and LibreOffice), whose twin `hw1.py` is the oracle; and
rows laid out here from a known source (indentation as x positions, lines wrapped at a margin),
which test one step at a time without a PDF.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pdfplumber
import pytest

from ee449.grading.intake.pdf.code import PdfCode, _page_span, recover, recover_into, recover_rows
from ee449.grading.intake.pdf.layout import Row, drop_line_numbers, read_rows
from ee449.grading.intake.pdf.tables import accuracy_notes, table_on_page
from tests.helpers.pdf_rows import CORRECT, PITCH, chars_at, rows_from, same_program

ROOT = Path(__file__).resolve().parents[3]
PDFS = ROOT / "fixtures" / "pdf"
TWINS = {name: info["twin"] for name, info in json.loads((PDFS / "twins.json").read_text()).items()}
WITH_CODE = sorted(name for name, twin in TWINS.items() if twin)


def twin_source(pdf: str) -> str:
    return (ROOT / "fixtures" / "submissions" / TWINS[pdf] / "hw1.py").read_text()


def code_lines(text: str) -> list[str]:
    return [
        line for line in text.splitlines() if line.strip() and not line.startswith("# Recovered by ee449")
    ]


# -- the fixture PDFs against their twins ---------------------------------------------------------


@pytest.fixture(scope="module")
def recovered() -> dict[str, PdfCode]:
    return {name: recover(PDFS / name, PDFS) for name in TWINS}


@pytest.mark.parametrize("pdf", WITH_CODE)
def test_the_code_recovered_from_each_fixture_pdf_is_its_twins_program(recovered, pdf):
    result = recovered[pdf]
    assert result.file == "~from_pdf/" + pdf.replace(".pdf", "_from_pdf.py") and not result.unparsed, (
        result.summary()
    )
    assert same_program(result.code, twin_source(pdf))


@pytest.mark.parametrize("pdf", WITH_CODE)
def test_every_character_of_the_code_is_recovered_and_nothing_else(recovered, pdf):
    """No line number, running head, page number or prose is left in; no character of code is lost."""
    recovered_text, source = "\n".join(code_lines(recovered[pdf].code)), twin_source(pdf)
    assert re.sub(r"\s+", "", recovered_text) == re.sub(r"\s+", "", source)


def test_the_listings_pdf_stores_no_spaces_yet_indentation_comes_back_exactly(recovered):
    with pdfplumber.open(PDFS / "listings_numbered.pdf") as pdf:
        code_page = pdf.pages[2]
        assert code_page.chars and not [c for c in code_page.chars if c["text"] == " "]
    source = {
        line.strip(): line for line in CORRECT.splitlines() if len(line.strip()) > 5
    }  # not a lone `"""`
    lines = [line for line in code_lines(recovered["listings_numbered.pdf"].code) if line.strip() in source]
    assert len(lines) > 80
    assert [line for line in lines if line != source[line.strip()]] == []


def test_margin_line_numbers_are_gone_from_the_rows(recovered):
    rows, _ = read_rows(PDFS / "listings_numbered.pdf")
    code = [row for row in rows if row.mono]
    assert code and not [row.text for row in code if re.match(r"\d+\s", row.text)]


def test_a_scanned_report_gets_one_clear_sentence(recovered, tmp_path):
    result = recovered["scanned.pdf"]
    assert result.file is None and result.code == ""
    assert result.summary().startswith(
        "scanned.pdf: no code text found in this PDF (its 3 pages hold no text"
    )
    (tmp_path / "scanned.pdf").write_bytes((PDFS / "scanned.pdf").read_bytes())
    assert [r.file for r in recover_into(tmp_path)] == [None] and sorted(
        p.name for p in tmp_path.iterdir()
    ) == ["scanned.pdf"]


def test_a_file_that_is_not_a_pdf_is_a_note_not_a_crash(tmp_path):
    (tmp_path / "report.pdf").write_bytes(b"this is not a PDF at all\n" * 20)
    result = recover(tmp_path / "report.pdf", tmp_path)
    assert result.file is None and "could not be read as a PDF" in result.summary()


def test_recover_into_writes_the_code_where_a_students_own_py_files_come_first(tmp_path):
    for folder in ("report", "copy"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "hw1_ali_veli_e1234567.pdf").write_bytes((PDFS / "word_export.pdf").read_bytes())
    (tmp_path / "zz_last.py").write_text("")
    results = recover_into(tmp_path)
    assert [r.file for r in results] == [
        "~from_pdf/hw1_ali_veli_e1234567_from_pdf.py",
        "~from_pdf/hw1_ali_veli_e1234567_2_from_pdf.py",
    ]
    assert all((tmp_path / r.file).read_text() == r.code for r in results)
    assert min(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.py")) == "zz_last.py"
    assert (
        "pages 1-3 of the report, 116 lines recovered" in results[0].summary()
    )  # the docstring keeps its 2 wraps


# -- one step at a time, on rows laid out from a known source --------------------------------------


def test_indentation_is_rebuilt_from_x_positions_alone():
    code, _, unparsed = recover_rows(rows_from(CORRECT))
    assert code_lines(code) == code_lines(CORRECT) and unparsed == []


def test_indentation_in_a_proportional_font_keeps_the_nesting():
    """No monospace font: indentation levels come from the order of left edges, whatever their step."""
    prose = (
        "In Part 2 we implement the convolution and compare it with the reference.",
        "Results",
        "The code is appended below.",
    )
    code, _, _ = recover_rows(rows_from(CORRECT, mono=False, x_step=3.1, prose=prose))
    assert same_program(code, CORRECT)
    assert not any(sentence in code for sentence in prose)


def test_code_in_a_text_font_is_found_when_only_identifiers_are_monospace():
    rows = rows_from(CORRECT, mono=False, x_step=3.1)
    identifier = Row(1, 0, 1, 1.0, 0.0, 54.0, "my_conv2d", True, PITCH)  # `my_conv2d` displayed in the prose
    code, _, _ = recover_rows([identifier, *rows])
    assert same_program(code, CORRECT)


def test_lines_wrapped_at_the_margin_by_a_word_processor_are_joined():
    code, _, unparsed = recover_rows(rows_from(CORRECT, wrap_at=60))
    assert same_program(code, CORRECT) and unparsed == []
    comment = next(line for line in CORRECT.splitlines() if line.startswith("# ---"))
    assert comment in code  # a wrapped comment only parses once joined


def test_lines_wrapped_by_listings_with_a_mark_are_joined_without_it():
    code, _, _ = recover_rows(rows_from(CORRECT, wrap_at=50, mark="\u21aa"))
    assert same_program(code, CORRECT) and "\u21aa" not in code
    assert len(code_lines(code)) == len(code_lines(CORRECT))


def test_a_line_that_does_not_parse_is_named_and_the_rest_is_kept():
    broken = CORRECT.replace("    return out\n", "    return out\n    this line is not python\n")
    code, _, unparsed = recover_rows(rows_from(broken))
    assert [line.text for line in unparsed] == ["this line is not python"]
    assert "def my_conv2d(input, kernel):" in code and "class Cnn5(nn.Module):" in code


def test_a_right_aligned_column_of_rising_numbers_is_dropped_and_code_digits_are_not():
    numbered = [
        chars_at(str(n), 20 - len(str(n)) * PITCH, 12.0 * n) + chars_at(f"x{n} = {n}", 40, 12.0 * n)
        for n in range(8, 14)
    ]
    kept = drop_line_numbers(numbered)
    assert ["".join(c.text for c in row) for row in kept] == [f"x{n}={n}" for n in range(8, 14)]
    code = [
        chars_at(text, 40, 12.0 * i)
        for i, text in enumerate(["1 + 2", "30 * 4", "5 - 6", "7 + 8", "9 * 9", "2 - 1"])
    ]
    assert drop_line_numbers(code) == code  # digits that start lines of code, not a margin


def test_page_spans_read_as_a_ta_writes_them():
    assert _page_span([19, 20, 21, 22, 23]) == "pages 19-23"
    assert _page_span([3]) == "page 3" and _page_span([2, 4, 5]) == "pages 2, 4-5"


# -- the report's own accuracy table ---------------------------------------------------------------


def test_the_accuracy_table_is_compared_with_the_plausible_bands(recovered):
    assert "all within the plausible bands" in recovered["listings_numbered.pdf"].report_notes[0]
    assert "cnn_5 12% is outside the plausible 40-80%" in recovered["two_column.pdf"].report_notes[0]
    assert "skipped" in recovered["word_export.pdf"].report_notes[0]  # no table in that report


def _prose_rows(*texts: str) -> list[Row]:
    return [Row(1, 0, 1, 12.0 * i, 0.0, 100.0, text, False, 5.0) for i, text in enumerate(texts)]


def test_numbers_in_a_sentence_are_not_read_as_a_table():
    rows = _prose_rows(
        "Test accuracy of the models",
        "cnn_3 reached 58.1% after 15 epochs and 60% later",
        "MLP 1 40.2",
        "CNN 4 61.4",
    )
    assert table_on_page(rows) is None
    skipped = "report's test-accuracy table: not found or not readable reliably, skipped (not graded)."
    assert accuracy_notes(rows) == [skipped]
    fractions = _prose_rows("Architecture Test acc.", "mlp_1 0.41", "mlp_2 0.43", "cnn_3 0.58")
    assert table_on_page(fractions) == pytest.approx({"mlp_1": 41.0, "mlp_2": 43.0, "cnn_3": 58.0})
