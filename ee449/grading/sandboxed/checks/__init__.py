"""The graded checks: pytest modules the grader copies into each sandbox and runs there.

They are never collected by the project's own test run (their files are named `check_*.py`
and live outside `tests/`); `conftest.py` here is the sandbox-side pytest plugin.
"""
