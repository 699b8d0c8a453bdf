"""`ee449 part1` for the 2024 and 2025 editions: the NumPy MLP for XOR with sigmoid, tanh and ReLU.

Trains the reference network (`ee449.basics.xor`) as the homework sets it, once per hidden
activation, prints the loss every 1,000 epochs and the validation accuracy, and writes
`part1_xor.json`, `figures/part1_activations.png` and one `figures/part1_boundary_<activation>.png` each.
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Any

from ee449.basics.xor import ACTIVATIONS, XorConfig, XorRun, part1CreateDataset, train_xor
from ee449.cli.work import Work
from ee449.io import write_json

RESULT = "part1_xor.json"
FIGURES = "figures"


def run_xor(out: Path, year: int, config: XorConfig = XorConfig()) -> tuple[list[XorRun], list[Path]]:
    """Train once per activation on one data set; write the result file and the figures; return both."""
    from ee449.plots.xor import part1PlotActivations, part1PlotBoundary  # matplotlib only when drawing

    data = part1CreateDataset(config.train_samples, config.val_samples, config.std, config.data_seed)
    runs = [train_xor(name, config, data) for name in ACTIVATIONS]
    payload: dict[str, Any] = {
        "homework": year,
        "config": asdict(config),
        "runs": [r.summary() for r in runs],
    }
    written = [write_json(out / RESULT, payload), part1PlotActivations(out / FIGURES)]
    for r in runs:
        title = f"{r.activation} hidden layer: validation accuracy {r.val_accuracy:.1f}%"
        written.append(
            part1PlotBoundary(
                data[2], data[3], r.model, out / FIGURES, f"part1_boundary_{r.activation}", title=title
            )
        )
    return runs, written


def render_xor(runs: list[XorRun]) -> str:
    """The lines `ee449 part1` prints: the loss every report_every epochs, then the accuracy, per activation."""
    lines = ["Part 1: a one-hidden-layer MLP for XOR in NumPy (squared error, full-batch gradient steps)"]
    for r in runs:
        losses = ", ".join(f"{epoch}: {loss:.3f}" for epoch, loss in r.losses)
        lines.append(f"{r.activation:8s} loss by epoch  {losses}")
        lines.append(f"{'':8s} validation accuracy {r.val_accuracy:.1f}%")
    return "\n".join(lines)


def part1_xor_step(work: Work) -> None:
    """`ee449 all` of an edition with the XOR part: Part 1 first, at the homework's settings (seconds)."""
    work.progress.relabel("part1")
    runs, written = run_xor(work.out, work.plan.edition.year)
    for r in runs:
        work.progress.note(f"part 1 XOR, {r.activation}: validation accuracy {r.val_accuracy:.1f}%")
    for path in written:
        work.progress.result(f"wrote {path}")
