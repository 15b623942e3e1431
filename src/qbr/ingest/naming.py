"""'Did you mean' suggestions for a misspelt organization or metric name.

The standard library's ``difflib`` is enough here: the names to compare with are an MSP's clients and the metric
catalog (tens to a few hundred), so its speed does not matter, and a compiled fuzzy-matching dependency would
weigh on the set-up for nothing. Two readings are combined: a close spelling (``Acme Dentl Group``), and the
words of the name all found in a known one (``Acme`` for ``Acme Dental Group``).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

MAX_SUGGESTIONS = 3
CUTOFF = 0.6  # difflib's ratio below which two names are not worth suggesting


def suggestions(name: str, known: Iterable[str]) -> list[str]:
    """Known names close to ``name``, the closest first (at most MAX_SUGGESTIONS)."""
    by_lower = {candidate.lower(): candidate for candidate in known}
    wanted = " ".join(name.lower().split())
    close = difflib.get_close_matches(wanted, list(by_lower), n=MAX_SUGGESTIONS, cutoff=CUTOFF)
    words = set(wanted.split())
    containing = sorted(lower for lower in by_lower if words and words <= set(lower.split()) and lower not in close)
    return [by_lower[lower] for lower in [*close, *containing][:MAX_SUGGESTIONS]]


def did_you_mean(name: str, known: Iterable[str]) -> str:
    """``"did you mean 'A' or 'B'? "`` (ready to start an accepted-values text), or "" with nothing close."""
    found = suggestions(name, known)
    if not found:
        return ""
    return f"did you mean {' or '.join(repr(candidate) for candidate in found)}? "


__all__ = ["did_you_mean", "suggestions"]
