"""``qbr share``: read-only links to a published review for people without an account."""

from __future__ import annotations

import getpass

import click

from qbr.cli.app import command_group
from qbr.core.database import unit_of_work
from qbr.core.settings import get_settings
from qbr.organizations.models import Organization
from qbr.organizations.service import find_organization
from qbr.periods.calendar import parse_period
from qbr.reviews.models import ReviewVersion
from qbr.sharing.service import (
    DEFAULT_DAYS,
    MAX_DAYS,
    create_share_link,
    link_state,
    list_share_links,
    openings,
    revoke_share_link,
    share_url,
)

share_group = command_group("share", "Read-only links to a published review, for people without an account.")


@share_group.command("create")
@click.argument("organization", metavar="ORG")
@click.argument("period", metavar="PERIOD")
@click.option("--days", default=DEFAULT_DAYS, show_default=True, type=click.IntRange(1, MAX_DAYS), help="Valid for.")
def share_create(organization: str, period: str, days: int) -> None:
    """Print a link to the newest published version of ORG's review of PERIOD (client edition, page and PDF).
    The link is shown once; only its hash is stored."""
    ref = parse_period(period, location="PERIOD")
    with unit_of_work() as session:
        org = find_organization(session, organization)
        created = create_share_link(session, org.id, ref.value, created_by=getpass.getuser(), days=days)
        expires = f"{created.link.expires_at:%Y-%m-%d %H:%M} UTC"
        link_id = created.link.id
    click.echo(share_url(get_settings().public_url, created.token))
    click.echo(f"share link {link_id} for {org.name}, {ref.value}; expires {expires}", err=True)


@share_group.command("list")
@click.argument("organization", metavar="[ORG]", required=False)
def share_list(organization: str | None) -> None:
    """Share links, newest first: organization, period and version, state, expiry, and how often they were opened."""
    with unit_of_work(read_only=True) as session:
        ids = [find_organization(session, organization).id] if organization else None
        links = list_share_links(session, ids)
        if not links:
            click.echo("no share links yet (see `qbr share create ORG PERIOD`)")
        for link in links:
            version = session.get(ReviewVersion, link.review_version_id)
            org = session.get(Organization, link.organization_id)
            opened = openings(session, link.id)
            last = f", last {opened[-1].opened_at:%Y-%m-%d %H:%M} from {opened[-1].client_address}" if opened else ""
            click.echo(
                f"{link.id:>4}  {org.name if org else link.organization_id}  "
                f"{version.period if version else '?'} v{version.version if version else '?'}  {link_state(link):<8}"
                f"  expires {link.expires_at:%Y-%m-%d}  opened {len(opened)} time(s){last}"
            )


@share_group.command("revoke")
@click.argument("link_id", type=int, metavar="ID")
def share_revoke(link_id: int) -> None:
    """Revoke share link ID: it answers 404 from now on."""
    with unit_of_work() as session:
        revoke_share_link(session, link_id, by=getpass.getuser())
    click.echo(f"share link {link_id} revoked")
