"""Ctrl-C reaches the grader's main thread at once, whatever its helper threads are doing.

The kernel hands a process-directed signal to any thread that does not block it. When a helper
thread (a class run's worker, a pipe drain) takes SIGINT, Python notes it, but the main thread,
asleep on a lock until a whole grading finishes, is not woken: Ctrl-C then waited for minutes
under load, or for the end of the class. Every helper thread blocks SIGINT and SIGTERM on start,
so the main thread is the one that receives them and its wait ends with KeyboardInterrupt.

Children started from a helper thread inherit the blocked mask; the grader stops them with
SIGKILL (`sandbox.stop_all`), which no mask holds back.
"""

from __future__ import annotations

import signal
import threading

HELD = {signal.SIGINT, signal.SIGTERM}


def to_the_main_thread() -> None:
    """Block Ctrl-C and SIGTERM in the calling thread, unless it is the main thread."""
    if threading.current_thread() is not threading.main_thread():
        signal.pthread_sigmask(signal.SIG_BLOCK, HELD)
