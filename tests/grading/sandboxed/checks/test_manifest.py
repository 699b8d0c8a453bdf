"""The manifest crosses the sandbox as JSON and back (`Manifest.to_json` / `from_json`) unchanged.

Oracle: the JSON the grader writes is read by the sandbox's copy of this module (`support.manifest`),
and a manifest a class run kept from before a field existed still reads, with that field's default.
"""

from __future__ import annotations

import json
from dataclasses import fields

from hypothesis import given

from ee449.grading.sandboxed.checks import support
from ee449.grading.sandboxed.checks.manifest import Manifest, Slot, Target
from tests.helpers.strategies import manifests


@given(manifests())
def test_a_manifest_reads_back_as_it_was_written(manifest):
    assert Manifest.from_json(json.loads(json.dumps(manifest.to_json()))) == manifest


def test_the_sandbox_reads_the_file_the_grader_writes(tmp_path, monkeypatch):
    written = Manifest(
        arch_keys=("cnn_3",), result_files=(Slot("part4", 4),), check_timeout=2.5, numpy_only=True
    )
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps(written.to_json()))
    monkeypatch.setenv("EE449_GRADING_MANIFEST", str(path))
    monkeypatch.setattr(support, "_MANIFEST", None)
    assert support.manifest() == written


def test_a_manifest_kept_from_before_reads_with_defaults_and_ignores_what_it_does_not_know():
    old = {
        "found": {"mlp_1": {"key": "mlp_1", "name": "MLP1", "gone": 2}},
        "arch_keys": ["mlp_1"],
        "a_field_long_gone": 1,
    }
    manifest = Manifest.from_json(old)
    assert manifest.found == {"mlp_1": Target("mlp_1", "MLP1")} and manifest.arch_keys == ("mlp_1",)
    assert manifest.name("mlp_1") == "MLP1" and manifest.name("cnn_3") == "cnn_3"
    assert manifest.probe_seed is None and manifest.result_files == ()  # a grading from before the probe
    unchanged = {f.name for f in fields(Manifest)} - {"found", "arch_keys"}
    assert all(getattr(manifest, name) == getattr(Manifest(), name) for name in unchanged)
