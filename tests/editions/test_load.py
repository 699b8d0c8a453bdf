"""ee449.editions: every spec file loads, agrees with HOMEWORK-YEARS.md, and a bad file is named precisely."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from ee449 import spec
from ee449.editions import (
    DEFAULT_HOMEWORK,
    ENV_VAR,
    EditionError,
    available,
    edition,
    load_file,
    requested_year,
)

# HOMEWORK-YEARS.md, stated once here as the oracle: (data set, input shape, runs, Part 1, MLP inputs).
YEARS = {
    2023: ("cifar10", (1, 32, 32), 10, "formulas", 1024),
    2024: ("fashion-mnist", (1, 28, 28), 1, "xor", 784),
    2025: ("cifar10", (3, 32, 32), 1, "xor", 3072),
}
SOURCE = Path(__file__).resolve().parents[2] / "ee449" / "editions" / "2025.toml"


def test_every_year_of_the_course_has_a_spec_file_and_2023_is_the_default():
    assert available() == tuple(YEARS) and DEFAULT_HOMEWORK == 2023


@pytest.mark.parametrize("year", list(YEARS))
def test_each_edition_says_what_homework_years_says(year):
    dataset, shape, runs, part1, features = YEARS[year]
    e = edition(year)
    assert (e.dataset, e.input_shape, e.part3_runs, e.part1, e.input_features) == (
        dataset,
        shape,
        runs,
        part1,
        features,
    )
    assert (e.part3_epochs, e.part4_epochs, e.part5_epochs, e.schedule_epochs) == (15, 15, 20, 30)
    assert math.prod(e.weights_image) == features and len(e.classes) == 10
    assert e.transform.grayscale == (year == 2023) and bool(e.transform.mean) == (year != 2024)
    for part, keys in (("part3", spec.PART3_KEYS), ("part4", spec.PART4_KEYS), ("part5", spec.PART5_KEYS)):
        assert e.keys(part) == keys  # the key names are the same in every year


def test_spec_module_names_are_the_2023_editions_numbers():
    e = edition(2023)
    assert (spec.INPUT_SHAPE, spec.PART3_RUNS, spec.CLASSES, spec.MEAN) == (
        e.input_shape,
        e.part3_runs,
        e.classes,
        e.transform.mean,
    )
    assert spec.TRAIN_SAMPLES == 45_000
    assert spec.PART5_KEYS[1:] == tuple(
        f"{k}_{spec.rate_suffix(lr)}" for k in ("loss_curve", "val_acc_curve") for lr in spec.PART5_LRS
    )


def test_the_requested_year_is_the_option_then_the_environment_then_2023(monkeypatch):
    monkeypatch.delenv(ENV_VAR, raising=False)
    assert requested_year() == 2023 and requested_year("2025") == 2025
    monkeypatch.setenv(ENV_VAR, "2024")
    assert requested_year() == 2024 and requested_year(2025) == 2025
    monkeypatch.setenv(ENV_VAR, "2019")
    with pytest.raises(
        EditionError, match=r"\$EE449_HOMEWORK: unknown homework edition '2019'; valid: 2023, 2024, 2025"
    ):
        requested_year()


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("part3_runs = 1 ", "part3_runs = 'one' ", r"\[training\] part3_runs = 'one', expected an integer"),
        (
            "input_shape = [3, 32, 32]",
            "input_shape = [1, 32, 32]",
            r"without the Grayscale step make \[3, 32, 32\]",
        ),
        ('dataset = "cifar10"', 'dataset = "mnist"', r"dataset 'mnist' is not one ee449.data loads"),
        ('kind = "xor"', 'kind = "essay"', r"part1 kind 'essay'; valid: formulas, xor"),
        ("part3_runs = 1 ", "part3_run = 1 ", r"unknown key\(s\) part3_run in \[training\]"),
        ("year = 2025", "year = 2026", r"year = 2026 but the file is named 2025.toml"),
        (
            "weights_image = [3, 32, 32]",
            "weights_image = [32, 32]",
            r"weights_image \[32, 32\] holds 1024 values",
        ),
    ],
    ids=["type", "shape", "dataset", "part1", "typo", "year", "weights-image"],
)
def test_a_bad_spec_file_fails_on_load_naming_the_key_and_what_was_expected(tmp_path, old, new, message):
    text = SOURCE.read_text(encoding="utf-8")
    assert old in text, old
    bad = tmp_path / "2025.toml"
    bad.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(EditionError, match=message):
        load_file(bad)


def test_a_spec_file_missing_a_key_names_it(tmp_path):
    bad = tmp_path / "2025.toml"
    bad.write_text(
        "\n".join(line for line in SOURCE.read_text().splitlines() if not line.startswith("schedule_epochs"))
    )
    with pytest.raises(EditionError, match=r"\[training\] is missing 'schedule_epochs' \(an integer\)"):
        load_file(bad)


def test_result_file_is_the_one_spelling_of_result_file_names():
    assert (
        spec.result_file(3, "cnn_4") == "part3_cnn_4.json"
        and spec.result_file(4, "mlp_1") == "part4_mlp_1.json"
    )
    assert spec.result_file(5) == "part5.json" and spec.result_file("schedule") == "part5_schedule.json"
    with pytest.raises(ValueError, match="unknown architecture 'cnn_9'"):
        spec.result_file(3, "cnn_9")
    with pytest.raises(ValueError, match="pass arch"):
        spec.result_file(4)
