"""Schema migrations, wrapped for the ``qbr db`` commands and the tests; they run from an installed wheel."""

from __future__ import annotations

from importlib.resources import files

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from qbr.errors import InvalidInput


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(files("qbr") / "migrations"))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    config.set_main_option("file_template", "%%(year)d_%%(month).2d_%%(day).2d_%%(rev)s_%%(slug)s")
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    with engine.begin() as connection:
        config = alembic_config(str(engine.url))
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def downgrade(engine: Engine, revision: str) -> None:
    _require_known_revision(engine, revision)
    with engine.begin() as connection:
        config = alembic_config(str(engine.url))
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision(engine: Engine) -> str | None:
    return ScriptDirectory.from_config(alembic_config(str(engine.url))).get_current_head()


def check(engine: Engine) -> None:
    """Raise if the models and the migrations disagree (alembic's own ``check``)."""
    with engine.begin() as connection:
        config = alembic_config(str(engine.url))
        config.attributes["connection"] = connection
        command.check(config)


def _require_known_revision(engine: Engine, revision: str) -> None:
    if revision == "base" or revision.startswith("-"):
        return
    scripts = ScriptDirectory.from_config(alembic_config(str(engine.url)))
    known = [script.revision for script in scripts.walk_revisions()]
    if revision not in known:
        raise InvalidInput.single(
            "REVISION", f"unknown revision {revision!r}", "base, -1, or one of: " + ", ".join(reversed(known))
        )
