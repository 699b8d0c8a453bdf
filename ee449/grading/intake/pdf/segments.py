"""Which lines of a report's text are code: the longest runs that parse, wrapped lines joined back.

`parsed_segments` walks the lines of a PDF's text (`lines.Line`), keeps each longest run that
parses as Python (`ast.parse`: nothing is run), joins a line wrapped at the page edge back where
the geometry and the parser agree (`lines`, `repair`), and drops only the line that cannot be
placed; `trimmed` and `is_code` keep headings and stray words of prose out (`code.recover_rows`).
"""

from __future__ import annotations

import ast
import codeop
import re
import textwrap
import warnings
from collections.abc import Sequence

from ee449.grading.discovery import parsing
from ee449.grading.intake.pdf import repair
from ee449.grading.intake.pdf.lines import Line, Margins, first_error, is_wrapped, joined


def _try_join(lines: list[Line], start: int, end: int, error: int, limits: Margins) -> list[Line] | None:
    """`lines` with one wrapped line joined back, if the joined line is no longer where the first
    syntax error is (the parser may then report an earlier error it had skipped: fixed in turn)."""
    for k in (error - 1, error):
        if not (start <= k and k + 1 < end and is_wrapped(lines[k], lines[k + 1], limits)):
            continue
        for merged in joined(lines[k], lines[k + 1], limits):
            candidate = lines[:k] + [merged] + lines[k + 2 :]
            found = first_error(candidate[start : end - 1])
            if found is None or start + found - 1 != k:
                return candidate
    return None


def could_start(line: Line) -> bool:
    """Whether some code could start with this line: it parses alone, or it is an unfinished start."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            parsing.parse(line.text)
            return True
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        pass
    try:  # None: incomplete (`def f(x):`, an open bracket or string); compiled, never run
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            codeop.compile_command(line.text, symbol="exec")
        return True
    except (SyntaxError, ValueError, OverflowError, RecursionError, MemoryError):
        return False


def parsed_segments(lines: Sequence[Line], limits: Margins) -> tuple[list[list[Line]], list[Line]]:
    """The longest consecutive runs of `lines` that parse, in order, and the lines left out."""
    lines = list(lines)
    segments: list[list[Line]] = []
    left_out: list[Line] = []
    start = 0
    while start < len(lines):
        if not could_start(lines[start]):  # prose, or the rest of a broken line: no need to parse on
            left_out.append(lines[start])
            start += 1
            continue
        end = len(lines)
        while end > start:
            found = first_error(lines[start:end])
            if found is None:
                break
            error = start + found - 1
            repaired = _try_join(lines, start, end, error, limits) or repair.join_by_text(
                lines, start, end, error
            )
            if repaired is not None:
                lines, end = repaired, end - 1
                continue
            dropped = repair.drop_line(lines, start, end, error)
            if dropped is not None:  # one line that cannot be placed costs that line, not the code after it
                left_out.append(lines[error])
                lines, end = dropped, end - 1
                continue
            end = min(end - 1, error)
        if end > start:
            segments.append(lines[start:end])
            start = end
        else:
            left_out.append(lines[start])
            start += 1
    return segments, left_out


BARE_WORD = re.compile(r"^(?:[A-Za-z_]\w*|\d+(?:\.\d*)?)$")  # "Appendix", "Results", "3": a heading, not code


def trimmed(segment: list[Line]) -> list[Line]:
    """`segment` without the bare words before and after it (headings and stray prose parse as names)."""
    start, end = 0, len(segment)
    while start < end and BARE_WORD.match(segment[start].text.strip()):
        start += 1
    while end > start and BARE_WORD.match(segment[end - 1].text.strip()) and segment[end - 1].indent == 0:
        end -= 1
    return segment[start:end]


def is_code(segment: Sequence[Line]) -> bool:
    """Code, not a stray word of prose: some statement other than a bare name or number."""
    tree = parsing.parse(textwrap.dedent("\n".join(line.source() for line in segment)))
    return any(
        not (isinstance(s, ast.Expr) and isinstance(s.value, (ast.Name, ast.Constant))) for s in tree.body
    )
