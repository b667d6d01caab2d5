"""Staff sign-in and sign-out, and the Flask-Login wiring for sessions and API tokens."""

from __future__ import annotations

import hashlib

from flask import Flask, Request, request
from flask_login import current_user

from survey.access import API_PREFIX
from survey.auth import (  # noqa: F401  (routes register on import)
    account,
    invite,
)
from survey.auth.views import bp
from survey.extensions import login
from survey.models import User
from survey.services.accounts import user_for_session, user_for_token

__all__ = ["bp", "init_app"]


def _browser_fingerprint() -> str:
    """Session-protection fingerprint from the user agent only: no address enters the cookie."""
    agent = request.headers.get("User-Agent", "")
    return hashlib.sha256(agent.encode()).hexdigest()


def _user_from_session(session_token: str) -> User | None:
    # The API takes tokens only: no ambient cookie credential, so no CSRF exposure there.
    if request.path.startswith(API_PREFIX):
        return None
    return user_for_session(session_token)


def _user_from_bearer_token(incoming: Request) -> User | None:
    if not incoming.path.startswith(API_PREFIX):
        return None
    scheme, _, token = incoming.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return user_for_token(token)


def _current_user_in_templates() -> dict[str, object]:
    # The proxy itself, so respondent pages (which never use it) never load a user.
    return {"current_user": current_user}


def init_app(app: Flask) -> None:
    """Bind Flask-Login: cookie sessions for pages, bearer tokens for /api/."""
    login.init_app(app, add_context_processor=False)
    login.user_loader(_user_from_session)
    login.request_loader(_user_from_bearer_token)
    login.login_view = "auth.sign_in"
    login.session_protection = "strong"
    # Flask-Login's default fingerprint hashes the client address too; this one does not.
    login._session_identifier_generator = _browser_fingerprint
    app.context_processor(_current_user_in_templates)
