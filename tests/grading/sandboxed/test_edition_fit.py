"""ee449.grading.sandboxed.edition_fit: a model is recognised by the edition whose images it takes, and told so in one sentence."""

from __future__ import annotations

import pytest

from ee449.editions import edition
from ee449.grading.sandboxed.edition_fit import fitting_editions, other_edition_diagnoses
from ee449.models import ARCHITECTURES, build


@pytest.mark.parametrize("arch", ARCHITECTURES)
@pytest.mark.parametrize("year", [2023, 2024, 2025])
def test_each_reference_model_fits_exactly_its_own_edition(arch, year):
    assert fitting_editions(build(arch, input_shape=edition(year).input_shape)) == [year]


def test_a_model_for_another_edition_gets_one_sentence_naming_both():
    (diagnosis,) = other_edition_diagnoses("Cnn5", [2025], graded=2023)
    assert diagnosis.code == "other_edition"
    assert diagnosis.sentence.startswith(
        "Your Cnn5 takes 3 x 32 x 32 inputs: the 2025 edition of the homework; this course grades 2023, "
        "whose models take 1 x 32 x 32 images."
    )


@pytest.mark.parametrize("fits", [[2023], [2023, 2025], [], None, ["2025"], [1999]])
def test_no_sentence_when_the_model_fits_the_graded_edition_or_the_record_says_nothing(fits):
    assert other_edition_diagnoses("mlp_1", fits, graded=2023) == []
