"""The work of one training command once its data is loaded: what the steps read and write.

`Work` holds the plan, the loaded data, the run store and the progress display; the steps
(`ee449.cli.steps`) ask it whether a result file must be made (`needed`) and write through it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypedDict

from ee449 import experiments as ex
from ee449.cli.plan import Plan
from ee449.cli.progress import Progress
from ee449.data import DataSplits
from ee449.errors import ResultsError
from ee449.experiments import RunStore, describe_data
from ee449.experiments.payloads import ExperimentConfig
from ee449.results import result_status, write_result
from ee449.results.files import BROKEN


class How(TypedDict):
    """How every experiment of a command runs: the keywords of ex.part3, part4, part5 and schedule."""

    device: str
    store: RunStore
    progress: Progress
    speed: ex.Speed


@dataclass(frozen=True)
class Work:
    plan: Plan
    splits: DataSplits  # on the device already: every run trains from resident tensors
    progress: Progress
    store: RunStore
    planned: dict[str, int] = field(default_factory=dict)  # result file name -> its optimizer steps

    @property
    def out(self) -> Path:
        return self.plan.out

    @property
    def how(self) -> How:
        return How(device=self.plan.device, store=self.store, progress=self.progress, speed=self.plan.speed)

    def needed(self, path: Path, config: ExperimentConfig) -> bool:
        """Whether `path` must be (re)made for `config`; raises if it holds a different result."""
        status = result_status(path, config, describe_data(self.splits))
        runs = self.out / ".runs"
        if status == "missing":
            return True
        if self.plan.force:
            if status.startswith(BROKEN) or status.startswith("unreadable"):
                self.progress.note(
                    f"note: {path} is {status}; run without --force to rebuild it from the "
                    f"saved runs under {runs} without retraining (--force retrains them)"
                )
            return True
        if status == "done":
            self.progress.note(f"{path} is up to date (same config and data; --force re-runs it)")
            self.progress.checkpoint(self.planned.get(path.name, 0))
            return False
        if status.startswith(BROKEN):
            # Same config and data, a body that does not fit: rebuilt from the saved runs, which the
            # store reuses (only runs that are missing or do not fit their config are trained).
            self.progress.note(f"{path} is {status}; rebuilding it from the saved runs")
            return True
        if status.startswith("unreadable"):
            raise ResultsError(
                f"{path} is {status}; move it away and run again to rebuild it from the saved "
                f"runs under {runs} (no retraining), or pass --force to retrain everything"
            )
        raise ResultsError(f"{path} was {status}; pass --force to replace it, or --out another folder")

    def write(self, path: Path, payload: dict[str, Any]) -> None:
        write_result(path, payload)
        self.progress.result(f"wrote {path}")
        self.progress.checkpoint(self.planned.get(path.name, 0))
