"""Which edition of the homework a student's model was written for, told in one sentence.

A model written for another year's text (first layer sized for 3 x 32 x 32 RGB in a course
grading 2023, say) is a different spec, not a broken model: the grade says which edition it
fits, so a TA can tell a student who followed another year's text from one whose model is wrong.

- sandbox side (runs the student's model; only in `checks/`): `fitting_editions(model)`, the
  years whose input shape gives [N, 10] logits;
- judge side (no student code): `other_edition_diagnoses(name, fits, graded)`.
"""

from __future__ import annotations

from typing import Any

from ee449.editions import DEFAULT_HOMEWORK, available, edition
from ee449.grading.sandboxed.checks.protocol import Diagnosis  # from its home: the sandbox has no judging/

PROBE_BATCH = 2  # two images: enough to see the output's shape, cheap for any model


def fitting_editions(model: Any) -> list[int]:
    """The years whose input [2, C, H, W] the model maps to [2, 10] (RUNS STUDENT CODE: sandbox only)."""
    import torch

    years = []
    for year in available():
        try:
            with torch.no_grad():
                shape = tuple(model(torch.zeros(PROBE_BATCH, *edition(year).input_shape)).shape)
        except Exception:  # noqa: BLE001 - the model does not take this edition's images
            continue
        if shape == (PROBE_BATCH, 10):
            years.append(year)
    return years


def other_edition_diagnoses(name: str, fits: object, graded: int = DEFAULT_HOMEWORK) -> list[Diagnosis]:
    """One diagnosis when the model fits another edition's input and not the graded one's, else none."""
    if not isinstance(fits, list) or not all(isinstance(y, int) and y in available() for y in fits):
        return []  # no record (an older sandbox) or a malformed one: say nothing rather than guess
    if not fits or graded in fits:
        return []
    shapes = sorted({edition(y).input_text for y in fits})
    years = " or ".join(str(y) for y in fits)
    return [
        Diagnosis(
            "other_edition",
            f"Your {name} takes {' or '.join(shapes)} inputs: the {years} edition of the homework; this "
            f"course grades {graded}, whose models take {edition(graded).input_text} images.",
        )
    ]
