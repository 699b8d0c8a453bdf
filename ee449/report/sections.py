"""The report's sections for Parts 2 to 5 (and the schedule): numbers, tables and figures.

Each `partN_section(results, figures)` returns the blocks of its part (`ee449.report.render`),
or one paragraph saying the part is missing; `ee449.report.document` puts them in order.
"""

from __future__ import annotations

import json
import math

from ee449.report.load import Results, fmt, part3_rows, part4_rows, part5_rows, schedule_row
from ee449.report.render import Block, Heading, Image, Para, Table


def _figure(blocks: list[Block], figures: dict, name: str, caption: str, results: Results) -> None:
    path = figures.get(name)
    if path is None:
        blocks.append(Para(f"Figure {name}.png is missing (see the problems at the end).", "missing"))
    else:
        blocks.append(Image(path, path.relative_to(results.folder).as_posix(), caption))


def _number(value: object) -> str:
    """A Part 2 summary value: thousands separators, floats rounded to what they mean."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return value if isinstance(value, str) else json.dumps(value)
    if isinstance(value, int):
        return f"{value:,d}"
    return f"{value:,.2f}" if abs(value) >= 1000 else f"{value:.6g}"


def _flatten(mapping: dict, prefix: str = "") -> list[tuple[str, object]]:
    """Nested dicts as dotted keys: {"output": {"min": -3}} -> [("output.min", -3)]."""
    items = []
    for key, value in mapping.items():
        if isinstance(value, dict):
            items += _flatten(value, f"{prefix}{key}.")
        else:
            items.append((f"{prefix}{key}", value))
    return items


def part2_section(results: Results, figures: dict) -> list[Block]:
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


def part3_section(results: Results, figures: dict) -> list[Block]:
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


def part4_section(results: Results, figures: dict) -> list[Block]:
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


def part5_section(results: Results, figures: dict) -> list[Block]:
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
