"""The Python source a submission holds: its .py files and the code cells of its notebooks.

Students hand in scripts and Colab notebooks. A notebook is read with nbformat (never run):
its code cells, in order, become one source text; IPython magics and shell lines (`%pip`,
`!ls`, `%%time`) are not Python and become `pass` (keeping every other line where it was, so
line numbers still point into the cell). A .py exported from a notebook can keep such lines
(`%reset -f`): it is parsed as is first, and with the same treatment when that fails.
Nothing here runs student code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ee449.grading.discovery import parsing

MAX_SOURCE_BYTES = 2_000_000  # a .py file larger than this is data, not homework code
MAX_NOTEBOOK_BYTES = 20_000_000  # notebooks carry their outputs (images): larger than scripts
SKIPPED_DIRS = {
    "__pycache__",
    "__MACOSX",
    ".git",
    ".venv",
    "venv",
    "env",
    "site-packages",
    ".ipynb_checkpoints",
}
_MAGIC = re.compile(r"^(\s*)(%|!)")  # `%time x = f()`, `!pip install ...`, `%%capture`


@dataclass(frozen=True)
class Source:
    """One file's Python text; for a notebook, the line of `text` where each code cell starts."""

    rel: str
    text: str
    kind: str  # 'py' or 'ipynb'
    cell_starts: tuple[tuple[int, int], ...] = ()  # (first line in text, cell number)
    left_out: tuple[tuple[int, str], ...] = ()  # (cell number, why) of cells that do not parse

    def where(self, line: int) -> str:
        """'hw1.py, line 12' or 'hw1.ipynb, cell 4, line 3' for a line of `text`."""
        cell = next(((start, n) for start, n in reversed(self.cell_starts) if start <= line), None)
        if cell is None:
            return f"{self.rel}, line {line}"
        return f"{self.rel}, cell {cell[1]}, line {line - cell[0] + 1}"


@dataclass
class Sources:
    files: list[Source] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)  # rel -> why it was not read


def drop_magics(text: str) -> str:
    """`text` with every IPython magic or shell line replaced by `pass` at the same indentation."""
    lines = text.split("\n")
    out = []
    in_cell_magic = False
    for line in lines:
        match = _MAGIC.match(line)
        if line.startswith("%%"):
            in_cell_magic = not line.startswith(("%%time", "%%capture"))  # these run the cell's Python
            out.append("pass")
        elif in_cell_magic:
            out.append("")  # the body of %%bash / %%writefile is not Python
        elif match:
            out.append(match.group(1) + "pass")
        else:
            out.append(line)
    return "\n".join(out)


def _parse_error(text: str) -> str | None:
    """Why `text` is not Python ('line 2: invalid syntax'), or None when it parses."""
    try:
        parsing.parse(text)
    except SyntaxError as error:
        return f"line {error.lineno}: {error.msg}"
    except (ValueError, RecursionError) as error:
        return str(error)
    return None


def _parses(text: str) -> bool:
    return _parse_error(text) is None


def python_text(text: str) -> str:
    """The text itself when it parses, else the text without magics (a .py exported from Colab)."""
    if _parses(text):
        return text
    cleaned = drop_magics(text)
    return cleaned if _parses(cleaned) else text


def notebook_source(path: Path, rel: str) -> tuple[Source | None, str]:
    """The code cells of a notebook as one Source, or (None, why it could not be read)."""
    import nbformat  # imported here: grading .py-only submissions never needs it

    try:
        notebook = nbformat.read(str(path), as_version=4)
    except Exception as error:  # noqa: BLE001 - nbformat raises many kinds on a broken file
        return None, f"not a readable notebook ({type(error).__name__}: {str(error)[:120]})"
    pieces: list[str] = []
    starts: list[tuple[int, int]] = []
    left_out: list[tuple[int, str]] = []
    line = 1
    # Numbered as the notebook shows them, markdown cells included.
    code_cells = [
        (n, cell) for n, cell in enumerate(notebook.cells, start=1) if cell.get("cell_type") == "code"
    ]
    for number, cell in code_cells:
        text = drop_magics(str(cell.get("source", "")))
        broken = _parse_error(text)
        if broken is not None:
            # One broken cell (often an unfinished experiment) must not cost the rest of the notebook.
            left_out.append((number, broken))
            text = "\n".join("# " + t for t in text.split("\n"))
        starts.append((line, number))
        pieces.append(text)
        line += text.count("\n") + 1
    if not code_cells:
        return None, "a notebook without code cells"
    return Source(rel, "\n".join(pieces), "ipynb", tuple(starts), tuple(left_out)), ""


def _skipped_dir(rel_parts: tuple[str, ...]) -> bool:
    return any(part in SKIPPED_DIRS or part.startswith(".") for part in rel_parts[:-1])


def read_sources(folder: Path) -> Sources:
    """Every .py and .ipynb file below `folder` (sorted paths), read or listed as skipped with why."""
    found = Sources()
    for path in sorted(folder.rglob("*")):
        if path.suffix.lower() not in {".py", ".ipynb"} or not path.is_file() or path.is_symlink():
            continue
        rel_parts = path.relative_to(folder).parts
        rel = "/".join(rel_parts)
        if _skipped_dir(rel_parts):
            if "__MACOSX" not in rel_parts and ".ipynb_checkpoints" not in rel_parts:
                found.skipped[rel] = "in a folder of caches or environments"
            continue
        limit = MAX_NOTEBOOK_BYTES if path.suffix.lower() == ".ipynb" else MAX_SOURCE_BYTES
        if path.stat().st_size > limit:
            found.skipped[rel] = f"larger than {limit // 1_000_000} MB"
            continue
        if path.suffix.lower() == ".ipynb":
            source, why = notebook_source(path, rel)
            if source is None:
                found.skipped[rel] = why
            else:
                found.files.append(source)
            continue
        text = path.read_bytes().decode("utf-8", errors="replace")
        found.files.append(Source(rel, python_text(text), "py"))
    return found
