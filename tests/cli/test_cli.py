"""ee449.cli: the command registry and the top-level behaviour.

In-process through `main([...])` with capsys, except one real subprocess per command
(`test_every_command_answers_help_in_a_real_process`): the entry point as a user meets it.
"""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest

from ee449 import __version__
from ee449.cli import COMMANDS, _command_parser, main


def exit_status(argv: list[str]) -> int:
    """`main(argv)`'s exit status, whether it returns or argparse exits."""
    try:
        return main(argv)
    except SystemExit as exit:
        return int(exit.code or 0)


def test_help_lists_every_registered_command(capsys):
    assert exit_status(["--help"]) == 0
    out = capsys.readouterr().out
    for command in COMMANDS:
        assert command.name in out, f"{command.name} missing from --help"


def test_version_is_the_package_version(capsys):
    assert exit_status(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"ee449 {__version__}"


@pytest.mark.parametrize("argv", [[], ["no-such-command"]])
def test_missing_or_unknown_command_exits_2_with_a_reason(capsys, argv):
    assert exit_status(argv) == 2
    err = capsys.readouterr().err
    assert "ee449" in err and ("required" in err or "invalid choice" in err), err


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c.name)
def test_every_command_module_provides_its_entry_points(command):
    options, module = importlib.import_module(command.options_module), importlib.import_module(command.module)
    assert callable(getattr(options, "add_arguments", None)), f"{command.options_module}.add_arguments"
    assert callable(getattr(module, "run", None)), f"{command.module}.run"


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c.name)
def test_every_command_answers_help_in_a_real_process(command):
    result = subprocess.run(
        [sys.executable, "-m", "ee449", command.name, "--help"], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert f"ee449 {command.name}" in result.stdout


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c.name)
def test_unknown_option_exits_2_with_one_line_reason(capsys, command):
    assert exit_status([command.name, "--no-such-option"]) == 2
    # argparse names the first problem it meets: the unknown option, or a missing positional
    # argument (grade's SUBMISSION) when the command has one; either way one error line, no traceback.
    err = capsys.readouterr().err
    assert err.strip().splitlines()[-1].startswith(f"ee449 {command.name}: error: "), err
    assert "Traceback" not in err


@pytest.mark.parametrize("argv", [["--help"], *([c.name, "--help"] for c in COMMANDS)], ids=" ".join)
def test_help_imports_neither_torch_nor_the_grader(argv):
    # `ee449 COMMAND --help` stays instant: a command's options module never imports torch, and the
    # module that runs it (which may) loads only once the arguments parse. A fresh interpreter: this
    # one has torch already.
    code = (
        "import sys; from ee449.cli import main\n"
        f"try:\n    main({argv!r})\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in ('torch', 'ee449.grading.grade', 'ee449.grading.judging') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.stdout.strip().splitlines()[-1] == "[]", result  # nor the grader: its imports take 0.4 s


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c.name)
def test_every_command_takes_quiet_and_verbose(command):
    parser = _command_parser(command)
    options = {o for action in parser._actions for o in action.option_strings}
    assert {"-q", "--quiet", "-v", "--verbose"} <= options, sorted(options)


@pytest.mark.parametrize("argv", [["part1", "--epochs", "0"], ["part1", "--batch-size", "0"]])
def test_zero_epochs_or_batch_is_refused_in_one_line(capsys, argv):
    assert exit_status(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "expected a positive integer, got '0'" in err, err
