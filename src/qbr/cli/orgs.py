"""``qbr orgs``: the client organizations and the MSP's own organization."""

from __future__ import annotations

import click

from qbr.cli.app import command_group
from qbr.core.database import unit_of_work
from qbr.organizations.service import create_organization, list_organizations

orgs_group = command_group("orgs", "List and create organizations (the MSP's clients, and the MSP itself).")


@orgs_group.command("list")
def list_command() -> None:
    """List every organization with its id."""
    with unit_of_work(read_only=True) as session:
        organizations = list_organizations(session)
        if not organizations:
            click.echo("no organizations yet (create one with `qbr orgs create NAME`)")
        for org in organizations:
            flags = [flag for flag, on in (("msp", org.is_msp), ("inactive", not org.is_active)) if on]
            suffix = f"  [{', '.join(flags)}]" if flags else ""
            click.echo(f"{org.id:>5}  {org.name}{suffix}")


@orgs_group.command("create")
@click.argument("name")
@click.option("--msp", is_flag=True, help="This organization is the MSP itself (its internal QBR).")
def create_command(name: str, msp: bool) -> None:
    """Create an organization named NAME (unique, up to 200 characters)."""
    with unit_of_work() as session:
        org = create_organization(session, name, is_msp=msp)
        click.echo(f"created organization {org.name!r} with id {org.id}")
