"""A perspective survey has one link (and poster) for the whole organisation, or one per team.

Either way the results are the organisation's, k-anonymous; with a link per team, a team
is shown on its own only where the release step's rules allow it (k, complement).
"""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from survey.extensions import db
from survey.models import Review, User, Wave
from survey.release import make_release, releases_of
from survey.services import journey, perspectives, reviews, wave_admin
from survey.services.release_access import scope_for
from survey.services.waves import WaveError, WavePlan, close_wave, open_wave
from tests.journey.helpers import answer
from tests.manage.conftest import Members, Staff, audit, text_of

TODAY = date.today()


@pytest.fixture
def review(members: Members, core_user: User) -> Review:
    return reviews.open_review(
        members.north, framework_key="roots", opened_on=TODAY, actor=core_user
    )


def _open(review: Review, kek: bytes, actor: User, *, organisation_wide: bool) -> Wave:
    return perspectives.open_perspective_survey(
        review,
        perspective="service_user",
        easy_read=False,
        teams=review.organisation.teams,
        organisation_wide=organisation_wide,
        opens_on=TODAY,
        closes_on=TODAY + timedelta(days=14),
        k=5,
        kek=kek,
        actor=actor,
    )


def _release(wave: Wave, kek: bytes, actor: User) -> dict[str, object]:
    close_wave(wave, TODAY, actor=actor)
    make_release(wave, kek, kind="final", today=TODAY)
    payload: dict[str, object] = json.loads(releases_of(wave.id)[-1].payload)
    return payload


def test_one_link_for_the_whole_organisation_reports_no_team(
    review: Review, kek: bytes, core_user: User, members: Members, as_core: Staff
) -> None:
    app = as_core.client.application
    wave = _open(review, kek, core_user, organisation_wide=True)
    [link] = wave.links  # one link for two teams
    assert link.organisation_wide and link.team_id == members.day.id  # held by the first team
    assert link.headcount is None and link.label == "Whole organisation"
    assert "links: one for the organisation" in audit("perspective survey opened")[0].detail
    # The wave page and the poster name the organisation, never the holding team.
    page = text_of(as_core.get(f"/manage/waves/{wave.id}"))
    assert "One link for the whole organisation" in page and "Day unit" not in page
    assert "Headcounts" not in page  # no response rate for a whole organisation's link
    poster = text_of(as_core.get(f"/manage/links/{link.id}/poster"))
    assert "Poster for Whole organisation" in poster and "Day unit" not in poster
    assert "How does this service feel to you?" in poster and "your own result" not in poster
    # A new link for the organisation is still the organisation's.
    fresh = wave_admin.rotate_link(link, actor=core_user)
    db.session.commit()
    assert fresh.organisation_wide and fresh.headcount is None and fresh.team_id == link.team_id
    for i in range(6):
        answer(app, fresh.token, "green" if i % 2 else "amber")
    payload = _release(wave, kek, core_user)
    groups = payload["groups"]
    assert isinstance(groups, dict)
    assert groups[f"organisation:{members.north.id}"]["n"] == 6
    assert [g for g in groups.values() if g["level"] == "team"] == []
    [result] = journey.journey_for(members.north, scope_for(core_user), TODAY).perspectives[
        review.id
    ]
    assert result.shown and result.n == 6 and result.teams == ()


def test_a_link_per_team_shows_a_team_only_where_the_rules_allow(
    review: Review, kek: bytes, core_user: User, members: Members, as_core: Staff
) -> None:
    app = as_core.client.application
    wave = _open(review, kek, core_user, organisation_wide=False)
    by_team = {link.team_id: link for link in wave.links}
    assert set(by_team) == {members.day.id, members.night.id}
    assert not any(link.organisation_wide for link in wave.links)
    for i in range(6):
        answer(app, by_team[members.day.id].token, "green" if i % 3 else "red")
    for _ in range(2):  # too few: hidden, and by the complement rule Day is hidden too
        answer(app, by_team[members.night.id].token, "amber")
    payload = _release(wave, kek, core_user)
    groups = payload["groups"]
    assert isinstance(groups, dict)
    assert groups[f"organisation:{members.north.id}"]["n"] == 8
    teams = {g["id"]: g for g in groups.values() if g["level"] == "team"}
    assert not teams[str(members.night.id)]["shown"]
    assert not teams[str(members.day.id)]["shown"]  # else Night = North − Day
    [result] = journey.journey_for(members.north, scope_for(core_user), TODAY).perspectives[
        review.id
    ]
    assert result.n == 8 and [t.label for t in result.teams] == ["Day unit", "Night unit"]
    assert not result.any_team_shown
    page = text_of(as_core.get(f"/journey/reviews/{review.id}"))
    assert "no team is shown on its own" in page


def test_teams_big_enough_are_shown_beside_the_organisation(
    review: Review, kek: bytes, core_user: User, members: Members, as_core: Staff
) -> None:
    app = as_core.client.application
    wave = _open(review, kek, core_user, organisation_wide=False)
    by_team = {link.team_id: link for link in wave.links}
    for team, size in ((members.day.id, 6), (members.night.id, 5)):
        for i in range(size):
            answer(app, by_team[team].token, "green" if i % 2 else "amber")
    _release(wave, kek, core_user)
    [result] = journey.journey_for(members.north, scope_for(core_user), TODAY).perspectives[
        review.id
    ]
    assert [(t.label, t.n) for t in result.teams] == [("Day unit", 6), ("Night unit", 5)]
    assert all("%" in s.text for t in result.teams for s in t.shares("safety"))
    page = text_of(as_core.get(f"/journey/reviews/{review.id}"))
    assert "People who use the service, team by team" in page
    assert "Day unit (n = 6)" in page and "Night unit (n = 5)" in page


def test_the_core_team_chooses_the_links_on_the_review_page(
    as_core: Staff, review: Review, members: Members
) -> None:
    path = f"/journey/reviews/{review.id}/perspectives"
    form = {"perspective": "service_user", "opens_on": "2026-03-01", "closes_on": "2026-03-20"}
    page = text_of(as_core.get(f"/journey/reviews/{review.id}"))
    assert "One link and poster for the whole organisation" in page
    refused = as_core.post(path, form | {"links": "everyone"})
    assert refused.status_code == 422 and "Not a valid choice" in text_of(refused)
    opened = as_core.post(path, form | {"links": "organisation"})
    assert opened.status_code == 303
    [link] = review.perspectives
    assert [li.organisation_wide for li in link.wave.links] == [True]


def test_codes_need_a_link_per_team(kek: bytes, review: Review, members: Members) -> None:
    plan = WavePlan(
        "codes",
        questionnaire=None,  # type: ignore[arg-type]  # refused before it is read
        teams=[members.day],
        opens_on=TODAY,
        closes_on=TODAY,
        uses_codes=True,
        organisation_wide=True,
    )
    with pytest.raises(WaveError, match="per team"):
        open_wave(plan, kek)
