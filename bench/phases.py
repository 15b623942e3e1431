"""Timing the phases of one product call from outside: how much of an import was its recompute, and so on.

The product calls its phases through module attributes (``qbr.ingest.writing.recompute``…); while a block runs,
such an attribute is wrapped so every call is timed. Nothing else changes: the same code runs, in the same order.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from types import ModuleType
from typing import Any


@contextmanager
def phase_timer(module: ModuleType, name: str) -> Iterator[list[float]]:
    """Seconds of every call of ``module.<name>`` made while the block runs (the list fills as calls end)."""
    original = getattr(module, name)
    spent: list[float] = []

    def timed_call(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            spent.append(time.perf_counter() - start)

    setattr(module, name, timed_call)
    try:
        yield spent
    finally:
        setattr(module, name, original)
