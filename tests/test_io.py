"""ee449.io: atomic writes and the strict JSON serializer, against real files on disk."""

from __future__ import annotations

import dataclasses
import json
import math
import os
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
import torch

from ee449.errors import ResultsError
from ee449.io import atomic_write_bytes, read_json, save_npy, to_jsonable, write_json
from tests.helpers.assertions import assert_equal


@dataclasses.dataclass(frozen=True)
class _Config:
    epochs: int
    lr: float
    archs: tuple[str, ...]


def test_json_round_trips_results_with_numpy_torch_and_dataclasses(tmp_path):
    payload = {
        "config": _Config(15, 1e-3, ("mlp_1", "cnn_4")),
        "curve": np.array([2.3, 1.9, 1.5], dtype=np.float32),
        "weights": torch.arange(6, dtype=torch.float64).reshape(2, 3),
        "steps": np.int64(900),
        "path": Path("/tmp/x"),
        "device": torch.device("cpu"),
    }
    path = write_json(tmp_path / "r.json", payload)
    back = json.loads(path.read_text())
    assert_equal(back["config"], {"epochs": 15, "lr": 1e-3, "archs": ["mlp_1", "cnn_4"]}, "config")
    assert np.allclose(back["curve"], [2.3, 1.9, 1.5], rtol=1e-6)
    assert_equal(back["weights"], [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]], "weights")
    assert_equal((back["steps"], back["path"], back["device"]), (900, "/tmp/x", "cpu"), "scalars")


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -math.inf])
def test_non_finite_floats_become_null_not_invalid_json(tmp_path, bad):
    path = write_json(tmp_path / "r.json", {"loss": [1.0, bad]})
    assert_equal(json.loads(path.read_text()), {"loss": [1.0, None]}, "non-finite")


def test_unknown_types_fail_loudly_naming_the_type(tmp_path):
    with pytest.raises(TypeError, match="set"):
        write_json(tmp_path / "r.json", {"x": {1, 2}})
    assert not (tmp_path / "r.json").exists()


def test_atomic_write_replaces_whole_file_and_leaves_no_temporaries(tmp_path):
    target = tmp_path / "sub" / "f.bin"
    atomic_write_bytes(target, b"old")
    atomic_write_bytes(target, b"new contents")
    assert_equal(target.read_bytes(), b"new contents", "content")
    assert_equal(sorted(p.name for p in target.parent.iterdir()), ["f.bin"], "files in folder")


def test_failed_serialization_keeps_the_previous_file(tmp_path):
    target = tmp_path / "r.json"
    write_json(target, {"ok": 1})
    with pytest.raises(TypeError):
        write_json(target, {"bad": object()})
    assert_equal(read_json(target), {"ok": 1}, "previous file")


def test_interrupted_write_keeps_the_previous_file(tmp_path, monkeypatch):
    # A crash between writing the temporary file and renaming it must leave the old file whole.
    target = tmp_path / "r.json"
    write_json(target, {"ok": 1})

    def crash(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(KeyboardInterrupt):
        write_json(target, {"ok": 2})
    monkeypatch.undo()
    assert_equal(read_json(target), {"ok": 1}, "previous file")
    assert_equal([p.name for p in tmp_path.iterdir()], ["r.json"], "no temporaries left")


def test_read_json_names_missing_and_corrupt_files(tmp_path):
    with pytest.raises(ResultsError, match="not found.*nope.json"):
        read_json(tmp_path / "nope.json")
    corrupt = tmp_path / "half.json"
    corrupt.write_text('{"loss_curve": [1.0, 2')
    with pytest.raises(ResultsError, match="half.json.*not valid JSON"):
        read_json(corrupt)


def test_save_npy_round_trips_through_numpy_load(tmp_path):
    array = np.random.default_rng(0).normal(size=(5, 8, 25, 25))
    path = save_npy(tmp_path / "out.npy", array)
    assert np.array_equal(np.load(path), array)


def test_to_jsonable_keeps_plain_values():
    assert_equal(to_jsonable({"a": [1, "b", None, True, 2.5]}), {"a": [1, "b", None, True, 2.5]}, "plain")


@pytest.mark.parametrize("umask", [0o022, 0o002, 0o077])
def test_written_files_get_the_mode_of_any_new_file_under_the_users_umask(tmp_path, umask):
    # In a child process, so the umask set there does not leak into other tests; the oracle is
    # a file made by plain open() under the same umask.
    script = textwrap.dedent(f"""
        import os, sys
        os.umask({umask})
        from ee449.io import write_json, atomic_write_bytes
        write_json(sys.argv[1] + "/results.json", {{"score": 1}})
        atomic_write_bytes(sys.argv[1] + "/report.html", b"<p>")
        open(sys.argv[1] + "/plain", "w").close()
    """)
    subprocess.run([sys.executable, "-c", script, str(tmp_path)], check=True, env={**os.environ})
    expected = stat.S_IMODE((tmp_path / "plain").stat().st_mode)
    assert expected == 0o666 & ~umask
    for name in ("results.json", "report.html"):
        mode = stat.S_IMODE((tmp_path / name).stat().st_mode)
        assert mode == expected, (
            f"{name}: mode {mode:o}, a new file under umask {umask:03o} gets {expected:o}"
        )
