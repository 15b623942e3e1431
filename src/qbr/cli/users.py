"""``qbr users``: people who sign in to the dashboard, with a role and optionally limited to organizations."""

from __future__ import annotations

import secrets

import click

from qbr.auth.scope import USER_SCOPE, load_scopes
from qbr.auth.users import create_user, find_user, list_users, update_user
from qbr.cli.app import command_group
from qbr.cli.options import organizations_option, role_option
from qbr.cli.timefmt import when
from qbr.core.database import unit_of_work
from qbr.organizations.service import find_organization

users_group = command_group("users", "Create, list, disable and enable dashboard users; reset passwords.")

_password_option = click.option(
    "--password",
    envvar="QBR_USER_PASSWORD",
    help="At least 10 characters. Asked for (hidden) when not given; QBR_USER_PASSWORD also works for scripts.",
)


def _ask_password(password: str | None) -> str:
    if password is not None:
        return password
    answer: str = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    return answer


@users_group.command("create")
@click.argument("username")
@role_option
@organizations_option("user")
@click.option(
    "--generate-password", is_flag=True, help="Make up a strong password and print it once, instead of asking."
)
@click.option("--if-none", is_flag=True, help="Do nothing when any user exists (for setup scripts).")
@_password_option
def create_command(
    username: str,
    role: str,
    organizations: tuple[str, ...],
    generate_password: bool,
    if_none: bool,
    password: str | None,
) -> None:
    """Create the user USERNAME (letters, digits, . _ @ + -; an e-mail address works)."""
    if if_none:
        with unit_of_work() as session:
            if list_users(session):
                click.echo("a user exists already; none created (see `qbr users list`)")
                return
    # Asked before the database is touched, so no transaction waits on someone typing.
    password = secrets.token_urlsafe(15) if generate_password else _ask_password(password)
    with unit_of_work() as session:
        organization_ids = [find_organization(session, org).id for org in organizations]
        user = create_user(session, username, password, role, organization_ids)
        click.echo(f"created user {user.username!r} ({role})")
        if generate_password:
            click.echo(f"password (shown only once): {password}")


@users_group.command("list")
def list_command() -> None:
    """List users with their role, organizations, state and last sign-in."""
    with unit_of_work(read_only=True) as session:
        users = list_users(session)
        if not users:
            click.echo("no users yet (create one with `qbr users create NAME --role admin`)")
            return
        scopes = load_scopes(session, USER_SCOPE, [user.id for user in users])
        for user in users:
            orgs = ",".join(map(str, scopes.get(user.id, []))) or "all"
            state = "active" if user.is_active else "disabled"
            click.echo(
                f"{user.id:>5}  {user.username:<30}  {user.role:<6}  orgs={orgs:<10}  {state:<8}  "
                f"last sign-in {when(user.last_login_at)}"
            )


@users_group.command("disable")
@click.argument("username")
def disable_command(username: str) -> None:
    """Disable USERNAME (name or id): they can no longer sign in, and open sessions stop working."""
    _change(username, "disabled user {!r}", is_active=False)


@users_group.command("enable")
@click.argument("username")
def enable_command(username: str) -> None:
    """Enable USERNAME (name or id) again after `qbr users disable` (sessions it ended stay ended: sign in anew)."""
    _change(username, "enabled user {!r}", is_active=True)


@users_group.command("password")
@click.argument("username")
@_password_option
def password_command(username: str, password: str | None) -> None:
    """Set a new password for USERNAME (name or id)."""
    _change(username, "password of {!r} changed", password=_ask_password(password))


def _change(username: str, done: str, *, is_active: bool | None = None, password: str | None = None) -> None:
    with unit_of_work() as session:
        user = update_user(session, find_user(session, username), is_active=is_active, password=password)
        click.echo(done.format(user.username))
