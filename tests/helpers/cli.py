"""`ee449 ARGS...` in-process: `main([...])` with pytest's capsys, as a finished command."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from ee449.cli import main


@dataclass(frozen=True)
class Ran:
    """What the command did: its exit status and what it printed (like subprocess.CompletedProcess)."""

    returncode: int
    stdout: str
    stderr: str


def run_ee449(capsys: pytest.CaptureFixture[str], *argv: str) -> Ran:
    capsys.readouterr()  # drop what the test printed before
    try:
        status = main(list(argv))
    except SystemExit as exit:  # argparse's --help and usage errors
        status = exit.code if isinstance(exit.code, int) else 1
    out, err = capsys.readouterr()
    return Ran(status, out, err)
