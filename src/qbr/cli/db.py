"""``qbr db``: create, upgrade, downgrade and inspect the database schema."""

from __future__ import annotations

import click

from qbr.cli.app import command_group
from qbr.core import migrate
from qbr.core.database import get_engine

db_group = command_group("db", "Create and migrate the database schema (Alembic migrations shipped with the package).")


@db_group.command("upgrade")
@click.argument("revision", default="head")
def upgrade(revision: str) -> None:
    """Create or migrate the database at QBR_DATABASE_URL up to REVISION (default: head, the newest)."""
    engine = get_engine()
    migrate.upgrade(engine, revision)
    click.echo(f"database {_describe(engine.url)} is at revision {migrate.current_revision(engine)}")


@db_group.command("downgrade")
@click.argument("revision")
def downgrade(revision: str) -> None:
    """Migrate the database down to REVISION: a revision id, -1 for one step, or base (drops every table)."""
    engine = get_engine()
    migrate.downgrade(engine, revision)
    click.echo(f"database {_describe(engine.url)} is at revision {migrate.current_revision(engine) or 'base'}")


@db_group.command("current")
def current() -> None:
    """Show the database's revision and whether it is the newest."""
    engine = get_engine()
    revision = migrate.current_revision(engine)
    head = migrate.head_revision(engine)
    state = "up to date" if revision == head else f"behind: the newest is {head}; run `qbr db upgrade`"
    click.echo(f"{revision or 'base (empty database)'} ({state})")


@db_group.command("check")
def check() -> None:
    """Fail if the models and the migrations disagree (for developers and CI)."""
    migrate.check(get_engine())
    click.echo("models and migrations agree")


def _describe(url: object) -> str:
    render = getattr(url, "render_as_string", None)
    return render(hide_password=True) if render else str(url)
