"""ee449.cli.plan: how `ee449 part3|part4|part5|all` options become experiment configs."""

from __future__ import annotations

import pytest

from ee449 import cli
from ee449 import experiments as ex
from ee449.cli.experiments import QUICK, load_data, parse_archs
from ee449.cli.plan import Plan, make_plan, planned_steps
from ee449.cli.progress import Progress
from ee449.experiments import describe_data
from ee449.models import ARCHITECTURES
from tests.helpers.assertions import assert_equal


def plan(*argv: str) -> Plan:
    entry = next(c for c in cli.COMMANDS if c.name == argv[0])
    return make_plan(cli._command_parser(entry).parse_args(list(argv[1:])))


def test_archs_are_repeatable_comma_separated_and_deduplicated():
    assert_equal(parse_archs(["cnn_4,mlp_1", "cnn_4", " cnn_5 "]), ("cnn_4", "mlp_1", "cnn_5"), what="archs")
    assert_equal(parse_archs(None), ARCHITECTURES, what="default")
    with pytest.raises(ValueError, match="unknown architecture 'cnn_6'"):
        parse_archs(["cnn_4,cnn_6"])


def test_defaults_are_the_homeworks():
    p = plan("all")
    assert_equal([c.arch for c in p.part3], list(ARCHITECTURES), what="part3 archs")
    assert_equal(p.part3[0], ex.Part3Config("mlp_1"), what="part3 config")
    assert_equal(p.part4[-1], ex.Part4Config("cnn_5"), what="part4 config")
    assert_equal((p.part5, p.schedule), (ex.Part5Config(), ex.ScheduleConfig()), what="part5 configs")
    assert_equal(p.data_source, "torchvision", what="data")


def test_quick_is_small_synthetic_and_explicit_options_win():
    p = plan("all", "--quick", "--epochs", "4", "--seed", "7")
    assert_equal(p.data_source, "synthetic", what="quick data")
    assert_equal(
        (p.part3[0].epochs, p.part3[0].runs, p.part3[0].record_every, p.part3[0].seed),
        (4, QUICK["runs"], QUICK["record_every"], 7),
        what="part3 epochs, runs, record_every, seed",
    )
    assert_equal(
        (p.part5.epochs, p.schedule.search_epochs, p.schedule.epochs, p.schedule.patience),
        (4, 4, 6, QUICK["patience"]),
        what="part5 and schedule epochs",
    )
    assert_equal(
        plan("part3", "--quick", "--data", "torchvision").data_source, "torchvision", what="--data wins"
    )


def test_quick_part5_keeps_the_homeworks_epochs_on_a_fast_architecture():
    p = plan("all", "--quick")
    assert_equal(
        (p.part5.arch, p.part5.epochs, p.schedule.epochs), (QUICK["part5_arch"], 20, 30), what="part5"
    )
    assert_equal(
        plan("all", "--quick", "--part5-arch", "cnn_4").part5.arch, "cnn_4", what="--part5-arch wins"
    )
    assert_equal(plan("all").part5.arch, "cnn_4", what="the default without --quick")


@pytest.mark.parametrize(
    "command, number", [("part3", "15"), ("part4", "15"), ("part5", "20"), ("all", "20")]
)
def test_epochs_help_states_the_homeworks_number(command, number, capsys):
    with pytest.raises(SystemExit):
        cli.main([command, "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert f"default {number}" in text and "the homework's" in text, text


def test_part5_epochs_scale_the_schedule_and_switch_epochs_pass_through():
    p = plan("part5", "--arch", "cnn_3", "--epochs", "10", "--switch-epochs", "4", "12")
    assert_equal((p.part5.arch, p.part5.epochs), ("cnn_3", 10), what="part5")
    assert_equal(
        (p.schedule.arch, p.schedule.search_epochs, p.schedule.epochs, p.schedule.switch_epochs),
        ("cnn_3", 10, 15, (4, 12)),
        what="schedule: the search reads Part 5's run, 1.5x the epochs",
    )
    assert_equal((p.part3, p.part4), ((), ()), what="part5 trains no Part 3 or 4")


@pytest.mark.parametrize(
    "words, speed",
    [
        ((), ex.Speed()),
        (("--tf32",), ex.Speed(allow_tf32=True)),
        (("--compile", "--tf32"), ex.Speed(allow_tf32=True, compile=True)),
    ],
)
def test_speed_switches_reach_every_experiment(words, speed):
    for command in ("part3", "part4", "part5", "all"):
        p = plan(command, *words)
        assert_equal(p.speed, speed, what=f"{command} {' '.join(words)} speed")


@pytest.mark.parametrize(
    "command, files",
    [
        ("part3", {"part3_mlp_1.json": 2 * 4 * 54, "part3_cnn_4.json": 2 * 4 * 54}),
        ("part4", {"part4_mlp_1.json": 2 * 4 * 54, "part4_cnn_4.json": 2 * 4 * 54}),
    ],
)
def test_the_progress_total_counts_the_commands_own_runs(command, files, tmp_path):
    # quick preset: 2,700 training images = 54 steps per epoch, 4 epochs, 2 runs (Part 3) / 2 activations (Part 4)
    p = plan(command, "--quick", "--arch", "mlp_1,cnn_4", "--out", str(tmp_path))
    train_images = describe_data(load_data(p, Progress(enabled=False)))["train"]
    assert_equal(planned_steps(p, train_images), files, what=f"{command}'s planned steps")


def test_making_a_plan_leaves_the_arguments_as_they_were():
    entry = next(c for c in cli.COMMANDS if c.name == "all")
    args = cli._command_parser(entry).parse_args(["--quick"])
    before = vars(args).copy()
    p = make_plan(args)
    assert_equal(vars(args), before, what="the arguments after make_plan")
    assert_equal(p.part5.arch, QUICK["part5_arch"], what="the plan's Part 5 architecture")
