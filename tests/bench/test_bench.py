"""`ee449 bench` and its reference loop (ee449/bench/, ee449/cli/bench.py).

No timing is asserted here (speed lives in the numbers the bench prints); these tests check
that the bench runs end to end, counts the images it really processed, and that its reference
loop really pays for torchvision's per-image pipeline on the same images ee449's trainer gets.
"""

from __future__ import annotations

import json
import math
import shlex
import subprocess
import sys

import numpy as np
import pytest
import torch
from hypothesis import given
from PIL import Image

from ee449 import cli
from ee449.bench import reference
from ee449.bench.options import BenchOptions
from ee449.bench.run import run_bench
from ee449.cli.bench_options import options_from
from ee449.data import transform
from tests.helpers.assertions import assert_close, assert_equal
from tests.helpers.strategies import rgb_images

PIXEL_TOL = 1e-5  # float32 rounding between torchvision's per-image ops and the batched ones (values ~ +-2)
PHASES = ("reference", "trainer", "replicas_sequential", "replicas_batched")


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory: pytest.TempPathFactory):
    """One real `ee449 bench --quick` subprocess with explicit counts: (options, JSON, stdout)."""
    options = {"steps": 10, "val_size": 30, "replicas": 2, "replica_steps": 10}
    path = tmp_path_factory.mktemp("bench") / "bench.json"
    command = [
        sys.executable,
        "-m",
        "ee449",
        "bench",
        "--quick",
        "--device",
        "cpu",
        "--json",
        str(path),
        "--markdown",
        *[word for name, value in options.items() for word in (f"--{name.replace('_', '-')}", str(value))],
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"ee449 bench failed ({done.returncode}):\n{done.stdout}\n{done.stderr}"
    return options, json.loads(path.read_text(encoding="utf-8")), done.stdout


@pytest.mark.slow  # the shared `ee449 bench --quick` subprocess: about 1 min on 2 busy cores
def test_quick_bench_writes_every_phase_with_the_images_it_processed(quick_run):
    options, result, _ = quick_run
    assert_equal(
        set(result),
        {
            "schema",
            "command",
            "options",
            "workload",
            "data",
            "environment",
            "phases",
            "replicas_max_curve_difference",
            "ratios",
            "targets",
            "targets_met",
        },
        what="top-level keys",
    )
    assert_equal(set(result["phases"]), set(PHASES), what="phases")
    for name, phase in result["phases"].items():
        runs = 1 if name in ("reference", "trainer") else options["replicas"]
        steps = options["steps"] if name in ("reference", "trainer") else options["replica_steps"]
        assert_equal(phase["runs"], runs, what=f"{name} runs")
        assert_equal(phase["train_images"], runs * steps * 50, what=f"{name} training images")
        assert_equal(
            phase["val_images"], runs * (steps // 10) * options["val_size"], what=f"{name} validation images"
        )
        assert_equal(phase["images"], phase["train_images"] + phase["val_images"], what=f"{name} images")
        assert phase["seconds"] > 0 and math.isfinite(phase["seconds"]), f"{name}: seconds {phase['seconds']}"
        assert phase["images_per_s"] > 0 and math.isfinite(phase["images_per_s"]), (
            f"{name}: {phase['images_per_s']}"
        )
        assert_close(
            phase["images_per_s"], phase["images"] / phase["seconds"], rtol=1e-12, what=f"{name} images/s"
        )
        assert phase["peak_gpu_bytes"] is None, f"{name}: a CPU run reports no GPU memory"


@pytest.mark.slow
def test_quick_bench_ratios_are_the_ratios_of_its_throughputs(quick_run):
    _, result, _ = quick_run
    rate = {name: phase["images_per_s"] for name, phase in result["phases"].items()}
    assert_close(result["ratios"]["trainer_over_reference"], rate["trainer"] / rate["reference"], rtol=1e-12)
    assert_close(
        result["ratios"]["batched_over_sequential"],
        rate["replicas_batched"] / rate["replicas_sequential"],
        rtol=1e-12,
    )
    for name, met in result["targets_met"].items():
        assert_equal(met, result["ratios"][name] >= result["targets"][name], what=f"{name} target met")


@pytest.mark.slow
def test_quick_bench_records_its_environment_and_a_command_that_reproduces_it(quick_run):
    options, result, stdout = quick_run
    env = result["environment"]
    assert_equal(env["torch"], torch.__version__, what="torch version")
    assert_equal(env["device"], "cpu", what="device")
    assert isinstance(env["threads"], int) and env["threads"] >= 1, env["threads"]
    assert env["git_commit"] is None or len(env["git_commit"]) == 40, env["git_commit"]
    reparsed = options_from(_parse(shlex.split(result["command"])[2:]))
    assert_equal(reparsed, BenchOptions(**result["options"]), what="options from the recorded command")
    assert_equal({k: result["options"][k] for k in options}, options, what="options")
    header, row = [line for line in stdout.splitlines() if line.startswith("| ")][::2]
    cells = dict(zip(header.strip("| ").split(" | "), row.strip("| ").split(" | "), strict=True))
    assert_equal(
        cells["trainer img/s"], f"{result['phases']['trainer']['images_per_s']:,.0f}", what="trainer cell"
    )
    assert_equal(
        cells["trainer / reference"], f"{result['ratios']['trainer_over_reference']:.2f}x", what="ratio cell"
    )
    assert_equal(cells["command"], f"`{result['command']}`", what="command cell")


def _parse(words: list[str]):
    parser = cli._command_parser(next(c for c in cli.COMMANDS if c.name == "bench"))
    return parser.parse_args(words)


@given(case=rgb_images())
def test_reference_dataset_applies_the_torchvision_pipeline_per_image(case):
    dataset = reference.ArrayImageDataset(case.images, case.labels, reference.spec_transform())
    expected = transform(case.images)  # ee449.data's vectorised transform: float32 [N, 1, 32, 32]
    for i in range(len(case.images)):
        image, label = dataset[i]
        assert isinstance(image, torch.Tensor) and image.dtype == torch.float32
        assert_close(image, expected[i], rtol=0, atol=PIXEL_TOL, what=f"image {i}")
        assert_equal(label, int(case.labels[i]), what=f"label {i}")


def test_trainer_gets_the_same_images_as_the_reference_loop_from_an_image_folder(tmp_path):
    rng = np.random.default_rng(3)
    pixels = rng.integers(0, 256, size=(2, 6, 32, 32, 3), dtype=np.uint8)  # 2 classes x 6 images
    for c, name in enumerate(("airplane", "automobile")):
        (tmp_path / "train" / name).mkdir(parents=True)
        for i in range(6):
            Image.fromarray(pixels[c, i]).save(tmp_path / "train" / name / f"{i:04d}.png")  # lossless
    images = reference.bench_images(str(tmp_path), None, n_train=5, n_val=4, seed=1)
    assert not set(images.train_index) & set(images.val_index), "training and validation images overlap"
    assert set(images.test_index) <= set(images.val_index)
    splits = images.splits()
    for split in ("train", "val", "test"):
        index = getattr(images, f"{split}_index")
        originals = pixels.reshape(12, 32, 32, 3)[index]  # ImageFolder lists each class's files in order
        assert_equal(
            getattr(splits, f"{split}_labels").tolist(), [int(i) // 6 for i in index], what=f"{split} labels"
        )
        per_image = torch.stack([images.dataset[int(i)][0] for i in index])
        assert_close(
            getattr(splits, f"{split}_images"), per_image, rtol=0, atol=PIXEL_TOL, what=f"{split} images"
        )
        assert_close(
            getattr(splits, f"{split}_images"), transform(originals), rtol=0, atol=0, what=f"{split} pixels"
        )


@pytest.mark.slow  # 17 s on 2 busy cores
def test_trainer_only_bench_skips_the_other_phases():
    options = BenchOptions(
        data="synthetic",
        steps=20,
        val_size=20,
        replicas=0,
        skip_reference=True,
        warmup=False,
        device="cpu",
        repeats=2,
        min_seconds=0,
    )
    result = run_bench(options)
    assert_equal(set(result["phases"]), {"trainer"}, what="phases")
    assert_equal(
        result["ratios"], {"trainer_over_reference": None, "batched_over_sequential": None}, what="ratios"
    )
    trainer = result["phases"]["trainer"]
    assert_equal(trainer["images"], 20 * 50 + 2 * 20, what="images per repeat (2 validation passes)")
    assert_equal(len(trainer["repeat_seconds"]), 2, what="repeats")
    slow, fast = trainer["images_per_s_spread"]
    assert_close(
        [slow, fast],
        [
            trainer["images"] / max(trainer["repeat_seconds"]),
            trainer["images"] / min(trainer["repeat_seconds"]),
        ],
        what="spread",
    )
    assert slow <= trainer["images_per_s"] <= fast, trainer


def test_defaults_measure_fairly_and_quick_is_a_smoke_test():
    full = BenchOptions()
    assert (full.warmup, full.repeats >= 3, full.min_seconds >= 3, full.data) == (
        True,
        True,
        True,
        "torchvision",
    )
    quick = options_from(_parse(["--quick"]))
    assert (quick.data, quick.warmup, quick.repeats, quick.min_seconds) == ("synthetic", False, 1, 0.0), quick
    assert_equal(options_from(_parse(["--data-root", "/cache"])).root, "/cache", what="--data-root")


@pytest.mark.parametrize(
    "option, value",
    [("steps", 15), ("steps", 0), ("replica_steps", 5), ("val_size", 0), ("replicas", 1), ("replicas", -2)],
)
def test_bad_options_are_rejected_naming_the_value(option, value):
    with pytest.raises(ValueError, match=f"{option} .*{value}"):
        BenchOptions(**{option: value})


@pytest.mark.parametrize(
    "words, message",
    [
        (
            ["--steps", "15"],
            "steps must be a positive multiple of 10 (one validation pass per 10 steps), got 15",
        ),
        (["--data", "no-such-folder"], "unknown data source 'no-such-folder'"),
    ],
)
def test_bench_command_reports_a_bad_option_in_one_line(capsys, tmp_path, words, message):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["bench", "--quick", "--json", str(tmp_path / "bench.json"), *words])
    assert_equal(exit_info.value.code, 2, what="exit status")
    assert message in capsys.readouterr().err
    assert not (tmp_path / "bench.json").exists(), "a failed bench must not write results"


@pytest.mark.gpu
def test_quick_bench_on_cuda_reports_peak_gpu_memory_of_every_phase(require_cuda, tmp_path):
    path = tmp_path / "bench.json"
    done = subprocess.run(
        [sys.executable, "-m", "ee449", "bench", "--quick", "--device", require_cuda, "--json", str(path)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, f"ee449 bench failed ({done.returncode}):\n{done.stdout}\n{done.stderr}"
    result = json.loads(path.read_text(encoding="utf-8"))
    assert_equal(result["environment"]["device"].split(":")[0], "cuda", what="device")
    assert_equal(result["workload"]["warmed_up"], False, what="--quick skips the warm-up")
    for name, phase in result["phases"].items():
        # At least cnn_4's parameters and one batch of 50 images are on the GPU during every phase.
        assert phase["peak_gpu_bytes"] >= 50 * 32 * 32 * 4, f"{name}: peak {phase['peak_gpu_bytes']} bytes"


@pytest.mark.parametrize(
    "options",
    [
        BenchOptions(compile=True, allow_tf32=True, skip_reference=True, warmup=True, root="/data/cache"),
        BenchOptions(data="torchvision", device="cuda:1", steps=100, val_size=5000, replicas=0, warmup=False),
    ],
)
def test_the_recorded_command_reproduces_every_option(options):
    reparsed = options_from(_parse(shlex.split(options.command())[2:]))
    assert_equal(reparsed, options, what="options parsed back from their command")


@pytest.mark.slow  # 29 s on 2 busy cores
def test_the_reference_loop_does_the_trainers_work_per_step_on_the_same_images(monkeypatch):
    # Every forward pass of cnn_4 is seen: mode (training = with autograd / evaluation) and the
    # images it took. The reference loop's model (a `models.build` module) through a forward hook;
    # the trainer's (a StackedNet of one replica, ee449's one training loop) through its forward.
    # Both loops must train on the same number of images in batches of 50 (one optimizer step
    # each) and evaluate the same validation images every 10 steps and the test batch once,
    # however they chunk the evaluation, so that images/s compares like with like.
    from ee449 import models
    from ee449.bench.run import TrainerRuns
    from ee449.models.stacked import StackedNet

    seen: list[list[tuple[bool, int]]] = []
    build = models.build

    def observed_build(*args, **kwargs):
        model = build(*args, **kwargs)
        calls: list[tuple[bool, int]] = []
        seen.append(calls)
        model.register_forward_hook(
            lambda module, inputs, output: calls.append((module.training, len(inputs[0])))
        )
        return model

    stacked_forward = StackedNet.forward
    trainer_calls: list[tuple[bool, int]] = []

    def observed_forward(self, x):
        trainer_calls.append((torch.is_grad_enabled(), x.shape[-4]))  # (R, B, 1, H, W) or (B, 1, H, W)
        return stacked_forward(self, x)

    monkeypatch.setattr(models, "build", observed_build)
    monkeypatch.setattr(StackedNet, "forward", observed_forward)
    steps, val_size = 20, 70
    images = reference.bench_images("synthetic", None, steps * 50, val_size, seed=0)
    reference.reference_loop(images, steps, torch.device("cpu"), seed=0)
    assert len(seen) == 1, f"the reference loop built {len(seen)} models"
    TrainerRuns(images.splits(), 0, torch.device("cpu"), steps)()
    seen.append(trainer_calls)
    work = []
    for calls in seen:
        train = [n for training, n in calls if training]
        work.append((len(train), set(train), sum(n for training, n in calls if not training)))
    test_images = len(images.test_index)
    expected = (steps, {50}, (steps // 10) * val_size + test_images)
    assert_equal(
        work, [expected, expected], what="(training steps, batch sizes, evaluated images) reference, trainer"
    )
