"""ee449: the reference implementation of EE449 Homework 1, and the suite that grades it.

The package mirrors the homework's parts:

- `ee449.formulas`   Part 1: parameter counts, batches, iterations, the gradient of an SGD step
- `ee449.conv`       Part 2: `my_conv2d` in NumPy; `ee449.part2` runs it and draws the grid
- `ee449.models`     the five architectures as one declarative registry
- `ee449.data`       CIFAR-10 (torchvision, an image folder, or the built-in synthetic stand-in)
- `ee449.train`      the trainer and its recording rule
- `ee449.experiments` Parts 3, 4 and 5 as functions from a config to a result file
- `ee449.plots`, `ee449.report`  the homework's figures and a one-page report
- `ee449.grading`    grade a student's submission against this reference
- `ee449.cli`        the `ee449` command line
"""

__version__ = "0.1.0"
