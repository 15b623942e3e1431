"""HTTP servers the read workloads talk to, each in its own process on 127.0.0.1: ``qbr serve`` and Datasette."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
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
    with _launched(name, command, port, log_folder, env) as (process, base_url, log_path):
        _wait_until_ready(process, base_url + ready_path, log_path)
        yield base_url


@contextmanager
def _launched(
    name: str, command: Sequence[str], port: int, log_folder: Path, env: Mapping[str, str]
) -> Iterator[tuple[subprocess.Popen[bytes], str, Path]]:
    """Start ``command`` (not waiting for it to be ready), yield it, and stop it after."""
    log_folder.mkdir(parents=True, exist_ok=True)
    log_path = log_folder / f"{name}.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(  # noqa: S603 (our own interpreter and arguments)
            list(command), stdout=log, stderr=subprocess.STDOUT, env={**os.environ, **env}, cwd=log_folder
        )
        try:
            yield process, f"http://{HOST}:{port}", log_path
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
    with qbr_servers(database_url, log_folder, {name: settings or {}}) as base_urls:
        yield base_urls[name]


@contextmanager
def qbr_servers(
    database_url: str, log_folder: Path, variants: Mapping[str, Mapping[str, str]]
) -> Iterator[dict[str, str]]:
    """One ``qbr serve`` per name of ``variants``, each with its settings, started together (their start-ups
    overlap): name → base URL."""
    with ExitStack() as stack:
        launched = {}
        for name, settings in variants.items():
            port = free_port()
            command = [sys.executable, "-m", "qbr", "serve", "--host", HOST, "--port", str(port)]
            env = {"QBR_DATABASE_URL": database_url, **settings}
            launched[name] = stack.enter_context(_launched(name, command, port, log_folder, env))
        for process, base_url, log_path in launched.values():
            _wait_until_ready(process, base_url + "/healthz", log_path)
        yield {name: base_url for name, (_, base_url, _) in launched.items()}


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
