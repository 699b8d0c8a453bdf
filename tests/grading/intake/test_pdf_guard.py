"""PDF reports are read in a limited child: same code as in the grader's process, or a note (`pdf.guard`)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ee449.grading.intake.pdf import guard
from ee449.grading.intake.pdf.code import recover

PDFS = Path(__file__).resolve().parents[3] / "fixtures" / "pdf"


def test_a_report_read_in_the_child_gives_what_the_grader_would_read_itself(tmp_path):
    shutil.copy(PDFS / "listings_plain.pdf", tmp_path / "report.pdf")
    inside = recover(tmp_path / "report.pdf", tmp_path)  # the oracle: the same reader in this process
    [outside] = guard.recover_into(tmp_path)
    assert outside.code == inside.code and outside.pages == inside.pages and outside.file is not None
    assert (tmp_path / outside.file).read_text() == inside.code


def test_a_report_that_takes_too_long_is_a_note_and_grading_goes_on(tmp_path):
    shutil.copy(PDFS / "listings_plain.pdf", tmp_path / "report.pdf")
    [result] = guard.recover_into(tmp_path, timeout_s=0.2)  # less than starting the reader takes
    assert result.file is None and result.problem == "could not read this PDF in 0.2 s"
    assert "could not read this PDF in 0.2 s" in result.summary()


def test_a_file_that_is_not_a_pdf_is_a_note(tmp_path):
    (tmp_path / "report.pdf").write_bytes(b"%PDF-1.4\n" + b"\x00" * 100)
    [result] = guard.recover_into(tmp_path)
    assert result.file is None and result.problem


@pytest.mark.slow  # each waits for its child's time limit
@pytest.mark.parametrize("name", ["hostile_selfref.pdf", "hostile_lines.pdf"])
def test_a_pdf_that_would_stop_the_reader_forever_is_a_note_within_the_limit(tmp_path, name):
    """fixtures/pdf/hostile_pdfs.py: a 362-byte PDF whose MediaBox is a reference to itself, and a 6 KB
    one of 200,000 lines; pdfminer never finishes either in the grader's process (the oracle: it does
    not in 8 s, in a child we kill: twice the limit given here), and the limited child turns each into a note."""
    (tmp_path / "box").mkdir()
    shutil.copy(PDFS / name, tmp_path / "box" / "report.pdf")
    reader = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import pdfplumber\nfor p in pdfplumber.open({str(PDFS / name)!r}).pages: p.extract_text()",
        ]
    )
    with pytest.raises(subprocess.TimeoutExpired):
        reader.wait(timeout=8)
    reader.kill()
    reader.wait()
    [result] = guard.recover_into(tmp_path / "box", timeout_s=4.0, memory_mb=1024)
    assert result.file is None and result.problem.startswith("could not read this PDF"), result.problem
