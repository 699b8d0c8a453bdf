"""A grade per item, as a TA writes one: my_conv2d, and each architecture, from the per-check points.

`conv` sums every `conv/...` check (the static `conv/implemented_in_numpy` included); an
architecture `arch/<key>/...`'s four checks. The Part 4 variants (`*_sigmoid`) and the result
files are not items here.
"""

from __future__ import annotations

from typing import Protocol, Sequence

from ee449.grading.sandboxed.checks.protocol import CheckId
from ee449.spec import ARCHITECTURES


class Scored(Protocol):
    id: str
    points: float
    max_points: float


def item_of(check_id: str) -> str | None:
    """'conv' or an architecture's key for a check id; None for the checks that are no item."""
    parsed = CheckId.parse(check_id)
    if parsed.group == "conv":
        return "conv"
    return parsed.subject if parsed.group == "arch" and parsed.subject in ARCHITECTURES else None


def item_scores(checks: Sequence[Scored]) -> dict[str, tuple[float, float]]:
    """{item: (points, maximum)} for conv and the five architectures, in that order."""
    scores = {item: (0.0, 0.0) for item in ("conv", *ARCHITECTURES)}
    for check in checks:
        item = item_of(check.id)
        if item is not None:
            got, most = scores[item]
            scores[item] = (got + check.points, most + check.max_points)
    return scores
