"""conv/implemented_in_numpy: library convolutions are found in my_conv2d and the helpers it calls."""

from __future__ import annotations

from pathlib import Path

import pytest

from ee449.grading.discovery.extract import extract
from ee449.grading.discovery.static import is_library_conv

NUMPY_CONV = """
import numpy as np

def my_conv2d(input, kernel):
    w = np.lib.stride_tricks.sliding_window_view(input.astype(np.float64), kernel.shape[2:], axis=(2, 3))
    return np.einsum("nchwij,ocij->nohw", w, kernel)
"""


def _found(tmp_path: Path, source: str, extra: dict[str, str] | None = None) -> list[tuple[str, int, str]]:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "hw1.py").write_text(source)
    for name, text in (extra or {}).items():
        (tmp_path / "sub" / name).write_text(text)
    return extract(tmp_path / "sub", tmp_path / "out").library_convs


@pytest.mark.parametrize(
    "imports, call, name",
    [
        (
            "import torch.nn.functional as F",
            "F.conv2d(torch.from_numpy(input), torch.from_numpy(kernel))",
            "torch.nn.functional.conv2d",
        ),
        ("from torch.nn.functional import conv2d as c", "c(input, kernel)", "torch.nn.functional.conv2d"),
        ("import torch", "torch.nn.Conv2d(1, 1, 3)", "torch.nn.Conv2d"),
        (
            "from scipy import signal",
            "signal.correlate2d(input[0, 0], kernel[0, 0], mode='valid')",
            "scipy.signal.correlate2d",
        ),
        ("import scipy.ndimage as nd", "nd.correlate(input, kernel)", "scipy.ndimage.correlate"),
        ("import numpy", "numpy.convolve(input.ravel(), kernel.ravel())", "numpy.convolve"),
        ("import cv2", "cv2.filter2D(input, -1, kernel)", "cv2.filter2D"),
    ],
)
def test_a_library_conv_in_my_conv2d_is_named_with_its_line(tmp_path, imports, call, name):
    source = f"import torch\n{imports}\n\ndef my_conv2d(input, kernel):\n    return {call}\n"
    assert _found(tmp_path, source) == [("hw1.py", 5, name)]


def test_a_library_conv_in_a_helper_of_another_file_is_found(tmp_path):
    helper = "import torch.nn.functional as F\nimport torch\n\ndef slide(x, k):\n    return F.conv2d(x, k).numpy()\n"
    source = "from helpers import slide\n\ndef my_conv2d(input, kernel):\n    return slide(input, kernel)\n"
    assert _found(tmp_path, source, {"helpers.py": helper}) == [
        ("helpers.py", 5, "torch.nn.functional.conv2d")
    ]


def test_numpy_arithmetic_and_convs_outside_my_conv2d_are_not_flagged(tmp_path):
    models = (
        "import torch.nn as nn\n\nclass cnn_3(nn.Module):\n    def __init__(self):\n"
        "        super().__init__()\n        self.conv = nn.Conv2d(1, 16, 3)\n"
    )
    assert _found(tmp_path, NUMPY_CONV + "\n" + models) == []


@pytest.mark.parametrize(
    "name, library",
    [
        ("torch.conv2d", True),
        ("torch.nn.functional.conv_transpose2d", True),
        ("scipy.signal.fftconvolve", True),
        ("numpy.einsum", False),
        ("torch.nn.functional.relu", False),
        ("scipy.signal.windows", False),
        ("numpy.lib.stride_tricks.sliding_window_view", False),
    ],
)
def test_is_library_conv(name, library):
    assert is_library_conv(name) is library


def test_extraction_keeps_decorators_of_any_form_and_long_expressions(tmp_path):
    """Statements are cut from the source: `@(expr)` keeps its '@', an 800-term sum is not re-printed."""
    source = (
        "import numpy as np\nK = (" + " + ".join(["1"] * 800) + ") / 800\n"
        "@(lambda f: f)\ndef my_conv2d(input, kernel):\n    return input * K\n"
    )
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "hw1.py").write_text(source)
    found = extract(tmp_path / "sub", tmp_path / "out")
    module = (tmp_path / "out" / found.found["my_conv2d"].module).read_text()
    assert "@(lambda f: f)\ndef my_conv2d" in module and " + 1 + 1" in module
    namespace: dict = {}
    exec(compile(module, "target", "exec"), namespace)  # our own test source, not a student's
    assert namespace["__ee449_target__"](2.0, None) == 2.0


@pytest.mark.parametrize(
    "body, name",
    [
        (
            "    import torch as _t\n    return _t.nn.functional.conv2d(input, kernel)\n",
            "torch.nn.functional.conv2d",
        ),
        (
            "    from torch.nn import functional as Fn\n    return Fn.conv2d(input, kernel)\n",
            "torch.nn.functional.conv2d",
        ),
        (
            "    from scipy import signal as sg\n    return sg.correlate(input, kernel)\n",
            "scipy.signal.correlate",
        ),
        ("    import cv2 as cv\n    return cv.filter2D(input, -1, kernel)\n", "cv2.filter2D"),
    ],
)
def test_a_library_conv_imported_inside_the_function_under_any_name_is_found(tmp_path, body, name):
    found = _found(tmp_path, "import numpy as np\n\ndef my_conv2d(input, kernel):\n" + body)
    assert [n for _, _, n in found] == [name]
