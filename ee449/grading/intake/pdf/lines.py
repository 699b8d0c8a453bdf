"""From a PDF's rows to lines of code: indentation from x positions, and lines wrapped at the page edge.

`layout` gives rows of text with their left and right edges; this module turns a run of rows
into `Line`s with indentation rebuilt, and tells, from geometry, which lines may be the rest of
a line wrapped at the margin. Whether a wrap is joined back is decided by parsing: see
`rejoined` here and `segments.parsed_segments`. Nothing is run; `ast.parse` only.
"""

from __future__ import annotations

import codeop
import re
import textwrap
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, replace

from ee449.grading.discovery import parsing
from ee449.grading.intake.pdf.glyphs import WRAP_MARKS
from ee449.grading.intake.pdf.layout import Row

INDENT = "    "
WRAP_REACH = 0.9  # a line that, with the next line's first word, passes 90% of the margin may have wrapped


@dataclass(frozen=True)
class Line:
    """One line of code as recovered: its text, its rebuilt indentation, and where the PDF shows it."""

    text: str  # without indentation
    indent: int  # spaces
    page: int
    column: int
    top: float
    x1: float  # right edge of its last piece, to tell a line that reached the page edge
    pitch: float  # the run's character pitch
    frame: tuple[
        int, int, int
    ]  # (columns on the page, column, page parity): where the right margin is the same
    outer: bool = False  # on the first or last line of its page

    def source(self) -> str:
        return " " * self.indent + self.text


def first_error(lines: Sequence[Line]) -> int | None:
    """The 1-based line of the first syntax error of `lines` (dedented), or None when they parse."""
    source = textwrap.dedent("\n".join(line.source() for line in lines))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # invalid escape sequences in student strings
            parsing.parse(source)
    except SyntaxError as error:
        return max(1, min(error.lineno or len(lines), len(lines)))
    except (ValueError, RecursionError, MemoryError):  # null bytes, absurd nesting
        return 1
    return None


def frame(row: Row) -> tuple[int, int, int]:
    return (row.columns, row.column, row.page % 2)


@dataclass(frozen=True)
class Margin:
    """Where lines end in a frame, and whether lines are cut there mid-word (a printer's hard wrap)."""

    x: float
    hard: bool = False


Margins = dict[tuple[int, int, int], Margin]


def right_margins(rows: Sequence[Row]) -> Margins:
    """Where lines end in each frame: the second widest row (one overfull line, a long unbreakable
    token, does not move the margin), or where most justified prose ends if that is further. The
    margin is hard where three or more code rows end exactly there: cut at the last column."""
    edges: dict[tuple[int, int, int], list[float]] = {}
    prose: dict[tuple[int, int, int], list[float]] = {}
    for row in rows:
        edges.setdefault(frame(row), []).append(row.x1)
        if not row.mono:
            prose.setdefault(frame(row), []).append(row.x1)
    margins = {key: sorted(values)[-2] if len(values) > 1 else values[0] for key, values in edges.items()}
    for key, values in prose.items():
        if len(values) >= 3:
            margins[key] = max(margins[key], sorted(values)[int(0.9 * (len(values) - 1))])
    pitch = {frame(row): row.pitch for row in rows}
    return {
        key: Margin(x, sum(abs(e - x) < 0.5 * pitch[key] for e in edges[key]) >= 3 and key not in prose)
        for key, x in margins.items()
    }


def indentation_pitch(edges: Sequence[Sequence[float]], pitch: float) -> float:
    """The width of one leading space: the pitch near the characters' that puts the left edges of
    most rows on whole columns (listings lays leading spaces a little wider than characters)."""
    left = edges[0][0]
    offsets = [x - left for members in edges for x in members]
    candidates = [pitch * (0.9 + 0.0025 * k) for k in range(101)]
    return min(candidates, key=lambda p: sum((x / p - round(x / p)) ** 2 for x in offsets))


def indented(rows: Sequence[Row]) -> list[Line]:
    """Rows as lines with indentation rebuilt from their left edges.

    Rows that start at the same place (within a third of a character) share one indentation.
    Monospace rows get one space per character column from the run's leftmost edge, as the
    source had them; other rows get the run's distinct left edges, in order, as levels of four
    spaces (a monotone map keeps exactly the nesting Python sees).
    """
    if not rows:
        return []
    mono = [row.pitch for row in rows if row.mono]
    pitch = sorted(mono)[len(mono) // 2] if mono else min(row.pitch for row in rows)
    edges: list[list[float]] = []
    for x0 in sorted(row.x0 for row in rows):
        if edges and x0 - edges[-1][-1] <= 0.35 * pitch:
            edges[-1].append(x0)
        else:
            edges.append([x0])
    space = indentation_pitch(edges, pitch)
    centers = [sum(members) / len(members) for members in edges]
    lines = []
    for row in rows:
        level = next(i for i, members in enumerate(edges) if members[0] <= row.x0 <= members[-1])
        indent = round((centers[level] - centers[0]) / space) if row.mono else len(INDENT) * level
        lines.append(
            Line(row.text, indent, row.page, row.column, row.top, row.x1, pitch, frame(row), row.outer)
        )
    return lines


def is_wrapped(line: Line, after: Line, limits: Margins, strict: bool = False) -> bool:
    """Whether `after` may be the rest of `line`, wrapped at the page edge (geometry only).

    A line wraps when what follows would not fit: its next word (word processors) or, `strict`,
    its next token (listings breaks between tokens), at 90% of the margin or, `strict`, at it.
    """
    if after.text[:1] in WRAP_MARKS:
        return True
    next_page = after.page == line.page + 1 and line.outer and after.outer  # wrapped across a page break
    if (after.page, after.column) != (line.page, line.column) and not next_page:
        return False
    rest = after.text.lstrip()
    unit = re.match(r"\w+|\S", rest) if strict else re.match(r"\S+", rest)
    width = (len(unit.group(0)) if unit else 0) + 1
    return line.x1 + width * line.pitch > (1.0 if strict else WRAP_REACH) * limits[line.frame].x


def joined(line: Line, after: Line, limits: Margins, at_space: bool = False) -> list[Line]:
    """`line` and its wrapped rest as one line, with and without a space, the likelier one first.

    A wrap loses the space it broke at, if any. A line that fills its last column was cut there,
    mid-word (a printer's wrap): no space. A word processor breaks only at spaces (`at_space`).
    Otherwise (listings breaks between tokens) code style decides: a space after a comma or an
    operator, between two words, and nowhere else (`x.` + `shape`, `lr` + `=0.001`).
    """
    rest = after.text.lstrip(WRAP_MARKS).lstrip()
    end, start = line.text[-1:], rest[:1]
    word = start.isalnum() or start == "_"
    margin = limits[line.frame]
    cut = margin.hard and after.text[:1] not in WRAP_MARKS and line.x1 >= margin.x - 0.5 * line.pitch
    spaced = not cut and (
        at_space
        or ((end.isalnum() or end in "_)]}'\"") and word)
        or (end in ",;+-*/%<>&|#" and start not in ")]},.")
    )
    variants = [line.text + " " + rest, line.text + rest]
    # The joined line ends where its last piece does: on that piece's page, perhaps wrapping again.
    return [
        replace(
            line,
            text=text,
            x1=after.x1,
            page=after.page,
            column=after.column,
            frame=after.frame,
            outer=after.outer,
        )
        for text in (variants if spaced else variants[::-1])
    ]


def is_open(line: Line) -> bool:
    """A line left unfinished by an open bracket or a one-line string (a docstring's line breaks are its own)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            parsing.parse(line.text)
        return False
    except SyntaxError as error:
        if "triple-quoted" in str(error.msg):
            return False
    except (ValueError, RecursionError, MemoryError):
        return False
    try:  # compiled, never run: None means "more input could complete it"
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return codeop.compile_command(line.text, symbol="exec") is None
    except (SyntaxError, ValueError, OverflowError, RecursionError, MemoryError):
        return False


def rejoined(segment: list[Line], limits: Margins) -> list[Line]:
    """`segment` with its wrapped lines joined back where the result still parses.

    listings and editors wrap a long line where its next token does not fit and indent the rest
    (or mark it); a word processor wraps where the next word does not fit and puts the rest at
    the left margin. Either way the two pieces often parse apart too (inside brackets, or
    `return` + an expression at the margin, which would change what the code does), so a wrap
    the geometry shows is joined whenever the joined lines parse. A line left open only by a
    triple-quoted string is joined only after a wrap mark: a docstring's line breaks change
    nothing graded, and a long docstring line in a PDF of code alone looks like a wrap. Comments
    and block headers are never joined here: a wrapped comment does not parse and is joined by
    `parsed_segments`.
    """
    marked = any(line.text[:1] in WRAP_MARKS for line in segment)  # then every wrap is marked
    index = 0
    while index + 1 < len(segment):
        line, after = segment[index], segment[index + 1]
        open_line = is_open(line)
        marked_rest = after.text[:1] in WRAP_MARKS  # listings' postbreak mark: a wrap, even inside a string
        by_editor = marked_rest or (is_wrapped(line, after, limits, strict=True) and open_line)
        by_word_processor = (
            not marked
            and is_wrapped(line, after, limits)
            and after.indent == 0
            and (open_line or line.indent > 0)
        )
        if (by_editor or by_word_processor) and "#" not in line.text and not line.text.endswith(":"):
            for merged in joined(line, after, limits, at_space=by_word_processor and not by_editor):
                candidate = segment[:index] + [merged] + segment[index + 2 :]
                if first_error(candidate) is None:
                    segment = candidate
                    break
            else:
                index += 1
            continue
        index += 1
    return segment
