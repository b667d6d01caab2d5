"""The core team's landing page: what needs attention, and where everything is."""

from __future__ import annotations

from flask import render_template

from survey.access import role_required
from survey.manage import bp


@bp.get("/")
@role_required("core")
def home() -> str:
    """The workspace overview."""
    return render_template("manage/home.html")
