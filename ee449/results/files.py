"""Result files on disk: read one, tell whether it is up to date, write one atomically. No torch."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # for annotations only: importing the experiments at run time would import torch
    from ee449.experiments.payloads import ExperimentConfig

from ee449.errors import ResultsError
from ee449.io import read_json, to_jsonable, write_json
from ee449.results.checks import body_problems, part_of, value_problems

BROKEN = "broken"  # result_status's prefix for a file whose meta matches but whose body does not


def read_result(path: str | Path) -> dict[str, Any]:
    """A result file as a dict, checked to be a JSON object with a `meta.config`."""
    result = read_json(path)
    if (
        not isinstance(result, dict)
        or not isinstance(result.get("meta"), dict)
        or "config" not in result["meta"]
    ):
        raise ResultsError(f"{path} is not an ee449 result file (no meta.config)")
    return result


def result_status(path: str | Path, config: ExperimentConfig, data_description: dict[str, Any]) -> str:
    """'missing', 'done' (same config and data: nothing to do), 'broken: WHY' or a reason it differs.

    'broken' means meta matches (same config, same data) but the body does not fit it: the file
    can be rebuilt from the saved runs it was made from, without training.
    """
    path = Path(path)
    if not path.exists():
        return "missing"
    try:
        result = read_result(path)
        meta = result["meta"]
    except ResultsError as error:
        return f"unreadable ({error})"
    wanted = to_jsonable(config)
    if meta.get("config") != wanted:
        changed = sorted(
            k
            for k in set(wanted) | set(meta.get("config") or {})
            if (meta.get("config") or {}).get(k) != wanted.get(k)
        )
        return f"made with a different config ({', '.join(changed)} differ)"
    if meta.get("data") != to_jsonable(data_description):
        return "made with different data"
    part = part_of(path)
    problems = (body_problems(result, part) or value_problems(result, part)) if part is not None else []
    if problems:
        return f"{BROKEN}: {'; '.join(problems)}"
    return "done"


def write_result(path: str | Path, payload: dict[str, Any]) -> Path:
    """Write one result file atomically (strict JSON: NaN becomes null)."""
    return write_json(path, payload)
