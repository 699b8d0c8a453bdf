"""Children that a test stops with Ctrl-C must be able to receive it."""

from __future__ import annotations

import signal


def ctrl_c_reaches_it() -> None:
    """`preexec_fn` for a child the test sends SIGINT: its disposition back to the default.

    A runner started in the background by a non-interactive shell (`make test &`, a CI script's
    job) has SIGINT ignored, and every process it starts inherits that: Python then installs no
    KeyboardInterrupt handler, and the Ctrl-C the test sends is silently dropped.
    """
    signal.signal(signal.SIGINT, signal.SIG_DFL)
