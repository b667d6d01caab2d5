"""Magnitude figures of a released group: which exist at which size, and what they reveal.

Counts are protected by `disclosure`; this module decides how a shown group's scores are
described, and states exactly what a reader can infer from each released figure, so that
`magnitude_audit` can check every figure jointly. The rules (README, "Disclosure rules"):

- a group's figures (headline, subscales, items, comparison) are one *family*, released at
  one *precision* for the whole family: `FULL`, `RANGES` or `WITHHELD`;
- `FULL` (groups of at least `FULL_N`): means and SDs to one decimal, the 95 % CI of the
  mean computed from those rounded figures, item means to one decimal;
- `RANGES` (smaller groups, or any group the audit coarsens): each mean only as the grid
  interval it lies in (about 1/20 of the scale's range, on a round step), no SD, no CI;
- `WITHHELD`: no magnitude figure at all, the one wording for every hidden figure;
- no median at any size: with the mean and SD it pins scores in small groups, and the
  coded band breakdown already shows how scores spread;
- every figure derived from others (CI, comparison with an earlier round) is computed from
  the *released, rounded* figures only, so it tells a reader nothing they could not
  already work out.

`known_from_json` is the reader's view of one released summary: intervals for the sum of
scores and the sum of squared deviations that are certain to hold the truth.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from survey.domain.disclosure import SUPPRESSED_TEXT
from survey.domain.stats import ScoreAccumulator, Summary, compare, t_quantile

FULL = "full"
RANGES = "ranges"
WITHHELD = "withheld"
PRECISIONS = (FULL, RANGES, WITHHELD)
FULL_N = 10
FULL_STEP = Fraction(1, 10)
_HALF = FULL_STEP / 2
_NICE_STEPS = tuple(Fraction(s) for s in ("0.1", "0.2", "0.5", "1", "2", "5", "10", "20"))
RANGE_SHARE = 20  # a range step is the first round step of at least range/20


def natural_precision(n: int) -> str:
    """The precision a group of n gets before the audit looks at it."""
    return FULL if n >= FULL_N else RANGES


def coarser(precision: str) -> str:
    """The next precision down the ladder (WITHHELD stays WITHHELD)."""
    return PRECISIONS[min(PRECISIONS.index(precision) + 1, len(PRECISIONS) - 1)]


def range_step(low: float, high: float) -> Fraction:
    """The grid step of ranges for a measure running from `low` to `high`."""
    target = Fraction(str(high)) - Fraction(str(low))
    return next((s for s in _NICE_STEPS if s * RANGE_SHARE >= target), _NICE_STEPS[-1])


def round_half_up(value: Fraction, step: Fraction) -> Fraction:
    """`value` rounded to a multiple of `step`, halves upwards, exactly."""
    return math.floor(value / step + Fraction(1, 2)) * step


def _grid_interval(
    value: Fraction, step: Fraction, low: float, high: float
) -> tuple[Fraction, Fraction]:
    start = math.floor(value / step) * step
    return max(start, Fraction(str(low))), min(start + step, Fraction(str(high)))


def summary_figures(
    acc: ScoreAccumulator, precision: str, low: float, high: float
) -> dict[str, Any]:
    """One measure of one shown group, as released at `precision`."""
    n = acc.n
    if precision == WITHHELD or n == 0:
        return {"hidden": True, "text": SUPPRESSED_TEXT}
    total = sum(t * c for t, c in acc.histogram.items())
    mean = Fraction(total, 10 * n)
    if precision == RANGES:
        start, end = _grid_interval(mean, range_step(low, high), low, high)
        return {"n": n, "precision": RANGES, "low": float(start), "high": float(end)}
    shown_mean = round_half_up(mean, FULL_STEP)
    figures: dict[str, Any] = {"n": n, "precision": FULL, "mean": float(shown_mean)}
    sd = acc.sd
    if sd is None:
        figures.update(sd=None, ci_low=None, ci_high=None)
        return figures
    shown_sd = round_half_up(Fraction(sd), FULL_STEP)
    figures["sd"] = float(shown_sd)
    figures.update(ci_from_released(n, figures["mean"], figures["sd"]))
    return figures


def ci_from_released(n: int, mean: float, sd: float) -> dict[str, float]:
    """The 95 % CI of a mean from its released (rounded) mean, SD and n, to one decimal."""
    half = t_quantile(n - 1) * sd / math.sqrt(n)
    return {"ci_low": round(mean - half, 1), "ci_high": round(mean + half, 1)}


def item_figure(item_sum: int, n: int, precision: str, low: int, high: int) -> dict[str, Any]:
    """One item's mean answer for a shown group, as released at `precision`."""
    mean = Fraction(item_sum, n)
    if precision == RANGES:
        start, end = _grid_interval(mean, range_step(low, high), low, high)
        return {"precision": RANGES, "low": float(start), "high": float(end)}
    return {"precision": FULL, "mean": float(round_half_up(mean, FULL_STEP))}


@dataclass(frozen=True)
class Known:
    """What a reader knows for certain of one measure of one released group.

    The sum of scores lies in [s_low, s_high]; when an SD was released, the sum of squared
    deviations lies in [ssd_low, ssd_high]. Both intervals are closed and hold the truth.
    """

    n: int
    s_low: Fraction
    s_high: Fraction
    ssd_low: Fraction | None = None
    ssd_high: Fraction | None = None


def mean_interval(figures: Mapping[str, Any]) -> tuple[Fraction, Fraction] | None:
    """The interval a released mean (or mean answer) certainly lies in; None if hidden."""
    if figures.get("hidden"):
        return None
    if figures.get("precision") == RANGES:
        return Fraction(str(figures["low"])), Fraction(str(figures["high"]))
    if figures.get("mean") is None:
        return None
    shown = Fraction(str(figures["mean"]))
    return shown - _HALF, shown + _HALF


def known_from_json(figures: Mapping[str, Any], n: int) -> Known | None:
    """A reader's certain knowledge of one released summary (None: nothing released)."""
    interval = mean_interval(figures)
    if interval is None:
        return None
    low, high = interval
    sd = figures.get("sd")
    if figures.get("precision") != FULL or sd is None:
        return Known(n, low * n, high * n)
    shown = Fraction(str(sd))
    sd_low, sd_high = max(shown - _HALF, Fraction(0)), shown + _HALF
    return Known(n, low * n, high * n, (n - 1) * sd_low**2, (n - 1) * sd_high**2)


def compare_released(
    previous: Mapping[str, Any] | None, current: Mapping[str, Any]
) -> dict[str, Any] | None:
    """The change since an earlier round, from the two released summaries alone.

    Both full: the difference of the shown means with a Welch 95 % interval and Hedges' g
    from the shown SDs. Otherwise the difference as the interval the two ranges allow.
    Nothing here reads data the two summaries do not already show.
    """
    if not previous or previous.get("hidden") or current.get("hidden"):
        return None
    before, now = mean_interval(previous), mean_interval(current)
    if before is None or now is None:
        return None
    both_full = previous.get("precision", FULL) == FULL and current.get("precision") == FULL
    if not both_full or previous.get("sd") is None or current.get("sd") is None:
        return {
            "precision": RANGES,
            "low": round(float(now[0] - before[1]), 1),
            "high": round(float(now[1] - before[0]), 1),
        }
    m1, m2 = float(previous["mean"]), float(current["mean"])
    change = compare(_summary(previous), _summary(current))
    result: dict[str, Any] = {"precision": FULL, "previous_mean": m1, "diff": round(m2 - m1, 1)}
    result.update(ci_low=None, ci_high=None, hedges_g=None)
    if change is not None and change.ci_low is not None and change.ci_high is not None:
        result.update(ci_low=round(change.ci_low, 1), ci_high=round(change.ci_high, 1))
    if change is not None and change.hedges_g is not None:
        result["hedges_g"] = round(change.hedges_g, 2)
    return result


def _summary(figures: Mapping[str, Any]) -> Summary:
    mean, sd = float(figures["mean"]), float(figures["sd"])
    return Summary(n=int(figures["n"]), mean=mean, sd=sd, ci_low=None, ci_high=None, median=None)
