"""Replica batching: several independent runs of one architecture trained together (in progress)."""

from __future__ import annotations

import torch


def batching_pays_off(arch: str, device: torch.device, runs: int) -> bool:
    """Whether `train_many` should batch `runs` replicas of `arch` on `device` (not yet: sequential)."""
    return False


def train_replicas(arch, data, config, seeds, progress=None):
    raise NotImplementedError("replica batching is not implemented yet; use batched=False")
