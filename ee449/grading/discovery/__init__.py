"""Finding what to grade by reading the submission's code, never running it.

Parsing whatever Python a student wrote (`parsing`), the names a file binds and the statements a
definition needs (`bindings`, `closure`, `sources`), constants folded as the interpreter would
(`folding`, `call_sites`), which definition is which homework target (`naming`, `extract`, with
what the run of the scripts recorded matched in by `run_matching`), how each model is
constructed (`construct`, `constructions`), and what the source alone says (`static`, `provenance`).
Nothing here imports torch or runs student code: that happens in the sandbox (`grading.sandboxed`),
which imports nothing from here.
"""
