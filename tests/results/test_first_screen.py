"""The first screen of a group: plain words, direction, bands, trend and heatmap, from releases."""

from __future__ import annotations

import copy
from typing import Any

from survey.results.group_parts import PageContext
from survey.results.heatmap import heatmap
from survey.results.plain_words import Released, change_words, majority_words, placement
from survey.results.presenter import present_release
from survey.results.scales import parts_of
from survey.results.trend import SYNTHETIC_WARNING, group_trend
from survey.services.release_access import Round, Scope
from tests.results.payloads import SCALE, sample_payload, shown

CORE = Scope(core=True, team_ids=frozenset(), organisation_ids=frozenset())
TEAM_1 = Scope(core=False, team_ids=frozenset({1}), organisation_ids=frozenset())
PROQOL = {
    "key": "proqol5",
    "name": "Professional Quality of Life Scale, version 5 (ProQOL 5)",
    "template": "proqol5",
    "headline": "sts",
    "bands": ["Low", "Moderate", "High"],
    "range": [10, 50],
}
STSS_TOTAL = parts_of(SCALE)["total"]


def _summary(mean: float) -> dict[str, Any]:
    return {
        "n": 20,
        "precision": "full",
        "mean": mean,
        "sd": 5.0,
        "ci_low": mean - 2,
        "ci_high": mean + 2,
    }


def test_every_scale_and_subscale_says_which_way_it_points() -> None:
    stss = parts_of(SCALE)
    assert stss["total"].direction == "Higher means more secondary traumatic stress."
    assert not stss["intrusion"].higher_is_better  # no bands of its own: the scale's way
    proqol = parts_of(PROQOL)
    assert list(proqol) == ["compassion_satisfaction", "burnout", "sts"]
    assert proqol["compassion_satisfaction"].higher_is_better
    assert proqol["compassion_satisfaction"].direction.startswith("Higher is better")
    assert proqol["burnout"].direction == "Higher means more burnout."
    assert proqol["sts"].direction == "Higher means more secondary traumatic stress."


def test_a_mean_is_placed_in_its_published_band_and_a_range_across_bands() -> None:
    assert placement(STSS_TOTAL, Released(41.3, None, None)) == "in the Moderate band"
    assert placement(STSS_TOTAL, Released(27.5, None, None)) == (
        "in the Little or no secondary traumatic stress band"
    )
    assert placement(STSS_TOTAL, Released(None, 40, 45)) == "across the Moderate and High bands"
    assert placement(STSS_TOTAL, Released(None, 38, 43)) == "in the Moderate band"


def test_most_is_said_only_when_a_coded_share_proves_a_majority() -> None:
    cell = {"label": "Mild", "lower": 60, "upper": 80, "lower_open": False}
    assert majority_words([cell]) == "Most answers sit in the Mild band."
    assert (
        majority_words([dict(cell, lower=50)])
        == "At least half of the answers sit in the Mild band."
    )
    assert majority_words([dict(cell, lower=50, lower_open=True)]).startswith("Most")
    assert majority_words([dict(cell, lower=40, upper=60)]) == ""


def test_change_words_judge_better_or_worse_by_direction() -> None:
    lower = {
        "previous_wave": "Spring",
        "precision": "full",
        "diff": -6.0,
        "ci_low": -9.0,
        "ci_high": -3.0,
    }
    assert change_words(STSS_TOTAL, lower, False) == (
        "Secondary traumatic stress is lower than in Spring (better); the change is probably real."
    )
    satisfaction = parts_of(PROQOL)["compassion_satisfaction"]
    assert "(worse)" in change_words(satisfaction, lower, False)
    chance = dict(lower, ci_high=1.0)
    assert "about the same" in change_words(STSS_TOTAL, chance, False)
    ranged = {"previous_wave": "Spring", "precision": "ranges", "low": -8.0, "high": 2.0}
    assert "cannot tell" in change_words(STSS_TOTAL, ranged, False)
    assert "synthetic demonstration round" in change_words(STSS_TOTAL, lower, True)


def test_the_first_screen_leads_with_plain_words_and_participation() -> None:
    payload = sample_payload()
    payload["groups"]["team:1"]["participation"] = {"headcount": 24, "rate": 75}
    (section,) = present_release(payload, TEAM_1).sections[:1]
    words = section.plain_words
    assert words[0] == (
        "STSS: the average is 46.0, in the High band. Higher means more secondary traumatic stress."
    )
    assert "Most answers sit in the Mild band." in words
    assert any(w.startswith("Subscales (higher means more of each") for w in words)
    # The sample's change (-4.0, CI -9.5 to 1.5) includes no change: said so plainly.
    assert any("about the same" in w for w in words)
    assert section.participation == "18 of 24 people answered (75%)."
    assert "fair picture" in section.rate_guidance
    low = copy.deepcopy(payload)
    low["groups"]["team:1"]["participation"] = {"headcount": 60, "rate": 30}
    assert "Fewer than half" in present_release(low, TEAM_1).sections[0].rate_guidance


def test_plain_words_come_from_the_release_alone() -> None:
    """Change a figure the release does not show (nothing else): the words stay the same."""
    payload = sample_payload()
    before = present_release(payload, TEAM_1).sections[0].plain_words
    changed = copy.deepcopy(payload)
    changed["groups"]["team:1"]["scales"]["stss"]["headline"]["mean"] = 30.0
    after = present_release(changed, TEAM_1).sections[0].plain_words
    assert before != after and "Mild band" in after[0]


def test_proqol_shows_all_three_subscales_each_with_its_direction() -> None:
    group = shown("team", "1", "Org One: Nursing", 20, 30.0)
    group["scales"] = {
        "proqol5": {
            "headline": _summary(30.0),
            "subscales": [
                {
                    "key": "compassion_satisfaction",
                    "label": "Compassion satisfaction",
                    "summary": _summary(44.0),
                },
                {"key": "burnout", "label": "Burnout", "summary": _summary(21.0)},
                {"key": "sts", "label": "Secondary traumatic stress", "summary": _summary(30.0)},
            ],
            "items": [],
            "bands": {"n": 20, "cells": []},
            "comparison": None,
        }
    }
    payload = sample_payload()
    payload["scales"] = [PROQOL]
    payload["groups"] = {"team:1": group}
    payload["order"] = ["team:1"]
    (section,) = present_release(payload, TEAM_1).sections
    (view,) = section.scales
    assert view.headline_label == "Secondary traumatic stress"
    assert [(p.label, p.placement) for p in view.parts] == [
        ("Compassion satisfaction", "in the High band"),
        ("Burnout", "in the Low band"),
        ("Secondary traumatic stress", "in the Moderate band"),
    ]
    assert all(p.chart is not None for p in view.parts)  # each drawn against its own bands
    assert any(
        w.startswith(
            "Compassion satisfaction: the average is 44.0, in the High band. Higher is better"
        )
        for w in section.plain_words
    )


def _round(name: str, synthetic: bool, current: bool, mean: float | None) -> Round:
    groups = {}
    if mean is not None:
        groups["team:1"] = shown("team", "1", "Org One: Nursing", 12, mean)
    return Round(name, None, None, synthetic, current, groups)  # type: ignore[arg-type]


def test_the_trend_has_every_round_and_warns_when_synthetic_meets_real() -> None:
    rounds = [
        _round("Baseline", True, False, 50.0),
        _round("Follow-up", False, False, 44.0),
        _round("Now", False, True, 40.0),
    ]
    trend = group_trend(rounds, "team:1", "stss", STSS_TOTAL, [])
    assert trend is not None
    assert [(p.round_name, p.average, p.band) for p in trend.points] == [
        ("Baseline (synthetic)", "50.0", "in the Severe band"),
        ("Follow-up", "44.0", "in the High band"),
        ("Now – this round", "40.0", "in the Moderate band"),
    ]
    assert trend.points[0].interval == "45.0 to 55.0"  # each point with its CI
    assert trend.warning == SYNTHETIC_WARNING
    real = group_trend(rounds[1:], "team:1", "stss", STSS_TOTAL, [])
    assert real is not None and real.warning == ""
    assert group_trend(rounds[2:], "team:1", "stss", STSS_TOTAL, []) is None


def test_the_heatmap_tints_by_band_marks_hidden_cells_and_links_each_group() -> None:
    page = present_release(sample_payload(), CORE)
    assert page.heatmap is not None
    headings = [c.heading for c in page.heatmap.columns]
    assert headings == ["STSS: Total", "STSS: Intrusion", "STSS: Avoidance", "STSS: Arousal"]
    rows = {r.label: r for r in page.heatmap.rows}
    nursing = rows["Nursing"]
    assert nursing.anchor == "group-team-1"
    total = nursing.cells[0]
    assert (total.text, total.band, total.tint) == ("46.0", "High", "tint-3")
    assert nursing.cells[1].tint == "tint-none" and nursing.cells[1].band == ""  # no bands
    assert all(cell.hidden for cell in rows["Kitchen"].cells)
    # A lead with one team sees no heatmap: there is nothing to compare across.
    assert present_release(sample_payload(), TEAM_1).heatmap is None


def test_a_range_spanning_two_bands_is_not_tinted_as_one() -> None:
    group = shown("team", "1", "T", 6, 40.0)
    group["scales"]["stss"]["headline"] = {"n": 6, "precision": "ranges", "low": 40.0, "high": 45.0}
    group["scales"]["stss"]["subscales"][0]["summary"] = group["scales"]["stss"]["headline"]
    result = heatmap([("T", "Team", "group-team-1", group)], [SCALE])
    cell = result.rows[0].cells[0]
    assert (cell.text, cell.band, cell.tint) == (
        "between 40 and 45",
        "Moderate to High",
        "tint-none",
    )


def test_context_rounds_reach_the_page() -> None:
    rounds = [_round("Spring", False, False, 52.0), _round("Autumn", False, True, 46.0)]
    page = present_release(sample_payload(), TEAM_1, PageContext(rounds=rounds))
    trend = page.sections[0].scales[0].trend
    assert trend is not None and [p.average for p in trend.points] == ["52.0", "46.0"]
