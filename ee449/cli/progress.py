"""Progress of long training work on stderr: a bar on a terminal, a line per epoch elsewhere.

The trainer does not print; it calls a hook with `ee449.training.ProgressEvent`s. `Progress` is
that hook. On a TTY it redraws one line in place (part, architecture, run, epoch, a bar, the
loss); when stderr is a file or a pipe (CI logs) it writes one plain line per finished epoch,
so logs stay readable and short.
"""

from __future__ import annotations

import math
import sys
import time
from typing import Any, TextIO

BAR_WIDTH = 24  # characters of the in-place bar; fits an 80-column terminal with the text


class Progress:
    """A progress hook: `Progress("part3 cnn_4")(event)` for each ProgressEvent.

    Events come at record points: `event.run` and `event.epoch` are 0-based, `event.step` counts
    the steps done so far out of `event.steps` (the whole run). `label` names the current piece
    of work; `relabel` changes it between experiments.
    """

    def __init__(self, label: str = "", stream: TextIO | None = None, *, tty: bool | None = None,
                 enabled: bool = True):
        self.label = label
        self.stream = stream if stream is not None else sys.stderr
        self.tty = _isatty(self.stream) if tty is None else tty
        self.enabled = enabled
        self._pending: Any = None  # line mode: the latest event of the epoch under way
        self._last_draw = 0.0
        self._dirty = False  # tty mode: a bar is on the current line
        self._record_every: int | None = None  # steps between events: the smallest step seen

    def relabel(self, label: str) -> None:
        self.close()
        self.label = label

    def __call__(self, event: Any) -> None:
        if not self.enabled:
            return
        # Events come every record_every steps from each run's start, so the smallest step seen
        # is record_every; close() needs it to tell a finished run from one that stopped early.
        if self._record_every is None or 0 < event.step < self._record_every:
            self._record_every = event.step
        if self.tty:
            self._draw(event)
            return
        # One line per epoch: an event of a new (run, epoch) means the previous epoch ended.
        if self._pending is not None and (event.run, event.epoch) != (self._pending.run, self._pending.epoch):
            self._print_line(self._pending)
        self._pending = event
        if event.step >= event.steps:
            self._print_line(event)
            self._pending = None

    def note(self, message: str) -> None:
        """A one-line message that does not break the bar."""
        if not self.enabled:
            return
        self.close()
        print(message, file=self.stream, flush=True)

    def close(self) -> None:
        """End the current bar; in a log, say where a run that did not finish stopped."""
        if self._pending is not None:
            event = self._pending
            if event.steps - event.step < (self._record_every or 1):
                # The run's last record point: it comes before the last step when the step count
                # is not a multiple of record_every (216 steps -> last point at 210).
                self._print_line(event)
            else:  # the run ended early: diverged or interrupted
                print(f"{self._describe(event)} (stopped at step {event.step}/{event.steps})", file=self.stream,
                      flush=True)
            self._pending = None
        if self._dirty:
            self.stream.write("\n")
            self.stream.flush()
            self._dirty = False

    # -- rendering ------------------------------------------------------------------------
    def _describe(self, event: Any) -> str:
        loss = f"{event.loss:.3f}" if math.isfinite(event.loss) else "nan"
        replicas = getattr(event, "replicas", 1)
        if replicas > 1:  # runs trained together: the loss is their mean
            run = f" runs {event.run + 1}-{event.run + replicas}/{event.runs}"
        else:
            run = f" run {event.run + 1}/{event.runs}" if event.runs > 1 else ""
        return f"{self.label}{run} epoch {event.epoch + 1}/{event.epochs} loss {loss}"

    def _print_line(self, event: Any) -> None:
        print(self._describe(event), file=self.stream, flush=True)

    def _draw(self, event: Any) -> None:
        now = time.monotonic()
        if event.step < event.steps and now - self._last_draw < 0.1:  # at most ten redraws a second
            return
        self._last_draw = now
        fraction = min(1.0, event.step / max(1, event.steps))
        filled = int(round(fraction * BAR_WIDTH))
        bar = "#" * filled + "-" * (BAR_WIDTH - filled)
        self.stream.write(f"\r{self._describe(event)} [{bar}] {100 * fraction:3.0f}%\x1b[K")
        self.stream.flush()
        self._dirty = True


def _isatty(stream: TextIO) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False
