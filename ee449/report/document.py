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
from pathlib import Path

from ee449.io import atomic_write_bytes
from ee449.models import ARCHITECTURES
from ee449.models.part1 import architecture_counts
from ee449.report.edition import folder_edition, xor_section
from ee449.report.figures import ensure_figures
from ee449.report.load import Results, fmt, load_folder
from ee449.report.render import Block, Heading, Para, Table, render_html, render_markdown
from ee449.report.sections import part2_section, part3_section, part4_section, part5_section
from ee449.report.verdicts import HOLDS, verdicts
from ee449.spec import DEFAULT, Edition

DEFAULT_DIR = "ee449-out"


# --- sections --------------------------------------------------------------------------------


def _meta_data(result: dict) -> tuple[dict, dict]:
    """meta and meta.data of a result, {} where absent (a student's dicts have no meta)."""
    meta = result.get("meta")
    meta = meta if isinstance(meta, dict) else {}
    data = meta.get("data")
    return meta, data if isinstance(data, dict) else {}


def _setting(value: object, present: bool) -> str:
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
    if configs:
        blocks += _configuration(configs)
    return blocks


def _configuration(configs: dict[str, dict]) -> list[Block]:
    """Settings every file shares, once (setting | value); then one row per file with only the
    settings that differ. One column per setting for every file made a table wider than any
    window, cut at `seed` with the switch epochs out of sight."""
    keys = sorted({k for config in configs.values() for k in config})
    same = [
        k
        for k in keys
        if len(configs) > 1
        and all(k in c for c in configs.values())
        and len({_setting(c[k], True) for c in configs.values()}) == 1
    ]
    differ = [k for k in keys if k not in same]
    blocks: list[Block] = []
    if same:
        first = next(iter(configs.values()))
        rows = [[k, _setting(first[k], True)] for k in same]
        blocks.append(Table("configuration-shared", ["setting (every file)", "value"], rows))
    if differ:
        rows = [[file] + [_setting(c.get(k, None), k in c) for k in differ] for file, c in configs.items()]
        blocks.append(Table("configuration", ["file"] + differ, rows))
    return blocks


def _when(created: object) -> str:
    """An ISO timestamp as 'YYYY-MM-DD HH:MM UTC' (the seconds and offset only widen the table)."""
    if not isinstance(created, str) or len(created) < 16 or created[10] != "T":
        return fmt(created)
    return created[:10] + " " + created[11:16] + (" UTC" if created.endswith(("+00:00", "Z")) else "")


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


def document(results: Results, figures: dict, homework: Edition = DEFAULT) -> list[Block]:
    blocks: list[Block] = [
        Heading(_title(homework), 1),
        Para(f"Results folder: {results.folder.resolve()}"),
        Para(f"Edition: {homework.year}, {homework.summary}."),
    ]
    blocks += _settings(results, homework) + _verdict_section(results) + _parameters(homework)
    blocks += xor_section(results) if homework.part1 == "xor" else []
    blocks += (
        part2_section(results, figures) + part3_section(results, figures) + part4_section(results, figures)
    )
    blocks += part5_section(results, figures)
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
