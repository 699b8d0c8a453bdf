"""ee449.report: the HTML + Markdown report of a results folder.

Oracles: the result files on disk (every number in a table is recomputed here from the JSON
with numpy), the PNG files in `figures/` (the embedded images must be their exact bytes), and
Python's own html.parser (the page must parse and hold what we look for).
"""

from __future__ import annotations

import base64
import os
import re
import statistics
from html.parser import HTMLParser
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest

from ee449 import cli
from ee449.io import read_json, write_json
from ee449.report import build_report
from ee449.report.verdicts import FAILS, HOLDS, NOT_MEASURED
from tests.helpers.assertions import assert_close, assert_equal
from tests.helpers.fake_results import (
    CNNS,
    MLPS,
    RECORD_EVERY,
    STEPS_PER_EPOCH,
    Claims,
    part3_result,
    write_results_folder,
)

POINTS_PER_EPOCH = STEPS_PER_EPOCH // RECORD_EVERY
CLAIMS = [
    "CNNs beat MLPs",
    "Sigmoid gradients vanish with depth",
    "lr 0.001 is too slow",
    "The learning-rate schedule helps",
]


class Page(HTMLParser):
    """Tables (by id: rows of cell texts), images, tags and text of an HTML page."""

    def __init__(self, text: str):
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.images: list[str] = []
        self.tags: list[str] = []
        self.text: list[str] = []
        self._table = self._row = self._cell = None
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append(tag)
        if tag == "table":
            self._table = self.tables.setdefault(attrs.get("id", f"table{len(self.tables)}"), [])
        elif tag == "tr" and self._table is not None:
            self._row = []
            self._table.append(self._row)
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []
        elif tag == "img":
            self.images.append(attrs["src"])

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self._row.append("".join(self._cell))
            self._cell = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data):
        self.text.append(data)
        if self._cell is not None:
            self._cell.append(data)

    def table(self, table_id: str) -> dict[str, dict[str, str]]:
        """First column -> {header: cell} for the table's body rows."""
        header, *rows = self.tables[table_id]
        return {row[0]: dict(zip(header, row)) for row in rows}


def _build(folder: Path) -> Page:
    html = build_report(folder)
    assert_equal(html, folder / "report.html", "returned path")
    return Page(html.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def holding(tmp_path_factory) -> tuple[Path, Page]:
    folder = write_results_folder(tmp_path_factory.mktemp("holding"), weights=True)
    return folder, _build(folder)


@pytest.fixture(scope="module")
def failing(tmp_path_factory) -> tuple[Path, Page]:
    folder = write_results_folder(tmp_path_factory.mktemp("failing"), Claims(False, False, False, False))
    return folder, _build(folder)


def _final(curve: list, points: int = POINTS_PER_EPOCH) -> float:
    return float(np.mean([v for v in curve[-points:] if v is not None]))


def test_report_embeds_every_figure_it_drew(holding):
    folder, page = holding
    pngs = sorted((folder / "figures").glob("*.png"))
    assert {p.stem for p in pngs} >= {"part3", "part4", "part5", "part5_schedule", "part3_cnn_4_weights"}
    embedded = [src for src in page.images if src.startswith("data:image/png;base64,")]
    assert_equal(len(page.images), len(embedded), "every image is a data: URI (no external assets)")
    decoded = sorted(base64.b64decode(src.split(",", 1)[1]) for src in embedded)
    assert decoded == sorted(p.read_bytes() for p in pngs), "the embedded images are the figures' bytes"
    assert not {"script", "link", "iframe"} & set(page.tags), "no scripts or external resources"


def test_part3_table_holds_the_result_files_numbers(holding):
    folder, page = holding
    table = page.table("part3-results")
    assert_equal(list(table), list(MLPS + CNNS), "architectures in the homework's order")
    for name in MLPS + CNNS:
        result, row = read_json(folder / f"part3_{name}.json"), table[name]
        runs = result["meta"]["run_test_accs"]
        expected = {
            "test acc (best run, %)": result["test_acc"],
            "runs": len(runs),
            "mean": statistics.mean(runs),
            "std": statistics.stdev(runs),
            "min": min(runs),
            "max": max(runs),
            "final loss": _final(result["loss_curve"]),
            "final val acc": _final(result["val_acc_curve"]),
        }
        for column, value in expected.items():
            assert_close(float(row[column]), value, atol=0.006, what=f"{name} {column}")


def test_part4_table_holds_the_gradient_ratios(holding):
    folder, page = holding
    table = page.table("part4-results")
    for name in MLPS + CNNS:
        result = read_json(folder / f"part4_{name}.json")
        ratio = np.mean(result["sigmoid_grad_curve"]) / np.mean(result["relu_grad_curve"])
        assert_close(float(table[name]["ratio sigmoid/ReLU"]), ratio, rtol=6e-3, what=f"{name} ratio")
        for column in ("mean grad ReLU", "mean grad sigmoid", "ratio sigmoid/ReLU"):  # one style: 1.23e-04
            assert re.fullmatch(r"\d\.\d\de[+-]\d\d", table[name][column]), (column, table[name][column])
        assert_close(
            float(table[name]["final loss sigmoid"]),
            _final(result["sigmoid_loss_curve"]),
            atol=6e-5,
            what=f"{name} sigmoid loss",
        )


def test_part5_and_schedule_tables_hold_the_result_files_numbers(holding):
    folder, page = holding
    part5, schedule = read_json(folder / "part5.json"), read_json(folder / "part5_schedule.json")
    table = page.table("part5-results")
    for suffix, lr in (("1", "0.1"), ("01", "0.01"), ("001", "0.001")):
        assert_close(
            float(table[lr]["final val acc"]),
            _final(part5[f"val_acc_curve_{suffix}"]),
            atol=0.006,
            what=f"lr {lr} final val acc",
        )
        assert_close(
            float(table[lr]["best val acc"]),
            max(part5[f"val_acc_curve_{suffix}"]),
            atol=0.006,
            what=f"lr {lr} best val acc",
        )
        assert_close(
            float(table[lr]["test acc"]),
            part5["meta"]["test_acc"][f"test_acc_{suffix}"],
            atol=0.006,
            what=f"lr {lr} test acc",
        )
    row = next(iter(page.table("schedule-results").values()))
    assert_close(float(row["schedule test acc"]), schedule["test_acc"], atol=0.006, what="schedule")
    assert_close(float(row["Adam test acc"]), schedule["adam_test_acc"], atol=0.006, what="Adam")
    assert_close(
        float(row["schedule - Adam"]),
        schedule["test_acc"] - schedule["adam_test_acc"],
        atol=0.006,
        what="schedule - Adam",
    )


def test_parameter_table_matches_pytorch_even_for_an_empty_folder(tmp_path):
    from torch import nn

    from ee449.models import ARCHITECTURES, build

    table = _build(tmp_path).table("parameters")
    for name in ARCHITECTURES:
        model = build(name)
        total = sum(p.numel() for p in model.parameters())
        conv = sum(p.numel() for m in model.modules() if isinstance(m, nn.Conv2d) for p in m.parameters())
        for column, expected in (
            ("PyTorch", total),
            ("formula", total),
            ("conv PyTorch", conv),
            ("conv formula", conv),
        ):
            assert_equal(int(table[name][column].replace(",", "")), expected, f"{name} {column}")
        assert_equal(table[name]["equal"], "yes", f"{name} formula and PyTorch agree")


@pytest.mark.parametrize("claim", CLAIMS)
def test_each_verdict_flips_when_the_numbers_say_the_opposite(holding, failing, claim):
    assert_equal(holding[1].table("verdicts")[claim]["verdict"], HOLDS, f"{claim} on holding numbers")
    assert_equal(failing[1].table("verdicts")[claim]["verdict"], FAILS, f"{claim} on opposite numbers")


def test_verdict_evidence_quotes_the_numbers(holding):
    folder, page = holding
    evidence = page.table("verdicts")["CNNs beat MLPs"]["evidence"]
    means = {
        n: statistics.mean(read_json(folder / f"part3_{n}.json")["meta"]["run_test_accs"])
        for n in MLPS + CNNS
    }
    worst_cnn = min(means[n] for n in CNNS)
    best_mlp = max(means[n] for n in MLPS)
    assert f"mean {worst_cnn:.2f}%" in evidence and f"mean {best_mlp:.2f}%" in evidence, evidence
    assert "Welch's t-test p = " in evidence


def test_missing_parts_are_reported_as_missing(tmp_path):
    folder = write_results_folder(tmp_path, parts=("part3",))
    page = _build(folder)
    verdicts = page.table("verdicts")
    assert_equal(verdicts["CNNs beat MLPs"]["verdict"], HOLDS, "Part 3 present")
    for claim in CLAIMS[1:]:
        assert_equal(verdicts[claim]["verdict"], NOT_MEASURED, claim)
    text = " ".join(page.text)
    for part in ("Part 2 is missing", "Part 4 is missing", "Part 5 is missing", "The schedule is missing"):
        assert part in text, part


def test_a_broken_result_file_is_listed_not_fatal(tmp_path):
    folder = write_results_folder(tmp_path, parts=("part3", "part4"))
    broken = read_json(folder / "part4_cnn_5.json")
    del broken["sigmoid_grad_curve"]
    write_json(folder / "part4_cnn_5.json", broken)
    (folder / "part5.json").write_text("{not json", encoding="utf-8")
    page = _build(folder)
    text = " ".join(page.text)
    assert re.search(r"part4_cnn_5\.json: .*no key 'sigmoid_grad_curve'", text), "names file and key"
    assert "part5.json" in text and "not valid JSON" in text
    assert "cnn_5" not in page.table("part4-results"), "the broken file is left out"


def test_null_accuracies_and_bad_curves_do_not_break_the_report(tmp_path):
    folder = write_results_folder(tmp_path, parts=("part3", "schedule"))
    diverged = read_json(folder / "part3_cnn_3.json")
    diverged["test_acc"] = None
    write_json(folder / "part3_cnn_3.json", diverged)
    bad = read_json(folder / "part3_mlp_1.json")
    bad["loss_curve"][2] = "oops"
    write_json(folder / "part3_mlp_1.json", bad)
    schedule = read_json(folder / "part5_schedule.json")
    schedule["adam_test_acc"] = None
    write_json(folder / "part5_schedule.json", schedule)
    page = _build(folder)
    assert_equal(
        page.table("part3-results")["cnn_3"]["test acc (best run, %)"], "\u2014", "null shown as a dash"
    )
    assert (folder / "figures" / "part3.png").is_file(), "Part 3 figure drawn despite the null accuracy"
    assert "mlp_1" not in page.table("part3-results"), "the file with a bad curve is left out"
    assert re.search(r"part3_mlp_1\.json: .*'loss_curve' must be a list of numbers", " ".join(page.text))
    row = next(iter(page.table("schedule-results").values()))
    assert_equal(row["Adam test acc"], "\u2014", "Adam not recorded")
    assert "Adam (Part 3): not recorded" in page.table("verdicts")[CLAIMS[3]]["evidence"]


def test_student_dicts_without_meta_still_report(tmp_path):
    for i, name in enumerate(MLPS + CNNS):
        write_json(
            tmp_path / f"part3_{name}.json",
            part3_result(name, 50.0 + i, seed=i, with_meta=False, weights=False),
        )
    page = _build(tmp_path)
    row = page.table("part3-results")["cnn_4"]
    assert_equal(row["std"], "\u2014", "no spread without per-run accuracies")
    result = read_json(tmp_path / "part3_cnn_4.json")
    assert_close(
        float(row["final loss"]), result["loss_curve"][-1], atol=6e-5, what="last point without meta"
    )
    assert "SYNTHETIC" not in " ".join(page.text)


def test_part2_grid_is_drawn_from_the_output_array_and_summarised(tmp_path):
    from ee449.io import save_npy

    output = np.random.default_rng(0).normal(size=(2, 3, 5, 5))
    save_npy(tmp_path / "part2_output.npy", output)
    write_json(tmp_path / "part2.json", {"output": {"shape": list(output.shape), "min": float(output.min())}})
    page = _build(tmp_path)
    figure = tmp_path / "figures" / "part2.png"
    assert figure.is_file(), "the grid is drawn when missing"
    embedded = [base64.b64decode(src.split(",", 1)[1]) for src in page.images]
    assert figure.read_bytes() in embedded, "and embedded"
    table = page.table("part2")
    assert_close(float(table["output.min"]["value"]), output.min(), rtol=1e-5, what="output min (6 digits)")
    assert_equal(table["output.shape"]["value"], "[2, 3, 5, 5]", "output shape")


def test_numbers_are_formatted_for_reading(tmp_path):
    from ee449.io import save_npy

    save_npy(tmp_path / "part2_output.npy", np.zeros((1, 1, 2, 2)))
    write_json(tmp_path / "part2.json", {"output": {"sum": 481575.7083333334, "count": 45000}})
    write_results_folder(tmp_path, parts=("part3",))
    page = _build(tmp_path)
    part2 = page.table("part2")
    assert_equal(part2["output.sum"]["value"], "481,575.71", "a sum rounded, with separators")
    assert_equal(part2["output.count"]["value"], "45,000", "an integer with separators")
    assert_equal(page.table("parameters")["mlp_1"]["PyTorch"], "33,130", "Part 1 counts with separators")
    created = page.table("settings")["part3_mlp_1.json"]["created"]
    assert_equal(created, "2026-01-01 00:00 UTC", "a date without seconds and offset")


def test_the_switch_epochs_used_are_shown_and_a_stage_that_did_not_run_is_said(tmp_path):
    from tests.helpers.fake_results import schedule_result

    result = schedule_result(50.0, adam=55.0, constant=40.0)  # 6 epochs of curve
    result["switch_epochs"], result["meta"]["config"]["switch_epochs"] = [3, 6], []
    write_json(tmp_path / "part5_schedule.json", result)
    page = _build(tmp_path)
    config = page.table("configuration")["part5_schedule.json"]
    assert_equal(config["switch_epochs"], "3, 6 (plateau rule)", "the switches found, not []")
    assert "Stage 3 did not run" in " ".join(page.text)
    assert_equal(page.table("verdicts")[CLAIMS[3]]["verdict"], "inconclusive", "verdict")


def test_synthetic_data_is_flagged(holding):
    assert "SYNTHETIC DATA: Every training result" in " ".join(holding[1].text)


def test_a_mix_of_real_and_synthetic_results_names_the_synthetic_ones(tmp_path):
    for i, name in enumerate(("mlp_1", "cnn_3")):
        result = part3_result(name, 50.0 + i, seed=i, weights=False)
        result["meta"]["data"]["synthetic"] = name == "cnn_3"
        write_json(tmp_path / f"part3_{name}.json", result)
    text = " ".join(_build(tmp_path).text)
    assert "SYNTHETIC DATA: 1 of 2 training results (part3_cnn_3.json)" in text, text[:400]


def test_text_from_result_files_is_escaped(tmp_path):
    name = '<script>alert("x")</script>'
    write_json(tmp_path / "part3_evil.json", part3_result(name, 50.0, weights=False))
    page = _build(tmp_path)
    assert "script" not in page.tags
    assert name in page.table("part3-results"), "shown as text"
    markdown = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert "<script>" not in markdown


def test_markdown_twin_links_figures_that_exist(holding):
    folder, _ = holding
    markdown = (folder / "report.md").read_text(encoding="utf-8")
    links = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", markdown)
    assert {Path(link).stem for link in links} >= {"part3", "part4", "part5", "part5_schedule"}
    for link in links:
        assert (folder / link).is_file(), f"{link} is linked but missing"
    assert "| cnn_4 |" in markdown and "SYNTHETIC DATA" in markdown


def test_stale_figures_are_redrawn(tmp_path):
    folder = write_results_folder(tmp_path, parts=("part5",))
    figure = folder / "figures" / "part5.png"
    figure.parent.mkdir()
    figure.write_bytes(b"old")
    os.utime(figure, (1, 1))  # older than part5.json
    build_report(folder)
    assert figure.read_bytes().startswith(b"\x89PNG"), "redrawn from the newer result file"


def test_report_command_writes_both_files(holding, capsys):
    folder, _ = holding
    assert_equal(cli.main(["report", str(folder)]), 0, "exit status")
    printed = capsys.readouterr().out.splitlines()
    assert_equal(
        printed, [f"wrote {folder / 'report.html'}", f"wrote {folder / 'report.md'}"], "printed paths"
    )
    assert_equal(cli.main(["report", "--out", str(folder), "-q"]), 0, "--out names the folder too")
    assert_equal(capsys.readouterr().out.splitlines(), printed, "the same files")


def test_report_command_rejects_a_missing_folder(tmp_path):
    with pytest.raises(SystemExit) as exit_:
        cli.main(["report", str(tmp_path / "nope")])
    assert_equal(exit_.value.code, 2, "exit status")


def test_settings_every_file_shares_are_listed_once_and_only_differences_per_file(tmp_path):
    """One column per setting for every file made the table wider than any window (cut at `seed`)."""
    folder = write_results_folder(tmp_path, parts=("part3",))
    changed = read_json(folder / "part3_cnn_5.json")
    changed["meta"]["config"]["epochs"] = 30
    write_json(folder / "part3_cnn_5.json", changed)
    page = _build(folder)
    shared = page.table("configuration-shared")
    assert_equal(shared["batch_size"]["value"], "50", "a shared setting, once")
    assert "epochs" not in shared
    per_file = page.table("configuration")
    assert_equal(list(per_file["part3_mlp_1.json"]), ["file", "epochs"], "only the setting that differs")
    assert_equal(per_file["part3_cnn_5.json"]["epochs"], "30", "the file's own value")
