"""The `make run` demo: links, demo accounts, and released synthetic history with a comparison."""

from __future__ import annotations

import json
from pathlib import Path

from flask import Flask
from sqlalchemy import select

from survey.extensions import db
from survey.models import Release, ReviewWave, User, Wave
from survey.services import accounts, demo
from survey.services.questionnaires import definition
from tests.conftest import TODAY
from tests.stored import stored_rows


def test_demo_has_history_accounts_and_an_open_round(app: Flask, kek: bytes) -> None:
    questionnaire = Path(app.config["QUESTIONNAIRE_DIR"]) / "demo-sts.yaml"
    made = demo.seed_demo(kek, questionnaire, TODAY)
    assert made is not None
    perspective = select(ReviewWave.wave_id)
    waves = db.session.scalars(
        select(Wave).where(Wave.id.not_in(perspective)).order_by(Wave.opens_on)
    ).all()
    assert [w.synthetic for w in waves] == [True, True, False]
    assert waves[2].is_open(TODAY) and not waves[0].is_open(TODAY)
    releases = db.session.scalars(
        select(Release).where(Release.wave_id.not_in(perspective)).order_by(Release.wave_id)
    ).all()
    assert [r.wave_id for r in releases] == [waves[0].id, waves[1].id]
    latest = json.loads(releases[1].payload)
    assert latest["synthetic"] is True
    team_groups = [
        g
        for g in latest["groups"].values()
        if g["level"] == "team" and g["attribute"] is None and g["shown"]
    ]
    assert team_groups, "a demo lead should see team results at first sign-in"
    assert all(g["scales"]["stss"]["comparison"] is not None for g in team_groups)
    # The demo accounts sign in with the passwords handed back once.
    by_role = {a.role: a for a in made}
    lead = accounts.authenticate(by_role["lead"].email, by_role["lead"].password)
    assert isinstance(lead, User) and accounts.visible_team_ids(lead)
    assert accounts.authenticate(by_role["core"].email, by_role["core"].password) is not None
    # Only the open round's links are printed (the perspective surveys have closed).
    assert {label.split(", ", 1)[1] for label, _ in demo.demo_links()} == {waves[2].name}


def test_the_demo_perspective_surveys_are_synthetic_closed_and_released(
    app: Flask, kek: bytes
) -> None:
    questionnaire = Path(app.config["QUESTIONNAIRE_DIR"]) / "demo-sts.yaml"
    assert demo.seed_demo(kek, questionnaire, TODAY) is not None
    links = db.session.scalars(select(ReviewWave).order_by(ReviewWave.id)).all()
    assert [(link.review.kind, link.perspective) for link in links] == [
        ("baseline", "staff"),
        ("baseline", "service_user"),
        ("follow-up", "staff"),
        ("follow-up", "service_user"),
    ]
    for link in links:
        wave = link.wave
        assert wave.synthetic and not wave.is_open(TODAY)
        # Run while the review was open, before its session agreed the ratings.
        assert link.review.opened_on < wave.opens_on
        assert link.review.agreed_on is not None and wave.last_day < link.review.agreed_on
        [release] = db.session.scalars(select(Release).where(Release.wave_id == wave.id)).all()
        payload = json.loads(release.payload)
        assert release.kind == "final" and payload["synthetic"] is True
        # Every stored response went through the release: sealed the normal way, none lost.
        org = next(g for g in payload["groups"].values() if g["level"] == "organisation")
        assert org["shown"] and org["n"] == stored_count_of(wave.id)
    users = [link.wave for link in links if link.perspective == "service_user"]
    # People who use the service: one link and poster for the organisation, easy read offered.
    assert all(len(w.links) == 1 and w.links[0].organisation_wide for w in users)
    assert all(w.questionnaire_version.key == "roots-service-user-easy-read" for w in users)
    assert {len(link.wave.links) for link in links if link.perspective == "staff"} == {2}
    # The demo's words are its own: demo wording, never the licensed forms.
    asked = definition(users[0].questionnaire_version)
    assert asked.demo_wording and "Lantern's own words" in asked.wording_note


def stored_count_of(wave_id: int) -> int:
    """How many responses a wave stored, batched or pending."""
    return len(stored_rows(wave_id))


def test_demo_is_created_once(app: Flask, kek: bytes) -> None:
    questionnaire = Path(app.config["QUESTIONNAIRE_DIR"]) / "demo-sts.yaml"
    assert demo.seed_demo(kek, questionnaire, TODAY, history=False) is not None
    assert demo.seed_demo(kek, questionnaire, TODAY, history=False) is None
    assert len(db.session.scalars(select(Wave)).all()) == 1


def test_demo_seed_prints_the_journey_on_the_staff_service(app: Flask, kek: bytes) -> None:
    assert kek  # the key file the command reads exists
    result = app.test_cli_runner().invoke(args=["demo", "seed"])
    assert result.exit_code == 0, result.output
    survey, staff = app.config["SERVER_NAME_FOR_LINKS"], app.config["STAFF_NAME_FOR_LINKS"]
    assert survey != staff
    journey_lines = [line for line in result.output.splitlines() if "/journey/" in line]
    assert len(journey_lines) == 1 and f"{staff}/journey/organisations/" in journey_lines[0]
    assert f"{survey}/s/" in result.output  # survey links stay on the survey service
