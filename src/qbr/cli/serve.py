"""``qbr serve``: the REST API (and the pages built on it) over HTTP with uvicorn."""

from __future__ import annotations

import click
import uvicorn

from qbr.cli.app import CONTEXT_SETTINGS
from qbr.core.settings import Settings, get_settings


def trusted_proxies(settings: Settings) -> list[str] | None:
    """Whom uvicorn believes X-Forwarded-For and -Proto from: only QBR_TRUSTED_PROXIES (None: nobody).

    uvicorn's own default trusts them from 127.0.0.1, so any local client could pose as any address and step
    around the sign-in and bad-key limits, which count per client address.
    """
    return settings.trusted_proxy_list or None


@click.command("serve", context_settings=CONTEXT_SETTINGS)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (0.0.0.0: every one).")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="TCP port.")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64), help="Worker processes to run.")
def serve_command(host: str, port: int, workers: int) -> None:
    """Serve the API at http://HOST:PORT/api/v1 (OpenAPI at /docs) on the database at QBR_DATABASE_URL."""
    # Read (and check) the settings here, so a bad one is one clear line before any worker starts.
    settings = get_settings()
    click.echo(f"QBR Dashboard API on http://{host}:{port}/api/v1  (docs: /docs, health: /healthz, /readyz)")
    proxies = trusted_proxies(settings)
    uvicorn.run(
        "qbr.server.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        proxy_headers=proxies is not None,
        forwarded_allow_ips=proxies,
    )
