"""The read-only JSON results API, version 1: the whole URL table of the blueprint.

Bearer tokens only (session cookies do not authenticate here, see survey.auth), so there
is no ambient credential for a cross-site page to use and CSRF does not apply.
"""

from flask import Blueprint
from werkzeug.exceptions import HTTPException

from survey.api import views
from survey.extensions import csrf

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)

bp.add_url_rule("/releases", "releases", views.releases)
bp.add_url_rule("/releases/<int:wave_id>/<int:sequence>", "release", views.release)
# Anything else under /api/v1/ answers in JSON too, after the same token check.
bp.add_url_rule(
    "/<path:rest>", "unknown", views.unknown, methods=["GET", "POST", "PUT", "PATCH", "DELETE"]
)
bp.register_error_handler(HTTPException, views.json_error)

__all__ = ["bp"]
