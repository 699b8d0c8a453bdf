"""The training benchmark as a script: exactly `ee449 bench` (the code lives in ee449/bench/).

python benchmarks/bench_training.py --markdown   # the full bench; prints the benchmarks/RESULTS.md row
python benchmarks/bench_training.py --quick      # tiny settings, a smoke test
python benchmarks/bench_training.py --help       # every option
"""

import sys

from ee449.cli import main

if __name__ == "__main__":
    sys.exit(main(["bench", *sys.argv[1:]]))
