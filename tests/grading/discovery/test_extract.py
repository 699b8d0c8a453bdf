"""The extractor picks graded definitions out of student files by parsing, never by running them."""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

import pytest
from hypothesis import given

from ee449.grading.discovery.bindings import referenced_globals
from ee449.grading.discovery.extract import adam_learning_rates, extract, match_target
from ee449.models import ARCHITECTURES
from tests.helpers.strategies import name_spellings

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures" / "submissions"


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("my_conv2d", "my_conv2d"),
        ("myConv2d", "my_conv2d"),
        ("mlp_1", "mlp_1"),
        ("MLP_1", "mlp_1"),
        ("Mlp1", "mlp_1"),
        ("CNN3", "cnn_3"),
        ("cnn_3_relu", "cnn_3"),
        ("CNN_4Net", "cnn_4"),
        ("cnn_3_sigmoid", "cnn_3_sigmoid"),
        ("CNN5Sigmoid", "cnn_5_sigmoid"),
        ("cnn_6", None),
        ("train", None),
        ("conv2d", None),
        ("mlp", None),
    ],
)
def test_match_target_accepts_the_usual_spellings_and_nothing_else(name, key):
    assert match_target(name) == key


@given(name_spellings(("my_conv2d", *ARCHITECTURES, *(f"{a}_sigmoid" for a in ARCHITECTURES))))
def test_match_target_ignores_case_and_underscores(spelling):
    assert match_target(spelling.spelled) == spelling.canonical


def _write(folder: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return folder


def _top_level(module: Path) -> list[str]:
    """Top-level statements of an extracted module, as short tags."""
    tags = []
    for node in ast.parse(module.read_text()).body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            tags.append(f"def {node.name}")
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            tags.append("import " + ",".join(a.asname or a.name for a in node.names))
        elif isinstance(node, ast.Assign):
            tags.append("assign " + ",".join(ast.unparse(t) for t in node.targets))
        else:
            tags.append(type(node).__name__)
    return tags


def test_extract_takes_only_what_the_target_needs_and_no_script_code(tmp_path):
    submission = _write(
        tmp_path / "sub",
        {
            "hw1.py": """
        import numpy as np
        import torch
        import matplotlib.pyplot as plt
        BATCH = 50
        model = None
        def helper(x):
            return np.asarray(x, dtype=np.float64)
        def my_conv2d(input, kernel):
            model = helper(input)   # a local that shares a name with the script's `model`
            return model
        model = train_for_hours()
        while True:
            pass
    """
        },
    )
    found = extract(submission, tmp_path / "out")
    assert set(found.found) == {"my_conv2d"}
    tags = _top_level(tmp_path / "out" / found.found["my_conv2d"].module)
    assert tags == ["import np", "def helper", "def my_conv2d", "assign __ee449_target__"]


def test_extract_resolves_helpers_imported_from_the_students_other_files_without_importing_them(tmp_path):
    submission = _write(
        tmp_path / "sub",
        {
            "models.py": """
            import torch.nn as nn
            from utils import make_layer as layer
            class CNN3(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.c = layer(1, 16)
        """,
            "utils.py": """
            import torch.nn as nn
            print("script code in utils")
            def make_layer(a, b):
                return nn.Conv2d(a, b, 3)
        """,
        },
    )
    found = extract(submission, tmp_path / "out")
    tags = _top_level(tmp_path / "out" / found.found["cnn_3"].module)
    assert "import utils" not in " ".join(tags) and "Expr" not in tags  # no import of, or print from, utils
    assert tags == ["import nn", "def CNN3", "def make_layer", "assign layer", "assign __ee449_target__"]
    compile((tmp_path / "out" / found.found["cnn_3"].module).read_text(), "x", "exec")


def test_a_file_named_like_the_homeworks_library_is_not_what_its_import_means(tmp_path):
    """`import numpy as np` beside a student's numpy.py means the installed NumPy (the code uses
    np.float64, which the file does not have): the graded conv keeps its import, the file is said."""
    submission = _write(
        tmp_path / "sub",
        {
            "hw1.py": """
            import numpy as np
            def my_conv2d(input, kernel):
                return np.zeros((1, 1), dtype=np.float64)
        """,
            "numpy.py": """
            def zeros(*args):
                return 0
        """,
        },
    )
    found = extract(submission, tmp_path / "out")
    tags = _top_level(tmp_path / "out" / found.found["my_conv2d"].module)
    assert "import np" in tags and "def zeros" not in tags, tags
    assert found.shadowing == ["numpy.py"]


def test_extract_reports_syntax_errors_and_still_extracts_the_other_files(tmp_path):
    submission = _write(
        tmp_path / "sub",
        {"conv.py": "def my_conv2d(x, k):\n    return x\n", "models.py": "class mlp_1(:\n    pass\n"},
    )
    found = extract(submission, tmp_path / "out")
    assert list(found.found) == ["my_conv2d"]
    assert list(found.parse_errors) == ["models.py"] and "line 1" in found.parse_errors["models.py"]


def test_extract_names_undefined_dependencies(tmp_path):
    submission = _write(
        tmp_path / "sub", {"a.py": "def my_conv2d(x, k):\n    return undefined_helper(x) + len(x)\n"}
    )
    found = extract(submission, tmp_path / "out")
    assert found.unresolved == {"my_conv2d": ["undefined_helper"]}  # len is a builtin, not missing


def test_referenced_globals_ignores_locals_and_parameters():
    node = ast.parse("def f(a):\n    b = a + C\n    return g(b)\n").body[0]
    assert referenced_globals(node) == {"C", "g"}


def test_extract_finds_every_target_of_the_correct_fixture(tmp_path):
    found = extract(FIXTURES / "correct", tmp_path / "out")
    assert set(found.found) == {"my_conv2d", *ARCHITECTURES, "cnn_3_sigmoid"}
    for key, item in found.found.items():
        text = (tmp_path / "out" / item.module).read_text()
        assert "download=True" not in text and "optimizer" not in text, key


def test_extract_rejects_a_missing_folder(tmp_path):
    with pytest.raises(ValueError, match="does not exist"):
        extract(tmp_path / "nope", tmp_path / "out")


def test_adam_learning_rates_are_read_from_the_source():
    tree = ast.parse(
        "import torch\nopt = torch.optim.Adam(m.parameters(), lr=0.01)\n"
        "a = Adam(m.parameters())\nb = optim.Adam(m.parameters(), 1e-3)\nc = optim.Adam(p, lr=LR)\n"
        "s = optim.SGD(p, lr=0.1)\n"
    )
    assert adam_learning_rates(tree) == [(2, 0.01), (3, None), (4, 0.001)]  # LR is not a literal: unknown
