"""ee449.cli.progress: a bar on a terminal, one line per epoch in a log, nothing when disabled."""

from __future__ import annotations

import io

from ee449.cli.progress import Progress
from ee449.training import ProgressEvent
from tests.helpers.assertions import assert_equal


def events(runs: int = 1, epochs: int = 3, points_per_epoch: int = 4, record_every: int = 10):
    """The events the trainer sends: one per record point, `step` counting the steps done."""
    steps = epochs * points_per_epoch * record_every
    for run in range(runs):
        for epoch in range(epochs):
            for point in range(points_per_epoch):
                step = (epoch * points_per_epoch + point + 1) * record_every
                yield ProgressEvent(run, runs, epoch, epochs, step, steps, 2.3 - 0.01 * step / record_every)


def test_a_log_gets_one_line_per_epoch_and_run():
    stream = io.StringIO()
    progress = Progress("part3 cnn_4", stream, tty=False)
    for event in events(runs=2, epochs=3):
        progress(event)
    progress.close()
    lines = stream.getvalue().splitlines()
    assert_equal(len(lines), 2 * 3, what=f"lines {lines}")
    assert_equal(lines[0], "part3 cnn_4 run 1/2 epoch 1/3 loss 2.260", what="first line")
    assert_equal(lines[-1], "part3 cnn_4 run 2/2 epoch 3/3 loss 2.180", what="last line")


def test_a_terminal_gets_one_redrawn_line():
    stream = io.StringIO()
    progress = Progress("part5 cnn_4 lr 0.1", stream, tty=True)
    for event in events(epochs=2):
        progress(event)
    progress.close()
    text = stream.getvalue()
    assert text.startswith("\r") and text.endswith("\n") and text.count("\n") == 1, repr(text)
    assert "epoch 2/2" in text.rsplit("\r", 1)[-1] and "100%" in text.rsplit("\r", 1)[-1], repr(text)


def test_replicas_are_named_as_a_range_of_runs():
    stream = io.StringIO()
    progress = Progress("part3 mlp_1", stream, tty=False)
    progress(ProgressEvent(0, 10, 0, 1, 10, 10, 2.0, replicas=10))
    assert_equal(stream.getvalue(), "part3 mlp_1 runs 1-10/10 epoch 1/1 loss 2.000\n", what="line")


def test_notes_end_a_bar_and_disabled_progress_prints_nothing():
    stream = io.StringIO()
    progress = Progress("x", stream, tty=True)
    progress(next(events()))
    progress.note("wrote part3_cnn_4.json")
    assert stream.getvalue().endswith("\nwrote part3_cnn_4.json\n"), repr(stream.getvalue())
    quiet = io.StringIO()
    silent = Progress("x", quiet, tty=False, enabled=False)
    for event in events():
        silent(event)
    silent.note("hello")
    silent.close()
    assert_equal(quiet.getvalue(), "", what="disabled output")


def test_a_run_that_stops_early_says_where_it_stopped():
    stream = io.StringIO()
    progress = Progress("part5 cnn_4 lr 0.1", stream, tty=False)
    for event in list(events(epochs=3))[:6]:  # four points of epoch 1, two of epoch 2
        progress(event)
    progress.close()
    assert_equal(stream.getvalue().splitlines(), [
        "part5 cnn_4 lr 0.1 epoch 1/3 loss 2.260",
        "part5 cnn_4 lr 0.1 epoch 2/3 loss 2.240 (stopped at step 60/120)",
    ], what="lines")


def test_a_run_whose_last_point_precedes_its_last_step_ends_plainly():
    # 2 epochs of 108 steps = 216 steps, a point every 10: the last point is at step 210, yet
    # the run finished; only a run that stops before its last epoch is reported as stopped.
    stream = io.StringIO()
    progress = Progress("part3 mlp_1", stream, tty=False)
    for step in range(10, 217, 10):
        progress(ProgressEvent(0, 1, (step - 1) // 108, 2, step, 216, 2.0))
    progress.close()
    assert "stopped" not in stream.getvalue(), stream.getvalue()

    stream = io.StringIO()
    progress = Progress("part3 mlp_1", stream, tty=False)
    progress(ProgressEvent(0, 1, 0, 2, 50, 216, float("nan")))  # diverged in epoch 1 of 2
    progress.close()
    assert_equal(stream.getvalue().strip(), "part3 mlp_1 epoch 1/2 loss nan (stopped at step 50/216)",
                 what="early stop line")

    # Stopping inside the last epoch is still an early stop.
    stream = io.StringIO()
    progress = Progress("part3 mlp_1", stream, tty=False)
    for step in range(10, 151, 10):  # the last event at step 150 of 216, in epoch 2 of 2
        progress(ProgressEvent(0, 1, (step - 1) // 108, 2, step, 216, 2.0))
    progress.close()
    assert_equal(stream.getvalue().strip().splitlines()[-1],
                 "part3 mlp_1 epoch 2/2 loss 2.000 (stopped at step 150/216)", what="last-epoch stop line")
