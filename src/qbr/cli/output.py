"""Plain, aligned text tables and number formatting for command output (readable, and easy to grep or paste)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

import click

from qbr.core.text import terminal_safe


def echo_table(headers: Sequence[str], rows: Sequence[Sequence[object]], *, right: Sequence[int] = ()) -> None:
    """Print ``rows`` under ``headers`` in aligned columns; columns listed in ``right`` are right-aligned."""
    # Cells are stored text (names, vendors' messages): escaped, so none of them can drive the terminal.
    cells = [[str(h) for h in headers], *[["" if c is None else terminal_safe(str(c)) for c in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    for number, row in enumerate(cells):
        parts = [
            cell.rjust(w) if i in right else cell.ljust(w) for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        ]
        click.echo("  ".join(parts).rstrip())
        if number == 0:
            click.echo("  ".join("-" * w for w in widths))


def number(value: Decimal | None) -> str:
    """A stored amount as people read it: thousands separators, two decimals; em dash for no value."""
    return "—" if value is None else f"{value:,.2f}"


def count(value: int, noun: str) -> str:
    return f"{value:,} {noun}{'' if value == 1 else 's'}"
