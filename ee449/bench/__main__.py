"""`python -m ee449.bench ...` is `ee449 bench ...`."""

import sys

from ee449.cli import main

sys.exit(main(["bench", *sys.argv[1:]]))
