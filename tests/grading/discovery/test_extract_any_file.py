"""Whatever a file holds, extraction finishes and writes modules that compile: generated programs
(hypothesmith), the same programs as notebook cells, and files nobody here wrote (the standard
library's and the installed packages' own sources, read as if a student had handed them in)."""

from __future__ import annotations

import functools
import random
import sysconfig
from pathlib import Path

import nbformat
import pytest
from hypothesis import HealthCheck, given, settings

from ee449.grading.discovery import extract
from tests.helpers.strategies import student_files

CORPUS_SAMPLE = 120  # files of the corpus read by the slow test; benchmarks/bench_corpus.py reads them all
CORPUS_SEED = 449


def assert_extracts(folder: Path, out: Path) -> extract.Extraction:
    __tracebackhide__ = True
    found = extract.extract(folder, out)
    for key, item in found.found.items():
        assert key in extract.target_keys(), key
        text = (out / item.module).read_text(encoding="utf-8")
        compile(text, item.module, "exec")  # the sandbox imports it: it must at least compile
    return found


# hypothesmith draws slowly (about half a second a program on a busy 2-core machine): a third of the
# profile's examples, so `dev` reads 10 programs per test and `ci` 20.
PROGRAMS = settings(
    max_examples=max(5, settings.default.max_examples // 3),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


@PROGRAMS
@given(student_files())
def test_any_valid_program_is_read_without_a_crash(tmp_path_factory, case):
    folder = tmp_path_factory.mktemp("sub")
    (folder / "hw1.py").write_text(case.source, encoding="utf-8")
    assert_extracts(folder, tmp_path_factory.mktemp("out"))


@PROGRAMS
@given(student_files())
def test_any_valid_program_in_notebook_cells_is_read_without_a_crash(tmp_path_factory, case):
    folder = tmp_path_factory.mktemp("nb")
    cells = [nbformat.v4.new_code_cell(part) for part in case.source.split("\n\n")]
    nbformat.write(nbformat.v4.new_notebook(cells=cells), str(folder / "hw1.ipynb"))
    assert_extracts(folder, tmp_path_factory.mktemp("out"))


def test_the_known_crash_of_a_string_built_path_grades_the_file(tmp_path):
    (tmp_path / "hw1.py").write_text(
        "import torch.nn as nn\n\n\nclass Net(nn.Module):\n    def __init__(self, arch, act):\n"
        "        super().__init__()\n\n\ndef load(name):\n    return open('data/' + name + '.pkl')\n\n\n"
        "for arch in ['mlp_1', 'cnn_3']:\n    model = Net(arch, 'relu')\n    path = 'results/' + arch + '.json'\n",
        encoding="utf-8",
    )
    found = assert_extracts(tmp_path, tmp_path / "out")
    assert {"mlp_1", "cnn_3"} <= set(found.found)


def corpus_files() -> list[Path]:
    """Every .py of the standard library and of the installed site-packages, in a stable order."""
    roots = {Path(sysconfig.get_paths()["stdlib"]), Path(sysconfig.get_paths()["purelib"])}
    files: set[Path] = set()
    for root in roots:
        files |= {
            p for p in root.rglob("*.py") if p.is_file() and "site-packages" not in p.relative_to(root).parts
        }
    return sorted(files)


@pytest.mark.slow
def test_a_sample_of_the_standard_library_and_site_packages_is_read_without_a_crash(tmp_path):
    files = corpus_files()
    assert (
        len(files) > 1000 and any(p.name == "os.py" for p in files) and any("torch" in p.parts for p in files)
    )
    sample = random.Random(CORPUS_SEED).sample(files, min(CORPUS_SAMPLE, len(files)))
    crashed = []
    for index, path in enumerate(sample):
        folder = tmp_path / f"s{index}"
        folder.mkdir()
        (folder / "hw1.py").write_bytes(path.read_bytes())
        try:
            assert_extracts(folder, tmp_path / f"o{index}")
        except Exception as error:  # noqa: BLE001 - collected so one run names every crashing file
            crashed.append(f"{path}: {type(error).__name__}: {error}")
    assert not crashed, f"{len(crashed)} of {len(sample)} files crashed extraction:\n" + "\n".join(crashed)


def test_a_grader_failure_on_one_file_costs_only_that_files_models(tmp_path, monkeypatch):
    from ee449.grading.discovery import construct

    real = construct.call_sites

    def fails_on_bad(rel, *args):
        if rel == "bad.py":
            raise RuntimeError("an idiom the grader does not know")
        return real(rel, *args)

    monkeypatch.setattr(construct, "call_sites", fails_on_bad)
    model = "import torch.nn as nn\n\n\nclass {name}(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
    (tmp_path / "good.py").write_text(model.format(name="mlp_1"), encoding="utf-8")
    (tmp_path / "bad.py").write_text(model.format(name="cnn_3"), encoding="utf-8")
    found = assert_extracts(tmp_path, tmp_path / "out")
    assert set(found.found) == {"mlp_1"}
    assert (
        "not an error in your code" in found.skipped["bad.py"] and "RuntimeError" in found.skipped["bad.py"]
    )


@functools.lru_cache(maxsize=1)
def _baseline_grade(folder: Path):
    """The grade of a file that defines nothing: every check, failed, out of the fixed maximum."""
    from ee449.grading.grade import grade_submission
    from ee449.grading.grades import GradeOptions

    folder.mkdir(exist_ok=True)
    (folder / "hw1.py").write_text("pass\n", encoding="utf-8")
    return grade_submission(folder, GradeOptions(check_timeout=4.0))


def _graded_ids(result) -> set[str]:
    return {c.id for c in result.checks if "sigmoid" not in c.id}  # sigmoid variants: only when defined


@pytest.mark.slow
@settings(max_examples=2, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(student_files())
def test_grading_any_program_gives_every_check_and_the_fixed_maximum(tmp_path_factory, case):
    from ee449.grading.grade import grade_submission
    from ee449.grading.grades import GradeOptions

    baseline = _baseline_grade(tmp_path_factory.getbasetemp() / "baseline")
    folder = tmp_path_factory.mktemp("graded")
    (folder / "hw1.py").write_text(case.source, encoding="utf-8")
    result = grade_submission(folder, GradeOptions(check_timeout=4.0))
    sigmoid_points = sum(c.max_points for c in result.checks if "sigmoid" in c.id)
    assert _graded_ids(result) == _graded_ids(baseline)
    assert result.max_score - sigmoid_points == baseline.max_score
