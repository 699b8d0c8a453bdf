"""The homework's editions: one declarative spec file per year (`<year>.toml` here), validated on load.

`edition(2025)` -> `Edition`; `requested_year(--homework value)` reads the option, then
$EE449_HOMEWORK, then the default 2023. Adding an edition is adding its file (README "Editions").
No torch, no numpy: the command line's help and the grader's process read it cheaply.
"""

from __future__ import annotations

from ee449.editions.load import (
    DATASETS,
    DEFAULT_HOMEWORK,
    ENV_VAR,
    PART1_KINDS,
    RAW_SHAPES,
    RESULT_PARTS,
    Edition,
    EditionError,
    Transform,
    available,
    edition,
    load_file,
    parse_year,
    requested_year,
)

__all__ = [
    "DATASETS",
    "DEFAULT_HOMEWORK",
    "ENV_VAR",
    "PART1_KINDS",
    "RAW_SHAPES",
    "RESULT_PARTS",
    "Edition",
    "EditionError",
    "Transform",
    "available",
    "edition",
    "load_file",
    "parse_year",
    "requested_year",
]
