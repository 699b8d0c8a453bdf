"""A score per item (conv and each architecture) from the per-check points."""

from __future__ import annotations

from ee449.grading.grades import CheckResult
from ee449.grading.output.items import item_of, item_scores


def test_items_sum_their_checks_and_leave_out_variants_and_result_files():
    checks = [
        CheckResult("conv/output_shape", True, 2, 2, "visible"),
        CheckResult("conv/implemented_in_numpy", False, 0, 4, "visible"),
        CheckResult("arch/cnn_3/layers", False, 1.5, 4, "visible"),
        CheckResult("arch/cnn_3/constructible", True, 1, 1, "visible"),
        CheckResult("arch/cnn_3_sigmoid/layers", True, 0, 0, "visible"),
        CheckResult("results/part5/keys", True, 1, 1, "visible"),
    ]
    scores = item_scores(checks)
    assert scores["conv"] == (2, 6) and scores["cnn_3"] == (2.5, 5) and scores["mlp_1"] == (0, 0)
    assert list(scores) == ["conv", "mlp_1", "mlp_2", "cnn_3", "cnn_4", "cnn_5"]
    assert item_of("static/adam_lr") is None and item_of("arch/cnn_3_sigmoid/layers") is None
