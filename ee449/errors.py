"""The few exception types the package raises beyond ValueError / TypeError."""

import errno


class DataError(RuntimeError):
    """Data is missing, laid out wrongly, corrupt, or cannot be downloaded."""


class ResultsError(RuntimeError):
    """A result file is missing, unreadable, or does not match the expected schema."""


class WorkError(RuntimeError):
    """A fault during work (a full disk, a folder that became unwritable): exit status 1, not 2.

    The message says what was kept, e.g. that finished runs stay saved.
    """

    exit_status = 1


def describe_os_error(error: OSError) -> str:
    """'cannot write PATH: [Errno 28 ENOSPC] No space left on device' (path and errno, one line)."""
    name = errno.errorcode.get(error.errno or 0, "")
    where = f" {error.filename}" if error.filename else ""
    return f"cannot write{where}: [Errno {error.errno} {name}] {error.strerror or error}"
