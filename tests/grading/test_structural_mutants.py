"""Structural mutants of the correct submission: each defect is named in a sentence, and costs its price once.

Each mutant changes one thing in fixtures/submissions/correct/hw1.py (a bias, an activation, a
padding, a kernel, a pool moved, a layer never used...). Several of them make the forward pass
fail (the flatten size no longer fits the classifier): the diagnosis must still name the layer
that causes it, not only repeat torch's shape error. The whole set is graded once, two at a time.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import pytest

from ee449.grading.grades import GradeOptions

pytestmark = pytest.mark.slow

CORRECT = (
    Path(__file__).resolve().parents[2] / "fixtures" / "submissions" / "correct" / "hw1.py"
).read_text()
PRICES = json.loads(resources.files("ee449.grading").joinpath("default_rubric.json").read_text())[
    "deductions"
]
CNN4_POOL = "nn.Conv2d(8, 16, 5), nn.ReLU(),\n            nn.MaxPool2d(2),\n"

# name: (old text, new text, architecture, diagnosis code, words its sentence must contain)
MUTANTS = {
    "mlp1_prediction_no_bias": (
        "self.fc2 = nn.Linear(32, num_classes)",
        "self.fc2 = nn.Linear(32, num_classes, bias=False)",
        "mlp_1",
        "missing_bias",
        "prediction layer (fc2)",
    ),
    "mlp2_relu_after_fc64": (
        "return self.fc3(self.fc2(x))",
        "return self.fc3(F.relu(self.fc2(x)))",
        "mlp_2",
        "extra_relu",
        "FC-64 (fc2)",
    ),
    "mlp2_softmax": (
        "return self.fc3(self.fc2(x))",
        "return F.softmax(self.fc3(self.fc2(x)), dim=1)",
        "mlp_2",
        "softmax_layer",
        "Softmax",
    ),
    "mlp1_view_64": (
        "x = x.view(x.size(0), -1)\n        return self.fc2",
        "x = x.view(64, -1)\n        return self.fc2",
        "mlp_1",
        "hardcoded_batch",
        "x.view(64, -1)",
    ),
    "cnn3_conv3_pads_1": (
        "self.conv3 = nn.Conv2d(8, 16, 7)",
        "self.conv3 = nn.Conv2d(8, 16, 7, padding=1)",
        "cnn_3",
        "conv_padding",
        "third convolution (conv3, 7x7) pads by 1",
    ),
    "cnn3_conv1_same": (
        "self.conv1 = nn.Conv2d(1, 16, 3)",
        "self.conv1 = nn.Conv2d(1, 16, 3, padding='same')",
        "cnn_3",
        "same_padding",
        "first convolution (conv1, 3x3)",
    ),
    "cnn3_conv2_kernel_3": (
        "self.conv2 = nn.Conv2d(16, 8, 5)",
        "self.conv2 = nn.Conv2d(16, 8, 3)",
        "cnn_3",
        "kernel_differs",
        "second convolution (conv2, 3x3) uses a 3x3 kernel",
    ),
    "cnn3_conv1_32_channels": (
        "self.conv1 = nn.Conv2d(1, 16, 3)\n        self.conv2 = nn.Conv2d(16, 8, 5)",
        "self.conv1 = nn.Conv2d(1, 32, 3)\n        self.conv2 = nn.Conv2d(32, 8, 5)",
        "cnn_3",
        "channels_differ",
        "first convolution (conv1, 3x3) has 32 output channels",
    ),
    "cnn4_missing_relu": (
        "nn.Conv2d(8, 16, 5), nn.ReLU(),",
        "nn.Conv2d(8, 16, 5),",
        "cnn_4",
        "missing_relu",
        "after the third convolution",
    ),
    "cnn5_unused_conv7": (
        "self.conv6 = nn.Conv2d(16, 8, 3)\n",
        "self.conv6 = nn.Conv2d(16, 8, 3)\n        self.conv7 = nn.Conv2d(8, 8, 3)\n",
        "cnn_5",
        "unused_layer",
        "conv7",
    ),
    "cnn5_no_second_pool": (
        "        x = F.max_pool2d(x, kernel_size=2, stride=2)\n",
        "",
        "cnn_5",
        "missing_layer",
        "second MaxPool",
    ),
    "cnn5_conv5_stride_2": (
        "self.conv5 = nn.Conv2d(16, 16, 3)",
        "self.conv5 = nn.Conv2d(16, 16, 3, stride=2)",
        "cnn_5",
        "stride_differs",
        "fifth convolution (conv5, 3x3) has stride 2x2",
    ),
    # the first MaxPool of CNN_4 goes up one convolution
    "cnn4_pool_moved_up": (
        "nn.Conv2d(16, 8, 3), nn.ReLU(),\n            " + CNN4_POOL,
        "nn.Conv2d(16, 8, 3), nn.ReLU(),\n            nn.MaxPool2d(2),\n"
        "            nn.Conv2d(8, 16, 5), nn.ReLU(),\n",
        "cnn_4",
        "misplaced_layer",
        "first MaxPool (features.4) comes after the second convolution",
    ),
}


def _mutant_class(classroom: Path) -> None:
    for name, (old, new, *_rest) in MUTANTS.items():
        assert CORRECT.count(old) == 1, f"{name}: {old!r} must occur once in correct/hw1.py"
        (classroom / name).mkdir()
        (classroom / name / "hw1.py").write_text(CORRECT.replace(old, new))


@pytest.fixture(scope="module")
def graded(graded_class):
    return graded_class("mutants", _mutant_class, GradeOptions(check_timeout=30.0))[0]


@pytest.mark.parametrize("name", sorted(MUTANTS))
def test_each_structural_mutant_is_named_in_a_sentence_and_costs_its_price_once(graded, name):
    _old, _new, arch, code, words = MUTANTS[name]
    checks = [c for c in graded[name].checks if c.id.startswith(f"arch/{arch}/")]
    failed = [c for c in checks if not c.passed]
    assert failed, f"{name}: no check of {arch} failed"
    for check in failed:
        sentences = [s for c, s in check.diagnoses if c == code]
        assert sentences, (
            f"{check.id}: diagnoses {check.diagnoses}, message {check.message!r}, expected {code}"
        )
        assert any(words in s for s in sentences), f"{check.id}: {sentences} do not say {words!r}"
        assert "yours:" not in check.message  # no sequence dumps once the difference is named
    assert sum(c.points for c in checks) == sum(c.max_points for c in checks) - PRICES[code]["points"], [
        (c.id, c.points, c.diagnoses) for c in checks
    ]


def test_the_other_architectures_of_each_mutant_keep_full_marks(graded):
    for name, (_old, _new, arch, *_rest) in MUTANTS.items():
        others = [
            c for c in graded[name].checks if c.id.startswith("arch/") and not c.id.startswith(f"arch/{arch}")
        ]
        assert all(c.passed for c in others), (name, [c.id for c in others if not c.passed])
