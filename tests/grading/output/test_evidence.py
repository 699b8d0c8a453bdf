"""ee449.grading.output.evidence: what a grading keeps of its sandbox's records, read as the judge reads them.

Real files on disk: a records folder as a sandboxed child could leave it (a record, an array, a
planted link, a FIFO, a file that is no record), kept and loaded back; the judge's reader
(`records.load_record`) gives the same record from the kept copy as from the original.
"""

from __future__ import annotations

import json
import os

import numpy as np
import pytest

from ee449.grading.judging.records import load_record, record_name
from ee449.grading.output import evidence
from ee449.grading.sandbox.output_folder import OutputFolder
from ee449.grading.sandbox.progress_log import Outcome
from ee449.grading.sandboxed.checks.manifest import Manifest

CHECK = "conv/matches_reference[multichannel]"


def _records_folder(root):
    folder = root / "out" / "records"
    folder.mkdir(parents=True)
    stem = record_name(CHECK)
    np.save(folder / f"{stem}.out.npy", np.arange(6.0).reshape(1, 1, 2, 3), allow_pickle=False)
    (folder / f"{stem}.json").write_text(json.dumps({"id": CHECK, "values": {"out": {"__npy__": True}}}))
    secret = root / "secret.txt"
    secret.write_text("the grader's file")
    os.symlink(secret, folder / f"{record_name('arch/mlp_1/layers')}.json")  # planted: never followed
    os.mkfifo(folder / f"{record_name('arch/mlp_1/constructible')}.json")  # would block a plain read
    (folder / "notes.txt").write_text("not a record")
    return OutputFolder(root, "out", "records")


def test_kept_records_load_as_the_originals_and_nothing_planted_is_kept(tmp_path):
    records = _records_folder(tmp_path / "box")
    said = [Outcome(CHECK, "my_conv2d", True, seconds=0.1)]
    kept = evidence.collect(records, Manifest(arch_keys=("mlp_1",), probe_seed=3), said)
    assert kept.complete and sorted(kept.records) == sorted(
        [f"{record_name(CHECK)}.json", f"{record_name(CHECK)}.out.npy"]
    )
    evidence.write(kept, tmp_path / "student")
    manifest, said_again, stored = evidence.load(tmp_path / "student")
    assert manifest == Manifest(arch_keys=("mlp_1",), probe_seed=3) and said_again == said
    original, copy = load_record(records, CHECK), load_record(stored, CHECK)
    assert original is not None and copy is not None
    assert np.array_equal(copy.array("out"), original.array("out"))
    assert "the grader's file" not in "".join(
        p.read_text(errors="replace") for p in (tmp_path / "student").rglob("*") if p.is_file()
    )


def test_records_over_the_cap_are_not_kept_and_rejudging_says_so(tmp_path, monkeypatch):
    records = _records_folder(tmp_path / "box")
    monkeypatch.setattr(evidence, "MAX_BYTES", 100)  # the array alone is larger
    kept = evidence.collect(records, Manifest(), [])
    assert not kept.complete and kept.records == {}
    evidence.write(kept, tmp_path / "student")
    assert evidence.load(tmp_path / "student") is None


def test_a_folder_without_evidence_loads_as_none(tmp_path):
    assert evidence.load(tmp_path) is None
    (tmp_path / "evidence").mkdir()
    (tmp_path / "evidence" / "manifest.json").write_text("[1, 2]")
    (tmp_path / "evidence" / "said.json").write_text("[]")
    assert evidence.load(tmp_path) is None


@pytest.mark.parametrize(
    "kept",
    [
        {"result_files": [{"slot": "part4"}]},  # a slot without its part
        {"input_shape": ["one", 32, 32]},
        {"arch_keys": 7},
    ],
)
def test_a_kept_manifest_this_version_cannot_read_loads_as_none(tmp_path, kept):
    (tmp_path / "evidence").mkdir()
    (tmp_path / "evidence" / "manifest.json").write_text(json.dumps({"manifest": kept, "complete": True}))
    (tmp_path / "evidence" / "said.json").write_text("[]")
    assert evidence.load(tmp_path) is None
