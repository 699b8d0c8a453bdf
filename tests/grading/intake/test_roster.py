"""Student ids in a class: unique whatever the folder holds, from a roster, Gradescope metadata or the path."""

from __future__ import annotations

import json
import zipfile

import pytest

from ee449.grading.intake.roster import class_roster, looks_like_a_class, safe_id


def _folder(path, code="def my_conv2d(x, k):\n    return x\n"):
    path.mkdir(parents=True)
    (path / "hw1.py").write_text(code)
    return path


def _zip(path):
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("hw1.py", "x = 1\n")
    return path


def test_a_folder_and_a_zip_of_one_name_get_two_ids_and_a_note(tmp_path):
    _folder(tmp_path / "dup")
    _zip(tmp_path / "dup.zip")
    _folder(tmp_path / "ada")
    submissions, notes = class_roster(tmp_path)
    assert [(s.id, s.path.name) for s in submissions] == [
        ("ada", "ada"),
        ("dup", "dup"),
        ("dup.zip", "dup.zip"),
    ]
    assert notes == ["dup.zip: id 'dup' is shared with another submission; graded as 'dup.zip'"]


def test_ids_differing_only_in_case_are_told_apart_for_case_insensitive_file_systems(tmp_path):
    """`Dup/` and `dup/` would share OUT/dup on macOS or Windows: no two ids are equal ignoring case."""
    _folder(tmp_path / "Dup")
    _folder(tmp_path / "dup")
    _zip(tmp_path / "DUP.zip")
    submissions, notes = class_roster(tmp_path)
    ids = [s.id for s in submissions]
    assert len({i.casefold() for i in ids}) == len(ids) == 3, ids
    assert len(notes) >= 2 and all("is shared with another submission" in n for n in notes), notes


def test_gradescope_metadata_gives_the_sid_and_two_submissions_of_one_student_stay_apart(tmp_path):
    for folder in ("submission_1", "submission_2"):
        _folder(tmp_path / folder)
        metadata = {"id": 1, "users": [{"sid": "e1234567", "name": "Ali Veli", "email": "a@b.c"}]}
        (tmp_path / folder / "submission_metadata.json").write_text(json.dumps(metadata))
    submissions, notes = class_roster(tmp_path)
    ids = [s.id for s in submissions]
    assert ids == ["e1234567_submission_1", "e1234567_submission_2"] and len(notes) == 2
    assert {(s.name, s.source) for s in submissions} == {("Ali Veli", "metadata")}


def test_a_roster_csv_names_the_students_and_must_match_the_folder(tmp_path):
    classroom = tmp_path / "class"
    _folder(classroom / "x1")
    _zip(classroom / "x2.zip")
    roster = tmp_path / "roster.csv"
    roster.write_text("entry,id,name\nx1,e111,Ada\nx2.zip,e222,=cmd|' /C calc'!A0\n")
    submissions, _ = class_roster(classroom, roster)
    assert [(s.id, s.name, s.source) for s in submissions] == [
        ("e111", "Ada", "roster"),
        ("e222", "=cmd|' /C calc'!A0", "roster"),
    ]
    roster.write_text("entry,id\nx3,e333\n")
    with pytest.raises(ValueError, match="names entries not in"):
        class_roster(classroom, roster)
    roster.write_text("folder,student\nx1,e1\n")
    with pytest.raises(ValueError, match="needs the columns 'entry'"):
        class_roster(classroom, roster)


@pytest.mark.parametrize(
    ("text", "want"),
    [("../../etc", "etc"), ("a b/c", "a_b_c"), ("..", "student"), ("ali@metu.edu.tr", "ali@metu.edu.tr")],
)
def test_ids_are_safe_folder_names(text, want):
    assert safe_id(text) == want


def test_a_class_folder_given_as_one_submission_is_recognised_but_one_students_subfolders_are_not(tmp_path):
    classroom = tmp_path / "class"
    _folder(classroom / "ada")
    _folder(classroom / "bob")
    assert "2 subfolders that each define my_conv2d" in looks_like_a_class(classroom)
    student = tmp_path / "one"
    _folder(student / "Q2")
    _folder(student / "Q3", code="import torch\n")
    assert looks_like_a_class(student) == ""
    (tmp_path / "zips").mkdir()
    _zip(tmp_path / "zips" / "a.zip")
    _zip(tmp_path / "zips" / "b.zip")
    assert "2 zip files" in looks_like_a_class(tmp_path / "zips")
