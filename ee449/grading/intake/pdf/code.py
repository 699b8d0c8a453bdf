"""Recover the Python code a student appended to their PDF report, so it is graded like .py files.

The course asks for one PDF with the code appended as text. `recover_into` finds each PDF of a
submission, reads its text rows by position (`layout`), turns runs of rows into lines with
their indentation (`lines`), and keeps the longest runs of lines that parse as Python: among
the rows in a monospace font where the PDF has any, else among all rows (prose simply fails to
parse). Lines wrapped at the page edge are joined back where the geometry shows a wrap and the
joined code parses (further). The code is written into the submission as
`~from_pdf/<name>_from_pdf.py`; nothing from the PDF is ever run here (`ast.parse` only), and the
recovered file goes through the same extraction and sandbox as any student file. The folder's
name sorts after every ASCII file name, so where a student also handed in `.py` files, their own
definitions come first (extraction takes the first in file order).
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from ee449.grading.intake.pdf import repair, tables
from ee449.grading.intake.pdf.layout import Row, read_rows
from ee449.grading.intake.pdf.lines import (
    Line,
    indented,
    rejoined,
    right_margins,
)
from ee449.grading.intake.pdf.segments import is_code, parsed_segments, trimmed

RECOVERED_DIR = "~from_pdf"  # '~' sorts after letters, digits and '_': a student's own .py files come first
SHOWN_UNPARSED = 3  # the summary quotes this many of the lines that could not be parsed
FEW_LINES = 10  # fewer lines of code than this in monospace: look in the text fonts too


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
        if self.file is None and self.unparsed:  # code-looking text that would not parse: say where
            pages = sorted({int(u.split(":")[0].split()[-1]) for u in self.unparsed})
            shown = "; ".join(repr(u) for u in self.unparsed[:SHOWN_UNPARSED])
            return (
                f"{self.pdf}: code found on {_page_span(pages)}, {len(self.unparsed)} lines could not be "
                f"parsed as Python ({shown}, ...): nothing from this PDF was graded."
            )
        if self.file is None:
            return f"{self.pdf}: no code text found in this PDF ({self.problem})."
        text = (
            f"{self.pdf}: code recovered from {_page_span(self.pages)} of the report, {self.lines} lines "
            f"recovered -> {Path(self.file).name}"
        )
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


def code_runs(rows: Sequence[Row], by_font: bool) -> list[list[Row]]:
    """Consecutive monospace rows (`by_font`), or all rows as one run."""
    if not by_font:
        return [list(rows)]
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
    return runs


def recover_rows(rows: Sequence[Row]) -> tuple[str, list[Line], list[Line]]:
    """(code, its lines, code-looking lines that could not be parsed) from a PDF's rows.

    Code is looked for in the monospace rows where the PDF has any; where they hold little code
    (a report that sets identifiers in monospace but pastes its code in a text font), in all
    rows as well, and the larger recovery wins.
    """
    by_font = any(row.mono for row in rows)
    recovered = _recover(rows, by_font)
    if by_font and len(recovered[1]) < FEW_LINES:
        plain = _recover([replace(row, mono=False) for row in rows], by_font=False)
        if len(plain[1]) > len(recovered[1]):
            return plain
    return recovered


def _recover(rows: Sequence[Row], by_font: bool) -> tuple[str, list[Line], list[Line]]:
    limits = right_margins(rows)
    runs = code_runs(rows, by_font)
    kept: list[list[Line]] = []
    unparsed: list[Line] = []
    for run in runs:
        segments, left_out = parsed_segments(repair.tidied(indented(run)), limits)
        segments = [s for s in (trimmed(rejoined(segment, limits)) for segment in segments) if s]
        code = [s for s in segments if is_code(s)]
        kept += code
        if by_font and len(run) >= 3:
            unparsed += left_out
        elif code:  # prose around the code is not code; only lines between code segments count
            first, last = code[0][0], code[-1][-1]
            unparsed += [line for line in left_out if _between(line, first, last)]
    text = "\n".join(textwrap.dedent("\n".join(line.source() for line in segment)) for segment in kept)
    return spaced_out(text), [line for segment in kept for line in segment], unparsed


def spaced_out(code: str) -> str:
    """`code` with a blank line before each top-level definition, for the TA who reads it (a PDF's
    blank lines are gaps, not characters)."""
    lines: list[str] = []
    for line in code.splitlines():
        if lines and line.startswith(("def ", "class ", "async def ", "@")) and not lines[-1].startswith("@"):
            lines.append("")
        lines.append(line)
    return "\n".join(lines) + "\n" if lines else ""


def _between(line: Line, first: Line, last: Line) -> bool:
    return (
        (first.page, first.column, first.top)
        < (line.page, line.column, line.top)
        < (last.page, last.column, last.top)
    )


def recover(pdf: Path, folder: Path) -> PdfCode:
    """Read the code appended to `pdf` (inside the submission `folder`) without writing anything."""
    name = pdf.relative_to(folder).as_posix()
    try:
        rows, pages = read_rows(pdf)
    except Exception as error:  # noqa: BLE001 - a third-party parser on a student's file: any failure is a note
        return PdfCode(
            name, None, "", (), 0, (), problem=f"it could not be read as a PDF: {type(error).__name__}"
        )
    if not rows:
        return PdfCode(
            name,
            None,
            "",
            (),
            0,
            (),
            problem=f"its {pages} pages hold no text, only images "
            "(a scan?): the code must be appended as text",
        )
    try:
        notes = tuple(tables.accuracy_notes(rows))
    except Exception:  # noqa: BLE001 - the report's accuracy table is informational: never worth the code
        notes = ()
    try:
        code, lines, unparsed = recover_rows(rows)
    except Exception as error:  # noqa: BLE001 - absurd text or a reader bug: this PDF's code only, with a note
        return PdfCode(
            name, None, "", (), 0, (), problem=f"its text could not be read as code: {type(error).__name__}"
        )
    if not lines:
        return PdfCode(
            name,
            None,
            "",
            (),
            0,
            tuple(f"page {line.page}: {line.text.strip()[:60]}" for line in unparsed),
            notes,
            problem=f"none of its {len(rows)} text lines parse as Python",
        )
    file = f"{RECOVERED_DIR}/{pdf.stem}_from_pdf.py"
    pages_used = tuple(sorted({line.page for line in lines}))
    header = f"# Recovered by ee449 from {name}, {_page_span(pages_used)}: the code that was graded.\n"
    return PdfCode(
        name,
        file,
        header + code,
        pages_used,
        len(lines),
        tuple(f"page {line.page}: {line.text.strip()[:60]}" for line in unparsed),
        notes,
    )


def report_pdfs(folder: Path) -> list[Path]:
    """The submission's PDF files, in a stable order (no links, no macOS resource forks)."""
    return [
        p
        for p in sorted(folder.rglob("*"))
        if p.suffix.lower() == ".pdf"
        and p.is_file()
        and not p.is_symlink()
        and "__MACOSX" not in p.parts
        and not p.name.startswith("._")
    ]


def recover_into(folder: Path, read: Callable[[Path, Path], PdfCode] | None = None) -> list[PdfCode]:
    """Write the code of each PDF in the submission `folder` as `~from_pdf/<name>_from_pdf.py`.

    `read(pdf, folder)` reads one report (`recover`, in this process, when None; the grader passes
    `guard.read_in_child`'s limited child)."""
    recovered = []
    for pdf in report_pdfs(folder):
        result = (read or recover)(pdf, folder)
        if result.file is not None:
            target = folder / result.file
            for n in range(2, 100):  # two reports of one name in different folders
                if not target.exists():
                    break
                target = target.with_name(f"{pdf.stem}_{n}_from_pdf.py")
            result = replace(result, file=target.relative_to(folder).as_posix())
            target.parent.mkdir(exist_ok=True)
            target.write_text(result.code, encoding="utf-8")
        recovered.append(result)
    return recovered
