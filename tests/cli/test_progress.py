"""ee449.cli.progress: a bar on a terminal, one line per epoch in a log, nothing when disabled."""

from __future__ import annotations

import io
import re

from ee449.cli.progress import Progress
from ee449.training import ProgressEvent
from tests.helpers.assertions import assert_close, assert_equal


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


def test_a_terminal_gets_one_bar_for_the_whole_command_ending_at_100_percent():
    stream = io.StringIO()
    progress = Progress("part5 cnn_4 lr 0.1", stream, tty=True)
    progress.start(3 * 120)  # three runs of 120 steps: one bar over all three
    for lr in ("0.1", "0.01", "0.001"):
        progress.relabel(f"part5 cnn_4 lr {lr}")
        for event in events(epochs=3):
            progress(event)
        assert_close(
            progress.done(), {"0.1": 1 / 3, "0.01": 2 / 3, "0.001": 1.0}[lr], what=f"done after lr {lr}"
        )
        progress.checkpoint(120)
    progress.finish()
    text = stream.getvalue()
    frames = [f for f in text.replace("\n", "\r").split("\r") if f.strip()]
    assert text.count("\n") == 1, f"one bar, one final newline: {text!r}"
    last = frames[-1]
    assert " 100%|" in last and "lr 0.001" in last, last
    assert re.search(r"\[\d\d:\d\d<\d\d:\d\d, +[\d.?]+ ?\w*step/s\]", last), f"elapsed<ETA, rate: {last}"


def test_the_bar_reaches_100_percent_when_runs_were_loaded_not_trained():
    # A resumed command: the saved runs send no events; the checkpoints and finish() still end at 100%.
    stream = io.StringIO()
    progress = Progress("part3", stream, tty=True)
    progress.start(1000)
    progress.checkpoint(400)
    assert_close(progress.done(), 0.4, what="after a file found up to date")
    progress(ProgressEvent(0, 1, 0, 1, 10, 600, 2.0))
    progress.finish()
    assert " 100%|" in stream.getvalue().rsplit("\r", 1)[-1], stream.getvalue()


def test_a_log_ends_at_100_percent_when_the_last_runs_were_loaded():
    stream = io.StringIO()
    progress = Progress("schedule cnn_4", stream, tty=False)
    progress.start(240)
    for event in events(epochs=3):
        progress(event)
    progress.checkpoint(120)  # the next 120 steps come from saved runs: no events
    progress.finish()
    assert_equal(stream.getvalue().splitlines()[-1], "[100%] schedule cnn_4: done", what="last line")


def test_results_go_to_stdout_and_notes_to_stderr_without_breaking_the_bar():
    err, out = io.StringIO(), io.StringIO()
    progress = Progress("part3", err, tty=True, results=out)
    progress.start(100)
    progress(ProgressEvent(0, 1, 0, 1, 50, 100, 2.0))
    progress.result("wrote part3_cnn_4.json")
    progress.note("data: synthetic")
    progress.finish()
    assert_equal(out.getvalue(), "wrote part3_cnn_4.json\n", what="stdout")
    assert "wrote" not in err.getvalue() and "data: synthetic\n" in err.getvalue(), err.getvalue()


def test_a_log_line_carries_the_whole_commands_percentage():
    stream = io.StringIO()
    progress = Progress("part3 cnn_4", stream, tty=False)
    progress.start(2 * 120)
    for event in events(runs=2, epochs=3):
        progress(event)
    progress.finish()
    lines = stream.getvalue().splitlines()
    assert_equal(lines[0], "[ 17%] part3 cnn_4 run 1/2 epoch 1/3 loss 2.260", what="first line")
    assert_equal(lines[-1], "[100%] part3 cnn_4 run 2/2 epoch 3/3 loss 2.180", what="last line")


def test_quiet_prints_results_only():
    err, out = io.StringIO(), io.StringIO()
    progress = Progress("x", err, tty=True, results=out, enabled=False)
    progress.start(100)
    for event in events():
        progress(event)
    progress.note("a note")
    progress.result("part3 cnn_4: test accuracy 61.00%")
    progress.finish()
    assert_equal(
        (err.getvalue(), out.getvalue()), ("", "part3 cnn_4: test accuracy 61.00%\n"), what="streams"
    )


def test_replicas_are_named_as_a_range_of_runs():
    stream = io.StringIO()
    progress = Progress("part3 mlp_1", stream, tty=False)
    progress(ProgressEvent(0, 10, 0, 1, 10, 10, 2.0, replicas=10))
    assert_equal(stream.getvalue(), "part3 mlp_1 runs 1-10/10 epoch 1/1 loss 2.000\n", what="line")


def test_notes_end_a_bar_and_disabled_progress_prints_nothing():
    stream = io.StringIO()
    progress = Progress("x", stream, tty=True)
    progress.start(120)
    progress(next(events()))
    progress.note("data: synthetic")
    before, after = stream.getvalue().split("data: synthetic\n")
    assert "%|" in before and before.endswith("\r"), "the bar is cleared, the note on a line of its own"
    assert "x epoch 1/3" in after, "and the bar redrawn below it"
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
    assert_equal(
        stream.getvalue().splitlines(),
        [
            "part5 cnn_4 lr 0.1 epoch 1/3 loss 2.260",
            "part5 cnn_4 lr 0.1 epoch 2/3 loss 2.240 (stopped at step 60/120)",
        ],
        what="lines",
    )


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
    assert_equal(
        stream.getvalue().strip(),
        "part3 mlp_1 epoch 1/2 loss nan (stopped at step 50/216)",
        what="early stop line",
    )

    # Stopping inside the last epoch is still an early stop.
    stream = io.StringIO()
    progress = Progress("part3 mlp_1", stream, tty=False)
    for step in range(10, 151, 10):  # the last event at step 150 of 216, in epoch 2 of 2
        progress(ProgressEvent(0, 1, (step - 1) // 108, 2, step, 216, 2.0))
    progress.close()
    assert_equal(
        stream.getvalue().strip().splitlines()[-1],
        "part3 mlp_1 epoch 2/2 loss 2.000 (stopped at step 150/216)",
        what="last-epoch stop line",
    )
