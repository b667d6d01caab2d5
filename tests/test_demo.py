"""The `make run` demo: links, demo accounts, and released synthetic history with a comparison."""

from __future__ import annotations

import json
from pathlib import Path

from flask import Flask
from sqlalchemy import select

from survey.extensions import db
from survey.models import Release, User, Wave
from survey.services import accounts, demo
from tests.conftest import TODAY


def test_demo_has_history_accounts_and_an_open_round(app: Flask, kek: bytes) -> None:
    questionnaire = Path(app.config["QUESTIONNAIRE_DIR"]) / "demo-sts.yaml"
    made = demo.seed_demo(kek, questionnaire, TODAY)
    assert made is not None
    waves = db.session.scalars(select(Wave).order_by(Wave.opens_on)).all()
    assert [w.synthetic for w in waves] == [True, True, False]
    assert waves[2].is_open(TODAY) and not waves[0].is_open(TODAY)
    releases = db.session.scalars(select(Release).order_by(Release.wave_id)).all()
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
    # Only the open round's links are printed.
    assert {label.split(", ", 1)[1] for label, _ in demo.demo_links()} == {waves[2].name}


def test_demo_is_created_once(app: Flask, kek: bytes) -> None:
    questionnaire = Path(app.config["QUESTIONNAIRE_DIR"]) / "demo-sts.yaml"
    assert demo.seed_demo(kek, questionnaire, TODAY, history=False) is not None
    assert demo.seed_demo(kek, questionnaire, TODAY, history=False) is None
    assert len(db.session.scalars(select(Wave)).all()) == 1
