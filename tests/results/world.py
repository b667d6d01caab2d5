"""A small alliance with released waves, made through the real sealing and release path.

Organisation A holds teams A one, A two and A three; organisation B holds team B one.

- "Last year" (teams A one, B one): a final release, so this year's figures compare.
- "This year" (all four teams; A three sends nobody, so it is hidden): the release every
  access test shares.
- "B only" (team B one): a release that a lead of A must never reach.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from flask import Flask

from survey.extensions import db
from survey.models import Organisation, Release, SurveyLink, Team, Wave
from survey.release import make_release
from survey.services.questionnaires import store_questionnaire_file
from survey.services.responses import record_response
from survey.services.waves import WavePlan, open_wave
from tests.conftest import days

# Each team answers every STSS item with these values (17 items, so a total of 17 x value).
LAST_YEAR = {"A one": [3, 4] * 4 + [2, 2], "B one": [2, 2, 2, 2, 3, 3]}
THIS_YEAR = {
    "A one": [2, 3] * 5,
    "A two": [2, 3, 4, 5, 4, 3],
    "B one": [1, 2, 2, 2, 3, 3, 3],
}
# In team B one, exactly two people name a management role: a subgroup below k, so hidden.
B_MANAGERS = 2


@dataclass
class World:
    """The organisations, teams, waves and releases the results tests read."""

    org_a: Organisation
    org_b: Organisation
    a1: Team
    a2: Team
    a3: Team
    b1: Team
    last_year: Release
    this_year: Release
    b_only: Release


def address(release: Release) -> str:
    """How pages, CSV and API address a release: its wave and its number in the wave."""
    return f"{release.wave_id}/{release.sequence}"


def answers(value: int, role: str) -> dict[str, int | str]:
    """Every STSS item answered with `value`, and a role."""
    given: dict[str, int | str] = {f"stss.{n}": value for n in range(1, 18)}
    given["role_group"] = role
    return given


def _fill(wave: Wave, values: dict[str, list[int]], day: date) -> None:
    links: dict[str, SurveyLink] = {link.team.name: link for link in wave.links}
    for team, scores in values.items():
        for index, value in enumerate(scores):
            # Team B one: the first two are managers; everyone else is clinical.
            manager = team == "B one" and index < B_MANAGERS
            role = "management" if manager else "clinical"
            record_response(links[team], answers(value, role), secrets.token_urlsafe(16), day)


def _released(plan: WavePlan, values: dict[str, list[int]], kek: bytes) -> Release:
    """Open a wave, fill it, and make its final release the day after it closes."""
    wave = open_wave(plan, kek)
    _fill(wave, values, plan.opens_on)
    return make_release(wave, kek, kind="final", today=plan.closes_on + timedelta(days=1))


def build_world(app: Flask, kek: bytes) -> World:
    """Create the alliance, three waves and their releases."""
    org_a, org_b = Organisation(name="Org A"), Organisation(name="Org B")
    a1 = Team(name="A one", organisation=org_a)
    a2 = Team(name="A two", organisation=org_a)
    a3 = Team(name="A three", organisation=org_a)
    b1 = Team(name="B one", organisation=org_b)
    db.session.add_all([org_a, org_b, a1, a2, a3, b1])
    db.session.commit()
    version = store_questionnaire_file(Path(app.config["QUESTIONNAIRE_DIR"]) / "demo-sts.yaml")
    last_year = _released(
        WavePlan("Last year", version, [a1, b1], days(-40), days(-35)), LAST_YEAR, kek
    )
    this_year = _released(
        WavePlan("This year", version, [a1, a2, a3, b1], days(-20), days(-15)), THIS_YEAR, kek
    )
    b_only = _released(
        WavePlan("B only", version, [b1], days(-10), days(-5)), {"B one": [2, 3, 3, 4, 4, 5]}, kek
    )
    return World(org_a, org_b, a1, a2, a3, b1, last_year, this_year, b_only)
