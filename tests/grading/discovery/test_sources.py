"""Reading a submission's code: .py files as they are, notebooks' code cells, magics dropped."""

from __future__ import annotations

import ast

import nbformat
import pytest

from ee449.grading.discovery.sources import drop_magics, python_text, read_sources


def _notebook(path, cells):
    notebook = nbformat.v4.new_notebook()
    for kind, text in cells:
        new = nbformat.v4.new_code_cell if kind == "code" else nbformat.v4.new_markdown_cell
        notebook.cells.append(new(text))
    nbformat.write(notebook, str(path))


def test_magics_and_shell_lines_become_pass_and_keep_every_line_where_it_was():
    text = "import numpy as np\n%matplotlib inline\nif True:\n    !ls -la\n    x = 1\n"
    cleaned = drop_magics(text)
    assert cleaned.splitlines() == ["import numpy as np", "pass", "if True:", "    pass", "    x = 1"]
    ast.parse(cleaned)


def test_a_cell_magic_body_that_is_not_python_is_dropped():
    cleaned = drop_magics("%%bash\necho hi > x\n")
    assert cleaned.splitlines() == ["pass", ""]


def test_an_exported_py_with_reset_parses_and_valid_python_is_left_alone():
    exported = "%reset -f\n!nvidia-smi\ndef f():\n    return 1\n"
    ast.parse(python_text(exported))
    plain = "x = 5 % 3\n"  # a modulo is not a magic
    assert python_text(plain) == plain


def test_notebook_code_cells_are_read_markdown_is_not_and_a_broken_cell_costs_only_itself(tmp_path):
    _notebook(
        tmp_path / "hw.ipynb",
        [
            ("markdown", "def not_code(): pass"),
            ("code", "!pip install x\ndef a():\n    return 1"),
            ("code", "model."),
            ("code", "def b():\n    return 2"),
        ],
    )
    found = read_sources(tmp_path)
    (source,) = found.files
    tree = ast.parse(source.text)
    assert [n.name for n in tree.body if isinstance(n, ast.FunctionDef)] == ["a", "b"]
    line_of_b = next(n.lineno for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "b")
    assert source.where(line_of_b) == "hw.ipynb, cell 4, line 1"
    assert [cell for cell, _ in source.left_out] == [3]  # said in the summary, not silently dropped


@pytest.mark.parametrize(
    ("name", "content", "why"),
    [
        ("broken.ipynb", "{not json", "not a readable notebook"),
        (".venv/lib/x.py", "x = 1", "in a folder of caches or environments"),
    ],
)
def test_files_not_read_are_listed_with_why(tmp_path, name, content, why):
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content)
    found = read_sources(tmp_path)
    assert found.files == [] and why in found.skipped[name]
