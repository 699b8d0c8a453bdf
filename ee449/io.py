"""Writing results so that nothing is lost: atomic files and one strict JSON serializer.

Every file the package writes goes through `atomic_write_bytes`: the bytes go to a temporary
file in the same folder, are flushed to disk, and the temporary file is renamed over the target.
A crash or Ctrl-C leaves either the old file or the new one, never half of one. The file gets
the mode any new file of the user's would (0666 less the umask), not the temporary file's 0600:
a course's shared folder or web server must be able to read the report and results.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from ee449.errors import ResultsError


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> Path:
    """Write `data` to `path` atomically (temp file in the same folder + fsync + rename)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, 0o666 & ~current_umask())  # mkstemp makes 0600 whatever the umask
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, path)
    except BaseException as error:
        Path(tmp_name).unlink(missing_ok=True)
        if isinstance(error, OSError) and error.filename in (None, tmp_name):
            # A full disk fails in write/fsync, which name no file: name the target instead.
            raise OSError(error.errno, error.strerror, str(path)) from error
        raise
    return path


def current_umask() -> int:
    """The process's umask (os.umask can only be read by setting it, so it is set back at once)."""
    mask = os.umask(0o077)
    os.umask(mask)
    return mask


def to_jsonable(value: Any) -> Any:
    """Plain JSON types from results: dataclasses, numpy and torch values, paths, tuples.

    Non-finite floats become None (JSON has no NaN; a diverged run's loss is recorded as null
    and flagged elsewhere). Any other type raises TypeError naming it: we never write a
    result we could not read back.
    """
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return to_jsonable(value.tolist())
    if isinstance(value, np.generic):
        return to_jsonable(value.item())
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    if type(value).__module__.startswith("torch"):
        import torch

        if isinstance(value, torch.Tensor):
            return to_jsonable(value.detach().cpu().numpy())
        if isinstance(value, (torch.device, torch.dtype)):
            return str(value)
    raise TypeError(f"cannot write a value of type {type(value).__qualname__} to JSON: {value!r:.80}")


def write_json(path: str | os.PathLike, payload: Any) -> Path:
    """Serialize `payload` strictly (see `to_jsonable`) and write it atomically."""
    text = json.dumps(to_jsonable(payload), indent=1, allow_nan=False)
    return atomic_write_bytes(path, (text + "\n").encode("utf-8"))


def read_json(path: str | os.PathLike) -> Any:
    """Read a JSON file, raising ResultsError that names the file when it is missing or corrupt."""
    path = Path(path)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ResultsError(f"result file not found: {path}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ResultsError(f"result file {path} is not valid JSON ({error})") from None


def save_npy(path: str | os.PathLike, array: np.ndarray) -> Path:
    """Save an array in .npy format atomically."""
    import io

    buffer = io.BytesIO()
    np.save(buffer, np.asarray(array), allow_pickle=False)
    return atomic_write_bytes(path, buffer.getvalue())
