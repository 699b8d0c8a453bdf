"""Sandbox side of `running`: the data and the training stubbed before the student's code runs.

Loaded by `sandboxed_run_harness` only, inside the sandbox; imports nothing of ee449.
torchvision's datasets become stand-ins of the real length, image mode and labels; DataLoaders
yield one batch per pass, kept for later passes; `backward` and the optimizers' `step` run a few
times and then do nothing; "cuda" stays on the CPU; `input()` reads an empty line.
"""

from __future__ import annotations

import functools
import itertools
from typing import TYPE_CHECKING

from sandboxed_run_recorder import Harness  # type: ignore[import-not-found]  # a sibling: -I keeps ee449 away

if TYPE_CHECKING:  # annotations only: this module runs in the sandbox and imports nothing it does not use
    from collections.abc import Callable, Iterator
    from types import ModuleType
    from typing import Any

MAX_STEPS = 3  # optimizer steps and backward passes actually taken; the rest are no-ops
BATCHES_PER_PASS = 1  # what each DataLoader yields per `for batch in loader`
BANK = 20  # distinct stand-in images; a dataset of any length cycles through them


def install_stubs(harness: Harness) -> None:
    import builtins

    import torch
    import torch.utils.data as data

    original_iter = data.DataLoader.__iter__
    original_init = data.DataLoader.__init__

    def loader_init(self: data.DataLoader, *args: Any, **kwargs: Any) -> None:
        kwargs.update(num_workers=0, pin_memory=False)
        kwargs.pop("persistent_workers", None)
        kwargs.pop("prefetch_factor", None)
        original_init(self, *args, **kwargs)

    data.DataLoader.__init__ = loader_init  # type: ignore[method-assign]

    def loader_iter(self: data.DataLoader) -> Iterator[Any]:
        # The first pass's batches, kept: later epochs cost the student's forward pass only.
        batches = self.__dict__.get("_ee449_batches")
        if batches is None:
            batches = list(itertools.islice(original_iter(self), BATCHES_PER_PASS))
            self.__dict__["_ee449_batches"] = batches
        return iter(batches)

    # assignment: torch declares `__iter__` to return its own iterator class; the kept batches are a list's.
    data.DataLoader.__iter__ = loader_iter  # type: ignore[method-assign, assignment]
    data.DataLoader.__len__ = lambda self: BATCHES_PER_PASS  # type: ignore[method-assign]

    def limited(method: Callable[..., Any], counter: str) -> Callable[..., Any]:
        @functools.wraps(method)
        def run(*args: Any, **kwargs: Any) -> Any:
            setattr(harness, counter, getattr(harness, counter) + 1)
            return method(*args, **kwargs) if getattr(harness, counter) <= MAX_STEPS else None

        return run

    torch.Tensor.backward = limited(torch.Tensor.backward, "backwards")  # type: ignore[method-assign]
    for optimizer in vars(torch.optim).values():
        if (
            isinstance(optimizer, type)
            and issubclass(optimizer, torch.optim.Optimizer)
            and "step" in vars(optimizer)
        ):
            optimizer.step = limited(optimizer.step, "steps")  # type: ignore[method-assign]
    torch.Tensor.cuda = lambda self, *a, **k: self  # type: ignore[method-assign]
    torch.nn.Module.cuda = lambda self, *a, **k: self  # type: ignore[method-assign]
    builtins.input = lambda *a, **k: ""
    original_import = builtins.__import__

    def importing(name: str, *args: Any, **kwargs: Any) -> ModuleType:
        # torchvision costs seconds to import: its datasets are replaced when the student imports it.
        module = original_import(name, *args, **kwargs)
        if name.startswith("torchvision") and not harness.datasets_replaced:
            harness.datasets_replaced = True
            install_datasets()
        return module

    builtins.__import__ = importing


def install_datasets() -> None:
    try:
        import numpy as np
        import torchvision.datasets as datasets
        from PIL import Image
    except Exception:  # noqa: BLE001 - no torchvision: the student's own loading fails as it would
        return

    def stand_in(mode: str, size: int, train_length: int, test_length: int) -> type:
        class StandIn:
            """A dataset of the real one's length, mode and labels, made of a few random images."""

            classes = [str(i) for i in range(10)]

            def __init__(
                self,
                root: object = None,
                train: object = True,
                transform: Callable[[Any], Any] | None = None,
                target_transform: Callable[[Any], Any] | None = None,
                **more: object,
            ) -> None:
                rng = np.random.default_rng(0)
                shape = (BANK, size, size, 3) if mode == "RGB" else (BANK, size, size)
                self.data = rng.integers(0, 256, shape, dtype=np.uint8)
                training = train is not False and more.get("split", "train") != "test"
                self.length = train_length if training else test_length
                self.targets = [i % 10 for i in range(BANK)]
                self.transform, self.target_transform = transform, target_transform
                self.root = root

            def __len__(self) -> int:
                return self.length

            def __getitem__(self, index: int) -> tuple[Any, Any]:
                i = int(index) % BANK
                image, label = Image.fromarray(self.data[i], mode=mode), self.targets[i]
                if self.transform is not None:
                    image = self.transform(image)
                if self.target_transform is not None:
                    label = self.target_transform(label)
                return image, label

        return StandIn

    cifar = stand_in("RGB", 32, 50_000, 10_000)
    replacements = {
        "CIFAR10": cifar,
        "CIFAR100": cifar,
        "SVHN": cifar,
        "ImageFolder": cifar,
        "MNIST": stand_in("L", 28, 60_000, 10_000),
        "FashionMNIST": stand_in("L", 28, 60_000, 10_000),
        "KMNIST": stand_in("L", 28, 60_000, 10_000),
    }
    for name, replacement in replacements.items():
        setattr(datasets, name, replacement)
