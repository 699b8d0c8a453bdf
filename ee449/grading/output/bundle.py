"""`ee449 grade --gradescope-bundle autograder.zip`: the zip a course uploads to Gradescope as its autograder.

Gradescope unpacks the uploaded zip into /autograder/source, runs `setup.sh` once to build the
image, then `run_autograder` per submission: the student's files are in /autograder/submission
(often in a subfolder), `submission_metadata.json` next to it, and the results go to
/autograder/results/results.json (https://gradescope-autograders.readthedocs.io/en/latest/specs/).

The zip holds a wheel of the running ee449 (`wheel`, built from its own files, so a pip install
bundles as well as a checkout), `requirements.txt` pinning every dependency to the version
installed here (the versions the course tested with; torch from its CPU-only index: grading
never uses a GPU and the CUDA wheels are gigabytes larger), the rubric, the course data, and
`run_autograder` with the check options baked in. Everything that could go wrong is checked here,
at bundle time, not on Gradescope.
"""

from __future__ import annotations

import shlex
import tempfile
import zipfile
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from ee449.grading.output import wheel
from ee449.grading.rubric import PRESETS, load_rubric

CPU_INDEX = "https://download.pytorch.org/whl/cpu"
FROM_CPU_INDEX = ("torch", "torchvision")

SETUP_SH = """#!/usr/bin/env bash
# Gradescope runs this once, as root, to build the autograder image.
set -euo pipefail
SOURCE="$(cd "$(dirname "$0")" && pwd)"
apt-get update -q
apt-get install -y -q python3 python3-pip python3-venv bubblewrap  # bwrap: the sandbox (else the fence, announced)
python3 -m venv /autograder/ee449-venv
PIP="/autograder/ee449-venv/bin/python -m pip"
$PIP install --upgrade pip
# The versions the course tested with (requirements.txt, written when the bundle was made).
$PIP install -r "$SOURCE/requirements-torch.txt" --index-url {cpu_index}
$PIP install -r "$SOURCE/requirements.txt"
$PIP install --no-deps "$SOURCE"/{wheel}
$PIP check
/autograder/ee449-venv/bin/ee449 --version
"""

RUN_AUTOGRADER = """#!/usr/bin/env bash
# Gradescope runs this per submission. AUTOGRADER_ROOT and EE449 are for testing the bundle
# outside Gradescope; on Gradescope both keep their defaults.
set -uo pipefail
ROOT="${{AUTOGRADER_ROOT:-/autograder}}"
SOURCE="$ROOT/source"
EE449="${{EE449:-$ROOT/ee449-venv/bin/ee449}}"
mkdir -p "$ROOT/results"
# The whole submission folder is one student's, whatever its layout (subfolders, notebooks).
# stdout (hidden from students) gets the summary; operator warnings go to stderr, never into results.json.
$EE449 grade "$ROOT/submission" --out "$ROOT/results" {options} \\
  --submission-metadata "$ROOT/submission_metadata.json"
status=$?
if [ ! -f "$ROOT/results/results.json" ]; then
  # The grader itself failed (not the student's doing): say so rather than leave Gradescope without results.
  message="The autograder failed (exit status $status); your instructor has been told."
  printf '{{"score": 0, "output": "%s", "tests": []}}\\n' "$message" > "$ROOT/results/results.json"
fi
exit 0
"""


@dataclass(frozen=True)
class BundleOptions:
    """What `ee449 grade` options the bundle carries onto Gradescope."""

    rubric: str | None = None  # a preset name or a rubric file
    course_data: Path | None = None
    check_timeout: float = 20.0
    memory_mb: int | None = None
    homework: int | None = None  # the edition graded there (None: the default, 2023)


def pinned_requirements() -> tuple[list[str], list[str]]:
    """(torch lines, other lines): each dependency of ee449 at the version installed here."""
    torch_lines: list[str] = []
    other: list[str] = []
    for name in wheel.requirements(wheel.installed_metadata()):
        try:
            version = metadata.version(name).split("+", 1)[0]  # 2.3.1+cpu: the local tag names no release
        except metadata.PackageNotFoundError:
            raise ValueError(
                f"ee449 needs {name}, which is not installed here: install it, then bundle"
            ) from None
        (torch_lines if name in FROM_CPU_INDEX else other).append(f"{name}=={version}")
    return torch_lines, other + wheel.requirements_elsewhere(wheel.installed_metadata())


def _rubric_files(rubric: str | None) -> tuple[list[tuple[str, bytes]], list[str]]:
    """(files, options) for the rubric: a preset travels by name, a file as itself."""
    if rubric is None:
        return [], []
    load_rubric(rubric)  # a broken rubric fails here, not on Gradescope
    if rubric in PRESETS and not Path(rubric).is_file():
        return [], ["--rubric", rubric]
    path = Path(rubric)
    name = f"rubric{path.suffix}"
    return [(name, path.read_bytes())], ["--rubric", f"$SOURCE/{name}"]


def _course_files(course_data: Path | None) -> tuple[list[tuple[str, bytes]], list[str]]:
    if course_data is None:
        return [], []
    arrays = [course_data / "kernel.npy", *sorted(course_data.glob("samples_*.npy"))]
    if not arrays[0].is_file():
        raise ValueError(f"--course-data {course_data} has no kernel.npy")
    return [(f"course-data/{p.name}", p.read_bytes()) for p in arrays], [
        "--course-data",
        "$SOURCE/course-data",
    ]


def _quoted(options: list[str]) -> str:
    """Options for the script: $SOURCE paths left for bash to expand, everything else quoted."""
    return " ".join(f'"{o}"' if o.startswith("$SOURCE/") else shlex.quote(o) for o in options)


def write_bundle(target: Path, options: BundleOptions = BundleOptions()) -> list[str]:
    """The autograder zip at `target` (a new .zip path); returns the names it holds."""
    if target.suffix.lower() != ".zip":
        raise ValueError(
            f"--gradescope-bundle {target}: give the path of the .zip to write (e.g. autograder.zip)"
        )
    if target.exists():
        raise ValueError(f"--gradescope-bundle {target} exists already: remove it or give a new path")
    rubric_files, rubric_options = _rubric_files(options.rubric)
    course_files, course_options = _course_files(options.course_data)
    check = ["--timeout", f"{options.check_timeout:g}"]
    if options.memory_mb is not None:
        check += ["--memory-mb", str(options.memory_mb)]
    if options.homework is not None:
        check += ["--homework", str(options.homework)]
    torch_lines, other = pinned_requirements()
    with tempfile.TemporaryDirectory(prefix="ee449-bundle-") as scratch:
        built = wheel.build_wheel(Path(scratch))
        files = [
            (built.name, built.read_bytes()),
            ("requirements-torch.txt", ("\n".join(torch_lines) + "\n").encode()),
            ("requirements.txt", ("\n".join(other) + "\n").encode()),
            ("setup.sh", SETUP_SH.format(cpu_index=CPU_INDEX, wheel=built.name).encode()),
            (
                "run_autograder",
                RUN_AUTOGRADER.format(options=_quoted(rubric_options + course_options + check)).encode(),
            ),
            *rubric_files,
            *course_files,
        ]
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        for name, data in files:
            info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
            info.external_attr = (0o755 if name in {"setup.sh", "run_autograder"} else 0o644) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            bundle.writestr(info, data)
    partial.replace(target)  # a stopped bundling leaves no half zip under the name Gradescope gets
    return [name for name, _ in files]
