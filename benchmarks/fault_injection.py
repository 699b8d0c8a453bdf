"""Fault injection: kill `ee449 all --quick` at random points, corrupt saved files, fill the disk.

    python benchmarks/fault_injection.py [--kills 10] [--max-wait 40] [--seed 0] [--work DIR] [--phases ...]

Three phases, each fault counted, then whether it was recovered and whether anything was lost:

1. kills: start `ee449 all --quick --out DIR`, kill it after a random 2..max-wait seconds (SIGKILL
   and SIGINT alternately), `--kills` times, then run it once more to the end. A kill is recovered
   when the saved runs that existed at that kill are still there, byte for byte (never retrained),
   and the final run finishes with every result file intact. Lost: a saved run that vanished or
   changed, a result file left unreadable.
2. corruption: one saved file broken each way (a saved run cut short, its test_acc a string, a
   saved run truncated; a result file with a string curve, a missing key, unequal curves, an
   impossible test_acc, truncated JSON). Recovered when the next command restores the file
   (truncated result JSON: refused with the fix named; following it restores the file) with
   the same numbers, retraining at most the one broken run.
3. disk full: `ee449 part4 --quick --arch mlp_1` into a tmpfs with room for one saved run: it must
   stop with one line (exit 1) naming ENOSPC, keep the run it finished, and after the disk is
   grown, resume training only the other. Needs root for the mount (skipped otherwise).

Prints one line per fault and "N faults, N recovered, 0 lost" at the end (exit 1 otherwise).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ee449.results.checks import body_problems, part_of  # noqa: E402

QUICK = ["--quick"]


@dataclass
class Tally:
    faults: int = 0
    recovered: int = 0
    lost: int = 0

    def record(self, name: str, recovered: bool, lost: int = 0, detail: str = "") -> None:
        self.faults += 1
        self.recovered += int(recovered)
        self.lost += lost
        mark = "ok  " if recovered and not lost else "FAIL"
        print(f"{mark} {name}{': ' + detail if detail else ''}", flush=True)


def ee449(*args: str, timeout: float = 1800) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ee449", *args], capture_output=True, text=True, timeout=timeout
    )


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def saved_runs(out: Path) -> dict[str, str]:
    return {str(p.relative_to(out)): digest(p) for p in sorted((out / ".runs").glob("*/seed_*.json"))}


def broken_results(out: Path) -> list[str]:
    """Result files that do not read back or whose body does not fit their meta."""
    broken = []
    for path in sorted(out.glob("part[345]*.json")):
        try:
            result = json.loads(path.read_text())
            problems = body_problems(result, part_of(path) or "")
        except (ValueError, KeyError) as error:
            problems = [str(error)]
        if problems:
            broken.append(f"{path.name}: {problems[0]}")
    return broken


def trained_epochs(stderr: str) -> int:
    return sum(1 for line in stderr.splitlines() if re.search(r"\bepoch \d+/\d+ loss ", line))


# -- 1. kills -------------------------------------------------------------------------------------


def kills(out: Path, count: int, max_wait: float, rng: random.Random, tally: Tally) -> None:
    snapshots: list[tuple[str, dict[str, str]]] = []
    for i in range(count):
        sig = signal.SIGKILL if i % 2 == 0 else signal.SIGINT
        wait = rng.uniform(2.0, max_wait)
        process = subprocess.Popen(
            [sys.executable, "-m", "ee449", "all", *QUICK, "--out", str(out)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            process.wait(timeout=wait)
            finished_early = True
        except subprocess.TimeoutExpired:
            process.send_signal(sig)
            process.wait()
            finished_early = False
        runs = saved_runs(out)
        label = f"kill {i + 1}: {sig.name} after {wait:.1f} s"
        label += " (had already finished)" if finished_early else ""
        snapshots.append((label, runs))
    final = ee449("all", *QUICK, "--out", str(out))
    end = saved_runs(out)
    broken = broken_results(out)
    for label, runs in snapshots:
        lost = [name for name, value in runs.items() if end.get(name) != value]
        ok = final.returncode == 0 and not broken and not lost
        tally.record(
            label,
            ok,
            len(lost) + len(broken),
            f"{len(runs)} saved runs kept"
            if ok
            else f"exit {final.returncode}, lost {lost[:2]}, broken {broken[:2]}",
        )


# -- 2. corruption --------------------------------------------------------------------------------


def _edit_json(path: Path, change: Callable[[dict], None]) -> None:
    data = json.loads(path.read_text())
    change(data)
    path.write_text(json.dumps(data))


def _cut(history: dict) -> None:
    for key in ("loss_curve", "train_acc_curve", "val_acc_curve"):
        history[key] = history[key][: max(1, len(history[key]) // 3)]


def corruption(out: Path, tally: Tally) -> None:
    arch = "mlp_1"
    result_path = out / f"part3_{arch}.json"
    reference = json.loads(result_path.read_text())
    run_files = sorted((out / ".runs").glob(f"{arch}-relu-adam-*/seed_*.json"))
    saved_run_ways: dict[str, Callable[[Path], None]] = {
        "saved run: curves cut to a third": lambda p: _edit_json(p, lambda s: _cut(s["history"])),
        "saved run: test_acc a string": lambda p: _edit_json(
            p, lambda s: s["history"].update(test_acc="99.5")
        ),
        "saved run: truncated file": lambda p: p.write_bytes(p.read_bytes()[: p.stat().st_size // 2]),
    }
    for name, corrupt in saved_run_ways.items():
        before = saved_runs(out)
        corrupt(run_files[-1])
        result_path.unlink()  # the result that needs the run: rebuilt, so the run is read again
        done = ee449("part3", *QUICK, "--arch", arch, "--out", str(out))
        after = saved_runs(out)
        changed = [k for k in before if after.get(k) != before[k]]
        rebuilt = json.loads(result_path.read_text()) if result_path.is_file() else {}
        same = bool(rebuilt) and all(
            math.isclose(a, b, rel_tol=1e-5) for a, b in zip(rebuilt["loss_curve"], reference["loss_curve"])
        )
        ok = done.returncode == 0 and not broken_results(out) and len(changed) <= 1 and same
        tally.record(
            name,
            ok,
            0 if result_path.is_file() else 1,
            f"the broken run retrained ({trained_epochs(done.stderr)} epoch lines), same numbers"
            if ok
            else f"exit {done.returncode}, changed {changed}, {done.stderr[-300:]}",
        )
    result_ways: dict[str, Callable[[Path], None]] = {
        "result file: a string curve": lambda p: _edit_json(p, lambda r: r.update(loss_curve="oops")),
        "result file: a missing key": lambda p: _edit_json(p, lambda r: r.pop("val_acc_curve")),
        "result file: unequal curves": lambda p: _edit_json(
            p, lambda r: r.update(val_acc_curve=r["val_acc_curve"][:2])
        ),
        "result file: test_acc 150%": lambda p: _edit_json(p, lambda r: r.update(test_acc=150.0)),
        "result file: NaN literal": lambda p: _edit_json(p, lambda r: r.update(test_acc=math.nan)),
    }
    reference = json.loads(result_path.read_text())  # as rebuilt above: the saved runs' numbers
    for name, corrupt in result_ways.items():
        before = saved_runs(out)
        corrupt(result_path)
        done = ee449("part3", *QUICK, "--arch", arch, "--out", str(out))
        rebuilt = json.loads(result_path.read_text())
        same = all(
            rebuilt[k] == reference[k] for k in ("loss_curve", "train_acc_curve", "val_acc_curve", "test_acc")
        )
        ok = (
            done.returncode == 0
            and "rebuilding it from the saved runs" in done.stderr
            and saved_runs(out) == before
            and trained_epochs(done.stderr) == 0
            and same
            and not broken_results(out)
        )
        tally.record(
            name,
            ok,
            0,
            "rebuilt from the saved runs, no training, same numbers" if ok else done.stderr[-300:],
        )
    # Truncated JSON: not recognisably ours, so refused with the fix named; following the fix restores it.
    before = saved_runs(out)
    result_path.write_bytes(result_path.read_bytes()[:100])
    refused = ee449("part3", *QUICK, "--arch", arch, "--out", str(out))
    line = refused.stderr.strip().splitlines()[-1] if refused.stderr.strip() else ""
    named = refused.returncode == 2 and "move it away and run again to rebuild it from the saved runs" in line
    result_path.rename(result_path.with_suffix(".broken"))
    done = ee449("part3", *QUICK, "--arch", arch, "--out", str(out))
    ok = named and done.returncode == 0 and saved_runs(out) == before and not broken_results(out)
    tally.record(
        "result file: truncated JSON",
        ok,
        0 if result_path.is_file() else 1,
        "refused naming the fix; the fix rebuilt it without training"
        if ok
        else f"{line} / {done.stderr[-200:]}",
    )


# -- 3. disk full ---------------------------------------------------------------------------------


def disk_full(work: Path, run_size: int, tally: Tally) -> None:
    disk = work / "disk"
    disk.mkdir()
    size_k = (run_size * 3 // 2) // 1024  # room for one saved run, not two
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size_k}k", "tmpfs", str(disk)], capture_output=True, text=True
    )
    if mounted.returncode != 0:
        print(f"skip disk full: cannot mount a tmpfs ({mounted.stderr.strip()})")
        return
    try:
        out = disk / "out"
        full = ee449("part4", *QUICK, "--arch", "mlp_1", "--out", str(out))
        line = full.stderr.strip().splitlines()[-1]
        kept = saved_runs(out)
        stopped_well = (
            full.returncode == 1
            and "ENOSPC" in line
            and "stay saved" in line
            and "Traceback" not in full.stderr
            and len(kept) == 1
        )
        subprocess.run(["mount", "-o", "remount,size=64m", str(disk)], check=True)
        resumed = ee449("part4", *QUICK, "--arch", "mlp_1", "--out", str(out))
        after = saved_runs(out)
        lost = [k for k, v in kept.items() if after.get(k) != v]
        ok = stopped_well and resumed.returncode == 0 and not broken_results(out) and len(after) == 2
        tally.record(
            "disk full during part4",
            ok,
            len(lost),
            f"'{line[:150]}...'; resumed"
            if ok
            else f"exit {full.returncode}: {line} / {resumed.stderr[-200:]}",
        )
    finally:
        subprocess.run(["umount", "-l", str(disk)], capture_output=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kills", type=int, default=10)
    parser.add_argument("--max-wait", type=float, default=40.0, help="latest kill, seconds after the start")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--phases",
        default="kills,corruption,disk",
        help="comma-separated subset of kills, corruption, disk (default: all three)",
    )
    parser.add_argument(
        "--work", type=Path, default=None, help="working folder (default: a fresh temporary one)"
    )
    args = parser.parse_args()
    # A background job of a non-interactive shell starts with SIGINT ignored, and children inherit
    # that: the SIGINT kills below would then do nothing. Restore the default for them.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    work = args.work or Path(tempfile.mkdtemp(prefix="ee449-faults-"))
    out = work / "out"
    tally = Tally()
    started = time.perf_counter()
    phases = set(args.phases.split(","))
    if "kills" in phases or not (out / ".runs").is_dir():
        kills(out, args.kills if "kills" in phases else 0, args.max_wait, random.Random(args.seed), tally)
    if "corruption" in phases:
        corruption(out, tally)
    if "disk" in phases:
        run_size = max(p.stat().st_size for p in (out / ".runs").glob("mlp_1-*/seed_*.json"))
        disk_full(work, run_size, tally)
    print(
        f"{tally.faults} faults, {tally.recovered} recovered, {tally.lost} lost "
        f"({time.perf_counter() - started:.0f} s)"
    )
    if args.work is None:
        shutil.rmtree(work, ignore_errors=True)
    return 0 if tally.recovered == tally.faults and tally.lost == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
