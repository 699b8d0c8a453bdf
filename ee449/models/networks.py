"""The five homework architectures as torch modules, built from their data.

`ee449.spec.REGISTRY` (re-exported by `ee449.models`) maps each name to a declarative list of layers
before the FC10 prediction layer; `build(name, activation)` turns any such list into one
`torch.nn.Module`. The sigmoid variant
of Part 4 is the same list with every activation slot filled by `nn.Sigmoid`.

Shapes: every model takes [N, C, H, W] images of the edition's input shape (any N; by default
2023's [N, 1, 32, 32] grayscale images; `input_shape=(3, 32, 32)` for 2025's RGB, (1, 28, 28)
for 2024's Fashion-MNIST: the first layer and the flatten size follow) and returns [N, 10] logits
(no softmax: `CrossEntropyLoss` takes logits). Convolutions are stride 1 with valid padding,
pooling is 2x2 max with stride 2, so a conv with kernel k maps H -> H - k + 1 and a pool maps
H -> floor(H / 2).
"""

from __future__ import annotations

from typing import Iterator

import torch
from torch import nn

from ee449.spec import (
    INPUT_SHAPE,
    NUM_CLASSES,
    REGISTRY,
    Activation,
    Conv,
    Dense,
    Layer,
    MaxPool,
    check_architecture,
)

ACTIVATIONS: dict[str, type[nn.Module]] = {"relu": nn.ReLU, "sigmoid": nn.Sigmoid}


class HomeworkNet(nn.Module):
    """One homework architecture: `layers` (features, flatten, FC10) plus an input check."""

    def __init__(
        self,
        name: str,
        activation: str,
        layers: nn.Sequential,
        input_shape: tuple[int, int, int] = INPUT_SHAPE,
    ):
        super().__init__()
        self.name = name
        self.activation = activation
        self.layers = layers
        self.input_shape = input_shape

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.dim() != 4 or tuple(x.shape[1:]) != self.input_shape:
            expected = ", ".join(map(str, self.input_shape))
            raise ValueError(f"{self.name} expects input of shape [N, {expected}], got {list(x.shape)}")
        return self.layers(x)  # (N, C, H, W) -> (N, 10)

    def extra_repr(self) -> str:
        shape = "" if self.input_shape == INPUT_SHAPE else f", input_shape={self.input_shape}"
        return f"name={self.name!r}, activation={self.activation!r}{shape}"


def check_activation(activation: str) -> None:
    if activation not in ACTIVATIONS:
        raise ValueError(f"unknown activation {activation!r}; valid: {', '.join(ACTIVATIONS)}")


def build(
    name: str, activation: str = "relu", input_shape: tuple[int, int, int] = INPUT_SHAPE
) -> HomeworkNet:
    """Build architecture `name` with `activation` in every activation slot, for `input_shape` (C, H, W).

    Initialisation is PyTorch's default; seed it with `torch.manual_seed` before calling.
    """
    check_architecture(name)
    check_activation(activation)
    input_shape = check_input_shape(input_shape)
    layers = _build_layers(REGISTRY[name], ACTIVATIONS[activation], input_shape)
    return HomeworkNet(name, activation, layers, input_shape)


def check_input_shape(input_shape: tuple[int, ...]) -> tuple[int, int, int]:
    """`input_shape` as a (C, H, W) tuple of positive ints, or ValueError naming it."""
    shape = tuple(input_shape)
    if len(shape) != 3 or not all(isinstance(n, int) and not isinstance(n, bool) and n > 0 for n in shape):
        raise ValueError(f"input_shape must be (C, H, W) positive integers, got {input_shape!r}")
    return shape


def _build_layers(
    spec: tuple[Layer, ...], make_activation: type[nn.Module], input_shape: tuple[int, int, int]
) -> nn.Sequential:
    channels, height, width = input_shape
    features: int | None = None  # set once flattened
    modules: list[nn.Module] = []
    for layer in spec:
        if isinstance(layer, Conv):
            if features is not None:
                raise ValueError("a Conv layer cannot follow a Dense layer")
            if min(height, width) < layer.kernel:
                raise ValueError(
                    f"a {layer.kernel}x{layer.kernel} conv does not fit a {height}x{width} input"
                )
            modules.append(nn.Conv2d(channels, layer.channels, layer.kernel))
            channels, height, width = layer.channels, height - layer.kernel + 1, width - layer.kernel + 1
        elif isinstance(layer, MaxPool):
            modules.append(nn.MaxPool2d(kernel_size=2, stride=2))
            height, width = height // 2, width // 2
        elif isinstance(layer, Activation):
            modules.append(make_activation())
        elif isinstance(layer, Dense):
            if features is None:
                modules.append(nn.Flatten())  # (N, C, H, W) -> (N, C*H*W), any N
                features = channels * height * width
            modules.append(nn.Linear(features, layer.features, bias=layer.bias))
            features = layer.features
        else:  # pragma: no cover - the registry holds only the four layer kinds
            raise TypeError(f"unknown layer spec {layer!r}")
    if features is None:
        modules.append(nn.Flatten())
        features = channels * height * width
    modules.append(nn.Linear(features, NUM_CLASSES))  # the FC10 prediction layer
    return nn.Sequential(*modules)


def flatten_size(name: str, input_shape: tuple[int, int, int] = INPUT_SHAPE) -> int:
    """The number of features entering the first Dense layer (1024 for MLPs, 144 for cnn_3... at 1 x 32 x 32)."""
    check_architecture(name)
    model = build(name, input_shape=input_shape)
    flatten = next(m for m in model.layers if isinstance(m, nn.Flatten))
    first_linear = next(m for m in model.layers if isinstance(m, nn.Linear))
    assert model.layers[list(model.layers).index(flatten) + 1] is first_linear
    return first_linear.in_features


def weighted_layers(model: nn.Module) -> Iterator[nn.Conv2d | nn.Linear]:
    """The Conv2d and Linear layers of `model`, in order."""
    return (m for m in model.modules() if isinstance(m, (nn.Conv2d, nn.Linear)))


def first_layer(model: nn.Module) -> nn.Conv2d | nn.Linear:
    """The first Conv2d or Linear layer: the one whose weights Parts 3 and 4 record."""
    try:
        return next(weighted_layers(model))
    except StopIteration:
        raise ValueError(f"{type(model).__name__} has no Conv2d or Linear layer") from None


def count_parameters(model: nn.Module) -> int:
    """Trainable parameters, as PyTorch counts them."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


def describe_layers(model: nn.Module) -> list[str]:
    """A readable signature of the layer sequence, comparable between any two models.

    Containers are skipped; each leaf layer becomes a short string such as
    'Conv2d(1->16, k=3x3, stride=1, pad=0, bias)', 'ReLU', 'MaxPool2d(k=2, s=2)', 'Linear(1024->32, bias)'.
    Used to compare a student's architecture with the reference one.
    """
    signature = []
    for module in model.modules():
        if list(module.children()):
            continue
        if isinstance(module, nn.Conv2d):
            kh, kw = module.kernel_size
            padding = (
                module.padding if isinstance(module.padding, str) else "x".join(map(str, module.padding))
            )
            stride = "x".join(map(str, module.stride))
            signature.append(
                f"Conv2d({module.in_channels}->{module.out_channels}, k={kh}x{kw}, stride={stride}, "
                f"pad={padding}, {'bias' if module.bias is not None else 'no bias'})"
            )
        elif isinstance(module, nn.Linear):
            signature.append(
                f"Linear({module.in_features}->{module.out_features}, "
                f"{'bias' if module.bias is not None else 'no bias'})"
            )
        elif isinstance(module, nn.MaxPool2d):
            signature.append(f"MaxPool2d(k={_square(module.kernel_size)}, s={_square(module.stride)})")
        elif isinstance(module, (nn.Flatten, nn.Identity, nn.Dropout)):
            continue  # shape plumbing, not a layer of the homework's figures
        else:
            signature.append(type(module).__name__)
    return signature


def _square(size: int | tuple[int, ...]) -> str:
    """2 and (2, 2) are the same pooling window; (2, 3) stays '2x3'."""
    sizes = (size,) if isinstance(size, int) else tuple(size)
    return str(sizes[0]) if len(set(sizes)) == 1 else "x".join(map(str, sizes))
