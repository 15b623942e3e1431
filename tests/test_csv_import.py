"""CSV import: layout, BOM, organization names, all-or-nothing with every bad row named, idempotent re-import."""

from __future__ import annotations

import random
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from qbr.catalog import DEFAULT_METRICS
from qbr.cli import app
from qbr.metrics.models import MetricMonthly
from qbr.organizations.models import Organization
from tests.metrics_support import snapshot
from tests.support import make_organization


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.output


def write_csv(path: Path, lines: list[str], *, bom: bool = False) -> Path:
    path.write_text(("\ufeff" if bom else "") + "\n".join(lines) + "\n", encoding="utf-8")
    return path


def count_monthly(engine: Engine) -> int:
    with Session(engine) as session:
        return session.scalar(select(func.count()).select_from(MetricMonthly)) or 0


@pytest.fixture
def acme(engine: Engine) -> int:
    with Session(engine) as session:
        org = make_organization(session, "Acme Corp")
        session.commit()
        return org.id


def test_import_twice_leaves_the_database_identical(engine: Engine, acme: int, tmp_path: Path) -> None:
    file = write_csv(
        tmp_path / "metrics.csv",
        [
            "period,organization_id,metric_name,metric_value,source_system",
            f"2025-01,{acme},Reactive Hours,12.5,ConnectWise",
            f"2025-02,{acme},Reactive Hours,7,ConnectWise",
            f"2025-01,{acme},Endpoints Managed,40,NinjaOne",
            f"2025-02,{acme},Monthly Recurring Revenue,1234.565,QuickBooks",
        ],
        bom=True,
    )
    code, output = invoke("import", "metrics", str(file))
    assert code == 0, output
    assert "imported 4 rows from metrics.csv: 4 new, 0 changed, 0 unchanged" in output
    with Session(engine) as session:
        before = snapshot(session)
    code, output = invoke("import", "metrics", str(file))
    assert code == 0, output
    assert "0 new, 0 changed, 4 unchanged" in output
    with Session(engine) as session:
        assert snapshot(session) == before
        assert session.scalar(
            select(MetricMonthly.metric_value).where(MetricMonthly.metric_name == "Monthly Recurring Revenue")
        ) == Decimal("1234.57")


def test_ten_thousand_rows_with_three_bad_ones_write_nothing_and_name_all_three(
    engine: Engine, acme: int, tmp_path: Path
) -> None:
    rng = random.Random(7)
    lines = ["period,organization_id,metric_name,metric_value"]
    months = [f"{2000 + m // 12}-{m % 12 + 1:02d}" for m in range(10_000 // len(DEFAULT_METRICS) + 1)]
    cells = [(month, metric.metric_name) for month in months for metric in DEFAULT_METRICS][:10_000]
    lines += [f"{month},{acme},{name},{rng.randint(0, 500)}" for month, name in cells]
    lines[1234] = lines[1234].rsplit(",", 1)[0] + ",12,5"  # an unquoted decimal comma: one field too many
    lines[5000] = lines[5000].replace(lines[5000].split(",")[0], "2025-13", 1)
    lines[9999] = lines[9999].rsplit(",", 1)[0] + ",-3"  # a negative count
    file = write_csv(tmp_path / "big.csv", lines)
    code, output = invoke("import", "metrics", str(file))
    assert code != 0
    assert "3 of 10,000 rows are invalid; nothing was written" in output
    for line in (1235, 5001, 10000):
        assert f"big.csv, row {line}, column" in output
    assert "has 5 fields, the header has 4" in output
    assert "'2025-13' has month 13" in output
    assert "is negative" in output
    assert "Traceback" not in output
    assert count_monthly(engine) == 0


def test_organization_names_and_create_orgs(engine: Engine, acme: int, tmp_path: Path) -> None:
    file = write_csv(
        tmp_path / "by-name.csv",
        [
            "Period , Organization , Metric_Name , Metric_Value",
            "2025-01,acme corp,Reactive Hours,1",
            "2025-01,Northwind Traders,Reactive Hours,2",
            '2025-02,"Northwind  Traders",Reactive Hours,3',
        ],
    )
    code, output = invoke("import", "metrics", str(file))
    assert code != 0
    assert "by-name.csv, row 3, column D: no organization named 'Northwind Traders'" in output
    assert "--create-orgs" in output
    code, output = invoke("import", "metrics", str(file), "--create-orgs")
    assert code == 0, output
    assert "created organizations: Northwind Traders" in output
    with Session(engine) as session:
        northwind = session.scalar(select(Organization.id).where(Organization.name == "Northwind Traders"))
        rows = session.execute(
            select(MetricMonthly.organization_id, MetricMonthly.source_system).order_by(MetricMonthly.id)
        ).all()
    assert [tuple(r) for r in rows] == [(acme, "CSV"), (northwind, "CSV"), (northwind, "CSV")]


@pytest.mark.parametrize(
    ("header", "fragment"),
    [
        ("period,organization_id,metric_name,metric_vale", "unknown column 'metric_vale'"),
        ("period,organization_id,metric_name", "no metric_value column"),
        ("period,metric_name,metric_value", "no organization column and no organization chosen"),
        ("period,period,organization_id,metric_name,metric_value", "column 'period' appears twice"),
    ],
)
def test_unusable_header_is_explained(engine: Engine, tmp_path: Path, header: str, fragment: str) -> None:
    code, output = invoke("import", "metrics", str(write_csv(tmp_path / "h.csv", [header, "2025-01,1,x,1"])))
    assert code != 0
    assert fragment in output
    assert "h.csv, row 1" in output


def test_not_utf8_and_empty_files(engine: Engine, tmp_path: Path) -> None:
    latin = tmp_path / "latin.csv"
    latin.write_bytes(b"period,organization,metric_name,metric_value\n2025-01,Caf\xe9,Reactive Hours,1\n")
    code, output = invoke("import", "metrics", str(latin))
    assert code != 0
    assert "is not valid UTF-8 text" in output
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    code, output = invoke("import", "metrics", str(empty))
    assert "the file is empty" in output
    header_only = write_csv(tmp_path / "header.csv", ["period,organization_id,metric_name,metric_value"])
    code, output = invoke("import", "metrics", str(header_only))
    assert "has a header but no values" in output


def test_closed_period_needs_reopen_and_new_metrics_need_permission(engine: Engine, acme: int, tmp_path: Path) -> None:
    file = write_csv(
        tmp_path / "m.csv", ["period,organization_id,metric_name,metric_value", f"2025-01,{acme},Reactive Hours,1"]
    )
    assert invoke("import", "metrics", str(file))[0] == 0
    assert invoke("periods", "close", "2025-Q1")[0] == 0
    changed = write_csv(
        tmp_path / "m2.csv",
        [
            "period,organization_id,metric_name,metric_value",
            f"2025-01,{acme},Reactive Hours,2",
            f"2025-01,{acme},Cloud Spend,9",
        ],
    )
    code, output = invoke("import", "metrics", str(changed))
    assert code != 0
    assert "unknown metric 'Cloud Spend'" in output
    code, output = invoke("import", "metrics", str(changed), "--allow-new-metrics")
    assert code != 0
    assert "2025-01 is closed" in output
    code, output = invoke("import", "metrics", str(changed), "--allow-new-metrics", "--reopen")
    assert code == 0, output
    assert "changed closed periods (recorded, still closed): 2025-01" in output
    assert count_monthly(engine) == 2


def test_progress_is_reported_up_to_the_whole_file(engine: Engine, acme: int, tmp_path: Path) -> None:
    from qbr.ingest.csv_import import import_metrics_csv

    file = write_csv(
        tmp_path / "p.csv",
        ["period,organization_id,metric_name,metric_value"]
        + [f"2025-{m:02d},{acme},Reactive Hours,{m}" for m in range(1, 13)],
    )
    seen: list[tuple[int, int]] = []
    with Session(engine) as session:
        import_metrics_csv(session, file, progress=lambda done, total: seen.append((done, total)))
    assert seen
    assert seen[-1] == (file.stat().st_size, file.stat().st_size)
