"""The survey service's own front page: what Lantern is, for someone who typed its address.

Registered only on the respondent service (the staff service's root is the results index).
It knows no link, so it names no organisation and offers the alliance-wide support routes.
"""

from __future__ import annotations

from flask import Blueprint, Response, make_response, render_template

from survey.access import public
from survey.services.signposting import urgent_routes

bp = Blueprint("home", __name__)


@bp.get("/")
@public
def index() -> Response:
    """A short page saying what Lantern is and how to take part; never a 404."""
    return make_response(
        render_template("respond/home.html", routes=urgent_routes(), page_title="About Lantern")
    )
