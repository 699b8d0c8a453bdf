"""The homework's published table (SPEC.md, "Architectures"), written once for every test.

An oracle, so typed in from the homework, not computed from `ee449.spec`: the code must
reproduce these numbers.
"""

from __future__ import annotations

PARAMETERS = {"mlp_1": 33_130, "mlp_2": 35_498, "cnn_3": 11_106, "cnn_4": 13_522, "cnn_5": 8_346}  # trainable
FLATTEN = {
    "mlp_1": 1024,
    "mlp_2": 1024,
    "cnn_3": 144,
    "cnn_4": 256,
    "cnn_5": 128,
}  # features into the first Dense
FIRST_LAYER_SHAPE = {
    "mlp_1": (32, 1024),
    "mlp_2": (32, 1024),
    "cnn_3": (16, 1, 3, 3),
    "cnn_4": (16, 1, 3, 3),
    "cnn_5": (8, 1, 3, 3),
}
