"""``qbr review`` and ``qbr recommendations``: the QBR's story from the command line (the MSP's staff's tool)."""

from __future__ import annotations

import getpass
from typing import Any

import click
from pydantic import BaseModel, ValidationError

from qbr.cli.app import command_group
from qbr.cli.output import echo_table, number
from qbr.core.database import unit_of_work
from qbr.errors import InvalidInput, Problem
from qbr.organizations.service import find_organization
from qbr.periods.calendar import parse_period
from qbr.presentation.values import format_value
from qbr.reviews.models import PRIORITIES, RECOMMENDATION_STATUSES
from qbr.reviews.reading import review_for
from qbr.reviews.recommendations import (
    add_recommendation,
    change_recommendation,
    get_recommendation,
    list_recommendations,
)
from qbr.reviews.schemas import RecommendationCreate, RecommendationUpdate, ReviewUpdate, ReviewView
from qbr.reviews.service import publish_review, save_review

review_group = command_group("review", "An organization's review of a period: its summary, goals, and publishing.")
recommendations_group = command_group(
    "recommendations", "What the MSP recommends to an organization, with costs and a target quarter."
)


def _operator() -> str:
    """Who made a change from the command line: the operating-system user."""
    try:
        return f"{getpass.getuser()} (command line)"
    except (KeyError, OSError):
        return "command line"


# Fields whose option has another name than the field.
_OPTIONS = {"one_time_cost": "--one-time", "monthly_cost": "--monthly", "target_period": "--target", "title": "TITLE"}

_AMOUNT = "a number of 0 or more, such as 1200 or 85.50"
_ACCEPTED = {
    "--one-time": _AMOUNT,
    "--monthly": _AMOUNT,
    "--target": "a quarter, YYYY-Qn (e.g. 2025-Q3)",
    "--raised-in": "a month or quarter, YYYY-MM or YYYY-Qn",
    "TITLE": "1 to 200 characters",
}


def _validated(model: type[BaseModel], fields: dict[str, Any]) -> Any:
    """``fields`` as ``model``, or InvalidInput naming each option that was refused."""
    try:
        return model.model_validate(fields)
    except ValidationError as error:
        problems = [
            Problem(
                _option(item["loc"]), f"{item['input']!r} is refused", _ACCEPTED.get(_option(item["loc"]), item["msg"])
            )
            for item in error.errors()
        ]
        if len(problems) == 1:
            raise InvalidInput(str(problems[0]), problems) from None
        raise InvalidInput(f"{len(problems)} options were refused", problems) from None


def _option(location: tuple[int | str, ...]) -> str:
    field = str(location[0]) if location else ""
    rest = "".join(f"[{part}]" for part in location[1:])
    return _OPTIONS.get(field, "--" + field.replace("_", "-")) + rest


@review_group.command("show")
@click.argument("organization")
@click.argument("period")
@click.option("--version", type=click.IntRange(min=1), help="A published version (default: the live review).")
def show_command(organization: str, period: str, version: int | None) -> None:
    """Show the review of ORGANIZATION (name or id) for PERIOD (2025-Q1 or 2025-03): the live draft and what
    changed since it was published, or a published version."""
    ref = parse_period(period, location="PERIOD")
    with unit_of_work(read_only=True) as session:
        found = find_organization(session, organization)
        review = review_for(session, found.id, ref.value, "internal", version=version)
    echo_review(review)


def echo_review(review: ReviewView) -> None:
    shown = f"version {review.version}" if review.version else review.status
    click.echo(f"Review of {review.organization_name}, {review.period} ({shown})")
    if review.published_at and review.version is None:
        click.echo(f"last published {review.published_at:%Y-%m-%d %H:%M} UTC by {review.published_by}")
    for title, text in (("Summary", review.summary), ("Highlights", review.highlights), ("Concerns", review.concerns)):
        click.echo(f"\n{title}\n{text.strip() or '—'}")
    if review.goals.next_period:
        click.echo("\nGoals for the next period")
        for goal in review.goals.next_period:
            click.echo(f"  {goal.subject_name}: {format_value(goal.target_value, goal.unit)}")
    if review.goals.previous:
        click.echo("\nGoals of the previous review")
        for result in review.goals.previous:
            actual = format_value(result.actual_value, result.unit)
            target = format_value(result.target_value, result.unit)
            click.echo(f"  {result.subject_name}: {result.result.replace('_', ' ')} ({actual}, target {target})")
    sections = review.recommendations
    click.echo(
        f"\nOpen recommendations: {len(sections.open)}; completed since the last review: {len(sections.completed)}"
    )
    for quarter in sections.roadmap:
        click.echo(
            f"  {quarter.period}: {len(quarter.recommendations)} planned, one-time {number(quarter.one_time_total)}, "
            f"monthly {number(quarter.monthly_total)}"
        )
    if review.changes_since_publication:
        click.echo("\nFigures changed since publication")
        for change in review.changes_since_publication:
            before = format_value(change.published_value, change.unit)
            after = format_value(change.current_value, change.unit)
            click.echo(f"  {change.name}: {before} published, {after} now")


@review_group.command("edit")
@click.argument("organization")
@click.argument("period")
@click.option("--summary", help="The executive summary (replaces the drafted one).")
@click.option("--highlights", help="What went well.")
@click.option("--concerns", help="What needs attention.")
@click.option("--goal", "goals", multiple=True, metavar="NAME=TARGET", help="A goal for the next period (repeat).")
def edit_command(
    organization: str,
    period: str,
    summary: str | None,
    highlights: str | None,
    concerns: str | None,
    goals: tuple[str, ...],
) -> None:
    """Change the review of ORGANIZATION for PERIOD; only the options given change (--goal replaces the goals)."""
    ref = parse_period(period, location="PERIOD")
    fields: dict[str, Any] = {
        name: value
        for name, value in (("summary", summary), ("highlights", highlights), ("concerns", concerns))
        if value is not None
    }
    if goals:
        fields["goals"] = [_goal(text) for text in goals]
    if not fields:
        raise click.UsageError("nothing to change: give --summary, --highlights, --concerns or --goal")
    changes = _validated(ReviewUpdate, fields)
    with unit_of_work() as session:
        found = find_organization(session, organization)
        save_review(session, found.id, ref.value, changes, _operator())
    click.echo(f"saved the review of {found.name}, {ref.value} (a draft until published: qbr review publish)")


def _goal(text: str) -> dict[str, str]:
    name, separator, target = text.rpartition("=")
    if not separator or not name.strip():
        raise InvalidInput.single("--goal", f"{text!r} is not NAME=TARGET", "a metric or KPI name, '=', a number")
    return {"subject_name": name.strip(), "target_value": target.strip()}


@review_group.command("publish")
@click.argument("organization")
@click.argument("period")
def publish_command(organization: str, period: str) -> None:
    """Publish the review of ORGANIZATION for PERIOD: its text and today's figures become a version the client
    sees; later data changes never alter it."""
    ref = parse_period(period, location="PERIOD")
    with unit_of_work() as session:
        found = find_organization(session, organization)
        version = publish_review(session, found.id, ref.value, _operator())
        number_published = version.version
    click.echo(f"published version {number_published} of the review of {found.name}, {ref.value}")


@recommendations_group.command("add")
@click.argument("organization")
@click.argument("title")
@click.option("--priority", type=click.Choice(PRIORITIES), default="medium", show_default=True)
@click.option("--one-time", "one_time_cost", help="Estimated one-time cost.")
@click.option("--monthly", "monthly_cost", help="Estimated monthly cost.")
@click.option("--target", "target_period", metavar="YYYY-Qn", help="The quarter it is planned for.")
@click.option("--category", help="A short category, such as Security or Hardware.")
@click.option("--detail", help="What and why, in a few sentences.")
@click.option("--raised-in", metavar="PERIOD", help="The period it was raised in (default: this quarter).")
def add_command(organization: str, title: str, **options: str | None) -> None:
    """Add a recommendation TITLE for ORGANIZATION (status proposed)."""
    body = _validated(RecommendationCreate, {"title": title, **{k: v for k, v in options.items() if v is not None}})
    with unit_of_work() as session:
        found = find_organization(session, organization)
        row = add_recommendation(session, found.id, body)
        row_id = row.id
    click.echo(f"added recommendation {row_id} for {found.name}: {body.title}")


@recommendations_group.command("list")
@click.argument("organization")
def list_command(organization: str) -> None:
    """List the recommendations of ORGANIZATION: open ones first, by priority."""
    with unit_of_work(read_only=True) as session:
        found = find_organization(session, organization)
        rows = list_recommendations(session, found.id)
        table = [
            (
                row.id,
                row.title,
                row.priority,
                row.status,
                number(row.one_time_cost),
                number(row.monthly_cost),
                row.target_period or "—",
                row.raised_in,
            )
            for row in rows
        ]
    if not table:
        click.echo(f"{found.name} has no recommendations yet (qbr recommendations add)")
        return
    echo_table(["id", "title", "priority", "status", "one-time", "monthly", "target", "raised"], table, right=[0, 4, 5])


@recommendations_group.command("set-status")
@click.argument("organization")
@click.argument("recommendation_id", metavar="ID", type=click.IntRange(min=1))
@click.argument("status", type=click.Choice(RECOMMENDATION_STATUSES))
def set_status_command(organization: str, recommendation_id: int, status: str) -> None:
    """Set the STATUS of recommendation ID of ORGANIZATION; done records this quarter as when it was completed."""
    changes = _validated(RecommendationUpdate, {"status": status})
    with unit_of_work() as session:
        found = find_organization(session, organization)
        row = change_recommendation(session, get_recommendation(session, found.id, recommendation_id), changes)
        title = row.title
    click.echo(f"recommendation {recommendation_id} ({title}) is now {status}")
