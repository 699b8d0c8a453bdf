"""Grading a PDF report end to end: each fixture PDF grades exactly like its `.py` twin.

The course's deliverable is one PDF with the code appended. Each fixture PDF (fixtures/pdf/,
built from a submission fixture's hw1.py by make_pdfs.py) is graded alone, inside a folder with
the result files, and zipped; its twin is the same code as a `.py`. The grading is the real one
(sandboxed pytest subprocesses), done once per module, two at a time.
"""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import pytest

from ee449.cli import main
from ee449.grading.classroom import find_submissions
from ee449.grading.grades import GradeOptions, GradeResult
from ee449.grading.output.report import summary

ROOT = Path(__file__).resolve().parents[3]
PDFS = ROOT / "fixtures" / "pdf"
SUBMISSIONS = ROOT / "fixtures" / "submissions"
TWINS = {name: info["twin"] for name, info in json.loads((PDFS / "twins.json").read_text()).items()}
WITH_CODE = sorted(name for name, twin in TWINS.items() if twin)
CHECK_TIMEOUT = 4.0

pytestmark = pytest.mark.slow


def _pdf_class(classroom: Path) -> None:
    """One class folder: each PDF alone and its twin's hw1.py alone; the correct submission with its
    code as a PDF, as a folder and zipped, and the same with hw1.py; the scanned PDF."""
    for name, twin in TWINS.items():
        shutil.copy(PDFS / name, classroom / name)
        if twin:
            (classroom / f"py_{Path(name).stem}").mkdir()
            shutil.copy(SUBMISSIONS / twin / "hw1.py", classroom / f"py_{Path(name).stem}" / "hw1.py")
    report = classroom / "report_folder"
    shutil.copytree(SUBMISSIONS / "correct", report, ignore=shutil.ignore_patterns("hw1.py", "expected.json"))
    shutil.copy(PDFS / "listings_numbered.pdf", report / "hw1_ali_veli_e1234567.pdf")
    with zipfile.ZipFile(classroom / "report_zipped.zip", "w") as zf:
        for path in report.iterdir():
            zf.write(path, Path("hw1_ali_veli_e1234567") / path.name)
    shutil.copytree(
        SUBMISSIONS / "correct",
        classroom / "py_report_folder",
        ignore=shutil.ignore_patterns("expected.json"),
    )


@pytest.fixture(scope="module")
def graded(graded_class) -> dict[str, GradeResult]:
    """The class graded once (`tests/grading/conftest.py`)."""
    return graded_class("pdf-classroom", _pdf_class, GradeOptions(check_timeout=CHECK_TIMEOUT))[0]


def outcome(result: GradeResult) -> dict[str, tuple[bool, float, list[str]]]:
    """What grading decided, check by check: passed, points, diagnosis codes (messages name files and lines)."""
    return {c.id: (c.passed, c.points, sorted(code for code, _ in c.diagnoses)) for c in result.checks}


@pytest.mark.parametrize("pdf", WITH_CODE)
def test_each_pdf_grades_exactly_like_its_py_twin(graded, pdf):
    from_pdf, from_py = graded[Path(pdf).stem], graded[f"py_{Path(pdf).stem}"]
    assert from_pdf.recovered and from_pdf.recovered[0].file, summary(from_pdf)
    assert outcome(from_pdf) == outcome(from_py)
    assert from_pdf.score == from_py.score and from_pdf.max_score == from_py.max_score


def test_the_twins_differ_where_their_code_does(graded):
    """The comparison above can fail: each defect twin fails the checks of its defect, the correct one none.

    A PDF alone holds no result files: its result slots fail "not found" (one maximum for all),
    and those are left out of the code's comparison."""

    def code_failures(name: str) -> list[str]:
        return sorted(c.id for c in graded[name].checks if not c.passed and not c.id.startswith("results/"))

    correct = graded["listings_numbered"]
    assert code_failures("listings_numbered") == []
    assert all("not found" in c.message for c in correct.checks if not c.passed)
    assert correct.score == sum(c.max_points for c in correct.checks if not c.id.startswith("results/"))
    for pdf in ("listings_plain", "two_column", "word_export"):
        want = json.loads((SUBMISSIONS / TWINS[f"{pdf}.pdf"] / "expected.json").read_text())["failed"]
        want_code = sorted(check for check in want if not check.startswith("results/"))
        assert code_failures(pdf) == want_code != [], pdf


def test_a_pdf_in_a_folder_or_a_zip_grades_like_the_folder_with_py_files(graded):
    want = outcome(graded["py_report_folder"])
    assert any(
        check.startswith("results/") for check in want
    )  # the result files beside the PDF are graded too
    assert outcome(graded["report_folder"]) == want
    assert outcome(graded["report_zipped"]) == want


def test_the_summary_says_where_the_code_came_from(graded):
    text = summary(graded["listings_numbered"])
    assert "listings_numbered.pdf: code recovered from pages 2-4 of the report, 119 lines recovered" in text
    notes = " ".join(graded["two_column"].notes)
    assert "cnn_5 12% is outside the plausible 40-80% (informational, not graded)" in notes


def test_a_scanned_pdf_ends_with_one_clear_sentence_and_no_crash(graded):
    result = graded["scanned"]
    lines = summary(result).splitlines()
    assert lines[1] == (
        "  scanned.pdf: no code text found in this PDF (its 3 pages hold no text, only images "
        "(a scan?): the code must be appended as text)."
    )
    assert result.score == 0 and result.max_score > 0
    assert all(check.message or check.diagnoses for check in result.checks)  # every zero says why


def test_ee449_grade_on_a_pdf_writes_the_recovered_code_beside_results_json(tmp_path, capsys):
    pdf = tmp_path / "hw1_ali_veli_e1234567.pdf"
    shutil.copy(PDFS / "word_export.pdf", pdf)
    out = tmp_path / "out"
    assert main(["grade", str(pdf), "--out", str(out), "--timeout", "10"]) == 0
    recovered = (out / "hw1_ali_veli_e1234567_from_pdf.py").read_text()
    assert recovered.startswith("# Recovered by ee449 from hw1_ali_veli_e1234567.pdf, pages 1-3")
    assert "lr=0.01" in recovered
    payload = json.loads((out / "results.json").read_text())
    assert "hw1_ali_veli_e1234567.pdf: code recovered from pages 1-3 of the report" in payload["output"]
    assert "static/adam_lr" in {t["name"] for t in payload["tests"] if t["status"] == "failed"}
    assert "code recovered from pages 1-3" in capsys.readouterr().out


def test_each_pdf_of_a_class_folder_is_one_student(tmp_path):
    for name in ("hw1_a_b_e1.pdf", "hw1_c_d_e2.pdf"):
        (tmp_path / name).write_bytes(b"%PDF-1.4\n")
    (tmp_path / "notes.txt").write_text("not a submission")
    assert find_submissions(tmp_path) == [
        ("hw1_a_b_e1", tmp_path / "hw1_a_b_e1.pdf"),
        ("hw1_c_d_e2", tmp_path / "hw1_c_d_e2.pdf"),
    ]
