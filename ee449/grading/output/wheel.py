"""A wheel of the running ee449, built from its own files: the Gradescope bundle needs one from any install.

A pip-installed ee449 has no source tree to build from, but its package files and metadata are
all a pure-Python wheel is (https://packaging.python.org/en/latest/specifications/binary-distribution-format/):
the package, `<name>-<version>.dist-info/` with METADATA, WHEEL, entry_points.txt and RECORD
(each file's sha256). Without installed metadata (a source checkout on PYTHONPATH), METADATA is
made from the checkout's pyproject.toml.
"""

from __future__ import annotations

import base64
import hashlib
import re
import zipfile
from importlib import metadata
from pathlib import Path

import ee449

WHEEL = (
    "Wheel-Version: 1.0\nGenerator: ee449.grading.output.wheel\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
)
ENTRY_POINTS = "[console_scripts]\nee449 = ee449.cli:main\n"


def _pyproject_metadata(pyproject: Path) -> str:
    try:
        import tomllib  # Python 3.11+
    except ImportError:
        import tomli as tomllib  # the same parser on 3.10
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    lines = ["Metadata-Version: 2.1", f"Name: {project['name']}", f"Version: {project['version']}"]
    lines += [f"Requires-Python: {project['requires-python']}"] if "requires-python" in project else []
    lines += [f"Requires-Dist: {dep}" for dep in project.get("dependencies", [])]
    return "\n".join(lines) + "\n"


def installed_metadata() -> str:
    """ee449's METADATA: the installed distribution's, or made from the checkout's pyproject.toml."""
    package = Path(ee449.__file__).resolve().parent
    pyproject = package.parent / "pyproject.toml"
    if pyproject.is_file():  # a checkout (editable or on PYTHONPATH): its pyproject is what runs
        return _pyproject_metadata(pyproject)
    try:
        text = metadata.distribution("ee449").read_text("METADATA")
    except metadata.PackageNotFoundError:
        text = None
    if not text:
        raise ValueError(f"ee449 at {package} has neither installed metadata nor a pyproject.toml beside it")
    return text


def requirements(meta: str) -> list[str]:
    """The `Requires-Dist` names of METADATA (no extras) whose environment marker holds here, in order."""
    return [_name(spec) for spec in _specs(meta) if _marker_holds(spec)]


def requirements_elsewhere(meta: str) -> list[str]:
    """The `Requires-Dist` lines (no extras) whose marker does not hold here (`tomli; python_version <
    '3.11'` on 3.11): nothing installed here to pin them to, so they travel as written."""
    return [spec for spec in _specs(meta) if not _marker_holds(spec)]


def _specs(meta: str) -> list[str]:
    return [
        line.split(":", 1)[1].strip()
        for line in meta.splitlines()
        if line.startswith("Requires-Dist:") and "extra ==" not in line
    ]


def _name(spec: str) -> str:
    return re.split(r"[\s<>=!~;\[(]", spec, maxsplit=1)[0]


def _marker_holds(spec: str) -> bool:
    if ";" not in spec:
        return True
    from packaging.markers import Marker  # matplotlib's and pytest's dependency: always installed

    return Marker(spec.split(";", 1)[1].strip()).evaluate()


def _digest(data: bytes) -> str:
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def build_wheel(folder: Path) -> Path:
    """Write ee449-<version>-py3-none-any.whl of the running ee449 into `folder`; returns its path."""
    package = Path(ee449.__file__).resolve().parent
    version = ee449.__version__
    info = f"ee449-{version}.dist-info"
    files: list[tuple[str, bytes]] = []
    for path in sorted(package.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix not in {".pyc", ".pyo"}:
            files.append((f"ee449/{path.relative_to(package).as_posix()}", path.read_bytes()))
    files += [
        (f"{info}/METADATA", installed_metadata().encode("utf-8")),
        (f"{info}/WHEEL", WHEEL.encode()),
        (f"{info}/entry_points.txt", ENTRY_POINTS.encode()),
    ]
    record = "".join(f"{name},{_digest(data)},{len(data)}\n" for name, data in files) + f"{info}/RECORD,,\n"
    target = folder / f"ee449-{version}-py3-none-any.whl"
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as wheel:
        for name, data in files:
            wheel.writestr(name, data)
        wheel.writestr(f"{info}/RECORD", record)
    return target
