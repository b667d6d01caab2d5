"""A lead learns nothing from release ids or instants about waves they cannot see.

Two alliances are built alike, except that in the second the core team made releases of
waves lead A one cannot see before the lead's own wave had its second release. Every
address, date and figure the lead can read (API list and releases, results pages' links
and dates, CSV) must be the same in both.
"""

from __future__ import annotations

import json
import re

from flask import Flask

from survey.extensions import db
from survey.models import Release
from survey.services import accounts
from survey.services.accounts import issue_token
from survey.services.waves import WavePlan, open_wave
from tests.auth.conftest import PASSWORD
from tests.conftest import days
from tests.results.conftest import staff_client
from tests.results.world import World, build_world

# Anything that names a release or a moment: links to releases, dates and times.
_NAMING = re.compile(
    r'href="/results/release/[^"]*"|\d{4}-\d{2}-\d{2}[T ][\d:.+]+|\d{1,2} \w+ \d{4}'
)


def _again(world: World, wave_id: int, sequence: int) -> None:
    """Another release of a wave (its figures copied from this year's): release activity."""
    source = world.this_year
    db.session.add(
        Release(
            wave_id=wave_id,
            sequence=sequence,
            kind="interim",
            payload=source.payload,
            ledger=source.ledger,
        )
    )
    db.session.commit()


def _what_the_lead_sees(app: Flask, kek: bytes, world: World, other_activity: bool) -> list[str]:
    if other_activity:
        # The core team releases waves the lead has no part in: B only, and a new wave.
        _again(world, world.b_only.wave_id, 2)
        version = world.this_year.wave.questionnaire_version
        hidden = open_wave(WavePlan("B again", version, [world.b1], days(-3), days(-2)), kek)
        _again(world, hidden.id, 1)
        _again(world, hidden.id, 2)
    _again(world, world.this_year.wave_id, 2)  # then the lead's own wave, once more
    lead = accounts.create_user("a1@example.org", "Ada One", PASSWORD, "lead")
    accounts.grant_lead(lead, team_id=world.a1.id)
    token = issue_token(lead, "script")
    api = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    listed = api.get("/api/v1/releases", headers=headers).get_json()
    seen = [json.dumps(listed, sort_keys=True)]
    for entry in listed["releases"]:
        seen.append(json.dumps(api.get(entry["url"], headers=headers).get_json(), sort_keys=True))
    browser = staff_client(app, "a1@example.org")
    index = browser.get("/results/").get_data(as_text=True)
    links = re.findall(r'href="(/results/release/[^"]*)"', index)
    seen += _NAMING.findall(index)
    for link in links:
        page = browser.get(link).get_data(as_text=True)
        seen += _NAMING.findall(page)
        for csv_link in re.findall(r'href="(/results/release/[^"]*\.csv)"', page):
            export = browser.get(csv_link)
            seen += [export.headers["Content-Disposition"], export.get_data(as_text=True)]
    return seen


def test_release_activity_in_other_waves_changes_nothing_a_lead_sees(
    app: Flask, kek: bytes
) -> None:
    quiet = _what_the_lead_sees(app, kek, build_world(app, kek), other_activity=False)
    db.session.remove()
    db.drop_all()
    db.engine.dispose()
    db.create_all()
    busy = _what_the_lead_sees(app, kek, build_world(app, kek), other_activity=True)
    assert len(quiet) > 6 and quiet == busy
    dated = [part for part in quiet if re.search(r"\d{4}-\d{2}-\d{2}T|\d:\d\d", part)]
    assert dated == []  # days only, never an instant


def test_a_release_is_addressed_by_its_wave_and_number(app: Flask, kek: bytes) -> None:
    world = build_world(app, kek)
    _again(world, world.this_year.wave_id, 2)
    lead = accounts.create_user("a1@example.org", "Ada One", PASSWORD, "lead")
    accounts.grant_lead(lead, team_id=world.a1.id)
    index = staff_client(app, "a1@example.org").get("/results/").get_data(as_text=True)
    this_year, last_year = world.this_year.wave_id, world.last_year.wave_id
    assert re.findall(r'href="/results/release/([^"]*)"', index) == [
        f"{this_year}/2",
        f"{this_year}/1",
        f"{last_year}/1",
    ]
