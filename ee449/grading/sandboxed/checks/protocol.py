"""What both sides of the sandbox agree on: a check's id, how its record file is named, what a diagnosis is.

Imported by the sandbox-side checks and by the grader's `records`; it imports nothing of ee449, so
the sandbox needs no grader module to use it (`sandbox.lib`)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass


def record_name(check_id: str) -> str:
    """The file stem a check's record has: a digest, so no check id becomes a path."""
    return hashlib.sha256(check_id.encode("utf-8")).hexdigest()[:24]


@dataclass(frozen=True)
class Diagnosis:
    """A diagnosis, on both sides of the sandbox (`diagnose.Diagnosis` is this class)."""

    code: str
    sentence: str


# Groups whose checks are about a subject: an architecture's key (`arch/cnn_3/layers`) or a result
# file's slot (`results/part3_mlp_1/keys`). The others name the check alone (`conv/output_shape`,
# `conv/matches_reference[multichannel]`, `xor/forward`, `static/adam_lr`, `submission/unpack`).
SUBJECT_GROUPS = frozenset({"arch", "results"})


@dataclass(frozen=True)
class CheckId:
    """A check's id, made and taken apart here only: `group/subject/name` or `group/name`."""

    group: str
    name: str
    subject: str = ""  # the architecture or result slot, in SUBJECT_GROUPS only

    @classmethod
    def parse(cls, text: str) -> CheckId:
        group, _, rest = text.partition("/")
        if group in SUBJECT_GROUPS:
            subject, _, name = rest.rpartition("/")
            return cls(group, name, subject)
        return cls(group, rest)

    def __str__(self) -> str:
        return "/".join(part for part in (self.group, self.subject, self.name) if part)


def arch_check(key: str, name: str) -> str:
    """`arch/{key}/{name}`: a check of an architecture."""
    return str(CheckId("arch", name, key))


def results_check(slot: str, name: str) -> str:
    """`results/{slot}/{name}`: a check of a result file's slot."""
    return str(CheckId("results", name, slot))


def conv_case_check(case: str) -> str:
    """`conv/matches_reference[{case}]`: my_conv2d on one of the drawn cases."""
    return str(CheckId("conv", f"matches_reference[{case}]"))
