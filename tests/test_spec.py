"""ee449.spec: the homework as data, importable without torch."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from ee449 import models, spec

_IMPORTS = """
import json, sys
import {module}
print(json.dumps(sorted(name for name in sys.modules if name == "torch" or name.startswith("torch."))))
"""


@pytest.mark.parametrize("module", ["ee449.spec", "ee449.results", "ee449.grading.grade", "ee449.cli.grade"])
def test_importing_it_does_not_import_torch(module):
    # The grader's own process needs the architecture names, not torch (about 3 s to import);
    # a fresh interpreter shows what an import really pulls in.
    done = subprocess.run(
        [sys.executable, "-c", _IMPORTS.format(module=module)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == [], f"importing {module} imported torch"


def test_models_builds_every_registered_architecture_and_nothing_else():
    assert models.ARCHITECTURES is spec.ARCHITECTURES
    for name in spec.ARCHITECTURES:
        assert models.build(name).name == name
    with pytest.raises(
        ValueError, match=r"unknown architecture 'cnn_6'; valid: mlp_1, mlp_2, cnn_3, cnn_4, cnn_5"
    ):
        spec.check_architecture("cnn_6")
