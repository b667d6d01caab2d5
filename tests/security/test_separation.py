"""Privilege separation: the respondent service serves only its pages and never holds the key.

The respondent app is the public-facing process: a file-read or code-execution bug in it
must not expose stored answers. So it is built by its own factory, serves `/s/…`, static
files and `/healthz` only, refuses to start when given key material, and (checked in a
fresh interpreter in test_respondent_footprint.py) never imports the staff modules.
"""

from __future__ import annotations

import base64
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from config import ConfigError, ProductionConfig, TestingConfig
from survey import create_respondent_app, create_staff_app
from survey.extensions import db
from survey.keyring import configured_kek
from survey.keys import KeyConfigError
from survey.models import SurveyLink, User
from survey.services import accounts
from tests.auth.conftest import PASSWORD, sign_in
from tests.processes import CODE_PEPPER, INTEGRITY_KEY, SECRET_KEY
from tests.respond.driver import Respondent, always

KEK = base64.urlsafe_b64encode(os.urandom(32)).decode()
STAFF_PATHS = [
    "/auth/sign-in",
    "/auth/account",
    "/manage/",
    "/results/",
    "/api/v1/releases",
    "/api/v1/releases/1/1",
    "/auth/set-password/anything",
]


@pytest.fixture
def respondent(monkeypatch: pytest.MonkeyPatch) -> Iterator[Flask]:
    """The respondent app on the test database (no key anywhere in its environment)."""
    for name in ("LANTERN_KEK", "LANTERN_KEK_PREVIOUS", "LANTERN_KEK_FILE"):
        monkeypatch.delenv(name, raising=False)
    env = {k: v for k, v in os.environ.items() if k == "DATABASE_URL"}
    made = create_respondent_app(TestingConfig(env))
    yield made
    with made.app_context():
        db.engine.dispose()  # its own pool: close its connections, not leave them to the GC


def test_the_respondent_app_has_no_route_outside_its_list(respondent: Flask) -> None:
    endpoints = {rule.endpoint for rule in respondent.url_map.iter_rules()}
    assert endpoints == {
        "static",
        "health.healthz",
        "respond.welcome",
        "respond.step",
        "respond.page",
        "respond.check",
        "respond.result",
        "respond.help_now",
        "respond.leave",
        "respond.about",
        "home.index",
    }
    paths = {rule.rule for rule in respondent.url_map.iter_rules()}
    assert paths == {
        "/static/<path:filename>",
        "/healthz",
        "/s/<token>",
        "/s/<token>/page/<int:number>",
        "/s/<token>/check",
        "/s/<token>/result",
        "/s/<token>/help",
        "/s/<token>/leave",
        "/s/<token>/about/<topic>",
        "/",
    }
    assert set(respondent.blueprints) == {"health", "respond", "home"}
    assert respondent.cli.commands == {}  # no `flask keys`, `waves release`, `users`


def test_the_survey_service_root_says_what_lantern_is(respondent: Flask) -> None:
    page = respondent.test_client().get("/")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Each team has its own survey link" in text
    assert "Leave this site quickly" in text and "/auth/" not in text
    assert page.headers["Referrer-Policy"] == "no-referrer"


def test_staff_pages_do_not_exist_on_the_respondent_app(respondent: Flask) -> None:
    client = respondent.test_client()
    for path in STAFF_PATHS:
        assert client.get(path).status_code == 404, path
        assert client.post(path).status_code in (404, 405), path


def test_the_staff_app_serves_no_survey_pages(app: Flask) -> None:
    staff = create_staff_app(TestingConfig({}))
    assert "respond" not in staff.blueprints
    assert staff.test_client().get("/s/some-token").status_code == 404


@pytest.mark.parametrize("name", ["LANTERN_KEK", "LANTERN_KEK_PREVIOUS", "LANTERN_KEK_FILE"])
def test_the_respondent_app_refuses_to_start_with_key_material(
    name: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    value = str(tmp_path / "lantern.key") if name == "LANTERN_KEK_FILE" else KEK
    for other in ("LANTERN_KEK", "LANTERN_KEK_PREVIOUS", "LANTERN_KEK_FILE"):
        monkeypatch.delenv(other, raising=False)
    with pytest.raises(ConfigError, match=f"{name} must not be given to the respondent service"):
        create_respondent_app(TestingConfig({name: value}))
    monkeypatch.setenv(name, value)  # in the process environment, as gunicorn would inherit it
    with pytest.raises(ConfigError, match=name):
        create_respondent_app(TestingConfig({}))


def test_the_respondent_app_has_no_key_and_cannot_open_a_response(
    respondent: Flask, app: Flask
) -> None:
    # Even the development default key file is dropped, so nothing can load a KEK here.
    assert respondent.config["KEK_FILE"] is None
    held = [name for name in respondent.config if "KEK" in name and respondent.config[name]]
    assert held == ["KEK_ENV_VAR"]  # only the variable's name, which the process lacks
    assert not [name for name in os.environ if name.startswith("LANTERN_KEK")]
    with respondent.app_context(), pytest.raises(KeyConfigError):
        configured_kek(respondent.config)


@pytest.mark.parametrize("shared", ["LANTERN_CODE_PEPPER", "LANTERN_INTEGRITY_KEY"])
def test_production_services_need_their_shared_secrets(
    monkeypatch: pytest.MonkeyPatch, shared: str
) -> None:
    # Each service has its own SECRET_KEY, so what both need cannot be derived from it.
    env = {"SECRET_KEY": SECRET_KEY, "DATABASE_URL": "sqlite://"}
    both = {"LANTERN_CODE_PEPPER": CODE_PEPPER, "LANTERN_INTEGRITY_KEY": INTEGRITY_KEY}
    lacking = {k: v for k, v in both.items() if k != shared}
    monkeypatch.delenv("LANTERN_KEK", raising=False)
    with pytest.raises(ConfigError, match=shared):
        create_respondent_app(ProductionConfig(env | lacking, key_material=False))
    assert create_respondent_app(ProductionConfig(env | both, key_material=False))
    monkeypatch.setenv("LANTERN_KEK", KEK)  # the staff service reads it from its environment
    with pytest.raises(ConfigError, match=shared):
        create_staff_app(ProductionConfig(env | lacking | {"LANTERN_KEK": KEK}))
    assert create_staff_app(ProductionConfig(env | both | {"LANTERN_KEK": KEK}))


def _cookie_names(headers: list[str]) -> list[tuple[str, str]]:
    """(name, path) of every Set-Cookie header."""
    found = []
    for header in headers:
        name = header.split("=", 1)[0]
        path = re.search(r"Path=([^;]+)", header)
        found.append((name, path.group(1) if path else ""))
    return found


def test_a_signed_in_lead_answering_the_survey_stays_signed_in(
    client: FlaskClient, link: SurveyLink
) -> None:
    lead = accounts.create_user("lead@example.org", "Lee Lead", PASSWORD, "lead")
    sign_in(client, "lead@example.org")
    assert client.get("/auth/account").status_code == 200
    person = Respondent(client, link.token)
    set_on_survey = _cookie_names(person.page.headers.getlist("Set-Cookie"))
    person.complete(always("2"))
    assert person.page.status_code == 200
    set_on_survey += _cookie_names(person.page.headers.getlist("Set-Cookie"))
    # The survey pages only ever set their own cookies, under /s/: the survey session (its
    # CSRF token) and the answers kept on the device for this link.
    assert set_on_survey
    assert {name for name, _ in set_on_survey} <= {"lantern_survey", "lantern_answers"}
    assert all(path.startswith("/s/") for _, path in set_on_survey)
    # ...so finishing the survey no longer signs the lead out.
    assert client.get("/auth/account").status_code == 200
    assert db.session.get(User, lead.id) is not None
