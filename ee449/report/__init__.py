"""The report: one page (HTML and its Markdown twin) of a results folder's numbers and figures.

- `ee449.report.load`      the result files of one folder, checked, and every number the report shows
- `ee449.report.verdicts`  the homework's claims, each decided from those numbers
- `ee449.report.render`    the page as blocks, rendered to self-contained HTML and to Markdown
- `ee449.report.document`  the page's sections, its figures, and `build_report`
"""

from __future__ import annotations

from ee449.report.document import DEFAULT_DIR, build_report, document
from ee449.report.figures import FIGURES, ensure_figures
from ee449.report.load import Results, load_folder

__all__ = ["DEFAULT_DIR", "FIGURES", "Results", "build_report", "document", "ensure_figures", "load_folder"]
