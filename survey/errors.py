"""Friendly error pages: calm words, the right status, never a stack trace or an answer."""

from __future__ import annotations

import logging

from flask import Flask, render_template, request
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from survey.extensions import db
from survey.services.signposting import urgent_routes

log = logging.getLogger(__name__)

MESSAGES: dict[int, tuple[str, str]] = {
    400: ("Something went wrong with that form", "Please go back and try again."),
    403: (
        "This page is not available to you",
        "If you think you should see it, ask the core team.",
    ),
    404: ("We can't find that page", "The link may be mistyped, or it may no longer be in use."),
    405: ("We can't find that page", "The link may be mistyped, or it may no longer be in use."),
    409: ("We already have these answers", "Nothing more is needed. Thank you."),
    410: ("This survey round has closed", "Thank you for wanting to take part."),
    413: ("That was more than we can accept", "Please shorten your answer and try again."),
    429: (
        "Please wait a moment",
        "There have been many requests in a short time. Try again shortly.",
    ),
    500: (
        "Something went wrong on our side",
        "Nothing you did caused this. Please try again later.",
    ),
}


def render_error(
    status: int, title: str | None = None, detail: str | None = None
) -> tuple[str, int]:
    """Render the shared error page for a status, with optional kinder words."""
    default_title, default_detail = MESSAGES.get(status, MESSAGES[500])
    page = render_template(
        "errors/error.html",
        status=status,
        title=title or default_title,
        detail=detail or default_detail,
        routes=urgent_routes(),
    )
    return page, status


# Respondent pages: their errors keep the calm respondent page with its quick exit.
RESPONDENT_PREFIX = "/s/"


def _signed_in_staff() -> bool:
    """Whether a signed-in staff member made this request (never asked of respondent pages)."""
    if request.path.startswith(RESPONDENT_PREFIX):
        return False  # respondents' requests never load a user
    return bool(getattr(current_user, "is_authenticated", False))


def render_staff_error(
    status: int, title: str | None = None, detail: str | None = None
) -> tuple[str, int]:
    """The error page for a signed-in staff member: staff navigation, no crisis lines."""
    default_title, default_detail = STAFF_MESSAGES.get(status, MESSAGES.get(status, MESSAGES[500]))
    title = title or default_title
    page = render_template(
        "errors/staff_error.html",
        status=status,
        title=title,
        detail=detail or default_detail,
        page_title=title,
    )
    return page, status


STAFF_MESSAGES: dict[int, tuple[str, str]] = {
    403: (
        "This page is not available to your account",
        "It belongs to another role. If you think you should see it, ask the core team.",
    ),
    404: (
        "We can't find that page",
        "The address may be mistyped, or the page may be about a team or round your account "
        "does not hold. Your results are listed under Results.",
    ),
}


def _http_error(error: HTTPException) -> tuple[str, int]:
    status = error.code or 500
    if _signed_in_staff():
        return render_staff_error(status)  # a refused form (400) or a wait (429) too
    return render_error(status)


# Blueprints whose forms are filled in by signed-in staff, not by respondents.
STAFF_BLUEPRINTS = frozenset({"manage", "results"})  # auth has its own handler


def _csrf_error(error: CSRFError) -> tuple[str, int]:
    if request.blueprint in STAFF_BLUEPRINTS:
        title = "This form has expired"
        detail = (
            "For security, forms stop working after a while or once you sign in or out. "
            "Go back, reload the page and try again. Nothing from this form was saved."
        )
        if _signed_in_staff():
            return render_staff_error(400, title, detail)
        return render_error(400, title, detail)
    return render_error(
        400,
        "This form has expired",
        "For your privacy, forms only stay open for a while. Please open your link again "
        "to start afresh. Nothing from the expired form was saved.",
    )


def _unexpected(error: Exception) -> tuple[str, int]:
    # Log the type only: the exception text could quote submitted answers.
    log.error("unhandled %s", type(error).__name__)
    # A failed commit leaves the session unusable; reset it so the page can still list help.
    db.session.rollback()
    try:
        if _signed_in_staff():
            return render_staff_error(500)
    except Exception:  # loading the user or the staff frame reads the database too
        db.session.rollback()
    return render_error(500)


def init_app(app: Flask) -> None:
    """Register the handlers."""
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(HTTPException, _http_error)
    if not app.testing:
        app.register_error_handler(Exception, _unexpected)
