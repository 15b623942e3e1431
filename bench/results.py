"""What a benchmark run produces: measured figures, the ratios between them, and whether each meets its target."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Figure:
    """One measurement: ``value`` in ``unit`` (s, ms, req/s), with what it covered in ``detail``."""

    workload: str
    label: str
    value: float
    unit: str
    detail: str = ""

    def formatted(self) -> str:
        return format_value(self.value, self.unit)


@dataclass(frozen=True)
class Target:
    """The ratio a comparison should reach: at most ``limit`` (``≤``) or at least it (``≥``)."""

    limit: float
    at_most: bool

    def met(self, ratio: float) -> bool:
        return ratio <= self.limit if self.at_most else ratio >= self.limit

    def __str__(self) -> str:
        return f"{'≤' if self.at_most else '≥'} {self.limit:g}"


def at_most(limit: float) -> Target:
    return Target(limit, at_most=True)


def at_least(limit: float) -> Target:
    return Target(limit, at_most=False)


@dataclass(frozen=True)
class Comparison:
    """``ours`` against ``other``: ``ratio`` is read as "<ratio> <meaning>" (e.g. "1.3 × the time of raw COPY")."""

    workload: str
    ours: Figure
    other: Figure
    ratio: float
    meaning: str
    target: Target | None = None
    inverse_meaning: str | None = None  # how to say it the other way round when the ratio is below 1

    @property
    def text(self) -> str:
        """The ratio in words, e.g. "3.2 × faster than pandas" (or "1.4 × slower than …" below 1)."""
        if self.ratio < 1 and self.inverse_meaning is not None:
            return f"{format_ratio(1 / self.ratio)} {self.inverse_meaning}"
        return f"{format_ratio(self.ratio)} {self.meaning}"

    @property
    def met(self) -> bool | None:
        return None if self.target is None else self.target.met(self.ratio)

    @property
    def verdict(self) -> str:
        met = self.met
        return "" if met is None else ("met" if met else "missed")


def time_ratio(workload: str, ours: Figure, other: Figure, target: Target | None = None) -> Comparison:
    """How many times longer ours takes than ``other`` (below 1: ours is faster)."""
    return Comparison(workload, ours, other, ours.value / other.value, f"× the time of {other.label}", target)


def speedup(workload: str, ours: Figure, other: Figure, target: Target | None = None) -> Comparison:
    """How many times faster ours is than ``other`` (both figures are times)."""
    return Comparison(
        workload,
        ours,
        other,
        other.value / ours.value,
        f"× faster than {other.label}",
        target,
        f"× slower than {other.label}",
    )


def throughput_ratio(workload: str, ours: Figure, other: Figure, target: Target | None = None) -> Comparison:
    """Ours' requests per second as a multiple of ``other``'s."""
    return Comparison(workload, ours, other, ours.value / other.value, f"× the throughput of {other.label}", target)


def cost_ratio(workload: str, ours: Figure, other: Figure, target: Target | None = None) -> Comparison:
    """What one of our requests costs as a multiple of one of ``other``'s (both figures are throughputs)."""
    return Comparison(
        workload, ours, other, other.value / ours.value, f"× the cost per request of {other.label}", target
    )


@dataclass
class Results:
    figures: list[Figure] = field(default_factory=list)
    comparisons: list[Comparison] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, *figures: Figure) -> None:
        self.figures.extend(figures)

    def compare(self, *comparisons: Comparison) -> None:
        self.comparisons.extend(comparisons)

    def note(self, text: str) -> None:
        self.notes.append(text)


def format_value(value: float, unit: str) -> str:
    if unit == "s":
        return f"{value:,.2f} s" if value < 100 else f"{value:,.0f} s"
    if unit == "ms":
        return f"{value:,.1f} ms" if value < 100 else f"{value:,.0f} ms"
    if unit == "req/s":
        return f"{value:,.0f} req/s" if value >= 100 else f"{value:,.1f} req/s"
    return f"{value:,.3g} {unit}"


def format_ratio(ratio: float) -> str:
    return f"{ratio:.2f}" if ratio < 10 else f"{ratio:,.1f}"
