"""``python -m bench.cli_startup``: the median wall time of ``qbr --help`` over 10 runs (the target is under 1 s).

Each run is a new process, as when someone types the command: interpreter start, imports and the help text.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

import click

RUNS = 10
TARGET_SECONDS = 1.0


def qbr_executable() -> str:
    """The ``qbr`` script of the environment running this benchmark."""
    candidate = Path(sys.executable).with_name("qbr")
    return str(candidate) if candidate.exists() else "qbr"


def wall_times(arguments: list[str], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(arguments, check=True, stdout=subprocess.DEVNULL)  # noqa: S603 - our own qbr script
        times.append(time.perf_counter() - start)
    return times


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--runs", default=RUNS, show_default=True, type=click.IntRange(1, 1000), help="How many runs.")
def main(runs: int) -> None:
    """Print the median, fastest and slowest wall time of `qbr --help`."""
    times = wall_times([qbr_executable(), "--help"], runs)
    median = statistics.median(times)
    verdict = "within" if median < TARGET_SECONDS else "OVER"
    click.echo(
        f"qbr --help: median {median:.3f} s over {runs} runs (fastest {min(times):.3f} s, slowest {max(times):.3f} s); "
        f"{verdict} the {TARGET_SECONDS:.0f} s target"
    )


if __name__ == "__main__":
    main()
