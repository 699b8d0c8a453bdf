"""How `ee449 bench` reports: the environment behind the numbers, a summary, a RESULTS.md row.

All of it reads the JSON-ready result dict of `ee449.bench.run.run_bench`, so a saved
`bench.json` can be summarised again (`markdown_row(read_json(path))`).
"""

from __future__ import annotations

import os
import platform
import subprocess
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import torch
import torchvision


def environment(device: torch.device) -> dict[str, Any]:
    """Where the numbers come from: versions, threads, device, git commit, date."""
    return {
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "device": str(device),
        "device_name": torch.cuda.get_device_name(device) if device.type == "cuda" else _cpu_name(),
        "torch": torch.__version__,
        "torchvision": torchvision.__version__,
        "cuda": torch.version.cuda if device.type == "cuda" else None,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "threads": torch.get_num_threads(),
        "cpu_count": os.cpu_count(),
        "load_average_1min": os.getloadavg()[0]
        if hasattr(os, "getloadavg")
        else None,  # how busy the machine was
        "git_commit": _git("rev-parse", "HEAD"),
        "git_dirty": None
        if _git("rev-parse", "HEAD") is None
        else bool(_git("status", "--porcelain", "--untracked-files=no")),
    }


def _cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _git(*words: str) -> str | None:
    try:
        done = subprocess.run(
            ["git", *words], cwd=Path(__file__).resolve().parent, capture_output=True, text=True, timeout=10
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def markdown_row(result: dict[str, Any]) -> str:
    """One row of the table in benchmarks/RESULTS.md, under MARKDOWN_HEADER."""
    env, phases, ratios, opts = result["environment"], result["phases"], result["ratios"], result["options"]

    def rate(name: str) -> str:
        if name not in phases:
            return "-"
        phase = phases[name]
        spread = phase.get("images_per_s_spread")
        repeats = len(phase.get("repeat_seconds") or ())
        # the median repeat, and the slowest-fastest repeat when there were several
        extra = f" ({spread[0]:,.0f}-{spread[1]:,.0f})" if spread and repeats > 1 else ""
        return f"{phase['images_per_s']:,.0f}{extra}"

    def ratio(name: str) -> str:
        return "-" if ratios[name] is None else f"{ratios[name]:.2f}x"

    def peak(name: str) -> str:
        value = phases.get(name, {}).get("peak_gpu_bytes")
        return "-" if value is None else f"{value / 2**20:,.0f}"

    commit = (env["git_commit"] or "?")[:10] + ("+dirty" if env["git_dirty"] else "")
    cells = [
        env["date"][:10],
        f"{env['device_name']} ({env['device']}, {env['threads']} threads{_load(env)})",
        commit,
        result["data"]["source"],
        f"{opts['steps']} / {opts['val_size']}",
        rate("reference"),
        rate("trainer"),
        ratio("trainer_over_reference"),
        f"{opts['replicas']} x {opts['replica_steps']}",
        rate("replicas_sequential"),
        rate("replicas_batched"),
        ratio("batched_over_sequential"),
        f"{peak('trainer')} / {peak('replicas_batched')}",
        f"`{result['command']}`",
    ]
    return "| " + " | ".join(cells) + " |"


MARKDOWN_COLUMNS = (
    "date",
    "device",
    "commit",
    "data",
    "steps / val size",
    "reference img/s",
    "trainer img/s",
    "trainer / reference",
    "replicas x steps",
    "sequential img/s",
    "batched img/s",
    "batched / sequential",
    "peak GPU MiB (trainer / batched)",
    "command",
)
MARKDOWN_HEADER = "| " + " | ".join(MARKDOWN_COLUMNS) + " |\n" + "| --- " * len(MARKDOWN_COLUMNS) + "|"


def _load(env: dict[str, Any]) -> str:
    load = env.get("load_average_1min")
    return "" if load is None else f", load {load:.1f}"


def summary(result: dict[str, Any]) -> str:
    """The human-readable lines `ee449 bench` prints."""
    work, data, env = result["workload"], result["data"], result["environment"]
    lines = [
        f"ee449 bench: {work['arch']}, batch {work['batch_size']}, Adam, validation every "
        f"{work['validation_every']} steps on {data['val_images']} images; data {data['source']}; "
        f"device {env['device']} ({env['device_name']}, {env['threads']} threads{_load(env)})"
    ]
    for name, phase in result["phases"].items():
        peak = phase["peak_gpu_bytes"]
        lines.append(
            f"  {name:24s} {phase['images_per_s']:>10,.0f} images/s  ({phase['runs']} run(s) x "
            f"{phase['steps']} steps, {phase['images']} images in {phase['seconds']:.1f} s"
            + (
                f", median of {len(phase['repeat_seconds'])}: {phase['images_per_s_spread'][0]:,.0f}-"
                f"{phase['images_per_s_spread'][1]:,.0f} images/s"
                if len(phase.get("repeat_seconds") or ()) > 1
                else ""
            )
            + (f", peak GPU memory {peak / 2**20:,.0f} MiB)" if peak is not None else ")")
        )
    for name, value in result["ratios"].items():
        if value is not None:
            target = result["targets"][name]
            lines.append(f"  {name:24s} {value:10.2f}x" + (f"  (target {target:g}x)" if target else ""))
    differences = result.get("replicas_max_curve_difference")
    if differences:
        lines.append(
            "  batched - sequential     max |difference| "
            + ", ".join(f"{name} {value:.3g}" for name, value in differences.items())
        )
    return "\n".join(lines)
