"""Waves with stored responses, for the key rotation, verification and backup tests."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from click.testing import Result
from flask import Flask
from sqlalchemy import select

from survey.domain.sealing import SealContext, open_wave
from survey.extensions import db
from survey.keyring import configured_kek
from survey.models import QuestionnaireVersion, SurveyLink, Team, Wave
from survey.services import demo
from survey.services.responses import record_response
from survey.services.waves import WavePlan
from survey.services.waves import open_wave as open_survey_wave
from tests.stored import stored_rows


def add_waves(kek: bytes, count: int) -> list[Wave]:
    """Open `count` more waves (on every demo team) beside the demo wave."""
    version = db.session.scalars(select(QuestionnaireVersion)).first()
    teams = list(db.session.scalars(select(Team)))
    assert version is not None and teams
    today = date.today()
    plans = [
        WavePlan(f"Extra wave {n}", version, teams, today, today + timedelta(days=30))
        for n in range(count)
    ]
    return [open_survey_wave(plan, kek) for plan in plans]


def fill(wave: Wave, per_link: int) -> int:
    """Store `per_link` sealed responses on each of the wave's links; return how many."""
    stored = 0
    for link in sorted(wave.links, key=lambda item: item.id):
        for n in range(per_link):
            # A distinct, valid answer set per response: stss.1 cycles through 1..5.
            answers: dict[str, int | str] = {"stss.1": n % 5 + 1, "stss.2": 3}
            record_response(link, answers, f"nonce-{wave.id}-{link.id}-{n}", date.today())
            stored += 1
    return stored


def open_all(kek: bytes) -> dict[str, dict[str, int | str]]:
    """Open every stored response with one KEK (raises if any wave key or response fails)."""
    db.session.expire_all()
    opened: dict[str, dict[str, int | str]] = {}
    for wave in db.session.scalars(select(Wave)):
        opener = open_wave(wave.wrapped_private_key, kek, wave.id)
        for row in stored_rows(wave.id):
            context = SealContext(row.wave_id, row.team_id, row.id)
            opened[row.id] = opener.open(context, row.sealed)
    return opened


def run(app: Flask, *args: str) -> Result:
    """Run a `flask` command the way an operator would, then see its writes."""
    db.session.commit()  # end this test's read transaction before the command writes
    result = app.test_cli_runner().invoke(args=list(args))
    db.session.expire_all()
    return result


def links() -> list[SurveyLink]:
    """Every survey link."""
    return list(db.session.scalars(select(SurveyLink)))


def seed(app: Flask) -> None:
    """The demo organisation, teams and open wave (no synthetic history), inside an app context."""
    questionnaire = Path(app.config["QUESTIONNAIRE_DIR"]) / "demo-sts.yaml"
    kek = configured_kek(app.config)
    assert demo.seed_demo(kek, questionnaire, date.today(), history=False) is not None


def live_token() -> str:
    """The token of the first live link of an open wave."""
    return demo.demo_links()[0][1]
