"""A PostgreSQL server of the tests' own, to stop and start at will: the shared server is never touched.

``initdb`` into a temporary folder and ``pg_ctl start`` on a free loopback port, with the binaries of the installed
PostgreSQL (``QBR_TEST_PG_BIN``, default ``/usr/lib/postgresql/15/bin``). As root, the server runs as the
``postgres`` user, which PostgreSQL requires.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

DEFAULT_BIN = "/usr/lib/postgresql/15/bin"
SERVER_SETTINGS = (
    "-c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c synchronous_commit=off "
    "-c max_connections=50 -c shared_buffers=16MB"
)


class ThrowawayPostgres:
    """One initdb'd cluster in a temporary folder; ``url`` reaches its ``postgres`` database as ``postgres``."""

    def __init__(self, bin_dir: Path) -> None:
        self.bin_dir = bin_dir
        self.root = Path(tempfile.mkdtemp(prefix="qbr-throwaway-pg-"))
        self.data = self.root / "data"
        self.port = _free_port()
        self.as_postgres: list[str] = []
        if os.geteuid() == 0:
            account = pwd.getpwnam("postgres")
            os.chown(self.root, account.pw_uid, account.pw_gid)
            self.as_postgres = ["runuser", "-u", "postgres", "--"]

    @classmethod
    def available_bin(cls) -> Path | None:
        bin_dir = Path(os.environ.get("QBR_TEST_PG_BIN", DEFAULT_BIN))
        needed = ("initdb", "pg_ctl", "pg_basebackup")
        return bin_dir if all((bin_dir / program).exists() for program in needed) else None

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def init(self) -> None:
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C",
                  "--no-sync", "--no-instructions")  # fmt: skip

    def start(self) -> None:
        options = f"-p {self.port} -k {self.data} {SERVER_SETTINGS}"
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.data / "server.log"), "-o", options, "-w", "-t", "60",
                  "start")  # fmt: skip

    def follow(self, primary: ThrowawayPostgres) -> None:
        """Make this (not yet initialized) cluster a streaming standby of ``primary``: ``pg_basebackup -R`` writes
        ``standby.signal`` and ``primary_conninfo``, so ``start`` then replays the primary's changes, read-only."""
        self._run("pg_basebackup", "-h", "127.0.0.1", "-p", str(primary.port), "-U", "postgres", "-D", str(self.data),
                  "-R", "-X", "stream", "--no-sync")  # fmt: skip

    def stop(self, mode: str = "fast") -> None:
        """``fast`` ends every session and shuts down cleanly; ``immediate`` is a crash, recovered at next start."""
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop")

    def remove(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)

    def _run(self, program: str, *args: str) -> None:
        command = [*self.as_postgres, str(self.bin_dir / program), *args]
        result = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
        if result.returncode != 0:
            raise RuntimeError(f"{program} failed ({result.returncode}): {result.stderr or result.stdout}")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port
