"""Response rates: a released figure made only from a released count and a public headcount.

The core team records each team's headcount for a wave (`SurveyLink.headcount`); it is
treated as public. A rate is released only beside a count that is itself shown, so it is
a function of two things a reader already has and adds nothing they could use: this
module is that function, and nothing else. A group's headcount is its team's, or for a
parent (an organisation, the alliance) the sum of its teams' headcounts, only when every
one of those teams has one. No rate for subgroups: nobody records how many staff hold a
role. When a count is coded as a range, the rate is the range that range allows.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from fractions import Fraction
from typing import Any

Count = int | tuple[int, int]


def group_headcount(headcounts: Iterable[int | None]) -> int | None:
    """The headcount of a group of teams: their sum, or None unless every team has one."""
    total = 0
    found = False
    for headcount in headcounts:
        if headcount is None:
            return None
        total += headcount
        found = True
    return total if found else None


def _percent(count: int, headcount: int, rounding: str) -> int:
    share = Fraction(100 * count, headcount)
    if rounding == "down":
        return math.floor(share)
    if rounding == "up":
        return math.ceil(share)
    return math.floor(share + Fraction(1, 2))  # whole percent, halves up


def rate_figure(count: Count, headcount: int | None, k: int) -> dict[str, Any] | None:
    """The released participation of a shown group, or None when no rate can be shown.

    `count` is the released count, or the (low, high) range a coded count is shown as.
    No rate when the headcount is missing, smaller than k, or smaller than the count (an
    out-of-date headcount: a rate above 100 % would only mislead).
    """
    low, high = (count, count) if isinstance(count, int) else count
    if headcount is None or headcount < k or high > headcount or low < k:
        return None
    if low == high:
        return {"headcount": headcount, "rate": _percent(low, headcount, "nearest")}
    return {
        "headcount": headcount,
        "rate_low": _percent(low, headcount, "down"),
        "rate_high": _percent(high, headcount, "up"),
    }
