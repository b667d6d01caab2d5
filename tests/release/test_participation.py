"""Response rates: released only beside a shown count, and only from it and the headcount."""

from __future__ import annotations

import json

from survey.domain.participation import group_headcount, rate_figure
from survey.extensions import db
from survey.models import Wave
from survey.release import make_release
from survey.services.waves import close_wave
from tests.conftest import TODAY, days
from tests.release.helpers import answers_all, links_by_team, submit

NURSING, FAMILY = "District nursing", "Family support"


def test_a_rate_is_the_shown_count_over_the_headcount_in_whole_percent() -> None:
    assert rate_figure(12, 16, 5) == {"headcount": 16, "rate": 75}
    assert rate_figure(5, 8, 5) == {"headcount": 8, "rate": 63}  # 62.5 rounds half up
    # A coded count gives the rate range that count range allows, rounded outwards.
    assert rate_figure((10, 14), 30, 5) == {"headcount": 30, "rate_low": 33, "rate_high": 47}


def test_no_rate_without_a_usable_headcount_or_below_k() -> None:
    assert rate_figure(12, None, 5) is None
    assert rate_figure(12, 10, 5) is None  # an out-of-date headcount: no rate over 100 %
    assert rate_figure(4, 20, 5) is None  # never a rate for fewer than k
    assert rate_figure((3, 8), 20, 5) is None
    assert rate_figure(3, 3, 3) == {"headcount": 3, "rate": 100}


def test_a_parent_has_a_headcount_only_when_every_team_has_one() -> None:
    assert group_headcount([10, 6]) == 16
    assert group_headcount([10, None]) is None
    assert group_headcount([]) is None


def _release(wave: Wave, kek: bytes, headcounts: dict[str, int | None]) -> dict:  # type: ignore[type-arg]
    links = links_by_team(wave)
    for team, headcount in headcounts.items():
        links[team].headcount = headcount
    db.session.commit()
    for value in (2, 3) * 5:
        submit(links[NURSING], answers_all(value), TODAY)
    for value in (1, 2) * 3:
        submit(links[FAMILY], answers_all(value), TODAY)
    close_wave(wave, TODAY)
    return json.loads(make_release(wave, kek, kind="final", today=days(1)).payload)  # type: ignore[no-any-return]


def test_the_release_shows_each_shown_groups_rate(demo_wave: Wave, kek: bytes) -> None:
    data = _release(demo_wave, kek, {NURSING: 16, FAMILY: 8})
    groups = data["groups"].values()
    nursing = next(g for g in groups if g["label"].endswith(NURSING))
    family = next(g for g in groups if g["label"].endswith(FAMILY))
    assert nursing["participation"] == {"headcount": 16, "rate": 63}  # 10 of 16
    assert family["participation"] == {"headcount": 8, "rate": 75}  # 6 of 8
    organisation = next(g for g in groups if g["level"] == "organisation" and g["shown"])
    assert organisation["participation"] == {"headcount": 24, "rate": 67}  # 16 of 24
    assert data["groups"]["alliance"]["participation"] == {"headcount": 24, "rate": 67}
    # No rate for subgroups (nobody counts staff per role), and none for hidden groups.
    for group in groups:
        if group["attribute"] is not None or not group["shown"]:
            assert "participation" not in group, group["key"]


def test_a_parent_without_every_headcount_has_no_rate(demo_wave: Wave, kek: bytes) -> None:
    data = _release(demo_wave, kek, {NURSING: 16, FAMILY: None})
    organisation = next(g for g in data["groups"].values() if g["level"] == "organisation")
    assert organisation["shown"] and organisation["participation"] is None


def test_the_released_rate_is_a_function_of_the_released_count_and_headcount(
    demo_wave: Wave, kek: bytes
) -> None:
    """What a rate tells a reader, they already had: recomputed from the page, it is equal.

    So the rate adds nothing to the joint adversary's knowledge (a shown count and a public
    headcount): it is not added to `tests/domain/magnitude_adversary.py`.
    """
    headcounts = {NURSING: 13, FAMILY: 9}
    data = _release(demo_wave, kek, headcounts)
    public = {str(link.team_id): link.headcount for link in demo_wave.links}
    org_of = {str(link.team_id): str(link.team.organisation_id) for link in demo_wave.links}
    checked = 0
    for group in data["groups"].values():
        if not group["shown"] or group["attribute"] is not None:
            continue
        if group["level"] == "team":
            headcount = public[group["id"]]
        elif group["level"] == "organisation":
            headcount = group_headcount(h for t, h in public.items() if org_of[t] == group["id"])
        else:
            headcount = group_headcount(public.values())
        assert group["participation"] == rate_figure(group["n"], headcount, data["k"])
        checked += 1
    assert checked == 4
