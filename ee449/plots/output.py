"""Making and saving the homework's figures: one place for formats, resolution and files.

`save_figure` writes PNG, SVG or PDF atomically (the format from `fmt` or the filename's
suffix); `save_and_close` is what the course-named helpers do (build, save, show only on an
interactive backend, close); `new_figure` makes a figure that never leaks into pyplot's registry
unless it is to be shown.
"""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence, Union

from matplotlib.figure import Figure

from ee449.io import atomic_write_bytes
from ee449.results.schema import load_result

FORMATS = ("png", "svg", "pdf")
DPI = 100  # figsize (inches) x DPI = the PNG's pixel size
# A result as the course's helpers take it: the dict, or the path of its JSON file; or several.
ResultSource = Union[Mapping[str, Any], str, "os.PathLike[str]"]
Results = Union[ResultSource, Sequence[ResultSource]]
_NON_INTERACTIVE = {"agg", "cairo", "pdf", "pgf", "ps", "svg", "template"}


def new_figure(figsize: tuple[float, float], pyplot: bool) -> Figure:
    # A pyplot-managed figure only when it is to be shown: plain Figures never leak into
    # pyplot's registry, so nothing stays open in a long grading or report run.
    if pyplot:
        import matplotlib.pyplot as plt

        return plt.figure(figsize=figsize, layout="constrained")
    return Figure(figsize=figsize, layout="constrained")


def interactive_backend() -> bool:
    import matplotlib

    return matplotlib.get_backend().lower() not in _NON_INTERACTIVE


def save_figure(
    fig: Figure,
    save_dir: str | os.PathLike,
    filename: str,
    default_name: str,
    fmt: str | None = None,
    dpi: int = DPI,
) -> Path:
    """Save atomically as `save_dir/filename.fmt` (PNG unless fmt or the filename says otherwise)."""
    name = filename or default_name
    suffix = Path(name).suffix.lower().lstrip(".")
    if suffix in FORMATS:
        if fmt is not None and fmt != suffix:
            raise ValueError(f"filename {name!r} ends in .{suffix} but fmt={fmt!r}")
        fmt, name = suffix, name[: -len(suffix) - 1]
    fmt = fmt or "png"
    if fmt not in FORMATS:
        raise ValueError(f"unknown figure format {fmt!r}; valid: {', '.join(FORMATS)}")
    buffer = io.BytesIO()
    fig.savefig(buffer, format=fmt, dpi=dpi)
    return atomic_write_bytes(Path(save_dir or ".") / f"{name}.{fmt}", buffer.getvalue())


def save_and_close(
    build: Callable[[bool], Figure],
    save_dir: str | os.PathLike[str],
    filename: str,
    default_name: str,
    show_plot: bool,
    fmt: str | None,
    dpi: int,
) -> Path:
    show = bool(show_plot) and interactive_backend()
    fig = build(show)
    try:
        path = save_figure(fig, save_dir, filename, default_name, fmt, dpi)
        if show:
            import matplotlib.pyplot as plt

            plt.show()
    finally:
        if show:
            import matplotlib.pyplot as plt

            plt.close(fig)
    return path


def single_result(result: Results, part: str) -> tuple[dict, str]:
    """One result (a list's first: the course's helper takes result[0]) loaded, and where it came from."""
    if isinstance(result, (Mapping, str, os.PathLike)):
        return load_result(result, part)
    if not result:
        raise ValueError(f"{part} needs one result, got an empty list")
    return load_result(result[0], part)


def as_list(results: Results) -> list[ResultSource]:
    return [results] if isinstance(results, (Mapping, str, os.PathLike)) else list(results)
