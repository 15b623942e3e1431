"""``python -m bench`` (``make bench``): run the benchmark, print the ratios, write docs/benchmarks.md."""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console

from bench.databases import postgres_admin_url, server_version
from bench.harness import WORKLOADS, run_benchmark
from bench.machine import describe_machine
from bench.report import print_tables, results_section, write_results
from bench.scales import SCALES

ROOT = Path(__file__).resolve().parent.parent


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--scale", type=click.Choice(list(SCALES)), default="full", show_default=True, help="Dataset size.")
@click.option("--only", type=click.Choice(WORKLOADS), multiple=True, help="Run only these workloads (repeatable).")
@click.option(
    "--workdir",
    type=click.Path(file_okay=False, path_type=Path),
    default=ROOT / "bench" / "results",
    show_default=True,
    help="Scratch folder: the dataset, SQLite files, server logs.",
)
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=ROOT / "docs" / "benchmarks.md",
    show_default=True,
    help="The document whose results section is rewritten.",
)
@click.option("--quiet", is_flag=True, help="No progress lines on stderr.")
def main(scale: str, only: tuple[str, ...], workdir: Path, output: Path, quiet: bool) -> None:
    """Measure QBR Dashboard against the physical limit and the tools users would pick instead.

    PostgreSQL databases are created (and dropped) on the server at QBR_BENCH_DATABASE_URL (default: the local
    one); SQLite files live under WORKDIR.
    """
    chosen = SCALES[scale]
    machine = describe_machine(server_version(postgres_admin_url()))
    results = run_benchmark(chosen, workdir, only or WORKLOADS, quiet=quiet)
    print_tables(results, Console(width=160))
    write_results(output, results_section(results, chosen, machine))
    click.echo(f"results written to {output}")


if __name__ == "__main__":
    main()
