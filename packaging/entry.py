"""Entry point of the frozen build: the same as the `peacetable` command."""

import sys

from peacetable.cli import main

if __name__ == "__main__":
    sys.exit(main())
