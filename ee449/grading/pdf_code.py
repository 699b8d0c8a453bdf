"""Recover the Python code a student appended to their PDF report, so it is graded like .py files.

The course asks for one PDF with the code appended as text. `recover_into` finds each PDF of a
submission, reads its text rows by position (`pdf_layout`), and keeps the longest runs of lines
that parse as Python: rows in a monospace font where the PDF names its fonts (otherwise every
row, so prose simply fails to parse). Indentation is rebuilt from each row's left edge: the
distinct edges of a run, in order, become indentation levels 0, 4, 8... (a monotone map keeps
exactly the nesting Python sees). Lines that wrapped at the page edge are joined back where the
geometry says the line reached the edge and joining makes the code parse further. The code is
written beside the PDF as `<name>_from_pdf.py`; nothing from the PDF is ever run here, and the
recovered file goes through the same extraction and sandbox as any student file.
"""

from __future__ import annotations

import ast
import re
import textwrap
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from ee449.grading import pdf_tables
from ee449.grading.pdf_layout import WRAP_MARKS, Row, read_rows

INDENT = "    "
WRAP_REACH = 0.9  # a line that, with the next line's first word, passes 90% of the widest row may have wrapped
SHOWN_UNPARSED = 3  # the summary quotes this many of the lines that could not be parsed


@dataclass(frozen=True)
class Line:
    text: str  # without indentation
    indent: int  # spaces
    page: int
    column: int
    top: float
    x1: float  # right edge of its last piece, to tell a line that reached the page edge
    pitch: float  # the run's character pitch
    frame: tuple[int, int, int]  # (columns on the page, column, page parity): where the right margin is the same
    outer: bool = False  # on the first or last line of its page


    def source(self) -> str:
        return " " * self.indent + self.text


@dataclass(frozen=True)
class PdfCode:
    """What was recovered from one PDF, and where from."""

    pdf: str  # the PDF, relative to the submission folder
    file: str | None  # the .py written for it (relative to the submission), None when no code was found
    code: str
    pages: tuple[int, ...]
    lines: int
    unparsed: tuple[str, ...]  # "page 20: <text>" for each code-looking line that would not parse
    report_notes: tuple[str, ...] = ()  # what the report's own accuracy table says (informational)
    problem: str = ""  # why no code was recovered

    def summary(self) -> str:
        """One sentence a TA reads: where the graded code came from, or why there is none."""
        if self.file is None:
            return f"{self.pdf}: no code text found in this PDF ({self.problem})."
        text = (f"{self.pdf}: code recovered from {_page_span(self.pages)} of the report, {self.lines} lines "
                f"recovered -> {Path(self.file).name}")
        if self.unparsed:
            shown = "; ".join(repr(u) for u in self.unparsed[:SHOWN_UNPARSED])
            more = ", ..." if len(self.unparsed) > SHOWN_UNPARSED else ""
            text += f"; {len(self.unparsed)} lines could not be parsed: {shown}{more}"
        return text + "."


def _page_span(pages: Sequence[int]) -> str:
    spans: list[list[int]] = []
    for page in sorted(set(pages)):
        if spans and page == spans[-1][1] + 1:
            spans[-1][1] = page
        else:
            spans.append([page, page])
    text = ", ".join(f"{a}" if a == b else f"{a}-{b}" for a, b in spans)
    return f"page {text}" if len(spans) == 1 and spans[0][0] == spans[0][1] else f"pages {text}"


def first_error(lines: Sequence[Line]) -> int | None:
    """The 1-based line of the first syntax error of `lines` (dedented), or None when they parse."""
    source = textwrap.dedent("\n".join(line.source() for line in lines))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # invalid escape sequences in student strings
            ast.parse(source)
    except SyntaxError as error:
        return max(1, min(error.lineno or len(lines), len(lines)))
    except (ValueError, RecursionError, MemoryError):  # null bytes, absurd nesting
        return 1
    return None


def frame(row: Row) -> tuple[int, int, int]:
    return (row.columns, row.column, row.page % 2)


def right_margins(rows: Sequence[Row]) -> dict[tuple[int, int, int], float]:
    """Where lines end in each frame: the second widest row (one overfull line, a long unbreakable
    token, does not move the margin), or where most justified prose ends if that is further."""
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
    return margins


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
        lines.append(Line(row.text, indent, row.page, row.column, row.top, row.x1, pitch, frame(row), row.outer))
    return lines


def is_wrapped(line: Line, after: Line, limits: dict[tuple[int, int, int], float], strict: bool = False) -> bool:
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
    return line.x1 + width * line.pitch > (1.0 if strict else WRAP_REACH) * limits[line.frame]


def joined(line: Line, after: Line, at_space: bool = False) -> list[Line]:
    """`line` and its wrapped rest as one line, with and without a space, the likelier one first.

    A wrap loses the space it broke at, if any. A word processor breaks only at spaces
    (`at_space`); for listings, code style decides: a space after a comma or an operator, between
    two words, and nowhere else (`x.` + `shape`, `lr` + `=0.001`).
    """
    rest = after.text.lstrip(WRAP_MARKS).lstrip()
    end, start = line.text[-1:], rest[:1]
    word = start.isalnum() or start == "_"
    spaced = at_space or ((end.isalnum() or end in "_)]}'\"") and word) or (
        end in ",;+-*/%<>&|#" and start not in ")]},.")
    variants = [line.text + " " + rest, line.text + rest]
    # The joined line ends where its last piece does: on that piece's page, perhaps wrapping again.
    return [replace(line, text=text, x1=after.x1, page=after.page, column=after.column, frame=after.frame,
                    outer=after.outer) for text in (variants if spaced else variants[::-1])]


def _try_join(lines: list[Line], start: int, end: int, error: int,
              limits: dict[tuple[int, int, int], float]) -> list[Line] | None:
    """`lines` with one wrapped line joined back, if that moves the first syntax error past it."""
    for k in (error - 1, error):
        if not (start <= k and k + 1 < end and is_wrapped(lines[k], lines[k + 1], limits)):
            continue
        for merged in joined(lines[k], lines[k + 1]):
            candidate = lines[:k] + [merged] + lines[k + 2:]
            found = first_error(candidate[start:end - 1])
            if found is None or start + found - 1 > k:
                return candidate
    return None


def parsed_segments(lines: Sequence[Line], limits: dict[tuple[int, int, int], float]) -> tuple[list[list[Line]], list[Line]]:
    """The longest consecutive runs of `lines` that parse, in order, and the lines left out."""
    lines = list(lines)
    segments: list[list[Line]] = []
    left_out: list[Line] = []
    start = 0
    while start < len(lines):
        end = len(lines)
        while end > start:
            found = first_error(lines[start:end])
            if found is None:
                break
            error = start + found - 1
            repaired = _try_join(lines, start, end, error, limits)
            if repaired is not None:
                lines, end = repaired, end - 1
                continue
            end = min(end - 1, error)
        if end > start:
            segments.append(lines[start:end])
            start = end
        else:
            left_out.append(lines[start])
            start += 1
    return segments, left_out


def rejoined(segment: list[Line], limits: dict[tuple[int, int, int], float]) -> list[Line]:
    """`segment` with its wrapped lines joined back where the result still parses.

    listings and editors wrap a long line where its next token does not fit and indent the rest
    (or mark it); a word processor wraps where the next word does not fit and puts the rest at
    the left margin. Either way the two pieces often parse apart too (inside brackets, or
    `return` + an expression at the margin, which would change what the code does), so a wrap
    the geometry shows is joined whenever the joined lines parse. Comments and block headers are
    never joined here: a wrapped comment does not parse and is joined by `parsed_segments`.
    """
    marked = any(line.text[:1] in WRAP_MARKS for line in segment)  # then every wrap is marked
    index = 0
    while index + 1 < len(segment):
        line, after = segment[index], segment[index + 1]
        open_line = first_error([line]) is not None  # an unclosed bracket or string
        by_editor = is_wrapped(line, after, limits, strict=True) and open_line
        by_word_processor = (not marked and is_wrapped(line, after, limits) and after.indent == 0
                             and (open_line or line.indent > 0))
        if (by_editor or by_word_processor) and "#" not in line.text and not line.text.endswith(":"):
            for merged in joined(line, after, at_space=by_word_processor and not by_editor):
                candidate = segment[:index] + [merged] + segment[index + 2:]
                if first_error(candidate) is None:
                    segment = candidate
                    break
            else:
                index += 1
            continue
        index += 1
    return segment


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
    tree = ast.parse(textwrap.dedent("\n".join(line.source() for line in segment)))
    return any(not (isinstance(s, ast.Expr) and isinstance(s.value, (ast.Name, ast.Constant))) for s in tree.body)


def code_runs(rows: Sequence[Row]) -> tuple[list[list[Row]], bool]:
    """Consecutive monospace rows where the PDF names monospace fonts, else all rows as one run."""
    if not any(row.mono for row in rows):
        return [list(rows)], False
    runs: list[list[Row]] = []
    before: Row | None = None
    for row in rows:
        if row.mono:
            if before is not None and before.mono and runs:
                runs[-1].append(row)
            else:
                runs.append([row])
        if row.mono or not row.outer:  # a running head between two pages of code does not end the code
            before = row
    return runs, True


def recover_rows(rows: Sequence[Row]) -> tuple[str, list[Line], list[Line]]:
    """(code, its lines, code-looking lines that could not be parsed) from a PDF's rows."""
    limits = right_margins(rows)
    runs, by_font = code_runs(rows)
    kept: list[list[Line]] = []
    unparsed: list[Line] = []
    for run in runs:
        segments, left_out = parsed_segments(indented(run), limits)
        segments = [s for s in (trimmed(rejoined(segment, limits)) for segment in segments) if s]
        code = [s for s in segments if is_code(s)]
        kept += code
        if by_font and len(run) >= 3:
            unparsed += left_out
        elif code:  # prose around the code is not code; only lines between code segments count
            first, last = code[0][0], code[-1][-1]
            unparsed += [line for line in left_out if _between(line, first, last)]
    text = "\n".join(textwrap.dedent("\n".join(line.source() for line in segment)) for segment in kept)
    return (text + "\n" if text else ""), [line for segment in kept for line in segment], unparsed


def _between(line: Line, first: Line, last: Line) -> bool:
    return (first.page, first.column, first.top) < (line.page, line.column, line.top) < (last.page, last.column, last.top)


def recover(pdf: Path, folder: Path) -> PdfCode:
    """Read the code appended to `pdf` (inside the submission `folder`) without writing anything."""
    name = pdf.relative_to(folder).as_posix()
    try:
        rows, pages = read_rows(pdf)
    except Exception as error:  # noqa: BLE001 - a third-party parser on a student's file: any failure is a note
        return PdfCode(name, None, "", (), 0, (), problem=f"it could not be read as a PDF: {type(error).__name__}")
    if not rows:
        return PdfCode(name, None, "", (), 0, (), problem=f"its {pages} pages hold no text, only images "
                                                          "(a scan?): the code must be appended as text")
    notes = tuple(pdf_tables.accuracy_notes(rows))
    code, lines, unparsed = recover_rows(rows)
    if not lines:
        return PdfCode(name, None, "", (), 0, (), notes, problem=f"none of its {len(rows)} text lines parse "
                                                                 "as Python")
    file = pdf.with_name(f"{pdf.stem}_from_pdf.py").relative_to(folder).as_posix()
    pages_used = tuple(sorted({line.page for line in lines}))
    header = f"# Recovered by ee449 from {name}, {_page_span(pages_used)}: the code that was graded.\n"
    return PdfCode(name, file, header + code, pages_used, len(lines),
                   tuple(f"page {line.page}: {line.text.strip()[:60]}" for line in unparsed), notes)


def report_pdfs(folder: Path) -> list[Path]:
    """The submission's PDF files, in a stable order (no links, no macOS resource forks)."""
    return [p for p in sorted(folder.rglob("*")) if p.suffix.lower() == ".pdf" and p.is_file()
            and not p.is_symlink() and "__MACOSX" not in p.parts and not p.name.startswith("._")]


def recover_into(folder: Path) -> list[PdfCode]:
    """Write the code of each PDF in the submission `folder` beside it as `<name>_from_pdf.py`."""
    recovered = []
    for pdf in report_pdfs(folder):
        result = recover(pdf, folder)
        if result.file is not None:
            (folder / result.file).write_text(result.code, encoding="utf-8")
        recovered.append(result)
    return recovered
