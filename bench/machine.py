"""The machine a run measured: CPU, cores, memory, database and Python versions, and the date."""

from __future__ import annotations

import os
import platform
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path


@dataclass(frozen=True)
class Machine:
    cpu: str
    cores: int
    memory_gb: float
    system: str
    postgresql: str
    python: str
    sqlite: str
    date: str

    def describe(self) -> str:
        return (
            f"{self.cpu}, {self.cores} cores, {self.memory_gb:.0f} GB memory, {self.system}; "
            f"PostgreSQL {self.postgresql}, Python {self.python}, SQLite {self.sqlite}; {self.date}"
        )


def describe_machine(postgresql_version: str) -> Machine:
    return Machine(
        cpu=_cpu_model(),
        cores=os.cpu_count() or 1,
        memory_gb=_memory_bytes() / 2**30,
        system=f"{platform.system()} {platform.release()}",
        postgresql=postgresql_version,
        python=platform.python_version(),
        sqlite=sqlite3.sqlite_version,
        date=datetime.now(UTC).strftime("%Y-%m-%d"),
    )


def _cpu_model() -> str:
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                return " ".join(line.split(":", 1)[1].split())
    return platform.processor() or platform.machine()


def _memory_bytes() -> int:
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        for line in meminfo.read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) * 1024
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
