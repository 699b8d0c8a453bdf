"""Accuracy on a whole split, in chunks, without autograd: of one model or of R stacked replicas."""

from __future__ import annotations

import torch

from ee449.models.stacked import StackedNet


@torch.inference_mode()
def accuracy(model: torch.nn.Module, images: torch.Tensor, labels: torch.Tensor, chunk: int) -> float:
    """Percent of `images` [N, 1, 32, 32] that `model` classifies as `labels` [N], eval mode."""
    if len(images) == 0:
        return float("nan")
    was_training = model.training
    model.eval()
    correct = torch.zeros((), dtype=torch.int64, device=images.device)
    for start in range(0, len(images), chunk):
        logits = model(images[start : start + chunk])  # (chunk, 10)
        correct += (logits.argmax(1) == labels[start : start + chunk]).sum()
    model.train(was_training)
    return 100.0 * correct.item() / len(images)


@torch.inference_mode()
def stacked_correct(net: StackedNet, images: torch.Tensor, labels: torch.Tensor, chunk: int) -> torch.Tensor:
    """Correct counts per replica, int64 (R,), over `images` (N, 1, 32, 32) in chunks."""
    correct = torch.zeros(net.replicas, dtype=torch.int64, device=images.device)
    for start in range(0, len(images), chunk):
        logits = net.forward(images[start : start + chunk])  # (R, chunk, 10)
        correct += (logits.argmax(-1) == labels[start : start + chunk]).sum(1)
    return correct
