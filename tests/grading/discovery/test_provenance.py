"""ee449's own code and results in a submission: imports anywhere, copies of the reference, and
the result files ee449's experiments write (their meta comes from ee449's own writer)."""

from __future__ import annotations

import ast
import inspect
import textwrap

from ee449.basics import conv
from ee449.experiments.payloads import versions
from ee449.grading.discovery.provenance import reference_uses
from ee449.grading.judging.results import written_by_ee449


def uses_in(source: str) -> list[str]:
    tree = ast.parse(textwrap.dedent(source))
    return [use.what for use in reference_uses([("hw1.py", node) for node in tree.body])]


def test_an_import_of_ee449_anywhere_in_the_graded_code_is_named():
    assert uses_in("from ee449.conv import my_conv2d as ref\n") == ["imports ee449.conv"]
    assert uses_in("def my_conv2d(x, k):\n    import ee449.models as m\n    return m\n") == [
        "imports ee449.models"
    ]
    assert uses_in("import importlib\ndef f():\n    return importlib.import_module('ee449.conv')\n") == [
        "imports ee449.conv"
    ]
    assert uses_in("import numpy as np\nfrom ee449_helpers import plot\n") == []  # another package


def test_a_renamed_copy_of_the_reference_convolution_is_recognised_and_a_students_own_is_not():
    reference = inspect.getsource(conv.my_conv2d).replace("def my_conv2d(", "def student_conv(")
    assert uses_in(reference) == ["is a copy of ee449's reference (basics/conv.py: my_conv2d)"]
    own = """
    def my_conv2d(input, kernel):
        out = np.zeros((input.shape[0], kernel.shape[0], 3, 3))
        for b in range(input.shape[0]):
            out[b] = 0
        return out
    """
    assert uses_in(own) == []


def test_taken_from_a_copy_of_the_package_folder_is_named():
    tree = ast.parse("def my_conv2d(x, k):\n    return x\n")
    uses = reference_uses([("ee449/conv.py", tree.body[0])])
    assert [u.what for u in uses] == ["is taken from a copy of the ee449 package"]


def test_result_files_with_ee449s_meta_are_recognised_and_a_students_are_not():
    assert written_by_ee449({"loss_curve": [1.0], "meta": {"versions": versions()}})
    assert written_by_ee449({"meta": {"config": {}, "seeds": [0], "runs_done": 1, "record_every": 10}})
    assert not written_by_ee449({"loss_curve": [1.0], "meta": {"epochs": 15, "lr": 0.001}})
    assert not written_by_ee449({"loss_curve": [1.0], "meta": "run on colab"})
