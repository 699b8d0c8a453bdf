"""Sandbox side of result-file discovery: what each candidate file holds, as plain data.

    python -m ee449.grading.sandboxed.peek LIST.json OUT.json

LIST.json names files (relative to the cwd, the submission's copy); OUT.json gets, per file,
{"kind": "json" | "pickle" | "torch", "keys": [...], "name": str | None} or {"error": "..."}.
Unpickling runs code, so this runs only in a sandboxed child process (`resultfiles.peek`), never
in the grader's own process; each file has its own alarm.
"""

from __future__ import annotations

import json
import pickle
import signal
import sys
import zipfile
from pathlib import Path

PER_FILE_S = 10


class _Timeout(BaseException):
    pass


def _alarm(signum: int, frame: object) -> None:
    raise _Timeout()


def load(path: Path) -> tuple[str, object]:
    """(kind, the object) of a JSON, pickle or torch.save file."""
    head = path.open("rb").read(64)
    if head.lstrip()[:1] in (b"{", b"["):
        return "json", json.loads(path.read_text(encoding="utf-8"))
    if zipfile.is_zipfile(path):
        import torch

        return "torch", torch.load(path, map_location="cpu", weights_only=False)
    with path.open("rb") as handle:
        return "pickle", pickle.load(handle)


def describe(path: Path) -> dict:
    signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(PER_FILE_S)
    try:
        kind, data = load(path)
    except _Timeout:
        return {"error": f"reading it took over {PER_FILE_S} s"}
    except BaseException as error:  # noqa: BLE001 - any failure is this file's, reported as such
        return {"error": f"{type(error).__name__}: {str(error)[:160]}"}
    finally:
        signal.alarm(0)
    if not isinstance(data, dict):
        return {"kind": kind, "keys": [], "name": None, "type": type(data).__name__}
    name = data.get("name")
    return {
        "kind": kind,
        "keys": sorted(str(k) for k in data),
        "name": name if isinstance(name, str) else None,
        "type": "dict",
    }


def main(argv: list[str]) -> int:
    files = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    out = {rel: describe(Path(rel)) for rel in files}
    Path(argv[1]).write_text(json.dumps(out), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
