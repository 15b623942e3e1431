"""The results of a run as a terminal table and as the results section of docs/benchmarks.md.

The document keeps its hand-written analysis: a run replaces only what lies between the two markers below.
"""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.table import Table

from bench.machine import Machine
from bench.results import Results
from bench.scales import Scale

START = "<!-- results:start (written by `make bench`; edit around, not inside) -->"
END = "<!-- results:end -->"

NEW_DOCUMENT = f"""# Benchmarks

`make bench` measures QBR Dashboard against the physical limit and the tools users would pick instead.

{START}
{END}
"""


def print_tables(results: Results, console: Console) -> None:
    ratios = Table(title="Ratios (measured in the same run)")
    for column in ("workload", "ours", "ratio", "target", ""):
        ratios.add_column(column)
    for comparison in results.comparisons:
        ratios.add_row(
            comparison.workload,
            comparison.ours.label,
            comparison.text,
            str(comparison.target or ""),
            comparison.verdict,
        )
    figures = Table(title="Figures")
    for column in ("workload", "what", "figure", "detail"):
        figures.add_column(column)
    for figure in results.figures:
        figures.add_row(figure.workload, figure.label, figure.formatted(), figure.detail)
    console.print(ratios)
    console.print(figures)
    for note in results.notes:
        console.print(f"note: {note}")


def results_section(results: Results, scale: Scale, machine: Machine) -> str:
    lines = [
        f"## Results: scale `{scale.name}`",
        "",
        f"{scale.organizations:,} organizations × {scale.metrics} metrics × {scale.months} months = "
        f"**{scale.monthly_rows:,} monthly rows**; dashboard loads by {scale.concurrency} concurrent clients.",
        "",
        f"Machine: {machine.describe()}.",
        "Every ratio compares two figures measured in the same run, on a machine shared with other work: compare "
        "the ratios, not the absolute times.",
        "",
        "| workload | ours | ratio | target | |",
        "|---|---|---|---|---|",
    ]
    lines += [
        f"| {c.workload} | {c.ours.label} | {c.text} | {c.target or ''} | {c.verdict} |" for c in results.comparisons
    ]
    lines += ["", "| workload | what | figure | detail |", "|---|---|---|---|"]
    lines += [f"| {f.workload} | {f.label} | {f.formatted()} | {f.detail} |" for f in results.figures]
    if results.notes:
        lines += ["", *(f"- {note}" for note in results.notes)]
    return "\n".join(lines)


def write_results(path: Path, section: str) -> None:
    """Replace the results between the markers of ``path`` (created if missing), keeping everything else."""
    replace_section(path, START, END, section)


def replace_section(path: Path, start: str, end: str, body: str, *, heading: str = "") -> None:
    """Replace what lies between the markers ``start`` and ``end`` of ``path`` with ``body``, keeping everything else.

    Where the markers are missing they are appended, after ``heading`` (a section title and introduction); a missing
    file starts as a new benchmarks document.
    """
    text = path.read_text() if path.exists() else NEW_DOCUMENT
    if start not in text or end not in text:
        text = text.rstrip("\n") + f"\n\n{heading}{start}\n{end}\n"
    before, rest = text.split(start, 1)
    _, after = rest.split(end, 1)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"{before}{start}\n{body}\n{end}{after}")
