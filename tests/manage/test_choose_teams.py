"""Choosing a wave's teams in whole groups: every team, a sector, or an organisation."""

from __future__ import annotations

import re

import pytest
from flask import Flask

from survey.extensions import db
from survey.models import Organisation, QuestionnaireVersion, Team, Wave
from tests.manage.conftest import Members, Staff, field_error
from tests.manage.test_waves import demo_version, open_form


@pytest.fixture
def version(app: Flask) -> QuestionnaireVersion:
    return demo_version(app)


def opened(
    as_core: Staff, version: QuestionnaireVersion, members: Members, **choice: object
) -> set[str]:
    data = open_form(version, members, teams=[]) | choice
    result = as_core.post("/manage/waves/new", data=data)
    assert result.status_code == 303, result.get_data(as_text=True)
    wave = db.session.scalars(db.select(Wave).order_by(Wave.id.desc())).first()
    assert wave is not None
    return {link.team.name for link in wave.links}


def test_a_whole_organisation_in_one_tick(
    as_core: Staff, version: QuestionnaireVersion, members: Members
) -> None:
    assert opened(as_core, version, members, organisations=[str(members.north.id)]) == {
        "Day unit",
        "Night unit",
    }


def test_a_sector_every_team_or_a_mix_with_single_teams(
    as_core: Staff, version: QuestionnaireVersion, members: Members
) -> None:
    assert opened(as_core, version, members, sectors=["food"]) == {"Outreach"}
    assert opened(as_core, version, members, all_teams="y") == {
        "Day unit",
        "Night unit",
        "Outreach",
    }
    mixed = opened(as_core, version, members, sectors=["food"], teams=[str(members.night.id)])
    assert mixed == {"Outreach", "Night unit"}


def test_nothing_chosen_is_refused_beside_the_teams(
    as_core: Staff, version: QuestionnaireVersion, members: Members
) -> None:
    result = as_core.post("/manage/waves/new", data=open_form(version, members, teams=[]))
    assert result.status_code == 422
    assert field_error(result, "teams") == "Choose at least one team, an organisation or a sector."


def test_the_form_stays_short_at_alliance_scale_and_an_organisation_can_be_preset(
    as_core: Staff, version: QuestionnaireVersion
) -> None:
    for number in range(34):
        org = Organisation(name=f"Member {number:02d}", sector="health" if number % 2 else "food")
        db.session.add_all([org] + [Team(name=f"Team {t}", organisation=org) for t in range(9)])
    db.session.commit()
    target = db.session.scalars(
        db.select(Organisation).where(Organisation.name == "Member 07")
    ).one()
    html = as_core.get(f"/manage/waves/new?organisation={target.id}").get_data(as_text=True)
    # 306 team boxes, all folded inside one <details> per organisation; 34 organisation boxes.
    assert len(re.findall(r'name="organisations"', html)) == 34
    assert html.count("<details") == 34 + 1  # and one for the sectors
    assert re.search(rf'name="organisations" value="{target.id}" checked', html)
    assert "Every team of the alliance (306 teams)" in html
    assert "Every food team (153)" in html
