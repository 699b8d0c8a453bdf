"""`ee449 bench`'s measurements: ee449's trainer against the homework's reference loop.

- `ee449.bench.run`        the phases, timed, and the JSON-ready result (`run_bench`)
- `ee449.bench.reference`  the homework's per-image training loop, as student code writes it
- `ee449.bench.summary`    the environment behind the numbers, the printed summary, a RESULTS.md row

The command's options are `ee449.cli.bench`.
"""
