"""The exception types the package raises beyond ValueError / TypeError, in one place.

    ValueError, TypeError   a bad argument or input, named with what was expected (exit 2)
    ValueError
    +-- EditionError        an edition's spec file is missing, unreadable or off its schema
    +-- SubmissionError     a submitted archive that cannot be graded (corrupt, encrypted, unsafe)
    RuntimeError
    +-- DataError           data missing, laid out wrongly, corrupt, or not downloadable (exit 2)
    +-- ResultsError        a result file missing, unreadable, or off its schema (exit 2)
    +-- WorkError           a fault during work, e.g. a full disk; finished work is kept (exit 1)
    +-- FolderBusy          another ee449 command is writing the output folder (exit 2)
    +-- GradingError        the grader could not run its checks: not the submission's fault

The command line (`ee449.cli.main`) prints any of these in one line, no traceback, with the
exit status above; a class run turns a SubmissionError into that student's one-line
`submission/unpack`. Inside the grader, `grading.judging.records.Malformed` (a record that does
not parse) and `grading.judging.results` use exceptions of their own that never leave the
judging; `grading.sandbox.Interrupted` carries a Ctrl-C out of a grading. The code that runs in
the sandbox beside students' code (`grading/sandboxed/`)
raises its own BaseExceptions (a check's or a run's clock running out), which student code's
`except Exception` cannot swallow; they are standalone there by design and never reach here.
"""

import errno


class EditionError(ValueError):
    """An edition's spec file is missing, unreadable or does not fit the schema (`editions.load`)."""


class SubmissionError(ValueError):
    """The submitted file itself cannot be graded (a corrupt, encrypted or unsafe archive: `grading.unzip`)."""


class DataError(RuntimeError):
    """Data is missing, laid out wrongly, corrupt, or cannot be downloaded."""


class ResultsError(RuntimeError):
    """A result file is missing, unreadable, or does not match the expected schema."""


class WorkError(RuntimeError):
    """A fault during work (a full disk, a folder that became unwritable): exit status 1, not 2.

    The message says what was kept, e.g. that finished runs stay saved.
    """

    exit_status = 1


class FolderBusy(RuntimeError):
    """Another process holds the output folder's lock (`ee449.lock`)."""


class GradingError(RuntimeError):
    """The grader itself could not run its checks (pytest missing, a sandbox that cannot start):
    not the submission's fault (`grading.runner`)."""


def describe_os_error(error: OSError) -> str:
    """'cannot write PATH: [Errno 28 ENOSPC] No space left on device' (path and errno, one line)."""
    name = errno.errorcode.get(error.errno or 0, "")
    where = f" {error.filename}" if error.filename else ""
    return f"cannot write{where}: [Errno {error.errno} {name}] {error.strerror or error}"
