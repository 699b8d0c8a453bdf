"""`python -m ee449` is the `ee449` command."""

import sys

from ee449.cli import main

sys.exit(main())
