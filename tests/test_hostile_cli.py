"""What the command line does with hostile input: far periods, deep formulas, names and stored text with control
characters (escaped on the terminal), and a production server started without a real key."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import Engine, insert
from sqlalchemy.orm import Session

from qbr.cli import app
from qbr.connectors.models import SyncRun
from qbr.connectors.runs import finish_run, start_run
from qbr.metrics.models import MetricMonthly
from qbr.organizations.service import find_organization
from tests.support import make_periods

ESC = "\x1b"
BEL = "\x07"
DEEP = "(" * 197 + "1"


def test_kpis_check_refuses_deep_nesting_without_a_traceback(engine: Engine) -> None:
    result = CliRunner().invoke(app, ["kpis", "check", DEEP])
    assert result.exit_code != 0
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "nests deeper than" in result.output
    assert "Traceback" not in result.output


def test_organization_names_with_control_characters_are_refused(engine: Engine) -> None:
    runner = CliRunner()
    refused = runner.invoke(app, ["orgs", "create", f"Evil{ESC}[2JCorp"])
    assert refused.exit_code != 0
    assert "U+001B" in refused.output
    assert runner.invoke(app, ["orgs", "create", "Аcme"]).exit_code != 0  # a Cyrillic А


def test_csv_import_refuses_far_periods_and_hidden_source_names(engine: Engine, tmp_path: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["orgs", "create", "Acme"]).exit_code == 0
    far = tmp_path / "far.csv"
    far.write_text("period,organization,metric_name,metric_value\n9999-12,Acme,Reactive Hours,1\n")
    refused = runner.invoke(app, ["import", "metrics", str(far)])
    assert refused.exit_code != 0
    assert f"{date.today().year + 1}-12" in refused.output
    hidden = tmp_path / "hidden.csv"
    hidden.write_text(
        f"period,organization,metric_name,metric_value,source_system\n2025-01,Acme,Reactive Hours,1,X{BEL}\n"
    )
    refused = runner.invoke(app, ["import", "metrics", str(hidden)])
    assert refused.exit_code != 0
    assert "U+0007" in refused.output


def test_stored_text_reaches_the_terminal_escaped(engine: Engine) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["orgs", "create", "Acme"]).exit_code == 0
    with Session(engine) as session:
        # Written before the text rule existed (or straight into the database): shown, but never raw.
        acme = find_organization(session, "Acme")
        make_periods(session, "2025-01")
        session.execute(
            insert(MetricMonthly).values(
                organization_id=acme.id,
                period="2025-01",
                metric_name="Reactive Hours",
                metric_value=1,
                source_system=f"Evil{ESC}]0;owned{BEL}",
            )
        )
        run = start_run(session, "NinjaOne", "2025-01")
        finish_run(session, run.id, succeeded=False, error=f"vendor said {ESC}[31mred{ESC}[0m")
        session.execute(
            SyncRun.__table__.update()
            .where(SyncRun.id == run.id)
            .values(unmapped_detail=json.dumps({"notes": [f"note with {BEL} bell"]}))
        )
        session.commit()
    listing = runner.invoke(app, ["metrics", "list", "Acme", "--period", "2025-01", "--sources"]).output
    runs = runner.invoke(app, ["connectors", "runs", "--detail"]).output
    for output in (listing, runs):
        assert ESC not in output
        assert BEL not in output
    assert "Evil\\x1b]0;owned\\x07" in listing
    assert "vendor said \\x1b[31mred" in runs
    assert "note with \\x07 bell" in runs


def _serve(environment: dict[str, str]) -> subprocess.CompletedProcess[str]:
    qbr = Path(sys.executable).with_name("qbr")
    env = {**os.environ, **environment}
    return subprocess.run(
        [str(qbr), "serve", "--port", "1"], env=env, capture_output=True, text=True, timeout=60, check=False
    )


def test_production_without_a_real_key_is_one_clear_line(tmp_path: Path) -> None:
    base = {"QBR_ENVIRONMENT": "production", "QBR_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"}
    missing = _serve({**base, "QBR_SECRET_KEY": ""})
    weak = _serve({**base, "QBR_SECRET_KEY": "a" * 48})
    for result, reason in ((missing, "characters long"), (weak, "1 different characters")):
        assert result.returncode != 0
        assert "Traceback" not in result.stderr
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        assert len(lines) == 1, result.stderr
        assert "QBR_SECRET_KEY" in lines[0]
        assert reason in lines[0]
