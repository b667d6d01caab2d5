"""`flask waves list / close / release`: what the core team runs, with clear errors."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import Result
from flask import Flask
from flask.testing import FlaskCliRunner

from survey.extensions import db
from survey.models import Wave
from survey.models.releases import Release
from tests.conftest import days
from tests.release.helpers import answers_all, submit


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


def waves(runner: FlaskCliRunner, *args: str) -> Result:
    return runner.invoke(args=["waves", *args])


def test_list_shows_dates_mode_and_state_without_counts(
    runner: FlaskCliRunner, demo_wave: Wave
) -> None:
    shown = waves(runner, "list")
    assert shown.exit_code == 0
    fields = shown.output.strip().split("\t")
    assert fields[0] == str(demo_wave.id)
    assert fields[2] == f"{demo_wave.opens_on} to {demo_wave.last_day}"
    assert fields[3:] == [demo_wave.release_mode, "open"]


def test_a_wave_closed_before_it_opened_is_listed_as_cancelled(
    runner: FlaskCliRunner, demo_wave: Wave
) -> None:
    demo_wave.opens_on, demo_wave.closes_on = days(5), days(30)
    db.session.commit()
    assert waves(runner, "close", str(demo_wave.id)).exit_code == 0
    fields = waves(runner, "list").output.strip().split("\t")
    assert fields[2] == f"{days(5)}, cancelled before it opened"
    assert fields[-1] == "closed early"


def test_close_then_close_again_and_an_unknown_wave(
    runner: FlaskCliRunner, demo_wave: Wave
) -> None:
    closed = waves(runner, "close", str(demo_wave.id))
    assert closed.exit_code == 0
    assert f"last day was {days(-1)}" in closed.output
    again = waves(runner, "close", str(demo_wave.id))
    assert again.exit_code == 1
    assert "already closed" in again.output
    unknown = waves(runner, "close", "999")
    assert unknown.exit_code == 1
    assert "there is no wave with id 999" in unknown.output


def test_release_waits_for_close_then_is_made_once(runner: FlaskCliRunner, demo_wave: Wave) -> None:
    early = waves(runner, "release", str(demo_wave.id))
    assert early.exit_code == 1
    assert "close it first" in early.output
    interim = waves(runner, "release", str(demo_wave.id), "--interim")
    assert interim.exit_code == 1
    assert "released once, when it closes" in interim.output
    waves(runner, "close", str(demo_wave.id))
    made = waves(runner, "release", str(demo_wave.id))
    assert made.exit_code == 0, made.output
    assert f"made final release 1 of wave {demo_wave.id}" in made.output
    assert db.session.scalars(db.select(Release)).one().kind == "final"
    twice = waves(runner, "release", str(demo_wave.id))
    assert twice.exit_code == 1
    assert "never remade" in twice.output


def test_release_without_the_key_says_so(
    app: Flask, runner: FlaskCliRunner, demo_wave: Wave, tmp_path: Path
) -> None:
    waves(runner, "close", str(demo_wave.id))
    app.config["KEK_FILE"] = str(tmp_path / "missing.key")
    refused = waves(runner, "release", str(demo_wave.id))
    assert refused.exit_code == 1
    assert "missing.key" in refused.output
    assert "Traceback" not in refused.output
    assert db.session.scalars(db.select(Release)).all() == []


def test_release_prints_no_count_of_stored_responses(
    runner: FlaskCliRunner, demo_wave: Wave
) -> None:
    # 7 stored, 2 of them with every question skipped: a release counts the 5 scorable
    # ones. Printing 7 beside it would tell that 2 people skipped too much to be scored.
    link = sorted(demo_wave.links, key=lambda item: item.team.name)[0]
    for value in (1, 2, 3, 4, 5):
        submit(link, answers_all(value), days(0))
    for _ in range(2):
        submit(link, {}, days(0))
    waves(runner, "close", str(demo_wave.id))
    made = waves(runner, "release", str(demo_wave.id))
    assert made.exit_code == 0, made.output
    done = f"made final release 1 of wave {demo_wave.id} ({demo_wave.name})"
    assert done in made.output
    rest = made.output.replace(done, "")
    assert not re.search(r"\d", rest), rest  # no 7, no 2, no share, no position
