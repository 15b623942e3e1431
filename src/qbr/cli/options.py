"""Options several commands share, spelt and explained the same way everywhere."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from qbr.auth.models import ROLES

role_option = click.option(
    "--role", type=click.Choice(ROLES), required=True, help="admin (everything), editor (data entry) or viewer."
)


def organizations_option(holder: str) -> Callable[[Any], Any]:
    return click.option(
        "--org",
        "organizations",
        multiple=True,
        metavar="ORG",
        help=f"Limit the {holder} to this organization (name or id); repeat for several. Default: every one.",
    )
