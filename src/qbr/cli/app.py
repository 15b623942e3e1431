"""The command group class every ``qbr`` command uses: product errors become clear messages, not tracebacks."""

from __future__ import annotations

from typing import Any

import click

from qbr.errors import QbrError

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 110}


class QbrGroup(click.Group):
    """Turns every product error into a clear message and a non-zero exit status, never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except QbrError as exc:
            raise click.ClickException(str(exc)) from exc
        except Exception as exc:
            # Imported here, only once something failed: SQLAlchemy takes long to import, and `qbr --help` needs none.
            from pydantic import ValidationError
            from sqlalchemy.exc import OperationalError

            from qbr.core.database import unavailable
            from qbr.core.settings import settings_error_text

            if isinstance(exc, OperationalError):
                raise click.ClickException(str(unavailable(exc))) from exc
            if isinstance(exc, ValidationError) and exc.title.endswith("Settings"):
                # Settings read from QBR_* variables: say which variable is wrong, in a line, not a traceback.
                raise click.ClickException(settings_error_text(exc)) from exc
            raise


def command_group(name: str, help_text: str) -> QbrGroup:
    """A subcommand group with the house defaults."""
    return QbrGroup(name=name, help=help_text, context_settings=CONTEXT_SETTINGS, no_args_is_help=True)
