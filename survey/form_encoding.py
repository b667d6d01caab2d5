"""Refuse posted forms that are not UTF-8, instead of storing U+FFFD in their place.

Werkzeug decodes form fields with errors="replace": a byte that is not UTF-8 becomes
U+FFFD (or, for a bad %-escape, kept as literal text) and the answer is sealed changed,
without anyone knowing. Checked on the raw body before anything parses it, so the person
is told and nothing is stored.
"""

from __future__ import annotations

from urllib.parse import unquote_to_bytes

from flask import request
from flask.blueprints import BlueprintSetupState

from survey.errors import render_error

_REPLACEMENT = "\ufffd"
UNREADABLE_TITLE = "We could not read your answers"
UNREADABLE_DETAIL = (
    "Part of what was sent is not readable text, so nothing was saved. Please go back, "
    "check any answer you typed, and try again."
)


def undecodable_form() -> bool:
    """Whether the posted form holds bytes that are not valid UTF-8."""
    if request.method != "POST":
        return False
    if request.mimetype == "application/x-www-form-urlencoded":
        # Werkzeug keeps an undecodable %-escape as literal text ("caf%E9") and drops a
        # whole body of raw bytes that are not UTF-8; only the raw body tells them apart.
        body = request.get_data(cache=True)  # kept: the form is parsed from it afterwards
        try:
            for pair in body.split(b"&"):
                for part in pair.split(b"=", 1):
                    unquote_to_bytes(part.replace(b"+", b" ")).decode("utf-8")
        except UnicodeDecodeError:
            return True
        return False
    # Multipart parts are decoded by Werkzeug with errors="replace": look for U+FFFD.
    return any(_REPLACEMENT in value for value in request.form.values())


def refuse_undecodable_form() -> tuple[str, int] | None:
    """A before_request hook: a calm 400 page for a respondent form that is not UTF-8."""
    if request.blueprint == "respond" and undecodable_form():
        return render_error(400, UNREADABLE_TITLE, UNREADABLE_DETAIL)
    return None


def check_before_form_parsing(state: BlueprintSetupState) -> None:
    """Register the check as the app's first before_request hook.

    First, because CSRF protection's own hook parses the form (and so consumes the raw
    body) before any blueprint hook would run.
    """
    state.app.before_request_funcs.setdefault(None, []).insert(0, refuse_undecodable_form)
