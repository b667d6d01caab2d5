"""The app factories: the respondent service, the staff service, and both in one for development.

Production runs two processes (see the README's production section):

- the **respondent app** (`create_respondent_app`, `wsgi_respondent:app`): the `/s/…` survey
  pages, static files and `/healthz`. It seals answers to each wave's public key and never
  holds the key-encryption key: it refuses to start when its environment names one, and it
  never imports the staff blueprints, the key loaders or the release step;
- the **staff app** (`create_staff_app`, `wsgi:app`): sign-in, the workspace, results, the
  API, releases and the `flask` commands; the only one that loads the KEK.

`create_app` builds both into one app for the test suite and local experiments; `make run`
starts the two services separately, as production does.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from config import KEY_VARIABLES, BaseConfig, ConfigError, from_environment
from survey import access, database, errors, padding, security, sessions, static_files
from survey.extensions import compress, csrf, db, limiter
from survey.health import bp as health_bp

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
Settings = BaseConfig | Mapping[str, Any] | None

# What the respondent app serves, and nothing else (tests/security/test_separation.py).
RESPONDENT_ENDPOINTS = frozenset({"static", "health.healthz", "respond.welcome", "respond.step"})
BOOT_ERROR = 3  # gunicorn.arbiter.Arbiter.WORKER_BOOT_ERROR


def _configured(
    settings: Settings, *, key_material: bool = True
) -> tuple[Flask, Mapping[str, str]]:
    """A bare app holding the settings, and the environment they were read from."""
    app = Flask("survey")
    # "/s//x" must not be redirected to another path: unknown links all read the same.
    app.url_map.merge_slashes = False
    chosen = from_environment(key_material=key_material) if settings is None else settings
    if isinstance(chosen, BaseConfig):
        app.config.from_mapping(chosen.as_mapping())
        app.config["LANTERN_ENV"] = chosen.NAME
        return app, chosen.env
    app.config.from_mapping(chosen)
    return app, {}


def _shared(app: Flask) -> Flask:
    """The wiring both services need: database, forms, limits, headers, errors, padding."""
    hops = int(app.config.get("PROXY_HOPS", 0))
    if hops:
        # Exactly this many proxies in front may say who the client is and whether it used
        # TLS; anything a client adds beyond them is ignored.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]
    db.init_app(app)
    database.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    sessions.init_app(app)
    compress.init_app(app)
    static_files.init_app(app)
    access.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    padding.init_app(app)
    app.register_blueprint(health_bp)
    return app


def _add_respondent(app: Flask) -> None:
    from survey.respond import bp as respond_bp  # noqa: PLC0415  (only the apps that serve it)

    app.register_blueprint(respond_bp)


def _add_staff(app: Flask) -> None:
    # Imported here, so that building the respondent app never imports a staff module.
    from survey import auth, cli, keyring, navigation  # noqa: PLC0415
    from survey.api import bp as api_bp  # noqa: PLC0415
    from survey.extensions import migrate  # noqa: PLC0415
    from survey.journey import bp as journey_bp  # noqa: PLC0415
    from survey.manage import bp as manage_bp  # noqa: PLC0415
    from survey.results import bp as results_bp  # noqa: PLC0415

    migrate.init_app(app, db, directory=str(MIGRATIONS))
    auth.init_app(app)
    cli.init_app(app)
    navigation.init_app(app)
    app.register_blueprint(auth.bp)
    app.register_blueprint(manage_bp)
    app.register_blueprint(results_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(journey_bp)
    if app.config.get("LANTERN_ENV") == "production":
        # Refuse to start without key material; the key itself is not kept.
        keyring.configured_kek(app.config)


def refuse_key_material(env: Mapping[str, str]) -> None:
    """Stop the respondent service's start if its environment (or the settings') holds a key."""
    given = [name for name in KEY_VARIABLES if env.get(name) or os.environ.get(name)]
    if given:
        raise ConfigError(
            f"{', '.join(given)} must not be given to the respondent service: "
            "it seals answers with each wave's public key and never needs the key"
        )


def _require_shared_secrets(app: Flask) -> None:
    """In production each service has its own SECRET_KEY, so what both need must be set."""
    if app.config.get("LANTERN_ENV") != "production":
        return
    for setting, variable, why in (
        ("CODE_PEPPER", "LANTERN_CODE_PEPPER", "to hash single-use codes"),
        ("INTEGRITY_KEY", "LANTERN_INTEGRITY_KEY", "to tag wave keys and stored responses"),
    ):
        if not app.config.get(setting):
            raise ConfigError(
                f"{variable} is not set: the respondent and staff services each have "
                f"their own SECRET_KEY, and both need this one secret {why}"
            )


def create_respondent_app(config: Settings = None) -> Flask:
    """The public survey service: respondent pages, static files and health; no KEK."""
    app, env = _configured(config, key_material=False)
    refuse_key_material(env)
    _require_shared_secrets(app)
    # Nothing the respondent process does may find a key file, not even by default.
    app.config["KEK_FILE"] = None
    _shared(app)
    _add_respondent(app)
    from survey.respond.home import bp as home_bp  # noqa: PLC0415

    # Only here: in the combined app the root belongs to the staff results index.
    app.register_blueprint(home_bp)
    return app


def create_staff_app(config: Settings = None) -> Flask:
    """The staff service: sign-in, workspace, results, API, releases and the commands."""
    return _staff(config, respondent=False)


def create_app(config: Settings = None) -> Flask:
    """Both services in one app: for the test suite and local experiments, not production."""
    return _staff(config, respondent=True)


def _staff(config: Settings, *, respondent: bool) -> Flask:
    app, _env = _configured(config)
    if not respondent:
        # The combined app has one SECRET_KEY, so the code pepper may derive from it.
        _require_shared_secrets(app)
    _shared(app)
    if respondent:
        _add_respondent(app)
    _add_staff(app)
    return app


def boot(factory: Callable[[], Flask], *catch: type[Exception]) -> Flask:
    """Build an app for gunicorn, or stop with one plain line naming what is wrong.

    The exit status is gunicorn's "worker failed to boot", so the master stops too instead
    of starting workers that fail the same way again and again.
    """
    refused: tuple[type[Exception], ...] = (ConfigError, *catch)
    try:
        return factory()
    except refused as error:
        print(f"Lantern refused to start: {error}", file=sys.stderr)
        raise SystemExit(BOOT_ERROR) from None
