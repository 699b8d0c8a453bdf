"""Hard-coded batch sizes read from the source, so they are said even for a model that cannot be built."""

from __future__ import annotations

import pytest

from ee449.grading.sandboxed.batch_views import diagnose_views, hardcoded_views

MODEL = """
BATCH_SIZE = 50


class Net:
    def forward(self, x):
        x = x.view({call})
        return x


class Other:
    def forward(self, x):
        return x.view(50, -1)
"""


@pytest.mark.parametrize(
    "call", ["50, -1", "BATCH_SIZE, -1", "self.batch_size, 16 * 3 * 3", "(50, -1)", "bs, 1024"]
)
def test_a_batch_written_into_a_reshape_is_found_with_its_line(call):
    views = hardcoded_views(MODEL.format(call=call), "Net")
    assert [(v.line, v.text) for v in views] == [(7, f"x.view({call})")]


@pytest.mark.parametrize(
    "call", ["x.size(0), -1", "x.shape[0], -1", "len(x), -1", "-1, 1024", "-1", "n, -1", "1, -1"]
)
def test_a_reshape_that_follows_the_input_is_not_hard_coded(call):
    assert hardcoded_views(MODEL.format(call=call), "Net") == []


def test_torch_reshape_and_a_missing_class_and_a_broken_file():
    source = "import torch\n\ndef f(x):\n    return torch.reshape(x, (BATCH_SIZE, -1))\n"
    assert [v.line for v in hardcoded_views(source, "f")] == [4]
    assert [v.line for v in hardcoded_views(source, "absent")] == [
        4
    ]  # the whole file when the name is not there
    assert hardcoded_views("def f(:\n", "f") == []


def test_the_sentence_names_the_call_the_file_and_the_line():
    (found,) = diagnose_views("mlp_1", [(44, "x.view(BATCH_SIZE, -1)")], "hw1.py")
    assert found.code == "hardcoded_batch"
    assert (
        "x.view(BATCH_SIZE, -1) (hw1.py, line 44)" in found.sentence
        and "x.view(x.size(0), -1)" in found.sentence
    )
    assert diagnose_views("mlp_1", []) == []
