"""Text from a submission is data: what it may hold is made safe before a terminal, CSV, XML or JSON.

A student's exception message, file name or note can hold ANSI escapes (recolour or erase the
TA's terminal), carriage returns and newlines (forge a summary line), bidi overrides (show code
reversed) and lone surrogates (`'\\ud800'`: printing or encoding it raises, which stopped a whole
class run). `clean` escapes the first three as visible `\\x1b`-style text and replaces the last
with U+FFFD; `clean_result` applies it to every string of a grade.
"""

from __future__ import annotations

import dataclasses
import re
from typing import TypeVar

_SURROGATE = re.compile("[\ud800-\udfff]")
# C0 and C1 controls, DEL, and the bidi embeddings, overrides and isolates.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_KEPT_IN_TEXT = {"\n", "\t"}  # a message may have several lines; its lines are indented by the writers

T = TypeVar("T")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def clean(text: object, *, lines: bool = True) -> str:
    """`text` with every control character escaped and invalid Unicode replaced.

    `lines=False` escapes newlines and tabs too: for values that must stay on one line (a
    student's name, a file name, a note, a CSV cell)."""
    text = _SURROGATE.sub("\ufffd", str(text))

    def escape(match: re.Match[str]) -> str:
        return match.group() if lines and match.group() in _KEPT_IN_TEXT else _escape(match)

    return _CONTROL.sub(escape, text)


def clean_line(text: object) -> str:
    return clean(text, lines=False)


def clean_result(result: T) -> T:
    """A copy of a GradeResult whose student, notes and check texts are clean (`clean`)."""
    checks = [
        dataclasses.replace(
            check,
            id=clean_line(check.id),
            message=clean(check.message),
            diagnoses=[[clean_line(code), clean(sentence)] for code, sentence in check.diagnoses],
        )
        for check in result.checks  # type: ignore[attr-defined]
    ]
    return dataclasses.replace(
        result,  # type: ignore[type-var]
        student=clean_line(result.student),  # type: ignore[attr-defined]
        checks=checks,
        notes=[clean_line(note) for note in result.notes],  # type: ignore[attr-defined]
    )
