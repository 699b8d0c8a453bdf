"""Which architecture a student's name stands for (`MLP1Model`, `ReLU_CNN4`, `model_mlp1` -> mlp_1, cnn_4)."""

from __future__ import annotations

import re

from ee449.spec import ARCHITECTURES


def _norm(name: str) -> str:
    return re.sub(r"[_\-\s\[\]]", "", name.lower())


_AFFIXES = ("model", "network", "net", "relu", "class", "my", "arch", "module")


def match_target(name: str) -> str | None:
    """The target key a student's name stands for, or None.

    `mlp_1`, `MLP1Net`, `model_mlp1`, `MLP1Model`, `ReLU_CNN4`, `Cnn_4_Net` -> the architecture;
    with 'sigmoid' (or 'sig') before or after it -> its sigmoid variant; `my_conv2d` -> 'my_conv2d'.
    """
    norm = _norm(name)
    if norm == "myconv2d":
        return "my_conv2d"
    sigmoid = False
    changed = True
    while changed:  # peel affixes in any order: ReLU_CNN4_Net, model_mlp1, CNN3SigmoidNet
        changed = False
        for affix in ("sigmoid", "sig", *_AFFIXES):
            if norm.startswith(affix) and len(norm) > len(affix):
                norm, changed = norm[len(affix) :], True
            elif norm.endswith(affix) and len(norm) > len(affix):
                norm, changed = norm[: -len(affix)], True
            else:
                continue
            sigmoid = sigmoid or affix in {"sigmoid", "sig"}
    for arch in ARCHITECTURES:
        if norm == _norm(arch):
            return f"{arch}_sigmoid" if sigmoid else arch
    return None
