"""``python -m diffbench``: the same command line as ``diffbench``."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
