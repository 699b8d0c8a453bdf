"""The notes of a grading: what was read and where each graded definition came from, and the edition."""

from __future__ import annotations

from pathlib import Path

from ee449.grading.discovery import extract
from ee449.spec import DEFAULT_HOMEWORK, edition


def edition_notes(year: int) -> list[str]:
    """What grading another edition than 2023 means here: its images, and how its Part 1 is graded."""
    graded = edition(year)
    if graded.year == DEFAULT_HOMEWORK:
        return []
    notes = [f"graded as the {graded.year} edition: {graded.summary}"]
    if graded.part1 == "xor":
        notes.append(
            f"Part 1 of {graded.year} (the NumPy XOR network) is graded by running your MLP class "
            "(forward, one backward step, the derivatives, the homework's training); its plots and "
            "answers are read in your report"
        )
    return notes


def submission_notes(found: extract.Extraction) -> list[str]:
    """What was read, what was skipped and why, and where each graded definition was taken from."""
    notes = ["read: " + (", ".join(f for f in found.files if f not in found.parse_errors) or "no code files")]
    notes += [f"{f}: could not be parsed ({e})" for f, e in found.parse_errors.items()]
    notes += [f"{f}: skipped, {why}" for f, why in found.skipped.items()]
    notes += [
        f"{f}: named like the library {Path(f).stem}; your `import {Path(f).stem}` is read as the "
        "installed one, as the grader runs your code (rename the file if you meant to import it)"
        for f in found.shadowing
    ]
    for key, item in found.found.items():
        how = {"call": "named in a call", "registry": "named in a registry or assignment"}.get(
            item.evidence, ""
        )
        found_by = item.found_by or "found by reading the code"
        notes.append(
            f"{key}: {item.name} ({item.where or item.file})" + (f", {how}" if how else "") + f", {found_by}"
        )
        if found.others.get(key):
            others = ", ".join(found.others[key])
            notes.append(f"{key}: not graded, the other definitions claiming it: {others}")
    return notes
