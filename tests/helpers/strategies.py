"""Every Hypothesis strategy of the suite, in one place.

Strategies are nouns built with `@composite`, return small NamedTuples, and keep their size
caps as named constants so a failing example stays small and a CI run stays fast.
"""

from __future__ import annotations

import functools
from typing import NamedTuple

import numpy as np
from hypothesis import strategies as st
from hypothesis.strategies import composite

from ee449.grading.sandboxed.checks.manifest import Manifest, Slot, Target

# --- bench: images for the per-image reference pipeline ------------------------------------

MAX_RGB_IMAGES = 3  # per example: the per-image PIL pipeline is slow


class RgbImages(NamedTuple):
    images: np.ndarray  # uint8 [N, 32, 32, 3], HWC as decoded
    labels: np.ndarray  # int64 [N], in 0..9


@composite
def rgb_images(draw) -> RgbImages:
    """A few 32x32 RGB uint8 images: any pixel values, including the 0 and 255 extremes."""
    n = draw(st.integers(1, MAX_RGB_IMAGES), label="n")
    seed = draw(st.integers(0, 2**32 - 1), label="seed")
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, size=(n, 32, 32, 3), dtype=np.uint8)
    extreme = draw(st.sampled_from([None, 0, 255]), label="extreme")
    if extreme is not None:
        images[0] = extreme  # a flat black or white image: the ends of the normalised range
    return RgbImages(images, rng.integers(0, 10, size=n, dtype=np.int64))


# --- foundation: conv cases, MLP and CNN shapes (Part 1 and Part 2) --------------------------

MAX_CONV_BATCH = 3
MAX_CONV_CHANNELS = 4
MAX_CONV_SIDE = 12  # input height and width
MAX_CONV_KERNEL = 5
CONV_DTYPES = ("uint8", "int8", "uint16", "int16", "int32", "int64", "float16", "float32", "float64")
MAX_MLP_WIDTH = 64
MAX_MLP_HIDDEN = 4
MAX_CNN_LAYERS = 4
MAX_CNN_CHANNELS = 16
MAX_CNN_KERNEL = 7


class ConvCase(NamedTuple):
    x: np.ndarray  # [N, C_in, H, W], any real dtype of CONV_DTYPES
    w: np.ndarray  # [C_out, C_in, kh, kw], kh <= H, kw <= W


def _random_values(rng: np.random.Generator, shape: tuple[int, ...], dtype: str) -> np.ndarray:
    """Values spanning the dtype (uint8 up to 255, so that wrap-around would show), capped for
    wide integers so that float64 sums of products stay exact enough to compare."""
    dt = np.dtype(dtype)
    if dt.kind in "ui":
        info = np.iinfo(dt)
        low, high = max(int(info.min), -(10**6)), min(int(info.max), 10**6)
        return rng.integers(low, high, size=shape, endpoint=True).astype(dt)
    return (rng.standard_normal(shape) * 10).astype(dt)


@composite
def conv_cases(draw, dtypes: tuple[str, ...] = CONV_DTYPES) -> ConvCase:
    """An input batch and a kernel bank that fit each other (valid conv), of any listed dtypes."""
    n = draw(st.integers(1, MAX_CONV_BATCH), label="N")
    c_in = draw(st.integers(1, MAX_CONV_CHANNELS), label="C_in")
    c_out = draw(st.integers(1, MAX_CONV_CHANNELS), label="C_out")
    h = draw(st.integers(1, MAX_CONV_SIDE), label="H")
    w = draw(st.integers(1, MAX_CONV_SIDE), label="W")
    kh = draw(st.integers(1, min(h, MAX_CONV_KERNEL)), label="kh")
    kw = draw(st.integers(1, min(w, MAX_CONV_KERNEL)), label="kw")
    x_dtype = draw(st.sampled_from(dtypes), label="input dtype")
    w_dtype = draw(st.sampled_from(dtypes), label="kernel dtype")
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1), label="seed"))
    return ConvCase(
        _random_values(rng, (n, c_in, h, w), x_dtype), _random_values(rng, (c_out, c_in, kh, kw), w_dtype)
    )


class MlpShape(NamedTuple):
    d_in: int
    hidden: list[int]  # may be empty
    d_out: int
    bias: list[bool]  # one per Linear layer: len(hidden) + 1


@composite
def mlp_shapes(draw) -> MlpShape:
    """A stack of Linear layers, each with or without bias."""
    d_in = draw(st.integers(1, MAX_MLP_WIDTH), label="d_in")
    hidden = draw(st.lists(st.integers(1, MAX_MLP_WIDTH), max_size=MAX_MLP_HIDDEN), label="hidden")
    d_out = draw(st.integers(1, MAX_MLP_WIDTH), label="d_out")
    bias = draw(st.lists(st.booleans(), min_size=len(hidden) + 1, max_size=len(hidden) + 1), label="bias")
    return MlpShape(d_in, hidden, d_out, bias)


class CnnShape(NamedTuple):
    c_in: int
    kernel_sizes: list[int | tuple[int, int]]  # k for k x k, or (kh, kw)
    channels: list[int]
    bias: list[bool]  # one per conv layer


@composite
def cnn_shapes(draw) -> CnnShape:
    """A stack of Conv2d layers: square or rectangular kernels, each with or without bias."""
    c_in = draw(st.integers(1, MAX_CNN_CHANNELS), label="c_in")
    layers = draw(st.integers(1, MAX_CNN_LAYERS), label="layers")
    side = st.integers(1, MAX_CNN_KERNEL)
    kernels = draw(
        st.lists(st.one_of(side, st.tuples(side, side)), min_size=layers, max_size=layers), label="kernels"
    )
    channels = draw(
        st.lists(st.integers(1, MAX_CNN_CHANNELS), min_size=layers, max_size=layers), label="channels"
    )
    bias = draw(st.lists(st.booleans(), min_size=layers, max_size=layers), label="bias")
    return CnnShape(c_in, kernels, channels, bias)


# --- experiments: the Part 5 plateau rule ---------------------------------------------------

MAX_PLATEAU_EPOCHS = 30  # the schedule's longest curve


class PlateauCase(NamedTuple):
    means: list[float]  # epoch-mean validation accuracies, whole numbers in percent
    patience: int
    min_delta: float  # a binary fraction: shifted curves compare exactly


@composite
def plateau_curves(draw) -> PlateauCase:
    """An epoch-mean validation curve and plateau-rule settings."""
    n = draw(st.integers(1, MAX_PLATEAU_EPOCHS), label="epochs")
    means = [float(v) for v in draw(st.lists(st.integers(0, 100), min_size=n, max_size=n), label="means")]
    patience = draw(st.integers(1, 5), label="patience")
    min_delta = draw(st.sampled_from([0.0, 0.25, 0.5, 1.0, 2.0]), label="min_delta")
    return PlateauCase(means, patience, min_delta)


# --- data: training labels for the stratified split -----------------------------------------

MAX_SPLIT_CLASSES = 10
MAX_SPLIT_PER_CLASS = 60


class LabelSet(NamedTuple):
    labels: np.ndarray  # int64 [N], classes 0..C-1 in any order, possibly unequal counts
    val_fraction: float  # leaves at least one validation and one training image per class
    seed: int


@composite
def label_sets(draw) -> LabelSet:
    """Shuffled labels of 1..10 classes with 2..60 images each, a validation fraction, a seed."""
    counts = draw(
        st.lists(st.integers(2, MAX_SPLIT_PER_CLASS), min_size=1, max_size=MAX_SPLIT_CLASSES), label="counts"
    )
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1), label="order seed"))
    labels = rng.permutation(np.repeat(np.arange(len(counts), dtype=np.int64), counts))
    smallest = min(counts)
    # round(f * smallest) must land in 1..smallest-1 (0.6 keeps clear of round-half-to-even).
    fraction = draw(st.floats(0.6 / smallest, (smallest - 0.6) / smallest), label="val_fraction")
    return LabelSet(labels, fraction, draw(st.integers(0, 2**63 - 1), label="split seed"))


# --- plots and report: recorded curves with null (diverged) points ---------------------------

MAX_CURVE_POINTS = 60


class RecordedCurve(NamedTuple):
    values: list  # floats in [0, 100] or None (a non-finite point, written as null)
    steps_per_epoch: int
    record_every: int  # steps per recorded point, at most steps_per_epoch


@composite
def recorded_curves(draw) -> RecordedCurve:
    """A recorded curve as a result file holds it, with the meta that places it in epochs."""
    n = draw(st.integers(1, MAX_CURVE_POINTS), label="points")
    point = st.one_of(st.none(), st.floats(0, 100, allow_nan=False))
    values = draw(st.lists(point, min_size=n, max_size=n), label="values")
    record_every = draw(st.integers(1, 20), label="record_every")
    steps_per_epoch = draw(st.integers(record_every, 20 * record_every), label="steps_per_epoch")
    return RecordedCurve(values, steps_per_epoch, record_every)


# --- grader: how students spell the homework's names -----------------------------------------


class Spelling(NamedTuple):
    canonical: str  # e.g. 'cnn_3'
    spelled: str  # e.g. 'CNN3'


@composite
def name_spellings(draw, names: tuple[str, ...]) -> Spelling:
    """One of `names` as a student might write it: any letter case, each underscore kept or dropped."""
    name = draw(st.sampled_from(names), label="name")
    chars = []
    for ch in name:
        if ch == "_":
            if draw(st.booleans(), label="keep underscore"):
                chars.append(ch)
        else:
            chars.append(ch.upper() if draw(st.booleans(), label="upper") else ch)
    return Spelling(name, "".join(chars))


# --- training schedules (tests/test_train.py) ------------------------------------------------

MAX_TRAIN_IMAGES = 40  # mlp_1 steps on this many images take about a millisecond
MAX_TRAIN_BATCH = 16
MAX_TRAIN_EPOCHS = 4
MAX_RECORD_EVERY = 6


class TrainingSchedule(NamedTuple):
    n_train: int
    batch_size: int
    epochs: int
    record_every: int


@composite
def training_schedules(draw) -> TrainingSchedule:
    """Training-set size, batch, epochs and record interval, with partial last batches and
    step counts that are and are not multiples of the record interval."""
    return TrainingSchedule(
        n_train=draw(st.integers(1, MAX_TRAIN_IMAGES), label="n_train"),
        batch_size=draw(st.integers(1, MAX_TRAIN_BATCH), label="batch_size"),
        epochs=draw(st.integers(1, MAX_TRAIN_EPOCHS), label="epochs"),
        record_every=draw(st.integers(1, MAX_RECORD_EVERY), label="record_every"),
    )


# --- grading: any program a student could hand in, any constant expression ------------------

MAX_EXPRESSION_DEPTH = 4  # nested operators per drawn constant expression
MAX_PROGRAM_STATEMENTS = 6  # statements of glue around the drawn program


@functools.lru_cache(maxsize=1)
def _python_sources() -> st.SearchStrategy[str]:
    """hypothesmith's strategy, built once: building it compiles Python's grammar (seconds).
    auto_target=False: with it each program takes seconds to draw, without it milliseconds."""
    import hypothesmith  # the Hypothesis strategy for valid Python source (test extra)

    return hypothesmith.from_grammar(auto_target=False)


class StudentFile(NamedTuple):
    source: str  # valid Python (it compiles), written nowhere else: a student's whole file


@composite
def student_files(draw) -> StudentFile:
    """Valid Python from the language's grammar (hypothesmith), followed by the idioms that used to
    crash discovery: string-joined paths, calls of a generic class with folded arguments."""
    program = draw(_python_sources(), label="program")
    glue = draw(
        st.lists(
            st.sampled_from(
                [
                    "name = 'mlp_' + str(1)",
                    "PATH = 'data/' + 'mlp_1' + '.pkl'",
                    "model = Net('cnn_' + '3', f'{1}')",
                    "class Net(nn.Module):\n    def __init__(self, arch, act):\n        pass",
                    "for arch in ['mlp_1', 'cnn_3']:\n    Net(arch, 'relu' + 0)",
                    "def my_conv2d(x, k):\n    return x",
                    "import torch.nn as nn",
                    "X = b'a' + b'b'; Y = 'a' * 10 ** 9; Z = '%d' % 3 < 'b'",
                ]
            ),
            max_size=MAX_PROGRAM_STATEMENTS,
        ),
        label="glue",
    )
    return StudentFile("\n".join([program, *glue]) + "\n")


_LEAVES = st.one_of(
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=8),
    st.binary(max_size=4),
    st.booleans(),
    st.none(),
)
_OPERATORS = ("+", "-", "*", "/", "//", "%", "**", "<", "<=", "==", "!=")


class ConstantExpression(NamedTuple):
    text: str  # a Python expression of literals only: eval() is its oracle


@composite
def constant_expressions(draw) -> ConstantExpression:
    """An expression of literals (numbers, strings, bytes, None) under arithmetic, `%`, comparisons,
    f-strings, tuples and lists: anything a student's module constant could be."""

    def expression(depth: int) -> str:
        kind = draw(
            st.sampled_from(("leaf", "binary", "unary", "fstring", "sequence")) if depth else st.just("leaf")
        )
        if kind == "leaf":
            return repr(draw(_LEAVES, label="literal"))
        if kind == "unary":
            return f"(-{expression(depth - 1)})"
        if kind == "fstring":  # Python 3.11's f-strings take no quote or backslash inside the braces
            inner = expression(depth - 1)
            return "f'{" + inner + "}x'" if not set(inner) & set("'\"\\") else inner
        if kind == "sequence":
            items = [expression(depth - 1) for _ in range(draw(st.integers(0, 3), label="items"))]
            tuple_text = f"({', '.join(items)},)" if items else "()"
            return draw(st.sampled_from((f"[{', '.join(items)}]", tuple_text)), label="sequence")
        op = draw(st.sampled_from(_OPERATORS), label="operator")
        return f"({expression(depth - 1)} {op} {expression(depth - 1)})"

    return ConstantExpression(expression(draw(st.integers(0, MAX_EXPRESSION_DEPTH), label="depth")))


# --- grading: records a student's code could have written ------------------------------------

MAX_JSON_LEAVES = 12


def json_values() -> st.SearchStrategy:
    """Any JSON value (what a forged record line may hold), small."""
    leaves = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8)
    return st.recursive(
        leaves,
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
        max_leaves=MAX_JSON_LEAVES,
    )


# What a check id is made of: a group, a subject (arch / results only), a name (a case in brackets).
_ID_PART = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789_[]", min_size=1, max_size=12)


class CheckIdParts(NamedTuple):
    group: str
    subject: str  # "" outside the groups that have subjects
    name: str


@composite
def check_id_parts(draw) -> CheckIdParts:
    """The parts of a check id as the grader and the sandbox make them (no `/` inside a part)."""
    group = draw(st.sampled_from(["arch", "results", "conv", "xor", "static", "submission"]) | _ID_PART)
    subject = draw(_ID_PART) if group in ("arch", "results") else ""
    return CheckIdParts(group, subject, draw(_ID_PART))


def manifests() -> st.SearchStrategy:
    """A grading's manifest (`sandboxed.checks.manifest.Manifest`), every field a kind of value it holds."""
    slots = st.builds(
        Slot,
        st.sampled_from(["part3_mlp_1", "part4", "part5_cnn_4"]),
        st.integers(3, 5),
        st.none() | st.sampled_from(["mlp_1", "cnn_4"]),
        st.none() | st.text(max_size=12),
    )
    return st.builds(
        Manifest,
        found=st.sampled_from(["mlp_1", "cnn_3"]).flatmap(
            lambda key: st.dictionaries(
                st.just(key),
                st.builds(
                    Target,
                    st.just(key),
                    st.text(max_size=8),
                    st.text(max_size=8),
                    st.integers(0, 10_000),
                    constructions=st.lists(
                        st.fixed_dictionaries({"args": st.lists(st.integers(), max_size=2)}), max_size=2
                    ),
                ),
                max_size=1,
            )
        ),
        files=st.lists(st.text(max_size=8), max_size=3).map(tuple),
        arch_keys=st.lists(st.sampled_from(["mlp_1", "cnn_3_sigmoid"]), max_size=2).map(tuple),
        result_files=st.lists(slots, max_size=3).map(tuple),
        course_data=st.none() | st.text(max_size=12),
        homework=st.none() | st.sampled_from([2023, 2024, 2025]),
        input_shape=st.none() | st.sampled_from([(1, 32, 32), (3, 32, 32)]),
        probe_seed=st.none() | st.integers(0, 2**31),
        check_timeout=st.floats(0, 100),
        skip=st.lists(st.text(max_size=8), max_size=3).map(tuple),
        hung_targets=st.lists(st.sampled_from(["mlp_1", "my_conv2d"]), max_size=2).map(tuple),
        writes_blocked=st.booleans(),
        numpy_only=st.booleans(),
    )


MAX_XOR_POINTS = 12  # per batch: the torch oracle is exact at any size
MAX_XOR_HIDDEN = 6


class XorCase(NamedTuple):
    """A NumPy XOR network's sizes, weights seed, batch and rate: what backward is checked on."""

    inputs: int
    hidden: int
    outputs: int
    activation: str
    seed: int
    points: int
    learning_rate: float


@composite
def xor_cases(draw) -> XorCase:
    return XorCase(
        inputs=draw(st.integers(1, 3), label="inputs"),
        hidden=draw(st.integers(1, MAX_XOR_HIDDEN), label="hidden"),
        outputs=draw(st.integers(1, 2), label="outputs"),
        activation=draw(st.sampled_from(("sigmoid", "tanh", "relu")), label="activation"),
        seed=draw(st.integers(0, 2**32 - 1), label="seed"),
        points=draw(st.integers(1, MAX_XOR_POINTS), label="points"),
        learning_rate=draw(st.sampled_from((1e-3, 1e-2, 0.5)), label="learning_rate"),
    )
