"""The sandbox runs real child processes: limits, timeouts and environment are checked on them."""

from __future__ import annotations

import ast
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from ee449.grading import sandbox
from ee449.grading.sandbox import font_cache
from ee449.grading.sandbox.isolation import Isolation, Mounts, isolation
from ee449.grading.sandboxed.checks.manifest import Manifest


@pytest.fixture
def box(tmp_path):
    return sandbox.make_sandbox(tmp_path)


def _python(box, code: str, limits: sandbox.Limits, watchdog=None) -> sandbox.Completed:
    return sandbox.run(
        [sys.executable, "-c", code],
        cwd=box / "work",
        env=sandbox.minimal_env(box),
        limits=limits,
        watchdog=watchdog,
    )


@pytest.mark.parametrize("mode", ["bwrap", "fence"])
def test_a_child_that_never_ends_is_killed_with_its_own_children_at_the_timeout(box, mode):
    if mode == "bwrap" and isolation().mode != "bwrap":
        pytest.skip("bubblewrap is not usable here")
    tag = f"{time.time_ns()}"  # the grandchild's command line names it (bwrap's PIDs are its namespace's)
    code = (
        "import subprocess, sys\n"
        f"subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)', '{tag}'])\n"
        f"subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)', '{tag}'], start_new_session=True)\n"
        "while True: pass\n"
    )
    result = sandbox.run(
        [sys.executable, "-c", code],
        cwd=box / "work",
        env=sandbox.minimal_env(box),
        limits=sandbox.Limits(timeout_s=3),
        mode=Isolation(mode),
    )
    assert result.timed_out and result.returncode is None
    deadline = time.monotonic() + 10  # the kill is asynchronous: give the kernel a moment
    while _tagged(tag) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _tagged(tag) == []


def _tagged(tag: str) -> list[int]:
    """Running processes whose command line holds `tag` (zombies waiting for a reaper count as dead)."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if (
                entry.name.isdigit()
                and tag.encode() in (entry / "cmdline").read_bytes()
                and _alive(int(entry.name))
            ):
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def _alive(pid: int) -> bool:
    """Running (a zombie waiting for its reaper counts as dead)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def test_the_memory_limit_stops_a_memory_bomb_near_the_limit(box):
    # Anonymous mappings count against the address space without using real memory.
    code = (
        "import mmap\nhog = []\ntry:\n    while True: hog.append(mmap.mmap(-1, 10 ** 8))\n"
        "except (MemoryError, OSError):\n    print('stopped', len(hog))\n"
    )
    result = _python(box, code, sandbox.Limits(timeout_s=60, memory_mb=1024))
    assert result.returncode == 0 and result.stdout.startswith("stopped")
    assert int(result.stdout.split()[1]) < 11  # stopped near 1 GB of address space, not later


def test_the_child_gets_a_minimal_environment_and_its_own_home(box, monkeypatch):
    monkeypatch.setenv("EE449_SECRET_TOKEN", "do-not-leak")
    code = "import os, json; print(json.dumps(dict(os.environ)))"
    result = _python(box, code, sandbox.Limits(timeout_s=60))
    env = json.loads(result.stdout)
    assert "EE449_SECRET_TOKEN" not in env
    assert env["HOME"] == str(box / "work") and env["TMPDIR"] == str(box / "tmp")


def test_exit_status_and_output_come_back(box):
    result = _python(
        box,
        "import sys; print('out'); print('err', file=sys.stderr); sys.exit(7)",
        sandbox.Limits(timeout_s=60),
    )
    assert (result.returncode, result.stdout.strip(), result.stderr.strip()) == (7, "out", "err")
    assert not result.timed_out and not result.stopped_by_watchdog


def test_the_watchdog_stops_a_child_early(box):
    calls = []

    def watchdog() -> bool:
        calls.append(1)
        return len(calls) > 3

    result = _python(box, "while True: pass", sandbox.Limits(timeout_s=60), watchdog)
    assert result.stopped_by_watchdog and not result.timed_out and result.returncode is None


def test_copy_submission_drops_symlinks_so_nothing_outside_is_reachable(tmp_path, box):
    source = tmp_path / "submission"
    source.mkdir()
    (source / "hw1.py").write_text("x = 1\n")
    (tmp_path / "secret.txt").write_text("secret")
    (source / "link.txt").symlink_to(tmp_path / "secret.txt")
    work = sandbox.copy_submission(source, box)
    assert sorted(p.name for p in work.iterdir()) == ["hw1.py"]


@pytest.mark.parametrize("kwargs", [{"timeout_s": 0}, {"memory_mb": 100}])
def test_limits_reject_values_that_cannot_work(kwargs):
    with pytest.raises(ValueError):
        sandbox.Limits(**kwargs)


# --- issue 23: channels the grader owns, limits that hold -----------------------------------

MODES = ["bwrap", "fence"]


def _in(mode: str, box, code: str, limits: sandbox.Limits) -> sandbox.Completed:
    if mode == "bwrap" and isolation().mode != "bwrap":
        pytest.skip("bubblewrap is not usable here")
    return sandbox.run(
        [sys.executable, "-c", code],
        cwd=box / "work",
        env=sandbox.minimal_env(box),
        limits=limits,
        mode=Isolation(mode),
    )


@pytest.mark.parametrize("mode", MODES)
def test_output_comes_through_pipes_the_grader_owns_whatever_the_child_plants(mode, box, tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    code = (
        "import os\n"
        "tmp = os.environ['TMPDIR']\n"
        f"os.symlink({str(victim)!r}, os.path.join(tmp, 'stdout.txt'))\n"
        "os.symlink('/dev/zero', os.path.join(tmp, 'stderr.txt'))\n"
        "os.mkfifo(os.path.join(tmp, 'fifo'))\n"
        "print('x' * 3_000_000)\n"  # more than a pipe holds: the grader drains while it runs
    )
    first = _in(mode, box, code, sandbox.Limits(timeout_s=60))
    again = _in(mode, box, "print('second')", sandbox.Limits(timeout_s=60))  # the restart case
    assert first.returncode == 0 and len(first.stdout) == sandbox.OUTPUT_BYTES  # the tail, capped
    assert again.stdout.strip() == "second" and victim.read_text() == "keep me"


@pytest.mark.parametrize("mode", MODES)
def test_writing_more_than_the_disk_quota_stops_the_child(mode, box):
    code = (
        "import os\n"
        "for i in range(64):\n"
        "    with open(f'big{i}', 'wb') as f: f.write(b'x' * 4 * 2**20)\n"  # 256 MB in files of 4 MB
        "import time; time.sleep(30)\n"
    )
    result = _in(mode, box, code, sandbox.Limits(timeout_s=60, disk_mb=32))
    assert result.disk_full and result.returncode is None, result.stderr[-500:]


def test_under_bwrap_tmpdir_and_dev_shm_are_small_tmpfs_folders(box):
    code = (
        "import os, errno\n"
        "for path in (os.environ['TMPDIR'] + '/big', '/dev/shm/big'):\n"
        "    try:\n"
        "        with open(path, 'wb') as f: f.write(b'x' * 64 * 2**20)\n"
        "        print('wrote', path)\n"
        "    except OSError as error:\n"
        "        print('refused', errno.errorcode[error.errno])\n"
    )
    result = _in("bwrap", box, code, sandbox.Limits(timeout_s=60, disk_mb=32))
    assert result.stdout.split() == ["refused", "ENOSPC", "refused", "ENOSPC"], result.stderr[-500:]
    assert not (box / "tmp" / "big").exists()  # the tmpfs lives in the child's namespace only


@pytest.mark.parametrize("mode", MODES)
def test_the_sandbox_imports_its_own_ee449_first_and_never_the_reference(mode, box):
    from ee449.grading.sandbox.isolation import isolated_python
    from ee449.grading.sandbox.lib import build_lib

    lib = build_lib(box / "lib")
    for name, text in {"random.py": "raise ImportError('student random')\n", "helper.py": "X = 1\n"}.items():
        (box / "work" / name).write_text(text)
    (box / "work" / "ee449").mkdir()
    (box / "work" / "ee449" / "__init__.py").write_text("raise ImportError('student ee449')\n")
    probe = box / "lib" / "probe.py"
    probe.write_text(
        "import importlib, random, helper, ee449.grading.sandboxed.checks.support\n"
        "for name in ('ee449.basics.conv', 'ee449.grading.judging.diagnose', 'ee449.grading.judging.conv'):\n"
        "    try:\n        importlib.import_module(name); print('imported', name)\n"
        "    except ImportError:\n        print('refused', name)\n"
        "print('build' in dir(importlib.import_module('ee449.models')))\n"
    )
    if mode == "bwrap" and isolation().mode != "bwrap":
        pytest.skip("bubblewrap is not usable here")
    result = sandbox.run(
        isolated_python("probe", lib, box / "work"),
        cwd=box / "work",
        env=sandbox.minimal_env(box),
        limits=sandbox.Limits(timeout_s=60),
        mounts=Mounts(readable=(lib,)),
        mode=Isolation(mode),
    )
    lines = result.stdout.splitlines()
    assert result.returncode == 0, result.stderr[-1000:]
    assert lines[-1] == "False"  # the sandbox's ee449.models has no reference `build`
    if mode == "bwrap":  # under the fence the installed package can still be found (README, Safety)
        assert all(line.startswith("refused") for line in lines[:-1]), lines


def test_ctrl_c_kills_a_trusted_child_the_grader_is_waiting_on():
    """The reference models' child (our code) is killed by stop_all like a sandboxed one: a Ctrl-C
    never waits for it, and the wait ends with Interrupted."""

    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"], start_new_session=True)

    def ctrl_c_soon() -> None:
        time.sleep(0.5)
        sandbox.stop_all()

    threading.Thread(target=ctrl_c_soon).start()
    try:
        with pytest.raises(sandbox.Interrupted), sandbox.stopped_by_ctrl_c(child):
            child.wait(timeout=60)
    finally:
        sandbox.resume()
        if child.poll() is None:
            child.kill()
    assert child.wait(timeout=10) == -signal.SIGKILL


_PLOTS = (  # the font lists in its config folder before and after a plot (name, mtime), then its stderr
    "import os\n"
    "def lists():\n"
    "    folder = os.environ['MPLCONFIGDIR']\n"
    "    names = sorted(n for n in os.listdir(folder) if n.startswith('fontlist')) if os.path.isdir(folder) else []\n"
    "    return [(n, os.stat(os.path.join(folder, n)).st_mtime_ns) for n in names]\n"
    "before = lists()\n"
    "import matplotlib.pyplot as plt\n"
    "plt.plot([0, 1]); plt.savefig(os.path.join(os.environ['TMPDIR'], 'plot.png'))\n"
    "print(repr((before, lists())))\n"
)


def _font_lists(mode: str, box) -> tuple[list, list]:
    done = _in(mode, box, _PLOTS, sandbox.Limits())
    assert done.returncode == 0, done.stderr
    return ast.literal_eval(done.stdout.strip())


@pytest.mark.parametrize("mode", MODES)
def test_a_sandboxed_plot_finds_matplotlibs_font_list_ready(mode, box, monkeypatch):
    """The grader builds the font list once and places it in each sandbox, where the child's matplotlib
    uses it as it is (building one costs each child about 1 s of CPU); without the placed list (the
    control) the child builds its own."""
    placed = font_cache.font_list()
    assert placed is not None
    before, after = _font_lists(mode, box)
    assert [name for name, _ in before] == [placed.name] and after == before
    monkeypatch.setattr(font_cache, "font_list", lambda: None)
    before, after = _font_lists(mode, sandbox.make_sandbox(box))
    assert before == [] and [name for name, _ in after] == [placed.name]


@pytest.mark.parametrize("mode", MODES)
def test_a_font_list_deleted_under_the_grader_is_built_again_and_children_still_run(mode, box):
    """A /tmp cleaner may delete the grader's font list during a long class run: the next child must
    neither fail (under bwrap a read-only mount of a missing file would stop it) nor go without one."""
    first = font_cache.font_list()
    assert first is not None
    shutil.rmtree(first.parent)
    before, after = _font_lists(mode, box)
    again = font_cache.font_list()
    assert again is not None and again.is_file() and again != first
    assert [name for name, _ in before] == [again.name] and after == before


_ESCAPE = """
import importlib, json, os, sys
seen = {"first": importlib.import_module("torch").__version__}
sys.path[:] = [p for p in sys.path if not p.endswith("standin")]
for name in [m for m in sys.modules if m.split(".")[0] == "torch"]:
    del sys.modules[name]
torch = importlib.import_module("torch")
seen["escaped"] = hasattr(torch, "nn") and hasattr(getattr(torch, "nn"), "Conv2d")
seen["listing"] = {name: os.listdir(path) for name, path in json.loads(sys.argv[1]).items()}
print(json.dumps(seen))
"""


@pytest.mark.parametrize("mode", MODES)
def test_the_conv_pass_shows_the_libraries_that_convolve_as_empty_folders(mode, box):
    """What the conv checks' child sees (`runner.mounts` for the NumPy-only pass): torch is the stand-in, and
    under bubblewrap the real torch and scipy are empty folders, so taking the stand-in off the path reaches
    nothing; the fence hides nothing (README, Safety)."""
    from ee449.grading.sandbox import runner
    from ee449.grading.sandbox.isolation import convolving_packages, isolated_python

    conv_pass = runner.PASSES[0]
    assert conv_pass.numpy_only and conv_pass.modules == ("check_conv.py",)
    hidden = runner.mounts(box, Manifest(), conv_pass).hidden
    libraries = {path.name: str(path) for path in convolving_packages() if path.name in ("torch", "scipy")}
    assert set(libraries) == {"torch", "scipy"} and set(libraries.values()) <= {str(p) for p in hidden}
    front = runner.pytest_argv(box, conv_pass)[4].split(os.pathsep)  # python -I -c BOOT FRONT WORK: its path
    assert front[0].endswith("standin")
    (box / "work" / "escape.py").write_text(_ESCAPE)
    (box / "extracted").mkdir()  # what the grader writes before the checks run, mounted read-only
    (box / "manifest.json").write_text("{}")
    if mode == "bwrap" and isolation().mode != "bwrap":
        pytest.skip("bubblewrap is not usable here")
    done = sandbox.run(
        [*isolated_python("escape", [Path(p) for p in front], box / "work"), json.dumps(libraries)],
        cwd=box / "work",
        env=sandbox.minimal_env(box),
        limits=sandbox.Limits(),
        mounts=runner.mounts(box, Manifest(), conv_pass),
        mode=Isolation(mode),
    )
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout)
    assert seen["first"] == "0+numpy-standin"
    if mode == "bwrap":
        assert seen["escaped"] is False and seen["listing"] == {"torch": [], "scipy": []}
    else:
        assert seen["escaped"] is True and all(seen["listing"].values())
