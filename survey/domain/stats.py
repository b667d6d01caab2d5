"""Streaming summary statistics for released groups, in memory bounded by distinct values.

Scores are whole numbers or prorated values reported to one decimal place, so an
accumulator keeps a histogram of values in tenths: a release of 100,000 responses holds a
few hundred counters per group, never the values themselves. Means and variances come from
the histogram in exact integer arithmetic; the median is exact too.

Comparisons between waves use summary statistics only: anonymous waves cannot be paired,
and the earlier wave's figures come from its Release, not from raw data. They are
independent-samples (Welch) differences with a t-based 95 % interval on
Welch-Satterthwaite degrees of freedom, and Hedges' g (pooled SD, small-sample correction
J = 1 - 3 / (4 (n1 + n2) - 9)).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from functools import lru_cache

CONFIDENCE = 0.95


def _round_half_up(value: float) -> int:
    # Tenths, rounding the decimal the value was written as (37.45 -> 375), halves upwards
    # as `scoring` does, so a histogram bin always matches the score a respondent saw.
    shifted = value * 10 + 0.5
    nearest = round(shifted)
    if abs(shifted - nearest) > 1e-6:
        # Not near a half: float arithmetic already lands in the right tenth (fast path).
        return math.floor(shifted)
    exact = Fraction(repr(float(value))) * 10
    return math.floor(exact + Fraction(1, 2))


@dataclass
class ScoreAccumulator:
    """Adds one respondent's score at a time; keeps a histogram of values in tenths."""

    histogram: Counter[int] = field(default_factory=Counter)

    def add(self, value: float) -> None:
        """Add one score (rounded to one decimal place, halves upwards)."""
        if isinstance(value, bool):
            raise ValueError("a score must be a number")
        if not math.isfinite(value):
            raise ValueError(f"a score must be a finite number, not {value!r}")
        self.histogram[_round_half_up(value)] += 1

    def add_tenths(self, tenths: int) -> None:
        """Add one score already in whole tenths (the release's hot path: no re-checking)."""
        self.histogram[tenths] += 1

    def merge(self, other: ScoreAccumulator) -> None:
        """Fold another accumulator's values into this one."""
        self.histogram.update(other.histogram)

    @property
    def n(self) -> int:
        """Number of scores added."""
        return sum(self.histogram.values())

    def _moments(self) -> tuple[int, Fraction, Fraction]:
        n = self.n
        total = sum(t * c for t, c in self.histogram.items())
        squares = sum(t * t * c for t, c in self.histogram.items())
        mean = Fraction(total, n * 10)
        # Sum of squared deviations, in score units, exactly.
        ssd = Fraction(squares * n - total * total, n * 100)
        return n, mean, ssd

    @property
    def mean(self) -> float | None:
        """Arithmetic mean (None when empty)."""
        return float(self._moments()[1]) if self.n else None

    @property
    def sd(self) -> float | None:
        """Sample standard deviation, n - 1 in the denominator (None below two scores)."""
        n = self.n
        if n < 2:
            return None
        _, _, ssd = self._moments()
        return math.sqrt(ssd / (n - 1))

    @property
    def median(self) -> float | None:
        """Exact median: the middle value, or the mean of the two middle values."""
        n = self.n
        if not n:
            return None
        middle = ((n - 1) // 2, n // 2)
        found: list[int] = []
        seen = 0
        for tenths in sorted(self.histogram):
            count = self.histogram[tenths]
            found += [tenths for position in middle if seen <= position < seen + count]
            seen += count
        return float(Fraction(sum(found), 20))

    def band_counts(self, band_lows: Sequence[float]) -> list[int]:
        """Counts per band, bands given by ascending lower bounds (the first is the minimum)."""
        lows = [_round_half_up(low) for low in band_lows]
        if not lows or lows != sorted(set(lows)):
            raise ValueError("band lower bounds must be strictly ascending")
        counts = [0] * len(lows)
        for tenths, count in self.histogram.items():
            if tenths < lows[0]:
                raise ValueError("a score lies below the lowest band")
            # The band with the highest lower bound at or below the score.
            index = max(i for i, low in enumerate(lows) if low <= tenths)
            counts[index] += count
        return counts


@dataclass(frozen=True)
class Summary:
    """n, mean, SD, 95 % CI of the mean (t distribution) and median of one group."""

    n: int
    mean: float | None
    sd: float | None
    ci_low: float | None
    ci_high: float | None
    median: float | None


def summarise(acc: ScoreAccumulator) -> Summary:
    """Summarise an accumulator; the CI needs two or more scores."""
    n, mean, sd = acc.n, acc.mean, acc.sd
    ci_low = ci_high = None
    if mean is not None and sd is not None:
        half = t_quantile(n - 1) * sd / math.sqrt(n)
        ci_low, ci_high = mean - half, mean + half
    return Summary(n=n, mean=mean, sd=sd, ci_low=ci_low, ci_high=ci_high, median=acc.median)


@dataclass(frozen=True)
class Comparison:
    """Current minus previous: difference of means, its 95 % CI, Welch df and Hedges' g."""

    diff: float
    ci_low: float | None
    ci_high: float | None
    df: float | None
    se: float | None
    hedges_g: float | None


def compare(previous: Summary, current: Summary) -> Comparison | None:
    """Compare two independent groups from their summaries (None if either lacks an SD)."""
    if previous.mean is None or current.mean is None:
        return None
    if previous.sd is None or current.sd is None:
        return None
    n1, n2 = previous.n, current.n
    v1, v2 = previous.sd**2 / n1, current.sd**2 / n2
    diff = current.mean - previous.mean
    se = math.sqrt(v1 + v2)
    pooled = math.sqrt(((n1 - 1) * previous.sd**2 + (n2 - 1) * current.sd**2) / (n1 + n2 - 2))
    if se == 0:
        # Both groups constant: no spread to put an interval or an effect size on.
        return Comparison(diff=diff, ci_low=None, ci_high=None, df=None, se=0.0, hedges_g=None)
    df = (v1 + v2) ** 2 / (v1**2 / (n1 - 1) + v2**2 / (n2 - 1))
    half = t_quantile(df) * se
    correction = 1 - 3 / (4 * (n1 + n2) - 9)
    return Comparison(
        diff=diff,
        ci_low=diff - half,
        ci_high=diff + half,
        df=df,
        se=se,
        hedges_g=correction * diff / pooled,
    )


@lru_cache(maxsize=4096)
def t_quantile(df: float) -> float:
    """The two-sided 95 % quantile of Student's t with `df` degrees of freedom."""
    # Imported here, not at module level: the respondent workers import this package
    # (through the app's commands) and must stay free of the statistics stack.
    from scipy.stats import t as student_t  # noqa: PLC0415

    return float(student_t.ppf(0.5 + CONFIDENCE / 2, df))


@dataclass
class ItemAccumulator:
    """Per-item count and sum of answered values, for item means (skipped items add nothing)."""

    counts: Counter[str] = field(default_factory=Counter)
    sums: Counter[str] = field(default_factory=Counter)
    # Never released: the joint check's truth of a cell (`joint_truth`) needs it.
    squares: Counter[str] = field(default_factory=Counter)

    def add(self, answers: Mapping[str, int | None] | Iterable[tuple[str, int | None]]) -> None:
        """Add one respondent's item answers (None or absent means skipped)."""
        pairs = answers.items() if isinstance(answers, Mapping) else answers
        for item, value in pairs:
            if value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, int):
                raise ValueError(f"item {item!r}: expected a whole-number answer")
            self.counts[item] += 1
            self.sums[item] += value
            self.squares[item] += value * value

    def add_complete(self, values: Mapping[str, int]) -> None:
        """Add one respondent whose every item has a checked whole-number value (hot path)."""
        self.counts.update(values.keys())
        self.sums.update(values)
        self.squares.update({item: value * value for item, value in values.items()})

    def merge(self, other: ItemAccumulator) -> None:
        """Fold another accumulator into this one."""
        self.counts.update(other.counts)
        self.sums.update(other.sums)
        self.squares.update(other.squares)

    def means(self) -> dict[str, float]:
        """Mean answer per item that anyone answered."""
        return {item: self.sums[item] / n for item, n in sorted(self.counts.items()) if n}
