"""What a grading writes and keeps: reports, exports, graded.json, evidence, similarity hints, the Gradescope bundle."""
