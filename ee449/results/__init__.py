"""Result files: reading, checking and writing them. No torch: the grader and the plots read these.

- `ee449.results.schema`  the keys of each part's result dict, and checked access to its curves
- `ee449.results.files`   read a result file, tell whether it is up to date, write one atomically
"""

from __future__ import annotations

from ee449.results.files import read_result, result_status, write_result

__all__ = ["read_result", "result_status", "write_result"]
