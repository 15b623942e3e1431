"""Workload 2, compute on PostgreSQL: quarterly rollups and every KPI of every organization and period.

Ours is ``recompute`` over every (organization, month) pair, which brings every quarter with it, starting from
empty derived tables. The limit is one hand-written ``INSERT … SELECT … GROUP BY`` rollup statement (rollups
only: no KPIs), whose result must equal ours. pandas reads the monthly values, rolls them up with ``groupby``,
pivots months and quarters to one column per metric, evaluates the KPI formulas column-wise and writes both
results back with ``to_sql`` (its default, and here fastest, method).
"""

from __future__ import annotations

import re
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, select, text

from bench.context import BenchRun
from bench.databases import engine_for
from bench.pandas_loader import MISSING, load_pandas
from bench.phases import phase_timer
from bench.results import Figure, at_most, speedup, time_ratio
from bench.tables import DERIVED_COLUMNS, copy_file_into, create_identical_table, export_to_file, row_count, settle
from bench.timing import timed
from qbr.core.database import unit_of_work
from qbr.kpis import recompute as recompute_module
from qbr.metrics.models import MetricMonthly
from qbr.metrics.scope import Pair

WORKLOAD = "Compute (PostgreSQL)"
RECOMPUTE_PHASES = ("stage_scope", "rollup_staged_quarters", "compute_staged_kpis")
SQL_TABLE = "bench_sql_quarterly"
KPI_COPY_TABLE = "bench_copy_kpi_values"
PANDAS_QUARTERLY = "bench_pandas_quarterly"
PANDAS_SMARTNUMBERS = "bench_pandas_smartnumbers"

# The limit: every rollup rule of the catalog in one statement over the monthly values (one source per value in
# the dataset, so no precedence between sources is needed here).
ROLLUP_SELECT = """
SELECT m.organization_id,
       substr(m.period, 1, 4) || '-Q' || ((CAST(substr(m.period, 6, 2) AS integer) + 2) / 3) AS quarter,
       m.metric_name,
       CASE d.rollup
           WHEN 'avg' THEN round(avg(m.metric_value), 2)
           WHEN 'last' THEN (array_agg(m.metric_value ORDER BY m.period DESC))[1]
           ELSE sum(m.metric_value)
       END AS metric_value
FROM metrics_monthly AS m
JOIN metric_definitions AS d ON d.metric_name = m.metric_name
GROUP BY m.organization_id, quarter, m.metric_name, d.rollup
"""
ROLLUP_COLUMNS = "organization_id, period, metric_name, metric_value"
ROLLUP_STATEMENT = f"INSERT INTO {SQL_TABLE} ({ROLLUP_COLUMNS}) {ROLLUP_SELECT}"


def differing_rows(connection: Connection, ours: str, theirs: str, name: str, value: str) -> int:
    """Rows of ``ours`` and ``theirs`` (same key: organization, period, ``name``) whose ``value`` differs or that
    only one of them has."""
    statement = f"""
        SELECT count(*) FROM {ours} AS o FULL JOIN {theirs} AS t USING (organization_id, period, {name})
        WHERE o.{value} IS DISTINCT FROM t.{value} OR o.id IS NULL OR t.id IS NULL
    """
    return int(connection.execute(text(statement)).scalar_one())


def run_compute(run: BenchRun, url: str) -> None:
    """Runs on the database the ingest workload filled."""
    with engine_for(url) as engine:
        _run(run, engine)


def _run(run: BenchRun, engine: Engine) -> None:
    with engine.connect() as connection:
        pairs: list[Pair] = [
            (organization_id, period)
            for organization_id, period in connection.execute(
                select(MetricMonthly.organization_id, MetricMonthly.period).distinct()
            )
        ]
    with engine.begin() as connection:
        connection.execute(text("TRUNCATE metrics_quarterly, smartnumbers"))
        create_identical_table(connection, "metrics_quarterly", SQL_TABLE)

    settle(engine)
    run.log(f"compute: our recompute of {len(pairs):,} months and their quarters")
    (recomputed, phases), ours_seconds = timed(lambda: _recompute(engine, pairs))
    counts = _counts(engine)
    ours = Figure(
        WORKLOAD,
        "our recompute",
        ours_seconds,
        "s",
        f"{len(recomputed):,} periods: {counts['metrics_quarterly']:,} rollups, {counts['smartnumbers']:,} KPI values; "
        f"staging {phases['stage_scope']:,.1f} s, rollups {phases['rollup_staged_quarters']:,.1f} s, "
        f"KPIs {phases['compute_staged_kpis']:,.1f} s",
    )
    rollups = Figure(
        WORKLOAD,
        "our rollups alone",
        phases["stage_scope"] + phases["rollup_staged_quarters"],
        "s",
        "the staging and rollup phases of the same recompute",
    )

    settle(engine)
    run.log("compute: one hand-written INSERT … SELECT … GROUP BY")
    _, sql_seconds = timed(lambda: _rollup_statement(engine))
    statement = Figure(WORKLOAD, "one SQL rollup statement", sql_seconds, "s", "rollups only, no KPIs")
    with engine.connect() as connection:
        differing = differing_rows(connection, "metrics_quarterly", SQL_TABLE, "metric_name", "metric_value")
    if differing:
        run.results.note(f"our rollups and the SQL statement's differ in {differing:,} rows")

    settle(engine)
    run.log("compute: raw COPY of the KPI values our recompute stored")
    kpi_seconds, kpi_rows = _raw_copy_of_kpis(engine, run.workdir)
    limit = Figure(
        WORKLOAD,
        "SQL rollups + raw COPY of the KPI values",
        sql_seconds + kpi_seconds,
        "s",
        f"the statement above plus a raw COPY of the {kpi_rows:,} KPI values into an identical empty table: the "
        "limit for storing what the recompute stores",
    )

    run.results.add(ours, rollups, statement, limit)
    run.results.compare(
        time_ratio(WORKLOAD, ours, statement, at_most(2)),
        time_ratio(WORKLOAD, ours, limit),
        time_ratio(WORKLOAD, rollups, statement),
    )

    if load_pandas() is None:
        run.results.note(MISSING)
        return
    with engine.begin() as connection:
        create_identical_table(connection, "metrics_quarterly", PANDAS_QUARTERLY)
        create_identical_table(connection, "smartnumbers", PANDAS_SMARTNUMBERS)
    settle(engine)
    run.log("compute: pandas groupby/pivot, KPI formulas column-wise, to_sql")
    (written, write_seconds), pandas_seconds = timed(lambda: pandas_compute(engine))
    with engine.connect() as connection:
        rollups_differ = differing_rows(
            connection, "metrics_quarterly", PANDAS_QUARTERLY, "metric_name", "metric_value"
        )
        kpis_differ = differing_rows(connection, "smartnumbers", PANDAS_SMARTNUMBERS, "kpi_name", "kpi_value")
    pandas = Figure(
        WORKLOAD,
        "pandas groupby/pivot",
        pandas_seconds,
        "s",
        f"{written:,} rows written, of which writing (to_sql) {write_seconds:,.1f} s; differs from ours in "
        f"{rollups_differ:,} rollups and {kpis_differ:,} KPI values (binary floating point)",
    )
    run.results.add(pandas)
    run.results.compare(speedup(WORKLOAD, ours, pandas))


def _recompute(engine: Engine, pairs: list[Pair]) -> tuple[tuple[Pair, ...], dict[str, float]]:
    """Our recompute of ``pairs``, committed, and the seconds of each of its phases."""
    with ExitStack() as stack:
        spent = {phase: stack.enter_context(phase_timer(recompute_module, phase)) for phase in RECOMPUTE_PHASES}
        with unit_of_work(engine) as session:
            recomputed = recompute_module.recompute(session, pairs)
    return recomputed, {phase: sum(seconds) for phase, seconds in spent.items()}


def _raw_copy_of_kpis(engine: Engine, folder: Path) -> tuple[float, int]:
    """Seconds to COPY the KPI values now stored into an identical empty table, and how many there are."""
    columns = DERIVED_COLUMNS["smartnumbers"]
    path = folder / "derived-smartnumbers.csv"
    with engine.begin() as connection:
        create_identical_table(connection, "smartnumbers", KPI_COPY_TABLE)
    export_to_file(engine, "smartnumbers", columns, path)
    settle(engine)
    _, seconds = timed(lambda: copy_file_into(engine, path, KPI_COPY_TABLE, columns))
    path.unlink()
    return seconds, row_count(engine, KPI_COPY_TABLE)


def _rollup_statement(engine: Engine) -> None:
    with engine.begin() as connection:
        connection.execute(text(ROLLUP_STATEMENT))


def _counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        return {
            table: int(connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())
            for table in ("metrics_quarterly", "smartnumbers")
        }


def pandas_compute(engine: Engine) -> tuple[int, float]:
    """Rollups and KPIs the way a data person would write them; returns rows written and seconds spent writing."""
    pd: Any = load_pandas()
    monthly = pd.read_sql("SELECT organization_id, period, metric_name, metric_value FROM metrics_monthly", engine)
    rules = pd.read_sql("SELECT metric_name, rollup FROM metric_definitions", engine)
    kpis = pd.read_sql("SELECT kpi_name, formula FROM kpi_definitions ORDER BY sort_order, kpi_name", engine)
    monthly["metric_value"] = monthly["metric_value"].astype(float)
    month_number = monthly["period"].str[5:7].astype(int)
    monthly["quarter"] = monthly["period"].str[:4] + "-Q" + ((month_number + 2) // 3).astype(str)

    keys = ["organization_id", "quarter", "metric_name"]
    ruled = monthly.merge(rules, on="metric_name")
    sums = ruled[ruled["rollup"] == "sum"].groupby(keys)["metric_value"].sum()
    means = ruled[ruled["rollup"] == "avg"].groupby(keys)["metric_value"].mean()
    lasts = ruled[ruled["rollup"] == "last"].sort_values("period").groupby(keys)["metric_value"].last()
    rolled = pd.concat([sums, means, lasts]).round(2)
    quarterly = rolled.rename("metric_value").reset_index().rename(columns={"quarter": "period"})

    month_wide = monthly.pivot_table(
        index=["organization_id", "period"], columns="metric_name", values="metric_value", aggfunc="first"
    )
    month_wide["months"] = 1
    quarter_wide = quarterly.pivot_table(
        index=["organization_id", "period"], columns="metric_name", values="metric_value", aggfunc="first"
    )
    months_per_quarter = monthly.groupby(["organization_id", "quarter"])["period"].nunique()
    quarter_wide["months"] = months_per_quarter.rename_axis(["organization_id", "period"]).reindex(quarter_wide.index)
    smartnumbers = pd.concat([_kpi_values(pd, month_wide, kpis), _kpi_values(pd, quarter_wide, kpis)])

    def write() -> int:
        for frame, table in ((quarterly, PANDAS_QUARTERLY), (smartnumbers, PANDAS_SMARTNUMBERS)):
            # The default method: on this stack the fastest to_sql has (see the ingest workload).
            frame.to_sql(table, engine, if_exists="append", index=False)
        return len(quarterly) + len(smartnumbers)

    return timed(write)


def _kpi_values(pd: Any, wide: Any, kpis: Any) -> Any:
    """Every KPI of every row of ``wide`` (one column per metric), as smartnumbers rows."""
    for name, formula in zip(kpis["kpi_name"], kpis["formula"], strict=True):
        wide[name] = wide.eval(_as_pandas_expression(formula))
    values = wide[list(kpis["kpi_name"])].replace([float("inf"), float("-inf")], float("nan")).round(2)
    long = values.reset_index().melt(id_vars=["organization_id", "period"], var_name="kpi_name", value_name="kpi_value")
    long["calculation_method"] = long["kpi_name"].map(dict(zip(kpis["kpi_name"], kpis["formula"], strict=True)))
    return long


def _as_pandas_expression(formula: str) -> str:
    """``[Reactive Hours] / months`` → ```Reactive Hours` / months``: DataFrame.eval's quoting of column names."""
    return re.sub(r"\[([^\]]+)\]", r"`\1`", formula)
