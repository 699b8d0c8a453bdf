"""The reference answers the grader compares with, computed where no student code ever runs.

    python -m ee449.grading.judging.reference OUT.json [C,H,W] [SEED]

For each homework architecture and activation, built for the graded edition's images (C, H, W;
2023: 1 x 32 x 32): the reference model's trainable parameter count, its layer sequence
(`trace_layers` on a batch of 50), its first layer's weight shape and its outputs with the
weights and batch drawn from this grader process's seed (`probe`; the sandbox draws the same
from the manifest's `probe_seed`). `reference_models()` runs
this module once per grader process and image shape in a child of the grader (our code only:
importing torch costs seconds, and the grader's own process stays free of torch) and caches the
answer. The convolution's reference is NumPy, in the grader's own process
(`diagnose._cross_correlate`).
"""

from __future__ import annotations

import json
import secrets
import subprocess
import sys
import threading
from pathlib import Path
from typing import Sequence

from ee449.grading import sandbox
from ee449.spec import ARCHITECTURES, INPUT_SHAPE

_LOCK = threading.Lock()
_CACHE: dict[tuple[tuple[int, ...], int], dict[str, dict]] = {}  # (image shape, probe seed) -> references
DEFAULT_SHAPE: tuple[int, ...] = INPUT_SHAPE  # the default edition's image
# Drawn once per grader process, after any submission was written: outputs for it cannot be
# tabulated in advance, only computed by a model (`probe`).
_PROBE_SEED = secrets.randbits(62)


def probe_seed() -> int:
    """The seed this grader process draws the probe's weights and batch from (the manifest carries it)."""
    return _PROBE_SEED


def compute(input_shape: tuple[int, ...] = DEFAULT_SHAPE, seed: int = 0) -> dict[str, dict]:
    """{'cnn_3': {...}, 'cnn_3_sigmoid': {...}, ...}: count, layers, first_weight_shape, outputs."""
    # Deferred on purpose: torch (and layers and models, which import it) takes seconds to load,
    # and the grader's own process imports this module without needing torch until here.
    import torch

    from ee449.grading.sandboxed.layers import trace_layers
    from ee449.grading.sandboxed.probe import computes
    from ee449.models import build, count_parameters, first_layer

    answers = {}
    for arch in ARCHITECTURES:
        for activation in ("relu", "sigmoid"):
            model = build(arch, activation, input_shape).eval()  # type: ignore[arg-type]
            key = arch if activation == "relu" else f"{arch}_sigmoid"
            answers[key] = {
                "count": count_parameters(model),
                "layers": trace_layers(model, torch.zeros(50, *input_shape)),
                "first_weight_shape": list(first_layer(model).weight.shape),
                "outputs": computes(model, input_shape, seed),
            }
    return answers


def reference_models(
    input_shape: tuple[int, ...] = DEFAULT_SHAPE, seed: int | None = None
) -> dict[str, dict]:
    """The references at `input_shape`, computed once per process in a trusted child (our code, no student's).

    `seed`: the probe's (`probe`), this process's unless a kept grading names its own (a rejudge
    compares the outputs recorded then with the references of the seed they were drawn from).
    """
    input_shape = tuple(int(d) for d in input_shape)
    seed = _PROBE_SEED if seed is None else int(seed)
    with _LOCK:
        if (input_shape, seed) not in _CACHE:
            argv = [
                sys.executable,
                "-m",
                "ee449.grading.judging.reference",
                "-",
                ",".join(map(str, input_shape)),
                str(seed),
            ]
            env = {
                "PYTHONPATH": str(Path(__file__).resolve().parents[3]),  # the folder that holds ee449/
                "PATH": "/usr/bin:/bin",
                "OMP_NUM_THREADS": "1",
                "CUDA_VISIBLE_DEVICES": "",
            }
            process = subprocess.Popen(
                argv,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                env=env,
                start_new_session=True,  # its own group: Ctrl-C's stop_all kills it (no student code here)
            )
            with sandbox.stopped_by_ctrl_c(process):
                try:
                    stdout, stderr = process.communicate(timeout=300)
                except subprocess.TimeoutExpired:
                    process.kill()
                    stdout, stderr = process.communicate()
            if process.returncode != 0:
                raise RuntimeError(f"the grader's reference models could not be computed: {stderr[-2000:]}")
            _CACHE[input_shape, seed] = json.loads(stdout)
        return _CACHE[input_shape, seed]


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    shape = tuple(int(d) for d in argv[1].split(",")) if len(argv) > 1 else DEFAULT_SHAPE
    seed = int(argv[2]) if len(argv) > 2 else 0
    text = json.dumps(compute(shape, seed))
    if not argv or argv[0] == "-":
        print(text)
    else:
        Path(argv[0]).write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
