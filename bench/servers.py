"""HTTP servers the read workloads talk to, each in its own process on 127.0.0.1: ``qbr serve`` and Datasette."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

import httpx

STARTUP_SECONDS = 60.0
HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


@contextmanager
def server_process(
    name: str, command: Sequence[str], port: int, log_folder: Path, *, ready_path: str, env: Mapping[str, str]
) -> Iterator[str]:
    """Start ``command``, wait until ``ready_path`` answers 200, yield the base URL, and stop the process after."""
    log_folder.mkdir(parents=True, exist_ok=True)
    log_path = log_folder / f"{name}.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(  # noqa: S603 (our own interpreter and arguments)
            list(command), stdout=log, stderr=subprocess.STDOUT, env={**os.environ, **env}, cwd=log_folder
        )
        base_url = f"http://{HOST}:{port}"
        try:
            _wait_until_ready(process, base_url + ready_path, log_path)
            yield base_url
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_until_ready(process: subprocess.Popen[bytes], url: str, log_path: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with status {process.returncode}; see {log_path}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"the server did not answer {url} within {STARTUP_SECONDS:.0f} s; see {log_path}")


@contextmanager
def qbr_server(
    database_url: str, log_folder: Path, name: str, settings: Mapping[str, str] | None = None
) -> Iterator[str]:
    """``qbr serve`` exactly as a user starts it (one worker), on ``database_url``, with ``settings`` (QBR_*
    variables) on top of the defaults."""
    port = free_port()
    command = [sys.executable, "-m", "qbr", "serve", "--host", HOST, "--port", str(port)]
    env = {"QBR_DATABASE_URL": database_url, **(settings or {})}
    with server_process(name, command, port, log_folder, ready_path="/healthz", env=env) as base_url:
        yield base_url


@contextmanager
def datasette_server(database: Path, queries: Mapping[str, str], log_folder: Path) -> Iterator[str]:
    """Datasette with its default settings serving ``database``, with ``queries`` as canned queries."""
    port = free_port()
    metadata = log_folder / "datasette-metadata.json"
    log_folder.mkdir(parents=True, exist_ok=True)
    canned = {name: {"sql": sql} for name, sql in queries.items()}
    metadata.write_text(json.dumps({"databases": {database.stem: {"queries": canned}}}, indent=2))
    command = [
        sys.executable,
        "-m",
        "datasette",
        "serve",
        str(database),
        "--host",
        HOST,
        "--port",
        str(port),
        "--metadata",
        str(metadata),
    ]
    with server_process("datasette", command, port, log_folder, ready_path="/-/versions.json", env={}) as base_url:
        yield base_url
