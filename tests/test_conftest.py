"""conftest.py, the control panel: what `--require-gpu` does on a machine without CUDA."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def test_require_gpu_without_cuda_fails_once_at_the_start():
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA: --require-gpu runs the gpu tests")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-m",
            "gpu",
            "--require-gpu",
            "-p",
            "no:cacheprovider",
            "-q",
            "tests/bench",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "CUDA_VISIBLE_DEVICES": ""},
    )
    output = done.stdout + done.stderr
    # A usage error (exit 4) is raised while pytest configures, before it collects or runs anything:
    # the structural form of "fails once, at the start" (a wall-clock bound would be flaky here).
    assert done.returncode == pytest.ExitCode.USAGE_ERROR, output
    assert output.count("CUDA is not available") == 1, output
    assert "passed" not in output and "failed" not in output, f"no test ran: {output}"
