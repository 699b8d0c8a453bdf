"""What a submission hands in, taken in as data: the archive (`unzip`), who it is (`roster`,
`submission_meta`), its result files found by content (`resultfiles`, opened in a sandbox by
`sandboxed.peek`), and the code printed in its PDF report (`pdf/`, read in a limited child)."""
