"""The person's sealed cookie, read and written for the respondent views (Flask glue).

What it holds and why is in survey/respond/draft.py.
"""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, make_response, redirect, request, url_for

from survey.domain.questionnaire_model import Questionnaire
from survey.respond import draft
from survey.respond.draft import Draft
from survey.services.responses import LiveLink


def _cookie_path(link: LiveLink) -> str:
    return url_for("respond.welcome", token=link.token)


def read_draft(link: LiveLink, q: Questionnaire) -> Draft | None:
    """This link's draft from the request's cookie, or None (absent, not ours, or too old)."""
    value = request.cookies.get(draft.COOKIE)
    if not value:
        return None
    return draft.decode(q, value, current_app.config["SECRET_KEY"], link.token, link.id)


def save(response: Response, link: LiveLink, q: Questionnaire, state: Draft) -> Response:
    """Set the sealed cookie for `state` on `response` (30 minutes, this link's path only)."""
    value = draft.encode(q, state, current_app.config["SECRET_KEY"], link.token)
    response.set_cookie(
        draft.COOKIE,
        value,
        max_age=draft.MAX_AGE,
        path=_cookie_path(link),
        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE", False)),
        httponly=True,
        samesite="Lax",
    )
    return response


def forget(response: Response, link: LiveLink) -> Response:
    """Delete this link's cookie on `response`."""
    response.delete_cookie(draft.COOKIE, path=_cookie_path(link), httponly=True, samesite="Lax")
    return response


def go(endpoint: str, link: LiveLink, **values: Any) -> Response:
    """303 See Other: the browser fetches the next page with a GET (Post/Redirect/Get)."""
    return make_response(redirect(url_for(endpoint, token=link.token, **values), code=303))
