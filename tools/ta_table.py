"""Grade the TA-read fixtures and print the grader against the TA, item by item, as a Markdown table.

    PYTHONPATH=$PWD python tools/ta_table.py [--jobs 2]

Each `fixtures/submissions/ta_*` folder holds `ta_reading.json` (written by
`fixtures/submissions/ta_read.py`): the TA's score per item. A grader score is "within" when
it is at most 2 points of 10 from the TA's (scaled: 4 of conv's 20). The last column names the
feature another issue's part adds where the grader cannot agree yet. Exit status 0 always: the
table is the product (tests/grading/test_ta_readings.py is the check).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path

from ee449.grading.classroom import grade_class
from ee449.grading.grades import GradeOptions
from ee449.grading.output.items import item_scores

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "submissions"
TOLERANCE = 0.2  # 2 points of 10, scaled to each item's maximum
CHECK_TIMEOUT = 30.0  # no hostile code here: a generous limit keeps a busy machine from failing honest checks


def readings() -> dict[str, dict]:
    return {p.parent.name: json.loads(p.read_text()) for p in sorted(FIXTURES.glob("ta_*/ta_reading.json"))}


def grade_all(names: list[str], jobs: int) -> dict[str, dict[str, tuple[float, float]]]:
    with tempfile.TemporaryDirectory() as classroom:
        for name in names:
            shutil.copytree(
                FIXTURES / name, Path(classroom) / name, ignore=shutil.ignore_patterns("ta_reading.json")
            )
        results = grade_class(Path(classroom), GradeOptions(check_timeout=CHECK_TIMEOUT), jobs=jobs)
    return {r.student: item_scores(r.checks) for r in results}


def _n(value: float) -> str:
    return f"{value:g}"


def table(read: dict[str, dict], graded: dict[str, dict[str, tuple[float, float]]]) -> tuple[str, int]:
    items = ["conv", "mlp_1", "mlp_2", "cnn_3", "cnn_4", "cnn_5"]
    lines = [
        "| fixture | " + " | ".join(items) + " | within | grader needs |",
        "|---" * (len(items) + 3) + "|",
    ]
    agree = 0
    for name, reading in read.items():
        cells, ok = [], True
        for item in items:
            got, most = graded[name][item]
            want = float(reading["ta"][item])
            close = abs(got - want) <= TOLERANCE * most + 1e-9
            ok &= close
            cells.append(f"{_n(want)} / {_n(got)}" + ("" if close else " **x**"))
        agree += ok
        lines.append(
            f"| {name.removeprefix('ta_')} | "
            + " | ".join(cells)
            + f" | {'yes' if ok else 'no'} | "
            + (reading["needs"].split(":")[0] if reading["needs"] else "")
            + " |"
        )
    return "\n".join(lines), agree


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args(argv)
    read = readings()
    text, agree = table(read, grade_all(list(read), args.jobs))
    print("Each cell: TA / grader.\n")
    print(text)
    print(f"\n{agree} of {len(read)} fixtures within 2 of 10 of the TA on every item.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
