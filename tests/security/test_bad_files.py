"""Bad questionnaire files, bad key material and a database that cannot be written.

Each gives one clear error naming what is wrong: no stack trace, nothing half-done.
"""

from __future__ import annotations

import base64
import logging
import os
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from config import ConfigError, ProductionConfig, TestingConfig
from survey import create_app
from survey.extensions import db
from survey.keys import KeyConfigError, previous_key_path
from survey.models import QuestionnaireVersion, SurveyLink
from tests.respond.driver import Respondent, always
from tests.security import cases
from tests.security.keyfixtures import fill, live_token, run, seed

DEMO = Path(__file__).resolve().parents[2] / "questionnaires" / "demo-sts.yaml"
DEMO_TEXT = DEMO.read_text(encoding="utf-8")

# name -> (file bytes, what the error must say)
BAD_QUESTIONNAIRES: dict[str, tuple[bytes, str]] = {
    "syntax.yaml": (b"key: [unclosed\n  title: x", "YAML syntax error"),
    "tabs.yaml": (b"key:\tx\n\t- y", "YAML syntax error"),
    "list.yaml": (b"- a\n- b\n", "expected a mapping"),
    "empty.yaml": (b"", "got nothing"),
    "python-tag.yaml": (b"key: !!python/object/apply:os.system ['true']\n", "YAML syntax error"),
    # Inside a real field (`minutes`), so it is refused for expanding, not as an unknown field.
    "alias-bomb.yaml": (
        DEMO_TEXT.replace(
            "minutes: 4",
            'minutes: [&a ["x","x","x","x","x","x","x","x"], &b [*a,*a,*a,*a,*a,*a,*a,*a],'
            " &c [*b,*b,*b,*b,*b,*b,*b,*b], &d [*c,*c,*c,*c,*c,*c,*c,*c],"
            " &e [*d,*d,*d,*d,*d,*d,*d,*d], &f [*e,*e,*e,*e,*e,*e,*e,*e]]",
        ).encode(),
        "expands to more than",
    ),
    "sixteen-items.yaml": (
        DEMO_TEXT.replace("      17: ", "      # 17: ").encode(),
        "scales[0].items.17",
    ),
    "unknown-template.yaml": (
        DEMO_TEXT.replace("template: stss", "template: nope").encode(),
        "unknown template 'nope'",
    ),
    "duplicate-context.yaml": (
        DEMO_TEXT.replace("id: years_in_role", "id: role_group").encode(),
        "role_group",
    ),
}


@pytest.mark.parametrize("name", sorted(BAD_QUESTIONNAIRES))
def test_malformed_questionnaire_file_gives_one_clear_error(
    app: Flask, tmp_path: Path, name: str
) -> None:
    content, expected = BAD_QUESTIONNAIRES[name]
    path = tmp_path / name
    path.write_bytes(content)
    result = run(app, "questionnaire", "load", str(path))
    cases.tried("malformed questionnaire file")
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit)  # a refusal, not a crash
    assert result.output.count("Error:") == 1
    assert name in result.output and expected in result.output
    assert db.session.scalars(select(QuestionnaireVersion)).all() == []


def test_questionnaire_file_that_is_not_utf8_gives_one_clear_error(
    app: Flask, tmp_path: Path
) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes("title: caf\u00e9\n".encode("latin-1"))
    result = run(app, "questionnaire", "load", str(path))
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit)
    assert result.output.count("Error:") == 1
    assert "latin1.yaml" in result.output and "not UTF-8" in result.output


def test_production_refuses_to_start_with_bad_key_material(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    env = {"DATABASE_URL": "sqlite://", "SECRET_KEY": "Qm3v9Tz-Lp2xW8rK5nY1cJ7hF4dS6aG0e"}
    with pytest.raises(ConfigError, match="key material is missing"):
        ProductionConfig(env)
    short = base64.urlsafe_b64encode(os.urandom(20)).decode()
    monkeypatch.setenv("LANTERN_KEK", short)
    with pytest.raises(KeyConfigError, match="LANTERN_KEK has the wrong length"):
        create_app(ProductionConfig({**env, "LANTERN_KEK": short}))
    monkeypatch.setenv("LANTERN_KEK", "not base64 at all!")
    with pytest.raises(KeyConfigError, match="not valid urlsafe base64") as error:
        create_app(ProductionConfig({**env, "LANTERN_KEK": "not base64 at all!"}))
    assert "not base64 at all" not in str(error.value)  # the message never echoes the key


@pytest.fixture
def file_app(tmp_path: Path, key_file: Path, monkeypatch: pytest.MonkeyPatch) -> Flask:
    """An app on an SQLite file, seeded with the demo and some stored responses."""
    monkeypatch.delenv("LANTERN_KEK", raising=False)
    monkeypatch.delenv("LANTERN_KEK_PREVIOUS", raising=False)
    settings = TestingConfig({"DATABASE_URL": f"sqlite:///{tmp_path / 'lantern.db'}"})
    settings.KEK_FILE = str(key_file)
    application = create_app(settings)
    with application.app_context():
        db.create_all()
        seed(application)
        for link in db.session.scalars(select(SurveyLink)):
            fill(link.wave, per_link=2)
            break
        db.session.remove()
        db.engine.dispose()
    return application


def read_only_app(tmp_path: Path, key_file: Path, *, testing: bool) -> Flask:
    """The same database file opened read-only, as after a full disk or a bad mount."""
    url = f"sqlite:///file:{tmp_path / 'lantern.db'}?mode=ro&uri=true"
    settings = TestingConfig({"DATABASE_URL": url})
    settings.KEK_FILE = str(key_file)
    settings.TESTING = testing  # False: the production error handlers are installed
    return create_app(settings)


def test_read_only_database_refuses_key_rotation_clearly(
    file_app: Flask, tmp_path: Path, key_file: Path
) -> None:
    os.rename(key_file, previous_key_path(key_file))
    app = read_only_app(tmp_path, key_file, testing=True)
    with app.app_context():
        assert run(app, "keys", "init").exit_code == 0  # the key file is not in the database
        result = run(app, "keys", "rotate")
        db.session.remove()
        db.engine.dispose()
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit)
    assert result.output.count("Error:") == 1
    assert "readonly database" in result.output


def test_read_only_database_refuses_questionnaire_load_clearly(
    file_app: Flask, tmp_path: Path, key_file: Path
) -> None:
    changed = tmp_path / "changed.yaml"
    changed.write_text(DEMO_TEXT.replace("minutes: 4", "minutes: 5"), encoding="utf-8")
    app = read_only_app(tmp_path, key_file, testing=True)
    with app.app_context():
        result = run(app, "questionnaire", "load", str(changed))
        db.session.remove()
        db.engine.dispose()
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit)
    assert result.output.count("Error:") == 1
    assert "could not be written" in result.output and "readonly" in result.output


def test_read_only_database_gives_the_respondent_a_clear_page(
    file_app: Flask, tmp_path: Path, key_file: Path, caplog: pytest.LogCaptureFixture
) -> None:
    app = read_only_app(tmp_path, key_file, testing=False)
    with app.app_context():
        token = live_token()
        with caplog.at_level(logging.ERROR):
            page = Respondent(app.test_client(), token).complete(always("3"))
        db.session.remove()
        db.engine.dispose()
    html = page.get_data(as_text=True)
    assert page.status_code in (500, 503)
    assert "Traceback" not in html and "readonly" not in html
    assert "Something went wrong on our side" in html or "could not" in html
    # The log names the kind of failure only, never the text (which could quote answers).
    assert any("OperationalError" in message for message in caplog.messages)
    assert not any("readonly" in message for message in caplog.messages)


def test_failed_write_still_shows_the_crisis_routes(
    file_app: Flask, tmp_path: Path, key_file: Path
) -> None:
    app = read_only_app(tmp_path, key_file, testing=False)
    with app.app_context():
        token = live_token()
        page = Respondent(app.test_client(), token).complete(always("3"))
        db.session.remove()
        db.engine.dispose()
    assert "Samaritans" in page.get_data(as_text=True)
