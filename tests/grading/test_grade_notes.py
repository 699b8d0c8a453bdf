"""The notes of a grading say what was read, what was not and why, and where each target came from."""

from __future__ import annotations

from ee449.grading.discovery.extract import Extraction, Found
from ee449.grading.grade_notes import edition_notes, submission_notes
from ee449.spec import DEFAULT_HOMEWORK, edition


def test_the_default_edition_needs_no_note_and_another_names_itself_and_its_part_1():
    assert edition_notes(DEFAULT_HOMEWORK) == []
    notes = edition_notes(2024)
    assert notes[0].startswith("graded as the 2024 edition: ") and edition(2024).summary in notes[0]
    assert any("NumPy XOR network" in n for n in notes) == (edition(2024).part1 == "xor")


def test_every_file_read_skipped_or_broken_is_named_once_with_why():
    found = Extraction(
        found={
            "cnn_3": Found("cnn_3", "CNN3", "models.py", 12, "m.py", "class", "models.py, line 12", "call")
        },
        parse_errors={"broken.py": "line 1: invalid syntax"},
        files=["models.py", "broken.py", "numpy.py"],
        skipped={"huge.py": "over 1 MB"},
        others={"cnn_3": ["Other (old.py, line 3)"]},
        shadowing=["numpy.py"],
    )
    notes = submission_notes(found)
    assert notes[0] == "read: models.py, numpy.py"  # the broken file is said below, not as read
    assert "broken.py: could not be parsed (line 1: invalid syntax)" in notes
    assert "huge.py: skipped, over 1 MB" in notes
    assert any(n.startswith("numpy.py: named like the library numpy") for n in notes)
    assert "cnn_3: CNN3 (models.py, line 12), named in a call, found by reading the code" in notes
    assert "cnn_3: not graded, the other definitions claiming it: Other (old.py, line 3)" in notes


def test_a_submission_with_no_code_says_so():
    assert submission_notes(Extraction()) == ["read: no code files"]
