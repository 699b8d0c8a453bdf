"""Each edition's result files: a tiny real run at the edition's shape and runs, its schema as a snapshot.

The snapshots keep keys, types, shapes and curve lengths (tests.experiments.test_payloads.schema):
the first-layer weights show each edition's input ((32, 784) in 2024, (32, 3072) in 2025) and
`meta.homework` the year.
"""

from __future__ import annotations

import pytest

from ee449 import experiments as ex
from ee449.data import load_homework
from ee449.editions import edition
from ee449.experiments import RunStore
from ee449.io import read_json
from ee449.results import result_status, write_result
from ee449.spec import result_file
from tests.experiments.test_payloads import schema
from tests.helpers.splits import TINY

pytestmark = pytest.mark.usefixtures("one_cpu_thread")
YEARS = (2024, 2025)


@pytest.fixture(scope="module", params=YEARS)
def edition_files(request, tmp_path_factory):
    """(year, folder, data) after a tiny real Part 3 and Part 4 at the edition's shape and number of runs."""
    year = request.param
    data = load_homework(year, "synthetic", synthetic_per_class=(20, 5))
    out = tmp_path_factory.mktemp(f"results{year}")
    store = RunStore(out)
    runs = edition(year).part3_runs
    for arch in ("mlp_2", "cnn_3"):
        config = ex.Part3Config(arch, epochs=1, runs=runs, **TINY)
        write_result(out / result_file(3, arch), ex.part3(config, data, device="cpu", store=store).payload())
    config4 = ex.Part4Config("cnn_3", epochs=1, **TINY)
    write_result(out / result_file(4, "cnn_3"), ex.part4(config4, data, device="cpu", store=store).payload())
    return year, out, data


@pytest.mark.parametrize("name", ["part3_mlp_2.json", "part3_cnn_3.json", "part4_cnn_3.json"])
def test_result_file_schema_of_each_edition(edition_files, name, snapshot):
    year, out, _ = edition_files
    result = read_json(out / name)
    assert result["meta"]["homework"] == year
    assert schema(result) == snapshot


def test_a_result_of_one_edition_is_never_up_to_date_for_another(edition_files):
    year, out, _ = edition_files
    config = ex.Part3Config("mlp_2", epochs=1, runs=edition(year).part3_runs, **TINY)
    other = load_homework(2023, "synthetic", synthetic_per_class=(20, 5))
    assert (
        result_status(out / result_file(3, "mlp_2"), config, other.describe()) == "made with different data"
    )
