"""Repairs of recovered code lines that the geometry alone cannot justify, decided by parsing.

A word processor wraps a long code line at its own width (about 70 characters in a report's
body text), not at the page edge that `lines.is_wrapped` measures: a comment's tail, or the
rest of `total +=`, lands at the left margin of the next line. And listings, laying each token
in its own box, prints `my _conv2d` or `lr = 0 . 01`, spaces that break a name or a number.
Each repair here is kept only where the code then parses further than before; a line that still
cannot be placed is dropped alone (and reported), never the pages after it. Nothing is run.
"""

from __future__ import annotations

import codeop
import keyword
import re
import warnings
from dataclasses import replace

from ee449.grading.discovery import parsing
from ee449.grading.intake.pdf.lines import Line, first_error

# A line is left unfinished by: an operator or a comma at its end, an open bracket, a backslash.
_OPEN_END = re.compile(r"(?:[-+*/%<>=&|^,.(\[{\\]|\b(?:and|or|not|in|is|lambda|if|else))\s*$")


def _parses_or_continues(text: str) -> bool:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            parsing.parse(text.strip())
        return True
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        pass
    try:  # compiled, never run: None means "more input could complete it"
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            codeop.compile_command(text.strip(), symbol="exec")
        return True
    except (SyntaxError, ValueError, OverflowError, RecursionError, MemoryError):
        return False


def may_continue(line: Line, after: Line) -> bool:
    """Whether `after` may be the rest of `line`: an open end (an operator, a comma, a bracket), a
    line that cannot stand alone, or a comment whose tail a word processor put at the margin."""
    if _OPEN_END.search(line.text) or not _parses_or_continues(line.text):
        return True
    return "#" in line.text and (after.indent == 0 or after.indent < line.indent)


def text_joins(line: Line, after: Line) -> list[Line]:
    """`line` and `after` as one line, with a space and without, the likelier first."""
    rest = after.text.strip()
    spaced = line.text.rstrip() + " " + rest
    tight = line.text.rstrip() + rest
    glued = line.text.rstrip()[-1:] in "([{." or rest[:1] in ")]},.:"
    variants = [tight, spaced] if glued else [spaced, tight]
    return [replace(line, text=text, x1=after.x1, outer=after.outer) for text in variants]


def _error_after(lines: list[Line], start: int, end: int) -> int | None:
    """Index of the first failing line of `lines[start:end]`, or None when they parse."""
    found = first_error(lines[start:end])
    return None if found is None else start + found - 1


def _progress(lines: list[Line], start: int, end: int, error: int) -> bool:
    """Whether `lines[start:end]` parse, or fail only after line index `error`."""
    after = _error_after(lines, start, end)
    return after is None or after > error


def join_by_text(lines: list[Line], start: int, end: int, error: int) -> list[Line] | None:
    """`lines` with the failing line (or the one before it) joined to its successor, where the
    first may continue and the join moves the first syntax error past it: of the joins that do,
    the one that parses furthest; None when none does."""
    best: tuple[float, list[Line]] | None = None
    for k in (error, error - 1):
        if not (start <= k and k + 1 < end and may_continue(lines[k], lines[k + 1])):
            continue
        for merged in text_joins(lines[k], lines[k + 1]):
            candidate = lines[:k] + [merged] + lines[k + 2 :]
            after = _error_after(candidate, start, end - 1)
            reach = float("inf") if after is None else after
            if reach > k and (best is None or reach > best[0]):
                best = (reach, candidate)
    return None if best is None else best[1]


def drop_line(lines: list[Line], start: int, end: int, error: int) -> list[Line] | None:
    """`lines` without the failing line, where the code then parses past where it failed."""
    if not start < error < end - 1:  # the first line of a stretch, or its last: nothing to keep it for
        return None
    candidate = lines[:error] + lines[error + 1 :]
    return candidate if _progress(candidate, start, end - 1, error) else None


# listings' spacing that breaks a token: around `_` and `.` inside names and numbers, inside operators.
_SPLIT = [
    (re.compile(r"(?<=\w) +(?=_)|(?<=_) +(?=\w)"), ""),  # my _conv2d, my_ conv2d
    (re.compile(r"(?<=\d) *\. *(?=\d)"), "."),  # 0 . 01
    (re.compile(r"([=!<>*/+\-%&|^@]) +(=)"), r"\1\2"),  # = =, ! =, < =, + =
    (re.compile(r"\* +\*"), "**"),
    (re.compile(r"/ +/"), "//"),
    (re.compile(r"- +>"), "->"),
]


def despaced(text: str) -> str:
    """`text` without the spaces listings puts inside names, numbers and operators, outside strings."""
    pieces = re.split(r"('[^']*'|\"[^\"]*\")", text)  # strings and their quotes left as they are
    for index in range(0, len(pieces), 2):
        for pattern, replacement in _SPLIT:
            pieces[index] = pattern.sub(replacement, pieces[index])
        pieces[index] = _ATTRIBUTE.sub(_attribute, pieces[index])
    return "".join(pieces)


_ATTRIBUTE = re.compile(r"(\w+|[)\]]) *\. *(?=[A-Za-z_])")  # torch . optim, x ). view


def _attribute(match: re.Match[str]) -> str:
    before = match.group(1)
    return match.group(0) if keyword.iskeyword(before) else before + "."  # `from . import x` stays


def tidied(lines: list[Line]) -> list[Line]:
    """Each line that neither parses nor could start code, despaced where that makes it either."""
    out = []
    for line in lines:
        if not _parses_or_continues(line.text):
            fixed = despaced(line.text)
            if fixed != line.text and _parses_or_continues(fixed):
                line = replace(line, text=fixed)
        out.append(line)
    return out
