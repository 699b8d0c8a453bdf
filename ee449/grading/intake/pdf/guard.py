"""Read a submission's PDF reports in a sandboxed child with a time and memory limit.

pdfminer, under pdfplumber, can loop forever on a 560-byte PDF with a reference cycle and take
gigabytes for a small PDF of 200,000 lines. So the grader never parses a PDF in its own
process: each report is read by `code.recover` in a child (`sandbox.run`, a copy of the PDF
only), which answers with the recovered code as JSON; a report it cannot read in PDF_TIMEOUT_S
or PDF_MEMORY_MB becomes a note ("could not read this PDF in 60 s") and the rest is graded.

    python -m ee449.grading.intake.pdf.guard PDF FOLDER OUT.json
"""

from __future__ import annotations

import dataclasses
import json
import shutil
import sys
from pathlib import Path

from ee449.grading import sandbox
from ee449.grading.intake.pdf import code
from ee449.grading.intake.pdf.code import PdfCode, recover
from ee449.grading.sandbox.isolation import Mounts, isolated_python
from ee449.grading.sandbox.output_folder import OutputFolder

PDF_TIMEOUT_S = 60.0  # a 40-page report reads in a few seconds
PDF_MEMORY_MB = 3072  # pdfplumber on a large report: a few hundred MB
MAX_ANSWER_BYTES = 16 * 2**20
# ee449, three folders up from ee449/grading/intake/pdf/: the child reads with it (no student code runs there)
PACKAGE = Path(__file__).resolve().parents[3]


def recover_into(
    folder: Path, timeout_s: float = PDF_TIMEOUT_S, memory_mb: int = PDF_MEMORY_MB
) -> list[PdfCode]:
    """`code.recover_into`, each PDF read in a limited child: the code of each report as a .py file."""
    limits = sandbox.Limits(timeout_s=timeout_s, memory_mb=memory_mb)
    return code.recover_into(folder, lambda pdf, folder: read_in_child(pdf, folder, limits))


def read_in_child(pdf: Path, folder: Path, limits: sandbox.Limits) -> PdfCode:
    """`recover(pdf, folder)` run in a sandboxed child that sees a copy of this PDF only."""
    name = pdf.relative_to(folder).as_posix()
    box = sandbox.make_sandbox()
    try:
        copy = box / "work" / name
        copy.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(pdf, copy)
        completed = sandbox.run(
            [
                *isolated_python("ee449.grading.intake.pdf.guard", PACKAGE.parent, box / "work"),
                name,
                ".",
                "../out/pdf.json",
            ],
            cwd=box / "work",
            env=sandbox.minimal_env(box),
            limits=limits,
            mounts=Mounts(writable=(box / "out",), readable=(PACKAGE,)),
        )
        answer = OutputFolder(box, "out").read("pdf.json", MAX_ANSWER_BYTES)
        parsed = _parsed(answer) if answer is not None else None
        if parsed is not None:
            return dataclasses.replace(parsed, pdf=name)
        if completed.timed_out:
            why = f"could not read this PDF in {limits.timeout_s:g} s"
        else:
            why = f"could not read this PDF (the reader stopped: {_last_line(completed.stderr)})"
        return PdfCode(name, None, "", (), 0, (), problem=why)
    finally:
        shutil.rmtree(box, ignore_errors=True)


def _last_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1][:200] if lines else "no output"


def _parsed(raw: bytes) -> PdfCode | None:
    """The child's answer as a PdfCode, every field checked (it parsed a student's file)."""
    try:
        data = json.loads(raw.decode("utf-8"))
        file = None if data["file"] is None else str(data["file"])
        result = PdfCode(
            pdf=str(data["pdf"]),
            file=file,
            code=str(data["code"]),
            pages=tuple(int(p) for p in data["pages"]),
            lines=int(data["lines"]),
            unparsed=tuple(str(u) for u in data["unparsed"]),
            report_notes=tuple(str(n) for n in data.get("report_notes", ())),
            problem=str(data.get("problem", "")),
        )
    except (ValueError, TypeError, KeyError, AttributeError, UnicodeDecodeError, RecursionError):
        return None
    if file is not None and (Path(file).is_absolute() or ".." in Path(file).parts):
        return None  # the grader writes the code there: only a path inside the submission
    return result


def main(argv: list[str]) -> int:
    pdf, folder, out = Path(argv[0]), Path(argv[1]), Path(argv[2])
    result = recover(folder / pdf, folder)
    out.write_text(json.dumps(dataclasses.asdict(result)), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
