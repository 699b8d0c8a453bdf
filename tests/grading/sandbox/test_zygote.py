"""The zygote's process in a grading's sandbox sees what bubblewrap's own child sees, and no more.

The oracle is bubblewrap itself: the same probe runs as the student's script in a process the
zygote forked into the sandbox (`warm.start`, under bubblewrap) and as a child bwrap starts with
the same mounts (`sandbox.run`), and what each finds is compared: the files, the processes, the
network, its privileges, its descriptors. A zygote that cannot set a process up is not used
again, and the grading goes on the way it does without one.
"""

from __future__ import annotations

import json
import socket
import sys
import textwrap
from pathlib import Path

import pytest

from ee449.grading import sandbox
from ee449.grading.grade import grade_submission
from ee449.grading.sandbox import runner, warm, zygote
from ee449.grading.sandbox.isolation import isolation
from ee449.grading.sandboxed.checks.manifest import Manifest
from ee449.spec import INPUT_SHAPE

pytestmark = pytest.mark.skipif(
    isolation().mode != "bwrap", reason="the zygote is used under bubblewrap only"
)

PROBE = textwrap.dedent(
    """
    import json, os, socket, sys
    found = {}
    found["root"] = sorted(os.listdir("/"))
    status = dict(l.split(":", 1) for l in open("/proc/self/status").read().splitlines() if ":" in l)
    found["caps"] = {k: status[k].strip() for k in ("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb")}
    found["no_new_privs"] = status["NoNewPrivs"].strip()
    found["ids"] = [os.getuid(), os.getgid()]
    found["fds"] = {}
    for fd in os.listdir("/proc/self/fd"):
        try:
            found["fds"][fd] = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            pass
    pids = sorted(int(p) for p in os.listdir("/proc") if p.isdigit())
    found["commands"] = sorted(
        open(f"/proc/{p}/cmdline", "rb").read().split(b"\\0")[0].decode() for p in pids if p != os.getpid()
    )
    try:
        socket.create_connection(("127.0.0.1", PORT), timeout=2)
        found["connected"] = True
    except OSError:
        found["connected"] = False
    for name in ("escape", "work/written"):
        try:
            open(os.path.join(ROOT, name), "w").write("x")
            found[name] = True
        except OSError:
            found[name] = False
    json.dump(found, open(OUT, "w"))
    """
)


@pytest.fixture
def listening():
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    yield server.getsockname()[1]
    server.close()


def _sandbox(tmp_path: Path, port: int) -> Path:
    """A grading's sandbox whose submission is the probe, writing what it finds to work/zygote.json."""
    root = sandbox.make_sandbox(tmp_path)
    (root / runner.SUBMITTED).mkdir()
    (root / runner.SUBMITTED / "probe.py").write_text(_probe(root, port, root / "work" / "zygote.json"))
    sandbox.copy_submission(root / runner.SUBMITTED, root)
    runner.prepare(root, None)
    return root


def _probe(root: Path, port: int, out: Path) -> str:
    return f"ROOT = {str(root)!r}\nOUT = {str(out)!r}\nPORT = {port}\n" + PROBE


def _probe_alone(root: Path, port: int) -> dict:
    """The probe as a child of bubblewrap's own, with the models pass's mounts."""
    out = root / "work" / "alone.json"
    (root / "work" / "alone.py").write_text(_probe(root, port, out))
    done = sandbox.run(
        [sys.executable, "-I", str(root / "work" / "alone.py")],
        cwd=root / "work",
        env=sandbox.minimal_env(root),
        limits=sandbox.Limits(timeout_s=60.0),
        mounts=runner.mounts(root, Manifest(), runner.PASSES[-1]),
        mode=isolation(),
    )
    assert done.returncode == 0, done.stderr
    return json.loads(out.read_text())


@pytest.fixture
def own_zygote(monkeypatch):
    """A zygote of this test's own (the process's may have been killed by a fence-mode student)."""
    fresh = zygote.Zygote()
    monkeypatch.setattr(zygote, "shared", lambda: fresh if fresh.alive() else None)
    yield fresh
    fresh.close()


def test_the_zygotes_process_sees_what_bwraps_own_child_sees(tmp_path, listening, own_zygote):
    root = _sandbox(tmp_path, listening)
    started = warm.start(root, None, 6144, isolation(), INPUT_SHAPE)
    assert isinstance(started, warm.Started)
    assert started.child.pid1 is not None, "not the zygote's: a warm interpreter of the grading's own"
    run, waiting = warm.ran(started)
    assert waiting is not None, run.failure
    waiting.close()
    joined = json.loads((root / "work" / "zygote.json").read_text())
    own = _probe_alone(root, listening)
    for key in ("root", "caps", "no_new_privs", "ids", "connected", "escape", "work/written"):
        assert joined[key] == own[key], (key, joined[key], own[key])
    assert set(joined["caps"].values()) == {"0000000000000000"}
    assert not joined["connected"] and not joined["escape"] and joined["work/written"]
    # No descriptor of the zygote's or the grader's: its socket, the other pipes
    assert not [t for t in joined["fds"].values() if t.startswith("socket:")], joined["fds"]
    pipes = {fd for fd, target in joined["fds"].items() if target.startswith("pipe:")}
    assert pipes <= {"0", "1", "2"} and len({joined["fds"][fd] for fd in pipes}) == 1, joined["fds"]  # stderr
    # bwrap's init, the holder, the joined interpreter: nothing of the grader's, nor the zygote itself
    commands = [Path(c).name for c in joined["commands"]]
    assert len(commands) == 3 and commands.count("bwrap") == 1, joined["commands"]


def test_a_zygote_that_cannot_set_a_process_up_is_not_asked_again(tmp_path, monkeypatch, listening):
    broken = zygote.Zygote()
    real_join = broken.join

    def join(holder, request):  # a folder that is not there: the set-up fails before any student code
        return real_join(holder, {**request, "cwd": "/no/such/folder"})

    monkeypatch.setattr(broken, "join", join)
    monkeypatch.setattr(zygote, "shared", lambda: broken if broken.alive() else None)
    try:
        root = _sandbox(tmp_path, listening)
        started = warm.start(root, None, 6144, isolation(), INPUT_SHAPE)
        assert isinstance(started, warm.Started)
        assert started.child.pid1 is None and any("sandboxed_warm" in a for a in started.child.argv)
        assert not broken.alive()  # marked: not asked again in this process
        run, waiting = warm.ran(started)
        assert waiting is not None, run.failure
        waiting.close()
    finally:
        broken.close()


# A model that kills its parent, but only in the models pass (pytest loaded): where the models pass
# runs in the zygote's process, whose parent must be one it cannot kill, as under bubblewrap alone.
PARRICIDE = textwrap.dedent(
    """
    import os, signal, sys
    import torch
    from torch import nn

    class mlp_1(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1, self.fc2 = nn.Linear(1024, 32), nn.Linear(32, 10)
            if "_pytest" in sys.modules:
                try:
                    os.kill(os.getppid(), signal.SIGKILL)
                except OSError:
                    pass

        def forward(self, x):
            return self.fc2(torch.relu(self.fc1(x.reshape(x.shape[0], -1))))

    model = mlp_1()
    """
)


@pytest.mark.slow
def test_a_model_that_kills_its_parent_is_graded_alike_with_and_without_the_zygote(
    tmp_path, monkeypatch, own_zygote
):
    submission = tmp_path / "submission"
    submission.mkdir()
    (submission / "hw1.py").write_text(PARRICIDE)
    joined = grade_submission(submission)
    monkeypatch.setattr(zygote, "shared", lambda: None)  # as with EE449_ZYGOTE=0
    alone = grade_submission(submission)
    assert [(c.id, c.passed) for c in joined.checks] == [(c.id, c.passed) for c in alone.checks]
    mlp_1 = {c.id: c for c in joined.checks if c.id.startswith("arch/mlp_1/")}
    assert mlp_1["arch/mlp_1/constructible"].passed and mlp_1["arch/mlp_1/layers"].passed, mlp_1
