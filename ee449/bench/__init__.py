"""`ee449 bench`'s measurements: ee449's trainer against the homework's reference loop.

- `ee449.bench.options`    what one run measures (`BenchOptions`), the `--quick` preset
- `ee449.bench.run`        the phases, timed, and the JSON-ready result (`run_bench`)
- `ee449.bench.reference`  the homework's per-image training loop, as student code writes it
- `ee449.bench.summary`    the environment behind the numbers, the printed summary, a RESULTS.md row

The options are `ee449.bench.options` (no torch: `ee449 bench --help` is instant); the command is
`ee449.cli.bench` and `ee449.cli.bench_options`.
"""
