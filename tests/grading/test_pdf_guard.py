"""PDF reports are read in a limited child: same code as in the grader's process, or a note (`pdf_guard`)."""

from __future__ import annotations

import shutil
from pathlib import Path

from ee449.grading import pdf_guard
from ee449.grading.pdf_code import recover

PDFS = Path(__file__).resolve().parents[2] / "fixtures" / "pdf"


def test_a_report_read_in_the_child_gives_what_the_grader_would_read_itself(tmp_path):
    shutil.copy(PDFS / "listings_plain.pdf", tmp_path / "report.pdf")
    inside = recover(tmp_path / "report.pdf", tmp_path)  # the oracle: the same reader in this process
    [outside] = pdf_guard.recover_into(tmp_path)
    assert outside.code == inside.code and outside.pages == inside.pages and outside.file is not None
    assert (tmp_path / outside.file).read_text() == inside.code


def test_a_report_that_takes_too_long_is_a_note_and_grading_goes_on(tmp_path):
    shutil.copy(PDFS / "listings_plain.pdf", tmp_path / "report.pdf")
    [result] = pdf_guard.recover_into(tmp_path, timeout_s=0.2)  # less than starting the reader takes
    assert result.file is None and result.problem == "could not read this PDF in 0.2 s"
    assert "could not read this PDF in 0.2 s" in result.summary()


def test_a_file_that_is_not_a_pdf_is_a_note(tmp_path):
    (tmp_path / "report.pdf").write_bytes(b"%PDF-1.4\n" + b"\x00" * 100)
    [result] = pdf_guard.recover_into(tmp_path)
    assert result.file is None and result.problem
