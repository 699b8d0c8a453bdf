"""The report: one page a TA reads top to bottom (`ee449 report [RESULTS_DIR]`, `ee449.cli.report`).

`build_report(results_dir)` writes `report.html` (self-contained: every figure embedded as a
base64 PNG, styles inline, no external assets) and its Markdown twin `report.md` (figures
linked from `figures/`), and returns the HTML path. It draws any figure that is missing or
older than its result file into `figures/`, and reports missing or broken parts as such
instead of failing. The page: the data and settings used (synthetic data flagged loudly), the
measured verdicts on the homework's claims, the parameter counts (formula beside PyTorch),
Part 2's grid, then Parts 3, 4, 5 and the schedule, each with its figures and numbers.

The document is built once as a list of blocks (`ee449.report.render`) and rendered twice, so
the two files always say the same thing.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

from ee449.io import atomic_write_bytes
from ee449.models import ARCHITECTURES
from ee449.models.part1 import architecture_counts
from ee449.report.edition import folder_edition, xor_section
from ee449.report.figures import ensure_figures
from ee449.report.load import Results, fmt, load_folder, part3_rows, part4_rows, part5_rows, schedule_row
from ee449.report.render import Block, Heading, Image, Para, Table, render_html, render_markdown
from ee449.report.verdicts import HOLDS, verdicts
from ee449.spec import DEFAULT, Edition

DEFAULT_DIR = "ee449-out"


# --- sections --------------------------------------------------------------------------------


def _figure(blocks: list[Block], figures: dict, name: str, caption: str, results: Results) -> None:
    path = figures.get(name)
    if path is None:
        blocks.append(Para(f"Figure {name}.png is missing (see the problems at the end).", "missing"))
    else:
        blocks.append(Image(path, path.relative_to(results.folder).as_posix(), caption))


def _meta_data(result: dict) -> tuple[dict, dict]:
    """meta and meta.data of a result, {} where absent (a student's dicts have no meta)."""
    meta = result.get("meta")
    meta = meta if isinstance(meta, dict) else {}
    data = meta.get("data")
    return meta, data if isinstance(data, dict) else {}


def _setting(value, present: bool) -> str:
    if not present:
        return "\u2014"
    return value if isinstance(value, str) else json.dumps(value)


def _settings(results: Results, homework: Edition = DEFAULT) -> list[Block]:
    blocks: list[Block] = [Heading("Data and settings", 2)]
    loaded = results.all_results()
    trained = [f for f, r in loaded if _meta_data(r)[1]]  # files that record their training data
    synthetic = [f for f, r in loaded if _meta_data(r)[1].get("synthetic")]
    if synthetic:
        which = (
            "Every training result"
            if len(synthetic) == len(trained)
            else f"{len(synthetic)} of {len(trained)} training results ({', '.join(synthetic)})"
        )
        blocks.append(
            Para(
                f"SYNTHETIC DATA: {which} came from the built-in synthetic stand-in, not from "
                f"{homework.dataset_name}. These numbers test the pipeline; they say nothing about the homework's "
                "questions.",
                "warning",
            )
        )
    rows = []
    for file, r in loaded:
        meta, data = _meta_data(r)
        sizes = " / ".join(fmt(data.get(k), ",d") for k in ("train", "val", "test"))
        seeds = meta.get("seeds")
        rows.append(
            [
                file,
                fmt(data.get("source")),
                "yes" if data.get("synthetic") else ("no" if data else "\u2014"),
                sizes if data else "\u2014",
                fmt(meta.get("device")),
                fmt(len(seeds) if isinstance(seeds, list) else None, "d"),
                fmt(meta.get("steps_per_epoch"), "d"),
                fmt(meta.get("wall_time_s"), ",.1f"),
                _when(meta.get("created")),
            ]
        )
    if rows:
        blocks.append(
            Table(
                "settings",
                [
                    "file",
                    "data",
                    "synthetic",
                    "train / val / test",
                    "device",
                    "runs",
                    "steps per epoch",
                    "wall time (s)",
                    "created",
                ],
                rows,
                nowrap=(8,),
            )
        )
    else:
        blocks.append(Para(f"No result files in {results.folder}.", "missing"))
    configs = {}
    for file, r in loaded:
        meta = _meta_data(r)[0]
        if meta.get("diverged_runs"):
            blocks.append(
                Para(
                    f"{file}: diverged runs (left out of the mean curves): {meta['diverged_runs']}", "warning"
                )
            )
        if isinstance(meta.get("config"), dict):
            configs[file] = dict(meta["config"])
            if meta["config"].get("switch_epochs") == [] and isinstance(r.get("switch_epochs"), list):
                # [] in the config means "found by the plateau rule": show the switches it found
                configs[file]["switch_epochs"] = f"{', '.join(map(str, r['switch_epochs']))} (plateau rule)"
    if configs:  # one row per file, one column per setting: differences show at a glance
        keys = sorted({k for config in configs.values() for k in config})
        rows = [
            [file] + [_setting(config.get(k, None), k in config) for k in keys]
            for file, config in configs.items()
        ]
        blocks.append(Table("configuration", ["file"] + keys, rows))
    return blocks


def _when(created: object) -> str:
    """An ISO timestamp as 'YYYY-MM-DD HH:MM UTC' (the seconds and offset only widen the table)."""
    if not isinstance(created, str) or len(created) < 16 or created[10] != "T":
        return fmt(created)
    return created[:10] + " " + created[11:16] + (" UTC" if created.endswith(("+00:00", "Z")) else "")


def _number(value: object) -> str:
    """A Part 2 summary value: thousands separators, floats rounded to what they mean."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return value if isinstance(value, str) else json.dumps(value)
    if isinstance(value, int):
        return f"{value:,d}"
    return f"{value:,.2f}" if abs(value) >= 1000 else f"{value:.6g}"


def _verdict_section(results: Results) -> list[Block]:
    rows = [[v.claim, v.status, v.evidence, v.rule] for v in verdicts(results)]
    return [
        Heading("The homework's claims, measured", 2),
        Para(
            "Each verdict is computed from the numbers below: holds / does not hold / inconclusive (the "
            "numbers cannot decide; the reason is given) / not comparable (the results compared were made "
            "on different data or settings) / not measured (the part is missing)."
        ),
        Table("verdicts", ["claim", "verdict", "evidence", "rule"], rows, status_column=1, good=HOLDS),
    ]


def _parameters(homework: Edition = DEFAULT) -> list[Block]:
    """Part 1's formula counts beside PyTorch's count of the built model, per architecture."""
    if homework.part1 == "xor":
        return []  # the XOR part (ee449.report.edition) replaces the paper questions
    rows = []
    for name in ARCHITECTURES:
        c = architecture_counts(name, homework.input_shape)
        rows.append(
            [
                name,
                fmt(c["flatten"], ",d"),
                fmt(c["conv_params_formula"], ",d"),
                fmt(c["conv_params_pytorch"], ",d"),
                fmt(c["params_formula"], ",d"),
                fmt(c["params_pytorch"], ",d"),
                "yes" if c["match"] else "NO",
            ]
        )
    return [
        Heading("Part 1: parameter counts", 2),
        Table(
            "parameters",
            ["architecture", "flatten", "conv formula", "conv PyTorch", "formula", "PyTorch", "equal"],
            rows,
            status_column=6,
            good="yes",
        ),
        Para(
            "formula: Part 1's closed forms, fed from the layer list; PyTorch: sum of p.numel() of the built "
            "model."
        ),
    ]


def _flatten(mapping: dict, prefix: str = "") -> list[tuple[str, object]]:
    """Nested dicts as dotted keys: {"output": {"min": -3}} -> [("output.min", -3)]."""
    items = []
    for key, value in mapping.items():
        if isinstance(value, dict):
            items += _flatten(value, f"{prefix}{key}.")
        else:
            items.append((f"{prefix}{key}", value))
    return items


def _part2(results: Results, figures: dict) -> list[Block]:
    blocks: list[Block] = [Heading("Part 2: my_conv2d", 2)]
    if results.part2_output is None and "part2" not in figures:
        return blocks + [Para("Part 2 is missing: no part2_output.npy in this folder.", "missing")]
    if results.part2:
        rows = [
            [key, _number(value)] for key, value in _flatten(results.part2) if not key.startswith("files.")
        ]
        blocks.append(Table("part2", ["field", "value"], rows))
    _figure(
        blocks, figures, "part2", "Conv outputs: one row per input image, one column per kernel.", results
    )
    return blocks


def _part3(results: Results, figures: dict) -> list[Block]:
    blocks: list[Block] = [Heading("Part 3: architectures (Adam)", 2)]
    if not results.part3:
        return blocks + [Para("Part 3 is missing: no readable part3_*.json in this folder.", "missing")]
    _figure(
        blocks,
        figures,
        "part3",
        "Training loss; training (solid) and validation (dashed) accuracy; "
        "validation against training accuracy; test against final training accuracy, both means over the runs "
        "(the table's 'test acc' is the best run's).",
        results,
    )
    rows = [
        [
            r["name"],
            fmt(r["test_acc"]),
            fmt(r["runs"], ".0f"),
            fmt(r["mean"]),
            fmt(r["std"]),
            fmt(r["min"]),
            fmt(r["max"]),
            fmt(r["final_loss"], ".4f"),
            fmt(r["final_train_acc"]),
            fmt(r["final_val_acc"]),
        ]
        for r in part3_rows(results)
    ]
    blocks.append(
        Table(
            "part3-results",
            [
                "architecture",
                "test acc (best run, %)",
                "runs",
                "mean",
                "std",
                "min",
                "max",
                "final loss",
                "final train acc",
                "final val acc",
            ],
            rows,
        )
    )
    blocks.append(
        Para(
            "Mean, std (sample), min and max are over the runs' test accuracies; final values are the "
            "mean over the last epoch of the run-averaged curves."
        )
    )
    for r in results.part3:
        name = f"part3_{r['name']}_weights"
        if name in figures:
            _figure(blocks, figures, name, f"{r['name']}: first-layer weights (best run).", results)
    return blocks


def _part4(results: Results, figures: dict) -> list[Block]:
    blocks: list[Block] = [Heading("Part 4: ReLU against sigmoid (SGD, lr 0.01)", 2)]
    if not results.part4:
        return blocks + [Para("Part 4 is missing: no readable part4_*.json in this folder.", "missing")]
    _figure(
        blocks,
        figures,
        "part4",
        "Training loss and first-layer gradient magnitude; ReLU solid, sigmoid dashed.",
        results,
    )
    rows = [
        [
            r["name"],
            fmt(r["depth"], "d"),
            fmt(r["relu_final_loss"], ".4f"),
            fmt(r["sigmoid_final_loss"], ".4f"),
            fmt(r["relu_grad"], ".2e"),
            fmt(r["sigmoid_grad"], ".2e"),
            fmt(r["ratio"], ".2e"),
        ]
        for r in part4_rows(results)
    ]
    blocks.append(
        Table(
            "part4-results",
            [
                "architecture",
                "weighted layers",
                "final loss ReLU",
                "final loss sigmoid",
                "mean grad ReLU",
                "mean grad sigmoid",
                "ratio sigmoid/ReLU",
            ],
            rows,
        )
    )
    blocks.append(
        Para(f"Chance-level loss is ln 10 = {math.log(10):.4f}. Gradient means are over the whole curve.")
    )
    return blocks


def _part5(results: Results, figures: dict) -> list[Block]:
    blocks: list[Block] = [Heading("Part 5: learning rates (SGD)", 2)]
    if results.part5 is None:
        blocks.append(Para("Part 5 is missing: no readable part5.json in this folder.", "missing"))
    else:
        _figure(
            blocks,
            figures,
            "part5",
            f"{results.part5['name']}: loss and validation accuracy per learning rate.",
            results,
        )
        rows = [
            [
                fmt(r["lr"], "g"),
                fmt(r["final_loss"], ".4f"),
                fmt(r["best_val_acc"]),
                fmt(r["final_val_acc"]),
                fmt(r["test_acc"]),
            ]
            for r in part5_rows(results)
        ]
        blocks.append(
            Table(
                "part5-results",
                ["learning rate", "final loss", "best val acc", "final val acc", "test acc"],
                rows,
            )
        )
    blocks.append(Heading("Part 5: scheduled learning rate", 3))
    row = schedule_row(results)
    if row is None:
        return blocks + [Para("The schedule is missing: no readable part5_schedule.json.", "missing")]
    _figure(
        blocks,
        figures,
        "part5_schedule",
        "Validation accuracy with the switch epochs; test accuracy against Adam's.",
        results,
    )
    if not row["stage3_ran"]:
        blocks.append(
            Para(
                f"Stage 3 did not run: the second switch (epoch {fmt(row['switch_epochs'][1], 'g')}) "
                f"falls at the end of the {fmt(row['epochs'], 'g')}-epoch run, so lr 0.001 was never used "
                "and the stage-3 curve is stage 2's.",
                "warning",
            )
        )
    blocks.append(
        Table(
            "schedule-results",
            [
                "switch epochs",
                "schedule test acc",
                "constant lr 0.1 test acc",
                "Adam test acc",
                "schedule - constant",
                "schedule - Adam",
            ],
            [
                [
                    ", ".join(fmt(e, "g") for e in row["switch_epochs"]),
                    fmt(row["test_acc"]),
                    fmt(row["constant_lr_test_acc"]),
                    fmt(row["adam_test_acc"]),
                    fmt(row["test_acc"] - row["constant_lr_test_acc"], "+.2f"),
                    fmt(row["test_acc"] - row["adam_test_acc"], "+.2f"),
                ]
            ],
        )
    )
    return blocks


def document(results: Results, figures: dict, homework: Edition = DEFAULT) -> list[Block]:
    blocks: list[Block] = [
        Heading(_title(homework), 1),
        Para(f"Results folder: {results.folder.resolve()}"),
        Para(f"Edition: {homework.year}, {homework.summary}."),
    ]
    blocks += _settings(results, homework) + _verdict_section(results) + _parameters(homework)
    blocks += xor_section(results) if homework.part1 == "xor" else []
    blocks += _part2(results, figures) + _part3(results, figures) + _part4(results, figures)
    blocks += _part5(results, figures)
    blocks.append(Heading("Problems", 2))
    blocks += [Para(p, "warning") for p in results.problems] or [
        Para("None: every file read and every figure drawn.")
    ]
    return blocks


def _title(homework: Edition) -> str:
    edition_text = "" if homework.year == DEFAULT.year else f" ({homework.year} edition)"
    return f"EE449 Homework 1{edition_text}: results"


def build_report(results_dir: str | Path, homework: int | None = None) -> Path:
    """Write `report.html` and `report.md` into `results_dir`; return the HTML path.

    The edition is the one the folder's results follow (`homework`, when given, must agree);
    a folder mixing editions raises ResultsError naming the files of each.
    """
    results = load_folder(results_dir)
    followed = folder_edition(results, homework)
    figures = ensure_figures(results)
    blocks = document(results, figures, followed)
    atomic_write_bytes(results.folder / "report.md", render_markdown(blocks).encode("utf-8"))
    return atomic_write_bytes(
        results.folder / "report.html", render_html(blocks, _title(followed)).encode("utf-8")
    )
