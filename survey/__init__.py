"""Lantern: anonymous secondary-traumatic-stress screening for frontline teams."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

from config import BaseConfig, from_environment
from survey import (
    access,
    auth,
    cli,
    database,
    errors,
    keyring,
    navigation,
    padding,
    security,
    static_files,
)
from survey.api import bp as api_bp
from survey.extensions import compress, csrf, db, limiter, migrate
from survey.health import bp as health_bp
from survey.journey import bp as journey_bp
from survey.manage import bp as manage_bp
from survey.respond import bp as respond_bp
from survey.results import bp as results_bp

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def create_app(config: BaseConfig | Mapping[str, Any] | None = None) -> Flask:
    """Build the app: wiring only (settings, extensions, blueprints, hooks)."""
    app = Flask(__name__)
    # "/s//x" must not be redirected to another path: unknown links all read the same.
    app.url_map.merge_slashes = False
    settings = from_environment() if config is None else config
    if isinstance(settings, BaseConfig):
        app.config.from_mapping(settings.as_mapping())
        app.config["LANTERN_ENV"] = settings.NAME
    else:
        app.config.from_mapping(settings)

    db.init_app(app)
    database.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS))
    csrf.init_app(app)
    limiter.init_app(app)
    auth.init_app(app)
    compress.init_app(app)
    static_files.init_app(app)
    access.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    padding.init_app(app)
    cli.init_app(app)
    navigation.init_app(app)

    app.register_blueprint(health_bp)
    app.register_blueprint(respond_bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(manage_bp)
    app.register_blueprint(results_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(journey_bp)

    if app.config.get("LANTERN_ENV") == "production":
        # Refuse to start without key material; the key itself is not kept.
        keyring.configured_kek(app.config)
    return app
