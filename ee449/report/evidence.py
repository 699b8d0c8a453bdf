"""How strong a comparison of two architectures' runs is: means with their spread, and a test where one fits.

A Part 3 result records every run's test accuracy (`meta.run_test_accs`); the homework's
`test_acc` is the best run's. Comparing best runs rewards luck: with two runs each, the best of
a noisy architecture can beat a steadier one whose mean is higher. So a claim compares means,
calls it INCONCLUSIVE when the two sets of runs overlap (the range of one reaches into the
other's), and reports Welch's t-test (`scipy.stats.ttest_ind_from_stats`, unequal variances:
the architectures' spreads differ) as the size of the evidence, not as the rule, since two or
three runs make any p-value rough.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from scipy import stats


@dataclass(frozen=True)
class RunComparison:
    margin: float  # mean of `higher` minus mean of `lower`, in points
    overlap: bool  # the two ranges of runs overlap: the order of the means could be luck
    p_value: float  # Welch's two-sided t-test; NaN when it cannot be computed (one run, no spread)
    text: str  # one sentence with both sides' numbers


def has_spread(row: dict[str, Any]) -> bool:
    """Whether a Part 3 row records at least two runs (`load.run_spread`)."""
    return math.isfinite(row.get("runs", math.nan)) and row["runs"] >= 2


def describe(row: dict[str, Any]) -> str:
    return (
        f"{row['name']} mean {row['mean']:.2f}% (sd {row['std']:.2f}, {int(row['runs'])} runs, "
        f"{row['min']:.2f} to {row['max']:.2f})"
    )


def compare_runs(first: dict[str, Any], second: dict[str, Any]) -> RunComparison:
    """`first` against `second` (Part 3 rows with spread): margin of the means, overlap, Welch's p."""
    margin = first["mean"] - second["mean"]
    overlap = first["min"] <= second["max"] and second["min"] <= first["max"]
    p_value = math.nan
    if first["std"] > 0 or second["std"] > 0:
        result = stats.ttest_ind_from_stats(
            first["mean"],
            first["std"],
            int(first["runs"]),
            second["mean"],
            second["std"],
            int(second["runs"]),
            equal_var=False,
        )
        p_value = float(result.pvalue)
    test = f"; Welch's t-test p = {p_value:.2g}" if math.isfinite(p_value) else ""
    text = f"{describe(first)} against {describe(second)}: means differ by {margin:+.2f} points{test}"
    return RunComparison(margin, overlap, p_value, text)


def training_epochs(result: dict | None) -> float:
    """The epochs a result's config says it trained for; NaN when it does not say."""
    if not isinstance(result, dict):
        return math.nan
    config = (result.get("meta") or {}).get("config") or {}
    epochs = config.get("epochs") if isinstance(config, dict) else None
    return float(epochs) if isinstance(epochs, (int, float)) and not isinstance(epochs, bool) else math.nan


def adam_epochs(schedule: dict, part3: list[dict]) -> float:
    """How long the Adam run the schedule is compared with trained: its Part 3 file's config, or the
    epochs named in `meta.adam_source` ("one Adam run trained here (4 epochs)"); NaN when unknown."""
    source = str((schedule.get("meta") or {}).get("adam_source", ""))
    named = re.match(r"part3_(\w+?)\.json", source)
    if named:
        found = next((r for r in part3 if r.get("name") == named.group(1)), None)
        return training_epochs(found)
    counted = re.search(r"\((\d+) epochs\)", source)
    return float(counted.group(1)) if counted else math.nan


def training_lengths(schedule: dict, part3: list[dict]) -> str:
    """', but Adam trained 4 epochs and the schedule 30: ...' where the two differ, else ''."""
    adam, scheduled = adam_epochs(schedule, part3), training_epochs(schedule)
    if not (math.isfinite(adam) and math.isfinite(scheduled)) or adam == scheduled:
        return ""
    return (
        f", but Adam trained {adam:g} epochs and the schedule {scheduled:g}: "
        "different training lengths, not a like-for-like comparison"
    )
