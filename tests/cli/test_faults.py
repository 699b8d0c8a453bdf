"""Bad arguments and faulty output folders give one line and the right exit status (2: bad
arguments, 1: a fault during work), never a traceback. In-process `ee449.cli.main`, real files,
real tmpfs mounts (skipped where mounting is not allowed)."""

from __future__ import annotations

import json

import pytest
import torch

from ee449 import cli
from ee449.cli.experiment_options import MAX_SEED
from tests.helpers.mounts import fill, tmpfs


@pytest.fixture(autouse=True)
def keep_threads():
    before = torch.get_num_threads()  # --quick sets one thread for the process
    yield
    torch.set_num_threads(before)


def run(capsys, *argv: str) -> tuple[int, list[str]]:
    with pytest.raises(SystemExit) as stopped:
        cli.main(list(argv))
    lines = [line for line in capsys.readouterr().err.splitlines() if "error" in line]
    return int(stopped.value.code), lines


def one_line(capsys, argv, status: int, *says: str) -> str:
    code, errors = run(capsys, *argv)
    assert code == status and len(errors) == 1 and all(s in errors[0] for s in says), (code, errors)
    return errors[0]


@pytest.mark.skipif(torch.cuda.device_count() > 7, reason="this machine has a CUDA device 7")
def test_an_absent_cuda_device_is_named_with_the_count(capsys, tmp_path):
    found = torch.cuda.device_count() if torch.cuda.is_available() else 0
    one_line(
        capsys,
        ["part3", "--device", "cuda:7", "--out", str(tmp_path)],
        2,
        f"no CUDA device 7 (found {found})",
    )


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has CUDA")
def test_cuda_without_cuda_is_one_line(capsys, tmp_path):
    one_line(capsys, ["part4", "--device", "cuda", "--out", str(tmp_path)], 2, "no CUDA device 0 (found 0)")


@pytest.mark.parametrize(
    "argv, says",
    [
        (["--seed", str(10**20)], f"valid: 0 to {MAX_SEED}"),
        (["--seed", "1e20"], "expected an integer"),
        (["--threads", "1000000"], "valid: 1 to"),
        (["--arch", ","], "names no architecture; valid: mlp_1"),
        (["--arch", " , ,"], "names no architecture"),
    ],
)
def test_out_of_range_arguments_are_refused_with_the_valid_range(capsys, tmp_path, argv, says):
    one_line(capsys, ["part3", "--quick", "--out", str(tmp_path / "out"), *argv], 2, says)
    assert not (tmp_path / "out").exists()


def test_the_largest_seed_is_accepted_and_its_run_seeds_fit_64_bits():
    assert (MAX_SEED * 1000 + 999) < 2**63 <= ((MAX_SEED + 1) * 1000 + 999) + 1000


def test_out_that_is_a_file_is_refused(capsys, tmp_path):
    (tmp_path / "file").write_text("x")
    one_line(
        capsys,
        ["part3", "--quick", "--out", str(tmp_path / "file")],
        2,
        f"--out {tmp_path / 'file'} is a file",
    )


@pytest.mark.slow  # part1 builds the five models and takes an SGD step: several seconds on 2 cores
def test_json_under_a_file_is_one_line_naming_the_path(capsys, tmp_path):
    (tmp_path / "file").write_text("x")
    one_line(
        capsys, ["part1", "--json", str(tmp_path / "file" / "p1.json")], 2, str(tmp_path / "file"), "EEXIST"
    )


def test_a_read_only_out_is_refused_naming_the_errno(capsys, tmp_path):
    with tmpfs(tmp_path / "ro", "256k", read_only=True) as folder:
        one_line(
            capsys, ["part3", "--quick", "--arch", "mlp_1", "--out", str(folder)], 2, str(folder), "EROFS"
        )


def test_a_full_disk_under_json_is_a_fault_naming_path_and_errno(capsys, tmp_path):
    with tmpfs(tmp_path / "full", "64k") as folder:
        fill(folder)
        one_line(capsys, ["part1", "--json", str(folder / "p1.json")], 1, str(folder / "p1.json"), "ENOSPC")
        assert not [p.name for p in folder.iterdir() if p.name != "filler"], "a partial file was left behind"


def test_an_unreadable_result_file_offers_the_rebuild_before_force(capsys, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "part3_mlp_1.json").write_text('{"name": "mlp_1", "loss_cur')  # not ee449's: refused, not replaced
    line = one_line(capsys, ["part3", "--quick", "--arch", "mlp_1", "--out", str(out)], 2, "part3_mlp_1.json")
    assert line.index("rebuild it from the saved runs") < line.index("--force"), line
    assert json.dumps is not None and (out / "part3_mlp_1.json").read_text().endswith("loss_cur")


def test_bench_json_under_a_file_is_refused_before_measuring(capsys, tmp_path):
    (tmp_path / "file").write_text("x")
    one_line(
        capsys,
        ["bench", "--quick", "--json", str(tmp_path / "file" / "bench.json")],
        2,
        "must be a file in a folder",
    )


def test_grade_out_that_is_a_file_is_refused_before_grading(capsys, tmp_path):
    (tmp_path / "file").write_text("x")
    (tmp_path / "submission").mkdir()
    one_line(capsys, ["grade", str(tmp_path / "submission"), "--out", str(tmp_path / "file")], 2, "is a file")
