"""Code appended to a PDF report, read back by position as a .py file (nothing in a PDF runs)."""
