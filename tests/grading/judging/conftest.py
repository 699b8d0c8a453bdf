"""The judge's tests: an output folder of records, as the sandbox leaves one."""

from __future__ import annotations

import pytest

from ee449.grading.sandbox.output_folder import OutputFolder


@pytest.fixture
def records(tmp_path):
    (tmp_path / "out" / "records").mkdir(parents=True)
    return tmp_path, OutputFolder(tmp_path, "out", "records")
