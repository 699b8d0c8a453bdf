"""Does the synthetic stand-in reward convolution? Train mlp_1 and cnn_4 on it and compare.

    .venv/bin/python benchmarks/synthetic_separation.py [--epochs 5] [--per-class 500 100]

Adam (lr 1e-3), batch 50, the homework's settings, on the CPU; prints each model's validation
and test accuracy after every epoch. The aim (README, section data): cnn_4 at least 10 points
above mlp_1 after a few epochs, mlp_1 well above chance (10%), neither at 100%.
A plain loop on purpose: this measures the data set, not the trainer.
"""

from __future__ import annotations

import argparse
import time

import torch

from ee449.data import load_cifar10
from ee449.models import build


def accuracy(model: torch.nn.Module, images: torch.Tensor, labels: torch.Tensor) -> float:
    model.eval()
    with torch.no_grad():
        correct = sum(
            int((model(images[i : i + 1000]).argmax(1) == labels[i : i + 1000]).sum())
            for i in range(0, len(labels), 1000)
        )
    model.train()
    return correct / len(labels)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--per-class", type=int, nargs=2, default=(500, 100), metavar=("TRAIN", "TEST"))
    parser.add_argument("--models", nargs="+", default=("mlp_1", "cnn_4"))
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    data = load_cifar10("synthetic", synthetic_per_class=tuple(args.per_class), split_seed=args.seed)
    print(f"data: {data.describe()}")
    for name in args.models:
        torch.manual_seed(args.seed)
        model = build(name, "relu")
        optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
        loss_fn = torch.nn.CrossEntropyLoss()
        generator = torch.Generator().manual_seed(args.seed)
        start = time.perf_counter()
        for epoch in range(1, args.epochs + 1):
            order = torch.randperm(len(data.train_labels), generator=generator)
            for i in range(0, len(order), 50):
                batch = order[i : i + 50]
                optimizer.zero_grad()
                loss_fn(model(data.train_images[batch]), data.train_labels[batch]).backward()
                optimizer.step()
            print(
                f"{name} epoch {epoch}: val {accuracy(model, data.val_images, data.val_labels):.3f} "
                f"test {accuracy(model, data.test_images, data.test_labels):.3f} "
                f"({time.perf_counter() - start:.0f} s)",
                flush=True,
            )


if __name__ == "__main__":
    main()
