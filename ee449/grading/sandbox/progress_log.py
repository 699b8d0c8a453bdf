"""The grader's reader of the sandbox-side plugin's progress log (`checks.plugin`), trusting none of it.

The child writes this file (and may forge it): each line is checked field by field, a malformed
one is skipped, and no clock is ever read from it (`trusted_timeout`). A forged line can only
fail the student's own checks; a pass needs a record the grader's judge accepts.
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass, field
from pathlib import Path

from ee449.grading.sandbox.limits import Completed
from ee449.grading.sandbox.output_folder import OutputFolder
from ee449.grading.sandboxed.checks import registry

MAX_LOG_BYTES = 8 * 2**20  # read per poll: a child flooding its log cannot exhaust the grader's memory


@dataclass
class Outcome:
    id: str
    target: str
    passed: bool
    message: str = ""
    diagnoses: list[list[str]] = field(default_factory=list)  # [code, sentence] pairs
    seconds: float = 0.0
    # The diagnoses were reported by the sandbox (student code could have written them), not made
    # by the grader's judge: they are shown, never priced by the deduction table.
    said_by_sandbox: bool = False


class Progress:
    """Incremental reader of the plugin's JSON-lines progress log."""

    def __init__(self, path: Path, default_timeout: float = 0.0):
        self.path, self.offset, self.default_timeout = path, 0, default_timeout
        self.collected: list[dict] = []
        self.results: dict[str, Outcome] = {}
        self.skipped: set[str] = set()
        self.running: tuple[str, str, float, float] | None = None  # (id, target, monotonic start, timeout)

    def poll(self) -> None:
        # The child can write here: read through the one safe reader (no link, FIFO or device).
        chunk = OutputFolder(self.path.parent).read_from(self.path.name, self.offset, MAX_LOG_BYTES)
        if chunk is None:
            return
        end = chunk.rfind(b"\n") + 1
        self.offset += end
        for line in chunk[:end].splitlines():
            try:
                self._take(json.loads(line))
            except (ValueError, TypeError, KeyError, AttributeError, RecursionError):
                continue  # a torn or forged line; the check it belongs to is re-run or failed

    def _take(self, event: object) -> None:
        """One event of the log, each field checked: the child writes this file and may forge it."""
        if not isinstance(event, dict):
            return
        kind = event.get("event")
        if kind == "collected" and not self.collected:
            checks = event["checks"]
            if isinstance(checks, list) and all(_is_check(c) for c in checks):
                self.collected = [{"id": c["id"], "target": c["target"]} for c in checks]
        elif kind == "start":
            cid, target = _text(event["id"]), _text(event.get("target", ""))
            # The clock is the grader's: the event's own "timeout" is never read.
            self.running = (cid, target, time.monotonic(), trusted_timeout(cid, self.default_timeout))
        elif kind == "result":
            cid = _text(event["id"])
            if event.get("skipped") is True:
                self.skipped.add(cid)
            diagnoses = event.get("diagnoses", [])
            self.results[cid] = Outcome(
                cid,
                _text(event.get("target", "")),
                event.get("passed") is True,
                _text(event.get("message", "")),
                [[_text(d[0]), _text(d[1])] for d in diagnoses[:MAX_DIAGNOSES] if len(d) == 2]
                if isinstance(diagnoses, list)
                else [],
                _seconds(event.get("seconds", 0.0)),
            )
            self.running = None


MAX_DIAGNOSES = 5


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected a string, got {type(value).__name__}")
    return value


def _is_check(value: object) -> bool:
    return (
        isinstance(value, dict) and isinstance(value.get("id"), str) and isinstance(value.get("target"), str)
    )


def _seconds(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return 0.0
    return max(0.0, float(value))


def trusted_timeout(check_id: str, check_timeout: float) -> float:
    """A check's time budget from the grader's own settings: `--timeout` per call of student code.

    The calls per check are the registry's (`checks.registry`, which the checks' markers also read),
    never the progress log's `timeout`, which the child could set to 1e9."""
    return check_timeout * registry.calls(check_id)


def died(cid: str, target: str, completed: Completed, check_timeout: float, memory_mb: int) -> Outcome:
    """The outcome of the check that was running when its process was stopped or ended."""
    if completed.stopped_by_watchdog or completed.timed_out:
        return Outcome(
            cid,
            target,
            False,
            f"did not finish within {check_timeout:g} s",
            [
                [
                    "timeout",
                    f"Your code did not finish within {check_timeout:g} s in this check: "
                    "look for a loop that never ends.",
                ]
            ],
            check_timeout,
        )
    return Outcome(
        cid,
        target,
        False,
        f"the process running your code ended abruptly (exit status "
        f"{completed.returncode}) during this check",
        [
            [
                "process_died",
                "Your code ended the Python process (os._exit, a crash, or the "
                f"{memory_mb} MB memory limit) while this check ran: "
                "functions the grader calls must return normally.",
            ]
        ],
    )
