"""Real ``qbr serve`` processes on free loopback ports, sharing one database: many workers, one truth."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

QBR = Path(sys.executable).with_name("qbr")
# Settings a test must choose itself, never inherit from the shell that runs it.
ISOLATED = frozenset({"QBR_TRUSTED_PROXIES", "QBR_SYNC_DAILY_AT", "QBR_DATABASE_READ_URL", "QBR_ENVIRONMENT"})


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def qbr_serve(database_url: str, *, workers: int = 1, env: dict[str, str] | None = None) -> Iterator[str]:
    """``qbr serve`` on ``database_url`` until the block ends; yields its base URL once /healthz answers."""
    port = free_port()
    inherited = {name: value for name, value in os.environ.items() if name not in ISOLATED}
    environment = {**inherited, "QBR_DATABASE_URL": database_url, **(env or {})}
    process = subprocess.Popen(
        [str(QBR), "serve", "--port", str(port), "--workers", str(workers)],
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                output = process.stdout.read().decode() if process.stdout else ""
                raise RuntimeError(f"qbr serve ended early ({process.returncode}): {output}")
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("qbr serve did not answer /healthz within 60 s")
            time.sleep(0.2)
        yield base
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        if process.stdout:
            process.stdout.close()
