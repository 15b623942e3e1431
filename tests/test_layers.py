"""The package layers of ``src/qbr``, read from the source: no cycle between packages, nothing imports the app
package but the CLI, and every import from a lower layer up to a higher one is listed here with its reason."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import qbr

SOURCE = Path(qbr.__file__).parent

# Lowest first. A package may import its own layer and the ones before it. Modules at the top of ``qbr`` count as
# packages of their own (``qbr`` is its ``__init__``: the version).
LAYERS: tuple[tuple[str, ...], ...] = (
    # the version, the error types, the source systems, the seed catalog and its texts: they import nothing of ours
    # but each other
    ("qbr", "errors", "sources", "catalog", "catalog_texts"),
    ("core",),  # settings, database, ORM base, numbers, the principal (who is asking)
    ("api",),  # the endpoints' toolkit: dependencies, listing and CSV, parameters, problem+json
    ("periods",),  # the calendar every dated figure refers to
    ("organizations",),  # the clients, and their links to the vendors' ids
    ("auth",),  # users, API keys, sign-in and the authentication middleware; scopes name organizations
    ("metrics",),  # the catalog of metrics and KPIs (one namespace), stored values, effective values, rollups
    ("thresholds",),  # warning/critical values of catalog names, and grading against them
    ("kpis",),  # formulas, computed KPIs, the recompute of derived figures, the KPI catalog's changes
    ("ingest",),  # every change of metric data (values and definitions), which recomputes what it touches
    ("connectors",),  # vendor clients and the sync, which write through ingest
    ("branding",),  # the MSP's brand: stored settings over the environment's, contrast and logo checks
    ("models",),  # every table in one import, for Alembic and backups
    ("migrations", "backup"),
    ("insight",),  # a client against its peers, the quarter ahead
    ("dashboard",),  # what a review shows: figures, trends, data quality, source status
    ("presentation",),  # how a figure is labelled (periods, statuses, values)
    ("charts",),
    ("reviews",),  # the QBR itself: the story drafted from the dashboard view, recommendations, published versions
    ("reports",),  # the PDF
    ("sharing",),  # share links to published review versions
    ("deck",),  # the editable PowerPoint deck of a review
    ("batch",),  # a review's report as a file, and every organization's at once in worker processes
    ("email",),  # QBR e-mail: SMTP settings, recipients, schedules, the outbox; sends reports and share links
    ("demo",),
    ("web",),  # the pages
    ("server",),  # the application: assembles the API and the pages
    ("cli", "__main__"),
)
RANK = {package: rank for rank, packages in enumerate(LAYERS) for package in packages}

# Imports from a lower layer up to a higher one, as (importing module, imported module). Each needs a reason.
ALLOWED_UPWARD: dict[tuple[str, str], str] = {
    ("qbr.models", "qbr.reviews.models"): "every table in one import; the review's tables (which import nothing "
    "above metrics) live with the domain that drafts and publishes reviews from the dashboard view",
    ("qbr.models", "qbr.sharing.models"): "every table in one import; share links (which import only the ORM base) "
    "live with the links' rules, above the reviews they point to",
    ("qbr.models", "qbr.email.models"): "every table in one import; the e-mail tables (which import only the ORM "
    "base) live with the outbox, above the reports and share links it sends",
}
MAX_UPWARD = 7


def package_of(module: str) -> str:
    """``qbr.metrics.models`` → ``metrics``; ``qbr`` → ``qbr``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def module_name(path: Path) -> str:
    parts = path.relative_to(SOURCE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> list[str]:
    return imports_in(path.read_text(encoding="utf-8"), module_name(path), is_package=path.name == "__init__.py")


def imports_in(text: str, module: str, *, is_package: bool = False) -> list[str]:
    """Every ``qbr`` module the source of ``module`` imports, anywhere in it (inside functions too)."""
    found: list[str] = []
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Import):
            found.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".")
                base = base[: len(base) - node.level + (1 if is_package else 0)]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            # ``from qbr import x`` may name a module (``qbr.x``) or an attribute of ``qbr`` (its version).
            if target == "qbr":
                found.extend(
                    f"qbr.{alias.name}"
                    if (SOURCE / alias.name).exists() or (SOURCE / f"{alias.name}.py").exists()
                    else "qbr"
                    for alias in node.names
                )
            else:
                found.append(target)
    return [name for name in found if name == "qbr" or name.startswith("qbr.")]


def import_edges() -> list[tuple[str, str]]:
    """(importing module, imported module) for every import of another package of ``qbr``."""
    edges = []
    for path in sorted(SOURCE.rglob("*.py")):
        importer = module_name(path)
        for imported in imports_of(path):
            if package_of(imported) != package_of(importer):
                edges.append((importer, imported))
    return edges


def package_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = defaultdict(set)
    for importer, imported in import_edges():
        graph[package_of(importer)].add(package_of(imported))
    return graph


def test_every_package_has_a_layer() -> None:
    packages = {package_of(module_name(path)) for path in SOURCE.rglob("*.py")}
    assert packages - set(RANK) == set(), "place each new package in LAYERS"


def test_no_cycle_between_packages() -> None:
    graph = package_graph()

    def reaches(start: str, goal: str) -> list[str] | None:
        """A path of imports from ``start`` to ``goal``, if there is one."""
        stack, seen = [[start]], {start}
        while stack:
            path = stack.pop()
            for following in sorted(graph[path[-1]]):
                if following == goal:
                    return [*path, goal]
                if following not in seen:
                    seen.add(following)
                    stack.append([*path, following])
        return None

    cycles = [" → ".join(cycle) for package in sorted(graph) if (cycle := reaches(package, package))]
    assert cycles == []


def test_only_the_cli_imports_the_app() -> None:
    importers = {importer for importer, imported in import_edges() if package_of(imported) == "server"}
    assert {package_of(importer) for importer in importers} <= {"cli", "__main__"}, sorted(importers)


def test_upward_imports_are_exactly_the_allowed_ones() -> None:
    upward = {
        (importer, imported)
        for importer, imported in import_edges()
        if RANK[package_of(imported)] > RANK[package_of(importer)]
    }
    assert upward == set(ALLOWED_UPWARD)
    assert len(ALLOWED_UPWARD) <= MAX_UPWARD


def test_the_check_sees_every_kind_of_import() -> None:
    text = (
        "import qbr.core.database\n"
        "from qbr import __version__, errors\n"
        "from ..periods import calendar\n"
        "from .models import Threshold\n"
        "def later():\n"
        "    from qbr.server.app import create_app\n"
    )
    assert imports_in(text, "qbr.thresholds.service") == [
        "qbr.core.database",
        "qbr",
        "qbr.errors",
        "qbr.periods",
        "qbr.thresholds.models",
        "qbr.server.app",
    ]
