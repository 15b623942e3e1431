"""``qbr keys``: API keys for scripts and integrations (shown once, stored hashed, revocable)."""

from __future__ import annotations

import click

from qbr.auth.keys import create_api_key, list_api_keys, revoke_api_key
from qbr.auth.scope import KEY_SCOPE, load_scopes
from qbr.cli.app import command_group
from qbr.cli.options import organizations_option, role_option
from qbr.cli.timefmt import when
from qbr.core.database import unit_of_work
from qbr.organizations.service import find_organization

keys_group = command_group("keys", "Create, list and revoke API keys (the X-API-Key header of the REST API).")


@keys_group.command("create")
@click.option("--name", required=True, help="What the key is for, e.g. 'reporting script'.")
@role_option
@organizations_option("key")
@click.option("--if-none", is_flag=True, help="Do nothing when an active key exists (for setup scripts).")
def create_command(name: str, role: str, organizations: tuple[str, ...], if_none: bool) -> None:
    """Create an API key and print it. It is shown only this once: store it safely."""
    with unit_of_work() as session:
        if if_none and list_api_keys(session, include_revoked=False):
            click.echo("an active API key exists already; none created (see `qbr keys list`)")
            return
        organization_ids = [find_organization(session, org).id for org in organizations]
        api_key, secret = create_api_key(session, name, role, organization_ids)
        scope = f"organizations {', '.join(map(str, organization_ids))}" if organization_ids else "every organization"
        click.echo(f"created API key {api_key.key_prefix} ({api_key.name!r}, {role}, {scope}); it is shown only once:")
        click.echo(secret)


@keys_group.command("list")
@click.option("--active", is_flag=True, help="Leave out revoked keys.")
def list_command(active: bool) -> None:
    """List API keys: id, prefix, name, role, organizations, last use (never the keys themselves)."""
    with unit_of_work(read_only=True) as session:
        keys = list_api_keys(session, include_revoked=not active)
        if not keys:
            click.echo("no API keys yet (create one with `qbr keys create --name N --role R`)")
            return
        scopes = load_scopes(session, KEY_SCOPE, [key.id for key in keys])
        for key in keys:
            orgs = ",".join(map(str, scopes.get(key.id, []))) or "all"
            state = f"revoked {when(key.revoked_at)}" if key.revoked_at else f"last used {when(key.last_used_at)}"
            click.echo(f"{key.id:>5}  {key.key_prefix}  {key.role:<6}  orgs={orgs:<10}  {state}  {key.name}")


@keys_group.command("revoke")
@click.argument("key")
def revoke_command(key: str) -> None:
    """Revoke the API key KEY (its id or its prefix, e.g. qbr_1a2b3c4d); it stops working at once."""
    with unit_of_work() as session:
        api_key = revoke_api_key(session, key)
        click.echo(f"revoked API key {api_key.key_prefix} ({api_key.name!r})")
