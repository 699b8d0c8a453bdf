"""`ee449 part1`: Part 1's formulas for the five architectures, beside PyTorch's counts (2023);
the NumPy MLP for XOR in the 2024 and 2025 editions (`ee449.cli.part1_xor`)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ee449.basics.formulas import BATCH_SIZE, EPOCHS, TRAIN_SAMPLES, batches_per_epoch, sgd_iterations
from ee449.cli.experiment_options import add_homework_argument, positive
from ee449.io import write_json
from ee449.spec import edition, requested_year


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--n-samples",
        type=positive,
        default=TRAIN_SAMPLES,
        help=f"training samples N (default {TRAIN_SAMPLES}: 50,000 minus 5,000 validation)",
    )
    parser.add_argument(
        "--batch-size", type=positive, default=BATCH_SIZE, help=f"batch size B (default {BATCH_SIZE})"
    )
    parser.add_argument(
        "--epochs", type=positive, default=EPOCHS, help=f"epochs E (default {EPOCHS}, the homework's)"
    )
    parser.add_argument("--json", metavar="PATH", help="also write the numbers to this JSON file")
    add_homework_argument(parser)
    parser.add_argument(
        "--out",
        default="ee449-out",
        type=Path,
        metavar="DIR",
        help="editions with the XOR part (2024, 2025): folder for part1_xor.json and figures (default ee449-out)",
    )


def run(args: argparse.Namespace) -> int:
    homework = edition(requested_year(args.homework))
    if homework.part1 == "xor":
        from ee449.cli.part1_xor import render_xor, run_xor

        runs, written = run_xor(args.out, homework.year)
        print(render_xor(runs))
        for path in written:
            print(f"wrote {path}")
        return 0
    # Deferred on purpose: ee449.models imports torch (about 3 s); a bad argument fails before it.
    from ee449.models.part1 import part1_numbers

    batches_per_epoch(args.n_samples, args.batch_size)  # bad arguments fail before torch is imported
    sgd_iterations(args.n_samples, args.batch_size, args.epochs)
    result = part1_numbers(args.n_samples, args.batch_size, args.epochs)
    print(render_part1(result))
    if args.json:
        print(f"wrote {write_json(args.json, result)}")
    return 0 if result["all_match"] else 1


def render_part1(result: dict[str, Any]) -> str:
    """The text table `ee449 part1` prints."""
    head = ("architecture", "conv (formula)", "conv (PyTorch)", "all (formula)", "all (PyTorch)", "match")
    rows = [
        (
            a["name"],
            f"{a['conv_params_formula']:,}" if a["conv_layers"] else "-",
            f"{a['conv_params_pytorch']:,}" if a["conv_layers"] else "-",
            f"{a['params_formula']:,}",
            f"{a['params_pytorch']:,}",
            "yes" if a["match"] else "NO",
        )
        for a in result["architectures"]
    ]
    widths = [max(len(str(r[i])) for r in (head, *rows)) for i in range(len(head))]

    def line(row: tuple) -> str:
        return "  ".join(
            str(v).rjust(wd) if i else str(v).ljust(wd) for i, (v, wd) in enumerate(zip(row, widths))
        )

    sgd = result["sgd_step"]
    n, b, e = result["n_samples"], result["batch_size"], result["epochs"]
    return "\n".join(
        [
            "Part 1: parameters (conv = convolution layers only, as the homework asks; all = whole model)",
            line(head),
            *map(line, rows),
            "",
            f"batches per epoch  ceil(N / B) = ceil({n:,} / {b}) = {result['batches_per_epoch']:,}",
            f"SGD iterations     E * ceil(N / B) = {e} * {result['batches_per_epoch']:,} = {result['sgd_iterations']:,}",
            f"gradient of one SGD step (w_k - w_k+1) / lr on mlp_1, lr {sgd['lr']}: "
            f"max |recovered - .grad| = {sgd['max_abs_error']:.2e} <= float32 rounding {sgd['tolerance']:.2e}: "
            f"{'matches' if sgd['match'] else 'DOES NOT match'}",
        ]
    )
