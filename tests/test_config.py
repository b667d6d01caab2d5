"""Settings: production refuses to start without its secrets; nothing falls back silently."""

from __future__ import annotations

import base64
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from config import ConfigError, DevelopmentConfig, ProductionConfig, TestingConfig, from_environment
from survey import create_app
from survey.keys import KeyConfigError

KEK = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()
PROD = {"LANTERN_ENV": "production", "SECRET_KEY": "s" * 40, "DATABASE_URL": "sqlite://"}


def test_production_refuses_without_secret_key() -> None:
    env = {k: v for k, v in PROD.items() if k != "SECRET_KEY"} | {"LANTERN_KEK": KEK}
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        ProductionConfig(env)


def test_production_refuses_without_key_material() -> None:
    with pytest.raises(ConfigError, match="key material"):
        ProductionConfig(PROD)


def test_production_refuses_without_database_url() -> None:
    env = {k: v for k, v in PROD.items() if k != "DATABASE_URL"} | {"LANTERN_KEK": KEK}
    with pytest.raises(ConfigError, match="DATABASE_URL"):
        ProductionConfig(env)


def test_production_refuses_a_kek_that_does_not_load(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LANTERN_KEK", "not-base64-!!")
    with pytest.raises(KeyConfigError):
        create_app(ProductionConfig(PROD | {"LANTERN_KEK": "not-base64-!!"}))


def test_production_starts_with_everything_and_sets_strict_cookies(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("LANTERN_KEK", KEK)
    app = create_app(ProductionConfig(PROD | {"LANTERN_KEK": KEK}))
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["HSTS"] is True
    # The KEK is read when needed, never kept in the app's config.
    assert KEK not in repr(dict(app.config))


def test_development_keeps_a_secret_outside_the_repo(tmp_path: Path) -> None:
    settings = DevelopmentConfig({})
    assert settings.SECRET_KEY and len(settings.SECRET_KEY) >= 40
    assert settings.SECRET_KEY == DevelopmentConfig({}).SECRET_KEY  # stable across restarts


def test_unknown_environment_name_is_refused() -> None:
    with pytest.raises(ConfigError, match="LANTERN_ENV"):
        from_environment({"LANTERN_ENV": "staging"})


def test_database_url_overrides_the_default() -> None:
    assert (
        TestingConfig({"DATABASE_URL": "sqlite:///x.db"}).SQLALCHEMY_DATABASE_URI
        == "sqlite:///x.db"
    )


def test_a_production_start_without_secrets_stops_with_one_plain_line(tmp_path: Path) -> None:
    # What an operator sees from gunicorn's import of wsgi.py: one line, no traceback.
    env = {"PATH": os.environ.get("PATH", ""), "LANTERN_ENV": "production"}
    done = subprocess.run(
        [sys.executable, "-c", "import wsgi"],
        cwd=Path(__file__).resolve().parent.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 3  # gunicorn: worker failed to boot, so the master stops
    assert done.stderr.strip().splitlines() == [
        "Lantern refused to start: SECRET_KEY is not set: production refuses to start without it"
    ]
