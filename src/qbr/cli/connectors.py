"""``qbr connectors``: connection settings and mapping rules, a connection test, and discovery of what to link."""

from __future__ import annotations

import click

from qbr.cli.app import command_group
from qbr.cli.sync import print_detail
from qbr.connectors.clients import open_client
from qbr.connectors.discovery import discover, external_entities
from qbr.connectors.registry import SOURCES, accepted_names, all_connectors, listed, source_system
from qbr.connectors.runs import list_runs, run_detail
from qbr.connectors.setting_specs import ACCOUNT_PREFIX
from qbr.connectors.settings import (
    http_options,
    load_settings,
    parse_assignments,
    store_settings,
    unset_settings,
)
from qbr.core.database import get_engine, unit_of_work
from qbr.core.text import terminal_safe
from qbr.organizations.links import link_organization

connectors_group = command_group(
    "connectors", f"Configure the {listed(SOURCES, 'and')} connectors and find what to link."
)
SOURCE_ARGUMENT = click.argument("source", metavar="SOURCE")


def _account_mappers() -> str:
    return listed([c.source for c in all_connectors() if c.maps_accounts], "and")


@connectors_group.command("show")
@click.argument("source", metavar="[SOURCE]", required=False)
def show_command(source: str | None) -> None:
    """Show each setting of SOURCE (default: every source), where it comes from, and what is missing.

    Secrets are never shown, only whether they are set.
    """
    sources = [source_system(source)] if source else list(SOURCES)
    with unit_of_work(read_only=True) as session:
        for name in sources:
            settings = load_settings(session, name)
            state = "ready" if settings.is_configured else "missing " + ", ".join(settings.missing)
            click.echo(f"{name} ({state})")
            for value in settings.values.values():
                click.echo(f"  {value.key:<26} {value.shown:<58} {value.origin:<11} {value.env_var}")
            for account, metric in sorted(settings.account_map.items()):
                click.echo(f"  {ACCOUNT_PREFIX}{account:<18} {metric}")
            if settings.refresh_token_expires_at is not None:
                click.echo(f"  refresh token valid until {settings.refresh_token_expires_at:%Y-%m-%d %H:%M} UTC")


@connectors_group.command(
    "set",
    help=f"""Store settings of SOURCE ({accepted_names()}); secrets are encrypted.

    Keys are those `qbr connectors show` lists. {_account_mappers()} P&L accounts map to metrics with
    "account:<account name or id>=<metric>", e.g. "account:Managed Services=Monthly Recurring Revenue".
    """,
)
@SOURCE_ARGUMENT
@click.argument("assignments", nargs=-1, required=True, metavar="KEY=VALUE...")
def set_command(source: str, assignments: tuple[str, ...]) -> None:
    name = source_system(source)
    with unit_of_work() as session:
        keys = store_settings(session, name, parse_assignments(assignments))
        settings = load_settings(session, name)
    click.echo(f"stored for {name}: {', '.join(keys)}")
    for key in keys:
        value = settings.values.get(key)
        if value is not None and value.origin == "environment":
            click.echo(f"note: {value.env_var} is set in the environment and takes precedence over the stored value")


@connectors_group.command("unset")
@SOURCE_ARGUMENT
@click.argument("keys", nargs=-1, required=True, metavar="KEY...")
def unset_command(source: str, keys: tuple[str, ...]) -> None:
    """Remove stored settings of SOURCE; the environment variable or the default applies again."""
    name = source_system(source)
    with unit_of_work() as session:
        removed = unset_settings(session, name, keys)
    click.echo(f"removed {removed} stored setting(s) of {name}")


@connectors_group.command("test")
@SOURCE_ARGUMENT
def test_command(source: str) -> None:
    """Connect to SOURCE with the current settings and report whether the credentials work."""
    name = source_system(source)
    engine = get_engine()
    with unit_of_work(engine) as session:
        settings = load_settings(session, name)
    with open_client(settings, engine=engine, options=http_options()) as client:
        click.echo(f"{name}: connected ({client.check()})")


@connectors_group.command("discover")
@SOURCE_ARGUMENT
@click.option(
    "--link-exact", is_flag=True, help="Link every unlinked record whose name matches an organization exactly."
)
def discover_command(source: str, link_exact: bool) -> None:
    """List SOURCE's companies / organizations / customers, what each is linked to, and a suggested organization.

    Link one with `qbr link ORG SOURCE EXTERNAL_ID`. Names match when they are equal once case, punctuation and
    legal forms (Inc, LLC, Corp…) are ignored, or nearly so.
    """
    name = source_system(source)
    engine = get_engine()
    with unit_of_work(engine) as session:
        settings = load_settings(session, name)
    with open_client(settings, engine=engine, options=http_options()) as client:
        entities = external_entities(name, client)
    linked_now = 0
    with unit_of_work(engine) as session:
        found = discover(session, name, entities)
        click.echo(f"{len(found)} {name} record(s); {sum(1 for d in found if d.linked_to)} linked")
        for item in found:
            entity = item.entity
            label = f"{entity.external_id:>10}  {entity.name}" + (f" ({entity.note})" if entity.note else "")
            if item.linked_to is not None:
                click.echo(f"{label}  -> linked to {item.linked_to.name!r}")
            elif item.suggestion is not None and link_exact and item.suggestion.score == 1.0:
                link_organization(session, item.suggestion.organization, name, entity.external_id, entity.name)
                linked_now += 1
                click.echo(f"{label}  -> linked now to {item.suggestion.organization.name!r}")
            elif item.suggestion is not None:
                suggested = item.suggestion.organization.name
                click.echo(
                    f"{label}  -> suggest {suggested!r} ({item.suggestion.score:.0%}): "
                    f"qbr link {_quoted(suggested)} {name.lower()} {entity.external_id}"
                )
            else:
                click.echo(f"{label}  -> not linked")
    if link_exact:
        click.echo(f"linked {linked_now} record(s)")


def _quoted(text: str) -> str:
    return f'"{text}"' if " " in text else text


@connectors_group.command("runs")
@click.option("--source", help="Only this source.")
@click.option("--limit", type=click.IntRange(1, 1000), default=20, show_default=True, help="How many runs.")
@click.option("--detail", is_flag=True, help="Also list unmapped records, unmapped P&L accounts and notes.")
def runs_command(source: str | None, limit: int, detail: bool) -> None:
    """The sync-run log, newest first: source, period, times, status, rows written, unmapped records, error."""
    with unit_of_work(read_only=True) as session:
        runs = list_runs(session, source=source_system(source) if source else None, limit=limit)
    if not runs:
        click.echo("no sync runs yet (run `qbr sync`)")
    for run in runs:
        finished = f"{run.finished_at:%Y-%m-%d %H:%M:%S}" if run.finished_at else "-"
        click.echo(
            f"{run.id:>6}  {run.source_system:<12} {run.period}  {run.started_at:%Y-%m-%d %H:%M:%S} → {finished}  "
            f"{run.status:<9}  {run.rows_written} written, {run.unmapped_count} unmapped"
            + (f"  error: {terminal_safe(run.error)}" if run.error else "")
        )
        if detail:
            print_detail(run_detail(run), indent="        ")
