"""The checks that ask for a person rather than deduct: `arch/*/computes`, flagged, never priced.

A model whose recorded layers are the homework's but whose outputs with the grader's weights are not
(`arch._computes`) may be forged records, or an equivalent network written another way: a wrong
grade for correct work is the worst outcome here, so the check scores nothing and says REVIEW.
"""

from __future__ import annotations

from ee449.grading.sandbox.progress_log import Outcome
from ee449.grading.sandboxed.checks.protocol import CheckId, arch_check

REVIEW = "review_computation"  # arch/*/computes: a person should read the model (scores nothing)


def computes_followups(outcomes: list[Outcome]) -> None:
    """A failed arch/K/computes whose layers check passed asks for a person however it failed.

    The verdict above labels what it compared; a record left out, one that is not data, or a probe
    the sandbox reports as failed never reaches it, and those are the ways round the label.
    """
    passed = {o.id: o.passed for o in outcomes}
    for outcome in outcomes:
        parsed = CheckId.parse(outcome.id)
        if (
            parsed.group != "arch"
            or parsed.name != "computes"
            or outcome.passed
            or not passed.get(arch_check(parsed.subject, "layers"))
            or any(code == REVIEW for code, _ in outcome.diagnoses)
        ):
            continue
        outcome.diagnoses.append(
            [
                REVIEW,
                f"The recorded layers of {parsed.subject} are the homework's, but what it computes with the grader's "
                f"weights could not be compared ({outcome.message[:300]}). A person should read this "
                "model; this check scores no points.",
            ]
        )
