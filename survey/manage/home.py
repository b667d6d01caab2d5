"""The core team's landing page: what needs attention, and where everything is."""

from __future__ import annotations

from flask import render_template

from survey.access import role_required
from survey.manage import bp
from survey.manage.forms_waves import today
from survey.services.reminders import reminders


@bp.get("/")
@role_required("core")
def home() -> str:
    """The workspace overview: reminders first, then every area."""
    return render_template("manage/home.html", reminders=reminders(today()), today=today())
