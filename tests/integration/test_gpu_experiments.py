"""The full experiments on real CIFAR-10, at the spec's settings, and the science they must show.

GPU only (`pytest -m gpu -n 4 --require-gpu`): each test is one independent unit (one
architecture of Part 3 or 4, Part 5, the schedule) so xdist spreads them over the GPUs
(conftest pins each worker to one GPU). The units run the real `ee449` commands in-process
into one shared output folder, so a unit that needs another's result (the cross-architecture
comparison, the schedule's Adam comparison) reuses it when it is there and makes it when not;
finished runs are saved, so an interrupted session resumes.

Data: `$EE449_CIFAR_DIR` (an unpacked image-folder CIFAR-10) or the shared archive, through
the `cifar_image_folder` fixture. Output: `$EE449_GPU_OUT`, else a folder beside pytest's
temporary folders shared by all workers of a session.

Bands (SPEC "What peers observed"): CNNs beat MLPs by at least 10 points, MLPs test at
35-45%, the best CNN at least 55%; deep sigmoid CNNs end near ln 10 with first-layer gradients
at least 10x smaller than ReLU's; lr 0.001 ends below lr 0.01 at 20 epochs; the schedule ends
at least at constant 0.1.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

import numpy as np
import pytest

from ee449.io import read_json
from ee449.models import ARCHITECTURES

pytestmark = pytest.mark.gpu

MLPS = ("mlp_1", "mlp_2")
CNNS = ("cnn_3", "cnn_4", "cnn_5")
DEEP_CNNS = ("cnn_4", "cnn_5")  # the sigmoid nets that stay at chance under SGD 0.01
CHANCE_LOSS = math.log(10)


@pytest.fixture(scope="session")
def gpu_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    env = os.environ.get("EE449_GPU_OUT")
    # Under xdist each worker's basetemp is a child of one session folder: its parent is shared.
    out = Path(env) if env else tmp_path_factory.getbasetemp().parent / "ee449-gpu-out"
    out.mkdir(parents=True, exist_ok=True)
    return out


@pytest.fixture
def ee449(require_cuda, cifar_image_folder, gpu_out):
    """Run `ee449 <command> ...` in-process on the real data into the shared folder."""
    from ee449.cli import main

    def command(*argv: str) -> Path:
        status = main(
            [*argv, "--data", str(cifar_image_folder), "--out", str(gpu_out), "--device", require_cuda]
        )
        assert status == 0, f"ee449 {' '.join(argv)} exited {status}"
        return gpu_out

    return command


def part3(ee449, arch: str) -> dict:
    return read_json(ee449("part3", "--arch", arch) / f"part3_{arch}.json")


def tail_mean(curve: list, points: int = 90) -> float:
    """Mean of the last `points` recorded points (90 = the last epoch at 900 steps per epoch)."""
    values = np.asarray([np.nan if v is None else v for v in curve[-points:]], dtype=float)
    return float(np.nanmean(values))


@pytest.mark.parametrize("arch", MLPS)
def test_part3_mlp_test_accuracy_is_35_to_45_percent(ee449, arch):
    result = part3(ee449, arch)
    assert len(result["loss_curve"]) == 1350 and result["meta"]["runs_done"] == 10
    assert 35.0 <= result["test_acc"] <= 45.0, f"{arch} test accuracy {result['test_acc']:.1f}%"


@pytest.mark.parametrize("arch", CNNS)
def test_part3_cnn_learns_well_past_chance(ee449, arch):
    result = part3(ee449, arch)
    assert len(result["val_acc_curve"]) == 1350 and result["meta"]["runs_done"] == 10
    assert tail_mean(result["loss_curve"]) < CHANCE_LOSS - 1.0, (
        f"{arch} final loss {tail_mean(result['loss_curve'])}"
    )
    assert result["test_acc"] >= 45.0, f"{arch} test accuracy {result['test_acc']:.1f}%"


def test_cnns_beat_mlps_by_10_points_and_the_best_cnn_reaches_55_percent(ee449):
    accs = {arch: part3(ee449, arch)["test_acc"] for arch in ARCHITECTURES}
    best_mlp, worst_cnn = max(accs[a] for a in MLPS), min(accs[a] for a in CNNS)
    assert worst_cnn >= best_mlp + 10.0, f"test accuracies {accs}"
    assert max(accs[a] for a in CNNS) >= 55.0, f"test accuracies {accs}"


@pytest.mark.parametrize("arch", ARCHITECTURES)
def test_part4_relu_learns_and_deep_sigmoid_cnns_stay_at_chance(ee449, arch):
    result = read_json(ee449("part4", "--arch", arch) / f"part4_{arch}.json")
    for key in ("relu_loss_curve", "sigmoid_loss_curve", "relu_grad_curve", "sigmoid_grad_curve"):
        assert len(result[key]) == 1350, f"{key} has {len(result[key])} points"
    assert tail_mean(result["relu_loss_curve"]) < CHANCE_LOSS - 0.3, "ReLU net did not learn under SGD 0.01"
    if arch in DEEP_CNNS:
        sigmoid_loss = tail_mean(result["sigmoid_loss_curve"])
        assert abs(sigmoid_loss - CHANCE_LOSS) < 0.02, (
            f"{arch} sigmoid final loss {sigmoid_loss:.4f}, not ln 10"
        )
        relu_grad = float(np.mean(result["relu_grad_curve"]))
        sigmoid_grad = float(np.mean(result["sigmoid_grad_curve"]))
        assert sigmoid_grad * 10 <= relu_grad, (
            f"{arch} mean grad: sigmoid {sigmoid_grad:.3g}, relu {relu_grad:.3g}"
        )


def test_part5_lr_0001_ends_below_lr_001_after_20_epochs(ee449):
    result = read_json(ee449("part5", "--arch", "cnn_4") / "part5.json")
    for key in ("loss_curve_1", "loss_curve_01", "loss_curve_001", "val_acc_curve_001"):
        assert len(result[key]) == 1800, f"{key} has {len(result[key])} points"
    slow, medium = tail_mean(result["val_acc_curve_001"]), tail_mean(result["val_acc_curve_01"])
    assert slow < medium, f"last-epoch validation accuracy: lr 0.001 {slow:.1f}% >= lr 0.01 {medium:.1f}%"


def test_the_schedule_ends_at_least_at_constant_01(ee449):
    # The same command as the unit above: whichever runs second finds the files up to date.
    result = read_json(ee449("part5", "--arch", "cnn_4") / "part5_schedule.json")
    e1, e2 = result["switch_epochs"]
    assert 1 <= e1 < e2 <= 30, f"switch epochs {result['switch_epochs']}"
    assert len(result["val_acc_curve_stage3"]) == 2700
    assert result["test_acc"] >= result["constant_lr_test_acc"], (
        f"schedule {result['test_acc']:.1f}% < constant 0.1 {result['constant_lr_test_acc']:.1f}%"
    )
    assert math.isfinite(result["adam_test_acc"])
