"""A check's id is made and taken apart in one place (`protocol.CheckId`), on both sides of the sandbox.

Oracles: the templates the sandbox's check functions are marked with (`registry`, formatted as the
plugin formats them; test_registry.py checks that the sandbox collects them), and the grader's list of
every check (`judge.expected_checks`) for a manifest that asks for every kind.
"""

from __future__ import annotations

import pytest
from hypothesis import given

from ee449.grading.judging.judge import expected_checks
from ee449.grading.sandboxed.checks import registry
from ee449.grading.sandboxed.checks.manifest import Manifest, Slot
from ee449.grading.sandboxed.checks.protocol import (
    SUBJECT_GROUPS,
    CheckId,
    arch_check,
    conv_case_check,
    results_check,
)
from tests.helpers.strategies import check_id_parts


@given(check_id_parts())
def test_an_id_made_from_its_parts_parses_back_into_them(parts):
    made = str(CheckId(parts.group, parts.name, parts.subject))
    assert made == "/".join(p for p in parts if p)  # the text the rubric's globs and the CSVs see
    assert CheckId.parse(made) == CheckId(parts.group, parts.name, parts.subject)


def _sandbox_templates() -> list[str]:
    """Every id template the sandbox's check functions are marked with (`support.registered`)."""
    return [check.template for check in registry.CHECKS]


@pytest.mark.parametrize("template", _sandbox_templates())
def test_the_sandboxs_ids_parse_into_the_subject_they_were_made_for(template):
    text = template.format(key="cnn_3", slot="part3_mlp_1", case="multichannel", check="forward")
    parsed = CheckId.parse(text)
    assert str(parsed) == text
    if parsed.group in SUBJECT_GROUPS:
        assert parsed.subject in {"cnn_3", "part3_mlp_1"}
        assert "{" not in parsed.name and parsed.name == template.rpartition("/")[2]
    else:
        assert parsed.subject == ""


def test_the_sandbox_has_templates_for_every_group_the_grader_expects():
    assert {CheckId.parse(t).group for t in _sandbox_templates()} >= {"arch", "results", "conv", "xor"}


def test_the_graders_list_of_checks_is_made_by_the_helpers():
    manifest = Manifest(
        course_data="/course",
        part1="xor",
        arch_keys=("mlp_1", "cnn_3"),
        probe_seed=1,
        result_files=(Slot("part3_mlp_1", 3, "mlp_1"), Slot("part4", 4)),
    )
    ids = [check_id for check_id, _ in expected_checks(manifest)]
    parsed = [CheckId.parse(i) for i in ids]
    assert [str(p) for p in parsed] == ids
    assert arch_check("cnn_3", "computes") in ids and results_check("part4", "gradients_nonnegative") in ids
    assert conv_case_check("multichannel") in ids
    assert {p.subject for p in parsed if p.group == "arch"} == {"mlp_1", "cnn_3"}
    assert {p.subject for p in parsed if p.group == "results"} == {"part3_mlp_1", "part4"}
    assert all(p.subject == "" for p in parsed if p.group not in SUBJECT_GROUPS)
