"""Parts 1 and 2 on their own: no torch, no data set.

- `ee449.basics.formulas`  Part 1: parameter counts, batches, iterations, the gradient of an SGD step
- `ee449.basics.conv`      Part 2: `my_conv2d` in NumPy
- `ee449.basics.digits`    Part 2's built-in inputs: drawn digits and a bank of 4x4 kernels
"""
