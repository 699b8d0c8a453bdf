"""The report as blocks, rendered to self-contained HTML and to Markdown.

All text goes through `html.escape` in HTML and through `_md_cell` / `_md_text` in Markdown:
result names, paths and error messages come from files on disk and are never trusted as markup.
"""

from __future__ import annotations

import base64
import html
from dataclasses import dataclass, field
from pathlib import Path
from typing import Union
from urllib.parse import quote


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 2


@dataclass(frozen=True)
class Para:
    text: str
    kind: str = ""  # "" | "warning" (loud) | "missing"


@dataclass(frozen=True)
class Table:
    id: str
    header: list[str]
    rows: list[list[str]]
    status_column: int | None = None  # a column coloured good / bad (the verdicts)
    good: str = ""
    nowrap: tuple[int, ...] = ()  # columns whose cells never break (dates)


@dataclass(frozen=True)
class Image:
    path: Path  # the PNG on disk, embedded in HTML
    link: str  # relative to the report, for Markdown
    caption: str


@dataclass(frozen=True)
class Code:
    text: str
    summary: str = field(default="")


Block = Union[Heading, Para, Table, Image, Code]

_CSS = """
body { font-family: system-ui, -apple-system, 'Segoe UI', sans-serif; max-width: 1100px; margin: 2em auto;
       padding: 0 1em; color: #222; line-height: 1.45; }
h1 { border-bottom: 2px solid #444; } h2 { margin-top: 2em; border-bottom: 1px solid #bbb; }
table { border-collapse: collapse; margin: 1em 0; font-size: 0.92em; }
th, td { border: 1px solid #ccc; padding: 0.3em 0.6em; text-align: left; vertical-align: top; }
th { background: #f0f0f0; } td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.good { background: #dff3df; font-weight: bold; } td.bad { background: #f8dcdc; font-weight: bold; }
td.none { background: #eee; font-style: italic; } td.nowrap { white-space: nowrap; }
div.scroll { max-width: 100%; overflow-x: auto; } div.scroll table { margin: 0.5em 0; }
td:first-child { white-space: nowrap; }
td.neutral { background: #e3ecf7; font-weight: bold; }
p.warning { background: #ffe9a8; border: 2px solid #d08c00; padding: 0.6em; font-weight: bold; }
p.missing { color: #8a1c1c; font-style: italic; }
figure { margin: 1em 0; } figure img { max-width: 100%; border: 1px solid #ddd; }
figcaption { color: #555; font-size: 0.9em; }
pre { background: #f6f6f6; padding: 0.6em; white-space: pre-wrap; word-break: break-all; font-size: 0.85em; }
"""


def _is_number(text: str) -> bool:
    try:
        float(text.replace("%", "").replace(",", ""))  # "1,234" is a number with separators
        return True
    except ValueError:
        return False


def _html_block(block: Block) -> str:
    e = html.escape
    if isinstance(block, Heading):
        return f"<h{block.level}>{e(block.text)}</h{block.level}>"
    if isinstance(block, Para):
        cls = f' class="{e(block.kind)}"' if block.kind else ""
        return f"<p{cls}>{e(block.text)}</p>"
    if isinstance(block, Table):
        head = "".join(f"<th>{e(h)}</th>" for h in block.header)
        body = []
        for row in block.rows:
            cells = []
            for i, cell in enumerate(row):
                cls = "num" if _is_number(cell) else ""
                if i in block.nowrap:
                    cls = (cls + " nowrap").strip()
                if i == block.status_column:
                    cls = (
                        "good"
                        if cell == block.good
                        else "none"
                        if cell in ("not measured", "\u2014")
                        else "neutral"
                        if cell == "inconclusive"
                        else "bad"
                    )
                cells.append(f'<td class="{cls}">{e(cell)}</td>' if cls else f"<td>{e(cell)}</td>")
            body.append("<tr>" + "".join(cells) + "</tr>")
        # A wide table scrolls inside its own box; the page itself never scrolls sideways.
        return (
            f'<div class="scroll"><table id="{e(block.id)}"><thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(body)}</tbody></table></div>"
        )
    if isinstance(block, Image):
        data = base64.b64encode(block.path.read_bytes()).decode("ascii")
        return (
            f'<figure><img src="data:image/png;base64,{data}" alt="{e(block.caption)}">'
            f"<figcaption>{e(block.link)}: {e(block.caption)}</figcaption></figure>"
        )
    if isinstance(block, Code):
        return f"<details><summary>{e(block.summary)}</summary><pre>{e(block.text)}</pre></details>"
    raise TypeError(f"unknown report block {block!r}")


def render_html(blocks: list[Block], title: str) -> str:
    body = "\n".join(_html_block(b) for b in blocks)
    return (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
        f"<style>{_CSS}</style></head>\n<body>\n{body}\n</body></html>\n"
    )


def _md_text(text: str) -> str:
    # Markdown and inline HTML: neutralise the characters that would change the meaning
    # ('<' could open an HTML tag; '>' mid-line is plain text and stays readable).
    for char in "\\`*[]|":
        text = text.replace(char, "\\" + char)
    return text.replace("<", "&lt;")


def _md_cell(text: str) -> str:
    return _md_text(text).replace("\n", " ")


def _md_block(block: Block) -> str:
    if isinstance(block, Heading):
        return "#" * block.level + " " + _md_text(block.text)
    if isinstance(block, Para):
        if block.kind == "warning":
            return f"> **WARNING: {_md_text(block.text)}**"
        return f"*{_md_text(block.text)}*" if block.kind == "missing" else _md_text(block.text)
    if isinstance(block, Table):
        lines = [
            "| " + " | ".join(_md_cell(h) for h in block.header) + " |",
            "|" + "|".join(" --- " for _ in block.header) + "|",
        ]
        lines += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in block.rows]
        return "\n".join(lines)
    if isinstance(block, Image):
        return f"![{_md_text(block.caption)}]({quote(block.link)})\n\n*{_md_text(block.caption)}*"
    if isinstance(block, Code):
        fence = "~~~~" if "```" in block.text else "```"
        return f"{_md_text(block.summary)}:\n\n{fence}json\n{block.text}\n{fence}"
    raise TypeError(f"unknown report block {block!r}")


def render_markdown(blocks: list[Block]) -> str:
    return "\n\n".join(_md_block(b) for b in blocks) + "\n"
