"""Similarity hints: disguised copies of a fixture are flagged, independently written code is not.

The code compared is what the grader extracts (`extract.extract`, no code runs). The disguises
are made here from the correct fixture with `ast`: every local name, argument and `self.`
attribute renamed; the definitions in reverse order; comments added and the layout redone
(`ast.unparse`). Independent: the correct fixture, factory_functions and generic_net, whose
models were written separately (the other realistic fixtures reuse the correct fixture's code
by construction, `realistic.section`, and are flagged as the copies they are).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from ee449.grading.discovery import extract
from ee449.grading.output.similarity import FLAG_AT, similar_pairs, tokens
from ee449.grading.output.similarity_report import pairs_csv, pairs_html

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures" / "submissions"
INDEPENDENT = ("correct", "factory_functions", "generic_net")
KEEP = {"np", "nn", "F", "torch", "self", "super", "range", "len", "int", "float", "print"}


class _Rename(ast.NodeTransformer):
    """Every name the student chose, renamed (graded class and function names keep their homework names)."""

    def visit_Name(self, node: ast.Name) -> ast.Name:
        if node.id not in KEEP and extract.match_target(node.id) is None:
            node.id = f"renamed_{node.id}"
        return node

    def visit_arg(self, node: ast.arg) -> ast.arg:
        if node.arg != "self":
            node.arg = f"p_{node.arg}"
        return node

    def visit_Attribute(self, node: ast.Attribute) -> ast.Attribute:
        self.generic_visit(node)
        if isinstance(node.value, ast.Name) and node.value.id == "self":
            node.attr = f"layer_{node.attr}"
        return node


def _renamed(source: str) -> str:
    return ast.unparse(_Rename().visit(ast.parse(source)))


def _reordered(source: str) -> str:
    tree = ast.parse(source)
    definitions = [n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))]
    imports = [n for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))]
    rest = [n for n in tree.body if n not in definitions and n not in imports]
    tree.body = imports + definitions[::-1] + rest
    return ast.unparse(tree)


def _recommented(source: str) -> str:
    lines = ast.unparse(ast.parse(source)).splitlines()
    return "\n".join(
        f"{line}  # step {i}: see the lecture notes" if line.strip() else line for i, line in enumerate(lines)
    )


DISGUISES = {"renamed": _renamed, "reordered": _reordered, "recommented": _recommented}


def _graded_code(folder: Path, scratch: Path) -> dict[str, str]:
    found = extract.extract(folder, scratch)
    return {key: (scratch / item.module).read_text() for key, item in found.found.items()}


@pytest.fixture(scope="module")
def test_class(tmp_path_factory) -> dict[str, dict[str, str]]:
    base = tmp_path_factory.mktemp("similarity")
    code = {name: _graded_code(FIXTURES / name, base / f"x-{name}") for name in INDEPENDENT}
    source = (FIXTURES / "correct" / "hw1.py").read_text()
    for how, disguise in DISGUISES.items():
        folder = base / f"copy_{how}"
        folder.mkdir()
        (folder / "hw1.py").write_text(disguise(source))
        code[f"copy_{how}"] = _graded_code(folder, base / f"x-copy_{how}")
    return code


def test_every_disguised_copy_is_flagged_with_its_original(test_class):
    pairs = {(p.first, p.second): p for p in similar_pairs(test_class)}
    for how in DISGUISES:
        pair = pairs[(f"copy_{how}", "correct")]
        assert pair.flagged, (how, pair)
        assert {t for t, _ in pair.per_target} == {"my_conv2d", "mlp_1", "mlp_2", "cnn_3", "cnn_4", "cnn_5"}


def test_independently_written_submissions_are_not_flagged(test_class):
    pairs = similar_pairs(test_class)
    independent = [p for p in pairs if p.first in INDEPENDENT and p.second in INDEPENDENT]
    assert len(independent) == 3
    assert all(p.similarity < FLAG_AT for p in independent), independent
    assert pairs[0].flagged and pairs[-1].similarity < FLAG_AT  # ranked, most similar first


def test_the_skeleton_the_course_gave_is_not_counted(test_class):
    """Given the correct fixture as the skeleton, its copies share nothing left to flag."""
    skeleton = (FIXTURES / "correct" / "hw1.py").read_text()
    pairs = {(p.first, p.second): p for p in similar_pairs(test_class, skeleton)}
    assert not pairs[("copy_recommented", "correct")].flagged


def test_names_comments_and_layout_do_not_change_the_tokens():
    a = "def f(x, k):\n    # sum\n    out = x * k\n    return out\n"
    b = "def g(inp,ker):\n    res=inp*ker  # renamed\n    return res\n"
    assert tokens(a) == tokens(b)
    assert tokens("import numpy as np\ny = np.zeros(3)") != tokens("import numpy as np\ny = np.ones(3)")
    assert tokens("def broken(:") == []


def test_the_side_by_side_page_escapes_the_students_code(test_class):
    code = {
        "a": {"my_conv2d": "def my_conv2d(x, k):\n    return '</pre><script>alert(1)</script>'\n"},
        "b": {"my_conv2d": "x = 1\n"},
    }
    page = pairs_html(similar_pairs(code), code)
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert (
        pairs_csv(similar_pairs(test_class))
        .splitlines()[0]
        .startswith("first,second,similarity,flagged,my_conv2d")
    )
