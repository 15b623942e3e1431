"""The first-run steps of `make run` in one process (each `qbr` process would import the product again).

Migrate, load the demonstration MSP into an empty database, create a first API key and admin user when there are
none (printed once), then print where the dashboard is and how to sign in, promising a password only when one was
just printed. Usage: first_run.py HOST PORT.
"""

from __future__ import annotations

import contextlib
import io
import sys

import click

from qbr.cli import app

STEPS = (
    ["db", "upgrade"],
    ["demo", "--if-empty"],
    ["keys", "create", "--name", "demo admin", "--role", "admin", "--if-none"],
    ["users", "create", "admin", "--role", "admin", "--generate-password", "--if-none"],
)


def run(arguments: list[str]) -> str:
    """One `qbr` command in this process; its output is printed and returned."""
    captured = io.StringIO()
    try:
        with contextlib.redirect_stdout(captured):
            app.main(args=arguments, prog_name="qbr", standalone_mode=False)
    except click.ClickException as error:
        print(captured.getvalue(), end="")
        error.show()
        sys.exit(error.exit_code)
    print(captured.getvalue(), end="")
    return captured.getvalue()


def browsable(host: str) -> str:
    """The address to open: a server listening on every address is reached on this machine through 127.0.0.1."""
    if host in ("0.0.0.0", "::", ""):  # noqa: S104 - naming the wildcard, not binding to it
        return "127.0.0.1"
    return f"[{host}]" if ":" in host else host


def main(host: str, port: str) -> None:
    outputs = [run(step) for step in STEPS]
    created_key, created_admin = ("none created" not in output for output in outputs[-2:])
    sign_in = (
        "sign in as admin with the password above"
        if created_admin
        else "sign in with an existing user; a forgotten password: .venv/bin/qbr users password admin"
    )
    address = f"http://{browsable(host)}:{port}"
    print()
    print(f"The dashboard: {address}/ ({sign_in})")
    print("Explore: .venv/bin/qbr orgs list; .venv/bin/qbr kpis list 'Acme Dental Group' --period YYYY-Qn")
    key = "<the key above>" if created_key else "<your API key>"
    print(f"The API: curl -H 'X-API-Key: {key}' {address}/api/v1/organizations (docs: {address}/docs)")


if __name__ == "__main__":
    main(*sys.argv[1:3])
