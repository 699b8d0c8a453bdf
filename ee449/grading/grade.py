"""Grade one submission (a folder or .zip), or a folder of them.

Flow for one submission: open it (a .zip is extracted safely), copy it into a fresh sandbox,
pick the graded definitions out with `extract` (no student code runs here), list its result
files, run the checks in the sandbox (`runner`), and score them with the rubric. The grader's
own process never imports student code.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from ee449.grading import extract, runner, sandbox
from ee449.grading.rubric import Rubric, load_rubric
from ee449.spec import ARCHITECTURES

MAX_ZIP_BYTES = 200 * 1024 * 1024  # uncompressed; a submission is code and a few result files
RESULT_FILE = re.compile(r"^part([345])(?:[_\-]?(.*))?\.(json|pkl|pickle)$", re.IGNORECASE)


@dataclass(frozen=True)
class GradeOptions:
    rubric: Rubric = field(default_factory=load_rubric)
    check_timeout: float = 20.0  # seconds per check; a plain-loop conv needs well under 1 s
    memory_mb: int = sandbox.MEMORY_MB_DEFAULT
    course_data: Path | None = None
    process_timeout: float = 600.0  # backstop for one sandboxed pytest run

    def __post_init__(self) -> None:
        if self.check_timeout <= 0:
            raise ValueError(f"--timeout must be positive, got {self.check_timeout}")
        if self.course_data is not None and not (Path(self.course_data) / "kernel.npy").is_file():
            raise ValueError(f"--course-data {self.course_data} has no kernel.npy")


@dataclass
class CheckResult:
    id: str
    passed: bool
    points: float
    max_points: float
    visibility: str
    message: str = ""
    diagnoses: list[list[str]] = field(default_factory=list)
    seconds: float = 0.0


@dataclass
class GradeResult:
    student: str
    checks: list[CheckResult]
    seconds: float
    notes: list[str] = field(default_factory=list)

    @property
    def score(self) -> float:
        return sum(c.points for c in self.checks)

    @property
    def max_score(self) -> float:
        return sum(c.max_points for c in self.checks)


def safe_extract_zip(archive: Path, target: Path) -> Path:
    """Extract `archive` into `target`, refusing absolute paths, '..', links and zip bombs."""
    try:
        with zipfile.ZipFile(archive) as zf:
            members = zf.infolist()
            if sum(m.file_size for m in members) > MAX_ZIP_BYTES:
                raise ValueError(f"{archive} unpacks to more than {MAX_ZIP_BYTES // 2**20} MB")
            root = target.resolve()
            for member in members:
                name = member.filename.replace("\\", "/")
                destination = (root / name).resolve()
                if name.startswith("/") or ".." in Path(name).parts or not destination.is_relative_to(root):
                    raise ValueError(f"{archive} has an unsafe path {member.filename!r}")
                if (member.external_attr >> 16) & 0o170000 == 0o120000:
                    continue  # a symlink: skipped, never followed
                if member.is_dir():
                    destination.mkdir(parents=True, exist_ok=True)
                    continue
                destination.parent.mkdir(parents=True, exist_ok=True)
                with zf.open(member) as source, open(destination, "wb") as out:
                    shutil.copyfileobj(source, out)
    except zipfile.BadZipFile:
        raise ValueError(f"{archive} is not a valid zip file") from None
    entries = [p for p in target.iterdir() if p.name != "__MACOSX"]
    # A zip of a folder holds one top folder: grade what is inside it.
    return entries[0] if len(entries) == 1 and entries[0].is_dir() else target


def result_files(work: Path) -> list[dict]:
    """The submission's part3/4/5 result files, with the architecture their name implies."""
    files = []
    for path in sorted(work.rglob("*")):
        match = RESULT_FILE.match(path.name)
        if not match or not path.is_file() or "__MACOSX" in path.parts:
            continue
        arch = extract.match_target(match.group(2) or "")
        files.append({"file": path.relative_to(work).as_posix(), "part": int(match.group(1)),
                      "arch": arch if arch in ARCHITECTURES else None})
    return files


def grade_submission(path: str | Path, options: GradeOptions | None = None, student: str | None = None) -> GradeResult:
    """Grade one submission folder or .zip; never raises for anything the submission does."""
    options = options or GradeOptions()
    path = Path(path)
    if not path.exists():
        raise ValueError(f"submission {path} does not exist")
    start = time.monotonic()
    root = sandbox.make_sandbox()
    try:
        source, unpacked = path, None
        if path.is_file():
            if path.suffix.lower() != ".zip":
                raise ValueError(f"submission {path} must be a folder or a .zip file")
            unpacked = Path(tempfile.mkdtemp(prefix="unzip-", dir=root))
            source = safe_extract_zip(path, unpacked)
        work = sandbox.copy_submission(source, root)
        if unpacked is not None:
            shutil.rmtree(unpacked, ignore_errors=True)
        found = extract.extract(work, root / "extracted")
        arch_keys = list(ARCHITECTURES) + [k for k in found.found if k.endswith("_sigmoid")]
        manifest = {**found.to_json(), "root": str(root), "work": str(work),
                    "extracted": str(root / "extracted"), "arch_keys": arch_keys,
                    "result_files": result_files(work),
                    "course_data": str(Path(options.course_data).resolve()) if options.course_data else None}
        limits = sandbox.Limits(timeout_s=options.process_timeout, memory_mb=options.memory_mb)
        outcomes, _ = runner.run_checks(root, manifest, limits, options.check_timeout)
        checks = [_score(o, options.rubric) for o in outcomes] + _static_checks(found, options.rubric)
        notes = [f"{f}: could not be parsed ({e})" for f, e in found.parse_errors.items()]
        notes += [f"{k}: taken from {v.file}, line {v.line} ({v.name})" for k, v in found.found.items()]
        return GradeResult(student or path.stem, checks, time.monotonic() - start, notes)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _static_checks(found: extract.Extraction, rubric: Rubric) -> list[CheckResult]:
    """What the source shows without running it: Part 3's Adam must keep its default lr 1e-3."""
    if not found.adam_lrs:
        return []
    wrong = [(f, line, lr) for f, line, lr in found.adam_lrs if lr is not None and abs(lr - 1e-3) > 1e-12]
    outcome = runner.Outcome("static/adam_lr", "source", not wrong)
    if wrong:
        f, line, lr = wrong[0]
        outcome.message = f"{f}, line {line}: Adam(lr={lr:g})"
        outcome.diagnoses = [["adam_lr", f"Part 3 uses Adam with its default parameters (lr = 0.001), but "
                                         f"{f} line {line} sets lr={lr:g}."]]
    return [_score(outcome, rubric)]


def _score(outcome: runner.Outcome, rubric: Rubric) -> CheckResult:
    rule = rubric.rule_for(outcome.id)
    return CheckResult(outcome.id, outcome.passed, rule.points if outcome.passed else 0.0, rule.points,
                       rule.visibility, outcome.message, outcome.diagnoses, outcome.seconds)


def is_class_folder(folder: Path) -> bool:
    """A folder of submissions: no .py file at its top, and subfolders or zips to grade."""
    if not folder.is_dir() or any(folder.glob("*.py")):
        return False
    return any(p.is_dir() or p.suffix.lower() == ".zip" for p in folder.iterdir() if not p.name.startswith("."))


def find_submissions(folder: Path) -> list[tuple[str, Path]]:
    """(student, path) for each subfolder or .zip of a class folder, sorted by name."""
    entries = [p for p in sorted(folder.iterdir()) if not p.name.startswith((".", "__"))
               and (p.is_dir() or p.suffix.lower() == ".zip")]
    return [(p.stem if p.is_file() else p.name, p) for p in entries]


def grade_class(folder: str | Path, options: GradeOptions | None = None, jobs: int = 1) -> list[GradeResult]:
    """Grade every submission in `folder`, `jobs` at a time (each grading is its own sandbox)."""
    if jobs < 1:
        raise ValueError(f"-j must be at least 1, got {jobs}")
    options = options or GradeOptions()
    submissions = find_submissions(Path(folder))

    def one(student: str, path: Path) -> GradeResult:
        try:
            return grade_submission(path, options, student)
        except ValueError as error:  # a corrupt or unsafe zip: this student gets a note, the class goes on
            return GradeResult(student, [CheckResult("submission/unpack", False, 0.0, 0.0, "visible", str(error))], 0.0)

    with ThreadPoolExecutor(max_workers=jobs) as pool:  # the work happens in child processes
        return list(pool.map(lambda s: one(*s), submissions))
