"""The similarity hints as files a TA opens: a ranked CSV of pairs, and the top pairs side by side in HTML."""

from __future__ import annotations

import csv
import html
import io
from typing import Mapping, Sequence

from ee449.grading.output.similarity import FLAG_AT, TARGETS, Pair

SHOWN_PAIRS = 10  # side by side in the HTML: the most similar, flagged or not


def pairs_csv(pairs: Sequence[Pair]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["first", "second", "similarity", "flagged", *TARGETS])
    for pair in pairs:
        per = dict(pair.per_target)
        writer.writerow(
            [pair.first, pair.second, pair.similarity, int(pair.flagged), *(per.get(t, "") for t in TARGETS)]
        )
    return buffer.getvalue()


def _column(code: Mapping[str, str], target: str) -> str:
    return f"<pre>{html.escape(code.get(target, '(not found)'))}</pre>"


def pairs_html(pairs: Sequence[Pair], code: Mapping[str, Mapping[str, str]]) -> str:
    """The top pairs, each target's graded code of the two students side by side (escaped, never run)."""
    parts = [
        "<!doctype html><meta charset='utf-8'><title>ee449 similarity hints</title>",
        "<style>body{font-family:sans-serif;margin:1em}table{border-collapse:collapse;width:100%;"
        "table-layout:fixed}td{vertical-align:top;border:1px solid #ccc;padding:4px;width:50%}"
        "pre{white-space:pre-wrap;word-break:break-all;font-size:12px;margin:0}</style>",
        "<h1>Similarity hints</h1>",
        f"<p>Share of winnowed fingerprints in common after names, comments and layout are normalised "
        f"(flagged from {FLAG_AT:.0%}). A hint for a person to read, never a verdict.</p>",
    ]
    for pair in list(pairs)[:SHOWN_PAIRS]:
        first, second = html.escape(pair.first), html.escape(pair.second)
        flag = " (flagged)" if pair.flagged else ""
        parts.append(f"<h2>{first} ~ {second}: {pair.similarity:.0%}{flag}</h2>")
        for target, share in pair.per_target:
            parts.append(
                f"<h3>{html.escape(target)}: {share:.0%}</h3><table><tr><th>{first}</th><th>{second}</th></tr>"
            )
            parts.append(
                f"<tr><td>{_column(code[pair.first], target)}</td><td>{_column(code[pair.second], target)}</td></tr></table>"
            )
    return "\n".join(parts) + "\n"
