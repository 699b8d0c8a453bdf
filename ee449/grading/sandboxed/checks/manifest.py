"""The manifest of a grading: what its checks look at and how they run, one typed record for both sides.

The grader writes it (`grade` decides what to grade, `sandbox.runner` adds how each pass runs) as
JSON into a folder of its own that the sandbox sees read-only; the checks read it there
(`support.manifest`). The judge reads the grader's own copy, never the sandbox's, and a class run
keeps it with the evidence (`output.evidence`), so a manifest an older version kept is read with
the defaults below for what it lacks. Standard library only: it is copied into every sandbox.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any


def _known(record: type, data: dict[str, Any]) -> dict[str, Any]:
    """The entries of `data` that are fields of `record`: one kept by a newer or older version reads."""
    names = {f.name for f in fields(record)}
    return {name: value for name, value in data.items() if name in names}


@dataclass(frozen=True)
class Slot:
    """A result file's slot (`intake.resultfiles`): `part3_mlp_1` holds Part 3's results of mlp_1."""

    slot: str
    part: int
    arch: str | None = None
    file: str | None = None  # the submission's file that fills it; None: no file does

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Slot:
        return cls(str(data["slot"]), int(data["part"]), data.get("arch"), data.get("file"))


@dataclass
class Target:
    """A student's definition the grader grades as one of its targets (`discovery.extract` finds it,
    where discovery calls it `Found`), and how to build it: the record both sides read."""

    key: str  # the target: `my_conv2d`, `mlp_1`, `cnn_3_sigmoid`, `xor_mlp`
    name: str  # the student's spelling
    file: str = ""
    line: int = 0
    module: str = ""  # file name of the extracted module (in the sandbox's `extracted` folder)
    kind: str = ""  # 'class' or 'function'
    where: str = ""  # 'hw1.py, line 3' or 'hw1.ipynb, cell 2, line 3'
    evidence: str = "name"  # what claimed it: its 'name', a 'call' with the architecture's name, a 'registry'
    constructions: list[dict[str, Any]] = field(default_factory=list)  # `Construction.to_json()`, in order
    found_by: str = ""  # how running the student's code found it (`run_matching`); '' when read from the code

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Target:
        return cls(**_known(cls, data))


@dataclass(frozen=True)
class Manifest:
    # What to grade, decided by the grader (`grade`): discovery's findings (`extract`) ...
    found: dict[str, Target] = field(default_factory=dict)
    parse_errors: dict[str, str] = field(default_factory=dict)  # file -> "line 3: invalid syntax"
    files: tuple[str, ...] = ()
    unresolved: dict[str, list[str]] = field(default_factory=dict)
    refused: dict[str, str] = field(default_factory=dict)  # target -> why it is ee449's, not the student's
    # ... and the grading's own settings
    arch_keys: tuple[str, ...] = ()
    result_files: tuple[Slot, ...] = ()
    course_data: str | None = None  # a folder holding the course's kernel.npy and samples
    homework: int | None = None  # the graded edition's year; None: the default edition
    input_shape: tuple[int, ...] | None = None  # its images (C, H, W); None: the default edition's
    part1: str = ""  # "xor" where the edition's Part 1 is the NumPy XOR network
    probe_seed: int | None = None  # arch/*/computes' weights and batch; None: a grading from before the probe
    root: str = ""  # the sandbox's folders
    work: str = ""
    extracted: str = ""
    # How the sandbox runs the checks (`sandbox.runner`, per pass and per restart)
    records: str = ""
    check_timeout: float = 0.0
    memory_mb: int = 0
    skip: tuple[str, ...] = ()  # checks already decided: a restart goes on past them
    hung_targets: tuple[str, ...] = ()
    writes_blocked: bool = False  # bubblewrap refuses writes outside: no before-and-after listing
    progress: str = ""  # the plugin's progress log
    numpy_only: bool = False  # the conv pass: torch is a NumPy stand-in

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Manifest:
        """A manifest from its JSON; keys it does not know are left, keys it lacks take the defaults."""
        values = _known(cls, data)
        for name in ("files", "arch_keys", "skip", "hung_targets"):
            values[name] = tuple(values.get(name) or ())
        values["result_files"] = tuple(Slot.from_json(s) for s in values.get("result_files") or ())
        values["found"] = {str(key): Target.from_json(t) for key, t in (values.get("found") or {}).items()}
        if values.get("input_shape") is not None:
            values["input_shape"] = tuple(int(n) for n in values["input_shape"])
        return cls(**values)

    def name(self, key: str) -> str:
        """The student's name for target `key` (the key itself where none was found)."""
        found = self.found.get(key)
        return found.name if found is not None else key

    def slot(self, name: str) -> Slot | None:
        return next((s for s in self.result_files if s.slot == name), None)
