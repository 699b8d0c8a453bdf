"""The full experiments on real CIFAR-10, at the spec's settings, and the science they must show.

GPU only (`pytest -m gpu -n 4 --require-gpu`): each test is one independent unit (one
architecture of Part 3 or 4, Part 5, the schedule) so xdist spreads them over the GPUs
(conftest pins each worker to one GPU). The units run the real `ee449` commands in-process,
one output folder per command line under a folder shared by the workers, so a unit that needs
another's result (the cross-architecture comparison) reuses it when it is there and makes it
when not; finished runs are saved, so an interrupted session resumes.

On the CPU (`--gpu-on-cpu` or `EE449_GPU_TESTS_ON_CPU=1`, as CI runs them) the same units run
at tiny settings (`TINY`: the `--quick` synthetic data, one epoch, two runs, switch epochs by
hand) and check the files' shapes only: a typo or a wrong path fails on every commit, not on
the first GPU box. The science bands hold only at the spec's settings (`FULL`).

Data: `$EE449_CIFAR_DIR` (an unpacked image-folder CIFAR-10) or the shared archive, through
the `cifar_image_folder` fixture. Output: `$EE449_GPU_OUT`, else a folder beside pytest's
temporary folders shared by all workers of a session.

Bands (SPEC "What peers observed"): CNNs beat MLPs by at least 10 points, MLPs test at
35-45%, the best CNN at least 55%; deep sigmoid CNNs end near ln 10 with first-layer gradients
at least 10x smaller than ReLU's; lr 0.001 ends below lr 0.01 at 20 epochs; the schedule ends
at least at constant 0.1.
"""

from __future__ import annotations

import contextlib
import fcntl
import math
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from ee449.io import read_json
from ee449.models import ARCHITECTURES
from ee449.spec import BATCH_SIZE, RECORD_EVERY

pytestmark = pytest.mark.gpu

MLPS = ("mlp_1", "mlp_2")
CNNS = ("cnn_3", "cnn_4", "cnn_5")
DEEP_CNNS = ("cnn_4", "cnn_5")  # the sigmoid nets that stay at chance under SGD 0.01
CHANCE_LOSS = math.log(10)


@dataclass(frozen=True)
class Scale:
    """The settings the units run at, and the curve lengths they make."""

    train_images: int  # after the validation split
    epochs: int  # Parts 3 and 4
    runs: int  # Part 3's runs per architecture
    part5_epochs: int  # the schedule trains ceil(1.5 x) epochs
    bands: bool  # the spec's settings on CIFAR-10: the science bands hold

    def points(self, epochs: int) -> int:
        """Curve length of a run of `epochs` (SPEC "Recording": floor(steps / record_every))."""
        return epochs * math.ceil(self.train_images / BATCH_SIZE) // RECORD_EVERY

    @property
    def schedule_epochs(self) -> int:
        return math.ceil(1.5 * self.part5_epochs)

    def options(self, command: str) -> tuple[str, ...]:
        """What `command` gets on top of its defaults: nothing at the spec's settings."""
        if self.bands:
            return ()
        if command == "part5":  # switch epochs by hand: the plateau rule needs more epochs than this
            return ("--quick", "--epochs", str(self.part5_epochs), "--switch-epochs", "1", "2")
        runs = ("--runs", str(self.runs)) if command == "part3" else ()
        return ("--quick", "--epochs", str(self.epochs), *runs)


FULL = Scale(train_images=45_000, epochs=15, runs=10, part5_epochs=20, bands=True)  # the homework's
TINY = Scale(train_images=2_700, epochs=1, runs=2, part5_epochs=1, bands=False)  # --quick's data


@pytest.fixture(scope="session")
def scale(gpu_device: str) -> Scale:
    return TINY if gpu_device == "cpu" else FULL


@pytest.fixture(scope="session")
def gpu_out(tmp_path_factory: pytest.TempPathFactory, scale: Scale) -> Path:
    env = os.environ.get("EE449_GPU_OUT") if scale is FULL else None
    # Under xdist each worker's basetemp is a child of one session folder: its parent is shared.
    name = "ee449-gpu-out" if scale is FULL else "ee449-gpu-on-cpu-out"
    out = Path(env) if env else tmp_path_factory.getbasetemp().parent / name
    out.mkdir(parents=True, exist_ok=True)
    return out


@pytest.fixture
def ee449(request: pytest.FixtureRequest, gpu_device: str, scale: Scale, gpu_out: Path):
    """Run `ee449 <command> ...` in-process: real data, or `--quick`'s on the CPU.

    Each command line has its own output folder under `gpu_out` (one writer per folder: the
    commands lock it), and waits for a worker already running the same line, then finds its
    files up to date: units that share a command (the schedule and Part 5, the comparison and
    Part 3) run it once, and different commands run in parallel.
    """
    from ee449.cli import main

    data = "synthetic" if scale is TINY else str(request.getfixturevalue("cifar_image_folder"))

    def command(*argv: str) -> Path:
        out = gpu_out / "_".join(word.lstrip("-") for word in argv)
        with _waiting_for(out.with_suffix(".lock")):
            options = scale.options(argv[0])
            status = main([*argv, *options, "--data", data, "--out", str(out), "--device", gpu_device])
        assert status == 0, f"ee449 {' '.join(argv)} exited {status}"
        return out

    return command


@contextlib.contextmanager
def _waiting_for(path: Path) -> Iterator[None]:
    """Hold `path`'s lock, waiting for another worker that holds it (ee449's own lock refuses instead)."""
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)  # blocking; dropped when the file closes
        yield


def part3(ee449, arch: str) -> dict:
    return read_json(ee449("part3", "--arch", arch) / f"part3_{arch}.json")


def tail_mean(curve: list, points: int) -> float:
    """Mean of the last `points` recorded points (the last epoch: `scale.points(1)`)."""
    values = np.asarray([np.nan if v is None else v for v in curve[-points:]], dtype=float)
    return float(np.nanmean(values))


@pytest.mark.parametrize("arch", MLPS)
def test_part3_mlp_test_accuracy_is_35_to_45_percent(ee449, scale, arch):
    result = part3(ee449, arch)
    assert len(result["loss_curve"]) == scale.points(scale.epochs), len(result["loss_curve"])
    assert result["meta"]["runs_done"] == scale.runs, result["meta"]["runs_done"]
    if scale.bands:
        assert 35.0 <= result["test_acc"] <= 45.0, f"{arch} test accuracy {result['test_acc']:.1f}%"


@pytest.mark.parametrize("arch", CNNS)
def test_part3_cnn_learns_well_past_chance(ee449, scale, arch):
    result = part3(ee449, arch)
    assert len(result["val_acc_curve"]) == scale.points(scale.epochs), len(result["val_acc_curve"])
    assert result["meta"]["runs_done"] == scale.runs, result["meta"]["runs_done"]
    final_loss = tail_mean(result["loss_curve"], scale.points(1))
    assert math.isfinite(final_loss), f"{arch} final loss {final_loss}"
    if scale.bands:
        assert final_loss < CHANCE_LOSS - 1.0, f"{arch} final loss {final_loss}"
        assert result["test_acc"] >= 45.0, f"{arch} test accuracy {result['test_acc']:.1f}%"


def test_cnns_beat_mlps_by_10_points_and_the_best_cnn_reaches_55_percent(ee449, scale):
    accs = {arch: part3(ee449, arch)["test_acc"] for arch in ARCHITECTURES}
    assert all(0.0 <= acc <= 100.0 for acc in accs.values()), f"test accuracies {accs}"
    if scale.bands:
        best_mlp, worst_cnn = max(accs[a] for a in MLPS), min(accs[a] for a in CNNS)
        assert worst_cnn >= best_mlp + 10.0, f"test accuracies {accs}"
        assert max(accs[a] for a in CNNS) >= 55.0, f"test accuracies {accs}"


@pytest.mark.parametrize("arch", ARCHITECTURES)
def test_part4_relu_learns_and_deep_sigmoid_cnns_stay_at_chance(ee449, scale, arch):
    result = read_json(ee449("part4", "--arch", arch) / f"part4_{arch}.json")
    for key in ("relu_loss_curve", "sigmoid_loss_curve", "relu_grad_curve", "sigmoid_grad_curve"):
        assert len(result[key]) == scale.points(scale.epochs), f"{key} has {len(result[key])} points"
    if not scale.bands:
        return
    last_epoch = scale.points(1)
    relu_loss = tail_mean(result["relu_loss_curve"], last_epoch)
    assert relu_loss < CHANCE_LOSS - 0.3, f"ReLU net did not learn under SGD 0.01: final loss {relu_loss:.3f}"
    if arch in DEEP_CNNS:
        sigmoid_loss = tail_mean(result["sigmoid_loss_curve"], last_epoch)
        assert abs(sigmoid_loss - CHANCE_LOSS) < 0.02, (
            f"{arch} sigmoid final loss {sigmoid_loss:.4f}, not ln 10"
        )
        relu_grad = float(np.mean(result["relu_grad_curve"]))
        sigmoid_grad = float(np.mean(result["sigmoid_grad_curve"]))
        assert sigmoid_grad * 10 <= relu_grad, (
            f"{arch} mean grad: sigmoid {sigmoid_grad:.3g}, relu {relu_grad:.3g}"
        )


def test_part5_lr_0001_ends_below_lr_001_after_20_epochs(ee449, scale):
    result = read_json(ee449("part5", "--arch", "cnn_4") / "part5.json")
    for key in ("loss_curve_1", "loss_curve_01", "loss_curve_001", "val_acc_curve_001"):
        assert len(result[key]) == scale.points(scale.part5_epochs), f"{key} has {len(result[key])} points"
    last_epoch = scale.points(1)
    slow = tail_mean(result["val_acc_curve_001"], last_epoch)
    medium = tail_mean(result["val_acc_curve_01"], last_epoch)
    assert not scale.bands or slow < medium, (
        f"last-epoch validation accuracy: lr 0.001 {slow:.1f}% >= lr 0.01 {medium:.1f}%"
    )


def test_the_schedule_ends_at_least_at_constant_01(ee449, scale):
    # The same command as the unit above: whichever runs second finds the files up to date.
    result = read_json(ee449("part5", "--arch", "cnn_4") / "part5_schedule.json")
    e1, e2 = result["switch_epochs"]
    assert 1 <= e1 < e2 <= scale.schedule_epochs, f"switch epochs {result['switch_epochs']}"
    assert len(result["val_acc_curve_stage3"]) == scale.points(scale.schedule_epochs)
    assert not scale.bands or result["test_acc"] >= result["constant_lr_test_acc"], (
        f"schedule {result['test_acc']:.1f}% < constant 0.1 {result['constant_lr_test_acc']:.1f}%"
    )
    assert math.isfinite(result["adam_test_acc"])
