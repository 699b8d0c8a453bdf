"""Find a submission's result files by what they hold, whatever their names, and give each a slot.

Students name results `q3_results.pkl`, `[cnn_3]_record`, `part_3_mlp1.json` or nothing at all.
Every file that starts like JSON, a pickle or a `torch.save` archive is opened in a sandboxed
child (`peek`: unpickling runs code, so never here) and judged by its keys: a dict holding the
homework's keys of Part 3, 4 or 5 is that part's result. Its architecture comes from its file
name, else from its `name` value.

Slots are fixed: `part3_<arch>` and `part4_<arch>` for the five architectures and `part5`, so
every submission has the same checks and the same maximum score under one rubric; a slot no file
fills fails its checks with "not found".
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from ee449.grading import sandbox
from ee449.grading.discovery.naming import match_target
from ee449.grading.discovery.sources import SKIPPED_DIRS
from ee449.grading.sandbox.isolation import Mounts, installed_ee449, isolated_python
from ee449.grading.sandbox.lib import build_lib
from ee449.grading.sandbox.output_folder import OutputFolder
from ee449.grading.sandboxed.checks.rules import KEYS
from ee449.io import atomic_write_bytes
from ee449.spec import ARCHITECTURES

MAX_RESULT_BYTES = 20_000_000  # curves and one layer's weights: under 2 MB; CIFAR-10's own batches are 31 MB
MAX_SKIPPED_NOTES = 20  # a submission with its data folder would otherwise list 60,000 images
SLOTS: tuple[str, ...] = (
    *(f"part3_{a}" for a in ARCHITECTURES),
    *(f"part4_{a}" for a in ARCHITECTURES),
    "part5",
)
_ARCH_IN_NAME = re.compile(r"(mlp|cnn)[\s_\-\[\]]*([1-5])", re.IGNORECASE)
_CODE_SUFFIXES = {".py", ".ipynb"}
# Never a result dict, so not even opened (a data folder can hold tens of thousands of images).
_NOT_RESULTS = {
    ".png",
    ".jpg",
    ".jpeg",
    ".gif",
    ".bmp",
    ".pdf",
    ".npy",
    ".npz",
    ".txt",
    ".md",
    ".csv",
    ".gz",
    ".tgz",
    ".zip",
    ".docx",
    ".pptx",
    ".html",
    ".svg",
    ".mp4",
}


@dataclass
class ResultFiles:
    slots: dict[str, str | None]  # slot -> the file that fills it (relative path), or None
    notes: list[str] = field(default_factory=list)  # what was checked and skipped, and why

    def to_json(self) -> list[dict]:
        return [
            {
                "slot": slot,
                "file": file,
                "part": int(slot[4]),
                "arch": slot.split("_", 1)[1] if "_" in slot else None,
            }
            for slot, file in self.slots.items()
        ]


def sniff(path: Path) -> str | None:
    """'json', 'pickle' or 'torch' by the first bytes, or None: what could hold a result dict."""
    try:
        with path.open("rb") as handle:
            head = handle.read(64)
    except OSError:
        return None
    if head.lstrip()[:1] == b"{":
        return "json"
    if head[:1] == b"\x80" or head[:2] in {b"(d", b"}q", b"(l"}:  # pickle protocol 2+ / protocol 0-1 dicts
        return "pickle"
    if head[:2] == b"PK" and path.suffix.lower() in {".pt", ".pth", ".tar", ""}:
        return "torch"
    return None


def candidates(work: Path) -> tuple[list[str], dict[str, str]]:
    """Files that may hold a result dict, and the others with why they were not opened."""
    found: list[str] = []
    skipped: dict[str, str] = {}
    for path in sorted(work.rglob("*")):
        rel_parts = path.relative_to(work).parts
        if not path.is_file() or path.is_symlink() or path.suffix.lower() in _CODE_SUFFIXES:
            continue
        if any(part in SKIPPED_DIRS or part.startswith(".") for part in rel_parts):
            continue
        rel = "/".join(rel_parts)
        if path.stat().st_size > MAX_RESULT_BYTES:
            skipped[rel] = f"larger than {MAX_RESULT_BYTES // 1_000_000} MB"
        elif path.suffix.lower() in _NOT_RESULTS or sniff(path) is None:
            skipped[rel] = "not JSON, a pickle or a torch.save file"
        elif len(found) >= MAX_PEEKED:
            skipped[rel] = f"more than {MAX_PEEKED} files that could hold results: not opened"
        else:
            found.append(rel)
    return found, skipped


MAX_PEEKED = 40  # files opened at most: a submission's result files are 11; more are listed as skipped
PEEK_BUDGET_S = 120.0  # one child reads them all, each with its own alarm (`peek.PER_FILE_S`)
MAX_PEEK_OUT_BYTES = 2 * 2**20


def peek(work: Path, files: list[str], root: Path, memory_mb: int) -> dict[str, dict]:
    """What each file holds (`ee449.grading.sandboxed.peek`), read in a sandboxed child process.

    The list goes in the grader's own folder (shown read-only), the answer is read back without
    following links (`OutputFolder`) and checked entry by entry; the time is the grader's: 30 s
    and 12 s a file, never more than PEEK_BUDGET_S however many files there are."""
    if not files:
        return {}
    grader = root / "grader"
    for name in ("tmp", "out", "grader"):  # the child's TMPDIR and output folder (a sandbox has them)
        (root / name).mkdir(exist_ok=True)
    listing = grader / "peek-files.json"
    atomic_write_bytes(listing, json.dumps(files).encode("utf-8"))
    limits = sandbox.Limits(timeout_s=min(PEEK_BUDGET_S, 30.0 + 12.0 * len(files)), memory_mb=memory_mb)
    mounts = Mounts(writable=(root / "tmp", root / "out"), readable=(grader,), hidden=installed_ee449())
    lib = build_lib(grader / "lib")
    completed = sandbox.run(
        [
            *isolated_python("ee449.grading.sandboxed.peek", lib, work),
            str(listing),
            str(root / "out" / "peek-out.json"),
        ],
        cwd=work,
        env=sandbox.minimal_env(root),
        limits=limits,
        mounts=mounts,
    )
    raw = OutputFolder(root, "out").read("peek-out.json", MAX_PEEK_OUT_BYTES)
    try:
        data = json.loads(raw.decode("utf-8")) if raw is not None else None
    except (ValueError, UnicodeDecodeError, RecursionError):
        data = None
    if not isinstance(data, dict):
        reason = "timed out" if completed.timed_out else f"exit status {completed.returncode}"
        return {f: {"error": f"the process reading result files stopped ({reason})"} for f in files}
    return {f: described(data.get(f)) for f in files}


def described(info: object) -> dict:
    """One file's entry of the peek's answer, checked: the child wrote it and may have forged it."""
    if not isinstance(info, dict):
        return {"error": "not read"}
    if isinstance(info.get("error"), str):
        return {"error": info["error"][:300]}
    keys, kind = info.get("keys"), info.get("kind")
    if kind not in {"json", "pickle", "torch"} or not isinstance(keys, list):
        return {"error": "the process reading it gave no kind or keys"}
    name = info.get("name")
    kind_of = info.get("type")
    return {
        "kind": kind,
        "keys": [k for k in keys if isinstance(k, str)],
        "name": name if isinstance(name, str) else None,
        "type": kind_of if isinstance(kind_of, str) else "unknown",
    }


def part_of(keys: list[str]) -> int | None:
    """The part whose homework keys the dict holds (at least two besides `name`, the most of any part)."""
    scores = {part: len(set(want) & set(keys) - {"name"}) for part, want in KEYS.items()}
    part = max(scores, key=lambda p: scores[p])
    return part if scores[part] >= 2 else None


def arch_of(rel: str, name: str | None) -> str | None:
    """The architecture a result file is for: from its file name (`[cnn_3]_record`), else its `name` value."""
    match = _ARCH_IN_NAME.search(Path(rel).name)
    if match:
        return f"{match.group(1).lower()}_{match.group(2)}"
    key = match_target(name) if name else None
    return key.replace("_sigmoid", "") if key and key != "my_conv2d" else None


def find_result_files(work: Path, root: Path, memory_mb: int) -> ResultFiles:
    """Fill the slots from the submission's files by content; notes say what each file was taken as."""
    files, skipped = candidates(work)
    described = peek(work, files, root, memory_mb)
    found = ResultFiles({slot: None for slot in SLOTS})
    for rel in files:
        info = described[rel]
        if "error" in info:
            found.notes.append(f"{rel}: could not be read ({info['error']})")
            continue
        part = part_of(info.get("keys", [])) if info.get("type") == "dict" else None
        if part is None:
            is_dict = info.get("type") == "dict"
            what = "a dict without the homework's keys" if is_dict else f"a {info.get('type')}"
            found.notes.append(f"{rel}: checked, {what}: not a result file")
            continue
        arch = arch_of(rel, info.get("name")) if part != 5 else None
        slot = f"part{part}" + (f"_{arch}" if part != 5 else "")
        if part != 5 and arch is None:
            found.notes.append(
                f"{rel}: Part {part} results, but neither its name nor its 'name' value says "
                "which architecture: not graded"
            )
        elif found.slots[slot] is not None:
            found.notes.append(
                f"{rel}: also Part {part} results{' for ' + arch if arch else ''}; "
                f"{found.slots[slot]} was graded"
            )
        else:
            found.slots[slot] = rel
            found.notes.append(f"{rel}: Part {part} results{' for ' + arch if arch else ''} ({info['kind']})")
    skipped_notes = [f"{rel}: skipped, {why}" for rel, why in skipped.items()]
    found.notes += skipped_notes[:MAX_SKIPPED_NOTES]
    if len(skipped_notes) > MAX_SKIPPED_NOTES:
        found.notes.append(f"... and {len(skipped_notes) - MAX_SKIPPED_NOTES} more files skipped")
    return found
