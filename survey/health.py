"""Health check for load balancers: says nothing about the data."""

from __future__ import annotations

from flask import Blueprint
from sqlalchemy import text

from survey.access import public
from survey.extensions import db

bp = Blueprint("health", __name__)


@bp.get("/healthz")
@public
def healthz() -> tuple[dict[str, str], int]:
    """200 when the database answers, 503 otherwise."""
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:
        return {"status": "unavailable"}, 503
    return {"status": "ok"}, 200
