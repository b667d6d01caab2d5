"""Two session cookies: the respondent's under `/s/`, the staff member's everywhere else.

A lead who is signed in and answers the survey in the same browser must not have the
answers travel with their staff session, and finishing the survey must not sign them
out. So every page under `/s/` reads and writes its own cookie (`SURVEY_SESSION_COOKIE_NAME`,
path `/s/`, which only carries the form's CSRF token); staff pages keep `SESSION_COOKIE_NAME`.
A browser still sends a path-`/` staff cookie to `/s/`: the TLS proxy passes only the survey
cookie on to the respondent service (config/nginx/lantern.conf.in), and the respondent app
never reads the staff cookie, so nothing ties an answer to an account.
"""

from __future__ import annotations

from flask import Flask, has_request_context, request
from flask.sessions import SecureCookieSessionInterface

from survey.padding import is_respondent_path

SURVEY_COOKIE_PATH = "/s/"


def _respondent_request() -> bool:
    return has_request_context() and is_respondent_path(request.path)


class SplitSessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, with the cookie chosen by the request's path."""

    def get_cookie_name(self, app: Flask) -> str:
        """The survey cookie under /s/, the staff cookie elsewhere."""
        if _respondent_request():
            return str(app.config["SURVEY_SESSION_COOKIE_NAME"])
        return super().get_cookie_name(app)

    def get_cookie_path(self, app: Flask) -> str:
        """`/s/` for the survey cookie, so the browser sends it nowhere else."""
        if _respondent_request():
            return SURVEY_COOKIE_PATH
        return super().get_cookie_path(app)


def init_app(app: Flask) -> None:
    """Use the split cookies."""
    app.session_interface = SplitSessionInterface()
