"""ee449: the reference implementation of EE449 Homework 1, and the suite that grades it.

The packages follow the data, each importing only from those above it in this list:

- `ee449.spec`         the homework as data: constants, the architectures' layer lists (no torch)
- `ee449.basics`       Part 1's formulas, Part 2's `my_conv2d` and its built-in inputs
- `ee449.data`         CIFAR-10 (torchvision, an image folder, or the built-in synthetic stand-in)
- `ee449.models`       `build(name, activation)` from spec's layer lists
- `ee449.training`     the trainer: one loop, its recording rule, the device choices
- `ee449.experiments`  Parts 3, 4 and 5 as functions from a config to a result, the run store
- `ee449.results`      reading, checking and writing result files (no torch)
- `ee449.plots`, `ee449.report`  the homework's figures and a one-page report
- `ee449.bench`        the trainer's speed against the homework's reference loop
- `ee449.grading`      grade a student's submission against this reference
- `ee449.cli`          the `ee449` command line

`ee449.conv.my_conv2d` re-exports `ee449.basics.conv.my_conv2d`; `ee449.io` and `ee449.errors`
are the atomic writes and the exception types every layer uses.
"""

__version__ = "0.1.0"


def check(part: str, target: object, homework: int | None = None) -> bool:
    """From a notebook: what the grader says on `part`'s visible checks, for your own function or model.

        import ee449
        ee449.check("conv", my_conv2d)     # your convolution
        ee449.check("cnn_3", CNN3())       # a model (or its class, built with no arguments)
        ee449.check("xor", MLP, homework=2025)  # Part 1's XOR network class (2024 / 2025)

    `homework`: the edition (default $EE449_HOMEWORK, else 2023): its image shape, its Part 1.

    Prints the grader's messages and returns True when every visible check passes. Imported on
    first use, so `import ee449` stays light.
    """
    import importlib

    # Loaded by name at call time: the package root stays below every layer (experiments import
    # `ee449` for its version), and `import ee449` does not pay for the grader.
    selfcheck = importlib.import_module("ee449.grading.selfcheck")
    return bool(selfcheck.check_in_notebook(part, target, homework=homework))
