"""Progress of a whole training command on stderr, its results on stdout.

The trainer does not print; it calls a hook with `ee449.training.ProgressEvent`s. `Progress` is
that hook, for the whole command: the command says how many optimizer steps it plans over all
its runs (`start(total)`) and marks each finished result file (`checkpoint(steps)`), so one bar
goes from 0 to 100% over every run of every architecture, with elapsed time, rate and ETA.

- On a terminal: one tqdm bar, redrawn in place; its description names the work under way.
- In a file or a pipe (CI logs): one plain line per finished epoch, prefixed with the whole
  command's percentage, so logs stay readable and short.
- `note` (stderr) and `result` (stdout) print above the bar without breaking it: progress and
  notes go to stderr, what the command found and wrote to stdout.
- `verbose` gives the per-epoch lines on a terminal too; `enabled=False` (`-q`) prints no progress
  and no notes, only results.
"""

from __future__ import annotations

import math
import sys
from typing import Any, TextIO

from tqdm import tqdm

BAR_FORMAT = "{desc} {percentage:3.0f}%|{bar:20}| [{elapsed}<{remaining}, {rate_fmt}]"


class Progress:
    """A progress hook: `progress(event)` for each ProgressEvent (see the module docstring).

    Events come at record points: `event.run` and `event.epoch` are 0-based, `event.step` counts
    the steps done so far out of `event.steps` (the run's). Runs trained together as replicas
    send one event for `event.replicas` runs: their work is steps * replicas. `label` names the
    current piece of work; `relabel` changes it between experiments.
    """

    def __init__(
        self,
        label: str = "",
        stream: TextIO | None = None,
        *,
        tty: bool | None = None,
        enabled: bool = True,
        verbose: bool = False,
        results: TextIO | None = None,
    ):
        self.label = label
        self.stream = stream if stream is not None else sys.stderr
        self.results = results if results is not None else sys.stdout
        self.tty = _isatty(self.stream) if tty is None else tty
        self.enabled = enabled
        self.lines = enabled and (verbose or not self.tty)  # one line per epoch
        self.total = 0  # planned steps of the whole command (0: not known, per-run lines only)
        self._base = 0  # steps of the result files already finished (or found up to date)
        self._runs: dict[tuple[str, int], int] = {}  # (label, run) -> steps done, this file
        self._bar: tqdm | None = None
        self._pending: Any = None  # line mode: the latest event of the epoch under way
        self._pending_done = 0.0  # the command's fraction done at that event
        self._printed_done = 0.0  # line mode: the fraction on the last line printed
        self._record_every: int | None = None  # steps between events: the smallest step seen

    # -- the command's side -----------------------------------------------------------------
    def start(self, total_steps: int) -> None:
        """The optimizer steps the command plans over all its runs (replicas counted each)."""
        self.total = max(0, int(total_steps))
        if self.enabled and self.tty and not self.lines and self.total:
            self._bar = tqdm(
                total=self.total,
                file=self.stream,
                unit="step",
                bar_format=BAR_FORMAT,
                desc=self.label,
                dynamic_ncols=True,
                leave=True,
                mininterval=0.2,
            )

    def checkpoint(self, steps: int) -> None:
        """A result file is finished (trained, resumed or up to date): its `steps` are done."""
        self._flush_pending()
        self._base += max(0, int(steps))
        self._runs.clear()
        self._update()

    def relabel(self, label: str) -> None:
        self._flush_pending()
        self.label = label
        if self._bar is not None:
            self._bar.set_description_str(label, refresh=False)

    def done(self) -> float:
        """The fraction of the command done, 0..1 (0 when the total is unknown)."""
        if not self.total:
            return 0.0
        return min(1.0, (self._base + sum(self._runs.values())) / self.total)

    # -- the trainer's side -----------------------------------------------------------------
    def __call__(self, event: Any) -> None:
        if self._record_every is None or 0 < event.step < self._record_every:
            self._record_every = event.step
        self._runs[(self.label, event.run)] = event.step * getattr(event, "replicas", 1)
        if not self.enabled:
            return
        if self._bar is not None:
            self._bar.set_description_str(self._describe(event), refresh=False)
            self._update()
        if not self.lines:
            return
        # One line per epoch: an event of a new (run, epoch) means the previous epoch ended.
        if self._pending is not None and (event.run, event.epoch) != (self._pending.run, self._pending.epoch):
            self._print_line(self._pending, self._pending_done)
        self._pending, self._pending_done = event, self.done()
        if event.step >= event.steps:
            self._print_line(event, self._pending_done)
            self._pending = None

    # -- output -------------------------------------------------------------------------------
    def note(self, message: str) -> None:
        """A one-line message on stderr that does not break the bar."""
        if self.enabled:
            self._flush_pending()
            self._write(message, self.stream)

    def result(self, message: str) -> None:
        """A line of what the command found or wrote: stdout, always (also with -q)."""
        self._flush_pending()
        self._write(message, self.results)

    def finish(self) -> None:
        """The command succeeded: the bar ends at 100% and closes."""
        self._flush_pending()
        if self.total:
            self._base, self._runs = self.total, {}
            self._update()
            if self.lines and self._printed_done < 1.0:
                # the last runs were loaded, not trained (resumed, or the same as a run before): no line
                # of theirs said 100%
                self._write(f"{self._prefix(1.0)}{self.label}: done", self.stream)
        self.close()

    def close(self) -> None:
        """End the bar where it stands (an interrupt); in a log, say where an unfinished run stopped."""
        self._flush_pending()
        if self._bar is not None:
            self._bar.refresh()
            self._bar.close()
            self._bar = None

    # -- rendering ------------------------------------------------------------------------
    def _update(self) -> None:
        if self._bar is not None:
            self._bar.update(round(self.done() * self.total) - self._bar.n)

    def _write(self, message: str, stream: TextIO) -> None:
        if self._bar is not None:
            with self._bar.external_write_mode(file=stream):
                print(message, file=stream, flush=True)
        else:
            print(message, file=stream, flush=True)

    def _flush_pending(self) -> None:
        if self._pending is None:
            return
        event, self._pending = self._pending, None
        if event.steps - event.step < (self._record_every or 1):
            # The run's last record point: it comes before the last step when the step count
            # is not a multiple of record_every (216 steps -> last point at 210).
            self._print_line(event, self._pending_done)
        else:  # the run ended early: diverged or interrupted
            self._write(
                f"{self._prefix(self._pending_done)}{self._describe(event)} "
                f"(stopped at step {event.step}/{event.steps})",
                self.stream,
            )

    def _prefix(self, done: float) -> str:
        return f"[{100 * done:3.0f}%] " if self.total else ""

    def _describe(self, event: Any) -> str:
        loss = f"{event.loss:.3f}" if math.isfinite(event.loss) else "nan"
        replicas = getattr(event, "replicas", 1)
        if replicas > 1:  # runs trained together: the loss is their mean
            run = f" runs {event.run + 1}-{event.run + replicas}/{event.runs}"
        else:
            run = f" run {event.run + 1}/{event.runs}" if event.runs > 1 else ""
        return f"{self.label}{run} epoch {event.epoch + 1}/{event.epochs} loss {loss}"

    def _print_line(self, event: Any, done: float) -> None:
        self._printed_done = done
        self._write(self._prefix(done) + self._describe(event), self.stream)


def _isatty(stream: TextIO) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False
