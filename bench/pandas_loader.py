"""pandas, which the benchmark compares with, imported only when present (it is in the ``bench`` extra)."""

from __future__ import annotations

import importlib
from types import ModuleType

MISSING = "pandas is not installed (pip install -e '.[bench]'); the pandas comparisons were skipped"


def load_pandas() -> ModuleType | None:
    try:
        return importlib.import_module("pandas")
    except ImportError:
        return None
