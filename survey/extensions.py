"""Unbound extension objects; the app factory binds them."""

from __future__ import annotations

from flask import Flask, Response, request
from flask_compress import Compress
from flask_limiter import Limiter
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

from survey.padding import is_respondent_path


class Base(DeclarativeBase):
    """Declarative base with stable constraint names, so migrations stay portable."""

    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


class RouteLimiter(Limiter):
    """Flask-Limiter with every limit declared on its route, and no check before each request.

    Lantern has no application-wide default limits (their natural key is the client
    address, which it never uses), so the extension's own before-request check found
    nothing to do on every request, yet cost about 8 % of a worker's CPU under load.
    Each `@limiter.limit` decorator still checks its route's limits itself.
    """

    def init_app(self, app: Flask) -> None:
        """Set up as usual, then drop the before-request check of default limits."""
        if app.config.get("RATELIMIT_DEFAULT") or app.config.get("RATELIMIT_APPLICATION"):
            raise RuntimeError("app-wide rate limits are not used here: declare them on routes")
        super().init_app(app)
        app.before_request_funcs.setdefault(None, []).remove(self._check_request_limit)


class StaffCompress(Compress):
    """Flask-Compress for every page except the respondent's, which `survey.padding` encodes.

    Compressing a respondent page here would make its length depend on its content again.
    """

    def after_request(self, response: Response | None) -> Response:
        """Compress as usual, except under /s/."""
        if response is not None and is_respondent_path(request.path):
            return response
        compressed: Response = super().after_request(response)
        return compressed


def _no_client_address() -> str:
    """Rate-limit key for routes limited per resource, never per person."""
    return "global"


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
csrf = CSRFProtect()
# The default key is deliberately not the client address: respondent limits are
# keyed by survey link inside the views, and nothing here records an IP.
limiter = RouteLimiter(key_func=_no_client_address, default_limits=[])
compress = StaffCompress()
# Staff sign-in; survey.auth binds it and supplies the loaders.
login = LoginManager()
