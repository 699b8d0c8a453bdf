"""The verdict on each check, in the grader's process: records read back, references, diagnoses, deductions."""
