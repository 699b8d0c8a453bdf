"""Faults met by real `ee449` processes: broken result files, a disk that fills up, two writers,
a saved run cut short. Small quick-preset runs (mlp_1, one epoch), each a few seconds of training."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ee449.lock import LOCK_NAME
from tests.helpers.mounts import resize, tmpfs

pytestmark = pytest.mark.slow

SMALL = ("--quick", "--arch", "mlp_1", "--epochs", "1")  # 54 steps: 5 recorded points per run


def ee449(*args: str, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ee449", *args], capture_output=True, text=True, timeout=timeout
    )


def trained(stderr: str) -> int:
    """How many epoch lines the progress printed (one per epoch trained; none when all runs were reused)."""
    return sum(1 for line in stderr.splitlines() if re.search(r"\bepoch \d+/\d+ loss ", line))


def saved_runs(out: Path) -> dict[str, float]:
    return {str(p.relative_to(out)): p.stat().st_mtime for p in (out / ".runs").glob("*/seed_*.json")}


@pytest.fixture(scope="module")
def made(tmp_path_factory) -> tuple[Path, dict]:
    """One part3 result of two runs, made once; tests copy it."""
    out = tmp_path_factory.mktemp("made") / "out"
    done = ee449("part3", *SMALL, "--runs", "2", "--out", str(out))
    assert done.returncode == 0, done.stderr
    return out, json.loads((out / "part3_mlp_1.json").read_text())


def _copy(made_out: Path, to: Path) -> Path:
    subprocess.run(["cp", "-a", str(made_out), str(to)], check=True)
    return to


@pytest.mark.parametrize(
    "damage",
    [
        lambda r: r.update(loss_curve="oops"),
        lambda r: r.pop("train_acc_curve"),
        lambda r: r.update(val_acc_curve=r["val_acc_curve"][:2]),
    ],
    ids=["a string curve", "a missing key", "unequal curves"],
)
def test_a_broken_result_body_is_rebuilt_from_the_saved_runs_without_training(made, tmp_path, damage):
    out = _copy(made[0], tmp_path / "out")
    path = out / "part3_mlp_1.json"
    result = json.loads(path.read_text())
    damage(result)
    path.write_text(json.dumps(result))
    before = saved_runs(out)
    done = ee449("part3", *SMALL, "--runs", "2", "--out", str(out))
    assert done.returncode == 0 and "rebuilding it from the saved runs" in done.stderr, done.stderr
    assert trained(done.stderr) == 0 and saved_runs(out) == before, "a run was retrained"
    rebuilt = json.loads(path.read_text())
    for key in ("loss_curve", "train_acc_curve", "val_acc_curve", "test_acc", "weights"):
        assert rebuilt[key] == made[1][key], key


def test_force_after_a_broken_result_file_names_the_cheap_fix(made, tmp_path):
    out = _copy(made[0], tmp_path / "out")
    path = out / "part3_mlp_1.json"
    path.write_text(path.read_text().replace('"loss_curve": [', '"loss_curve": ["oops", ', 1))
    done = ee449("part3", *SMALL, "--runs", "2", "--force", "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert "run without --force to rebuild it from the saved runs" in done.stderr, done.stderr


def test_a_saved_run_cut_short_is_retrained_and_the_curves_keep_their_length(made, tmp_path):
    out = _copy(made[0], tmp_path / "out")
    (out / "part3_mlp_1.json").unlink()
    run_file = sorted((out / ".runs").glob("*/seed_1.json"))[0]
    saved = json.loads(run_file.read_text())
    for key in ("loss_curve", "train_acc_curve", "val_acc_curve"):
        saved["history"][key] = saved["history"][key][:2]
    saved["history"]["test_acc"] = "99.5"
    run_file.write_text(json.dumps(saved))
    done = ee449("part3", *SMALL, "--runs", "2", "--out", str(out))
    assert done.returncode == 0 and trained(done.stderr) == 1, done.stderr  # that run only
    rebuilt = json.loads((out / "part3_mlp_1.json").read_text())
    # Trained alone here, together with run 0 (replica batching) the first time: equal up to float
    # rounding of the summation order.
    assert len(rebuilt["loss_curve"]) == 5
    assert rebuilt["loss_curve"] == pytest.approx(made[1]["loss_curve"], rel=1e-5)
    assert rebuilt["meta"]["run_test_accs"] == pytest.approx(made[1]["meta"]["run_test_accs"], abs=0.5)


def test_a_second_writer_on_one_out_exits_2_naming_the_first(tmp_path):
    out = tmp_path / "out"
    command = [sys.executable, "-m", "ee449", "part3", *SMALL, "--runs", "3", "--out", str(out)]
    first = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.time() + 120
        lock = out / LOCK_NAME
        while not (lock.is_file() and lock.read_text().strip()) and time.time() < deadline:
            time.sleep(0.2)
        # Held still while the second one tries (a stopped process keeps its lock): on a busy
        # machine the first could otherwise finish its small runs before the second starts.
        os.kill(first.pid, signal.SIGSTOP)
        try:
            second = ee449("part3", *SMALL, "--runs", "1", "--out", str(out))
        finally:
            os.kill(first.pid, signal.SIGCONT)
        assert second.returncode == 2, second.stderr
        assert f"(PID {first.pid})" in second.stderr.strip().splitlines()[-1], second.stderr
        assert first.wait(timeout=300) == 0
        assert json.loads((out / "part3_mlp_1.json").read_text())["meta"]["runs_done"] == 3
    finally:
        if first.poll() is None:
            os.kill(first.pid, signal.SIGKILL)
            first.wait()


def test_a_disk_that_fills_up_keeps_the_finished_runs_and_resumes_after(made, tmp_path):
    run_size = max(p.stat().st_size for p in (made[0] / ".runs").glob("*/seed_*.json"))
    with tmpfs(tmp_path / "disk", f"{(run_size * 3 // 2) // 1024}k") as disk:  # room for one saved run
        out = disk / "out"
        done = ee449("part3", *SMALL, "--runs", "2", "--out", str(out))
        line = done.stderr.strip().splitlines()[-1]
        assert done.returncode == 1, done.stderr
        assert "ENOSPC" in line and str(out / ".runs") in line and "1 finished runs stay saved" in line, line
        assert "Traceback" not in done.stderr
        assert len(saved_runs(out)) == 1 and not list(out.rglob("*.tmp"))
        resize(disk, "16m")
        resumed = ee449("part3", *SMALL, "--runs", "2", "--out", str(out))
        assert resumed.returncode == 0 and trained(resumed.stderr) == 1, resumed.stderr
        resumed_curve = json.loads((out / "part3_mlp_1.json").read_text())["loss_curve"]
        assert resumed_curve == pytest.approx(made[1]["loss_curve"], rel=1e-5)
