"""The Part 2 run: built-in inputs, the files it writes, and the `ee449 part2` command."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from ee449.basics.digits import KERNEL_BANK, KERNEL_NAMES, kernel_bank, synthetic_digits
from ee449.cli.part2 import Part2Result, run_part2
from tests.helpers.assertions import assert_close, assert_equal
from tests.helpers.cli import run_ee449


def torch_conv(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """The oracle: torch's conv2d on float64 copies."""
    return torch.nn.functional.conv2d(
        torch.from_numpy(np.array(x, dtype=np.float64)), torch.from_numpy(np.array(w, dtype=np.float64))
    ).numpy()


def check_written(result: Part2Result, samples: np.ndarray, kernel: np.ndarray) -> None:
    """Every file run_part2 reports exists on disk and agrees with torch's conv of the inputs."""
    expected = torch_conv(samples, kernel)
    output = np.load(result.output_path, allow_pickle=False)
    assert_close(output, expected, rtol=0, atol=1e-9, what="part2_output.npy vs torch")
    assert_equal(result.output_shape, expected.shape, "Part2Result.output_shape")
    assert_close(
        (result.output_min, result.output_max), (expected.min(), expected.max()), what="Part2Result range"
    )
    summary = json.loads(result.json_path.read_text())
    assert_equal(summary["output"]["shape"], list(expected.shape), "json output shape")
    assert_equal(summary["samples"]["shape"], list(samples.shape), "json samples shape")
    assert_equal(summary["samples"]["dtype"], str(samples.dtype), "json samples dtype")
    assert_close(
        [summary["output"][k] for k in ("min", "max", "sum")],
        [expected.min(), expected.max(), expected.sum()],
        rtol=1e-12,
        what="json min/max/sum",
    )
    with Image.open(result.figure_path) as png:
        assert png.format == "PNG"
    assert result.figure_path == result.output_path.parent / "figures" / "part2.png"


def test_run_part2_with_builtin_inputs_writes_files_that_read_back(tmp_path):
    result = run_part2(None, None, tmp_path, digit=4, seed=1)
    check_written(result, synthetic_digits(4, 5, seed=1), kernel_bank())
    assert_equal(result.output_shape, (5, 8, 25, 25), "the course's Part 2 output shape")
    assert "digit 4" in json.loads(result.json_path.read_text())["samples"]["source"]


def test_run_part2_with_given_arrays_uses_them(tmp_path):
    rng = np.random.default_rng(0)
    samples = rng.integers(0, 256, (3, 2, 11, 9), dtype=np.uint8)
    kernel = rng.standard_normal((4, 2, 3, 5))
    check_written(run_part2(samples, kernel, tmp_path / "new" / "dir"), samples, kernel)


@pytest.mark.parametrize("digit", range(10))
def test_synthetic_digits_look_like_mnist_samples(digit):
    images = synthetic_digits(digit, 5, seed=0)
    assert_equal((images.shape, images.dtype), ((5, 1, 28, 28), np.dtype(np.uint8)), "shape, dtype")
    for image in images[:, 0]:
        ink = np.argwhere(image > 64)
        assert len(ink) > 20, "a visible digit"
        # MNIST: the digit sits in the middle, a 20x20 box, with a dark margin round it.
        assert ink.min() >= 1 and ink.max() <= 26
        assert (ink.max(axis=0) - ink.min(axis=0)).max() <= 24
        assert (
            image[0].max() == 0
            and image[-1].max() == 0
            and image[:, 0].max() == 0
            and image[:, -1].max() == 0
        )
    assert len({im.tobytes() for im in images}) == 5, "five different distortions"


def test_synthetic_digits_are_deterministic_in_digit_and_seed():
    np.testing.assert_array_equal(synthetic_digits(3, 5, seed=7), synthetic_digits(3, 5, seed=7))
    assert not np.array_equal(synthetic_digits(3, 5, seed=7), synthetic_digits(3, 5, seed=8))
    assert not np.array_equal(synthetic_digits(3, 5, seed=7), synthetic_digits(8, 5, seed=7))


@pytest.mark.parametrize("bad", [-1, 10, 2.0, True, "7"])
def test_synthetic_digits_rejects_a_bad_digit(bad):
    with pytest.raises(ValueError, match="digit must be an int from 0 to 9"):
        synthetic_digits(bad)


def test_kernel_bank_is_eight_4x4_float64_kernels_with_their_documented_sums():
    bank = kernel_bank()
    assert_equal((bank.shape, bank.dtype), ((8, 1, 4, 4), np.dtype(np.float64)), "shape, dtype")
    assert_equal(len(KERNEL_NAMES), 8, "names")
    sums = dict(zip(KERNEL_NAMES, bank.sum(axis=(1, 2, 3))))
    for name in (
        "vertical edge",
        "horizontal edge",
        "diagonal edge",
        "anti-diagonal edge",
        "centre-surround",
    ):
        assert_close(sums[name], 0.0, atol=1e-12, what=f"{name} sums to 0 (no response on flat regions)")
    for name in ("box blur", "binomial blur", "sharpen"):
        assert_close(sums[name], 1.0, atol=1e-12, what=f"{name} sums to 1 (keeps brightness)")
    bank[0] = 99  # a copy: the bank itself is not changed
    assert kernel_bank()[0].max() < 1 and all(k.shape == (4, 4) for _, k, _ in KERNEL_BANK)


@pytest.mark.parametrize(
    ("edge", "responds", "silent"),
    [("vertical", "vertical edge", "horizontal edge"), ("horizontal", "horizontal edge", "vertical edge")],
)
def test_edge_kernels_respond_to_their_edge_only(edge, responds, silent):
    step = np.zeros((1, 1, 8, 8))
    if edge == "vertical":
        step[..., :, 4:] = 1.0  # dark left half, bright right half
    else:
        step[..., 4:, :] = 1.0  # dark top, bright bottom
    response = dict(zip(KERNEL_NAMES, torch_conv(step, kernel_bank())[0]))
    assert response[responds].max() > 0.4
    assert_close(
        response[silent], np.zeros_like(response[silent]), atol=1e-12, what=f"{silent} on a {edge} step"
    )


def test_part2_command_runs_on_builtin_data(capsys, tmp_path):
    done = run_ee449(capsys, "part2", "--out", str(tmp_path), "--digit", "7")
    assert done.returncode == 0, done.stderr
    for name in ("part2_output.npy", "part2.json", "figures/part2.png"):
        assert (tmp_path / name).is_file()
        assert str(tmp_path / name) in done.stdout, "the command says where each file went"
    assert_close(
        np.load(tmp_path / "part2_output.npy"),
        torch_conv(synthetic_digits(7), kernel_bank()),
        rtol=0,
        atol=1e-9,
        what="CLI output vs torch",
    )


def test_part2_command_on_the_course_files(capsys, tmp_path, course_data_dir):
    samples, kernel = course_data_dir / "samples_5.npy", course_data_dir / "kernel.npy"
    done = run_ee449(
        capsys, "part2", "--samples", str(samples), "--kernel", str(kernel), "--out", str(tmp_path)
    )
    assert done.returncode == 0, done.stderr
    output = np.load(tmp_path / "part2_output.npy")
    assert_close(
        output, torch_conv(np.load(samples), np.load(kernel)), rtol=0, atol=1e-9, what="course samples_5"
    )
    summary = json.loads((tmp_path / "part2.json").read_text())
    assert_equal(summary["samples"]["source"], str(samples), "source recorded")
    assert_equal(summary["samples"]["dtype"], "uint8", "course samples dtype")


def _bad_files(folder: Path) -> dict[str, Path]:
    np.save(folder / "flat.npy", np.zeros((28, 28), dtype=np.uint8))
    (folder / "junk.npy").write_bytes(b"this is not an npy file at all")
    np.save(folder / "objects.npy", np.array([{"a": 1}], dtype=object), allow_pickle=True)
    np.savez(folder / "archive.npz", x=np.zeros((1, 1, 4, 4)))
    return {
        "missing": folder / "nope.npy",
        "wrong-shape": folder / "flat.npy",
        "corrupt": folder / "junk.npy",
        "pickled": folder / "objects.npy",
        "npz": folder / "archive.npz",
    }


@pytest.mark.parametrize(
    ("case", "option", "message"),
    [
        ("missing", "--samples", "samples file not found"),
        ("wrong-shape", "--samples", r"has shape \(28, 28\); expected a 4-D array"),
        ("corrupt", "--kernel", "kernel file .* is not a readable .npy array"),
        ("pickled", "--samples", "is not a readable .npy array"),
        ("npz", "--kernel", "holds NpzFile, expected one .npy array"),
    ],
)
def test_part2_command_rejects_bad_files_in_one_line(capsys, tmp_path, case, option, message):
    path = _bad_files(tmp_path)[case]
    done = run_ee449(capsys, "part2", option, str(path), "--out", str(tmp_path / "out"))
    assert_equal(done.returncode, 2, f"exit status ({done.stderr})")
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert re.search(message, done.stderr), done.stderr
    assert not (tmp_path / "out" / "part2_output.npy").exists()


def test_part2_command_rejects_mismatched_channels_in_one_line(capsys, tmp_path):
    np.save(tmp_path / "rgb.npy", np.zeros((2, 3, 10, 10), dtype=np.uint8))
    done = run_ee449(capsys, "part2", "--samples", str(tmp_path / "rgb.npy"), "--out", str(tmp_path / "out"))
    assert_equal(done.returncode, 2, "exit status")
    assert "kernel has 1 input channels but input has 3" in done.stderr
