"""The torch a student's my_conv2d meets in the conv checks (`checks/torch_standin`): NumPy under torch's names.

Each test runs a real interpreter with the stand-in copied in as `torch/__init__.py` first on its path,
as the conv pass does (`runner.pytest_argv`); NumPy is the oracle for every value.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from ee449.grading.sandboxed.checks import torch_standin

STANDIN = Path(torch_standin.__file__)


def _run(tmp_path: Path, code: str) -> dict:
    """`code` run with the stand-in as torch; it prints one JSON object, returned here."""
    (tmp_path / "standin" / "torch").mkdir(parents=True)
    shutil.copyfile(STANDIN, tmp_path / "standin" / "torch" / "__init__.py")
    program = f"import sys, json\nsys.path.insert(0, {str(tmp_path / 'standin')!r})\n" + textwrap.dedent(code)
    done = subprocess.run(
        [sys.executable, "-I", "-c", program], capture_output=True, text=True, timeout=60, cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_a_numpy_convolution_wrapped_in_torch_at_its_edges_gives_numpys_values(tmp_path):
    """from_numpy at the end, a Tensor test and .numpy() at the start: what a NumPy my_conv2d may do."""
    got = _run(
        tmp_path,
        """
        import numpy as np, torch
        x = np.arange(2 * 3 * 5 * 4, dtype=np.float64).reshape(2, 3, 5, 4)
        k = np.linspace(-1, 1, 4 * 3 * 2 * 2).reshape(4, 3, 2, 2)
        def my_conv2d(input, kernel):
            if isinstance(input, torch.Tensor):
                input = input.numpy()
            out = np.zeros((2, 4, 4, 3))
            for i in range(4):
                for j in range(3):
                    out[:, :, i, j] = np.einsum("bchw,ochw->bo", input[:, :, i:i + 2, j:j + 2], kernel)
            return torch.from_numpy(out)
        value = my_conv2d(torch.tensor(x), k)
        print(json.dumps({
            "is_tensor": torch.is_tensor(value), "has_detach": hasattr(value, "detach"),
            "out": value.detach().cpu().numpy().tolist(), "dtype": str(value.dtype),
            "size": list(value.size()), "dim1": value.size(1), "numel": value.numel(),
            "float": str(value.float().dtype), "long": str(value.long().dtype),
        }))
        """,
    )
    x = np.arange(2 * 3 * 5 * 4, dtype=np.float64).reshape(2, 3, 5, 4)
    k = np.linspace(-1, 1, 4 * 3 * 2 * 2).reshape(4, 3, 2, 2)
    windows = np.lib.stride_tricks.sliding_window_view(x, (2, 2), axis=(2, 3))  # (2, 3, 4, 3, 2, 2)
    want = np.einsum("bchwij,ocij->bohw", windows, k)
    assert np.allclose(np.array(got["out"]), want)
    assert got["is_tensor"] and got["has_detach"]
    assert (got["dtype"], got["size"], got["dim1"], got["numel"]) == ("float64", [2, 4, 4, 3], 4, 96)
    assert (got["float"], got["long"]) == ("float32", "int64")


def test_torchs_convolutions_are_not_there_and_the_failure_says_why(tmp_path):
    got = _run(
        tmp_path,
        """
        import importlib, torch
        import torch.nn.functional as F
        said = {}
        for name, reach in {
            "F.conv2d": lambda: F.conv2d,
            "torch.conv2d": lambda: torch.conv2d,
            "getattr": lambda: getattr(importlib.import_module("tor" + "ch.nn.functional"), "conv" + "2d"),
            "unfold": lambda: torch.nn.functional.unfold,
            "Conv2d": lambda: torch.nn.Conv2d,
        }.items():
            try:
                reach()
                said[name] = "reached"
            except AttributeError as error:
                said[name] = [type(error).__name__, str(error)]
        try:
            from torch.nn.functional import conv2d
            said["from"] = "reached"
        except ImportError as error:
            said["from"] = [type(error).__name__, str(error)]
        print(json.dumps(said))
        """,
    )
    for name in ("F.conv2d", "torch.conv2d", "getattr", "unfold", "Conv2d"):
        kind, message = got[name]
        assert kind == "StandInMissing" and "Part 2 asks for a NumPy convolution" in message, got[name]
    assert got["from"][0] == "ImportError"


def test_the_standin_offers_nothing_that_convolves():
    """Its functions are NumPy's own (or constructors): no name of a convolution, a correlation, an unfold."""
    names = {*torch_standin.FUNCTIONS, *vars(torch_standin.Tensor)}
    assert not [n for n in names if any(w in n.lower() for w in ("conv", "corr", "unfold", "pool", "fft"))]


@pytest.mark.parametrize("name", ["zeros", "ones", "sum", "einsum", "stack", "flip"])
def test_functions_under_torchs_names_are_numpys(tmp_path, name):
    got = _run(
        tmp_path,
        f"""
        import numpy as np, torch
        calls = {{
            "zeros": lambda f: f(2, 3), "ones": lambda f: f((2, 3)), "sum": lambda f: f(np.arange(6).reshape(2, 3), dim=1),
            "einsum": lambda f: f("ij,jk->ik", np.eye(2), np.arange(4.).reshape(2, 2)),
            "stack": lambda f: f([np.arange(2), np.arange(2)]), "flip": lambda f: f(np.arange(4), 0),
        }}
        print(json.dumps(np.asarray(calls[{name!r}](getattr(torch, {name!r}))).tolist()))
        """,
    )
    want = {
        "zeros": np.zeros((2, 3)),
        "ones": np.ones((2, 3)),
        "sum": np.arange(6).reshape(2, 3).sum(axis=1),
        "einsum": np.eye(2) @ np.arange(4.0).reshape(2, 2),
        "stack": np.stack([np.arange(2), np.arange(2)]),
        "flip": np.arange(4)[::-1],
    }[name]
    assert np.array_equal(np.array(got), want)


def test_set_up_beside_a_conv_runs_and_says_cpu(tmp_path):
    """Module-level lines a student's conv may reference: seeding, the device, no_grad."""
    got = _run(
        tmp_path,
        """
        import torch
        torch.manual_seed(0)
        device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
        with torch.no_grad(), torch.set_grad_enabled(False):
            pass
        print(json.dumps({"device": str(device), "gpus": torch.cuda.device_count()}))
        """,
    )
    assert got == {"device": "cpu", "gpus": 0}
