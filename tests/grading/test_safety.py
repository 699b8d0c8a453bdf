"""Issue 12: grades nobody can forge, and a class run that nothing can stop.

The hostile fixtures (fixtures/submissions/hostile.py) are graded as one class in each sandbox
mode: under bubblewrap and under the fallback fence (forced with EE449_SANDBOX=fence). Each must
get the grade in its expected.json ("fence" holds the fence's grade where it differs), and under
bubblewrap none of their effects may happen: no file outside, no secret in any output, no
connection, no process left behind. Result-file checks are left out of the comparison: these
fixtures hold no result files, so those checks fail the same way for all of them.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from xml.etree import ElementTree

import pytest

from ee449.cli import main
from ee449.grading import sandbox
from ee449.grading.classroom import grade_class
from ee449.grading.grade import grade_submission
from ee449.grading.grades import GradeOptions
from ee449.grading.intake.resultfiles import SLOTS
from ee449.grading.output.report import gradescope_results, scores_csv, summary, write_outputs
from ee449.grading.sandbox.isolation import ISOLATION_ENV, isolation
from tests.helpers.signals import ctrl_c_reaches_it

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "submissions"
sys.path.insert(0, str(FIXTURES))
import hostile  # noqa: E402 - the fixtures' own generator: its port and process names

NAMES = sorted(
    p.name for p in FIXTURES.iterdir() if p.name.startswith("hostile_") and (p / "expected.json").is_file()
)
CHECK_TIMEOUT = 4.0  # each hung check costs one; the largest honest check takes ~0.2 s
DEDUCTED = "by the rubric's deductions"  # what a check scored by the deduction table says
SECRET_ENV = "EE449_GRADER_SECRET"

pytestmark = pytest.mark.slow


def _expected(name: str, mode: str, result=None) -> dict:
    """The fixture's expected grade in `mode`; under the fence, its busy-machine grade where it has
    one and `result`'s first check ran out of time (the real torch imported inside a 4 s check)."""
    expected = json.loads((FIXTURES / name / "expected.json").read_text())
    busy = expected.get("fence_when_busy")
    if mode == "fence" and busy and result is not None:
        first = next((c for c in result.checks if c.id == "conv/output_shape"), None)
        if first is not None and "did not finish within" in first.message:
            return {**expected, **busy}
    return {**expected, **expected.get(mode, {})}


class _Listener:
    """A TCP server on the fixtures' port counting connections (none may come from a sandbox)."""

    def __init__(self, port: int):
        self.connections = 0
        self.server = socket.socket()
        self.server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.server.bind(("127.0.0.1", port))
        self.server.listen(16)
        self.server.settimeout(0.2)
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while not self.stop.is_set():
            try:
                connection, _ = self.server.accept()
            except OSError:
                continue
            self.connections += 1
            connection.close()

    def close(self) -> None:
        self.stop.set()
        self.thread.join()
        self.server.close()


def _processes(needle: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if needle.encode() in (entry / "cmdline").read_bytes().replace(b"\0", b" "):
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def _grade(mode: str, base: Path) -> dict:
    if mode == "bwrap" and isolation().mode != "bwrap":
        pytest.skip(f"bubblewrap is not usable here: {isolation().reason}")
    classroom, boxes, out = base / "class", base / "boxes", base / "out"
    boxes.mkdir(parents=True)
    for name in [*NAMES, "correct"]:
        shutil.copytree(FIXTURES / name, classroom / name)
    victims_before = _tree_digest(classroom)
    secret = secrets.token_hex(16)
    saved = {k: os.environ.get(k) for k in (SECRET_ENV, ISOLATION_ENV)}
    os.environ[SECRET_ENV], os.environ[ISOLATION_ENV] = secret, mode
    # One listener on the fixtures' port at a time: pytest-xdist workers (and other checkouts on this
    # machine) that grade the hostile class take turns (`make test` keeps this module on one worker).
    port_lock = open(Path(tempfile.gettempdir()) / f"ee449-hostile-port-{hostile.SOCKET_PORT}.lock", "w")
    fcntl.flock(port_lock, fcntl.LOCK_EX)
    listener = _Listener(hostile.SOCKET_PORT)
    previous_tempdir, tempfile.tempdir = (
        tempfile.tempdir,
        str(boxes),
    )  # sandboxes go here: escapes are findable
    try:
        results = grade_class(classroom, GradeOptions(check_timeout=CHECK_TIMEOUT), jobs=2)
        alone = grade_submission(FIXTURES / "correct", GradeOptions(check_timeout=CHECK_TIMEOUT), "correct")
    finally:
        tempfile.tempdir = previous_tempdir
        listener.close()
        port_lock.close()  # releases the flock
        for key, value in saved.items():
            os.environ.pop(key, None) if value is None else os.environ.__setitem__(key, value)
    for result in results:
        write_outputs(result, out / result.student)
    return {
        "victims": (victims_before, _tree_digest(classroom)),
        "alone": alone,
        "scores_csv": scores_csv(results),
        "summaries": [summary(r) for r in results],
        "results": {r.student: r for r in results},
        "secret": secret,
        "connections": listener.connections,
        "base": base,
        "out": out,
    }


def _tree_digest(folder: Path) -> dict[str, str]:
    """Every file under `folder` (links not followed) and a digest of its bytes."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.is_symlink()
    }


_GRADED: dict[str, dict] = {}  # mode -> the class graded in it: once, however pytest orders the tests


@pytest.fixture(scope="module", params=["bwrap", "fence"])
def graded(request, tmp_path_factory):
    # pytest may finalize a module fixture's parameter and set it up again later when the tests
    # of the two modes interleave: each mode's class (minutes of hostile code) is graded once.
    mode = request.param
    if mode not in _GRADED:
        _GRADED[mode] = _grade(mode, tmp_path_factory.mktemp(f"hostile-{mode}"))
    return mode, _GRADED[mode]


@pytest.mark.parametrize("name", NAMES)
def test_each_hostile_fixture_gets_the_grade_its_code_deserves(graded, name):
    mode, done = graded
    result = done["results"][name]
    want = _expected(name, mode, result)
    failed = sorted(c.id for c in result.checks if not c.passed and not c.id.startswith("results/"))
    assert failed == want["failed"], "\n".join(
        f"{c.id}: {c.message[:300]}" for c in result.checks if not c.passed
    )
    by_id = {c.id: c for c in result.checks}
    for check, codes in want["diagnoses"].items():
        got = [code for code, _ in by_id[check].diagnoses]
        assert set(codes) <= set(got), (
            f"{check}: diagnoses {got}, expected {codes}: {by_id[check].message[:300]}"
        )
    # The rules every graded fixture keeps (tests/grading/test_grade.py): no result file here, so every
    # result slot is "not found"; a failed check scores nothing (or the deduction table's share, said).
    not_found = {
        c.id.split("/")[1]
        for c in result.checks
        if c.id.startswith("results/") and not c.passed and c.message.startswith("not found")
    }
    assert not_found == set(SLOTS) - set(want.get("results", {})), result.notes
    for check in result.checks:
        if not check.passed:
            assert check.points == 0 or DEDUCTED in check.message, check.id
            assert check.message or check.diagnoses, check.id
    if "score" in want:
        assert (result.score, result.max_score) == (want["score"], want["max_score"])


def test_a_hostile_submission_costs_no_maximum_and_writes_valid_gradescope_results(graded, tmp_path):
    """Whatever its code does, a submission's maximum is the class's and its results.json is valid."""
    from tests.helpers.gradescope import assert_gradescope_results

    results = graded[1]["results"]
    assert len({r.max_score for r in results.values()}) == 1, {n: r.max_score for n, r in results.items()}
    for name, result in results.items():
        write_outputs(result, tmp_path / name)
        assert_gradescope_results(json.loads((tmp_path / name / "results.json").read_text()))


def test_hung_checks_are_stopped_by_their_timeouts(graded):
    results = graded[1]["results"]
    alarm = next(c for c in results["hostile_loop_in_conv"].checks if c.id == "conv/output_shape")
    watchdog = next(c for c in results["hostile_ignores_alarm"].checks if c.id == "conv/output_shape")
    within = f"did not finish within {CHECK_TIMEOUT:g} s"
    # Stopped by the check's own alarm (its message asks about an infinite loop), not by the
    # watchdog that backs it up; no wall-clock bound, which a busy machine would make flaky.
    assert within in alarm.message and "(an infinite loop?)" in alarm.message, alarm.message
    assert within in watchdog.message
    later = next(c for c in results["hostile_ignores_alarm"].checks if c.id == "conv/inputs_unmodified")
    assert "already ran out of time" in later.message  # not another full timeout


def test_forged_and_patched_submissions_score_nothing_on_what_they_forged(graded):
    results = graded[1]["results"]
    forged = results["hostile_forged_progress"]
    assert forged.score == 0 and forged.max_score > 0
    for name in ("hostile_patched_numpy", "hostile_patched_torch"):
        values = [c for c in results[name].checks if c.id.startswith("conv/matches_reference")]
        assert values and all(c.points == 0 for c in values), name


def test_everyone_else_in_the_class_is_graded_correctly(graded):
    correct = graded[1]["results"]["correct"]
    run = [c for c in correct.checks if not c.id.startswith("results/")]
    assert run and all(c.passed for c in run), [(c.id, c.message) for c in run if not c.passed]
    assert {"conv/implemented_in_numpy", "arch/cnn_5/layers"} <= {c.id for c in run}


def test_results_json_says_how_the_code_was_isolated(graded):
    mode, done = graded
    for student in ("correct", "hostile_kills_grader"):  # the grader survived its would-be killer
        extra = json.loads((done["out"] / student / "results.json").read_text())["extra_data"]
        assert extra["sandbox"] == mode
        assert ("sandbox_warning" in extra) == (mode == "fence")
    # The fence's warning is the operator's (stderr, extra_data), never a line of the students' text.
    assert not any("fence only" in note for note in done["results"]["correct"].notes)


def test_no_process_outlives_grading_in_either_mode(graded):
    for needle in hostile.SLEEP_SECONDS:
        assert _processes(f"sleep {needle}") == []


def test_the_parent_s_environment_never_reaches_an_output(graded):
    """getppid() is bwrap's init (bwrap) or the fence's shim: neither carries the grader's environment."""
    mode, done = graded
    for path in done["out"].rglob("*"):
        if path.is_file():
            assert done["secret"] not in path.read_text(errors="replace"), path


def test_under_bwrap_no_effect_escapes(graded):
    mode, done = graded
    if mode != "bwrap":
        pytest.skip("the fence does not isolate files, secrets or the network (README, Safety)")
    escaped = [p for p in done["base"].rglob("escaped*")] + [p for p in done["base"].parent.glob("escaped*")]
    assert escaped == []
    assert done["connections"] == 0
    leak = json.dumps(gradescope_results(done["results"]["hostile_reads_secrets"]))
    assert "leak:" in leak  # the submission did raise its message...
    assert (
        "FileNotFoundError" in leak and sandbox.MARKER_ENV in leak
    )  # ...holding only the sandbox's own view
    shadow = Path("/etc/shadow")
    if shadow.is_file() and os.access(shadow, os.R_OK):
        first = shadow.read_text().splitlines()[0]
        assert first not in leak


def test_killing_the_parent_reaches_nothing_under_bwrap_and_only_its_own_run_under_the_fence(graded):
    """os.kill(os.getppid(), SIGKILL) lands on bwrap's init (the kernel ignores it) or on the fence's shim."""
    mode, done = graded
    checks = {c.id: c for c in done["results"]["hostile_kills_grader"].checks}
    if mode == "bwrap":
        assert checks["conv/output_shape"].passed
    else:
        assert "process_died" in [code for code, _ in checks["conv/output_shape"].diagnoses]
    assert done["results"]["correct"].score > 0  # and the grader went on with the class


def test_no_student_file_changes_whatever_a_class_mate_plants(graded):
    """hostile_plants_links aims links at correct/hw1.py; the grader never writes or reads through one."""
    before, after = graded[1]["victims"]
    assert after == before


def test_an_attacker_in_the_class_changes_no_one_else_s_grade(graded):
    """`correct` graded in the hostile class, and graded alone (in the same mode): the same checks."""
    mode, done = graded
    in_class, alone = done["results"]["correct"], done["alone"]
    assert [(c.id, c.passed, c.points) for c in in_class.checks] == [
        (c.id, c.passed, c.points) for c in alone.checks
    ]


def test_student_text_reaches_every_output_escaped_and_the_class_writes_scores(graded):
    mode, done = graded
    rows = done["scores_csv"].splitlines()
    assert len(rows) == 1 + len(done["results"])  # a header and one row per student, none lost
    for text in [*done["summaries"], done["scores_csv"]]:
        text.encode("utf-8")  # a lone surrogate would raise here
        assert "\x1b" not in text and "\r" not in text and "\u202e" not in text
    bad = next(s for s in done["summaries"] if s.startswith("== hostile_bad_text"))
    assert "\\x1b[2J" in bad and not any(line.startswith("== someone_else") for line in bad.splitlines())
    junit = (done["out"] / "hostile_bad_text" / "junit.xml").read_bytes()
    ElementTree.fromstring(junit)  # well-formed: no control character reached the XML


def test_the_sandbox_cannot_import_the_reference_under_bwrap(graded):
    mode, done = graded
    checks = {c.id: c for c in done["results"]["hostile_imports_reference"].checks}
    # In both modes the sandbox's own ee449 (no reference code, `sandbox.lib`) is the `ee449` the child
    # imports: under bwrap the installed package is not even mounted; under the fence it is readable
    # by path (README, Safety), but `import ee449.basics.conv` finds the sandbox's `ee449.basics`.
    assert "ModuleNotFoundError" in checks["conv/output_shape"].message, (
        mode,
        checks["conv/output_shape"].message,
    )
    assert checks["arch/mlp_1/constructible"].points == 0


# --- settings -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "extra, reason",
    [
        (["--timeout", "inf"], "finite"),
        (["--timeout", "nan"], "finite"),
        (["--timeout", "-1"], "above 0"),
        (["--memory-mb", "1024"], "at least 4096"),
    ],
)
def test_settings_that_would_fail_every_student_are_refused_with_status_2(tmp_path, capsys, extra, reason):
    (tmp_path / "alice").mkdir()
    (tmp_path / "alice" / "hw1.py").write_text("x = 1\n")
    with pytest.raises(SystemExit) as exit_info:
        main(["grade", str(tmp_path / "alice"), "--out", str(tmp_path / "out"), *extra])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err.strip()
    assert reason in err and len(err.splitlines()) == 1
    assert not (tmp_path / "out").exists()


def test_an_impossible_sandbox_request_is_refused(monkeypatch):
    monkeypatch.setenv(ISOLATION_ENV, "docker")
    with pytest.raises(ValueError, match="bwrap' or 'fence'"):
        isolation()


# --- Ctrl-C ---------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["bwrap", "fence"])
def test_ctrl_c_stops_the_grader_and_every_sandboxed_child(tmp_path, mode):
    if mode == "bwrap" and isolation().mode != "bwrap":
        pytest.skip("bubblewrap is not usable here")
    classroom = tmp_path / "class"
    for name in ("hostile_ignores_alarm", "hostile_loop_in_conv"):
        shutil.copytree(FIXTURES / name, classroom / name)
    env = {**os.environ, ISOLATION_ENV: mode, "TMPDIR": str(tmp_path)}
    grader = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "ee449",
            "grade",
            str(classroom),
            "--class",
            "-j",
            "2",
            "--timeout",
            "120",
            "--out",
            str(tmp_path / "out"),
        ],
        env=env,
        preexec_fn=ctrl_c_reaches_it,  # the test stops it with Ctrl-C
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    marker = f"{sandbox.MARKER_ENV}={tmp_path}".encode()

    def children() -> list[int]:
        pids = []
        for entry in Path("/proc").iterdir():
            try:
                if entry.name.isdigit() and marker in (entry / "environ").read_bytes():
                    pids.append(int(entry.name))
            except OSError:
                continue
        return pids

    deadline = time.monotonic() + 120
    while len(children()) < 2 and time.monotonic() < deadline:  # both students' checks are running
        time.sleep(0.2)
    assert children(), "no sandboxed child started"
    time.sleep(1.0)
    grader.send_signal(signal.SIGINT)
    _, err = grader.communicate(timeout=60)
    assert grader.returncode == 130, err.decode()[-2000:]
    deadline = time.monotonic() + 10
    while children() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert children() == []
