"""The few exception types the package raises beyond ValueError / TypeError."""


class DataError(RuntimeError):
    """Data is missing, laid out wrongly, corrupt, or cannot be downloaded."""


class ResultsError(RuntimeError):
    """A result file is missing, unreadable, or does not match the expected schema."""
