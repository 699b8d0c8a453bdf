"""What a training command found, in a few lines for the terminal (the report has the details)."""

from __future__ import annotations

from ee449.cli.plan import Plan
from ee449.report.load import load_folder, part3_rows, part4_rows, part5_rows, schedule_row
from ee449.report.verdicts import verdicts


def findings(plan: Plan) -> list[str]:
    """What the command found, in a few lines for the terminal (the report has the details)."""
    results = load_folder(plan.out)
    lines: list[str] = []
    archs3 = {c.arch for c in plan.part3} if plan.command in ("part3", "all") else set()
    for r in part3_rows(results):
        if r["name"] in archs3:
            lines.append(
                f"part3 {r['name']}: test accuracy {r['test_acc']:.2f}% (best of {r['runs']:.0f} runs; "
                f"mean {r['mean']:.2f}%)"
            )
    archs4 = {c.arch for c in plan.part4} if plan.command in ("part4", "all") else set()
    for r in part4_rows(results):
        if r["name"] in archs4:
            lines.append(f"part4 {r['name']}: sigmoid/ReLU first-layer gradient ratio {r['ratio']:.2e}")
    if plan.part5 is not None:
        part5 = results.part5 or {}  # rows come only from a Part 5 result
        for r in part5_rows(results):
            lines.append(
                f"part5 {part5['name']} lr {r['lr']:g}: final validation accuracy "
                f"{r['final_val_acc']:.2f}%, test accuracy {r['test_acc']:.2f}%"
            )
        row = schedule_row(results)
        if row is not None:
            switches = ", ".join(f"{e:g}" for e in row["switch_epochs"])
            lines.append(
                f"part5 schedule: switches at epochs {switches}; test accuracy {row['test_acc']:.2f}% "
                f"(constant lr 0.1: {row['constant_lr_test_acc']:.2f}%, Adam: {row['adam_test_acc']:.2f}%)"
            )
    if plan.command == "all":
        lines += [f"claim: {v.claim}: {v.status}" for v in verdicts(results)]
    return lines
