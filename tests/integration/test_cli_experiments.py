"""`ee449 part3 | part4 | part5 | all` on the quick preset's small data: the runs through real
subprocesses, the refused arguments in-process (`main([...])`)."""

from __future__ import annotations

import math
import os
import subprocess
import sys

import pytest
import torch

from ee449.cli.experiments import QUICK
from ee449.io import read_json
from tests.helpers.assertions import assert_equal
from tests.helpers.cli import run_ee449


def ee449(*args: str, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ee449", *args], capture_output=True, text=True, timeout=timeout
    )


@pytest.mark.parametrize(
    "argv, reason",
    [
        (["part3", "--arch", "cnn_4,nope"], "unknown architecture 'nope'; valid: mlp_1"),
        (["part5", "--arch", "mlp_1"], "other than mlp_1"),
        (["part5", "--switch-epochs", "12", "8"], "0 < E1 < E2 <= 30, got [12, 8]"),
        (["part3", "--device", "tpu"], "unknown device 'tpu'"),
        (["part3", "--quick", "--data", "/no/such/folder"], "'/no/such/folder' is not a folder"),
        (["part3", "--epochs", "0"], "argument --epochs: expected a positive integer, got '0'"),
        (["all", "--runs", "0"], "argument --runs: expected a positive integer, got '0'"),
    ],
)
def test_bad_arguments_exit_2_with_a_one_line_reason(argv, reason, tmp_path, capsys):
    threads = torch.get_num_threads()  # --quick would set one thread for this process
    try:
        result = run_ee449(capsys, *argv, "--out", str(tmp_path / "out"))
    finally:
        torch.set_num_threads(threads)
    assert_equal(result.returncode, 2, what=f"exit status of {argv}: {result.stderr}")
    errors = [line for line in result.stderr.splitlines() if "error:" in line]
    assert len(errors) == 1 and reason in errors[0], result.stderr
    assert result.stderr.rstrip("\n").splitlines()[-1] == errors[0], "the reason is not the last line"
    if "argument" in reason:  # argparse's own errors: the reason alone, no usage block
        assert_equal(len(result.stderr.splitlines()), 1, what=f"stderr lines: {result.stderr}")
    assert not (tmp_path / "out").exists(), "a rejected command created its output folder"


def quick_steps_per_epoch() -> int:
    """Recomputed from the preset: 10 classes x per-class images, 10% held out for validation,
    batches of 50 with the last partial batch kept."""
    train_images = 10 * QUICK["synthetic_per_class"][0] * 9 // 10
    return math.ceil(train_images / 50)


@pytest.mark.slow
def test_part3_quick_writes_its_files_and_a_second_run_does_nothing(tmp_path):
    out = tmp_path / "out"
    first = ee449("part3", "--quick", "--arch", "mlp_1", "--out", str(out))
    assert first.returncode == 0, first.stderr
    path = out / "part3_mlp_1.json"
    result = read_json(path)
    assert_equal(result["meta"]["runs_done"], 2, what="quick preset runs")
    assert_equal(result["meta"]["data"]["synthetic"], True, what="quick preset data")
    steps = QUICK["epochs"] * quick_steps_per_epoch()
    assert_equal(len(result["loss_curve"]), steps // QUICK["record_every"], what="quick preset curve length")
    assert (out / "figures" / "part3.png").is_file() and (
        out / "figures" / "part3_mlp_1_weights.png"
    ).is_file()
    before = (path.read_bytes(), os.stat(path).st_mtime_ns)

    again = ee449("part3", "--quick", "--arch", "mlp_1", "--out", str(out))
    assert again.returncode == 0, again.stderr
    assert "up to date" in again.stderr, again.stderr
    assert_equal((path.read_bytes(), os.stat(path).st_mtime_ns), before, what="result file after a re-run")


@pytest.mark.slow
def test_a_result_made_with_another_config_is_refused_then_replaced_with_force(tmp_path):
    out = tmp_path / "out"
    assert ee449("part4", "--quick", "--arch", "mlp_1", "--out", str(out)).returncode == 0
    path = out / "part4_mlp_1.json"
    before = path.read_bytes()
    refused = ee449("part4", "--quick", "--arch", "mlp_1", "--epochs", "1", "--out", str(out))
    assert_equal(refused.returncode, 2, what=f"status: {refused.stderr}")
    assert "different config (epochs differ)" in refused.stderr and "--force" in refused.stderr, (
        refused.stderr
    )
    assert_equal(path.read_bytes(), before, what="refused result file")
    forced = ee449("part4", "--quick", "--arch", "mlp_1", "--epochs", "1", "--force", "--out", str(out))
    assert forced.returncode == 0, forced.stderr
    assert_equal(read_json(path)["meta"]["config"]["epochs"], 1, what="replaced result's epochs")
    assert_equal(
        len(read_json(path)["relu_loss_curve"]),
        quick_steps_per_epoch() // QUICK["record_every"],
        what="one epoch of the quick preset",
    )


@pytest.mark.slow
def test_all_quick_leaves_every_result_figure_and_the_report(tmp_path):
    out = tmp_path / "out"
    # The README's `ee449 all --quick`, cut to two architectures and one epoch to keep CI short.
    result = ee449(
        "all", "--quick", "--arch", "mlp_1,cnn_3", "--part5-arch", "cnn_3", "--epochs", "1", "--out", str(out)
    )
    assert result.returncode == 0, result.stderr
    report = out / "report.html"
    assert f"wrote {report}" in result.stdout.splitlines() and report.is_file(), result.stdout
    # what it found, on stdout (progress stays on stderr): one line per architecture and rate, the claims
    found = result.stdout
    for line in (
        "part3 mlp_1: test accuracy",
        "part3 cnn_3: test accuracy",
        "part4 cnn_3: sigmoid/ReLU",
        "part5 cnn_3 lr 0.001: final validation accuracy",
        "part5 schedule: switches at epochs",
        "claim: CNNs beat MLPs: ",
    ):
        assert line in found, f"{line!r} not in stdout:\n{found}"
    assert "epoch 1/1" not in found and "epoch 1/1" in result.stderr, "progress on stderr only"
    assert "100%]" in result.stderr, result.stderr
    expected = [
        "part2_output.npy",
        "part3_mlp_1.json",
        "part3_cnn_3.json",
        "part4_mlp_1.json",
        "part4_cnn_3.json",
        "part5.json",
        "part5_schedule.json",
    ]
    missing = [name for name in expected if not (out / name).is_file()]
    assert not missing, f"missing {missing}; stderr:\n{result.stderr}"
    figures = {p.name for p in (out / "figures").iterdir()}
    for name in (
        "part2.png",
        "part3.png",
        "part4.png",
        "part5.png",
        "part5_schedule.png",
        "part3_cnn_3_weights.png",
    ):
        assert name in figures, f"{name} not in {sorted(figures)}"
    schedule = read_json(out / "part5_schedule.json")
    assert_equal(
        schedule["adam_test_acc"],
        read_json(out / "part3_cnn_3.json")["test_acc"],
        what="Adam comparison = Part 3's cnn_3 file",
    )
    assert_equal(
        schedule["constant_lr_test_acc"],
        read_json(out / "part5.json")["meta"]["test_acc"]["test_acc_1"],
        what="constant 0.1 test accuracy",
    )


@pytest.mark.slow
def test_the_demo_measures_all_four_claims_with_both_switches_inside_the_run(tmp_path):
    # `make demo` itself (about 1.5 min of CPU): on the quick preset every comparison the homework makes
    # must be measured, and the schedule's two switches must fall inside its run. "CNNs beat MLPs"
    # compares means over the runs with their spread (issue 21): with the demo's two runs per
    # architecture it may honestly be inconclusive, and then it must say the runs overlap.
    from ee449.report.load import load_folder
    from ee449.report.verdicts import HOLDS, INCONCLUSIVE, verdicts

    out = tmp_path / "out"
    result = ee449("all", "--quick", "--out", str(out), timeout=1800)
    assert result.returncode == 0, result.stderr
    found = {v.claim: (v.status, v.evidence) for v in verdicts(load_folder(out))}
    cnns = found.pop("CNNs beat MLPs")
    assert cnns[0] == HOLDS or (cnns[0] == INCONCLUSIVE and "runs overlap" in cnns[1]), cnns
    assert len(found) == 3 and all(status == HOLDS for status, _ in found.values()), found
    schedule = read_json(out / "part5_schedule.json")
    epochs = schedule["meta"]["config"]["epochs"]
    assert 0 < schedule["switch_epochs"][0] < schedule["switch_epochs"][1] < epochs, schedule["switch_epochs"]
