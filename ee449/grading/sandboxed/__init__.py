"""What runs beside a student's code, inside the sandbox: nothing here trusts or imports the grader.

`sandbox.lib` copies the importable part (`checks/`, `probe`, `peek`, `layers`, `batch_views`,
`edition_fit`, `xor_behaviour`, `xor_defects`) into a read-only `ee449` of each sandbox's own,
with `spec`, the editions and two model helpers, and no reference code. The `sandboxed_*.py` files
are scripts started by path with `python -I`: the student's run (`sandboxed_run_harness`, with
`_recorder`, `_values` and `_stubs`), the warm interpreter that serves a grading (`sandboxed_warm`), and the
zygote that forks into a sandbox (`sandboxed_zygote`: our code only, outside every sandbox until
its child joins one). Their names keep the `sandboxed_` prefix because they import each other as
top-level modules, where a student's `run_recorder.py` must never be taken for ours.

The grader reads what these write as untrusted data (`sandbox.output_folder`, `run_records`,
`sandbox.progress_log`, `judging.records`); import-linter holds this package to importing none of
the grader.
"""
