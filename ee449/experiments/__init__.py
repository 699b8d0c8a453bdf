"""Parts 3, 4 and 5 of the homework as functions: a frozen config in, a result out.

- `ee449.experiments.configs`   the Part 3-5 configs (the homework's settings as defaults), seeds
- `ee449.experiments.parts`     `part3`, `part4`, `part5`, `schedule`, the plateau rule, `train_runs`
- `ee449.experiments.store`     the saved runs under `<out>/.runs/` that make experiments resumable
- `ee449.experiments.payloads`  the result dataclasses and the result files' content (`.payload()`)
"""

from __future__ import annotations

from ee449.experiments.configs import (
    PART3_ARCHS,
    PART4_ARCHS,
    SEED_STRIDE,
    Part3Config,
    Part4Config,
    Part5Config,
    ScheduleConfig,
    check_switch_epochs,
    override,
    run_seeds,
)
from ee449.experiments.parts import Speed, part3, part4, part5, plateau_epoch, schedule, train_runs
from ee449.experiments.payloads import Part3Result, Part4Result, Part5Result, ScheduleResult
from ee449.experiments.store import RunStore, describe_data

__all__ = [
    "PART3_ARCHS",
    "PART4_ARCHS",
    "SEED_STRIDE",
    "Part3Config",
    "Part3Result",
    "Part4Config",
    "Part4Result",
    "Part5Config",
    "Part5Result",
    "RunStore",
    "ScheduleConfig",
    "ScheduleResult",
    "Speed",
    "check_switch_epochs",
    "describe_data",
    "override",
    "part3",
    "part4",
    "part5",
    "plateau_epoch",
    "run_seeds",
    "schedule",
    "train_runs",
]
