"""``qbr link`` / ``qbr unlink`` / ``qbr links``: which organization a vendor's company, organization or customer
belongs to."""

from __future__ import annotations

import click

from qbr.cli.app import CONTEXT_SETTINGS
from qbr.connectors.registry import accepted_names, source_system
from qbr.core.database import unit_of_work
from qbr.organizations.links import link_organization, list_links, unlink
from qbr.organizations.service import find_organization


@click.command("link", context_settings=CONTEXT_SETTINGS)
@click.argument("organization", metavar="ORG")
@click.argument("source", metavar="SOURCE")
@click.argument("external_id", metavar="EXTERNAL_ID")
@click.option("--name", "external_name", help="The record's name in the vendor system, kept for display.")
def link_command(organization: str, source: str, external_id: str, external_name: str | None) -> None:
    """Link ORG (name or id) to EXTERNAL_ID in SOURCE: a ConnectWise company id, a NinjaOne organization id or a
    QuickBooks customer id (sub-customers follow their parent). `qbr connectors discover SOURCE` lists the ids."""
    name = source_system(source)
    with unit_of_work() as session:
        org = find_organization(session, organization)
        link = link_organization(session, org, name, external_id, external_name)
        click.echo(f"{org.name!r} is linked to {name} id {link.external_id}")


@click.command("unlink", context_settings=CONTEXT_SETTINGS)
@click.argument("source", metavar="SOURCE")
@click.argument("external_id", metavar="EXTERNAL_ID")
def unlink_command(source: str, external_id: str) -> None:
    """Remove the link of EXTERNAL_ID in SOURCE; data already synced stays."""
    name = source_system(source)
    with unit_of_work() as session:
        unlink(session, name, external_id)
    click.echo(f"{name} id {external_id.strip()} is no longer linked")


@click.command("links", context_settings=CONTEXT_SETTINGS)
@click.option("--source", help=f"Only this source ({accepted_names()}).")
def links_command(source: str | None) -> None:
    """List every link between an organization and a vendor record."""
    with unit_of_work(read_only=True) as session:
        rows = list_links(session, source_system(source) if source else None)
        if not rows:
            click.echo("no links yet (see `qbr connectors discover SOURCE`)")
        for link, org in rows:
            label = f" ({link.external_name})" if link.external_name else ""
            click.echo(f"{org.name:<30} {link.source_system:<12} {link.external_id}{label}")
