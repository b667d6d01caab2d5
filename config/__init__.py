"""Settings classes read from the environment.

The app factory takes one of these (or a mapping for tests). Production refuses
to start without its secrets; no fallback secret exists anywhere.
"""

from __future__ import annotations

import math
import os
import secrets
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sqlalchemy.pool import StaticPool

ROOT = Path(__file__).resolve().parent.parent
INSTANCE = ROOT / "instance"


class ConfigError(RuntimeError):
    """The environment does not hold what this configuration needs."""


class BaseConfig:
    """Settings shared by every environment."""

    NAME = "base"
    SQLALCHEMY_TRACK_MODIFICATIONS = False
    # Respondent forms are small; anything larger is refused before parsing.
    MAX_CONTENT_LENGTH = 64 * 1024
    MAX_FORM_MEMORY_SIZE = 64 * 1024
    # Browsers keep the stylesheet and quick-exit script for a day: later pages cost one request.
    SEND_FILE_MAX_AGE_DEFAULT = 24 * 3600
    WTF_CSRF_TIME_LIMIT = 4 * 3600
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_NAME = "lantern_session"
    REMEMBER_COOKIE_HTTPONLY = True
    PERMANENT_SESSION_LIFETIME = 8 * 3600
    # How long a started survey form stays valid (seconds).
    SURVEY_FORM_MAX_AGE = 4 * 3600
    QUICK_EXIT_URL = "https://www.bbc.co.uk/weather"
    QUESTIONNAIRE_DIR = str(ROOT / "questionnaires")
    # Organisational review frameworks (Roots, ...): one YAML file each, structure only.
    FRAMEWORK_DIR = str(ROOT / "frameworks")
    KEK_ENV_VAR = "LANTERN_KEK"
    KEK_FILE: str | None = str(INSTANCE / "lantern.key")
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_HEADERS_ENABLED = False
    SURVEY_SUBMIT_RATE_LIMIT = "120 per minute"
    SIGNIN_RATE_LIMIT = "10 per minute"
    HSTS = False
    SERVER_NAME_FOR_LINKS = "http://127.0.0.1:5000"
    # Secret mixed into single-use code hashes; derived from SECRET_KEY when not set. Set it
    # on its own (LANTERN_CODE_PEPPER) so rotating SECRET_KEY does not void printed codes.
    CODE_PEPPER: str | None = None
    # Secret behind the integrity tags (wave public keys, stored responses, tallies): both
    # apps need it, the database never holds it. Derived from SECRET_KEY when not set; set
    # it on its own (LANTERN_INTEGRITY_KEY) when the two apps have different SECRET_KEYs.
    INTEGRITY_KEY: str | None = None

    def __init__(self, env: Mapping[str, str] | None = None) -> None:
        self.env = dict(os.environ if env is None else env)
        self.SQLALCHEMY_DATABASE_URI = self.env.get("DATABASE_URL") or self.default_database()
        self.SQLALCHEMY_ENGINE_OPTIONS = engine_options(self.SQLALCHEMY_DATABASE_URI)
        self.SECRET_KEY = self.env.get("SECRET_KEY") or self.default_secret()
        self.RATELIMIT_STORAGE_URI = self.env.get(
            "RATELIMIT_STORAGE_URI", self.RATELIMIT_STORAGE_URI
        )
        self.SERVER_NAME_FOR_LINKS = self.env.get("LANTERN_BASE_URL", self.SERVER_NAME_FOR_LINKS)
        self.CODE_PEPPER = self.env.get("LANTERN_CODE_PEPPER") or None
        self.INTEGRITY_KEY = self.env.get("LANTERN_INTEGRITY_KEY") or None
        if "LANTERN_KEK_FILE" in self.env:
            self.KEK_FILE = self.env["LANTERN_KEK_FILE"] or None

    def default_database(self) -> str:
        """The database used when DATABASE_URL is not set."""
        return f"sqlite:///{INSTANCE / 'lantern.db'}"

    def default_secret(self) -> str:
        """The session-signing secret used when SECRET_KEY is not set."""
        raise ConfigError("SECRET_KEY is not set")

    def as_mapping(self) -> dict[str, Any]:
        """The upper-case settings, as Flask's config wants them."""
        return {name: getattr(self, name) for name in dir(self) if name.isupper()}


class DevelopmentConfig(BaseConfig):
    """Local embedded default: SQLite under instance/, a key file created on first run."""

    NAME = "development"

    def default_secret(self) -> str:
        """A per-checkout secret kept beside the key file, never in the repo."""
        path = INSTANCE / "secret_key"
        if not path.exists():
            INSTANCE.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_urlsafe(48))
        return path.read_text().strip()


class TestingConfig(BaseConfig):
    __test__ = False  # a settings class, not a pytest test class

    """Fast, isolated settings for the test suite."""

    NAME = "testing"
    TESTING = True
    RATELIMIT_ENABLED = True
    KEK_FILE = None
    # Cheap password hashing so the suite stays fast; production keeps argon2's defaults.
    ARGON2_TIME_COST = 1
    ARGON2_MEMORY_COST = 8
    ARGON2_PARALLELISM = 1

    def default_database(self) -> str:
        """In-memory SQLite unless DATABASE_URL points elsewhere (CI runs PostgreSQL too)."""
        return "sqlite://"

    def default_secret(self) -> str:
        """A throwaway secret for tests; production never takes this path."""
        return "testing-only-secret-not-for-production"


class ProductionConfig(BaseConfig):
    """gunicorn behind a TLS proxy, PostgreSQL, keys from the environment."""

    NAME = "production"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"
    HSTS = True
    KEK_FILE = None
    # Flask-WTF's strict mode demands a same-origin Referer on every HTTPS post, but
    # `Referrer-Policy: no-referrer` (which keeps survey tokens out of logs elsewhere) means
    # browsers send none, so every form would fail behind the TLS proxy. The CSRF token in
    # the SameSite=Lax session cookie already refuses cross-site posts.
    WTF_CSRF_SSL_STRICT = False

    def __init__(self, env: Mapping[str, str] | None = None) -> None:
        super().__init__(env)
        check_secret("SECRET_KEY", self.SECRET_KEY)
        for name, value in (
            ("LANTERN_INTEGRITY_KEY", self.INTEGRITY_KEY),
            ("LANTERN_CODE_PEPPER", self.CODE_PEPPER),
        ):
            if value is not None:
                check_secret(name, value)
        if not self.env.get("DATABASE_URL"):
            raise ConfigError("DATABASE_URL is not set")
        if not self.env.get(self.KEK_ENV_VAR) and not self.KEK_FILE:
            raise ConfigError(
                f"key material is missing: set {self.KEK_ENV_VAR} or LANTERN_KEK_FILE"
            )

    def default_secret(self) -> str:
        """Production has no default secret."""
        raise ConfigError("SECRET_KEY is not set: production refuses to start without it")


# Refused below this Shannon estimate over a secret's characters. The estimate undercounts
# short random strings (16 random bytes in hex score about 100-120), so the bar is lower
# than their real 128 bits; "a", "s" * 40 or "changeme" * 4 score far below it.
MIN_SECRET_BITS = 80
MIN_SECRET_LENGTH = 32
# A short pattern repeated ("changeme" * 4) scores well per character but uses few symbols;
# 16 random bytes in hex use fewer than 8 of their 16 digits about once in 10^7.
MIN_SECRET_SYMBOLS = 8
MAKE_SECRET = 'python -c "import secrets; print(secrets.token_urlsafe(48))"'  # noqa: S105  # nosec B105


def secret_bits(value: str) -> float:
    """A rough upper estimate of a secret's entropy: length times per-character entropy."""
    counts = Counter(value)
    total = len(value)
    if not total:
        return 0.0
    return -total * sum(n / total * math.log2(n / total) for n in counts.values())


def check_secret(name: str, value: str) -> None:
    """Refuse a secret that is short or obviously not random, in one line saying how to fix it."""
    if (
        len(value) < MIN_SECRET_LENGTH
        or len(set(value)) < MIN_SECRET_SYMBOLS
        or secret_bits(value) < MIN_SECRET_BITS
    ):
        raise ConfigError(
            f"{name} is too short or too regular to be a secret (needs at least "
            f"{MIN_SECRET_LENGTH} random characters); generate one with: {MAKE_SECRET}"
        )


CONFIGS: dict[str, type[BaseConfig]] = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def engine_options(url: str) -> dict[str, Any]:
    """Connection options that suit each database."""
    if url.startswith("sqlite"):
        if url in ("sqlite://", "sqlite:///:memory:"):
            # One shared connection, so every session sees the same in-memory database.
            return {"poolclass": StaticPool, "connect_args": {"check_same_thread": False}}
        return {"connect_args": {"timeout": 15}}
    return {"pool_pre_ping": True}


def from_environment(env: Mapping[str, str] | None = None) -> BaseConfig:
    """Pick the settings class named by LANTERN_ENV (default development)."""
    source = os.environ if env is None else env
    name = source.get("LANTERN_ENV", "development")
    try:
        return CONFIGS[name](source)
    except KeyError:
        raise ConfigError(f"LANTERN_ENV={name!r} is not one of {sorted(CONFIGS)}") from None
