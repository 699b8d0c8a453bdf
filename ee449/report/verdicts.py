"""The homework's qualitative claims, each checked against the measured numbers.

Every verdict is computed from a results folder's numbers (`ee449.report.load`), never
written in advance: HOLDS, DOES NOT HOLD, INCONCLUSIVE (the numbers are there but cannot decide,
with the reason), or NOT MEASURED (the part is missing), with the numbers that decided it. The
rules, stated once here and in the report:

- CNNs beat MLPs: every CNN's test accuracy is above every MLP's (best run of each, the
  homework's `test_acc`).
- Sigmoid gradients vanish with depth: for every architecture the mean first-layer gradient
  magnitude with sigmoid is below ReLU's (ratio < 1), and the ratio falls with depth (the
  Spearman rank correlation of ratio and weighted-layer count is negative; needs two
  architectures of different depth).
- lr 0.001 is too slow: after the same epochs, its final validation accuracy (last-epoch mean)
  is below both lr 0.1's and lr 0.01's.
- The schedule helps: the scheduled run's test accuracy is above constant lr 0.1's.
  Adam's test accuracy is reported beside it (the homework asks for the comparison; it is not
  part of the claim).

A comparison across result files made on different data (`meta.data`) or with different
settings (`meta.config` beyond the architecture) is NOT COMPARABLE, naming the difference.

INCONCLUSIVE, with the reason, where a verdict either way would mislead:
- an accuracy comparison in which every accuracy is within LEARNED_MARGIN points of chance
  (10%): nothing was learned, so the order is noise (a smoke run, or a broken training loop);
- "lr 0.001 is too slow" when lr 0.1 or lr 0.01 is itself at chance (and 0.001 did not beat
  it): there is nothing for 0.001 to be slower than;
- "the schedule helps" when the second switch fell on or after the run's last epoch: stage 3
  (lr 0.001) never trained, so the schedule measured is not the homework's.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass

import numpy as np

from ee449.report.load import Results, part3_rows, part4_rows, part5_rows, schedule_row

HOLDS, FAILS, INCONCLUSIVE, NOT_MEASURED = "holds", "does not hold", "inconclusive", "not measured"
NOT_COMPARABLE = "not comparable"  # the results compared were made on different data or settings
CHANCE_ACC = 10.0  # percent: a uniform guess over 10 classes
LEARNED_MARGIN = 5.0  # points above chance before an accuracy counts as learned


def _at_chance(accuracies: list[float]) -> bool:
    return all(a <= CHANCE_ACC + LEARNED_MARGIN for a in accuracies)


_CHANCE_NOTE = (
    f"inconclusive: every accuracy compared is within {LEARNED_MARGIN:g} points of chance "
    f"({CHANCE_ACC:g}%): "
    "nothing was learned, so their order is noise"
)


@dataclass(frozen=True)
class Verdict:
    claim: str
    status: str  # HOLDS | FAILS | INCONCLUSIVE | NOT_MEASURED
    evidence: str  # the numbers that decided it, in one or two sentences
    rule: str  # how the numbers decide it


def _family(name: str) -> str | None:
    lowered = name.lower()
    return "mlp" if lowered.startswith("mlp") else "cnn" if lowered.startswith("cnn") else None


def incomparable(compared: list[dict]) -> str | None:
    """What differs between results a verdict compares (meta.data, or meta.config beyond the
    architecture), or None. Results without meta (a student's dicts) cannot be told apart: None."""
    metas = [m for m in (r.get("meta") for r in compared) if isinstance(m, dict)]
    if len(metas) < 2:
        return None
    sources = {json.dumps(m.get("data"), sort_keys=True) for m in metas}
    if len(sources) > 1:
        names = sorted({str(m["data"].get("source")) for m in metas if isinstance(m.get("data"), dict)})
        return f"different data ({', '.join(names)})"
    configs = [{k: v for k, v in (m.get("config") or {}).items() if k != "arch"} for m in metas]
    keys = sorted({k for c in configs for k in c if len({json.dumps(x.get(k)) for x in configs}) > 1})
    return f"different settings ({', '.join(keys)} differ)" if keys else None


def _not_comparable(claim: str, rule: str, part: str, compared: list[dict]) -> Verdict | None:
    reason = incomparable(compared)
    if reason is None:
        return None
    return Verdict(
        claim,
        NOT_COMPARABLE,
        f"the {part} results were made with {reason}: comparing them "
        "would mix the difference in with the claim; make them with the same data and settings.",
        rule,
    )


def cnns_beat_mlps(results: Results) -> Verdict:
    claim, rule = "CNNs beat MLPs", "every CNN's test accuracy > every MLP's"
    differs = _not_comparable(claim, rule, "Part 3", results.part3)
    if differs is not None:
        return differs
    rows = [r for r in part3_rows(results) if math.isfinite(r["test_acc"])]
    mlps = [r for r in rows if _family(r["name"]) == "mlp"]
    cnns = [r for r in rows if _family(r["name"]) == "cnn"]
    if not mlps or not cnns:
        return Verdict(
            claim,
            NOT_MEASURED,
            f"Part 3 needs at least one MLP and one CNN result; found {len(mlps)} MLP and {len(cnns)} CNN.",
            rule,
        )
    best_mlp = max(mlps, key=lambda r: r["test_acc"])
    worst_cnn = min(cnns, key=lambda r: r["test_acc"])
    margin = worst_cnn["test_acc"] - best_mlp["test_acc"]
    status = HOLDS if margin > 0 else FAILS
    if _at_chance([r["test_acc"] for r in mlps + cnns]):
        status = INCONCLUSIVE
    relation = ">" if margin > 0 else "<="
    return Verdict(
        claim,
        status,
        (_CHANCE_NOTE + "; " if status == INCONCLUSIVE else "")
        + f"worst CNN {worst_cnn['name']} {worst_cnn['test_acc']:.2f}% {relation} best MLP "
        f"{best_mlp['name']} {best_mlp['test_acc']:.2f}% (margin {margin:+.2f} points).",
        rule,
    )


def spearman(x: list[float], y: list[float]) -> float:
    """Spearman rank correlation (average ranks for ties); NaN when either side is constant."""

    def ranks(values: list[float]) -> np.ndarray:
        order = np.argsort(values, kind="stable")
        r = np.empty(len(values))
        r[order] = np.arange(len(values), dtype=float)
        for v in set(values):  # ties share their mean rank
            tied = np.array(values) == v
            r[tied] = r[tied].mean()
        return r

    rx, ry = ranks(list(x)), ranks(list(y))
    if rx.std() == 0 or ry.std() == 0:
        return math.nan
    return float(np.corrcoef(rx, ry)[0, 1])


def sigmoid_gradients_vanish(results: Results) -> Verdict:
    claim = "Sigmoid gradients vanish with depth"
    rule = "sigmoid/ReLU first-layer gradient ratio < 1 for every architecture, and falling with depth"
    differs = _not_comparable(claim, rule, "Part 4", results.part4)
    if differs is not None:
        return differs
    rows = [r for r in part4_rows(results) if math.isfinite(r["ratio"])]
    if not rows:
        return Verdict(claim, NOT_MEASURED, "no Part 4 result with finite gradient curves.", rule)
    listed = "; ".join(
        f"{r['name']}" + (f" ({r['depth']} layers)" if r["depth"] else "") + f" {r['ratio']:.2e}"
        for r in rows
    )
    smaller = all(r["ratio"] < 1 for r in rows)
    with_depth = [r for r in rows if r["depth"] is not None]
    rho = (
        spearman([r["depth"] for r in with_depth], [r["ratio"] for r in with_depth])
        if len(with_depth) > 1
        else math.nan
    )
    if not smaller:
        bigger = ", ".join(r["name"] for r in rows if r["ratio"] >= 1)
        return Verdict(claim, FAILS, f"sigmoid/ReLU ratios: {listed}; not below 1 for {bigger}.", rule)
    if not math.isfinite(rho):
        return Verdict(
            claim,
            NOT_MEASURED,
            f"sigmoid/ReLU ratios: {listed}; all below 1, but the trend "
            "with depth needs two homework architectures of different depth.",
            rule,
        )
    status = HOLDS if rho < 0 else FAILS
    trend = "falls" if rho < 0 else "does not fall"
    return Verdict(
        claim,
        status,
        f"sigmoid/ReLU ratios: {listed}; all below 1, and the ratio {trend} with "
        f"depth (rank correlation {rho:+.2f}).",
        rule,
    )


def small_lr_too_slow(results: Results) -> Verdict:
    claim, rule = "lr 0.001 is too slow", "final validation accuracy at 0.001 < at 0.1 and < at 0.01"
    rows = part5_rows(results)
    if not rows or not all(math.isfinite(r["final_val_acc"]) for r in rows):
        return Verdict(claim, NOT_MEASURED, "no Part 5 result with finite validation curves.", rule)
    by_lr = {r["lr"]: r for r in rows}
    slow, others = by_lr[0.001], [by_lr[0.1], by_lr[0.01]]
    status = HOLDS if all(slow["final_val_acc"] < o["final_val_acc"] for o in others) else FAILS
    evidence = ", ".join(
        f"lr {r['lr']:g}: {r['final_val_acc']:.2f}% (loss {r['final_loss']:.3f})" for r in rows
    )
    if _at_chance([r["final_val_acc"] for r in rows]):
        return Verdict(claim, INCONCLUSIVE, f"{_CHANCE_NOTE}; final validation accuracy: {evidence}.", rule)
    unlearned = [o for o in others if _at_chance([o["final_val_acc"]])]
    if unlearned and not any(slow["final_val_acc"] > o["final_val_acc"] + LEARNED_MARGIN for o in unlearned):
        which = " and ".join(f"lr {o['lr']:g}" for o in unlearned)
        return Verdict(
            claim,
            INCONCLUSIVE,
            f"inconclusive: {which} itself is at chance (within "
            f"{LEARNED_MARGIN:g} points of {CHANCE_ACC:g}%), so 0.001 has nothing to be slower than; "
            f"final validation accuracy: {evidence}.",
            rule,
        )
    return Verdict(claim, status, f"final validation accuracy (last-epoch mean): {evidence}.", rule)


def schedule_helps(results: Results) -> Verdict:
    claim, rule = "The learning-rate schedule helps", "schedule test accuracy > constant lr 0.1 test accuracy"
    row = schedule_row(results)
    if row is None:
        return Verdict(claim, NOT_MEASURED, "no part5_schedule result.", rule)
    if math.isfinite(row["adam_test_acc"]):
        adam = (
            f" Adam (Part 3): {row['adam_test_acc']:.2f}%, "
            f"{'above' if row['adam_test_acc'] > row['test_acc'] else 'not above'} the schedule."
        )
    else:
        adam = " Adam (Part 3): not recorded."
    if not math.isfinite(row["test_acc"]):
        return Verdict(claim, NOT_MEASURED, "the scheduled run has no test accuracy (null)." + adam, rule)
    if not math.isfinite(row["constant_lr_test_acc"]):
        return Verdict(
            claim,
            NOT_MEASURED,
            f"schedule {row['test_acc']:.2f}%, but no constant lr 0.1 test accuracy was recorded." + adam,
            rule,
        )
    gain = row["test_acc"] - row["constant_lr_test_acc"]
    status = HOLDS if gain > 0 else FAILS
    numbers = (
        f"schedule {row['test_acc']:.2f}% against constant lr 0.1 {row['constant_lr_test_acc']:.2f}% "
        f"({gain:+.2f} points)."
    )
    if not row["stage3_ran"]:
        switches = ", ".join(f"{e:g}" for e in row["switch_epochs"])
        return Verdict(
            claim,
            INCONCLUSIVE,
            f"inconclusive: stage 3 never ran (switch epochs {switches}, "
            f"run of {row['epochs']:g} epochs), so lr 0.001 was never used; " + numbers + adam,
            rule,
        )
    if _at_chance([row["test_acc"], row["constant_lr_test_acc"]]):
        status = INCONCLUSIVE
    return Verdict(
        claim, status, (_CHANCE_NOTE + "; " if status == INCONCLUSIVE else "") + numbers + adam, rule
    )


def verdicts(results: Results) -> list[Verdict]:
    """The four claims, in the homework's order."""
    return [
        cnns_beat_mlps(results),
        sigmoid_gradients_vanish(results),
        small_lr_too_slow(results),
        schedule_helps(results),
    ]
