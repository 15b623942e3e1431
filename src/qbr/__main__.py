"""Allow ``python -m qbr``."""

from qbr.cli import main

main()
