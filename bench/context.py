"""What every workload of one benchmark run shares: its scale, folders, dataset, results and progress output."""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench.dataset import DatasetFiles
from bench.results import Results
from bench.scales import Scale


@dataclass
class BenchRun:
    scale: Scale
    workdir: Path  # scratch files: the dataset, SQLite databases, server logs (an ignored folder)
    dataset: DatasetFiles
    results: Results = field(default_factory=Results)
    quiet: bool = False
    started: float = field(default_factory=time.perf_counter)

    def log(self, message: str) -> None:
        """Progress on stderr, with the time since the run started: a full run takes a while."""
        if not self.quiet:
            elapsed = time.perf_counter() - self.started
            print(f"[{elapsed:7.1f} s] {message}", file=sys.stderr, flush=True)
