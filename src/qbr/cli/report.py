"""``qbr report``: the review of one organization and period as a PDF, or as an editable PowerPoint deck; with
``--all``, every organization's review at once (qbr.batch.run)."""

from __future__ import annotations

import os
from pathlib import Path

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from qbr.batch.render import REPORT_FORMATS, ReportFormat, read_report_inputs, render_report
from qbr.batch.run import BatchOutcome, BatchRequest, ReportResult, run_batch
from qbr.cli.app import CONTEXT_SETTINGS
from qbr.cli.output import echo_table
from qbr.core.database import unit_of_work
from qbr.core.settings import get_settings
from qbr.organizations.service import find_organization
from qbr.periods.calendar import parse_period

OUTPUT_HINT = "'-o' / '--output'"


@click.command("report", context_settings=CONTEXT_SETTINGS)
@click.argument("organization", required=False)
@click.argument("period", required=False)
@click.option(
    "--all",
    "all_period",
    metavar="PERIOD",
    help="Every active client organization's review and the MSP's own, for PERIOD, into the folder -o.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    help="Where to write it (default: 'QBR <organization> <period>.pdf' or '.pptx' in this folder); with --all, "
    "the folder (created if missing).",
)
@click.option(
    "--format",
    "file_format",
    type=click.Choice(REPORT_FORMATS),
    help="pdf: the printable deck; pptx: the editable PowerPoint deck. Default: from -o's suffix, else pdf.",
)
@click.option(
    "--jobs",
    type=click.IntRange(min=1),
    help="With --all: how many reports are rendered at once, each in a process of its own (default: one per core).",
)
@click.option("--internal", is_flag=True, help="The MSP's internal edition (every figure), not the client's.")
def report_command(
    organization: str | None,
    period: str | None,
    all_period: str | None,
    output: Path | None,
    file_format: ReportFormat | None,
    jobs: int | None,
    internal: bool,
) -> None:
    """Write the review of ORGANIZATION (name or id) for PERIOD (2025-Q1 or 2025-03) as a PDF deck (cover,
    executive summary, scorecard, trends, recommendations and roadmap with budget, goals, glossary) or as an
    editable PowerPoint deck (--format pptx: native charts and real tables the account manager can edit).

    A client organization gets the client edition of its newest published version (the draft while nothing is
    published); --internal gives the internal edition of the live review. The MSP's own is always internal.

    qbr report --all PERIOD -o DIR writes every active client organization's review and the MSP's own into DIR,
    several at once (--jobs), skipping those whose file is already up to date with the data (DIR keeps a
    manifest, .qbr-reports.json). Each failure is listed with its reason; the others are still written, and the
    command then exits with status 1.
    """
    if all_period is not None:
        if organization is not None:
            raise click.UsageError("--all writes every organization's review: give PERIOD to --all, and no arguments")
        _report_all(all_period, output, file_format or "pdf", jobs or os.cpu_count() or 1, internal)
        return
    if organization is None:
        raise click.MissingParameter(param_hint="'ORGANIZATION'", param_type="argument")
    if period is None:
        raise click.MissingParameter(param_hint="'PERIOD'", param_type="argument")
    if jobs is not None:
        raise click.UsageError("--jobs applies to --all only")
    _report_one(organization, period, output, file_format, internal)


def _report_one(
    organization: str, period: str, output: Path | None, file_format: ReportFormat | None, internal: bool
) -> None:
    ref = parse_period(period, location="PERIOD")
    if output is not None and output.is_dir():
        raise click.BadParameter(f"'{output}' is a directory.", param_hint=OUTPUT_HINT)
    chosen: ReportFormat = file_format or ("pptx" if output is not None and output.suffix.lower() == ".pptx" else "pdf")
    with unit_of_work(read_only=True) as session:
        found = find_organization(session, organization)
        inputs = read_report_inputs(session, found, ref.value, internal=internal, settings=get_settings())
    content = render_report(inputs, chosen)
    review = inputs.review
    target = output or Path(f"QBR {review.organization_name} {ref.value}.{chosen}".replace("/", "-"))
    target.write_bytes(content)
    click.echo(
        f"wrote {target} ({len(content) // 1024 + 1} KiB): the {review.edition} edition of the review of "
        f"{review.organization_name}, {ref.value} ({inputs.state})"
    )


def _report_all(period: str, folder: Path | None, file_format: ReportFormat, jobs: int, internal: bool) -> None:
    ref = parse_period(period, location="--all PERIOD")
    if folder is None:
        raise click.UsageError("--all needs the folder to write into: -o DIR")
    if folder.exists() and not folder.is_dir():
        raise click.BadParameter(f"'{folder}' is a file; --all writes into a folder.", param_hint=OUTPUT_HINT)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        message = f"cannot create the folder '{folder}': {exc.strerror}"
        raise click.BadParameter(message, param_hint=OUTPUT_HINT) from exc
    request = BatchRequest(ref.value, folder, file_format, internal, jobs)
    with Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
    ) as progress:
        task = progress.add_task(f"QBR {ref.value}", total=None)

        def planned(to_write: int, skipped: int) -> None:
            progress.update(task, total=to_write, description=f"QBR {ref.value} ({skipped} up to date)")

        def advance(_result: ReportResult) -> None:
            progress.advance(task)

        outcome = run_batch(request, on_planned=planned, on_result=advance)
    _summarize(outcome, folder)
    if outcome.failed:
        raise SystemExit(1)


def _summarize(outcome: BatchOutcome, folder: Path) -> None:
    echo_table(
        ["reports", "count"],
        [
            ["written", len(outcome.written)],
            ["skipped (unchanged)", len(outcome.skipped)],
            ["failed", len(outcome.failed)],
        ],
        right=[1],
    )
    if outcome.failed:
        click.echo("")
        echo_table(["organization", "error"], [[failed.job.organization, failed.error] for failed in outcome.failed])
    click.echo(f"\nreports in {folder}")
