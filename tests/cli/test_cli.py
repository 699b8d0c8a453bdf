"""ee449.cli: the command registry and the top-level behaviour, through real subprocesses."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest

from ee449 import __version__
from ee449.cli import COMMANDS


def ee449(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ee449", *args], capture_output=True, text=True, timeout=timeout
    )


def test_help_lists_every_registered_command():
    result = ee449("--help")
    assert result.returncode == 0, result.stderr
    for command in COMMANDS:
        assert command.name in result.stdout, f"{command.name} missing from --help"


def test_version_is_the_package_version():
    result = ee449("--version")
    assert result.returncode == 0 and result.stdout.strip() == f"ee449 {__version__}", result


@pytest.mark.parametrize("argv", [[], ["no-such-command"]])
def test_missing_or_unknown_command_exits_2_with_a_reason(argv):
    result = ee449(*argv)
    assert result.returncode == 2, result
    assert "ee449" in result.stderr and ("required" in result.stderr or "invalid choice" in result.stderr)


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c.name)
def test_every_command_module_provides_its_entry_points(command):
    module = importlib.import_module(command.module)
    assert callable(getattr(module, "add_arguments", None)), f"{command.module}.add_arguments"
    assert callable(getattr(module, "run", None)), f"{command.module}.run"


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c.name)
def test_every_command_has_help(command):
    result = ee449(command.name, "--help")
    assert result.returncode == 0, result.stderr
    assert f"ee449 {command.name}" in result.stdout


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c.name)
def test_unknown_option_exits_2_with_one_line_reason(command):
    result = ee449(command.name, "--no-such-option")
    assert result.returncode == 2, result
    # argparse names the first problem it meets: the unknown option, or a missing positional
    # argument (grade's SUBMISSION) when the command has one; either way one error line, no traceback.
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith(f"ee449 {command.name}: error: "), result.stderr
    assert "Traceback" not in result.stderr


def test_top_level_help_does_not_import_torch():
    # `ee449 --help` stays fast: command modules (and torch) load only for the command that runs.
    code = "import sys; from ee449.cli import main\ntry:\n    main(['--help'])\nexcept SystemExit:\n    pass\nprint('torch' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.stdout.strip().splitlines()[-1] == "False", result


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c.name)
def test_every_command_takes_quiet_and_verbose(command):
    from ee449.cli import _command_parser

    parser = _command_parser(command, importlib.import_module(command.module))
    options = {o for action in parser._actions for o in action.option_strings}
    assert {"-q", "--quiet", "-v", "--verbose"} <= options, sorted(options)


@pytest.mark.parametrize("argv", [["part1", "--epochs", "0"], ["part1", "--batch-size", "0"]])
def test_zero_epochs_or_batch_is_refused_in_one_line(argv):
    result = ee449(*argv)
    assert result.returncode == 2, result
    assert result.stderr.count("\n") == 1 and "expected a positive integer, got '0'" in result.stderr, (
        result.stderr
    )
