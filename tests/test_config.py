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
from survey.keys import KeyConfigError, load_kek

KEK = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()
PROD = {
    "LANTERN_ENV": "production",
    "SECRET_KEY": "Qm3v9Tz-Lp2xW8rK5nY1cJ7hF4dS6aG0e",
    "DATABASE_URL": "sqlite://",
}


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


@pytest.mark.parametrize(
    "weak",
    ["a", "s" * 40, "changeme" * 4, "secret-secret-secret-secret-secret"],
    ids=["one-letter", "one-letter-repeated", "pattern", "word-repeated"],
)
def test_production_refuses_a_weak_secret_key_in_one_line(weak: str) -> None:
    env = PROD | {"SECRET_KEY": weak, "LANTERN_KEK": KEK}
    with pytest.raises(ConfigError) as refused:
        ProductionConfig(env)
    message = str(refused.value)
    assert message.startswith("SECRET_KEY is too short or too regular to be a secret")
    assert "\n" not in message and (len(weak) < 3 or weak not in message)  # never echoed


def test_production_refuses_a_weak_integrity_key_or_pepper() -> None:
    for name in ("LANTERN_INTEGRITY_KEY", "LANTERN_CODE_PEPPER"):
        with pytest.raises(ConfigError, match=f"{name} is too short or too regular"):
            ProductionConfig(PROD | {"LANTERN_KEK": KEK, name: "pepper"})


def test_production_accepts_generated_secrets() -> None:
    for _ in range(200):
        env = PROD | {"LANTERN_KEK": KEK, "SECRET_KEY": secrets.token_hex(16)}
        assert env["SECRET_KEY"] == ProductionConfig(env).SECRET_KEY
    ProductionConfig(PROD | {"LANTERN_KEK": KEK, "SECRET_KEY": secrets.token_urlsafe(48)})


@pytest.mark.parametrize(
    "raw", [bytes(32), b"ab" * 16, bytes(range(8)) * 4], ids=["all-zero", "ab", "eight-bytes"]
)
def test_an_all_zero_or_patterned_kek_is_refused_in_one_line(raw: bytes) -> None:
    text = base64.urlsafe_b64encode(raw).decode()
    with pytest.raises(KeyConfigError) as refused:
        load_kek({"LANTERN_KEK": text}, None)
    message = str(refused.value)
    assert "LANTERN_KEK is not a random key" in message and text not in message
    assert "\n" not in message


def test_a_weak_kek_stops_a_production_start_with_one_plain_line() -> None:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "LANTERN_ENV": "production",
        "SECRET_KEY": PROD["SECRET_KEY"],
        "DATABASE_URL": "sqlite://",
        "LANTERN_KEK": base64.urlsafe_b64encode(bytes(32)).decode(),
    }
    done = subprocess.run(
        [sys.executable, "-c", "import wsgi"],
        cwd=Path(__file__).resolve().parent.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 3
    [line] = done.stderr.strip().splitlines()
    assert line.startswith("Lantern refused to start: environment variable LANTERN_KEK is not a")
