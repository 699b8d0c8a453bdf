"""The `torch` a student's `my_conv2d` meets in the sandbox's conv checks: NumPy wearing torch's names.

Part 2 is NumPy. The conv checks run in an interpreter where the real torch (with torchvision,
scipy and the other libraries that convolve) is not importable at all: under bubblewrap its
folders are empty, so no spelling of `conv2d` (an import through strings, `getattr`,
`__import__`) can reach a library convolution. A student whose NumPy convolution only touches
torch at its edges (`torch.from_numpy(out)` at the end, a `torch.Tensor` test on the input)
still gets full marks, so this stand-in is what `import torch` finds there (`runner`: copied as
`torch/__init__.py` into the conv pass's library folder, first on its path): tensors that are
NumPy arrays with torch's conversion methods, and the constructors and reductions NumPy has.
It offers nothing NumPy does not: whatever passes here passes by NumPy's arithmetic. Anything
else (`torch.nn`, `F.conv2d`, `torch.conv2d`, `unfold`) raises `StandInMissing`, which the conv
check names in its failure (`check_conv`).

Stdlib and NumPy only; it is never imported by the grader's own process.
"""

from __future__ import annotations

import builtins
import contextlib
import sys
import types
from typing import Any, Iterator

import numpy as np

__all__ = ["StandInMissing", "Tensor"]

SENTENCE = (
    "While my_conv2d is checked, torch is a stand-in that offers only what NumPy offers (Part 2 asks "
    "for a NumPy convolution): {what} is not available there."
)


class StandInMissing(AttributeError):
    """Something of torch's that the conv checks do not offer (`from torch.nn.functional import
    conv2d` turns it into Python's own ImportError, "cannot import name")."""


class _Size(int):
    """NumPy reads `array.size` as the element count, torch calls `tensor.size()` for the shape: both."""

    shape: tuple[int, ...]

    def __new__(cls, shape: tuple[int, ...]) -> _Size:
        size = super().__new__(cls, builtins.int(np.prod(shape)))
        size.shape = tuple(shape)
        return size

    def __call__(self, dim: int | None = None) -> Any:
        return self.shape if dim is None else self.shape[dim]


class Tensor(np.ndarray):
    """A NumPy array with the conversions a NumPy convolution might call on a torch tensor."""

    def numpy(self, force: bool = False) -> Any:
        del force
        return np.asarray(self).view(np.ndarray)

    def detach(self) -> Any:
        return self

    def cpu(self) -> Any:
        return self

    def clone(self) -> Any:
        return np.array(self).view(Tensor)

    def contiguous(self) -> Any:
        return np.ascontiguousarray(self).view(Tensor)

    def float(self) -> Any:
        return self.astype(np.float32)

    def double(self) -> Any:
        return self.astype(np.float64)

    def long(self) -> Any:
        return self.astype(np.int64)

    def int(self) -> Any:
        return self.astype(np.int32)

    def to(self, *args: Any, **kwargs: Any) -> Any:
        dtype = kwargs.get("dtype") or next((a for a in args if isinstance(a, type)), None)
        return self.astype(dtype) if dtype is not None else self

    @property
    def size(self) -> Any:
        return _Size(self.shape)

    def dim(self) -> Any:
        return self.ndim

    def numel(self) -> Any:
        return builtins.int(np.prod(self.shape))

    def unsqueeze(self, dim: Any) -> Any:
        return np.expand_dims(self, dim)

    def permute(self, *dims: Any) -> Any:
        return self.transpose(*dims)


def _tensor(value: Any, dtype: Any = None) -> Tensor:
    return np.array(value, dtype=dtype).view(Tensor)


def _as_tensor(value: Any, dtype: Any = None) -> Tensor:
    return np.asarray(value, dtype=dtype).view(Tensor)


def _like(make: Any) -> Any:
    def constructor(*size: Any, dtype: Any = None, **_ignored: Any) -> Tensor:
        shape = size[0] if len(size) == 1 and isinstance(size[0], (tuple, list)) else size
        return make(shape, dtype=dtype or np.float32).view(Tensor)

    return constructor


def _tensors(function: Any) -> Any:
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        kwargs = {("axis" if k == "dim" else k): v for k, v in kwargs.items()}
        result = function(*args, **kwargs)
        return result.view(Tensor) if isinstance(result, np.ndarray) else result

    return wrapped


# torch's dtypes are NumPy's here: `torch.float64` is `np.float64`. They become this module's globals
# when it is torch (`torch.int`, `torch.float`), so its own code says `builtins.int`.
DTYPES = {
    "float16": np.float16,
    "half": np.float16,
    "float32": np.float32,
    "float": np.float32,
    "float64": np.float64,
    "double": np.float64,
    "uint8": np.uint8,
    "int8": np.int8,
    "int16": np.int16,
    "short": np.int16,
    "int32": np.int32,
    "int": np.int32,
    "int64": np.int64,
    "long": np.int64,
    "bool": np.bool_,
}

# What NumPy itself offers under torch's names: constructors, reductions, elementwise arithmetic.
FUNCTIONS = {
    "tensor": _tensor,
    "as_tensor": _as_tensor,
    "from_numpy": _as_tensor,
    "asarray": _as_tensor,
    "is_tensor": lambda value: isinstance(value, Tensor),
    "zeros": _like(np.zeros),
    "ones": _like(np.ones),
    "empty": _like(np.empty),
    **{
        name: _tensors(getattr(np, name))
        for name in (
            "zeros_like",
            "ones_like",
            "empty_like",
            "full",
            "arange",
            "sum",
            "mean",
            "multiply",
            "add",
            "matmul",
            "dot",
            "einsum",
            "tensordot",
            "stack",
            "concatenate",
            "flip",
            "reshape",
            "abs",
            "exp",
            "sqrt",
            "maximum",
            "minimum",
            "max",
            "min",
            "where",
            "clip",
        )
        if hasattr(np, name)
    },
    "mul": _tensors(np.multiply),
    "cat": _tensors(np.concatenate),
}


@contextlib.contextmanager
def no_grad() -> Iterator[None]:
    """No autograd here: a `with torch.no_grad():` around NumPy code changes nothing."""
    yield


class _Missing(types.ModuleType):
    """`torch.nn`, `torch.nn.functional` and the like: present, so an import names what is missing."""

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        raise StandInMissing(SENTENCE.format(what=f"{self.__name__}.{name}"))


def manual_seed(seed: Any) -> None:
    """Module-level set-up a student's conv may sit beside (`torch.manual_seed(0)`): nothing to seed here."""
    del seed


def set_grad_enabled(mode: Any) -> contextlib.AbstractContextManager[None]:
    del mode
    return no_grad()


def device(name: Any = "cpu", index: Any = None) -> str:
    """`torch.device("cuda" if torch.cuda.is_available() else "cpu")`: always the CPU here."""
    del name, index
    return "cpu"


class _Cuda(types.ModuleType):
    """torch.cuda as a NumPy process sees it: no GPU."""

    @staticmethod
    def is_available() -> bool:
        return False

    @staticmethod
    def device_count() -> int:
        return 0


def __getattr__(name: str) -> Any:
    if name.startswith("__"):
        raise AttributeError(name)
    raise StandInMissing(SENTENCE.format(what=f"torch.{name}"))


def _install(module: types.ModuleType) -> None:
    """Fill the `torch` module this file became (called at its import, in the sandbox only): its own
    functions and classes (`no_grad`, `manual_seed`, `device`, `Tensor`, `StandInMissing`) are
    already there, as globals."""
    for name, function in {**FUNCTIONS, **DTYPES}.items():
        setattr(module, name, function)
    module.__version__ = "0+numpy-standin"  # type: ignore[attr-defined]
    sys.modules[f"{module.__name__}.cuda"] = module.cuda = _Cuda(f"{module.__name__}.cuda")  # type: ignore[attr-defined]
    for sub in ("nn", "nn.functional", "nn.modules", "fft", "linalg", "signal", "special", "autograd"):
        full = f"{module.__name__}.{sub}"
        sys.modules[full] = _Missing(full)
    module.nn = sys.modules[f"{module.__name__}.nn"]  # type: ignore[attr-defined]
    module.nn.functional = sys.modules[f"{module.__name__}.nn.functional"]


if __name__ == "torch":  # copied in as torch/__init__.py: become the stand-in
    _install(sys.modules[__name__])
