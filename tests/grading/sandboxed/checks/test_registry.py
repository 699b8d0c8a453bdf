"""The registry is the one list of run checks: the sandbox's check modules collect exactly what the
grader plans for a grading (`registry.planned`, `judge.expected_checks`), in the same order.

Oracle: real pytest collecting the real check modules with the real plugin (as the sandbox does,
without the sandbox), reporting what it collected on its progress log.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from ee449.grading.judging.judge import expected_checks
from ee449.grading.sandbox.progress_log import trusted_timeout
from ee449.grading.sandbox.runner import CHECK_MODULES
from ee449.grading.sandboxed.checks import registry
from ee449.grading.sandboxed.checks.manifest import Manifest, Slot

EVERY_KIND = Manifest(
    course_data="/course",  # never read at collection
    part1="xor",
    arch_keys=("mlp_1", "cnn_3", "cnn_3_sigmoid"),
    probe_seed=11,
    result_files=(
        Slot("part3_mlp_1", 3, "mlp_1", "p3.json"),
        Slot("part3", 3, None, None),
        Slot("part4", 4, None, "p4.pkl"),
        Slot("part5_cnn_4", 5, "cnn_4", "p5.json"),
    ),
)
NOTHING_OPTIONAL = Manifest(arch_keys=("mlp_2",), result_files=(Slot("part4", 4),))


def _collected(tmp_path: Path, manifest: Manifest) -> list[tuple[str, str]]:
    progress = tmp_path / "progress.jsonl"
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps(replace(manifest, progress=str(progress), records=str(tmp_path)).to_json()))
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    checks = Path(registry.__file__).parent
    argv = [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", "--noconftest"]
    argv += ["-p", "ee449.grading.sandboxed.checks.plugin", "-c", str(tmp_path / "pytest.ini")]
    argv += ["--rootdir", str(tmp_path), "-o", "python_files=check_*.py"]
    argv += [str(checks / module) for module in CHECK_MODULES]
    env = {**os.environ, "EE449_GRADING_MANIFEST": str(path)}
    done = subprocess.run(argv, env=env, cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    (collected,) = [
        e for e in map(json.loads, progress.read_text().splitlines()) if e["event"] == "collected"
    ]
    return [(c["id"], c["target"]) for c in collected["checks"]]


def test_the_sandbox_collects_exactly_the_checks_the_grader_plans(tmp_path):
    planned = expected_checks(EVERY_KIND)
    assert _collected(tmp_path, EVERY_KIND) == planned
    groups = {check_id.partition("/")[0] for check_id, _ in planned}
    assert groups == {"conv", "xor", "arch", "results"}  # the manifest asked for every kind


@pytest.mark.slow
def test_checks_a_grading_does_not_have_are_neither_run_nor_reported(tmp_path):
    # No course data, the 2023 Part 1, no probe seed, no Part 3 or 5 file: those checks are not there.
    assert _collected(tmp_path, NOTHING_OPTIONAL) == expected_checks(NOTHING_OPTIONAL)
    assert {check_id for check_id, _ in expected_checks(NOTHING_OPTIONAL)} >= {"results/part4/keys"}


def test_a_checks_budget_is_its_calls_of_student_code():
    assert trusted_timeout("conv/course_samples", 2.0) == 20.0  # ten sample files
    assert trusted_timeout("xor/training", 2.0) == 6.0
    assert trusted_timeout("conv/matches_reference[multichannel]", 2.0) == 2.0
    assert trusted_timeout("not/a/check", 2.0) == 2.0
    assert all(check.calls >= 1 for check in registry.CHECKS)


def test_each_entry_is_one_kind_of_check():
    names = [(check.group, check.name) for check in registry.CHECKS]
    assert len(set(names)) == len(names)
    assert all(check.param or "{" not in check.target for check in registry.CHECKS)
