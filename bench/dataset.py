"""The benchmark's deterministic dataset: organizations × metrics × months of monthly values, as CSV files.

Two files with the same rows: the first import, and a second one in which every value differs (for the
re-import, where every row is an update). The same scale and seed always give byte-identical files.
"""

from __future__ import annotations

import csv
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, insert, select
from sqlalchemy.orm import Session

from bench.scales import Scale
from qbr.catalog import DEFAULT_METRICS
from qbr.core.database import unit_of_work
from qbr.demo.generate import extra_metric_names
from qbr.ingest.definitions import define_metric
from qbr.organizations.models import Organization
from qbr.periods.service import ensure_periods

SEED = 2025
HEADER = ("period", "organization_id", "metric_name", "metric_value", "source_system")
IMPORT_SOURCE = "CSV"  # what a spreadsheet import is recorded as; the catalog's Manual metrics arrive this way


@dataclass(frozen=True)
class BenchMetric:
    metric_name: str
    unit: str
    rollup: str
    source_system: str


@dataclass(frozen=True)
class DatasetFiles:
    first: Path  # the initial import
    changed: Path  # the same rows, every value different


def bench_metrics(scale: Scale) -> list[BenchMetric]:
    """The catalog's metrics, then the extra ones the benchmark registers (alternately summed and averaged)."""
    catalog = [
        BenchMetric(
            m.metric_name, m.unit, m.rollup, IMPORT_SOURCE if m.default_source == "Manual" else m.default_source
        )
        for m in DEFAULT_METRICS
    ]
    extra = [
        BenchMetric(name, "count", "sum" if index % 2 == 0 else "avg", IMPORT_SOURCE)
        for index, name in enumerate(extra_metric_names(scale.extra_metrics))
    ]
    return catalog + extra


def organization_names(count: int) -> list[str]:
    return [f"Bench Client {number:05d}" for number in range(1, count + 1)]


def write_dataset(scale: Scale, folder: Path) -> DatasetFiles:
    folder.mkdir(parents=True, exist_ok=True)
    files = DatasetFiles(folder / f"monthly-{scale.name}.csv", folder / f"monthly-{scale.name}-changed.csv")
    with files.first.open("w", newline="") as first, files.changed.open("w", newline="") as changed:
        first_writer, changed_writer = csv.writer(first), csv.writer(changed)
        first_writer.writerow(HEADER)
        changed_writer.writerow(HEADER)
        for period, organization_id, metric, value, other in _rows(scale):
            first_writer.writerow((period, organization_id, metric.metric_name, value, metric.source_system))
            changed_writer.writerow((period, organization_id, metric.metric_name, other, metric.source_system))
    return files


def _rows(scale: Scale) -> Iterator[tuple[str, int, BenchMetric, str, str]]:
    """(period, organization id, metric, value, changed value) in export order: organization, month, metric."""
    rng = random.Random(SEED)
    metrics = bench_metrics(scale)
    months = [month.value for month in scale.calendar]
    for organization_id in range(1, scale.organizations + 1):
        size = rng.uniform(20, 400)  # endpoints, roughly: every figure of a client scales with it
        magnitudes = [size * _UNIT_FACTORS[m.unit] * rng.uniform(0.2, 2.0) for m in metrics]
        for period in months:
            for metric, magnitude in zip(metrics, magnitudes, strict=True):
                value = magnitude * rng.uniform(0.85, 1.15)
                if metric.unit == "currency":
                    cents = round(value * 100)
                    yield period, organization_id, metric, _cents(cents), _cents(cents + 100)
                elif metric.unit == "hours":
                    quarters = round(value * 4)  # time entries in quarter hours
                    yield period, organization_id, metric, _cents(quarters * 25), _cents(quarters * 25 + 25)
                else:
                    count = round(value)
                    yield period, organization_id, metric, str(count), str(count + 1)


_UNIT_FACTORS = {"count": 1.0, "hours": 0.3, "currency": 100.0}


def _cents(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


def prepare_database(engine: Engine, scale: Scale) -> None:
    """What must exist before the dataset is imported: its organizations (ids 1…N), extra metrics and periods."""
    with unit_of_work(engine) as session:
        session.execute(insert(Organization), [{"name": name} for name in organization_names(scale.organizations)])
        ids = list(session.scalars(select(Organization.id).order_by(Organization.id)))
        if ids != list(range(1, scale.organizations + 1)):
            raise RuntimeError("the benchmark needs an empty database: organization ids must be 1 to N")
        prepare_catalog(session, scale)


def prepare_catalog(session: Session, scale: Scale) -> None:
    """Register the extra metrics and create the dataset's periods."""
    catalog = {m.metric_name for m in DEFAULT_METRICS}
    for metric in bench_metrics(scale):
        if metric.metric_name not in catalog:
            define_metric(session, metric.metric_name, unit=metric.unit, rollup=metric.rollup, default_source="CSV")
    ensure_periods(session, scale.calendar)
