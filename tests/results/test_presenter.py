"""The presenter and its wording: a payload and a scope in, what a page shows out."""

from __future__ import annotations

import json

import pytest

from survey.domain.disclosure import SUPPRESSED_TEXT
from survey.results.group_parts import summary_of
from survey.results.presenter import (
    anchor_for,
    attribute_heading,
    present_release,
)
from survey.results.wording import (
    HIDDEN_STATUS,
    comparison_words,
    effect_size_words,
    notes,
)
from survey.services.release_access import NOBODY, Scope, filter_payload
from tests.results.payloads import sample_payload

CORE = Scope(core=True, team_ids=frozenset(), organisation_ids=frozenset())
TEAM_1 = Scope(core=False, team_ids=frozenset({1}), organisation_ids=frozenset())
ORG_1 = Scope(core=False, team_ids=frozenset({1, 2}), organisation_ids=frozenset({1}))


def keys(scope: Scope) -> list[str]:
    return filter_payload(sample_payload(), scope)["order"]


def test_a_team_lead_keeps_only_their_team_and_its_subgroups() -> None:
    assert keys(TEAM_1) == [
        "team:1",
        "team:1|role_group=clinical",
        "team:1|role_group=management",
    ]


def test_an_organisation_lead_keeps_the_organisation_and_its_teams_not_the_alliance() -> None:
    assert keys(ORG_1) == [
        "organisation:1",
        "team:1",
        "team:2",
        "team:1|role_group=clinical",
        "team:1|role_group=management",
        "team:2|role_group=clinical",
    ]


def test_core_keeps_everything_and_nobody_keeps_nothing() -> None:
    assert keys(CORE) == sample_payload()["order"]
    assert keys(NOBODY) == []
    # Even a lead granted every organisation never sees the alliance.
    every = Scope(core=False, team_ids=frozenset({1, 2, 3}), organisation_ids=frozenset({1, 2}))
    assert "alliance" not in keys(every)


def test_filtering_leaves_the_stored_payload_alone() -> None:
    payload = sample_payload()
    before = json.dumps(payload, sort_keys=True)
    filter_payload(payload, TEAM_1)
    assert json.dumps(payload, sort_keys=True) == before


def test_a_malformed_group_id_is_never_visible_to_a_lead() -> None:
    payload = sample_payload()
    payload["groups"]["team:1"]["id"] = "1 "  # not a plain id: refuse rather than guess
    assert "team:1" not in filter_payload(payload, TEAM_1)["groups"]


def test_the_presenter_filters_even_a_raw_payload() -> None:
    page = present_release(sample_payload(), TEAM_1)
    assert [s.key for s in page.sections] == ["team:1"]
    assert page.overviews == []  # one group: nothing to set side by side
    html = str(page)
    assert "Org Two" not in html and "Kitchen" not in html and "All member" not in html


def test_a_released_team_shows_its_figures() -> None:
    (section,) = present_release(sample_payload(), TEAM_1).sections
    assert section.shown and section.status == "18 responses counted."
    (scale,) = section.scales
    assert scale.headline.mean == 46.0 and scale.headline.ci_text == "41.0 to 51.0"
    assert scale.score_range == "17 to 85"
    assert [(b.label, b.text) for b in scale.bands] == [
        ("Little or none", "20–40%"),
        ("Mild", "more than 60%"),
    ]
    # The headline ("total") is not repeated among the subscales.
    assert [s.label for s in scale.subscales] == ["Intrusion"]
    assert [(i.number, i.text) for i in scale.items] == [(1, "2.5"), (2, "1.1")]
    assert scale.headline_chart is not None and scale.band_chart is not None


def test_subgroups_are_listed_by_attribute_with_hidden_ones_in_the_shared_wording() -> None:
    (section,) = present_release(sample_payload(), TEAM_1).sections
    (block,) = section.scales[0].subgroups
    assert block.heading == "By role group"
    assert [(r.label, r.shown) for r in block.rows] == [
        ("Clinical role", True),
        ("Management", False),
    ]
    assert block.rows[1].summary is None
    # Only the shown subgroup is drawn.
    assert block.chart is not None and "Management" not in str(block.chart)


def test_hidden_groups_all_read_the_same_and_carry_no_figures() -> None:
    page = present_release(sample_payload(), ORG_1)
    hidden = [s for s in page.sections if not s.shown]
    assert [s.key for s in hidden] == ["team:2"]
    assert hidden[0].status == HIDDEN_STATUS
    assert SUPPRESSED_TEXT in HIDDEN_STATUS and "Not enough responses yet" in HIDDEN_STATUS
    assert hidden[0].scales == []


def test_an_organisation_lead_sees_the_groups_side_by_side() -> None:
    page = present_release(sample_payload(), ORG_1)
    (overview,) = page.overviews
    assert [(r.label, r.shown) for r in overview.rows] == [
        ("Org One", True),
        ("Org One: Nursing", True),
        ("Org One: Kitchen", False),
    ]
    assert overview.chart is not None
    # Read out in full; drawn without the organisation's name, which is charted above it.
    assert "Org One: Nursing: mean 46.0" in str(overview.chart)
    assert ">Nursing</text>" in str(overview.chart)
    assert ">Org One: Nursing</text>" not in str(overview.chart)


def test_the_comparison_reads_in_plain_words() -> None:
    (section,) = present_release(sample_payload(), TEAM_1).sections
    comparison = section.scales[0].comparison
    assert comparison is not None
    # Change -4.0 with a CI of -9.5 to 1.5, which spans 0; g = -0.3 is small.
    assert comparison.words == (
        "Lower than in the previous round (Spring), by 4.0 points; the change is within what "
        "chance alone could give. The size of the change is small (effect size −0.30)."
    )
    assert comparison.size_word == "small"
    assert comparison.chart is not None and "Previous round (Spring): mean 50.0" in str(
        comparison.chart
    )


@pytest.mark.parametrize(
    ("diff", "low", "high", "expected"),
    [
        (
            3.0,
            1.0,
            5.0,
            "Higher than in the previous round (S), by 3.0 points; the change is "
            "larger than chance alone would usually give.",
        ),
        (
            -3.0,
            -5.0,
            -1.0,
            "Lower than in the previous round (S), by 3.0 points; the change is "
            "larger than chance alone would usually give.",
        ),
        (
            0.0,
            -2.0,
            2.0,
            "The same as in the previous round (S); the change is within what "
            "chance alone could give.",
        ),
        (
            1.0,
            None,
            None,
            "Higher than in the previous round (S), by 1.0 points; there is not "
            "enough information to say whether the change is more than chance.",
        ),
    ],
)
def test_comparison_words(
    diff: float, low: float | None, high: float | None, expected: str
) -> None:
    assert comparison_words("S", diff, low, high, None) == expected


@pytest.mark.parametrize(
    ("g", "word"),
    [
        (0.0, "negligible"),
        (-0.19, "negligible"),
        (0.2, "small"),
        (-0.5, "moderate"),
        (0.79, "moderate"),
        (0.8, "large"),
        (-2.0, "large"),
        (None, None),
    ],
)
def test_effect_size_words(g: float | None, word: str | None) -> None:
    assert effect_size_words(g) == word


def test_a_hidden_headline_stays_hidden() -> None:
    payload = sample_payload()
    payload["groups"]["team:1"]["scales"]["stss"]["headline"] = {
        "hidden": True,
        "text": SUPPRESSED_TEXT,
    }
    payload["groups"]["team:1"]["scales"]["stss"]["bands"] = {"n": 18, "cells": []}
    (section,) = present_release(payload, TEAM_1).sections
    scale = section.scales[0]
    assert scale.headline.hidden and scale.headline.mean is None
    assert scale.headline_chart is None
    assert scale.bands == [] and scale.band_chart is None
    assert summary_of(None).hidden


def test_notes_name_k_the_bands_and_the_limits() -> None:
    page = present_release(sample_payload(synthetic=True, kind="interim"), TEAM_1)
    text = " ".join(page.notes)
    assert "not a diagnosis" in text
    assert "at least 5 people" in text
    assert "too many skipped questions" in text and "not counted" in text
    assert "Little or none, Mild, Moderate, High, Severe" in text
    assert "synthetic" in text and "interim" in text
    plain = " ".join(notes(k=7, synthetic=False, interim=False, scales=[]))
    assert "at least 7 people" in plain and "synthetic" not in plain and "interim" not in plain


def test_anchors_and_headings() -> None:
    assert anchor_for("team:3") == "group-team-3"
    assert anchor_for("team:3|role_group=%28not%20answered%29") == (
        "group-team-3-role-group-28not-20answered-29"
    )
    assert attribute_heading("years_in_role") == "By years in role"


def test_subgroups_released_under_a_hidden_group_are_still_shown() -> None:
    payload = sample_payload()
    payload["groups"]["team:2|role_group=clinical"] = dict(
        payload["groups"]["team:1|role_group=clinical"],
        key="team:2|role_group=clinical",
        id="2",
        label="Org One: Kitchen, Clinical role",
    )
    section = next(s for s in present_release(payload, ORG_1).sections if s.key == "team:2")
    assert not section.shown
    ((name, (block,)),) = section.hidden_group_subgroups
    assert name == "Secondary Traumatic Stress Scale (STSS)"
    assert [(r.label, r.shown) for r in block.rows] == [("Clinical role", True)]
