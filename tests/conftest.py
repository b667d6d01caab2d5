"""Shared fixtures: an app from the factory, a fresh database per test, a KEK in a temp file."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, g, request_started
from flask.testing import FlaskClient

from config import TestingConfig
from survey import create_app
from survey.extensions import db
from survey.keyring import configured_kek
from survey.keys import create_key_file
from survey.models import SurveyLink, Wave
from survey.services import demo

TODAY = date.today()


@pytest.fixture
def key_file(tmp_path: Path) -> Path:
    """A fresh KEK in a private key file."""
    path = tmp_path / "lantern.key"
    create_key_file(path)
    return path


@pytest.fixture
def app_env() -> dict[str, str]:
    """Extra environment for the `app` fixture's settings (a test module may override it)."""
    return {}


@pytest.fixture
def app(
    key_file: Path, monkeypatch: pytest.MonkeyPatch, app_env: dict[str, str]
) -> Iterator[Flask]:
    """The app on a fresh, empty schema (SQLite in memory, or DATABASE_URL in CI)."""
    monkeypatch.delenv("LANTERN_KEK", raising=False)
    monkeypatch.delenv("LANTERN_KEK_PREVIOUS", raising=False)
    env = {k: v for k, v in os.environ.items() if k == "DATABASE_URL"}
    settings = TestingConfig(env | app_env)
    settings.KEK_FILE = str(key_file)
    application = create_app(settings)

    def fresh_g(sender: Flask, **extra: Any) -> None:
        # The test keeps one app context open (for db access), so requests would share
        # `g` (Flask-Login's cached user, Flask-WTF's CSRF token); a real request gets its own.
        for name in list(vars(g)):
            delattr(g, name)

    request_started.connect(fresh_g, application)
    with application.app_context():
        db.drop_all()
        db.engine.dispose()
        db.create_all()
        yield application
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client with CSRF protection on, as in production."""
    return app.test_client()


@pytest.fixture
def kek(app: Flask) -> bytes:
    """The KEK the app is configured with."""
    return configured_kek(app.config)


@pytest.fixture
def demo_wave(app: Flask, kek: bytes) -> Wave:
    """The demo organisation, teams, signposting and an open wave."""
    questionnaire = Path(app.config["QUESTIONNAIRE_DIR"]) / "demo-sts.yaml"
    assert demo.seed_demo(kek, questionnaire, TODAY, history=False) is not None
    return db.session.scalars(db.select(Wave)).one()


@pytest.fixture
def link(demo_wave: Wave) -> SurveyLink:
    """The first team's live survey link."""
    return sorted(demo_wave.links, key=lambda item: item.team.name)[0]


def days(n: int) -> date:
    """A date n days from today."""
    return TODAY + timedelta(days=n)
