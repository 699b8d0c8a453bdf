"""The report's figures: each one the report shows, drawn into `figures/` when missing or stale.

A figure is stale when any result file it shows is newer; one that cannot be drawn is listed
among the report's problems, never fatal.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import numpy as np

from ee449.plots import curves, grids, schedule
from ee449.report.load import Results

FIGURES = "figures"


def _stale(target: Path, sources: list[Path]) -> bool:
    if not target.is_file():
        return True
    newest = max((s.stat().st_mtime for s in sources if s.is_file()), default=0.0)
    return target.stat().st_mtime < newest


def _draw(target: Path, sources: list[Path], draw: Callable[[], object], problems: list[str]) -> Path | None:
    """Draw `target` when missing or stale; the path if it exists afterwards, else None."""
    if _stale(target, sources):
        try:
            draw()
        except Exception as error:  # a figure that cannot be drawn is reported, not fatal
            problems.append(f"{target.name}: could not draw ({type(error).__name__}: {error})")
            return target if target.is_file() else None
    return target if target.is_file() else None


def ensure_figures(results: Results) -> dict[str, Path | None]:
    """Every figure the report shows, drawn into `figures/` where missing: name -> path or None."""
    out = results.folder / FIGURES
    out.mkdir(exist_ok=True)
    src = results.files
    figures: dict[str, Path | None] = {}
    if results.part2_output is not None:
        part2_output = results.part2_output

        def part2() -> None:
            kernel = (results.part2 or {}).get("kernel")
            names = kernel.get("names") if isinstance(kernel, dict) else None
            grids.part2Plots(
                np.load(part2_output),
                save_dir=str(out),
                filename="part2",
                kernel_names=names if isinstance(names, list) else None,
            )

        figures["part2"] = _draw(out / "part2.png", [results.part2_output], part2, results.problems)
    elif (out / "part2.png").is_file():
        figures["part2"] = out / "part2.png"
    jobs = [
        ("part3", results.part3, lambda: curves.part3Plots(results.part3, out, "part3", False)),
        ("part4", results.part4, lambda: curves.part4Plots(results.part4, out, "part4", False)),
        (
            "part5",
            results.part5,
            lambda: curves.part5Plots(results.part5 or {}, out, "part5", False),
        ),  # drawn when present
        (
            "part5_schedule",
            results.schedule,
            lambda: schedule.schedulePlot(results.schedule or {}, out, "part5_schedule", False),
        ),
    ]
    for name, present, draw in jobs:
        if present:
            sources = [p for key, p in src.items() if key == name or key.startswith(name + "_")]
            figures[name] = _draw(out / f"{name}.png", sources, draw, results.problems)
    for r in results.part3:
        if r.get("weights") is None:
            continue
        name = f"part3_{r['name']}_weights"

        def weights(r: dict[str, Any] = r, name: str = name) -> None:
            grids.visualizeWeights(
                np.asarray(r["weights"], dtype=float), str(out), filename=name, name=r["name"]
            )

        figures[name] = _draw(out / f"{name}.png", [src[f"part3_{r['name']}"]], weights, results.problems)
    return figures
