"""The `ee449` command line.

Every subcommand is an entry of the registry below, naming two modules:

    options: add_arguments(parser: argparse.ArgumentParser) -> None
    module:  run(args: argparse.Namespace) -> int          # the exit status

The options module is light (no torch), so `ee449 COMMAND --help` answers at once; the run
module, which may import torch, is imported only once the arguments parse. For most commands
both are the same module. Bad arguments exit with status 2 and a one-line reason (argparse's
behaviour); a `ValueError` or data/results error raised by a command is reported the same way,
in one line, with status 2.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from dataclasses import dataclass
from typing import NoReturn, Sequence

from ee449 import __version__
from ee449.errors import describe_os_error


@dataclass(frozen=True)
class Command:
    name: str
    module: str  # provides run(args) -> int
    help: str
    options: str = ""  # provides add_arguments(parser), without torch; "" when it is `module`

    @property
    def options_module(self) -> str:
        return self.options or self.module


COMMANDS: tuple[Command, ...] = (
    Command(
        "part1", "ee449.cli.part1", "Part 1: parameter counts and SGD arithmetic, checked against PyTorch"
    ),
    Command(
        "part2",
        "ee449.cli.part2",
        "Part 2: run my_conv2d on sample digits and draw the output grid",
        options="ee449.cli.part2_options",
    ),
    Command(
        "part3",
        "ee449.cli.experiments",
        "Part 3: train the five architectures (Adam), several runs each",
        options="ee449.cli.experiment_options",
    ),
    Command(
        "part4",
        "ee449.cli.experiments",
        "Part 4: ReLU against sigmoid: loss and first-layer gradient magnitude",
        options="ee449.cli.experiment_options",
    ),
    Command(
        "part5",
        "ee449.cli.experiments",
        "Part 5: learning rates 0.1/0.01/0.001 with SGD, then the schedule",
        options="ee449.cli.experiment_options",
    ),
    Command(
        "all",
        "ee449.cli.experiments",
        "every part, then the report, into one output folder",
        options="ee449.cli.experiment_options",
    ),
    Command("report", "ee449.cli.report", "build the HTML + Markdown report from a results folder"),
    Command(
        "grade",
        "ee449.cli.grade",
        "grade a student's submission (or a folder of them)",
        options="ee449.cli.grade_options",
    ),
    Command(
        "check",
        "ee449.cli.check",
        "for students: what the grader says on the visible checks",
        options="ee449.cli.check_options",
    ),
    Command(
        "rescore",
        "ee449.cli.rescore",
        "re-score a graded class with another rubric or a TA's overrides (no code runs)",
        options="ee449.cli.rescore_options",
    ),
    Command(
        "bench",
        "ee449.cli.bench",
        "measure training throughput against the homework's reference loop",
        options="ee449.cli.bench_options",
    ),
)


def _top_level_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ee449",
        description="Reference implementation and grader for EE449 Homework 1 (grayscale CIFAR-10).",
    )
    parser.add_argument("--version", action="version", version=f"ee449 {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for command in COMMANDS:
        # The command's own options are parsed by its own parser, built only when it runs.
        sub.add_parser(command.name, help=command.help, add_help=False)
    return parser


class _Parser(argparse.ArgumentParser):
    """argparse with its errors in one line: `ee449 part3: error: argument --epochs: ... (see --help)`."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _command_parser(command: Command) -> argparse.ArgumentParser:
    parser = _Parser(prog=f"ee449 {command.name}", description=command.help)
    parser.set_defaults(command=command.name)
    importlib.import_module(command.options_module).add_arguments(parser)
    # The same two switches on every command: -q keeps stdout's results and errors only.
    talk = parser.add_mutually_exclusive_group()
    talk.add_argument(
        "-q", "--quiet", action="store_true", help="no progress or notes on stderr; results only"
    )
    talk.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        help="more detail: one progress line per epoch even on a terminal",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    top = _top_level_parser()
    if not argv or argv[0] not in {c.name for c in COMMANDS}:
        top.parse_args(argv)  # prints help / version / "invalid choice" and exits
        return 2
    command = next(c for c in COMMANDS if c.name == argv[0])
    parser = _command_parser(command)
    args = parser.parse_args(argv[1:])  # `--help` and bad arguments exit here, before torch loads
    module = importlib.import_module(command.module)
    try:
        return int(module.run(args) or 0)
    except BrokenPipeError:
        # `ee449 part1 | head -1`: the reader left; not an error of ours. Point stdout at
        # devnull so the interpreter's final flush does not raise again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        print(
            f"ee449 {command.name}: interrupted; finished work is saved, run again to resume", file=sys.stderr
        )
        return 130
    except (ValueError, FileNotFoundError) as error:
        parser.exit(2, f"ee449 {command.name}: error: {error}\n")
    except RuntimeError as error:
        # DataError, ResultsError and friends: say what is wrong in one line, no traceback.
        # WorkError (a fault during work, e.g. a full disk) exits 1; bad input exits 2.
        if type(error).__module__.startswith("ee449"):
            parser.exit(getattr(error, "exit_status", 2), f"ee449 {command.name}: error: {error}\n")
        raise
    except OSError as error:
        # A write that failed: the path and the errno in one line; files already written stay.
        # A path of the wrong kind (a file where a folder belongs) is a bad argument (2); a full
        # or read-only disk met during work is a fault (1).
        wrong_kind = isinstance(error, (FileExistsError, NotADirectoryError, IsADirectoryError))
        parser.exit(
            2 if wrong_kind else 1,
            f"ee449 {command.name}: error: {describe_os_error(error)}; files written before it are kept\n",
        )
    return 0
