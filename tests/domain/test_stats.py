"""Streaming statistics: hand-worked examples, and agreement with numpy/scipy on raw data."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy import stats as sps

from survey.domain.stats import (
    ItemAccumulator,
    ScoreAccumulator,
    Summary,
    compare,
    summarise,
)


def accumulate(values: Sequence[float]) -> ScoreAccumulator:
    acc = ScoreAccumulator()
    for value in values:
        acc.add(value)
    return acc


def test_hand_worked_summary() -> None:
    # 10, 12, 14, 15, 19: n = 5, sum 70, mean 14. Deviations -4, -2, 0, 1, 5; squares
    # 16 + 4 + 0 + 1 + 25 = 46; variance 46 / 4 = 11.5; sd = 3.39116. Median 14.
    # t(0.975, 4) = 2.776445; half-width 2.776445 * 3.39116 / sqrt(5) = 4.21068.
    summary = summarise(accumulate([10, 12, 14, 15, 19]))
    assert summary.n == 5 and summary.mean == 14 and summary.median == 14
    assert summary.sd == pytest.approx(math.sqrt(11.5))
    assert summary.ci_low == pytest.approx(14 - 4.21068, abs=1e-4)
    assert summary.ci_high == pytest.approx(14 + 4.21068, abs=1e-4)


def test_median_of_an_even_count_is_the_mean_of_the_middle_two() -> None:
    assert accumulate([4, 1, 3, 2]).median == 2.5
    assert accumulate([5, 5, 9, 9]).median == 7


def test_values_are_kept_in_tenths_rounding_halves_up() -> None:
    # As scoring reports them: 37.45 -> 37.5 and 16.25 -> 16.3, never banker's rounding.
    acc = accumulate([37.45, 16.25])
    assert sorted(acc.histogram) == [163, 375]


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf, True])
def test_non_numbers_are_rejected(bad: float) -> None:
    with pytest.raises(ValueError):
        ScoreAccumulator().add(bad)


def test_empty_and_single_value_summaries() -> None:
    assert summarise(ScoreAccumulator()) == Summary(0, None, None, None, None, None)
    one = summarise(accumulate([42]))
    assert (one.n, one.mean, one.median, one.sd, one.ci_low) == (1, 42, 42, None, None)


def test_memory_is_bounded_by_distinct_values() -> None:
    values = [int(v) for v in np.random.default_rng(7).integers(17, 86, size=100_000)]
    acc = accumulate(values)
    assert len(acc.histogram) <= 69  # the 69 possible STSS totals, not 100,000 entries
    summary = summarise(acc)
    assert summary.n == 100_000
    assert summary.mean == pytest.approx(np.mean(values), rel=1e-12)
    assert summary.sd == pytest.approx(np.std(values, ddof=1), rel=1e-9)
    assert summary.median == np.median(values)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(0, 850).map(lambda t: t / 10), min_size=2, max_size=60))
def test_summary_matches_numpy_and_scipy(values: list[float]) -> None:
    summary = summarise(accumulate(values))
    assert summary.mean == pytest.approx(np.mean(values), abs=1e-9)
    assert summary.sd == pytest.approx(np.std(values, ddof=1), abs=1e-9)
    assert summary.median == pytest.approx(np.median(values), abs=1e-9)
    if np.std(values) > 0:
        low, high = sps.t.interval(
            0.95, len(values) - 1, loc=np.mean(values), scale=sps.sem(values)
        )
        assert (summary.ci_low, summary.ci_high) == pytest.approx((low, high), abs=1e-7)


@settings(max_examples=50, deadline=None)
@given(
    st.lists(st.integers(0, 850).map(lambda t: t / 10), min_size=2, max_size=40),
    st.lists(st.integers(0, 850).map(lambda t: t / 10), min_size=2, max_size=40),
)
def test_merge_equals_adding_everything_to_one(a: list[float], b: list[float]) -> None:
    left, right = accumulate(a), accumulate(b)
    left.merge(right)
    assert summarise(left) == summarise(accumulate(a + b))


def test_band_counts_use_the_highest_lower_bound_at_or_below() -> None:
    # STSS bands start at 17 (little or none), 28 (mild), 38 (moderate), 44 (high), 49.
    # 37.5 is below 38, so mild, as scoring bands a prorated 37.5.
    acc = accumulate([17, 27.9, 28, 37.5, 38, 49, 85])
    assert acc.band_counts([17, 28, 38, 44, 49]) == [2, 2, 1, 0, 2]


def test_band_counts_reject_scores_below_the_bands_and_unordered_bounds() -> None:
    with pytest.raises(ValueError, match="below the lowest band"):
        accumulate([10]).band_counts([17, 28])
    with pytest.raises(ValueError, match="ascending"):
        accumulate([30]).band_counts([28, 17])


def test_hand_worked_comparison() -> None:
    # Previous n1 = 10, mean 20, sd 4; current n2 = 12, mean 23, sd 5; diff = 3.
    # Welch: v1 = 16/10 = 1.6, v2 = 25/12 = 2.083333; se = sqrt(3.683333) = 1.919201;
    # df = 3.683333^2 / (1.6^2/9 + 2.083333^2/11) = 13.566944 / 0.679015 = 19.98034.
    # Hedges: pooled var (9*16 + 11*25) / 20 = 20.95, sp = 4.577117, d = 3 / sp = 0.655434;
    # J = 1 - 3 / (4 * 22 - 9) = 0.962025; g = 0.630544.
    previous = Summary(10, 20.0, 4.0, None, None, None)
    current = Summary(12, 23.0, 5.0, None, None, None)
    result = compare(previous, current)
    assert result is not None
    assert result.diff == 3
    assert result.se == pytest.approx(1.919201, abs=1e-6)
    assert result.df == pytest.approx(19.98034, abs=1e-4)
    assert result.hedges_g == pytest.approx(0.630544, abs=1e-6)
    half = sps.t.ppf(0.975, result.df) * result.se
    assert (result.ci_low, result.ci_high) == pytest.approx((3 - half, 3 + half))
    assert result.ci_low == pytest.approx(3 - 4.0035, abs=1e-3)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.integers(170, 850).map(lambda t: t / 10), min_size=3, max_size=40),
    st.lists(st.integers(170, 850).map(lambda t: t / 10), min_size=3, max_size=40),
)
def test_comparison_from_summaries_matches_welch_on_raw_data(
    before: list[float], after: list[float]
) -> None:
    # A constant sample makes scipy warn about its own cancellation; those cases are the
    # hand-worked ones below.
    assume(len(set(before)) > 1 and len(set(after)) > 1)
    result = compare(summarise(accumulate(before)), summarise(accumulate(after)))
    assert result is not None
    welch = sps.ttest_ind(after, before, equal_var=False)
    interval = welch.confidence_interval(0.95)
    assert result.diff == pytest.approx(np.mean(after) - np.mean(before), abs=1e-9)
    assert result.df == pytest.approx(welch.df, rel=1e-9)
    assert (result.ci_low, result.ci_high) == pytest.approx((interval.low, interval.high), abs=1e-7)
    n1, n2 = len(before), len(after)
    pooled = math.sqrt(
        ((n1 - 1) * np.var(before, ddof=1) + (n2 - 1) * np.var(after, ddof=1)) / (n1 + n2 - 2)
    )
    expected_g = (1 - 3 / (4 * (n1 + n2) - 9)) * (np.mean(after) - np.mean(before)) / pooled
    assert result.hedges_g == pytest.approx(expected_g, abs=1e-9)


def test_comparison_needs_a_spread_on_both_sides() -> None:
    small = summarise(accumulate([30]))
    big = summarise(accumulate([30, 40, 50]))
    assert compare(small, big) is None
    assert compare(big, small) is None
    flat = compare(summarise(accumulate([30, 30])), summarise(accumulate([35, 35, 35])))
    assert flat is not None
    assert (flat.diff, flat.ci_low, flat.hedges_g) == (5, None, None)


def test_item_means_skip_unanswered_items() -> None:
    # Item 1: 2 and 4 -> 3.0; item 2: 5 (the other respondent skipped it) -> 5.0.
    acc = ItemAccumulator()
    acc.add({"1": 2, "2": 5})
    acc.add({"1": 4, "2": None})
    other = ItemAccumulator()
    other.add([("3", 1)])
    acc.merge(other)
    assert acc.means() == {"1": 3.0, "2": 5.0, "3": 1.0}
    assert acc.counts["2"] == 1


def test_item_answers_must_be_whole_numbers() -> None:
    with pytest.raises(ValueError):
        ItemAccumulator().add({"1": 2.5})  # type: ignore[arg-type]
