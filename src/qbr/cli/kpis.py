"""``qbr kpis``: the SmartNumbers catalog, adding KPIs, checking formulas, and one period's KPI values."""

from __future__ import annotations

from decimal import Decimal

import click

from qbr.catalog import HIGHER, LOWER
from qbr.cli.app import command_group
from qbr.cli.output import echo_table, number
from qbr.core.database import unit_of_work
from qbr.errors import InvalidInput
from qbr.kpis.compute import load_kpi_catalog, period_inputs
from qbr.kpis.graded import GradedKpi, graded_kpis
from qbr.kpis.service import add_kpi, check_kpis, list_kpi_definitions, validate_catalog_formula
from qbr.metrics.models import UNITS
from qbr.organizations.service import find_organization
from qbr.periods.calendar import parse_period

kpis_group = command_group(
    "kpis",
    "SmartNumbers: list the KPI catalog or a period's KPI values, add a KPI, check formulas.",
)

DIRECTION_CHOICES = {"higher": HIGHER, "lower": LOWER, "none": None}


@kpis_group.command("list")
@click.argument("organization", metavar="[ORG]", required=False)
@click.option("--period", help="With ORG: the month (YYYY-MM) or quarter (YYYY-Qn) whose values to show.")
def list_command(organization: str | None, period: str | None) -> None:
    """List the KPI catalog, or with ORG and --period each KPI's value, status and why a value is missing."""
    if bool(organization) != bool(period):
        raise InvalidInput.single(
            "ORG", "give both ORG and --period, or neither", "qbr kpis list Acme --period 2025-Q1"
        )
    with unit_of_work(read_only=True) as session:
        definitions = list_kpi_definitions(session)
        if organization is None or period is None:
            echo_table(
                ["kpi_name", "formula", "unit", "direction"],
                [(d.kpi_name, d.formula, d.unit, d.direction or "—") for d in definitions],
            )
            return
        org = find_organization(session, organization)
        ref = parse_period(period)
        graded = graded_kpis(session, org.id, ref.value)
    echo_graded(org.name, ref.value, graded)


def echo_graded(organization: str, period: str, graded: list[GradedKpi]) -> None:
    """Print graded KPIs as a table under a title line."""
    if not graded:
        click.echo(
            f"no KPI values for {organization} in {period} (no data then, or no KPI has all its inputs recorded)"
        )
        return
    click.echo(f"{organization}, {period}")
    echo_table(
        ["kpi_name", "kpi_value", "status", "why no value"],
        [(g.kpi_name, number(g.kpi_value), g.status, g.reason or "") for g in graded],
        right=[1],
    )


@kpis_group.command("add")
@click.argument("name")
@click.argument("formula")
@click.option("--unit", type=click.Choice(UNITS), required=True, help="What the value measures.")
@click.option(
    "--direction",
    type=click.Choice(list(DIRECTION_CHOICES)),
    default="none",
    show_default=True,
    help="Whether higher or lower values are better (needed for thresholds).",
)
@click.option("--description", help="What the KPI tells, for the dashboard and the report.")
@click.option("--key", "is_key", is_flag=True, help="A key KPI: the overview and the executive summary lead with it.")
def add_command(name: str, formula: str, unit: str, direction: str, description: str | None, is_key: bool) -> None:
    """Add KPI NAME computed by FORMULA, e.g. "[Net Profit] / [Employees] / months".

    FORMULA uses [Metric or KPI name], numbers, + - * /, parentheses and months (months of data in the
    period). It is validated first; once added, the KPI is computed for every period with data.
    """
    with unit_of_work() as session:
        definition = add_kpi(
            session,
            name,
            formula,
            unit=unit,
            direction=DIRECTION_CHOICES[direction],
            description=description,
            is_key=is_key,
        )
    click.echo(f"added KPI {definition.kpi_name!r} = {definition.formula}")


@kpis_group.command("check")
@click.argument("formula", required=False)
@click.option("--org", "organization", help="With FORMULA and --period: evaluate it for this organization.")
@click.option("--period", help="With FORMULA and --org: the month or quarter to evaluate it for.")
def check_command(formula: str | None, organization: str | None, period: str | None) -> None:
    """Check every stored formula (syntax, unknown names, cycles), or check and optionally evaluate FORMULA."""
    if bool(organization) != bool(period):
        raise InvalidInput.single("--org", "give both --org and --period, or neither", "--org Acme --period 2025-Q1")
    with unit_of_work(read_only=True) as session:
        if formula is None:
            checks = check_kpis(session)
            for check in checks:
                click.echo(
                    f"{'ok ' if check.problem is None else 'BAD'}  {check.kpi_name}: {check.problem or check.formula}"
                )
            bad = sum(1 for check in checks if check.problem is not None)
            if bad:
                raise click.ClickException(f"{bad} of {len(checks)} formulas have problems")
            return
        parsed = validate_catalog_formula(session, "(formula being checked)", formula)
        click.echo(f"valid: {parsed.text}")
        if organization is None or period is None:
            return
        org = find_organization(session, organization)
        ref = parse_period(period)
        values, months = period_inputs(session, org.id, ref.value)
        known: dict[str, Decimal | None] = dict(values)
        known.update({r.kpi_name: r.kpi_value for r in load_kpi_catalog(session).evaluate(values, months)})
        value, reason = parsed.evaluate(known, months)
    click.echo(f"{org.name}, {ref} (months = {months}): {number(value) if reason is None else f'no value: {reason}'}")
