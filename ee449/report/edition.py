"""Which edition a results folder follows, and the report's Part 1 section for that edition.

A training result names its edition in `meta.homework` (files made before editions existed,
and students' dicts, have none: they are 2023's). A folder whose results follow two editions
is refused: a report compares numbers of one homework, never of two.
"""

from __future__ import annotations

from pathlib import Path

from ee449.errors import ResultsError
from ee449.io import read_json
from ee449.report.load import Results, fmt
from ee449.report.render import Block, Heading, Image, Para, Table
from ee449.spec import DEFAULT_HOMEWORK, Edition, edition

XOR_RESULT = "part1_xor.json"  # written by `ee449 part1` of the editions with the XOR part


def edition_of(result: dict) -> int | None:
    """The year a result file follows; None for a file with no training meta (part2.json)."""
    meta = result.get("meta")
    if not isinstance(meta, dict) or "config" not in meta:
        return None
    data = meta.get("data")
    data = data if isinstance(data, dict) else {}
    year = meta.get("homework", data.get("homework", DEFAULT_HOMEWORK))
    return int(year) if isinstance(year, int) else DEFAULT_HOMEWORK


def folder_edition(results: Results, asked: int | None = None) -> Edition:
    """The one edition of the folder's results (or `asked` when it has none); ResultsError if they mix."""
    years: dict[int, list[str]] = {}
    for name, result in results.all_results():
        year = edition_of(result)
        if year is not None:
            years.setdefault(year, []).append(name)
    xor = _xor_result(results.folder)
    if xor is not None and isinstance(xor.get("homework"), int):
        years.setdefault(xor["homework"], []).append(XOR_RESULT)
    if len(years) > 1:
        listed = "; ".join(f"{year}: {', '.join(names)}" for year, names in sorted(years.items()))
        raise ResultsError(
            f"{results.folder} mixes editions of the homework ({listed}); a report follows one edition: "
            "move one edition's files to another folder"
        )
    found = next(iter(years), None)
    if asked is not None and found is not None and found != asked:
        raise ResultsError(
            f"--homework {asked}, but the results in {results.folder} follow the {found} edition: "
            f"run with --homework {found}, or point at the {asked} results"
        )
    return edition(found if found is not None else (asked or DEFAULT_HOMEWORK))


def _xor_result(folder: Path) -> dict | None:
    path = folder / XOR_RESULT
    if not path.is_file():
        return None
    try:
        data = read_json(path)
    except ResultsError:
        return None
    return data if isinstance(data, dict) else None


def xor_section(results: Results) -> list[Block]:
    """Part 1 of 2024 / 2025: the XOR network per activation, its accuracy, boundaries and activations."""
    blocks: list[Block] = [Heading("Part 1: a NumPy MLP for XOR", 2)]
    xor = _xor_result(results.folder)
    runs = xor.get("runs") if xor else None
    if not isinstance(runs, list) or not runs:
        return blocks + [Para(f"Part 1 is missing: no readable {XOR_RESULT} (run `ee449 part1`).", "missing")]
    rows = []
    for run in runs:
        losses = run.get("losses") or [[None, None]]
        rows.append(
            [
                str(run.get("activation")),
                fmt(losses[0][1], ".3f"),
                fmt(losses[-1][1], ".3f"),
                fmt(run.get("val_accuracy"), ".1f"),
            ]
        )
    blocks.append(
        Table(
            "xor",
            ["hidden activation", "first squared error", "last squared error", "validation accuracy %"],
            rows,
        )
    )
    config = xor.get("config", {}) if xor else {}
    blocks.append(
        Para(
            f"Settings: {config.get('hidden_size')} hidden units, learning rate {config.get('learning_rate')}, "
            f"{config.get('epochs')} full-batch epochs on {config.get('train_samples')} points (std {config.get('std')}); "
            "the output is a logistic sigmoid, the error 1/2 sum (t - y)^2."
        )
    )
    figures = results.folder / "figures"
    for name, caption in [("part1_activations", "tanh, sigmoid and ReLU with their derivatives")] + [
        (
            f"part1_boundary_{run.get('activation')}",
            f"decision boundary, {run.get('activation')} hidden layer",
        )
        for run in runs
    ]:
        path = figures / f"{name}.png"
        if path.is_file():
            blocks.append(Image(path, path.relative_to(results.folder).as_posix(), caption))
        else:
            blocks.append(Para(f"Figure {name}.png is missing.", "missing"))
    return blocks
