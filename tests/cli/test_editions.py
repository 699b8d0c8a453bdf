"""`--homework YEAR` on the commands: the plan follows the edition, the commands name it, bad years exit 2."""

from __future__ import annotations

import json

import pytest

from ee449 import cli
from ee449 import experiments as ex
from ee449.cli.experiments import QUICK, Plan, make_plan
from ee449.editions import ENV_VAR, edition
from tests.helpers.fake_results import write_results_folder


@pytest.fixture(autouse=True)
def keep_threads():
    import torch

    before = torch.get_num_threads()  # --quick sets one thread for the process
    yield
    torch.set_num_threads(before)


def exit_status(argv: list[str]) -> int:
    """What `ee449 ARGV` exits with: usage errors leave through argparse's SystemExit."""
    try:
        return cli.main(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0)


def plan(*argv: str) -> Plan:
    entry = next(c for c in cli.COMMANDS if c.name == argv[0])
    return make_plan(cli._command_parser(entry).parse_args(list(argv[1:])))


@pytest.mark.parametrize("year", [2024, 2025])
def test_a_one_run_edition_plans_one_run_per_architecture_even_with_quick(year, monkeypatch):
    monkeypatch.delenv(ENV_VAR, raising=False)
    for argv in (("all", "--homework", str(year)), ("all", "--homework", str(year), "--quick")):
        p = plan(*argv)
        assert p.edition == edition(year)
        assert {c.runs for c in p.part3} == {1}, argv
    assert plan("all", "--homework", str(year), "--runs", "3").part3[0].runs == 3  # explicit wins


def test_2023_plans_are_unchanged_and_the_environment_picks_the_edition(monkeypatch):
    monkeypatch.delenv(ENV_VAR, raising=False)
    assert (
        plan("all").part3[0] == ex.Part3Config("mlp_1")
        and plan("all", "--quick").part3[0].runs == QUICK["runs"]
    )
    monkeypatch.setenv(ENV_VAR, "2025")
    assert plan("part3").edition.year == 2025 and plan("part3", "--homework", "2023").edition.year == 2023


def test_an_unknown_year_exits_2_naming_the_valid_ones(capsys, monkeypatch):
    monkeypatch.delenv(ENV_VAR, raising=False)
    assert exit_status(["part3", "--homework", "2019", "--quick"]) == 2
    assert "unknown homework edition '2019'; valid: 2023, 2024, 2025" in capsys.readouterr().err


def test_the_grader_refuses_an_unknown_edition_before_grading_anything(capsys, tmp_path, monkeypatch):
    monkeypatch.delenv(ENV_VAR, raising=False)
    assert exit_status(["grade", str(tmp_path), "--homework", "2019", "--out", str(tmp_path / "out")]) == 2
    assert "unknown homework edition '2019'; valid: 2023, 2024, 2025" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_report_of_another_editions_folder_exits_2(capsys, tmp_path, monkeypatch):
    monkeypatch.delenv(ENV_VAR, raising=False)
    folder = write_results_folder(tmp_path / "out", parts=("part3",))
    assert exit_status(["report", str(folder), "--homework", "2024"]) == 2
    assert "follow the 2023 edition" in capsys.readouterr().err


def test_part3_of_2025_writes_rgb_results_that_name_their_edition(tmp_path, monkeypatch):
    monkeypatch.delenv(ENV_VAR, raising=False)
    out = tmp_path / "out"
    argv = [
        "part3",
        "--homework",
        "2025",
        "--quick",
        "--arch",
        "mlp_2",
        "--epochs",
        "1",
        "--out",
        str(out),
        "-q",
    ]
    assert cli.main(argv) == 0
    result = json.loads((out / "part3_mlp_2.json").read_text())
    assert result["meta"]["homework"] == 2025 and result["meta"]["runs_done"] == 1
    assert [len(result["weights"]), len(result["weights"][0])] == [32, 3 * 32 * 32]
    assert (out / "figures" / "part3_mlp_2_weights.png").is_file()


@pytest.mark.slow
def test_part1_of_2025_trains_the_xor_networks_and_draws_their_boundaries(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv(ENV_VAR, raising=False)
    assert cli.main(["part1", "--homework", "2025", "--out", str(tmp_path)]) == 0
    printed = capsys.readouterr().out
    assert printed.count("validation accuracy") == 3 and "loss by epoch  1:" in printed
    runs = json.loads((tmp_path / "part1_xor.json").read_text())["runs"]
    assert [r["activation"] for r in runs] == ["sigmoid", "tanh", "relu"] and min(
        r["val_accuracy"] for r in runs
    ) > 90
    for name in ("activations", "boundary_sigmoid", "boundary_tanh", "boundary_relu"):
        assert (tmp_path / "figures" / f"part1_{name}.png").is_file()
